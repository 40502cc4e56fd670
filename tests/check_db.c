/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check_db.c - the results database: a small hand-built run is recorded
 * and read back through SQL to the exact value; duplicates, failures in
 * the middle of a run, foreign files and bad paths leave the database as
 * it was.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "results/db.h"
#include "sim/xalloc.h"
#include "tests/check_suites.h"
#include "tests/tutil.h"

static char *tdir;
static char dbpath[4096];
static char err[1024];

/* The hand-built run: see tdb_stats_fill() for the numbers the tests expect. */
static struct sim_workload tw;
static struct sim_run_config tcfg;
static struct sim_stats *tst;
static uint32_t c_kmalloc, c_dentry;

/* ---- fixture ---------------------------------------------------------- */

static void tdb_workload_fill(struct sim_workload *w)
{
	struct sim_event e = { .node = SIM_NO_NODE };

	sim_workload_init(w);
	snprintf(w->source, sizeof(w->source), "tests/fixtures/tiny.trace");
	snprintf(w->format, sizeof(w->format), "ftrace");
	snprintf(w->kernel, sizeof(w->kernel), "6.1.0");
	c_kmalloc = sim_workload_cache(w, "kmalloc-64", 64, SIM_CACHEF_KMALLOC);
	c_dentry = sim_workload_cache(w, "dentry", 192, 0);
	e = (struct sim_event){ .t_ns = 100, .cpu = 0, .op = SIM_EV_ALLOC, .cache = c_kmalloc, .oid = 0 };
	sim_workload_push(w, &e);
	e = (struct sim_event){ .t_ns = 400, .cpu = 1, .op = SIM_EV_ALLOC, .cache = c_dentry, .oid = 1 };
	sim_workload_push(w, &e);
	e = (struct sim_event){ .t_ns = 300, .cpu = 1, .op = SIM_EV_FREE, .cache = c_kmalloc, .oid = 0 };
	sim_workload_push(w, &e);
	e = (struct sim_event){ .t_ns = 350, .cpu = 0, .op = SIM_EV_FREE, .oid = SIM_OID_NONE,
				.flags = SIM_EVF_UNMATCHED };
	sim_workload_push(w, &e);
	w->nobjs = 2;
	w->anomaly[SIM_AN_unmatched_free] = 1;
	w->anomaly[SIM_AN_lost_events] = 3;
	w->digest = sim_workload_digest(w);
}

static void tdb_config_fill(struct sim_run_config *c)
{
	memset(c, 0, sizeof(*c));
	sim_machine_config_defaults(&c->mach);
	c->mach.ncpus = 2;
	snprintf(c->policy, sizeof(c->policy), "slub");
	snprintf(c->preset, sizeof(c->preset), "slub-classic");
	c->nparams = 2;
	snprintf(c->param_name[0], sizeof(c->param_name[0]), "cpu_partial");
	c->param_value[0] = 30;
	snprintf(c->param_name[1], sizeof(c->param_name[1]), "min_partial");
	c->param_value[1] = 5;
	c->param_auto[1] = true;
}

/*
 * 2 cpus, caches 0 (unknown), kmalloc-64, dentry.  10 allocs (cpu 0: 6 on
 * kmalloc-64, 5 of them fast; cpu 1: 4 on dentry, 3 fast), 5 frees: 15
 * ops, fast-path share 0.8.  list_lock: 6 acquired, 2 contended; zone_lock
 * 3 acquired, 1 trylock failed.  Allocator touches 30, transfers 10;
 * workload transfers 3.  Slab bytes sampled 4096, 12288, 8192: mean 8192.
 * Alloc latencies 100, 200, 300 (mean 200, p99 300), free 50.
 */
static void tdb_stats_fill(struct sim_stats *s)
{
	sim_stats_count(s, 0, c_kmalloc, SIM_CNT_alloc, 6);
	sim_stats_count(s, 0, c_kmalloc, SIM_CNT_alloc_fastpath, 5);
	sim_stats_count(s, 0, c_kmalloc, SIM_CNT_alloc_slowpath, 1);
	sim_stats_count(s, 1, c_dentry, SIM_CNT_alloc, 4);
	sim_stats_count(s, 1, c_dentry, SIM_CNT_alloc_fastpath, 3);
	sim_stats_count(s, 1, c_dentry, SIM_CNT_alloc_slowpath, 1);
	sim_stats_count(s, 0, c_kmalloc, SIM_CNT_free, 3);
	sim_stats_count(s, 1, c_kmalloc, SIM_CNT_free, 2);

	*sim_stats_lock_cpu(s, 0, SIM_LOCK_list_lock) = (struct sim_lock_stat){ 4, 1, 100, 40, 0 };
	*sim_stats_lock_cpu(s, 1, SIM_LOCK_list_lock) = (struct sim_lock_stat){ 2, 1, 50, 20, 0 };
	*sim_stats_lock_cache(s, c_kmalloc, SIM_LOCK_list_lock) = (struct sim_lock_stat){ 6, 2, 150, 60, 0 };
	*sim_stats_lock_cpu(s, 0, SIM_LOCK_zone_lock) = (struct sim_lock_stat){ 3, 0, 0, 30, 1 };
	*sim_stats_lock_cache(s, c_dentry, SIM_LOCK_zone_lock) = (struct sim_lock_stat){ 3, 0, 0, 30, 1 };

	*sim_stats_touch_cpu(s, 0, SIM_ORIGIN_ALLOCATOR) = (struct sim_touch_stat){
		.reads = 10, .writes = 5, .atomics = 5, .hits = 12, .xfer_local = 6, .xfer_remote = 2 };
	*sim_stats_touch_cpu(s, 1, SIM_ORIGIN_ALLOCATOR) = (struct sim_touch_stat){
		.reads = 5, .writes = 3, .atomics = 2, .hits = 8, .xfer_local = 2 };
	*sim_stats_touch_cpu(s, 1, SIM_ORIGIN_WORKLOAD) = (struct sim_touch_stat){
		.writes = 4, .hits = 1, .xfer_local = 3, .invalidations = 3 };
	*sim_stats_touch_cache(s, c_kmalloc, SIM_ORIGIN_ALLOCATOR) = *sim_stats_touch_cpu(s, 0, 0);

	sim_stats_gauge_add(s, c_kmalloc, SIM_GAUGE_slab_bytes, 4096);
	sim_stats_gauge_add(s, c_kmalloc, SIM_GAUGE_live_objs, 3);
	sim_stats_sample(s, 10);
	sim_stats_gauge_add(s, c_dentry, SIM_GAUGE_slab_bytes, 8192);
	sim_stats_sample(s, 20);
	sim_stats_gauge_add(s, c_kmalloc, SIM_GAUGE_slab_bytes, -4096);
	sim_stats_gauge_add(s, c_kmalloc, SIM_GAUGE_live_objs, -3);
	sim_stats_sample(s, 30);

	sim_stats_latency(s, c_kmalloc, SIM_LAT_ALLOC, 100);
	sim_stats_latency(s, c_kmalloc, SIM_LAT_ALLOC, 200);
	sim_stats_latency(s, c_dentry, SIM_LAT_ALLOC, 300);
	sim_stats_latency(s, c_kmalloc, SIM_LAT_FREE, 50);

	s->events_replayed = 15;
	s->skipped_unmatched = 1;
	s->stall_cycles = 77;
	s->end_t_ns = 12345;
	s->outstanding_allocs = 5;
}

static int tdb_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void tdb_setup(void)
{
	tdir = tutil_tmpdir();
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", tdir);
	err[0] = '\0';
	tdb_workload_fill(&tw);
	tdb_config_fill(&tcfg);
	tst = sim_stats_create(2, (unsigned)strtab_count(&tw.caches));
	tdb_stats_fill(tst);
}

static void tdb_teardown(void)
{
	sim_stats_destroy(tst);
	sim_workload_fini(&tw);
	chmod(tdir, 0700);
	nftw(tdir, tdb_rm, 8, FTW_DEPTH | FTW_PHYS);
	free(tdir);
}

/* ---- helpers ---------------------------------------------------------- */

static struct db *tdb_open(void)
{
	struct db *db = NULL;
	int rc = db_open(dbpath, 0, &db, err, sizeof(err));

	ck_assert_msg(rc == 0, "opening a fresh database should succeed: %s", err);
	return db;
}

static int64_t tdb_record(struct db *db, uint64_t seed, bool replace, int *rcp)
{
	struct db_run_info info = { .rng_type = "mt19937", .wall_s = 1.5, .started_at = 1700000000,
				    .replace = replace };
	int64_t trace_id = 0, run_id = -1;
	int rc = db_trace_id(db, &tw, &trace_id, err, sizeof(err));

	ck_assert_msg(rc == 0, "recording the trace should succeed: %s", err);
	tcfg.mach.seed = seed;
	rc = db_run_record(db, trace_id, &info, &tcfg, tst, &tw, &run_id, err, sizeof(err));
	if (rcp)
		*rcp = rc;
	else
		ck_assert_msg(rc == 0, "recording the run should succeed: %s", err);
	return run_id;
}

static int tdb_first_cb(void *arg, int ncol, char **vals, char **names)
{
	snprintf(arg, 256, "%s", vals[0] ? vals[0] : "NULL");
	return 0;
}

/* The first column of the last row of sql as text, "NULL" for NULL, "" for no row. */
static const char *tdb_q(struct db *db, const char *sql)
{
	static char buf[256];
	int rc;

	buf[0] = '\0';
	rc = db_exec_query(db, sql, tdb_first_cb, buf, err, sizeof(err));
	ck_assert_msg(rc == 0, "query '%s' should run: %s", sql, err);
	return buf;
}

static long long tdb_qi(struct db *db, const char *sql)
{
	return strtoll(tdb_q(db, sql), NULL, 10);
}

#define expect_q(db, sql, want) do {                                                    \
		const char *got_ = tdb_q(db, sql);                                        \
		ck_assert_msg(strcmp(got_, want) == 0, "%s should give %s, gives %s",     \
			      sql, want, got_);                                            \
	} while (0)

#define expect_near(what, got, want) \
	ck_assert_msg(fabs((got) - (want)) < 1e-9, "%s should be %g, is %g", what, (double)(want), (double)(got))

static const char *const tdb_run_tables[] = {
	"run", "run_param", "run_cost", "counter", "lock_stat", "touch", "gauge", "cache_op",
	"latency", "latency_summary", "memory",
};

static long long tdb_rows(struct db *db, const char *table)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return tdb_qi(db, sql);
}

static char *tdb_file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s should be readable", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	ck_assert_msg(fread(buf, 1, (size_t)n, f) == (size_t)n, "%s should be read whole", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Opens path with db_open, expects rc and a message containing each of want[], and the file unchanged. */
static void tdb_expect_refused(const char *path, int want_rc, const char *const *want, size_t nwant)
{
	size_t len0, len1;
	char *before = tdb_file_read(path, &len0), *after;
	struct db *db = NULL;
	int rc = db_open(path, 0, &db, err, sizeof(err));

	ck_assert_msg(rc == want_rc, "opening %s should fail with %d, gives %d (%s)", path, want_rc, rc, err);
	ck_assert_msg(db == NULL, "a refused database should not be returned");
	for (size_t i = 0; i < nwant; i++)
		ck_assert_msg(strstr(err, want[i]), "the message should say '%s': %s", want[i], err);
	after = tdb_file_read(path, &len1);
	ck_assert_msg(len0 == len1 && memcmp(before, after, len0) == 0,
		      "a refused file should be left unchanged");
	free(before);
	free(after);
}

static void tdb_raw_exec(const char *path, const char *sql)
{
	sqlite3 *h;

	ck_assert_msg(sqlite3_open(path, &h) == SQLITE_OK, "sqlite3 should open %s", path);
	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK, "'%s' should run: %s",
		      sql, sqlite3_errmsg(h));
	sqlite3_close(h);
}

/* Whether the one run's config_text equals text (read through the raw handle: it has newlines). */
static bool tdb_config_text_is(struct db *db, const char *text)
{
	sqlite3_stmt *s;
	bool same;

	ck_assert_msg(sqlite3_prepare_v2(db_sqlite(db), "SELECT config_text FROM run", -1, &s, NULL) == SQLITE_OK
		      && sqlite3_step(s) == SQLITE_ROW, "the run's config_text should be readable");
	same = strcmp((const char *)sqlite3_column_text(s, 0), text) == 0;
	sqlite3_finalize(s);
	return same;
}

/* ---- creation and the recorded trace ---------------------------------- */

START_TEST(test_db_create_meta)
{
	struct db *db = tdb_open();
	char want[32];

	snprintf(want, sizeof(want), "%d", DB_SCHEMA_VERSION);
	expect_q(db, "SELECT schema_version FROM meta", want);
	expect_q(db, "SELECT slabsim_version FROM meta", PACKAGE_VERSION);
	expect_q(db, "SELECT count(*) FROM meta", "1");
	expect_q(db, "PRAGMA journal_mode", "wal");
	expect_q(db, "PRAGMA foreign_keys", "1");
	ck_assert_msg(strcmp(db_path(db), dbpath) == 0, "db_path should give the path opened");
	db_close(db);
}
END_TEST

START_TEST(test_db_trace_recorded_once)
{
	struct db *db = tdb_open();
	int64_t id1 = 0, id2 = 0;

	ck_assert_msg(db_trace_id(db, &tw, &id1, err, sizeof(err)) == 0, "recording a trace should succeed: %s", err);
	ck_assert_msg(db_trace_id(db, &tw, &id2, err, sizeof(err)) == 0, "finding a trace should succeed: %s", err);
	ck_assert_msg(id1 == id2, "the same trace should get the same id (%lld, %lld)", (long long)id1, (long long)id2);
	expect_q(db, "SELECT count(*) FROM trace", "1");
	expect_q(db, "SELECT path || '|' || format || '|' || kernel FROM trace", "tests/fixtures/tiny.trace|ftrace|6.1.0");
	expect_q(db, "SELECT events || ' ' || replayable || ' ' || cpus || ' ' || caches || ' ' || nobjs "
		 "|| ' ' || duration_ns FROM trace", "4 3 2 2 2 400");
	expect_q(db, "SELECT group_concat(cache_id || ':' || name || ':' || object_bytes || ':' || flags, ' ') "
		 "FROM (SELECT * FROM trace_cache ORDER BY cache_id)", "1:kmalloc-64:64:1 2:dentry:192:0");
	expect_q(db, "SELECT count(*) FROM trace_anomaly", "12");
	expect_q(db, "SELECT count FROM trace_anomaly WHERE name = 'unmatched_free'", "1");
	expect_q(db, "SELECT count FROM trace_anomaly WHERE name = 'lost_events'", "3");
	db_close(db);
}
END_TEST

/* ---- one run, read back ----------------------------------------------- */

START_TEST(test_db_run_config)
{
	struct db *db = tdb_open();
	int64_t run = tdb_record(db, 7, false, NULL);
	char digest[17], text[8192], sql[256];

	sim_run_config_digest(&tcfg, tw.digest, digest);
	sim_run_config_text(&tcfg, tw.digest, text, sizeof(text));
	snprintf(sql, sizeof(sql), "SELECT config_digest FROM run WHERE id = %lld", (long long)run);
	expect_q(db, sql, digest);
	ck_assert_msg(tdb_config_text_is(db, text), "the run should keep the canonical configuration text");
	expect_q(db, "SELECT policy || ' ' || preset || ' ' || cpus || ' ' || nodes || ' ' || timing || ' ' "
		 "|| cpu_map || ' ' || seed || ' ' || rng_type || ' ' || status FROM run",
		 "slub slub-classic 2 1 trace fold 7 mt19937 ok");
	expect_q(db, "SELECT started_at || ' ' || wall_s || ' ' || slabsim_version FROM run",
		 "2023-11-14T22:13:20Z 1.5 " PACKAGE_VERSION);
	expect_q(db, "SELECT events_replayed || ' ' || skipped_unmatched || ' ' || stall_cycles || ' ' "
		 "|| end_ns || ' ' || outstanding_allocs || ' ' || locks_held_at_end FROM run", "15 1 77 12345 5 0");
	expect_q(db, "SELECT group_concat(name || '=' || value || ':' || is_auto, ' ') "
		 "FROM (SELECT * FROM run_param ORDER BY name)", "cpu_partial=30:0 min_partial=5:1");
	expect_q(db, "SELECT cycles FROM run_cost WHERE name = 'mem_local'", "200");
	ck_assert_msg(tdb_rows(db, "run_cost") == SIM_COST_COUNT, "every cost should have a row");
	ck_assert_msg(tdb_qi(db, "SELECT count(*) FROM glossary WHERE kind = 'counter'") == SIM_CNT_COUNT,
		      "every counter name should be in the glossary");
	db_close(db);
}
END_TEST

START_TEST(test_db_run_counters)
{
	struct db *db = tdb_open();
	char sql[256];

	tdb_record(db, 1, false, NULL);
	expect_q(db, "SELECT value FROM counter WHERE cpu = 0 AND cache IS NULL AND name = 'alloc'", "6");
	expect_q(db, "SELECT value FROM counter WHERE cpu = 1 AND cache IS NULL AND name = 'alloc'", "4");
	expect_q(db, "SELECT value FROM counter WHERE cpu = 1 AND cache IS NULL AND name = 'free'", "2");
	snprintf(sql, sizeof(sql), "SELECT value FROM counter WHERE cpu IS NULL AND cache = %u AND name = 'free'",
		 c_kmalloc);
	expect_q(db, sql, "5");
	snprintf(sql, sizeof(sql), "SELECT value FROM counter WHERE cpu IS NULL AND cache = %u "
		 "AND name = 'alloc_fastpath'", c_dentry);
	expect_q(db, sql, "3");
	expect_q(db, "SELECT value FROM counter_total WHERE name = 'alloc'", "10");
	expect_q(db, "SELECT value FROM counter_total WHERE name = 'alloc_fastpath'", "8");
	expect_q(db, "SELECT value FROM counter_total WHERE name = 'free_slab'", "0");
	ck_assert_msg(tdb_qi(db, "SELECT count(*) FROM counter_total") == SIM_CNT_COUNT,
		      "every counter should have a total row");
	expect_q(db, "SELECT count(*) FROM counter WHERE cpu IS NOT NULL AND value = 0", "0");
	expect_q(db, "SELECT count(*) FROM counter WHERE cpu IS NOT NULL", "8");
	expect_q(db, "SELECT count(*) FROM counter WHERE cache IS NOT NULL", "7");
	expect_q(db, "SELECT count(*) FROM (SELECT name, sum(value) AS s FROM counter WHERE cpu IS NOT NULL "
		 "GROUP BY name) AS p JOIN counter_total AS t USING (name) WHERE p.s <> t.value", "0");
	db_close(db);
}
END_TEST

START_TEST(test_db_run_locks_touches)
{
	struct db *db = tdb_open();

	tdb_record(db, 1, false, NULL);
	expect_q(db, "SELECT acquired || ' ' || contended || ' ' || wait_cycles || ' ' || hold_cycles "
		 "|| ' ' || try_fail FROM lock_stat WHERE cpu = 0 AND class = 'list_lock'", "4 1 100 40 0");
	expect_q(db, "SELECT acquired || ' ' || contended || ' ' || wait_cycles || ' ' || hold_cycles "
		 "FROM lock_stat WHERE cpu IS NULL AND cache IS NULL AND class = 'list_lock'", "6 2 150 60");
	expect_q(db, "SELECT try_fail FROM lock_stat WHERE cpu IS NULL AND cache = 2 AND class = 'zone_lock'", "1");
	expect_q(db, "SELECT count(*) FROM lock_stat WHERE cpu IS NOT NULL OR cache IS NOT NULL", "5");
	ck_assert_msg(tdb_qi(db, "SELECT count(*) FROM lock_stat WHERE cpu IS NULL AND cache IS NULL")
		      == SIM_LOCK_CLASS_COUNT, "every lock class should have a total row");
	expect_q(db, "SELECT reads || ' ' || writes || ' ' || atomics || ' ' || hits || ' ' || xfer_local "
		 "|| ' ' || xfer_remote FROM touch WHERE cpu IS NULL AND cache IS NULL AND origin = 'allocator'",
		 "15 8 7 20 8 2");
	expect_q(db, "SELECT writes || ' ' || invalidations FROM touch WHERE cpu = 1 AND origin = 'workload'", "4 3");
	expect_q(db, "SELECT count(*) FROM touch WHERE cpu = 0 AND origin = 'workload'", "0");
	expect_q(db, "SELECT reads FROM touch WHERE cache = 1 AND origin = 'allocator'", "10");
	db_close(db);
}
END_TEST

START_TEST(test_db_run_gauges_memory_latency)
{
	struct db *db = tdb_open();

	tdb_record(db, 1, false, NULL);
	expect_q(db, "SELECT final || ' ' || peak FROM gauge WHERE cache IS NULL AND name = 'slab_bytes'", "8192 12288");
	expect_q(db, "SELECT final || ' ' || peak FROM gauge WHERE cache = 1 AND name = 'slab_bytes'", "0 4096");
	expect_q(db, "SELECT peak FROM gauge WHERE cache = 1 AND name = 'live_objs'", "3");
	expect_q(db, "SELECT count(*) FROM gauge WHERE cache = 1 AND name = 'slabs'", "0");
	ck_assert_msg(tdb_qi(db, "SELECT count(*) FROM gauge WHERE cache IS NULL") == SIM_GAUGE_COUNT,
		      "every gauge should have a total row");
	expect_q(db, "SELECT count(*) FROM memory", "8");
	expect_q(db, "SELECT group_concat(slab_bytes, ' ') FROM (SELECT slab_bytes FROM memory "
		 "WHERE cache IS NULL ORDER BY t_ns)", "4096 12288 8192");
	expect_q(db, "SELECT group_concat(t_ns || ':' || slab_bytes || ':' || live_objs, ' ') FROM "
		 "(SELECT * FROM memory WHERE cache = 1 ORDER BY t_ns)", "10:4096:3 20:4096:3 30:0:0");
	expect_q(db, "SELECT sum(count) || ' ' || count(*) FROM latency WHERE op = 'alloc'", "3 3");
	expect_q(db, "SELECT count(*) FROM latency WHERE op = 'alloc' AND bin_lo <= 200 AND 200 < bin_hi", "1");
	expect_q(db, "SELECT n || ' ' || mean_cycles || ' ' || p99_cycles || ' ' || max_cycles "
		 "FROM latency_summary WHERE op = 'alloc'", "3 200.0 300.0 300");
	expect_q(db, "SELECT n || ' ' || cycles FROM cache_op WHERE cache = 1 AND op = 'alloc'", "2 300");
	expect_q(db, "SELECT n || ' ' || cycles FROM cache_op WHERE cache = 1 AND op = 'free'", "1 50");
	db_close(db);
}
END_TEST

START_TEST(test_db_summary_numbers)
{
	struct db *db = tdb_open();
	int64_t run = tdb_record(db, 1, false, NULL);
	struct db_summary_row row;

	ck_assert_msg(db_query_summary(db, run, &row, err, sizeof(err)) == 0, "the summary should be read: %s", err);
	ck_assert_msg(row.run_id == run, "the summary row should be the run's");
	ck_assert_msg(strcmp(row.trace, "tests/fixtures/tiny.trace") == 0, "the trace path should be %s",
		      "tests/fixtures/tiny.trace");
	ck_assert_msg(strcmp(row.policy, "slub") == 0 && strcmp(row.preset, "slub-classic") == 0,
		      "policy and preset should be slub, slub-classic");
	ck_assert_msg(row.cpus == 2 && row.nodes == 1, "the machine should have 2 cpus on 1 node");
	ck_assert_msg(row.allocs == 10 && row.frees == 5 && row.ops == 15, "ops should be 10 + 5 = 15");
	expect_near("fast-path share", row.alloc_fastpath_share, 0.8);
	expect_near("list_lock acquisitions per op", row.list_lock_acq_per_op, 6.0 / 15);
	expect_near("list_lock contended share", row.list_lock_contended_share, 2.0 / 6);
	expect_near("zone_lock acquisitions per op", row.zone_lock_acq_per_op, 3.0 / 15);
	expect_near("zone_lock contended share", row.zone_lock_contended_share, 0.0);
	expect_near("slab_lock acquisitions per op", row.slab_lock_acq_per_op, 0.0);
	ck_assert_msg(isnan(row.slab_lock_contended_share), "a never-taken lock should have no contended share");
	expect_near("allocator touches per op", row.alloc_touches_per_op, 30.0 / 15);
	expect_near("allocator transfers per op", row.alloc_xfers_per_op, 10.0 / 15);
	expect_near("workload transfers per op", row.workload_xfers_per_op, 3.0 / 15);
	ck_assert_msg(row.peak_slab_bytes == 12288, "peak slab bytes should be 12288");
	expect_near("mean slab bytes", row.mean_slab_bytes, 8192.0);
	expect_near("mean alloc cycles", row.alloc_mean_cycles, 200.0);
	expect_near("p99 alloc cycles", row.alloc_p99_cycles, 300.0);
	expect_near("mean free cycles", row.free_mean_cycles, 50.0);
	expect_near("wall seconds", row.wall_s, 1.5);
	expect_q(db, "SELECT round(acq_per_op, 6) || ' ' || round(contended_share, 6) || ' ' "
		 "|| wait_cycles_per_contended FROM summary_lock WHERE class = 'list_lock'", "0.4 0.333333 75.0");
	ck_assert_msg(db_query_summary(db, run + 100, &row, err, sizeof(err)) == -ENOENT,
		      "the summary of a run that does not exist should be -ENOENT");
	db_close(db);
}
END_TEST

START_TEST(test_db_fastpath_share_null_when_not_counted)
{
	struct db *db = tdb_open();
	struct db_summary_row row;
	int64_t run;

	sim_stats_destroy(tst);
	tst = sim_stats_create(2, (unsigned)strtab_count(&tw.caches));
	sim_stats_count(tst, 0, c_kmalloc, SIM_CNT_alloc, 4);
	sim_stats_count(tst, 1, c_kmalloc, SIM_CNT_free, 4);
	run = tdb_record(db, 1, false, NULL);
	ck_assert_msg(db_query_summary(db, run, &row, err, sizeof(err)) == 0, "the summary should be read: %s", err);
	ck_assert_msg(isnan(row.alloc_fastpath_share),
		      "a policy that counts no fast or slow paths should have no fast-path share");
	ck_assert_msg(row.ops == 8, "ops should be 4 + 4 = 8");
	ck_assert_msg(isnan(row.alloc_mean_cycles) == 0 && row.alloc_mean_cycles == 0.0,
		      "a run without latencies should have a mean of 0 cycles");
	ck_assert_msg(isnan(row.mean_slab_bytes), "a run without memory samples should have no mean memory");
	db_close(db);
}
END_TEST

/* ---- duplicates, failures --------------------------------------------- */

START_TEST(test_db_duplicate_refused)
{
	struct db *db = tdb_open();
	int64_t run1 = tdb_record(db, 1, false, NULL), run2;
	long long before[SIM_ARRAY_SIZE(tdb_run_tables)];
	bool exists = false;
	int rc = 0;

	for (size_t i = 0; i < SIM_ARRAY_SIZE(tdb_run_tables); i++)
		before[i] = tdb_rows(db, tdb_run_tables[i]);
	tdb_record(db, 1, false, &rc);
	ck_assert_msg(rc == -EEXIST, "recording the same configuration twice should fail with -EEXIST, gives %d", rc);
	ck_assert_msg(strstr(err, "already recorded"), "the message should say the run is recorded: %s", err);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(tdb_run_tables); i++)
		ck_assert_msg(tdb_rows(db, tdb_run_tables[i]) == before[i],
			      "a refused duplicate should write nothing into %s", tdb_run_tables[i]);
	run2 = tdb_record(db, 1, true, NULL);
	ck_assert_msg(run2 != run1, "a replaced run should get a new id");
	for (size_t i = 0; i < SIM_ARRAY_SIZE(tdb_run_tables); i++)
		ck_assert_msg(tdb_rows(db, tdb_run_tables[i]) == before[i],
			      "replacing a run should leave as many rows in %s as one run has", tdb_run_tables[i]);
	ck_assert_msg(db_run_exists(db, tdb_q(db, "SELECT config_digest FROM run"), &exists, err, sizeof(err)) == 0
		      && exists, "the recorded configuration should exist");
	ck_assert_msg(db_run_exists(db, "0123456789abcdef", &exists, err, sizeof(err)) == 0 && !exists,
		      "an unknown configuration should not exist");
	db_close(db);
}
END_TEST

START_TEST(test_db_failure_leaves_no_partial_run)
{
	struct db *db = tdb_open();
	int rc = 0;

	ck_assert_msg(db_exec_query(db, "CREATE TRIGGER fail_memory BEFORE INSERT ON memory "
				    "BEGIN SELECT RAISE(ABORT, 'injected failure'); END", NULL, NULL,
				    err, sizeof(err)) == 0, "the trigger should be created: %s", err);
	tdb_record(db, 1, false, &rc);
	ck_assert_msg(rc < 0, "a failing insert should fail the record");
	ck_assert_msg(strstr(err, "injected failure") && strstr(err, "memory"),
		      "the message should carry SQLite's and name the table: %s", err);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(tdb_run_tables); i++)
		ck_assert_msg(tdb_rows(db, tdb_run_tables[i]) == 0,
			      "a failed record should leave no row in %s", tdb_run_tables[i]);
	db_exec_query(db, "DROP TRIGGER fail_memory", NULL, NULL, err, sizeof(err));
	tdb_record(db, 1, false, NULL);
	expect_q(db, "SELECT count(*) FROM run", "1");
	db_close(db);
}
END_TEST

/* ---- files that are not ours ------------------------------------------ */

START_TEST(test_db_other_schema_version_refused)
{
	static const char *const want[] = { "schema version 3", "writes version 1", "another --db" };
	struct db *db = tdb_open();

	db_close(db);
	tdb_raw_exec(dbpath, "UPDATE meta SET schema_version = 3");
	tdb_expect_refused(dbpath, -EPROTO, want, SIM_ARRAY_SIZE(want));
}
END_TEST

START_TEST(test_db_foreign_sqlite_refused)
{
	static const char *const want[] = { "not a slabsim database", "no meta table" };

	tdb_raw_exec(dbpath, "CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (1)");
	tdb_expect_refused(dbpath, -EPROTO, want, SIM_ARRAY_SIZE(want));
}
END_TEST

START_TEST(test_db_not_sqlite_refused)
{
	static const char text[] = "this is a kmem trace, not a database\n"
				   "this is a kmem trace, not a database\n"
				   "this is a kmem trace, not a database\n";
	static const char *const want[] = { "file is not a database" };
	char *path = tutil_tmpfile(".db", text, sizeof(text) - 1);

	tdb_expect_refused(path, -EPROTO, want, SIM_ARRAY_SIZE(want));
	ck_assert_msg(strstr(err, path), "the message should name the file: %s", err);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_db_unwritable_paths_refused)
{
	char path[4096 + 32], file[4096 + 32];
	struct stat sb;
	struct db *db = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/missing/x.db", tdir);
	rc = db_open(path, 0, &db, err, sizeof(err));
	ck_assert_msg(rc == -ENOENT && strstr(err, "does not exist") && strstr(err, "/missing'"),
		      "a database in a missing directory should be refused naming it: %d %s", rc, err);
	ck_assert_msg(stat(path, &sb) != 0, "a refused database should not be created");
	rc = db_open(path, DB_OPEN_MKDIR, &db, err, sizeof(err));
	ck_assert_msg(rc == 0, "DB_OPEN_MKDIR should create the missing directory: %s", err);
	db_close(db);

	snprintf(file, sizeof(file), "%s/plain", tdir);
	fclose(fopen(file, "w"));
	snprintf(path, sizeof(path), "%s/plain/x.db", tdir);
	rc = db_open(path, DB_OPEN_MKDIR, &db, err, sizeof(err));
	ck_assert_msg(rc == -ENOTDIR && strstr(err, "is not a directory"),
		      "a database under a regular file should be refused: %d %s", rc, err);
	rc = db_open(tdir, 0, &db, err, sizeof(err));
	ck_assert_msg(rc == -EISDIR, "a directory should be refused as a database: %d %s", rc, err);

	snprintf(path, sizeof(path), "%s/absent.db", tdir);
	rc = db_open(path, DB_OPEN_EXISTING, &db, err, sizeof(err));
	ck_assert_msg(rc == -ENOENT && stat(path, &sb) != 0,
		      "DB_OPEN_EXISTING should refuse a missing database without creating it: %s", err);
	if (geteuid() != 0) {	/* root writes anywhere */
		snprintf(path, sizeof(path), "%s/ro", tdir);
		mkdir(path, 0500);
		snprintf(file, sizeof(file), "%s/ro/x.db", tdir);
		rc = db_open(file, 0, &db, err, sizeof(err));
		ck_assert_msg(rc == -EACCES && strstr(err, "not writable"),
			      "a database in a read-only directory should be refused: %d %s", rc, err);
	}
}
END_TEST

START_TEST(test_db_reopen_appends)
{
	struct db *db = tdb_open();
	int64_t run1 = tdb_record(db, 1, false, NULL), run2;
	struct db_summary_row row;

	db_close(db);
	db = tdb_open();
	run2 = tdb_record(db, 2, false, NULL);
	ck_assert_msg(run2 != run1, "a second run should get a new id");
	expect_q(db, "SELECT count(*) FROM run", "2");
	expect_q(db, "SELECT count(*) FROM trace", "1");
	expect_q(db, "SELECT count(DISTINCT config_digest) FROM run", "2");
	ck_assert_msg(db_query_summary(db, run1, &row, err, sizeof(err)) == 0 && row.ops == 15,
		      "the first run should still be summarised: %s", err);
	expect_q(db, "SELECT count(*) FROM summary", "2");
	db_close(db);
	ck_assert_msg(db_open(dbpath, DB_OPEN_EXISTING, &db, err, sizeof(err)) == 0,
		      "DB_OPEN_EXISTING should open an existing database: %s", err);
	db_close(db);
}
END_TEST

static int tdb_stop_cb(void *arg, int ncol, char **vals, char **names)
{
	return 1;
}

START_TEST(test_db_exec_query_errors)
{
	struct db *db = tdb_open();
	int rc;

	rc = db_exec_query(db, "SELECT * FROM meta", tdb_stop_cb, NULL, err, sizeof(err));
	ck_assert_msg(rc == -ECANCELED, "a callback that stops should give -ECANCELED, gives %d", rc);
	rc = db_exec_query(db, "SELECT nonsense FROM nowhere", NULL, NULL, err, sizeof(err));
	ck_assert_msg(rc < 0 && strstr(err, "no such table: nowhere") && strstr(err, dbpath),
		      "a bad query should fail with SQLite's message and the path: %s", err);
	db_close(db);
}
END_TEST

Suite *db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("record");
	TCase *tf = tcase_create("files");

	tcase_add_checked_fixture(tc, tdb_setup, tdb_teardown);
	tcase_add_test(tc, test_db_create_meta);
	tcase_add_test(tc, test_db_trace_recorded_once);
	tcase_add_test(tc, test_db_run_config);
	tcase_add_test(tc, test_db_run_counters);
	tcase_add_test(tc, test_db_run_locks_touches);
	tcase_add_test(tc, test_db_run_gauges_memory_latency);
	tcase_add_test(tc, test_db_summary_numbers);
	tcase_add_test(tc, test_db_fastpath_share_null_when_not_counted);
	tcase_add_test(tc, test_db_duplicate_refused);
	tcase_add_test(tc, test_db_failure_leaves_no_partial_run);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tf, tdb_setup, tdb_teardown);
	tcase_add_test(tf, test_db_other_schema_version_refused);
	tcase_add_test(tf, test_db_foreign_sqlite_refused);
	tcase_add_test(tf, test_db_not_sqlite_refused);
	tcase_add_test(tf, test_db_unwritable_paths_refused);
	tcase_add_test(tf, test_db_reopen_appends);
	tcase_add_test(tf, test_db_exec_query_errors);
	suite_add_tcase(s, tf);
	return s;
}
