/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_cacheline.c - the coherence model, by hand-computed cases on the
 * default cost table: hit 4, mem_local 200, mem_remote 320, xfer_local 120,
 * xfer_remote 300, atomic surcharge 20 cycles (sim/cost.h).
 */
#include "config.h"

#include <check.h>
#include <gsl/gsl_rng.h>
#include <string.h>

#include "sim/cacheline.h"
#include "tests/check_suites.h"

#define BIG_KB 1024		/* a cache large enough never to evict in these tests */
#define BIG_WAYS 16
#define MAXCPU 128

struct cl_fixture {
	struct sim_cost_table cost;
	unsigned node[MAXCPU];
	struct sim_touch_stat t[MAXCPU];
	struct coherence *c;
};

/* A model of ncpus cpus, split into nnodes blocks of consecutive cpus. */
static void clf_init(struct cl_fixture *f, unsigned ncpus, unsigned nnodes,
		     unsigned cache_kb, unsigned ways)
{
	memset(f, 0, sizeof(*f));
	sim_cost_defaults(&f->cost);
	for (unsigned i = 0; i < ncpus; i++)
		f->node[i] = i / (ncpus / nnodes);
	f->c = coherence_create(ncpus, f->node, cache_kb, ways, &f->cost);
	ck_assert_ptr_nonnull(f->c);
}

static void clf_fini(struct cl_fixture *f)
{
	ck_assert_msg(coherence_is_valid(f->c), "directory and private caches should agree at the end");
	coherence_destroy(f->c);
}

/* Address of line i in node's page memory. */
static sim_addr_t line_addr(unsigned node, uint64_t i)
{
	return sim_addr_make(SIM_REGION_PAGES, node, i * SIM_LINE_BYTES);
}

/* One access; checks how it was served and returns its cost. */
static sim_cycles_t acc(struct cl_fixture *f, unsigned cpu, sim_addr_t a, enum cl_kind k,
			sim_cycles_t now, enum cl_outcome want)
{
	enum cl_outcome o = CL_HIT;
	sim_cycles_t cyc = cacheline_access(f->c, cpu, a, k, now, &f->t[cpu], NULL, &o);

	ck_assert_msg(o == want, "cpu %u's access (kind %d) should be served as outcome %d, was %d",
		      cpu, (int)k, (int)want, (int)o);
	return cyc;
}

/* --- (a) two cpus writing one line alternately ------------------------- */

START_TEST(cl_pingpong_same_node_transfers_locally)
{
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 7);
	sim_cycles_t total = 0;
	struct sim_touch_stat both;

	clf_init(&f, 2, 1, BIG_KB, BIG_WAYS);
	/* first write: nobody holds the line, home node 0 = cpu 0's node -> mem_local */
	ck_assert_uint_eq(acc(&f, 0, a, CL_WRITE, 0, CL_MEM_LOCAL), 200);
	total += 200;
	for (unsigned i = 1; i < 10; i++) {
		unsigned cpu = i % 2;
		/* the other cpu owns it modified, same node -> xfer_local = 120 */
		sim_cycles_t cyc = acc(&f, cpu, a, CL_WRITE, i * 1000, CL_XFER_LOCAL);

		ck_assert_uint_eq(cyc, 120);
		total += cyc;
		ck_assert_uint_eq(cacheline_holders(f.c, a), 1);
		ck_assert_msg(cacheline_is_held(f.c, cpu, a), "the last writer should hold the line");
		ck_assert_msg(!cacheline_is_held(f.c, 1 - cpu, a), "the previous writer should have lost it");
	}
	/* 200 + 9 * 120 = 1280 */
	ck_assert_uint_eq(total, 1280);
	/* cpu 0 wrote at i = 0, 2, 4, 6, 8: 1 miss + 4 transfers; cpu 1 at i = 1, 3, 5, 7, 9 */
	ck_assert_uint_eq(f.t[0].writes, 5);
	ck_assert_uint_eq(f.t[0].mem_local, 1);
	ck_assert_uint_eq(f.t[0].xfer_local, 4);
	ck_assert_uint_eq(f.t[1].writes, 5);
	ck_assert_uint_eq(f.t[1].xfer_local, 5);
	sim_touch_fold(&f.t[0]);
	sim_touch_fold(&f.t[1]);
	ck_assert_uint_eq(f.t[0].hits + f.t[1].hits, 0);
	ck_assert_uint_eq(f.t[0].xfer_remote + f.t[1].xfer_remote, 0);
	/* every write after the first invalidated exactly the other copy: 9 */
	ck_assert_uint_eq(f.t[0].invalidations + f.t[1].invalidations, 9);
	/* both stat records get the access */
	memset(&both, 0, sizeof(both));
	(void)cacheline_access(f.c, 0, a, CL_WRITE, 20000, &f.t[0], &both, NULL);
	ck_assert_uint_eq(both.writes, 1);
	ck_assert_uint_eq(both.xfer_local, 1);
	ck_assert_uint_eq(f.t[0].writes, 6);
	clf_fini(&f);
}
END_TEST

START_TEST(cl_pingpong_cross_node_transfers_remotely)
{
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 7);
	sim_cycles_t total = 0;

	clf_init(&f, 2, 2, BIG_KB, BIG_WAYS);	/* cpu 0 on node 0, cpu 1 on node 1 */
	total += acc(&f, 0, a, CL_WRITE, 0, CL_MEM_LOCAL);
	for (unsigned i = 1; i < 10; i++) {
		sim_cycles_t cyc = acc(&f, i % 2, a, CL_WRITE, i * 1000, CL_XFER_REMOTE);

		ck_assert_uint_eq(cyc, 300);
		total += cyc;
	}
	/* 200 + 9 * 300 = 2900 */
	ck_assert_uint_eq(total, 2900);
	ck_assert_uint_eq(f.t[0].xfer_remote, 4);
	ck_assert_uint_eq(f.t[1].xfer_remote, 5);
	ck_assert_uint_eq(f.t[0].xfer_local + f.t[1].xfer_local, 0);
	/* cpu 1 (i = 9) owns it modified; a read by cpu 0 on the other node: 300 */
	ck_assert_uint_eq(acc(&f, 0, a, CL_READ, 20000, CL_XFER_REMOTE), 300);
	ck_assert_uint_eq(cacheline_holders(f.c, a), 2);
	clf_fini(&f);
}
END_TEST

START_TEST(cl_read_from_owner_shares_the_line)
{
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 8);
	struct sim_touch_stat w;

	clf_init(&f, 2, 1, BIG_KB, BIG_WAYS);
	(void)acc(&f, 0, a, CL_WRITE, 0, CL_MEM_LOCAL);
	/* cpu 0 owns it modified: cpu 1's read is a same-node transfer, 120 */
	ck_assert_uint_eq(acc(&f, 1, a, CL_READ, 1, CL_XFER_LOCAL), 120);
	/* both now share it: reads by either are hits */
	ck_assert_uint_eq(cacheline_holders(f.c, a), 2);
	ck_assert_uint_eq(acc(&f, 0, a, CL_READ, 2, CL_HIT), 4);
	ck_assert_uint_eq(acc(&f, 1, a, CL_READ, 3, CL_HIT), 4);
	/* the former owner must upgrade to write again, invalidating cpu 1 */
	memset(&w, 0, sizeof(w));
	ck_assert_uint_eq(cacheline_access(f.c, 0, a, CL_WRITE, 4, &w, NULL, NULL), 120);
	ck_assert_uint_eq(w.invalidations, 1);
	ck_assert_uint_eq(cacheline_holders(f.c, a), 1);
	clf_fini(&f);
}
END_TEST

/* --- (b) N readers, then one writer ------------------------------------ */

static const unsigned sharer_counts[] = { 4, 16, 64, 65, 100 };

START_TEST(cl_write_after_n_readers_invalidates_n_minus_1)
{
	unsigned n = sharer_counts[_i], writer = n - 1;
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 3);
	struct sim_touch_stat w;
	enum cl_outcome o;
	sim_cycles_t cyc;

	clf_init(&f, n, 1, BIG_KB, BIG_WAYS);
	/* cpu 0 reads first from memory (and gets it exclusive) ... */
	ck_assert_uint_eq(acc(&f, 0, a, CL_READ, 0, CL_MEM_LOCAL), 200);
	/* ... every later reader is served by a cache on the same node: 120 */
	for (unsigned cpu = 1; cpu < n; cpu++)
		ck_assert_uint_eq(acc(&f, cpu, a, CL_READ, cpu, CL_XFER_LOCAL), 120);
	ck_assert_uint_eq(cacheline_holders(f.c, a), n);
	for (unsigned cpu = 0; cpu < n; cpu++)
		ck_assert_msg(cacheline_is_held(f.c, cpu, a), "reader %u should hold a copy", cpu);
	ck_assert_msg(coherence_is_valid(f.c), "every sharer should cache the line");

	/* the last reader (cpu 99 sits in the second bitmap word when n = 100) writes */
	memset(&w, 0, sizeof(w));
	cyc = cacheline_access(f.c, writer, a, CL_WRITE, 1000, &w, NULL, &o);
	ck_assert_int_eq(o, CL_UPGRADE);
	ck_assert_uint_eq(cyc, 120);		/* an upgrade is charged xfer_local */
	ck_assert_uint_eq(w.invalidations, n - 1);
	ck_assert_uint_eq(cacheline_holders(f.c, a), 1);
	ck_assert_msg(cacheline_is_held(f.c, writer, a), "the writer should hold the line");
	for (unsigned cpu = 0; cpu < writer; cpu++)
		ck_assert_msg(!cacheline_is_held(f.c, cpu, a), "reader %u's copy should be invalid", cpu);
	/* now exclusive: writing again is a hit of 4 cycles */
	ck_assert_uint_eq(acc(&f, writer, a, CL_WRITE, 1001, CL_HIT), 4);
	clf_fini(&f);
}
END_TEST

START_TEST(cl_write_by_outsider_invalidates_all_n)
{
	unsigned n = sharer_counts[_i];
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 3);
	struct sim_touch_stat w;

	clf_init(&f, n + 1, 1, BIG_KB, BIG_WAYS);
	for (unsigned cpu = 0; cpu < n; cpu++)
		(void)cacheline_access(f.c, cpu, a, CL_READ, cpu, NULL, NULL, NULL);
	ck_assert_uint_eq(cacheline_holders(f.c, a), n);
	memset(&w, 0, sizeof(w));
	/* cpu n holds no copy: data comes from a same-node sharer (120), all n invalidated */
	ck_assert_uint_eq(cacheline_access(f.c, n, a, CL_WRITE, 1000, &w, NULL, NULL), 120);
	ck_assert_uint_eq(w.xfer_local, 1);
	ck_assert_uint_eq(w.invalidations, n);
	ck_assert_uint_eq(cacheline_holders(f.c, a), 1);
	ck_assert_msg(cacheline_is_held(f.c, n, a), "the writer should hold the line");
	clf_fini(&f);
}
END_TEST

START_TEST(cl_read_from_remote_sharers_only_is_remote)
{
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 1);

	clf_init(&f, 4, 2, BIG_KB, BIG_WAYS);	/* cpus 0,1 on node 0; 2,3 on node 1 */
	(void)acc(&f, 0, a, CL_READ, 0, CL_MEM_LOCAL);
	(void)acc(&f, 1, a, CL_READ, 1, CL_XFER_LOCAL);	/* from owner cpu 0, same node */
	/* sharers 0 and 1 are both on node 0: cpu 2 gets it across nodes, 300 */
	ck_assert_uint_eq(acc(&f, 2, a, CL_READ, 2, CL_XFER_REMOTE), 300);
	/* cpu 3 now has a sharer (cpu 2) on its own node: 120 */
	ck_assert_uint_eq(acc(&f, 3, a, CL_READ, 3, CL_XFER_LOCAL), 120);
	ck_assert_uint_eq(cacheline_holders(f.c, a), 4);
	clf_fini(&f);
}
END_TEST

START_TEST(cl_upgrade_is_remote_only_with_a_sharer_on_another_node)
{
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 2);
	struct sim_touch_stat w;
	enum cl_outcome o;

	clf_init(&f, 4, 2, BIG_KB, BIG_WAYS);	/* cpus 0,1 on node 0; 2,3 on node 1 */
	(void)acc(&f, 0, a, CL_READ, 0, CL_MEM_LOCAL);
	(void)acc(&f, 1, a, CL_READ, 1, CL_XFER_LOCAL);
	/* the other sharer (cpu 1) is on cpu 0's node: a local upgrade, 120 */
	ck_assert_uint_eq(acc(&f, 0, a, CL_WRITE, 2, CL_UPGRADE), 120);
	/* cpu 2 (node 1) reads it from the owner across nodes, then cpu 0 writes again */
	ck_assert_uint_eq(acc(&f, 2, a, CL_READ, 3, CL_XFER_REMOTE), 300);
	memset(&w, 0, sizeof(w));
	ck_assert_uint_eq(cacheline_access(f.c, 0, a, CL_WRITE, 4, &w, NULL, &o), 300);
	ck_assert_int_eq(o, CL_UPGRADE_REMOTE);
	ck_assert_uint_eq(w.upgrades, 1);
	ck_assert_uint_eq(w.invalidations, 1);
	ck_assert_msg(!cacheline_is_held(f.c, 2, a), "cpu 2's copy should be invalid");
	clf_fini(&f);
}
END_TEST

/* --- (c) memory misses by home node, exclusive state -------------------- */

START_TEST(cl_first_read_costs_by_home_node)
{
	struct cl_fixture f;
	sim_addr_t local = line_addr(0, 10), remote = line_addr(1, 10);
	struct sim_touch_stat *t0;

	clf_init(&f, 2, 2, BIG_KB, BIG_WAYS);	/* cpu 0 on node 0, cpu 1 on node 1 */
	t0 = &f.t[0];
	ck_assert_uint_eq(sim_addr_node(remote), 1);
	ck_assert_uint_eq(acc(&f, 0, local, CL_READ, 0, CL_MEM_LOCAL), 200);
	ck_assert_uint_eq(acc(&f, 0, remote, CL_READ, 1, CL_MEM_REMOTE), 320);
	/* cpu 1 on node 1 reading a fresh node-1 line is local for it */
	ck_assert_uint_eq(acc(&f, 1, line_addr(1, 11), CL_READ, 2, CL_MEM_LOCAL), 200);
	/* and a fresh node-0 line is remote for it */
	ck_assert_uint_eq(acc(&f, 1, line_addr(0, 11), CL_READ, 3, CL_MEM_REMOTE), 320);
	/* the sole reader got the lines exclusive: its writes are hits, no invalidation */
	ck_assert_uint_eq(acc(&f, 0, local, CL_WRITE, 4, CL_HIT), 4);
	ck_assert_uint_eq(acc(&f, 0, remote, CL_WRITE, 5, CL_HIT), 4);
	ck_assert_uint_eq(t0->reads, 2);
	ck_assert_uint_eq(t0->writes, 2);
	ck_assert_uint_eq(t0->mem_local, 1);
	ck_assert_uint_eq(t0->mem_remote, 1);
	sim_touch_fold(t0);
	ck_assert_uint_eq(t0->hits, 2);
	ck_assert_uint_eq(t0->invalidations, 0);
	/* a re-read of an exclusive line is a hit too */
	ck_assert_uint_eq(acc(&f, 0, local, CL_READ, 6, CL_HIT), 4);
	clf_fini(&f);
}
END_TEST

START_TEST(cl_write_to_shared_line_is_not_a_hit)
{
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 10);
	struct sim_touch_stat w;

	clf_init(&f, 2, 1, BIG_KB, BIG_WAYS);
	(void)acc(&f, 0, a, CL_READ, 0, CL_MEM_LOCAL);
	(void)acc(&f, 1, a, CL_READ, 1, CL_XFER_LOCAL);
	memset(&w, 0, sizeof(w));
	/* cpu 0's copy is now shared with cpu 1: its write must invalidate 1 copy */
	ck_assert_uint_eq(cacheline_access(f.c, 0, a, CL_WRITE, 2, &w, NULL, NULL), 120);
	ck_assert_uint_eq(w.invalidations, 1);
	ck_assert_msg(!cacheline_is_held(f.c, 1, a), "cpu 1's copy should be invalid");
	clf_fini(&f);
}
END_TEST

/* --- (d) atomics --------------------------------------------------------- */

START_TEST(cl_atomic_adds_the_surcharge)
{
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 20);

	clf_init(&f, 4, 2, BIG_KB, BIG_WAYS);	/* cpus 0,1 node 0; 2,3 node 1 */
	ck_assert_uint_eq(acc(&f, 0, a, CL_ATOMIC, 0, CL_MEM_LOCAL), 200 + 20);
	ck_assert_uint_eq(acc(&f, 0, a, CL_ATOMIC, 1, CL_HIT), 4 + 20);
	ck_assert_uint_eq(acc(&f, 1, a, CL_ATOMIC, 2, CL_XFER_LOCAL), 120 + 20);
	ck_assert_uint_eq(acc(&f, 2, a, CL_ATOMIC, 3, CL_XFER_REMOTE), 300 + 20);
	ck_assert_uint_eq(acc(&f, 3, line_addr(0, 21), CL_ATOMIC, 4, CL_MEM_REMOTE), 320 + 20);
	/* an atomic is a read-modify-write: the line is now exclusive to cpu 2 */
	ck_assert_uint_eq(cacheline_holders(f.c, a), 1);
	ck_assert_msg(cacheline_is_held(f.c, 2, a), "the last atomic's cpu should hold the line");
	ck_assert_uint_eq(f.t[0].atomics, 2);
	ck_assert_uint_eq(f.t[0].writes + f.t[0].reads, 0);
	clf_fini(&f);
}
END_TEST

/* --- (e) finite capacity ------------------------------------------------ */

/*
 * 4 KiB of 64-byte lines = 4096 / 64 = 64 lines.  In every geometry used
 * below the set count is 64: 4 KiB 1-way (64 / 1), 8 KiB 2-way (128 / 2),
 * 16 KiB 4-way (256 / 4).  The set a line maps to depends only on the line
 * and the set count, so lines that evict each other in the 64-set
 * direct-mapped probe cache share a set in all three geometries.
 */
#define PROBE_KB 4
#define NCONFLICT 5
#define PROBE_TRIES 100000

/* Line numbers (index 0 = line 0 itself) that map to line 0's set; returns how many lines were tried. */
static unsigned find_same_set_lines(uint64_t out[NCONFLICT])
{
	struct sim_cost_table cost;
	unsigned node0 = 0, found = 1, tried = 0;
	struct coherence *p;
	sim_addr_t a0 = line_addr(0, 0);

	sim_cost_defaults(&cost);
	p = coherence_create(1, &node0, PROBE_KB, 1, &cost);
	out[0] = 0;
	(void)cacheline_access(p, 0, a0, CL_READ, 0, NULL, NULL, NULL);
	for (uint64_t i = 1; found < NCONFLICT && i < PROBE_TRIES; i++) {
		tried++;
		(void)cacheline_access(p, 0, line_addr(0, i), CL_READ, 0, NULL, NULL, NULL);
		if (!cacheline_is_held(p, 0, a0)) {
			out[found++] = i;
			(void)cacheline_access(p, 0, a0, CL_READ, 0, NULL, NULL, NULL);
		}
	}
	ck_assert_msg(coherence_is_valid(p), "the probe cache should stay valid");
	coherence_destroy(p);
	ck_assert_uint_eq(found, NCONFLICT);
	/* about 1 line in 64 should conflict: far from all of them */
	ck_assert_uint_gt(tried, 8 * (NCONFLICT - 1));
	return tried;
}

START_TEST(cl_direct_mapped_conflict_evicts)
{
	uint64_t s[NCONFLICT];
	struct cl_fixture f;

	(void)find_same_set_lines(s);
	clf_init(&f, 1, 1, PROBE_KB, 1);
	ck_assert_uint_eq(acc(&f, 0, line_addr(0, s[0]), CL_READ, 0, CL_MEM_LOCAL), 200);
	ck_assert_uint_eq(acc(&f, 0, line_addr(0, s[0]), CL_READ, 1, CL_HIT), 4);
	(void)acc(&f, 0, line_addr(0, s[1]), CL_READ, 2, CL_MEM_LOCAL);
	ck_assert_msg(!cacheline_is_held(f.c, 0, line_addr(0, s[0])),
		      "a 1-way set should have evicted the older line");
	ck_assert_uint_eq(cacheline_holders(f.c, line_addr(0, s[0])), 0);
	/* re-reading the evicted line is a memory miss again */
	ck_assert_uint_eq(acc(&f, 0, line_addr(0, s[0]), CL_READ, 3, CL_MEM_LOCAL), 200);
	ck_assert_msg(coherence_is_valid(f.c), "the directory should agree after evictions");
	clf_fini(&f);
}
END_TEST

START_TEST(cl_lru_evicts_least_recently_used)
{
	uint64_t s[NCONFLICT];
	struct cl_fixture f;
	sim_addr_t a, b, c;

	(void)find_same_set_lines(s);
	a = line_addr(0, s[0]);
	b = line_addr(0, s[1]);
	c = line_addr(0, s[2]);
	clf_init(&f, 1, 1, 2 * PROBE_KB, 2);	/* 128 lines / 2 ways = 64 sets */
	(void)acc(&f, 0, a, CL_READ, 0, CL_MEM_LOCAL);
	(void)acc(&f, 0, b, CL_READ, 1, CL_MEM_LOCAL);
	/* two lines in a 2-way set: both stay */
	ck_assert_uint_eq(acc(&f, 0, a, CL_READ, 2, CL_HIT), 4);
	/* a was used after b, so c evicts b, not a */
	(void)acc(&f, 0, c, CL_READ, 3, CL_MEM_LOCAL);
	ck_assert_msg(cacheline_is_held(f.c, 0, a), "the recently used line should stay");
	ck_assert_msg(!cacheline_is_held(f.c, 0, b), "the least recently used line should be evicted");
	ck_assert_uint_eq(acc(&f, 0, a, CL_READ, 4, CL_HIT), 4);
	ck_assert_uint_eq(acc(&f, 0, b, CL_READ, 5, CL_MEM_LOCAL), 200);
	ck_assert_msg(coherence_is_valid(f.c), "the directory should agree after evictions");
	clf_fini(&f);
}
END_TEST

START_TEST(cl_enough_ways_keep_the_line)
{
	uint64_t s[NCONFLICT];
	struct cl_fixture f;
	sim_addr_t a;

	(void)find_same_set_lines(s);
	a = line_addr(0, s[0]);
	/* 4 ways: a plus 3 others fit in one set */
	clf_init(&f, 1, 1, 4 * PROBE_KB, 4);	/* 256 lines / 4 ways = 64 sets */
	for (unsigned i = 0; i < 4; i++)
		(void)acc(&f, 0, line_addr(0, s[i]), CL_READ, i, CL_MEM_LOCAL);
	ck_assert_uint_eq(acc(&f, 0, a, CL_READ, 10, CL_HIT), 4);
	/* a fifth line of the set evicts the oldest, which is s[1] now (a was just used) */
	(void)acc(&f, 0, line_addr(0, s[4]), CL_READ, 11, CL_MEM_LOCAL);
	ck_assert_msg(cacheline_is_held(f.c, 0, a), "the recently used line should stay");
	ck_assert_msg(!cacheline_is_held(f.c, 0, line_addr(0, s[1])), "the oldest line should go");
	ck_assert_msg(coherence_is_valid(f.c), "the directory should agree after evictions");
	clf_fini(&f);
}
END_TEST

START_TEST(cl_evicted_owner_no_longer_supplies_the_line)
{
	uint64_t s[NCONFLICT];
	struct cl_fixture f;
	sim_addr_t a, b;

	(void)find_same_set_lines(s);
	a = line_addr(0, s[0]);
	b = line_addr(0, s[1]);
	clf_init(&f, 2, 1, PROBE_KB, 1);
	(void)acc(&f, 0, a, CL_WRITE, 0, CL_MEM_LOCAL);		/* cpu 0 owns a modified */
	(void)acc(&f, 0, b, CL_READ, 1, CL_MEM_LOCAL);		/* evicts a from cpu 0 */
	ck_assert_uint_eq(cacheline_holders(f.c, a), 0);
	/* nobody caches a any more: cpu 1's read goes to memory, not to cpu 0 */
	ck_assert_uint_eq(acc(&f, 1, a, CL_READ, 2, CL_MEM_LOCAL), 200);
	ck_assert_uint_eq(cacheline_holders(f.c, a), 1);
	ck_assert_msg(coherence_is_valid(f.c), "the directory should agree after evictions");
	clf_fini(&f);
}
END_TEST

START_TEST(cl_evicted_sharer_leaves_the_other_sole_holder)
{
	uint64_t s[NCONFLICT];
	struct cl_fixture f;
	sim_addr_t a, b;
	struct sim_touch_stat w;

	(void)find_same_set_lines(s);
	a = line_addr(0, s[0]);
	b = line_addr(0, s[1]);
	clf_init(&f, 2, 1, PROBE_KB, 1);
	(void)acc(&f, 0, a, CL_READ, 0, CL_MEM_LOCAL);
	(void)acc(&f, 1, a, CL_READ, 1, CL_XFER_LOCAL);
	ck_assert_uint_eq(cacheline_holders(f.c, a), 2);
	(void)acc(&f, 0, b, CL_READ, 2, CL_MEM_LOCAL);		/* evicts cpu 0's copy of a */
	ck_assert_uint_eq(cacheline_holders(f.c, a), 1);
	memset(&w, 0, sizeof(w));
	/* cpu 1 is the only sharer left: its write is a hit with nothing to invalidate */
	ck_assert_uint_eq(cacheline_access(f.c, 1, a, CL_WRITE, 3, &w, NULL, NULL), 4);
	ck_assert_uint_eq(w.invalidations, 0);
	sim_touch_fold(&w);
	ck_assert_uint_eq(w.hits, 1);
	ck_assert_msg(coherence_is_valid(f.c), "the directory should agree after evictions");
	clf_fini(&f);
}
END_TEST

START_TEST(cl_stale_tag_eviction_keeps_the_new_owner)
{
	uint64_t s[NCONFLICT];
	struct cl_fixture f;
	sim_addr_t a, b;

	(void)find_same_set_lines(s);
	a = line_addr(0, s[0]);
	b = line_addr(0, s[1]);
	clf_init(&f, 2, 1, PROBE_KB, 1);
	(void)acc(&f, 0, a, CL_READ, 0, CL_MEM_LOCAL);
	(void)acc(&f, 1, a, CL_WRITE, 1, CL_XFER_LOCAL);	/* cpu 0's copy invalidated */
	/* cpu 0 evicts its stale tag of a: cpu 1 must keep ownership */
	(void)acc(&f, 0, b, CL_READ, 2, CL_MEM_LOCAL);
	ck_assert_uint_eq(cacheline_holders(f.c, a), 1);
	ck_assert_msg(cacheline_is_held(f.c, 1, a), "the owner should keep the line");
	ck_assert_uint_eq(acc(&f, 1, a, CL_WRITE, 3, CL_HIT), 4);
	/* cpu 0 re-reading a is served by cpu 1's cache */
	ck_assert_uint_eq(acc(&f, 0, a, CL_READ, 4, CL_XFER_LOCAL), 120);
	ck_assert_msg(coherence_is_valid(f.c), "the directory should agree after evictions");
	clf_fini(&f);
}
END_TEST

static const unsigned random_cpus[] = { 8, 70 };	/* inline sharer bitmap, and the allocated one */

/*
 * Random accesses against a reference of the last write of each line:
 * the directory and every private cache stay consistent, every access is
 * counted under the one way it was served (the hits, derived by
 * sim_touch_fold(), against the outcomes the accesses reported), and the
 * last writer the model reports (partly kept in the owner's private cache)
 * is the last write made.
 */
START_TEST(cl_random_accesses_keep_the_directory_valid)
{
	enum { LINES = 2000 };
	unsigned ncpus = random_cpus[_i];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cl_fixture f;
	uint64_t served = 0, misses_or_xfers = 0, outcomes[128][CL_UPGRADE_REMOTE + 1];
	int writer[2][LINES];
	unsigned wtime[2][LINES];

	ck_assert_ptr_nonnull(r);
	gsl_rng_set(r, 42);
	memset(writer, 0xff, sizeof(writer));
	memset(wtime, 0, sizeof(wtime));
	memset(outcomes, 0, sizeof(outcomes));
	ck_assert_uint_le(ncpus, 128);
	/* ncpus cpus on 2 nodes, 4 KiB 2-way caches (64 lines each) over 4000 lines: many evictions */
	clf_init(&f, ncpus, 2, PROBE_KB, 2);
	for (unsigned step = 1; step <= 40000; step++) {
		unsigned cpu = (unsigned)gsl_rng_uniform_int(r, ncpus);
		unsigned node = (unsigned)gsl_rng_uniform_int(r, 2), line = (unsigned)gsl_rng_uniform_int(r, LINES);
		sim_addr_t a = line_addr(node, line);
		enum cl_kind k = (enum cl_kind)gsl_rng_uniform_int(r, 3);
		unsigned other = (unsigned)gsl_rng_uniform_int(r, ncpus), since = (unsigned)gsl_rng_uniform_int(r, step);

		enum cl_outcome o;

		(void)cacheline_access(f.c, cpu, a, k, step, &f.t[cpu], NULL, &o);
		outcomes[cpu][o]++;
		if (k != CL_READ) {
			writer[node][line] = (int)cpu;
			wtime[node][line] = step;
		}
		ck_assert_msg(cacheline_is_held(f.c, cpu, a), "the accessing cpu should hold the line");
		if (k != CL_READ)
			ck_assert_uint_eq(cacheline_holders(f.c, a), 1);
		/* the holder count agrees with who holds it */
		{
			unsigned held = 0;

			for (unsigned i = 0; i < ncpus; i++)
				held += cacheline_is_held(f.c, i, a);
			ck_assert_uint_eq(cacheline_holders(f.c, a), held);
		}
		ck_assert_msg(cacheline_written_by_other_since(f.c, other, a, since) ==
			      (writer[node][line] >= 0 && writer[node][line] != (int)other && wtime[node][line] > since),
			      "step %u: the last writer of the line is cpu %d at %u", step, writer[node][line],
			      wtime[node][line]);
		if (step % 1000 == 0)
			ck_assert_msg(coherence_is_valid(f.c), "the directory should agree at step %u", step);
	}
	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		struct sim_touch_stat *t = &f.t[cpu];
		const uint64_t *n = outcomes[cpu];

		sim_touch_fold(t);
		served += t->reads + t->writes + t->atomics;
		misses_or_xfers += t->mem_local + t->mem_remote + t->xfer_local + t->xfer_remote;
		/* every access is counted under the way it was served */
		ck_assert_uint_eq(t->hits, n[CL_HIT]);
		ck_assert_uint_eq(t->mem_local, n[CL_MEM_LOCAL]);
		ck_assert_uint_eq(t->mem_remote, n[CL_MEM_REMOTE]);
		ck_assert_uint_eq(t->xfer_local, n[CL_XFER_LOCAL]);
		ck_assert_uint_eq(t->xfer_remote, n[CL_XFER_REMOTE]);
		ck_assert_uint_eq(t->upgrades, n[CL_UPGRADE] + n[CL_UPGRADE_REMOTE]);
	}
	ck_assert_uint_eq(served, 40000);
	/* 64-line caches over 4000 distinct lines: most accesses must miss */
	ck_assert_uint_gt(misses_or_xfers, 30000);
	gsl_rng_free(r);
	clf_fini(&f);
}
END_TEST

/* --- (f) written_by_other_since ----------------------------------------- */

START_TEST(cl_written_by_other_since)
{
	struct cl_fixture f;
	sim_addr_t a = line_addr(0, 30);

	clf_init(&f, 2, 1, BIG_KB, BIG_WAYS);
	ck_assert_msg(!cacheline_written_by_other_since(f.c, 1, a, 0),
		      "a line never touched was written by nobody");
	(void)cacheline_access(f.c, 0, a, CL_READ, 50, NULL, NULL, NULL);
	ck_assert_msg(!cacheline_written_by_other_since(f.c, 1, a, 0), "a read is not a write");
	(void)cacheline_access(f.c, 0, a, CL_WRITE, 100, NULL, NULL, NULL);
	ck_assert_msg(cacheline_written_by_other_since(f.c, 1, a, 99),
		      "cpu 0's write at 100 is after 99 for cpu 1");
	ck_assert_msg(!cacheline_written_by_other_since(f.c, 1, a, 100),
		      "a write at 100 is not after 100");
	ck_assert_msg(!cacheline_written_by_other_since(f.c, 0, a, 0),
		      "a cpu's own write does not count");
	/* a later read by cpu 1 does not change who wrote last */
	(void)cacheline_access(f.c, 1, a, CL_READ, 200, NULL, NULL, NULL);
	ck_assert_msg(cacheline_written_by_other_since(f.c, 1, a, 50),
		      "cpu 0 is still the last writer after cpu 1's read");
	/* an atomic is a write: now cpu 1 is the last writer, at 300 */
	(void)cacheline_access(f.c, 1, a, CL_ATOMIC, 300, NULL, NULL, NULL);
	ck_assert_msg(!cacheline_written_by_other_since(f.c, 1, a, 50),
		      "after its own atomic, cpu 1 sees no other writer");
	ck_assert_msg(cacheline_written_by_other_since(f.c, 0, a, 250),
		      "cpu 1's atomic at 300 is a write by another cpu for cpu 0");
	ck_assert_msg(!cacheline_written_by_other_since(f.c, 0, a, 300),
		      "nothing was written after 300");
	/* a neighbouring line is a different line */
	ck_assert_msg(!cacheline_written_by_other_since(f.c, 1, line_addr(0, 31), 0),
		      "the next line was never written");
	/* any byte of the line is the line */
	ck_assert_msg(cacheline_written_by_other_since(f.c, 0, a + SIM_LINE_BYTES - 1, 250),
		      "the last byte of the line belongs to the line");
	clf_fini(&f);
}
END_TEST

Suite *cacheline_suite(void)
{
	Suite *s = suite_create("cacheline");
	TCase *xfer = tcase_create("transfers");
	TCase *cap = tcase_create("capacity");
	TCase *since = tcase_create("written_since");

	tcase_add_test(xfer, cl_pingpong_same_node_transfers_locally);
	tcase_add_test(xfer, cl_pingpong_cross_node_transfers_remotely);
	tcase_add_test(xfer, cl_read_from_owner_shares_the_line);
	tcase_add_loop_test(xfer, cl_write_after_n_readers_invalidates_n_minus_1, 0,
			    (int)SIM_ARRAY_SIZE(sharer_counts));
	tcase_add_loop_test(xfer, cl_write_by_outsider_invalidates_all_n, 0,
			    (int)SIM_ARRAY_SIZE(sharer_counts));
	tcase_add_test(xfer, cl_read_from_remote_sharers_only_is_remote);
	tcase_add_test(xfer, cl_upgrade_is_remote_only_with_a_sharer_on_another_node);
	tcase_add_test(xfer, cl_first_read_costs_by_home_node);
	tcase_add_test(xfer, cl_write_to_shared_line_is_not_a_hit);
	tcase_add_test(xfer, cl_atomic_adds_the_surcharge);
	suite_add_tcase(s, xfer);

	tcase_add_test(cap, cl_direct_mapped_conflict_evicts);
	tcase_add_test(cap, cl_lru_evicts_least_recently_used);
	tcase_add_test(cap, cl_enough_ways_keep_the_line);
	tcase_add_test(cap, cl_evicted_owner_no_longer_supplies_the_line);
	tcase_add_test(cap, cl_evicted_sharer_leaves_the_other_sole_holder);
	tcase_add_test(cap, cl_stale_tag_eviction_keeps_the_new_owner);
	tcase_add_loop_test(cap, cl_random_accesses_keep_the_directory_valid, 0, (int)SIM_ARRAY_SIZE(random_cpus));
	tcase_set_timeout(cap, 60);
	suite_add_tcase(s, cap);

	tcase_add_test(since, cl_written_by_other_since);
	suite_add_tcase(s, since);
	return s;
}
