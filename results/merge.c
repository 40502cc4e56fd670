/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * merge.c - merging shard databases (one per job of a distributed sweep)
 * into one: traces deduplicated by digest, runs by config digest, every
 * run's rows copied with their ids renumbered, one transaction per shard.
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/db.h"
#include "results/db_internal.h"
#include "sim/xalloc.h"

/* The tables that hang off a run, by run_id. */
static const char *const merge_run_tables[] = {
	"run_param", "run_cost", "run_cache", "counter", "lock_stat", "touch",
	"gauge", "cache_op", "latency", "latency_summary", "memory",
};

/*
 * "a, b, c" of table's columns, with the column named remap replaced by
 * with (NULL: none), and without the column named skip (NULL: none).
 */
static char *merge_columns(sqlite3 *h, const char *table, const char *skip, const char *remap,
			   const char *with)
{
	char sql[128];
	sqlite3_stmt *st;
	size_t cap = 1024, n = 0;
	char *out = xcalloc(1, cap);

	snprintf(sql, sizeof(sql), "PRAGMA main.table_info(%s)", table);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		free(out);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 1);
		const char *use = remap && !strcmp(c, remap) ? with : c;

		if (skip && !strcmp(c, skip))
			continue;
		xgrow((void **)&out, &cap, n + strlen(use) + 4, 1);
		n += (size_t)sprintf(out + n, "%s%s", n ? ", " : "", use);
	}
	sqlite3_finalize(st);
	return out;
}

static int merge_exec(sqlite3 *h, const char *sql, const char *shard, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	db_err_set(err, errlen, "%s: merging: %s", shard, msg ? msg : "unknown error");
	sqlite3_free(msg);
	return -EIO;
}

/* Runs "INSERT INTO main.T (cols) SELECT sel FROM s.T alias tail". */
static int merge_insert(sqlite3 *h, const char *shard, char *err, size_t errlen, const char *table,
			const char *cols, const char *sel, const char *tail)
{
	size_t n = 2 * strlen(table) + strlen(cols) + strlen(sel) + strlen(tail) + 64;
	char *sql = xmalloc(n);
	int rc;

	snprintf(sql, n, "INSERT INTO main.%s (%s) SELECT %s FROM s.%s %s;", table, cols, sel, table, tail);
	rc = merge_exec(h, sql, shard, err, errlen);
	free(sql);
	return rc;
}

static int merge_traces(sqlite3 *h, const char *shard, char *err, size_t errlen)
{
	char *cols = merge_columns(h, "trace", "id", NULL, NULL);
	int rc = cols ? 0 : -EIO;

	if (!rc)
		rc = merge_insert(h, shard, err, errlen, "trace", cols, cols,
				  "WHERE digest NOT IN (SELECT digest FROM main.trace) ORDER BY id");
	free(cols);
	if (!rc)
		rc = merge_exec(h, "CREATE TEMP TABLE tmap (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);"
				   "INSERT INTO tmap SELECT st.id, mt.id FROM s.trace st "
				   "JOIN main.trace mt ON mt.digest = st.digest;"
				   "INSERT OR IGNORE INTO main.trace_cache SELECT m.new, c.cache_id, c.name, "
				   "c.object_bytes, c.flags FROM s.trace_cache c JOIN tmap m ON c.trace_id = m.old;"
				   "INSERT OR IGNORE INTO main.trace_anomaly SELECT m.new, a.name, a.count "
				   "FROM s.trace_anomaly a JOIN tmap m ON a.trace_id = m.old;"
				   "INSERT OR IGNORE INTO main.glossary SELECT * FROM s.glossary;",
				shard, err, errlen);
	return rc;
}

static int merge_runs(sqlite3 *h, const char *shard, char *err, size_t errlen)
{
	char *cols = merge_columns(h, "run", "id", NULL, NULL);
	char *sel = merge_columns(h, "run", "id", "trace_id", "(SELECT new FROM tmap WHERE old = r.trace_id)");
	int rc = cols && sel ? 0 : -EIO;

	if (!rc)
		rc = merge_exec(h, "CREATE TEMP TABLE newruns AS SELECT id, config_digest FROM s.run "
				   "WHERE config_digest NOT IN (SELECT config_digest FROM main.run);",
				shard, err, errlen);
	if (!rc)
		rc = merge_insert(h, shard, err, errlen, "run", cols, sel,
				  "r WHERE r.id IN (SELECT id FROM newruns) ORDER BY r.id");
	if (!rc)
		rc = merge_exec(h, "CREATE TEMP TABLE rmap (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);"
				   "INSERT INTO rmap SELECT n.id, mr.id FROM newruns n "
				   "JOIN main.run mr ON mr.config_digest = n.config_digest;",
				shard, err, errlen);
	free(cols);
	free(sel);
	for (size_t i = 0; !rc && i < SIM_ARRAY_SIZE(merge_run_tables); i++) {
		const char *t = merge_run_tables[i];
		char *c = merge_columns(h, t, NULL, NULL, NULL);
		char *mapped = merge_columns(h, t, NULL, "run_id", "m.new");

		rc = c && mapped ? merge_insert(h, shard, err, errlen, t, c, mapped, "x JOIN rmap m ON x.run_id = m.old")
				 : -EIO;
		free(c);
		free(mapped);
	}
	return rc;
}

static int64_t merge_count(sqlite3 *h, const char *sql);

/*
 * `slabsim validate` records: those the main database lacks (the same
 * trace, snapshot, replay, summary and time), with their figures.  A shard
 * made before the validation tables existed has none.
 */
static int merge_validations(sqlite3 *h, const char *shard, char *err, size_t errlen)
{
	int rc;

	if (merge_count(h, "SELECT count(*) FROM s.sqlite_master WHERE type = 'table' AND name = 'validation'") <= 0)
		return 0;
	rc = merge_exec(h, "CREATE TEMP TABLE newval AS SELECT v.id AS old, m.new AS trace_id FROM s.validation v "
			   "JOIN tmap m ON m.old = v.trace_id WHERE NOT EXISTS (SELECT 1 FROM main.validation x "
			   "WHERE x.trace_id = m.new AND x.slabinfo = v.slabinfo AND x.policy = v.policy "
			   "AND x.seed = v.seed AND x.summary = v.summary AND x.added_at = v.added_at);"
			   "CREATE TEMP TABLE vmap (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);",
			shard, err, errlen);
	if (!rc) {
		char *cols = merge_columns(h, "validation", "id", NULL, NULL);
		char *sel = merge_columns(h, "validation", "id", "trace_id", "n.trace_id");
		sqlite3_stmt *st = NULL;

		/* one at a time, to map each old id to its new one */
		rc = cols && sel ? 0 : -EIO;
		if (!rc && sqlite3_prepare_v2(h, "SELECT old FROM newval ORDER BY old", -1, &st, NULL) != SQLITE_OK) {
			db_err_set(err, errlen, "%s: merging: %s", shard, sqlite3_errmsg(h));
			rc = -EIO;
		}
		while (!rc && st && sqlite3_step(st) == SQLITE_ROW) {
			char tail[160];

			snprintf(tail, sizeof(tail), "v JOIN newval n ON n.old = v.id WHERE v.id = %lld",
				 (long long)sqlite3_column_int64(st, 0));
			rc = merge_insert(h, shard, err, errlen, "validation", cols, sel, tail);
			if (!rc) {
				char *sql = sqlite3_mprintf("INSERT INTO vmap VALUES (%lld, last_insert_rowid());",
							    (long long)sqlite3_column_int64(st, 0));

				rc = merge_exec(h, sql, shard, err, errlen);
				sqlite3_free(sql);
			}
		}
		sqlite3_finalize(st);
		free(cols);
		free(sel);
	}
	if (!rc) {
		char *c = merge_columns(h, "validation_figure", NULL, NULL, NULL);
		char *mapped = merge_columns(h, "validation_figure", NULL, "validation_id", "m.new");

		rc = c && mapped ? merge_insert(h, shard, err, errlen, "validation_figure", c, mapped,
						"x JOIN vmap m ON x.validation_id = m.old")
				 : -EIO;
		free(c);
		free(mapped);
	}
	return rc;
}

static int64_t merge_count(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int db_merge_shard(struct db *db, const char *shard, int64_t *added, int64_t *skipped, char *err, size_t errlen)
{
	sqlite3 *h = db_sqlite(db);
	struct db *check;
	char *sql;
	int rc;

	*added = *skipped = 0;
	/* the shard must be a slabsim database of this schema version */
	rc = db_open(shard, DB_OPEN_EXISTING, &check, err, errlen);
	if (rc)
		return rc;
	db_close(check);
	sql = sqlite3_mprintf("ATTACH DATABASE %Q AS s;", shard);
	rc = merge_exec(h, sql, shard, err, errlen);
	sqlite3_free(sql);
	if (rc)
		return rc;
	rc = merge_exec(h, "BEGIN IMMEDIATE;", shard, err, errlen);
	if (!rc)
		rc = merge_traces(h, shard, err, errlen);
	if (!rc)
		rc = merge_runs(h, shard, err, errlen);
	if (!rc)
		rc = merge_validations(h, shard, err, errlen);
	if (!rc) {
		*added = merge_count(h, "SELECT count(*) FROM newruns");
		*skipped = merge_count(h, "SELECT count(*) FROM s.run") - *added;
		rc = merge_exec(h, "COMMIT;", shard, err, errlen);
	}
	if (rc)
		sqlite3_exec(h, "ROLLBACK;", NULL, NULL, NULL);
	sqlite3_exec(h, "DROP TABLE IF EXISTS temp.tmap; DROP TABLE IF EXISTS temp.rmap; "
			"DROP TABLE IF EXISTS temp.newruns; DROP TABLE IF EXISTS temp.newval; "
			"DROP TABLE IF EXISTS temp.vmap; DETACH DATABASE s;", NULL, NULL, NULL);
	return rc;
}
