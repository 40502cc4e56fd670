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
 * trace has more allocations than 32-bit object ids can number.
 */
int trace_resolve(struct sim_workload *w);

/*
 * The same pass fed one event at a time, for readers (traces/load.c): in
 * memory (the events go to w->ev) or streaming (they go to a temporary
 * file, and memory holds only the live objects and one entry per call
 * site and size, whatever the trace's length).  Events are numbered from 0
 * in the order kept.
 *
 *   r = trace_resolver_new(w, dir, ...)     dir NULL: in memory
 *   trace_resolver_event(r, e)              each event read, in trace order
 *   trace_resolver_tables(r)                names, sizes and counts in w final
 *   trace_resolver_emit(r, t0, fn, arg)     each final event, t_ns - t0, to fn
 *                                           (in memory: also written back to
 *                                           w->ev); sets w->digest
 *   trace_resolver_free(r)
 *
 * w->nobjs, w->ncpus and the anomalies above are counted as events come;
 * the caller counts the readers' anomalies.
 */
struct trace_resolver;

enum trace_pair_result {
	TRACE_PAIR_OK,
	TRACE_PAIR_DROPPED,		/* an ALLOC that returned NULL (null_alloc) */
	TRACE_PAIR_UNMATCHED,		/* a FREE of a pointer not live (unmatched_free) */
	TRACE_PAIR_REALLOC,		/* an ALLOC of a live pointer (realloc_live) */
};

typedef int (*trace_resolve_emit_fn)(void *arg, const struct sim_event *e);

/* NULL with "DIR: reason" in err when the temporary files cannot be made. */
struct trace_resolver *trace_resolver_new(struct sim_workload *w, const char *spool_dir, char *err, size_t errlen);
void trace_resolver_free(struct trace_resolver *r);
/* Returns an enum trace_pair_result, or a negative errno (see trace_resolver_error). */
int trace_resolver_event(struct trace_resolver *r, const struct sim_event *e);
/* Events kept so far. */
uint64_t trace_resolver_count(const struct trace_resolver *r);
void trace_resolver_tables(struct trace_resolver *r);
/* Returns 0, fn's first non-zero return, or a negative errno. */
int trace_resolver_emit(struct trace_resolver *r, uint64_t t0, trace_resolve_emit_fn fn, void *arg);
/* What a failed call could not do: "spool: write: No space left on device", ... */
const char *trace_resolver_error(const struct trace_resolver *r);

#endif /* SLABSIM_TRACES_RESOLVE_H */
