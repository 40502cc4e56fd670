/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_slab.c - SLAB on tiny hand-written traces with exact expected
 * counters, lock acquisitions and memory; its kernel defaults and slab
 * layouts; and the real-trace consistency relations.
 *
 * Unless a test says otherwise the cache "test_cache" has 256-byte objects:
 * calculate_slab_order() with the index array inside a free object
 * (OBJFREELIST: 16 objects of 256 B use 4096 B, left-over 0, and 16 index
 * bytes fit in one object) gives order 0 and 16 objects per slab.  Most
 * tests set limit=10, batchcount=5 (so BATCHREFILL_LIMIT 16 never cuts a
 * refill) and shared=0.  The default machine has 4 cpus in 1 node; with 2
 * nodes cpus 0-1 are node 0 and cpus 2-3 node 1.  Events are 1 us apart,
 * so operations never overlap.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policies/registry.h"
#include "policies/slab.h"
#include "sim/replay.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/load.h"

#define PER_SLAB 16
#define SMALL "limit=10,batchcount=5,shared=0"

struct slab_tiny {
	struct sim_workload w;
	uint32_t cache, other;
	uint32_t size;
	uint64_t t;
};

static void tiny_init(struct slab_tiny *t, uint32_t size)
{
	sim_workload_init(&t->w);
	snprintf(t->w.source, sizeof(t->w.source), "tiny");
	t->size = size;
	t->cache = sim_workload_cache(&t->w, "test_cache", size, 0);
	t->other = sim_workload_cache(&t->w, "other_cache", 64, 0);
	t->t = 1000;
}

static void tiny_event(struct slab_tiny *t, unsigned cpu, enum sim_ev_op op, uint32_t oid, uint32_t cache, int node)
{
	uint32_t size = cache == t->cache ? t->size : 64;
	struct sim_event e = {
		.t_ns = t->t, .ptr = 0x1000 + oid, .oid = oid, .cache = cache,
		.bytes_req = size, .bytes_alloc = size, .cpu = (uint16_t)cpu,
		.op = (uint8_t)op, .node = (int16_t)node,
	};

	t->t += 1000;
	sim_workload_push(&t->w, &e);
	if (op == SIM_EV_ALLOC && oid + 1 > t->w.nobjs)
		t->w.nobjs = oid + 1;
}

static void tiny_op(struct slab_tiny *t, unsigned cpu, enum sim_ev_op op, uint32_t oid)
{
	tiny_event(t, cpu, op, oid, t->cache, SIM_NO_NODE);
}

/* n allocations (or frees) of oids first .. first + n - 1 on cpu. */
static void tiny_ops(struct slab_tiny *t, unsigned cpu, enum sim_ev_op op, uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		tiny_op(t, cpu, op, first + i);
}

/* One allocation of "other_cache" on cpu 3 at t_ns: keeps the run, and its reapers, going until then. */
static void tiny_end_at(struct slab_tiny *t, uint64_t t_ns)
{
	t->t = t_ns;
	tiny_event(t, 3, SIM_EV_ALLOC, 9999, t->other, SIM_NO_NODE);
}

static struct sim_stats *tiny_run_on(struct slab_tiny *t, const char *settings, unsigned ncpus, unsigned nnodes)
{
	const struct sim_policy_ops *ops = policy_find("slab");
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	char err[256];

	ck_assert_ptr_nonnull(ops);
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	cfg.mach.ncpus = ncpus;
	cfg.mach.nnodes = nnodes;
	policy_params_default(ops, &pv);
	ck_assert_msg(policy_params_apply(ops, &pv, settings, err, sizeof(err)) == 0, "settings apply: %s", err);
	t->w.digest = sim_workload_digest(&t->w);
	/* verify: no object handed out twice, and slab's is_valid() at the end */
	ck_assert_msg(sim_replay(&t->w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "the verified replay should succeed: %s", err);
	ck_assert_msg(st->locks_held_at_end == 0, "no lock should be held at the end");
	return st;
}

static struct sim_stats *tiny_run(struct slab_tiny *t, const char *settings)
{
	return tiny_run_on(t, settings, 4, 1);
}

static uint64_t cnt(struct sim_stats *st, const struct slab_tiny *t, enum sim_counter c)
{
	return sim_stats_counter_cache(st, t->cache)[c];
}

static uint64_t lock_acq(struct sim_stats *st, const struct slab_tiny *t, enum sim_lock_class c)
{
	return sim_stats_lock_cache(st, t->cache, c)->acquired;
}

static uint64_t lock_acq_cpu(struct sim_stats *st, unsigned cpu, enum sim_lock_class c)
{
	return sim_stats_lock_cpu(st, cpu, c)->acquired;
}

static int64_t gauge(struct sim_stats *st, const struct slab_tiny *t, enum sim_gauge_id g)
{
	return sim_stats_gauge(st, t->cache)[g].cur;
}

static void tiny_done(struct slab_tiny *t, struct sim_stats *st)
{
	sim_stats_destroy(st);
	sim_workload_fini(&t->w);
}

/* --- kernel defaults and layout ------------------------------------------ */

START_TEST(test_enable_cpucache_defaults)
{
	/* limit: 1 (> 128 KiB), 8 (> PAGE_SIZE), 24 (> 1 KiB), 54 (> 256 B), else 120 */
	ck_assert_uint_eq(slab_default_limit(131073), 1);
	ck_assert_uint_eq(slab_default_limit(131072), 8);
	ck_assert_uint_eq(slab_default_limit(4097), 8);
	ck_assert_uint_eq(slab_default_limit(4096), 24);
	ck_assert_uint_eq(slab_default_limit(1025), 24);
	ck_assert_uint_eq(slab_default_limit(1024), 54);
	ck_assert_uint_eq(slab_default_limit(257), 54);
	ck_assert_uint_eq(slab_default_limit(256), 120);
	/* shared = 8 for size <= PAGE_SIZE with more than one cpu */
	ck_assert_uint_eq(slab_default_shared(4096, 4), 8);
	ck_assert_uint_eq(slab_default_shared(4097, 4), 0);
	ck_assert_uint_eq(slab_default_shared(64, 1), 0);
	/* strides: kmalloc caches are HWCACHE_ALIGNed and at least 32 B; others 8-aligned, at least 16 */
	ck_assert_uint_eq(slab_object_size(96, true, SLAB_FREELIST_OBJ), 128);
	ck_assert_uint_eq(slab_object_size(8, true, SLAB_FREELIST_OBJ), 32);
	ck_assert_uint_eq(slab_object_size(192, true, SLAB_FREELIST_OBJ), 192);
	ck_assert_uint_eq(slab_object_size(24, false, SLAB_FREELIST_OBJ), 24);
	ck_assert_uint_eq(slab_object_size(8, false, SLAB_FREELIST_OBJ), 16);
	ck_assert_uint_eq(slab_object_size(8, false, SLAB_FREELIST_DESC), 8);
	ck_assert_uint_eq(slab_object_size(100, false, SLAB_FREELIST_OBJ), 104);
}
END_TEST

struct geo_case {
	unsigned size;
	enum slab_freelist_mode mode;
	unsigned order, num, mgmt, meta;
	const char *why;
};

static const struct geo_case geo_cases[] = {
	{ 256, SLAB_FREELIST_OBJ, 0, 16, SLAB_MGMT_OBJFREELIST, 0,
	  "4096 / 256 = 16, left 0; 16 index bytes fit in a 256 B object" },
	{ 64, SLAB_FREELIST_OBJ, 0, 64, SLAB_MGMT_OBJFREELIST, 0, "64 objects, 64 index bytes fit in 64 B" },
	{ 32, SLAB_FREELIST_OBJ, 0, 124, SLAB_MGMT_ON, 124,
	  "128 indices do not fit in 32 B; off-slab kmalloc-128 > 32/2 at order 0, 256 > 255 objects at order 1; "
	  "on-slab 4096 / 33 = 124, left 4" },
	{ 16, SLAB_FREELIST_OBJ, 0, 240, SLAB_MGMT_ON, 240, "4096 / 16 = 256 > 255; on-slab 4096 / 17 = 240, left 16" },
	{ 640, SLAB_FREELIST_OBJ, 0, 6, SLAB_MGMT_OBJFREELIST, 0, "6 x 640 = 3840, left 256: 256 x 8 <= 4096" },
	{ 1152, SLAB_FREELIST_OBJ, 1, 7, SLAB_MGMT_OBJFREELIST, 0,
	  "order 0 leaves 640 (640 x 8 > 4096); order 1 = slab_max_order: 7 objects" },
	{ 3000, SLAB_FREELIST_OBJ, 1, 2, SLAB_MGMT_OBJFREELIST, 0, "order 0 leaves 1096; order 1: 2 objects" },
	{ 4096, SLAB_FREELIST_OBJ, 0, 1, SLAB_MGMT_OBJFREELIST, 0, "one object per page" },
	{ 8192, SLAB_FREELIST_OBJ, 1, 1, SLAB_MGMT_OBJFREELIST, 0, "no object at order 0; order 1 holds one" },
	{ 256, SLAB_FREELIST_SLAB, 0, 16, SLAB_MGMT_OFF, 32,
	  "with a constructor: off-slab keeps 16 objects (on-slab 15), 16 index bytes from kmalloc-32" },
	{ 64, SLAB_FREELIST_SLAB, 0, 63, SLAB_MGMT_ON, 63, "off-slab never pays (kmalloc-64 > 32); 4096 / 65 = 63" },
	{ 32, SLAB_FREELIST_DESC, 0, 112, SLAB_MGMT_DESC_ON, 496,
	  "2.6: (4096 - 48) / 36 = 112; struct slab 48 + 112 x 4 = 496 B; 496 + 112 x 32 = 4080" },
	{ 256, SLAB_FREELIST_DESC, 0, 15, SLAB_MGMT_DESC_ON, 112,
	  "2.6: (4096 - 48) / 260 = 15, management 48 + 60 = 108 -> 112 B" },
	{ 512, SLAB_FREELIST_DESC, 0, 8, SLAB_MGMT_DESC_OFF, 128,
	  "2.6: >= PAGE_SIZE / 8 goes off-slab: 48 + 8 x 4 = 80 B from size-128" },
	{ 1024, SLAB_FREELIST_DESC, 0, 4, SLAB_MGMT_DESC_OFF, 64, "2.6: 48 + 4 x 4 = 64 B from size-64" },
};

START_TEST(test_slab_geometry)
{
	const struct geo_case *k = &geo_cases[_i];
	struct slab_geometry g;

	slab_geometry_compute(k->size, false, k->mode, &g);
	ck_assert_msg(g.order == k->order && g.num == k->num && g.mgmt == k->mgmt &&
		      g.meta_bytes == k->meta,
		      "size %u mode %d should give order %u, %u objects, mgmt %u, %u meta bytes (%s); "
		      "got %u, %u, %u, %u",
		      k->size, k->mode, k->order, k->num, k->mgmt, k->meta, k->why, g.order, g.num, g.mgmt,
		      g.meta_bytes);
}
END_TEST

/* --- array caches: refill and flush --------------------------------------- */

START_TEST(test_first_alloc_refills_batchcount)
{
	struct slab_tiny t;
	struct sim_stats *st;

	/* 5 allocations: the first misses, cache_alloc_refill() finds nothing and grows one slab,
	 * alloc_block() moves batchcount 5 objects into the array; the next 4 are hits */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 5);
	st = tiny_run(&t, SMALL);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_allocmiss), 1);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_allochit), 4);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_listallocs), 5);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_grown), 1);
	/* direct_grow skips the lock; cache_grow_end() takes list_lock once */
	ck_assert_uint_eq(lock_acq(st, &t, SIM_LOCK_list_lock), 1);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 0);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_slabs), 1);
	tiny_done(&t, st);

	/* a 6th allocation misses again: 11 free objects on the partial slab, refill under list_lock */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 6);
	st = tiny_run(&t, SMALL);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_allocmiss), 2);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_allochit), 4);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_listallocs), 10);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_grown), 1);
	ck_assert_uint_eq(lock_acq(st, &t, SIM_LOCK_list_lock), 2);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 4);
	tiny_done(&t, st);
}
END_TEST

START_TEST(test_untouched_refill_is_limited)
{
	struct slab_tiny t;
	struct sim_stats *st;

	/*
	 * Defaults for 256 B: limit 120, batchcount 60.  The first refill finds
	 * the array untouched: BATCHREFILL_LIMIT 16, one full new slab.  The 17th
	 * allocation refills a touched array with batchcount 60, but nothing is
	 * free: direct_grow, and alloc_block() stops at the new slab's 16.
	 */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, PER_SLAB + 1);
	st = tiny_run(&t, "");
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_allocmiss), 2);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_allochit), PER_SLAB - 1);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_listallocs), 2 * PER_SLAB);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_grown), 2);
	ck_assert_uint_eq(lock_acq(st, &t, SIM_LOCK_list_lock), 2);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), PER_SLAB - 1);
	tiny_done(&t, st);

	/*
	 * 64 B objects, 64 per slab (OBJFREELIST): the first refill takes 16 of
	 * slab A; the 17th allocation refills the touched array under
	 * list_lock: batchcount 60, but A has 48 left, and no further slab.
	 */
	tiny_init(&t, 64);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 17);
	st = tiny_run(&t, "");
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_listallocs), 16 + 48);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_grown), 1);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 48 - 1);
	tiny_done(&t, st);
}
END_TEST

START_TEST(test_overflow_flushes_batchcount_to_slabs)
{
	struct slab_tiny t;
	struct sim_stats *st;

	/*
	 * 15 allocations on cpu 0 = three refills of 5 (list_lock: grow_end,
	 * then 2 refills), leaving the array empty.  11 = limit + 1 frees: 10
	 * hits fill it, the 11th finds it full: cache_flusharray() gives the 5
	 * oldest to free_block() under list_lock (1 more), then stores the object.
	 */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 15);
	tiny_ops(&t, 0, SIM_EV_FREE, 0, 11);
	st = tiny_run(&t, SMALL);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_allocmiss), 3);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_freehit), 10);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_freemiss), 1);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_shared_flush), 0);
	ck_assert_uint_eq(lock_acq_cpu(st, 0, SIM_LOCK_list_lock), 1 + 2 + 1);
	/* 10 - 5 + 1 objects left in the array; the slab keeps 15 - 5 = 10 in use: no slab freed */
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 6);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_slabs), 1);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_free_slab), 0);
	tiny_done(&t, st);
}
END_TEST

START_TEST(test_overflow_goes_to_shared_array_first)
{
	struct slab_tiny t;
	struct sim_stats *st;

	/*
	 * As above with shared=1: a shared array of 1 x batchcount = 5 entries.
	 * The flush still takes list_lock, but moves the 5 oldest objects there
	 * (no free_block).  cpu 1's first allocation then refills its array from
	 * the shared array: the very objects cpu 0 flushed, no slab touched.
	 */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 15);
	tiny_ops(&t, 0, SIM_EV_FREE, 0, 11);
	tiny_op(&t, 1, SIM_EV_ALLOC, 100);
	st = tiny_run(&t, "limit=10,batchcount=5,shared=1");
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_freemiss), 1);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_shared_flush), 1);
	ck_assert_uint_eq(lock_acq_cpu(st, 0, SIM_LOCK_list_lock), 4);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_shared_refill), 1);
	ck_assert_uint_eq(lock_acq_cpu(st, 1, SIM_LOCK_list_lock), 1);
	/* no object came from a slab for cpu 1: still 15 list allocations, one slab */
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_listallocs), 15);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_grown), 1);
	/* cpu 0's array 6, cpu 1's 5 - 1 = 4, shared 0 */
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 10);
	tiny_done(&t, st);
}
END_TEST

/* --- NUMA: alien caches and node allocations -------------------------------- */

START_TEST(test_remote_free_goes_through_alien_cache)
{
	struct slab_tiny t;
	struct sim_stats *st;

	/*
	 * cpu 0 (node 0) allocates 13: refills of 5 at the 1st, 6th and 11th,
	 * 2 objects left in its array.  cpu 2 (node 1) frees 12 of them: each
	 * takes the alien cache lock of node 1's alien[0] and stores the object;
	 * 12 fit (alloc_alien_cache() limit 12), no list_lock on cpu 2.
	 */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 13);
	tiny_ops(&t, 2, SIM_EV_FREE, 0, 12);
	st = tiny_run_on(&t, SMALL, 4, 2);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_frees), 12);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_overflow), 0);
	ck_assert_uint_eq(lock_acq_cpu(st, 2, SIM_LOCK_alien_lock), 12);
	ck_assert_uint_eq(lock_acq_cpu(st, 2, SIM_LOCK_list_lock), 0);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_freehit) + cnt(st, &t, SIM_CNT_freemiss), 0);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 2 + 12);
	tiny_done(&t, st);

	/* the 13th finds the alien cache full: node_overflow, __drain_alien_cache() under node 0's list_lock */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 13);
	tiny_ops(&t, 2, SIM_EV_FREE, 0, 13);
	st = tiny_run_on(&t, SMALL, 4, 2);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_frees), 13);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_overflow), 1);
	ck_assert_uint_eq(lock_acq_cpu(st, 2, SIM_LOCK_alien_lock), 13);
	ck_assert_uint_eq(lock_acq_cpu(st, 2, SIM_LOCK_list_lock), 1);
	ck_assert_uint_eq(lock_acq(st, &t, SIM_LOCK_list_lock), 3 + 1);
	/* 12 went back to the slab; the 13th waits in the alien cache */
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 2 + 1);
	tiny_done(&t, st);

	/* with shared=1, __drain_alien_cache() first fills node 0's shared array (5), then frees 7 */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 13);
	tiny_ops(&t, 2, SIM_EV_FREE, 0, 13);
	st = tiny_run_on(&t, "limit=10,batchcount=5,shared=1", 4, 2);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_overflow), 1);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 2 + 5 + 1);
	tiny_done(&t, st);
}
END_TEST

START_TEST(test_alien_cache_of_one_for_limit_one)
{
	struct slab_tiny t;
	struct sim_stats *st;

	/* alloc_alien_cache(): a cache whose limit is 1 gets alien caches of 1, not 12:
	 * cpu 2's second remote free overflows it */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 2);
	tiny_ops(&t, 2, SIM_EV_FREE, 0, 2);
	st = tiny_run_on(&t, "limit=1,batchcount=1,shared=0", 4, 2);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_frees), 2);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_overflow), 1);
	ck_assert_uint_eq(lock_acq_cpu(st, 2, SIM_LOCK_list_lock), 1);
	tiny_done(&t, st);
}
END_TEST

START_TEST(test_remote_free_without_alien_caches)
{
	struct slab_tiny t;
	struct sim_stats *st;

	/* alien=off (noaliencache): every remote free takes node 0's list_lock and free_block()s the object */
	tiny_init(&t, 256);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, 13);
	tiny_ops(&t, 2, SIM_EV_FREE, 0, 13);
	st = tiny_run_on(&t, SMALL ",alien=off", 4, 2);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_frees), 13);
	ck_assert_uint_eq(lock_acq_cpu(st, 2, SIM_LOCK_list_lock), 13);
	ck_assert_uint_eq(lock_acq(st, &t, SIM_LOCK_alien_lock), 0);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 2);
	tiny_done(&t, st);
}
END_TEST

START_TEST(test_alloc_for_another_node)
{
	struct slab_tiny t;
	struct sim_stats *st;

	/*
	 * cpu 0 (node 0) asks twice for node 1: ____cache_alloc_node(), no array.
	 * The first finds node 1 empty (list_lock), grows a slab there and
	 * takes one object (cache_grow_end: list_lock); the second takes one
	 * from node 1's partial slab (list_lock, node_allocs).  Freeing both on
	 * cpu 0 is a remote free: their slab is on node 1.
	 */
	tiny_init(&t, 256);
	tiny_event(&t, 0, SIM_EV_ALLOC, 0, t.cache, 1);
	tiny_event(&t, 0, SIM_EV_ALLOC, 1, t.cache, 1);
	tiny_ops(&t, 0, SIM_EV_FREE, 0, 2);
	st = tiny_run_on(&t, SMALL, 4, 2);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_allocs), 1);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_grown), 1);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_allochit) + cnt(st, &t, SIM_CNT_allocmiss), 0);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_listallocs), 0);
	ck_assert_uint_eq(lock_acq(st, &t, SIM_LOCK_list_lock), 3);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_node_frees), 2);
	ck_assert_uint_eq(lock_acq(st, &t, SIM_LOCK_alien_lock), 2);
	tiny_done(&t, st);
}
END_TEST

/* --- the reaper ------------------------------------------------------------- */

/*
 * cpu 0 allocates 5 (one refill: the array is touched) and frees them: 5
 * objects in its array.  Reaper passes run on every cpu at 2 s, 4 s, ...
 */
static struct sim_stats *reap_run_n(struct slab_tiny *t, unsigned n, const char *settings, uint64_t end_ns)
{
	tiny_init(t, 256);
	tiny_ops(t, 0, SIM_EV_ALLOC, 0, n);
	tiny_ops(t, 0, SIM_EV_FREE, 0, n);
	tiny_end_at(t, end_ns);
	return tiny_run(t, settings);
}

static struct sim_stats *reap_run(struct slab_tiny *t, uint64_t end_ns)
{
	return reap_run_n(t, 5, SMALL, end_ns);
}

START_TEST(test_reaper_first_pass_clears_touched)
{
	struct slab_tiny t;
	struct sim_stats *st = reap_run(&t, 3000000000ull);

	/* the 2 s pass finds the array touched: it only clears the flag */
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_reap_objs), 0);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 5);
	ck_assert_uint_ge(st->timer_runs, 4);
	tiny_done(&t, st);
}
END_TEST

START_TEST(test_reaper_frees_a_fifth_of_limit)
{
	struct slab_tiny t;
	struct sim_stats *st = reap_run(&t, 5000000000ull);

	/* 4 s: untouched, drain_array() frees (limit + 4) / 5 = (10 + 4) / 5 = 2 of 5 */
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_reap_objs), 2);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 3);
	tiny_done(&t, st);

	/* 6 s: 2 more (3 -> 1); 8 s: 2 > 1 left, so (1 + 1) / 2 = 1: empty */
	st = reap_run(&t, 9000000000ull);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_reap_objs), 5);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 0);
	/* the slab is free now but within free_limit (1 + 4) x 5 + 16 = 41 objects: kept */
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_slabs), 1);
	tiny_done(&t, st);

	/*
	 * limit=20: (20 + 4) / 5 = 4 per pass.  10 allocated and freed: 4 s
	 * frees 4 (6 left), 6 s 4 (2 left), 8 s finds 4 > 2: (2 + 1) / 2 = 1.
	 */
	st = reap_run_n(&t, 10, "limit=20,batchcount=5,shared=0", 9000000000ull);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_reap_objs), 4 + 4 + 1);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_cached_objs), 1);
	tiny_done(&t, st);
}
END_TEST

START_TEST(test_reaper_releases_free_slabs)
{
	struct slab_tiny t;
	struct sim_stats *st;

	/*
	 * limit=1, batchcount=1: one object allocated and freed on cpu 0 sits in
	 * its array.  4 s: drain_array() frees (1 + 4) / 5 = 1, the slab is
	 * free (free_limit (1 + 4) x 1 + 16 = 21 keeps it).  The node lists are
	 * first due at first use + 4 s, just after the 4 s pass; at 6 s
	 * drain_freelist() releases (21 + 5 x 16 - 1) / (5 x 16) = 1 slab.
	 */
	tiny_init(&t, 256);
	tiny_op(&t, 0, SIM_EV_ALLOC, 0);
	tiny_op(&t, 0, SIM_EV_FREE, 0);
	tiny_end_at(&t, 5000000000ull);
	st = tiny_run(&t, "limit=1,batchcount=1,shared=0");
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_reap_objs), 1);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_reaped), 0);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_slabs), 1);
	tiny_done(&t, st);

	tiny_init(&t, 256);
	tiny_op(&t, 0, SIM_EV_ALLOC, 0);
	tiny_op(&t, 0, SIM_EV_FREE, 0);
	tiny_end_at(&t, 7000000000ull);
	st = tiny_run(&t, "limit=1,batchcount=1,shared=0");
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_reaped), 1);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_free_slab), 1);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_slabs), 0);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_slab_bytes), 0);
	tiny_done(&t, st);
}
END_TEST

/*
 * limit=4, batchcount=4: free_limit (1 + 4) x 4 + 16 = 36.  cpu 0 allocates
 * 48 (slabs A, B, C full) and frees 36: 32 flushed back (A and B free, B at
 * the head of the free list), the last 4 in its array.  Then cpu 1
 * allocates: the partial list is empty, so get_first_slab() sets
 * free_touched and takes B.  The node lists are first due at 6 s: that pass
 * finds free_touched and only clears it; the 10 s pass releases
 * (36 + 80 - 1) / 80 = 1 free slab (A).
 */
static struct sim_stats *free_touched_run(struct slab_tiny *t, uint64_t end_ns)
{
	tiny_init(t, 256);
	tiny_ops(t, 0, SIM_EV_ALLOC, 0, 48);
	tiny_ops(t, 0, SIM_EV_FREE, 0, 36);
	tiny_op(t, 1, SIM_EV_ALLOC, 100);
	tiny_end_at(t, end_ns);
	return tiny_run(t, "limit=4,batchcount=4,shared=0");
}

START_TEST(test_reaper_spares_a_touched_free_list)
{
	struct slab_tiny t;
	struct sim_stats *st = free_touched_run(&t, 7000000000ull);

	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_reaped), 0);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_slabs), 3);
	tiny_done(&t, st);

	st = free_touched_run(&t, 11000000000ull);
	ck_assert_uint_eq(cnt(st, &t, SIM_CNT_reaped), 1);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_slabs), 2);
	tiny_done(&t, st);
}
END_TEST

/* --- metadata ---------------------------------------------------------------- */

struct meta_case {
	unsigned size;
	const char *settings;
	int64_t slabs, per_slab;
	const char *why;
};

static const struct meta_case meta_cases[] = {
	{ 32, "", 2, 124, "6.x on-slab index array: 124 one-byte indices at the slab's end" },
	{ 32, "freelist=desc", 2, 496, "2.6: struct slab (48 B) + 112 four-byte bufctls, aligned: 496 B" },
	{ 256, "freelist=slab", 2, 32, "6.x off-slab: 16 index bytes from kmalloc-32" },
	{ 256, "", 2, 0, "6.x OBJFREELIST: the index array lives in a free object" },
};

START_TEST(test_meta_bytes_per_slab)
{
	const struct meta_case *k = &meta_cases[_i];
	struct slab_tiny t;
	struct sim_stats *st;

	/*
	 * 32 B (124 per slab; 112 in desc mode), defaults: refills of 16
	 * (untouched), 60, then the rest of the first slab; the next miss grows a
	 * second slab: 200 allocations use 2 slabs.  256 B, 20 allocations:
	 * 16 from the first slab, the 17th grows the second.
	 */
	tiny_init(&t, k->size);
	tiny_ops(&t, 0, SIM_EV_ALLOC, 0, k->size == 32 ? 200 : 20);
	st = tiny_run(&t, k->settings);
	ck_assert_int_eq(gauge(st, &t, SIM_GAUGE_slabs), k->slabs);
	ck_assert_msg(gauge(st, &t, SIM_GAUGE_meta_bytes) == k->slabs * k->per_slab,
		      "meta_bytes should be %lld x %lld (%s), is %lld", (long long)k->slabs,
		      (long long)k->per_slab, k->why, (long long)gauge(st, &t, SIM_GAUGE_meta_bytes));
	tiny_done(&t, st);
}
END_TEST

/* --- the interface, driven directly ----------------------------------------------- */

START_TEST(test_direct_ops_valid_and_drained)
{
	const struct sim_policy_ops *ops = policy_find("slab");
	struct sim_machine_config mc;
	struct sim_param_values pv;
	struct machine *m;
	struct sim_op op;
	sim_addr_t objs[64];
	struct slab_tiny t;
	char why[256] = "";
	void *pol;

	tiny_init(&t, 256);
	sim_machine_config_defaults(&mc);
	mc.ncpus = 4;
	mc.nnodes = 2;
	m = machine_create(&mc, &t.w);
	policy_params_default(ops, &pv);
	pol = ops->create(m, &pv);
	/* 64 objects allocated on cpus 0-3, each freed on a cpu of the other node, a reaper pass on each */
	for (unsigned i = 0; i < 64; i++) {
		machine_op_begin(m, &op, i % 4, t.cache, 1000 * i);
		objs[i] = ops->alloc(pol, &op);
		ck_assert_uint_ne(objs[i], 0);
	}
	for (unsigned i = 0; i < 64; i++) {
		machine_op_begin(m, &op, (i + 2) % 4, t.cache, 100000 + 1000 * i);
		ops->free(pol, &op, objs[i]);
	}
	for (unsigned cpu = 0; cpu < 4; cpu++) {
		machine_op_begin(m, &op, cpu, 0, 200000);
		ops->timer(pol, &op);
	}
	ck_assert_msg(ops->is_valid(pol, why, sizeof(why)), "slab's state should be consistent: %s", why);
	ck_assert_uint_eq(m->locks_held, 0);
	ck_assert_uint_gt(sim_stats_counter_total(m->stats, SIM_CNT_node_frees), 0);
	machine_op_begin(m, &op, 0, 0, 300000);
	ops->drain(pol, &op);
	ck_assert_msg(ops->is_valid(pol, why, sizeof(why)), "consistent after a drain: %s", why);
	ck_assert_uint_eq(m->locks_held, 0);
	/* everything was freed: a drain leaves no cached object, no slab and no metadata */
	ck_assert_int_eq(sim_stats_gauge(m->stats, t.cache)[SIM_GAUGE_cached_objs].cur, 0);
	ck_assert_int_eq(sim_stats_gauge(m->stats, t.cache)[SIM_GAUGE_slabs].cur, 0);
	ck_assert_int_eq(sim_stats_gauge(m->stats, t.cache)[SIM_GAUGE_meta_bytes].cur, 0);
	ops->destroy(pol);
	machine_destroy(m);
	sim_workload_fini(&t.w);
}
END_TEST

START_TEST(test_free_block_appends_to_partial_tail)
{
	const struct sim_policy_ops *ops = policy_find("slab");
	struct sim_machine_config mc;
	struct sim_param_values pv;
	struct machine *m;
	struct sim_op op;
	sim_addr_t objs[2 * PER_SLAB];
	struct slab_tiny t;
	char err[128];
	sim_cycles_t now = 0;
	void *pol;

	/*
	 * limit=1: every free of a second object flushes the first.  cpu 0
	 * fills slabs A (objects 0-15) and B (16-31), then frees a0, b0 and a1:
	 * a0 lands in A (full -> partial), b0 in B (full -> partial, after A:
	 * free_block() adds at the tail, "maximum time for the other objects to
	 * be freed").  cpu 1's refill takes the head, A, whose freelist top is a0.
	 */
	tiny_init(&t, 256);
	sim_machine_config_defaults(&mc);
	m = machine_create(&mc, &t.w);
	policy_params_default(ops, &pv);
	ck_assert_int_eq(policy_params_apply(ops, &pv, "limit=1,batchcount=1,shared=0", err, sizeof(err)), 0);
	pol = ops->create(m, &pv);
	for (unsigned i = 0; i < 2 * PER_SLAB; i++, now += 1000) {
		machine_op_begin(m, &op, 0, t.cache, now);
		objs[i] = ops->alloc(pol, &op);
	}
	ck_assert_uint_ne(objs[PER_SLAB] >> 12, objs[0] >> 12);	/* two slabs of one page each */
	for (unsigned k = 0; k < 3; k++, now += 1000) {
		machine_op_begin(m, &op, 0, t.cache, now);
		ops->free(pol, &op, objs[k == 0 ? 0 : k == 1 ? PER_SLAB : 1]);
	}
	machine_op_begin(m, &op, 1, t.cache, now);
	ck_assert_msg(ops->alloc(pol, &op) == objs[0], "the refill should come from A, the older partial slab");
	ops->destroy(pol);
	machine_destroy(m);
	sim_workload_fini(&t.w);
}
END_TEST

/* --- a real trace ---------------------------------------------------------------- */

struct real_variant {
	const char *settings;
	unsigned cpus, nodes;
	enum sim_timing timing;
	enum sim_cpu_map map;
};

static const struct real_variant real_variants[] = {
	{ "", 4, 1, SIM_TIMING_TRACE, SIM_MAP_FOLD },
	{ "", 16, 2, SIM_TIMING_CLOSED, SIM_MAP_SPREAD },
	{ "reap_ms=20", 4, 1, SIM_TIMING_TRACE, SIM_MAP_FOLD },
	{ "reap_ms=20", 16, 2, SIM_TIMING_TRACE, SIM_MAP_SPREAD },
	{ "alien=off,freelist=desc", 16, 2, SIM_TIMING_CLOSED, SIM_MAP_SPREAD },
	{ "limit=1,batchcount=1,shared=0,freelist=slab", 4, 1, SIM_TIMING_CLOSED, SIM_MAP_FOLD },
};

static struct sim_workload real_trace;
static bool real_loaded;

static void real_teardown(void)
{
	if (real_loaded)
		sim_workload_fini(&real_trace);
	real_loaded = false;
}

static const struct sim_workload *real_get(void)
{
	char err[512];

	if (!real_loaded) {
		sim_workload_init(&real_trace);
		ck_assert_msg(trace_load(tutil_srcpath("traces/samples/fork_exec-head.trace.xz"), &real_trace,
					 err, sizeof(err)) == 0, "the bundled trace should load: %s", err);
		real_loaded = true;
	}
	return &real_trace;
}

/* The relations tests/check_invariants.c checks. */
static void real_check_books(const struct sim_stats *st, const char *what)
{
	const struct sim_gauge *tot = &st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT];

	ck_assert_msg((uint64_t)tot[SIM_GAUGE_live_objs].cur == st->outstanding_allocs,
		      "%s: live objects should equal the outstanding allocations", what);
	ck_assert_msg((uint64_t)tot[SIM_GAUGE_live_bytes].cur == st->outstanding_bytes,
		      "%s: live bytes should equal the outstanding allocations' bytes", what);
	ck_assert_msg((uint64_t)(tot[SIM_GAUGE_slab_bytes].cur + tot[SIM_GAUGE_large_bytes].cur) ==
		      st->page_bytes_used, "%s: slab and large-kmalloc bytes should equal the pages in use", what);
	ck_assert_msg(st->locks_held_at_end == 0, "%s: every lock should be released", what);
	ck_assert_msg(sim_stats_counter_total(st, SIM_CNT_alloc) + sim_stats_counter_total(st, SIM_CNT_free) +
		      sim_stats_counter_total(st, SIM_CNT_alloc_failed) == st->events_replayed,
		      "%s: every replayed event should be one alloc, free or failed alloc", what);
	/* every allocation is a hit, a miss, or a request for another node */
	ck_assert_msg(sim_stats_counter_total(st, SIM_CNT_allochit) + sim_stats_counter_total(st, SIM_CNT_allocmiss) <=
		      sim_stats_counter_total(st, SIM_CNT_alloc), "%s: hits and misses are allocations", what);
	ck_assert_msg(sim_stats_counter_total(st, SIM_CNT_freehit) + sim_stats_counter_total(st, SIM_CNT_freemiss) +
		      sim_stats_counter_total(st, SIM_CNT_node_frees) == sim_stats_counter_total(st, SIM_CNT_free),
		      "%s: every free is a hit, a miss or a remote free", what);
	ck_assert_msg(tot[SIM_GAUGE_cached_objs].cur >= 0 && tot[SIM_GAUGE_meta_bytes].cur >= 0,
		      "%s: gauges stay non-negative", what);
}

START_TEST(test_real_trace_books_balance)
{
	const struct real_variant *v = &real_variants[_i];
	const struct sim_policy_ops *ops = policy_find("slab");
	const struct sim_workload *w = real_get();
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	char err[512], what[256];

	snprintf(what, sizeof(what), "slab '%s' on %u cpus, %u nodes", v->settings, v->cpus, v->nodes);
	policy_params_default(ops, &pv);
	ck_assert_int_eq(policy_params_apply(ops, &pv, v->settings, err, sizeof(err)), 0);
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	cfg.mach.ncpus = v->cpus;
	cfg.mach.nnodes = v->nodes;
	cfg.mach.timing = v->timing;
	cfg.mach.map = v->map;
	ck_assert_msg(sim_replay(w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "%s: the verified replay should succeed: %s", what, err);
	real_check_books(st, what);
	ck_assert_msg(st->events_replayed == sim_workload_replayable(w), "%s: every event replayed", what);
	if (v->nodes > 1 && v->map == SIM_MAP_SPREAD)
		ck_assert_msg(sim_stats_counter_total(st, SIM_CNT_node_frees) > 0,
			      "%s: spread over 2 nodes, some frees should be remote", what);
	if (strstr(v->settings, "reap_ms") && v->timing == SIM_TIMING_TRACE)
		ck_assert_msg(st->timer_runs > 0 && sim_stats_counter_total(st, SIM_CNT_reap_objs) > 0,
			      "%s: the reaper should run and drain arrays", what);
	sim_stats_destroy(st);

	o.drain_at_end = true;
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, &o, &st, err, sizeof(err)), 0);
	ck_assert_msg(st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT + SIM_GAUGE_cached_objs].cur == 0,
		      "%s: after a drain no free object should be cached", what);
	ck_assert_msg(st->locks_held_at_end == 0, "%s: the drain should release its locks", what);
	ck_assert_msg((uint64_t)st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT + SIM_GAUGE_slab_bytes].cur ==
		      st->page_bytes_used, "%s: after a drain slab bytes should still equal the pages in use", what);
	sim_stats_destroy(st);
}
END_TEST

Suite *slab_suite(void)
{
	Suite *s = suite_create("slab");
	TCase *tc = tcase_create("tiny traces");
	TCase *real = tcase_create("real trace");

	tcase_add_test(tc, test_enable_cpucache_defaults);
	tcase_add_loop_test(tc, test_slab_geometry, 0, (int)SIM_ARRAY_SIZE(geo_cases));
	tcase_add_test(tc, test_first_alloc_refills_batchcount);
	tcase_add_test(tc, test_untouched_refill_is_limited);
	tcase_add_test(tc, test_overflow_flushes_batchcount_to_slabs);
	tcase_add_test(tc, test_overflow_goes_to_shared_array_first);
	tcase_add_test(tc, test_remote_free_goes_through_alien_cache);
	tcase_add_test(tc, test_alien_cache_of_one_for_limit_one);
	tcase_add_test(tc, test_remote_free_without_alien_caches);
	tcase_add_test(tc, test_alloc_for_another_node);
	tcase_add_test(tc, test_reaper_first_pass_clears_touched);
	tcase_add_test(tc, test_reaper_frees_a_fifth_of_limit);
	tcase_add_test(tc, test_reaper_releases_free_slabs);
	tcase_add_test(tc, test_reaper_spares_a_touched_free_list);
	tcase_add_loop_test(tc, test_meta_bytes_per_slab, 0, (int)SIM_ARRAY_SIZE(meta_cases));
	tcase_add_test(tc, test_direct_ops_valid_and_drained);
	tcase_add_test(tc, test_free_block_appends_to_partial_tail);
	suite_add_tcase(s, tc);
	tcase_set_timeout(real, 300);
	tcase_add_unchecked_fixture(real, NULL, real_teardown);
	tcase_add_loop_test(real, test_real_trace_books_balance, 0, (int)SIM_ARRAY_SIZE(real_variants));
	suite_add_tcase(s, real);
	return s;
}
