/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runconfig.h - the configuration of one run: machine, timing, costs, seed,
 * and the policy with its parameters.  A run is a pure function of
 * (workload, sim_run_config); sim_run_config_text() renders it canonically
 * and its digest identifies the configuration in the database.
 */
#ifndef SLABSIM_RUNCONFIG_H
#define SLABSIM_RUNCONFIG_H

#include "sim/cost.h"

enum sim_timing {
	SIM_TIMING_TRACE = 0,	/* honour trace timestamps, scaled by time_scale */
	SIM_TIMING_CLOSED = 1,	/* each cpu issues its next op when the last one ends */
};

enum sim_cpu_map {
	SIM_MAP_FOLD = 0,	/* trace cpu t runs on simulated cpu t % ncpus */
	SIM_MAP_SPREAD = 1,	/* trace cpu t runs on cpu t * ncpus / trace_cpus */
};

#define SIM_MAX_PARAMS 16

/*
 * Default of sample_max: a series of 4096 to 8192 instants, enough for any
 * plot, bounds the series' memory (72 bytes per row, a row per cache with
 * memory and a total at each instant) whatever the trace's length.
 */
#define SIM_SAMPLE_MAX_DEFAULT 8192

struct sim_machine_config {
	unsigned ncpus;			/* simulated cpus (1 .. SIM_MAX_CPUS) */
	unsigned nnodes;		/* NUMA nodes; cpus split into equal consecutive blocks */
	double ghz;			/* cycles per ns */
	unsigned cache_kb;		/* private cache per cpu, KiB */
	unsigned cache_ways;		/* its associativity */
	unsigned touch_lines;		/* lines of an object the workload touches */
	enum sim_timing timing;
	enum sim_cpu_map map;
	double time_scale;		/* trace time is divided by this */
	uint64_t sample_ns;		/* memory sampler period, simulated ns */
	/*
	 * Most sample instants the memory series keeps (0: every one): on
	 * reaching it, every other instant is dropped and the period doubles.
	 */
	unsigned sample_max;
	unsigned pcp_batch, pcp_high;	/* per-cpu page lists */
	uint64_t seed;			/* the run's GSL RNG seed */
	uint64_t warmup_events;		/* replayed, then every statistic restarts (0: none) */
	uint64_t warmup_ns;		/* the same by simulated time (0: none) */
	struct sim_cost_table cost;
};

struct sim_run_config {
	struct sim_machine_config mach;
	char policy[32];		/* policy name */
	char preset[32];		/* preset it came from, "" if none */
	unsigned nparams;
	char param_name[SIM_MAX_PARAMS][32];
	long param_value[SIM_MAX_PARAMS];	/* resolved value ("auto" resolves per cache) */
	bool param_auto[SIM_MAX_PARAMS];	/* true: kernel default by object size */
};

void sim_machine_config_defaults(struct sim_machine_config *c);
/* Returns 0 or -EINVAL with a static reason in *why. */
int sim_machine_config_check(const struct sim_machine_config *c, const char **why);

/*
 * Writes the canonical text of a configuration (one "key=value" per line,
 * fixed order, the trace digest first) into buf; returns its length.  Two
 * runs with equal text are the same configuration.
 */
size_t sim_run_config_text(const struct sim_run_config *c, uint64_t trace_digest,
			   char *buf, size_t len);
/* FNV-1a 64 of the canonical text, as 16 hex digits in out[17]. */
void sim_run_config_digest(const struct sim_run_config *c, uint64_t trace_digest, char out[17]);

#endif
