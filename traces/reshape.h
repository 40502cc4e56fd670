/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reshape.h - what-if transformations of a loaded trace: keep a time
 * window or some caches, compress or stretch time, fold or spread the cpus,
 * and replicate the per-cpu streams onto further cpus with disjoint
 * objects, so that a capture from a small machine asks what a large one
 * would do with the same per-cpu load.
 *
 * Every transformation keeps the workload valid: objects are renumbered
 * densely, a FREE whose ALLOC fell outside a window or a cache filter
 * becomes an unmatched free (counted, skipped by the replay), the
 * event-derived anomaly counts are recomputed, the digest is updated, and
 * w->source records what was done (e.g. "x.trace.xz [replicate 16]").
 */
#ifndef SLABSIM_TRACES_RESHAPE_H
#define SLABSIM_TRACES_RESHAPE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/source.h"
#include "sim/workload.h"

struct trace_reshape {
	uint64_t window_start_ns, window_end_ns;	/* end 0: no window */
	const char *caches;		/* comma-separated cache names, NULL: all */
	double time_scale;		/* trace time divided by this; 0 or 1: unchanged */
	unsigned cpus;			/* 0: unchanged; else fold or spread onto this many */
	bool spread;			/* spread (t * cpus / T) rather than fold (t % cpus) */
	unsigned replicate;		/* 0 or 1: unchanged; K: K copies of every cpu's stream */
};

/*
 * Applies r to w in this order: caches, window, time scale, cpu mapping,
 * replication.  Returns 0, or -EINVAL with a message in err (an unknown
 * cache name, an empty window, more than 65535 cpus, a result with no
 * events to replay).
 */
int trace_reshape_apply(struct sim_workload *w, const struct trace_reshape *r, char *err, size_t errlen);

/*
 * The same transformations applied to the events of a source as they
 * pass, with the same result event for event (same object ids, flags,
 * anomaly counts, digest and w->source), memory holding only the objects
 * live across a filter.  w is in->w (the trace's header, e.g. from
 * trace_native_source_open()), the caller's, and is changed in place: at
 * open its cpus,
 * nobjs (unless a filter keeps only some objects), anomalies (if no
 * filter) and source; at the end its nobjs, anomalies, digest and
 * w->stream.  Replicating after a cache or window filter offsets object
 * ids by the number of objects the filters keep, which is known only at
 * the end: pass it as kept_nobjs, from an earlier pass over the same
 * trace with replicate 1 (w->nobjs after it); it is ignored otherwise.
 * Errors at open as trace_reshape_apply() (NULL, message in err); a
 * result with nothing to replay shows as a replay with nothing to replay.
 */
struct trace_reshape_source;
struct trace_reshape_source *trace_reshape_source_open(struct sim_source *in, struct sim_workload *w,
						       const struct trace_reshape *r, uint32_t kept_nobjs,
						       char *err, size_t errlen);
struct sim_source *trace_reshape_source_get(struct trace_reshape_source *s);
void trace_reshape_source_close(struct trace_reshape_source *s);
/* Whether r keeps only some events (caches or window): see kept_nobjs above. */
bool trace_reshape_filters(const struct trace_reshape *r);
/*
 * After reshaping w (in memory, or streamed to its end): -EINVAL with
 * "SOURCE: nothing left to replay after reshaping" in err when no event
 * is left to replay, else 0.
 */
int trace_reshape_check_left(const struct sim_workload *w, char *err, size_t errlen);
/* Whether r changes anything at all. */
bool trace_reshape_any(const struct trace_reshape *r);

/*
 * A native file reshaped as it is read: the stages of one pass, the
 * reshape left out when r changes nothing.  open fills w (freshly
 * sim_workload_init()ed by the caller, finalized after close) as the
 * stages do, and returns the pass's source, or NULL with the file's or
 * the reshape's message in err; close ends the pass (f may then be
 * opened again).
 */
struct trace_native_source;
struct trace_reshape_file {
	struct trace_native_source *ns;
	struct trace_reshape_source *rs;
};

struct sim_source *trace_reshape_file_open(struct trace_reshape_file *f, const char *path,
					   const struct trace_reshape *r, uint32_t kept_nobjs,
					   struct sim_workload *w, char *err, size_t errlen);
struct sim_source *trace_reshape_file_source(struct trace_reshape_file *f);
void trace_reshape_file_close(struct trace_reshape_file *f);
/*
 * The kept_nobjs a pass of path reshaped by r needs: when r both filters
 * and replicates, the objects the filters keep, counted by a pass that
 * does not replicate; else 0 without reading.  0, or the pass's error.
 */
int trace_reshape_file_kept(const char *path, const struct trace_reshape *r, uint32_t *kept_nobjs,
			    char *err, size_t errlen);

/*
 * Parses "START,END" with each bound in seconds ("2.5"), or with a unit
 * suffix ns, us, ms, s ("1500ms"); END may be empty for the end of the
 * trace.  Returns 0 or -EINVAL.
 */
int trace_reshape_parse_window(const char *s, uint64_t *start_ns, uint64_t *end_ns);

#endif
