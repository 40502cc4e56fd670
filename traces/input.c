/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * input.c - byte and line input from plain, gzip and xz files and stdin.
 *
 * Two buffers: raw bytes from the file descriptor (sniffed for magic bytes
 * at open), and decoded bytes that lines are cut from.  The decoder (none,
 * zlib inflate or liblzma) appends to the decoded buffer in large blocks;
 * lines are found with memchr() and handed out in place.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sim/xalloc.h"
#include "traces/input.h"

#define INPUT_RAW_BYTES (256u << 10)	/* compressed read size */
#define INPUT_BUF_BYTES (1u << 20)	/* decoded buffer, grows for long lines */
#define INPUT_MIN_ROOM (64u << 10)	/* fill only when this much room is free */
#define INPUT_SMALL_RAW 4096u		/* least raw buffer, for a small file */

struct trace_input {
	int fd;
	bool is_stdin;
	enum trace_compression comp;
	int err;			/* sticky negative errno, 0 if none */
	uint64_t raw_total;		/* st_size of a regular file, else 0 */
	uint64_t raw_off;		/* bytes read from fd */
	unsigned char *raw;		/* raw bytes [raw_pos, raw_len) unread */
	size_t raw_pos, raw_len, raw_cap;
	bool raw_eof;
	bool dec_done;			/* the decoder saw the end of its data */
	z_stream z;
	lzma_stream x;
	char *buf;			/* decoded bytes [pos, len) unread */
	size_t pos, len, cap;
	uint64_t consumed;
	char name[512];
	char errmsg[768];
};

static int input_fail(struct trace_input *in, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int input_fail(struct trace_input *in, int err, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(in->errmsg, sizeof(in->errmsg), "%s: ", in->name);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(in->errmsg))
		vsnprintf(in->errmsg + n, sizeof(in->errmsg) - (size_t)n, fmt, ap);
	va_end(ap);
	in->err = err;
	return err;
}

/* Offset in the file of the next raw byte the decoder will look at. */
static uint64_t input_raw_pos(const struct trace_input *in)
{
	return in->raw_off - (in->raw_len - in->raw_pos);
}

static ssize_t input_sysread(struct trace_input *in, void *dst, size_t n)
{
	ssize_t r;

	do
		r = read(in->fd, dst, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return input_fail(in, -errno, "read error: %s", strerror(errno));
	if (r == 0)
		in->raw_eof = true;
	in->raw_off += (uint64_t)r;
	return r;
}

/* Keeps the unread raw bytes and reads more after them. */
static ssize_t input_raw_fill(struct trace_input *in)
{
	size_t left = in->raw_len - in->raw_pos;

	if (in->raw_eof)
		return 0;
	memmove(in->raw, in->raw + in->raw_pos, left);
	in->raw_pos = 0;
	in->raw_len = left;
	if (left == in->raw_cap)
		return 0;
	ssize_t r = input_sysread(in, in->raw + left, in->raw_cap - left);

	if (r > 0)
		in->raw_len += (size_t)r;
	return r;
}

static ssize_t input_plain_fill(struct trace_input *in, char *dst, size_t room)
{
	size_t left = in->raw_len - in->raw_pos;

	if (left) {
		size_t n = left < room ? left : room;

		memcpy(dst, in->raw + in->raw_pos, n);
		in->raw_pos += n;
		return (ssize_t)n;
	}
	if (in->raw_eof)
		return 0;
	return input_sysread(in, dst, room);
}

static int input_gz_damaged(struct trace_input *in)
{
	return input_fail(in, -EIO, "truncated or corrupt gzip data after %llu bytes",
			  (unsigned long long)input_raw_pos(in));
}

/* After one gzip member: another one follows, or the data ends. */
static int input_gz_next_member(struct trace_input *in)
{
	if (in->raw_len - in->raw_pos < 2 && input_raw_fill(in) < 0)
		return in->err;
	if (in->raw_len - in->raw_pos >= 2 && in->raw[in->raw_pos] == 0x1f &&
	    in->raw[in->raw_pos + 1] == 0x8b) {
		inflateReset(&in->z);
		return 0;
	}
	in->dec_done = true;	/* trailing bytes after the last member are ignored, as gzip -d does */
	return 0;
}

static ssize_t input_gz_fill(struct trace_input *in, char *dst, size_t room)
{
	z_stream *z = &in->z;

	z->next_out = (Bytef *)dst;
	z->avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
	uInt start = z->avail_out;

	while (z->avail_out == start && !in->dec_done) {
		if (in->raw_pos == in->raw_len && input_raw_fill(in) < 0)
			return in->err;
		if (in->raw_pos == in->raw_len && in->raw_eof)
			return input_gz_damaged(in);
		z->next_in = in->raw + in->raw_pos;
		z->avail_in = (uInt)(in->raw_len - in->raw_pos);
		int ret = inflate(z, Z_NO_FLUSH);

		in->raw_pos = in->raw_len - z->avail_in;
		if (ret == Z_STREAM_END) {
			if (input_gz_next_member(in) < 0)
				return in->err;
		} else if (ret == Z_MEM_ERROR) {
			return input_fail(in, -ENOMEM, "out of memory decompressing gzip data");
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			return input_gz_damaged(in);
		}
	}
	return (ssize_t)(start - z->avail_out);
}

static ssize_t input_xz_fill(struct trace_input *in, char *dst, size_t room)
{
	lzma_stream *x = &in->x;

	x->next_out = (uint8_t *)dst;
	x->avail_out = room;
	while (x->avail_out == room && !in->dec_done) {
		if (in->raw_pos == in->raw_len && input_raw_fill(in) < 0)
			return in->err;
		x->next_in = in->raw + in->raw_pos;
		x->avail_in = in->raw_len - in->raw_pos;
		lzma_ret ret = lzma_code(x, in->raw_eof ? LZMA_FINISH : LZMA_RUN);

		in->raw_pos = in->raw_len - x->avail_in;
		if (ret == LZMA_STREAM_END)
			in->dec_done = true;
		else if (ret == LZMA_MEM_ERROR)
			return input_fail(in, -ENOMEM, "out of memory decompressing xz data");
		else if (ret != LZMA_OK)
			return input_fail(in, -EIO, "truncated or corrupt xz data after %llu bytes",
					  (unsigned long long)input_raw_pos(in));
	}
	return (ssize_t)(room - x->avail_out);
}

/* Appends decoded bytes to buf; returns how many, 0 at end, <0 on error. */
static ssize_t input_fill(struct trace_input *in)
{
	if (in->err)
		return in->err;
	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->cap - 1 - in->len < INPUT_MIN_ROOM) {
		in->cap *= 2;
		in->buf = xrealloc(in->buf, in->cap);
	}
	char *dst = in->buf + in->len;
	size_t room = in->cap - 1 - in->len;	/* one byte kept for a final NUL */
	ssize_t r;

	switch (in->comp) {
	case TRACE_COMP_GZIP:
		r = input_gz_fill(in, dst, room);
		break;
	case TRACE_COMP_XZ:
		r = input_xz_fill(in, dst, room);
		break;
	default:
		r = input_plain_fill(in, dst, room);
		break;
	}
	if (r > 0)
		in->len += (size_t)r;
	return r;
}

static int input_sniff_unsupported(struct trace_input *in, const unsigned char *m, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what, *tool;
	} tab[] = {
		{ "BZh", 3, "bzip2", "bunzip2" },
		{ "\x28\xb5\x2f\xfd", 4, "zstd", "zstd -d" },
		{ "\x04\x22\x4d\x18", 4, "lz4", "lz4 -d" },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (n >= tab[i].len && !memcmp(m, tab[i].magic, tab[i].len))
			return input_fail(in, -ENOTSUP,
					  "compressed with %s, which slabsim cannot read; decompress it first (%s)",
					  tab[i].what, tab[i].tool);
	return 0;
}

static int input_sniff(struct trace_input *in)
{
	while (in->raw_len < 6 && !in->raw_eof)
		if (input_raw_fill(in) < 0)
			return in->err;
	const unsigned char *m = in->raw;
	size_t n = in->raw_len;

	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
		in->comp = TRACE_COMP_GZIP;
		if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK)
			return input_fail(in, -ENOMEM, "cannot start the gzip decoder");
	} else if (n >= 6 && !memcmp(m, "\xfd" "7zXZ\0", 6)) {
		in->comp = TRACE_COMP_XZ;
		if (lzma_stream_decoder(&in->x, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			return input_fail(in, -ENOMEM, "cannot start the xz decoder");
	}
	return input_sniff_unsupported(in, m, n);
}

static int input_open_fd(struct trace_input *in, const char *path)
{
	struct stat st;

	if (!strcmp(path, "-")) {
		in->fd = STDIN_FILENO;
		in->is_stdin = true;
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0)
			return input_fail(in, -errno, "%s", strerror(errno));
	}
	if (fstat(in->fd, &st) < 0)
		return input_fail(in, -errno, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return input_fail(in, -EISDIR, "is a directory, not a trace file");
	if (S_ISREG(st.st_mode)) {
		in->raw_total = (uint64_t)st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
		posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	}
	return 0;
}

/*
 * The raw and decoded buffers: full size, or for a regular file smaller than
 * them only as much as it needs (the decoded buffer grows as it must, for a
 * compressed file that expands), so that opening a small file stays cheap.
 */
static void input_buffers_alloc(struct trace_input *in)
{
	bool small = in->raw_total && in->raw_total < INPUT_RAW_BYTES;

	in->raw_cap = INPUT_RAW_BYTES;
	if (small)
		in->raw_cap = in->raw_total + 1 > INPUT_SMALL_RAW ? (size_t)in->raw_total + 1 : INPUT_SMALL_RAW;
	in->raw = xmalloc(in->raw_cap);
	in->cap = small ? 2 * INPUT_MIN_ROOM : INPUT_BUF_BYTES;
	in->buf = xmalloc(in->cap);
}

struct trace_input *trace_input_open(const char *path, char *err, size_t errlen)
{
	struct trace_input *in = xcalloc(1, sizeof(*in));
	lzma_stream xinit = LZMA_STREAM_INIT;

	in->fd = -1;
	in->x = xinit;
	snprintf(in->name, sizeof(in->name), "%s", strcmp(path, "-") ? path : "<stdin>");
	if (!input_open_fd(in, path)) {
		input_buffers_alloc(in);
		(void)input_sniff(in);
	}
	if (in->err) {
		int e = in->err;

		snprintf(err, errlen, "%s", in->errmsg);
		trace_input_close(in);
		errno = -e;
		return NULL;
	}
	return in;
}

void trace_input_close(struct trace_input *in)
{
	if (!in)
		return;
	if (in->comp == TRACE_COMP_GZIP)
		inflateEnd(&in->z);
	if (in->comp == TRACE_COMP_XZ)
		lzma_end(&in->x);
	if (in->fd >= 0 && !in->is_stdin)
		close(in->fd);
	free(in->raw);
	free(in->buf);
	free(in);
}

/*
 * Finds the next line: *start and *n (including the '\n' when there is
 * one).  Returns 1, 0 at the end, or a negative errno.
 */
static int input_next_line(struct trace_input *in, char **start, size_t *n)
{
	size_t scanned = 0;

	for (;;) {
		char *s = in->buf + in->pos;
		char *nl = memchr(s + scanned, '\n', in->len - in->pos - scanned);

		if (nl) {
			*start = s;
			*n = (size_t)(nl - s) + 1;
			in->pos += *n;
			in->consumed += *n;
			return 1;
		}
		scanned = in->len - in->pos;
		ssize_t r = input_fill(in);

		if (r < 0)
			return (int)r;
		if (r == 0) {
			if (in->pos == in->len)
				return 0;
			*start = in->buf + in->pos;
			*n = in->len - in->pos;
			in->pos = in->len;
			in->consumed += *n;
			return 1;
		}
	}
}

int trace_input_line(struct trace_input *in, char **line, size_t *len)
{
	char *s;
	size_t n;
	int r = input_next_line(in, &s, &n);

	if (r <= 0)
		return r;
	if (n && s[n - 1] == '\n')
		n--;
	if (n && s[n - 1] == '\r')
		n--;
	s[n] = '\0';	/* the '\n' or the byte kept free after the data */
	*line = s;
	*len = n;
	return 1;
}

ssize_t trace_input_getline(struct trace_input *in, char **line, size_t *cap)
{
	char *s;
	size_t n;
	int r = input_next_line(in, &s, &n);

	if (r <= 0)
		return r;
	if (!*line || *cap < n + 1) {
		*cap = n + 1 > 128 ? n + 1 : 128;
		*line = xrealloc(*line, *cap);
	}
	memcpy(*line, s, n);
	(*line)[n] = '\0';
	return (ssize_t)n;
}

ssize_t trace_input_read(struct trace_input *in, void *buf, size_t n)
{
	char *dst = buf;
	size_t done = 0;

	while (done < n) {
		size_t avail = in->len - in->pos;

		if (!avail) {
			ssize_t r = input_fill(in);

			if (r < 0)
				return r;
			if (r == 0)
				break;
			continue;
		}
		size_t k = avail < n - done ? avail : n - done;

		memcpy(dst + done, in->buf + in->pos, k);
		in->pos += k;
		in->consumed += k;
		done += k;
	}
	return (ssize_t)done;
}

ssize_t trace_input_peek(struct trace_input *in, const void **p, size_t want)
{
	while (in->len - in->pos < want) {
		while (in->cap - 1 < want + INPUT_MIN_ROOM) {
			in->cap *= 2;
			in->buf = xrealloc(in->buf, in->cap);
		}
		ssize_t r = input_fill(in);

		if (r < 0)
			return r;
		if (r == 0)
			break;
	}
	*p = in->buf + in->pos;
	return (ssize_t)(in->len - in->pos);
}

const char *trace_input_name(const struct trace_input *in)
{
	return in->name;
}

const char *trace_input_error(const struct trace_input *in)
{
	return in->errmsg;
}

enum trace_compression trace_input_compression(const struct trace_input *in)
{
	return in->comp;
}

const char *trace_input_compression_name(enum trace_compression c)
{
	switch (c) {
	case TRACE_COMP_GZIP:
		return "gzip";
	case TRACE_COMP_XZ:
		return "xz";
	default:
		return "plain";
	}
}

uint64_t trace_input_offset(const struct trace_input *in)
{
	return input_raw_pos(in);
}

uint64_t trace_input_size(const struct trace_input *in)
{
	return in->raw_total;
}

uint64_t trace_input_consumed(const struct trace_input *in)
{
	return in->consumed;
}
