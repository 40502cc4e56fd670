/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cost.h - the cost table: cycles charged for each kind of memory access
 * and for the work an allocator call does besides memory accesses.
 *
 * Models: a two-level view of a cache-coherent multiprocessor, a private
 * cache per cpu (L1+L2 folded) in front of memory and of the other cpus'
 * caches.  Does not model: a shared last-level cache (a miss that another
 * cpu's cache can serve is a transfer, any other miss goes to memory),
 * prefetching, memory bandwidth limits, store buffers.
 *
 * The defaults are round figures of the order published for recent x86
 * servers; they are inputs, printed by `slabsim policies --costs`, stored
 * with every run and settable with --cost NAME=CYCLES.  Sources:
 *   hit          a few cycles: L1 4-5, L2 about 14 cycles (Drepper, "What
 *                Every Programmer Should Know About Memory", 2007, table 3.2
 *                gives L1d ~3, L2 ~14 on the measured machine);
 *   mem_local    Drepper measured ~240 cycles to main memory; 200 is used;
 *   mem_remote   one QPI/UPI hop adds roughly half again: 320;
 *   xfer_local   a modified line from another core of the same socket
 *                (HITM) costs about as much as an LLC miss served on chip,
 *                of the order of 100 cycles: 120;
 *   xfer_remote  a modified line from the other socket: 300;
 *   atomic       lock-prefixed read-modify-write surcharge: 20 (an
 *                uncontended lock cmpxchg costs ~20 cycles on Intel cores);
 *   op_base      instructions of an allocator call outside the accesses
 *                modelled: 10;
 *   page_op      buddy allocator list work per block, besides its lines: 50.
 * Calibrate against a machine of interest before trusting absolute cycles;
 * comparisons between policies on one cost table are what slabsim is for.
 */
#ifndef SLABSIM_COST_H
#define SLABSIM_COST_H

#include "sim/sim.h"

#define SIM_COST_LIST(X)                                                              \
	X(hit,         4,   "access served by the cpu's private cache")              \
	X(mem_local,   200, "miss served by memory of the cpu's own node")           \
	X(mem_remote,  320, "miss served by memory of another node")                 \
	X(xfer_local,  120, "line transferred from another cpu's cache, same node")  \
	X(xfer_remote, 300, "line transferred from a cpu's cache on another node")   \
	X(atomic,      20,  "surcharge of an atomic read-modify-write (lock, cmpxchg)") \
	X(op_base,     10,  "instructions of an allocator call outside its accesses") \
	X(page_op,     50,  "buddy allocator work per page block, besides its lines")

enum sim_cost_id {
#define SIM_COST_ENUM(n, v, d) SIM_COST_##n,
	SIM_COST_LIST(SIM_COST_ENUM)
#undef SIM_COST_ENUM
	SIM_COST_COUNT
};

struct sim_cost_table {
	sim_cycles_t c[SIM_COST_COUNT];
};

extern const char *const sim_cost_name[SIM_COST_COUNT];
extern const char *const sim_cost_meaning[SIM_COST_COUNT];

void sim_cost_defaults(struct sim_cost_table *t);
/* Sets "name=cycles"; returns 0, -ENOENT for an unknown name, -EINVAL for a bad value. */
int sim_cost_set(struct sim_cost_table *t, const char *assignment);

#endif
