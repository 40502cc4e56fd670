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

struct native_writer {
	FILE *f;
	uint32_t crc;
	int err;		/* errno of the first failed write */
};

static void nw_put(struct native_writer *s, const void *p, size_t n)
{
	if (s->err)
		return;
	s->crc = (uint32_t)crc32_z(s->crc, p, n);
	if (fwrite(p, 1, n, s->f) != n)
		s->err = errno ? errno : EIO;
}

static void nw_u32(struct native_writer *s, uint32_t v)
{
	unsigned char b[4];

	le32_put(b, v);
	nw_put(s, b, 4);
}

static void nw_u64(struct native_writer *s, uint64_t v)
{
	unsigned char b[8];

	le64_put(b, v);
	nw_put(s, b, 8);
}

static void nw_str(struct native_writer *s, const char *str)
{
	size_t n = strlen(str);

	nw_u32(s, (uint32_t)n);
	nw_put(s, str, n);
}

static void nw_header(struct native_writer *s, const struct sim_workload *w)
{
	unsigned char b[NATIVE_FIXED_BYTES] = { 0 };

	memcpy(b, TRACE_NATIVE_MAGIC, TRACE_NATIVE_MAGIC_LEN);
	le32_put(b + 8, TRACE_NATIVE_VERSION);
	le32_put(b + 12, TRACE_NATIVE_RECORD_BYTES);
	le64_put(b + 16, w->nev);
	le32_put(b + 24, w->nobjs);
	le16_put(b + 28, w->ncpus);
	le64_put(b + 32, w->digest);
	le32_put(b + 40, SIM_AN_COUNT);
	le32_put(b + 44, (uint32_t)strtab_count(&w->caches));
	le32_put(b + 48, (uint32_t)strtab_count(&w->sites));
	nw_put(s, b, sizeof(b));
	for (int i = 0; i < SIM_AN_COUNT; i++) {
		nw_str(s, sim_anomaly_name[i]);
		nw_u64(s, w->anomaly[i]);
	}
	nw_str(s, w->source);
	nw_str(s, w->format);
	nw_str(s, w->kernel);
	nw_str(s, w->first_skip);
}

static void nw_tables(struct native_writer *s, const struct sim_workload *w)
{
	for (uint32_t i = 0; i < strtab_count(&w->caches); i++) {
		nw_str(s, strtab_get(&w->caches, i));
		nw_u32(s, i < w->cache_cap ? w->cache_size[i] : 0);
		nw_u32(s, i < w->cache_cap ? w->cache_flags[i] : 0);
	}
	for (uint32_t i = 0; i < strtab_count(&w->sites); i++)
		nw_str(s, strtab_get(&w->sites, i));
}

static void nw_events(struct native_writer *s, const struct sim_workload *w)
{
	unsigned char *blk = xmalloc((size_t)NATIVE_BLOCK * TRACE_NATIVE_RECORD_BYTES);

	for (size_t i = 0; i < w->nev && !s->err; i += NATIVE_BLOCK) {
		size_t n = w->nev - i < NATIVE_BLOCK ? w->nev - i : NATIVE_BLOCK;

		for (size_t k = 0; k < n; k++)
			native_event_encode(blk + k * TRACE_NATIVE_RECORD_BYTES, &w->ev[i + k]);
		nw_put(s, blk, n * TRACE_NATIVE_RECORD_BYTES);
	}
	free(blk);
}

static void nw_trailer(struct native_writer *s)
{
	unsigned char b[NATIVE_TRAILER_BYTES] = { 0 };

	memcpy(b, NATIVE_END_MAGIC, 8);
	le32_put(b + 8, s->crc);
	nw_put(s, b, sizeof(b));
}

/* Closes the temporary file; returns 0 or an errno. */
static int nw_close(struct native_writer *s)
{
	int e = s->err;

	if (fflush(s->f) && !e)
		e = errno;
	if (!e && fsync(fileno(s->f)) && errno != EINVAL && errno != EROFS)
		e = errno;
	if (fclose(s->f) && !e)
		e = errno;
	return e;
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

int trace_native_write(const struct sim_workload *w, const char *path, char *err, size_t errlen)
{
	struct native_writer s = { .crc = (uint32_t)crc32_z(0, NULL, 0) };
	char *tmp = NULL;
	int e;

	s.f = native_tmp_open(path, &tmp);
	if (!s.f) {
		e = errno;
		snprintf(err, errlen, "%s: cannot create a temporary file next to it: %s", path, strerror(e));
		free(tmp);
		return -e;
	}
	nw_header(&s, w);
	nw_tables(&s, w);
	nw_events(&s, w);
	nw_trailer(&s);
	e = nw_close(&s);
	if (!e && rename(tmp, path))
		e = errno;
	if (e) {
		snprintf(err, errlen, "%s: write error: %s", path, strerror(e));
		unlink(tmp);
	}
	free(tmp);
	return -e;
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

static int nr_events(struct native_reader *r, struct sim_workload *w)
{
	unsigned char *blk = xmalloc((size_t)NATIVE_BLOCK * TRACE_NATIVE_RECORD_BYTES);
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
