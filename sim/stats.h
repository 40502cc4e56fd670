/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.h - everything a run measures, kept apart from the model that
 * produces it so that the recorder (results/) and the printers (cli/)
 * read one structure.
 *
 * Counters, lock statistics and line touches are kept twice: per cpu
 * (summed over caches) and per cache (summed over cpus); totals are the sum
 * of either.  All updates go through the helpers in this header.
 */
#ifndef SLABSIM_STATS_H
#define SLABSIM_STATS_H

#include <gsl/gsl_histogram.h>

#include "sim/counters.h"

struct sim_lock_stat {
	uint64_t acquired;	/* successful acquisitions (lock and trylock) */
	uint64_t contended;	/* acquisitions that had to wait */
	uint64_t wait_cycles;	/* cycles spent waiting */
	uint64_t hold_cycles;	/* cycles between acquisition and release */
	uint64_t try_fail;	/* trylocks that failed */
};

enum sim_origin {
	SIM_ORIGIN_ALLOCATOR = 0,	/* the policy's own accesses */
	SIM_ORIGIN_WORKLOAD = 1,	/* the workload touching its objects */
	SIM_ORIGIN_COUNT
};

extern const char *const sim_origin_name[SIM_ORIGIN_COUNT];

struct sim_touch_stat {
	uint64_t reads, writes, atomics;	/* accesses by kind */
	uint64_t hits;				/* served by the private cache: see sim_touch_fold() */
	uint64_t upgrades;			/* writes to a shared copy: others invalidated, no data moved */
	uint64_t mem_local, mem_remote;		/* served by memory */
	uint64_t xfer_local, xfer_remote;	/* served by another cpu's cache */
	uint64_t invalidations;			/* copies invalidated in other cpus */
	uint64_t cas_retries;			/* cmpxchg retried after a conflicting write */
};

/*
 * Hits are not counted as they happen: the coherence model counts every
 * access by its kind, and those not served by the private cache by their
 * outcome; the hits are the rest.  This fills them in (again, if they
 * were); a replay does it for every record before its statistics leave it.
 */
static inline void sim_touch_fold(struct sim_touch_stat *t)
{
	t->hits = t->reads + t->writes + t->atomics -
		  (t->upgrades + t->mem_local + t->mem_remote + t->xfer_local + t->xfer_remote);
}

struct sim_gauge {
	int64_t cur, peak;
};

enum sim_lat_kind { SIM_LAT_ALLOC = 0, SIM_LAT_FREE = 1, SIM_LAT_COUNT };

/* Cycle counts below this find their histogram bin by table, not by search. */
#define SIM_LAT_FAST_MAX 4096

/* One row of the memory time series: cache == -1 is the total over caches. */
struct sim_mem_sample {
	uint64_t t_ns;
	int32_t cache;
	int64_t g[SIM_GAUGE_COUNT];
};

/*
 * The series is kept as runs: one cache's gauges from the instant `first`
 * up to the instant before that cache's next run, or up to the last
 * instant, an interval over which they did not change.  A cache has a row
 * at every instant from the first at which it had ever held memory
 * (slab_bytes or large_bytes above zero), and the total at every instant,
 * so each one's runs cover every instant from its first on.  Most caches
 * are idle in most sample periods: the runs take a fraction of the rows.
 */
struct sim_mem_run {
	int32_t cache;			/* -1: the total */
	uint32_t first;			/* instant it begins at */
	int64_t g[SIM_GAUGE_COUNT];
};

struct sim_stats {
	unsigned ncpus, ncaches;
	unsigned ntrace_caches;			/* ids from here on are the policy's own caches */
	char **extra_name;			/* [ncaches - ntrace_caches]: their names */
	uint32_t *extra_size;			/* and object sizes */
	uint64_t *counter_cpu;			/* [ncpus * SIM_CNT_COUNT] */
	uint64_t *counter_cache;		/* [ncaches * SIM_CNT_COUNT] */
	struct sim_lock_stat *lock_cpu;		/* [ncpus * SIM_LOCK_CLASS_COUNT] */
	struct sim_lock_stat *lock_cache;	/* [ncaches * SIM_LOCK_CLASS_COUNT] */
	struct sim_touch_stat *touch_cpu;	/* [ncpus * SIM_ORIGIN_COUNT] */
	struct sim_touch_stat *touch_cache;	/* [ncaches * SIM_ORIGIN_COUNT] */
	struct sim_gauge *gauge;		/* [(ncaches + 1) * SIM_GAUGE_COUNT]; row ncaches = total */
	uint64_t *op_cycles_cache;		/* [ncaches * SIM_LAT_COUNT]: summed op cycles */
	uint64_t *op_count_cache;		/* [ncaches * SIM_LAT_COUNT] */
	gsl_histogram *lat[SIM_LAT_COUNT];	/* op latency in cycles, log-spaced bins */
	uint16_t *lat_bin;			/* [SIM_LAT_FAST_MAX]: bin of a small cycle count */
	uint64_t lat_sum[SIM_LAT_COUNT], lat_n[SIM_LAT_COUNT], lat_max[SIM_LAT_COUNT];
	/* the memory time series (see struct sim_mem_run) */
	uint64_t *instant_t;		/* [ninstants]: each sample instant's time, ns */
	size_t ninstants, instants_cap;
	struct sim_mem_run *runs;	/* [nruns], in the order they began */
	size_t nruns, runs_cap;
	int64_t *series_last;		/* [(ncaches + 1) * SIM_GAUGE_COUNT]: gauges of each one's latest run */
	uint32_t *series_run;		/* [ncaches + 1]: its latest run, SIM_SERIES_NONE before its first */
	unsigned samples_thinned;	/* times sim_stats_sample_thin() halved them */

	/* run totals */
	uint64_t events_replayed;	/* ALLOCs and FREEs given to the policy */
	uint64_t skipped_unmatched;	/* FREEs of objects never allocated */
	uint64_t skipped_null;		/* kfree(NULL) */
	uint64_t skipped_page;		/* mm_page_* events */
	uint64_t stall_cycles;		/* dependency stalls: FREE waiting for its ALLOC */
	uint64_t timer_runs;		/* periodic work executed */
	sim_cycles_t end_cycles;	/* latest cpu clock at the end */
	uint64_t end_t_ns;		/* end_cycles in ns */
	uint64_t locks_held_at_end;	/* must be 0 */
	uint64_t outstanding_allocs;	/* allocations the trace never frees (expected live) */
	uint64_t outstanding_bytes;	/* their bytes (bytes_alloc) */
	uint64_t page_bytes_used;	/* bytes the page allocator has handed out at the end */
	/* the replay's own memory, for tests and the benchmark; not recorded */
	uint64_t objects_peak;		/* most objects in its table at once: allocated, not yet freed */
	uint64_t pending_peak;		/* most events read ahead of their cpu at once */
	uint64_t pending_mem_peak;	/* most of them in memory (room for, in whole chunks) */
	uint64_t pending_spilled;	/* of them, written to the temporary file and read back */
};

/* Allocates zeroed statistics for ncpus x ncaches. */
struct sim_stats *sim_stats_create(unsigned ncpus, unsigned ncaches);
void sim_stats_destroy(struct sim_stats *s);

static inline uint64_t *sim_stats_counter_cpu(struct sim_stats *s, unsigned cpu)
{
	return &s->counter_cpu[(size_t)cpu * SIM_CNT_COUNT];
}
static inline uint64_t *sim_stats_counter_cache(struct sim_stats *s, unsigned cache)
{
	return &s->counter_cache[(size_t)cache * SIM_CNT_COUNT];
}
static inline void sim_stats_count(struct sim_stats *s, unsigned cpu, unsigned cache,
				   enum sim_counter c, uint64_t n)
{
	s->counter_cpu[(size_t)cpu * SIM_CNT_COUNT + c] += n;
	s->counter_cache[(size_t)cache * SIM_CNT_COUNT + c] += n;
}
static inline struct sim_lock_stat *sim_stats_lock_cpu(struct sim_stats *s, unsigned cpu, unsigned cls)
{
	return &s->lock_cpu[(size_t)cpu * SIM_LOCK_CLASS_COUNT + cls];
}
static inline struct sim_lock_stat *sim_stats_lock_cache(struct sim_stats *s, unsigned cache, unsigned cls)
{
	return &s->lock_cache[(size_t)cache * SIM_LOCK_CLASS_COUNT + cls];
}
static inline struct sim_touch_stat *sim_stats_touch_cpu(struct sim_stats *s, unsigned cpu, unsigned origin)
{
	return &s->touch_cpu[(size_t)cpu * SIM_ORIGIN_COUNT + origin];
}
static inline struct sim_touch_stat *sim_stats_touch_cache(struct sim_stats *s, unsigned cache, unsigned origin)
{
	return &s->touch_cache[(size_t)cache * SIM_ORIGIN_COUNT + origin];
}
/* Gauge row of a cache; cache == ncaches is the total. */
static inline struct sim_gauge *sim_stats_gauge(struct sim_stats *s, unsigned cache)
{
	return &s->gauge[(size_t)cache * SIM_GAUGE_COUNT];
}
static inline void sim_gauge_move(struct sim_gauge *g, int64_t delta)
{
	g->cur += delta;
	if (g->cur > g->peak)
		g->peak = g->cur;
}
/* Adds delta to a cache's gauge and to the total, keeping peaks. */
static inline void sim_stats_gauge_add(struct sim_stats *s, unsigned cache, enum sim_gauge_id g, int64_t delta)
{
	sim_gauge_move(&sim_stats_gauge(s, cache)[g], delta);
	sim_gauge_move(&sim_stats_gauge(s, s->ncaches)[g], delta);
}
void sim_stats_latency(struct sim_stats *s, unsigned cache, enum sim_lat_kind k, sim_cycles_t cycles);
/*
 * Ends a warm-up: every counter, lock and touch statistic, latency and
 * memory sample restarts from zero; gauges keep their current values
 * (memory held, live objects) and their peaks restart there.
 */
void sim_stats_restart(struct sim_stats *s);
/* Appends a sample instant: a row of every cache that has held memory, and of the total. */
void sim_stats_sample(struct sim_stats *s, uint64_t t_ns);
/*
 * Drops every other sample instant, keeping the first, the third, ...:
 * a series sampled every P becomes one sampled every 2P (the caller
 * doubles its period; with an even number of instants the next one falls
 * on the new period).
 */
void sim_stats_sample_thin(struct sim_stats *s);

#define SIM_SERIES_NONE UINT32_MAX

/* Rows of the series: what the memory table gets. */
size_t sim_stats_series_rows(const struct sim_stats *s);

/* The rows in (cache, time) order, the total's first: the memory table's index order. */
struct sim_series_iter {
	const struct sim_stats *s;
	size_t *order;			/* the runs sorted by cache, stably */
	size_t k, next;			/* order[k]: the run being read; order[next]: the one after */
	uint64_t i, end;		/* its next instant and its last */
};
void sim_series_iter_init(struct sim_series_iter *it, const struct sim_stats *s);
bool sim_series_iter_next(struct sim_series_iter *it, struct sim_mem_sample *row);
void sim_series_iter_fini(struct sim_series_iter *it);

/*
 * The rows in time order, each instant's caches by id and its total last
 * (allocated, *n rows, padding zeroed): the series as a list of samples.
 */
struct sim_mem_sample *sim_stats_series_expand(const struct sim_stats *s, size_t *n);

/* Name of a policy-registered cache, NULL for the trace's own caches. */
static inline const char *sim_stats_extra_name(const struct sim_stats *s, unsigned cache)
{
	return cache >= s->ntrace_caches && cache < s->ncaches ? s->extra_name[cache - s->ntrace_caches] : NULL;
}

/* sim_touch_fold() of every touch record. */
void sim_stats_touch_fold(struct sim_stats *s);
/* Totals over cpus. */
uint64_t sim_stats_counter_total(const struct sim_stats *s, enum sim_counter c);
void sim_stats_lock_total(const struct sim_stats *s, unsigned cls, struct sim_lock_stat *out);
void sim_stats_touch_total(const struct sim_stats *s, unsigned origin, struct sim_touch_stat *out);
/* Latency quantile q in [0,1] from the histogram, in cycles; 0 when empty. */
double sim_stats_latency_quantile(const struct sim_stats *s, enum sim_lat_kind k, double q);
double sim_stats_latency_mean(const struct sim_stats *s, enum sim_lat_kind k);

#endif
