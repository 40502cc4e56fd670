/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_objpool.c - the objpool policy on tiny traces and direct calls,
 * with exact expected counters, accesses, locks and memory, in both
 * implementations (impl=freelist and impl=ring), and on a real trace with
 * verification.
 *
 * The cache in the tiny traces has 256-byte objects.  A ring element is
 * 256 bytes (the size aligned to 8): 16 to an order-0 page.  A freelist
 * element carries its 16-byte struct freelist_node: 272 bytes, 15 to a
 * page (4096 / 272 = 15.06).  A pool of nobjs objects on n cpus puts
 * nobjs / n on each cpu's slot (one more on the first nobjs % n).
 *
 * Loop tests run once per implementation: _i is the impl choice index
 * (0 freelist, 1 ring).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/registry.h"
#include "sim/replay.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/load.h"

#define OBJ_SIZE 256

static const char *const impl_name[] = { "freelist", "ring" };

static const struct sim_policy_ops *objpool_ops(void)
{
	const struct sim_policy_ops *ops = policy_find("objpool");

	ck_assert_msg(ops != NULL, "objpool should be registered");
	return ops;
}

static void objpool_params(struct sim_param_values *pv, const char *impl, const char *settings)
{
	const struct sim_policy_ops *ops = objpool_ops();
	char buf[256], err[256];

	policy_params_default(ops, pv);
	snprintf(buf, sizeof(buf), "impl=%s%s%s", impl, *settings ? "," : "", settings);
	ck_assert_msg(policy_params_apply(ops, pv, buf, err, sizeof(err)) == 0, "settings %s should apply: %s", buf, err);
}

/* --- tiny traces, replayed ------------------------------------------------ */

static void tiny_init(struct tiny *t)
{
	/* 1 ms apart: longer than any operation, even a pool's creation */
	tutil_tiny_init(t, OBJ_SIZE, 1000000);
}

static void tiny_op(struct tiny *t, unsigned cpu, enum sim_ev_op op, uint32_t oid)
{
	tutil_tiny_event(t, cpu, op, oid, SIM_CTX_TASK, SIM_NO_NODE);
}

static void tiny_config(struct sim_run_config *cfg, unsigned cpus, unsigned nodes, enum sim_timing timing)
{
	memset(cfg, 0, sizeof(*cfg));
	sim_machine_config_defaults(&cfg->mach);
	cfg->mach.ncpus = cpus;
	cfg->mach.nnodes = nodes;
	cfg->mach.timing = timing;
}

static struct sim_stats *tiny_run_cfg(struct tiny *t, const struct sim_run_config *cfg,
				      const char *impl, const char *settings)
{
	struct sim_param_values pv;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	char err[256];

	objpool_params(&pv, impl, settings);
	t->w.digest = sim_workload_digest(&t->w);
	ck_assert_msg(sim_replay(&t->w, cfg, objpool_ops(), &pv, &o, &st, err, sizeof(err)) == 0,
		      "the verified replay should succeed: %s", err);
	return st;
}

static struct sim_stats *tiny_run(struct tiny *t, unsigned cpus, const char *impl, const char *settings)
{
	struct sim_run_config cfg;

	tiny_config(&cfg, cpus, 1, SIM_TIMING_TRACE);
	return tiny_run_cfg(t, &cfg, impl, settings);
}

static uint64_t cnt(const struct sim_stats *st, enum sim_counter c)
{
	return sim_stats_counter_total(st, c);
}

static uint64_t cnt_cpu(struct sim_stats *st, unsigned cpu, enum sim_counter c)
{
	return sim_stats_counter_cpu(st, cpu)[c];
}

static uint64_t lock_acq(const struct sim_stats *st, enum sim_lock_class c)
{
	struct sim_lock_stat l;

	sim_stats_lock_total(st, c, &l);
	return l.acquired;
}

static int64_t gauge_total(struct sim_stats *st, enum sim_gauge_id g)
{
	return sim_stats_gauge(st, st->ncaches)[g].cur;
}

/* Every lock class but the page allocator's: objpool has none of its own. */
static void assert_no_allocator_lock(const struct sim_stats *st, const char *what)
{
	for (unsigned c = 0; c < SIM_LOCK_CLASS_COUNT; c++) {
		if (c == SIM_LOCK_pcp_lock || c == SIM_LOCK_zone_lock)
			continue;
		ck_assert_msg(lock_acq(st, (enum sim_lock_class)c) == 0,
			      "%s: objpool should never take a %s", what, sim_lock_class_name[c]);
	}
}

/* --- direct calls: one operation at a time, addresses visible ------------- */

struct direct {
	struct sim_workload w;
	uint32_t cache;
	struct machine *m;
	const struct sim_policy_ops *ops;
	void *pol;
	sim_cycles_t t;		/* start of the next operation */
	struct sim_op op;	/* the last operation */
};

static void direct_init(struct direct *d, unsigned cpus, unsigned nodes, const char *impl, const char *settings)
{
	struct sim_machine_config mc;
	struct sim_param_values pv;

	sim_workload_init(&d->w);
	d->cache = sim_workload_cache(&d->w, "test_cache", OBJ_SIZE, 0);
	sim_machine_config_defaults(&mc);
	mc.ncpus = cpus;
	mc.nnodes = nodes;
	d->m = machine_create(&mc, &d->w);
	d->ops = objpool_ops();
	objpool_params(&pv, impl, settings);
	d->pol = d->ops->create(d->m, &pv);
	ck_assert_ptr_nonnull(d->pol);
	d->t = 1000;
}

static void direct_fini(struct direct *d)
{
	char why[256] = "";

	ck_assert_msg(d->ops->is_valid(d->pol, why, sizeof(why)), "the pool should be consistent: %s", why);
	ck_assert_msg(d->m->locks_held == 0, "no lock should be held between operations");
	d->ops->destroy(d->pol);
	machine_destroy(d->m);
	sim_workload_fini(&d->w);
}

/* Starts an operation 1,000,000 cycles after the previous one started: no overlap. */
static struct sim_op *direct_begin(struct direct *d, unsigned cpu)
{
	machine_op_begin(d->m, &d->op, cpu, d->cache, d->t);
	d->t += 1000000;
	return &d->op;
}

static sim_addr_t direct_alloc(struct direct *d, unsigned cpu)
{
	return d->ops->alloc(d->pol, direct_begin(d, cpu));
}

static void direct_free(struct direct *d, unsigned cpu, sim_addr_t obj)
{
	d->ops->free(d->pol, direct_begin(d, cpu), obj);
}

static uint64_t dcnt_cpu(const struct direct *d, unsigned cpu, enum sim_counter c)
{
	return sim_stats_counter_cpu(d->m->stats, cpu)[c];
}

/* ========================================================================== */

START_TEST(test_params)
{
	const struct sim_policy_ops *ops = objpool_ops();
	struct sim_param_values pv;
	char err[256], why[256] = "";

	ck_assert_msg(policy_registry_is_valid(why, sizeof(why)), "the registry should be valid: %s", why);
	policy_params_default(ops, &pv);
	ck_assert_int_eq(pv.v[policy_param_index(ops, "nobjs")], 1024);
	ck_assert_str_eq(ops->params[policy_param_index(ops, "impl")].choices[pv.v[policy_param_index(ops, "impl")]], "ring");
	ck_assert_str_eq(ops->params[policy_param_index(ops, "on_empty")].choices[pv.v[policy_param_index(ops, "on_empty")]],
			 "fallback");
	ck_assert_int_eq(policy_param_set(ops, &pv, "impl=freelist", err, sizeof(err)), 0);
	ck_assert_int_eq(policy_param_set(ops, &pv, "on_empty=fail", err, sizeof(err)), 0);
	ck_assert_int_eq(policy_param_set(ops, &pv, "nobjs=0", err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(policy_param_set(ops, &pv, "nobjs=1048577", err, sizeof(err)), -ERANGE);
	ck_assert_int_eq(policy_param_set(ops, &pv, "impl=stack", err, sizeof(err)), -EINVAL);
	ck_assert_msg(ops->timer == NULL && ops->drain && ops->is_valid, "objpool has no periodic work, a drain and a checker");
}
END_TEST

/*
 * cpu c allocates 4 objects (the pool of 64 has 16 per slot: all local),
 * cpu (c+1)%4 frees them (pushes to its own slot), then cpu 0 takes all 64
 * objects of the pool and one more, which fails.
 */
static void churn_trace(struct tiny *t)
{
	uint32_t oid = 0;

	for (unsigned c = 0; c < 4; c++) {
		for (unsigned i = 0; i < 4; i++)
			tiny_op(t, c, SIM_EV_ALLOC, oid + i);
		for (unsigned i = 0; i < 4; i++)
			tiny_op(t, (c + 1) % 4, SIM_EV_FREE, oid + i);
		oid += 4;
	}
	for (unsigned i = 0; i < 65; i++)
		tiny_op(t, 0, SIM_EV_ALLOC, oid + i);
	for (unsigned i = 0; i < 65; i++)
		tiny_op(t, 1 + i % 3, SIM_EV_FREE, oid + i);
}

START_TEST(test_never_takes_a_lock)
{
	const char *impl = impl_name[_i];
	struct tiny one, churn;
	struct sim_stats *a, *b;

	tiny_init(&one);
	tiny_op(&one, 0, SIM_EV_ALLOC, 0);
	tiny_init(&churn);
	churn_trace(&churn);
	a = tiny_run(&one, 4, impl, "nobjs=64,on_empty=fail");
	b = tiny_run(&churn, 4, impl, "nobjs=64,on_empty=fail");
	assert_no_allocator_lock(a, impl);
	assert_no_allocator_lock(b, impl);
	/*
	 * The only locks are the page allocator's, while the first allocation
	 * (cpu 0) creates the pool: one pcp_lock per order-0 block, all through
	 * cpu 0's pcp list of node 0, whose first use refills it (63 pages)
	 * under the zone lock once.
	 * ring: 16 elements of 256 B per slot fill 1 page: 4 pcp_lock, 1 zone_lock.
	 * freelist: 16 elements of 272 B per slot: a page of 15 and a page
	 * for the last one: 8 pcp_lock, 1 zone_lock.
	 */
	ck_assert_uint_eq(lock_acq(a, SIM_LOCK_pcp_lock), _i == 1 ? 4 : 8);
	ck_assert_uint_eq(lock_acq(a, SIM_LOCK_zone_lock), 1);
	ck_assert_msg(lock_acq(b, SIM_LOCK_pcp_lock) == lock_acq(a, SIM_LOCK_pcp_lock) &&
		      lock_acq(b, SIM_LOCK_zone_lock) == lock_acq(a, SIM_LOCK_zone_lock),
		      "%s: after its creation the pool should never take a lock, whatever the trace does", impl);
	/* the churn: 16 + 64 pops, 1 failure, 16 + 64 pushes (the failed one's free is skipped) */
	ck_assert_uint_eq(cnt(b, SIM_CNT_objpool_pop), 80);
	ck_assert_uint_eq(cnt(b, SIM_CNT_objpool_push), 80);
	ck_assert_uint_eq(cnt(b, SIM_CNT_objpool_empty), 1);
	ck_assert_uint_eq(cnt(b, SIM_CNT_alloc_failed), 1);
	ck_assert_uint_eq(cnt(b, SIM_CNT_page_alloc), cnt(a, SIM_CNT_page_alloc));
	sim_stats_destroy(a);
	sim_stats_destroy(b);
	sim_workload_fini(&one.w);
	sim_workload_fini(&churn.w);
}
END_TEST

START_TEST(test_memory_constant)
{
	const char *impl = impl_name[_i];
	/*
	 * nobjs=64 on 4 cpus: 16 per slot.  ring: 1 page per slot, 4 pages =
	 * 16384 B; slots 16 + 8 * 64 (capacity roundup_pow_of_two(64)) = 528 B
	 * each and cpu_slots[] 8 B per cpu: 4 * 528 + 32 = 2144 B of metadata.
	 * freelist: 2 pages per slot, 8 pages = 32768 B; fs_head 8 B and
	 * fh_slots[]/fh_sz_slots[] 12 B per cpu: 80 B.
	 */
	const int64_t slab = _i == 1 ? 16384 : 32768, meta = _i == 1 ? 2144 : 80;
	struct sim_run_config cfg;
	struct tiny t;
	struct sim_stats *st;
	struct sim_mem_sample *rows;
	size_t after = 0, nrows;

	tiny_init(&t);
	churn_trace(&t);
	tiny_config(&cfg, 4, 1, SIM_TIMING_TRACE);
	cfg.mach.sample_ns = 100000;	/* 10 samples between two events 1 ms apart */
	st = tiny_run_cfg(&t, &cfg, impl, "nobjs=64,on_empty=fail");
	rows = sim_stats_series_expand(st, &nrows);
	for (size_t i = 0; i < nrows; i++) {
		const struct sim_mem_sample *s = &rows[i];

		if (s->cache != -1)
			continue;
		if (s->t_ns < 1000) {	/* before the first allocation: nothing */
			ck_assert_int_eq(s->g[SIM_GAUGE_slab_bytes], 0);
			continue;
		}
		after++;
		ck_assert_msg(s->g[SIM_GAUGE_slab_bytes] == slab && s->g[SIM_GAUGE_meta_bytes] == meta,
			      "%s: slab bytes (%lld) and metadata (%lld) should stay %lld and %lld from the first allocation on",
			      impl, (long long)s->g[SIM_GAUGE_slab_bytes], (long long)s->g[SIM_GAUGE_meta_bytes],
			      (long long)slab, (long long)meta);
	}
	/* 162 events 1 ms apart sampled every 0.1 ms: over 1,600 samples */
	ck_assert_uint_gt(after, 1000);
	ck_assert_int_eq(sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_slab_bytes].peak, slab);
	ck_assert_int_eq(gauge_total(st, SIM_GAUGE_slab_bytes), slab);
	ck_assert_int_eq(gauge_total(st, SIM_GAUGE_slabs), slab / 4096);
	/* every object is back: the whole pool is cached */
	ck_assert_int_eq(gauge_total(st, SIM_GAUGE_cached_objs), 64);
	ck_assert_int_eq(sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_cached_objs].peak, 64);
	free(rows);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_pop_local_then_next_cpus)
{
	struct direct d;
	sim_addr_t a, b, c;

	/* 4 cpus on 2 nodes (cpus 0-1 node 0, 2-3 node 1), one object per slot, on its cpu's node */
	direct_init(&d, 4, 2, impl_name[_i], "nobjs=4,on_empty=fail");
	a = direct_alloc(&d, 2);
	ck_assert_uint_eq(dcnt_cpu(&d, 2, SIM_CNT_objpool_pop), 1);
	ck_assert_msg(dcnt_cpu(&d, 2, SIM_CNT_objpool_pop_remote) == 0, "the first pop should take the local slot's object");
	ck_assert_uint_eq(sim_addr_node(a), 1);
	/* slot 2 empty: the walk goes on to cpu 3 (node 1), then wraps to cpu 0 (node 0) */
	b = direct_alloc(&d, 2);
	ck_assert_uint_eq(dcnt_cpu(&d, 2, SIM_CNT_objpool_pop_remote), 1);
	ck_assert_uint_eq(sim_addr_node(b), 1);
	c = direct_alloc(&d, 2);
	ck_assert_uint_eq(dcnt_cpu(&d, 2, SIM_CNT_objpool_pop_remote), 2);
	ck_assert_uint_eq(sim_addr_node(c), 0);
	ck_assert_msg(a != b && b != c && a != c, "three pops should give three objects");
	/* cpu 3's and cpu 0's slots were taken, cpu 1's was not: cpu 1 pops locally */
	ck_assert_uint_ne(direct_alloc(&d, 1), 0);
	ck_assert_uint_eq(dcnt_cpu(&d, 1, SIM_CNT_objpool_pop_remote), 0);
	/* now every slot is empty */
	ck_assert_msg(direct_alloc(&d, 3) == 0, "with on_empty=fail an empty pool should fail the allocation");
	ck_assert_uint_eq(dcnt_cpu(&d, 3, SIM_CNT_objpool_empty), 1);
	direct_fini(&d);
}
END_TEST

START_TEST(test_push_to_freeing_cpu)
{
	struct direct d;
	sim_addr_t x, y, z, w;

	direct_init(&d, 4, 1, impl_name[_i], "nobjs=4,on_empty=fail");
	x = direct_alloc(&d, 0);		/* slot 0's object */
	y = direct_alloc(&d, 1);		/* slot 1's: slot 1 is empty now */
	ck_assert_uint_eq(sim_stats_counter_total(d.m->stats, SIM_CNT_objpool_pop_remote), 0);
	direct_free(&d, 1, x);			/* a remote free: goes to cpu 1's slot */
	ck_assert_uint_eq(dcnt_cpu(&d, 1, SIM_CNT_objpool_push), 1);
	z = direct_alloc(&d, 1);
	ck_assert_msg(z == x, "cpu 1's next pop should find the object it freed in its own slot");
	ck_assert_uint_eq(dcnt_cpu(&d, 1, SIM_CNT_objpool_pop_remote), 0);
	/* x did not go back to slot 0: cpu 0 finds slot 0 and slot 1 empty, takes slot 2's */
	w = direct_alloc(&d, 0);
	ck_assert_uint_eq(dcnt_cpu(&d, 0, SIM_CNT_objpool_pop_remote), 1);
	ck_assert_msg(w != x && w != y, "cpu 0 should get a third object");
	direct_free(&d, 2, y);
	direct_free(&d, 3, z);
	direct_free(&d, 3, w);
	direct_fini(&d);
}
END_TEST

static void exhaustion_trace(struct tiny *t)
{
	/* 5 allocations from a pool of 4 on cpu 0, then 5 frees on cpu 0 */
	for (uint32_t i = 0; i < 5; i++)
		tiny_op(t, 0, SIM_EV_ALLOC, i);
	for (uint32_t i = 0; i < 5; i++)
		tiny_op(t, 0, SIM_EV_FREE, i);
}

START_TEST(test_exhaustion_fails)
{
	struct tiny t;
	struct sim_stats *st;

	tiny_init(&t);
	exhaustion_trace(&t);
	st = tiny_run(&t, 4, impl_name[_i], "nobjs=4,on_empty=fail");
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc), 4);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_failed), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_empty), 1);
	/* the replay skips the free of the failed allocation */
	ck_assert_uint_eq(cnt(st, SIM_CNT_free), 4);
	ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_push), 4);
	/* one local pop, then cpus 1, 2, 3 */
	ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_pop_remote), 3);
	assert_no_allocator_lock(st, impl_name[_i]);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_exhaustion_falls_back_to_slub)
{
	struct tiny t;
	struct sim_stats *st;
	/* the pool: one element per slot, one order-0 page per slot: 4 pages; SLUB: one slab of order 0 */
	const int64_t pool_pages = 4, slub_pages = 1;

	tiny_init(&t);
	exhaustion_trace(&t);
	st = tiny_run(&t, 4, impl_name[_i], "nobjs=4,on_empty=fallback");
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc), 5);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_failed), 0);
	ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_empty), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_pop), 4);
	/* SLUB served the fifth: its first allocation, a new slab through the slow path */
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slab), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slowpath), 1);
	/* and took it back: a free to cpu 0's cpu slab, not a push into the pool */
	ck_assert_uint_eq(cnt(st, SIM_CNT_free), 5);
	ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_push), 4);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_fastpath), 1);
	ck_assert_int_eq(gauge_total(st, SIM_GAUGE_slab_bytes), (pool_pages + slub_pages) * 4096);
	/* cached: the pool's 4 and the 16 free objects of SLUB's cpu slab (256 B, order 0) */
	ck_assert_int_eq(gauge_total(st, SIM_GAUGE_cached_objs), 4 + 16);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_cas_retry_on_overlap)
{
	const char *impl = impl_name[_i];
	struct sim_run_config cfg;
	struct tiny t;
	struct sim_stats *st;

	/*
	 * nobjs=3 on 2 cpus: slot 0 holds 2 objects, slot 1 holds 1.  cpu 0
	 * allocates once, cpu 1 twice.  With --timing closed both cpus start
	 * at cycle 0, cpu 0 first (ties go by cpu number).  cpu 0's operation
	 * creates the pool: refilling its pcp list writes the struct pages of
	 * 63 fresh pages (at least 63 * 200 = 12,600 cycles) before slot 0's
	 * objects are written, and it pops slot 0 after both slots are filled.
	 * cpu 1's first pop takes its local object from lines it already
	 * holds (its slot was filled on its behalf): under 400 cycles with the
	 * workload's write of the object.  Its second operation starts then,
	 * finds slot 1 empty and pops slot 0, whose lines cpu 0 writes later
	 * in its own, still running, operation: they overlap.
	 *   ring: one cmpxchg, on slot 0's head line, which cpu 0's pop wrote: 1 retry.
	 *   freelist: the refs cmpxchg on the node, written by cpu 0 while
	 *   filling slot 0, and the fs_head cmpxchg, written by cpu 0's pop: 2.
	 */
	tiny_init(&t);
	tiny_op(&t, 0, SIM_EV_ALLOC, 0);
	tiny_op(&t, 1, SIM_EV_ALLOC, 1);
	tiny_op(&t, 1, SIM_EV_ALLOC, 2);
	tiny_config(&cfg, 2, 1, SIM_TIMING_CLOSED);
	st = tiny_run_cfg(&t, &cfg, impl, "nobjs=3,on_empty=fail");
	ck_assert_uint_eq(cnt_cpu(st, 1, SIM_CNT_objpool_pop_remote), 1);
	ck_assert_msg(cnt(st, SIM_CNT_objpool_cas_retry) == (_i == 1 ? 1u : 2u),
		      "%s: overlapping operations on slot 0 should retry %u cmpxchg (saw %llu)", impl,
		      _i == 1 ? 1u : 2u, (unsigned long long)cnt(st, SIM_CNT_objpool_cas_retry));
	ck_assert_uint_eq(cnt_cpu(st, 1, SIM_CNT_objpool_cas_retry), cnt(st, SIM_CNT_objpool_cas_retry));
	/* the machine's own count of retried cmpxchg agrees */
	ck_assert_uint_eq(sim_stats_touch_cpu(st, 1, SIM_ORIGIN_ALLOCATOR)->cas_retries,
			  cnt(st, SIM_CNT_objpool_cas_retry));
	assert_no_allocator_lock(st, impl);
	sim_stats_destroy(st);

	/* the same trace at trace time, operations 1 ms apart: nothing overlaps, nothing retries */
	tiny_config(&cfg, 2, 1, SIM_TIMING_TRACE);
	st = tiny_run_cfg(&t, &cfg, impl, "nobjs=3,on_empty=fail");
	ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_pop_remote), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_cas_retry), 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_cas_retry_same_start)
{
	struct direct d;
	sim_addr_t a, b;

	/*
	 * Two operations start at the same cycle, long after the pool was
	 * made: cpu 0 pops slot 0 (run first), cpu 1, whose slot is empty,
	 * pops slot 0 too.  cpu 0's cmpxchg wrote slot 0's head line after
	 * cpu 1's operation began: cpu 1's cmpxchg there fails once (ring:
	 * head; freelist: fs_head; the node's refs were last written at the
	 * pool's creation, before the start: no retry).
	 */
	direct_init(&d, 2, 1, impl_name[_i], "nobjs=3,on_empty=fail");
	a = direct_alloc(&d, 1);		/* creates the pool; empties slot 1 */
	machine_op_begin(d.m, &d.op, 0, d.cache, d.t);
	a = d.ops->alloc(d.pol, &d.op);
	machine_op_begin(d.m, &d.op, 1, d.cache, d.t);
	b = d.ops->alloc(d.pol, &d.op);
	ck_assert_msg(a && b && a != b, "both pops should succeed with different objects");
	ck_assert_uint_eq(dcnt_cpu(&d, 1, SIM_CNT_objpool_pop_remote), 1);
	ck_assert_uint_eq(dcnt_cpu(&d, 1, SIM_CNT_objpool_cas_retry), 1);
	ck_assert_uint_eq(dcnt_cpu(&d, 0, SIM_CNT_objpool_cas_retry), 0);
	direct_fini(&d);
}
END_TEST

struct touch_delta {
	uint64_t reads, writes, atomics, hits;
};

static struct touch_delta touch_now(const struct direct *d, unsigned cpu)
{
	struct sim_touch_stat t = *sim_stats_touch_cpu(d->m->stats, cpu, SIM_ORIGIN_ALLOCATOR);

	sim_touch_fold(&t);	/* the replay has not handed its statistics out yet */
	return (struct touch_delta){ t.reads, t.writes, t.atomics, t.hits };
}

static void assert_delta(const struct direct *d, const struct touch_delta *before, const char *what,
			 uint64_t reads, uint64_t writes, uint64_t atomics)
{
	struct touch_delta now = touch_now(d, 0);
	uint64_t r = now.reads - before->reads, w = now.writes - before->writes, a = now.atomics - before->atomics;

	ck_assert_msg(r == reads && w == writes && a == atomics,
		      "%s should make %llu reads, %llu writes, %llu atomics (made %llu, %llu, %llu)", what,
		      (unsigned long long)reads, (unsigned long long)writes, (unsigned long long)atomics,
		      (unsigned long long)r, (unsigned long long)w, (unsigned long long)a);
	/* cpu 0 alone, its lines all in its cache: every access hits */
	ck_assert_msg(now.hits - before->hits == r + w + a, "%s: every access of a warm single cpu should hit", what);
}

/*
 * The accesses of one pop and one push, on a single cpu with the pool
 * warm.  Both read the pool head (cpu_slots, nr_objs) and cpu_slots[cpu].
 *   ring pop: head, last, last (the "last - head - 1 >= nr_objs" test),
 *     entries[head & mask]; cmpxchg head: 6 reads, 1 atomic.  Lines: pool
 *     head, cpu_slots[], slot line 0 (head..mask and entries[0..5]): 3.
 *   ring push: tail, head; cmpxchg tail; write entries[tail & mask] and
 *     last: 4 reads, 2 writes, 1 atomic; the same 3 lines.
 *   freelist pop: fs_head, refs, next; cmpxchg refs, cmpxchg fs_head,
 *     fetch_add(-2) refs: 5 reads, 3 atomics.  Lines: pool head,
 *     fh_slots[], fs_head, the node (the object's first line): 4.
 *   freelist push: fetch_add(REFS_ON_FREELIST) refs, read fs_head, write
 *     next and refs, cmpxchg fs_head: 3 reads, 2 writes, 2 atomics; 4 lines.
 * A slot found empty on the way costs cpu_slots[j] and, ring: head and
 * last (3 reads); freelist: fs_head (2 reads).
 */
START_TEST(test_accesses_per_op)
{
	static const struct {
		uint64_t pop_r, pop_a, push_r, push_w, push_a, empty_visit_r;
	} want[] = {
		[0] = { 5, 3, 3, 2, 2, 2 },	/* freelist */
		[1] = { 6, 1, 4, 2, 1, 3 },	/* ring */
	};
	struct direct d;
	struct touch_delta before;
	sim_addr_t x, y;

	direct_init(&d, 2, 1, impl_name[_i], "nobjs=4,on_empty=fail");
	/* creation by the first pop on cpu 0; cpu 1's slot filled on its behalf */
	x = direct_alloc(&d, 0);
	direct_free(&d, 0, x);
	before = touch_now(&d, 0);
	x = direct_alloc(&d, 0);
	assert_delta(&d, &before, "a local pop", want[_i].pop_r, 0, want[_i].pop_a);
	before = touch_now(&d, 0);
	direct_free(&d, 0, x);
	assert_delta(&d, &before, "a push", want[_i].push_r, want[_i].push_w, want[_i].push_a);
	/* empty slot 0 (2 objects), then a pop that must go to slot 1 */
	x = direct_alloc(&d, 0);
	y = direct_alloc(&d, 0);
	before = touch_now(&d, 0);
	ck_assert_uint_ne(direct_alloc(&d, 0), 0);
	ck_assert_uint_eq(dcnt_cpu(&d, 0, SIM_CNT_objpool_pop_remote), 1);
	ck_assert_uint_eq(touch_now(&d, 0).reads - before.reads, want[_i].pop_r + want[_i].empty_visit_r);
	ck_assert_uint_eq(touch_now(&d, 0).atomics - before.atomics, want[_i].pop_a);
	ck_assert_uint_eq(touch_now(&d, 0).writes - before.writes, 0);
	direct_free(&d, 0, x);
	direct_free(&d, 0, y);
	direct_fini(&d);
}
END_TEST

START_TEST(test_every_slot_empty)
{
	struct direct d;
	struct touch_delta before;
	/* a walk over 2 empty slots: the pool head, then 3 (ring) or 2 (freelist) reads each */
	const uint64_t reads = _i == 1 ? 1 + 2 * 3 : 1 + 2 * 2;

	direct_init(&d, 2, 1, impl_name[_i], "nobjs=2,on_empty=fail");
	ck_assert_uint_ne(direct_alloc(&d, 0), 0);
	ck_assert_uint_ne(direct_alloc(&d, 0), 0);
	before = touch_now(&d, 0);
	ck_assert_uint_eq(direct_alloc(&d, 0), 0);
	ck_assert_uint_eq(touch_now(&d, 0).reads - before.reads, reads);
	ck_assert_uint_eq(touch_now(&d, 0).atomics - before.atomics, 0);
	ck_assert_uint_eq(touch_now(&d, 0).writes - before.writes, 0);
	ck_assert_uint_eq(dcnt_cpu(&d, 0, SIM_CNT_objpool_empty), 1);
	ck_assert_uint_eq(sim_stats_counter_total(d.m->stats, SIM_CNT_objpool_pop), 2);
	/* both objects are out: is_valid balances 0 free + 2 handed out = nobjs */
	{
		char why[256] = "";

		ck_assert_msg(d.ops->is_valid(d.pol, why, sizeof(why)), "the pool should be consistent: %s", why);
	}
	d.ops->destroy(d.pol);
	machine_destroy(d.m);
	sim_workload_fini(&d.w);
}
END_TEST

START_TEST(test_object_too_large_for_ring)
{
	struct tiny t;
	struct sim_stats *st;
	struct sim_event e = {
		.t_ns = 1000, .ptr = 0x1000, .oid = 0, .bytes_req = 131072, .bytes_alloc = 131072,
		.cpu = 0, .op = SIM_EV_ALLOC, .node = SIM_NO_NODE,
	};

	/*
	 * 128 KiB objects: objpool_init() refuses objects above 64 KiB, so the
	 * ring pool has no pool for this cache and SLUB serves it; the seed's
	 * freelist has no such limit: 2 elements of 128 KiB + 16 B, one per
	 * slot on 2 cpus, each in an order-6 block (256 KiB).
	 */
	sim_workload_init(&t.w);
	snprintf(t.w.source, sizeof(t.w.source), "tiny");
	e.cache = sim_workload_cache(&t.w, "big_cache", 131072, 0);
	sim_workload_push(&t.w, &e);
	e.t_ns = 2000000;
	e.op = SIM_EV_FREE;
	sim_workload_push(&t.w, &e);
	t.w.nobjs = 1;
	st = tiny_run(&t, 2, impl_name[_i], "nobjs=2,on_empty=fallback");
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc), 1);
	if (_i == 1) {
		ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_empty), 1);
		ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_pop), 0);
		ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slab), 1);
		ck_assert_int_eq(gauge_total(st, SIM_GAUGE_meta_bytes), 0);
	} else {
		ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_pop), 1);
		ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_push), 1);
		ck_assert_int_eq(gauge_total(st, SIM_GAUGE_slab_bytes), 2 * (4096 << 6));
	}
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

/* --- a real trace, verified ---------------------------------------------- */

struct real_variant {
	const char *impl;
	unsigned cpus, nodes;
	enum sim_timing timing;
	const char *settings;
	bool fallback_used;	/* the pool must run dry */
};

/* fork_exec-head peaks below 128 live objects in every cache: 256 never runs dry */
static const struct real_variant real_variants[] = {
	{ "ring", 4, 1, SIM_TIMING_TRACE, "nobjs=256,on_empty=fail", false },
	{ "freelist", 4, 1, SIM_TIMING_TRACE, "nobjs=256,on_empty=fail", false },
	{ "ring", 16, 2, SIM_TIMING_CLOSED, "nobjs=256,on_empty=fail", false },
	{ "freelist", 16, 2, SIM_TIMING_CLOSED, "nobjs=256,on_empty=fail", false },
	{ "ring", 16, 2, SIM_TIMING_CLOSED, "nobjs=4,on_empty=fallback", true },
	{ "freelist", 16, 2, SIM_TIMING_CLOSED, "nobjs=4,on_empty=fallback", true },
	{ "ring", 4, 1, SIM_TIMING_TRACE, "nobjs=4,on_empty=fallback", true },
};

static void check_books(const struct sim_stats *st, const char *what)
{
	const struct sim_gauge *tot = &st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT];

	ck_assert_msg((uint64_t)tot[SIM_GAUGE_live_objs].cur == st->outstanding_allocs,
		      "%s: live objects should equal the outstanding allocations", what);
	ck_assert_msg((uint64_t)(tot[SIM_GAUGE_slab_bytes].cur + tot[SIM_GAUGE_large_bytes].cur) == st->page_bytes_used,
		      "%s: slab and large-kmalloc bytes should equal the bytes of pages in use", what);
	ck_assert_msg(st->locks_held_at_end == 0, "%s: every lock should be released at the end", what);
	ck_assert_msg(cnt(st, SIM_CNT_alloc) + cnt(st, SIM_CNT_free) + cnt(st, SIM_CNT_alloc_failed) ==
		      st->events_replayed, "%s: every replayed event should be one alloc, free or failed alloc", what);
}

START_TEST(test_real_trace_verified)
{
	const struct real_variant *v = &real_variants[_i];
	struct sim_workload w;
	struct sim_run_config cfg;
	struct sim_param_values pv;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL, *dr = NULL;
	char err[512], what[256];

	snprintf(what, sizeof(what), "objpool impl=%s %s on %u cpus, %u nodes, %s timing", v->impl, v->settings,
		 v->cpus, v->nodes, v->timing == SIM_TIMING_CLOSED ? "closed" : "trace");
	sim_workload_init(&w);
	ck_assert_msg(trace_load(tutil_srcpath("traces/samples/fork_exec-head.trace.xz"), &w, err, sizeof(err)) == 0,
		      "the bundled trace should load: %s", err);
	tiny_config(&cfg, v->cpus, v->nodes, v->timing);
	objpool_params(&pv, v->impl, v->settings);
	/* verify: no address live twice, and objpool_is_valid() (and SLUB's) at the end */
	ck_assert_msg(sim_replay(&w, &cfg, objpool_ops(), &pv, &o, &st, err, sizeof(err)) == 0,
		      "%s: the verified replay should succeed: %s", what, err);
	check_books(st, what);
	ck_assert_msg(st->events_replayed == sim_workload_replayable(&w), "%s: every event should be replayed", what);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_failed), 0);
	if (v->fallback_used) {
		ck_assert_msg(cnt(st, SIM_CNT_objpool_empty) > 0 && cnt(st, SIM_CNT_alloc_slab) > 0,
			      "%s: a pool of 4 should run dry and SLUB should serve the rest", what);
		ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_pop) + cnt(st, SIM_CNT_objpool_empty), cnt(st, SIM_CNT_alloc));
	} else {
		ck_assert_msg(cnt(st, SIM_CNT_objpool_empty) == 0, "%s: a pool of 256 should never run dry", what);
		ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_pop), cnt(st, SIM_CNT_alloc));
		ck_assert_uint_eq(cnt(st, SIM_CNT_objpool_push), cnt(st, SIM_CNT_free));
		assert_no_allocator_lock(st, what);
	}
	/* a drain keeps the pool: memory never goes back, the pool's free objects stay cached */
	o.drain_at_end = true;
	ck_assert_int_eq(sim_replay(&w, &cfg, objpool_ops(), &pv, &o, &dr, err, sizeof(err)), 0);
	if (!v->fallback_used) {
		ck_assert_int_eq(gauge_total(dr, SIM_GAUGE_slab_bytes), gauge_total(st, SIM_GAUGE_slab_bytes));
		ck_assert_int_eq(gauge_total(dr, SIM_GAUGE_cached_objs), gauge_total(st, SIM_GAUGE_cached_objs));
	}
	ck_assert_msg(dr->locks_held_at_end == 0, "%s: the drain should release its locks", what);
	sim_stats_destroy(dr);
	sim_stats_destroy(st);
	sim_workload_fini(&w);
}
END_TEST

Suite *objpool_suite(void)
{
	Suite *s = suite_create("objpool");
	TCase *tc = tcase_create("tiny traces");
	TCase *real = tcase_create("real trace");

	tcase_add_test(tc, test_params);
	tcase_add_loop_test(tc, test_never_takes_a_lock, 0, 2);
	tcase_add_loop_test(tc, test_memory_constant, 0, 2);
	tcase_add_loop_test(tc, test_pop_local_then_next_cpus, 0, 2);
	tcase_add_loop_test(tc, test_push_to_freeing_cpu, 0, 2);
	tcase_add_loop_test(tc, test_exhaustion_fails, 0, 2);
	tcase_add_loop_test(tc, test_exhaustion_falls_back_to_slub, 0, 2);
	tcase_add_loop_test(tc, test_cas_retry_on_overlap, 0, 2);
	tcase_add_loop_test(tc, test_cas_retry_same_start, 0, 2);
	tcase_add_loop_test(tc, test_accesses_per_op, 0, 2);
	tcase_add_loop_test(tc, test_every_slot_empty, 0, 2);
	tcase_add_loop_test(tc, test_object_too_large_for_ring, 0, 2);
	suite_add_tcase(s, tc);
	tcase_set_timeout(real, 300);
	tcase_add_loop_test(real, test_real_trace_verified, 0, (int)SIM_ARRAY_SIZE(real_variants));
	suite_add_tcase(s, real);
	return s;
}
