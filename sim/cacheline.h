/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cacheline.h - the coherence model: which cpus hold which 64-byte lines,
 * and what each access costs.
 *
 * Models: a MESI-like directory protocol (one exclusive/modified owner or
 * a set of sharers per line) over a finite, set-associative, LRU private
 * cache per cpu.  A read miss is served by another cpu's cache when one
 * holds the line (a transfer, same node or cross node), else by memory
 * of the line's home node (local or remote).  A write needs exclusive
 * ownership: other copies are invalidated, the data comes from the owner or
 * a sharer if there is one.  The first reader of an unshared line gets it
 * exclusive (E), so its own later write is a hit.  Evicting a line from a
 * private cache drops that cpu from the directory.
 * Does not model: a shared last-level cache, write-back traffic, false
 * sharing within a line beyond what the layout implies, hardware
 * prefetch, directory capacity.
 */
#ifndef SLABSIM_CACHELINE_H
#define SLABSIM_CACHELINE_H

#include "sim/cost.h"
#include "sim/stats.h"

enum cl_kind { CL_READ = 0, CL_WRITE = 1, CL_ATOMIC = 2 };

/* How one access was served. */
enum cl_outcome {
	CL_HIT = 0,
	CL_MEM_LOCAL,
	CL_MEM_REMOTE,
	CL_XFER_LOCAL,
	CL_XFER_REMOTE,
	CL_UPGRADE,		/* write to a shared copy: others invalidated, no data moved */
	CL_UPGRADE_REMOTE,	/* the same with a copy on another node */
};

struct coherence;

/*
 * Creates the model for ncpus cpus; cpu_node[cpu] gives each cpu's node
 * (copied).  Each private cache holds cache_kb KiB in ways-way sets; the
 * caller has checked the geometry (sim_machine_config_check).
 */
struct coherence *coherence_create(unsigned ncpus, const unsigned *cpu_node,
				   unsigned cache_kb, unsigned ways,
				   const struct sim_cost_table *cost);
void coherence_destroy(struct coherence *c);

/*
 * One access by cpu to the line holding addr at time now (cycles).
 * Returns its cost in cycles and adds it to both stat records (either may
 * be NULL).  *outcome, if not NULL, says how it was served.
 */
sim_cycles_t cacheline_access(struct coherence *c, unsigned cpu, sim_addr_t addr,
			      enum cl_kind kind, sim_cycles_t now,
			      struct sim_touch_stat *t1, struct sim_touch_stat *t2,
			      enum cl_outcome *outcome);

/* True when a cpu other than cpu wrote the line after time since. */
bool cacheline_written_by_other_since(const struct coherence *c, unsigned cpu,
				      sim_addr_t addr, sim_cycles_t since);

/* Whether cpu holds the line (any state), and how many cpus do. */
bool cacheline_is_held(const struct coherence *c, unsigned cpu, sim_addr_t addr);
unsigned cacheline_holders(const struct coherence *c, sim_addr_t addr);

/* Directory and private caches agree (every holder caches the line). */
bool coherence_is_valid(const struct coherence *c);

#endif
