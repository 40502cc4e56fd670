/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spool.h - a temporary file of fixed-size records, written in order,
 * patched in place, then read back in order: the pairing pass keeps a
 * trace's events here instead of in memory when it streams an import
 * (traces/resolve.h), so that memory depends on the live objects only.
 *
 * The file is created in a given directory (the output's, so that the
 * space used is where the result will go) and unlinked at once: nothing is
 * left behind, whatever happens to the process.  Records are buffered;
 * a patch of a record still in the buffer costs nothing, one already
 * written is a pwrite.
 */
#ifndef SLABSIM_TRACES_SPOOL_H
#define SLABSIM_TRACES_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct trace_spool;

/*
 * Creates a spool of rec_bytes records in dir.  Returns NULL with
 * "DIR: cannot create a temporary file: reason" in err.
 */
struct trace_spool *trace_spool_new(const char *dir, size_t rec_bytes, char *err, size_t errlen);
void trace_spool_free(struct trace_spool *s);

/* Appends a record; 0 or a negative errno (then every later call fails too). */
int trace_spool_put(struct trace_spool *s, const void *rec);
/* Overwrites n bytes at offset off of record idx (already put). */
int trace_spool_patch(struct trace_spool *s, uint64_t idx, size_t off, const void *p, size_t n);
/* Records put so far. */
uint64_t trace_spool_count(const struct trace_spool *s);
/* Ends writing; reading starts at the first record. */
int trace_spool_rewind(struct trace_spool *s);
/* Reads the next record: 1, 0 at the end, or a negative errno. */
int trace_spool_get(struct trace_spool *s, void *rec);
/* The error of a failed call, "spool: reason". */
const char *trace_spool_error(const struct trace_spool *s);

#endif /* SLABSIM_TRACES_SPOOL_H */
