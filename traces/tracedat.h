/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tracedat.h - trace-cmd's binary trace.dat (file versions 6 and 7), read
 * through libtracecmd and libtraceevent when configure found them
 * (HAVE_LIBTRACECMD).  Without them a trace.dat is recognised by its magic
 * and refused with a message that says how to read it.
 *
 * Each kmem record becomes the struct ftrace_rec that the text parser
 * builds from the line 'trace-cmd report' prints for it, so the canonical
 * events are the same either way (tests/check_badinput.c compares them on
 * a real capture):
 *
 *   cpu, ts_ns        the record's CPU and timestamp (the trace clock's
 *                     units: nanoseconds for local, global, mono, boot)
 *   ctx, irqs_off     common_flags: TRACE_FLAG_NMI 0x40, TRACE_FLAG_HARDIRQ
 *                     0x08, TRACE_FLAG_SOFTIRQ 0x10, TRACE_FLAG_IRQS_OFF
 *                     0x01 (include/linux/trace_events.h, stable since 2.6.x)
 *   ptr               ptr (pfn for page events; page where an old kernel
 *                     has no pfn field)
 *   bytes_req/alloc,  the fields of those names; node and accounted only
 *   node, accounted   where the event has them
 *   gfp               gfp_flags bits ___GFP_DMA 0x01 and ___GFP_RECLAIMABLE
 *                     0x10 (stable since 2.6.24); __GFP_ACCOUNT's bit moved
 *                     between versions and is not read (kmalloc-cg naming
 *                     uses accounted, as for text)
 *   site              call_site as the event's print format shows it:
 *                     "func+0x1c" for %pS/%pF (hex "0x..." when kallsyms in
 *                     the file does not name it), bare hex for %lx (<= 5.3)
 *   name              the name string (kmem_cache_free since ~5.12,
 *                     kmem_cache_alloc since 2025)
 *
 * Missed events (the ring buffer overwrote them) are counted as lost, as
 * report's "CPU:N [K EVENTS DROPPED]" lines are.
 */
#ifndef SLABSIM_TRACES_TRACEDAT_H
#define SLABSIM_TRACES_TRACEDAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "traces/ftrace.h"

/* tracecmd's file magic: 0x17 0x08 0x44 "tracing" */
#define TRACE_TRACEDAT_MAGIC "\x17\x08\x44tracing"
#define TRACE_TRACEDAT_MAGIC_LEN 10

/* include/linux/trace_events.h, enum trace_flag_type */
#define TRACE_TRACEDAT_FLAG_IRQS_OFF 0x01u
#define TRACE_TRACEDAT_FLAG_HARDIRQ 0x08u
#define TRACE_TRACEDAT_FLAG_SOFTIRQ 0x10u
#define TRACE_TRACEDAT_FLAG_NMI 0x40u

/* Where a record is, for messages and --strict. */
struct trace_tracedat_pos {
	uint64_t index;		/* 1-based, in the merged time order of all CPUs */
	uint64_t offset;	/* byte offset of the record in the file */
	int cpu;
};

/* What the reader hands on; each returns 0 or a negative errno to stop. */
struct trace_tracedat_sink {
	/* A kmem record; site and name stay valid until the call returns. */
	int (*kmem)(void *arg, const struct trace_tracedat_pos *pos, const struct ftrace_rec *r);
	/* A record of another event. */
	int (*other)(void *arg, const struct trace_tracedat_pos *pos);
	/* The ring buffer dropped n events on pos->cpu before this record. */
	int (*lost)(void *arg, const struct trace_tracedat_pos *pos, uint64_t n);
	/* Progress: file offset reached, file size. */
	void (*progress)(void *arg, uint64_t done_bytes, uint64_t total_bytes);
	void *arg;
};

/* True when the first bytes (n >= 10) carry the trace.dat magic. */
bool trace_tracedat_is_tracedat(const void *head, size_t n);

/* True when this build reads trace.dat (configure found libtracecmd). */
bool trace_tracedat_is_supported(void);

/* Sets r->ctx and r->irqs_off from a record's common_flags. */
void trace_tracedat_flags_apply(unsigned int common_flags, struct ftrace_rec *r);

/*
 * Reads the trace.dat at path, a plain seekable file, handing every record
 * to sink in time order.  Returns 0, the first non-zero return of a sink
 * callback, or a negative errno with "PATH: reason" in err: -ENOTSUP when
 * this build has no libtracecmd ("PATH: trace.dat needs libtracecmd: install
 * libtracecmd-dev and reconfigure, or convert with 'trace-cmd report PATH >
 * PATH.txt'"), -EINVAL when libtracecmd cannot open it.
 */
int trace_tracedat_read(const char *path, const struct trace_tracedat_sink *sink,
			char *err, size_t errlen);

#endif /* SLABSIM_TRACES_TRACEDAT_H */
