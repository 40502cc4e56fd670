/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_cli.c - the slabsim binary end to end: help and version, clear
 * one-line errors with the right exit status for bad input, and no partial
 * run in the database after a failure.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sim/sim.h"
#include "sim/xalloc.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/reshape.h"

#define SAMPLE "traces/samples/fork_exec-head.trace.xz"

struct result {
	int status;
	char out[65536];
	char err[8192];
};

static const char *bindir(void)
{
	const char *b = getenv("SLABSIM_BUILDDIR");

	return b && *b ? b : ".";
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* Runs "slabsim ARGS" through the shell; ARGS is already quoted. */
static void slabsim(struct result *r, const char *args)
{
	char *dir = tutil_tmpdir();
	char cmd[8192], o[512], e[512];
	int st;

	snprintf(o, sizeof(o), "%s/out", dir);
	snprintf(e, sizeof(e), "%s/err", dir);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s/slabsim' %s </dev/null >'%s' 2>'%s'",
		 getenv("SLABSIM_SRCDIR") ? getenv("SLABSIM_SRCDIR") : ".", bindir(), args, o, e);
	st = system(cmd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp(o, r->out, sizeof(r->out));
	slurp(e, r->err, sizeof(r->err));
	unlink(o);
	unlink(e);
	rmdir(dir);
	free(dir);
}

/* The sample imported as the native file DIR/NAME, its path in nat. */
static void import_sample(struct result *r, const char *dir, const char *name, char *nat, size_t len)
{
	char args[1024];

	snprintf(nat, len, "%s/%s", dir, name);
	snprintf(args, sizeof(args), "trace import -q " SAMPLE " -o '%s'", nat);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "the import should succeed: %s", r->err);
}

static long db_count(const char *db, const char *table)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	char sql[256];
	long n = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(h);	/* a failed open still allocates the handle */
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

static int one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && nl[1] == '\0';
}

START_TEST(test_help_everywhere)
{
	static const char *const cmds[] = {
		"--help", "run --help", "trace --help", "trace import --help", "trace stats --help",
		"policies --help", "bench --help", "trace gen --help", "trace reshape --help", "sweep --help", "merge --help", "plot --help", "report --help",
		"validate --help",
	};
	struct result *r = xmalloc(sizeof(*r));

	for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		slabsim(r, cmds[i]);
		ck_assert_msg(r->status == 0, "'slabsim %s' should exit 0, got %d", cmds[i], r->status);
		ck_assert_msg(strstr(r->out, "Usage:") != NULL, "'slabsim %s' should print a usage text", cmds[i]);
	}
	slabsim(r, "--version");
	ck_assert_int_eq(r->status, 0);
	ck_assert_msg(strstr(r->out, PACKAGE_VERSION) != NULL, "--version should print the version");
	free(r);
}
END_TEST

START_TEST(test_usage_errors)
{
	static const struct {
		const char *args, *needle;
	} cases[] = {
		{ "frobnicate", "unknown command" },
		{ "run --policy slub", "--trace" },
		{ "run --trace " SAMPLE, "--policy" },
		{ "run --trace " SAMPLE " --policy slab-of-dreams", "unknown policy 'slab-of-dreams'" },
		{ "run --trace " SAMPLE " --policy slub --set colour=blue", "no parameter 'colour'" },
		{ "run --trace " SAMPLE " --policy slub --set order=99", "out of range" },
		{ "run --trace " SAMPLE " --policy slub --set order=two", "not a whole number" },
		{ "run --trace " SAMPLE " --policy slub --cpus 0", "--cpus" },
		{ "run --trace " SAMPLE " --policy slub --cpus 6 --nodes 4", "multiple of --nodes" },
		{ "run --trace " SAMPLE " --policy slub --cost warp=3", "unknown cost name" },
		{ "run --trace " SAMPLE " --policy slub --timing sometimes", "--timing" },
		{ "run --trace " SAMPLE " --policy slub --sample-max 15", "--sample-max '15'" },
		{ "sweep --trace " SAMPLE " --policy slub --sample-max 8 --db x.db", "--sample-max '8'" },
		{ "validate --trace " SAMPLE, "--slabinfo" },
		{ "validate --trace " SAMPLE " --slabinfo x --format xml", "--format 'xml'" },
		{ "validate --trace " SAMPLE " --slabinfo x --seed minus", "--seed" },
	};
	struct result *r = xmalloc(sizeof(*r));

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		slabsim(r, cases[i].args);
		ck_assert_msg(r->status == 2, "'slabsim %s' is a usage error and should exit 2, got %d (%s)",
			      cases[i].args, r->status, r->err);
		ck_assert_msg(strstr(r->err, cases[i].needle) != NULL,
			      "'slabsim %s' should say '%s', said: %s", cases[i].args, cases[i].needle, r->err);
		ck_assert_msg(strncmp(r->err, "slabsim: ", 9) == 0 && one_line(r->err),
			      "'slabsim %s' should print one 'slabsim: ...' line, printed: %s", cases[i].args, r->err);
	}
	free(r);
}
END_TEST

START_TEST(test_bad_input_no_partial_run)
{
	char *dir = tutil_tmpdir();
	struct result *r = xmalloc(sizeof(*r));
	char args[4096], db[512], empty[512], trunc[512], cmd[2048];
	FILE *f;

	snprintf(db, sizeof(db), "%s/r.db", dir);
	/* a good run records exactly one run */
	snprintf(args, sizeof(args), "run -q --trace " SAMPLE " --policy slub --db '%s'", db);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "a good run should succeed: %s", r->err);
	ck_assert_int_eq(db_count(db, "run"), 1);

	/* missing trace */
	snprintf(args, sizeof(args), "run -q --trace '%s/none.trace' --policy slub --db '%s'", dir, db);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "none.trace"), "a missing trace should exit 1 naming it: %s", r->err);

	/* a trace with no events */
	snprintf(empty, sizeof(empty), "%s/empty.trace", dir);
	f = fopen(empty, "w");
	fputs("# tracer: nop\n#\n", f);
	fclose(f);
	snprintf(args, sizeof(args), "run -q --trace '%s' --policy slub --db '%s'", empty, db);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "empty.trace") && one_line(r->err),
		      "an empty trace should exit 1 with one line naming it: %s", r->err);

	/* a truncated xz file */
	snprintf(trunc, sizeof(trunc), "%s/cut.trace.xz", dir);
	snprintf(cmd, sizeof(cmd), "head -c 20000 '%s' > '%s'", tutil_srcpath(SAMPLE), trunc);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(args, sizeof(args), "run -q --trace '%s' --policy slub --db '%s'", trunc, db);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "cut.trace.xz"), "a truncated trace should exit 1 naming it: %s", r->err);

	/* --strict: the sample's frees of never-allocated maple nodes are errors */
	snprintf(args, sizeof(args), "run -q --strict --trace " SAMPLE " --policy slub --db '%s'", db);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "fork_exec-head") && strstr(r->err, "strict"),
		      "--strict should turn the first anomaly into an error naming the file: %s", r->err);

	snprintf(args, sizeof(args), "trace stats --strict " SAMPLE);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "strict"), "trace stats --strict should fail likewise: %s", r->err);
	snprintf(args, sizeof(args), "trace import --strict " SAMPLE " -o '%s/x.slabsimt'", dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "strict"), "trace import --strict should fail likewise: %s", r->err);

	/* an unwritable database location */
	snprintf(args, sizeof(args), "run -q --trace " SAMPLE " --policy slub --db '%s/no/such/dir/x.db'", dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "x.db"), "an unwritable database should exit 1 naming it: %s", r->err);

	/* nothing of the failures reached the database */
	ck_assert_int_eq(db_count(db, "run"), 1);
	ck_assert_int_eq(db_count(db, "trace"), 1);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
	free(r);
}
END_TEST

START_TEST(test_run_summary_and_determinism)
{
	struct result *a = xmalloc(sizeof(*a)), *b = xmalloc(sizeof(*b));

	slabsim(a, "run --no-db --trace " SAMPLE " --policy slub-classic --cpus 8 --nodes 2 --timing closed --seed 3");
	ck_assert_msg(a->status == 0, "the run should succeed: %s", a->err);
	ck_assert_msg(strstr(a->out, "list_lock") && strstr(a->out, "fast path") && strstr(a->out, "p99 cycles") &&
		      strstr(a->out, "memory held") && strstr(a->out, "consistency:") && strstr(a->out, ": ok"),
		      "the summary should show locks, fast path, p99, memory and a balanced consistency line:\n%s", a->out);
	slabsim(b, "run --no-db --trace " SAMPLE " --policy slub-classic --cpus 8 --nodes 2 --timing closed --seed 3");
	ck_assert_msg(strcmp(a->out, b->out) == 0, "the same seed and inputs should print byte-identical summaries");
	free(a);
	free(b);
}
END_TEST

START_TEST(test_run_compares_policies)
{
	char *dir = tutil_tmpdir();
	struct result *r = xmalloc(sizeof(*r));
	char args[2048], db[512], cmd[1024];

	snprintf(db, sizeof(db), "%s/c.db", dir);
	snprintf(args, sizeof(args), "run --trace " SAMPLE " --policy slub-2007,slub-classic --db '%s'", db);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "a two-policy run should succeed: %s", r->err);
	ck_assert_msg(strstr(r->out, "slub-2007") && strstr(r->out, "slub-classic") &&
		      strstr(r->out, "slab_lock acquisitions / op"),
		      "the comparison should have a column per policy and a row per lock class:\n%s", r->out);
	ck_assert_int_eq(db_count(db, "run"), 2);
	/* a --set that no listed policy has is refused */
	snprintf(args, sizeof(args), "run --trace " SAMPLE " --policy slub,slub-2007 --set colour=1 --db '%s'", db);
	slabsim(r, args);
	ck_assert_msg(r->status == 2 && strstr(r->err, "colour"), "an unknown parameter should be refused: %s", r->err);
	ck_assert_int_eq(db_count(db, "run"), 2);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
	free(r);
}
END_TEST

START_TEST(test_trace_reshape_writes_native)
{
	static const char caches[] = "kmalloc-64,vm_area_struct";
	const struct {
		const char *args;
		struct trace_reshape r;
	} how[] = {
		{ "--cpus 2 --map spread", { .cpus = 2, .spread = true } },
		{ "--window 0,2s --caches kmalloc-64,vm_area_struct --replicate 4",
		  { .window_start_ns = 0, .window_end_ns = 2000000000ull, .caches = caches, .replicate = 4 } },
	};
	char *dir = tutil_tmpdir();
	struct result *r = xmalloc(sizeof(*r));
	char args[2048], out[512], cmd[1200], nat[512], mem[512], err[1024];

	snprintf(out, sizeof(out), "%s/r.slabsimt", dir);
	snprintf(args, sizeof(args), "trace reshape " SAMPLE " --window 0,2s --replicate 4 -o '%s'", out);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "trace reshape should succeed: %s", r->err);
	ck_assert_msg(strstr(r->out, "replicate 4: 16 cpus") != NULL, "the summary should say what was done: %s", r->out);
	snprintf(args, sizeof(args), "trace stats '%s'", out);
	slabsim(r, args);
	ck_assert_msg(r->status == 0 && strstr(r->out, "16"), "the reshaped trace should load with 16 cpus: %s", r->err);
	snprintf(args, sizeof(args), "trace reshape " SAMPLE " --caches no_such_cache -o '%s'", out);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "no_such_cache"), "an unknown cache should be named: %s", r->err);
	/* a native input is reshaped as it is read: the same bytes as reshaped in memory */
	import_sample(r, dir, "n.slabsimt", nat, sizeof(nat));
	snprintf(mem, sizeof(mem), "%s/m.slabsimt", dir);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(how); i++) {
		struct sim_workload w;

		snprintf(args, sizeof(args), "trace reshape -q '%s' %s -o '%s'", nat, how[i].args, out);
		slabsim(r, args);
		ck_assert_msg(r->status == 0, "reshaping a native file should succeed: %s", r->err);
		sim_workload_init(&w);
		ck_assert_msg(trace_load(nat, &w, err, sizeof(err)) == 0 && trace_reshape_apply(&w, &how[i].r, err, sizeof(err)) == 0 &&
			      trace_native_write(&w, mem, err, sizeof(err)) == 0, "%s", err);
		sim_workload_fini(&w);
		snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", out, mem);
		ck_assert_msg(system(cmd) == 0, "reshaped streamed (%s) should be the bytes reshaped in memory", how[i].args);
	}
	/* nothing left to replay is refused as in memory, and nothing is written (a regression) */
	snprintf(args, sizeof(args), "trace reshape '%s' --window 100,200 --replicate 2 -o '%s/none.slabsimt'", nat, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "nothing left to replay after reshaping"),
		      "an empty reshape of a native file should be refused: %s", r->err);
	snprintf(cmd, sizeof(cmd), "test -e '%s/none.slabsimt'", dir);
	ck_assert_msg(system(cmd) != 0, "no file should be written for an empty reshape");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
	free(r);
}
END_TEST

/* Summary values of every run, by config digest, as text (run ids and wall times left out). */
static char *db_results(const char *db)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	size_t cap = 1 << 16, n = 0;
	char *out = xcalloc(1, cap);

	ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT r.config_digest, s.ops, s.list_lock_acq_per_op, "
					    "s.alloc_xfers_per_op, s.peak_slab_bytes, s.mean_slab_bytes, "
					    "s.alloc_mean_cycles, s.free_p99_cycles FROM summary s "
					    "JOIN run r ON r.id = s.run_id ORDER BY r.config_digest", -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < 8; c++) {
			const unsigned char *v = sqlite3_column_text(st, c);

			n += (size_t)snprintf(out + n, cap - n, "%s|", v ? (const char *)v : "-");
			ck_assert_msg(n < cap - 64, "results fit the buffer");
		}
		out[n++] = '\n';
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return out;
}

START_TEST(test_sweep_jobs_and_resume)
{
	char *dir = tutil_tmpdir();
	struct result *r = xmalloc(sizeof(*r));
	char args[2048], db1[512], db2[512], db3[512], cmd[4096];
	const char *sweep = "sweep -q --trace " SAMPLE " --policy pcarray,slub --set size=8..64*2 --set batch=4,8 "
			    "--cpus 2,4 --timing closed";
	char *a, *b, *c;

	snprintf(db1, sizeof(db1), "%s/1.db", dir);
	snprintf(db2, sizeof(db2), "%s/2.db", dir);
	snprintf(db3, sizeof(db3), "%s/3.db", dir);
	/* 4 sizes x 2 batches x 2 cpu counts for pcarray, 2 for slub: 18 runs */
	snprintf(args, sizeof(args), "%s --jobs 1 --db '%s'", sweep, db1);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "a one-worker sweep should succeed: %s", r->err);
	ck_assert_int_eq(db_count(db1, "run"), 18);
	snprintf(args, sizeof(args), "%s --jobs 2 --db '%s'", sweep, db2);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "a two-worker sweep should succeed: %s", r->err);
	a = db_results(db1);
	b = db_results(db2);
	ck_assert_msg(strcmp(a, b) == 0, "results should not depend on the number of workers");
	/* run again: everything is there already */
	slabsim(r, args);
	ck_assert_msg(r->status == 0 && db_count(db2, "run") == 18, "a finished sweep should add nothing: %s", r->err);
	/* killed early, then resumed: the same results as an uninterrupted sweep */
	snprintf(cmd, sizeof(cmd), "cd '%s' && ( '%s/slabsim' %s --jobs 2 --db '%s' & p=$!; sleep 0.2; kill -TERM $p; "
		 "wait $p ) >/dev/null 2>&1", getenv("SLABSIM_SRCDIR") ? getenv("SLABSIM_SRCDIR") : ".",
		 getenv("SLABSIM_BUILDDIR") ? getenv("SLABSIM_BUILDDIR") : ".", sweep, db3);
	ck_assert_int_ge(system(cmd), 0);
	/* killed before it made the database, db_count finds none (and, under ASan, leaks no handle) */
	ck_assert_int_le(db_count(db3, "run"), 18);
	snprintf(cmd, sizeof(cmd), "%s/none.db", dir);
	ck_assert_int_eq(db_count(cmd, "run"), -1);
	snprintf(args, sizeof(args), "%s --jobs 2 --db '%s'", sweep, db3);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "the resumed sweep should succeed: %s", r->err);
	c = db_results(db3);
	ck_assert_msg(strcmp(a, c) == 0, "a killed and resumed sweep should give the uninterrupted results");
	snprintf(args, sizeof(args), "sweep --trace " SAMPLE " --policy slub --set size=8 --db '%s'", db1);
	slabsim(r, args);
	ck_assert_msg(r->status == 2 && strstr(r->err, "size"), "a parameter no policy has should be refused: %s", r->err);
	snprintf(args, sizeof(args), "sweep --trace " SAMPLE " --policy pcarray --set size=8..x --db '%s'", db1);
	slabsim(r, args);
	ck_assert_msg(r->status == 2 && strstr(r->err, "size"), "a bad range should be refused: %s", r->err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(a);
	free(b);
	free(c);
	free(dir);
	free(r);
}
END_TEST

/*
 * A native file is streamed by run and sweep: the same results as the
 * text trace loaded whole, whatever the number of workers; a damaged one
 * fails naming the file, and records nothing.
 */
START_TEST(test_native_streamed_like_text)
{
	char *dir = tutil_tmpdir();
	struct result *r = xmalloc(sizeof(*r));
	char args[4096], nat[512], db[4][512], cmd[2048];
	const char *how = "--policy slub,pcarray --set size=8,16 --cpus 8 --replicate 2 --window 0.001, --timing closed";
	char *res[4];
	FILE *f;

	for (int i = 0; i < 4; i++)
		snprintf(db[i], sizeof(db[i]), "%s/%d.db", dir, i);
	import_sample(r, dir, "t.slabsimt", nat, sizeof(nat));
	snprintf(args, sizeof(args), "sweep -q --trace " SAMPLE " %s --jobs 1 --db '%s'", how, db[0]);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "the text sweep should succeed: %s", r->err);
	for (int i = 1; i < 3; i++) {
		snprintf(args, sizeof(args), "sweep -q --trace '%s' %s --jobs %d --db '%s'", nat, how, i, db[i]);
		slabsim(r, args);
		ck_assert_msg(r->status == 0, "the streamed sweep should succeed: %s", r->err);
	}
	snprintf(args, sizeof(args), "run -q --trace '%s' %s --db '%s'", nat, "--policy slub --cpus 8 --replicate 2 "
		 "--window 0.001, --timing closed", db[3]);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "the streamed run should succeed: %s", r->err);
	for (int i = 0; i < 3; i++)
		res[i] = db_results(db[i]);
	res[3] = db_results(db[3]);
	ck_assert_msg(!strcmp(res[0], res[1]) && !strcmp(res[1], res[2]),
		      "a streamed sweep should give the text trace's results on any number of workers");
	ck_assert_msg(strstr(res[0], res[3]) != NULL, "a streamed run should give the sweep's result for slub");
	/* damage a pointer byte near the end: every event reads well, the checksum fails */
	f = fopen(nat, "r+b");
	ck_assert_ptr_nonnull(f);
	fseek(f, -16 - 48 * 5 + 9, SEEK_END);
	fputc(0x5a, f);
	fclose(f);
	snprintf(args, sizeof(args), "run -q --trace '%s' --policy slub --db '%s'", nat, db[3]);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "t.slabsimt") && strstr(r->err, "checksum") && one_line(r->err),
		      "a damaged native file should fail in one line naming it: %s", r->err);
	ck_assert_int_eq(db_count(db[3], "run"), 1);
	ck_assert_int_eq(db_count(db[3], "trace"), 1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	for (int i = 0; i < 4; i++)
		free(res[i]);
	free(dir);
	free(r);
}
END_TEST

/* The stderr line that says what the warm start did. */
static void initstate_line(const char *err, char *line, size_t len)
{
	const char *p = strstr(err, "initial state:"), *nl;

	ck_assert_msg(p != NULL, "the warm start should be reported: %s", err);
	nl = strchr(p, '\n');
	snprintf(line, len, "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
}

/*
 * --initial-state on a native file streams it, warm start included: the
 * same results (and config digests, so the same trace digest and warm-up)
 * as the text trace loaded whole, in a sweep on 1 and 2 workers and in a
 * run, reshaped first; the same report of what the warm start did; and a
 * sweep keeps the --warmup it is given (it once reset it to the prefix).
 */
START_TEST(test_initial_state_streamed_like_loaded)
{
	char *dir = tutil_tmpdir();
	struct result *r = xmalloc(sizeof(*r));
	char args[4096], nat[512], db[4][512], cmd[1024], line[2][512];
	const char *how = "--policy slub,pcarray --set size=16 --cpus 8 --replicate 2 --warmup 100 "
			  "--initial-state traces/samples/fork_exec.slabinfo.txt";
	char *res[4];

	for (int i = 0; i < 4; i++)
		snprintf(db[i], sizeof(db[i]), "%s/%d.db", dir, i);
	import_sample(r, dir, "t.slabsimt", nat, sizeof(nat));
	snprintf(args, sizeof(args), "sweep --trace " SAMPLE " %s --jobs 1 --db '%s'", how, db[0]);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "the loaded sweep should succeed: %s", r->err);
	initstate_line(r->err, line[0], sizeof(line[0]));
	for (int i = 1; i < 3; i++) {
		snprintf(args, sizeof(args), "sweep --trace '%s' %s --jobs %d --db '%s'", nat, how, i, db[i]);
		slabsim(r, args);
		ck_assert_msg(r->status == 0, "the streamed sweep should succeed: %s", r->err);
		initstate_line(r->err, line[1], sizeof(line[1]));
		ck_assert_str_eq(line[0], line[1]);
	}
	snprintf(args, sizeof(args), "run -q --trace '%s' --policy slub --cpus 8 --replicate 2 --warmup 100 "
		 "--initial-state traces/samples/fork_exec.slabinfo.txt --db '%s'", nat, db[3]);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "the streamed run should succeed: %s", r->err);
	for (int i = 0; i < 4; i++)
		res[i] = db_results(db[i]);
	ck_assert_msg(strchr(res[0], '\n') && strchr(strchr(res[0], '\n') + 1, '\n'), "two runs: %s", res[0]);
	ck_assert_msg(!strcmp(res[0], res[1]) && !strcmp(res[1], res[2]),
		      "a streamed warm start should give the loaded trace's results on any number of workers");
	ck_assert_msg(strstr(res[0], res[3]) != NULL, "a run should give the sweep's result for slub, --warmup kept");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	for (int i = 0; i < 4; i++)
		free(res[i]);
	free(dir);
	free(r);
}
END_TEST

START_TEST(test_sweep_emit_jobs_gnu_parallel_merge)
{
	char *dir = tutil_tmpdir();
	struct result *r = xmalloc(sizeof(*r));
	char args[2048], cmd[4096], direct[512], merged[512], bad[512];
	const char *sweep = "sweep -q --trace " SAMPLE " --policy pcarray,slub-2007 --set size=8..32*2 "
			    "--set batch=4,8 --cpus 2,4 --timing closed";
	char *a, *b;

	snprintf(direct, sizeof(direct), "%s/direct.db", dir);
	snprintf(merged, sizeof(merged), "%s/merged.db", dir);
	snprintf(args, sizeof(args), "%s --db '%s'", sweep, direct);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "the direct sweep should succeed: %s", r->err);
	/* the same sweep as one job per line, run by GNU parallel, then merged */
	snprintf(args, sizeof(args), "%s --db '%s' --emit-jobs '%s/jobs.txt' --shard-dir '%s/shards'", sweep, merged, dir, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "--emit-jobs should succeed: %s", r->err);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/shards' && cd '%s' && parallel --jobs 2 < '%s/jobs.txt' && "
		 "test -s '%s/jobs.txt.sbatch'", dir, getenv("SLABSIM_SRCDIR") ? getenv("SLABSIM_SRCDIR") : ".", dir, dir);
	ck_assert_msg(system(cmd) == 0, "GNU parallel should run every emitted job");
	snprintf(args, sizeof(args), "merge '%s' '%s'/shards/*.db", merged, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 0 && strstr(r->out, "14 runs added"), "merge should add the 14 runs: %s%s", r->out, r->err);
	a = db_results(direct);
	b = db_results(merged);
	ck_assert_msg(strcmp(a, b) == 0, "jobs run by GNU parallel and merged should equal the direct sweep");
	/* merging again adds nothing */
	slabsim(r, args);
	ck_assert_msg(r->status == 0 && db_count(merged, "run") == 14, "a second merge should add nothing: %s", r->err);
	/* a shard of another schema version is refused, and nothing changes */
	snprintf(bad, sizeof(bad), "%s/old.db", dir);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && sqlite3 '%s' \"UPDATE meta SET schema_version = 99\"", direct, bad, bad);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(args, sizeof(args), "merge '%s' '%s'", merged, bad);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "99"), "a shard of schema version 99 should be refused: %s", r->err);
	ck_assert_int_eq(db_count(merged, "run"), 14);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(a);
	free(b);
	free(dir);
	free(r);
}
END_TEST

/* A PNG of at least min_w x min_h pixels and min_bytes bytes (a plot, not an empty canvas). */
static bool file_is_png(const char *path, unsigned min_w, unsigned min_h, long min_bytes)
{
	unsigned char m[24] = { 0 };
	FILE *f = fopen(path, "rb");
	bool ok = f && fread(m, 1, 24, f) == 24 && !memcmp(m, "\x89PNG\r\n\x1a\n", 8) && !memcmp(m + 12, "IHDR", 4);
	unsigned w = (unsigned)m[16] << 24 | (unsigned)m[17] << 16 | (unsigned)m[18] << 8 | m[19];
	unsigned h = (unsigned)m[20] << 24 | (unsigned)m[21] << 16 | (unsigned)m[22] << 8 | m[23];

	ok = ok && w >= min_w && h >= min_h && !fseek(f, 0, SEEK_END) && ftell(f) >= min_bytes;
	if (f)
		fclose(f);
	return ok;
}

/* Whether the file at path contains text. */
static bool file_has(const char *path, const char *text)
{
	char *buf = xmalloc(1 << 22);
	FILE *f = fopen(path, "r");
	size_t len = f ? fread(buf, 1, (1 << 22) - 1, f) : 0;
	bool ok;

	if (f)
		fclose(f);
	buf[len] = '\0';
	ok = strstr(buf, text) != NULL;
	free(buf);
	return ok;
}

/* An SVG document (closed, so gnuplot finished it) of at least min_bytes bytes. */
static bool file_is_svg(const char *path, long min_bytes)
{
	char *text = NULL;
	FILE *f = fopen(path, "r");
	long len = f && !fseek(f, 0, SEEK_END) ? ftell(f) : -1;
	bool ok = false;

	if (f && len >= min_bytes && !fseek(f, 0, SEEK_SET)) {
		text = xmalloc((size_t)len + 1);
		text[fread(text, 1, (size_t)len, f)] = '\0';
		ok = strstr(text, "<svg") && strstr(text, "</svg>") && strstr(text, "<path");
	}
	if (f)
		fclose(f);
	free(text);
	return ok;
}

START_TEST(test_plot_draws_from_database)
{
	char *dir = tutil_tmpdir();
	struct result *r = xmalloc(sizeof(*r));
	char args[2048], db[512], png[600], cmd[1024];
	static const char *const kinds[] = { "locks", "contention", "transfers", "memheld", "p99", "memory",
					     "memparts", "latency-alloc", "latency-free", "pareto", "pareto-cycles",
					     "param-pcarray-cycles", "param-pcarray-memory", "heatmap-pcarray" };

	snprintf(db, sizeof(db), "%s/p.db", dir);
	snprintf(args, sizeof(args), "sweep -q --trace " SAMPLE " --policy pcarray --set size=8,16 --set batch=4,8 "
		 "--timing closed --db '%s'", db);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "the sweep should succeed: %s", r->err);
	snprintf(args, sizeof(args), "plot --db '%s' --list", db);
	slabsim(r, args);
	ck_assert_msg(r->status == 0 && strstr(r->out, "4 runs") && strstr(r->out, "pareto"), "--list: %s", r->out);
	snprintf(args, sizeof(args), "plot --db '%s' --out '%s/plots'", db, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "plot should draw every kind: %s", r->err);
	for (unsigned i = 0; i < SIM_ARRAY_SIZE(kinds); i++) {
		snprintf(png, sizeof(png), "%s/plots/%s.png", dir, kinds[i]);
		ck_assert_msg(file_is_png(png, 800, 500, 8000), "%s should be a PNG image of a plot", png);
		ck_assert_msg(strstr(r->out, png) != NULL, "plot should name %s", png);
	}
	/* the titles name trace and machine, the legends the swept parameters */
	snprintf(png, sizeof(png), "%s/plots/locks.csv", dir);
	ck_assert_msg(file_has(png, "\"pcarray batch=4 size=16 4cpu closed #"), "legends name the parameters");
	snprintf(args, sizeof(args), "plot --db '%s' --out '%s/svg' --format svg", db, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "plot --format svg should draw every kind: %s", r->err);
	for (unsigned i = 0; i < SIM_ARRAY_SIZE(kinds); i++) {
		snprintf(png, sizeof(png), "%s/svg/%s.svg", dir, kinds[i]);
		ck_assert_msg(file_is_svg(png, 8000), "%s should be an SVG image of a plot", png);
		ck_assert_msg(file_has(png, "fork_exec-head.trace.xz, 4 cpus, 1 node, 2.5 GHz, closed loop"),
			      "%s: the title should name the trace and the machine", png);
	}
	/* the report: one page, every picture embedded, a table row per run, every configuration */
	snprintf(args, sizeof(args), "report --db '%s' --out '%s/rep'", db, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 0 && strstr(r->out, "4 runs"), "report should succeed: %s%s", r->out, r->err);
	ck_assert_msg(strstr(r->out, "  pcarray  batch=8,size=16  ") != NULL, "the terminal table should name them too: %s", r->out);
	{
		char html[600], *page = xmalloc(1 << 22);
		FILE *f;
		size_t len;
		unsigned imgs = 0, rows = 0, configs = 0;

		snprintf(html, sizeof(html), "%s/rep/report.html", dir);
		f = fopen(html, "r");
		ck_assert_ptr_nonnull(f);
		len = fread(page, 1, (1 << 22) - 1, f);
		fclose(f);
		page[len] = '\0';
		for (char *q = page; (q = strstr(q, "<img ")); q++)
			imgs++;
		for (char *q = strstr(page, "<table id=\"runs\">"); q && (q = strstr(q + 1, "<tr><td>")) &&
		     q < strstr(page, "<h2>Plots"); )
			rows++;
		for (char *q = page; (q = strstr(q, "<details class=\"config\">")); q++)
			configs++;
		ck_assert_msg(imgs >= 6 && strstr(page, "data:image/png;base64,iVBORw0KGgo"),
			      "the report should embed the plots as PNG data (found %u)", imgs);
		ck_assert_uint_eq(rows, 4);
		ck_assert_uint_eq(configs, 4);
		/* each row names what the sweep varied */
		ck_assert_msg(strstr(page, "<td>batch=4,size=8</td>") && strstr(page, "<td>batch=8,size=16</td>"),
			      "the runs table should name the swept parameters");
		ck_assert_msg(strstr(page, "trace=") != NULL, "the configurations should be the full config text");
		free(page);
	}

	snprintf(args, sizeof(args), "plot --db '%s/none.db'", dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "none.db"), "a missing database should be named: %s", r->err);
	/* with several policies on one machine, the bars compare those, one run each */
	snprintf(args, sizeof(args), "run --trace " SAMPLE " --policy slub,magazine --db '%s'", db);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "two more runs: %s", r->err);
	snprintf(args, sizeof(args), "plot --db '%s' --out '%s/two' locks memory", db, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 0, "plot of two policies: %s", r->err);
	snprintf(png, sizeof(png), "%s/two/locks.csv", dir);
	ck_assert_msg(file_has(png, "\n\"slub 4cpu trace #5\",") && file_has(png, "\n\"magazine 4cpu trace #6\",") &&
		      !file_has(png, "pcarray"), "the bars should compare slub and magazine only");
	snprintf(png, sizeof(png), "%s/two/memory.csv", dir);
	ck_assert_msg(file_has(png, "\"magazine 4cpu trace #6\"") && !file_has(png, "pcarray"),
		      "the lines over time should be those of slub and magazine");
	/* bad inputs: an unknown kind, an output folder that cannot be made, a database without runs */
	snprintf(args, sizeof(args), "plot --db '%s' --out '%s/x' locks bars", db, dir);
	slabsim(r, args);
	snprintf(png, sizeof(png), "%s/x", dir);
	ck_assert_msg(r->status == 2 && strstr(r->err, "unknown kind 'bars'") && access(png, F_OK) != 0,
		      "an unknown kind should be a usage error naming it, before drawing anything: %s", r->err);
	snprintf(args, sizeof(args), "plot --db '%s' --out '%s/p.db/plots'", db, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "cannot create the output folder") && strstr(r->err, "p.db/plots"),
		      "an output folder inside a file should be refused by name: %s", r->err);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/empty.db' && sqlite3 '%s/empty.db' 'DELETE FROM run'", db, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(args, sizeof(args), "plot --db '%s/empty.db' --out '%s/e'", dir, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "empty.db has no runs"), "a database without runs: %s", r->err);
	snprintf(args, sizeof(args), "report --db '%s/empty.db' --out '%s/e'", dir, dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 1 && strstr(r->err, "empty.db has no runs"), "report of no runs: %s", r->err);
	snprintf(args, sizeof(args), "plot --db '%s/empty.db' --list", dir);
	slabsim(r, args);
	ck_assert_msg(r->status == 0 && strstr(r->out, "0 runs") && strstr(r->out, "locks      no"),
		      "--list of a database without runs: %s", r->out);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(dir);
	free(r);
}
END_TEST

START_TEST(test_bench_prints_every_figure)
{
	struct result *r = xmalloc(sizeof(*r));
	static const char *const want[] = {
		"import ", " MB/s", "(fastest of 2, spread ", "bare replay", "\nin memory ", "\nslub ", "\npcarray ",
		"\nsheaves ", "peak live", "B/live", "read ahead", " spread\n", "(each figure the fastest of 2 runs",
		"sweep    6 runs on 1 worker", "sweep    6 runs on 2 workers", "2 workers / 1 worker",
		"runs/s on the workers, which kept ", " cores busy (fastest of 2", "(cores busy: the workers' cpu time",
		"peak resident set of the process",
	};

	slabsim(r, "bench --trace " SAMPLE " --events 40000 --policy slub,pcarray,sheaves --repeat 2");
	ck_assert_msg(r->status == 0, "bench should succeed: %s", r->err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(r->out, want[i]), "bench should print '%s':\n%s", want[i], r->out);
	ck_assert_msg(strstr(r->out, "replay   the trace 2 times: 40000 events"),
		      "40000 events are two copies of the 20000-event sample:\n%s", r->out);
	slabsim(r, "bench --trace " SAMPLE " --events 1000 --policy nosuch");
	ck_assert_int_eq(r->status, 2);
	slabsim(r, "bench --trace " SAMPLE " --repeat 0");
	ck_assert_msg(r->status == 2 && strstr(r->err, "--repeat"), "--repeat 0 should be refused: %s", r->err);
	free(r);
}
END_TEST

/* Parses list into v (at most max values); returns the status and the count. */
static int parse_list(const char *list, long *v, unsigned max, unsigned *n)
{
	*n = 0;
	return cli_parse_list(list, v, n, max);
}

START_TEST(test_parse_list)
{
	long v[300];
	unsigned n;

	ck_assert_int_eq(parse_list("8..128*2", v, 300, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert(v[0] == 8 && v[4] == 128);
	ck_assert_int_eq(parse_list("1..10+3,4,-2", v, 300, &n), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert(v[0] == 1 && v[3] == 10 && v[4] == 4 && v[5] == -2);
	ck_assert_int_eq(parse_list("3..3", v, 300, &n), 0);
	ck_assert_uint_eq(n, 1);
	/* ranges that end near LONG_MAX stop there instead of overflowing */
	ck_assert_int_eq(parse_list("1..9223372036854775807*2", v, 300, &n), 0);
	ck_assert_uint_eq(n, 63);
	ck_assert(v[62] == 1L << 62);
	ck_assert_int_eq(parse_list("9223372036854775800..9223372036854775807+5", v, 300, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(parse_list("-9223372036854775807..9223372036854775807+9223372036854775807", v, 300, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert(v[2] == 9223372036854775807L);
	/* numbers out of range, malformed items, too many values */
	ck_assert_int_eq(parse_list("99999999999999999999", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list("1..99999999999999999999", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list("", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list(",", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list("4..2", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list("0..8*2", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list("1..8*1", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list("1..8+0", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list("1..8x", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list("1...8", v, 300, &n), -EINVAL);
	ck_assert_int_eq(parse_list("1..1000", v, 300, &n), -E2BIG);
	ck_assert_int_eq(parse_list("1,2,3", v, 2, &n), -E2BIG);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("binary");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_help_everywhere);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_bad_input_no_partial_run);
	tcase_add_test(tc, test_run_summary_and_determinism);
	tcase_add_test(tc, test_run_compares_policies);
	tcase_add_test(tc, test_trace_reshape_writes_native);
	tcase_add_test(tc, test_sweep_jobs_and_resume);
	tcase_add_test(tc, test_native_streamed_like_text);
	tcase_add_test(tc, test_initial_state_streamed_like_loaded);
	tcase_add_test(tc, test_sweep_emit_jobs_gnu_parallel_merge);
	tcase_add_test(tc, test_plot_draws_from_database);
	tcase_add_test(tc, test_bench_prints_every_figure);
	suite_add_tcase(s, tc);
	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_list);
	suite_add_tcase(s, tc);
	return s;
}
