/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * summary.h - the end-of-run report `slabsim run` prints: totals, per lock
 * class, cache-line touches, memory, latency, per cpu, top caches, and the
 * consistency line.
 */
#ifndef SLABSIM_SUMMARY_H
#define SLABSIM_SUMMARY_H

#include <stdio.h>

#include "sim/runconfig.h"
#include "sim/stats.h"
#include "sim/workload.h"

struct summary_opts {
	unsigned top;		/* caches listed */
	bool per_cpu;		/* print the per-cpu table */
};

void summary_print(FILE *f, const struct sim_workload *w, const struct sim_run_config *cfg,
		   const struct sim_stats *st, const struct summary_opts *o);
/*
 * The comparison of n runs of one trace: a column per run (policy or
 * preset), a row per metric.
 */
void summary_compare(FILE *f, const struct sim_workload *w, const struct sim_run_config *cfg,
		     const struct sim_stats *const *st, unsigned n);
/* Mean of the total slab bytes over the memory samples. */
double summary_mean_slab_bytes(const struct sim_stats *st);
/* True when live objects, live bytes, page bytes and locks all balance. */
bool summary_is_consistent(const struct sim_stats *st);

#endif
