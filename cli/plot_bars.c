/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plot_bars.c - the policies side by side: one group of bars per run, one
 * bar per metric (lock classes, allocator and workload line transfers,
 * peak and mean memory, p99 latencies), from the summary and summary_lock
 * views, for the runs of plot_cmp (one machine and trace).  Data as CSV with a header; plots/policies.gp draws it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/plot_internal.h"
#include "sim/sim.h"

/* One bar of a group: its legend and an SQL expression over "run r" and "summary s". */
struct bar_col {
	char name[48];
	char sql[200];
};

struct bar_plot {
	const char *kind, *what, *ylabel;
	bool logy;		/* log y axis: values <= 0 are left out */
};

/* The lock classes in the order of the legend (sim/counters.h SIM_LOCK_CLASS_LIST names). */
static const char *const bar_lock_classes[] = {
	"list_lock", "slab_lock", "zone_lock", "cpu_lock", "depot_lock", "barn_lock", "alien_lock",
};

static void bar_value(FILE *f, sqlite3_stmt *st, int c, bool logy)
{
	if (sqlite3_column_type(st, c) == SQLITE_NULL || (logy && sqlite3_column_double(st, c) <= 0))
		fprintf(f, ",");
	else
		fprintf(f, ",%.6g", sqlite3_column_double(st, c));
}

static int bars_draw(struct plot *p, const struct bar_plot *b, const struct bar_col *cols, size_t ncols)
{
	char path[4200], sql[4096], vars[1024], title[600];
	sqlite3_stmt *st;
	FILE *f;
	size_t n;
	int rows = 0;

	n = (size_t)snprintf(sql, sizeof(sql), "SELECT l.label");
	for (size_t c = 0; c < ncols && n < sizeof(sql); c++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s", cols[c].sql);
	if (n < sizeof(sql))
		snprintf(sql + n, sizeof(sql) - n, " FROM run r JOIN summary s ON s.run_id = r.id "
			 "JOIN plot_label l ON l.run_id = r.id WHERE " PLOT_CMP_WHERE " ORDER BY r.id");
	if (!ncols || sqlite3_prepare_v2(p->h, sql, -1, &st, NULL) != SQLITE_OK)
		return ncols ? -1 : 0;
	f = plot_data(p, b->kind, path, sizeof(path));
	if (!f) {
		sqlite3_finalize(st);
		return -1;
	}
	fprintf(f, "run");
	for (size_t c = 0; c < ncols; c++)
		fprintf(f, ",%s", cols[c].name);
	fprintf(f, "\n");
	for (; sqlite3_step(st) == SQLITE_ROW; rows++) {
		fprintf(f, "\"%s\"", sqlite3_column_text(st, 0));
		for (int c = 1; c <= (int)ncols; c++)
			bar_value(f, st, c, b->logy);
		fprintf(f, "\n");
	}
	sqlite3_finalize(st);
	fclose(f);
	if (!rows)
		return 0;
	plot_title(p, b->what, PLOT_CMP_WHERE, title, sizeof(title));
	snprintf(vars, sizeof(vars), "ncols=%zu; logy=%d; ylabel='%s'; title=\"%s\"", ncols, b->logy, b->ylabel, title);
	return plot_draw(p, b->kind, "policies.gp", vars);
}

/* A bar per lock class some run acquired; expr formats the class's column of summary_lock. */
static int bars_lock_classes(struct plot *p, const struct bar_plot *b, const char *expr)
{
	struct bar_col cols[SIM_ARRAY_SIZE(bar_lock_classes)];
	size_t n = 0;

	for (size_t i = 0; i < SIM_ARRAY_SIZE(bar_lock_classes); i++) {
		char q[200];

		snprintf(q, sizeof(q), "SELECT count(*) FROM summary_lock WHERE class = '%s' AND acquired > 0 "
			 "AND run_id IN (SELECT run_id FROM plot_cmp)", bar_lock_classes[i]);
		if (!plot_count(p->h, q))
			continue;
		snprintf(cols[n].name, sizeof(cols[n].name), "%s", bar_lock_classes[i]);
		snprintf(cols[n++].sql, sizeof(cols[0].sql), "(SELECT %s FROM summary_lock WHERE run_id = r.id "
			 "AND class = '%s')", expr, bar_lock_classes[i]);
	}
	return bars_draw(p, b, cols, n);
}

int plot_locks(struct plot *p)
{
	static const struct bar_plot b = {
		"locks", "lock acquisitions per alloc or free, by lock class",
		"acquisitions per alloc or free (log scale)", true,
	};

	return bars_lock_classes(p, &b, "acq_per_op");
}

int plot_contention(struct plot *p)
{
	static const struct bar_plot b = {
		"contention", "share of lock acquisitions that waited for another cpu, by lock class",
		"contended acquisitions (% of acquisitions)", false,
	};

	return bars_lock_classes(p, &b, "100.0 * contended_share");
}

int plot_transfers(struct plot *p)
{
	static const struct bar_plot b = {
		"transfers", "cache lines pulled from the caches of other cpus, per alloc or free",
		"cache-line transfers per alloc or free", false,
	};
	static const struct bar_col cols[] = {
		{ "allocator (the policy's own lines)", "s.alloc_xfers_per_op" },
		{ "workload (touching its objects)", "s.workload_xfers_per_op" },
	};

	return bars_draw(p, &b, cols, SIM_ARRAY_SIZE(cols));
}

int plot_memheld(struct plot *p)
{
	static const struct bar_plot b = {
		"memheld", "slab memory held: exact peak and mean over the samples",
		"slab memory held (KiB)", false,
	};
	static const struct bar_col cols[] = {
		{ "peak", "s.peak_slab_bytes / 1024.0" },
		{ "mean", "s.mean_slab_bytes / 1024.0" },
	};

	return bars_draw(p, &b, cols, SIM_ARRAY_SIZE(cols));
}

int plot_p99(struct plot *p)
{
	static const struct bar_plot b = {
		"p99", "99th percentile latency of alloc and free calls",
		"99th percentile latency (cycles, log scale)", true,
	};
	static const struct bar_col cols[] = {
		{ "alloc p99", "s.alloc_p99_cycles" },
		{ "free p99", "s.free_p99_cycles" },
	};

	return bars_draw(p, &b, cols, SIM_ARRAY_SIZE(cols));
}
