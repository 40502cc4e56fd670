/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db.c - the results database: opening it (creating the schema of
 * results/schema.sql, compiled in as db_schema_sql, or refusing a file that
 * is not a slabsim database of this schema version), recording traces,
 * reading the summary, and the statement helpers that db_run.c shares.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/db_internal.h"
#include "results/schema_sql.h"
#include "sim/xalloc.h"

const char *const db_op_name[SIM_LAT_COUNT] = { "alloc", "free" };

/* ---- errors ----------------------------------------------------------- */

void db_err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int db_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_NOTADB:
		return -EPROTO;
	case SQLITE_CONSTRAINT:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* Formats "<path>: <what>: <sqlite message>" and returns the errno of rc. */
int db_fail(struct db *db, int rc, const char *what, char *err, size_t errlen)
{
	db_err_set(err, errlen, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
	return db_errno(rc);
}

/* ---- statements ------------------------------------------------------- */

static int db_bind_one(sqlite3_stmt *s, int i, char type, va_list *ap)
{
	int64_t v;

	switch (type) {
	case 'i':
		return sqlite3_bind_int64(s, i, va_arg(*ap, int64_t));
	case 'n':
		v = va_arg(*ap, int64_t);
		return v < 0 ? sqlite3_bind_null(s, i) : sqlite3_bind_int64(s, i, v);
	case 'd':
		return sqlite3_bind_double(s, i, va_arg(*ap, double));
	case 't':
		return sqlite3_bind_text(s, i, va_arg(*ap, const char *), -1, SQLITE_STATIC);
	default:
		return SQLITE_MISUSE;
	}
}

/* See db_internal.h. */
int db_stmt_put(sqlite3_stmt *s, const char *types, ...)
{
	va_list ap;
	int rc = SQLITE_OK;

	va_start(ap, types);
	for (int i = 0; types[i] && rc == SQLITE_OK; i++)
		rc = db_bind_one(s, i + 1, types[i], &ap);
	va_end(ap);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int db_int_get(struct db *db, const char *sql, const char *key, int64_t *v)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	if (key)
		sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

int db_exec_id(struct db *db, const char *sql, int64_t id)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = db_stmt_put(s, "i", id);
	sqlite3_finalize(s);
	return rc;
}

int db_tx_begin(struct db *db, char *err, size_t errlen)
{
	int rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(db, rc, "cannot start a transaction", err, errlen);
}

int db_tx_commit(struct db *db, char *err, size_t errlen)
{
	int rc = sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(db, rc, "cannot commit", err, errlen);
}

void db_tx_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

void db_time_iso(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- opening ---------------------------------------------------------- */

/* The directory part of path ("." when it has none); caller frees. */
static char *db_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	dir = xstrdup(path);
	dir[slash - path] = '\0';
	return dir;
}

/* Checks (and with DB_OPEN_MKDIR creates) the directory that will hold a new database. */
static int db_dir_check(const char *path, unsigned flags, char *err, size_t errlen)
{
	char *dir = db_dir_of(path);
	struct stat sb;
	int rc = 0;

	if (stat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			rc = -ENOTDIR;
		else if (access(dir, W_OK | X_OK))
			rc = -EACCES;
	} else if (errno == ENOENT && (flags & DB_OPEN_MKDIR)) {
		if (mkdir(dir, 0777))
			rc = -errno;
	} else {
		rc = errno == ENOENT ? -ENOENT : -errno;
	}
	if (rc == -ENOENT)
		db_err_set(err, errlen, "cannot create database '%s': directory '%s' does not exist",
			   path, dir);
	else if (rc == -ENOTDIR)
		db_err_set(err, errlen, "cannot create database '%s': '%s' is not a directory", path, dir);
	else if (rc == -EACCES)
		db_err_set(err, errlen, "cannot create database '%s': directory '%s' is not writable",
			   path, dir);
	else if (rc)
		db_err_set(err, errlen, "cannot create database '%s': %s: %s", path, dir, strerror(-rc));
	free(dir);
	return rc;
}

/* Checks that path can be opened as a database, or created in its directory. */
static int db_path_check(const char *path, unsigned flags, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			return 0;
		db_err_set(err, errlen, "cannot open database '%s': it is a directory", path);
		return -EISDIR;
	}
	if (errno != ENOENT && errno != ENOTDIR) {
		int e = errno;

		db_err_set(err, errlen, "cannot open database '%s': %s", path, strerror(e));
		return -e;
	}
	if (flags & DB_OPEN_EXISTING) {
		db_err_set(err, errlen, "database '%s' does not exist", path);
		return -ENOENT;
	}
	return db_dir_check(path, flags, err, errlen);
}

#define DB_ADDED_MARKER "-- @added-tables"

int db_added_tables_ensure(struct db *db, char *err, size_t errlen)
{
	const char *sql = strstr(db_schema_sql, DB_ADDED_MARKER);
	int rc;

	if (!sql)
		return 0;
	rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_fail(db, rc, "cannot create the validation tables", err, errlen);
}

/* Refuses anything but a slabsim database of DB_SCHEMA_VERSION. */
static int db_schema_check(struct db *db, char *err, size_t errlen)
{
	int64_t n = 0, version = 0;
	int rc = db_int_get(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
			    NULL, &n);

	if (rc != SQLITE_OK)
		return db_fail(db, rc, "cannot read the schema", err, errlen);
	if (n == 0) {
		db_err_set(err, errlen, "%s: not a slabsim database (no meta table)", db->path);
		return -EPROTO;
	}
	rc = db_int_get(db, "SELECT schema_version FROM meta", NULL, &version);
	if (rc == SQLITE_DONE) {
		db_err_set(err, errlen, "%s: not a slabsim database (empty meta table)", db->path);
		return -EPROTO;
	}
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "not a slabsim database", err, errlen);
	if (version != DB_SCHEMA_VERSION) {
		db_err_set(err, errlen, "%s: schema version %" PRId64 ", this slabsim writes version %d: "
			   "use another --db file", db->path, version, DB_SCHEMA_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* Runs the schema in a transaction unless another process created it first. */
static int db_schema_create(struct db *db, char *err, size_t errlen)
{
	int64_t n = 0, version = 0;
	int rc = db_tx_begin(db, err, errlen);

	if (rc)
		return rc;
	rc = db_int_get(db, "SELECT count(*) FROM sqlite_master", NULL, &n);
	if (rc == SQLITE_OK && n > 0) {
		db_tx_rollback(db);
		return db_schema_check(db, err, errlen);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db->h, db_schema_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db->h, "UPDATE meta SET slabsim_version = '" PACKAGE_VERSION "'",
				  NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = db_int_get(db, "SELECT schema_version FROM meta", NULL, &version);
	if (rc != SQLITE_OK) {
		rc = db_fail(db, rc, "cannot create the schema", err, errlen);
		goto rollback;
	}
	if (version != DB_SCHEMA_VERSION) {
		db_err_set(err, errlen, "%s: internal error: results/schema.sql is version %" PRId64
			   ", results/db.h says %d", db->path, version, DB_SCHEMA_VERSION);
		rc = -EPROTO;
		goto rollback;
	}
	return db_tx_commit(db, err, errlen);
rollback:
	db_tx_rollback(db);
	return rc;
}

static int db_schema_ensure(struct db *db, unsigned flags, char *err, size_t errlen)
{
	int64_t ntables = 0;
	int rc = db_int_get(db, "SELECT count(*) FROM sqlite_master", NULL, &ntables);

	if (rc != SQLITE_OK) {
		db_err_set(err, errlen, "%s: %s", db->path, sqlite3_errmsg(db->h));
		return db_errno(rc);
	}
	if (ntables == 0 && !(flags & DB_OPEN_EXISTING))
		return db_schema_create(db, err, errlen);
	return db_schema_check(db, err, errlen);
}

/*
 * WAL lets sweep workers write one file; synchronous=NORMAL is safe in WAL
 * mode (a power loss may drop the last runs, never corrupts).
 */
static int db_pragmas_set(struct db *db, char *err, size_t errlen)
{
	int rc = sqlite3_exec(db->h, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
			      "PRAGMA synchronous = NORMAL;", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(db, rc, "cannot set up the connection", err, errlen);
}

/*
 * slabsim uses a connection from one thread only (a sweep's workers are
 * processes, each with its own): the connection needs no mutex of its own,
 * and SQLite need not keep memory statistics, which take a global mutex on
 * every allocation.  The latter is a setting of the library, made before
 * it initialises; if something initialised it already, the call fails and
 * changes nothing.
 */
static void db_library_setup(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int db_connect(struct db *db, unsigned flags, char *err, size_t errlen)
{
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (flags & DB_OPEN_EXISTING ? 0 : SQLITE_OPEN_CREATE);
	int rc;

	db_library_setup();
	rc = sqlite3_open_v2(db->path, &db->h, oflags, NULL);

	if (rc != SQLITE_OK) {
		db_err_set(err, errlen, "cannot open database '%s': %s", db->path,
			   db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		return db_errno(rc);
	}
	if (sqlite3_db_readonly(db->h, "main") == 1) {
		db_err_set(err, errlen, "cannot open database '%s': it is not writable", db->path);
		return -EACCES;
	}
	sqlite3_busy_timeout(db->h, DB_BUSY_TIMEOUT_MS);
	return 0;
}

int db_open(const char *path, unsigned flags, struct db **out, char *err, size_t errlen)
{
	struct db *db;
	int rc;

	*out = NULL;
	rc = db_path_check(path, flags, err, errlen);
	if (rc)
		return rc;
	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	rc = db_connect(db, flags, err, errlen);
	if (!rc)
		rc = db_schema_ensure(db, flags, err, errlen);
	if (!rc)
		rc = db_pragmas_set(db, err, errlen);
	if (rc)
		goto close;
	*out = db;
	return 0;
close:
	db_close(db);
	return rc;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	sqlite3_close_v2(db->h);
	free(db->path);
	free(db);
}

const char *db_path(const struct db *db)
{
	return db->path;
}

struct sqlite3 *db_sqlite(struct db *db)
{
	return db->h;
}

/* ---- traces ----------------------------------------------------------- */

uint64_t db_workload_digest(const struct sim_workload *w)
{
	return w->digest ? w->digest : sim_workload_digest(w);
}

static int db_trace_row_put(struct db *db, const struct sim_workload *w, const char *digest)
{
	static const char sql[] =
		"INSERT INTO trace (path, digest, format, kernel, events, replayable, cpus, caches, "
		"nobjs, duration_ns, first_skip, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
	size_t ncaches = strtab_count(&w->caches);
	char now[32];
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return rc;
	db_time_iso(time(NULL), now);
	rc = db_stmt_put(s, "ttttiiiiiitt", w->source, digest, w->format, w->kernel,
			 (int64_t)sim_workload_events(w), (int64_t)sim_workload_replayable(w), (int64_t)w->ncpus,
			 (int64_t)(ncaches ? ncaches - 1 : 0), (int64_t)w->nobjs,
			 (int64_t)sim_workload_duration_ns(w), w->first_skip, now);
	sqlite3_finalize(s);
	return rc;
}

static int db_trace_caches_put(struct db *db, const struct sim_workload *w, int64_t id)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->h, "INSERT INTO trace_cache (trace_id, cache_id, name, "
				    "object_bytes, flags) VALUES (?,?,?,?,?)", -1, &s, NULL);

	for (uint32_t c = 1; rc == SQLITE_OK && c < strtab_count(&w->caches); c++)
		rc = db_stmt_put(s, "iitii", id, (int64_t)c, strtab_get(&w->caches, c),
				 (int64_t)(c < w->cache_cap ? w->cache_size[c] : 0),
				 (int64_t)(c < w->cache_cap ? w->cache_flags[c] : 0));
	sqlite3_finalize(s);
	return rc;
}

static int db_trace_anomalies_put(struct db *db, const struct sim_workload *w, int64_t id)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->h, "INSERT INTO trace_anomaly (trace_id, name, count) "
				    "VALUES (?,?,?)", -1, &s, NULL);

	for (int a = 0; rc == SQLITE_OK && a < SIM_AN_COUNT; a++)
		rc = db_stmt_put(s, "iti", id, sim_anomaly_name[a], (int64_t)w->anomaly[a]);
	sqlite3_finalize(s);
	return rc;
}

static int db_trace_insert(struct db *db, const struct sim_workload *w, const char *digest, int64_t *id)
{
	int rc = db_trace_row_put(db, w, digest);

	if (rc != SQLITE_OK)
		return rc;
	*id = sqlite3_last_insert_rowid(db->h);
	rc = db_trace_caches_put(db, w, *id);
	if (rc == SQLITE_OK)
		rc = db_trace_anomalies_put(db, w, *id);
	return rc;
}

int db_trace_id(struct db *db, const struct sim_workload *w, int64_t *id, char *err, size_t errlen)
{
	static const char find[] = "SELECT id FROM trace WHERE digest = ?";
	char digest[17];
	int rc;

	snprintf(digest, sizeof(digest), "%016" PRIx64, db_workload_digest(w));
	rc = db_int_get(db, find, digest, id);
	if (rc == SQLITE_OK)
		return 0;
	if (rc != SQLITE_DONE)
		return db_fail(db, rc, "cannot look up the trace", err, errlen);
	rc = db_tx_begin(db, err, errlen);
	if (rc)
		return rc;
	rc = db_int_get(db, find, digest, id);	/* another process may have added it */
	if (rc == SQLITE_DONE)
		rc = db_trace_insert(db, w, digest, id);
	if (rc != SQLITE_OK) {
		rc = db_fail(db, rc, "cannot record the trace", err, errlen);
		db_tx_rollback(db);
		return rc;
	}
	return db_tx_commit(db, err, errlen);
}

int db_run_exists(struct db *db, const char *config_digest, bool *exists, char *err, size_t errlen)
{
	int64_t id;
	int rc = db_int_get(db, "SELECT id FROM run WHERE config_digest = ?", config_digest, &id);

	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		return db_fail(db, rc, "cannot look up the run", err, errlen);
	*exists = rc == SQLITE_OK;
	return 0;
}

/* ---- queries ---------------------------------------------------------- */

enum db_col_type { DB_COL_I64, DB_COL_DBL, DB_COL_TEXT };

struct db_col {
	const char *name;
	enum db_col_type type;
	size_t off, size;
};

#define DB_SUMMARY_COL(f, t) \
	{ #f, t, offsetof(struct db_summary_row, f), sizeof(((struct db_summary_row *)0)->f) }

static const struct db_col db_summary_cols[] = {
	DB_SUMMARY_COL(run_id, DB_COL_I64), DB_SUMMARY_COL(trace, DB_COL_TEXT),
	DB_SUMMARY_COL(policy, DB_COL_TEXT), DB_SUMMARY_COL(preset, DB_COL_TEXT),
	DB_SUMMARY_COL(cpus, DB_COL_I64), DB_SUMMARY_COL(nodes, DB_COL_I64),
	DB_SUMMARY_COL(timing, DB_COL_TEXT), DB_SUMMARY_COL(time_scale, DB_COL_DBL),
	DB_SUMMARY_COL(seed, DB_COL_I64), DB_SUMMARY_COL(allocs, DB_COL_I64),
	DB_SUMMARY_COL(frees, DB_COL_I64), DB_SUMMARY_COL(ops, DB_COL_I64),
	DB_SUMMARY_COL(alloc_fastpath_share, DB_COL_DBL),
	DB_SUMMARY_COL(list_lock_acq_per_op, DB_COL_DBL),
	DB_SUMMARY_COL(list_lock_contended_share, DB_COL_DBL),
	DB_SUMMARY_COL(slab_lock_acq_per_op, DB_COL_DBL),
	DB_SUMMARY_COL(slab_lock_contended_share, DB_COL_DBL),
	DB_SUMMARY_COL(zone_lock_acq_per_op, DB_COL_DBL),
	DB_SUMMARY_COL(zone_lock_contended_share, DB_COL_DBL),
	DB_SUMMARY_COL(alloc_touches_per_op, DB_COL_DBL),
	DB_SUMMARY_COL(alloc_xfers_per_op, DB_COL_DBL),
	DB_SUMMARY_COL(workload_xfers_per_op, DB_COL_DBL),
	DB_SUMMARY_COL(peak_slab_bytes, DB_COL_I64), DB_SUMMARY_COL(mean_slab_bytes, DB_COL_DBL),
	DB_SUMMARY_COL(alloc_mean_cycles, DB_COL_DBL), DB_SUMMARY_COL(alloc_p99_cycles, DB_COL_DBL),
	DB_SUMMARY_COL(free_mean_cycles, DB_COL_DBL), DB_SUMMARY_COL(free_p99_cycles, DB_COL_DBL),
	DB_SUMMARY_COL(wall_s, DB_COL_DBL),
};

/* Stores column i of s into the field col describes; NULL becomes 0, NAN or "". */
static void db_col_get(sqlite3_stmt *s, int i, const struct db_col *col, void *row)
{
	char *p = (char *)row + col->off;
	bool null = sqlite3_column_type(s, i) == SQLITE_NULL;
	const unsigned char *t;
	int64_t v;
	double d;

	switch (col->type) {
	case DB_COL_I64:
		v = null ? 0 : sqlite3_column_int64(s, i);
		memcpy(p, &v, sizeof(v));
		break;
	case DB_COL_DBL:
		d = null ? NAN : sqlite3_column_double(s, i);
		memcpy(p, &d, sizeof(d));
		break;
	case DB_COL_TEXT:
		t = sqlite3_column_text(s, i);
		snprintf(p, col->size, "%s", t ? (const char *)t : "");
		break;
	}
}

static void db_summary_sql(char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "SELECT ");

	for (size_t i = 0; i < SIM_ARRAY_SIZE(db_summary_cols) && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", db_summary_cols[i].name);
	if (n < len)
		snprintf(buf + n, len - n, " FROM summary WHERE run_id = ?");
}

int db_query_summary(struct db *db, int64_t run_id, struct db_summary_row *row,
		     char *err, size_t errlen)
{
	char sql[2048];
	sqlite3_stmt *s;
	int rc;

	db_summary_sql(sql, sizeof(sql));
	rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "cannot read the summary", err, errlen);
	sqlite3_bind_int64(s, 1, run_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(row, 0, sizeof(*row));
		for (size_t i = 0; i < SIM_ARRAY_SIZE(db_summary_cols); i++)
			db_col_get(s, (int)i, &db_summary_cols[i], row);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		db_err_set(err, errlen, "%s: no run %" PRId64, db->path, run_id);
		rc = -ENOENT;
	} else {
		rc = db_fail(db, rc, "cannot read the summary", err, errlen);
	}
	sqlite3_finalize(s);
	return rc;
}

int db_exec_query(struct db *db, const char *sql,
		  int (*cb)(void *arg, int ncol, char **vals, char **names), void *arg,
		  char *err, size_t errlen)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, cb, arg, &msg);

	if (rc == SQLITE_ABORT && cb) {
		db_err_set(err, errlen, "%s: query stopped by its caller", db->path);
		rc = -ECANCELED;
	} else if (rc != SQLITE_OK) {
		db_err_set(err, errlen, "%s: %s", db->path, msg ? msg : sqlite3_errstr(rc));
		rc = db_errno(rc);
	}
	sqlite3_free(msg);
	return rc;
}
