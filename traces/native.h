/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * native.h - slabsim's native trace format: a resolved workload stored so a
 * large text trace is parsed once ("slabsim trace import").
 *
 * Layout, every integer little-endian, every string a u32 length + bytes:
 *
 *   header   "SLABSIMT", u32 version (1), u32 record bytes (48),
 *            u64 events, u32 nobjs, u16 cpus, u16 0, u64 workload digest,
 *            u32 anomalies, u32 caches, u32 sites, u32 0,
 *            anomalies: (string name, u64 count) each,
 *            strings: source, format, kernel, first_skip of the workload,
 *            caches: (string name, u32 size, u32 SIM_CACHEF_* flags) each, id order,
 *            sites: string each, id order
 *   events   48 bytes each: u64 t_ns, u64 ptr, u32 oid, u32 cache, u32 site,
 *            u32 bytes_req, u32 bytes_alloc, u16 cpu, u8 op, u8 flags,
 *            i16 node, u8 order, 5 zero bytes
 *   trailer  "SLABSEND", u32 CRC-32 (zlib's) of every byte before the
 *            trailer, u32 0
 *
 * The anomaly counts are stored with their names, so a reader whose list
 * differs maps them by name.  A format change that older readers cannot
 * skip bumps the version.  A native file may itself be gzip/xz compressed.
 */
#ifndef SLABSIM_TRACES_NATIVE_H
#define SLABSIM_TRACES_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/source.h"
#include "sim/workload.h"
#include "traces/input.h"

#define TRACE_NATIVE_MAGIC "SLABSIMT"
#define TRACE_NATIVE_MAGIC_LEN 8
#define TRACE_NATIVE_VERSION 1u
#define TRACE_NATIVE_RECORD_BYTES 48u

/* What the header says about where the workload came from. */
struct trace_native_info {
	uint32_t version;
	char source[512];	/* the path the workload was read from before import */
	char format[32];	/* its format then ("ftrace", ...) */
};

/* True when the first bytes (n >= 8) carry the native magic. */
bool trace_native_is_native(const void *head, size_t n);
/*
 * True when path names a file (not "-": standard input cannot be read
 * twice) that opens and begins with the native magic; the readers report
 * what else may be wrong with it.
 */
bool trace_native_path_is_native(const char *path);

/*
 * Writes w (resolved: oids set, digest computed) to path through a
 * temporary file in the same directory that is renamed over path, so path
 * is never left half written.  Returns 0 or a negative errno with
 * "PATH: reason" in err.
 */
int trace_native_write(const struct sim_workload *w, const char *path, char *err, size_t errlen);

/*
 * The same written one event at a time, for a workload that is not in
 * memory: w gives everything but the events (its nobjs, ncpus, anomalies,
 * names, source and format must be final), nev how many events will be
 * put; the digest is given at the end.  open returns NULL with "PATH:
 * reason" in err; close renames the temporary file over path and returns 0,
 * or removes it and returns a negative errno with the reason in err; abort
 * removes it.  Either ends the stream.
 */
struct trace_native_stream;
struct trace_native_stream *trace_native_stream_open(const char *path, const struct sim_workload *w, uint64_t nev,
						     char *err, size_t errlen);
/* 0, or the negative errno of a failed write (close reports it too). */
int trace_native_stream_put(struct trace_native_stream *s, const struct sim_event *e);
int trace_native_stream_close(struct trace_native_stream *s, uint64_t digest, char *err, size_t errlen);
void trace_native_stream_abort(struct trace_native_stream *s);

/*
 * Reads a native file into w (freshly sim_workload_init()ed; the caller
 * finalizes it in every case).  Validates the magic, the version (a newer
 * one is refused with a message saying so), the sizes, truncation ("PATH:
 * truncated at byte N: expected M events"), the checksum and the digest;
 * the workload is the one written, with the same digest.  w->source is set
 * to path and w->format to "native"; info (may be NULL) receives the
 * stored origin.  Returns 0 or a negative errno with a message in err.
 */
int trace_native_read(const char *path, struct sim_workload *w, struct trace_native_info *info,
		      char *err, size_t errlen);
/* The same from an open input positioned at the magic. */
int trace_native_read_input(struct trace_input *in, struct sim_workload *w,
			    struct trace_native_info *info, char *err, size_t errlen);

/*
 * A native file read as an event source (sim/source.h), one block of
 * records at a time: memory holds the header's tables and one block,
 * whatever the number of events.  open reads and checks the header into w
 * (freshly sim_workload_init()ed, finalized by the caller after close):
 * everything but the events, w->source and w->format as
 * trace_native_read() sets them, w->stream.on set.  The source checks
 * each event as it reads it; a file that ends early is an error "PATH:
 * truncated at byte N: event K of M is incomplete" (a plain file shorter
 * than its header promises is refused at open), and after the last event
 * it checks the trailer, the checksum and the digest ("PATH: checksum
 * mismatch: the file is damaged"): a damaged file is reported at the end,
 * after its events were yielded.  w->stream counts the events as they
 * pass.  open returns NULL with the message in err; the source, if the
 * caller needs it, is trace_native_source_get()'s.
 */
struct trace_native_source;
struct trace_native_source *trace_native_source_open(const char *path, struct sim_workload *w,
						     struct trace_native_info *info, char *err, size_t errlen);
struct sim_source *trace_native_source_get(struct trace_native_source *s);
void trace_native_source_close(struct trace_native_source *s);

/*
 * Passes over the native file path (sim_passes): w and info are read from
 * its header now, as trace_native_source_open() reads them (w freshly
 * sim_workload_init()ed, finalized by the caller after close), and each
 * pass opens the file again and checks it to its trailer; a pass read to
 * its sound end gives w its event counts (w->stream).  NULL with the
 * message in err when the file cannot be opened.
 */
struct trace_native_passes;
struct trace_native_passes *trace_native_passes_open(const char *path, struct sim_workload *w,
						     struct trace_native_info *info, char *err, size_t errlen);
struct sim_passes *trace_native_passes_get(struct trace_native_passes *np);
void trace_native_passes_close(struct trace_native_passes *np);

#endif /* SLABSIM_TRACES_NATIVE_H */
