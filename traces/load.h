/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load.h - reads a trace file of any supported format into a workload.
 *
 * The format is detected from the content, through gzip/xz compression and
 * on standard input ("-"): the native magic selects the native reader
 * (already resolved); the trace.dat magic selects traces/tracedat (a plain
 * file given by path); a first line (after blank and '#' lines) that is a
 * CSV header naming op and ptr selects traces/csv; anything else is read
 * as kmem tracepoint text (tracefs trace/trace_pipe, trace-cmd report with
 * or without -l, perf script with or without callchains and -L), then the
 * pairing pass (traces/resolve.h) runs.  t_ns is made relative to the
 * earliest event.  traces/README-formats.md documents the formats.
 *
 * Readers count, never fail on, unless opts->strict:
 *   skipped_lines   malformed lines (the first one described in
 *                   w->first_skip as "FILE:LINE: field 'f': why")
 *   unknown_events  events other than the kmem allocation events
 *   lost_events     LOST / EVENTS DROPPED markers, trace.dat missed events
 *   time_backwards  an event earlier than the previous event in the file
 *                   (the pairing pass pairs in file order) or than the
 *                   previous event of its own CPU (a CPU's buffer is in time
 *                   order: a spliced or damaged trace); each event counts once
 *   null_alloc, unmatched_free, realloc_live  (see traces/resolve.h)
 */
#ifndef SLABSIM_TRACES_LOAD_H
#define SLABSIM_TRACES_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "sim/workload.h"
#include "traces/input.h"

/*
 * Progress: bytes of the file read so far and its size (0 when unknown:
 * standard input, a pipe).  Called about every MiB of the file and once at the end.
 */
typedef void (*trace_progress_fn)(void *arg, uint64_t done_bytes, uint64_t total_bytes);

struct trace_load_opts {
	trace_progress_fn progress;	/* may be NULL */
	void *progress_arg;
	/*
	 * Every counted anomaly listed above is an error instead, with a
	 * message naming the file, the line (the record of a trace.dat, the
	 * event of a native file) and the field, e.g. "t.csv:7: field 'ptr':
	 * free of 0x1000, which is not allocated in the trace (unmatched_free:
	 * an error under --strict)".  The first in file order is reported.
	 * Not errors: kfree(NULL) (null_free: the kernel does it), page
	 * events, large kmallocs, caches named from their call site.
	 */
	bool strict;
};

/* What the load found, for summaries. */
struct trace_load_info {
	enum trace_compression compression;
	uint64_t file_bytes;		/* bytes of the file read (compressed bytes for gz/xz) */
	uint64_t text_bytes;		/* decompressed bytes */
	uint64_t lines;			/* text lines read (0 for native and trace.dat) */
	uint64_t records;		/* trace.dat records read (0 for the others) */
	uint64_t events;		/* events kept (those of w->ev when loaded in memory) */
	uint32_t native_version;	/* native only */
	char origin[512];		/* native only: the trace it was imported from */
	char origin_format[32];		/* native only: that trace's format */
};

/*
 * Loads path into w, which the caller has initialized with
 * sim_workload_init() and finalizes with sim_workload_fini() in every case.
 * Sets w->source (the path, "<stdin>" for "-"), w->format ("ftrace",
 * "trace-cmd", "perf", "csv", "trace.dat" or "native"), w->kernel (""
 * when the trace does not say), oids, anomalies and w->digest.
 *
 * Returns 0, or a negative errno with a one-line message in err that names
 * the file: a missing or unreadable file, truncated or corrupt compressed
 * data, a damaged native file, a bad CSV header ("FILE:LINE: field 'x':
 * ..."), a trace.dat this build cannot read (-ENOTSUP), a trace without
 * kmem allocation events ("FILE: no kmem allocation events found (N lines
 * read)", with the first skipped line if any), or under opts->strict the
 * first anomaly (-EINVAL).
 */
int trace_load(const char *path, struct sim_workload *w, char *err, size_t errlen);

/* The same with a progress callback and a summary; opts and info may be NULL. */
int trace_load_ex(const char *path, struct sim_workload *w, const struct trace_load_opts *opts,
		  struct trace_load_info *info, char *err, size_t errlen);

/*
 * Imports path into the native file out, streaming: the events are paired
 * as they are read and kept in a temporary file next to out (unlinked at
 * once), then written out in their final form, so memory holds only the
 * live objects and the names, whatever the length of the trace (a native
 * input is read whole).  w receives everything but the events (w->nev
 * stays 0; info->events counts them); the file written is the one
 * trace_load_ex() + trace_native_write() would write, byte for byte.
 * Errors as trace_load_ex(), and write errors "OUT: reason"; out is never
 * left half written.
 */
int trace_import(const char *path, const char *out, struct sim_workload *w, const struct trace_load_opts *opts,
		 struct trace_load_info *info, char *err, size_t errlen);

/* What a native file's header says of where it came from, into info. */
struct trace_native_info;
void trace_load_info_native(struct trace_load_info *info, const struct trace_native_info *ni);

/*
 * What --strict checks in a native file, read through without holding it:
 * 0, or -EINVAL with the message loading it whole under --strict gives
 * (the first unmatched free or reallocation by event number, else the
 * first anomaly its header counts), or the file's own error.
 */
int trace_native_strict_check(const char *path, char *err, size_t errlen);

#endif /* SLABSIM_TRACES_LOAD_H */
