/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runopts.h - the options that describe a run (trace, policy and its
 * parameters, machine, timing, costs, seed), shared by the subcommands that
 * replay: run, bench (and sweeps).
 */
#ifndef SLABSIM_RUNOPTS_H
#define SLABSIM_RUNOPTS_H

#include <getopt.h>

#include "sim/policy.h"
#include "sim/runconfig.h"
#include "sim/source.h"
#include "sim/workload.h"
#include "traces/initstate.h"
#include "traces/native.h"
#include "traces/reshape.h"

#define RUNOPTS_MAX_SETS 64
#define RUNOPTS_MAX_POLICIES 32
#define RUNOPTS_CLOSED_SAMPLE_NS 20000	/* default memory sampling period of --timing closed */

struct runopts {
	const char *trace;
	const char *policy_arg;
	const char *sets[RUNOPTS_MAX_SETS];
	unsigned nsets;
	struct sim_machine_config mach;
	bool sample_set;		/* --sample-ms given */
	bool strict;			/* --strict: counted trace anomalies are errors */
	const char *initial_state;	/* --initial-state SLABINFO */
	struct trace_reshape reshape;	/* --replicate, --window, --caches */
	/* resolved by runopts_finish() */
	struct runopts_policy {
		const struct sim_policy_ops *ops;
		const char *preset;		/* "" unless given as a preset */
		struct sim_param_values pv;
	} pol[RUNOPTS_MAX_POLICIES];
	unsigned npol;
};

#define RUNOPTS_SHORT "t:p:s:c:n:"
#define RUNOPTS_LONG_OPTIONS                                        \
	{ "trace", required_argument, NULL, 't' },                  \
	{ "policy", required_argument, NULL, 'p' },                 \
	{ "set", required_argument, NULL, 's' },                    \
	{ "cpus", required_argument, NULL, 'c' },                   \
	{ "nodes", required_argument, NULL, 'n' },                  \
	{ "map", required_argument, NULL, 2001 },                   \
	{ "ghz", required_argument, NULL, 2002 },                   \
	{ "cache-kb", required_argument, NULL, 2003 },              \
	{ "cache-ways", required_argument, NULL, 2004 },            \
	{ "touch-lines", required_argument, NULL, 2005 },           \
	{ "cost", required_argument, NULL, 2006 },                  \
	{ "timing", required_argument, NULL, 2007 },                \
	{ "time-scale", required_argument, NULL, 2008 },            \
	{ "sample-ms", required_argument, NULL, 2009 },             \
	{ "seed", required_argument, NULL, 2010 },                 \
	{ "replicate", required_argument, NULL, 2011 },            \
	{ "window", required_argument, NULL, 2012 },               \
	{ "caches", required_argument, NULL, 2013 },               \
	{ "strict", no_argument, NULL, 2014 },                     \
	{ "warmup", required_argument, NULL, 2015 },               \
	{ "initial-state", required_argument, NULL, 2016 },        \
	{ "sample-max", required_argument, NULL, 2017 }

void runopts_init(struct runopts *r);
/*
 * Handles one option character of RUNOPTS_LONG_OPTIONS; returns 0, or
 * CLI_EXIT_USAGE after printing what is wrong.  cmd names the subcommand.
 */
int runopts_parse(struct runopts *r, int ch, const char *arg, const char *cmd);
/*
 * Checks required options and resolves the policies, presets and
 * parameters.  With many, --policy may list several names separated by
 * commas, or "all" (every policy at its defaults, then every preset); a
 * --set then applies to each listed policy that has the parameter.
 */
int runopts_finish(struct runopts *r, const char *cmd, bool many);
/*
 * Loads r->trace into w (initialised here), reshapes it and prepends the
 * --initial-state prefix (whose length joins r->mach.warmup_events),
 * printing errors; 0 or -1.
 */
int runopts_load_trace(struct runopts *r, struct sim_workload *w, bool quiet, const char *cmd);
/*
 * A trace ready to replay.  A native file (not standard input) is
 * streamed: w holds its header, and every replay reads the file anew
 * through a source that reshapes and warm-starts it on the way, so memory
 * does not grow with its length (--strict reads it through once first).
 * Any other trace is loaded into w by runopts_load_trace().
 */
struct runopts_trace {
	struct sim_workload w;
	bool streamed;
	const char *path;		/* streamed: the file, and how it is reshaped */
	struct trace_reshape reshape;
	uint32_t kept_nobjs;		/* streamed: objects the --caches/--window filters keep */
	struct sim_source_mem mem;
	struct trace_reshape_file file;	/* streamed: the file and its reshape, for one replay */
	const char *initial_state;	/* streamed: the snapshot of --initial-state, or NULL */
	uint64_t seed;			/* and the seed its prefix is drawn with */
	struct trace_initstate_source *is;
};

/*
 * Opens r->trace into t: loads it, or reads a native file's header (and,
 * to replicate after a filter, reads it once to count the objects the
 * filter keeps).  complete: read a streamed file through once more, so
 * that w's digest, counts and anomalies are final before any replay (a
 * sweep's config digests and trace row need them).  Prints errors; 0 or -1.
 */
int runopts_trace_open(struct runopts *r, struct runopts_trace *t, bool complete, bool quiet, const char *cmd);
/*
 * A source for one replay of t: over w in memory, or the file reopened
 * (t->w is then read anew, and final once the source has ended).  NULL
 * after printing an error.  Valid until the next call or the close.
 */
struct sim_source *runopts_trace_source(struct runopts_trace *t, const char *cmd);
void runopts_trace_close(struct runopts_trace *t);

/* The run configuration of these options with the i-th policy. */
void runopts_run_config(const struct runopts *r, unsigned i, struct sim_run_config *cfg);

#endif
