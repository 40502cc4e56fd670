/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plot_internal.h - what the files of `slabsim plot` share: the state of
 * one invocation, the data-file and gnuplot helpers, and the plot kinds
 * each file draws.  Only cli/cmd_plot.c and cli/plot_*.c include it.
 */
#ifndef SLABSIM_CLI_PLOT_INTERNAL_H
#define SLABSIM_CLI_PLOT_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PLOT_MAX_RUNS 12	/* lines in one time-series or CDF plot */
#define PLOT_MAX_BARS 16	/* groups of bars in one side-by-side plot */

/* The runs compared side by side, as a condition on "run r" (see plot_label_create()). */
#define PLOT_CMP_WHERE "r.id IN (SELECT run_id FROM plot_cmp)"
/* Every run on the trace and machine of those, as a condition on "run r". */
#define PLOT_MACHINE_WHERE                                                                                \
	"(r.trace_id, r.timing, r.cpus, r.nodes, r.ghz) = (SELECT trace_id, timing, cpus, nodes, ghz FROM run " \
	"WHERE id = (SELECT min(run_id) FROM plot_cmp))"

struct plot {
	sqlite3 *h;
	const char *out, *fmt, *scripts;
	unsigned drawn;
	bool quiet;		/* do not print the pictures' paths */
};

/*
 * The temporary view plot_label (run_id, label) names a run in legends:
 * preset or policy, the parameters that differ between the runs of that
 * policy in the database ("size=16 batch=8"), the machine and the run id.
 * The temporary table plot_cmp (run_id) holds the runs compared side by
 * side: of the trace and machine with the most policies and presets, the
 * first run of each (every run, up to PLOT_MAX_BARS, when they are all one
 * policy's).  Both created by plot_label_create() on the connection; 0 or -1.
 */
int plot_label_create(sqlite3 *h);

/* Where the gnuplot scripts are: $SLABSIM_PLOTS, else ./plots when it has them, else the installed copies. */
const char *plot_scripts_dir(void);

/* The first column of the first row of sql as an integer, 0 if none. */
int64_t plot_count(sqlite3 *h, const char *sql);

/*
 * A title for a plot of the runs matching where (an SQL condition on
 * "run r", e.g. "r.policy = 'slub'", or "1"): "<what> -- <trace>, <machine>",
 * the trace by file name and kernel, the machine by cpus, nodes, clock and
 * timing; "N traces" or a range of cpus when the runs differ.  Single quotes
 * are dropped, so the result can go into a gnuplot string.
 */
void plot_title(struct plot *p, const char *what, const char *where, char *buf, size_t len);

/* Opens DIR/NAME.csv for writing into path; NULL (printed) on failure. */
FILE *plot_data(const struct plot *p, const char *name, char *path, size_t len);

/*
 * Runs gnuplot on plots/script with "in='DIR/KIND.csv'; out='DIR/KIND.png';
 * fmt='...'; vars"; counts and (unless quiet) prints the picture; 0 or -1
 * (printed).
 */
int plot_draw(struct plot *p, const char *kind, const char *script, const char *vars);

/* plot_bars.c: policies side by side, a group of bars per run. */
int plot_locks(struct plot *p);
int plot_contention(struct plot *p);
int plot_transfers(struct plot *p);
int plot_memheld(struct plot *p);
int plot_p99(struct plot *p);

/* plot_series.c: a line per run over time or cycles. */
int plot_memory(struct plot *p);
int plot_memparts(struct plot *p);
int plot_latency(struct plot *p);

#endif
