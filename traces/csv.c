/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * csv.c - the CSV trace reader: header, field splitting (RFC 4180 quotes),
 * values, and the event.  A valid line becomes a struct ftrace_rec and goes
 * through ftrace_rec_to_event(), so a CSV event is named and flagged
 * exactly as the same event read from ftrace text would be.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "traces/csv.h"
#include "traces/ftrace.h"

#define CSV_MAX_TEXT 4096	/* a site or cache name, after unquoting */
#define CSV_DEFAULT_STEP_NS 1000u	/* events 1 us apart when there is no t_ns */

struct csv_span {
	const char *s;
	size_t n;
	bool escaped;	/* quoted with "" inside: needs csv_unquote() */
};

static const char *const csv_col_names[TRACE_CSV_NCOLS] = {
	[TRACE_CSV_T_NS] = "t_ns",		[TRACE_CSV_CPU] = "cpu",
	[TRACE_CSV_OP] = "op",			[TRACE_CSV_CACHE] = "cache",
	[TRACE_CSV_PTR] = "ptr",		[TRACE_CSV_BYTES_REQ] = "bytes_req",
	[TRACE_CSV_BYTES_ALLOC] = "bytes_alloc", [TRACE_CSV_SITE] = "site",
	[TRACE_CSV_CTX] = "ctx",		[TRACE_CSV_NODE] = "node",
};

const char *trace_csv_col_name(enum trace_csv_col c)
{
	return (unsigned)c < TRACE_CSV_NCOLS ? csv_col_names[c] : "?";
}

/* ---- splitting ------------------------------------------------------------- */

static inline bool csv_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *csv_skip_blank(const char *p, const char *end)
{
	while (p < end && csv_is_blank(*p))
		p++;
	return p;
}

/* A quoted field starting at p (on the '"'); *after is past the closing quote. */
static bool csv_quoted(const char *p, const char *end, struct csv_span *f, const char **after)
{
	const char *q = p + 1;

	f->escaped = false;
	while (q < end) {
		if (*q == '"' && q + 1 < end && q[1] == '"') {
			f->escaped = true;
			q += 2;
		} else if (*q == '"') {
			f->s = p + 1;
			f->n = (size_t)(q - p - 1);
			*after = csv_skip_blank(q + 1, end);
			return true;
		} else {
			q++;
		}
	}
	return false;
}

/*
 * Splits a line into at most max fields, trimmed.  Returns the number of
 * fields, or -EINVAL with err set (an unterminated quote, text after a
 * closing quote, too many fields).
 */
static int csv_split(const char *line, size_t len, struct csv_span *f, unsigned max,
		     char *err, size_t errlen)
{
	const char *p = line, *end = line + len;
	unsigned n = 0;

	for (;;) {
		if (n == max) {
			snprintf(err, errlen, "more than %u fields", max);
			return -EINVAL;
		}
		p = csv_skip_blank(p, end);
		if (p < end && *p == '"') {
			if (!csv_quoted(p, end, &f[n], &p)) {
				snprintf(err, errlen, "field %u: a quote that is not closed", n + 1);
				return -EINVAL;
			}
			if (p < end && *p != ',') {
				snprintf(err, errlen, "field %u: text after the closing quote", n + 1);
				return -EINVAL;
			}
		} else {
			const char *c = memchr(p, ',', (size_t)(end - p)), *e = c ? c : end;

			while (e > p && csv_is_blank(e[-1]))
				e--;
			f[n] = (struct csv_span){ p, (size_t)(e - p), false };
			p = c ? c : end;
		}
		n++;
		if (p >= end)
			return (int)n;
		p++;	/* the comma */
	}
}

/* Copies a field into buf (n >= 1), turning "" into "; false if it does not fit. */
static bool csv_unquote(struct csv_span f, char *buf, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < f.n; i++) {
		if (k + 1 >= n)
			return false;
		buf[k++] = f.s[i];
		if (f.escaped && f.s[i] == '"' && i + 1 < f.n && f.s[i + 1] == '"')
			i++;
	}
	buf[k] = '\0';
	return true;
}

/* ---- header ------------------------------------------------------------------ */

static int csv_col_lookup(struct csv_span f)
{
	for (int c = 0; c < TRACE_CSV_NCOLS; c++)
		if (strlen(csv_col_names[c]) == f.n && !memcmp(csv_col_names[c], f.s, f.n))
			return c;
	return -1;
}

/* Detection is lenient (no quote rules) so that a broken header is reported as one. */
bool trace_csv_is_header(const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	bool op = false, ptr = false;

	if (!memchr(line, ',', len))
		return false;
	while (p <= end) {
		const char *c = memchr(p, ',', (size_t)(end - p)), *e = c ? c : end;
		struct csv_span f;

		p = csv_skip_blank(p, e);
		while (e > p && csv_is_blank(e[-1]))
			e--;
		if (e - p >= 2 && *p == '"' && e[-1] == '"') {
			p++;
			e--;
		}
		f = (struct csv_span){ p, (size_t)(e - p), false };
		op |= csv_col_lookup(f) == TRACE_CSV_OP;
		ptr |= csv_col_lookup(f) == TRACE_CSV_PTR;
		if (!c)
			break;
		p = c + 1;
	}
	return op && ptr;
}

static int csv_header_unknown(struct csv_span f, char *err, size_t errlen)
{
	char known[256];
	size_t k = 0;

	known[0] = '\0';
	for (int c = 0; c < TRACE_CSV_NCOLS && k < sizeof(known); c++)
		k += (size_t)snprintf(known + k, sizeof(known) - k, "%s%s", c ? ", " : "", csv_col_names[c]);
	snprintf(err, errlen, "field '%.*s': not a CSV trace column (the columns are %s)",
		 (int)(f.n > 40 ? 40 : f.n), f.s, known);
	return -EINVAL;
}

int trace_csv_header_parse(struct trace_csv_layout *lay, const char *line, size_t len,
			   char *err, size_t errlen)
{
	struct csv_span f[TRACE_CSV_MAX_COLUMNS];
	int n = csv_split(line, len, f, TRACE_CSV_MAX_COLUMNS, err, errlen);

	if (n < 0)
		return n;
	memset(lay, 0, sizeof(*lay));
	memset(lay->pos, -1, sizeof(lay->pos));
	lay->ncols = (unsigned)n;
	for (int i = 0; i < n; i++) {
		int c = csv_col_lookup(f[i]);

		if (c < 0)
			return csv_header_unknown(f[i], err, errlen);
		if (lay->pos[c] >= 0)
			return ftrace_field_error(err, errlen, csv_col_names[c], "named twice in the header", NULL, 0);
		lay->pos[c] = (int8_t)i;
		lay->col[i] = (int8_t)c;
	}
	if (lay->pos[TRACE_CSV_OP] < 0)
		return ftrace_field_error(err, errlen, "op", "the header must name this column", NULL, 0);
	if (lay->pos[TRACE_CSV_PTR] < 0)
		return ftrace_field_error(err, errlen, "ptr", "the header must name this column", NULL, 0);
	return 0;
}

/* ---- values -------------------------------------------------------------------- */

static bool csv_dec(struct csv_span v, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;

	if (!v.n)
		return false;
	for (size_t i = 0; i < v.n; i++) {
		unsigned d = (unsigned)(unsigned char)(v.s[i] - '0');

		if (d > 9 || x > (max - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}

static bool csv_hex(struct csv_span v, uint64_t *out)
{
	uint64_t x = 0;

	if (v.n < 3 || v.n > 18)
		return false;
	for (size_t i = 2; i < v.n; i++) {
		char c = (char)(v.s[i] | 0x20);
		unsigned d = (unsigned char)(c - '0') < 10 ? (unsigned)(c - '0') :
			     (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10) : 16u;

		if (d > 15)
			return false;
		x = x << 4 | d;
	}
	*out = x;
	return true;
}

static bool csv_is(struct csv_span v, const char *lit)
{
	return strlen(lit) == v.n && !memcmp(v.s, lit, v.n);
}

static int csv_ptr(struct csv_span v, uint64_t *out, char *err, size_t errlen)
{
	if (csv_is(v, "(null)") || csv_is(v, "(nil)")) {
		*out = 0;
		return 0;
	}
	if (v.n >= 2 && v.s[0] == '0' && (v.s[1] | 0x20) == 'x' ? csv_hex(v, out) : csv_dec(v, UINT64_MAX, out))
		return 0;
	return ftrace_field_error(err, errlen, "ptr", "expected 0x-prefixed hex or decimal", v.s, v.n);
}

static int csv_u32(const char *name, struct csv_span v, uint32_t *out, char *err, size_t errlen)
{
	uint64_t x;

	if (!csv_dec(v, UINT32_MAX, &x))
		return ftrace_field_error(err, errlen, name, "expected a decimal number below 2^32", v.s, v.n);
	*out = (uint32_t)x;
	return 0;
}

static int csv_node(struct csv_span v, int16_t *out, char *err, size_t errlen)
{
	uint64_t x;

	if (csv_is(v, "-1")) {
		*out = SIM_NO_NODE;
		return 0;
	}
	if (!csv_dec(v, INT16_MAX, &x))
		return ftrace_field_error(err, errlen, "node", "expected -1 or a node number", v.s, v.n);
	*out = (int16_t)x;
	return 0;
}

static int csv_ctx(struct csv_span v, uint8_t *out, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		uint8_t ctx;
	} tab[] = { { "task", SIM_CTX_TASK }, { "process", SIM_CTX_TASK }, { "softirq", SIM_CTX_SOFTIRQ },
		    { "hardirq", SIM_CTX_HARDIRQ }, { "nmi", SIM_CTX_NMI } };

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (csv_is(v, tab[i].name)) {
			*out = tab[i].ctx;
			return 0;
		}
	}
	return ftrace_field_error(err, errlen, "ctx", "expected task, softirq, hardirq or nmi", v.s, v.n);
}

/* op: 0 alloc, 1 free, 2 kmalloc, 3 kfree, 4 kmem_cache_alloc, 5 kmem_cache_free */
static int csv_op(struct csv_span v, int *op, char *err, size_t errlen)
{
	static const char *const ops[] = { "alloc", "free", "kmalloc", "kfree",
					   "kmem_cache_alloc", "kmem_cache_free" };

	for (int i = 0; i < 6; i++) {
		if (csv_is(v, ops[i])) {
			*op = i;
			return 0;
		}
	}
	return ftrace_field_error(err, errlen, "op", "expected alloc, free, kmalloc, kfree, kmem_cache_alloc or kmem_cache_free",
			 v.s, v.n);
}

/* ---- the line -------------------------------------------------------------------- */

struct csv_line {
	struct csv_span v[TRACE_CSV_NCOLS];	/* by column; n == 0: absent or empty */
	char cache[CSV_MAX_TEXT], site[CSV_MAX_TEXT];
	int op;
};

static int csv_text(const char *name, struct csv_span v, char *buf, const char **s, size_t *n,
		    char *err, size_t errlen)
{
	if (v.n && memchr(v.s, '\0', v.n))	/* interned by length: a NUL inside would make two strings of one */
		return ftrace_field_error(err, errlen, name, "contains a NUL byte (binary data?)", NULL, 0);
	if (!v.escaped) {
		*s = v.s;
		*n = v.n;
		return 0;
	}
	if (!csv_unquote(v, buf, CSV_MAX_TEXT))
		return ftrace_field_error(err, errlen, name, "longer than 4095 bytes", NULL, 0);
	*s = buf;
	*n = strlen(buf);
	return 0;
}

/* The sizes of an allocation: one of the two is enough. */
static int csv_sizes(struct csv_line *l, struct ftrace_rec *r, char *err, size_t errlen)
{
	struct csv_span req = l->v[TRACE_CSV_BYTES_REQ], alloc = l->v[TRACE_CSV_BYTES_ALLOC];
	int ret = 0;

	if (!req.n && !alloc.n)
		return ftrace_field_error(err, errlen, "bytes_alloc", "an allocation needs bytes_alloc or bytes_req", NULL, 0);
	if (req.n)
		ret = csv_u32("bytes_req", req, &r->bytes_req, err, errlen);
	if (!ret && alloc.n)
		ret = csv_u32("bytes_alloc", alloc, &r->bytes_alloc, err, errlen);
	if (!req.n)
		r->bytes_req = r->bytes_alloc;
	if (!alloc.n)
		r->bytes_alloc = r->bytes_req;
	return ret;
}

/* The values into a record of the kind the ftrace parser would have produced. */
static int csv_rec(struct csv_line *l, uint64_t seq, struct ftrace_rec *r, char *err, size_t errlen)
{
	static const enum ftrace_event_type types[] = { FTRACE_KMEM_CACHE_ALLOC, FTRACE_KMEM_CACHE_FREE,
		FTRACE_KMALLOC, FTRACE_KFREE, FTRACE_KMEM_CACHE_ALLOC, FTRACE_KMEM_CACHE_FREE };
	struct csv_span *v = l->v;
	uint64_t x;
	int ret;

	memset(r, 0, sizeof(*r));
	r->node = SIM_NO_NODE;
	r->accounted = -1;
	if ((ret = csv_op(v[TRACE_CSV_OP], &l->op, err, errlen)))
		return ret;
	r->type = types[l->op];
	if (l->op < 2 && !v[TRACE_CSV_CACHE].n)	/* alloc, free without a cache */
		r->type = l->op ? FTRACE_KFREE : FTRACE_KMALLOC;
	if ((ret = csv_ptr(v[TRACE_CSV_PTR], &r->ptr, err, errlen)))
		return ret;
	r->ts_ns = seq * CSV_DEFAULT_STEP_NS;
	if (v[TRACE_CSV_T_NS].n && !csv_dec(v[TRACE_CSV_T_NS], UINT64_MAX, &r->ts_ns))
		return ftrace_field_error(err, errlen, "t_ns", "expected nanoseconds, a decimal number",
				 v[TRACE_CSV_T_NS].s, v[TRACE_CSV_T_NS].n);
	if (v[TRACE_CSV_CPU].n && !csv_dec(v[TRACE_CSV_CPU], UINT16_MAX - 1, &x))
		return ftrace_field_error(err, errlen, "cpu", "expected a CPU number from 0 to 65534",
				 v[TRACE_CSV_CPU].s, v[TRACE_CSV_CPU].n);
	r->cpu = v[TRACE_CSV_CPU].n ? (uint16_t)x : 0;
	if (v[TRACE_CSV_CTX].n && (ret = csv_ctx(v[TRACE_CSV_CTX], &r->ctx, err, errlen)))
		return ret;
	if (v[TRACE_CSV_NODE].n && (ret = csv_node(v[TRACE_CSV_NODE], &r->node, err, errlen)))
		return ret;
	if (r->type == FTRACE_KMALLOC || r->type == FTRACE_KMEM_CACHE_ALLOC)
		ret = csv_sizes(l, r, err, errlen);
	if (!ret)
		ret = csv_text("site", v[TRACE_CSV_SITE], l->site, &r->site, &r->site_len, err, errlen);
	if (!ret)
		ret = csv_text("cache", v[TRACE_CSV_CACHE], l->cache, &r->name, &r->name_len, err, errlen);
	return ret;
}

static bool csv_is_skipped(const char *line, size_t len)
{
	const char *p = csv_skip_blank(line, line + len);

	return p == line + len || *p == '#';
}

int trace_csv_line_parse(const struct trace_csv_layout *lay, struct sim_workload *w,
			 const char *line, size_t len, uint64_t seq, struct sim_event *e,
			 char *err, size_t errlen)
{
	struct csv_span f[TRACE_CSV_MAX_COLUMNS];
	struct csv_line l;
	struct ftrace_rec r;
	int n, ret;

	if (csv_is_skipped(line, len))
		return TRACE_CSV_LINE_IGNORED;
	n = csv_split(line, len, f, TRACE_CSV_MAX_COLUMNS, err, errlen);
	if (n < 0)
		return n;
	if ((unsigned)n > lay->ncols) {
		snprintf(err, errlen, "%d fields, but the header names %u", n, lay->ncols);
		return -EINVAL;
	}
	if ((unsigned)n < lay->ncols)
		return ftrace_field_error(err, errlen, csv_col_names[lay->col[n]],
				 "missing: the line ends early (cut?)", NULL, 0);
	memset(l.v, 0, sizeof(l.v));
	for (int i = 0; i < n; i++)
		l.v[lay->col[i]] = f[i];
	ret = csv_rec(&l, seq, &r, err, errlen);
	if (ret)
		return ret;
	bool named_kmalloc = l.op == 2 && r.name_len;

	if (named_kmalloc)	/* named like a kmem_cache_alloc, flagged as a kmalloc */
		r.type = FTRACE_KMEM_CACHE_ALLOC;
	ftrace_rec_to_event(w, &r, e);
	if (named_kmalloc) {
		e->flags |= SIM_EVF_KMALLOC;
		w->cache_flags[e->cache] |= SIM_CACHEF_KMALLOC;
	}
	return TRACE_CSV_LINE_EVENT;
}
