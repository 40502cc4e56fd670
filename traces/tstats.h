/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tstats.h - statistics of a loaded (resolved) workload: events per type
 * and per CPU, per-cache allocations, frees, bytes and objects still live,
 * anomalies, duration, and how often an object is freed on a CPU other
 * than the one that allocated it ("cross-CPU frees", perf kmem's
 * "ping-pong").  Computes, never prints: cli/cmd_trace.c formats them.
 *
 * Pairs are the oids of the pairing pass.  Pages are paired here by pfn in
 * trace order (mm_page_alloc with mm_page_free of the same pfn), because
 * the pairing pass gives them no oid.
 */
#ifndef SLABSIM_TRACES_TSTATS_H
#define SLABSIM_TRACES_TSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/workload.h"

/* Event types as the trace names them (SIM_EVF_KMALLOC splits ALLOC and FREE). */
enum trace_stats_type {
	TRACE_ST_KMEM_CACHE_ALLOC = 0,
	TRACE_ST_KMALLOC,
	TRACE_ST_KMEM_CACHE_FREE,
	TRACE_ST_KFREE,
	TRACE_ST_PAGE_ALLOC,
	TRACE_ST_PAGE_FREE,
	TRACE_ST_NTYPES
};

/* Pair classes for the cross-CPU figures, by the allocating event. */
enum trace_stats_kind {
	TRACE_SK_KMEM_CACHE = 0,	/* kmem_cache_alloc -> its free */
	TRACE_SK_KMALLOC,		/* kmalloc -> its free */
	TRACE_SK_PAGE,			/* mm_page_alloc -> mm_page_free of the pfn */
	TRACE_SK_NKINDS
};

struct trace_stats_pairs {
	uint64_t pairs;			/* matched frees */
	uint64_t cross_cpu;		/* of which on another CPU than the allocation */
};

struct trace_stats_cpu {
	uint64_t events;
	uint64_t allocs, frees;		/* slab ALLOC and FREE events */
	uint64_t page_allocs, page_frees;
};

struct trace_stats_cache {
	uint64_t allocs, frees;		/* ALLOC and FREE events naming this cache */
	uint64_t bytes_req, bytes_alloc;	/* sums over its ALLOCs */
	uint32_t object_size;		/* w->cache_size */
	uint32_t flags;			/* SIM_CACHEF_* */
	uint64_t live_end;		/* allocated and not freed by the end */
	struct trace_stats_pairs freed;	/* matched frees, cross-CPU ones */
};

struct trace_stats {
	uint64_t events;
	uint64_t by_type[TRACE_ST_NTYPES];
	uint64_t duration_ns;		/* last t_ns - first t_ns */
	uint64_t anomaly[SIM_AN_COUNT];
	uint16_t ncpus;
	struct trace_stats_cpu *cpu;	/* [ncpus] */
	size_t ncaches;
	struct trace_stats_cache *cache;	/* [ncaches], by cache id */
	struct trace_stats_pairs slab;	/* every matched slab free */
	struct trace_stats_pairs kind[TRACE_SK_NKINDS];
	uint64_t live_end;		/* slab objects never freed */
	uint64_t pages_live_end;	/* pages allocated and not freed */
	uint64_t page_free_unseen;	/* mm_page_free of a pfn not allocated in the trace */
	uint64_t page_alloc_live;	/* mm_page_alloc of a pfn already allocated */
};

/* Computes s from w; release with trace_stats_fini(). */
void trace_stats_compute(const struct sim_workload *w, struct trace_stats *s);
void trace_stats_fini(struct trace_stats *s);

/* "kmem_cache_alloc", "kmalloc", "kmem_cache_free", "kfree", "mm_page_alloc", "mm_page_free" */
const char *trace_stats_type_name(enum trace_stats_type t);
/* "kmem_cache", "kmalloc", "page" */
const char *trace_stats_kind_name(enum trace_stats_kind k);
enum trace_stats_type trace_stats_type_of(const struct sim_event *e);

/* The fraction cross_cpu / pairs, 0 when there are no pairs. */
double trace_stats_fraction(const struct trace_stats_pairs *p);

/*
 * Fills order[] (s->ncaches entries) with cache ids sorted by allocations,
 * most first (ties by frees, then id); returns the number of caches with at
 * least one event.
 */
size_t trace_stats_caches_by_allocs(const struct trace_stats *s, uint32_t *order);

#endif /* SLABSIM_TRACES_TSTATS_H */
