/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_invariants.c - every registered policy replays every bundled real
 * trace, and the books balance: no object is handed out twice while live
 * (replay's verify mode fails the run otherwise), the policy's state is
 * consistent at the end, live objects and bytes equal the trace's
 * outstanding allocations, slab and large-kmalloc bytes equal the pages the
 * page allocator has handed out, every lock is released, and a drain leaves
 * no object cached.  Also: the same seed and inputs give identical results.
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
#include "traces/reshape.h"

static const char *const traces[] = {
	"traces/samples/fork_exec-head.trace.xz",
	"traces/samples/file_churn-head.trace.xz",
	"traces/samples/fork_exec.trace.xz",
	"traces/samples/file_churn.trace.xz",
};

struct variant {
	const char *policy;		/* policy or preset */
	unsigned cpus, nodes;
	enum sim_timing timing;
};

static const struct variant variants[] = {
	{ "slub-classic", 4, 1, SIM_TIMING_TRACE },
	{ "slub-2007", 4, 1, SIM_TIMING_TRACE },
	{ "slub-classic", 64, 2, SIM_TIMING_CLOSED },
	{ "slub-2007", 16, 2, SIM_TIMING_CLOSED },
	{ "slub-classic", 2, 1, SIM_TIMING_CLOSED },
	{ "objpool", 4, 1, SIM_TIMING_TRACE },
	{ "objpool", 16, 2, SIM_TIMING_CLOSED },
	{ "sheaves", 4, 1, SIM_TIMING_TRACE },
	{ "bonwick", 16, 2, SIM_TIMING_CLOSED },
	{ "pcarray", 4, 1, SIM_TIMING_TRACE },
	{ "wilcox-array", 16, 2, SIM_TIMING_CLOSED },
	{ "llcache", 4, 1, SIM_TIMING_TRACE },
	{ "biocache", 16, 2, SIM_TIMING_CLOSED },
	{ "slab", 4, 1, SIM_TIMING_TRACE },
	{ "slab", 16, 2, SIM_TIMING_CLOSED },
};

static const struct sim_workload *trace_get(unsigned i)
{
	return tutil_sample(traces[i]);
}

static void config_for(const struct variant *v, struct sim_run_config *cfg,
		       const struct sim_policy_ops **ops, struct sim_param_values *pv)
{
	const struct policy_preset *p = policy_preset_find(v->policy);
	char err[256];

	*ops = policy_find(p ? p->policy : v->policy);
	ck_assert_ptr_nonnull(*ops);
	policy_params_default(*ops, pv);
	if (p)
		ck_assert_int_eq(policy_params_apply(*ops, pv, p->settings, err, sizeof(err)), 0);
	memset(cfg, 0, sizeof(*cfg));
	sim_machine_config_defaults(&cfg->mach);
	cfg->mach.ncpus = v->cpus;
	cfg->mach.nnodes = v->nodes;
	cfg->mach.timing = v->timing;
}

static void check_books(const struct sim_stats *st, const char *what)
{
	const struct sim_gauge *tot = &st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT];

	ck_assert_msg((uint64_t)tot[SIM_GAUGE_live_objs].cur == st->outstanding_allocs,
		      "%s: live objects (%lld) should equal the outstanding allocations (%llu)", what,
		      (long long)tot[SIM_GAUGE_live_objs].cur, (unsigned long long)st->outstanding_allocs);
	ck_assert_msg((uint64_t)tot[SIM_GAUGE_live_bytes].cur == st->outstanding_bytes,
		      "%s: live bytes should equal the outstanding allocations' bytes", what);
	ck_assert_msg((uint64_t)(tot[SIM_GAUGE_slab_bytes].cur + tot[SIM_GAUGE_large_bytes].cur) == st->page_bytes_used,
		      "%s: slab and large-kmalloc bytes (%lld) should equal the bytes of pages in use (%llu)", what,
		      (long long)(tot[SIM_GAUGE_slab_bytes].cur + tot[SIM_GAUGE_large_bytes].cur),
		      (unsigned long long)st->page_bytes_used);
	ck_assert_msg(st->locks_held_at_end == 0, "%s: every lock should be released at the end", what);
	ck_assert_msg(sim_stats_counter_total(st, SIM_CNT_alloc) + sim_stats_counter_total(st, SIM_CNT_free) +
		      sim_stats_counter_total(st, SIM_CNT_alloc_failed) == st->events_replayed,
		      "%s: every replayed event should be one alloc, free or failed alloc", what);
}

START_TEST(test_books_balance)
{
	unsigned ti = (unsigned)_i / SIM_ARRAY_SIZE(variants);
	const struct variant *v = &variants[(unsigned)_i % SIM_ARRAY_SIZE(variants)];
	const struct sim_workload *w;
	const struct sim_policy_ops *ops;
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	char err[512], what[256];

	if (tutil_quick_skips(traces[ti]))
		return;
	w = trace_get(ti);
	snprintf(what, sizeof(what), "%s on %s, %u cpus, %u nodes", v->policy, traces[ti], v->cpus, v->nodes);
	config_for(v, &cfg, &ops, &pv);
	ck_assert_msg(sim_replay(w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "%s: the verified replay should succeed: %s", what, err);
	check_books(st, what);
	ck_assert_msg(st->events_replayed == sim_workload_replayable(w),
		      "%s: every replayable event should have been replayed", what);
	sim_stats_destroy(st);

	o.drain_at_end = true;
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, &o, &st, err, sizeof(err)), 0);
	ck_assert_msg(ops->drain_keeps_objects ||
		      st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT + SIM_GAUGE_cached_objs].cur == 0,
		      "%s: after a drain no free object should be cached", what);
	ck_assert_msg(st->locks_held_at_end == 0, "%s: the drain should release its locks", what);
	sim_stats_destroy(st);
}
END_TEST

/* Everything but the memory series. */
static bool stats_equal_but_series(const struct sim_stats *a, const struct sim_stats *b)
{
	size_t nc = (size_t)a->ncpus, nk = (size_t)a->ncaches;

	return a->ncpus == b->ncpus && a->ncaches == b->ncaches &&
	       !memcmp(a->counter_cpu, b->counter_cpu, nc * SIM_CNT_COUNT * sizeof(uint64_t)) &&
	       !memcmp(a->counter_cache, b->counter_cache, nk * SIM_CNT_COUNT * sizeof(uint64_t)) &&
	       !memcmp(a->lock_cpu, b->lock_cpu, nc * SIM_LOCK_CLASS_COUNT * sizeof(*a->lock_cpu)) &&
	       !memcmp(a->touch_cache, b->touch_cache, nk * SIM_ORIGIN_COUNT * sizeof(*a->touch_cache)) &&
	       !memcmp(a->gauge, b->gauge, (nk + 1) * SIM_GAUGE_COUNT * sizeof(*a->gauge)) &&
	       !memcmp(a->lat_sum, b->lat_sum, sizeof(a->lat_sum)) &&
	       a->end_cycles == b->end_cycles && a->stall_cycles == b->stall_cycles &&
	       a->timer_runs == b->timer_runs;
}

static bool stats_equal(const struct sim_stats *a, const struct sim_stats *b)
{
	return stats_equal_but_series(a, b) && a->ninstants == b->ninstants &&
	       !memcmp(a->instant_t, b->instant_t, a->ninstants * sizeof(*a->instant_t)) &&
	       a->nruns == b->nruns && !memcmp(a->runs, b->runs, a->nruns * sizeof(*a->runs));
}

START_TEST(test_same_seed_same_result)
{
	const struct sim_workload *w = trace_get(0);
	const struct variant v = { "slub-classic", 8, 2, SIM_TIMING_CLOSED };
	const struct sim_policy_ops *ops;
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_stats *a = NULL, *b = NULL, *c = NULL;
	char err[512];

	config_for(&v, &cfg, &ops, &pv);
	cfg.mach.seed = 7;
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, NULL, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, NULL, &b, err, sizeof(err)), 0);
	ck_assert_msg(stats_equal(a, b), "two runs with the same seed and inputs should be identical");
	/* with 2 nodes get_any_partial() draws from the RNG: another seed is allowed to differ,
	 * but must still balance its books */
	cfg.mach.seed = 8;
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, NULL, &c, err, sizeof(err)), 0);
	check_books(c, "seed 8");
	sim_stats_destroy(a);
	sim_stats_destroy(b);
	sim_stats_destroy(c);
}
END_TEST

START_TEST(test_warmup_restarts_statistics)
{
	const struct sim_workload *w = trace_get(0);
	const struct variant v = { "slub-classic", 4, 1, SIM_TIMING_TRACE };
	const struct sim_policy_ops *ops;
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *full = NULL, *warm = NULL, *timed = NULL;
	char err[512];

	config_for(&v, &cfg, &ops, &pv);
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, &o, &full, err, sizeof(err)), 0);
	cfg.mach.warmup_events = 5000;
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, &o, &warm, err, sizeof(err)), 0);
	/* the warm-up's events are replayed but not counted; the state carries over */
	ck_assert_uint_eq(warm->events_replayed, full->events_replayed - 5000);
	check_books(warm, "warm-up of 5000 events");
	ck_assert_msg(sim_stats_counter_total(warm, SIM_CNT_alloc_slab) < sim_stats_counter_total(full, SIM_CNT_alloc_slab),
		      "slabs made during the warm-up should not be counted after it");
	/* the same machine state at the end: memory held is equal */
	ck_assert_int_eq(warm->gauge[(size_t)warm->ncaches * SIM_GAUGE_COUNT + SIM_GAUGE_slab_bytes].cur,
			 full->gauge[(size_t)full->ncaches * SIM_GAUGE_COUNT + SIM_GAUGE_slab_bytes].cur);
	cfg.mach.warmup_events = 0;
	cfg.mach.warmup_ns = 100000000;		/* 100 ms of the head trace's 455 ms */
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, &o, &timed, err, sizeof(err)), 0);
	ck_assert_uint_lt(timed->events_replayed, full->events_replayed);
	ck_assert_uint_gt(timed->events_replayed, 0);
	check_books(timed, "warm-up of 100 ms");
	sim_stats_destroy(full);
	sim_stats_destroy(warm);
	sim_stats_destroy(timed);
}
END_TEST

START_TEST(test_registry_valid)
{
	char why[256] = "";

	ck_assert_msg(policy_registry_is_valid(why, sizeof(why)), "the policy registry should be valid: %s", why);
	/* every registered policy is exercised by the variants above */
	for (const struct sim_policy_ops *const *p = policy_registry; *p; p++) {
		bool found = false;

		for (unsigned i = 0; i < SIM_ARRAY_SIZE(variants); i++) {
			const struct policy_preset *pr = policy_preset_find(variants[i].policy);

			found |= !strcmp(pr ? pr->policy : variants[i].policy, (*p)->name);
		}
		ck_assert_msg(found, "policy %s should be covered by the invariant variants", (*p)->name);
	}
}
END_TEST

/* --- generated edge cases, every policy and preset --------------------- */

enum edge { EDGE_BURST, EDGE_REMOTE_CPU, EDGE_REMOTE_NODE, EDGE_ONE_CPU, EDGE_256_CPUS, EDGE_COUNT };

static const char *const edge_name[EDGE_COUNT] = {
	"burst of 5000 allocations then 5000 frees on one cpu",
	"every object freed on another cpu",
	"every object freed on another node",
	"a single cpu",
	"256 cpus",
};

static void edge_push(struct sim_workload *w, uint64_t t, unsigned cpu, enum sim_ev_op op, uint32_t oid, uint32_t cache)
{
	struct sim_event e = { .t_ns = t, .ptr = 0x10000 + (uint64_t)oid * 64, .oid = oid, .cache = cache,
			       .bytes_req = w->cache_size[cache], .bytes_alloc = w->cache_size[cache],
			       .cpu = (uint16_t)cpu, .op = (uint8_t)op, .node = SIM_NO_NODE };

	sim_workload_push(w, &e);
	if (op == SIM_EV_ALLOC && oid >= w->nobjs)
		w->nobjs = oid + 1;
}

/* Allocations on cpu a, frees on cpu f: n of them, in bursts of burst. */
static void edge_pattern(struct sim_workload *w, unsigned a, unsigned f, unsigned n, unsigned burst)
{
	uint32_t small = sim_workload_cache(w, "edge-64", 64, 0);
	uint32_t big = sim_workload_cache(w, "edge-1k", 1024, 0);
	uint64_t t = 1000;

	for (unsigned base = 0; base < n; base += burst) {
		for (unsigned i = base; i < base + burst && i < n; i++, t += 100)
			edge_push(w, t, a, SIM_EV_ALLOC, i, i % 3 ? small : big);
		for (unsigned i = base; i < base + burst && i < n; i++, t += 100)
			edge_push(w, t, f, SIM_EV_FREE, i, i % 3 ? small : big);
	}
}

static void edge_workload(enum edge e, struct sim_workload *w, struct sim_machine_config *m)
{
	char err[256];

	sim_workload_init(w);
	snprintf(w->source, sizeof(w->source), "edge: %s", edge_name[e]);
	sim_machine_config_defaults(m);
	m->timing = SIM_TIMING_CLOSED;
	switch (e) {
	case EDGE_BURST:
		edge_pattern(w, 0, 0, 5000, 5000);
		break;
	case EDGE_REMOTE_CPU:
		edge_pattern(w, 0, 1, 3000, 300);
		break;
	case EDGE_REMOTE_NODE:
		m->ncpus = 4;
		m->nnodes = 2;
		edge_pattern(w, 0, 3, 3000, 300);
		break;
	case EDGE_ONE_CPU:
		m->ncpus = 1;
		ck_assert_int_eq(trace_load(tutil_srcpath(traces[0]), w, err, sizeof(err)), 0);
		break;
	case EDGE_256_CPUS:
		m->ncpus = 256;
		m->nnodes = 4;
		m->cache_kb = 64;
		ck_assert_int_eq(trace_load(tutil_srcpath(traces[0]), w, err, sizeof(err)), 0);
		{
			/* the first 2 ms of the capture, 64 copies of its 4 cpus */
			struct trace_reshape r = { .window_end_ns = 2000000, .replicate = 64 };

			ck_assert_msg(trace_reshape_apply(w, &r, err, sizeof(err)) == 0, "reshape: %s", err);
		}
		break;
	default:
		break;
	}
	w->digest = sim_workload_digest(w);
}

/* Every policy, then every preset: the conformance list. */
static unsigned conformance_count(void)
{
	unsigned n = 0;

	for (const struct sim_policy_ops *const *p = policy_registry; *p; p++)
		n++;
	for (const struct policy_preset *p = policy_presets; p->name; p++)
		n++;
	return n;
}

static const char *conformance_name(unsigned i)
{
	unsigned n = 0;

	for (const struct sim_policy_ops *const *p = policy_registry; *p; p++, n++)
		if (n == i)
			return (*p)->name;
	for (const struct policy_preset *p = policy_presets; p->name; p++, n++)
		if (n == i)
			return p->name;
	return NULL;
}

START_TEST(test_edge_cases)
{
	unsigned ncases = conformance_count();
	enum edge e = (enum edge)((unsigned)_i / ncases);
	const char *name = conformance_name((unsigned)_i % ncases);
	struct variant v = { name, 4, 1, SIM_TIMING_CLOSED };
	const struct sim_policy_ops *ops;
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_workload w;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	struct sim_mem_sample *rows;
	size_t nrows;
	char err[512], what[256];

	config_for(&v, &cfg, &ops, &pv);
	edge_workload(e, &w, &cfg.mach);
	snprintf(what, sizeof(what), "%s, %s", name, edge_name[e]);
	ck_assert_msg(sim_replay(&w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0,
		      "%s: the verified replay should succeed: %s", what, err);
	check_books(st, what);
	/* memory held never below the live bytes, at every sample */
	rows = sim_stats_series_expand(st, &nrows);
	for (size_t i = 0; i < nrows; i++) {
		const struct sim_mem_sample *m = &rows[i];

		if (m->cache != -1)
			continue;
		ck_assert_msg(m->g[SIM_GAUGE_slab_bytes] + m->g[SIM_GAUGE_large_bytes] >= m->g[SIM_GAUGE_live_bytes],
			      "%s: memory held (%lld) should never be below the live bytes (%lld) at t=%llu ns", what,
			      (long long)(m->g[SIM_GAUGE_slab_bytes] + m->g[SIM_GAUGE_large_bytes]),
			      (long long)m->g[SIM_GAUGE_live_bytes], (unsigned long long)m->t_ns);
	}
	free(rows);
	sim_stats_destroy(st);
	sim_workload_fini(&w);
}
END_TEST

/* The first row of each sample instant of rows (st's series), in *first (allocated), and their number. */
static size_t series_instants(const struct sim_stats *st, const struct sim_mem_sample *rows, size_t nrows,
			      size_t **first)
{
	size_t n = 0;

	*first = malloc((st->ninstants + 1) * sizeof(**first));
	ck_assert_ptr_nonnull(*first);
	for (size_t i = 0; i < nrows; i++)
		if (!i || rows[i - 1].cache == -1)
			(*first)[n++] = i;
	ck_assert_uint_eq(n, st->ninstants);
	(*first)[n] = nrows;
	return n;
}

/*
 * A series bounded by sample_max is the unbounded one with every 2^k-th
 * instant kept (k the times it was thinned) and the instant at the end;
 * nothing else about the run changes.
 */
START_TEST(test_series_thinned)
{
	const struct sim_workload *w = trace_get(0);
	const struct variant v = { "slub-classic", 4, 1, SIM_TIMING_TRACE };
	const struct sim_policy_ops *ops;
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_stats *full = NULL, *thin = NULL;
	size_t *ff, *tf, nfull, nthin, nfrows, ntrows;
	struct sim_mem_sample *frows, *trows;
	char err[512];

	config_for(&v, &cfg, &ops, &pv);
	cfg.mach.sample_ns = SIM_MAX(sim_workload_duration_ns(w) / 1000, 1000);
	cfg.mach.sample_max = 0;
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, NULL, &full, err, sizeof(err)), 0);
	cfg.mach.sample_max = 16;
	ck_assert_int_eq(sim_replay(w, &cfg, ops, &pv, NULL, &thin, err, sizeof(err)), 0);
	ck_assert_msg(stats_equal_but_series(full, thin), "bounding the series should change nothing else");
	frows = sim_stats_series_expand(full, &nfrows);
	trows = sim_stats_series_expand(thin, &ntrows);
	ck_assert_uint_eq(nfrows, sim_stats_series_rows(full));
	ck_assert_uint_eq(ntrows, sim_stats_series_rows(thin));
	nfull = series_instants(full, frows, nfrows, &ff);
	nthin = series_instants(thin, trows, ntrows, &tf);
	ck_assert_uint_eq(full->samples_thinned, 0);
	ck_assert_uint_ge(nfull, 1000);
	/*
	 * Of the n instants of the sampler (the last instant of each series is
	 * the one at the end), every 2^k-th is kept: ceil(n / 2^k) of them,
	 * fewer than 16, since the series is halved on reaching 16; and
	 * halved no more than that needs.
	 */
	ck_assert_uint_ge(thin->samples_thinned, 1);
	ck_assert_uint_eq(nthin - 1, ((nfull - 1) + ((size_t)1 << thin->samples_thinned) - 1) >> thin->samples_thinned);
	ck_assert_uint_lt(nthin - 1, 16);
	ck_assert_uint_ge(((nfull - 1) + ((size_t)1 << (thin->samples_thinned - 1)) - 1) >> (thin->samples_thinned - 1), 16);
	for (size_t i = 0; i < nthin; i++) {
		size_t j = i + 1 < nthin ? i << thin->samples_thinned : nfull - 1, rows = tf[i + 1] - tf[i];

		ck_assert_msg(j < nfull && ff[j + 1] - ff[j] == rows &&
			      !memcmp(&trows[tf[i]], &frows[ff[j]], rows * sizeof(*trows)),
			      "instant %zu of the bounded series should be instant %zu of the whole one", i, j);
	}
	free(ff);
	free(tf);
	free(frows);
	free(trows);
	sim_stats_destroy(full);
	sim_stats_destroy(thin);
}
END_TEST

Suite *invariants_suite(void)
{
	Suite *s = suite_create("invariants");
	TCase *tc = tcase_create("real traces");

	tcase_set_timeout(tc, 600);
	tcase_add_unchecked_fixture(tc, NULL, tutil_samples_release);
	tcase_add_test(tc, test_registry_valid);
	tcase_add_loop_test(tc, test_books_balance, 0, (int)(SIM_ARRAY_SIZE(traces) * SIM_ARRAY_SIZE(variants)));
	tcase_add_test(tc, test_same_seed_same_result);
	tcase_add_test(tc, test_warmup_restarts_statistics);
	tcase_add_test(tc, test_series_thinned);
	suite_add_tcase(s, tc);
	tc = tcase_create("edge cases");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_edge_cases, 0, (int)(EDGE_COUNT * conformance_count()));
	suite_add_tcase(s, tc);
	return s;
}
