/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ftrace.c - parser of kmem tracepoint text lines (ftrace, trace-cmd, perf).
 *
 * A line is "PREFIX TIMESTAMP: EVENT: FIELDS".  The comm in the prefix may
 * hold spaces, dashes and brackets, so the CPU field is found as the first
 * "[digits]" after white space that is followed by an optional flags column
 * and a timestamp ending in ':'; when no such field exists the line is
 * tried as trace-cmd report -l output, where the CPU digits are glued to
 * the latency flags ("0d.h1.").  Field values are scanned by hand.
 *
 * Sources: the TP_printk formats of include/trace/events/kmem.h (every era
 * in KERNEL-FACTS.md 2.1), print_trace_line() in kernel/trace/trace.c
 * ("CPU:%d [LOST %lu EVENTS]", "CPU:%d [LOST EVENTS]"), trace-cmd's
 * report ("CPU:%d [%lld EVENTS DROPPED]", "CPU:%d [EVENTS DROPPED]").
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "traces/ftrace.h"
#include "traces/resolve.h"

/* Fields seen on a line. */
#define FT_F_PTR	0x01u
#define FT_F_REQ	0x02u
#define FT_F_ALLOC	0x04u
#define FT_F_PFN	0x08u

struct ft_span {
	const char *s;
	size_t n;
};

static inline bool ft_is_space(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool ft_is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

static const char *ft_skip_space(const char *p, const char *end)
{
	while (p < end && ft_is_space(*p))
		p++;
	return p;
}

static const char *ft_token_end(const char *p, const char *end)
{
	while (p < end && !ft_is_space(*p))
		p++;
	return p;
}

static bool ft_has_prefix(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && !memcmp(p, lit, n);
}

int ftrace_field_error(char *err, size_t errlen, const char *field, const char *what,
		       const char *v, size_t vn)
{
	if (vn > 40)
		vn = 40;
	if (v)
		snprintf(err, errlen, "field '%s': %s, got '%.*s'", field, what, (int)vn, v);
	else
		snprintf(err, errlen, "field '%s': %s", field, what);
	return -EINVAL;
}

/* ---- numbers ---------------------------------------------------------- */

static bool ft_parse_dec(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)(s[i] - '0');

		if (d > 9 || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static inline int ft_hexval(char c)
{
	if (ft_is_digit(c))
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool ft_parse_hex(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n >= 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		s += 2;
		n -= 2;
	}
	if (!n || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = ft_hexval(s[i]);

		if (d < 0)
			return false;
		v = (v << 4) | (uint64_t)d;
	}
	*out = v;
	return true;
}

/*
 * A %p pointer: hex with or without 0x, hashed or real, or NULL as the
 * kernel's vsprintf prints it ("(null)", "0000000000000000") or as
 * libtraceevent prints it through glibc's "%p" in trace-cmd report and perf
 * script ("(nil)").
 */
static bool ft_parse_ptr(const char *s, size_t n, uint64_t *out)
{
	if ((n == 6 && !memcmp(s, "(null)", 6)) || (n == 5 && !memcmp(s, "(nil)", 5))) {
		*out = 0;
		return true;
	}
	return ft_parse_hex(s, n, out);
}

static bool ft_parse_int(const char *s, size_t n, int64_t *out)
{
	uint64_t v;
	bool neg = n && s[0] == '-';

	if (!ft_parse_dec(s + neg, n - neg, INT32_MAX, &v))
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

/*
 * "seconds.fraction:" (1 to 9 fraction digits) or "integer:" into ns.
 * *after is set past the ':'.
 */
static bool ft_parse_ts(const char *p, const char *end, uint64_t *ns, const char **after)
{
	const char *q = p;
	uint64_t sec, frac = 0;
	size_t nfrac = 0;

	while (q < end && ft_is_digit(*q))
		q++;
	if (q == p || !ft_parse_dec(p, (size_t)(q - p), UINT64_MAX / 1000000000u - 1, &sec))
		return false;
	if (q < end && *q == '.') {
		const char *f = ++q;

		while (q < end && ft_is_digit(*q))
			q++;
		nfrac = (size_t)(q - f);
		if (nfrac < 1 || nfrac > 9)
			return false;
		ft_parse_dec(f, nfrac, UINT64_MAX, &frac);
		for (size_t i = nfrac; i < 9; i++)
			frac *= 10;
		sec = sec * 1000000000u + frac;
	}
	if (q >= end || *q != ':')
		return false;
	*ns = sec;
	*after = q + 1;
	return true;
}

/* ---- the prefix: comm-pid [cpu] flags timestamp: ----------------------- */

static void ft_flags_apply(const char *f, size_t n, struct ftrace_rec *r)
{
	r->irqs_off = n >= 1 && (f[0] == 'd' || f[0] == 'D');
	r->ctx = SIM_CTX_TASK;
	if (n < 3)
		return;
	switch (f[2]) {
	case 'h':
	case 'H':
		r->ctx = SIM_CTX_HARDIRQ;
		break;
	case 's':
		r->ctx = SIM_CTX_SOFTIRQ;
		break;
	case 'z':
	case 'Z':
		r->ctx = SIM_CTX_NMI;
		break;
	}
}

static bool ft_cpu_store(const char *s, size_t n, struct ftrace_rec *r)
{
	uint64_t cpu;

	if (!ft_parse_dec(s, n, UINT16_MAX - 1, &cpu))
		return false;
	r->cpu = (uint16_t)cpu;
	return true;
}

/* After "[cpu]": optional flags column, then the timestamp. */
static int ft_after_cpu(const char *p, const char *end, struct ftrace_rec *r,
			const char **rest, char *err, size_t errlen)
{
	const char *t = ft_skip_space(p, end), *te = ft_token_end(t, end);

	r->style = FTRACE_STYLE_TRACECMD;
	r->irqs_off = false;
	r->ctx = SIM_CTX_TASK;
	if (ft_parse_ts(t, te, &r->ts_ns, rest) && *rest == te)
		return 0;
	if (te - t > 8)
		return ftrace_field_error(err, errlen, "flags", "expected an irqs-off/need-resched/irq flags column",
				t, (size_t)(te - t));
	ft_flags_apply(t, (size_t)(te - t), r);
	r->style = FTRACE_STYLE_FTRACE;
	t = ft_skip_space(te, end);
	te = ft_token_end(t, end);
	if (!ft_parse_ts(t, te, &r->ts_ns, rest) || *rest != te)
		return ftrace_field_error(err, errlen, "timestamp", "expected seconds.fraction followed by ':'",
				t, (size_t)(te - t));
	return 0;
}

/*
 * The first "[digits]" preceded by white space whose rest parses.  Returns
 * 0, 1 when there is no candidate, or the error of the first candidate.
 */
static int ft_prefix_bracket(const char *line, const char *end, struct ftrace_rec *r,
			     const char **rest, char *err, size_t errlen)
{
	const char *p = line;
	int status = 1;

	while ((p = memchr(p, '[', (size_t)(end - p)))) {
		const char *d = ++p, *q = d;

		while (q < end && ft_is_digit(*q))
			q++;
		if ((d - 1 > line && !ft_is_space(d[-2])) || q == d || q >= end || *q != ']' ||
		    (q + 1 < end && !ft_is_space(q[1])) || !ft_cpu_store(d, (size_t)(q - d), r))
			continue;
		char later[256];	/* a later candidate's error is not reported */
		int ret = ft_after_cpu(q + 1, end, r, rest, status == 1 ? err : later,
				       status == 1 ? errlen : sizeof(later));

		if (!ret)
			return 0;
		if (status == 1)
			status = ret;
	}
	return status;
}

static bool ft_all_digits(const char *s, const char *end)
{
	if (s == end)
		return false;
	for (; s < end; s++)
		if (!ft_is_digit(*s))
			return false;
	return true;
}

/*
 * trace-cmd report -l: "comm-pid  0d.h1. 106467.859747:", the CPU digits
 * glued to the latency flags.  Also perf script -L, which prints the CPU as
 * a bare number after the pid ("perf 23779   1  2759.926149:"): returns
 * FT_BARE_CPU for that, which the caller accepts only for perf's
 * "system:event" names, since a bare number could be a pid.
 */
#define FT_BARE_CPU 2
static int ft_prefix_latency(const char *line, const char *end, struct ftrace_rec *r,
			     const char **rest)
{
	const char *prev = NULL, *prev_end = NULL, *prev2 = NULL, *prev2_end = NULL;
	const char *t = ft_skip_space(line, end);

	while (t < end) {
		const char *te = ft_token_end(t, end);

		if (prev && ft_parse_ts(t, te, &r->ts_ns, rest) && *rest == te) {
			const char *f = prev;

			while (f < prev_end && ft_is_digit(*f))
				f++;
			if (f == prev || !ft_cpu_store(prev, (size_t)(f - prev), r))
				return -EINVAL;
			if (f == prev_end) {	/* digits only: perf script -L, after a pid */
				if (!prev2 || !ft_all_digits(prev2, prev2_end))
					return -EINVAL;
				r->ctx = SIM_CTX_TASK;
				r->style = FTRACE_STYLE_TRACECMD;	/* PERF once the event name says so */
				return FT_BARE_CPU;
			}
			ft_flags_apply(f, (size_t)(prev_end - f), r);
			r->style = FTRACE_STYLE_LATENCY;
			return 0;
		}
		prev2 = prev;
		prev2_end = prev_end;
		prev = t;
		prev_end = te;
		t = ft_skip_space(te, end);
	}
	return -EINVAL;
}

/* ---- special lines ----------------------------------------------------- */

/* "CPU:2 [LOST 123 EVENTS]", "CPU:2 [LOST EVENTS]", "CPU:2 [123 EVENTS DROPPED]", "CPU:2 [EVENTS DROPPED]" */
static bool ft_lost_parse(const char *p, const char *end, struct ftrace_rec *r)
{
	const char *q;
	uint64_t n = 1;

	if (!ft_has_prefix(p, end, "CPU:"))
		return false;
	for (q = p + 4; q < end && ft_is_digit(*q); q++)
		;
	if (q == p + 4 || !ft_cpu_store(p + 4, (size_t)(q - p - 4), r))
		return false;
	q = ft_skip_space(q, end);
	if (q >= end || *q++ != '[')
		return false;
	bool lost = ft_has_prefix(q, end, "LOST ");

	if (lost)
		q += 5;
	const char *d = q;

	while (q < end && ft_is_digit(*q))
		q++;
	if (q > d && (!ft_parse_dec(d, (size_t)(q - d), UINT64_MAX, &n) || q >= end || *q++ != ' '))
		return false;
	if (!ft_has_prefix(q, end, lost ? "EVENTS]" : "EVENTS DROPPED]"))
		return false;
	r->lost = n;
	return true;
}

/* trace-cmd report's header lines ("version = 6", "cpus=4", "CPU 3 is empty"). */
static bool ft_is_tracecmd_header(const char *p, const char *end)
{
	if (ft_has_prefix(p, end, "version = ") || ft_has_prefix(p, end, "cpus="))
		return true;
	if (!ft_has_prefix(p, end, "CPU "))
		return false;
	const char *q = p + 4;

	while (q < end && ft_is_digit(*q))
		q++;
	return q > p + 4 && (size_t)(end - q) == 9 && !memcmp(q, " is empty", 9);
}

/*
 * Lines that accompany events without being events: the "stacktrace"
 * option's " => func" lines and perf script's callchain lines, indented,
 * an address first, then the symbol and the DSO when perf prints them
 * ("\tffffffff81634d4d __kmalloc+0x20d ([kernel.kallsyms])",
 * "\t          146f7c [unknown] (/usr/bin/perf)", "\tffffffff813ccccc sched_setaffinity").
 */
static bool ft_is_continuation(const char *line, const char *p, const char *end)
{
	const char *te = ft_token_end(p, end);

	if (te - p == 2 && p[0] == '=' && p[1] == '>')
		return true;
	if (te - p > 16)
		return false;
	for (const char *q = p; q < te; q++)
		if (ft_hexval(*q) < 0)
			return false;
	return p > line || end[-1] == ')';
}

/* ---- event names --------------------------------------------------------- */

static const struct {
	const char *name;
	size_t len;
	enum ftrace_event_type type;
	bool node;
} ft_events[] = {
	{ "kmem_cache_alloc", 16, FTRACE_KMEM_CACHE_ALLOC, false },
	{ "kmem_cache_free", 15, FTRACE_KMEM_CACHE_FREE, false },
	{ "kmalloc", 7, FTRACE_KMALLOC, false },
	{ "kfree", 5, FTRACE_KFREE, false },
	{ "mm_page_alloc", 13, FTRACE_PAGE_ALLOC, false },
	{ "mm_page_free", 12, FTRACE_PAGE_FREE, false },
	{ "kmem_cache_alloc_node", 21, FTRACE_KMEM_CACHE_ALLOC, true },
	{ "kmalloc_node", 12, FTRACE_KMALLOC, true },
	{ "mm_page_free_batched", 20, FTRACE_PAGE_FREE, false },
	{ "mm_page_free_direct", 19, FTRACE_PAGE_FREE, false },
	{ "mm_pagevec_free", 15, FTRACE_PAGE_FREE, false },
};

static bool ft_event_lookup(const char *s, size_t n, struct ftrace_rec *r)
{
	for (size_t i = 0; i < sizeof(ft_events) / sizeof(ft_events[0]); i++) {
		if (ft_events[i].len == n && !memcmp(ft_events[i].name, s, n)) {
			r->type = ft_events[i].type;
			r->node_event = ft_events[i].node;
			return true;
		}
	}
	return false;
}

const char *ftrace_event_type_name(enum ftrace_event_type t)
{
	for (size_t i = 0; i < sizeof(ft_events) / sizeof(ft_events[0]); i++)
		if (ft_events[i].type == t)
			return ft_events[i].name;
	return "?";
}

const char *ftrace_style_format(enum ftrace_style s)
{
	switch (s) {
	case FTRACE_STYLE_FTRACE:
		return "ftrace";
	case FTRACE_STYLE_PERF:
		return "perf";
	default:
		return "trace-cmd";
	}
}

/* ---- fields ---------------------------------------------------------------- */

static unsigned int ft_gfp_bits(const char *s, size_t n)
{
	unsigned int bits = 0;
	uint64_t v;

	if (n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x') {
		if (ft_parse_hex(s, n, &v))	/* ___GFP_DMA 0x01, ___GFP_RECLAIMABLE 0x10 */
			bits = ((v & 0x01) ? FTRACE_GFP_DMA : 0) | ((v & 0x10) ? FTRACE_GFP_RECLAIMABLE : 0);
		return bits;
	}
	for (const char *p = s, *end = s + n; p < end;) {
		const char *q = memchr(p, '|', (size_t)(end - p));
		size_t k = q ? (size_t)(q - p) : (size_t)(end - p);

		if ((k == 7 && !memcmp(p, "GFP_DMA", 7)) || (k == 9 && !memcmp(p, "__GFP_DMA", 9)))
			bits |= FTRACE_GFP_DMA;
		else if ((k == 17 && !memcmp(p, "__GFP_RECLAIMABLE", 17)) ||
			 (k == 15 && !memcmp(p, "GFP_RECLAIMABLE", 15)))
			bits |= FTRACE_GFP_RECLAIMABLE;
		else if ((k == 13 && !memcmp(p, "__GFP_ACCOUNT", 13)) ||
			 (k == 18 && !memcmp(p, "GFP_KERNEL_ACCOUNT", 18)))
			bits |= FTRACE_GFP_ACCOUNT;
		p += k + 1;
	}
	return bits;
}

static int ft_field_u32(const char *key, struct ft_span v, uint32_t *out, char *err, size_t errlen)
{
	uint64_t x;

	if (!ft_parse_dec(v.s, v.n, UINT32_MAX, &x))
		return ftrace_field_error(err, errlen, key, "expected a decimal number", v.s, v.n);
	*out = (uint32_t)x;
	return 0;
}

static int ft_field_ptr(struct ft_span v, struct ftrace_rec *r, char *err, size_t errlen)
{
	if (!ft_parse_ptr(v.s, v.n, &r->ptr))
		return ftrace_field_error(err, errlen, "ptr", "expected a hexadecimal pointer", v.s, v.n);
	return 0;
}

static int ft_field_pfn(struct ft_span v, struct ftrace_rec *r, char *err, size_t errlen)
{
	bool hex = v.n > 2 && v.s[0] == '0' && (v.s[1] | 0x20) == 'x';
	bool ok = hex ? ft_parse_hex(v.s, v.n, &r->ptr) : ft_parse_dec(v.s, v.n, UINT64_MAX, &r->ptr);

	if (!ok)
		return ftrace_field_error(err, errlen, "pfn", "expected a page frame number", v.s, v.n);
	return 0;
}

static int ft_field_small(const char *key, struct ft_span v, int64_t lo, int64_t hi, int64_t *out,
			  char *err, size_t errlen)
{
	if (!ft_parse_int(v.s, v.n, out) || *out < lo || *out > hi)
		return ftrace_field_error(err, errlen, key, "expected a small integer", v.s, v.n);
	return 0;
}

static struct ft_span ft_unquote(struct ft_span v)
{
	if (v.n >= 2 && v.s[0] == '"' && v.s[v.n - 1] == '"') {
		v.s++;
		v.n -= 2;
	}
	return v;
}

/* One key=value; *seen collects FT_F_*. */
static int ft_field(struct ft_span k, struct ft_span v, struct ftrace_rec *r, unsigned *seen,
		    struct ft_span *gfp, char *err, size_t errlen)
{
	int64_t x;
	int ret = 0;

#define KEY(lit) (k.n == sizeof(lit) - 1 && !memcmp(k.s, lit, sizeof(lit) - 1))
	if (KEY("ptr")) {
		*seen |= FT_F_PTR;
		ret = ft_field_ptr(v, r, err, errlen);
	} else if (KEY("call_site")) {
		/* interned by length: a NUL inside would make two strings of one */
		if (memchr(v.s, '\0', v.n))
			return ftrace_field_error(err, errlen, "call_site", "contains a NUL byte (binary data?)", NULL, 0);
		r->site = v.s;
		r->site_len = v.n;
	} else if (KEY("bytes_req")) {
		*seen |= FT_F_REQ;
		ret = ft_field_u32("bytes_req", v, &r->bytes_req, err, errlen);
	} else if (KEY("bytes_alloc")) {
		*seen |= FT_F_ALLOC;
		ret = ft_field_u32("bytes_alloc", v, &r->bytes_alloc, err, errlen);
	} else if (KEY("gfp_flags")) {
		*gfp = v;
	} else if (KEY("node")) {
		ret = ft_field_small("node", v, -1, INT16_MAX, &x, err, errlen);
		r->node = (int16_t)x;
	} else if (KEY("accounted")) {
		r->accounted = v.n == 4 && !memcmp(v.s, "true", 4);
	} else if (KEY("name")) {
		v = ft_unquote(v);
		r->name = v.s;
		r->name_len = v.n;
	} else if (KEY("pfn")) {
		*seen |= FT_F_PFN;
		ret = ft_field_pfn(v, r, err, errlen);
	} else if (KEY("order")) {
		ret = ft_field_small("order", v, 0, 63, &x, err, errlen);
		r->order = (uint8_t)x;
	}
#undef KEY
	return ret;
}

static int ft_fields_check(unsigned seen, struct ftrace_rec *r, char *err, size_t errlen)
{
	static const struct {
		unsigned bit;
		const char *name;
	} req[] = { { FT_F_PTR, "ptr" }, { FT_F_REQ, "bytes_req" }, { FT_F_ALLOC, "bytes_alloc" },
		    { FT_F_PFN, "pfn" } };
	unsigned need;

	switch (r->type) {
	case FTRACE_KMEM_CACHE_ALLOC:
	case FTRACE_KMALLOC:
		need = FT_F_PTR | FT_F_REQ | FT_F_ALLOC;
		break;
	case FTRACE_KMEM_CACHE_FREE:
	case FTRACE_KFREE:
		need = FT_F_PTR;
		break;
	default:
		need = FT_F_PFN;
		break;
	}
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if ((need & req[i].bit) && !(seen & req[i].bit))
			return ftrace_field_error(err, errlen, req[i].name, "missing (truncated line?)", NULL, 0);
	return 0;
}

static int ft_fields_parse(const char *p, const char *end, struct ftrace_rec *r, char *err, size_t errlen)
{
	unsigned seen = 0;
	struct ft_span gfp = { NULL, 0 };

	for (p = ft_skip_space(p, end); p < end; p = ft_skip_space(p, end)) {
		const char *te = ft_token_end(p, end);
		const char *eq = memchr(p, '=', (size_t)(te - p));

		if (eq) {
			struct ft_span k = { p, (size_t)(eq - p) }, v = { eq + 1, (size_t)(te - eq - 1) };
			int ret = ft_field(k, v, r, &seen, &gfp, err, errlen);

			if (ret)
				return ret;
		}
		p = te;
	}
	if (r->type == FTRACE_KMALLOC && gfp.n)
		r->gfp = ft_gfp_bits(gfp.s, gfp.n);
	return ft_fields_check(seen, r, err, errlen);
}

/* ---- the line ---------------------------------------------------------------- */

static void ft_rec_reset(struct ftrace_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->node = SIM_NO_NODE;
	r->accounted = -1;
}

/* "EVENT: " after the timestamp; perf prefixes the system ("kmem:kmalloc:"). */
static int ft_event_name(const char *p, const char *end, struct ftrace_rec *r, const char **rest,
			 char *err, size_t errlen)
{
	const char *s = ft_skip_space(p, end), *q = s;

	while (q < end && *q != ':' && !ft_is_space(*q))
		q++;
	if (ft_has_prefix(s, end, "PERF_RECORD_"))	/* perf script --show-*-events */
		return FTRACE_LINE_OTHER;
	if (q >= end || *q != ':' || q == s)
		return ftrace_field_error(err, errlen, "event", "expected an event name followed by ':'",
				s, (size_t)(ft_token_end(s, end) - s));
	if (q + 1 < end && !ft_is_space(q[1])) {	/* perf's "system:event:" */
		r->style = FTRACE_STYLE_PERF;
		s = q + 1;
		for (q = s; q < end && *q != ':' && !ft_is_space(*q);)
			q++;
		if (q >= end || *q != ':')
			return FTRACE_LINE_OTHER;
	}
	*rest = q + 1;
	return ft_event_lookup(s, (size_t)(q - s), r) ? FTRACE_LINE_KMEM : FTRACE_LINE_OTHER;
}

int ftrace_line_parse(const char *line, size_t len, struct ftrace_rec *r, char *err, size_t errlen)
{
	const char *end = line + len, *p = ft_skip_space(line, end), *rest;
	bool bare_cpu = false;
	int ret;

	ft_rec_reset(r);
	if (p == end || *p == '#')
		return FTRACE_LINE_IGNORED;
	if (*p == 'C' && ft_lost_parse(p, end, r))
		return FTRACE_LINE_LOST;
	if ((*p == 'v' || *p == 'c' || *p == 'C') && ft_is_tracecmd_header(p, end))
		return FTRACE_LINE_IGNORED;
	ret = ft_prefix_bracket(p, end, r, &rest, err, errlen);
	if (ret == 1) {
		ret = ft_prefix_latency(p, end, r, &rest);
		if (ret < 0 && ft_is_continuation(line, p, end))
			return FTRACE_LINE_IGNORED;
		if (ret < 0)
			return ftrace_field_error(err, errlen, "cpu", "no '[CPU]' field followed by a timestamp "
					"(perf script prints it with -F +cpu)", NULL, 0);
		bare_cpu = ret == FT_BARE_CPU;
	}
	if (ret < 0)
		return ret;
	ret = ft_event_name(rest, end, r, &rest, err, errlen);
	if (bare_cpu && r->style != FTRACE_STYLE_PERF && ret >= 0)
		return ftrace_field_error(err, errlen, "cpu", "no '[CPU]' field followed by a timestamp", NULL, 0);
	if (ret != FTRACE_LINE_KMEM)
		return ret;
	ret = ft_fields_parse(rest, end, r, err, errlen);
	return ret < 0 ? ret : FTRACE_LINE_KMEM;
}

/* ---- to the canonical event ------------------------------------------------ */

static uint32_t ft_cache_named(struct sim_workload *w, const struct ftrace_rec *r, uint32_t size)
{
	char name[256];
	size_t n = r->name_len < sizeof(name) - 1 ? r->name_len : sizeof(name) - 1;

	if (!r->name_len)
		return 0;
	memcpy(name, r->name, n);
	name[n] = '\0';
	return sim_workload_cache(w, name, size, 0);
}

static void ft_event_page(const struct ftrace_rec *r, struct sim_event *e)
{
	uint64_t bytes = (uint64_t)SIM_PAGE_BYTES << (r->order < 32 ? r->order : 31);

	e->op = r->type == FTRACE_PAGE_ALLOC ? SIM_EV_PAGE_ALLOC : SIM_EV_PAGE_FREE;
	e->order = r->order;
	e->bytes_alloc = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
}

void ftrace_rec_to_event(struct sim_workload *w, const struct ftrace_rec *r, struct sim_event *e)
{
	memset(e, 0, sizeof(*e));
	e->t_ns = r->ts_ns;
	e->ptr = r->ptr;
	e->oid = SIM_OID_NONE;
	e->cpu = r->cpu;
	e->node = r->node;
	e->flags = (uint8_t)(r->ctx | (r->irqs_off ? SIM_EVF_IRQS_OFF : 0));
	if (r->site_len)
		e->site = strtab_intern_n(&w->sites, r->site, r->site_len);
	switch (r->type) {
	case FTRACE_KMALLOC:
		e->op = SIM_EV_ALLOC;
		e->flags |= SIM_EVF_KMALLOC;
		e->bytes_req = r->bytes_req;
		e->bytes_alloc = r->bytes_alloc;
		e->cache = trace_kmalloc_cache(w, r->bytes_req, r->bytes_alloc, r->gfp, r->accounted, &e->flags);
		break;
	case FTRACE_KMEM_CACHE_ALLOC:
		e->op = SIM_EV_ALLOC;
		e->bytes_req = r->bytes_req;
		e->bytes_alloc = r->bytes_alloc;
		e->cache = ft_cache_named(w, r, r->bytes_alloc);
		break;
	case FTRACE_KFREE:
		e->op = SIM_EV_FREE;
		e->flags |= SIM_EVF_KMALLOC;
		break;
	case FTRACE_KMEM_CACHE_FREE:
		e->op = SIM_EV_FREE;
		e->cache = ft_cache_named(w, r, 0);
		break;
	default:
		ft_event_page(r, e);
		break;
	}
}
