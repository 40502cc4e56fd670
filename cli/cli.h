/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - the subcommands.  cli/ is the only place that prints to the user
 * and decides exit statuses: 0 success, 1 failure at run time (bad input
 * file, database error), 2 usage error (unknown option, bad value).
 * Messages go to stderr as "slabsim: <context>: <message>".
 */
#ifndef SLABSIM_CLI_H
#define SLABSIM_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

int cmd_run(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_policies(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_validate(int argc, char **argv);

struct db;
/* Draws every plot kind of db (named db_path in messages) into out (created if missing); 0 or -1 (printed). */
int cli_plot_all(struct db *db, const char *db_path, const char *out, const char *fmt, unsigned *drawn);
/* `slabsim trace reshape`, dispatched by cmd_trace(). */
int cmd_trace_reshape(int argc, char **argv);

/* Prints "slabsim: " + message + newline to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "slabsim: warning: " + message + newline to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* True when stderr is a terminal (progress lines are redrawn in place). */
bool cli_stderr_is_tty(void);
/* Parses a whole decimal (or 0x hex) number within [min, max]; 0 or -EINVAL. */
int cli_parse_long(const char *s, long min, long max, long *out);
int cli_parse_double(const char *s, double min, double max, double *out);
/*
 * Parses the VALUES of a swept --set (and of sweep's --cpus): a comma-
 * separated list of whole numbers and ranges A..B (step 1), A..B+S (step
 * S >= 1), A..B*F (each value F >= 2 times the previous, A > 0), appending
 * them to v[*n..max); 0, -EINVAL (malformed, out of the range of long, or
 * no value) or -E2BIG (more than max values, or a list over 1023 bytes).
 */
int cli_parse_list(const char *list, long *v, unsigned *n, unsigned max);

#endif
