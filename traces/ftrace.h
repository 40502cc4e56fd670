/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ftrace.h - parser of one line of kmem tracepoint text, as the kernel's
 * tracefs files "trace" and "trace_pipe" print it and as "trace-cmd report"
 * (with or without -l) and "perf script" print it, for every era of
 * include/trace/events/kmem.h (see KERNEL-FACTS.md section 2):
 *
 *   ftrace     "  comm-pid  [003] d.s1.  9.915871: kmalloc: call_site=..."
 *   trace-cmd  "  comm-pid  [003]  158126.498411: kfree: call_site=810a7abb ptr=0x0"
 *   report -l  "  <idle>-0   0d.h1. 106467.859747: kmalloc: ..."
 *   perf       "  comm  7666 [000]  4666.621521: kmem:kmalloc: ..."
 *
 * Events understood: kmem_cache_alloc(_node), kmalloc(_node),
 * kmem_cache_free, kfree, mm_page_alloc, mm_page_free (also the older
 * mm_page_free_direct), mm_page_free_batched (older mm_pagevec_free).
 * call_site may be hex (<= 5.3) or sym+off/len; pointers may be real or
 * hashed, with or without 0x, "(null)"; pfn decimal or 0x hex.  Timestamps
 * are parsed exactly into integer nanoseconds (1 to 9 fraction digits; a
 * timestamp without a fraction, as the "counter" clock prints, is taken as
 * nanoseconds).  The parser scans by hand; it does not allocate.
 */
#ifndef SLABSIM_TRACES_FTRACE_H
#define SLABSIM_TRACES_FTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/workload.h"

/* What a line is. */
enum ftrace_line_kind {
	FTRACE_LINE_IGNORED = 0,	/* blank, '#' header, trace-cmd header ("cpus=4") */
	FTRACE_LINE_KMEM,		/* a kmem event: the record is filled */
	FTRACE_LINE_OTHER,		/* an event of another kind (unknown_events) */
	FTRACE_LINE_LOST,		/* "CPU:2 [LOST 123 EVENTS]" or "CPU:2 [123 EVENTS DROPPED]" */
};

enum ftrace_event_type {
	FTRACE_KMEM_CACHE_ALLOC = 0,	/* also kmem_cache_alloc_node */
	FTRACE_KMALLOC,			/* also kmalloc_node */
	FTRACE_KMEM_CACHE_FREE,
	FTRACE_KFREE,
	FTRACE_PAGE_ALLOC,		/* mm_page_alloc */
	FTRACE_PAGE_FREE,		/* mm_page_free(_direct), mm_page_free_batched, mm_pagevec_free */
};

/* How the line prefix looked; the first event line decides the format name. */
enum ftrace_style {
	FTRACE_STYLE_FTRACE = 0,	/* [cpu] and a flags column: tracefs trace/trace_pipe */
	FTRACE_STYLE_TRACECMD,		/* [cpu] without flags: trace-cmd report */
	FTRACE_STYLE_LATENCY,		/* cpu digits glued to the flags: trace-cmd report -l */
	FTRACE_STYLE_PERF,		/* "comm pid [cpu]" and "kmem:" event names: perf script */
};

/* gfp_flags bits that choose a kmalloc cache type (mm/slab_common.c). */
#define FTRACE_GFP_DMA		0x1u	/* GFP_DMA / __GFP_DMA */
#define FTRACE_GFP_RECLAIMABLE	0x2u	/* __GFP_RECLAIMABLE */
#define FTRACE_GFP_ACCOUNT	0x4u	/* __GFP_ACCOUNT, GFP_KERNEL_ACCOUNT */

/*
 * One parsed kmem line.  site and name point into the parsed line (not
 * NUL-terminated: use the lengths) and live as long as the line.
 */
struct ftrace_rec {
	enum ftrace_event_type type;
	enum ftrace_style style;
	bool node_event;		/* a *_node event */
	bool irqs_off;			/* flags column: 'd' or 'D' first */
	uint8_t ctx;			/* enum sim_ctx from the flags column */
	uint16_t cpu;
	uint64_t ts_ns;			/* absolute, as printed */
	uint64_t ptr;			/* pointer; pfn for page events; 0 for NULL */
	uint32_t bytes_req, bytes_alloc;
	int16_t node;			/* SIM_NO_NODE when the line has none */
	uint8_t order;			/* page events */
	int8_t accounted;		/* 1 true, 0 false, -1 not printed */
	unsigned int gfp;		/* FTRACE_GFP_* */
	const char *site;		/* call_site text, e.g. "alloc_inode+0x59/0xc0" or "811223c5" */
	size_t site_len;		/* 0: no call site */
	const char *name;		/* name= (cache name), quotes removed */
	size_t name_len;		/* 0: no name */
	uint64_t lost;			/* FTRACE_LINE_LOST: events lost (1 if the count is not printed) */
};

/*
 * Parses one line (len bytes, no newline).  Returns an enum ftrace_line_kind,
 * or -EINVAL for a malformed line with err set to a one-line reason naming
 * the field, e.g. "field 'bytes_req': expected a decimal number, got 'x1'".
 * The line is not modified.
 */
int ftrace_line_parse(const char *line, size_t len, struct ftrace_rec *r, char *err, size_t errlen);

/* "kmem_cache_alloc", "kmalloc", ... */
const char *ftrace_event_type_name(enum ftrace_event_type t);
/* "ftrace", "trace-cmd", "perf" */
const char *ftrace_style_format(enum ftrace_style s);

/*
 * Turns a parsed record into a canonical event, interning its call site and
 * its cache name (kmem_cache_free name=, kmem_cache_alloc name= of 2025
 * kernels, or the kmalloc size class from trace_kmalloc_cache()) in w.
 * t_ns is set to the absolute timestamp; the loader makes it relative.  oid
 * is SIM_OID_NONE: the pairing pass (traces/resolve.h) assigns oids.
 */
void ftrace_rec_to_event(struct sim_workload *w, const struct ftrace_rec *r, struct sim_event *e);

/*
 * Writes "field 'FIELD': WHAT, got 'V'" (V cut at 40 bytes; without the
 * "got" part when v is NULL) into err and returns -EINVAL: the one message
 * shape of every text reader's field errors.
 */
int ftrace_field_error(char *err, size_t errlen, const char *field, const char *what,
		       const char *v, size_t vn);

#endif /* SLABSIM_TRACES_FTRACE_H */
