/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_reshape.c - what-if transformations keep a trace valid: objects
 * renumbered densely, frees whose allocation was cut away become unmatched,
 * replication gives disjoint cpus and objects, and the result replays with
 * balanced books.
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

/*
 * cpu 0: A (oid 0) at 1 us, B (oid 1) at 2 us; cpu 1 frees A at 3 us;
 * cpu 0: C (oid 2, cache "other") at 4 us; frees B at 5 us, C at 6 us.
 */
static void tiny(struct sim_workload *w)
{
	static const struct {
		uint64_t t;
		unsigned cpu, op, oid, cache;
	} ev[] = {
		{ 1000, 0, SIM_EV_ALLOC, 0, 1 }, { 2000, 0, SIM_EV_ALLOC, 1, 1 },
		{ 3000, 1, SIM_EV_FREE, 0, 1 }, { 4000, 0, SIM_EV_ALLOC, 2, 2 },
		{ 5000, 0, SIM_EV_FREE, 1, 1 }, { 6000, 0, SIM_EV_FREE, 2, 2 },
	};

	sim_workload_init(w);
	snprintf(w->source, sizeof(w->source), "tiny");
	sim_workload_cache(w, "one", 64, 0);
	sim_workload_cache(w, "other", 128, 0);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(ev); i++) {
		struct sim_event e = { .t_ns = ev[i].t, .ptr = 0x100 + ev[i].oid, .oid = ev[i].oid,
				       .cache = ev[i].cache, .bytes_alloc = ev[i].cache == 1 ? 64 : 128,
				       .cpu = (uint16_t)ev[i].cpu, .op = (uint8_t)ev[i].op, .node = -1 };

		sim_workload_push(w, &e);
	}
	w->nobjs = 3;
}

START_TEST(test_window_cuts_and_renumbers)
{
	struct sim_workload w;
	struct trace_reshape r = { .window_start_ns = 1500, .window_end_ns = 5500 };
	char err[256];

	tiny(&w);
	ck_assert_int_eq(trace_reshape_apply(&w, &r, err, sizeof(err)), 0);
	/* kept: B alloc, A free, C alloc, B free (2000..5000) */
	ck_assert_uint_eq(w.nev, 4);
	/* A's allocation fell outside: its free is unmatched */
	ck_assert_int_eq(w.ev[1].op, SIM_EV_FREE);
	ck_assert_uint_eq(w.ev[1].oid, SIM_OID_NONE);
	ck_assert_msg(w.ev[1].flags & SIM_EVF_UNMATCHED, "a free whose alloc was cut away should be unmatched");
	ck_assert_uint_eq(w.anomaly[SIM_AN_unmatched_free], 1);
	/* B and C renumbered 0 and 1; B's free follows */
	ck_assert_uint_eq(w.nobjs, 2);
	ck_assert_uint_eq(w.ev[0].oid, 0);
	ck_assert_uint_eq(w.ev[2].oid, 1);
	ck_assert_uint_eq(w.ev[3].oid, 0);
	/* time starts at the window */
	ck_assert_uint_eq(w.ev[0].t_ns, 500);
	ck_assert_msg(strstr(w.source, "window") != NULL, "the source should record the window: %s", w.source);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_caches_filter)
{
	struct sim_workload w;
	struct trace_reshape r = { .caches = "other" };
	char err[256];

	tiny(&w);
	ck_assert_int_eq(trace_reshape_apply(&w, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.nev, 2);
	ck_assert_uint_eq(w.nobjs, 1);
	ck_assert_uint_eq(w.ev[0].oid, 0);
	ck_assert_uint_eq(w.ev[1].oid, 0);
	sim_workload_fini(&w);

	tiny(&w);
	r.caches = "nosuch";
	ck_assert_int_eq(trace_reshape_apply(&w, &r, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "nosuch") != NULL, "an unknown cache should be named: %s", err);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_replicate_disjoint)
{
	struct sim_workload w;
	struct trace_reshape r = { .replicate = 3 };
	char err[256];
	unsigned per_cpu[6] = { 0 };

	tiny(&w);
	w.ncpus = 2;
	ck_assert_int_eq(trace_reshape_apply(&w, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.nev, 18);
	ck_assert_uint_eq(w.nobjs, 9);
	ck_assert_uint_eq(w.ncpus, 6);
	for (size_t i = 0; i < w.nev; i++) {
		per_cpu[w.ev[i].cpu]++;
		if (i)
			ck_assert_msg(w.ev[i].t_ns >= w.ev[i - 1].t_ns, "replicated events should stay in time order");
	}
	/* copy k of cpu c runs on cpu c + 2k: cpu 0 had 5 events, cpu 1 one */
	for (unsigned c = 0; c < 6; c++)
		ck_assert_uint_eq(per_cpu[c], c % 2 ? 1 : 5);
	/* copy 2 of A (oid 0) is oid 6, freed on cpu 1 + 4 = 5 */
	ck_assert_uint_eq(w.ev[2 * 3 + 2].oid, 6);
	ck_assert_uint_eq(w.ev[2 * 3 + 2].cpu, 5);
	sim_workload_fini(&w);
}
END_TEST

START_TEST(test_window_parse)
{
	uint64_t a, b;

	ck_assert_int_eq(trace_reshape_parse_window("2.5,5", &a, &b), 0);
	ck_assert_uint_eq(a, 2500000000ull);
	ck_assert_uint_eq(b, 5000000000ull);
	ck_assert_int_eq(trace_reshape_parse_window("1500ms,2s", &a, &b), 0);
	ck_assert_uint_eq(a, 1500000000ull);
	ck_assert_uint_eq(b, 2000000000ull);
	ck_assert_int_eq(trace_reshape_parse_window("10us,", &a, &b), 0);
	ck_assert_uint_eq(a, 10000);
	ck_assert_uint_eq(b, UINT64_MAX);
	ck_assert_int_eq(trace_reshape_parse_window("5,2", &a, &b), -EINVAL);
	ck_assert_int_eq(trace_reshape_parse_window("5", &a, &b), -EINVAL);
	ck_assert_int_eq(trace_reshape_parse_window("x,2", &a, &b), -EINVAL);
	ck_assert_int_eq(trace_reshape_parse_window("1h,2h", &a, &b), -EINVAL);
}
END_TEST

START_TEST(test_replicated_real_trace_balances)
{
	struct sim_workload w;
	struct trace_reshape r = { .replicate = 8 };
	const struct sim_policy_ops *ops = policy_find("slub");
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_stats *st = NULL;
	char err[512];
	size_t before;

	sim_workload_init(&w);
	ck_assert_int_eq(trace_load(tutil_srcpath("traces/samples/fork_exec-head.trace.xz"), &w, err, sizeof(err)), 0);
	before = sim_workload_replayable(&w);
	ck_assert_int_eq(trace_reshape_apply(&w, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(sim_workload_replayable(&w), 8 * before);
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	cfg.mach.ncpus = 32;
	cfg.mach.nnodes = 2;
	cfg.mach.timing = SIM_TIMING_CLOSED;
	policy_params_default(ops, &pv);
	ck_assert_msg(sim_replay(&w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0, "replay: %s", err);
	ck_assert_uint_eq(st->events_replayed, 8 * before);
	ck_assert_uint_eq((uint64_t)st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT + SIM_GAUGE_live_objs].cur,
			  st->outstanding_allocs);
	/* every one of the 32 cpus did work */
	for (unsigned c = 0; c < 32; c++)
		ck_assert_uint_gt(sim_stats_counter_cpu(st, c)[SIM_CNT_alloc], 0);
	sim_stats_destroy(st);
	sim_workload_fini(&w);
}
END_TEST

Suite *reshape_suite(void)
{
	Suite *s = suite_create("reshape");
	TCase *tc = tcase_create("reshape");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_window_cuts_and_renumbers);
	tcase_add_test(tc, test_caches_filter);
	tcase_add_test(tc, test_replicate_disjoint);
	tcase_add_test(tc, test_window_parse);
	tcase_add_test(tc, test_replicated_real_trace_balances);
	suite_add_tcase(s, tc);
	return s;
}
