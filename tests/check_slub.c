/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_slub.c - SLUB on tiny hand-written traces with exact expected
 * counters, lock acquisitions and memory, in both generations.
 *
 * The cache in these traces has 256-byte objects.  On the default 4-cpu
 * machine calculate_order() gives order 0 (min_objects = 4 * (fls(4) + 1) =
 * 16, get_order(16 * 256) = 0, 4096 % 256 = 0), so a slab holds 16 objects.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policies/registry.h"
#include "policies/slabpage.h"
#include "policies/slub.h"
#include "sim/replay.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"

#define OBJ_SIZE 256
#define PER_SLAB 16

static void tiny_init(struct tiny *t)
{
	tutil_tiny_init(t, OBJ_SIZE, 1000);	/* 1 us apart: operations never overlap */
}

static void tiny_op(struct tiny *t, unsigned cpu, enum sim_ev_op op, uint32_t oid)
{
	tutil_tiny_event(t, cpu, op, oid, SIM_CTX_TASK, SIM_NO_NODE);
}

static struct sim_stats *tiny_run(struct tiny *t, const char *settings)
{
	const struct sim_policy_ops *ops = policy_find("slub");
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	policy_params_default(ops, &pv);
	ck_assert_msg(policy_params_apply(ops, &pv, settings, err, sizeof(err)) == 0, "settings apply: %s", err);
	t->w.digest = sim_workload_digest(&t->w);
	ck_assert_msg(sim_replay(&t->w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "the replay should succeed: %s", err);
	return st;
}

static uint64_t cnt(struct sim_stats *st, enum sim_counter c)
{
	return sim_stats_counter_total(st, c);
}

static uint64_t lock_acq(struct sim_stats *st, enum sim_lock_class c)
{
	struct sim_lock_stat l;

	sim_stats_lock_total(st, c, &l);
	return l.acquired;
}

static uint64_t lock_acq_cpu(struct sim_stats *st, unsigned cpu, enum sim_lock_class c)
{
	return sim_stats_lock_cpu(st, cpu, c)->acquired;
}

START_TEST(test_default_order_and_sizes)
{
	/* 256 B on 4 cpus: order 0 (see the file header) */
	ck_assert_uint_eq(slub_default_order(256, 4), 0);
	/* names_cache 4096 B: min_objects 16 needs order 4 > 3; the loop settles on 8 objects, order 3 */
	ck_assert_uint_eq(slub_default_order(4096, 4), 3);
	/* 640 B (inode): 16 * 640 = 10240 -> order 2 (16384 % 640 = 384 <= 16384/16) */
	ck_assert_uint_eq(slub_default_order(640, 4), 2);
	ck_assert_uint_eq(slub_default_cpu_partial(64), 120);
	ck_assert_uint_eq(slub_default_cpu_partial(256), 52);
	ck_assert_uint_eq(slub_default_cpu_partial(1024), 24);
	ck_assert_uint_eq(slub_default_cpu_partial(4096), 6);
	/* ilog2(256)/2 = 4 -> clamped to MIN_PARTIAL 5; ilog2(1 << 30)/2 = 15 -> MAX_PARTIAL 10 */
	ck_assert_uint_eq(slub_default_min_partial(256), 5);
	ck_assert_uint_eq(slub_default_min_partial(1u << 30), 10);
}
END_TEST

START_TEST(test_classic_one_slab_plus_one)
{
	struct tiny t;
	struct sim_stats *st;

	tiny_init(&t);
	for (uint32_t i = 0; i < PER_SLAB + 1; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	st = tiny_run(&t, "");
	/* 17 allocations: 2 slabs; slow paths: the very first (empty cpu freelist) and the 17th */
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc), PER_SLAB + 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slab), 2);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slowpath), 2);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_fastpath), PER_SLAB - 1);
	/* the full first slab left the cpu through get_freelist() finding nothing */
	ck_assert_uint_eq(cnt(st, SIM_CNT_deactivate_bypass), 1);
	/* nothing was on any partial list: list_lock never taken, no slab_lock in classic SLUB */
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_list_lock), 0);
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_slab_lock), 0);
	ck_assert_int_eq(sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_slabs].cur, 2);
	ck_assert_int_eq(sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_slab_bytes].cur, 2 * 4096);
	/* 15 free objects remain on the cpu slab: cached by the cpu */
	ck_assert_int_eq(sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_cached_objs].cur, PER_SLAB - 1);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_classic_local_free_is_fast)
{
	struct tiny t;
	struct sim_stats *st;

	tiny_init(&t);
	tiny_op(&t, 0, SIM_EV_ALLOC, 0);
	tiny_op(&t, 0, SIM_EV_FREE, 0);
	st = tiny_run(&t, "");
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_fastpath), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_slowpath), 0);
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_list_lock), 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_classic_remote_free_is_slow_and_frozen)
{
	struct tiny t;
	struct sim_stats *st;

	tiny_init(&t);
	tiny_op(&t, 0, SIM_EV_ALLOC, 0);
	tiny_op(&t, 1, SIM_EV_FREE, 0);
	st = tiny_run(&t, "");
	/* cpu 1 frees into cpu 0's cpu slab: __slab_free(), frozen, no lock */
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_slowpath), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_frozen), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_fastpath), 0);
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_list_lock), 0);
	/* the free touched lines cpu 0 had written: at least one transfer for the allocator */
	ck_assert_uint_gt(sim_stats_touch_cpu(st, 1, SIM_ORIGIN_ALLOCATOR)->xfer_local, 0);
	/* and the workload's read of the object's first line came from cpu 0's cache */
	ck_assert_uint_eq(sim_stats_touch_cpu(st, 1, SIM_ORIGIN_WORKLOAD)->xfer_local, 1);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_classic_full_slab_goes_to_cpu_partial)
{
	struct tiny t;
	struct sim_stats *st;

	tiny_init(&t);
	for (uint32_t i = 0; i < PER_SLAB + 1; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	/* object 0 lives in the first, full, unfrozen slab */
	tiny_op(&t, 2, SIM_EV_FREE, 0);
	st = tiny_run(&t, "");
	/* __slab_free(): prior == NULL, not frozen, cpu partial on -> freeze, put_cpu_partial() */
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_partial_free), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_add_partial), 0);
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_list_lock), 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_classic_no_cpu_partial_path_via_min_partial)
{
	struct tiny t;
	struct sim_stats *st;

	/*
	 * cpu 0 allocates 17 (slab A full, slab B cpu slab); cpu 1 frees all 16
	 * objects of A: the first freezes A onto cpu 1's partial list, the other
	 * 15 are free_frozen.  Then cpu 1 allocates: its cpu freelist is empty,
	 * so it takes A from its cpu partial list (cpu_partial_alloc).
	 */
	tiny_init(&t);
	for (uint32_t i = 0; i < PER_SLAB + 1; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	for (uint32_t i = 0; i < PER_SLAB; i++)
		tiny_op(&t, 1, SIM_EV_FREE, i);
	tiny_op(&t, 1, SIM_EV_ALLOC, 100);
	st = tiny_run(&t, "");
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_partial_free), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_frozen), PER_SLAB - 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_partial_alloc), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slab), 2);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_2007_one_slab_plus_one)
{
	struct tiny t;
	struct sim_stats *st;

	tiny_init(&t);
	for (uint32_t i = 0; i < PER_SLAB + 1; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	st = tiny_run(&t, "cpu_partial=0,min_partial=0");
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slab), 2);
	/* first allocation (no cpu slab) and the 17th (cpu slab exhausted) */
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slowpath), 2);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_fastpath), PER_SLAB - 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_deactivate_full), 1);
	/*
	 * slab_lock: every allocation locks the cpu slab (16 on slab A, the
	 * 17th locks A to find it empty and then the new slab B) -> 18.
	 */
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_slab_lock), PER_SLAB + 2);
	/* get_partial()'s racy nr_partial check saw 0: no list_lock */
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_list_lock), 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_2007_remote_free_takes_slab_lock)
{
	struct tiny t;
	struct sim_stats *st;

	tiny_init(&t);
	tiny_op(&t, 0, SIM_EV_ALLOC, 0);
	tiny_op(&t, 1, SIM_EV_FREE, 0);
	st = tiny_run(&t, "cpu_partial=0,min_partial=0");
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_slowpath), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_frozen), 1);
	/* the free on cpu 1 took the slab lock once, the allocation on cpu 0 once */
	ck_assert_uint_eq(lock_acq_cpu(st, 1, SIM_LOCK_slab_lock), 1);
	ck_assert_uint_eq(lock_acq_cpu(st, 0, SIM_LOCK_slab_lock), 1);
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_list_lock), 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_2007_partial_list_round_trip)
{
	struct tiny t;
	struct sim_stats *st;

	/*
	 * cpu 0: 17 allocations (A full and deactivated, B cpu slab with 1
	 * object); free object 0 of A on cpu 0 -> A was full: add_partial
	 * (list_lock 1).  15 more allocations exhaust B (15 free objects).  The
	 * next one deactivates B (full) and get_partial() takes A (list_lock 2,
	 * alloc_from_partial 1).
	 */
	tiny_init(&t);
	for (uint32_t i = 0; i < PER_SLAB + 1; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	tiny_op(&t, 0, SIM_EV_FREE, 0);
	for (uint32_t i = 0; i < PER_SLAB; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, 100 + i);
	st = tiny_run(&t, "cpu_partial=0,min_partial=0");
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_add_partial), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_from_partial), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_slab), 2);
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_list_lock), 2);
	ck_assert_uint_eq(cnt(st, SIM_CNT_deactivate_full), 2);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_2007_empty_slab_discarded)
{
	struct tiny t;
	struct sim_stats *st;

	/*
	 * cpu 0 fills A and starts B; cpu 1 frees all of A.  The first free
	 * makes A partial (list_lock), the last empties it: remove_partial
	 * (list_lock) and discard, since min_partial is 0.
	 */
	tiny_init(&t);
	for (uint32_t i = 0; i < PER_SLAB + 1; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	for (uint32_t i = 0; i < PER_SLAB; i++)
		tiny_op(&t, 1, SIM_EV_FREE, i);
	st = tiny_run(&t, "cpu_partial=0,min_partial=0");
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_add_partial), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_remove_partial), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_slab), 1);
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_list_lock), 2);
	ck_assert_int_eq(sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_slabs].cur, 1);
	ck_assert_int_eq(sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_slabs].peak, 2);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_2007_flusher_deactivates_idle_cpu_slab)
{
	struct tiny t;
	struct sim_stats *st;

	/* one allocation, then nothing on cpu 0 for 5 s: the 2 s flusher clears
	 * the referenced bit once and deactivates the cpu slab the next time */
	tiny_init(&t);
	tiny_op(&t, 0, SIM_EV_ALLOC, 0);
	t.t = 5000000000ull;
	tiny_op(&t, 0, SIM_EV_FREE, 0);
	st = tiny_run(&t, "cpu_partial=0,min_partial=0");
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpuslab_flush), 1);
	/* the free then finds the slab inactive, empties it, and it is discarded */
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_slab), 1);
	ck_assert_int_eq(sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_slabs].cur, 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_classic_bulk_free_once_per_slab)
{
	const struct sim_policy_ops *ops = policy_find("slub");
	struct sim_machine_config mc;
	struct sim_param_values pv;
	struct machine *m;
	struct sim_op op;
	sim_addr_t objs[2 * PER_SLAB];
	struct tiny t;
	void *pol;

	tiny_init(&t);
	sim_machine_config_defaults(&mc);
	m = machine_create(&mc, &t.w);
	policy_params_default(ops, &pv);
	pol = ops->create(m, &pv);
	machine_op_begin(m, &op, 0, t.cache, 0);
	ck_assert_uint_eq(slub_alloc_bulk(pol, &op, 2 * PER_SLAB, objs), 2 * PER_SLAB);
	/* one new slab per 16 objects; the first and the 17th go through ___slab_alloc() */
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_alloc_slab), 2);
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_alloc_slowpath), 2);
	/*
	 * cpu 1 frees all 32: two detached freelists, one per slab, so two
	 * __slab_free() calls: slab A (full, unfrozen) is frozen onto cpu 1's
	 * partial list, slab B is cpu 0's cpu slab (free_frozen).
	 */
	machine_op_begin(m, &op, 1, t.cache, op.now);
	slub_free_bulk(pol, &op, 2 * PER_SLAB, objs);
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_free_slowpath), 2);
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_cpu_partial_free), 1);
	ck_assert_uint_eq(sim_stats_counter_total(m->stats, SIM_CNT_free_frozen), 1);
	ck_assert_uint_eq(m->locks_held, 0);
	ops->destroy(pol);
	machine_destroy(m);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_2007_bulk_free_locks_each_object)
{
	const struct sim_policy_ops *ops = policy_find("slub");
	struct sim_machine_config mc;
	struct sim_param_values pv;
	struct sim_lock_stat l;
	struct machine *m;
	struct sim_op op;
	sim_addr_t objs[PER_SLAB];
	struct tiny t;
	char err[128];
	void *pol;

	tiny_init(&t);
	sim_machine_config_defaults(&mc);
	m = machine_create(&mc, &t.w);
	policy_params_default(ops, &pv);
	ck_assert_int_eq(policy_params_apply(ops, &pv, "cpu_partial=0", err, sizeof(err)), 0);
	pol = ops->create(m, &pv);
	machine_op_begin(m, &op, 0, t.cache, 0);
	slub_alloc_bulk(pol, &op, PER_SLAB, objs);
	slub_free_bulk(pol, &op, PER_SLAB, objs);
	/* the 2007 patch had no bulk interface: 16 locked allocations, 16 locked frees */
	sim_stats_lock_total(m->stats, SIM_LOCK_slab_lock, &l);
	ck_assert_uint_eq(l.acquired, 2 * PER_SLAB);
	ops->destroy(pol);
	machine_destroy(m);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_classic_without_cpu_partial)
{
	struct tiny t;
	struct sim_stats *st;

	/*
	 * mode=classic,cpu_partial=0 (CONFIG_SLUB_CPU_PARTIAL=n): cpu 0 fills
	 * A and starts B; cpu 1 frees an object of the full slab A: no cpu
	 * partial list, so __slab_free() takes list_lock and puts A on the node
	 * partial list (free_add_partial).  cpu 2's allocation then takes A
	 * from it (list_lock again), one slab only.
	 */
	tiny_init(&t);
	for (uint32_t i = 0; i < PER_SLAB + 1; i++)
		tiny_op(&t, 0, SIM_EV_ALLOC, i);
	tiny_op(&t, 1, SIM_EV_FREE, 0);
	tiny_op(&t, 2, SIM_EV_ALLOC, 100);
	st = tiny_run(&t, "mode=classic,cpu_partial=0");
	ck_assert_uint_eq(cnt(st, SIM_CNT_free_add_partial), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_partial_free), 0);
	ck_assert_uint_eq(cnt(st, SIM_CNT_alloc_from_partial), 1);
	ck_assert_uint_eq(cnt(st, SIM_CNT_cpu_partial_node), 0);
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_list_lock), 2);
	ck_assert_uint_eq(lock_acq(st, SIM_LOCK_slab_lock), 0);
	sim_stats_destroy(st);
	sim_workload_fini(&t.w);
}
END_TEST

/* obj_to_index() by the reciprocal gives the quotient for every offset of a slab, and up to 4 GiB. */
START_TEST(test_obj_index_is_the_quotient)
{
	static const uint32_t sizes[] = { 2, 3, 7, 8, 16, 24, 56, 96, 192, 264, 700, 1000, 1024,
					  4104, 8192, 65537, 1u << 20, 3000017 };
	struct slab s = { .base = sim_addr_make(SIM_REGION_PAGES, 1, 5ull << SIM_PAGE_SHIFT) };

	for (size_t k = 0; k < SIM_ARRAY_SIZE(sizes); k++) {
		slab_set_size(&s, sizes[k]);
		/* every byte of an order-3 slab */
		for (uint64_t off = 0; off < 8 * SIM_PAGE_BYTES; off++)
			ck_assert_uint_eq(slab_obj_index(&s, s.base + off), off / sizes[k]);
		/* offsets around each multiple, spread up to the 32-bit limit */
		for (uint64_t q = 1; q * sizes[k] <= UINT32_MAX; q = q * 3 + 1)
			for (int d = -1; d <= 1 && q * sizes[k] + (uint64_t)d <= UINT32_MAX; d++)
				ck_assert_uint_eq(slab_obj_index(&s, s.base + q * sizes[k] + (uint64_t)d),
						  (q * sizes[k] + (uint64_t)d) / sizes[k]);
		ck_assert_uint_eq(slab_obj_index(&s, s.base + UINT32_MAX), UINT32_MAX / sizes[k]);
	}
}
END_TEST

Suite *slub_suite(void)
{
	Suite *s = suite_create("slub");
	TCase *tc = tcase_create("tiny traces");

	tcase_add_test(tc, test_default_order_and_sizes);
	tcase_add_test(tc, test_classic_one_slab_plus_one);
	tcase_add_test(tc, test_classic_local_free_is_fast);
	tcase_add_test(tc, test_classic_remote_free_is_slow_and_frozen);
	tcase_add_test(tc, test_classic_full_slab_goes_to_cpu_partial);
	tcase_add_test(tc, test_classic_no_cpu_partial_path_via_min_partial);
	tcase_add_test(tc, test_2007_one_slab_plus_one);
	tcase_add_test(tc, test_2007_remote_free_takes_slab_lock);
	tcase_add_test(tc, test_2007_partial_list_round_trip);
	tcase_add_test(tc, test_2007_empty_slab_discarded);
	tcase_add_test(tc, test_2007_flusher_deactivates_idle_cpu_slab);
	tcase_add_test(tc, test_classic_bulk_free_once_per_slab);
	tcase_add_test(tc, test_2007_bulk_free_locks_each_object);
	tcase_add_test(tc, test_classic_without_cpu_partial);
	tcase_add_test(tc, test_obj_index_is_the_quotient);
	suite_add_tcase(s, tc);
	return s;
}
