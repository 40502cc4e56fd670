/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_plot.c - `slabsim plot`: reads a results database, writes each plot's
 * data as CSV next to it and has gnuplot draw it with the scripts in
 * plots/.  The drawing is the scripts'; this file only queries and writes
 * data.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/plot_internal.h"
#include "results/db.h"
#include "sim/xalloc.h"

struct pareto_pt {
	char label[160];
	double x, y;
	bool front;
};

static int pareto_cmp(const void *a, const void *b)
{
	const struct pareto_pt *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return (p->y > q->y) - (p->y < q->y);
}

/*
 * Peak memory against the metric x (an SQL expression over "run r" and
 * "summary s"), a point per run on the trace and machine the other
 * comparisons draw: every configuration of it, sweeps included.
 */
static int plot_pareto_one(struct plot *p, const char *kind, const char *x, const char *xname, const char *xlabel)
{
	char sql[1024], path[4200], what[200], title[600], vars[1024];
	sqlite3_stmt *st;
	struct pareto_pt *pt = NULL;
	size_t n = 0, cap = 0;
	double best = INFINITY;
	FILE *f;

	snprintf(sql, sizeof(sql), "SELECT l.label, %s, s.peak_slab_bytes / 1024.0 FROM run r JOIN summary s "
		 "ON s.run_id = r.id JOIN plot_label l ON l.run_id = r.id WHERE " PLOT_MACHINE_WHERE " ORDER BY r.id", x);
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, NULL))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		xgrow((void **)&pt, &cap, n + 1, sizeof(*pt));
		snprintf(pt[n].label, sizeof(pt[n].label), "%s", sqlite3_column_text(st, 0));
		pt[n].x = sqlite3_column_double(st, 1);
		pt[n].y = sqlite3_column_double(st, 2);
		pt[n++].front = false;
	}
	sqlite3_finalize(st);
	qsort(pt, n, sizeof(*pt), pareto_cmp);
	/* sorted by x: a point is on the front when it holds less memory than every point before it */
	for (size_t i = 0; i < n; i++)
		if (pt[i].y < best) {
			best = pt[i].y;
			pt[i].front = true;
		}
	f = plot_data(p, kind, path, sizeof(path));
	if (!f) {
		free(pt);
		return -1;
	}
	fprintf(f, "label,%s,peak_kib,front\n", xname);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\"%s\",%.9g,%.9g,%d\n", pt[i].label, pt[i].x, pt[i].y, pt[i].front);
	fclose(f);
	free(pt);
	snprintf(what, sizeof(what), "peak slab memory against %s: the Pareto front", xlabel);
	plot_title(p, what, PLOT_MACHINE_WHERE, title, sizeof(title));
	snprintf(vars, sizeof(vars), "title=\"%s\"; xlabel='%s'", title, xlabel);
	return n ? plot_draw(p, kind, "pareto.gp", vars) : 0;
}

static int plot_pareto(struct plot *p)
{
	int rc = plot_pareto_one(p, "pareto", "(SELECT coalesce(sum(acq_per_op), 0) FROM summary_lock "
				 "WHERE run_id = r.id)", "acq_per_op", "lock acquisitions per alloc or free (all classes)");

	if (!rc)
		rc = plot_pareto_one(p, "pareto-cycles", "coalesce((s.alloc_mean_cycles * s.allocs + "
				     "s.free_mean_cycles * s.frees) / nullif(s.ops, 0), 0)", "cycles_per_op",
				     "mean cycles per alloc or free");
	return rc;
}

/* For one policy: the metric against its first swept parameter, a line per (second parameter, cpus). */
static int plot_param_policy(struct plot *p, const char *policy, const char *name, const char *metric,
			     const char *ylabel, const char *kind)
{
	char sql[2048], path[4200], vars[1024], x[32] = "", y2[32] = "", what[200], where[400], title[600];
	sqlite3_stmt *st;
	unsigned lines = 0;
	FILE *f;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT name FROM run_param WHERE run_id IN (SELECT id FROM run WHERE policy = %s "
		 "AND preset = '') GROUP BY name HAVING count(DISTINCT value) > 1 ORDER BY name", policy);
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, NULL))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(*x ? y2 : x, sizeof(x), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!*x)
		return 0;
	f = plot_data(p, kind, path, sizeof(path));
	if (!f)
		return -1;
	snprintf(sql, sizeof(sql),
		 "SELECT coalesce((SELECT value FROM run_param WHERE run_id = r.id AND name = '%s'), 0) AS g, r.cpus, "
		 "(SELECT value FROM run_param WHERE run_id = r.id AND name = '%s') AS xv, avg(s.%s) "
		 "FROM run r JOIN summary s ON s.run_id = r.id WHERE r.policy = %s AND r.preset = '' "
		 "AND NOT EXISTS (SELECT 1 FROM run_param WHERE run_id = r.id AND name IN ('%s', '%s') AND is_auto) "
		 "GROUP BY g, r.cpus, xv "
		 "ORDER BY g, r.cpus, xv", *y2 ? y2 : x, x, metric, policy, x, *y2 ? y2 : x);
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, NULL)) {
		fclose(f);
		return -1;
	}
	{
		int64_t g = INT64_MIN, c = -1;

		while (sqlite3_step(st) == SQLITE_ROW) {
			if (sqlite3_column_int64(st, 0) != g || sqlite3_column_int64(st, 1) != c) {
				g = (int64_t)sqlite3_column_int64(st, 0);
				c = (int64_t)sqlite3_column_int64(st, 1);
				if (*y2)
					fprintf(f, "%s\"%s=%" PRId64 " / %" PRId64 " cpus\"\n", lines ? "\n\n" : "", y2, g, c);
				else
					fprintf(f, "%s\"%" PRId64 " cpus\"\n", lines ? "\n\n" : "", c);
				lines++;
			}
			fprintf(f, "%" PRId64 ",%.9g\n", (int64_t)sqlite3_column_int64(st, 2), sqlite3_column_double(st, 3));
		}
	}
	sqlite3_finalize(st);
	fclose(f);
	snprintf(what, sizeof(what), "%s against its parameter %s", ylabel, x);
	snprintf(where, sizeof(where), "r.policy = %s AND r.preset = '' AND NOT EXISTS (SELECT 1 FROM run_param "
		 "WHERE run_id = r.id AND name IN ('%s', '%s') AND is_auto)", policy, x, *y2 ? y2 : x);
	plot_title(p, what, where, title, sizeof(title));
	snprintf(vars, sizeof(vars), "nlines=%u; xlabel='%s (%s parameter, log scale)'; ylabel='%s'; logx=1; "
		 "title=\"%s\"", lines, x, name, ylabel, title);
	rc = plot_draw(p, kind, "param.gp", vars);
	return rc;
}

/* A metric against the cpu count, a line per policy or preset (when runs differ in cpus). */
static int plot_cpus_metric(struct plot *p, const char *metric, const char *ylabel, const char *kind)
{
	char sql[1024], path[4200], vars[1024], last[160] = "", what[200], title[600];
	sqlite3_stmt *st;
	unsigned lines = 0;
	FILE *f;

	/* only runs of one trace and timing that differ in their cpu count make a line */
	if (!plot_count(p->h, "SELECT count(*) FROM (SELECT 1 FROM run GROUP BY policy, preset, trace_id, timing "
			      "HAVING count(DISTINCT cpus) > 1)"))
		return 0;
	f = plot_data(p, kind, path, sizeof(path));
	if (!f)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT coalesce(nullif(r.preset, ''), r.policy) || ' ' || r.timing || ' trace '"
		 " || r.trace_id AS l, r.cpus, avg(%s) FROM run r JOIN summary s ON s.run_id = r.id "
		 "WHERE (r.policy, r.preset, r.trace_id, r.timing) IN (SELECT policy, preset, trace_id, timing FROM run "
		 "GROUP BY policy, preset, trace_id, timing HAVING count(DISTINCT cpus) > 1) "
		 "GROUP BY l, r.cpus ORDER BY l, r.cpus", metric);
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, NULL)) {
		fclose(f);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *l = (const char *)sqlite3_column_text(st, 0);

		if (strcmp(l, last)) {
			snprintf(last, sizeof(last), "%s", l);
			fprintf(f, "%s\"%s\"\n", lines++ ? "\n\n" : "", l);
		}
		fprintf(f, "%d,%.9g\n", sqlite3_column_int(st, 1), sqlite3_column_double(st, 2));
	}
	sqlite3_finalize(st);
	fclose(f);
	snprintf(what, sizeof(what), "%s against the cpu count", ylabel);
	plot_title(p, what, "(r.policy, r.preset, r.trace_id, r.timing) IN (SELECT policy, preset, trace_id, timing "
		   "FROM run GROUP BY policy, preset, trace_id, timing HAVING count(DISTINCT cpus) > 1)", title,
		   sizeof(title));
	snprintf(vars, sizeof(vars), "nlines=%u; xlabel='simulated cpus (log scale)'; ylabel='%s'; logx=1; "
		 "title=\"%s\"", lines, ylabel, title);
	return plot_draw(p, kind, "param.gp", vars);
}

static int plot_cpus(struct plot *p)
{
	int rc = plot_cpus_metric(p, "s.peak_slab_bytes / 1024.0", "peak slab memory (KiB)", "cpus-memory");

	if (!rc)
		rc = plot_cpus_metric(p, "(SELECT coalesce(sum(acq_per_op), 0) FROM summary_lock WHERE run_id = r.id)",
				      "lock acquisitions per op (all classes)", "cpus-locks");
	return rc;
}

/* For one policy with two swept parameters: mean alloc cycles over both (runs on the most common cpu count). */
static int plot_heatmap_policy(struct plot *p, const char *qpolicy, const char *name)
{
	char sql[2048], path[4200], vars[1024], kind[96], x[32] = "", y[32] = "", what[200], where[700], title[600];
	sqlite3_stmt *st;
	unsigned n = 0;
	size_t n2;
	FILE *f;

	snprintf(sql, sizeof(sql), "SELECT name FROM run_param WHERE is_auto = 0 AND run_id IN (SELECT id FROM run "
		 "WHERE policy = %s AND preset = '') GROUP BY name HAVING count(DISTINCT value) > 1 ORDER BY name",
		 qpolicy);
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, NULL))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW && !*y)
		snprintf(*x ? y : x, sizeof(x), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!*y)
		return 0;
	snprintf(kind, sizeof(kind), "heatmap-%.40s", name);
	f = plot_data(p, kind, path, sizeof(path));
	if (!f)
		return -1;
	/* the runs drawn: both parameters given explicitly, on the policy's most common cpu count */
	snprintf(where, sizeof(where), "r.policy = %s AND r.preset = '' AND r.cpus = (SELECT cpus FROM run "
		 "WHERE policy = %s GROUP BY cpus ORDER BY count(*) DESC, cpus LIMIT 1)", qpolicy, qpolicy);
	snprintf(sql, sizeof(sql),
		 "SELECT px.value, py.value, avg(s.alloc_mean_cycles) FROM run r JOIN summary s ON s.run_id = r.id "
		 "JOIN run_param px ON px.run_id = r.id AND px.name = '%s' AND px.is_auto = 0 "
		 "JOIN run_param py ON py.run_id = r.id AND py.name = '%s' AND py.is_auto = 0 "
		 "WHERE %s GROUP BY px.value, py.value", x, y, where);
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, NULL)) {
		fclose(f);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW && ++n)
		fprintf(f, "%d,%d,%.9g\n", sqlite3_column_int(st, 0), sqlite3_column_int(st, 1), sqlite3_column_double(st, 2));
	sqlite3_finalize(st);
	fclose(f);
	snprintf(what, sizeof(what), "%s: mean alloc latency over its parameters %s and %s", name, x, y);
	n2 = strlen(where);
	snprintf(where + n2, sizeof(where) - n2, " AND r.id IN (SELECT a.run_id FROM run_param a JOIN run_param b "
		 "ON b.run_id = a.run_id WHERE a.name = '%s' AND a.is_auto = 0 AND b.name = '%s' AND b.is_auto = 0)",
		 x, y);
	plot_title(p, what, where, title, sizeof(title));
	snprintf(vars, sizeof(vars), "xlabel='%s (%s parameter, log scale)'; ylabel='%s (%s parameter, log scale)'; "
		 "zlabel='mean alloc latency (cycles)'; title=\"%s\"", x, name, y, name, title);
	return n ? plot_draw(p, kind, "heatmap.gp", vars) : 0;
}

static int plot_heatmap(struct plot *p)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(p->h, "SELECT DISTINCT quote(policy), policy FROM run ORDER BY policy", -1, &st, NULL))
		return -1;
	while (!rc && sqlite3_step(st) == SQLITE_ROW)
		rc = plot_heatmap_policy(p, (const char *)sqlite3_column_text(st, 0),
					 (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return rc;
}

static int plot_param(struct plot *p)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(p->h, "SELECT DISTINCT quote(policy), policy FROM run ORDER BY policy", -1, &st, NULL))
		return -1;
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		char kind[96];
		const char *q = (const char *)sqlite3_column_text(st, 0), *name = (const char *)sqlite3_column_text(st, 1);

		snprintf(kind, sizeof(kind), "param-%.40s-cycles", name);
		rc = plot_param_policy(p, q, name, "alloc_mean_cycles", "mean alloc latency (cycles)", kind);
		snprintf(kind, sizeof(kind), "param-%.40s-memory", name);
		if (!rc)
			rc = plot_param_policy(p, q, name, "peak_slab_bytes / 1024.0", "peak slab memory (KiB)", kind);
	}
	sqlite3_finalize(st);
	return rc;
}

/* A policy and preset-less parameter that takes several explicit values in the database. */
#define PLOT_SWEPT_SQL                                                                                     \
	"SELECT r.policy AS policy, p.name AS name FROM run_param p JOIN run r ON r.id = p.run_id "          \
	"WHERE p.is_auto = 0 AND r.preset = '' GROUP BY r.policy, p.name HAVING count(DISTINCT p.value) > 1"

static const struct plot_kind {
	const char *name, *files, *what;
	int (*draw)(struct plot *p);
	const char *has_data;	/* SQL: non-zero when the database has something to draw */
} plot_kinds[] = {
	{ "locks", "locks", "lock acquisitions per alloc or free by lock class, a group of bars per run",
	  plot_locks, "SELECT count(*) FROM summary_lock WHERE acquired > 0" },
	{ "contention", "contention", "share of lock acquisitions that were contended, by lock class, per run",
	  plot_contention, "SELECT count(*) FROM summary_lock WHERE acquired > 0" },
	{ "transfers", "transfers", "allocator and workload cache-line transfers per alloc or free, per run",
	  plot_transfers, "SELECT count(*) FROM run" },
	{ "memheld", "memheld", "peak and mean slab memory held, per run", plot_memheld, "SELECT count(*) FROM run" },
	{ "p99", "p99", "99th percentile alloc and free latency in cycles, per run", plot_p99,
	  "SELECT count(*) FROM latency_summary WHERE n > 0" },
	{ "memory", "memory", "slab memory held over simulated time, a line per run", plot_memory,
	  "SELECT count(*) FROM memory" },
	{ "memparts", "memparts", "memory over time in three panels: slab pages, metadata, objects parked in "
	  "per-cpu and per-node caches, a line per run", plot_memparts, "SELECT count(*) FROM memory" },
	{ "latency", "latency-alloc latency-free", "cumulative distributions of alloc and of free latency in "
	  "cycles, a line per run", plot_latency, "SELECT count(*) FROM latency" },
	{ "pareto", "pareto pareto-cycles", "peak memory against lock acquisitions per op, and against mean "
	  "cycles per op, a point per run on the compared trace and machine, Pareto front marked",
	  plot_pareto, "SELECT count(*) FROM run" },
	{ "cpus", "cpus-memory cpus-locks", "peak memory and lock acquisitions per op against the cpu count "
	  "(runs of one trace and timing, e.g. a --cpus sweep with --replicate), a line per policy", plot_cpus,
	  "SELECT count(*) FROM (SELECT 1 FROM run GROUP BY policy, preset, trace_id, timing "
	  "HAVING count(DISTINCT cpus) > 1)" },
	{ "heatmap", "heatmap-POLICY", "for a policy with two swept parameters: mean alloc cycles over both",
	  plot_heatmap, "SELECT count(*) FROM (" PLOT_SWEPT_SQL ") GROUP BY policy HAVING count(*) > 1" },
	{ "param", "param-POLICY-cycles param-POLICY-memory", "for a policy with swept parameters (runs not "
	  "from a preset): cycles and memory against the first, a line per value of the second and cpu count",
	  plot_param, "SELECT count(*) FROM (" PLOT_SWEPT_SQL ")" },
};

static int plot_kind(struct plot *p, const char *kind)
{
	for (size_t i = 0; i < SIM_ARRAY_SIZE(plot_kinds); i++)
		if (!strcmp(kind, plot_kinds[i].name))
			return plot_kinds[i].draw(p);
	cli_error("plot: unknown kind '%s' (try 'slabsim plot --help')", kind);
	return -2;
}

static void plot_list(sqlite3 *h, const char *db_path)
{
	int64_t runs = plot_count(h, "SELECT count(*) FROM run");

	printf("%s: %" PRId64 " runs of %" PRId64 " traces\n", db_path, runs, plot_count(h, "SELECT count(*) FROM trace"));
	for (size_t i = 0; i < SIM_ARRAY_SIZE(plot_kinds); i++) {
		bool ok = runs > 0 && plot_count(h, plot_kinds[i].has_data) > 0;

		printf("  %-10s %-5s %s -> %s\n", plot_kinds[i].name, ok ? "yes" : "no", plot_kinds[i].what,
		       plot_kinds[i].files);
	}
}

static void plot_usage(FILE *f)
{
	fprintf(f, "Usage: slabsim plot --db FILE [--out DIR] [--format png|svg] [--list] [KIND]...\n\n"
		   "Draws plots of the runs in FILE with gnuplot and the scripts in\n"
		   "$SLABSIM_PLOTS, ./plots or " SLABSIM_DATADIR "/plots: for each KIND\n"
		   "(default: every kind the database has data for) DIR/NAME.csv holds the data and\n"
		   "DIR/NAME.png (or .svg) the picture, NAME as listed after the arrow.  Axes\n"
		   "carry units; titles name the runs' trace and machine (cpus, nodes, clock,\n"
		   "timing); legends name the policy or preset, the parameters that differ\n"
		   "between its runs, the machine and the run id.  Bars and lines \"per run\"\n"
		   "compare the runs of the trace and machine with the most policies and\n"
		   "presets: the first run of each (every run, when all are of one policy),\n"
		   "at most %d groups of bars and %d lines.\n\nKinds:\n",
		PLOT_MAX_BARS, PLOT_MAX_RUNS);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(plot_kinds); i++)
		fprintf(f, "  %-10s %s\n  %-10s   -> %s\n", plot_kinds[i].name, plot_kinds[i].what, "",
			plot_kinds[i].files);
	fprintf(f, "\nOptions:\n"
		   "  -d, --db FILE      the results database (required)\n"
		   "  -o, --out DIR      where the data and pictures go (default plots-out)\n"
		   "  -f, --format F     png (default) or svg\n"
		   "  -l, --list         say what can be drawn from FILE and stop\n"
		   "  -h, --help         show this help\n\n"
		   "Example:\n  slabsim plot --db out/demo.db --out out/plots\n");
}

/* Whether every one of names is a plot kind; the first that is not is printed. */
static bool plot_kinds_are_known(char **names, int n)
{
	for (int i = 0; i < n; i++) {
		size_t k = 0;

		while (k < SIM_ARRAY_SIZE(plot_kinds) && strcmp(names[i], plot_kinds[k].name))
			k++;
		if (k == SIM_ARRAY_SIZE(plot_kinds)) {
			cli_error("plot: unknown kind '%s' (kinds: locks contention transfers memheld p99 memory "
				  "memparts latency pareto cpus heatmap param; see 'slabsim plot --help')", names[i]);
			return false;
		}
	}
	return true;
}

/* Draws the kinds named (every kind when n is 0) into p->out; 0, or -1 printed. */
static int plot_kinds_draw(struct plot *p, const char *db_path, char **names, int n)
{
	int rc = 0;

	if (!plot_count(p->h, "SELECT count(*) FROM run")) {
		cli_error("plot: %s has no runs to draw (record some with 'slabsim run' or 'slabsim sweep')", db_path);
		return -1;
	}
	if (mkdir(p->out, 0777) && errno != EEXIST) {
		cli_error("plot: cannot create the output folder %s: %s", p->out, strerror(errno));
		return -1;
	}
	if (access(p->out, W_OK)) {
		cli_error("plot: cannot write into the output folder %s: %s", p->out, strerror(errno));
		return -1;
	}
	if (plot_label_create(p->h))
		return -1;
	p->scripts = plot_scripts_dir();
	for (int i = 0; i < (n ? n : (int)SIM_ARRAY_SIZE(plot_kinds)) && !rc; i++)
		rc = plot_kind(p, n ? names[i] : plot_kinds[i].name);
	return rc;
}

int cli_plot_all(struct db *db, const char *db_path, const char *out, const char *fmt, unsigned *drawn)
{
	struct plot p = { .h = db_sqlite(db), .out = out, .fmt = fmt, .quiet = true };
	int rc = plot_kinds_draw(&p, db_path, NULL, 0);

	*drawn = p.drawn;
	return rc;
}

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "out", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' }, { "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct plot p = { .out = "plots-out", .fmt = "png" };
	const char *db_path = NULL;
	bool list = false;
	struct db *db;
	char err[1024];
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:o:f:lh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db_path = optarg; break;
		case 'o': p.out = optarg; break;
		case 'f':
			if (strcmp(optarg, "png") && strcmp(optarg, "svg")) {
				cli_error("plot: --format '%s': expected png or svg", optarg);
				return CLI_EXIT_USAGE;
			}
			p.fmt = optarg;
			break;
		case 'l': list = true; break;
		case 'h': plot_usage(stdout); return CLI_EXIT_OK;
		default: plot_usage(stderr); return CLI_EXIT_USAGE;
		}
	}
	if (!db_path) {
		cli_error("plot: --db FILE is required (try 'slabsim plot --help')");
		return CLI_EXIT_USAGE;
	}
	if (!plot_kinds_are_known(argv + optind, argc - optind))
		return CLI_EXIT_USAGE;
	if (db_open(db_path, DB_OPEN_EXISTING, &db, err, sizeof(err))) {
		cli_error("plot: %s", err);
		return CLI_EXIT_FAIL;
	}
	p.h = db_sqlite(db);
	if (list)
		plot_list(p.h, db_path);
	rc = list ? 0 : plot_kinds_draw(&p, db_path, argv + optind, argc - optind);
	db_close(db);
	if (rc)
		return CLI_EXIT_FAIL;
	if (!list && !p.drawn)
		cli_warn("plot: nothing in %s to draw for these kinds (see --list)", db_path);
	return CLI_EXIT_OK;
}
