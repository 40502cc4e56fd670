/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.h - the replay loop: a workload replayed against a policy on a
 * simulated machine.
 *
 * Semantics (DESIGN.md "The machine"):
 * - Trace cpus map onto simulated cpus (fold: t % ncpus, or spread).
 * - An operation of event e on cpu c starts at max(scaled t_ns(e), end of
 *   c's previous operation) (--timing trace) or at the end of c's previous
 *   operation (--timing closed), and runs to completion as one step.
 *   Events wait in one queue keyed by (start, cpu, insertion order).
 * - A FREE never starts before its ALLOC completed: the freeing cpu waits,
 *   and the wait is recorded as dependency stall, not as allocator cost.
 * - The allocating cpu writes the first touch_lines lines of a new object
 *   after the ALLOC returns; the freeing cpu reads them before the FREE.
 *   Those are workload touches, outside the operation's latency.
 * - kmalloc above the largest kmalloc cache goes to the page allocator.
 * - A warm-up of warmup_events events ends at one point of simulated time:
 *   no cpu starts a later event before all of them are done.
 * - Periodic work (the policy's timer, per cpu) and the memory sampler are
 *   events in the same queue; they run while any cpu has events left.
 *
 * Memory: events come from a source (sim/source.h) in trace order and
 * wait in a FIFO per simulated cpu; a cpu whose FIFO is empty reads the
 * source, queuing the events of other cpus, until one of its own comes.
 * How far that reads ahead depends on the trace and the timing (a cpu
 * idle for a long stretch, or slower in simulated time under --timing
 * closed, makes the others' events wait): beyond a budget they wait in a
 * temporary file (sim/pending.h; stats->pending_* say how many).  Objects
 * live in a table of those allocated and not yet freed (sim/objtab.h).
 * Neither grows with the length of the trace.
 */
#ifndef SLABSIM_REPLAY_H
#define SLABSIM_REPLAY_H

#include "sim/policy.h"
#include "sim/source.h"
#include "sim/workload.h"

struct sim_replay_opts {
	bool verify;		/* check that no address is live twice, and the policy's invariants at the end */
	bool bare;		/* benchmark baseline: walk the events and the oid map, no model */
	bool drain_at_end;	/* after the run, call the policy's drain() on cpu 0 (tests) */
	/* events read ahead kept in memory before the rest waits on disk (sim/pending.h); 0: default */
	size_t pending_budget;
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
	/*
	 * Called after every successful ALLOC with the event (a copy, valid
	 * during the call), the simulated
	 * cpu, the address the policy handed out and whether the run records
	 * (false during a warm-up); NULL (the default) costs nothing.
	 */
	void (*on_alloc)(void *arg, const struct sim_event *e, unsigned cpu, sim_addr_t obj, bool recorded);
	void *on_alloc_arg;
	/*
	 * Called whenever a block of 2^order pages at addr goes back to the
	 * page allocator (a discarded slab, a large kmalloc's pages): the
	 * simulated mm_page_free.  Gets on_alloc_arg.  NULL: nothing is called.
	 */
	void (*on_page_free)(void *arg, sim_addr_t addr, unsigned order);
};

/*
 * Replays w against ops with parameters pv on the machine of cfg.  On
 * success returns 0 and the run's statistics in *out (caller destroys).
 * Errors: -EINVAL for a bad configuration, -EPROTO when verification found
 * an inconsistency (message in err), -ENODATA when w has nothing to replay.
 */
int sim_replay(const struct sim_workload *w, const struct sim_run_config *cfg,
	       const struct sim_policy_ops *ops, const struct sim_param_values *pv,
	       const struct sim_replay_opts *opts, struct sim_stats **out,
	       char *err, size_t errlen);

/*
 * The same with the events read from src (its w gives the names, sizes
 * and trace cpus) until it ends.  Errors as sim_replay(), plus the
 * source's (a truncated or damaged file: its message, no statistics); a
 * replay that fails before the source's end reads the source on, so that
 * a damaged file is blamed rather than what its events did.  -ENODATA
 * when the source yields nothing to replay.
 */
int sim_replay_source(struct sim_source *src, const struct sim_run_config *cfg,
		      const struct sim_policy_ops *ops, const struct sim_param_values *pv,
		      const struct sim_replay_opts *opts, struct sim_stats **out,
		      char *err, size_t errlen);

/* The simulated cpu a trace cpu runs on. */
unsigned sim_replay_map_cpu(const struct sim_machine_config *c, unsigned trace_cpu, unsigned trace_ncpus);

#endif
