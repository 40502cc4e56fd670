/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sim.h - the vocabulary of the simulator, shared by every module.
 *
 * Glossary
 *   cpu     a simulated processor: a clock in cycles, a private cache of
 *           lines, and the stream of trace events mapped onto it.
 *   node    a NUMA node: a set of consecutive cpus and the memory (pages)
 *           local to them.  Cross-node line transfers and memory misses
 *           cost more than local ones.
 *   page    a 4 KiB page frame handed out by the page allocator model;
 *           its simulated address encodes its node.  Every page has a
 *           64-byte descriptor (struct page) at its own simulated address.
 *   slab    one or more contiguous pages (2^order) carved into objects of
 *           one cache.
 *   object  a piece of a slab handed to the workload by an ALLOC and taken
 *           back by the matching FREE.
 *   cache   a kmem_cache: a name and an object size.  Caches are interned
 *           ids in the trace; policies keep their per-cache state by id.
 *   line    a 64-byte cache line, the unit of the coherence model.
 *   lock    a spin lock: a line plus the time until which it is held.
 *           Every lock has a class (list_lock, slab_lock, ...).
 *   event   one ALLOC or FREE of the trace (struct sim_event), or a timer.
 *   run     one replay of one trace against one policy with one set of
 *           parameters on one machine, recorded as one database row.
 *
 * Units are in names: _ns (nanoseconds of trace time), _cycles (simulated
 * cpu cycles), _bytes.
 */
#ifndef SLABSIM_SIM_H
#define SLABSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t sim_cycles_t;
typedef uint64_t sim_addr_t;

#define SIM_LINE_SHIFT 6
#define SIM_LINE_BYTES (1u << SIM_LINE_SHIFT)
#define SIM_PAGE_SHIFT 12
#define SIM_PAGE_BYTES (1u << SIM_PAGE_SHIFT)
#define SIM_MAX_CPUS 4096
#define SIM_MAX_NODES 64
#define SIM_NO_NODE (-1)

/* Assertion levels: 1 cheap (always), 2 expensive (--enable-debug). */
#ifndef SLABSIM_DEBUG
#define SLABSIM_DEBUG 0
#endif

#include <assert.h>
#define sim_assert(x) assert(x)
#if SLABSIM_DEBUG >= 2
#define sim_assert_expensive(x) assert(x)
#else
#define sim_assert_expensive(x) ((void)0)
#endif

#define SIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SIM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SIM_MAX(a, b) ((a) > (b) ? (a) : (b))


/*
 * Simulated physical address layout.  Bits 48..55 select a region, bits
 * 40..47 the NUMA node whose memory holds the address, bits 0..39 the
 * offset within that node's part of the region (1 TiB each):
 *   SIM_REGION_PAGES   page frames: offset = pfn_in_node << SIM_PAGE_SHIFT
 *   SIM_REGION_MEMMAP  struct page descriptors: offset = pfn_in_node * 64
 *   SIM_REGION_STRUCT  allocator structures (per-cpu and per-node data,
 *                      locks, arrays), laid out by the policies
 */
enum sim_region {
	SIM_REGION_PAGES = 1,
	SIM_REGION_MEMMAP = 2,
	SIM_REGION_STRUCT = 3,
};

#define SIM_NODE_SHIFT 40
#define SIM_REGION_SHIFT 48
#define SIM_OFFSET_MASK ((1ull << SIM_NODE_SHIFT) - 1)
#define SIM_STRUCT_PAGE_BYTES 64

static inline sim_addr_t sim_addr_make(enum sim_region r, unsigned node, uint64_t offset)
{
	return ((sim_addr_t)r << SIM_REGION_SHIFT) | ((sim_addr_t)node << SIM_NODE_SHIFT) | offset;
}
static inline unsigned sim_addr_node(sim_addr_t a)
{
	return (unsigned)((a >> SIM_NODE_SHIFT) & 0xff);
}
static inline enum sim_region sim_addr_region(sim_addr_t a)
{
	return (enum sim_region)((a >> SIM_REGION_SHIFT) & 0xff);
}
static inline uint64_t sim_addr_offset(sim_addr_t a)
{
	return a & SIM_OFFSET_MASK;
}

#endif /* SLABSIM_SIM_H */
