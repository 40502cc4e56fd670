/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * realslab.h - how the real allocator used its slabs, recovered from a
 * capture with real pointers, and the same figures for a replay.
 *
 * Slab usage figures (struct slabuse_fig) are computed the same way for
 * the capture and for a simulated replay (struct slabuse): every
 * allocation is attributed to a slab identity and a cpu; from those come
 * the distinct slabs allocated from, the slabs allocated from by two or
 * more cpus, and per cpu the allocations that came from another slab than
 * that cpu's previous allocation of the same cache (a proxy for the slow
 * path: SLUB's fast path allocates from the cpu slab, so a change of slab
 * means the slow path ran).  New and freed slabs and the peak come from
 * the slab events.
 *
 * The capture (realslab_compute): PAGE_OFFSET is inferred as in
 * preslab.h; an object's page frame is (pointer - PAGE_OFFSET) >> 12.
 * A page block that an mm_page_alloc of the trace allocated and objects
 * then land in is a new slab of the first cache whose object lands in it;
 * otherwise the object's slab is the block of pagesperslab pages (from the
 * snapshot) aligned to its size that holds it, a slab from before the
 * trace.  An mm_page_free of a slab's first page discards it.  Caches
 * whose objects share a slab are one slab set: the kernel merged them
 * (SLAB_MERGE_DEFAULT), or the trace named some of their objects from a
 * call site or a kmalloc size; they are reported as one merged group
 * named "a+b", never split by guess.  The slab count of a group is
 * checked against the snapshots: num_slabs after - before should equal
 * new - freed during the trace.
 *
 * Does not see: slabs allocated with a smaller order than the cache's
 * (order fallback) when they predate the trace; kmalloc-cg-N and
 * kmalloc-rcl-N, which the trace names kmalloc-N.
 */
#ifndef SLABSIM_TRACES_REALSLAB_H
#define SLABSIM_TRACES_REALSLAB_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/source.h"
#include "sim/u64map.h"
#include "sim/workload.h"
#include "traces/preslab.h"
#include "traces/slabinfo.h"

struct slabuse_fig {
	uint64_t allocs;		/* allocations attributed to a slab */
	uint64_t slabs_used;		/* distinct slabs allocated from */
	uint64_t slabs_new;		/* slabs allocated during the trace */
	uint64_t slabs_freed;		/* slabs given back during the trace */
	uint64_t slabs_start;		/* slabs at the start */
	uint64_t slabs_peak;		/* most slabs at once */
	uint64_t slabs_shared;		/* slabs allocated from by two or more cpus */
	uint64_t switches;		/* allocations from another slab than the cpu's previous one */
};

/* The accumulator, over groups 0 .. ngroups-1 (a group is a cache or merged caches). */
struct slabuse {
	unsigned ngroups, ncpus;
	struct u64map slab;		/* slab identity -> index in rec */
	struct slabuse_rec {
		uint32_t group;
		uint64_t cpus;		/* cpus that allocated from it (cpu % 64) */
	} *rec;
	size_t nrec, reccap;
	uint64_t *last;			/* [group * ncpus + cpu]: previous slab, UINT64_MAX none */
	struct slabuse_fig *fig;	/* [ngroups] */
	int64_t *live;			/* [ngroups]: slabs now */
	int64_t live_total, peak_total;
	uint64_t *cpu_switches;		/* [ncpus] */
};

void slabuse_init(struct slabuse *u, unsigned ngroups, unsigned ncpus);
void slabuse_fini(struct slabuse *u);
/* The group had start slabs when the trace began. */
void slabuse_start(struct slabuse *u, unsigned group, uint64_t start);
/* cpu allocated an object of group from slab (any identity unique while the slab lives). */
void slabuse_alloc(struct slabuse *u, unsigned group, unsigned cpu, uint64_t slab);
void slabuse_slab_new(struct slabuse *u, unsigned group);
/* The slab was discarded; its identity may be reused by a new slab. */
void slabuse_slab_freed(struct slabuse *u, unsigned group, uint64_t slab);
/* Forgets slab (if it was allocated from), uncounted: a later slab with its identity is another. */
void slabuse_forget(struct slabuse *u, uint64_t slab);
/* Sums every group into *total (peak: of the sum over time). */
void slabuse_total(const struct slabuse *u, struct slabuse_fig *total);

struct realslab_group {
	char name[256];			/* the cache, or "a+b+..." for a merged group */
	unsigned nmembers;
	bool in_snapshot;		/* a member has a row in the snapshot */
	uint32_t pagesperslab;		/* of its first member with a snapshot row (0 unknown) */
	uint64_t snap_before, snap_after;	/* num_slabs summed over members with a row */
	/*
	 * Frees of objects the trace never allocated, in slabs allocated
	 * during the trace: allocations it did not see (6.1 does not trace
	 * kmem_cache_alloc_bulk), which the replay cannot make either.
	 */
	uint64_t untraced_allocs;
	struct slabuse_fig fig;
};

struct realslab {
	struct trace_preslab base;	/* the inferred PAGE_OFFSET and how clear it was */
	unsigned ncpus;
	size_t ngroups;
	struct realslab_group *g;	/* by allocations, most first */
	uint32_t *group_of;		/* [trace cache id] -> group, UINT32_MAX for none */
	struct slabuse_fig total;
	uint64_t *cpu_switches;		/* [ncpus] */
	uint64_t unmapped;		/* allocations and frees with no real pointer under the base */
	uint64_t page_frees_other;	/* mm_page_free of pages that held no object seen */
	uint64_t disagreements;		/* groups whose snapshot delta != new - freed */
	uint64_t untraced_allocs;	/* summed over groups */
	/*
	 * [trace cache id * ncpus + cpu]: objects the cpu allocates in slabs
	 * from before the trace, at addresses the trace had not seen yet:
	 * objects that were free when it began (a lower bound;
	 * /proc/slabinfo cannot tell), by the cpu that took them.
	 */
	uint64_t *free_at_start;
};

/*
 * Recovers the real figures of w with the snapshots before and after
 * (after may be NULL).  Returns 0, or -ENODATA with a reason in err when
 * the pointers are hashed or the trace has no page events (no base).
 */
int realslab_compute(const struct sim_workload *w, const struct slabinfo_snap *before,
		     const struct slabinfo_snap *after, struct realslab *r, char *err, size_t errlen);
/*
 * The same over passes that need not hold the events (those of
 * traces/preslab, then two walks); also the negative errno of a pass that
 * could not read the trace, with its message in err.
 */
int realslab_compute_passes(struct sim_passes *p, const struct slabinfo_snap *before,
			    const struct slabinfo_snap *after, struct realslab *r, char *err, size_t errlen);
void realslab_fini(struct realslab *r);

#endif
