/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_lock.c - the spin-lock model on a default machine (4 cpus, one
 * node, default cost table: hit 4, mem_local 200, xfer_local 120, atomic
 * surcharge 20 cycles).  Operations run one after another in order of start
 * time, as the replay loop runs them; a lock's earlier holder leaves its
 * release time behind for later acquirers.
 */
#include "config.h"

#include <check.h>

#include "sim/lock.h"
#include "sim/machine.h"
#include "sim/workload.h"
#include "tests/check_suites.h"

struct lock_fixture {
	struct sim_workload w;
	struct machine *m;
	unsigned cache;		/* the "test" cache */
	unsigned other;		/* a second cache, "other" */
	struct sim_lock l;	/* a list_lock on a line of its own */
};

static void lf_init(struct lock_fixture *f)
{
	struct sim_machine_config cfg;
	const char *why = NULL;

	sim_workload_init(&f->w);
	f->cache = sim_workload_cache(&f->w, "test", 64, 0);
	f->other = sim_workload_cache(&f->w, "other", 128, 0);
	ck_assert_uint_ne(f->cache, f->other);
	sim_machine_config_defaults(&cfg);
	ck_assert_msg(sim_machine_config_check(&cfg, &why) == 0, "the defaults should be valid");
	f->m = machine_create(&cfg, &f->w);
	ck_assert_ptr_nonnull(f->m);
	sim_lock_init(&f->l, machine_struct_alloc(f->m, 0, SIM_LINE_BYTES, SIM_LINE_BYTES),
		      SIM_LOCK_list_lock);
}

static void lf_fini(struct lock_fixture *f)
{
	ck_assert_uint_eq(f->m->locks_held, 0);
	machine_destroy(f->m);
	sim_workload_fini(&f->w);
}

static const struct sim_lock_stat *lstat_cpu(struct lock_fixture *f, unsigned cpu, unsigned cls)
{
	return sim_stats_lock_cpu(f->m->stats, cpu, cls);
}

/*
 * cpu 0 takes the (fresh) lock at 1000, works 500 cycles and releases:
 *   acquire: atomic on a line nobody caches, home node 0 = cpu 0's node:
 *            mem_local 200 + atomic 20 = 220  -> now 1220 (held since 1220)
 *   work:    500                              -> now 1720
 *   release: write to the line cpu 0 owns: hit 4 -> now 1724 = release time
 * Returns the release time.
 */
#define T0_START 1000
#define T0_ACQUIRED 1220
#define T0_RELEASE 1724
static sim_cycles_t hold_on_cpu0(struct lock_fixture *f)
{
	struct sim_op op;

	machine_op_begin(f->m, &op, 0, f->cache, T0_START);
	sim_lock_acquire(&op, &f->l);
	ck_assert_uint_eq(op.now, T0_ACQUIRED);
	ck_assert_msg(sim_lock_is_held(&f->l), "the lock should be held after acquire");
	ck_assert_uint_eq(f->m->locks_held, 1);
	sim_work(&op, 500);
	sim_lock_release(&op, &f->l);
	ck_assert_uint_eq(op.now, T0_RELEASE);
	ck_assert_uint_eq(f->l.free_at, op.now);
	return op.now;
}

START_TEST(lock_uncontended_acquire_does_not_wait)
{
	struct lock_fixture f;
	const struct sim_lock_stat *s;

	lf_init(&f);
	(void)hold_on_cpu0(&f);
	s = lstat_cpu(&f, 0, SIM_LOCK_list_lock);
	ck_assert_uint_eq(s->acquired, 1);
	ck_assert_uint_eq(s->contended, 0);
	ck_assert_uint_eq(s->wait_cycles, 0);
	ck_assert_uint_eq(s->try_fail, 0);
	/* held from 1220 to 1724: 500 of work + the 4-cycle release write = 504 */
	ck_assert_uint_eq(s->hold_cycles, 504);
	ck_assert_msg(!sim_lock_is_held(&f.l), "the lock should be free after release");
	ck_assert_int_eq(f.l.holder, -1);
	lf_fini(&f);
}
END_TEST

START_TEST(lock_overlapping_acquirer_waits_for_release)
{
	struct lock_fixture f;
	const struct sim_lock_stat *s0, *s1;
	struct sim_op op;
	sim_cycles_t r0;

	lf_init(&f);
	r0 = hold_on_cpu0(&f);
	machine_op_begin(f.m, &op, 1, f.cache, 1200);
	sim_lock_acquire(&op, &f.l);
	s1 = lstat_cpu(&f, 1, SIM_LOCK_list_lock);
	/* waits r0 - 1200 = 1724 - 1200 = 524 cycles */
	ck_assert_uint_eq(s1->wait_cycles, r0 - 1200);
	ck_assert_uint_eq(s1->wait_cycles, 524);
	ck_assert_uint_eq(s1->contended, 1);
	ck_assert_uint_eq(s1->acquired, 1);
	/* the cache's record sees the same wait */
	ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, f.cache, SIM_LOCK_list_lock)->contended, 1);
	ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, f.cache, SIM_LOCK_list_lock)->wait_cycles, 524);
	ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, f.cache, SIM_LOCK_list_lock)->acquired, 2);
	/* then its atomic pulls the line from cpu 0: 1724 + 120 + 20 = 1864 */
	ck_assert_uint_eq(op.now, 1864);
	ck_assert_int_eq(f.l.holder, 1);
	sim_lock_release(&op, &f.l);
	/* the first holder's record is untouched */
	s0 = lstat_cpu(&f, 0, SIM_LOCK_list_lock);
	ck_assert_uint_eq(s0->contended, 0);
	ck_assert_uint_eq(s0->wait_cycles, 0);
	lf_fini(&f);
}
END_TEST

START_TEST(lock_acquirer_after_release_does_not_wait)
{
	struct lock_fixture f;
	struct sim_op op;
	sim_cycles_t r0;

	lf_init(&f);
	r0 = hold_on_cpu0(&f);
	/* arriving exactly at the release time is not contention */
	machine_op_begin(f.m, &op, 1, f.cache, r0);
	sim_lock_acquire(&op, &f.l);
	sim_lock_release(&op, &f.l);
	machine_op_begin(f.m, &op, 2, f.cache, 100000);
	sim_lock_acquire(&op, &f.l);
	sim_lock_release(&op, &f.l);
	ck_assert_uint_eq(lstat_cpu(&f, 1, SIM_LOCK_list_lock)->contended, 0);
	ck_assert_uint_eq(lstat_cpu(&f, 1, SIM_LOCK_list_lock)->wait_cycles, 0);
	ck_assert_uint_eq(lstat_cpu(&f, 2, SIM_LOCK_list_lock)->contended, 0);
	ck_assert_uint_eq(lstat_cpu(&f, 2, SIM_LOCK_list_lock)->acquired, 1);
	lf_fini(&f);
}
END_TEST

/*
 * cpu 1 arrives at 1200 and waits for cpu 0 (release 1724), acquires at
 * 1724 + 140 = 1864, works 300 -> 2164, releases with a hit write -> 2168.
 */
#define T1_RELEASE 2168
static void hold_on_cpu1_after_cpu0(struct lock_fixture *f)
{
	struct sim_op op;

	machine_op_begin(f->m, &op, 1, f->cache, 1200);
	sim_lock_acquire(&op, &f->l);
	sim_work(&op, 300);
	sim_lock_release(&op, &f->l);
	ck_assert_uint_eq(op.now, T1_RELEASE);
	/* held 1864 .. 2168 = 300 + 4 */
	ck_assert_uint_eq(lstat_cpu(f, 1, SIM_LOCK_list_lock)->hold_cycles, 304);
}

START_TEST(lock_third_acquirer_during_second_hold_waits_for_it)
{
	struct lock_fixture f;
	const struct sim_lock_stat *s2;
	struct sim_op op;

	lf_init(&f);
	(void)hold_on_cpu0(&f);
	hold_on_cpu1_after_cpu0(&f);
	/* cpu 2 arrives at 2000, inside cpu 1's hold (1864 .. 2168) */
	machine_op_begin(f.m, &op, 2, f.cache, 2000);
	sim_lock_acquire(&op, &f.l);
	s2 = lstat_cpu(&f, 2, SIM_LOCK_list_lock);
	/* 2168 - 2000 = 168 */
	ck_assert_uint_eq(s2->wait_cycles, 168);
	ck_assert_uint_eq(s2->contended, 1);
	/* its atomic pulls the line from cpu 1: 2168 + 140 = 2308 */
	ck_assert_uint_eq(op.now, 2308);
	sim_lock_release(&op, &f.l);
	lf_fini(&f);
}
END_TEST

START_TEST(lock_waiters_are_served_in_arrival_order)
{
	struct lock_fixture f;
	const struct sim_lock_stat *s2;
	struct sim_op op;

	lf_init(&f);
	(void)hold_on_cpu0(&f);
	hold_on_cpu1_after_cpu0(&f);
	/*
	 * cpu 2 arrives at 1500, while cpu 0 still holds the lock and after cpu 1
	 * (1200) queued: it is served after cpu 1, so it waits until 2168, not
	 * until cpu 0's release at 1724: 2168 - 1500 = 668 (not 1724 - 1500 = 224).
	 */
	machine_op_begin(f.m, &op, 2, f.cache, 1500);
	sim_lock_acquire(&op, &f.l);
	s2 = lstat_cpu(&f, 2, SIM_LOCK_list_lock);
	ck_assert_uint_eq(s2->wait_cycles, 668);
	ck_assert_uint_eq(s2->contended, 1);
	sim_lock_release(&op, &f.l);
	/* the class total over cpus: 0 + 524 + 668 = 1192 cycles, 2 contended of 3 */
	{
		struct sim_lock_stat tot;

		sim_stats_lock_total(f.m->stats, SIM_LOCK_list_lock, &tot);
		ck_assert_uint_eq(tot.acquired, 3);
		ck_assert_uint_eq(tot.contended, 2);
		ck_assert_uint_eq(tot.wait_cycles, 1192);
	}
	lf_fini(&f);
}
END_TEST

START_TEST(lock_trylock_under_holder_fails)
{
	struct lock_fixture f;
	const struct sim_lock_stat *s1;
	struct sim_op op;
	sim_cycles_t r0;

	lf_init(&f);
	r0 = hold_on_cpu0(&f);
	/* cpu 1 tries at 1200, inside cpu 0's hold (1220 .. 1724) */
	machine_op_begin(f.m, &op, 1, f.cache, 1200);
	ck_assert_msg(!sim_lock_try(&op, &f.l), "a trylock inside another cpu's hold should fail");
	s1 = lstat_cpu(&f, 1, SIM_LOCK_list_lock);
	ck_assert_uint_eq(s1->try_fail, 1);
	ck_assert_uint_eq(s1->acquired, 0);
	ck_assert_uint_eq(s1->contended, 0);
	ck_assert_uint_eq(s1->wait_cycles, 0);
	ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, f.cache, SIM_LOCK_list_lock)->try_fail, 1);
	/* the failure changed nothing about the lock */
	ck_assert_msg(!sim_lock_is_held(&f.l), "a failed trylock should not take the lock");
	ck_assert_int_eq(f.l.holder, -1);
	ck_assert_uint_eq(f.l.free_at, r0);
	ck_assert_uint_eq(f.m->locks_held, 0);
	/* but it paid its atomic: the line came from cpu 0, 1200 + 120 + 20 = 1340 */
	ck_assert_uint_eq(op.now, 1340);
	ck_assert_uint_eq(sim_stats_touch_cpu(f.m->stats, 1, SIM_ORIGIN_ALLOCATOR)->atomics, 1);
	ck_assert_uint_eq(sim_stats_touch_cpu(f.m->stats, 1, SIM_ORIGIN_ALLOCATOR)->xfer_local, 1);

	/* after the release time a trylock succeeds; cpu 1 owns the line: 2000 + 4 + 20 */
	machine_op_begin(f.m, &op, 1, f.cache, 2000);
	ck_assert_msg(sim_lock_try(&op, &f.l), "a trylock after the release should succeed");
	ck_assert_uint_eq(op.now, 2024);
	ck_assert_int_eq(f.l.holder, 1);
	ck_assert_uint_eq(f.m->locks_held, 1);
	ck_assert_uint_eq(s1->acquired, 1);
	ck_assert_uint_eq(s1->try_fail, 1);
	ck_assert_uint_eq(s1->contended, 0);
	sim_lock_release(&op, &f.l);
	lf_fini(&f);
}
END_TEST

START_TEST(lock_trylock_just_before_release_fails)
{
	struct lock_fixture f;
	struct sim_op op;
	sim_cycles_t r0;

	/*
	 * Regression: the trylock's own atomic access used to advance the
	 * clock before the check, so a try issued shortly before the release
	 * succeeded.  cpu 1 tries at 1600 < release 1724: it must fail, after
	 * paying its atomic (120 transfer + 20 surcharge): now = 1740.
	 */
	lf_init(&f);
	r0 = hold_on_cpu0(&f);
	ck_assert_uint_gt(r0, 1600);
	machine_op_begin(f.m, &op, 1, f.cache, 1600);
	ck_assert_msg(!sim_lock_try(&op, &f.l), "a trylock issued before the holder's release should fail");
	ck_assert_uint_eq(op.now, 1600 + 120 + 20);
	ck_assert_uint_eq(lstat_cpu(&f, 1, f.l.cls)->try_fail, 1);
	ck_assert_uint_eq(lstat_cpu(&f, 1, f.l.cls)->acquired, 0);
	lf_fini(&f);
}
END_TEST

START_TEST(lock_stats_land_in_their_class_cpu_and_cache)
{
	struct lock_fixture f;
	struct sim_lock zl, dl;
	struct sim_op op;
	unsigned other;

	lf_init(&f);
	other = f.other;
	sim_lock_init(&zl, machine_struct_alloc(f.m, 0, SIM_LINE_BYTES, SIM_LINE_BYTES),
		      SIM_LOCK_zone_lock);
	sim_lock_init(&dl, machine_struct_alloc(f.m, 0, SIM_LINE_BYTES, SIM_LINE_BYTES),
		      SIM_LOCK_depot_lock);
	/* cpu 2 takes both, nested, for cache "test" */
	machine_op_begin(f.m, &op, 2, f.cache, 100);
	sim_lock_acquire(&op, &zl);
	sim_lock_acquire(&op, &dl);
	ck_assert_uint_eq(f.m->locks_held, 2);
	sim_lock_release(&op, &dl);
	sim_lock_release(&op, &zl);
	ck_assert_uint_eq(f.m->locks_held, 0);
	/* cpu 3 takes the depot lock for cache "other" */
	machine_op_begin(f.m, &op, 3, other, 100000);
	sim_lock_acquire(&op, &dl);
	sim_lock_release(&op, &dl);

	for (unsigned cls = 0; cls < SIM_LOCK_CLASS_COUNT; cls++) {
		uint64_t want2 = cls == SIM_LOCK_zone_lock || cls == SIM_LOCK_depot_lock;
		uint64_t want3 = cls == SIM_LOCK_depot_lock;
		uint64_t want_test = want2, want_other = want3;

		ck_assert_uint_eq(lstat_cpu(&f, 0, cls)->acquired, 0);
		ck_assert_uint_eq(lstat_cpu(&f, 1, cls)->acquired, 0);
		ck_assert_uint_eq(lstat_cpu(&f, 2, cls)->acquired, want2);
		ck_assert_uint_eq(lstat_cpu(&f, 3, cls)->acquired, want3);
		ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, f.cache, cls)->acquired, want_test);
		ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, other, cls)->acquired, want_other);
		ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, 0, cls)->acquired, 0);
	}
	/*
	 * cpu 2: zone lock at 100 + 220 (fresh line: mem_local 200 + atomic 20) = 320,
	 * depot lock at 320 + 220 = 540, depot release 540 + 4 = 544 (hold 4),
	 * zone release 544 + 4 = 548 (hold 548 - 320 = 228).
	 */
	ck_assert_uint_eq(lstat_cpu(&f, 2, SIM_LOCK_zone_lock)->hold_cycles, 228);
	ck_assert_uint_eq(lstat_cpu(&f, 2, SIM_LOCK_depot_lock)->hold_cycles, 4);
	/* cpu 3: pulls the depot line from cpu 2 (120 + 20), releases with a hit: hold 4 */
	ck_assert_uint_eq(lstat_cpu(&f, 3, SIM_LOCK_depot_lock)->hold_cycles, 4);
	ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, other, SIM_LOCK_depot_lock)->hold_cycles, 4);
	ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, f.cache, SIM_LOCK_depot_lock)->hold_cycles, 4);
	ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, f.cache, SIM_LOCK_zone_lock)->hold_cycles, 228);
	lf_fini(&f);
}
END_TEST

START_TEST(lock_hold_cycles_sum_over_holds)
{
	struct lock_fixture f;
	struct sim_op op;

	lf_init(&f);
	(void)hold_on_cpu0(&f);				/* 504, see hold_on_cpu0 */
	machine_op_begin(f.m, &op, 0, f.cache, 10000);
	sim_lock_acquire(&op, &f.l);			/* cpu 0 still owns the line: 4 + 20 */
	ck_assert_uint_eq(op.now, 10024);
	sim_work(&op, 1000);
	sim_lock_release(&op, &f.l);			/* 1000 + hit 4 */
	ck_assert_uint_eq(op.now, 11028);
	/* 504 + 1004 = 1508 */
	ck_assert_uint_eq(lstat_cpu(&f, 0, SIM_LOCK_list_lock)->hold_cycles, 1508);
	ck_assert_uint_eq(sim_stats_lock_cache(f.m->stats, f.cache, SIM_LOCK_list_lock)->hold_cycles, 1508);
	ck_assert_uint_eq(lstat_cpu(&f, 0, SIM_LOCK_list_lock)->acquired, 2);
	lf_fini(&f);
}
END_TEST

Suite *lock_suite(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("spin");

	tcase_add_test(tc, lock_uncontended_acquire_does_not_wait);
	tcase_add_test(tc, lock_overlapping_acquirer_waits_for_release);
	tcase_add_test(tc, lock_acquirer_after_release_does_not_wait);
	tcase_add_test(tc, lock_third_acquirer_during_second_hold_waits_for_it);
	tcase_add_test(tc, lock_waiters_are_served_in_arrival_order);
	tcase_add_test(tc, lock_trylock_under_holder_fails);
	tcase_add_test(tc, lock_trylock_just_before_release_fails);
	tcase_add_test(tc, lock_stats_land_in_their_class_cpu_and_cache);
	tcase_add_test(tc, lock_hold_cycles_sum_over_holds);
	suite_add_tcase(s, tc);
	return s;
}
