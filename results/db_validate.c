/* SPDX-License-Identifier: GPL-2.0-or-later */
/* db_validate.c - recording a `slabsim validate` comparison (see db.h). */
#include "config.h"

#include <string.h>
#include <time.h>

#include "results/db_internal.h"

static int db_validation_rows(struct db *db, int64_t id, const struct db_validation_row *rows, size_t n)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->h, "INSERT INTO validation_figure (validation_id, cache, cpu, merged, "
				    "figure, real_value, sim_value) VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &s, NULL);

	for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
		const struct db_validation_row *r = &rows[i];

		sqlite3_bind_int64(s, 1, id);
		if (r->cache)
			sqlite3_bind_text(s, 2, r->cache, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 2);
		if (r->cpu >= 0)
			sqlite3_bind_int64(s, 3, r->cpu);
		else
			sqlite3_bind_null(s, 3);
		sqlite3_bind_int64(s, 4, r->merged);
		sqlite3_bind_text(s, 5, r->figure, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, r->real_value);
		sqlite3_bind_int64(s, 7, r->sim_value);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	sqlite3_finalize(s);
	return rc;
}

int db_validation_record(struct db *db, const struct db_validation *v, const struct db_validation_row *rows,
			 size_t nrows, int64_t *id, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	int rc = db_tx_begin(db, err, errlen);

	if (rc)
		return rc;
	rc = db_added_tables_ensure(db, err, errlen);
	if (rc)
		goto rollback;
	db_time_iso(time(NULL), now);
	rc = sqlite3_prepare_v2(db->h, "INSERT INTO validation (trace_id, slabinfo, page_offset, base_votes, "
				"base_runner_up, policy, cpus, seed, summary, added_at) "
				"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = db_stmt_put(s, "itiiitiitt", v->trace_id, v->slabinfo, (int64_t)v->page_offset,
				 (int64_t)v->base_votes, (int64_t)v->base_runner_up, v->policy, (int64_t)v->cpus,
				 (int64_t)v->seed, v->summary, now);
	sqlite3_finalize(s);
	if (rc == SQLITE_OK) {
		*id = sqlite3_last_insert_rowid(db->h);
		rc = db_validation_rows(db, *id, rows, nrows);
	}
	if (rc != SQLITE_OK) {
		rc = db_fail(db, rc, "cannot record the validation", err, errlen);
		goto rollback;
	}
	return db_tx_commit(db, err, errlen);
rollback:
	db_tx_rollback(db);
	return rc;
}
