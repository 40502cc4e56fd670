/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plot_common.c - what every plot kind of `slabsim plot` uses: the runs'
 * legend labels and the plots' titles from the database, the CSV data
 * files, and running gnuplot on a script of plots/.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/plot_internal.h"

int64_t plot_count(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = 0;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

FILE *plot_data(const struct plot *p, const char *name, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s.csv", p->out, name);
	f = fopen(path, "w");
	if (!f)
		cli_error("plot: %s: %s", path, strerror(errno));
	return f;
}

int plot_draw(struct plot *p, const char *kind, const char *script, const char *vars)
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
	if (access(sc, R_OK)) {
		cli_error("plot: %s: %s (run from the source tree, install slabsim, or set SLABSIM_PLOTS to the "
			  "folder of the gnuplot scripts)", sc, strerror(errno));
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

/*
 * The parameters worth naming in a legend are those whose value (or 'auto')
 * differs between runs of the same policy and preset; the others are the
 * same on every line and said by the policy's name.
 */
#define PLOT_STR_(x) #x
#define PLOT_STR(x) PLOT_STR_(x)

static const char plot_label_sql[] =
	"DROP TABLE IF EXISTS temp.plot_swept; DROP TABLE IF EXISTS temp.plot_label;"
	"CREATE TEMP TABLE plot_swept AS SELECT r.policy AS policy, r.preset AS preset, p.name AS name "
	"FROM run_param p JOIN run r ON r.id = p.run_id GROUP BY r.policy, r.preset, p.name "
	"HAVING count(DISTINCT CASE WHEN p.is_auto THEN 'auto' ELSE p.value END) > 1;"
	"CREATE TEMP TABLE plot_label AS SELECT r.id AS run_id, coalesce(nullif(r.preset, ''), r.policy) || "
	"coalesce((SELECT ' ' || group_concat(p.name || '=' || CASE WHEN p.is_auto THEN 'auto' ELSE p.value END, ' ') "
	"FROM run_param p JOIN plot_swept w ON w.policy = r.policy AND w.preset = r.preset AND w.name = p.name "
	"WHERE p.run_id = r.id), '') || ' ' || r.cpus || 'cpu' || "
	"CASE WHEN r.nodes > 1 THEN '/' || r.nodes || 'node' ELSE '' END || ' ' || r.timing || ' #' || r.id AS label "
	"FROM run r;"
	/*
	 * The runs compared side by side (bars, lines over time, CDFs): those of
	 * the trace and machine with the most policies and presets (the latest
	 * such on a tie); of these the first run of each policy and preset, or
	 * every run when they are all one policy's (a sweep).
	 */
	"DROP TABLE IF EXISTS temp.plot_cmp;"
	"CREATE TEMP TABLE plot_cmp AS WITH g AS (SELECT trace_id, timing, cpus, nodes, ghz, "
	"count(DISTINCT policy || '/' || preset) AS k FROM run GROUP BY trace_id, timing, cpus, nodes, ghz "
	"ORDER BY k DESC, max(id) DESC LIMIT 1), "
	"m AS (SELECT r.id, r.policy, r.preset FROM run r JOIN g USING (trace_id, timing, cpus, nodes, ghz)) "
	"SELECT id AS run_id FROM m WHERE (SELECT k FROM g) = 1 OR id IN (SELECT min(id) FROM m GROUP BY policy, preset) "
	"ORDER BY id LIMIT " PLOT_STR(PLOT_MAX_BARS) ";";

int plot_label_create(sqlite3 *h)
{
	char *err = NULL;

	if (sqlite3_exec(h, plot_label_sql, NULL, NULL, &err) != SQLITE_OK) {
		cli_error("plot: cannot label the runs: %s", err ? err : "?");
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Appends s to buf without the characters that would end or escape a gnuplot string. */
static void plot_title_add(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	for (; s && *s && n + 1 < len; s++)
		if (*s != '\'' && *s != '"' && *s != '\\')
			buf[n++] = *s;
	buf[n] = '\0';
}

/* "4 cpus" or "4-16 cpus" from a distinct count, min and max. */
static void plot_title_range(char *buf, size_t len, sqlite3_stmt *st, int col, const char *unit)
{
	char s[96];

	if (sqlite3_column_int(st, col) > 1)
		snprintf(s, sizeof(s), ", %s-%s %s", sqlite3_column_text(st, col + 1), sqlite3_column_text(st, col + 2),
			 unit);
	else
		snprintf(s, sizeof(s), ", %s %s", sqlite3_column_text(st, col + 1), unit);
	plot_title_add(buf, len, s);
}

void plot_title(struct plot *p, const char *what, const char *where, char *buf, size_t len)
{
	char sql[1024];
	sqlite3_stmt *st;

	buf[0] = '\0';
	plot_title_add(buf, len, what);
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT t.id), min(t.path), max(t.kernel), "
		 "count(DISTINCT r.cpus), min(r.cpus), max(r.cpus), count(DISTINCT r.nodes), min(r.nodes), max(r.nodes), "
		 "count(DISTINCT r.ghz), min(r.ghz), max(r.ghz), count(DISTINCT r.timing), min(r.timing) "
		 "FROM run r JOIN trace t ON t.id = r.trace_id WHERE %s", where);
	if (sqlite3_prepare_v2(p->h, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0) {
		const char *path = (const char *)sqlite3_column_text(st, 1), *slash = strrchr(path, '/');
		const char *kernel = (const char *)sqlite3_column_text(st, 2);
		char s[160];

		/* a literal \n: gnuplot breaks the double-quoted title there */
		if (strlen(buf) + 3 < len)
			strcat(buf, "\\n");
		if (sqlite3_column_int(st, 0) > 1)
			snprintf(s, sizeof(s), "%d traces", sqlite3_column_int(st, 0));
		else
			snprintf(s, sizeof(s), "trace %s%s%s%s", slash ? slash + 1 : path, *kernel ? " (Linux " : "",
				 kernel, *kernel ? ")" : "");
		plot_title_add(buf, len, s);
		plot_title_range(buf, len, st, 3, sqlite3_column_int(st, 5) > 1 ? "cpus" : "cpu");
		plot_title_range(buf, len, st, 6, sqlite3_column_int(st, 8) > 1 ? "nodes" : "node");
		plot_title_range(buf, len, st, 9, "GHz");
		plot_title_add(buf, len, sqlite3_column_int(st, 12) > 1 ? ", trace-timed and closed-loop runs" :
			       !strcmp((const char *)sqlite3_column_text(st, 13), "closed") ? ", closed loop" :
			       ", at trace timestamps");
	}
	sqlite3_finalize(st);
}

const char *plot_scripts_dir(void)
{
	const char *env = getenv("SLABSIM_PLOTS");

	if (env && *env)
		return env;
	return access("plots/policies.gp", R_OK) ? SLABSIM_DATADIR "/plots" : "plots";
}
