/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spool.c - a temporary file of fixed-size records: write, patch, read back. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/xalloc.h"
#include "traces/spool.h"

#define SPOOL_BUF_BYTES (8u << 20)

struct trace_spool {
	int fd;
	size_t rec;			/* bytes per record */
	unsigned char *buf;
	size_t cap;			/* records the buffer holds */
	size_t nbuf;			/* writing: records buffered; reading: records in the buffer */
	size_t ibuf;			/* reading: next record in the buffer */
	uint64_t flushed;		/* records in the file */
	uint64_t read;			/* records read from the file into the buffer */
	int err;
	char msg[256];
};

static int spool_fail(struct trace_spool *s, int e, const char *what)
{
	if (!s->err) {
		s->err = e ? e : EIO;
		snprintf(s->msg, sizeof(s->msg), "spool: %s: %s", what, strerror(s->err));
	}
	return -s->err;
}

struct trace_spool *trace_spool_new(const char *dir, size_t rec_bytes, char *err, size_t errlen)
{
	size_t n = strlen(dir) + 32;
	char *path = xmalloc(n);
	struct trace_spool *s;
	int fd;

	snprintf(path, n, "%s/.slabsim-spool.XXXXXX", dir[0] ? dir : ".");
	fd = mkstemp(path);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a temporary file: %s", dir[0] ? dir : ".", strerror(errno));
		free(path);
		return NULL;
	}
	unlink(path);
	free(path);
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	s->rec = rec_bytes;
	s->cap = SPOOL_BUF_BYTES / rec_bytes;
	s->buf = xmalloc(s->cap * rec_bytes);
	return s;
}

void trace_spool_free(struct trace_spool *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s->buf);
	free(s);
}

static int spool_write_all(struct trace_spool *s, const unsigned char *p, size_t n, off_t off)
{
	while (n) {
		ssize_t k = pwrite(s->fd, p, n, off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return spool_fail(s, k < 0 ? errno : ENOSPC, "write");
		p += k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

static int spool_flush(struct trace_spool *s)
{
	int ret = spool_write_all(s, s->buf, s->nbuf * s->rec, (off_t)(s->flushed * s->rec));

	if (ret)
		return ret;
	s->flushed += s->nbuf;
	s->nbuf = 0;
	return 0;
}

int trace_spool_put(struct trace_spool *s, const void *rec)
{
	if (s->err)
		return -s->err;
	if (s->nbuf == s->cap && spool_flush(s))
		return -s->err;
	memcpy(s->buf + s->nbuf * s->rec, rec, s->rec);
	s->nbuf++;
	return 0;
}

int trace_spool_patch(struct trace_spool *s, uint64_t idx, size_t off, const void *p, size_t n)
{
	if (s->err)
		return -s->err;
	if (idx >= s->flushed) {
		memcpy(s->buf + (idx - s->flushed) * s->rec + off, p, n);
		return 0;
	}
	return spool_write_all(s, p, n, (off_t)(idx * s->rec + off));
}

uint64_t trace_spool_count(const struct trace_spool *s)
{
	return s->flushed + s->nbuf;
}

int trace_spool_rewind(struct trace_spool *s)
{
	if (s->err || spool_flush(s))
		return -s->err;
	s->read = 0;
	s->nbuf = 0;
	s->ibuf = 0;
	return 0;
}

static int spool_fill(struct trace_spool *s)
{
	uint64_t left = s->flushed - s->read;
	size_t want = (left < s->cap ? (size_t)left : s->cap) * s->rec, got = 0;

	while (got < want) {
		ssize_t k = pread(s->fd, s->buf + got, want - got, (off_t)(s->read * s->rec + got));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return spool_fail(s, k < 0 ? errno : EIO, "read");
		got += (size_t)k;
	}
	s->nbuf = want / s->rec;
	s->ibuf = 0;
	s->read += s->nbuf;
	return 0;
}

int trace_spool_get(struct trace_spool *s, void *rec)
{
	if (s->err)
		return -s->err;
	if (s->ibuf == s->nbuf) {
		if (s->read == s->flushed)
			return 0;
		if (spool_fill(s))
			return -s->err;
	}
	memcpy(rec, s->buf + s->ibuf * s->rec, s->rec);
	s->ibuf++;
	return 1;
}

const char *trace_spool_error(const struct trace_spool *s)
{
	return s->msg;
}
