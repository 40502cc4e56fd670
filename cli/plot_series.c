/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plot_series.c - a line per run: memory held over simulated time (slab
 * pages, and split into slab pages, metadata and objects parked in caches)
 * and cumulative distributions of alloc and free latency.  The runs drawn
 * are the first PLOT_MAX_RUNS of plot_cmp, all of one trace and machine, so
 * the lines share a time base.  Data as
 * blocks of CSV, one per run under its label; plots/memory.gp, memparts.gp
 * and latency.gp draw them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/plot_internal.h"

/*
 * One block per run of where that has rows: its label, then rows ",x,y..." of sql_rows
 * (bound to the run id).  cdf: the single y column is a count per x, written
 * as the running share of the run's total.  Returns the blocks written, or -1.
 */
static int series_write(struct plot *p, FILE *f, const char *where, const char *sql_rows, bool cdf)
{
	char sql[1024];
	sqlite3_stmt *runs, *rows;
	int n = 0;

	snprintf(sql, sizeof(sql), "SELECT r.id, l.label FROM run r JOIN plot_label l ON l.run_id = r.id "
		 "WHERE %s ORDER BY r.id LIMIT %d", where, PLOT_MAX_RUNS);
	if (sqlite3_prepare_v2(p->h, sql, -1, &runs, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(p->h, sql_rows, -1, &rows, NULL) != SQLITE_OK) {
		sqlite3_finalize(runs);
		return -1;
	}
	while (sqlite3_step(runs) == SQLITE_ROW) {
		double total = 0, acc = 0;
		int ncol = sqlite3_column_count(rows), nrows = 0;

		sqlite3_reset(rows);
		sqlite3_bind_int64(rows, 1, sqlite3_column_int64(runs, 0));
		for (; sqlite3_step(rows) == SQLITE_ROW; nrows++)
			total += sqlite3_column_double(rows, 1);
		sqlite3_reset(rows);
		if (!nrows)
			continue;	/* nothing to draw (no frees, no samples): no line */
		fprintf(f, "%s\"%s\"\n", n++ ? "\n\n" : "", sqlite3_column_text(runs, 1));
		while (sqlite3_step(rows) == SQLITE_ROW) {
			fprintf(f, ",%.9g", sqlite3_column_double(rows, 0));
			acc += sqlite3_column_double(rows, 1);
			if (cdf)
				fprintf(f, ",%.9g", total > 0 ? acc / total : 0);
			for (int c = 1; !cdf && c < ncol; c++)
				fprintf(f, ",%.9g", sqlite3_column_double(rows, c));
			fprintf(f, "\n");
		}
	}
	sqlite3_finalize(runs);
	sqlite3_finalize(rows);
	return n;
}

static int series_plot(struct plot *p, const char *kind, const char *script, const char *sql_rows, bool cdf,
		       const char *what, const char *extra)
{
	char path[4200], where[256], title[600], vars[1024];
	FILE *f = plot_data(p, kind, path, sizeof(path));
	int n;

	if (!f)
		return -1;
	snprintf(where, sizeof(where), "%s", PLOT_CMP_WHERE);
	n = series_write(p, f, where, sql_rows, cdf);
	fclose(f);
	if (n <= 0)
		return n;
	plot_title(p, what, where, title, sizeof(title));
	snprintf(vars, sizeof(vars), "nruns=%d; title=\"%s\"; %s", n, title, extra);
	return plot_draw(p, kind, script, vars);
}

int plot_memory(struct plot *p)
{
	return series_plot(p, "memory", "memory.gp", "SELECT t_ns / 1e9, slab_bytes / 1024.0 FROM memory "
			   "WHERE run_id = ? AND cache IS NULL ORDER BY t_ns", false,
			   "slab memory held over simulated time", "");
}

/*
 * Objects parked in per-cpu and per-node caches are counted per cache; their
 * bytes are the count times the cache's object size (trace_cache, or
 * run_cache for a policy's own caches; 0 where the trace did not say).
 */
int plot_memparts(struct plot *p)
{
	return series_plot(p, "memparts", "memparts.gp",
			   "SELECT m.t_ns / 1e9, "
			   "sum(CASE WHEN m.cache IS NULL THEN m.slab_bytes END) / 1024.0, "
			   "sum(CASE WHEN m.cache IS NULL THEN m.meta_bytes END) / 1024.0, "
			   "coalesce(sum(CASE WHEN m.cache IS NOT NULL THEN m.cached_objs * "
			   "coalesce(tc.object_bytes, rc.object_bytes, 0) END), 0) / 1024.0 "
			   "FROM memory m JOIN run r ON r.id = m.run_id "
			   "LEFT JOIN trace_cache tc ON tc.trace_id = r.trace_id AND tc.cache_id = m.cache "
			   "LEFT JOIN run_cache rc ON rc.run_id = m.run_id AND rc.cache_id = m.cache "
			   "WHERE m.run_id = ? GROUP BY m.t_ns ORDER BY m.t_ns", false,
			   "memory held over simulated time: slab pages, metadata, objects parked in caches", "");
}

int plot_latency(struct plot *p)
{
	static const char *const ops[] = { "alloc", "free" };
	int rc = 0;

	for (int i = 0; i < 2 && !rc; i++) {
		char kind[32], sql[256], what[128], extra[32];

		snprintf(kind, sizeof(kind), "latency-%s", ops[i]);
		snprintf(sql, sizeof(sql), "SELECT bin_hi, count FROM latency WHERE run_id = ? AND op = '%s' "
			 "ORDER BY bin_lo", ops[i]);
		snprintf(what, sizeof(what), "latency of %s calls: cumulative distribution", ops[i]);
		snprintf(extra, sizeof(extra), "op='%s'", ops[i]);
		rc = series_plot(p, kind, "latency.gp", sql, true, what, extra);
	}
	return rc;
}
