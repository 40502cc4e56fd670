/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_internal.h - what db.c (opening, traces, queries) and db_run.c
 * (recording a run) share.  Private to results/db*.c: nobody else
 * includes it.
 */
#ifndef SLABSIM_DB_INTERNAL_H
#define SLABSIM_DB_INTERNAL_H

#include <sqlite3.h>

#include "results/db.h"

struct db {
	sqlite3 *h;
	char *path;
};

/* "alloc", "free": the op column of cache_op, latency, latency_summary. */
extern const char *const db_op_name[SIM_LAT_COUNT];

/* Formats into err (errlen bytes; nothing when err is NULL or errlen 0). */
void db_err_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The negative errno for an SQLite result code. */
int db_errno(int rc);
/* Formats "<path>: <what>: <sqlite3_errmsg>" into err and returns db_errno(rc). */
int db_fail(struct db *db, int rc, const char *what, char *err, size_t errlen);

/*
 * Binds one value per character of types to the parameters 1, 2, ... of s,
 * steps it once and resets it.  Types: 'i' int64_t, 'n' int64_t or SQL
 * NULL when negative, 'd' double, 't' const char * (not copied: it must
 * outlive the call).  Returns an SQLite result code, SQLITE_OK on success.
 */
int db_stmt_put(sqlite3_stmt *s, const char *types, ...);
/*
 * Runs a query returning one integer, with key (may be NULL) bound to its
 * one parameter; SQLITE_OK with *v set, SQLITE_DONE when there was no row,
 * else the SQLite error.
 */
int db_int_get(struct db *db, const char *sql, const char *key, int64_t *v);
/* Runs a statement with one integer parameter; an SQLite result code. */
int db_exec_id(struct db *db, const char *sql, int64_t id);

/* BEGIN IMMEDIATE and COMMIT: 0 or a negative errno with the message in err. */
int db_tx_begin(struct db *db, char *err, size_t errlen);
int db_tx_commit(struct db *db, char *err, size_t errlen);
/* Rolls back the open transaction, if any. */
void db_tx_rollback(struct db *db);

/* t as ISO 8601 UTC, "2025-01-31T12:00:00Z". */
void db_time_iso(time_t t, char out[32]);
/* The workload's digest: w->digest, or computed when the reader left it 0. */
uint64_t db_workload_digest(const struct sim_workload *w);

/*
 * Creates the tables added after schema version 1 (the text after the
 * "@added-tables" marker of schema.sql, all IF NOT EXISTS); 0 or a
 * negative errno with the message in err.
 */
int db_added_tables_ensure(struct db *db, char *err, size_t errlen);
#endif
