/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * native.c - writer and reader of the native trace format (see native.h
 * for the layout).  Integers are encoded byte by byte, so files are the
 * same on every host; events move in blocks of NATIVE_BLOCK records.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sim/xalloc.h"
#include "traces/native.h"

#define NATIVE_END_MAGIC "SLABSEND"
#define NATIVE_FIXED_BYTES 56u
#define NATIVE_TRAILER_BYTES 16u
#define NATIVE_BLOCK 8192u		/* records per read or write */
#define NATIVE_MAX_STRING (1u << 20)
#define NATIVE_MAX_TABLE (1u << 24)	/* caches, sites, anomalies */

/* ---- little-endian encoding ----------------------------------------------- */

static void le16_put(unsigned char *b, uint16_t v)
{
	b[0] = (unsigned char)v;
	b[1] = (unsigned char)(v >> 8);
}

static void le32_put(unsigned char *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static void le64_put(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint16_t le16_get(const unsigned char *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t le32_get(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t le64_get(const unsigned char *b)
{
	return (uint64_t)le32_get(b) | (uint64_t)le32_get(b + 4) << 32;
}

static void native_event_encode(unsigned char *b, const struct sim_event *e)
{
	le64_put(b, e->t_ns);
	le64_put(b + 8, e->ptr);
	le32_put(b + 16, e->oid);
	le32_put(b + 20, e->cache);
	le32_put(b + 24, e->site);
	le32_put(b + 28, e->bytes_req);
	le32_put(b + 32, e->bytes_alloc);
	le16_put(b + 36, e->cpu);
	b[38] = e->op;
	b[39] = e->flags;
	le16_put(b + 40, (uint16_t)e->node);
	b[42] = e->order;
	memset(b + 43, 0, 5);
}

static void native_event_decode(const unsigned char *b, struct sim_event *e)
{
	memset(e, 0, sizeof(*e));
	e->t_ns = le64_get(b);
	e->ptr = le64_get(b + 8);
	e->oid = le32_get(b + 16);
	e->cache = le32_get(b + 20);
	e->site = le32_get(b + 24);
	e->bytes_req = le32_get(b + 28);
	e->bytes_alloc = le32_get(b + 32);
	e->cpu = le16_get(b + 36);
	e->op = b[38];
	e->flags = b[39];
	e->node = (int16_t)le16_get(b + 40);
	e->order = b[42];
}

bool trace_native_is_native(const void *head, size_t n)
{
	return n >= TRACE_NATIVE_MAGIC_LEN && !memcmp(head, TRACE_NATIVE_MAGIC, TRACE_NATIVE_MAGIC_LEN);
}

/* ---- writer ------------------------------------------------------------------ */

/*
 * The header and tables are built in memory, written, and written again at
 * the end with the digest, which is known only once every event has passed;
 * the checksum of the whole is combined from the header's and the events'.
 */
struct trace_native_stream {
	FILE *f;			/* the temporary file */
	char *path, *tmp;
	unsigned char *head;		/* header and tables */
	size_t head_len;
	uint32_t crc;			/* of the events so far */
	uint64_t events_len;		/* bytes of events written */
	unsigned char *blk;		/* NATIVE_BLOCK encoded records */
	size_t nblk;
	int err;			/* errno of the first failed write */
};

struct native_buf {
	unsigned char *p;
	size_t n, cap;
};

static void nb_put(struct native_buf *b, const void *p, size_t n)
{
	xgrow((void **)&b->p, &b->cap, b->n + n, 1);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void nb_u32(struct native_buf *b, uint32_t v)
{
	unsigned char c[4];

	le32_put(c, v);
	nb_put(b, c, 4);
}

static void nb_u64(struct native_buf *b, uint64_t v)
{
	unsigned char c[8];

	le64_put(c, v);
	nb_put(b, c, 8);
}

static void nb_str(struct native_buf *b, const char *str)
{
	size_t n = strlen(str);

	nb_u32(b, (uint32_t)n);
	nb_put(b, str, n);
}

#define NATIVE_DIGEST_OFF 32u

static void nb_header(struct native_buf *nb, const struct sim_workload *w, uint64_t nev)
{
	unsigned char b[NATIVE_FIXED_BYTES] = { 0 };

	memcpy(b, TRACE_NATIVE_MAGIC, TRACE_NATIVE_MAGIC_LEN);
	le32_put(b + 8, TRACE_NATIVE_VERSION);
	le32_put(b + 12, TRACE_NATIVE_RECORD_BYTES);
	le64_put(b + 16, nev);
	le32_put(b + 24, w->nobjs);
	le16_put(b + 28, w->ncpus);
	le64_put(b + NATIVE_DIGEST_OFF, 0);	/* set at the end */
	le32_put(b + 40, SIM_AN_COUNT);
	le32_put(b + 44, (uint32_t)strtab_count(&w->caches));
	le32_put(b + 48, (uint32_t)strtab_count(&w->sites));
	nb_put(nb, b, sizeof(b));
	for (int i = 0; i < SIM_AN_COUNT; i++) {
		nb_str(nb, sim_anomaly_name[i]);
		nb_u64(nb, w->anomaly[i]);
	}
	nb_str(nb, w->source);
	nb_str(nb, w->format);
	nb_str(nb, w->kernel);
	nb_str(nb, w->first_skip);
	for (uint32_t i = 0; i < strtab_count(&w->caches); i++) {
		nb_str(nb, strtab_get(&w->caches, i));
		nb_u32(nb, i < w->cache_cap ? w->cache_size[i] : 0);
		nb_u32(nb, i < w->cache_cap ? w->cache_flags[i] : 0);
	}
	for (uint32_t i = 0; i < strtab_count(&w->sites); i++)
		nb_str(nb, strtab_get(&w->sites, i));
}

static void ns_write(struct trace_native_stream *s, const void *p, size_t n)
{
	if (!s->err && fwrite(p, 1, n, s->f) != n)
		s->err = errno ? errno : EIO;
}

static FILE *native_tmp_open(const char *path, char **tmp)
{
	mode_t mask = umask(0);
	int fd;
	FILE *f;

	umask(mask);
	*tmp = xmalloc(strlen(path) + 16);
	sprintf(*tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd < 0)
		return NULL;
	fchmod(fd, 0666 & ~mask);
	f = fdopen(fd, "wb");
	if (!f) {
		int e = errno;

		close(fd);
		unlink(*tmp);
		errno = e;
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1u << 20);
	return f;
}

static void ns_free(struct trace_native_stream *s)
{
	free(s->path);
	free(s->tmp);
	free(s->head);
	free(s->blk);
	free(s);
}

struct trace_native_stream *trace_native_stream_open(const char *path, const struct sim_workload *w, uint64_t nev,
						     char *err, size_t errlen)
{
	struct trace_native_stream *s = xcalloc(1, sizeof(*s));
	struct native_buf nb = { 0 };

	s->f = native_tmp_open(path, &s->tmp);
	if (!s->f) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot create a temporary file next to it: %s", path, strerror(e));
		ns_free(s);
		errno = e;
		return NULL;
	}
	s->path = xstrdup(path);
	nb_header(&nb, w, nev);
	s->head = nb.p;
	s->head_len = nb.n;
	s->crc = (uint32_t)crc32_z(0, NULL, 0);
	s->blk = xmalloc((size_t)NATIVE_BLOCK * TRACE_NATIVE_RECORD_BYTES);
	ns_write(s, s->head, s->head_len);
	return s;
}

static void ns_flush_block(struct trace_native_stream *s)
{
	size_t n = s->nblk * TRACE_NATIVE_RECORD_BYTES;

	s->crc = (uint32_t)crc32_z(s->crc, s->blk, n);
	s->events_len += n;
	ns_write(s, s->blk, n);
	s->nblk = 0;
}

int trace_native_stream_put(struct trace_native_stream *s, const struct sim_event *e)
{
	native_event_encode(s->blk + s->nblk * TRACE_NATIVE_RECORD_BYTES, e);
	if (++s->nblk == NATIVE_BLOCK)
		ns_flush_block(s);
	return -s->err;
}

void trace_native_stream_abort(struct trace_native_stream *s)
{
	if (!s)
		return;
	fclose(s->f);
	unlink(s->tmp);
	ns_free(s);
}

/* The digest into the header, the trailer; fsync and close. */
static int ns_finish(struct trace_native_stream *s, uint64_t digest)
{
	unsigned char t[NATIVE_TRAILER_BYTES] = { 0 };
	uint32_t crc;
	int e;

	ns_flush_block(s);
	le64_put(s->head + NATIVE_DIGEST_OFF, digest);
	crc = (uint32_t)crc32_z(crc32_z(0, NULL, 0), s->head, s->head_len);
	crc = (uint32_t)crc32_combine(crc, s->crc, (z_off_t)s->events_len);
	memcpy(t, NATIVE_END_MAGIC, 8);
	le32_put(t + 8, crc);
	ns_write(s, t, sizeof(t));
	if (!s->err && fseeko(s->f, NATIVE_DIGEST_OFF, SEEK_SET))
		s->err = errno;
	ns_write(s, s->head + NATIVE_DIGEST_OFF, 8);
	e = s->err;
	if (fflush(s->f) && !e)
		e = errno;
	if (!e && fsync(fileno(s->f)) && errno != EINVAL && errno != EROFS)
		e = errno;
	if (fclose(s->f) && !e)
		e = errno;
	return e;
}

int trace_native_stream_close(struct trace_native_stream *s, uint64_t digest, char *err, size_t errlen)
{
	int e = ns_finish(s, digest);

	if (!e && rename(s->tmp, s->path))
		e = errno;
	if (e) {
		snprintf(err, errlen, "%s: write error: %s", s->path, strerror(e));
		unlink(s->tmp);
	}
	ns_free(s);
	return -e;
}

int trace_native_write(const struct sim_workload *w, const char *path, char *err, size_t errlen)
{
	struct trace_native_stream *s = trace_native_stream_open(path, w, w->nev, err, errlen);

	if (!s)
		return errno ? -errno : -EIO;
	for (size_t i = 0; i < w->nev; i++)
		trace_native_stream_put(s, &w->ev[i]);
	return trace_native_stream_close(s, w->digest, err, errlen);
}

/* ---- reader ------------------------------------------------------------------ */

struct native_reader {
	struct trace_input *in;
	const char *name;
	uint32_t crc;
	uint64_t off;			/* bytes read so far */
	uint64_t nev;
	uint32_t nobjs, ncaches, nsites, nanom;
	uint16_t ncpus;
	uint64_t digest;
	char *err;
	size_t errlen;
};

static int nr_fail(struct native_reader *r, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int nr_fail(struct native_reader *r, int e, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, r->errlen, "%s: ", r->name);

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < r->errlen)
		vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return e;
}

/* Reads exactly n bytes; what says what was expected when the file ends. */
static int nr_get(struct native_reader *r, void *p, size_t n, const char *what)
{
	ssize_t got = trace_input_read(r->in, p, n);

	if (got < 0) {
		snprintf(r->err, r->errlen, "%s", trace_input_error(r->in));
		return (int)got;
	}
	if ((size_t)got < n)
		return nr_fail(r, -EIO, "truncated at byte %llu: %s",
			       (unsigned long long)(r->off + (uint64_t)got), what);
	r->crc = (uint32_t)crc32_z(r->crc, p, n);
	r->off += n;
	return 0;
}

static int nr_u32(struct native_reader *r, uint32_t *v)
{
	unsigned char b[4];
	int ret = nr_get(r, b, 4, "header incomplete");

	*v = le32_get(b);
	return ret;
}

static int nr_u64(struct native_reader *r, uint64_t *v)
{
	unsigned char b[8];
	int ret = nr_get(r, b, 8, "header incomplete");

	*v = le64_get(b);
	return ret;
}

/* A stored string, returned NUL-terminated in a new buffer (*s, freed by the caller). */
static int nr_str(struct native_reader *r, char **s)
{
	uint32_t len;
	int ret = nr_u32(r, &len);

	if (ret)
		return ret;
	if (len > NATIVE_MAX_STRING)
		return nr_fail(r, -EINVAL, "corrupt header at byte %llu: a string of %u bytes",
			       (unsigned long long)r->off, len);
	*s = xmalloc((size_t)len + 1);
	(*s)[len] = '\0';
	ret = nr_get(r, *s, len, "header incomplete");
	if (ret) {
		free(*s);
		*s = NULL;
	}
	return ret;
}

/* A stored string copied into dst (cut to n - 1 bytes). */
static int nr_str_into(struct native_reader *r, char *dst, size_t n)
{
	char *s = NULL;
	int ret = nr_str(r, &s);

	if (!ret)
		snprintf(dst, n, "%s", s);
	free(s);
	return ret;
}

static int nr_fixed(struct native_reader *r)
{
	unsigned char b[NATIVE_FIXED_BYTES];
	int ret = nr_get(r, b, sizeof(b), "header incomplete");

	if (ret)
		return ret;
	if (!trace_native_is_native(b, sizeof(b)))
		return nr_fail(r, -EINVAL, "not a slabsim native trace (bad magic)");
	uint32_t version = le32_get(b + 8);

	if (version > TRACE_NATIVE_VERSION)
		return nr_fail(r, -ENOTSUP,
			       "native trace format version %u is newer than this slabsim reads (%u); "
			       "upgrade slabsim or import the text trace again with this one",
			       version, TRACE_NATIVE_VERSION);
	if (version == 0 || le32_get(b + 12) != TRACE_NATIVE_RECORD_BYTES)
		return nr_fail(r, -EINVAL, "corrupt header: version %u, %u-byte records",
			       version, le32_get(b + 12));
	r->nev = le64_get(b + 16);
	r->nobjs = le32_get(b + 24);
	r->ncpus = le16_get(b + 28);
	r->digest = le64_get(b + 32);
	r->nanom = le32_get(b + 40);
	r->ncaches = le32_get(b + 44);
	r->nsites = le32_get(b + 48);
	if (r->nanom > NATIVE_MAX_TABLE || r->ncaches > NATIVE_MAX_TABLE || !r->ncaches ||
	    r->nsites > NATIVE_MAX_TABLE || !r->nsites || r->nev > (1ull << 40))
		return nr_fail(r, -EINVAL, "corrupt header: %llu events, %u caches, %u sites, %u anomalies",
			       (unsigned long long)r->nev, r->ncaches, r->nsites, r->nanom);
	return 0;
}

static int nr_anomalies(struct native_reader *r, struct sim_workload *w)
{
	for (uint32_t i = 0; i < r->nanom; i++) {
		char *name = NULL;
		uint64_t v;
		int ret = nr_str(r, &name);

		if (!ret)
			ret = nr_u64(r, &v);
		for (int k = 0; !ret && k < SIM_AN_COUNT; k++)
			if (!strcmp(name, sim_anomaly_name[k]))
				w->anomaly[k] = v;	/* names this reader lacks are skipped */
		free(name);
		if (ret)
			return ret;
	}
	return 0;
}

static int nr_caches(struct native_reader *r, struct sim_workload *w)
{
	for (uint32_t i = 0; i < r->ncaches; i++) {
		char *name = NULL;
		uint32_t size = 0, flags = 0;
		int ret = nr_str(r, &name);

		if (!ret)
			ret = nr_u32(r, &size);
		if (!ret)
			ret = nr_u32(r, &flags);
		if (!ret && sim_workload_cache(w, name, size, flags) != i)
			ret = nr_fail(r, -EINVAL, "corrupt cache table: entry %u '%s' is a duplicate", i, name);
		free(name);
		if (ret)
			return ret;
	}
	return 0;
}

static int nr_sites(struct native_reader *r, struct sim_workload *w)
{
	for (uint32_t i = 0; i < r->nsites; i++) {
		char *s = NULL;
		int ret = nr_str(r, &s);

		if (!ret && strtab_intern(&w->sites, s) != i)
			ret = nr_fail(r, -EINVAL, "corrupt site table: entry %u is a duplicate", i);
		free(s);
		if (ret)
			return ret;
	}
	return 0;
}

static int nr_header(struct native_reader *r, struct sim_workload *w, struct trace_native_info *info)
{
	struct trace_native_info dummy;
	int ret;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	ret = nr_fixed(r);
	if (!ret)
		ret = nr_anomalies(r, w);
	if (!ret)
		ret = nr_str_into(r, info->source, sizeof(info->source));
	if (!ret)
		ret = nr_str_into(r, info->format, sizeof(info->format));
	if (!ret)
		ret = nr_str_into(r, w->kernel, sizeof(w->kernel));
	if (!ret)
		ret = nr_str_into(r, w->first_skip, sizeof(w->first_skip));
	if (!ret)
		ret = nr_caches(r, w);
	if (!ret)
		ret = nr_sites(r, w);
	info->version = TRACE_NATIVE_VERSION;
	return ret;
}

/* The event checks that keep a damaged file from reaching the replay. */
static int nr_event_check(struct native_reader *r, const struct sim_event *e, uint64_t k)
{
	const char *bad = NULL;

	if (e->op > SIM_EV_PAGE_FREE)
		bad = "operation";
	else if (e->cache >= r->ncaches)
		bad = "cache id";
	else if (e->site >= r->nsites)
		bad = "call site id";
	else if (e->cpu >= r->ncpus)
		bad = "cpu";
	else if (e->oid != SIM_OID_NONE && e->oid >= r->nobjs)
		bad = "object id";
	if (!bad)
		return 0;
	return nr_fail(r, -EINVAL, "corrupt event %llu: %s out of range (checksum not yet verified)",
		       (unsigned long long)k, bad);
}

/* A block buffer: NATIVE_BLOCK records, or as many as a shorter trace has (at least one). */
static unsigned char *nr_block_alloc(const struct native_reader *r)
{
	size_t n = r->nev < NATIVE_BLOCK ? (size_t)SIM_MAX(r->nev, 1) : NATIVE_BLOCK;

	return xmalloc(n * TRACE_NATIVE_RECORD_BYTES);
}

static int nr_events(struct native_reader *r, struct sim_workload *w)
{
	unsigned char *blk = nr_block_alloc(r);
	char what[96];
	int ret = 0;

	snprintf(what, sizeof(what), "expected %llu events", (unsigned long long)r->nev);
	for (uint64_t i = 0; i < r->nev && !ret; i += NATIVE_BLOCK) {
		size_t n = r->nev - i < NATIVE_BLOCK ? (size_t)(r->nev - i) : NATIVE_BLOCK;

		ret = nr_get(r, blk, n * TRACE_NATIVE_RECORD_BYTES, what);
		xgrow((void **)&w->ev, &w->cap, w->nev + n, sizeof(*w->ev));
		for (size_t k = 0; k < n && !ret; k++) {
			native_event_decode(blk + k * TRACE_NATIVE_RECORD_BYTES, &w->ev[w->nev]);
			ret = nr_event_check(r, &w->ev[w->nev], i + k);
			w->nev += !ret;
		}
	}
	free(blk);
	return ret;
}

static int nr_trailer(struct native_reader *r)
{
	unsigned char b[NATIVE_TRAILER_BYTES], extra;
	uint32_t crc = r->crc;
	int ret = nr_get(r, b, sizeof(b), "the trailer is missing");

	if (ret)
		return ret;
	if (memcmp(b, NATIVE_END_MAGIC, 8))
		return nr_fail(r, -EINVAL, "corrupt trailer at byte %llu",
			       (unsigned long long)(r->off - sizeof(b)));
	if (le32_get(b + 8) != crc)
		return nr_fail(r, -EINVAL, "checksum mismatch: the file is damaged");
	ssize_t got = trace_input_read(r->in, &extra, 1);

	if (got != 0)
		return nr_fail(r, -EINVAL, "unexpected data after the trailer at byte %llu",
			       (unsigned long long)r->off);
	return 0;
}

/* A plain file shorter than its header promises is truncated: say so before reading. */
static int nr_size_check(struct native_reader *r)
{
	uint64_t size = trace_input_size(r->in);
	uint64_t want = r->off + r->nev * TRACE_NATIVE_RECORD_BYTES + NATIVE_TRAILER_BYTES;

	if (trace_input_compression(r->in) != TRACE_COMP_NONE || !size || size >= want)
		return 0;
	return nr_fail(r, -EIO, "truncated at byte %llu: expected %llu events (%llu bytes)",
		       (unsigned long long)size, (unsigned long long)r->nev, (unsigned long long)want);
}

int trace_native_read_input(struct trace_input *in, struct sim_workload *w,
			    struct trace_native_info *info, char *err, size_t errlen)
{
	struct native_reader r = {
		.in = in, .name = trace_input_name(in), .err = err, .errlen = errlen,
		.crc = (uint32_t)crc32_z(0, NULL, 0),
	};
	int ret = nr_header(&r, w, info);

	if (!ret)
		ret = nr_size_check(&r);
	if (!ret)
		ret = nr_events(&r, w);
	if (!ret)
		ret = nr_trailer(&r);
	if (ret)
		return ret;
	w->nobjs = r.nobjs;
	w->ncpus = r.ncpus;
	w->digest = sim_workload_digest(w);
	if (w->digest != r.digest)
		return nr_fail(&r, -EINVAL, "digest mismatch: the events are not those that were written");
	snprintf(w->source, sizeof(w->source), "%s", r.name);
	snprintf(w->format, sizeof(w->format), "native");
	return 0;
}

/* ---- streaming reader ----------------------------------------------------------- */

struct trace_native_source {
	struct sim_source src;
	struct native_reader r;
	struct sim_workload *w;
	unsigned char *blk;		/* encoded records of the current block */
	size_t nblk, iblk;		/* records in it, next one */
	uint64_t k;			/* events yielded */
	int rc;				/* 1 until the end (0) or an error (negative), then that */
	char msg[1024];			/* the error, repeated to every later call */
};

/* Reads the next block; a short read is truncation, named by byte and event. */
static int ns_src_block(struct trace_native_source *s)
{
	struct native_reader *r = &s->r;
	size_t n = r->nev - s->k < NATIVE_BLOCK ? (size_t)(r->nev - s->k) : NATIVE_BLOCK;
	size_t bytes = n * TRACE_NATIVE_RECORD_BYTES;
	ssize_t got = trace_input_read(r->in, s->blk, bytes);

	if (got < 0) {
		snprintf(r->err, r->errlen, "%s", trace_input_error(r->in));
		return (int)got;
	}
	if ((size_t)got < bytes)
		return nr_fail(r, -EIO, "truncated at byte %llu: event %llu of %llu is incomplete",
			       (unsigned long long)(r->off + (uint64_t)got),
			       (unsigned long long)(s->k + (uint64_t)got / TRACE_NATIVE_RECORD_BYTES),
			       (unsigned long long)r->nev);
	r->crc = (uint32_t)crc32_z(r->crc, s->blk, bytes);
	r->off += bytes;
	s->nblk = n;
	s->iblk = 0;
	return 0;
}

/*
 * After the last event: the trailer and the checksum.  The CRC-32 covers
 * the header and every event, so the events are the bytes that were
 * written, and the digest in the header (the trace's identity) is the
 * writer's; recomputing it, a serial FNV-1a over every event's fields,
 * would cost a streamed replay more than reading and decoding the file
 * (trace_native_read() still does, once, for a trace loaded whole).
 */
static int ns_src_end(struct trace_native_source *s)
{
	return nr_trailer(&s->r);
}

/* 1 with the next event, 0 after the last one and a sound trailer, or the error. */
static int ns_src_step(struct trace_native_source *s, struct sim_event *e)
{
	int ret;

	if (s->k == s->r.nev)
		return ns_src_end(s);
	if (s->iblk == s->nblk && (ret = ns_src_block(s)))
		return ret;
	native_event_decode(s->blk + s->iblk * TRACE_NATIVE_RECORD_BYTES, e);
	ret = nr_event_check(&s->r, e, s->k);
	if (ret)
		return ret;
	s->iblk++;
	s->k++;
	sim_workload_stream_count(&s->w->stream, e);
	return 1;
}

static int ns_src_next(struct sim_source *src, struct sim_event *e, char *err, size_t errlen)
{
	struct trace_native_source *s = src->priv;

	if (s->rc == 1)
		s->rc = ns_src_step(s, e);
	if (s->rc < 0)
		snprintf(err, errlen, "%s", s->msg);
	return s->rc;
}

struct trace_native_source *trace_native_source_open(const char *path, struct sim_workload *w,
						     struct trace_native_info *info, char *err, size_t errlen)
{
	struct trace_native_source *s = xcalloc(1, sizeof(*s));
	struct trace_input *in = trace_input_open(path, err, errlen);

	if (!in) {
		free(s);
		return NULL;
	}
	s->r = (struct native_reader){
		.in = in, .name = trace_input_name(in), .err = s->msg, .errlen = sizeof(s->msg),
		.crc = (uint32_t)crc32_z(0, NULL, 0),
	};
	s->w = w;
	if (nr_header(&s->r, w, info) || nr_size_check(&s->r)) {
		snprintf(err, errlen, "%s", s->msg);
		trace_input_close(in);
		free(s);
		return NULL;
	}
	w->nobjs = s->r.nobjs;
	w->ncpus = s->r.ncpus;
	w->digest = s->r.digest;
	w->stream.on = true;
	snprintf(w->source, sizeof(w->source), "%s", s->r.name);
	snprintf(w->format, sizeof(w->format), "native");
	s->blk = nr_block_alloc(&s->r);
	s->rc = 1;
	s->src = (struct sim_source){ .w = w, .total = s->r.nev, .next = ns_src_next, .priv = s };
	return s;
}

struct sim_source *trace_native_source_get(struct trace_native_source *s)
{
	return &s->src;
}

void trace_native_source_close(struct trace_native_source *s)
{
	if (!s)
		return;
	trace_input_close(s->r.in);
	free(s->blk);
	free(s);
}

bool trace_native_path_is_native(const char *path)
{
	struct trace_input *in;
	const void *head;
	char err[1024];
	ssize_t n;
	bool native;

	if (!strcmp(path, "-"))
		return false;
	in = trace_input_open(path, err, sizeof(err));
	if (!in)
		return false;
	n = trace_input_peek(in, &head, TRACE_NATIVE_MAGIC_LEN);
	native = n > 0 && trace_native_is_native(head, (size_t)n);
	trace_input_close(in);
	return native;
}

/* ---- passes ---------------------------------------------------------------------------- */

struct trace_native_passes {
	struct sim_passes p;
	struct sim_workload *hw;	/* the caller's header: given the counts of a complete pass */
	char *path;
	struct sim_workload pw;		/* the current pass's copy of the header */
	struct trace_native_source *cur;
};

static struct sim_source *np_open(struct sim_passes *p, char *err, size_t errlen)
{
	struct trace_native_passes *np = p->priv;

	sim_workload_init(&np->pw);
	np->cur = trace_native_source_open(np->path, &np->pw, NULL, err, errlen);
	if (!np->cur) {
		sim_workload_fini(&np->pw);
		return NULL;
	}
	return &np->cur->src;
}

static void np_close(struct sim_passes *p)
{
	struct trace_native_passes *np = p->priv;

	if (np->cur->rc == 0)
		np->hw->stream = np->pw.stream;
	trace_native_source_close(np->cur);
	np->cur = NULL;
	sim_workload_fini(&np->pw);
}

struct trace_native_passes *trace_native_passes_open(const char *path, struct sim_workload *w,
						     struct trace_native_info *info, char *err, size_t errlen)
{
	struct trace_native_source *s = trace_native_source_open(path, w, info, err, errlen);
	struct trace_native_passes *np;

	if (!s)
		return NULL;
	trace_native_source_close(s);
	np = xcalloc(1, sizeof(*np));
	np->path = xstrdup(path);
	np->hw = w;
	np->p = (struct sim_passes){ .w = w, .open = np_open, .close = np_close, .priv = np };
	return np;
}

struct sim_passes *trace_native_passes_get(struct trace_native_passes *np)
{
	return &np->p;
}

void trace_native_passes_close(struct trace_native_passes *np)
{
	if (!np)
		return;
	if (np->cur)
		np_close(&np->p);
	free(np->path);
	free(np);
}

int trace_native_read(const char *path, struct sim_workload *w, struct trace_native_info *info,
		      char *err, size_t errlen)
{
	struct trace_input *in = trace_input_open(path, err, errlen);
	int ret;

	if (!in)
		return errno ? -errno : -EIO;
	ret = trace_native_read_input(in, w, info, err, errlen);
	trace_input_close(in);
	return ret;
}
