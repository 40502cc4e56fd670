/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_tstats.c - trace statistics (traces/tstats.c) and their report
 * ("slabsim trace stats", cli/trace_report*.c): per-cache and per-site
 * rows, fragmentation, ping-pong, the CPU matrix, cross-node allocations
 * apart from cross-CPU frees, lifetime quantiles, the live series, the
 * sort keys and --top, CSV and JSON that parse, the figures of the
 * bundled capture against traces/samples/README.md, and the same figures
 * from a native file read pass by pass as from the trace in memory.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/xalloc.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/resolve.h"
#include "traces/tstats.h"

/*
 * A hand-written 6.1-era trace (Era D: kmem_cache_alloc names its cache).
 * 4 CPUs; cpus 0-1 are node 0 and cpus 2-3 node 1 with --nodes 2.
 *   foo (req 100, alloc 128): A1 cpu0 -> freed cpu0; A2 cpu0 node=1 ->
 *   freed cpu3; A3 cpu3, still live.  kmalloc-64: B1 cpu1 node=0 -> freed
 *   cpu1; B2 cpu2 node=0, in softirq -> freed cpu1.  kfree(NULL) on cpu2.
 * Every freed object lives 40 us, 4 slab events.
 */
static const char ts_trace[] =
	"# tracer: nop\n"
	"#\n"
	"             a-1       [000] .....     1.000000: kmem_cache_alloc: call_site=site_a+0x10/0x40 ptr=ffff888000001000 name=foo bytes_req=100 bytes_alloc=128 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
	"             a-1       [000] .....     1.000010: kmem_cache_alloc: call_site=site_a+0x10/0x40 ptr=ffff888000002000 name=foo bytes_req=100 bytes_alloc=128 gfp_flags=GFP_KERNEL node=1 accounted=false\n"
	"             b-2       [001] .....     1.000020: kmalloc: call_site=site_b+0x20/0x80 ptr=ffff888000003000 bytes_req=64 bytes_alloc=64 gfp_flags=GFP_KERNEL node=0 accounted=false\n"
	"             c-3       [002] ..s1.     1.000030: kmalloc: call_site=site_b+0x20/0x80 ptr=ffff888000004000 bytes_req=64 bytes_alloc=64 gfp_flags=GFP_ATOMIC node=0 accounted=false\n"
	"             a-1       [000] .....     1.000040: kmem_cache_free: call_site=site_f+0x5/0x20 ptr=ffff888000001000 name=foo\n"
	"             d-4       [003] .....     1.000050: kmem_cache_free: call_site=site_f+0x5/0x20 ptr=ffff888000002000 name=foo\n"
	"             b-2       [001] .....     1.000060: kfree: call_site=site_f+0x5/0x20 ptr=ffff888000003000\n"
	"             b-2       [001] .....     1.000070: kfree: call_site=site_f+0x5/0x20 ptr=ffff888000004000\n"
	"             d-4       [003] .....     1.000080: kmem_cache_alloc: call_site=site_a+0x10/0x40 ptr=ffff888000005000 name=foo bytes_req=100 bytes_alloc=128 gfp_flags=GFP_KERNEL node=-1 accounted=false\n"
	"             c-3       [002] .....     1.000090: kfree: call_site=free_thing+0x1/0x10 ptr=0000000000000000\n";

static void ts_load_text(const char *text, struct sim_workload *w)
{
	char *path = tutil_tmpfile(".trace", text, strlen(text));
	char err[512];

	sim_workload_init(w);
	ck_assert_msg(trace_load(path, w, err, sizeof(err)) == 0, "the hand-written trace should load: %s", err);
	unlink(path);
	free(path);
}

static uint32_t ts_cache(const struct sim_workload *w, const char *name)
{
	uint32_t id = strtab_find(&w->caches, name);

	ck_assert_msg(id != UINT32_MAX, "cache %s should exist", name);
	return id;
}

static uint32_t ts_site(const struct sim_workload *w, const char *name)
{
	uint32_t id = strtab_find(&w->sites, name);

	ck_assert_msg(id != UINT32_MAX, "call site %s should exist", name);
	return id;
}

static void ts_compute(const struct sim_workload *w, unsigned nodes, uint64_t interval_ns, struct trace_stats *s)
{
	struct trace_stats_opts o = { .nodes = nodes, .interval_ns = interval_ns };

	ck_assert_int_eq(trace_stats_compute_ex(w, &o, s), 0);
}

/* ---- rows ------------------------------------------------------------------------ */

START_TEST(test_cache_rows)
{
	struct sim_workload w;
	struct trace_stats s;

	ts_load_text(ts_trace, &w);
	trace_stats_compute(&w, &s);
	const struct trace_stats_row *foo = &s.cache[ts_cache(&w, "foo")];
	const struct trace_stats_row *km = &s.cache[ts_cache(&w, "kmalloc-64")];

	ck_assert_uint_eq(foo->allocs, 3);
	ck_assert_uint_eq(foo->frees, 2);
	ck_assert_uint_eq(foo->bytes_req, 300);
	ck_assert_uint_eq(foo->bytes_alloc, 384);
	ck_assert_double_eq_tol(trace_stats_row_mean_req(foo), 100.0, 1e-9);
	ck_assert_double_eq_tol(trace_stats_row_mean_alloc(foo), 128.0, 1e-9);
	ck_assert_double_eq_tol(trace_stats_row_frag(foo), 1.0 - 300.0 / 384.0, 1e-12);
	ck_assert_uint_eq(foo->live_end, 1);
	ck_assert_uint_eq(foo->freed.pairs, 2);
	ck_assert_uint_eq(foo->freed.cross_cpu, 1);
	ck_assert_uint_eq(foo->cross_node_allocs, 1);
	ck_assert_uint_eq(km->allocs, 2);
	ck_assert_uint_eq(km->frees, 2);
	ck_assert_uint_eq(km->bytes_req, 128);
	ck_assert_double_eq_tol(trace_stats_row_frag(km), 0.0, 1e-12);
	ck_assert_uint_eq(km->live_end, 0);
	ck_assert_uint_eq(km->freed.cross_cpu, 1);
	ck_assert_msg(s.cache[0].frees == 1 && s.cache[0].allocs == 0, "kfree(NULL) should count as a free of no cache");
	ck_assert_uint_eq(s.kind[TRACE_SK_KMEM_CACHE].pairs, 2);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMEM_CACHE].cross_cpu, 1);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMALLOC].pairs, 2);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMALLOC].cross_cpu, 1);
	ck_assert_uint_eq(s.slab.pairs, 4);
	ck_assert_uint_eq(s.slab.cross_cpu, 2);
	ck_assert_uint_eq(s.live_end, 1);
	ck_assert_uint_eq(s.live_bytes_end, 128);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_site_rows)
{
	struct sim_workload w;
	struct trace_stats s;

	ts_load_text(ts_trace, &w);
	trace_stats_compute(&w, &s);
	const struct trace_stats_row *a = &s.site[ts_site(&w, "site_a+0x10/0x40")];
	const struct trace_stats_row *b = &s.site[ts_site(&w, "site_b+0x20/0x80")];
	const struct trace_stats_row *f = &s.site[ts_site(&w, "site_f+0x5/0x20")];
	const struct trace_stats_row *n = &s.site[ts_site(&w, "free_thing+0x1/0x10")];

	ck_assert_msg(a->allocs == 3 && a->frees == 0 && a->bytes_req == 300 && a->bytes_alloc == 384,
		      "site_a allocated 3 foo objects and freed none");
	ck_assert_msg(a->live_end == 1 && a->freed.pairs == 2 && a->freed.cross_cpu == 1,
		      "site_a's objects: 1 live, 2 freed, 1 of them on another CPU");
	ck_assert_msg(b->allocs == 2 && b->bytes_alloc == 128 && b->freed.pairs == 2 && b->freed.cross_cpu == 1,
		      "site_b allocated 2 kmalloc-64 objects, one freed on another CPU");
	ck_assert_msg(f->allocs == 0 && f->frees == 4 && f->freed.pairs == 0 && f->live_end == 0,
		      "site_f is a pure free site: 4 frees, no allocation, no pairs of its own");
	ck_assert_msg(n->frees == 1, "the kfree(NULL) site should count its free");
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_cpus_and_matrix)
{
	struct sim_workload w;
	struct trace_stats s;

	ts_load_text(ts_trace, &w);
	trace_stats_compute(&w, &s);
	ck_assert_uint_eq(s.ncpus, 4);
	ck_assert_uint_eq(s.cpu[0].allocs, 2);
	ck_assert_uint_eq(s.cpu[1].allocs, 1);
	ck_assert_uint_eq(s.cpu[2].allocs, 1);
	ck_assert_uint_eq(s.cpu[3].allocs, 1);
	ck_assert_uint_eq(s.cpu[1].frees, 2);
	ck_assert_uint_eq(s.cpu[2].frees, 1);
	ck_assert_uint_eq(s.cpu[0].bytes_alloc, 256);
	ck_assert_msg(s.cpu[2].allocs_ctx[SIM_CTX_SOFTIRQ] == 1 && s.cpu[2].allocs_ctx[SIM_CTX_TASK] == 0,
		      "cpu 2's one allocation was in softirq ('s' flag)");
	ck_assert_uint_eq(s.cpu[0].allocs_ctx[SIM_CTX_TASK], 2);
	for (unsigned a = 0; a < 4; a++)
		for (unsigned f = 0; f < 4; f++) {
			uint64_t want = (a == 0 && f == 0) || (a == 0 && f == 3) || (a == 1 && f == 1) ||
					(a == 2 && f == 1);

			ck_assert_msg(trace_stats_matrix_get(&s, a, f) == want,
				      "matrix[%u][%u] should be %llu, is %llu", a, f, (unsigned long long)want,
				      (unsigned long long)trace_stats_matrix_get(&s, a, f));
		}
	ck_assert_uint_eq(s.duration_ns, 90000);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

/* ---- nodes -------------------------------------------------------------------------- */

START_TEST(test_cross_node_apart_from_cross_cpu)
{
	struct sim_workload w;
	struct trace_stats s;

	ts_load_text(ts_trace, &w);
	/* one node: only A2's node=1 is another node than cpu 0's node 0 */
	ts_compute(&w, 1, TRACE_STATS_INTERVAL_DEFAULT_NS, &s);
	ck_assert_uint_eq(s.node_requests, 3);
	ck_assert_uint_eq(s.cross_node_allocs, 1);
	ck_assert_uint_eq(s.slab.cross_node, 0);
	ck_assert_uint_eq(s.slab.cross_cpu, 2);
	trace_stats_fini(&s);
	/* two nodes: cpus 0-1 node 0, cpus 2-3 node 1 */
	ts_compute(&w, 2, TRACE_STATS_INTERVAL_DEFAULT_NS, &s);
	ck_assert_uint_eq(trace_stats_node_of(&s, 1), 0);
	ck_assert_uint_eq(trace_stats_node_of(&s, 2), 1);
	ck_assert_msg(s.cross_node_allocs == 2, "A2 (cpu 0, node=1) and B2 (cpu 2, node=0) are cross-node, got %llu",
		      (unsigned long long)s.cross_node_allocs);
	ck_assert_uint_eq(s.cpu[0].cross_node_allocs, 1);
	ck_assert_uint_eq(s.cpu[2].cross_node_allocs, 1);
	ck_assert_uint_eq(s.cpu[1].cross_node_allocs, 0);
	ck_assert_uint_eq(s.cache[ts_cache(&w, "kmalloc-64")].cross_node_allocs, 1);
	ck_assert_msg(s.slab.cross_cpu == 2 && s.slab.cross_node == 2,
		      "both cross-CPU frees (0->3, 2->1) cross nodes; counted apart from the allocations");
	ck_assert_uint_eq(s.cache[ts_cache(&w, "foo")].freed.cross_node, 1);
	trace_stats_fini(&s);
	/* four nodes: one per cpu; cross-node frees are the cross-CPU ones */
	ts_compute(&w, 4, TRACE_STATS_INTERVAL_DEFAULT_NS, &s);
	ck_assert_uint_eq(s.slab.cross_node, s.slab.cross_cpu);
	ck_assert_uint_eq(s.cross_node_allocs, 3);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_bad_options)
{
	struct sim_workload w;
	struct trace_stats s;
	struct trace_stats_opts o = { .nodes = 0, .interval_ns = 1000 };

	ts_load_text(ts_trace, &w);
	ck_assert_int_eq(trace_stats_compute_ex(&w, &o, &s), -EINVAL);
	trace_stats_fini(&s);
	o = (struct trace_stats_opts){ .nodes = 1, .interval_ns = 0 };
	ck_assert_int_eq(trace_stats_compute_ex(&w, &o, &s), -EINVAL);
	trace_stats_fini(&s);
	/* 90 us at 1 ns: 90,001 steps are fine; the limit is TRACE_STATS_MAX_SAMPLES */
	o.interval_ns = 1;
	ck_assert_int_eq(trace_stats_compute_ex(&w, &o, &s), 0);
	ck_assert_uint_eq(s.nsamples, 90001);
	trace_stats_fini(&s);
	w.ev[w.nev - 1].t_ns += 2000000;	/* 2.09 ms at 1 ns: too many steps */
	ck_assert_int_eq(trace_stats_compute_ex(&w, &o, &s), -E2BIG);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

/* ---- lifetimes and the live series ------------------------------------------------------ */

START_TEST(test_lifetimes_hand)
{
	struct sim_workload w;
	struct trace_stats s;

	ts_load_text(ts_trace, &w);
	trace_stats_compute(&w, &s);
	ck_assert_uint_eq(s.life.n, 4);
	ck_assert_uint_eq(s.life.censored, 1);
	ck_assert_double_eq_tol(s.life.mean_ns, 40000.0, 1e-6);
	ck_assert_double_eq_tol(s.life.mean_events, 4.0, 1e-9);
	ck_assert_uint_eq(s.life.max_ns, 40000);
	ck_assert_uint_eq(s.life.max_events, 4);
	/* every lifetime is 40 us: the quantiles fall in its bin (ratio 10^(1/20) = 1.122) */
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(fabs(s.life.p_ns[i] / 40000.0 - 1.0) < 0.122,
			      "quantile %d of lifetimes all 40 us should be within a bin of it, is %g ns", i,
			      s.life.p_ns[i]);
		ck_assert_msg(fabs(s.life.p_events[i] / 4.0 - 1.0) < 0.122,
			      "quantile %d of 4-event lifetimes should be within a bin of 4, is %g", i, s.life.p_events[i]);
	}
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

/* An ALLOC (free false) or FREE of object i at t_ns, for building a trace in time order. */
struct ts_op {
	uint64_t t_ns;
	unsigned i;
	bool free;
};

static int ts_op_cmp(const void *pa, const void *pb)
{
	const struct ts_op *a = pa, *b = pb;

	if (a->t_ns != b->t_ns)
		return a->t_ns < b->t_ns ? -1 : 1;
	if (a->free != b->free)
		return a->free ? 1 : -1;
	return (a->i > b->i) - (a->i < b->i);
}

/* n objects allocated 1 us apart on cpu i % 4, living 1..100 us uniformly ((i % 100 + 1) us). */
static void ts_uniform_workload(struct sim_workload *w, unsigned n)
{
	struct ts_op *op = xmalloc(2 * n * sizeof(*op));
	uint32_t c;

	sim_workload_init(w);
	c = sim_workload_cache(w, "u", 64, 0);
	for (unsigned i = 0; i < n; i++) {
		op[2 * i] = (struct ts_op){ (uint64_t)i * 1000, i, false };
		op[2 * i + 1] = (struct ts_op){ (uint64_t)i * 1000 + (uint64_t)(i % 100 + 1) * 1000, i, true };
	}
	qsort(op, 2 * n, sizeof(*op), ts_op_cmp);
	for (unsigned k = 0; k < 2 * n; k++) {
		struct sim_event e = {
			.t_ns = op[k].t_ns, .ptr = 0x1000 + (uint64_t)op[k].i * 64, .cache = c,
			.bytes_req = op[k].free ? 0 : 64, .bytes_alloc = op[k].free ? 0 : 64,
			.cpu = (uint16_t)(op[k].i % 4), .op = op[k].free ? SIM_EV_FREE : SIM_EV_ALLOC,
			.node = SIM_NO_NODE,
		};

		sim_workload_push(w, &e);
	}
	free(op);
	ck_assert_int_eq(trace_resolve(w), 0);
}

START_TEST(test_lifetime_quantiles_uniform)
{
	struct sim_workload w;
	struct trace_stats s;

	ts_uniform_workload(&w, 10000);
	trace_stats_compute(&w, &s);
	ck_assert_uint_eq(s.life.n, 10000);
	ck_assert_double_eq_tol(s.life.mean_ns, 50500.0, 1e-6);
	ck_assert_msg(fabs(s.life.p_ns[0] - 50000.0) < 0.06 * 50000.0, "p50 of 1..100 us should be about 50 us, is %g ns",
		      s.life.p_ns[0]);
	ck_assert_msg(fabs(s.life.p_ns[1] - 90000.0) < 0.06 * 90000.0, "p90 of 1..100 us should be about 90 us, is %g ns",
		      s.life.p_ns[1]);
	ck_assert_msg(fabs(s.life.p_ns[2] - 99000.0) < 0.06 * 99000.0, "p99 of 1..100 us should be about 99 us, is %g ns",
		      s.life.p_ns[2]);
	ck_assert_double_eq_tol(gsl_histogram_sum(s.life.ns), 10000.0, 1e-9);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_quantile_edges)
{
	gsl_histogram *h = gsl_histogram_alloc(4);

	gsl_histogram_set_ranges_uniform(h, 0.0, 4.0);
	ck_assert_double_eq(trace_stats_quantile(h, 0.5), 0.0);	/* empty */
	ck_assert_double_eq(trace_stats_quantile(NULL, 0.5), 0.0);
	gsl_histogram_accumulate(h, 2.5, 10.0);		/* all mass in [2, 3) */
	ck_assert_double_eq_tol(trace_stats_quantile(h, 0.5), 2.5, 1e-9);
	ck_assert_double_eq_tol(trace_stats_quantile(h, 0.99), 2.99, 1e-9);
	ck_assert_double_eq_tol(trace_stats_quantile(h, 0.0), 2.0, 1e-9);
	ck_assert_double_eq(trace_stats_quantile(h, 1.0), 0.0);	/* q outside [0, 1) */
	gsl_histogram_free(h);
}
END_TEST

START_TEST(test_live_series)
{
	static const struct trace_stats_sample want[] = {
		{ 20000, 2, 256, 2, 0 }, { 40000, 4, 384, 2, 0 }, { 60000, 2, 128, 0, 2 },
		{ 80000, 0, 0, 0, 2 }, { 100000, 1, 128, 1, 1 },
	};
	struct sim_workload w;
	struct trace_stats s;

	ts_load_text(ts_trace, &w);
	ts_compute(&w, 1, 20000, &s);
	ck_assert_uint_eq(s.nsamples, 5);
	for (size_t i = 0; i < 5; i++) {
		const struct trace_stats_sample *p = &s.series[i];

		ck_assert_msg(p->t_ns == want[i].t_ns && p->live_objs == want[i].live_objs &&
			      p->live_bytes == want[i].live_bytes && p->allocs == want[i].allocs &&
			      p->frees == want[i].frees,
			      "step %zu should end at %llu ns with %llu objects, %llu bytes, %llu allocs, %llu frees; "
			      "has %llu, %llu, %llu, %llu, %llu", i, (unsigned long long)want[i].t_ns,
			      (unsigned long long)want[i].live_objs, (unsigned long long)want[i].live_bytes,
			      (unsigned long long)want[i].allocs, (unsigned long long)want[i].frees,
			      (unsigned long long)p->t_ns, (unsigned long long)p->live_objs,
			      (unsigned long long)p->live_bytes, (unsigned long long)p->allocs,
			      (unsigned long long)p->frees);
	}
	ck_assert_uint_eq(s.peak_live_objs, 4);
	ck_assert_uint_eq(s.peak_live_bytes, 384);
	ck_assert_uint_eq(s.peak_live_bytes_t_ns, 30000);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

/* ---- sorting -------------------------------------------------------------------------- */

static void ts_assert_order(const struct sim_workload *w, const struct trace_stats *s, const char *keys,
			    const char *const *want, size_t nwant)
{
	struct trace_stats_sort sort;
	uint32_t order[16];
	char bad[32];
	size_t used;

	ck_assert_int_eq(trace_stats_sort_parse(keys, &sort, bad, sizeof(bad)), 0);
	used = trace_stats_rows_sort(s->cache, s->ncaches, &w->caches, &sort, order);
	ck_assert_uint_eq(used, nwant);
	for (size_t i = 0; i < nwant; i++)
		ck_assert_msg(!strcmp(strtab_get(&w->caches, order[i]), want[i]),
			      "--sort %s: row %zu should be '%s', is '%s'", keys, i, want[i],
			      strtab_get(&w->caches, order[i]));
}

START_TEST(test_sort_keys)
{
	static const char *const by_hit[] = { "foo", "kmalloc-64", "" };
	static const char *const by_frag[] = { "foo", "kmalloc-64", "" };
	static const char *const by_name[] = { "foo", "kmalloc-64", "" };
	struct sim_workload w;
	struct trace_stats s;
	struct trace_stats_sort sort;
	char bad[32];

	ts_load_text(ts_trace, &w);
	trace_stats_compute(&w, &s);
	ts_assert_order(&w, &s, "hit", by_hit, 3);
	ts_assert_order(&w, &s, "bytes", by_hit, 3);
	ts_assert_order(&w, &s, "frag", by_frag, 3);
	ts_assert_order(&w, &s, "pingpong", by_hit, 3);
	ts_assert_order(&w, &s, "callsite", by_name, 3);
	ts_assert_order(&w, &s, "frag,hit,bytes", by_frag, 3);
	/* make kmalloc-64 win on ping-pong and on bytes */
	s.cache[ts_cache(&w, "kmalloc-64")].freed.cross_cpu = 5;
	s.cache[ts_cache(&w, "kmalloc-64")].bytes_alloc = 1000;
	{
		static const char *const km_first[] = { "kmalloc-64", "foo", "" };

		ts_assert_order(&w, &s, "pingpong", km_first, 3);
		ts_assert_order(&w, &s, "bytes,hit", km_first, 3);
		ts_assert_order(&w, &s, "hit,bytes", by_hit, 3);
	}
	ck_assert_int_eq(trace_stats_sort_parse("hit,colour", &sort, bad, sizeof(bad)), -EINVAL);
	ck_assert_str_eq(bad, "colour");
	ck_assert_int_eq(trace_stats_sort_parse("", &sort, bad, sizeof(bad)), -EINVAL);
	ck_assert_int_eq(trace_stats_sort_parse("hit,,bytes", &sort, bad, sizeof(bad)), -EINVAL);
	ck_assert_int_eq(trace_stats_sort_parse("frag,hit,bytes,pingpong,callsite", &sort, bad, sizeof(bad)), 0);
	ck_assert_uint_eq(sort.n, 5);
	ck_assert_int_eq(sort.key[4], TRACE_SORT_CALLSITE);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

/* ---- the command line ------------------------------------------------------------------- */

struct ts_result {
	int status;
	char *out;	/* whole standard output */
	char err[4096];
};

static char *ts_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t n = 0, cap = 1 << 16;
	char *b = xmalloc(cap);

	while (f && !feof(f)) {
		if (n + 4096 > cap)
			b = xrealloc(b, cap *= 2);
		n += fread(b + n, 1, cap - n - 1, f);
	}
	if (f)
		fclose(f);
	b[n] = '\0';
	return b;
}

/* Runs "slabsim ARGS" from the source directory; ARGS is already quoted. */
static void ts_run(struct ts_result *r, const char *args)
{
	const char *bd = getenv("SLABSIM_BUILDDIR"), *sd = getenv("SLABSIM_SRCDIR");
	char *dir = tutil_tmpdir(), cmd[4096], o[512], e[512];
	char *err;
	int st;

	snprintf(o, sizeof(o), "%s/out", dir);
	snprintf(e, sizeof(e), "%s/err", dir);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s/slabsim' %s </dev/null >'%s' 2>'%s'", sd && *sd ? sd : ".",
		 bd && *bd ? bd : ".", args, o, e);
	st = system(cmd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = ts_slurp(o);
	err = ts_slurp(e);
	snprintf(r->err, sizeof(r->err), "%s", err);
	free(err);
	unlink(o);
	unlink(e);
	rmdir(dir);
	free(dir);
}

/*
 * A structural check of JSON: strings closed, escapes valid, brackets and
 * braces balanced and matched, nothing after the top-level value.
 */
static bool ts_json_is_valid(const char *s)
{
	char stack[64];
	int depth = 0;
	bool in_str = false, any = false;

	for (; *s; s++) {
		if (in_str) {
			if (*s == '\\' && !strchr("\"\\/bfnrtu", *++s))
				return false;
			else if (*s == '"')
				in_str = false;
			else if ((unsigned char)*s < 0x20)
				return false;
			continue;
		}
		if (*s == '"')
			in_str = true;
		else if (*s == '{' || *s == '[') {
			if (depth == 64 || (depth == 0 && any))
				return false;
			stack[depth++] = *s == '{' ? '}' : ']';
			any = true;
		} else if (*s == '}' || *s == ']') {
			if (!depth || stack[--depth] != *s)
				return false;
		} else if (!depth && !strchr(" \n\t\r", *s)) {
			return false;
		}
	}
	return !in_str && !depth && any;
}

static bool ts_have_python(void)
{
	return system("command -v python3 >/dev/null 2>&1") == 0;
}

/* Writes text to a temporary file and runs a python3 check on it; true when it exits 0. */
static bool ts_python_ok(const char *text, const char *code)
{
	char *path = tutil_tmpfile(".txt", text, strlen(text));
	char cmd[2048];
	int st;

	snprintf(cmd, sizeof(cmd), "python3 -c '%s' '%s'", code, path);
	st = system(cmd);
	unlink(path);
	free(path);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static char *ts_trace_file(void)
{
	return tutil_tmpfile(".trace", ts_trace, strlen(ts_trace));
}

/* The lines of section text from the line starting with start up to the next empty line. */
static char *ts_section(const char *out, const char *start)
{
	const char *p = strstr(out, start), *end;

	ck_assert_msg(p != NULL, "the output should have a section '%s':\n%s", start, out);
	end = strstr(p, "\n\n");
	return strndup(p, end ? (size_t)(end - p) : strlen(p));
}

START_TEST(test_cli_text_top_sort)
{
	char *path = ts_trace_file(), args[1024], *sec;
	struct ts_result r;

	snprintf(args, sizeof(args), "trace stats '%s' --top 1 --sort bytes", path);
	ts_run(&r, args);
	ck_assert_msg(r.status == 0, "trace stats should succeed: %s", r.err);
	sec = ts_section(r.out, "Caches:");
	ck_assert_msg(strstr(sec, "the first 1 of 3 by bytes") && strstr(sec, "foo") && !strstr(sec, "kmalloc-64"),
		      "--top 1 --sort bytes should list foo only:\n%s", sec);
	ck_assert_msg(strstr(sec, "21.9%") && strstr(sec, "50.0% (1/2)"),
		      "foo's fragmentation (1 - 300/384) and ping-pong (1 of 2) should show:\n%s", sec);
	free(sec);
	sec = ts_section(r.out, "Call sites:");
	ck_assert_msg(strstr(sec, "site_a+0x10/0x40") && !strstr(sec, "site_b"), "the site table too:\n%s", sec);
	free(sec);
	free(r.out);
	snprintf(args, sizeof(args), "trace stats '%s' --all --sort callsite --table sites", path);
	ts_run(&r, args);
	ck_assert_msg(r.status == 0 && !strstr(r.out, "Caches:") && !strstr(r.out, "Anomalies"),
		      "--table sites should print the site table only:\n%s", r.out);
	const char *a = strstr(r.out, "free_thing"), *b = strstr(r.out, "site_a"), *c = strstr(r.out, "site_f");

	ck_assert_msg(a && b && c && a < b && b < c, "--sort callsite should order sites by name:\n%s", r.out);
	free(r.out);
	snprintf(args, sizeof(args), "trace stats '%s' --nodes 2 --table nodes,matrix", path);
	ts_run(&r, args);
	ck_assert_msg(r.status == 0 && strstr(r.out, "node 0: cpus 0-1, node 1: cpus 2-3") &&
		      strstr(r.out, "cross-node allocations       40.0% (2/5)") &&
		      strstr(r.out, "frees on another node        50.0% (2/4)"),
		      "--nodes 2 should map cpus 0-1 and 2-3 and count 2 cross-node allocations:\n%s", r.out);
	free(r.out);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_cli_usage_errors)
{
	static const struct {
		const char *args, *needle;
	} cases[] = {
		{ "--sort colour", "unknown key 'colour'" },
		{ "--format xml", "--format" },
		{ "--nodes 8", "only 4 CPUs" },
		{ "--nodes 0", "--nodes" },
		{ "--interval 5parsecs", "--interval" },
		{ "--interval 0", "--interval" },
		{ "--interval 1ns --table live", NULL },	/* 90,001 steps: fine */
		{ "--table everything", "unknown section 'everything'" },
		{ "--top 0", "--top" },
	};
	char *path = ts_trace_file(), args[1024];
	struct ts_result r;

	for (size_t i = 0; i < SIM_ARRAY_SIZE(cases); i++) {
		snprintf(args, sizeof(args), "trace stats '%s' %s", path, cases[i].args);
		ts_run(&r, args);
		if (!cases[i].needle) {
			ck_assert_msg(r.status == 0, "'%s' should succeed: %s", cases[i].args, r.err);
		} else {
			ck_assert_msg(r.status == 2 && strstr(r.err, cases[i].needle) && !strncmp(r.err, "slabsim: ", 9),
				      "'%s' is a usage error naming '%s' (exit 2), got %d: %s", cases[i].args,
				      cases[i].needle, r.status, r.err);
		}
		free(r.out);
	}
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_cli_json)
{
	char *path = ts_trace_file(), args[1024];
	struct ts_result r;

	snprintf(args, sizeof(args), "trace stats '%s' --format json --interval 20us", path);
	ts_run(&r, args);
	ck_assert_msg(r.status == 0, "--format json should succeed: %s", r.err);
	ck_assert_msg(ts_json_is_valid(r.out), "the JSON should be well formed:\n%s", r.out);
	ck_assert_msg(strstr(r.out, "\"cache\": \"foo\"") && strstr(r.out, "\"frag\": 0.21875") &&
		      strstr(r.out, "\"pingpong\": 1") && strstr(r.out, "\"interval_ns\": 20000"),
		      "the JSON should carry foo's row and the interval:\n%s", r.out);
	if (ts_have_python())
		ck_assert_msg(ts_python_ok(r.out,
					   "import json,sys\n"
					   "d=json.load(open(sys.argv[1]))\n"
					   "c={x[\"cache\"]:x for x in d[\"caches\"][\"rows\"]}\n"
					   "assert c[\"foo\"][\"allocs\"]==3 and c[\"foo\"][\"live_end\"]==1\n"
					   "assert d[\"matrix\"][0][3]==1 and d[\"matrix\"][2][1]==1\n"
					   "assert len(d[\"live\"][\"series\"])==5\n"
					   "assert d[\"lifetime\"][\"n\"]==4\n"
					   "assert d[\"cross\"][\"slab\"][\"cross_cpu\"]==2\n"),
			      "python3's json module should parse the output and find the hand-computed values");
	else
		fprintf(stderr, "check_tstats: python3 not found, JSON checked structurally only\n");
	free(r.out);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_cli_csv)
{
	char *path = ts_trace_file(), args[1024];
	struct ts_result r;
	int tables = 0;

	snprintf(args, sizeof(args), "trace stats '%s' --format csv --all", path);
	ts_run(&r, args);
	ck_assert_msg(r.status == 0, "--format csv should succeed: %s", r.err);
	/* every non-empty line: a known table name first; one header per table */
	for (char *line = r.out, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_msg(nl != NULL, "every CSV line should end with a newline");
		if (nl == line)
			continue;
		tables += !strncmp(line, "table,", 6);
		ck_assert_msg(strncmp(line, "table,", 6) == 0 || memchr(line, ',', (size_t)(nl - line)),
			      "a CSV row should have fields: %.*s", (int)(nl - line), line);
	}
	ck_assert_int_eq(tables, 13);	/* 12 sections, the lifetime section has two tables */
	ck_assert_msg(strstr(r.out, "caches,1,foo,128,3,2,300,384,100,128,0.21875,1,2,1,0.5,"),
		      "the caches table should have foo's hand-computed row:\n%s", r.out);
	ck_assert_msg(strstr(r.out, "matrix,2,1,1\n") && strstr(r.out, "matrix,1,2,0\n"), "the long-form matrix");
	if (ts_have_python())
		ck_assert_msg(ts_python_ok(r.out,
					   "import csv,sys\n"
					   "rows=[x for x in csv.reader(open(sys.argv[1])) if x]\n"
					   "hdr={}\n"
					   "for x in rows:\n"
					   "  if x[0]==\"table\": h=x\n"
					   "  else: hdr.setdefault(x[0],h); assert len(x)==len(hdr[x[0]]), x\n"
					   "assert set(hdr)>={\"summary\",\"caches\",\"sites\",\"matrix\",\"lifetime\",\"lifetime_bins\",\"live\"}\n"),
			      "python3's csv module should parse every table with rows as wide as their header");
	free(r.out);
	unlink(path);
	free(path);
}
END_TEST

/* ---- the real capture ------------------------------------------------------------------- */

START_TEST(test_real_fork_exec_figures)
{
	static const struct {
		const char *cache;
		uint64_t pairs, cross;
	} busiest[] = {	/* traces/samples/README.md, fork_exec.analysis.json */
		{ "vm_area_struct", 40050, 1018 }, { "anon_vma_chain", 37655, 1531 }, { "maple_node", 35199, 4 },
		{ "anon_vma", 17625, 502 }, { "names_cache", 9606, 6 }, { "mm_struct", 4002, 106 },
		{ "cred_jar", 3996, 188 },
	};
	const char *path = tutil_srcpath("traces/samples/fork_exec.trace.xz");
	struct sim_workload w;
	struct trace_stats s;
	char err[512];

	if (tutil_quick_skips("traces/samples/fork_exec.trace.xz"))
		return;
	if (access(path, R_OK)) {
		fprintf(stderr, "check_tstats: %s not found, real-trace test not run\n", path);
		return;
	}
	sim_workload_init(&w);
	ck_assert_msg(trace_load(path, &w, err, sizeof(err)) == 0, "the sample should load: %s", err);
	trace_stats_compute(&w, &s);
	/* README: "kmem_cache cross-CPU free 2.6% (4,523/173,795)", kmalloc 1.4% (342/24,885) */
	ck_assert_uint_eq(s.kind[TRACE_SK_KMEM_CACHE].pairs, 173795);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMEM_CACHE].cross_cpu, 4523);
	ck_assert_double_eq_tol(100.0 * trace_stats_fraction(&s.kind[TRACE_SK_KMEM_CACHE]), 2.6, 0.05);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMALLOC].pairs, 24885);
	ck_assert_uint_eq(s.kind[TRACE_SK_KMALLOC].cross_cpu, 342);
	ck_assert_uint_eq(s.kind[TRACE_SK_PAGE].cross_cpu, 1191);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(busiest); i++) {
		const struct trace_stats_row *c = &s.cache[ts_cache(&w, busiest[i].cache)];

		ck_assert_msg(c->freed.pairs == busiest[i].pairs && c->freed.cross_cpu == busiest[i].cross,
			      "%s should have %llu pairs, %llu freed on another CPU; has %llu, %llu", busiest[i].cache,
			      (unsigned long long)busiest[i].pairs, (unsigned long long)busiest[i].cross,
			      (unsigned long long)c->freed.pairs, (unsigned long long)c->freed.cross_cpu);
	}
	/* the matrix holds every matched slab pair; its off-diagonal the cross-CPU ones */
	uint64_t all = 0, off = 0;

	for (unsigned a = 0; a < s.ncpus; a++)
		for (unsigned f = 0; f < s.ncpus; f++) {
			all += trace_stats_matrix_get(&s, a, f);
			off += a != f ? trace_stats_matrix_get(&s, a, f) : 0;
		}
	ck_assert_uint_eq(all, s.slab.pairs);
	ck_assert_uint_eq(off, s.slab.cross_cpu);
	ck_assert_uint_eq(s.life.n + s.life.censored, w.nobjs);
	ck_assert_uint_eq(s.live_end, 182);
	ck_assert_uint_eq(s.series[s.nsamples - 1].live_objs, 182);
	ck_assert_msg(s.life.p_ns[0] <= s.life.p_ns[1] && s.life.p_ns[1] <= s.life.p_ns[2], "quantiles should be ordered");
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

/* ---- passes over a native file ----------------------------------------------------------- */

#define TS_SAME(field) \
	ck_assert_msg(a->field == b->field, #field " should be the same read in passes as in memory (%s)", what)
#define TS_SAME_MEM(field, n) \
	ck_assert_msg(!memcmp(a->field, b->field, (n) * sizeof(*a->field)), \
		      #field " should be the same read in passes as in memory (%s)", what)

static void ts_assert_same_hist(const gsl_histogram *a, const gsl_histogram *b, const char *what)
{
	ck_assert_msg((a == NULL) == (b == NULL), "both or neither should have a histogram (%s)", what);
	if (a)
		ck_assert_msg(gsl_histogram_equal_bins_p(a, b) && !memcmp(a->bin, b->bin, a->n * sizeof(double)),
			      "the lifetime histograms should be the same (%s)", what);
}

/* Every figure of s, field by field. */
static void ts_assert_same(const struct trace_stats *a, const struct trace_stats *b, const char *what)
{
	TS_SAME(events);
	TS_SAME(t_first_ns);
	TS_SAME(duration_ns);
	TS_SAME(ncpus);
	TS_SAME(ncaches);
	TS_SAME(nsites);
	TS_SAME(allocs);
	TS_SAME(live_end);
	TS_SAME(live_bytes_end);
	TS_SAME(peak_live_objs);
	TS_SAME(peak_live_bytes);
	TS_SAME(peak_live_bytes_t_ns);
	TS_SAME(pages_live_end);
	TS_SAME(page_free_unseen);
	TS_SAME(page_alloc_live);
	TS_SAME(nsamples);
	TS_SAME_MEM(by_type, TRACE_ST_NTYPES);
	TS_SAME_MEM(anomaly, SIM_AN_COUNT);
	TS_SAME_MEM(cpu, a->ncpus);
	TS_SAME_MEM(cache, a->ncaches);
	TS_SAME_MEM(site, a->nsites);
	TS_SAME_MEM(matrix, (size_t)a->ncpus * a->ncpus);
	TS_SAME_MEM(kind, TRACE_SK_NKINDS);
	TS_SAME_MEM(series, a->nsamples);
	ck_assert_msg(!memcmp(&a->slab, &b->slab, sizeof(a->slab)), "slab pairs (%s)", what);
	ck_assert_msg(!memcmp(&a->pre, &b->pre, sizeof(a->pre)), "slabs from before the trace (%s)", what);
	ck_assert_msg(a->life.n == b->life.n && a->life.censored == b->life.censored &&
		      a->life.max_ns == b->life.max_ns && a->life.max_events == b->life.max_events &&
		      a->life.mean_ns == b->life.mean_ns && a->life.mean_events == b->life.mean_events &&
		      !memcmp(a->life.p_ns, b->life.p_ns, sizeof(a->life.p_ns)) &&
		      !memcmp(a->life.p_events, b->life.p_events, sizeof(a->life.p_events)),
		      "the lifetime figures should be the same (%s)", what);
	ts_assert_same_hist(a->life.ns, b->life.ns, what);
	ts_assert_same_hist(a->life.events, b->life.events, what);
}

/* path loaded whole, and written as a native file (caller unlinks and frees it). */
static char *ts_native_of(const char *rel, struct sim_workload *w)
{
	char err[1024], *out = tutil_tmpfile(".slabsimt", "", 0);

	sim_workload_init(w);
	ck_assert_msg(trace_load(tutil_srcpath(rel), w, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(trace_native_write(w, out, err, sizeof(err)) == 0, "%s", err);
	return out;
}

/*
 * trace stats over a native file, pass by pass and never holding the
 * events, gives every figure the workload in memory gives: rows, matrix,
 * series, lifetimes and the slabs from before the trace, on both samples,
 * with one node and two and a fine series.
 */
START_TEST(test_passes_native_same_as_memory)
{
	static const char *const rel[] = {
		"traces/samples/fork_exec-head.trace.xz", "traces/samples/file_churn-head.trace.xz",
	};
	static const struct trace_stats_opts opts[] = { { 1, 100000000ull }, { 2, 1000000ull } };

	for (size_t i = 0; i < SIM_ARRAY_SIZE(rel); i++) {
		struct sim_workload w, hw;
		struct trace_native_info ni;
		char err[1024], *path = ts_native_of(rel[i], &w);

		sim_workload_init(&hw);
		struct trace_native_passes *np = trace_native_passes_open(path, &hw, &ni, err, sizeof(err));

		ck_assert_msg(np != NULL, "%s", err);
		ck_assert_uint_eq(hw.ncpus, w.ncpus);
		ck_assert_uint_eq(hw.nobjs, w.nobjs);
		for (size_t k = 0; k < SIM_ARRAY_SIZE(opts); k++) {
			struct sim_passes *p = trace_native_passes_get(np);
			struct trace_stats a, b;
			unsigned before = p->npasses;

			ck_assert_int_eq(trace_stats_compute_ex(&w, &opts[k], &a), 0);
			ck_assert_msg(trace_stats_compute_passes(p, &opts[k], &b, err, sizeof(err)) == 0, "%s", err);
			ts_assert_same(&a, &b, rel[i]);
			ck_assert_msg(a.pre.known, "the sample's direct map should be inferred (%s)", rel[i]);
			/* span, statistics, votes, scores, classification */
			ck_assert_uint_eq(p->npasses - before, 5);
			trace_stats_fini(&a);
			trace_stats_fini(&b);
		}
		trace_native_passes_close(np);
		sim_workload_fini(&hw);
		sim_workload_fini(&w);
		unlink(path);
		free(path);
	}
}
END_TEST

/* Without page events the direct map cannot be inferred: no pass is spent on scores or classes. */
START_TEST(test_passes_skip_preslab_without_pages)
{
	struct sim_workload w;
	struct sim_passes_mem pm;
	struct trace_stats s;
	char err[256];

	ts_uniform_workload(&w, 200);
	sim_passes_mem_init(&pm, &w);
	ck_assert_int_eq(trace_stats_compute_passes(&pm.p, NULL, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(pm.p.npasses, 3);
	ck_assert(!s.pre.known);
	ck_assert_uint_eq(s.events, w.nev);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
}
END_TEST

/*
 * A native file damaged after its header: the pass that reaches the end
 * reports the checksum by the file's name, trace stats prints nothing
 * and fails, and every later pass would say the same.
 */
START_TEST(test_passes_damaged_native)
{
	struct sim_workload w, hw;
	struct trace_native_info ni;
	struct trace_stats s;
	struct ts_result r;
	char err[1024], args[1200], *path = ts_native_of("traces/samples/fork_exec-head.trace.xz", &w);
	FILE *f = fopen(path, "r+b");
	long size;
	int c;

	ck_assert(f != NULL);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	ck_assert_int_eq(fseek(f, size / 2, SEEK_SET), 0);
	c = fgetc(f);
	ck_assert_int_eq(fseek(f, size / 2, SEEK_SET), 0);
	fputc(c ^ 0x40, f);
	fclose(f);

	sim_workload_init(&hw);
	struct trace_native_passes *np = trace_native_passes_open(path, &hw, &ni, err, sizeof(err));

	ck_assert_msg(np != NULL, "the header is sound: %s", err);
	ck_assert_int_lt(trace_stats_compute_passes(trace_native_passes_get(np), NULL, &s, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, path) && strstr(err, "checksum"), "the error should name the file and the checksum: %s",
		      err);
	trace_stats_fini(&s);
	trace_native_passes_close(np);
	sim_workload_fini(&hw);

	snprintf(args, sizeof(args), "trace stats '%s'", path);
	ts_run(&r, args);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(!r.out[0], "nothing should be printed for a damaged trace: %s", r.out);
	ck_assert_msg(strstr(r.err, "trace stats:") && strstr(r.err, "checksum"), "stderr: %s", r.err);
	free(r.out);
	sim_workload_fini(&w);
	unlink(path);
	free(path);
}
END_TEST

Suite *tstats_suite(void)
{
	Suite *s = suite_create("tstats");
	TCase *rows = tcase_create("rows");
	TCase *time = tcase_create("time");
	TCase *cli = tcase_create("cli");
	TCase *real = tcase_create("real");

	tcase_add_test(rows, test_cache_rows);
	tcase_add_test(rows, test_site_rows);
	tcase_add_test(rows, test_cpus_and_matrix);
	tcase_add_test(rows, test_cross_node_apart_from_cross_cpu);
	tcase_add_test(rows, test_bad_options);
	tcase_add_test(rows, test_sort_keys);
	tcase_add_test(time, test_lifetimes_hand);
	tcase_add_test(time, test_lifetime_quantiles_uniform);
	tcase_add_test(time, test_quantile_edges);
	tcase_add_test(time, test_live_series);
	tcase_add_test(cli, test_cli_text_top_sort);
	tcase_add_test(cli, test_cli_usage_errors);
	tcase_add_test(cli, test_cli_json);
	tcase_add_test(cli, test_cli_csv);
	tcase_set_timeout(cli, 60);
	tcase_add_test(real, test_real_fork_exec_figures);
	tcase_add_test(real, test_passes_native_same_as_memory);
	tcase_add_test(real, test_passes_skip_preslab_without_pages);
	tcase_add_test(real, test_passes_damaged_native);
	tcase_set_timeout(real, 120);
	suite_add_tcase(s, rows);
	suite_add_tcase(s, time);
	suite_add_tcase(s, cli);
	suite_add_tcase(s, real);
	return s;
}
