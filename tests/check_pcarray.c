/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_pcarray.c - the per-cpu array cache on tiny hand-written traces
 * with exact expected counters and locks, driven directly where a test
 * needs two operations of one cpu to overlap, and on a bundled real trace
 * with the books balanced.
 *
 * The cache in the tiny traces has 256-byte objects.  On the default 4-cpu
 * machine SLUB's calculate_order() gives order 0, so a slab holds 16
 * objects (see check_slub.c).  The backing SLUB is classic unless a test
 * says slub=2007.
 *
 * Lock arithmetic used throughout: an allocation from a non-empty array
 * takes the array lock once; one that finds it empty takes it three times
 * (the failed look, refill_pca()'s second trylock to put the objects in,
 * the retry that pops), as the RFC's alloc_from_pca() does.  Frees mirror
 * it: once, or three times when the array is full (look, flush_pca(),
 * retry).
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policies/registry.h"
#include "sim/replay.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/load.h"

#define OBJ_SIZE 256
#define PER_SLAB 16

static void tiny_init(struct tiny *t)
{
	tutil_tiny_init(t, OBJ_SIZE, 1000);	/* 1 us apart: operations never overlap */
}

static void tiny_ev(struct tiny *t, unsigned cpu, enum sim_ev_op op, uint32_t oid, enum sim_ctx ctx, int node)
{
	tutil_tiny_event(t, cpu, op, oid, ctx, node);
}

static void tiny_op(struct tiny *t, unsigned cpu, enum sim_ev_op op, uint32_t oid)
{
	tiny_ev(t, cpu, op, oid, SIM_CTX_TASK, SIM_NO_NODE);
}

static struct sim_stats *tiny_run_on(struct tiny *t, const char *settings, unsigned cpus, unsigned nodes, bool drain)
{
	const struct sim_policy_ops *ops = policy_find("pcarray");
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true, .drain_at_end = drain };
	struct sim_stats *st = NULL;
	char err[256];

	ck_assert_msg(ops != NULL, "policy pcarray should be registered");
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	cfg.mach.ncpus = cpus;
	cfg.mach.nnodes = nodes;
	policy_params_default(ops, &pv);
	ck_assert_msg(policy_params_apply(ops, &pv, settings, err, sizeof(err)) == 0, "settings apply: %s", err);
	t->w.digest = sim_workload_digest(&t->w);
	ck_assert_msg(sim_replay(&t->w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "the verified replay should succeed: %s", err);
	ck_assert_msg(st->locks_held_at_end == 0, "no lock should be held at the end");
	return st;
}

static struct sim_stats *tiny_run(struct tiny *t, const char *settings)
{
	return tiny_run_on(t, settings, 4, 1, false);
}

static uint64_t cnt(const struct sim_stats *st, enum sim_counter c)
{
	return sim_stats_counter_total(st, c);
}

static struct sim_lock_stat lock_tot(const struct sim_stats *st, enum sim_lock_class c)
{
	struct sim_lock_stat l;

	sim_stats_lock_total(st, c, &l);
	return l;
}

static int64_t gauge(struct sim_stats *st, enum sim_gauge_id g)
{
	return sim_stats_gauge(st, st->ncaches)[g].cur;
}

START_TEST(test_wilcox_two_refills_for_16)
{
	struct tiny t;
	struct sim_stats *st;

	tiny_init(&t);
	for (uint32_t i = 0; i < 16; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	st = tiny_run(&t, "size=15,batch=8");
	/* allocations 1 and 9 find the array empty and refill 8; the other 14 pop */
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_cpu_cache), 16);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_refill), 2 * 8);	/* objects, as the RFC counts */
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_flush), 0);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_alloc_bypass), 0);
	/* array lock: 2 refilling allocations x 3 + 14 x 1 = 20, never failed */
	ck_assert_uint_eq(lock_tot(st, SIM_LOCK_cpu_lock).acquired, 2 * 3 + 14);
	ck_assert_uint_eq(lock_tot(st, SIM_LOCK_cpu_lock).try_fail, 0);
	/*
	 * Cold cache: the first bulk refill's first object goes through
	 * ___slab_alloc() (no cpu slab, racy nr_partial check sees 0: no
	 * list_lock) and gets a new slab of 16; its other 7 and the second
	 * refill's 8 come off the cpu freelist.  So one slab, one slow path,
	 * no list_lock, and nothing left cached anywhere.
	 */
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slab), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slowpath), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_fastpath), 0);	/* the bulk path does not count it */
	ck_assert_uint_eq(lock_tot(st, SIM_LOCK_list_lock).acquired, 0);
	ck_assert_int_eq(gauge(st, SIM_GAUGE_cached_objs), 0);
	/* one array of 16 + 8 * 15 = 136 bytes for each of the 4 cpus */
	ck_assert_int_eq(gauge(st, SIM_GAUGE_meta_bytes), 4 * 136);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_flush_moves_batch_once_per_slab)
{
	static const uint32_t mixed[] = { 7, 16, 8, 17, 9, 18, 10, 19 };
	struct tiny t;
	struct sim_stats *st;

	/*
	 * 32 allocations on cpu 0 with size=15, batch=8: four refills; oids
	 * 0-15 come from slab A, 16-31 from slab B (the third refill finds A
	 * exhausted: deactivate_bypass, new slab B, which stays the cpu slab
	 * with an empty cpu freelist).  Then cpu 0 frees 0-6 (A), then
	 * 7,16,8,17,9,18,10,19 (A and B alternating): the array is full (15).
	 * Freeing 11 flushes the top 8, the last 8 freed: 4 of A and 4 of B.
	 */
	tiny_init(&t);
	for (uint32_t i = 0; i < 32; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	for (uint32_t i = 0; i < 7; i++)
		tiny_op(&t, 0, SIM_EV_FREE, i);
	for (unsigned i = 0; i < SIM_ARRAY_SIZE(mixed); i++)
		tiny_op(&t, 0, SIM_EV_FREE, mixed[i]);
	tiny_op(&t, 0, SIM_EV_FREE, 11);
	st = tiny_run(&t, "size=15,batch=8");
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_refill), 4 * 8);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_cpu_cache), 16);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_flush), 8);
	/*
	 * kmem_cache_free_bulk() of 8 objects from 2 slabs: two detached
	 * freelists, each freed with one update.  B is the cpu slab:
	 * free_fastpath.  A is full and on no list: __slab_free() freezes it
	 * onto cpu 0's partial list (free_slowpath, cpu_partial_free).  Eight
	 * single frees would have counted 8.
	 */
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_fastpath), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_slowpath), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_partial_free), 1);
	ck_assert_uint_eq(lock_tot(st, SIM_LOCK_list_lock).acquired, 0);
	/* array lock: allocations 4 x 3 + 28, frees 15 + 3 */
	ck_assert_uint_eq(lock_tot(st, SIM_LOCK_cpu_lock).acquired, 4 * 3 + 28 + 15 + 3);
	/* cached: 8 in the array (7 left after the flush, then 11), 4 on B's cpu
	 * freelist, 4 free on the frozen slab A */
	ck_assert_int_eq(gauge(st, SIM_GAUGE_cached_objs), 8 + 4 + 4);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

/* cpu 0 on a 4-cpu, 2-node machine (cpus 0-1 node 0, 2-3 node 1). */
static void node_request_trace(struct tiny *t, bool final_refill)
{
	uint32_t oid = 0;

	/* refill 8: new slab A (node 0), 8 left on the cpu freelist */
	tiny_op(t, 0, SIM_EV_ALLOC, oid++);
	/* node 1: bypass; A deactivated onto node 0's partial list */
	tiny_ev(t, 0, SIM_EV_ALLOC, oid++, SIM_CTX_TASK, 1);
	for (unsigned i = 0; i < 7; i++)
		tiny_op(t, 0, SIM_EV_ALLOC, oid++);		/* the array's other 7 */
	for (unsigned i = 0; i < PER_SLAB - 1; i++)
		tiny_ev(t, 0, SIM_EV_ALLOC, oid++, SIM_CTX_TASK, 1);	/* node 1: empty new slab B's cpu freelist */
	if (final_refill)
		tiny_op(t, 0, SIM_EV_ALLOC, oid++);		/* refill: B exhausted, A from node 0's partial list */
}

START_TEST(test_refill_takes_list_lock_for_a_partial_slab)
{
	struct tiny t;
	struct sim_stats *st;

	/*
	 * The allocation that names node 1 bypasses the array (the RFC's
	 * kmem_cache_alloc_node() rule); SLUB's cpu slab A is on node 0, so
	 * ___slab_alloc() deactivates it (alloc_node_mismatch): A still has 8
	 * free objects, so it goes onto node 0's partial list under list_lock
	 * (1), and a new slab B on node 1 becomes the cpu slab.  15 more node-1
	 * allocations empty B.  Without the last allocation: list_lock 1.
	 */
	tiny_init(&t);
	node_request_trace(&t, false);
	st = tiny_run_on(&t, "size=15,batch=8", 4, 2, false);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_node_mismatch), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_alloc_bypass), PER_SLAB);
	ck_assert_uint_eq(lock_tot(st, SIM_LOCK_list_lock).acquired, 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_from_partial), 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);

	/*
	 * With it: the array is empty, the bulk refill finds B's freelist
	 * empty (deactivate_bypass), no cpu partial slab, and get_partial()
	 * takes A off node 0's list under list_lock (2): alloc_from_partial.
	 * A's 8 free objects are exactly the refill.
	 */
	tiny_init(&t);
	node_request_trace(&t, true);
	st = tiny_run_on(&t, "size=15,batch=8", 4, 2, false);
	ck_assert_uint_eq(lock_tot(st, SIM_LOCK_list_lock).acquired, 2);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_from_partial), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_refill), 2 * 8);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slab), 2);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_refill_2007_after_remote_frees)
{
	struct tiny t;
	struct sim_stats *st;

	/*
	 * Over the 2007 SLUB (cpu_partial=0, min_partial=0).  cpu 0 takes 24
	 * objects in three refills: oids 0-15 fill slab A, which is
	 * deactivated full (on no list), 16-23 come from slab B, its cpu slab.
	 * cpu 1 frees A's 16: the first 15 fill cpu 1's array and never reach
	 * A; the 16th flushes the top 8 to A one at a time (the 2007 patch had
	 * no bulk interface): the first of them finds A full and puts it on
	 * node 0's partial list (free_add_partial, list_lock 1).  cpu 0 then
	 * allocates 16: the first refill takes B's last 8 from the cpu slab;
	 * the second finds B exhausted, deactivates it, and get_partial() takes
	 * A under list_lock (2): alloc_from_partial, A's 8 free objects.
	 * Refills: 3 + 2 of 8.
	 */
	tiny_init(&t);
	for (uint32_t i = 0; i < 24; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	for (uint32_t i = 0; i < PER_SLAB; i++)
		tiny_op(&t, 1, SIM_EV_FREE, i);
	for (uint32_t i = 0; i < 16; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, 100 + i);
	st = tiny_run(&t, "size=15,batch=8,slub=2007");
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_flush), 8);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_add_partial), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_from_partial), 1);
	ck_assert_uint_eq(lock_tot(st, SIM_LOCK_list_lock).acquired, 2);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_refill), 5 * 8);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

/* A machine, the policy and two operations of cpu 0 that overlap in time. */
START_TEST(test_trylock_failure_bypasses)
{
	const struct sim_policy_ops *ops = policy_find("pcarray");
	struct sim_machine_config mc;
	struct sim_param_values pv;
	struct sim_lock_stat l;
	struct machine *m;
	struct sim_op task, irq, later;
	sim_addr_t a, b;
	struct tiny t;
	char err[256], why[256] = "";
	void *pol;

	tiny_init(&t);
	sim_machine_config_defaults(&mc);
	m = machine_create(&mc, &t.w);
	policy_params_default(ops, &pv);
	ck_assert_int_eq(policy_params_apply(ops, &pv, "size=15,batch=8", err, sizeof(err)), 0);
	pol = ops->create(m, &pv);
	ck_assert_ptr_nonnull(pol);

	/* a task-context allocation refills and pops; its last act releases the array lock */
	machine_op_begin(m, &task, 0, t.cache, 0);
	a = ops->alloc(pol, &task);
	ck_assert_uint_ne(a, 0);
	/*
	 * A hardirq on cpu 0 that arrives 16 cycles before that release,
	 * inside the last hold (trylock's atomic, the pop, the release write:
	 * about 40 cycles on cache hits): it reads s->cpu_array (a hit, 4) and
	 * its trylock finds the lock not yet released.  SLUB serves it.
	 */
	machine_op_begin(m, &irq, 0, t.cache, task.now - 16);
	irq.ctx = SIM_CTX_HARDIRQ;
	b = ops->alloc(pol, &irq);
	ck_assert_uint_ne(b, 0);
	ck_assert_uint_ne(a, b);
	/* and its free of b, still inside the hold time: bypass again */
	machine_op_begin(m, &irq, 0, t.cache, task.now - 16);
	irq.ctx = SIM_CTX_HARDIRQ;
	ops->free(pol, &irq, b);
	sim_stats_lock_total(m->stats, SIM_LOCK_cpu_lock, &l);
	ck_assert_uint_eq(l.try_fail, 2);
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_cpu_cache_alloc_bypass), 1);
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_cpu_cache_free_bypass), 1);
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_alloc_cpu_cache), 1);
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_free_cpu_cache), 0);

	/* once the lock is free, a hardirq free goes into the array (it has room) */
	machine_op_begin(m, &later, 0, t.cache, task.now + 1000);
	later.ctx = SIM_CTX_HARDIRQ;
	ops->free(pol, &later, a);
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_free_cpu_cache), 1);
	sim_stats_lock_total(m->stats, SIM_LOCK_cpu_lock, &l);
	ck_assert_uint_eq(l.try_fail, 2);
	ck_assert_uint_eq(m->locks_held, 0);
	ck_assert_msg(ops->is_valid(pol, why, sizeof(why)), "the policy should be consistent: %s", why);
	ops->destroy(pol);
	machine_destroy(m);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_irq_context_no_refill_no_flush)
{
	struct tiny t;
	struct sim_stats *st;

	/*
	 * size=4, batch=2 on cpu 0.  Allocations in hardirq and softirq
	 * context find the array empty and may not refill (in_irq(), and gfp
	 * flags that cannot block): 2 bypasses.  Six task allocations: three
	 * refills of 2.  Four task frees fill the array.  A hardirq free finds
	 * it full and may not flush: bypass.  A softirq free may: flush 2,
	 * push.  Two more task frees: push (4), then flush 2 and push (3).
	 */
	tiny_init(&t);
	tiny_ev(&t, 0, SIM_EV_ALLOC, 0, SIM_CTX_HARDIRQ, SIM_NO_NODE);
	tiny_ev(&t, 0, SIM_EV_ALLOC, 1, SIM_CTX_SOFTIRQ, SIM_NO_NODE);
	for (uint32_t i = 2; i < 8; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	for (uint32_t i = 2; i < 6; i++)
		tiny_op(&t, 0, SIM_EV_FREE, i);
	tiny_ev(&t, 0, SIM_EV_FREE, 6, SIM_CTX_HARDIRQ, SIM_NO_NODE);
	tiny_ev(&t, 0, SIM_EV_FREE, 7, SIM_CTX_SOFTIRQ, SIM_NO_NODE);
	tiny_op(&t, 0, SIM_EV_FREE, 0);
	tiny_op(&t, 0, SIM_EV_FREE, 1);
	st = tiny_run(&t, "size=4,batch=2");
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_alloc_bypass), 2);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_cpu_cache), 6);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_refill), 6);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_free_bypass), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_cpu_cache), 7);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_flush), 4);
	/* nothing was contended on one cpu: no trylock failed */
	ck_assert_uint_eq(lock_tot(st, SIM_LOCK_cpu_lock).try_fail, 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_remote_node_free_is_cached)
{
	struct tiny t;
	struct sim_stats *st;

	/*
	 * cpu 0 (node 0) allocates; cpu 2 (node 1) frees the object into its
	 * own array (the RFC does not distinguish NUMA locality) and then
	 * allocates it back from there, without a refill of its own.
	 */
	tiny_init(&t);
	tiny_op(&t, 0, SIM_EV_ALLOC, 0);
	tiny_op(&t, 2, SIM_EV_FREE, 0);
	tiny_op(&t, 2, SIM_EV_ALLOC, 1);
	st = tiny_run_on(&t, "size=15,batch=8", 4, 2, false);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_cpu_cache), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_cpu_cache), 2);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_refill), 8);	/* cpu 0's only */
	ck_assert_uint_eq(sim_stats_lock_cpu(st, 2, SIM_LOCK_cpu_lock)->acquired, 2);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_batch_auto_is_half)
{
	struct tiny t;
	struct sim_stats *st;

	/* size 32, batch auto: one refill of 16 serves 16 allocations (Babka's count / 2) */
	tiny_init(&t);
	for (uint32_t i = 0; i < 17; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	st = tiny_run(&t, "size=32");
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_refill), 2 * 16);
	/* 4 cpus x (16 + 8 * 32) bytes */
	ck_assert_int_eq(gauge(st, SIM_GAUGE_meta_bytes), 4 * 272);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);

	/* batch=0 is auto too; a batch above size is cut to size */
	tiny_init(&t);
	for (uint32_t i = 0; i < 3; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	st = tiny_run(&t, "size=2,batch=9");
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_refill), 2 + 2);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_drain_empties_arrays)
{
	struct tiny t;
	struct sim_stats *st;

	tiny_init(&t);
	for (uint32_t i = 0; i < 20; i++)
		tiny_op(&t, i % 4, SIM_EV_ALLOC, i);
	for (uint32_t i = 0; i < 20; i++)
		tiny_op(&t, (i + 1) % 4, SIM_EV_FREE, i);
	st = tiny_run_on(&t, "size=15,batch=8", 4, 1, true);
	/* every object that entered an array left it: by an allocation or a flush (the drain's) */
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_cache_refill) + cnt(st, SIM_CNT_free_cpu_cache),
			  cnt(st, SIM_CNT_alloc_cpu_cache) + cnt(st, SIM_CNT_cpu_cache_flush));
	/* nothing cached in the arrays nor on SLUB's cpu slabs, and every object was freed */
	ck_assert_int_eq(gauge(st, SIM_GAUGE_cached_objs), 0);
	ck_assert_int_eq(gauge(st, SIM_GAUGE_live_objs), 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

/* --- a real trace ------------------------------------------------------- */

struct variant {
	const char *settings;	/* pcarray settings (the suggested presets' among them) */
	unsigned cpus, nodes;
	enum sim_timing timing;
};

static const struct variant variants[] = {
	{ "", 4, 1, SIM_TIMING_TRACE },
	{ "", 4, 1, SIM_TIMING_CLOSED },
	{ "", 16, 2, SIM_TIMING_CLOSED },
	{ "size=15,batch=8", 4, 1, SIM_TIMING_TRACE },		/* wilcox-array */
	{ "size=15,batch=8", 16, 2, SIM_TIMING_CLOSED },
	{ "size=32,batch=auto", 4, 1, SIM_TIMING_TRACE },	/* babka-array */
	{ "size=32,batch=auto", 16, 2, SIM_TIMING_CLOSED },
	{ "size=15,batch=8,slub=2007", 4, 1, SIM_TIMING_TRACE },
	{ "size=15,batch=8,slub=2007", 16, 2, SIM_TIMING_CLOSED },
	{ "slub=nopartial", 16, 2, SIM_TIMING_CLOSED },
};

#define HEAD_TRACE "traces/samples/fork_exec-head.trace.xz"


/* The relations of check_invariants.c, and the array's own. */
static void check_books(struct sim_stats *st, const char *what, bool drained)
{
	const struct sim_gauge *tot = sim_stats_gauge(st, st->ncaches);
	uint64_t in = cnt(st, SIM_CNT_cpu_cache_refill) + cnt(st, SIM_CNT_free_cpu_cache);
	uint64_t out = cnt(st, SIM_CNT_alloc_cpu_cache) + cnt(st, SIM_CNT_cpu_cache_flush);

	ck_assert_msg((uint64_t)tot[SIM_GAUGE_live_objs].cur == st->outstanding_allocs,
		      "%s: live objects should equal the outstanding allocations", what);
	ck_assert_msg((uint64_t)tot[SIM_GAUGE_live_bytes].cur == st->outstanding_bytes,
		      "%s: live bytes should equal the outstanding allocations' bytes", what);
	ck_assert_msg((uint64_t)(tot[SIM_GAUGE_slab_bytes].cur + tot[SIM_GAUGE_large_bytes].cur) == st->page_bytes_used,
		      "%s: slab and large-kmalloc bytes should equal the bytes of pages in use", what);
	ck_assert_msg(st->locks_held_at_end == 0, "%s: every lock should be released at the end", what);
	ck_assert_msg(cnt(st, SIM_CNT_alloc) + cnt(st, SIM_CNT_free) + cnt(st, SIM_CNT_alloc_failed) ==
		      st->events_replayed, "%s: every replayed event should be one alloc, free or failed alloc", what);
	/* the large kmallocs never reach the policy */
	ck_assert_msg(cnt(st, SIM_CNT_alloc) - cnt(st, SIM_CNT_kmalloc_large) ==
		      cnt(st, SIM_CNT_alloc_cpu_cache) + cnt(st, SIM_CNT_cpu_cache_alloc_bypass),
		      "%s: every allocation should come from the array or bypass it", what);
	ck_assert_msg(cnt(st, SIM_CNT_free) - cnt(st, SIM_CNT_kfree_large) ==
		      cnt(st, SIM_CNT_free_cpu_cache) + cnt(st, SIM_CNT_cpu_cache_free_bypass),
		      "%s: every free should go to the array or bypass it", what);
	ck_assert_msg(in >= out, "%s: no more objects should leave the arrays than entered", what);
	if (drained) {
		ck_assert_msg(in == out, "%s: after a drain every object should have left the arrays", what);
		ck_assert_msg(tot[SIM_GAUGE_cached_objs].cur == 0, "%s: after a drain nothing should be cached", what);
	} else {
		ck_assert_msg(tot[SIM_GAUGE_cached_objs].cur >= (int64_t)(in - out),
			      "%s: the cached gauge should include the objects parked in arrays", what);
	}
}

START_TEST(test_real_trace_books_balance)
{
	const struct variant *v = &variants[_i];
	const struct sim_workload *w = tutil_sample(HEAD_TRACE);
	const struct sim_policy_ops *ops = policy_find("pcarray");
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	char err[512], what[256];

	snprintf(what, sizeof(what), "pcarray %s on fork_exec-head, %u cpus, %u nodes", v->settings, v->cpus, v->nodes);
	policy_params_default(ops, &pv);
	ck_assert_int_eq(policy_params_apply(ops, &pv, v->settings, err, sizeof(err)), 0);
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	cfg.mach.ncpus = v->cpus;
	cfg.mach.nnodes = v->nodes;
	cfg.mach.timing = v->timing;
	ck_assert_msg(sim_replay(w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "%s: the verified replay should succeed: %s", what, err);
	check_books(st, what, false);
	ck_assert_msg(cnt(st, SIM_CNT_alloc_cpu_cache) > 0 && cnt(st, SIM_CNT_cpu_cache_refill) > 0,
		      "%s: the arrays should be used", what);
	sim_stats_destroy(st);

	o.drain_at_end = true;
	ck_assert_msg(sim_replay(w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "%s: the drained replay should succeed: %s", what, err);
	check_books(st, what, true);
	sim_stats_destroy(st);
}
END_TEST

START_TEST(test_suggested_presets)
{
	/* the presets this policy comes with, if registered, resolve as documented */
	static const struct { const char *preset, *size, *batch; } want[] = {
		{ "wilcox-array", "size=15", "batch=8" },
		{ "babka-array", "size=32", "batch=auto" },
	};

	for (unsigned i = 0; i < SIM_ARRAY_SIZE(want); i++) {
		const struct policy_preset *p = policy_preset_find(want[i].preset);

		if (!p)
			continue;
		ck_assert_str_eq(p->policy, "pcarray");
		ck_assert_msg(strstr(p->settings, want[i].size) && strstr(p->settings, want[i].batch),
			      "preset %s should set %s and %s", want[i].preset, want[i].size, want[i].batch);
	}
}
END_TEST

Suite *pcarray_suite(void)
{
	Suite *s = suite_create("pcarray");
	TCase *tc = tcase_create("tiny traces");
	TCase *real = tcase_create("real trace");

	tcase_add_test(tc, test_wilcox_two_refills_for_16);
	tcase_add_test(tc, test_flush_moves_batch_once_per_slab);
	tcase_add_test(tc, test_refill_takes_list_lock_for_a_partial_slab);
	tcase_add_test(tc, test_refill_2007_after_remote_frees);
	tcase_add_test(tc, test_trylock_failure_bypasses);
	tcase_add_test(tc, test_irq_context_no_refill_no_flush);
	tcase_add_test(tc, test_remote_node_free_is_cached);
	tcase_add_test(tc, test_batch_auto_is_half);
	tcase_add_test(tc, test_drain_empties_arrays);
	tcase_add_test(tc, test_suggested_presets);
	suite_add_tcase(s, tc);

	tcase_set_timeout(real, 600);
	tcase_add_unchecked_fixture(real, NULL, tutil_samples_release);
	tcase_add_loop_test(real, test_real_trace_books_balance, 0, (int)SIM_ARRAY_SIZE(variants));
	suite_add_tcase(s, real);
	return s;
}
