/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_stream.c - replays streamed from a native file: the same
 * statistics as the replay of the workload in memory (every policy, with
 * a warm-up, reshaped on the way), the replay's memory bounded by the live
 * objects, and a damaged or truncated file reported by name and offset
 * with no statistics.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policies/registry.h"
#include "sim/pending.h"
#include "sim/replay.h"
#include "sim/stats.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/reshape.h"

static const char *const samples[] = {
	"traces/samples/fork_exec-head.trace.xz",
	"traces/samples/file_churn-head.trace.xz",
};

static const char *const policies[] = { "slub", "slab", "magazine", "pcarray", "llcache", "objpool" };

/* The sample as a native file (caller unlinks and frees). */
static char *st_native(const struct sim_workload *w)
{
	char *path = tutil_tmpfile(".slabsim", "", 0);
	char err[1024];

	ck_assert_msg(trace_native_write(w, path, err, sizeof(err)) == 0, "%s", err);
	return path;
}

static void st_config(struct sim_run_config *cfg, unsigned ncpus, bool closed, uint64_t warmup)
{
	memset(cfg, 0, sizeof(*cfg));
	sim_machine_config_defaults(&cfg->mach);
	cfg->mach.ncpus = ncpus;
	cfg->mach.nnodes = ncpus >= 8 ? 2 : 1;
	cfg->mach.timing = closed ? SIM_TIMING_CLOSED : SIM_TIMING_TRACE;
	cfg->mach.warmup_events = warmup;
}

#define ST_SAME_ARRAY(a, b, field, n) \
	ck_assert_msg(!memcmp((a)->field, (b)->field, (n) * sizeof(*(a)->field)), \
		      "%s should be the same streamed as in memory (%s)", #field, what)

/* Every statistic the database records, compared between the two replays. */
static void st_assert_same_stats(const struct sim_stats *a, const struct sim_stats *b, const char *what)
{
	size_t nc = a->ncpus, nk = a->ncaches;

	ck_assert_uint_eq(a->ncpus, b->ncpus);
	ck_assert_uint_eq(a->ncaches, b->ncaches);
	ck_assert_msg(a->events_replayed == b->events_replayed && a->skipped_unmatched == b->skipped_unmatched &&
		      a->skipped_null == b->skipped_null && a->skipped_page == b->skipped_page &&
		      a->stall_cycles == b->stall_cycles && a->timer_runs == b->timer_runs &&
		      a->end_cycles == b->end_cycles && a->outstanding_allocs == b->outstanding_allocs &&
		      a->outstanding_bytes == b->outstanding_bytes && a->page_bytes_used == b->page_bytes_used &&
		      a->locks_held_at_end == b->locks_held_at_end,
		      "the run totals should be the same streamed as in memory (%s)", what);
	ST_SAME_ARRAY(a, b, counter_cpu, nc * SIM_CNT_COUNT);
	ST_SAME_ARRAY(a, b, counter_cache, nk * SIM_CNT_COUNT);
	ST_SAME_ARRAY(a, b, lock_cpu, nc * SIM_LOCK_CLASS_COUNT);
	ST_SAME_ARRAY(a, b, lock_cache, nk * SIM_LOCK_CLASS_COUNT);
	ST_SAME_ARRAY(a, b, touch_cpu, nc * SIM_ORIGIN_COUNT);
	ST_SAME_ARRAY(a, b, touch_cache, nk * SIM_ORIGIN_COUNT);
	ST_SAME_ARRAY(a, b, gauge, (nk + 1) * SIM_GAUGE_COUNT);
	ST_SAME_ARRAY(a, b, op_cycles_cache, nk * SIM_LAT_COUNT);
	ST_SAME_ARRAY(a, b, lat_sum, SIM_LAT_COUNT);
	ST_SAME_ARRAY(a, b, lat_max, SIM_LAT_COUNT);
	ck_assert_uint_eq(a->ninstants, b->ninstants);
	ST_SAME_ARRAY(a, b, instant_t, a->ninstants);
	ck_assert_uint_eq(a->nruns, b->nruns);
	ST_SAME_ARRAY(a, b, runs, a->nruns);
	for (int k = 0; k < SIM_LAT_COUNT; k++)
		ck_assert_msg(gsl_histogram_equal_bins_p(a->lat[k], b->lat[k]) &&
			      !memcmp(a->lat[k]->bin, b->lat[k]->bin, a->lat[k]->n * sizeof(double)),
			      "the latency histograms should be the same streamed as in memory (%s)", what);
}

/* Replays path streamed, reshaped by rs if not NULL; the statistics, or NULL with the error in err. */
static struct sim_stats *st_replay_file(const char *path, const struct trace_reshape *rs, uint32_t kept,
					const struct sim_run_config *cfg, const char *policy,
					struct sim_workload *w, char *err, size_t errlen)
{
	const struct sim_policy_ops *ops = policy_find(policy);
	struct trace_native_source *ns;
	struct trace_reshape_source *r = NULL;
	struct sim_param_values pv;
	struct sim_stats *st = NULL;
	struct sim_source *src;

	policy_params_default(ops, &pv);
	sim_workload_init(w);
	ns = trace_native_source_open(path, w, NULL, err, errlen);
	ck_assert_msg(ns != NULL, "%s", err);
	src = trace_native_source_get(ns);
	if (rs) {
		r = trace_reshape_source_open(src, w, rs, kept, err, errlen);
		ck_assert_msg(r != NULL, "%s", err);
		src = trace_reshape_source_get(r);
	}
	sim_replay_source(src, cfg, ops, &pv, NULL, &st, err, errlen);
	trace_reshape_source_close(r);
	trace_native_source_close(ns);
	return st;
}

/* Replays w from memory, keeping about budget events read ahead in memory (0: the default). */
static struct sim_stats *st_replay_mem_budget(const struct sim_workload *w, const struct sim_run_config *cfg,
					      const char *policy, size_t budget)
{
	const struct sim_policy_ops *ops = policy_find(policy);
	struct sim_replay_opts o = { .pending_budget = budget };
	struct sim_param_values pv;
	struct sim_stats *st = NULL;
	char err[1024];

	policy_params_default(ops, &pv);
	ck_assert_msg(sim_replay(w, cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0, "%s", err);
	return st;
}

static struct sim_stats *st_replay_mem(const struct sim_workload *w, const struct sim_run_config *cfg,
				       const char *policy)
{
	return st_replay_mem_budget(w, cfg, policy, 0);
}

/* Every policy on both samples, at trace timing, closed on 16 cpus, and with a warm-up. */
START_TEST(test_stream_equals_memory)
{
	const struct sim_workload *w = tutil_sample(samples[_i / 3]);
	char *path = st_native(w);
	struct sim_run_config cfg;
	char what[256], err[1024];

	st_config(&cfg, _i % 3 == 1 ? 16 : 4, _i % 3 == 1, _i % 3 == 2 ? w->nev / 5 : 0);
	for (size_t p = 0; p < SIM_ARRAY_SIZE(policies); p++) {
		struct sim_workload h;
		struct sim_stats *a = st_replay_mem(w, &cfg, policies[p]);
		struct sim_stats *b = st_replay_file(path, NULL, 0, &cfg, policies[p], &h, err, sizeof(err));

		snprintf(what, sizeof(what), "%s, %s, machine %d", samples[_i / 3], policies[p], _i % 3);
		ck_assert_msg(b != NULL, "%s: %s", what, err);
		st_assert_same_stats(a, b, what);
		ck_assert_uint_eq(h.digest, w->digest);
		ck_assert_uint_eq(sim_workload_events(&h), w->nev);
		ck_assert_uint_eq(sim_workload_replayable(&h), sim_workload_replayable(w));
		ck_assert_uint_eq(sim_workload_duration_ns(&h), sim_workload_duration_ns(w));
		sim_stats_destroy(a);
		sim_stats_destroy(b);
		sim_workload_fini(&h);
	}
	unlink(path);
	free(path);
}
END_TEST

/* The reshaping of trace_reshape_apply() against the same as a stream. */
START_TEST(test_stream_reshape_equals_memory)
{
	const struct sim_workload *sample = tutil_sample(samples[0]);
	uint64_t dur = sim_workload_duration_ns(sample);
	const struct trace_reshape shapes[] = {
		{ .replicate = 4 },
		{ .window_start_ns = dur / 4, .window_end_ns = dur / 4 * 3, .replicate = 3 },
		{ .caches = "kmalloc-64,vm_area_struct,anon_vma_chain", .time_scale = 4 },
		{ .caches = "kmalloc-64,vm_area_struct", .window_start_ns = dur / 2, .window_end_ns = UINT64_MAX,
		  .cpus = 3, .spread = true, .replicate = 2 },
	};
	const struct trace_reshape *rs = &shapes[_i];
	char *path = st_native(sample);
	struct sim_workload w, h;
	struct sim_run_config cfg;
	struct sim_stats *a, *b;
	uint32_t kept = 0;
	char err[1024];

	st_config(&cfg, 8, true, 0);
	sim_workload_init(&w);
	ck_assert_int_eq(trace_native_read(path, &w, NULL, err, sizeof(err)), 0);
	ck_assert_msg(trace_reshape_apply(&w, rs, err, sizeof(err)) == 0, "%s", err);
	if (trace_reshape_filters(rs) && rs->replicate > 1) {
		struct trace_reshape once = *rs;

		once.replicate = 1;
		b = st_replay_file(path, &once, 0, &cfg, "slub", &h, err, sizeof(err));
		sim_stats_destroy(b);
		kept = h.nobjs;
		sim_workload_fini(&h);
	}
	a = st_replay_mem(&w, &cfg, "slub");
	b = st_replay_file(path, rs, kept, &cfg, "slub", &h, err, sizeof(err));
	ck_assert_msg(b != NULL, "%s", err);
	st_assert_same_stats(a, b, "reshaped");
	ck_assert_msg(h.digest == w.digest, "the streamed reshaping should have the digest of the one in memory");
	ck_assert_str_eq(h.source, w.source);
	ck_assert_uint_eq(h.nobjs, w.nobjs);
	ck_assert_uint_eq(h.ncpus, w.ncpus);
	ck_assert_msg(!memcmp(h.anomaly, w.anomaly, sizeof(w.anomaly)), "the anomaly counts should be the same");
	ck_assert_uint_eq(sim_workload_events(&h), w.nev);
	ck_assert_uint_eq(sim_workload_replayable(&h), sim_workload_replayable(&w));
	ck_assert_uint_eq(sim_workload_duration_ns(&h), sim_workload_duration_ns(&w));
	sim_stats_destroy(a);
	sim_stats_destroy(b);
	sim_workload_fini(&h);
	sim_workload_fini(&w);
	unlink(path);
	free(path);
}
END_TEST

/* The object table holds the live objects only. */
START_TEST(test_stream_memory_bounded)
{
	const struct sim_workload *w = tutil_sample(samples[_i]);
	char *path = st_native(w);
	struct sim_run_config cfg;
	struct sim_workload h;
	struct sim_stats *st;
	char err[1024];
	int64_t peak_live;

	st_config(&cfg, 4, false, 0);
	st = st_replay_file(path, NULL, 0, &cfg, "slub", &h, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	peak_live = sim_stats_gauge(st, st->ncaches)[SIM_GAUGE_live_objs].peak;
	ck_assert_msg(st->objects_peak == (uint64_t)peak_live,
		      "the object table's high-water mark (%llu) should be the peak of live objects (%lld)",
		      (unsigned long long)st->objects_peak, (long long)peak_live);
	ck_assert_msg(st->objects_peak < w->nobjs / 4, "the table should hold far fewer objects than the trace has");
	sim_stats_destroy(st);
	sim_workload_fini(&h);
	unlink(path);
	free(path);
}
END_TEST

/*
 * Events read ahead beyond a small budget wait in the temporary file and
 * come back in order: the same statistics, and memory within the budget
 * plus two chunks per cpu.
 */
START_TEST(test_stream_spills_read_ahead)
{
	const struct sim_workload *w = tutil_sample(samples[_i]);
	struct sim_run_config cfg;
	struct sim_stats *a, *b;
	size_t budget = 2 * PENDING_CHUNK;

	st_config(&cfg, 2, true, w->nev / 10);
	a = st_replay_mem(w, &cfg, "slub");
	b = st_replay_mem_budget(w, &cfg, "slub", budget);
	st_assert_same_stats(a, b, "read ahead spilled to a file");
	ck_assert_msg(b->pending_spilled > 0, "%llu events read ahead at most: some should have waited on disk",
		      (unsigned long long)b->pending_peak);
	ck_assert_msg(b->pending_mem_peak <= budget + PENDING_CHUNK + 2u * cfg.mach.ncpus * PENDING_CHUNK,
		      "the events read ahead in memory (room for %llu) should stay within the budget and two chunks "
		      "per cpu", (unsigned long long)b->pending_mem_peak);
	ck_assert_uint_eq(a->pending_peak, b->pending_peak);
	sim_stats_destroy(a);
	sim_stats_destroy(b);
}
END_TEST

/* A byte of the events flipped: every event is read, then the checksum fails; no statistics. */
START_TEST(test_stream_damaged_reported_at_end)
{
	const struct sim_workload *w = tutil_sample(samples[0]);
	char *path = st_native(w);
	struct sim_run_config cfg;
	struct sim_workload h;
	struct sim_stats *st;
	char err[1024];
	FILE *f = fopen(path, "r+b");
	long size;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	/* a byte of a pointer near the end: no range check catches it, the replay does not use it */
	fseek(f, size - 16 - 48 * 10 + 9, SEEK_SET);
	fputc(0x01, f);
	fclose(f);
	st_config(&cfg, 4, false, 0);
	st = st_replay_file(path, NULL, 0, &cfg, "slub", &h, err, sizeof(err));
	ck_assert_msg(st == NULL, "a damaged file should give no statistics");
	ck_assert_msg(strstr(err, path) && strstr(err, "checksum"), "the error should name the file and the checksum: %s",
		      err);
	sim_workload_fini(&h);
	unlink(path);
	free(path);
}
END_TEST

/* An event out of range is refused where it is, by number; a short file at open, by byte. */
START_TEST(test_stream_corrupt_and_truncated)
{
	const struct sim_workload *w = tutil_sample(samples[0]);
	char *path = st_native(w);
	struct trace_native_source *ns;
	struct sim_run_config cfg;
	struct sim_workload h;
	struct sim_stats *st;
	char err[1024];
	FILE *f = fopen(path, "r+b");
	long size;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	/* the cpu of the 100th event from the end */
	fseek(f, size - 16 - 48 * 100 + 36, SEEK_SET);
	fputc(0xff, f);
	fputc(0xff, f);
	fclose(f);
	st_config(&cfg, 4, false, 0);
	st = st_replay_file(path, NULL, 0, &cfg, "slub", &h, err, sizeof(err));
	ck_assert_msg(st == NULL && strstr(err, path) && strstr(err, "corrupt event") && strstr(err, "cpu"),
		      "an event out of range should be an error naming the file and the event: %s", err);
	sim_workload_fini(&h);
	ck_assert_int_eq(truncate(path, size / 2), 0);
	sim_workload_init(&h);
	ns = trace_native_source_open(path, &h, NULL, err, sizeof(err));
	ck_assert_msg(ns == NULL && strstr(err, path) && strstr(err, "truncated at byte"),
		      "a truncated file should be refused naming the file and the byte: %s", err);
	sim_workload_fini(&h);
	unlink(path);
	free(path);
}
END_TEST

Suite *stream_suite(void)
{
	Suite *s = suite_create("stream");
	TCase *same = tcase_create("same");
	TCase *bounds = tcase_create("bounds");

	tcase_set_timeout(same, 120);
	tcase_add_loop_test(same, test_stream_equals_memory, 0, 6);
	tcase_add_loop_test(same, test_stream_reshape_equals_memory, 0, 4);
	tcase_add_loop_test(bounds, test_stream_memory_bounded, 0, 2);
	tcase_add_loop_test(bounds, test_stream_spills_read_ahead, 0, 2);
	tcase_add_test(bounds, test_stream_damaged_reported_at_end);
	tcase_add_test(bounds, test_stream_corrupt_and_truncated);
	suite_add_tcase(s, same);
	suite_add_tcase(s, bounds);
	return s;
}
