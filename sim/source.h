/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * source.h - where a replay gets its events: a pull interface that yields
 * a trace's events in trace order, one at a time, so that a replay holds
 * only what it has read ahead and not the whole trace.  The source over a
 * workload in memory is here; traces/ provides the one over a native file
 * (traces/native.h) and reshaping stages over any source
 * (traces/reshape.h).
 */
#ifndef SLABSIM_SOURCE_H
#define SLABSIM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/workload.h"

struct sim_source {
	/*
	 * The trace without its events: names, sizes, cpus, nobjs.  Its ev
	 * is never read.  The counts that follow from the events (anomalies
	 * of a reshaped trace, the digest, sim_workload_stream) may be final
	 * only once next() has returned 0.
	 */
	const struct sim_workload *w;
	/* replayable events it yields, or an upper bound (for progress); 0 if unknown */
	uint64_t total;
	/*
	 * 1 with the next event in *e, 0 at the end (and on every later
	 * call), or a negative errno with a one-line message naming the
	 * file in err.
	 */
	int (*next)(struct sim_source *s, struct sim_event *e, char *err, size_t errlen);
	void *priv;
};

/* A source over the events of w in memory; w must outlive it.  Nothing to free. */
struct sim_source_mem {
	struct sim_source src;
	size_t i;
};

void sim_source_mem_init(struct sim_source_mem *m, const struct sim_workload *w);

/*
 * Reads s to its end (an error stops it); 0 or the negative errno with
 * its message in err.  For a caller that needs what a source knows only
 * at the end (a reshaped trace's digest) before replaying it again.
 */
int sim_source_drain(struct sim_source *s, char *err, size_t errlen);

/*
 * A trace read from its start once per pass, for an analysis that needs
 * more than one pass and must not hold the events (trace stats): each pass
 * opens a source, reads it to its end and closes it.  Over a workload in
 * memory a pass is a loop over its events; over a native file
 * (traces/native.h) each pass reads the file again.
 */
struct sim_passes {
	const struct sim_workload *w;	/* the trace without its events, as sim_source.w */
	struct sim_source *(*open)(struct sim_passes *p, char *err, size_t errlen);
	void (*close)(struct sim_passes *p);
	void *priv;
	unsigned npasses;		/* passes begun */
};

/*
 * One pass: visit(ctx, e) for every event, in trace order (visit NULL:
 * just read it through).  0, or the source's negative errno with its
 * message (naming the file) in err.
 */
int sim_passes_walk(struct sim_passes *p, void (*visit)(void *ctx, const struct sim_event *e), void *ctx,
		    char *err, size_t errlen);

/* Passes over the events of w in memory; w must outlive them.  Nothing to free. */
struct sim_passes_mem {
	struct sim_passes p;
	struct sim_source_mem m;
};

void sim_passes_mem_init(struct sim_passes_mem *pm, const struct sim_workload *w);

#endif
