/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db.h - the results database: opens (and creates) a SQLite database with
 * the schema of results/schema.sql, records traces and runs, and reads
 * back the per-run summary.
 *
 * Every function that can fail returns 0 or a negative errno and, on
 * failure, writes a one-line message into err (errlen bytes, may be 0).
 * Messages start with the database path and carry sqlite3_errmsg() where
 * SQLite failed, e.g. "results/old.db: schema version 3, this slabsim
 * writes version 1: use another --db file".  Nothing here prints or exits.
 *
 * Concurrency: the database is in WAL mode with a busy timeout of
 * DB_BUSY_TIMEOUT_MS, so several processes (sweep workers) can record into
 * one file; each run is one BEGIN IMMEDIATE transaction.
 */
#ifndef SLABSIM_DB_H
#define SLABSIM_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sim/runconfig.h"
#include "sim/stats.h"
#include "sim/workload.h"

struct sqlite3;

/* The schema version this slabsim writes; equal to meta.schema_version in results/schema.sql. */
#define DB_SCHEMA_VERSION 1
#define DB_BUSY_TIMEOUT_MS 60000

/* db_open() flags */
#define DB_OPEN_MKDIR    0x1u	/* create the missing parent directory (one level) */
#define DB_OPEN_EXISTING 0x2u	/* the database must exist already (readers: report, plot) */

struct db;

/*
 * Opens the database at path, creating it with the schema when the file
 * does not exist or is empty.  An existing database must be a slabsim
 * database of DB_SCHEMA_VERSION; any other file is refused and left
 * untouched.  The database must be writable (readers write the WAL index
 * too).  On success *out owns the connection (db_close()).
 * Errors: -ENOENT missing directory (or missing file with
 * DB_OPEN_EXISTING), -ENOTDIR, -EISDIR, -EACCES unwritable, -EPROTO not
 * SQLite, not a slabsim database or another schema version, -EIO other
 * SQLite errors.
 */
int db_open(const char *path, unsigned flags, struct db **out, char *err, size_t errlen);
/* Closes the connection; NULL is a no-op. */
void db_close(struct db *db);
/* The path given to db_open(). */
const char *db_path(const struct db *db);
/*
 * The SQLite connection, for other code of results/ and for tests; it
 * stays owned by db.  Do not close it or leave a transaction open.
 */
struct sqlite3 *db_sqlite(struct db *db);

/*
 * Finds the trace with w's digest, or inserts it with its caches and
 * anomaly counts (one transaction).  The digest is w->digest, or
 * sim_workload_digest(w) when w->digest is 0.  *id is trace.id.
 */
int db_trace_id(struct db *db, const struct sim_workload *w, int64_t *id, char *err, size_t errlen);

/* Sets *exists to whether a run with this 16-hex-digit config digest is recorded. */
int db_run_exists(struct db *db, const char *config_digest, bool *exists, char *err, size_t errlen);

/* What a run's record needs besides its configuration and statistics. */
struct db_run_info {
	char config_digest[17];		/* sim_run_config_digest(); "" = compute from cfg and w */
	const char *config_text;	/* sim_run_config_text(); NULL = compute from cfg and w */
	const char *slabsim_version;	/* NULL = PACKAGE_VERSION */
	const char *rng_type;		/* gsl_rng_name() of the run's RNG */
	const char *status;		/* NULL = "ok" */
	double wall_s;			/* wall-clock seconds of the replay */
	time_t started_at;		/* wall-clock start */
	bool replace;			/* replace a run with the same config digest */
};

/*
 * Records one completed run of w (already recorded as trace_id) with
 * configuration cfg and statistics st, in one transaction: either all of
 * it is written or nothing is.  The cache index of st's per-cache arrays
 * is stored as the cache id, so it should be w's interned cache id (ids
 * without a trace_cache row, such as a policy's own caches, are stored
 * all the same).  A run with the same config digest is refused with
 * -EEXIST and nothing is written, unless info->replace, which deletes the
 * old run first, in the same transaction.  *run_id (may be NULL) receives
 * run.id.  Other errors: -EBUSY (another writer held the database longer
 * than DB_BUSY_TIMEOUT_MS), -ENOSPC, -EIO.
 */
int db_run_record(struct db *db, int64_t trace_id, const struct db_run_info *info,
		  const struct sim_run_config *cfg, const struct sim_stats *st,
		  const struct sim_workload *w, int64_t *run_id, char *err, size_t errlen);

/*
 * One row of the summary view (see results/schema.sql for the meaning of
 * each field).  Ratios that the view gives as NULL (zero denominator, or a
 * policy that does not count fast paths) are NAN.
 */
struct db_summary_row {
	int64_t run_id;
	char trace[512];
	char policy[32];
	char preset[32];
	int64_t cpus, nodes;
	char timing[8];
	double time_scale;
	int64_t seed;
	int64_t allocs, frees, ops;
	double alloc_fastpath_share;
	double list_lock_acq_per_op, list_lock_contended_share;
	double slab_lock_acq_per_op, slab_lock_contended_share;
	double zone_lock_acq_per_op, zone_lock_contended_share;
	double alloc_touches_per_op;
	double alloc_xfers_per_op;
	double workload_xfers_per_op;
	int64_t peak_slab_bytes;
	double mean_slab_bytes;
	double alloc_mean_cycles, alloc_p99_cycles;
	double free_mean_cycles, free_p99_cycles;
	double wall_s;
};

/* Reads the summary view's row of run_id; -ENOENT when there is no such run. */
int db_query_summary(struct db *db, int64_t run_id, struct db_summary_row *row,
		     char *err, size_t errlen);

/*
 * Runs sql (one or more statements) and calls cb for each result row as
 * sqlite3_exec() does: vals and names are ncol strings, a NULL value is a
 * NULL pointer.  cb may be NULL; cb returning non-zero stops the query
 * with -ECANCELED.
 */
int db_exec_query(struct db *db, const char *sql,
		  int (*cb)(void *arg, int ncol, char **vals, char **names), void *arg,
		  char *err, size_t errlen);

/*
 * Merges the shard database at path into db (a distributed sweep's job
 * results): traces new to db by digest, runs new by config digest with all
 * their rows, in one transaction.  A shard of another schema version, or no
 * slabsim database, is refused with a message and nothing is merged.
 * *added and *skipped count the shard's runs copied and already present.
 */
int db_merge_shard(struct db *db, const char *path, int64_t *added, int64_t *skipped, char *err, size_t errlen);

/* One `slabsim validate` comparison (tables validation, validation_figure). */
struct db_validation {
	int64_t trace_id;
	const char *slabinfo;
	uint64_t page_offset, base_votes, base_runner_up;
	const char *policy;
	unsigned cpus;
	uint64_t seed;
	const char *summary;
};

struct db_validation_row {
	const char *cache;		/* NULL: the total */
	int cpu;			/* -1: none */
	int merged;
	const char *figure;
	int64_t real_value, sim_value;
};

/*
 * Records a comparison and its figures in one transaction, creating the
 * validation tables in a database made before they existed; *id is the
 * new validation's id.  0 or a negative errno with the message in err.
 */
int db_validation_record(struct db *db, const struct db_validation *v, const struct db_validation_row *rows,
			 size_t nrows, int64_t *id, char *err, size_t errlen);

#endif
