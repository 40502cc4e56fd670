/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_magazine.c - the magazine policy: Bonwick's magazines and depot
 * (depot=global) and SLUB's sheaves and barns (depot=node), driven op by op
 * with exact expected counters, locks and memory, plus replays of a real
 * trace whose books must balance.
 *
 * The cache has 256-byte objects.  The slab layer is classic SLUB
 * (slub=classic): on 4 cpus a slab is one page of 16 objects (see
 * check_slub.c), and objects left on the cpu slab's freelist count as
 * cached.  Magazine sizes: the chunk 256 is <= mt_minbuf of the first two
 * kmem_magtype[] entries (3200, 256) and > 64, so Bonwick's magazines have
 * 7 rounds (64 bytes: mag_next and 7 rounds, align 32); the 7.0 sheaf
 * capacity for 256 bytes is 26, grown to fill kmalloc-256: (256 - 32) / 8 =
 * 28 (a sheaf is 256 bytes).
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
#define ROUNDS 7		/* Bonwick magazine for 256-byte objects */
#define MAG_BYTES 64
#define CAP 28			/* sheaf capacity for 256-byte objects */
#define SHEAF_BYTES 256

/* --- a machine driven op by op ------------------------------------------ */

struct rig {
	struct sim_workload w;
	uint32_t cache;
	struct machine *m;
	const struct sim_policy_ops *ops;
	void *pol;
	sim_cycles_t now;
	enum sim_ctx ctx;
};

static void rig_init(struct rig *r, const char *settings, unsigned cpus, unsigned nodes)
{
	struct sim_machine_config mc;
	struct sim_param_values pv;
	char err[256];

	memset(r, 0, sizeof(*r));
	sim_workload_init(&r->w);
	r->cache = sim_workload_cache(&r->w, "test_cache", OBJ_SIZE, 0);
	sim_machine_config_defaults(&mc);
	mc.ncpus = cpus;
	mc.nnodes = nodes;
	r->m = machine_create(&mc, &r->w);
	r->ops = policy_find("magazine");
	ck_assert_ptr_nonnull(r->ops);
	policy_params_default(r->ops, &pv);
	ck_assert_msg(policy_params_apply(r->ops, &pv, settings, err, sizeof(err)) == 0, "settings apply: %s", err);
	r->pol = r->ops->create(r->m, &pv);
	ck_assert_ptr_nonnull(r->pol);
	r->now = 1000;
}

static void rig_fini(struct rig *r)
{
	char why[256] = "";

	ck_assert_msg(r->ops->is_valid(r->pol, why, sizeof(why)), "the policy should be consistent: %s", why);
	ck_assert_msg(r->m->locks_held == 0, "no lock should be held between operations");
	r->ops->destroy(r->pol);
	machine_destroy(r->m);
	sim_workload_fini(&r->w);
}

static void rig_begin(struct rig *r, struct sim_op *op, unsigned cpu, sim_cycles_t start)
{
	machine_op_begin(r->m, op, cpu, r->cache, start);
	op->ctx = r->ctx;
}

/* One operation at a time, 1000 cycles apart: never overlapping. */
static sim_addr_t rig_alloc(struct rig *r, unsigned cpu)
{
	struct sim_op op;
	sim_addr_t a;

	rig_begin(r, &op, cpu, r->now);
	a = r->ops->alloc(r->pol, &op);
	ck_assert_msg(a != 0, "an allocation should succeed");
	ck_assert_msg(r->m->locks_held == 0, "an allocation should release its locks");
	r->now = op.now + 1000;
	return a;
}

static void rig_free(struct rig *r, unsigned cpu, sim_addr_t a)
{
	struct sim_op op;

	rig_begin(r, &op, cpu, r->now);
	r->ops->free(r->pol, &op, a);
	ck_assert_msg(r->m->locks_held == 0, "a free should release its locks");
	r->now = op.now + 1000;
}

static void rig_timer(struct rig *r, unsigned cpu)
{
	struct sim_op op;

	machine_op_begin(r->m, &op, cpu, 0, r->now);
	r->ops->timer(r->pol, &op);
	r->now = op.now + 1000;
}

static uint64_t cnt(const struct rig *r, enum sim_counter c)
{
	return sim_stats_counter_total(r->m->stats, c);
}

static uint64_t locks(const struct rig *r, enum sim_lock_class c)
{
	struct sim_lock_stat l;

	sim_stats_lock_total(r->m->stats, c, &l);
	return l.acquired;
}

static uint64_t locks_cpu(const struct rig *r, unsigned cpu, enum sim_lock_class c)
{
	return sim_stats_lock_cpu(r->m->stats, cpu, c)->acquired;
}

static int64_t gauge(const struct rig *r, enum sim_gauge_id g)
{
	return sim_stats_gauge(r->m->stats, r->m->stats->ncaches)[g].cur;
}

#define BONWICK "depot=global,slub=classic"
#define SHEAVES "depot=node,slub=classic"

/* ======================================================================
 * Bonwick: loaded, previous, depot
 * ====================================================================== */

START_TEST(test_bonwick_alloc_from_loaded)
{
	struct rig r;
	sim_addr_t a, b;

	rig_init(&r, BONWICK, 4, 1);
	/*
	 * The first allocation finds no magazine and an empty depot: it takes
	 * the depot lock once (kmem_depot_alloc has no racy check) and gets
	 * one object from the slab layer.
	 */
	a = rig_alloc(&r, 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_mag_slab_alloc), 1);
	ck_assert_uint_eq(locks(&r, SIM_LOCK_depot_lock), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_alloc_slab), 1);
	/*
	 * The free finds no magazine: kmem_cpucache_magazine_alloc() finds no
	 * empty one in the depot (lock 2), makes one and puts it there (lock
	 * 3), takes it again (lock 4) and loads it.
	 */
	rig_free(&r, 0, a);
	ck_assert_uint_eq(locks(&r, SIM_LOCK_depot_lock), 4);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_alloc), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_depot_free), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_free_hit), 1);
	ck_assert_int_eq(gauge(&r, SIM_GAUGE_meta_bytes), MAG_BYTES);
	/* cached: 1 round + the 15 free objects of the cpu slab */
	ck_assert_int_eq(gauge(&r, SIM_GAUGE_cached_objs), 1 + PER_SLAB - 1);
	/* the next allocation pops that round (LIFO) without the depot */
	b = rig_alloc(&r, 0);
	ck_assert_uint_eq(b, a);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_alloc_hit), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_swap), 0);
	ck_assert_uint_eq(locks(&r, SIM_LOCK_depot_lock), 4);
	ck_assert_int_eq(gauge(&r, SIM_GAUGE_cached_objs), PER_SLAB - 1);
	/*
	 * cc_lock: once per allocation, twice for the free (dropped around the
	 * magazine's allocation and taken again): 4.
	 */
	ck_assert_uint_eq(locks_cpu(&r, 0, SIM_LOCK_cpu_lock), 4);
	rig_fini(&r);
}
END_TEST

START_TEST(test_bonwick_swap_before_depot)
{
	struct rig r;
	sim_addr_t obj[2 * ROUNDS];
	uint64_t depot_before;

	rig_init(&r, BONWICK, 4, 1);
	for (unsigned i = 0; i < 2 * ROUNDS; i++)
		obj[i] = rig_alloc(&r, 0);
	/*
	 * 14 frees: the first makes magazine M1 (7 rounds), the 8th finds M1
	 * full and no previous: it makes M2, M1 becomes the previous.  Both
	 * end full.
	 */
	for (unsigned i = 0; i < 2 * ROUNDS; i++)
		rig_free(&r, 0, obj[i]);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_alloc), 2);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_free_hit), 2 * ROUNDS);
	depot_before = locks(&r, SIM_LOCK_depot_lock);
	/*
	 * 14 allocations: 7 from M2, then M2 is empty and M1 full: they are
	 * exchanged (one swap) and 7 more come from M1.  The depot is never
	 * touched.
	 */
	for (unsigned i = 0; i < 2 * ROUNDS; i++)
		rig_alloc(&r, 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_alloc_hit), 2 * ROUNDS);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_swap), 1);
	ck_assert_uint_eq(locks(&r, SIM_LOCK_depot_lock) - depot_before, 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_depot_alloc), 0);
	rig_fini(&r);
}
END_TEST

/* cpu 0 allocates 35 and frees them: 3 full magazines end in the depot. */
static void bonwick_fill_depot(struct rig *r)
{
	sim_addr_t obj[5 * ROUNDS];

	for (unsigned i = 0; i < 5 * ROUNDS; i++)
		obj[i] = rig_alloc(r, 0);
	for (unsigned i = 0; i < 5 * ROUNDS; i++)
		rig_free(r, 0, obj[i]);
}

START_TEST(test_bonwick_free_mirrors_with_empty_magazines)
{
	struct rig r;

	rig_init(&r, BONWICK, 4, 1);
	bonwick_fill_depot(&r);
	/*
	 * Frees 1-7 fill M1, 8-14 M2 (M1 previous), 15-21 M3: loaded and
	 * previous both full, so an empty magazine is made and M1 goes to the
	 * depot; likewise M2 at free 22 and M3 at free 29.  5 magazines made,
	 * 5 empty ones taken from the depot, 3 full ones in it, M4 previous and
	 * M5 loaded, both full: 35 rounds.
	 */
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_alloc), 5);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_depot_free), 5);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_free_hit), 5 * ROUNDS);
	/*
	 * depot lock: 35 allocations each tried the (empty) depot; M1 and M2
	 * cost 3 each (no empty, put the new one, take it), M3-M5 4 each (and
	 * the full previous put in the depot): 35 + 6 + 12 = 53.
	 */
	ck_assert_uint_eq(locks(&r, SIM_LOCK_depot_lock), 53);
	ck_assert_int_eq(gauge(&r, SIM_GAUGE_meta_bytes), 5 * MAG_BYTES);
	/* 35 rounds + 13 free objects on the third slab, the cpu slab */
	ck_assert_int_eq(gauge(&r, SIM_GAUGE_cached_objs), 5 * ROUNDS + 3 * PER_SLAB - 5 * ROUNDS);
	rig_fini(&r);
}
END_TEST

START_TEST(test_bonwick_depot_only_when_both_empty)
{
	struct rig r;

	rig_init(&r, BONWICK, 4, 1);
	bonwick_fill_depot(&r);
	/*
	 * cpu 1 has no magazines: its first allocation takes the full magazine
	 * on top of the depot (M3) and loads it.  With no previous magazine
	 * nothing goes back: the depot lock is taken once.
	 */
	rig_alloc(&r, 1);
	ck_assert_uint_eq(locks_cpu(&r, 1, SIM_LOCK_depot_lock), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_depot_alloc), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_alloc_hit), 1);
	ck_assert_int_eq(gauge(&r, SIM_GAUGE_cached_objs), 48 - 1);
	/* 6 more from M3; the 8th finds M3 empty and no previous: M2 from the depot (lock 2) */
	for (unsigned i = 0; i < ROUNDS; i++)
		rig_alloc(&r, 1);
	ck_assert_uint_eq(locks_cpu(&r, 1, SIM_LOCK_depot_lock), 2);
	/*
	 * 6 more empty M2; the 15th finds both empty: M1 from the depot (lock
	 * 3) and the empty previous M3 into it (lock 4).
	 */
	for (unsigned i = 0; i < ROUNDS; i++)
		rig_alloc(&r, 1);
	ck_assert_uint_eq(locks_cpu(&r, 1, SIM_LOCK_depot_lock), 4);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_depot_alloc), 3);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_swap), 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_mag_slab_alloc), 5 * ROUNDS);
	rig_fini(&r);
}
END_TEST

START_TEST(test_bonwick_slab_layer_when_depot_empty)
{
	struct rig r;

	rig_init(&r, BONWICK, 4, 1);
	/* 17 allocations, nothing ever freed: each gets one object from SLUB, 2 slabs */
	for (unsigned i = 0; i < PER_SLAB + 1; i++)
		rig_alloc(&r, 2);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_mag_slab_alloc), PER_SLAB + 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_alloc_slab), 2);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_alloc), 0);
	ck_assert_uint_eq(locks(&r, SIM_LOCK_depot_lock), PER_SLAB + 1);
	rig_fini(&r);
}
END_TEST

/* ======================================================================
 * Bonwick: growth under depot contention, working-set reaping
 * ====================================================================== */

/* Every cpu allocates at the same instant: all find an empty depot and try its lock. */
static void rig_alloc_together(struct rig *r, sim_addr_t *out)
{
	sim_cycles_t start = r->now, end = start;

	for (unsigned cpu = 0; cpu < r->m->ncpus; cpu++) {
		struct sim_op op;

		rig_begin(r, &op, cpu, start);
		out[cpu] = r->ops->alloc(r->pol, &op);
		end = SIM_MAX(end, op.now);
	}
	r->now = end + 1000;
}

START_TEST(test_bonwick_grow_under_contention)
{
	struct rig r;
	sim_addr_t obj[4];

	/* magazines of 1 round: kmem_magtype[0], mt_maxbuf 65536 > chunk 256 */
	rig_init(&r, "depot=global,slub=classic,size=1,grow=1", 4, 1);
	/*
	 * Two rounds of simultaneous allocations on 4 cpus.  In each, cpu 0's
	 * mutex_tryenter() succeeds and the other three find the lock held
	 * (its release lies after their attempt): 3 failures per round.
	 */
	rig_alloc_together(&r, obj);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_depot_contention), 3);
	rig_alloc_together(&r, obj);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_depot_contention), 6);
	/* the 15 s update: 6 - 0 > kmem_depot_contention (3): one step, to 3 rounds */
	rig_timer(&r, 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_resize), 1);
	/* a free now makes a magazine of 3 rounds: 8 + 3 * 8 = 32 bytes */
	rig_free(&r, 0, obj[0]);
	ck_assert_int_eq(gauge(&r, SIM_GAUGE_meta_bytes), 32);
	/*
	 * The interval after a resize is not checked (cache_depot_contention_prev
	 * is set INT_MAX ahead), even with more contention.
	 */
	rig_alloc_together(&r, obj);
	rig_alloc_together(&r, obj);
	ck_assert_uint_gt(cnt(&r, SIM_CNT_depot_contention), 6 + 3);
	rig_timer(&r, 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_resize), 1);
	rig_fini(&r);
}
END_TEST

START_TEST(test_bonwick_no_growth_without_grow)
{
	struct rig r;
	sim_addr_t obj[4];

	rig_init(&r, "depot=global,slub=classic,size=1,grow=0", 4, 1);
	rig_alloc_together(&r, obj);
	rig_alloc_together(&r, obj);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_depot_contention), 6);
	rig_timer(&r, 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_magazine_resize), 0);
	rig_fini(&r);
}
END_TEST

/* A tiny trace: 35 allocations and frees on cpu 0, then one event at 31 s on cpu 1. */
static struct sim_stats *reap_run(const char *settings)
{
	struct sim_workload w;
	const struct sim_policy_ops *ops = policy_find("magazine");
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	uint32_t cache, other;
	uint64_t t = 1000;
	char err[256];

	sim_workload_init(&w);
	snprintf(w.source, sizeof(w.source), "tiny");
	cache = sim_workload_cache(&w, "test_cache", OBJ_SIZE, 0);
	other = sim_workload_cache(&w, "other_cache", 64, 0);
	for (uint32_t i = 0; i < 2 * 5 * ROUNDS; i++, t += 1000) {
		struct sim_event e = {
			.t_ns = t, .ptr = 0x1000 + i % (5 * ROUNDS), .oid = i % (5 * ROUNDS), .cache = cache,
			.bytes_req = OBJ_SIZE, .bytes_alloc = OBJ_SIZE, .cpu = 0,
			.op = i < 5 * ROUNDS ? SIM_EV_ALLOC : SIM_EV_FREE, .node = SIM_NO_NODE,
		};

		sim_workload_push(&w, &e);
	}
	{
		struct sim_event e = {
			.t_ns = 31000000000ull, .ptr = 0x9000, .oid = 5 * ROUNDS, .cache = other,
			.bytes_req = 64, .bytes_alloc = 64, .cpu = 1, .op = SIM_EV_ALLOC, .node = SIM_NO_NODE,
		};

		sim_workload_push(&w, &e);
	}
	w.nobjs = 5 * ROUNDS + 1;
	w.digest = sim_workload_digest(&w);
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	policy_params_default(ops, &pv);
	ck_assert_int_eq(policy_params_apply(ops, &pv, settings, err, sizeof(err)), 0);
	ck_assert_msg(sim_replay(&w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0, "the replay should succeed: %s", err);
	sim_workload_fini(&w);
	return st;
}

START_TEST(test_bonwick_reaper_returns_unused_working_set)
{
	struct sim_stats *st = reap_run(BONWICK);
	const struct sim_gauge *tot = sim_stats_gauge(st, st->ncaches);

	/*
	 * After the frees the depot holds 3 full magazines (as in
	 * test_bonwick_free_mirrors_with_empty_magazines) and no empty one.
	 * At 15 s kmem_depot_ws_update() sets reaplimit to the minimum seen
	 * since the start (0: the depot began empty) and min to 3: nothing is
	 * reaped.  At 30 s reaplimit = min = 3: all three are destroyed, their
	 * 21 rounds go back to the slab layer.  kmem_depot_alloc() counts
	 * them as depot allocations, as in illumos.
	 */
	ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_ws_reap), 3);
	ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_depot_alloc), 3);
	ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_sheaf_free), 3);
	/* the two magazines on cpu 0 stay; other_cache's first allocation made none */
	ck_assert_int_eq(tot[SIM_GAUGE_meta_bytes].cur, 2 * MAG_BYTES);
	ck_assert_int_eq(tot[SIM_GAUGE_meta_bytes].peak, 5 * MAG_BYTES);
	ck_assert_uint_eq(st->locks_held_at_end, 0);
	sim_stats_destroy(st);

	/* with reap_ms=0 nothing is ever reaped */
	st = reap_run(BONWICK ",reap_ms=0");
	ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_ws_reap), 0);
	ck_assert_int_eq(sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_meta_bytes].cur, 5 * MAG_BYTES);
	sim_stats_destroy(st);
}
END_TEST

/* ======================================================================
 * sheaves and barns
 * ====================================================================== */

START_TEST(test_sheaves_refill_by_bulk)
{
	struct rig r;

	rig_init(&r, SHEAVES, 4, 1);
	/*
	 * First allocation: main (made with the cache, one per cpu) is empty,
	 * no spare, no full sheaf in the barn (the racy nr_full check avoids
	 * the lock): barn_get_fail, then alloc_full_sheaf(): a new sheaf
	 * refilled with 28 objects by one bulk allocation (2 new slabs), which
	 * becomes main; the empty main becomes the spare.
	 */
	rig_alloc(&r, 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_barn_get_fail), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_refill), CAP);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_alloc), 4 + 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_alloc_slab), 2);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_alloc_pcs), 1);
	ck_assert_uint_eq(locks(&r, SIM_LOCK_barn_lock), 0);
	ck_assert_int_eq(gauge(&r, SIM_GAUGE_meta_bytes), 5 * SHEAF_BYTES);
	/* 27 in the sheaf, 32 - 28 = 4 left on the cpu slab */
	ck_assert_int_eq(gauge(&r, SIM_GAUGE_cached_objs), CAP - 1 + 2 * PER_SLAB - CAP);
	/* 27 more from main; the 29th refills the empty spare, no new sheaf */
	for (unsigned i = 0; i < CAP; i++)
		rig_alloc(&r, 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_alloc_pcs), CAP + 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_barn_get_fail), 2);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_refill), 2 * CAP);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_alloc), 5);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_pcs_bypass), 0);
	rig_fini(&r);
}
END_TEST

START_TEST(test_sheaves_barn_limit_flushes)
{
	enum { N = 13 * CAP, PUT_LAST = 2 * CAP + 10 * CAP };
	struct rig r;
	sim_addr_t *obj = malloc(N * sizeof(*obj));

	rig_init(&r, SHEAVES, 4, 1);
	/*
	 * cpu 1 allocates 364: a refill every 28 allocations (its spare is
	 * refilled each time: no new sheaf after the first), 13 in all.
	 */
	for (unsigned i = 0; i < N; i++)
		obj[i] = rig_alloc(&r, 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_refill), 13 * CAP);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_alloc), 4 + 1);
	/*
	 * cpu 0 frees them on the same node.  Frees 1-28 fill main A; the 29th
	 * finds no spare and no empty sheaf in the barn: a new main, A becomes
	 * the spare.  From then on every 28th free finds main and spare full
	 * and no empty sheaf in the barn: it makes a new one and puts the full
	 * main in the barn (barn_put, barn lock once).  Frees 57, 85, ..., 309
	 * put 10; 310-336 fill the main again.
	 */
	for (unsigned i = 0; i < PUT_LAST; i++)
		rig_free(&r, 0, obj[i]);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_barn_put), 10);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_barn_put_fail), 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_alloc), 5 + 11);
	ck_assert_uint_eq(locks(&r, SIM_LOCK_barn_lock), 10);
	/*
	 * Free 337: main and spare full, the barn at MAX_FULL_SHEAVES (10):
	 * barn_put_fail, the spare is flushed by one bulk free of 28 objects
	 * and becomes the (empty) main; the full main becomes the spare.
	 */
	rig_free(&r, 0, obj[PUT_LAST]);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_barn_put_fail), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_flush), CAP);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_barn_put), 10);
	ck_assert_uint_eq(locks(&r, SIM_LOCK_barn_lock), 10);
	for (unsigned i = PUT_LAST + 1; i < N; i++)
		rig_free(&r, 0, obj[i]);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_free_pcs), N);
	/*
	 * cpu 2 allocates: while the barn has full sheaves its empty main is
	 * exchanged for one (barn_get): 10 times, 280 objects; the 281st finds
	 * none (barn_get_fail) and refills an empty sheaf of the barn, which
	 * never held more than the 10 sheaves it had.
	 */
	for (unsigned i = 0; i < 10 * CAP + 1; i++)
		rig_alloc(&r, 2);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_barn_get), 10);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_refill), 14 * CAP);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_alloc), 5 + 11);
	free(obj);
	rig_fini(&r);
}
END_TEST

START_TEST(test_sheaves_remote_free_bypasses)
{
	struct rig r;
	sim_addr_t a;

	/* 4 cpus in 2 nodes: cpus 0-1 on node 0, 2-3 on node 1 */
	rig_init(&r, SHEAVES, 4, 2);
	a = rig_alloc(&r, 0);
	/* cpu 2 frees an object of node 0: straight to its slab, not to cpu 2's sheaves */
	rig_free(&r, 2, a);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_pcs_bypass), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_free_pcs), 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_free_slowpath), 1);
	/* a free on cpu 1, same node, goes to its sheaves */
	a = rig_alloc(&r, 0);
	rig_free(&r, 1, a);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_free_pcs), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_pcs_bypass), 1);
	rig_fini(&r);
}
END_TEST

START_TEST(test_sheaves_hardirq_bypasses)
{
	struct rig r;
	sim_addr_t a;

	rig_init(&r, SHEAVES, 4, 1);
	r.ctx = SIM_CTX_HARDIRQ;
	/* hardirq=bypass: the allocation and the free go to the slab layer */
	a = rig_alloc(&r, 0);
	rig_free(&r, 0, a);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_pcs_bypass), 2);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_alloc_pcs) + cnt(&r, SIM_CNT_free_pcs), 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_refill), 0);
	rig_fini(&r);

	rig_init(&r, SHEAVES ",hardirq=trylock", 4, 1);
	/*
	 * trylock: the sheaves are used, but a hardirq allocation may not
	 * refill (not a blocking context): with everything empty it falls to
	 * the slab layer after barn_get_fail.
	 */
	r.ctx = SIM_CTX_HARDIRQ;
	a = rig_alloc(&r, 0);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_barn_get_fail), 1);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_pcs_bypass), 1);
	rig_free(&r, 0, a);			/* into cpu 0's main */
	ck_assert_uint_eq(cnt(&r, SIM_CNT_free_pcs), 1);
	r.ctx = SIM_CTX_TASK;
	rig_alloc(&r, 0);			/* pops it */
	rig_alloc(&r, 0);			/* refills 28, pops one */
	ck_assert_uint_eq(cnt(&r, SIM_CNT_sheaf_refill), CAP);
	r.ctx = SIM_CTX_HARDIRQ;
	rig_alloc(&r, 0);			/* from the refilled main */
	ck_assert_uint_eq(cnt(&r, SIM_CNT_alloc_pcs), 3);
	/* softirq on an empty cpu: barn_get_fail, no refill, slab layer */
	r.ctx = SIM_CTX_SOFTIRQ;
	rig_alloc(&r, 3);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_barn_get_fail), 3);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_pcs_bypass), 2);
	rig_fini(&r);
}
END_TEST

START_TEST(test_sheaves_hardirq_event_in_replay)
{
	struct sim_workload w;
	const struct sim_policy_ops *ops = policy_find("magazine");
	const struct policy_preset *pre = policy_preset_find("sheaves");
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	uint32_t cache;
	char err[256];

	ck_assert_ptr_nonnull(pre);
	sim_workload_init(&w);
	snprintf(w.source, sizeof(w.source), "tiny");
	cache = sim_workload_cache(&w, "test_cache", OBJ_SIZE, 0);
	for (uint32_t i = 0; i < 4; i++) {
		struct sim_event e = {
			.t_ns = 1000 + 1000 * i, .ptr = 0x1000 + i / 2, .oid = i / 2, .cache = cache,
			.bytes_req = OBJ_SIZE, .bytes_alloc = OBJ_SIZE, .cpu = 0,
			.op = i % 2 ? SIM_EV_FREE : SIM_EV_ALLOC, .node = SIM_NO_NODE,
			.flags = i < 2 ? SIM_CTX_HARDIRQ : SIM_CTX_TASK,
		};

		sim_workload_push(&w, &e);
	}
	w.nobjs = 2;
	w.digest = sim_workload_digest(&w);
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	policy_params_default(ops, &pv);
	ck_assert_int_eq(policy_params_apply(ops, &pv, pre->settings, err, sizeof(err)), 0);
	ck_assert_msg(sim_replay(&w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0, "the replay should succeed: %s", err);
	/* the hardirq pair bypasses, the task pair refills and uses the sheaves */
	ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_pcs_bypass), 2);
	ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_alloc_pcs), 1);
	ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_free_pcs), 1);
	sim_stats_destroy(st);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_sheaves_node_request)
{
	struct rig r;
	struct sim_op op;
	sim_addr_t a;

	rig_init(&r, SHEAVES, 4, 2);
	rig_alloc(&r, 0);		/* cpu 0's sheaves now hold node-0 objects */
	/* an allocation for node 1 on cpu 0 bypasses them (7.0: node != numa_mem_id()) */
	rig_begin(&r, &op, 0, r.now);
	op.want_node = 1;
	a = r.ops->alloc(r.pol, &op);
	r.now = op.now + 1000;
	ck_assert_uint_eq(cnt(&r, SIM_CNT_pcs_bypass), 1);
	ck_assert_uint_eq(sim_addr_node(a), 1);
	/* one for node 0 on cpu 0 uses them */
	rig_begin(&r, &op, 0, r.now);
	op.want_node = 0;
	r.ops->alloc(r.pol, &op);
	ck_assert_uint_eq(cnt(&r, SIM_CNT_alloc_pcs), 2);
	rig_fini(&r);
}
END_TEST

START_TEST(test_sheaves_capacity_by_size)
{
	/*
	 * calculate_sheaf_capacity(): 60 for < 256 bytes (32 + 480 = 512, a
	 * kmalloc bucket), 26 -> 28 for 256..1023, 12 for 1024..4095 (128),
	 * 4 for >= 4096 (64).  Observed as the bulk refill of a first
	 * allocation.
	 */
	static const struct { uint32_t size; unsigned cap; } want[] = {
		{ 64, 60 }, { 256, 28 }, { 1024, 12 }, { 4096, 4 },
	};

	for (unsigned i = 0; i < SIM_ARRAY_SIZE(want); i++) {
		struct rig r;
		struct sim_machine_config mc;
		struct sim_param_values pv;
		char err[128];

		memset(&r, 0, sizeof(r));
		sim_workload_init(&r.w);
		r.cache = sim_workload_cache(&r.w, "sized", want[i].size, 0);
		sim_machine_config_defaults(&mc);
		r.m = machine_create(&mc, &r.w);
		r.ops = policy_find("magazine");
		policy_params_default(r.ops, &pv);
		ck_assert_int_eq(policy_params_apply(r.ops, &pv, SHEAVES, err, sizeof(err)), 0);
		r.pol = r.ops->create(r.m, &pv);
		r.now = 1000;
		rig_alloc(&r, 0);
		ck_assert_msg(cnt(&r, SIM_CNT_sheaf_refill) == want[i].cap,
			      "a sheaf of %u-byte objects should hold %u objects, not %llu", want[i].size,
			      want[i].cap, (unsigned long long)cnt(&r, SIM_CNT_sheaf_refill));
		rig_fini(&r);
	}
}
END_TEST

/* ======================================================================
 * real traces: the books balance
 * ====================================================================== */

struct variant {
	const char *preset;
	unsigned cpus, nodes;
	enum sim_timing timing;
};

static const struct variant variants[] = {
	{ "sheaves", 4, 1, SIM_TIMING_TRACE },
	{ "bonwick", 4, 1, SIM_TIMING_TRACE },
	{ "sheaves", 16, 2, SIM_TIMING_CLOSED },
	{ "bonwick", 16, 2, SIM_TIMING_CLOSED },
};

static struct sim_workload trace_w;
static bool trace_loaded;

static const struct sim_workload *trace_get(void)
{
	char err[512];

	if (!trace_loaded) {
		sim_workload_init(&trace_w);
		ck_assert_msg(trace_load(tutil_srcpath("traces/samples/fork_exec-head.trace.xz"), &trace_w, err,
					 sizeof(err)) == 0, "the bundled trace should load: %s", err);
		trace_loaded = true;
	}
	return &trace_w;
}

static void trace_teardown(void)
{
	if (trace_loaded)
		sim_workload_fini(&trace_w);
	trace_loaded = false;
}

static struct sim_stats *trace_run(const struct variant *v, bool drain)
{
	const struct policy_preset *pre = policy_preset_find(v->preset);
	const struct sim_policy_ops *ops = policy_find("magazine");
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true, .drain_at_end = drain };
	struct sim_stats *st = NULL;
	char err[512];

	ck_assert_ptr_nonnull(pre);
	policy_params_default(ops, &pv);
	ck_assert_int_eq(policy_params_apply(ops, &pv, pre->settings, err, sizeof(err)), 0);
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	cfg.mach.ncpus = v->cpus;
	cfg.mach.nnodes = v->nodes;
	cfg.mach.timing = v->timing;
	cfg.mach.map = SIM_MAP_SPREAD;
	ck_assert_msg(sim_replay(trace_get(), &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "%s on %u cpus: the verified replay should succeed: %s", v->preset, v->cpus, err);
	return st;
}

START_TEST(test_trace_books_balance)
{
	const struct variant *v = &variants[_i];
	struct sim_stats *st = trace_run(v, false);
	const struct sim_gauge *tot = sim_stats_gauge(st, st->ncaches);
	uint64_t alloc = sim_stats_counter_total(st, SIM_CNT_alloc);
	uint64_t freed = sim_stats_counter_total(st, SIM_CNT_free);

	ck_assert_msg((uint64_t)tot[SIM_GAUGE_live_objs].cur == st->outstanding_allocs,
		      "%s: live objects should equal the outstanding allocations", v->preset);
	ck_assert_msg((uint64_t)tot[SIM_GAUGE_live_bytes].cur == st->outstanding_bytes,
		      "%s: live bytes should equal the outstanding allocations' bytes", v->preset);
	ck_assert_msg((uint64_t)(tot[SIM_GAUGE_slab_bytes].cur + tot[SIM_GAUGE_large_bytes].cur) == st->page_bytes_used,
		      "%s: slab and large-kmalloc bytes should equal the pages in use", v->preset);
	ck_assert_msg(st->locks_held_at_end == 0, "%s: every lock should be released", v->preset);
	ck_assert_msg(alloc + freed + sim_stats_counter_total(st, SIM_CNT_alloc_failed) == st->events_replayed,
		      "%s: every replayed event should be one alloc, free or failed alloc", v->preset);
	ck_assert_msg(st->events_replayed == sim_workload_replayable(trace_get()),
		      "%s: every replayable event should have been replayed", v->preset);
	ck_assert_int_ge(tot[SIM_GAUGE_cached_objs].cur, 0);
	if (!strcmp(v->preset, "sheaves")) {
		/* every op either used the sheaves or bypassed them (large kmallocs do neither) */
		ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_alloc_pcs) + sim_stats_counter_total(st, SIM_CNT_free_pcs) +
				  sim_stats_counter_total(st, SIM_CNT_pcs_bypass) + sim_stats_counter_total(st, SIM_CNT_kmalloc_large) +
				  sim_stats_counter_total(st, SIM_CNT_kfree_large), alloc + freed);
		ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_depot_contention), 0);
	} else {
		ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_magazine_alloc_hit) +
				  sim_stats_counter_total(st, SIM_CNT_mag_slab_alloc) +
				  sim_stats_counter_total(st, SIM_CNT_kmalloc_large), alloc);
		ck_assert_uint_eq(sim_stats_counter_total(st, SIM_CNT_magazine_free_hit) +
				  sim_stats_counter_total(st, SIM_CNT_kfree_large), freed);
	}
	sim_stats_destroy(st);

	/* a drain leaves no object cached and, for Bonwick, no magazine */
	st = trace_run(v, true);
	tot = sim_stats_gauge(st, st->ncaches);
	ck_assert_msg(tot[SIM_GAUGE_cached_objs].cur == 0, "%s: after a drain no free object should be cached (%lld)",
		      v->preset, (long long)tot[SIM_GAUGE_cached_objs].cur);
	if (!strcmp(v->preset, "bonwick"))
		ck_assert_int_eq(tot[SIM_GAUGE_meta_bytes].cur, 0);
	ck_assert_uint_eq(st->locks_held_at_end, 0);
	sim_stats_destroy(st);
}
END_TEST

START_TEST(test_presets_and_params)
{
	const struct sim_policy_ops *ops = policy_find("magazine");
	struct sim_param_values pv;
	char err[256], why[256];

	ck_assert_ptr_nonnull(ops);
	ck_assert_msg(policy_registry_is_valid(why, sizeof(why)), "the registry should be valid: %s", why);
	ck_assert_ptr_nonnull(policy_preset_find("sheaves"));
	ck_assert_ptr_nonnull(policy_preset_find("bonwick"));
	policy_params_default(ops, &pv);
	ck_assert_int_eq(policy_params_apply(ops, &pv, "depot=node,size=32,hardirq=trylock", err, sizeof(err)), 0);
	ck_assert_int_ne(policy_params_apply(ops, &pv, "depot=cluster", err, sizeof(err)), 0);
	ck_assert_int_ne(policy_params_apply(ops, &pv, "size=0", err, sizeof(err)), 0);
}
END_TEST

Suite *magazine_suite(void)
{
	Suite *s = suite_create("magazine");
	TCase *bon = tcase_create("bonwick");
	TCase *sh = tcase_create("sheaves");
	TCase *tr = tcase_create("real trace");

	tcase_add_test(bon, test_bonwick_alloc_from_loaded);
	tcase_add_test(bon, test_bonwick_swap_before_depot);
	tcase_add_test(bon, test_bonwick_free_mirrors_with_empty_magazines);
	tcase_add_test(bon, test_bonwick_depot_only_when_both_empty);
	tcase_add_test(bon, test_bonwick_slab_layer_when_depot_empty);
	tcase_add_test(bon, test_bonwick_grow_under_contention);
	tcase_add_test(bon, test_bonwick_no_growth_without_grow);
	tcase_add_test(bon, test_bonwick_reaper_returns_unused_working_set);
	suite_add_tcase(s, bon);
	tcase_add_test(sh, test_sheaves_refill_by_bulk);
	tcase_add_test(sh, test_sheaves_barn_limit_flushes);
	tcase_add_test(sh, test_sheaves_remote_free_bypasses);
	tcase_add_test(sh, test_sheaves_hardirq_bypasses);
	tcase_add_test(sh, test_sheaves_hardirq_event_in_replay);
	tcase_add_test(sh, test_sheaves_node_request);
	tcase_add_test(sh, test_sheaves_capacity_by_size);
	suite_add_tcase(s, sh);
	tcase_set_timeout(tr, 300);
	tcase_add_unchecked_fixture(tr, NULL, trace_teardown);
	tcase_add_test(tr, test_presets_and_params);
	tcase_add_loop_test(tr, test_trace_books_balance, 0, (int)SIM_ARRAY_SIZE(variants));
	suite_add_tcase(s, tr);
	return s;
}
