/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * db_run.c - recording one run: the run row, its parameters and costs, and
 * every statistic of struct sim_stats, into the tables of
 * results/schema.sql.
 *
 * A run is one BEGIN IMMEDIATE transaction, rolled back on any error, so
 * the database holds whole runs or nothing of them.  Each table has one
 * prepared statement reused for all its rows: 100k memory rows take a
 * fraction of a second.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/db_internal.h"
#include "sim/xalloc.h"

/* One run being recorded: its sections share the statement helpers below. */
struct db_rec {
	struct db *db;
	int64_t trace_id, run_id;
	const struct db_run_info *info;
	const struct sim_run_config *cfg;
	const struct sim_stats *st;
	char digest[17];
	char text[8192];
	char *err;
	size_t errlen;
};

static int db_rec_prepare(struct db_rec *r, const char *sql, sqlite3_stmt **s)
{
	int rc = sqlite3_prepare_v2(r->db->h, sql, -1, s, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(r->db, rc, "cannot prepare a statement", r->err, r->errlen);
}

/* Finalizes s; when rc is an error, first formats the message for table. */
static int db_rec_finish(struct db_rec *r, sqlite3_stmt *s, int rc, const char *table)
{
	char what[64];

	if (rc != SQLITE_OK) {
		snprintf(what, sizeof(what), "cannot record the run (%s)", table);
		rc = db_fail(r->db, rc, what, r->err, r->errlen);
	}
	sqlite3_finalize(s);
	return rc;
}

static int db_rec_glossary_list(sqlite3_stmt *s, const char *kind, const char *const *name,
				const char *const *meaning, int n)
{
	int rc = SQLITE_OK;

	for (int i = 0; rc == SQLITE_OK && i < n; i++)
		rc = db_stmt_put(s, "ttt", kind, name[i], meaning[i]);
	return rc;
}

static int db_rec_glossary(struct db_rec *r)
{
	static const char *const origin_meaning[SIM_ORIGIN_COUNT] = {
		"accesses by the policy to its own structures",
		"the workload touching its objects after alloc and before free",
	};
	static const char *const op_meaning[SIM_LAT_COUNT] = {
		"an allocation call handed to the policy", "a free call handed to the policy",
	};
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT OR REPLACE INTO glossary (kind, name, meaning) "
			       "VALUES (?,?,?)", &s);

	if (rc)
		return rc;
	rc = db_rec_glossary_list(s, "counter", sim_counter_name, sim_counter_meaning, SIM_CNT_COUNT);
	if (rc == SQLITE_OK)
		rc = db_rec_glossary_list(s, "gauge", sim_gauge_name, sim_gauge_meaning, SIM_GAUGE_COUNT);
	if (rc == SQLITE_OK)
		rc = db_rec_glossary_list(s, "lock_class", sim_lock_class_name, sim_lock_class_meaning,
					  SIM_LOCK_CLASS_COUNT);
	if (rc == SQLITE_OK)
		rc = db_rec_glossary_list(s, "anomaly", sim_anomaly_name, sim_anomaly_meaning, SIM_AN_COUNT);
	if (rc == SQLITE_OK)
		rc = db_rec_glossary_list(s, "cost", sim_cost_name, sim_cost_meaning, SIM_COST_COUNT);
	if (rc == SQLITE_OK)
		rc = db_rec_glossary_list(s, "origin", sim_origin_name, origin_meaning, SIM_ORIGIN_COUNT);
	if (rc == SQLITE_OK)
		rc = db_rec_glossary_list(s, "op", db_op_name, op_meaning, SIM_LAT_COUNT);
	return db_rec_finish(r, s, rc, "glossary");
}

/* Refuses a recorded config digest (-EEXIST), or deletes that run when replacing. */
static int db_rec_duplicate_check(struct db_rec *r)
{
	int64_t old;
	int rc = db_int_get(r->db, "SELECT id FROM run WHERE config_digest = ?", r->digest, &old);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_OK)
		return db_fail(r->db, rc, "cannot look up the run", r->err, r->errlen);
	if (!r->info->replace) {
		db_err_set(r->err, r->errlen, "%s: a run with config digest %s is already recorded "
			   "(run %" PRId64 ")", r->db->path, r->digest, old);
		return -EEXIST;
	}
	rc = db_exec_id(r->db, "DELETE FROM run WHERE id = ?", old);
	return rc == SQLITE_OK ? 0 : db_fail(r->db, rc, "cannot replace the run", r->err, r->errlen);
}

static int db_bind_i(sqlite3_stmt *s, const char *name, int64_t v)
{
	return sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, name), v);
}

static int db_bind_d(sqlite3_stmt *s, const char *name, double v)
{
	return sqlite3_bind_double(s, sqlite3_bind_parameter_index(s, name), v);
}

static int db_bind_t(sqlite3_stmt *s, const char *name, const char *v)
{
	return sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, name), v, -1, SQLITE_TRANSIENT);
}

static int db_rec_run_bind_config(struct db_rec *r, sqlite3_stmt *s)
{
	const struct sim_machine_config *m = &r->cfg->mach;
	int rc = 0;

	rc |= db_bind_i(s, ":trace_id", r->trace_id);
	rc |= db_bind_t(s, ":policy", r->cfg->policy);
	rc |= db_bind_t(s, ":preset", r->cfg->preset);
	rc |= db_bind_t(s, ":config_digest", r->digest);
	rc |= db_bind_t(s, ":config_text", r->info->config_text ? r->info->config_text : r->text);
	rc |= db_bind_i(s, ":cpus", m->ncpus);
	rc |= db_bind_i(s, ":nodes", m->nnodes);
	rc |= db_bind_d(s, ":ghz", m->ghz);
	rc |= db_bind_i(s, ":cache_kb", m->cache_kb);
	rc |= db_bind_i(s, ":cache_ways", m->cache_ways);
	rc |= db_bind_i(s, ":touch_lines", m->touch_lines);
	rc |= db_bind_t(s, ":timing", m->timing == SIM_TIMING_CLOSED ? "closed" : "trace");
	rc |= db_bind_t(s, ":cpu_map", m->map == SIM_MAP_SPREAD ? "spread" : "fold");
	rc |= db_bind_d(s, ":time_scale", m->time_scale);
	rc |= db_bind_i(s, ":sample_ns", (int64_t)m->sample_ns);
	rc |= db_bind_i(s, ":pcp_batch", m->pcp_batch);
	rc |= db_bind_i(s, ":pcp_high", m->pcp_high);
	rc |= db_bind_i(s, ":seed", (int64_t)m->seed);
	return rc;
}

static int db_rec_run_bind_info(struct db_rec *r, sqlite3_stmt *s)
{
	const struct db_run_info *in = r->info;
	char started[32];
	int rc = 0;

	db_time_iso(in->started_at ? in->started_at : time(NULL), started);
	rc |= db_bind_t(s, ":rng_type", in->rng_type ? in->rng_type : "");
	rc |= db_bind_t(s, ":slabsim_version", in->slabsim_version ? in->slabsim_version : PACKAGE_VERSION);
	rc |= db_bind_t(s, ":started_at", started);
	rc |= db_bind_d(s, ":wall_s", in->wall_s);
	rc |= db_bind_t(s, ":status", in->status ? in->status : "ok");
	return rc;
}

static int db_rec_run_bind_totals(struct db_rec *r, sqlite3_stmt *s)
{
	const struct sim_stats *st = r->st;
	int rc = 0;

	rc |= db_bind_i(s, ":events_replayed", (int64_t)st->events_replayed);
	rc |= db_bind_i(s, ":skipped_unmatched", (int64_t)st->skipped_unmatched);
	rc |= db_bind_i(s, ":skipped_null", (int64_t)st->skipped_null);
	rc |= db_bind_i(s, ":skipped_page", (int64_t)st->skipped_page);
	rc |= db_bind_i(s, ":stall_cycles", (int64_t)st->stall_cycles);
	rc |= db_bind_i(s, ":timer_runs", (int64_t)st->timer_runs);
	rc |= db_bind_i(s, ":end_cycles", (int64_t)st->end_cycles);
	rc |= db_bind_i(s, ":end_ns", (int64_t)st->end_t_ns);
	rc |= db_bind_i(s, ":locks_held_at_end", (int64_t)st->locks_held_at_end);
	rc |= db_bind_i(s, ":outstanding_allocs", (int64_t)st->outstanding_allocs);
	return rc;
}

static int db_rec_run_row(struct db_rec *r)
{
	static const char sql[] =
		"INSERT INTO run (trace_id, policy, preset, config_digest, config_text, cpus, nodes, "
		"ghz, cache_kb, cache_ways, touch_lines, timing, cpu_map, time_scale, sample_ns, "
		"pcp_batch, pcp_high, seed, rng_type, slabsim_version, started_at, wall_s, status, "
		"events_replayed, skipped_unmatched, skipped_null, skipped_page, stall_cycles, "
		"timer_runs, end_cycles, end_ns, locks_held_at_end, outstanding_allocs) VALUES ("
		":trace_id, :policy, :preset, :config_digest, :config_text, :cpus, :nodes, "
		":ghz, :cache_kb, :cache_ways, :touch_lines, :timing, :cpu_map, :time_scale, :sample_ns, "
		":pcp_batch, :pcp_high, :seed, :rng_type, :slabsim_version, :started_at, :wall_s, :status, "
		":events_replayed, :skipped_unmatched, :skipped_null, :skipped_page, :stall_cycles, "
		":timer_runs, :end_cycles, :end_ns, :locks_held_at_end, :outstanding_allocs)";
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, sql, &s);

	if (rc)
		return rc;
	rc = db_rec_run_bind_config(r, s) | db_rec_run_bind_info(r, s) | db_rec_run_bind_totals(r, s);
	if (rc == SQLITE_OK)
		rc = db_stmt_put(s, "");
	r->run_id = sqlite3_last_insert_rowid(r->db->h);
	return db_rec_finish(r, s, rc, "run");
}

static int db_rec_params(struct db_rec *r)
{
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO run_param (run_id, name, value, is_auto) "
			       "VALUES (?,?,?,?)", &s);

	if (rc)
		return rc;
	for (unsigned i = 0; rc == SQLITE_OK && i < r->cfg->nparams; i++)
		rc = db_stmt_put(s, "itii", r->run_id, r->cfg->param_name[i],
				 (int64_t)r->cfg->param_value[i], (int64_t)r->cfg->param_auto[i]);
	return db_rec_finish(r, s, rc, "run_param");
}

static int db_rec_costs(struct db_rec *r)
{
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO run_cost (run_id, name, cycles) VALUES (?,?,?)", &s);

	if (rc)
		return rc;
	for (int i = 0; rc == SQLITE_OK && i < SIM_COST_COUNT; i++)
		rc = db_stmt_put(s, "iti", r->run_id, sim_cost_name[i], (int64_t)r->cfg->mach.cost.c[i]);
	return db_rec_finish(r, s, rc, "run_cost");
}

static int db_rec_run_caches(struct db_rec *r)
{
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO run_cache (run_id, cache_id, name, object_bytes) "
			       "VALUES (?,?,?,?)", &s);

	if (rc)
		return rc;
	for (unsigned c = r->st->ntrace_caches; rc == SQLITE_OK && c < r->st->ncaches; c++)
		rc = db_stmt_put(s, "iiti", r->run_id, (int64_t)c, sim_stats_extra_name(r->st, c),
				 (int64_t)r->st->extra_size[c - r->st->ntrace_caches]);
	return db_rec_finish(r, s, rc, "run_cache");
}

/* Non-zero counters of n rows of SIM_CNT_COUNT; a row is a cpu (by_cpu) or a cache. */
static int db_rec_counter_rows(struct db_rec *r, sqlite3_stmt *s, const uint64_t *v, unsigned n,
			       bool by_cpu)
{
	int rc = SQLITE_OK;

	for (unsigned i = 0; i < n; i++) {
		for (int c = 0; rc == SQLITE_OK && c < SIM_CNT_COUNT; c++) {
			uint64_t x = v[(size_t)i * SIM_CNT_COUNT + c];

			if (x)
				rc = db_stmt_put(s, "innti", r->run_id, by_cpu ? (int64_t)i : -1,
						 by_cpu ? -1 : (int64_t)i, sim_counter_name[c], (int64_t)x);
		}
	}
	return rc;
}

static int db_rec_counters(struct db_rec *r)
{
	const struct sim_stats *st = r->st;
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO counter (run_id, cpu, cache, name, value) "
			       "VALUES (?,?,?,?,?)", &s);

	if (rc)
		return rc;
	rc = db_rec_counter_rows(r, s, st->counter_cpu, st->ncpus, true);
	if (rc == SQLITE_OK)
		rc = db_rec_counter_rows(r, s, st->counter_cache, st->ncaches, false);
	for (int c = 0; rc == SQLITE_OK && c < SIM_CNT_COUNT; c++)
		rc = db_stmt_put(s, "innti", r->run_id, (int64_t)-1, (int64_t)-1, sim_counter_name[c],
				 (int64_t)sim_stats_counter_total(st, (enum sim_counter)c));
	return db_rec_finish(r, s, rc, "counter");
}

static bool db_lock_is_zero(const struct sim_lock_stat *l)
{
	return !(l->acquired | l->contended | l->wait_cycles | l->hold_cycles | l->try_fail);
}

static int db_rec_lock_put(struct db_rec *r, sqlite3_stmt *s, int64_t cpu, int64_t cache, int cls,
			   const struct sim_lock_stat *l)
{
	return db_stmt_put(s, "inntiiiii", r->run_id, cpu, cache, sim_lock_class_name[cls],
			   (int64_t)l->acquired, (int64_t)l->contended, (int64_t)l->wait_cycles,
			   (int64_t)l->hold_cycles, (int64_t)l->try_fail);
}

static int db_rec_lock_rows(struct db_rec *r, sqlite3_stmt *s, const struct sim_lock_stat *v,
			    unsigned n, bool by_cpu)
{
	int rc = SQLITE_OK;

	for (unsigned i = 0; i < n; i++) {
		for (int c = 0; rc == SQLITE_OK && c < SIM_LOCK_CLASS_COUNT; c++) {
			const struct sim_lock_stat *l = &v[(size_t)i * SIM_LOCK_CLASS_COUNT + c];

			if (!db_lock_is_zero(l))
				rc = db_rec_lock_put(r, s, by_cpu ? (int64_t)i : -1,
						     by_cpu ? -1 : (int64_t)i, c, l);
		}
	}
	return rc;
}

static int db_rec_locks(struct db_rec *r)
{
	const struct sim_stats *st = r->st;
	struct sim_lock_stat total;
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO lock_stat (run_id, cpu, cache, class, acquired, "
			       "contended, wait_cycles, hold_cycles, try_fail) "
			       "VALUES (?,?,?,?,?,?,?,?,?)", &s);

	if (rc)
		return rc;
	rc = db_rec_lock_rows(r, s, st->lock_cpu, st->ncpus, true);
	if (rc == SQLITE_OK)
		rc = db_rec_lock_rows(r, s, st->lock_cache, st->ncaches, false);
	for (int c = 0; rc == SQLITE_OK && c < SIM_LOCK_CLASS_COUNT; c++) {
		sim_stats_lock_total(st, (unsigned)c, &total);
		rc = db_rec_lock_put(r, s, -1, -1, c, &total);
	}
	return db_rec_finish(r, s, rc, "lock_stat");
}

static bool db_touch_is_zero(const struct sim_touch_stat *t)
{
	return !(t->reads | t->writes | t->atomics | t->hits | t->upgrades | t->mem_local | t->mem_remote |
		 t->xfer_local | t->xfer_remote | t->invalidations | t->cas_retries);
}

static int db_rec_touch_put(struct db_rec *r, sqlite3_stmt *s, int64_t cpu, int64_t cache, int origin,
			    const struct sim_touch_stat *t)
{
	return db_stmt_put(s, "inntiiiiiiiiiii", r->run_id, cpu, cache, sim_origin_name[origin],
			   (int64_t)t->reads, (int64_t)t->writes, (int64_t)t->atomics, (int64_t)t->hits,
			   (int64_t)t->upgrades,
			   (int64_t)t->mem_local, (int64_t)t->mem_remote, (int64_t)t->xfer_local,
			   (int64_t)t->xfer_remote, (int64_t)t->invalidations, (int64_t)t->cas_retries);
}

static int db_rec_touch_rows(struct db_rec *r, sqlite3_stmt *s, const struct sim_touch_stat *v,
			     unsigned n, bool by_cpu)
{
	int rc = SQLITE_OK;

	for (unsigned i = 0; i < n; i++) {
		for (int o = 0; rc == SQLITE_OK && o < SIM_ORIGIN_COUNT; o++) {
			const struct sim_touch_stat *t = &v[(size_t)i * SIM_ORIGIN_COUNT + o];

			if (!db_touch_is_zero(t))
				rc = db_rec_touch_put(r, s, by_cpu ? (int64_t)i : -1,
						      by_cpu ? -1 : (int64_t)i, o, t);
		}
	}
	return rc;
}

static int db_rec_touches(struct db_rec *r)
{
	const struct sim_stats *st = r->st;
	struct sim_touch_stat total;
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO touch (run_id, cpu, cache, origin, reads, writes, "
			       "atomics, hits, upgrades, mem_local, mem_remote, xfer_local, xfer_remote, "
			       "invalidations, cas_retries) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &s);

	if (rc)
		return rc;
	rc = db_rec_touch_rows(r, s, st->touch_cpu, st->ncpus, true);
	if (rc == SQLITE_OK)
		rc = db_rec_touch_rows(r, s, st->touch_cache, st->ncaches, false);
	for (int o = 0; rc == SQLITE_OK && o < SIM_ORIGIN_COUNT; o++) {
		sim_stats_touch_total(st, (unsigned)o, &total);
		rc = db_rec_touch_put(r, s, -1, -1, o, &total);
	}
	return db_rec_finish(r, s, rc, "touch");
}

/* Gauges of every cache that held something, then the total row (cache ncaches). */
static int db_rec_gauges(struct db_rec *r)
{
	const struct sim_stats *st = r->st;
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO gauge (run_id, cache, name, final, peak) "
			       "VALUES (?,?,?,?,?)", &s);

	if (rc)
		return rc;
	for (unsigned c = 0; c <= st->ncaches; c++) {
		const struct sim_gauge *row = &st->gauge[(size_t)c * SIM_GAUGE_COUNT];
		bool total = c == st->ncaches;

		for (int g = 0; rc == SQLITE_OK && g < SIM_GAUGE_COUNT; g++) {
			if (total || row[g].cur || row[g].peak)
				rc = db_stmt_put(s, "intii", r->run_id, total ? -1 : (int64_t)c,
						 sim_gauge_name[g], row[g].cur, row[g].peak);
		}
	}
	return db_rec_finish(r, s, rc, "gauge");
}

static int db_rec_cache_ops(struct db_rec *r)
{
	const struct sim_stats *st = r->st;
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO cache_op (run_id, cache, op, n, cycles) "
			       "VALUES (?,?,?,?,?)", &s);

	if (rc)
		return rc;
	for (unsigned c = 0; c < st->ncaches; c++) {
		for (int k = 0; rc == SQLITE_OK && k < SIM_LAT_COUNT; k++) {
			size_t i = (size_t)c * SIM_LAT_COUNT + (size_t)k;

			if (st->op_count_cache[i])
				rc = db_stmt_put(s, "iitii", r->run_id, (int64_t)c, db_op_name[k],
						 (int64_t)st->op_count_cache[i],
						 (int64_t)st->op_cycles_cache[i]);
		}
	}
	return db_rec_finish(r, s, rc, "cache_op");
}

static int db_rec_latency(struct db_rec *r)
{
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO latency (run_id, op, bin_lo, bin_hi, count) "
			       "VALUES (?,?,?,?,?)", &s);

	if (rc)
		return rc;
	for (int k = 0; k < SIM_LAT_COUNT; k++) {
		const gsl_histogram *h = r->st->lat[k];

		for (size_t i = 0; rc == SQLITE_OK && i < gsl_histogram_bins(h); i++) {
			double lo, hi, n = gsl_histogram_get(h, i);

			if (n <= 0.0)
				continue;
			gsl_histogram_get_range(h, i, &lo, &hi);
			rc = db_stmt_put(s, "itddi", r->run_id, db_op_name[k], lo, hi, (int64_t)llround(n));
		}
	}
	return db_rec_finish(r, s, rc, "latency");
}

static int db_rec_latency_summary(struct db_rec *r)
{
	const struct sim_stats *st = r->st;
	sqlite3_stmt *s;
	int rc = db_rec_prepare(r, "INSERT INTO latency_summary (run_id, op, n, mean_cycles, "
			       "p50_cycles, p90_cycles, p99_cycles, max_cycles) "
			       "VALUES (?,?,?,?,?,?,?,?)", &s);

	if (rc)
		return rc;
	for (int k = 0; rc == SQLITE_OK && k < SIM_LAT_COUNT; k++) {
		enum sim_lat_kind lk = (enum sim_lat_kind)k;

		rc = db_stmt_put(s, "itiddddi", r->run_id, db_op_name[k], (int64_t)st->lat_n[k],
				 sim_stats_latency_mean(st, lk), sim_stats_latency_quantile(st, lk, 0.50),
				 sim_stats_latency_quantile(st, lk, 0.90),
				 sim_stats_latency_quantile(st, lk, 0.99), (int64_t)st->lat_max[k]);
	}
	return db_rec_finish(r, s, rc, "latency_summary");
}

/* Rows per INSERT of the memory series: one statement step stores this many samples. */
#define DB_MEMORY_BATCH 32

/*
 * The memory insert of nrows rows, its gauge columns named from
 * SIM_GAUGE_LIST (a new gauge needs a new column); NULL if it does not fit.
 */
static char *db_memory_sql(size_t nrows)
{
	size_t len = 256 + (size_t)SIM_GAUGE_COUNT * 32 + nrows * (12 + (size_t)SIM_GAUGE_COUNT * 3);
	char *buf = xmalloc(len);
	size_t n = (size_t)snprintf(buf, len, "INSERT INTO memory (run_id, t_ns, cache");

	for (int g = 0; g < SIM_GAUGE_COUNT; g++)
		n += (size_t)snprintf(buf + n, len - n, ", %s", sim_gauge_name[g]);
	n += (size_t)snprintf(buf + n, len - n, ") VALUES ");
	for (size_t k = 0; k < nrows; k++) {
		n += (size_t)snprintf(buf + n, len - n, "%s(?, ?, ?", k ? ", " : "");
		for (int g = 0; g < SIM_GAUGE_COUNT; g++)
			n += (size_t)snprintf(buf + n, len - n, ", ?");
		n += (size_t)snprintf(buf + n, len - n, ")");
	}
	return buf;
}

/* Binds sample m as row k of statement s. */
static void db_rec_memory_bind(struct db_rec *r, sqlite3_stmt *s, size_t k, const struct sim_mem_sample *m)
{
	int base = (int)(k * (3 + SIM_GAUGE_COUNT));

	sqlite3_bind_int64(s, base + 1, r->run_id);
	sqlite3_bind_int64(s, base + 2, (int64_t)m->t_ns);
	if (m->cache < 0)
		sqlite3_bind_null(s, base + 3);
	else
		sqlite3_bind_int64(s, base + 3, m->cache);
	for (int g = 0; g < SIM_GAUGE_COUNT; g++)
		sqlite3_bind_int64(s, base + 4 + g, m->g[g]);
}

static int db_rec_step(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * The rows in the order of the memory_run index (cache, then time), so that
 * each lands at the end of the index instead of in its middle.
 */
static int db_rec_memory(struct db_rec *r)
{
	size_t n = sim_stats_series_rows(r->st), full = n / DB_MEMORY_BATCH * DB_MEMORY_BATCH, i = 0;
	char *batch_sql = db_memory_sql(DB_MEMORY_BATCH), *one_sql = db_memory_sql(1);
	sqlite3_stmt *batch = NULL, *one = NULL;
	struct sim_series_iter it;
	struct sim_mem_sample row;
	int rc = db_rec_prepare(r, batch_sql, &batch);

	if (!rc && (rc = db_rec_prepare(r, one_sql, &one)))
		sqlite3_finalize(batch);
	free(batch_sql);
	free(one_sql);
	if (rc)
		return rc;
	sim_series_iter_init(&it, r->st);
	for (; rc == SQLITE_OK && i < full; i += DB_MEMORY_BATCH) {
		for (size_t k = 0; k < DB_MEMORY_BATCH && sim_series_iter_next(&it, &row); k++)
			db_rec_memory_bind(r, batch, k, &row);
		rc = db_rec_step(batch);
	}
	for (; rc == SQLITE_OK && i < n && sim_series_iter_next(&it, &row); i++) {
		db_rec_memory_bind(r, one, 0, &row);
		rc = db_rec_step(one);
	}
	sim_series_iter_fini(&it);
	sqlite3_finalize(batch);
	return db_rec_finish(r, one, rc, "memory");
}

/* Everything of a run but the run row, in write order. */
static int (*const db_rec_sections[])(struct db_rec *) = {
	db_rec_params, db_rec_costs, db_rec_run_caches, db_rec_counters, db_rec_locks, db_rec_touches,
	db_rec_gauges, db_rec_cache_ops, db_rec_latency, db_rec_latency_summary, db_rec_memory,
};

static int db_rec_all(struct db_rec *r)
{
	int rc = db_rec_glossary(r);

	if (!rc)
		rc = db_rec_duplicate_check(r);
	if (!rc)
		rc = db_rec_run_row(r);
	for (size_t i = 0; !rc && i < SIM_ARRAY_SIZE(db_rec_sections); i++)
		rc = db_rec_sections[i](r);
	return rc;
}

int db_run_record(struct db *db, int64_t trace_id, const struct db_run_info *info,
		  const struct sim_run_config *cfg, const struct sim_stats *st,
		  const struct sim_workload *w, int64_t *run_id, char *err, size_t errlen)
{
	struct db_rec *r = xcalloc(1, sizeof(*r));
	int rc;

	*r = (struct db_rec){ .db = db, .trace_id = trace_id, .info = info, .cfg = cfg, .st = st,
			      .err = err, .errlen = errlen };
	if (info->config_digest[0])
		snprintf(r->digest, sizeof(r->digest), "%s", info->config_digest);
	else
		sim_run_config_digest(cfg, db_workload_digest(w), r->digest);
	if (!info->config_text)
		sim_run_config_text(cfg, db_workload_digest(w), r->text, sizeof(r->text));
	rc = db_tx_begin(db, err, errlen);
	if (rc)
		goto free_rec;
	rc = db_rec_all(r);
	if (!rc)
		rc = db_tx_commit(db, err, errlen);
	if (rc)
		db_tx_rollback(db);
	else if (run_id)
		*run_id = r->run_id;
free_rec:
	free(r);
	return rc;
}
