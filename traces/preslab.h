/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * preslab.h - which of a trace's objects lie in slabs that existed before
 * the trace began, told from real (unhashed) pointers.
 *
 * An object's page frame is (pointer - PAGE_OFFSET) >> 12.  PAGE_OFFSET,
 * the direct map's base, is randomised per boot in 1 GiB steps; it is
 * inferred from the trace itself: candidates come from allocations that
 * follow an mm_page_alloc on the same cpu ((pointer - (pfn << 12)) rounded
 * down to 1 GiB, and the neighbouring steps), and the candidate under which
 * most allocations fall in pages the trace allocates wins.  An object
 * whose frame lies in no page block the trace allocated before it comes
 * from a slab that predates the capture.
 * Does not work on hashed pointers (%p without no_hash_pointers), nor
 * without mm_page_alloc events: then known is false.
 */
#ifndef SLABSIM_TRACES_PRESLAB_H
#define SLABSIM_TRACES_PRESLAB_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/source.h"
#include "sim/workload.h"

struct trace_preslab {
	bool known;			/* PAGE_OFFSET was inferred */
	uint64_t page_offset;		/* the inferred direct-map base */
	uint64_t votes;			/* allocations right after a page allocation (candidates) */
	uint64_t votes_for;		/* allocations in trace-allocated pages under the winner */
	uint64_t runner_up;		/* the same under the best other candidate (0: none) */
	uint64_t runner_up_base;	/* that candidate */
	uint64_t objects;		/* slab allocations classified (not large kmallocs) */
	uint64_t in_old_slabs;		/* in a page the trace never allocated before them */
	uint64_t in_new_slabs;		/* in a page block the trace allocated before them */
};

void trace_preslab_compute(const struct sim_workload *w, struct trace_preslab *p);
/*
 * The same over passes that need not hold the events (three passes; memory
 * follows the pages the trace allocates).  0, or the negative errno of a
 * pass that could not read the trace, its message in err and *p zeroed.
 */
int trace_preslab_compute_passes(struct sim_passes *ps, struct trace_preslab *p, char *err, size_t errlen);

#endif
