/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_validate.c - slabsim validate: the direct-map base of a fixture
 * with a known base, the real figures of a tiny excerpt computed by hand,
 * the replayed side of it, the slab mapping on the bundled head trace,
 * snapshot parsing, and recording in a database made before the
 * validation tables existed.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/validate.h"
#include "policies/registry.h"
#include "sim/replay.h"
#include "sim/stats.h"
#include "sim/xalloc.h"
#include "traces/initstate.h"
#include "results/db.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/realslab.h"

#define BASE 0xffff9a4000000000ull	/* 1 GiB aligned, as the kernel randomises it */
#define PAGE(pfn, off) (BASE + ((uint64_t)(pfn) << 12) + (off))

static const char snapshots[] =
	"### /proc/slabinfo before the workload\n"
	"slabinfo - version: 2.1\n"
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables ...\n"
	"c64                 100    128     64   64    1 : tunables    0    0    0 : slabdata      2      2      0\n"
	"### /proc/slabinfo after the workload\n"
	"slabinfo - version: 2.1\n"
	"c64                 100    192     64   64    1 : tunables    0    0    0 : slabdata      3      3      0\n";

struct fixture {
	struct sim_workload w;
	uint32_t v, c64, m1, m2;
	uint64_t t;
};

static void fx_event(struct fixture *f, enum sim_ev_op op, unsigned cpu, uint32_t cache, uint64_t ptr,
		     uint32_t oid)
{
	struct sim_event e = { .t_ns = f->t += 1000, .ptr = ptr, .oid = oid, .cache = cache, .bytes_req = 64,
			       .bytes_alloc = 64, .cpu = (uint16_t)cpu, .op = (uint8_t)op, .node = SIM_NO_NODE };

	if (op == SIM_EV_PAGE_ALLOC || op == SIM_EV_PAGE_FREE) {
		e.oid = SIM_OID_NONE;
		e.cache = 0;
		e.bytes_alloc = 4096;
	}
	sim_workload_push(&f->w, &e);
	if (op == SIM_EV_ALLOC && oid + 1 > f->w.nobjs)
		f->w.nobjs = oid + 1;
	if (cpu + 1 > f->w.ncpus)
		f->w.ncpus = (uint16_t)(cpu + 1);
}

/*
 * The tiny excerpt.  cpu 2: ten page allocations, each followed by an
 * object of v in it (the votes for the base, and ten new slabs of v).
 * c64 (2 slabs before, 3 after): cpu 0 and cpu 1 allocate from old slab
 * 100, cpu 1 from new slab 200 (and frees an object of it the trace never
 * allocated), cpu 0 from old slab 300; slab 100 is freed.  m1 and m2 allocate from one slab (400): merged.
 */
static void fixture_build(struct fixture *f)
{
	uint32_t oid = 0;

	memset(f, 0, sizeof(*f));
	sim_workload_init(&f->w);
	snprintf(f->w.source, sizeof(f->w.source), "fixture");
	f->v = sim_workload_cache(&f->w, "v", 64, 0);
	f->c64 = sim_workload_cache(&f->w, "c64", 64, 0);
	f->m1 = sim_workload_cache(&f->w, "m1", 64, 0);
	f->m2 = sim_workload_cache(&f->w, "m2", 64, 0);
	for (unsigned i = 0; i < 10; i++) {
		fx_event(f, SIM_EV_PAGE_ALLOC, 2, 0, 1000 + 2 * i, 0);
		fx_event(f, SIM_EV_ALLOC, 2, f->v, PAGE(1000 + 2 * i, 192), oid++);
	}
	fx_event(f, SIM_EV_ALLOC, 0, f->c64, PAGE(100, 0), oid++);
	fx_event(f, SIM_EV_ALLOC, 0, f->c64, PAGE(100, 64), oid++);
	fx_event(f, SIM_EV_ALLOC, 1, f->c64, PAGE(100, 128), oid++);
	fx_event(f, SIM_EV_PAGE_ALLOC, 1, 0, 200, 0);
	fx_event(f, SIM_EV_ALLOC, 1, f->c64, PAGE(200, 0), oid++);
	/* an object of the new slab that the trace never allocated: an untraced allocation */
	fx_event(f, SIM_EV_FREE, 1, f->c64, PAGE(200, 64), SIM_OID_NONE);
	f->w.ev[f->w.nev - 1].flags = SIM_EVF_UNMATCHED;
	fx_event(f, SIM_EV_ALLOC, 0, f->c64, PAGE(300, 0), oid++);
	fx_event(f, SIM_EV_FREE, 0, f->c64, PAGE(100, 0), 10);
	fx_event(f, SIM_EV_PAGE_FREE, 0, 0, 100, 0);
	fx_event(f, SIM_EV_ALLOC, 0, f->m1, PAGE(400, 0), oid++);
	fx_event(f, SIM_EV_ALLOC, 0, f->m2, PAGE(400, 128), oid++);
	f->w.digest = sim_workload_digest(&f->w);
}

static void fig_eq(const struct slabuse_fig *f, uint64_t allocs, uint64_t used, uint64_t nw, uint64_t freed,
		   uint64_t start, uint64_t peak, uint64_t shared, uint64_t switches)
{
	const uint64_t want[VALIDATION_NFIG] = { allocs, used, nw, freed, start, peak, shared, switches };

	for (unsigned i = 0; i < VALIDATION_NFIG; i++)
		ck_assert_msg(validation_fig(f, i) == want[i], "%s: %llu, expected %llu", validation_fig_name[i],
			      (unsigned long long)validation_fig(f, i), (unsigned long long)want[i]);
}

static const struct realslab_group *group_named(const struct realslab *r, const char *name)
{
	for (size_t i = 0; i < r->ngroups; i++)
		if (!strcmp(r->g[i].name, name))
			return &r->g[i];
	ck_abort_msg("no group %s", name);
	return NULL;
}

START_TEST(test_base_known)
{
	struct fixture f;
	struct trace_preslab p;

	fixture_build(&f);
	trace_preslab_compute(&f.w, &p);
	ck_assert(p.known);
	ck_assert_uint_eq(p.page_offset, BASE);
	/* the 11 objects right after a page allocation, all in pages the trace allocates */
	ck_assert_uint_eq(p.votes, 11);
	ck_assert_uint_eq(p.votes_for, 11);
	/* the neighbouring 1 GiB steps place none in traced pages */
	ck_assert_uint_eq(p.runner_up, 0);
	sim_workload_fini(&f.w);
}
END_TEST

START_TEST(test_real_by_hand)
{
	char *path = tutil_tmpfile(".slabinfo", snapshots, sizeof(snapshots) - 1);
	struct slabinfo_file sf;
	struct realslab r;
	struct fixture f;
	char err[256];

	fixture_build(&f);
	ck_assert_msg(slabinfo_read_file(path, &sf, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(sf.nsnap, 2);
	ck_assert_msg(realslab_compute(&f.w, &sf.snap[0], &sf.snap[1], &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.ngroups, 3);
	/* allocs, used, new, freed, start, peak, shared, switches */
	fig_eq(&group_named(&r, "v")->fig, 10, 10, 10, 0, 0, 10, 0, 9);
	fig_eq(&group_named(&r, "c64")->fig, 5, 3, 1, 1, 2, 3, 1, 2);
	fig_eq(&group_named(&r, "m1+m2")->fig, 2, 1, 0, 0, 0, 0, 0, 0);
	ck_assert_uint_eq(group_named(&r, "m1+m2")->nmembers, 2);
	ck_assert_uint_eq(group_named(&r, "c64")->untraced_allocs, 1);
	ck_assert_uint_eq(r.untraced_allocs, 1);
	/* first allocations at addresses of slabs from before the trace, free at its start: 3 on cpu 0, 1 on cpu 1 */
	ck_assert_uint_eq(r.free_at_start[f.c64 * 3 + 0], 3);
	ck_assert_uint_eq(r.free_at_start[f.c64 * 3 + 1], 1);
	ck_assert_uint_eq(r.free_at_start[f.c64 * 3 + 2], 0);
	for (unsigned c = 0; c < 3; c++)
		ck_assert_uint_eq(r.free_at_start[f.v * 3 + c], 0);
	ck_assert_uint_eq(r.group_of[f.m1], r.group_of[f.m2]);
	/* the peak of all groups together: 2 + 10 + 1 before slab 100 goes */
	fig_eq(&r.total, 17, 14, 11, 1, 2, 13, 1, 11);
	ck_assert_uint_eq(r.cpu_switches[0], 1);
	ck_assert_uint_eq(r.cpu_switches[1], 1);
	ck_assert_uint_eq(r.cpu_switches[2], 9);
	/* c64: num_slabs 3 - 2 = +1 in the snapshots, new - freed = 0 in the trace */
	ck_assert_uint_eq(r.disagreements, 1);
	realslab_fini(&r);
	slabinfo_file_fini(&sf);
	sim_workload_fini(&f.w);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_replayed_side)
{
	char *path = tutil_tmpfile(".slabinfo", snapshots, sizeof(snapshots) - 1);
	struct validation v;
	struct fixture f;
	char err[512];
	uint32_t gv;

	fixture_build(&f);
	ck_assert_msg(validation_compute(&f.w, path, 1, &v, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(v.cpus, 3);
	/* the replay allocates what the capture did, group by group */
	for (size_t g = 0; g < v.real.ngroups; g++)
		ck_assert_uint_eq(v.sim[g].allocs, v.real.g[g].fig.allocs);
	/* v has no snapshot row: a cold cache, ten objects of 64 bytes from one order-0 slab of 64 */
	gv = v.real.group_of[f.v];
	fig_eq(&v.sim[gv], 10, 1, 1, 0, 0, 1, 0, 0);
	/* c64 starts from the snapshot's 128 objects, packed into its two slabs */
	ck_assert_uint_eq(v.sim[v.real.group_of[f.c64]].slabs_start, 2);
	/* m1 and m2 are separate caches in the model: one slab each */
	ck_assert_uint_eq(v.sim[v.real.group_of[f.m1]].slabs_used, 2);
	ck_assert_msg(strstr(v.summary, "sim/real") != NULL, "%s", v.summary);
	validation_fini(&v);
	sim_workload_fini(&f.w);
	unlink(path);
	free(path);
}
END_TEST

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_output_formats)
{
	char *path = tutil_tmpfile(".slabinfo", snapshots, sizeof(snapshots) - 1);
	struct validation v;
	struct fixture f;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *out;
	int depth = 0;

	fixture_build(&f);
	ck_assert_msg(validation_compute(&f.w, path, 1, &v, err, sizeof(err)) == 0, "%s", err);
	/* CSV: a header, 8 figures for 3 groups and the total, 3 cpus, c64's untraced allocation */
	out = open_memstream(&buf, &len);
	validation_print(out, &v, VALIDATION_CSV, NULL);
	fclose(out);
	ck_assert_uint_eq(count_lines(buf), 1 + 4 * VALIDATION_NFIG + 3 + 1);
	ck_assert_msg(strstr(buf, "m1+m2,1,,slabs_used,1,2,1\n") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "c64,0,,untraced_allocs,1,0,\n") != NULL, "%s", buf);
	free(buf);
	/* JSON: balanced, the merged group marked */
	out = open_memstream(&buf, &len);
	validation_print(out, &v, VALIDATION_JSON, "m1");
	fclose(out);
	for (const char *p = buf; *p; p++)
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
	ck_assert_int_eq(depth, 0);
	ck_assert_msg(strstr(buf, "\"cache\": \"m1+m2\", \"merged\": true") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "\"cache\": \"c64\"") == NULL, "--cache m1 should leave c64 out: %s", buf);
	free(buf);
	/* text: the cross-check names c64 (+1 in the snapshots, 0 in the trace), and the summary */
	out = open_memstream(&buf, &len);
	validation_print(out, &v, VALIDATION_TEXT, NULL);
	fclose(out);
	ck_assert_msg(strstr(buf, "cross-check") && strstr(buf, "\nc64 ") && strstr(buf, "\nagreement: sim/real"),
		      "%s", buf);
	free(buf);
	validation_fini(&v);
	sim_workload_fini(&f.w);
	unlink(path);
	free(path);
}
END_TEST

struct warm_check {
	uint32_t trace_oid;		/* objects from here on are the trace's, not the prefix's */
	uint64_t wrong;			/* allocations whose recorded flag disagrees with their position */
	uint64_t seen;
};

static void warm_on_alloc(void *arg, const struct sim_event *e, unsigned cpu, sim_addr_t obj, bool recorded)
{
	struct warm_check *w = arg;

	(void)cpu;
	(void)obj;
	w->seen++;
	w->wrong += recorded != (e->oid >= w->trace_oid);
}

START_TEST(test_warm_start_packed_and_hidden_free)
{
	char *path = tutil_tmpfile(".slabinfo", snapshots, sizeof(snapshots) - 1);
	const struct sim_policy_ops *ops = policy_find("slub");
	struct trace_initstate_result res;
	struct sim_replay_opts o = { .on_alloc = warm_on_alloc };
	struct sim_param_values pv;
	struct sim_run_config cfg;
	struct sim_stats *st = NULL;
	struct warm_check wc = { 0 };
	struct fixture f;
	uint64_t *min_free;
	bool freed[128] = { false };
	unsigned frees = 0;
	char err[512];

	fixture_build(&f);
	min_free = xcalloc(strtab_count(&f.w.caches) * 3, sizeof(*min_free));
	/* 60 free: 28 in the snapshot, 32 more hidden in cpu slabs, shared 40:20 -> 21 on cpu 0, 11 on cpu 1 */
	min_free[f.c64 * 3 + 0] = 40;
	min_free[f.c64 * 3 + 1] = 20;
	ck_assert_msg(trace_initstate_apply_ex(&f.w, path, 1, min_free, &res, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(res.prefix_events, 128 + 60);
	for (size_t i = 0; i < res.prefix_events; i++) {
		const struct sim_event *e = &f.w.ev[i];

		/* a slab's worth per cpu in turn: objects 0-63 on cpu 0, 64-127 on cpu 1; freed where allocated */
		ck_assert_uint_eq(e->cpu, e->oid / 64 % 3);
		if (e->op == SIM_EV_ALLOC)
			wc.trace_oid = SIM_MAX(wc.trace_oid, e->oid + 1);
		if (e->op != SIM_EV_FREE)
			continue;
		frees++;
		freed[e->oid] = true;
	}
	ck_assert_uint_eq(frees, 60);
	/* the hidden ones are the ends of each cpu's (cpu) slab, below what the random choice freed */
	for (unsigned i = 64 - 21; i < 64; i++)
		ck_assert_msg(freed[i], "object %u of cpu 0's slab should be free", i);
	for (unsigned i = 128 - 11; i < 128; i++)
		ck_assert_msg(freed[i], "object %u of cpu 1's slab should be free", i);
	/* the warm-up ends at one point: no trace allocation before, no prefix allocation after */
	memset(&cfg, 0, sizeof(cfg));
	sim_machine_config_defaults(&cfg.mach);
	cfg.mach.ncpus = 3;
	cfg.mach.warmup_events = res.prefix_events;
	policy_params_default(ops, &pv);
	o.on_alloc_arg = &wc;
	ck_assert_msg(sim_replay(&f.w, &cfg, ops, &pv, &o, &st, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(wc.seen, 128 + 17);
	ck_assert_uint_eq(wc.wrong, 0);
	/* two slabs from the warm start, none of them discarded */
	ck_assert_int_eq(sim_stats_gauge(st, f.c64)[SIM_GAUGE_slabs].cur -
			 (int64_t)sim_stats_counter_cache(st, f.c64)[SIM_CNT_alloc_slab], 2);
	sim_stats_destroy(st);
	free(min_free);
	sim_workload_fini(&f.w);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_head_mapping)
{
	const struct sim_workload *w = tutil_sample("traces/samples/fork_exec-head.trace.xz");
	struct slabinfo_file sf;
	struct realslab r;
	char err[512];
	uint64_t allocs = 0;

	ck_assert_msg(slabinfo_read_file(tutil_srcpath("traces/samples/fork_exec.slabinfo.txt"), &sf, err,
					 sizeof(err)) == 0, "%s", err);
	ck_assert_msg(realslab_compute(w, &sf.snap[0], &sf.snap[1], &r, err, sizeof(err)) == 0, "%s", err);
	/* the guest had 4 GiB: every frame lies below 8 GiB of the base, which is 1 GiB aligned */
	ck_assert_uint_eq(r.base.page_offset & ((1ull << 30) - 1), 0);
	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];

		if (e->op != SIM_EV_ALLOC || (e->flags & SIM_EVF_LARGE))
			continue;
		allocs++;
		ck_assert_uint_ge(e->ptr, r.base.page_offset);
		ck_assert_uint_lt(e->ptr - r.base.page_offset, 8ull << 30);
	}
	ck_assert_uint_gt(r.base.votes_for, 4 * r.base.runner_up);
	ck_assert_uint_eq(r.unmapped, 0);
	ck_assert_uint_eq(r.total.allocs, allocs);
	for (size_t g = 0; g < r.ngroups; g++) {
		const struct realslab_group *gr = &r.g[g];

		/*
		 * no more slabs allocated from than the cache had plus those it
		 * got (a slab may appear between the snapshot and the trace's
		 * start: the larger snapshot counts); a wrong slab size would
		 * split slabs and break this
		 */
		if (gr->in_snapshot && gr->nmembers == 1)
			ck_assert_msg(gr->fig.slabs_used <= SIM_MAX(gr->snap_before, gr->snap_after) + gr->fig.slabs_new,
				      "%s: %llu slabs used of %llu + %llu", gr->name,
				      (unsigned long long)gr->fig.slabs_used, (unsigned long long)gr->snap_before,
				      (unsigned long long)gr->fig.slabs_new);
		ck_assert_uint_le(gr->fig.slabs_shared, gr->fig.slabs_used);
		ck_assert_uint_le(gr->fig.slabs_used, gr->fig.allocs);
	}
	realslab_fini(&r);
	slabinfo_file_fini(&sf);
}
END_TEST

START_TEST(test_slabinfo_errors)
{
	static const char bad[] = "slabinfo - version: 2.1\nc64 100 128 64 64 x : tunables 0 0 0 : slabdata 2 2 0\n";
	static const char short_row[] = "slabinfo - version: 2.1\nc64 100 128 64 64 1 : tunables 0 0 0\n";
	char *p1 = tutil_tmpfile(".slabinfo", bad, sizeof(bad) - 1);
	char *p2 = tutil_tmpfile(".slabinfo", short_row, sizeof(short_row) - 1);
	struct slabinfo_file sf;
	char err[256];

	ck_assert_int_eq(slabinfo_read_file(p1, &sf, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, ":2:") && strstr(err, "pagesperslab"), "line and field: %s", err);
	ck_assert_int_eq(slabinfo_read_file(p2, &sf, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, ":2:") && strstr(err, "active_slabs"), "line and field: %s", err);
	ck_assert_int_lt(slabinfo_read_file("/nonexistent/slabinfo", &sf, err, sizeof(err)), 0);
	/* a line of blanks (or a CRLF one) is skipped, not read as a row without a name */
	{
		static const char blanks[] = "slabinfo - version: 2.1\n  \t \r\n"
					     "c64 100 128 64 64 1 : tunables 0 0 0 : slabdata 2 2 0\n \n";
		char *p3 = tutil_tmpfile(".slabinfo", blanks, sizeof(blanks) - 1);

		ck_assert_msg(slabinfo_read_file(p3, &sf, err, sizeof(err)) == 0, "%s", err);
		ck_assert_uint_eq(sf.nsnap, 1);
		ck_assert_uint_eq(sf.snap[0].n, 1);
		ck_assert_str_eq(sf.snap[0].c[0].name, "c64");
		slabinfo_file_fini(&sf);
		unlink(p3);
		free(p3);
	}
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
}
END_TEST

static int count_cb(void *arg, int ncol, char **vals, char **names)
{
	(void)ncol;
	(void)names;
	*(long *)arg = atol(vals[0]);
	return 0;
}

START_TEST(test_record_in_old_database)
{
	char *dir = tutil_tmpdir();
	char path[512], err[512];
	struct db *db;
	struct fixture f;
	struct db_validation dv = { .slabinfo = "s", .policy = "slub", .cpus = 3, .seed = 1, .summary = "x" };
	struct db_validation_row rows[2] = {
		{ .cache = "c64", .cpu = -1, .figure = "switches", .real_value = 2, .sim_value = 3 },
		{ .cache = NULL, .cpu = 1, .figure = "switches", .real_value = 1, .sim_value = 0 },
	};
	int64_t id = 0;
	long n = -1;

	snprintf(path, sizeof(path), "%s/old.db", dir);
	fixture_build(&f);
	ck_assert_msg(db_open(path, 0, &db, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(db_trace_id(db, &f.w, &dv.trace_id, err, sizeof(err)), 0);
	/* as a database from before the validation tables */
	ck_assert_int_eq(db_exec_query(db, "DROP TABLE validation_figure; DROP TABLE validation", NULL, NULL, err,
				       sizeof(err)), 0);
	ck_assert_msg(db_validation_record(db, &dv, rows, 2, &id, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(id, 1);
	ck_assert_int_eq(db_exec_query(db, "SELECT count(*) FROM validation_figure WHERE validation_id = 1 "
				       "AND (cache = 'c64' OR cpu = 1)", count_cb, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	db_close(db);
	sim_workload_fini(&f.w);
	unlink(path);
	rmdir(dir);
	free(dir);
}
END_TEST

/* slabsim merge carries validations and their figures, each once, onto the merged trace ids. */
START_TEST(test_merge_carries_validations)
{
	char *dir = tutil_tmpdir();
	char shard[512], main_db[512], err[512];
	struct db *db;
	struct fixture f;
	struct db_validation dv = { .slabinfo = "s", .policy = "slub", .cpus = 3, .seed = 1, .summary = "x" };
	struct db_validation_row rows[2] = {
		{ .cache = "c64", .cpu = -1, .figure = "switches", .real_value = 2, .sim_value = 3 },
		{ .cache = NULL, .cpu = 1, .figure = "switches", .real_value = 1, .sim_value = 0 },
	};
	int64_t id = 0, added, skipped;
	long n = -1;

	snprintf(shard, sizeof(shard), "%s/shard.db", dir);
	snprintf(main_db, sizeof(main_db), "%s/main.db", dir);
	fixture_build(&f);
	ck_assert_msg(db_open(shard, 0, &db, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(db_trace_id(db, &f.w, &dv.trace_id, err, sizeof(err)), 0);
	ck_assert_msg(db_validation_record(db, &dv, rows, 2, &id, err, sizeof(err)) == 0, "%s", err);
	db_close(db);
	ck_assert_msg(db_open(main_db, 0, &db, err, sizeof(err)) == 0, "%s", err);
	for (int pass = 0; pass < 2; pass++)	/* the second merge adds nothing */
		ck_assert_msg(db_merge_shard(db, shard, &added, &skipped, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(db_exec_query(db, "SELECT count(*) FROM validation v JOIN trace t ON t.id = v.trace_id "
				       "WHERE v.summary = 'x' AND v.cpus = 3", count_cb, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(db_exec_query(db, "SELECT count(*) FROM validation_figure f JOIN validation v "
				       "ON v.id = f.validation_id WHERE (f.cache = 'c64' AND f.sim_value = 3) "
				       "OR (f.cpu = 1 AND f.real_value = 1)", count_cb, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	db_close(db);
	sim_workload_fini(&f.w);
	unlink(shard);
	unlink(main_db);
	rmdir(dir);
	free(dir);
}
END_TEST

/* --- scripts/capture-trace.sh against a fake tracefs and /proc ------------ */

static void put(const char *dir, const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static void slurp(const char *dir, const char *rel, char *buf, size_t len)
{
	char path[1024];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static const char fake_trace[] =
	"# tracer: nop\n"
	"#\n"
	"            sh-1     [000] .....     1.000001: kmalloc: call_site=x+0x1/0x2 ptr=ffff9a4000001000 "
	"bytes_req=8 bytes_alloc=8 gfp_flags=GFP_KERNEL node=-1 accounted=false\n";

/*
 * A tracefs and a /proc with what the script reads; overrun is the cpu's
 * overrun count.  The traced command stands in for the kernel: it copies
 * workload-events.txt into the trace file.
 */
static void fake_machine(const char *dir, const char *cmdline, int overrun)
{
	char path[1024], stats[256];
	static const char *const dirs[] = { "tracefs", "tracefs/per_cpu", "tracefs/per_cpu/cpu0", "proc" };

	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof(path), "%s/tracefs", dir);
	put(path, "trace", "stale events the script must clear\n");
	put(dir, "workload-events.txt", fake_trace);
	put(path, "tracing_on", "0\n");
	put(path, "set_event", "");
	put(path, "trace_clock", "[local] global counter uptime perf mono mono_raw boot\n");
	put(path, "buffer_size_kb", "1408\n");
	snprintf(stats, sizeof(stats), "entries: 1\noverrun: %d\ncommit overrun: 0\nbytes: 64\n"
		 "dropped events: 0\nread events: 0\n", overrun);
	put(path, "per_cpu/cpu0/stats", stats);
	snprintf(path, sizeof(path), "%s/proc", dir);
	put(path, "cmdline", cmdline);
	put(path, "version", "Linux version 6.1.0-test\n");
	put(path, "slabinfo", "slabinfo - version: 2.1\n"
	    "c64                 100    128     64   64    1 : tunables    0    0    0 : slabdata      2      2      0\n");
}

/* Runs the script with args in dir; returns its exit status and its stderr in err. */
static int capture(const char *dir, const char *args, char *err, size_t errlen)
{
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof(cmd), "cd '%s' && sh '%s' --tracefs tracefs --proc proc %s >out.txt 2>err.txt", dir,
		 tutil_srcpath("scripts/capture-trace.sh"), args);
	st = system(cmd);
	slurp(dir, "err.txt", err, errlen);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_capture_layout)
{
	char *dir = tutil_tmpdir();
	char buf[8192], err[4096], path[1024];
	struct slabinfo_file sf;

	fake_machine(dir, "root=/dev/vda no_hash_pointers quiet\n", 0);
	ck_assert_msg(capture(dir, "--out cap --name wl --buffer-kb 4096 --no-compress -- cp workload-events.txt tracefs/trace", err, sizeof(err)) == 0,
		      "%s", err);
	slurp(dir, "cap/wl.trace", buf, sizeof(buf));
	ck_assert_str_eq(buf, fake_trace);
	snprintf(path, sizeof(path), "%s/cap/wl.slabinfo.txt", dir);
	ck_assert_msg(slabinfo_read_file(path, &sf, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(sf.nsnap, 2);
	slabinfo_file_fini(&sf);
	slurp(dir, "cap/wl.meta.txt", buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "no_hash_pointers") && strstr(buf, "6.1.0-test") && strstr(buf, "kmem:mm_page_free") &&
		      strstr(buf, "kmem:kmem_cache_alloc") && strstr(buf, "4096"), "meta: %s", buf);
	slurp(dir, "cap/wl.percpu-stats.txt", buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "### cpu0") && strstr(buf, "overrun: 0"), "stats: %s", buf);
	/* the tracefs is left as the script set it, tracing off and no events enabled */
	slurp(dir, "tracefs/trace_clock", buf, sizeof(buf));
	ck_assert_str_eq(buf, "mono\n");
	slurp(dir, "tracefs/buffer_size_kb", buf, sizeof(buf));
	ck_assert_str_eq(buf, "4096\n");
	slurp(dir, "tracefs/tracing_on", buf, sizeof(buf));
	ck_assert_str_eq(buf, "0\n");
	slurp(dir, "tracefs/set_event", buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
	free(dir);
}
END_TEST

START_TEST(test_capture_refusals)
{
	char *dir = tutil_tmpdir();
	char err[4096], path[1024];

	fake_machine(dir, "root=/dev/vda quiet\n", 0);
	ck_assert_int_eq(capture(dir, "--out cap --no-compress -- true", err, sizeof(err)), 1);
	ck_assert_msg(strstr(err, "no_hash_pointers") != NULL, "%s", err);
	ck_assert_int_eq(capture(dir, "--out cap --no-compress --force -- true", err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "warning") && strstr(err, "hashed"), "--force should warn: %s", err);
	/* usage errors */
	ck_assert_int_eq(capture(dir, "--buffer-kb lots -- true", err, sizeof(err)), 2);
	ck_assert_msg(strstr(err, "--buffer-kb") != NULL, "%s", err);
	ck_assert_int_eq(capture(dir, "--force", err, sizeof(err)), 2);
	ck_assert_msg(strstr(err, "nothing to trace") != NULL, "%s", err);
	ck_assert_int_eq(capture(dir, "--duration 1 -- true", err, sizeof(err)), 2);
	ck_assert_int_eq(capture(dir, "--colour blue -- true", err, sizeof(err)), 2);
	ck_assert_int_eq(capture(dir, "--help", err, sizeof(err)), 0);
	/* lost events fail the capture, with the files written */
	fake_machine(dir, "no_hash_pointers\n", 17);
	ck_assert_int_eq(capture(dir, "--out cap --name lossy --no-compress -- true", err, sizeof(err)), 1);
	ck_assert_msg(strstr(err, "lost") && strstr(err, "--buffer-kb"), "%s", err);
	snprintf(path, sizeof(path), "%s/cap/lossy.trace", dir);
	ck_assert_int_eq(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
	free(dir);
}
END_TEST

/*
 * validate over a native file read in passes, never held, gives every
 * figure of both sides that the capture loaded whole gives.
 */
START_TEST(test_passes_same_as_loaded)
{
	const char *snap = tutil_srcpath("traces/samples/file_churn.slabinfo.txt");
	struct sim_workload w, h;
	struct validation a, b;
	struct trace_native_passes *np;
	char err[1024], *path = tutil_tmpfile(".slabsimt", "", 0);

	sim_workload_init(&w);
	ck_assert_msg(trace_load(tutil_srcpath("traces/samples/file_churn-head.trace.xz"), &w, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_msg(trace_native_write(&w, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(validation_compute(&w, snap, 3, &a, err, sizeof(err)) == 0, "%s", err);
	sim_workload_init(&h);
	np = trace_native_passes_open(path, &h, NULL, err, sizeof(err));
	ck_assert_msg(np != NULL, "%s", err);
	ck_assert_msg(validation_compute_passes(trace_native_passes_get(np), &h, snap, 3, &b, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_gt(a.real.ngroups, 1);
	ck_assert_uint_eq(a.real.ngroups, b.real.ngroups);
	ck_assert_uint_eq(a.real.ncpus, b.real.ncpus);
	ck_assert_msg(!memcmp(&a.real.base, &b.real.base, sizeof(a.real.base)), "the inferred base");
	ck_assert_msg(!memcmp(&a.real.total, &b.real.total, sizeof(a.real.total)), "the real totals");
	ck_assert_msg(!memcmp(&a.sim_total, &b.sim_total, sizeof(a.sim_total)), "the simulated totals");
	for (size_t g = 0; g < a.real.ngroups; g++) {
		ck_assert_str_eq(a.real.g[g].name, b.real.g[g].name);
		ck_assert_msg(!memcmp(&a.real.g[g].fig, &b.real.g[g].fig, sizeof(a.real.g[g].fig)), "real %s",
			      a.real.g[g].name);
		ck_assert_msg(!memcmp(&a.sim[g], &b.sim[g], sizeof(a.sim[g])), "simulated %s", a.real.g[g].name);
	}
	ck_assert_msg(!memcmp(a.real.cpu_switches, b.real.cpu_switches, a.real.ncpus * sizeof(uint64_t)), "switches");
	ck_assert_msg(!memcmp(a.sim_cpu_switches, b.sim_cpu_switches, a.real.ncpus * sizeof(uint64_t)), "sim switches");
	ck_assert_str_eq(a.summary, b.summary);
	ck_assert_uint_eq(h.digest, w.digest);
	validation_fini(&a);
	validation_fini(&b);
	trace_native_passes_close(np);
	sim_workload_fini(&h);
	sim_workload_fini(&w);
	unlink(path);
	free(path);
}
END_TEST

Suite *validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("fixture");
	TCase *real = tcase_create("real");

	tcase_add_test(tc, test_base_known);
	tcase_add_test(tc, test_real_by_hand);
	tcase_add_test(tc, test_replayed_side);
	tcase_add_test(tc, test_warm_start_packed_and_hidden_free);
	tcase_add_test(tc, test_output_formats);
	tcase_add_test(tc, test_slabinfo_errors);
	tcase_add_test(tc, test_record_in_old_database);
	tcase_add_test(tc, test_merge_carries_validations);
	tcase_add_test(tc, test_capture_layout);
	tcase_add_test(tc, test_capture_refusals);
	tcase_add_test(real, test_head_mapping);
	tcase_add_test(real, test_passes_same_as_loaded);
	tcase_set_timeout(real, 120);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, real);
	return s;
}
