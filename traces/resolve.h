/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolve.h - the pairing pass that a reader runs once it has read a trace
 * (DESIGN.md, "The canonical event"), and the kmalloc cache naming rule.
 *
 * Pairing, in trace order: every ALLOC gets a dense object id; a FREE gets
 * the id of the live ALLOC of the same pointer (pointers are reused after
 * their free).  What does not pair is counted, never fatal:
 *   FREE of a pointer not live         SIM_EVF_UNMATCHED, unmatched_free
 *   FREE of NULL or ZERO_SIZE_PTR      SIM_EVF_NULL, null_free
 *   ALLOC of a pointer already live    SIM_EVF_REALLOC, realloc_live (the
 *                                      older object is never freed)
 *   ALLOC returning NULL               dropped from the events, null_alloc
 *   page events                        page_alloc / page_free, no oid
 *
 * Cache naming: a kmem_cache_alloc without name= takes the name of its
 * matching kmem_cache_free; failing that, the name most other allocations
 * from the same call site and bytes_alloc got; failing that
 * "site:<function>" (SIM_CACHEF_GUESSED, unnamed_alloc).  A kfree or a
 * nameless kmem_cache_free takes the cache of its ALLOC (an unmatched one
 * stays cache 0, unknown).  A matched FREE always ends with its ALLOC's
 * cache, so the replay returns an object to the cache it came from.
 * Pointers are kept in a sim/u64map; the pointer UINT64_MAX (its reserved
 * key, never a real object) is never found live.
 */
#ifndef SLABSIM_TRACES_RESOLVE_H
#define SLABSIM_TRACES_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/workload.h"

/*
 * KMALLOC_MAX_CACHE_SIZE of SLUB on x86-64 (2 * PAGE_SIZE, include/linux/slab.h):
 * larger kmallocs go to the page allocator and are traced with
 * bytes_alloc = PAGE_SIZE << order.
 */
#define TRACE_KMALLOC_MAX_CACHE_SIZE 8192u

/*
 * The kmalloc cache serving one kmalloc event, named as 6.1's
 * mm/slab_common.c names them: kmalloc-8 .. kmalloc-96, -192, -256, -512,
 * -1k, -2k, -4k, -8k; the type prefix follows kmalloc_type(): GFP_DMA ->
 * "dma-kmalloc-", else __GFP_RECLAIMABLE -> "kmalloc-rcl-", else accounted
 * (accounted=true, printed since 6.0) -> "kmalloc-cg-", else "kmalloc-".
 * The size class is bytes_alloc when it is one, else kmalloc_index(bytes_req).
 * Above TRACE_KMALLOC_MAX_CACHE_SIZE: "kmalloc-large", *large set.
 * gfp is FTRACE_GFP_* (traces/ftrace.h); accounted is 1, 0 or -1 (unknown).
 * Writes the name to buf (n >= 32 is enough).
 */
void trace_kmalloc_name(char *buf, size_t n, uint32_t bytes_req, uint32_t bytes_alloc,
			unsigned int gfp, int accounted, bool *large);

/*
 * Interns that cache in w (SIM_CACHEF_KMALLOC with its size, or
 * SIM_CACHEF_LARGE) and returns its id; ORs SIM_EVF_LARGE into *evflags
 * for a large kmalloc.
 */
uint32_t trace_kmalloc_cache(struct sim_workload *w, uint32_t bytes_req, uint32_t bytes_alloc,
			     unsigned int gfp, int accounted, uint8_t *evflags);

/*
 * Runs the pairing pass over w->ev (events in trace order, oids unset):
 * sets oids, w->nobjs, flags, cache names and sizes, the pairing anomalies
 * (unmatched_free, realloc_live, null_free, large_kmalloc, page_alloc,
 * page_free, unnamed_alloc: recounted from scratch; null_alloc: added to,
 * as the failed allocations it counts are removed, so running it twice
 * changes nothing) and w->digest.  Returns 0, or -E2BIG when the
 * trace has more events than 32-bit object ids can number.
 */
int trace_resolve(struct sim_workload *w);

#endif /* SLABSIM_TRACES_RESOLVE_H */
