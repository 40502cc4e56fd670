/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tstats.h - statistics of a resolved trace, in memory or read in passes
 * (trace_stats_compute_passes), the analysis that "slabsim trace stats"
 * prints: events per type and per CPU, per-cache and
 * per-call-site rows (allocations, frees, requested and allocated bytes,
 * internal fragmentation, objects still live at the end, ping-pong), the
 * alloc-CPU x free-CPU matrix of matched pairs, cross-node allocations,
 * the object lifetime distribution (GSL histograms with log-spaced bins),
 * live objects and bytes over time, anomalies and duration.  Computes,
 * never prints: cli/ formats them.
 *
 * Vocabulary, and how it maps onto perf kmem (tools/perf/builtin-kmem.c):
 *   hit          allocations of a cache or call site (perf kmem's "Hit")
 *   ping-pong    a matched free executed on another CPU than its
 *                allocation (perf kmem's "Ping-pong"; "cross-CPU free")
 *   cross-node   an ALLOC whose node= names a node other than the node of
 *   allocation   the allocating CPU.  perf kmem prints these as "Cross CPU
 *                allocations" although they are cross-node
 *                (KERNEL-FACTS.md 0.4); here they are counted apart from
 *                ping-pong.
 *   fragmentation  1 - bytes_req / bytes_alloc: the share of the allocated
 *                bytes that nobody asked for (perf kmem's "Frag")
 *
 * The cpu -> node map is opts->nodes equal consecutive blocks of the
 * trace's cpus: cpu c is on node c * nodes / ncpus (trace_stats_node_of).
 *
 * Pairs are the oids of the pairing pass.  Pages are paired here by pfn in
 * trace order (mm_page_alloc with mm_page_free of the same pfn), because
 * the pairing pass gives them no oid.  Objects still live at the end have
 * no lifetime: they are left out of the lifetime histograms (censored).
 */
#ifndef SLABSIM_TRACES_TSTATS_H
#define SLABSIM_TRACES_TSTATS_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_histogram.h>

#include "sim/source.h"
#include "sim/workload.h"
#include "traces/preslab.h"

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

/* Defaults of struct trace_stats_opts. */
#define TRACE_STATS_INTERVAL_DEFAULT_NS 100000000ull	/* 100 ms of trace time */
#define TRACE_STATS_MAX_SAMPLES 1000000u		/* of the live series */
#define TRACE_STATS_INTERVAL_MAX_NS (1ull << 62)	/* keeps interval arithmetic in range */
/* Lifetime histograms: bins per decade of their log-spaced ranges. */
#define TRACE_STATS_BINS_PER_DECADE 20u

struct trace_stats_opts {
	unsigned nodes;			/* >= 1: the trace's cpus split into this many nodes */
	uint64_t interval_ns;		/* 1 .. TRACE_STATS_INTERVAL_MAX_NS: step of the live series */
};

struct trace_stats_pairs {
	uint64_t pairs;			/* matched frees */
	uint64_t cross_cpu;		/* of which on another CPU than the allocation (ping-pong) */
	uint64_t cross_node;		/* of which on a CPU of another node (0 with one node) */
};

struct trace_stats_cpu {
	uint64_t events;
	uint64_t allocs, frees;		/* slab ALLOC and FREE events */
	uint64_t page_allocs, page_frees;
	uint64_t bytes_alloc;		/* sum over its ALLOCs */
	uint64_t allocs_ctx[4];		/* its ALLOCs by enum sim_ctx */
	uint64_t node_requests;		/* ALLOCs with node= set (>= 0) */
	uint64_t cross_node_allocs;	/* of which naming another node than this cpu's */
};

/*
 * One row of the per-cache or the per-call-site table.  allocs, the bytes
 * and cross_node_allocs count the ALLOCs of the row.  frees counts the
 * FREE events of the row: for a cache the frees naming it (matched or
 * not), for a call site the frees executed at that call site (so a pure
 * free site such as rcu_do_batch has frees and no allocs).  live_end and
 * freed follow the objects allocated by the row: freed.pairs of them were
 * freed in the trace, freed.cross_cpu on another CPU (ping-pong).
 */
struct trace_stats_row {
	uint64_t allocs, frees;
	uint64_t bytes_req, bytes_alloc;	/* sums over its ALLOCs */
	uint32_t object_size;			/* caches: w->cache_size; sites: 0 */
	uint32_t flags;				/* caches: SIM_CACHEF_*; sites: 0 */
	uint64_t live_end;			/* allocated and not freed by the end */
	uint64_t cross_node_allocs;		/* ALLOCs naming another node than the cpu's */
	struct trace_stats_pairs freed;		/* matched frees, cross-CPU and cross-node ones */
};

/* Lifetime of the matched slab objects: ALLOC to FREE. */
struct trace_stats_lifetime {
	uint64_t n;			/* objects measured (matched pairs) */
	uint64_t censored;		/* objects still live at the end: not measured */
	double mean_ns, mean_events;
	uint64_t max_ns, max_events;
	/*
	 * In ns of trace time, and in slab events (ALLOC and FREE events of the
	 * whole trace from the ALLOC to the FREE: 1 when the FREE is the very
	 * next one).  Bin 0 is [0, 1); then TRACE_STATS_BINS_PER_DECADE bins
	 * per decade from 1 up to a power of ten above the trace's longest
	 * possible lifetime.  NULL when the workload has no events.
	 */
	gsl_histogram *ns, *events;
	double p_ns[3], p_events[3];	/* p50, p90, p99 (trace_stats_quantile) */
};

/* One step of the live series: the interval [t_ns - interval_ns, t_ns). */
struct trace_stats_sample {
	uint64_t t_ns;			/* end of the interval, from the first event */
	uint64_t live_objs;		/* objects allocated in the trace and live at t_ns */
	uint64_t live_bytes;		/* their bytes_alloc */
	uint64_t allocs, frees;		/* slab ALLOC and FREE events in the interval */
};

struct trace_stats {
	uint64_t events;
	uint64_t by_type[TRACE_ST_NTYPES];
	uint64_t t_first_ns;		/* first event's t_ns (0 for a loaded text trace) */
	uint64_t duration_ns;		/* last t_ns - first t_ns */
	uint64_t anomaly[SIM_AN_COUNT];
	uint16_t ncpus;
	unsigned nnodes;		/* opts->nodes */
	struct trace_stats_cpu *cpu;	/* [ncpus] */
	size_t ncaches;
	struct trace_stats_row *cache;	/* [ncaches], by cache id */
	size_t nsites;
	struct trace_stats_row *site;	/* [nsites], by call site id (0: none) */
	uint64_t *matrix;		/* [ncpus * ncpus]: matched slab pairs, row alloc cpu, column free cpu */
	struct trace_stats_pairs slab;	/* every matched slab free */
	struct trace_stats_pairs kind[TRACE_SK_NKINDS];
	uint64_t allocs;		/* slab ALLOC events */
	uint64_t node_requests;		/* ALLOCs with node= set */
	uint64_t cross_node_allocs;	/* ALLOCs naming another node than their cpu's */
	uint64_t live_end;		/* slab objects never freed */
	uint64_t live_bytes_end;	/* their bytes_alloc */
	uint64_t peak_live_objs;	/* most objects live at once (over every event) */
	uint64_t peak_live_bytes;	/* most bytes live at once */
	uint64_t peak_live_bytes_t_ns;	/* when that was first reached, from the first event */
	uint64_t pages_live_end;	/* pages allocated and not freed */
	uint64_t page_free_unseen;	/* mm_page_free of a pfn not allocated in the trace */
	uint64_t page_alloc_live;	/* mm_page_alloc of a pfn already allocated */
	struct trace_stats_lifetime life;
	struct trace_preslab pre;	/* objects in slabs from before the trace (real pointers) */
	uint64_t interval_ns;		/* of the series */
	size_t nsamples;
	struct trace_stats_sample *series;	/* [nsamples] */
};

/* Sets the defaults: one node, a 100 ms interval. */
void trace_stats_opts_default(struct trace_stats_opts *o);

/*
 * Computes s from w with the default options, widening the interval on a
 * trace so long that the series would exceed TRACE_STATS_MAX_SAMPLES.
 * Release with trace_stats_fini().
 */
void trace_stats_compute(const struct sim_workload *w, struct trace_stats *s);

/*
 * Computes s from w with opts (NULL: the defaults).  Returns 0, -EINVAL
 * for nodes == 0 or an interval_ns out of range, or -E2BIG when the series would have
 * more than TRACE_STATS_MAX_SAMPLES steps.  s can be finalized in every case.
 */
int trace_stats_compute_ex(const struct sim_workload *w, const struct trace_stats_opts *opts,
			   struct trace_stats *s);
/*
 * The same over passes (sim/source.h) that need not hold the events: five
 * passes (the span, the statistics, three of traces/preslab), in memory
 * that follows the live objects and the pages the trace allocates, not
 * the trace's length.  Returns what trace_stats_compute_ex() returns, or
 * the negative errno of a pass that could not read the trace, with its
 * message (naming the file) in err.
 */
int trace_stats_compute_passes(struct sim_passes *p, const struct trace_stats_opts *opts,
			       struct trace_stats *s, char *err, size_t errlen);
void trace_stats_fini(struct trace_stats *s);

/* The number of steps the live series of a trace of duration_ns has at interval_ns. */
uint64_t trace_stats_nsamples(uint64_t duration_ns, uint64_t interval_ns);

/* The node of a trace cpu under s's map: cpu * nnodes / ncpus. */
unsigned trace_stats_node_of(const struct trace_stats *s, unsigned cpu);

/* Matched slab pairs allocated on cpu a and freed on cpu f. */
static inline uint64_t trace_stats_matrix_get(const struct trace_stats *s, unsigned a, unsigned f)
{
	return s->matrix[(size_t)a * s->ncpus + f];
}

/* "kmem_cache_alloc", "kmalloc", "kmem_cache_free", "kfree", "mm_page_alloc", "mm_page_free" */
const char *trace_stats_type_name(enum trace_stats_type t);
/* "kmem_cache", "kmalloc", "page" */
const char *trace_stats_kind_name(enum trace_stats_kind k);
enum trace_stats_type trace_stats_type_of(const struct sim_event *e);

/* The fraction cross_cpu / pairs, 0 when there are no pairs. */
double trace_stats_fraction(const struct trace_stats_pairs *p);
/* bytes_req / allocs and bytes_alloc / allocs; 0 without allocations. */
double trace_stats_row_mean_req(const struct trace_stats_row *r);
double trace_stats_row_mean_alloc(const struct trace_stats_row *r);
/* Internal fragmentation 1 - bytes_req / bytes_alloc, in [0, 1]; 0 without bytes. */
double trace_stats_row_frag(const struct trace_stats_row *r);
/* Whether the row has any allocation or free. */
bool trace_stats_row_is_used(const struct trace_stats_row *r);

/*
 * The q-quantile (0 <= q < 1) of a histogram's counts, interpolated
 * linearly within the bin that holds it (gsl_histogram_pdf); 0 for an
 * empty or NULL histogram.
 */
double trace_stats_quantile(const gsl_histogram *h, double q);

/* ---- sorting, with perf kmem's --sort keys ------------------------------------ */

enum trace_stats_sort_key {
	TRACE_SORT_BYTES = 0,	/* bytes_alloc, most first */
	TRACE_SORT_HIT,		/* allocations, most first */
	TRACE_SORT_PINGPONG,	/* matched frees on another CPU, most first */
	TRACE_SORT_FRAG,	/* internal fragmentation, most first */
	TRACE_SORT_CALLSITE,	/* the row's name (call site or cache), alphabetical, unnamed last */
	TRACE_SORT_NKEYS
};

#define TRACE_SORT_MAX_KEYS 8

struct trace_stats_sort {
	enum trace_stats_sort_key key[TRACE_SORT_MAX_KEYS];
	unsigned n;
};

/* "bytes", "hit", "pingpong", "frag", "callsite" */
const char *trace_stats_sort_key_name(enum trace_stats_sort_key k);
/*
 * Parses a comma-separated list of key names ("frag,hit,bytes"); earlier
 * keys decide first.  Returns 0, or -EINVAL with the offending word
 * (or "" for an empty list, "too many keys") in bad.
 */
int trace_stats_sort_parse(const char *list, struct trace_stats_sort *out, char *bad, size_t badlen);

/*
 * Fills order[] (n entries) with row indices sorted by keys: rows with any
 * event first, then by each key in turn, ties by frees (most first) and
 * index.  names gives the rows' names (w->caches or w->sites) for the
 * callsite key.  Returns the number of rows with any event.
 */
size_t trace_stats_rows_sort(const struct trace_stats_row *rows, size_t n, const struct strtab *names,
			     const struct trace_stats_sort *keys, uint32_t *order);

/*
 * Fills order[] (s->ncaches entries) with cache ids sorted by allocations,
 * most first (ties by frees, then id); returns the number of caches with at
 * least one event.
 */
size_t trace_stats_caches_by_allocs(const struct trace_stats *s, uint32_t *order);

#endif /* SLABSIM_TRACES_TSTATS_H */
