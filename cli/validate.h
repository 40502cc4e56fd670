/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * validate.h - `slabsim validate`: the real allocator's slab usage in a
 * capture against a replay of the same trace on slub configured as the
 * captured kernel (6.1 classic SLUB: mode=classic, cpu_partial and
 * min_partial as 6.1 sets them by object size, each cache's slab order
 * from the snapshot's pagesperslab, warm start from the snapshot before
 * the trace with at least the free objects the capture shows were free
 * when it began (slabinfo counts those in cpu slabs as active), one
 * simulated cpu per trace cpu).
 *
 * The simulated figures are computed by the same accumulator as the real
 * ones (struct slabuse, traces/realslab.h), over the real groups: a
 * simulated object's slab is its address's aligned block of the cache's
 * slab size.  New and freed slabs come from slub's alloc_slab and
 * free_slab counters, the start and peak from its slabs gauge; for a
 * merged group the peak is the sum of its caches' peaks.
 */
#ifndef SLABSIM_CLI_VALIDATE_H
#define SLABSIM_CLI_VALIDATE_H

#include <stdio.h>

#include "sim/workload.h"
#include "traces/realslab.h"
#include "traces/slabinfo.h"

struct validation {
	struct realslab real;
	struct slabuse_fig *sim;	/* [real.ngroups] */
	struct slabuse_fig sim_total;
	uint64_t *sim_cpu_switches;	/* [real.ncpus] */
	unsigned cpus;
	uint64_t seed;
	char policy[128];		/* "slub mode=classic ..." as replayed */
	char summary[512];		/* the one-line agreement summary */
};

/*
 * Computes both sides for w (loaded, not reshaped) and the snapshot file
 * slabinfo; w gets the snapshot's slab orders, and what the warm-started
 * replay made of it (objects, digest).  0, or a negative errno with
 * "file: ..." in err.
 */
int validation_compute(struct sim_workload *w, const char *slabinfo, uint64_t seed, struct validation *v,
		       char *err, size_t errlen);
/*
 * The same over passes of a trace (sim/source.h) whose header w is
 * (p->w, writable here): the capture is read several times and never held.
 */
int validation_compute_passes(struct sim_passes *p, struct sim_workload *w, const char *slabinfo, uint64_t seed,
			      struct validation *v, char *err, size_t errlen);
void validation_fini(struct validation *v);

enum validation_format { VALIDATION_TEXT, VALIDATION_CSV, VALIDATION_JSON };

/*
 * Prints the comparison; only groups with a member named in only
 * (comma-separated cache names; NULL for all), the total always.
 */
void validation_print(FILE *f, const struct validation *v, enum validation_format fmt, const char *only);

/* The figure names, in struct slabuse_fig order. */
#define VALIDATION_NFIG 8
extern const char *const validation_fig_name[VALIDATION_NFIG];
/* The i-th figure of f. */
uint64_t validation_fig(const struct slabuse_fig *f, unsigned i);

#endif
