/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_initstate.c - warm start from /proc/slabinfo: the prefix has the
 * snapshot's objects, frees of objects from before the capture take them,
 * a malformed snapshot is refused with file, line and field, the warm
 * replay balances its books, and the warm start on the way from a native
 * file is the one applied to the trace loaded whole.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policies/registry.h"
#include "sim/replay.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/initstate.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/preslab.h"

static const char slabinfo[] =
	"### /proc/slabinfo before the workload\n"
	"slabinfo - version: 2.1\n"
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables ...\n"
	"one                   3     16    64   64    1 : tunables    0    0    0 : slabdata      1      1      0\n"
	"absent               10     20   128   32    1 : tunables    0    0    0 : slabdata      1      1      0\n"
	"### /proc/slabinfo after the workload\n"
	"slabinfo - version: 2.1\n"
	"one                 999   1000    64   64    1 : tunables    0    0    0 : slabdata     16     16      0\n";

/* cpu 0 allocates A (oid 0) and frees it; cpu 1 frees a pointer from before the capture, twice over. */
static void tiny(struct sim_workload *w)
{
	uint32_t one;
	struct sim_event e[4] = {
		{ .t_ns = 1000, .ptr = 0x100, .oid = 0, .bytes_alloc = 64, .op = SIM_EV_ALLOC, .node = -1 },
		{ .t_ns = 2000, .ptr = 0x100, .oid = 0, .op = SIM_EV_FREE, .node = -1 },
		{ .t_ns = 3000, .ptr = 0x900, .oid = SIM_OID_NONE, .cpu = 1, .op = SIM_EV_FREE,
		  .flags = SIM_EVF_UNMATCHED, .node = -1 },
		{ .t_ns = 4000, .ptr = 0x980, .oid = SIM_OID_NONE, .cpu = 1, .op = SIM_EV_FREE,
		  .flags = SIM_EVF_UNMATCHED, .node = -1 },
	};

	sim_workload_init(w);
	snprintf(w->source, sizeof(w->source), "tiny");
	one = sim_workload_cache(w, "one", 64, 0);
	for (int i = 0; i < 4; i++) {
		e[i].cache = one;
		sim_workload_push(w, &e[i]);
	}
	w->nobjs = 1;
	w->anomaly[SIM_AN_unmatched_free] = 2;
}

START_TEST(test_prefix_and_matched_frees)
{
	char *path = tutil_tmpfile(".slabinfo", slabinfo, sizeof(slabinfo) - 1);
	struct trace_initstate_result res;
	struct sim_workload w;
	char err[256];
	size_t allocs = 0, frees = 0;

	tiny(&w);
	ck_assert_msg(trace_initstate_apply(&w, path, 1, &res, err, sizeof(err)) == 0, "apply: %s", err);
	/* "one" only (the first snapshot; "absent" is not in the trace): 16 allocs, 16 - 3 = 13 frees */
	ck_assert_uint_eq(res.caches, 1);
	ck_assert_uint_eq(res.objects, 16);
	ck_assert_uint_eq(res.prefix_events, 16 + 13);
	for (size_t i = 0; i < res.prefix_events; i++) {
		allocs += w.ev[i].op == SIM_EV_ALLOC;
		frees += w.ev[i].op == SIM_EV_FREE;
		ck_assert_uint_eq(w.ev[i].t_ns, 0);
	}
	ck_assert_uint_eq(allocs, 16);
	ck_assert_uint_eq(frees, 13);
	/* both frees of pre-capture objects now take two of the 3 live ones */
	ck_assert_uint_eq(res.matched_frees, 2);
	ck_assert_uint_eq(w.anomaly[SIM_AN_unmatched_free], 0);
	ck_assert_uint_ne(w.ev[res.prefix_events + 2].oid, SIM_OID_NONE);
	ck_assert_uint_lt(w.ev[res.prefix_events + 2].oid, 16);
	/* the trace's own object moved after the prefix's */
	ck_assert_uint_eq(w.ev[res.prefix_events].oid, 16);
	ck_assert_uint_eq(w.nobjs, 17);
	ck_assert_msg(strstr(w.source, "initial state") != NULL, "the source should say so: %s", w.source);
	sim_workload_fini(&w);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_malformed_snapshot)
{
	static const char bad[] = "slabinfo - version: 2.1\none 3 x 64 64 1\n";
	static const char notslab[] = "hello\n";
	char *p1 = tutil_tmpfile(".slabinfo", bad, sizeof(bad) - 1);
	char *p2 = tutil_tmpfile(".txt", notslab, sizeof(notslab) - 1);
	struct trace_initstate_result res;
	struct sim_workload w;
	char err[256];

	tiny(&w);
	ck_assert_int_eq(trace_initstate_apply(&w, p1, 1, &res, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, ":2:") && strstr(err, "num_objs"), "the error should name line 2 and the field: %s", err);
	ck_assert_int_eq(trace_initstate_apply(&w, p2, 1, &res, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "slabinfo") != NULL, "a file that is no snapshot should be refused: %s", err);
	ck_assert_int_lt(trace_initstate_apply(&w, "/nonexistent/slabinfo", 1, &res, err, sizeof(err)), 0);
	ck_assert_uint_eq(w.nev, 4);
	sim_workload_fini(&w);
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
}
END_TEST

START_TEST(test_warm_replay_balances)
{
	const struct sim_policy_ops *ops = policy_find("slub");
	struct trace_initstate_result res;
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_replay_opts o = { .verify = true };
	struct sim_workload w;
	struct sim_stats *st = NULL;
	char err[512];

	sim_workload_init(&w);
	ck_assert_int_eq(trace_load(tutil_srcpath("traces/samples/fork_exec-head.trace.xz"), &w, err, sizeof(err)), 0);
	ck_assert_msg(trace_initstate_apply(&w, tutil_srcpath("traces/samples/fork_exec.slabinfo.txt"), 1, &res, err,
					    sizeof(err)) == 0, "apply: %s", err);
	ck_assert_uint_gt(res.caches, 10);
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	cfg.mach.warmup_events = res.prefix_events;
	policy_params_default(ops, &pv);
	ck_assert_msg(sim_replay(&w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0, "replay: %s", err);
	/* the snapshot's live objects are live all along: the books include them */
	ck_assert_uint_eq((uint64_t)st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT + SIM_GAUGE_live_objs].cur,
			  st->outstanding_allocs);
	ck_assert_uint_eq(st->events_replayed, sim_workload_replayable(&w) - res.prefix_events);
	ck_assert_uint_eq(st->locks_held_at_end, 0);
	sim_stats_destroy(st);
	sim_workload_fini(&w);
}
END_TEST

/*
 * Direct map at 0xffff888000000000.  Each of 20 rounds: cpu 0 allocates
 * page 0x1000 + r and then an object in it; an object in page 0x9000 + r,
 * never allocated by the trace, follows.  20 in new slabs, 20 in old ones.
 */
START_TEST(test_preslab_infers_direct_map)
{
	const uint64_t base = 0xffff888000000000ull;
	struct trace_preslab p;
	struct sim_workload w;
	uint32_t c;

	sim_workload_init(&w);
	c = sim_workload_cache(&w, "one", 64, 0);
	for (uint32_t r = 0; r < 20; r++) {
		struct sim_event pa = { .t_ns = r * 10, .ptr = 0x1000 + r, .op = SIM_EV_PAGE_ALLOC,
					.oid = SIM_OID_NONE, .node = -1 };
		struct sim_event a = { .t_ns = r * 10 + 1, .ptr = base + ((0x1000ull + r) << 12) + 128,
				       .op = SIM_EV_ALLOC, .oid = 2 * r, .cache = c, .bytes_alloc = 64, .node = -1 };
		struct sim_event old = a;

		old.ptr = base + ((0x9000ull + r) << 12) + 64;
		old.oid = 2 * r + 1;
		sim_workload_push(&w, &pa);
		sim_workload_push(&w, &a);
		sim_workload_push(&w, &old);
	}
	trace_preslab_compute(&w, &p);
	ck_assert_msg(p.known, "the direct map should be inferred from 20 page/object pairs");
	ck_assert_uint_eq(p.page_offset, base);
	ck_assert_uint_eq(p.objects, 40);
	ck_assert_uint_eq(p.in_new_slabs, 20);
	ck_assert_uint_eq(p.in_old_slabs, 20);
	/* hashed pointers (32-bit values) say nothing */
	for (size_t i = 0; i < w.nev; i++)
		if (w.ev[i].op == SIM_EV_ALLOC)
			w.ev[i].ptr &= 0xffffffffull;
	trace_preslab_compute(&w, &p);
	ck_assert_msg(!p.known, "hashed pointers should leave the question open");
	sim_workload_fini(&w);
}
END_TEST

/*
 * The warm start on the way from a native file yields, event for event,
 * what trace_initstate_apply() leaves in the loaded trace, and ends with
 * the same digest, object count, unmatched frees and matched count.
 */
START_TEST(test_source_same_as_apply)
{
	const char *snap = tutil_srcpath("traces/samples/fork_exec.slabinfo.txt");
	struct trace_initstate_result res;
	struct trace_initstate_source *is;
	struct trace_native_source *ns;
	struct sim_workload w, h;
	struct sim_event e;
	char err[1024], *path = tutil_tmpfile(".slabsimt", "", 0);
	size_t i = 0;
	int rc;

	sim_workload_init(&w);
	ck_assert_msg(trace_load(tutil_srcpath("traces/samples/fork_exec-head.trace.xz"), &w, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_msg(trace_native_write(&w, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(trace_initstate_apply(&w, snap, 7, &res, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_gt(res.matched_frees, 0);

	sim_workload_init(&h);
	ns = trace_native_source_open(path, &h, NULL, err, sizeof(err));
	ck_assert_msg(ns != NULL, "%s", err);
	is = trace_initstate_source_open(trace_native_source_get(ns), &h, snap, 7, NULL, err, sizeof(err));
	ck_assert_msg(is != NULL, "%s", err);
	ck_assert_uint_eq(trace_initstate_source_result(is)->prefix_events, res.prefix_events);
	ck_assert_uint_eq(h.nobjs, w.nobjs);
	ck_assert_msg(strstr(h.source, " [initial state fork_exec.slabinfo.txt]"), "the source names the snapshot: %s",
		      h.source);
	while ((rc = trace_initstate_source_get(is)->next(trace_initstate_source_get(is), &e, err, sizeof(err))) > 0) {
		ck_assert_msg(i < w.nev, "no more events than the loaded trace");
		ck_assert_msg(e.t_ns == w.ev[i].t_ns && e.ptr == w.ev[i].ptr && e.oid == w.ev[i].oid &&
			      e.cache == w.ev[i].cache && e.cpu == w.ev[i].cpu && e.op == w.ev[i].op &&
			      e.flags == w.ev[i].flags && e.bytes_alloc == w.ev[i].bytes_alloc,
			      "event %zu should be the loaded trace's", i);
		i++;
	}
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(i, w.nev);
	ck_assert_uint_eq(trace_initstate_source_result(is)->matched_frees, res.matched_frees);
	ck_assert_uint_eq(h.anomaly[SIM_AN_unmatched_free], w.anomaly[SIM_AN_unmatched_free]);
	ck_assert_uint_eq(h.digest, w.digest);
	ck_assert_uint_eq(sim_workload_replayable(&h), sim_workload_replayable(&w));
	trace_initstate_source_close(is);
	trace_native_source_close(ns);
	sim_workload_fini(&h);
	sim_workload_fini(&w);
	unlink(path);
	free(path);
}
END_TEST

Suite *initstate_suite(void)
{
	Suite *s = suite_create("initstate");
	TCase *tc = tcase_create("slabinfo");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_prefix_and_matched_frees);
	tcase_add_test(tc, test_malformed_snapshot);
	tcase_add_test(tc, test_warm_replay_balances);
	tcase_add_test(tc, test_preslab_infers_direct_map);
	tcase_add_test(tc, test_source_same_as_apply);
	suite_add_tcase(s, tc);
	return s;
}
