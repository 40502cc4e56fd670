/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * initstate.h - warm start from a /proc/slabinfo snapshot: a captured
 * kernel never starts empty, so a replay can begin where it was.
 *
 * For every cache of the trace that the snapshot lists, a prefix of
 * synthetic events is put before the trace at time 0: num_objs
 * allocations, objperslab at a time on each of the trace's cpus in turn
 * (so they fill num_slabs slabs), then frees (each on the cpu that
 * allocated the object) of num_objs - active_objs of them
 * chosen by the run's seed, so that the policy builds the slabs and lists
 * it would have, with active_objs objects in use.  A FREE of the trace
 * whose pointer was never allocated in it (an object from before the
 * capture) is given one of those pre-existing objects of its cache while
 * any is left, so it is replayed instead of skipped.  The prefix is meant
 * to be replayed as a warm-up (the caller sets warmup_events to its length).
 *
 * The snapshot is /proc/slabinfo "version: 2.1" text; when the file holds
 * several snapshots (as the bundled W.slabinfo.txt files do, "### ...
 * before" then "after"), the first one is used.
 * Does not model: which cpu or node the real objects sat on, cpu slabs and
 * per-cpu partial slabs of the real kernel (the policy builds its own).
 */
#ifndef SLABSIM_TRACES_INITSTATE_H
#define SLABSIM_TRACES_INITSTATE_H

#include <stdint.h>

#include "sim/source.h"
#include "sim/workload.h"

struct trace_initstate_result {
	uint64_t prefix_events;		/* synthetic events put before the trace */
	uint64_t caches;		/* caches of the trace found in the snapshot */
	uint64_t objects;		/* objects allocated by the prefix */
	uint64_t matched_frees;		/* unmatched frees of the trace given a pre-existing object */
};

/*
 * Prepends the warm-start prefix for slabinfo_path to w (seeded by seed).
 * Returns 0, or a negative errno with "FILE:LINE: ..." in err for a
 * missing or malformed snapshot.
 */
int trace_initstate_apply(struct sim_workload *w, const char *slabinfo_path, uint64_t seed,
			  struct trace_initstate_result *res, char *err, size_t errlen);

/*
 * The same, with at least as many objects of each cache free at the
 * start as min_free[cache id * w->ncpus + cpu] summed over the cpus (NULL:
 * the snapshot's num_objs - active_objs).  SLUB's /proc/slabinfo counts
 * the free objects of cpu slabs and cpu partial slabs as active
 * (get_slabinfo() subtracts only those on node partial lists), so a
 * capture can show more free objects than the snapshot
 * (traces/realslab.h, free_at_start); the extra ones are shared out over
 * the cpus in proportion to min_free and freed in the slabs each cpu
 * allocated last, its cpu slab first.
 */
int trace_initstate_apply_ex(struct sim_workload *w, const char *slabinfo_path, uint64_t seed,
			     const uint64_t *min_free, struct trace_initstate_result *res, char *err, size_t errlen);

/*
 * The same warm start on the way from a source (sim/source.h): yields the
 * prefix, then in's events with their objects shifted and unmatched frees
 * given pre-existing objects, the events trace_initstate_apply() would
 * leave in w, in the same order.  w is the trace without its events (the
 * source's); open adds the prefix's objects to w->nobjs and names the
 * snapshot in w->source, and the end of the events sets its digest, its
 * unmatched-free count and its stream counts.  min_free as for
 * trace_initstate_apply_ex() (NULL: the snapshot's free objects).  NULL
 * with "FILE:LINE: ..." in err for a missing or malformed snapshot.  The
 * result's matched_frees is final at the end of the events.
 */
struct trace_initstate_source;
struct trace_initstate_source *trace_initstate_source_open(struct sim_source *in, struct sim_workload *w,
							   const char *slabinfo_path, uint64_t seed,
							   const uint64_t *min_free, char *err, size_t errlen);
struct sim_source *trace_initstate_source_get(struct trace_initstate_source *s);
const struct trace_initstate_result *trace_initstate_source_result(const struct trace_initstate_source *s);
void trace_initstate_source_close(struct trace_initstate_source *s);

#endif
