/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_report.c - `slabsim report`: the comparison of every run in a
 * database as a terminal table, and as one self-contained report.html with
 * the plots embedded, the tables, the traces' summaries and every run's
 * full configuration, so a result can be shared as one file.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "results/db.h"
#include "sim/xalloc.h"

/* The columns of the comparison: the summary view's, formatted. */
/*
 * A run's parameters that take more than one value among the runs of its
 * policy and preset in the database: what a sweep varied ('-' if none).
 */
#define REPORT_PARAMS_SQL                                                                                  \
	"(SELECT group_concat(nv, ',') FROM (SELECT p.name || '=' || "                                       \
	"CASE WHEN p.is_auto THEN 'auto' ELSE p.value END AS nv "                                            \
	"FROM run_param p WHERE p.run_id = r.id AND p.name IN ("                                              \
	"SELECT p2.name FROM run_param p2 JOIN run r2 ON r2.id = p2.run_id "                                  \
	"WHERE r2.policy = r.policy AND r2.preset = r.preset GROUP BY p2.name "                              \
	"HAVING count(DISTINCT p2.value) > 1 OR count(DISTINCT p2.is_auto) > 1) ORDER BY p.name))"

#define REPORT_SQL                                                                                         \
	"SELECT s.run_id, coalesce(nullif(s.preset, ''), s.policy), " REPORT_PARAMS_SQL ", "                 \
	"s.cpus, s.nodes, s.timing, s.ops, "                                                                  \
	"printf('%.4f', s.list_lock_acq_per_op), "                                                            \
	"printf('%.4f', s.slab_lock_acq_per_op), printf('%.4f', s.alloc_xfers_per_op), "                     \
	"printf('%.4f', s.workload_xfers_per_op), printf('%.0f', s.peak_slab_bytes / 1024.0), "              \
	"printf('%.0f', s.mean_slab_bytes / 1024.0), printf('%.1f', s.alloc_mean_cycles), "                  \
	"printf('%.0f', s.alloc_p99_cycles), printf('%.1f', s.free_mean_cycles), "                           \
	"printf('%.0f', s.free_p99_cycles), r.config_digest FROM summary s JOIN run r ON r.id = s.run_id "   \
	"ORDER BY s.run_id"

static const char *const report_cols[] = {
	"run", "policy", "params", "cpus", "nodes", "timing", "ops", "list_lock/op", "slab_lock/op",
	"xfer/op", "wl xfer/op", "peak KiB", "mean KiB", "alloc cyc", "alloc p99", "free cyc", "free p99",
};

static void report_usage(FILE *f)
{
	fprintf(f, "Usage: slabsim report --db FILE [--out DIR]\n\n"
		   "Prints the comparison of every run in FILE (policy, machine, operations,\n"
		   "lock acquisitions per op, line transfers per op, memory\n"
		   "held, cycles) as a table, draws every plot 'slabsim plot' can draw into\n"
		   "DIR/plots, and writes DIR/report.html: one self-contained page with the\n"
		   "plots embedded, the tables, the traces' summaries and every run's full\n"
		   "configuration.\n\n"
		   "Options:\n"
		   "  -d, --db FILE    the results database (required)\n"
		   "  -o, --out DIR    where report.html and the plots go (default report)\n"
		   "  -h, --help       show this help\n");
}

static void report_html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* The file as base64, for a data: URL. */
static int report_base64_file(FILE *out, const char *path)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	FILE *f = fopen(path, "rb");
	unsigned char in[3];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(in, 1, 3, f)) > 0) {
		unsigned v = (unsigned)in[0] << 16 | (n > 1 ? (unsigned)in[1] << 8 : 0) | (n > 2 ? in[2] : 0);

		fputc(b64[v >> 18 & 63], out);
		fputc(b64[v >> 12 & 63], out);
		fputc(n > 1 ? b64[v >> 6 & 63] : '=', out);
		fputc(n > 2 ? b64[v & 63] : '=', out);
	}
	fclose(f);
	return 0;
}

static int report_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The PNG files of dir, sorted by name. */
static size_t report_pictures(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, cap = 0;

	*names = NULL;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".png"))
			continue;
		xgrow((void **)names, &cap, n + 1, sizeof(**names));
		(*names)[n++] = xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(*names, n, sizeof(**names), report_name_cmp);
	return n;
}

#define REPORT_NCOLS SIM_ARRAY_SIZE(report_cols)

/* Text columns (policy, params, timing) align left, numbers right. */
static void report_cell(size_t c, size_t width, const char *v)
{
	bool left = c == 1 || c == 2 || c == 5;

	printf("%s%*s", c ? "  " : "", left ? -(int)width : (int)width, v);
}

/* The comparison to the terminal, columns as wide as their widest cell, and as an HTML table. */
static int report_runs(sqlite3 *h, FILE *html)
{
	sqlite3_stmt *st;
	char **cell = NULL;
	size_t ncell = 0, cap = 0, rows, width[REPORT_NCOLS];

	if (sqlite3_prepare_v2(h, REPORT_SQL, -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (size_t c = 0; c < REPORT_NCOLS; c++)
		width[c] = strlen(report_cols[c]);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (size_t c = 0; c < REPORT_NCOLS; c++) {
			const char *v = (const char *)sqlite3_column_text(st, (int)c);

			xgrow((void **)&cell, &cap, ncell + 1, sizeof(*cell));
			cell[ncell] = xstrdup(v ? v : "-");
			width[c] = SIM_MAX(width[c], strlen(cell[ncell]));
			ncell++;
		}
	}
	sqlite3_finalize(st);
	rows = ncell / REPORT_NCOLS;
	fprintf(html, "<h2>Runs</h2>\n<table id=\"runs\">\n<tr>");
	for (size_t c = 0; c < REPORT_NCOLS; c++) {
		report_cell(c, width[c], report_cols[c]);
		fprintf(html, "<th>%s</th>", report_cols[c]);
	}
	printf("\n");
	fprintf(html, "</tr>\n");
	for (size_t r = 0; r < rows; r++) {
		fprintf(html, "<tr>");
		for (size_t c = 0; c < REPORT_NCOLS; c++) {
			const char *v = cell[r * REPORT_NCOLS + c];

			report_cell(c, width[c], v);
			fprintf(html, "<td>");
			report_html_text(html, v);
			fprintf(html, "</td>");
		}
		printf("\n");
		fprintf(html, "</tr>\n");
	}
	fprintf(html, "</table>\n");
	for (size_t i = 0; i < ncell; i++)
		free(cell[i]);
	free(cell);
	return (int)rows;
}

static void report_traces(sqlite3 *h, FILE *html)
{
	static const char *const cols[] = { "trace", "path", "format", "kernel", "events", "replayable", "cpus",
					    "caches", "duration (s)" };
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(h, "SELECT id, path, format, kernel, events, replayable, cpus, caches, "
			       "printf('%.3f', duration_ns / 1e9) FROM trace ORDER BY id", -1, &st, NULL))
		return;
	fprintf(html, "<h2>Traces</h2>\n<table id=\"traces\">\n<tr>");
	for (size_t c = 0; c < SIM_ARRAY_SIZE(cols); c++)
		fprintf(html, "<th>%s</th>", cols[c]);
	fprintf(html, "</tr>\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		fprintf(html, "<tr>");
		for (int c = 0; c < (int)SIM_ARRAY_SIZE(cols); c++) {
			fprintf(html, "<td>");
			report_html_text(html, (const char *)sqlite3_column_text(st, c));
			fprintf(html, "</td>");
		}
		fprintf(html, "</tr>\n");
	}
	sqlite3_finalize(st);
	fprintf(html, "</table>\n");
}

static void report_configs(sqlite3 *h, FILE *html)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(h, "SELECT id, coalesce(nullif(preset, ''), policy), config_digest, slabsim_version, "
			       "config_text FROM run ORDER BY id", -1, &st, NULL))
		return;
	fprintf(html, "<h2>Configurations</h2>\n");
	while (sqlite3_step(st) == SQLITE_ROW) {
		fprintf(html, "<details class=\"config\"><summary>run %d: ", sqlite3_column_int(st, 0));
		report_html_text(html, (const char *)sqlite3_column_text(st, 1));
		fprintf(html, ", config %s, slabsim %s</summary><pre>", sqlite3_column_text(st, 2),
			sqlite3_column_text(st, 3));
		report_html_text(html, (const char *)sqlite3_column_text(st, 4));
		fprintf(html, "</pre></details>\n");
	}
	sqlite3_finalize(st);
}

static int report_write(struct db *db, const char *db_path, const char *out, const char *plots)
{
	char path[4200], pic[8400];
	char **names;
	size_t n = report_pictures(plots, &names);
	FILE *html;
	int rows;

	snprintf(path, sizeof(path), "%s/report.html", out);
	html = fopen(path, "w");
	if (!html) {
		cli_error("report: %s: %s", path, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	fprintf(html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>slabsim report</title>\n"
		      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:90%%}"
		      "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}img{max-width:100%%;margin:1em 0}"
		      "pre{background:#f6f6f6;padding:0.5em}</style></head><body>\n<h1>slabsim report</h1>\n<p>");
	report_html_text(html, db_path);
	fprintf(html, " &mdash; slabsim %s</p>\n", PACKAGE_VERSION);
	report_traces(db_sqlite(db), html);
	rows = report_runs(db_sqlite(db), html);
	fprintf(html, "<h2>Plots</h2>\n");
	for (size_t i = 0; i < n; i++) {
		snprintf(pic, sizeof(pic), "%s/%s", plots, names[i]);
		fprintf(html, "<figure><img alt=\"");
		report_html_text(html, names[i]);
		fprintf(html, "\" src=\"data:image/png;base64,");
		report_base64_file(html, pic);
		fprintf(html, "\"><figcaption>");
		report_html_text(html, names[i]);
		fprintf(html, "</figcaption></figure>\n");
		free(names[i]);
	}
	free(names);
	report_configs(db_sqlite(db), html);
	fprintf(html, "</body></html>\n");
	if (fclose(html) || rows < 0) {
		cli_error("report: %s: could not be written", path);
		return CLI_EXIT_FAIL;
	}
	printf("\nwrote %s (%d runs, %zu plots)\n", path, rows, n);
	return CLI_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *db_path = NULL, *out = "report";
	char plots[4200], err[1024];
	unsigned drawn = 0;
	struct db *db;
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db_path = optarg; break;
		case 'o': out = optarg; break;
		case 'h': report_usage(stdout); return CLI_EXIT_OK;
		default: report_usage(stderr); return CLI_EXIT_USAGE;
		}
	}
	if (!db_path || optind < argc) {
		cli_error("report: expected --db FILE (try 'slabsim report --help')");
		return CLI_EXIT_USAGE;
	}
	if (db_open(db_path, DB_OPEN_EXISTING, &db, err, sizeof(err))) {
		cli_error("report: %s", err);
		return CLI_EXIT_FAIL;
	}
	snprintf(plots, sizeof(plots), "%s/plots", out);
	if (mkdir(out, 0777) && errno != EEXIST) {
		cli_error("report: %s: %s", out, strerror(errno));
		db_close(db);
		return CLI_EXIT_FAIL;
	}
	if (cli_plot_all(db, db_path, plots, "png", &drawn)) {
		db_close(db);
		return CLI_EXIT_FAIL;
	}
	rc = report_write(db, db_path, out, plots);
	db_close(db);
	return rc;
}
