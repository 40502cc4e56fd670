/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace_report.h - what "slabsim trace stats" prints: the statistics of
 * traces/tstats.h as text for people (trace_report.c), or as CSV and JSON
 * for programs (trace_report_data.c).  All three formats have the same
 * sections, listed once here.
 */
#ifndef SLABSIM_TRACE_REPORT_H
#define SLABSIM_TRACE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "traces/load.h"
#include "traces/tstats.h"

enum trace_report_format { TRACE_REPORT_TEXT = 0, TRACE_REPORT_CSV, TRACE_REPORT_JSON };

/* The sections, in printing order: name, what it holds (for --help). */
#define TRACE_REPORT_SECTIONS(X)                                                              \
	X(summary,   "source, format, generator or kernel, duration, CPUs, events, objects")      \
	X(types,     "events per type")                                                          \
	X(cpus,      "per CPU: events, allocations, frees, allocation rate, irq allocations")     \
	X(caches,    "per cache: allocations, frees, bytes, fragmentation, live, ping-pong")      \
	X(sites,     "per call site: the same columns")                                          \
	X(cross,     "frees on another CPU (ping-pong) for kmem_cache, kmalloc and page pairs")   \
	X(matrix,    "matched slab pairs by allocating CPU x freeing CPU")                       \
	X(nodes,     "cross-node allocations (node= on another node), apart from ping-pong")      \
	X(lifetime,  "object lifetimes: p50, p90, p99 in time and in events; histogram")          \
	X(live,      "live objects and bytes at every --interval of trace time")                 \
	X(preslab,   "objects in slabs that existed before the trace (real pointers only)")     \
	X(anomalies, "what the readers and the pairing pass counted as wrong")

enum trace_report_section {
#define TRACE_REPORT_ENUM(n, d) TRACE_REPORT_SEC_##n,
	TRACE_REPORT_SECTIONS(TRACE_REPORT_ENUM)
#undef TRACE_REPORT_ENUM
	TRACE_REPORT_NSECTIONS
};

#define TRACE_REPORT_ALL_SECTIONS ((1u << TRACE_REPORT_NSECTIONS) - 1)

extern const char *const trace_report_section_name[TRACE_REPORT_NSECTIONS];
extern const char *const trace_report_section_meaning[TRACE_REPORT_NSECTIONS];

struct trace_report_opts {
	enum trace_report_format format;
	size_t top;			/* rows of the cache and site tables; SIZE_MAX: all */
	struct trace_stats_sort sort;	/* of the cache and site tables */
	unsigned sections;		/* bit (1 << enum trace_report_section) per section shown */
};

/* Everything a report reads. */
struct trace_report {
	const struct sim_workload *w;
	const struct trace_load_info *info;
	const struct trace_stats *s;
	const struct trace_report_opts *o;
};

/* Prints r in its format to f. */
void trace_report_print(FILE *f, const struct trace_report *r);
void trace_report_csv(FILE *f, const struct trace_report *r);
void trace_report_json(FILE *f, const struct trace_report *r);

/* Parses a comma-separated list of section names into a mask; -EINVAL with the bad word. */
int trace_report_sections_parse(const char *list, unsigned *mask, char *bad, size_t badlen);

static inline bool trace_report_wants(const struct trace_report *r, enum trace_report_section sec)
{
	return r->o->sections & (1u << sec);
}

/*
 * The rows of the cache (sites false) or call-site table to show, in
 * order: fills order[] (one entry per row) and returns how many to show
 * (at most --top, only rows with events); *used receives how many rows
 * have events.
 */
size_t trace_report_rows(const struct trace_report *r, bool sites, uint32_t *order, size_t *used);
/* A row's name: the cache name, "(unknown)" for cache 0; the call site, "(none)" for site 0. */
const char *trace_report_row_name(const struct trace_report *r, bool sites, uint32_t id);

/* Text of a generated trace's parameters, or NULL when the trace was not generated. */
const char *trace_report_generator(const struct trace_report *r);

/* Formatting shared by the trace subcommands. */
struct trace_num {
	char s[40];
};

/* 1234567 -> "1,234,567" */
struct trace_num trace_fmt_count(uint64_t v);
/* 1234567 -> "1.2 MB" */
struct trace_num trace_fmt_mb(uint64_t bytes);
/* 1234567 ns -> "1.23 ms": three significant digits, ns, us, ms or s */
struct trace_num trace_fmt_time(double ns);

#endif /* SLABSIM_TRACE_REPORT_H */
