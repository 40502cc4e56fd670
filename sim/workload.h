/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * workload.h - a trace in memory: the events in trace order, the interned
 * cache and call-site names, per-cache object sizes, and what the readers
 * and the pairing pass found wrong with the trace (anomalies).
 *
 * Readers (traces/) fill it; the replay loop (sim/replay.c) reads it and
 * never changes it, so one workload can be replayed by many runs.
 */
#ifndef SLABSIM_WORKLOAD_H
#define SLABSIM_WORKLOAD_H

#include "sim/event.h"
#include "sim/strtab.h"

/*
 * Anomaly and event-class counts, X-macro: name, meaning.  Readers and the
 * pairing pass count; nothing here is fatal.
 */
#define SIM_ANOMALY_LIST(X)                                                          \
	X(unmatched_free,  "FREE of a pointer never allocated in the trace (skipped)")  \
	X(realloc_live,    "ALLOC of a pointer already live: its free was lost")     \
	X(null_free,       "kfree(NULL) or kmem_cache_free(NULL): a no-op (skipped)") \
	X(lost_events,     "events the trace says were lost (LOST markers)")         \
	X(unknown_events,  "lines of events other than the kmem allocation events")   \
	X(skipped_lines,   "malformed lines skipped (see the reader's first error)")  \
	X(large_kmalloc,   "kmalloc above the largest kmalloc cache (page allocator)") \
	X(page_alloc,      "mm_page_alloc events (read and counted, not replayed)")  \
	X(page_free,       "mm_page_free events (read and counted, not replayed)")   \
	X(unnamed_alloc,   "ALLOCs whose cache was named from their call site")      \
	X(null_alloc,      "ALLOC that returned NULL (a failed allocation; skipped)") \
	X(time_backwards,  "events whose timestamp is before the previous event's")

enum sim_anomaly {
#define SIM_ANOMALY_ENUM(n, d) SIM_AN_##n,
	SIM_ANOMALY_LIST(SIM_ANOMALY_ENUM)
#undef SIM_ANOMALY_ENUM
	SIM_AN_COUNT
};

extern const char *const sim_anomaly_name[SIM_AN_COUNT];
extern const char *const sim_anomaly_meaning[SIM_AN_COUNT];

struct sim_workload {
	struct sim_event *ev;
	size_t nev, cap;
	struct strtab caches;		/* cache id -> name; 0 = unknown */
	struct strtab sites;		/* call site id -> text; 0 = none */
	uint32_t *cache_size;		/* cache id -> object size in bytes (0 unknown) */
	uint32_t *cache_flags;		/* cache id -> SIM_CACHEF_* */
	size_t cache_cap;
	/*
	 * cache id -> slab order the traced kernel used (from a slabinfo
	 * snapshot's pagesperslab), SIM_ORDER_UNKNOWN where not known; NULL
	 * (the default) when none is.  A policy's "auto" order takes it.
	 */
	uint8_t *cache_order;
	uint32_t nobjs;			/* oids are 0 .. nobjs-1 */
	uint16_t ncpus;			/* highest trace cpu + 1 */
	uint64_t anomaly[SIM_AN_COUNT];
	char source[512];		/* path it was read from */
	char format[32];		/* "ftrace", "trace-cmd", "native", ... */
	char kernel[128];		/* kernel version when known, else "" */
	uint64_t digest;		/* of the event records (sim_workload_digest) */
	char first_skip[512];		/* "file:line: field: why" of the first skipped line */
	/*
	 * A trace whose events are not held in ev (streamed from a file and
	 * reshaped on the way, sim/source.h) has what they came to here,
	 * filled as its source yields them: final once the source has ended.
	 */
	struct sim_workload_stream {
		bool on;			/* ev is empty: these stand for the events */
		uint64_t nev;			/* events */
		uint64_t replayable;		/* ALLOCs and matched FREEs */
		uint64_t t_max_ns;		/* latest timestamp */
	} stream;
};

#define SIM_ORDER_UNKNOWN 0xffu

#define SIM_CACHEF_KMALLOC 0x1u		/* a kmalloc-N size class */
#define SIM_CACHEF_LARGE   0x2u		/* kmalloc-large: served by the page allocator */
#define SIM_CACHEF_GUESSED 0x4u		/* named from call site, no free named it */

void sim_workload_init(struct sim_workload *w);
void sim_workload_fini(struct sim_workload *w);
/* Appends one event (copied); returns a pointer to the stored copy. */
struct sim_event *sim_workload_push(struct sim_workload *w, const struct sim_event *e);
/* Interns a cache name and records its size and flags (the first non-zero size wins). */
uint32_t sim_workload_cache(struct sim_workload *w, const char *name, uint32_t size, uint32_t flags);
/* Number of events, in ev or streamed. */
uint64_t sim_workload_events(const struct sim_workload *w);
/* Number of replayable events (ALLOCs and matched FREEs), in ev or streamed. */
size_t sim_workload_replayable(const struct sim_workload *w);
/* Whether there is any replayable event (stops at the first). */
bool sim_workload_has_replayable(const struct sim_workload *w);
/* The latest timestamp of the events, in ev or streamed. */
uint64_t sim_workload_duration_ns(const struct sim_workload *w);
/* Counts e, yielded by a source, into s (and sets s->on). */
void sim_workload_stream_count(struct sim_workload_stream *s, const struct sim_event *e);
/*
 * Appends k-1 further copies of the events after the first, each shifted
 * in time past the end of the previous one (plus gap_ns) and with object ids
 * offset so that the copies' objects are disjoint.  Counts and the digest
 * are updated.  Used to make long benchmark traces from short captures.
 */
void sim_workload_repeat(struct sim_workload *w, unsigned k, uint64_t gap_ns);
/* 64-bit FNV-1a digest over the events and the cache names; deterministic. */
uint64_t sim_workload_digest(const struct sim_workload *w);
/* The same, incrementally: from SIM_DIGEST_INIT, every event in order, then the names. */
#define SIM_DIGEST_INIT 1469598103934665603ull
uint64_t sim_digest_event(uint64_t h, const struct sim_event *e);
uint64_t sim_digest_caches(uint64_t h, const struct sim_workload *w);

/*
 * What a source stage that rewrites the events (sim/source.h) learns of
 * those it yields, for its workload once they have all passed: their
 * digest and their counts.
 */
struct sim_event_tally {
	uint64_t digest;
	struct sim_workload_stream stream;
};

void sim_event_tally_init(struct sim_event_tally *t);
void sim_event_tally_add(struct sim_event_tally *t, const struct sim_event *e);
/* Into w, after the last event: its digest (with its cache names) and its counts. */
void sim_event_tally_finish(const struct sim_event_tally *t, struct sim_workload *w);

#endif
