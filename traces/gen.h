/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gen.h - synthetic allocation traces ("slabsim trace gen"): workloads
 * drawn from GSL distributions, deterministic by seed, produced as a
 * resolved workload that traces/native.h writes like an imported trace.
 *
 * A generator is a kind (steady, burst, prodcons, forkexec, objpool) with
 * a table of parameters: the common ones (cpus, objects, seed) followed by
 * the kind's own.  Each table entry has a name, a type, a default, a range,
 * a unit and a one-line meaning; the command line sets and documents them
 * from the table, and the workload's header records every one of them:
 *
 *   w->format = "gen"
 *   w->source = "gen steady cpus=4 objects=100000 seed=1 lifetime=lognormal mu=3 ..."
 *
 * (every parameter of the kind, in table order, as name=value with the
 * shortest text that reads back to the same value; a native file keeps
 * both, and trace_gen_config_parse() turns that text back into the
 * configuration that regenerates the same trace).
 *
 * Every kind draws from one gsl_rng of type mt19937 seeded with "seed",
 * in a fixed order, so a configuration gives the same events on every
 * run.  The events form a valid trace: every object is allocated once
 * and freed once, its ALLOC before its FREE; the file is in time order
 * (ties in the order the generator drew the events, an object's ALLOC
 * before its FREE), so every cpu's timestamps are non-decreasing; object
 * ids come from the pairing pass (traces/resolve.h) and every cache is
 * interned with its object size.  Time starts at 0 ns.  No NUMA node is
 * requested (node = -1).
 */
#ifndef SLABSIM_TRACES_GEN_H
#define SLABSIM_TRACES_GEN_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/workload.h"

enum trace_gen_ptype {
	TRACE_GEN_INT,		/* a whole number */
	TRACE_GEN_REAL,		/* a real number */
	TRACE_GEN_CHOICE,	/* one of choices[]; the value is its index */
	TRACE_GEN_NAME,		/* a name: letters, digits and _ - . : (at most TRACE_GEN_NAME_MAX - 1) */
};

struct trace_gen_param {
	const char *name;
	enum trace_gen_ptype type;
	double def;			/* INT, REAL, CHOICE (index of the default) */
	double min, max;		/* INT, REAL: accepted range, inclusive */
	const char *def_name;		/* NAME: the default */
	const char *const *choices;	/* CHOICE: NULL-terminated */
	const char *unit;		/* "ns", "us", "bytes", "per s", "" */
	const char *meaning;		/* one line */
};

struct trace_gen_kind {
	const char *name;
	const char *summary;		/* one line */
	const char *description;	/* lines of at most 70 columns, '\n'-separated */
	const struct trace_gen_param *params;
	unsigned nparams;
};

#define TRACE_GEN_MAX_PARAMS 24	/* common + a kind's */
#define TRACE_GEN_NAME_MAX 48

/* The parameters every kind has: cpus, objects, seed. */
extern const struct trace_gen_param trace_gen_common_params[];
extern const unsigned trace_gen_ncommon_params;
/* The kinds, NULL-terminated. */
extern const struct trace_gen_kind *const trace_gen_kinds[];

struct trace_gen_config {
	const struct trace_gen_kind *kind;
	double v[TRACE_GEN_MAX_PARAMS];			/* common params, then the kind's */
	char name[TRACE_GEN_MAX_PARAMS][TRACE_GEN_NAME_MAX];	/* NAME params */
};

/* The kind called name, or NULL. */
const struct trace_gen_kind *trace_gen_kind_find(const char *name);

/* Sets every parameter of kind k to its default. */
void trace_gen_config_init(struct trace_gen_config *c, const struct trace_gen_kind *k);

/* Number of parameters of c (common and the kind's), and parameter i of them. */
unsigned trace_gen_config_nparams(const struct trace_gen_config *c);
const struct trace_gen_param *trace_gen_config_param(const struct trace_gen_config *c, unsigned i);

/*
 * Sets the parameter called name from its text value.  Returns 0;
 * -ENOENT when the kind has no such parameter; -EINVAL when the value is
 * not of the parameter's type or out of its range.  err receives a
 * sentence naming the parameter, the value and what is accepted.
 */
int trace_gen_config_set(struct trace_gen_config *c, const char *name, const char *value,
			 char *err, size_t errlen);

/* Sets "name=value"; as trace_gen_config_set, -EINVAL without '='. */
int trace_gen_config_set_arg(struct trace_gen_config *c, const char *arg, char *err, size_t errlen);

/* The value of a numeric parameter by name (asserts that it exists). */
double trace_gen_config_get(const struct trace_gen_config *c, const char *name);

/* Writes parameter i's value as text (the shortest that reads back exactly). */
void trace_gen_config_value_text(const struct trace_gen_config *c, unsigned i, char *buf, size_t n);

/*
 * Writes "gen KIND name=value ..." with every parameter to buf.  Returns
 * the length, or -ENAMETOOLONG when it does not fit in n bytes.
 */
int trace_gen_config_describe(const struct trace_gen_config *c, char *buf, size_t n);

/*
 * Parses the text trace_gen_config_describe() writes back into c.
 * Returns 0, or -EINVAL (unknown kind, bad parameter) with err set.
 */
int trace_gen_config_parse(struct trace_gen_config *c, const char *text, char *err, size_t errlen);

/*
 * Checks the rules between parameters that the ranges cannot express
 * (remote frees need two cpus, producers <= cpus, ...).  Returns 0 or
 * -EINVAL with err set.
 */
int trace_gen_config_check(const struct trace_gen_config *c, char *err, size_t errlen);

/*
 * Generates the trace c describes into w (freshly sim_workload_init()ed;
 * the caller finalizes it in every case), resolved, with its digest,
 * w->format "gen" and w->source the description.  Returns 0, -EINVAL
 * (a bad configuration) or -ERANGE (the drawn times do not fit the trace's
 * 64-bit ns clock: rates too low or lifetimes too long), with a message
 * in err.
 */
int trace_gen_run(const struct trace_gen_config *c, struct sim_workload *w, char *err, size_t errlen);

#endif /* SLABSIM_TRACES_GEN_H */
