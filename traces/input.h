/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * input.h - uniform byte and line input from a path: a plain file, a gzip
 * file (zlib), an xz file (liblzma, streaming) or "-" for standard input.
 *
 * Compression is recognised by its magic bytes, not by the file name, so a
 * misnamed file and compressed data on a pipe both work; concatenated gzip
 * members and concatenated xz streams are read as one.  Input is read in
 * large blocks and lines are found with memchr(); nothing is done per
 * character through a function call.
 *
 * Errors are returned as negative errno values; the message, which names
 * the file (and for damaged compressed data the byte offset), is kept in
 * the input and returned by trace_input_error().  Nothing here prints.
 */
#ifndef SLABSIM_TRACES_INPUT_H
#define SLABSIM_TRACES_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum trace_compression {
	TRACE_COMP_NONE = 0,
	TRACE_COMP_GZIP,
	TRACE_COMP_XZ,
};

struct trace_input;

/*
 * Opens path ("-" is standard input, which is not closed by
 * trace_input_close).  Returns NULL with a message "PATH: reason" in err
 * and errno set when the file is missing, unreadable, a directory, or
 * compressed with a method this build cannot read (bzip2, zstd, lz4).
 */
struct trace_input *trace_input_open(const char *path, char *err, size_t errlen);
void trace_input_close(struct trace_input *in);

/*
 * Copies the next line, including its '\n' if it has one, into *line
 * (grown with xrealloc as getline(3) does; *line may start NULL) and
 * NUL-terminates it.  Returns its length, 0 at end of input, or a negative
 * errno (message in trace_input_error()).
 */
ssize_t trace_input_getline(struct trace_input *in, char **line, size_t *cap);

/*
 * Zero-copy variant for the hot path: points *line at the next line inside
 * the input's buffer, without its "\n" or "\r\n", NUL-terminated and
 * writable; *len is its length.  The line stays valid until the next call.
 * Returns 1 for a line, 0 at end of input, or a negative errno.
 */
int trace_input_line(struct trace_input *in, char **line, size_t *len);

/*
 * Reads up to n bytes of (decompressed) data; returns fewer only at end of
 * input.  Returns the count, 0 at end, or a negative errno.
 */
ssize_t trace_input_read(struct trace_input *in, void *buf, size_t n);

/*
 * Makes at least want bytes of decompressed data available without
 * consuming them (fewer at end of input); *p points at them until the next
 * read.  Returns the number available or a negative errno.
 */
ssize_t trace_input_peek(struct trace_input *in, const void **p, size_t want);

/* The display name: the path, or "<stdin>". */
const char *trace_input_name(const struct trace_input *in);
/* Message of the last error, "" if none. */
const char *trace_input_error(const struct trace_input *in);
enum trace_compression trace_input_compression(const struct trace_input *in);
/* "plain", "gzip" or "xz". */
const char *trace_input_compression_name(enum trace_compression c);
/* Bytes of the file consumed so far (compressed bytes for gz/xz). */
uint64_t trace_input_offset(const struct trace_input *in);
/* Size of the file in bytes when it is a regular file, else 0 (unknown). */
uint64_t trace_input_size(const struct trace_input *in);
/* Decompressed bytes handed to the caller so far. */
uint64_t trace_input_consumed(const struct trace_input *in);

#endif /* SLABSIM_TRACES_INPUT_H */
