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
#include "results/db.h"
#include "sim/xalloc.h"

#define PLOT_MAX_RUNS 12	/* lines in one time-series or CDF plot */

struct plot {
	sqlite3 *h;
	const char *out, *fmt, *scripts;
	unsigned drawn;
	bool quiet;		/* do not print the pictures' paths */
};

static const struct {
	const char *name, *what;
} plot_kinds[] = {
	{ "locks", "lock acquisitions per operation by lock class, a group of bars per run" },
	{ "memory", "slab memory held over simulated time, a line per run (first 12)" },
	{ "latency", "cumulative distribution of alloc latency in cycles, a line per run (first 12)" },
	{ "pareto", "peak memory against lock acquisitions per op, a point per run, Pareto front marked" },
	{ "cpus", "peak memory and lock acquisitions per op against the cpu count (runs of one trace and timing, e.g. a --cpus sweep with --replicate), a line per policy" },
	{ "heatmap", "per policy with two swept parameters: mean alloc cycles over both" },
	{ "param", "per policy with parameters swept (runs not from a preset): cycles and memory against the first, a line per value of the second and cpu count" },
};

static void plot_usage(FILE *f)
{
	fprintf(f, "Usage: slabsim plot --db FILE [--out DIR] [--format png|svg] [--list] [KIND]...\n\n"
		   "Draws plots of the runs in FILE with gnuplot and the scripts in plots/ (or\n"
		   "the installed copies under " SLABSIM_DATADIR "/plots): for each KIND (default:\n"
		   "every kind the database has data for) DIR/KIND.csv holds the data and\n"
		   "DIR/KIND.png (or .svg) the picture.  Axes carry units; titles name the\n"
		   "runs' traces and machines; legends name policy, preset and cpus.\n\nKinds:\n");
	for (size_t i = 0; i < SIM_ARRAY_SIZE(plot_kinds); i++)
		fprintf(f, "  %-8s %s\n", plot_kinds[i].name, plot_kinds[i].what);
	fprintf(f, "\nOptions:\n"
		   "  -d, --db FILE      the results database (required)\n"
		   "  -o, --out DIR      where the data and pictures go (default plots-out)\n"
		   "  -f, --format F     png (default) or svg\n"
		   "  -l, --list         say what can be drawn from FILE and stop\n"
		   "  -h, --help         show this help\n\n"
		   "Example:\n  slabsim plot --db out/demo.db --out out/plots\n");
}

static int64_t plot_count(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = 0;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* A run's legend label. */
#define PLOT_LABEL "coalesce(nullif(r.preset, ''), r.policy) || ' ' || r.cpus || 'cpu ' || r.timing || ' #' || r.id"

static FILE *plot_data(const struct plot *p, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s.csv", p->out, name);
	f = fopen(path, "w");
	if (!f)
		cli_error("plot: %s: %s", path, strerror(errno));
	return f;
}

/* Runs gnuplot on script with "in='...'; out='...'; fmt='...'; <vars>". */
static int plot_draw(struct plot *p, const char *kind, const char *script, const char *vars)
{
	char in[4200], out[4200], sc[4200], e[8800];
	pid_t pid;
	int status;

	snprintf(in, sizeof(in), "%s/%s.csv", p->out, kind);
	snprintf(out, sizeof(out), "%s/%s.%s", p->out, kind, p->fmt);
	snprintf(sc, sizeof(sc), "%s/%s", p->scripts, script);
	if (strchr(in, '\'')) {
		cli_error("plot: %s: a path with a quote cannot be handed to gnuplot", p->out);
		return -1;
	}
	snprintf(e, sizeof(e), "in='%s'; out='%s'; fmt='%s'; %s", in, out, p->fmt, vars);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execlp(GNUPLOT_PATH[0] ? GNUPLOT_PATH : "gnuplot", "gnuplot", "-e", e, sc, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		cli_error("plot: gnuplot failed on %s (is gnuplot installed? apt-get install gnuplot-nox)", sc);
		return -1;
	}
	if (!p->quiet)
		printf("%s\n", out);
	p->drawn++;
	return 0;
}

static int plot_locks(struct plot *p)
{
	static const char *const cls[] = { "list_lock", "slab_lock", "zone_lock", "cpu_lock", "depot_lock",
					   "barn_lock", "alien_lock" };
	char path[4200], sql[2048], vars[128];
	sqlite3_stmt *st;
	FILE *f = plot_data(p, "locks", path, sizeof(path));
	size_t n = 0;

	if (!f)
		return -1;
	fprintf(f, "run");
	for (size_t c = 0; c < SIM_ARRAY_SIZE(cls); c++)
		fprintf(f, ",%s", cls[c]);
	fprintf(f, "\n");
	n = (size_t)snprintf(sql, sizeof(sql), "SELECT " PLOT_LABEL);
	for (size_t c = 0; c < SIM_ARRAY_SIZE(cls); c++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
				      ", (SELECT acq_per_op FROM summary_lock WHERE run_id = r.id AND class = '%s')", cls[c]);
	snprintf(sql + n, sizeof(sql) - n, " FROM run r ORDER BY r.id");
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, NULL) != SQLITE_OK) {
		fclose(f);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		fprintf(f, "\"%s\"", sqlite3_column_text(st, 0));
		for (int c = 1; c <= (int)SIM_ARRAY_SIZE(cls); c++)
			if (sqlite3_column_type(st, c) == SQLITE_NULL || sqlite3_column_double(st, c) <= 0)
				fprintf(f, ",");
			else
				fprintf(f, ",%.6g", sqlite3_column_double(st, c));
		fprintf(f, "\n");
	}
	sqlite3_finalize(st);
	fclose(f);
	snprintf(vars, sizeof(vars), "ncols=%zu", SIM_ARRAY_SIZE(cls));
	return plot_draw(p, "locks", "policies.gp", vars);
}

/* A time series or CDF per run: blocks of ",x,y" under a title line (memory.gp's layout). */
static int plot_series(struct plot *p, const char *kind, const char *script, const char *sql_rows, bool cdf)
{
	char path[4200], vars[64];
	sqlite3_stmt *runs, *rows;
	FILE *f = plot_data(p, kind, path, sizeof(path));
	unsigned n = 0;

	if (!f)
		return -1;
	if (sqlite3_prepare_v2(p->h, "SELECT r.id, " PLOT_LABEL " FROM run r ORDER BY r.id", -1, &runs, NULL) ||
	    sqlite3_prepare_v2(p->h, sql_rows, -1, &rows, NULL)) {
		fclose(f);
		return -1;
	}
	while (n < PLOT_MAX_RUNS && sqlite3_step(runs) == SQLITE_ROW) {
		double total = 0, acc = 0;

		sqlite3_reset(rows);
		sqlite3_bind_int64(rows, 1, sqlite3_column_int64(runs, 0));
		if (cdf) {
			while (sqlite3_step(rows) == SQLITE_ROW)
				total += sqlite3_column_double(rows, 1);
			sqlite3_reset(rows);
		}
		fprintf(f, "%s\"%s\"\n", n ? "\n\n" : "", sqlite3_column_text(runs, 1));
		while (sqlite3_step(rows) == SQLITE_ROW) {
			double y = sqlite3_column_double(rows, 1);

			acc += y;
			fprintf(f, ",%.9g,%.9g\n", sqlite3_column_double(rows, 0), cdf ? (total > 0 ? acc / total : 0) : y);
		}
		n++;
	}
	sqlite3_finalize(runs);
	sqlite3_finalize(rows);
	fclose(f);
	snprintf(vars, sizeof(vars), "nruns=%u; nlines=%u", n, n);
	return n ? plot_draw(p, kind, script, vars) : 0;
}

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

static int plot_pareto(struct plot *p)
{
	char path[4200];
	sqlite3_stmt *st;
	struct pareto_pt *pt = NULL;
	size_t n = 0, cap = 0;
	double best = INFINITY;
	FILE *f;

	if (sqlite3_prepare_v2(p->h, "SELECT " PLOT_LABEL ", (SELECT coalesce(sum(acq_per_op), 0) FROM summary_lock "
			       "WHERE run_id = r.id), s.peak_slab_bytes / 1024.0 FROM run r JOIN summary s "
			       "ON s.run_id = r.id ORDER BY r.id", -1, &st, NULL))
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
	/* sorted by acquisitions: a point is on the front when it holds less memory than every point before it */
	for (size_t i = 0; i < n; i++)
		if (pt[i].y < best) {
			best = pt[i].y;
			pt[i].front = true;
		}
	f = plot_data(p, "pareto", path, sizeof(path));
	if (!f) {
		free(pt);
		return -1;
	}
	fprintf(f, "label,acq_per_op,peak_kib,front\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\"%s\",%.9g,%.9g,%d\n", pt[i].label, pt[i].x, pt[i].y, pt[i].front);
	fclose(f);
	free(pt);
	return n ? plot_draw(p, "pareto", "pareto.gp", "x=0") : 0;
}

/* For one policy: the metric against its first swept parameter, a line per (second parameter, cpus). */
static int plot_param_policy(struct plot *p, const char *policy, const char *metric, const char *ylabel,
			     const char *kind)
{
	char sql[2048], path[4200], vars[512], x[32] = "", y2[32] = "";
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
	snprintf(vars, sizeof(vars), "nlines=%u; xlabel='%s'; ylabel='%s'; logx=1; title='%s: %s against %s'", lines,
		 x, ylabel, kind, ylabel, x);
	rc = plot_draw(p, kind, "param.gp", vars);
	return rc;
}

/* A metric against the cpu count, a line per policy or preset (when runs differ in cpus). */
static int plot_cpus_metric(struct plot *p, const char *metric, const char *ylabel, const char *kind)
{
	char sql[1024], path[4200], vars[512], last[160] = "";
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
	snprintf(vars, sizeof(vars), "nlines=%u; xlabel='simulated cpus'; ylabel='%s'; logx=1; "
		 "title='%s against the cpu count'", lines, ylabel, ylabel);
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
	char sql[2048], path[4200], vars[512], kind[96], x[32] = "", y[32] = "";
	sqlite3_stmt *st;
	unsigned n = 0;
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
	snprintf(sql, sizeof(sql),
		 "SELECT px.value, py.value, avg(s.alloc_mean_cycles) FROM run r JOIN summary s ON s.run_id = r.id "
		 "JOIN run_param px ON px.run_id = r.id AND px.name = '%s' AND px.is_auto = 0 "
		 "JOIN run_param py ON py.run_id = r.id AND py.name = '%s' AND py.is_auto = 0 "
		 "WHERE r.policy = %s AND r.preset = '' AND r.cpus = (SELECT cpus FROM run WHERE policy = %s "
		 "GROUP BY cpus ORDER BY count(*) DESC, cpus LIMIT 1) GROUP BY px.value, py.value", x, y, qpolicy, qpolicy);
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, NULL)) {
		fclose(f);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW && ++n)
		fprintf(f, "%d,%d,%.9g\n", sqlite3_column_int(st, 0), sqlite3_column_int(st, 1), sqlite3_column_double(st, 2));
	sqlite3_finalize(st);
	fclose(f);
	snprintf(vars, sizeof(vars), "xlabel='%s'; ylabel='%s'; zlabel='mean alloc cycles'; "
		 "title='%s: mean alloc cycles over %s and %s'", x, y, name, x, y);
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
		rc = plot_param_policy(p, q, "alloc_mean_cycles", "mean alloc cycles", kind);
		snprintf(kind, sizeof(kind), "param-%.40s-memory", name);
		if (!rc)
			rc = plot_param_policy(p, q, "peak_slab_bytes / 1024.0", "peak slab memory (KiB)", kind);
	}
	sqlite3_finalize(st);
	return rc;
}

static int plot_kind(struct plot *p, const char *kind)
{
	if (!strcmp(kind, "locks"))
		return plot_locks(p);
	if (!strcmp(kind, "memory"))
		return plot_series(p, "memory", "memory.gp", "SELECT t_ns / 1e9, slab_bytes / 1024.0 FROM memory "
				   "WHERE run_id = ? AND cache IS NULL ORDER BY t_ns", false);
	if (!strcmp(kind, "latency"))
		return plot_series(p, "latency", "latency.gp", "SELECT bin_hi, count FROM latency WHERE run_id = ? "
				   "AND op = 'alloc' ORDER BY bin_lo", true);
	if (!strcmp(kind, "pareto"))
		return plot_pareto(p);
	if (!strcmp(kind, "param"))
		return plot_param(p);
	if (!strcmp(kind, "cpus"))
		return plot_cpus(p);
	if (!strcmp(kind, "heatmap"))
		return plot_heatmap(p);
	cli_error("plot: unknown kind '%s' (try 'slabsim plot --help')", kind);
	return -2;
}

static void plot_list(sqlite3 *h)
{
	int64_t runs = plot_count(h, "SELECT count(*) FROM run");
	int64_t swept = plot_count(h, "SELECT count(*) FROM (SELECT 1 FROM run_param p JOIN run r ON r.id = p.run_id "
				   "GROUP BY r.policy, p.name HAVING count(DISTINCT p.value) > 1)");

	printf("%" PRId64 " runs\n", runs);
	for (size_t i = 0; i < SIM_ARRAY_SIZE(plot_kinds); i++) {
		bool ok = runs > 0 && (strcmp(plot_kinds[i].name, "param") || swept > 0);

		printf("  %-8s %s%s\n", plot_kinds[i].name, ok ? "" : "(nothing to draw) ", plot_kinds[i].what);
	}
}

int cli_plot_all(struct db *db, const char *out, const char *fmt, unsigned *drawn)
{
	struct plot p = { .h = db_sqlite(db), .out = out, .fmt = fmt, .quiet = true };
	int rc = 0;

	p.scripts = access("plots/policies.gp", R_OK) ? SLABSIM_DATADIR "/plots" : "plots";
	if (mkdir(out, 0777) && errno != EEXIST) {
		cli_error("plot: %s: %s", out, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < SIM_ARRAY_SIZE(plot_kinds) && !rc; i++)
		rc = plot_kind(&p, plot_kinds[i].name);
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
	int ch, rc = CLI_EXIT_OK;

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
	if (db_open(db_path, DB_OPEN_EXISTING, &db, err, sizeof(err))) {
		cli_error("plot: %s", err);
		return CLI_EXIT_FAIL;
	}
	p.h = db_sqlite(db);
	p.scripts = access("plots/policies.gp", R_OK) ? SLABSIM_DATADIR "/plots" : "plots";
	if (list) {
		plot_list(p.h);
		db_close(db);
		return CLI_EXIT_OK;
	}
	if (mkdir(p.out, 0777) && errno != EEXIST) {
		cli_error("plot: %s: %s", p.out, strerror(errno));
		db_close(db);
		return CLI_EXIT_FAIL;
	}
	if (optind < argc) {
		for (int i = optind; i < argc && rc == CLI_EXIT_OK; i++) {
			int r = plot_kind(&p, argv[i]);

			rc = r == -2 ? CLI_EXIT_USAGE : r ? CLI_EXIT_FAIL : CLI_EXIT_OK;
		}
	} else {
		for (size_t i = 0; i < SIM_ARRAY_SIZE(plot_kinds) && rc == CLI_EXIT_OK; i++)
			rc = plot_kind(&p, plot_kinds[i].name) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	}
	db_close(db);
	if (rc == CLI_EXIT_OK && !p.drawn)
		cli_warn("plot: nothing in %s to draw for these kinds (see --list)", db_path);
	return rc;
}
