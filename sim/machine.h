/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * machine.h - the simulated machine: cpus with their clocks, NUMA nodes,
 * the coherence model, the page allocator, the run's statistics and RNG,
 * and the functions through which a policy touches memory, takes locks,
 * gets pages and counts.  A policy sees the machine only through these,
 * so none of its costs can be left out.
 *
 * Models: cpus split into nnodes equal blocks of consecutive numbers; a
 * clock per cpu in cycles; an operation (struct sim_op) that runs on one
 * cpu from a start time, its clock advanced by each access, lock wait and
 * piece of work.  Does not model: instruction execution besides the fixed
 * op_base cost, interrupts and preemption (context only changes what a
 * policy chooses to do), frequency differences between cpus.
 */
#ifndef SLABSIM_MACHINE_H
#define SLABSIM_MACHINE_H

#include <gsl/gsl_rng.h>

#include "sim/cacheline.h"
#include "sim/event.h"
#include "sim/lock.h"
#include "sim/runconfig.h"
#include "sim/stats.h"

struct pagealloc;
struct sim_workload;

struct sim_cpu {
	sim_cycles_t clock;	/* when its last operation ended */
	unsigned node;
};

struct machine {
	struct sim_machine_config cfg;
	unsigned ncpus, nnodes;
	unsigned *cpu_node;		/* [ncpus] */
	struct sim_cpu *cpu;		/* [ncpus] */
	struct coherence *coh;
	struct pagealloc *pages;
	struct sim_stats *stats;
	const struct sim_workload *w;	/* cache names and sizes */
	unsigned ncaches;		/* the trace's caches, then the policy's own */
	unsigned ntrace_caches;		/* ids below this are the trace's */
	char **extra_name;		/* [ncaches - ntrace_caches]: caches a policy registered */
	uint32_t *extra_size;
	gsl_rng *rng;			/* the run's one RNG (type and seed recorded) */
	sim_addr_t struct_brk[SIM_MAX_NODES];	/* bump allocator of SIM_REGION_STRUCT */
	uint64_t locks_held;		/* locks held right now (0 between ops) */
	/* observer of every block of pages given back (sim_replay_opts.on_page_free), or NULL */
	void (*page_free_hook)(void *arg, sim_addr_t addr, unsigned order);
	void *page_free_arg;
};

/*
 * One operation in progress on one cpu.  cpu, cache and origin change only
 * through sim_op_set_cpu(), sim_op_set_cache() and sim_op_set_origin(),
 * which keep pc, tcpu and tcache on the cache and statistics they select.
 */
struct sim_op {
	struct machine *m;
	unsigned cpu, node;		/* executing cpu and its node */
	unsigned cache;			/* cache the work is attributed to */
	int want_node;			/* node requested by the caller, SIM_NO_NODE if none */
	enum sim_ctx ctx;
	enum sim_origin origin;
	sim_cycles_t start, now;	/* start time and running clock, cycles */
	struct coherence *coh;		/* m->coh */
	struct pcache *pc;		/* cpu's private cache */
	struct sim_touch_stat *tcpu;	/* where accesses are counted: (cpu, origin) */
	struct sim_touch_stat *tcache;	/* and (cache, origin) */
};

/* Creates a machine for w's caches; cfg must have passed sim_machine_config_check(). */
struct machine *machine_create(const struct sim_machine_config *cfg, const struct sim_workload *w);
void machine_destroy(struct machine *m);

/* Starts an operation of cpu at time start (cycles), attributed to cache. */
void machine_op_begin(struct machine *m, struct sim_op *op, unsigned cpu, unsigned cache,
		      sim_cycles_t start);

/* The operation's accesses count for these from now on. */
static inline void sim_op_set_cpu(struct sim_op *op, unsigned cpu)
{
	op->cpu = cpu;
	op->pc = coherence_pcache(op->coh, cpu);
	op->tcpu = sim_stats_touch_cpu(op->m->stats, cpu, op->origin);
}

static inline void sim_op_set_cache(struct sim_op *op, unsigned cache)
{
	op->cache = cache;
	op->tcache = sim_stats_touch_cache(op->m->stats, cache, op->origin);
}

static inline void sim_op_set_origin(struct sim_op *op, enum sim_origin origin)
{
	/* the origin is the last index of both arrays: the same cpu's and cache's records lie side by side */
	op->tcpu += (int)origin - (int)op->origin;
	op->tcache += (int)origin - (int)op->origin;
	op->origin = origin;
}

/*
 * Allocates bytes of allocator structure memory on node, aligned to align
 * (a power of two; use SIM_LINE_BYTES to give a structure lines of its own).
 */
sim_addr_t machine_struct_alloc(struct machine *m, unsigned node, size_t bytes, size_t align);

/*
 * Registers a cache of the policy's own (e.g. llcache's list elements) and
 * returns its id, after the trace's.  Only from a policy's create(), before
 * anything is counted.
 */
unsigned machine_cache_register(struct machine *m, const char *name, uint32_t size);

/* Object size of a cache (the trace's bytes_alloc). */
uint32_t machine_cache_size(const struct machine *m, unsigned cache);
/* Slab order the traced kernel used for a cache (sim_workload.cache_order), -1 if unknown. */
int machine_cache_order(const struct machine *m, unsigned cache);
const char *machine_cache_name(const struct machine *m, unsigned cache);

/* --- what an operation does -------------------------------------------- */

/*
 * One access by the operation to addr's line, its cost added to op->now and
 * its outcome counted in the touch statistics of the operation's cpu and
 * cache.  Inline, so that a policy's accesses that hit (most) cost a few
 * instructions in place; everything else is cacheline_access_slow().
 */
static inline __attribute__((always_inline)) void sim_access(struct sim_op *op, sim_addr_t addr,
							      enum cl_kind kind)
{
	struct sim_touch_stat *t1 = op->tcpu, *t2 = op->tcache;

	if (!t1 || !t2)
		__builtin_unreachable();	/* elements of the run's arrays: the hit path need not test them */
	op->now += cacheline_access_pc(op->coh, op->pc, op->cpu, addr, kind, op->now, t1, t2, NULL);
}
/* The same for each kind. */
static inline __attribute__((always_inline)) void sim_read(struct sim_op *op, sim_addr_t addr)
{
	sim_access(op, addr, CL_READ);
}
static inline __attribute__((always_inline)) void sim_write(struct sim_op *op, sim_addr_t addr)
{
	sim_access(op, addr, CL_WRITE);
}
static inline __attribute__((always_inline)) void sim_atomic(struct sim_op *op, sim_addr_t addr)
{
	sim_access(op, addr, CL_ATOMIC);
}
/*
 * A compare-and-swap on addr's line: if another cpu wrote the line during
 * this operation (after op->start), the first attempt fails and is retried,
 * paying the access again; the retry is counted in the touch statistics
 * and, if retry_counter is not SIM_CNT_COUNT, under that counter.
 * Returns the number of retries (0 or 1).
 */
unsigned sim_cmpxchg(struct sim_op *op, sim_addr_t addr, enum sim_counter retry_counter);
/* Cycles of work that touches no modelled line. */
static inline void sim_work(struct sim_op *op, sim_cycles_t cycles)
{
	op->now += cycles;
}
static inline void sim_count(struct sim_op *op, enum sim_counter c)
{
	sim_stats_count(op->m->stats, op->cpu, op->cache, c, 1);
}
static inline void sim_count_n(struct sim_op *op, enum sim_counter c, uint64_t n)
{
	sim_stats_count(op->m->stats, op->cpu, op->cache, c, n);
}
static inline void sim_gauge_add(struct sim_op *op, enum sim_gauge_id g, int64_t delta)
{
	sim_stats_gauge_add(op->m->stats, op->cache, g, delta);
}

/*
 * Pages: a block of 2^order pages on node (SIM_NO_NODE: the cpu's node),
 * through the per-cpu lists and the zone lock as the page allocator model
 * does it.  Returns the block's address in SIM_REGION_PAGES; never fails
 * (simulated memory is unbounded).
 */
sim_addr_t sim_page_alloc(struct sim_op *op, unsigned order, int node);
void sim_page_free(struct sim_op *op, sim_addr_t addr, unsigned order);
/* struct page of the page holding addr (SIM_REGION_MEMMAP). */
static inline sim_addr_t sim_page_struct(sim_addr_t addr)
{
	return sim_addr_make(SIM_REGION_MEMMAP, sim_addr_node(addr),
			     (sim_addr_offset(addr) >> SIM_PAGE_SHIFT) * SIM_STRUCT_PAGE_BYTES);
}

#endif
