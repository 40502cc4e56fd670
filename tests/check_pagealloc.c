/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_pagealloc.c - the page allocator model through sim_page_alloc and
 * sim_page_free: alignment, no overlap, buddy merging, the per-cpu page
 * lists (refill, drain, bypass above order 3) and node placement.
 */
#include "config.h"

#include <check.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

#include "sim/machine.h"
#include "sim/pagealloc.h"
#include "sim/workload.h"
#include "tests/check_suites.h"

#define BLOCK_PAGES (1u << PAGEALLOC_MAX_ORDER)	/* 1024 pages: the zone's unit of growth */

struct pa_fixture {
	struct sim_workload w;
	struct machine *m;
	unsigned cache;
	sim_cycles_t now;	/* start time of the next op */
};

/* A machine of ncpus cpus in nnodes nodes; batch/high 0 keep the defaults (63/378). */
static void paf_init(struct pa_fixture *f, unsigned ncpus, unsigned nnodes,
		     unsigned batch, unsigned high)
{
	struct sim_machine_config cfg;
	const char *why = NULL;

	sim_workload_init(&f->w);
	f->cache = sim_workload_cache(&f->w, "test", 64, 0);
	sim_machine_config_defaults(&cfg);
	cfg.ncpus = ncpus;
	cfg.nnodes = nnodes;
	if (batch)
		cfg.pcp_batch = batch;
	if (high)
		cfg.pcp_high = high;
	ck_assert_msg(sim_machine_config_check(&cfg, &why) == 0, "the test machine should be valid");
	f->m = machine_create(&cfg, &f->w);
	ck_assert_ptr_nonnull(f->m);
	f->now = 1000;
}

static void paf_fini(struct pa_fixture *f)
{
	ck_assert_msg(pagealloc_is_valid(f->m->pages), "the page allocator should be valid at the end");
	ck_assert_uint_eq(f->m->locks_held, 0);
	machine_destroy(f->m);
	sim_workload_fini(&f->w);
}

static sim_addr_t pa_alloc(struct pa_fixture *f, unsigned cpu, unsigned order, int node)
{
	struct sim_op op;
	sim_addr_t a;

	machine_op_begin(f->m, &op, cpu, f->cache, f->now);
	a = sim_page_alloc(&op, order, node);
	f->now = op.now + 1;
	ck_assert_uint_eq(f->m->locks_held, 0);
	ck_assert_int_eq(sim_addr_region(a), SIM_REGION_PAGES);
	/* a block of 2^order pages starts on a multiple of 2^order pages */
	ck_assert_msg(sim_addr_offset(a) % ((uint64_t)SIM_PAGE_BYTES << order) == 0,
		      "an order-%u block should be aligned to %u pages", order, 1u << order);
	return a;
}

static void pa_free(struct pa_fixture *f, unsigned cpu, sim_addr_t a, unsigned order)
{
	struct sim_op op;

	machine_op_begin(f->m, &op, cpu, f->cache, f->now);
	sim_page_free(&op, a, order);
	f->now = op.now + 1;
	ck_assert_uint_eq(f->m->locks_held, 0);
}

static uint64_t pa_pfn(sim_addr_t a)
{
	return sim_addr_offset(a) >> SIM_PAGE_SHIFT;
}

static uint64_t cnt(struct pa_fixture *f, unsigned cpu, enum sim_counter c)
{
	return sim_stats_counter_cpu(f->m->stats, cpu)[c];
}

static uint64_t lock_acq(struct pa_fixture *f, unsigned cpu, enum sim_lock_class cls)
{
	return sim_stats_lock_cpu(f->m->stats, cpu, cls)->acquired;
}

/* --- alignment, overlap, merging --------------------------------------- */

START_TEST(pa_blocks_are_aligned_to_their_order)
{
	struct pa_fixture f;
	uint64_t used = 0;

	paf_init(&f, 4, 1, 0, 0);
	/* an order-0 page first, so that later blocks cannot all start at pfn 0 by luck */
	(void)pa_alloc(&f, 0, 0, SIM_NO_NODE);
	used += 1;
	for (unsigned round = 0; round < 3; round++)
		for (unsigned order = 0; order <= PAGEALLOC_MAX_ORDER; order++) {
			(void)pa_alloc(&f, round % 4, order, SIM_NO_NODE);
			used += 1u << order;
			ck_assert_msg(pagealloc_is_valid(f.m->pages), "valid after an order-%u alloc", order);
		}
	/* 1 + 3 * (2^11 - 1) = 1 + 3 * 2047 = 6142 pages */
	ck_assert_uint_eq(used, 6142);
	ck_assert_uint_eq(pagealloc_pages_used(f.m->pages), 6142);
	paf_fini(&f);
}
END_TEST

struct live_block {
	sim_addr_t a;
	unsigned order, cpu;
};

static bool blocks_overlap(const struct live_block *x, const struct live_block *y)
{
	uint64_t x0 = pa_pfn(x->a), x1 = x0 + (1u << x->order);
	uint64_t y0 = pa_pfn(y->a), y1 = y0 + (1u << y->order);

	return sim_addr_node(x->a) == sim_addr_node(y->a) && x0 < y1 && y0 < x1;
}

/*
 * Allocates and frees blocks of random orders in [min_order, 10] on random
 * cpus (seeded), checking alignment, overlap with every live block, the
 * used-page count and pagealloc_is_valid() after every step, then frees
 * everything in random order.  Returns the highest pfn + 1 ever handed out.
 */
static uint64_t random_churn(struct pa_fixture *f, unsigned min_order, unsigned steps)
{
	enum { MAXLIVE = 256 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct live_block live[MAXLIVE];
	unsigned n = 0, orders = PAGEALLOC_MAX_ORDER + 1 - min_order;
	uint64_t used = 0, top = 0, allocs = 0;

	ck_assert_ptr_nonnull(r);
	gsl_rng_set(r, 42);
	for (unsigned step = 0; step < steps || n; step++) {
		bool alloc = step < steps && n < MAXLIVE && (n == 0 || gsl_rng_uniform(r) < 0.55);

		if (alloc) {
			struct live_block b;

			b.order = min_order + (unsigned)gsl_rng_uniform_int(r, orders);
			b.cpu = (unsigned)gsl_rng_uniform_int(r, f->m->ncpus);
			b.a = pa_alloc(f, b.cpu, b.order, SIM_NO_NODE);
			for (unsigned i = 0; i < n; i++)
				ck_assert_msg(!blocks_overlap(&b, &live[i]),
					      "a new order-%u block at pfn %llu overlaps a live order-%u block at pfn %llu",
					      b.order, (unsigned long long)pa_pfn(b.a), live[i].order,
					      (unsigned long long)pa_pfn(live[i].a));
			live[n++] = b;
			used += 1u << b.order;
			top = SIM_MAX(top, pa_pfn(b.a) + (1u << b.order));
			allocs++;
		} else {
			unsigned i = (unsigned)gsl_rng_uniform_int(r, n);

			/* freed from a random cpu, not necessarily the allocating one */
			pa_free(f, (unsigned)gsl_rng_uniform_int(r, f->m->ncpus), live[i].a, live[i].order);
			used -= 1u << live[i].order;
			live[i] = live[--n];
		}
		ck_assert_uint_eq(pagealloc_pages_used(f->m->pages), used);
		ck_assert_msg(pagealloc_is_valid(f->m->pages), "the allocator should be valid at step %u", step);
	}
	ck_assert_uint_ge(allocs, steps / 3);
	ck_assert_uint_eq(pagealloc_pages_used(f->m->pages), 0);
	gsl_rng_free(r);
	return top;
}

START_TEST(pa_random_orders_never_overlap)
{
	struct pa_fixture f;

	paf_init(&f, 4, 1, 0, 0);
	(void)random_churn(&f, 0, 3000);
	/* every page handed out came back: the count is 0 (checked in random_churn) */
	paf_fini(&f);
}
END_TEST

/*
 * With orders 4..10 only, every block goes through the buddy lists (no
 * per-cpu list keeps pages back), and every order-10 block of memory the
 * zone grew by had its first pages handed out at once (growth happens only
 * to serve a request, from the new block).  So the zone holds exactly
 * K = ceil(top / 1024) order-10 blocks, where top is the highest pfn + 1
 * ever handed out.  After everything is freed and merged, K order-10
 * allocations must all fit below pfn K * 1024, and the next one must grow
 * the zone: it lands at pfn K * 1024.
 */
START_TEST(pa_buddies_merge_back_after_freeing_everything)
{
	struct pa_fixture f;
	uint64_t top, k;
	sim_addr_t *big;

	paf_init(&f, 4, 1, 0, 0);
	top = random_churn(&f, 4, 2000);
	k = (top + BLOCK_PAGES - 1) / BLOCK_PAGES;
	ck_assert_uint_ge(k, 2);	/* the churn must have needed more than one block */
	big = calloc(k + 1, sizeof(*big));
	ck_assert_ptr_nonnull(big);
	for (uint64_t i = 0; i < k; i++) {
		big[i] = pa_alloc(&f, 0, PAGEALLOC_MAX_ORDER, SIM_NO_NODE);
		ck_assert_msg(pa_pfn(big[i]) + BLOCK_PAGES <= k * BLOCK_PAGES,
			      "order-10 block %llu of %llu should come from merged memory, below pfn %llu",
			      (unsigned long long)i, (unsigned long long)k,
			      (unsigned long long)(k * BLOCK_PAGES));
	}
	for (uint64_t i = 0; i < k; i++)
		for (uint64_t j = i + 1; j < k; j++)
			ck_assert_uint_ne(pa_pfn(big[i]), pa_pfn(big[j]));
	big[k] = pa_alloc(&f, 0, PAGEALLOC_MAX_ORDER, SIM_NO_NODE);
	ck_assert_uint_eq(pa_pfn(big[k]), k * BLOCK_PAGES);
	ck_assert_uint_eq(pagealloc_pages_used(f.m->pages), (k + 1) * BLOCK_PAGES);
	for (uint64_t i = 0; i <= k; i++)
		pa_free(&f, (unsigned)(i % 4), big[i], PAGEALLOC_MAX_ORDER);
	ck_assert_uint_eq(pagealloc_pages_used(f.m->pages), 0);
	free(big);
	paf_fini(&f);
}
END_TEST

START_TEST(pa_freed_buddies_merge_into_the_parent)
{
	struct pa_fixture f;
	sim_addr_t a, b, c;

	paf_init(&f, 4, 1, 0, 0);
	/* orders 4+ bypass the pcp lists, so frees reach the buddy lists at once */
	a = pa_alloc(&f, 0, 4, SIM_NO_NODE);
	b = pa_alloc(&f, 0, 4, SIM_NO_NODE);
	ck_assert_uint_eq(pa_pfn(a) ^ pa_pfn(b), 16);	/* buddies: pfns differ in bit 4 */
	pa_free(&f, 0, a, 4);
	pa_free(&f, 0, b, 4);
	/* merged back into one order-5 block where the pair was (and up to order 10) */
	c = pa_alloc(&f, 0, 5, SIM_NO_NODE);
	ck_assert_uint_eq(pa_pfn(c), SIM_MIN(pa_pfn(a), pa_pfn(b)));
	pa_free(&f, 0, c, 5);
	paf_fini(&f);
}
END_TEST

/* --- per-cpu page lists ---------------------------------------------------- */

START_TEST(pa_pcp_refill_takes_zone_lock_once_per_batch)
{
	struct pa_fixture f;

	paf_init(&f, 4, 1, 0, 0);	/* batch 63 */
	(void)pa_alloc(&f, 1, 0, SIM_NO_NODE);
	ck_assert_uint_eq(lock_acq(&f, 1, SIM_LOCK_zone_lock), 1);
	ck_assert_uint_eq(cnt(&f, 1, SIM_CNT_pcp_refill), 1);
	ck_assert_uint_eq(lock_acq(&f, 1, SIM_LOCK_pcp_lock), 1);
	/* the refill moved 63 >> 0 = 63 pages: 62 more come from the list */
	for (unsigned i = 1; i < 63; i++)
		(void)pa_alloc(&f, 1, 0, SIM_NO_NODE);
	ck_assert_uint_eq(lock_acq(&f, 1, SIM_LOCK_zone_lock), 1);
	ck_assert_uint_eq(cnt(&f, 1, SIM_CNT_pcp_refill), 1);
	ck_assert_uint_eq(lock_acq(&f, 1, SIM_LOCK_pcp_lock), 63);
	/* the 64th finds the list empty and refills again */
	(void)pa_alloc(&f, 1, 0, SIM_NO_NODE);
	ck_assert_uint_eq(lock_acq(&f, 1, SIM_LOCK_zone_lock), 2);
	ck_assert_uint_eq(cnt(&f, 1, SIM_CNT_pcp_refill), 2);
	ck_assert_uint_eq(cnt(&f, 1, SIM_CNT_page_alloc), 64);
	/* other cpus did nothing */
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_zone_lock), 0);
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_pcp_lock), 0);
	/* another cpu has its own list: its first alloc refills too */
	(void)pa_alloc(&f, 2, 0, SIM_NO_NODE);
	ck_assert_uint_eq(lock_acq(&f, 2, SIM_LOCK_zone_lock), 1);
	ck_assert_uint_eq(cnt(&f, 2, SIM_CNT_pcp_refill), 1);
	ck_assert_uint_eq(pagealloc_pages_used(f.m->pages), 65);
	paf_fini(&f);
}
END_TEST

START_TEST(pa_pcp_batch_shrinks_with_order)
{
	struct pa_fixture f;

	paf_init(&f, 4, 1, 0, 0);	/* batch 63: order 3 refills 63 >> 3 = 7 blocks */
	for (unsigned i = 0; i < 7; i++)
		(void)pa_alloc(&f, 0, 3, SIM_NO_NODE);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_refill), 1);
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_zone_lock), 1);
	(void)pa_alloc(&f, 0, 3, SIM_NO_NODE);	/* the 8th refills */
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_refill), 2);
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_zone_lock), 2);
	/* 8 order-3 blocks = 64 pages */
	ck_assert_uint_eq(pagealloc_pages_used(f.m->pages), 64);
	paf_fini(&f);
}
END_TEST

START_TEST(pa_pcp_is_lifo)
{
	struct pa_fixture f;
	sim_addr_t a, b;

	paf_init(&f, 4, 1, 0, 0);
	a = pa_alloc(&f, 0, 0, SIM_NO_NODE);
	pa_free(&f, 0, a, 0);
	/* the page just freed is the hottest: the next alloc gets it back */
	b = pa_alloc(&f, 0, 0, SIM_NO_NODE);
	ck_assert_uint_eq(b, a);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_refill), 1);
	paf_fini(&f);
}
END_TEST

START_TEST(pa_pcp_drains_at_high)
{
	struct pa_fixture f;
	sim_addr_t a[8];

	paf_init(&f, 4, 1, 4, 8);	/* batch 4, high 8 */
	/*
	 * 8 order-0 allocs on cpu 0: the 1st refills 4 (3 left), the 2nd-4th
	 * empty the list, the 5th refills 4 (3 left), the 6th-8th empty it.
	 */
	for (unsigned i = 0; i < 8; i++)
		a[i] = pa_alloc(&f, 0, 0, SIM_NO_NODE);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_refill), 2);
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_zone_lock), 2);
	/* frees fill the empty list: 1..7 pages stay below high = 8 */
	for (unsigned i = 0; i < 7; i++)
		pa_free(&f, 0, a[i], 0);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_drain), 0);
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_zone_lock), 2);
	/* the 8th reaches high: batch = 4 pages go back under the zone lock */
	pa_free(&f, 0, a[7], 0);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_drain), 1);
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_zone_lock), 3);
	ck_assert_uint_eq(pagealloc_pages_used(f.m->pages), 0);
	/* 4 pages left on the list: 4 allocs need no refill, the 5th does */
	for (unsigned i = 0; i < 4; i++)
		a[i] = pa_alloc(&f, 0, 0, SIM_NO_NODE);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_refill), 2);
	a[4] = pa_alloc(&f, 0, 0, SIM_NO_NODE);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_refill), 3);
	for (unsigned i = 0; i < 5; i++)
		pa_free(&f, 0, a[i], 0);
	paf_fini(&f);
}
END_TEST

START_TEST(pa_frees_go_to_the_freeing_cpus_list)
{
	struct pa_fixture f;
	sim_addr_t a;

	paf_init(&f, 4, 1, 4, 8);
	a = pa_alloc(&f, 0, 0, SIM_NO_NODE);
	pa_free(&f, 3, a, 0);
	ck_assert_uint_eq(lock_acq(&f, 3, SIM_LOCK_pcp_lock), 1);
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_pcp_lock), 1);
	/* cpu 3's list holds that page: its alloc needs no refill and gets it back */
	ck_assert_uint_eq(pa_alloc(&f, 3, 0, SIM_NO_NODE), a);
	ck_assert_uint_eq(cnt(&f, 3, SIM_CNT_pcp_refill), 0);
	pa_free(&f, 3, a, 0);
	paf_fini(&f);
}
END_TEST

START_TEST(pa_high_orders_bypass_pcp)
{
	struct pa_fixture f;
	sim_addr_t a[3];

	paf_init(&f, 4, 1, 0, 0);
	for (unsigned i = 0; i < 3; i++) {
		a[i] = pa_alloc(&f, 0, 4, SIM_NO_NODE);
		/* order 4 > 3: the zone lock every time, the pcp lock never */
		ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_zone_lock), i + 1);
	}
	for (unsigned i = 0; i < 3; i++)
		pa_free(&f, 0, a[i], 4);
	/* 3 allocs + 3 frees = 6 */
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_zone_lock), 6);
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_pcp_lock), 0);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_refill), 0);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_pcp_drain), 0);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_page_alloc), 3);
	ck_assert_uint_eq(cnt(&f, 0, SIM_CNT_page_free), 3);
	/* order 3 is the largest that goes through the list */
	(void)pa_alloc(&f, 0, 3, SIM_NO_NODE);
	ck_assert_uint_eq(lock_acq(&f, 0, SIM_LOCK_pcp_lock), 1);
	paf_fini(&f);
}
END_TEST

/* --- nodes ------------------------------------------------------------------ */

START_TEST(pa_blocks_land_on_the_requested_node)
{
	struct pa_fixture f;
	static const unsigned orders[] = { 0, 3, 4, 10 };

	paf_init(&f, 4, 2, 0, 0);	/* cpus 0,1 on node 0; cpus 2,3 on node 1 */
	for (size_t i = 0; i < SIM_ARRAY_SIZE(orders); i++) {
		unsigned o = orders[i];
		sim_addr_t a1 = pa_alloc(&f, 0, o, 1);
		sim_addr_t a0 = pa_alloc(&f, 3, o, 0);
		sim_addr_t d0 = pa_alloc(&f, 1, o, SIM_NO_NODE);
		sim_addr_t d1 = pa_alloc(&f, 2, o, SIM_NO_NODE);

		ck_assert_uint_eq(sim_addr_node(a1), 1);	/* asked for node 1 from cpu 0 */
		ck_assert_uint_eq(sim_addr_node(a0), 0);	/* asked for node 0 from cpu 3 */
		ck_assert_uint_eq(sim_addr_node(d0), 0);	/* cpu 1's node */
		ck_assert_uint_eq(sim_addr_node(d1), 1);	/* cpu 2's node */
		ck_assert_uint_eq(sim_addr_node(sim_page_struct(a1)), 1);
		/* freed from a cpu of the other node, each goes home */
		pa_free(&f, 2, a0, o);
		pa_free(&f, 0, a1, o);
		pa_free(&f, 0, d0, o);
		pa_free(&f, 3, d1, o);
		ck_assert_uint_eq(pagealloc_pages_used(f.m->pages), 0);
		ck_assert_msg(pagealloc_is_valid(f.m->pages), "valid after order-%u cross-node frees", o);
	}
	paf_fini(&f);
}
END_TEST

START_TEST(pa_nodes_have_separate_zones)
{
	struct pa_fixture f;

	paf_init(&f, 4, 2, 0, 0);
	/* the first order-10 block of each node starts at that node's pfn 0 */
	ck_assert_uint_eq(pa_pfn(pa_alloc(&f, 0, 10, 0)), 0);
	ck_assert_uint_eq(pa_pfn(pa_alloc(&f, 0, 10, 1)), 0);
	ck_assert_uint_eq(pagealloc_pages_used(f.m->pages), 2 * BLOCK_PAGES);
	paf_fini(&f);
}
END_TEST

Suite *pagealloc_suite(void)
{
	Suite *s = suite_create("pagealloc");
	TCase *buddy = tcase_create("buddy");
	TCase *pcp = tcase_create("pcp");
	TCase *node = tcase_create("node");

	tcase_add_test(buddy, pa_blocks_are_aligned_to_their_order);
	tcase_add_test(buddy, pa_random_orders_never_overlap);
	tcase_add_test(buddy, pa_buddies_merge_back_after_freeing_everything);
	tcase_add_test(buddy, pa_freed_buddies_merge_into_the_parent);
	tcase_set_timeout(buddy, 60);
	suite_add_tcase(s, buddy);

	tcase_add_test(pcp, pa_pcp_refill_takes_zone_lock_once_per_batch);
	tcase_add_test(pcp, pa_pcp_batch_shrinks_with_order);
	tcase_add_test(pcp, pa_pcp_is_lifo);
	tcase_add_test(pcp, pa_pcp_drains_at_high);
	tcase_add_test(pcp, pa_frees_go_to_the_freeing_cpus_list);
	tcase_add_test(pcp, pa_high_orders_bypass_pcp);
	suite_add_tcase(s, pcp);

	tcase_add_test(node, pa_blocks_land_on_the_requested_node);
	tcase_add_test(node, pa_nodes_have_separate_zones);
	suite_add_tcase(s, node);
	return s;
}
