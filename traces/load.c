/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load.c - format detection and the reading loops: lines from traces/input,
 * parsed by traces/ftrace or traces/csv, or trace.dat records from
 * traces/tracedat, all through one place (load_event and friends) that
 * counts anomalies or, under --strict, stops at the first one, and hands
 * each event to the online pairing of traces/resolve as it is read.  An
 * import (trace_import) streams the resolved events to a native file
 * through a spool on disk, so memory holds only live objects and tables;
 * a load keeps them in the workload.  Native files go to traces/native.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xalloc.h"
#include "traces/csv.h"
#include "traces/ftrace.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/resolve.h"
#include "traces/tracedat.h"

#define LOAD_PROGRESS_BYTES (1u << 20)	/* of the file: compressed bytes for gz/xz */
#define LOAD_STYLE_CSV (-2)		/* st->style of a CSV trace */
#define LOAD_STYLE_TRACEDAT (-3)	/* st->style of a trace.dat */

/* The state shared by every reader's loop. */
struct load_state {
	struct sim_workload *w;
	const struct trace_load_opts *opts;
	const char *name;		/* of the file, for messages */
	char *err;
	size_t errlen;
	uint64_t pos;			/* line, or trace.dat record, being read */
	bool records;			/* pos counts records, not lines */
	const char *ts_field;		/* "timestamp" or "t_ns", for messages */
	uint64_t nslab;			/* ALLOC and FREE events */
	uint64_t t_min, t_prev;
	uint64_t *cpu_next;		/* per CPU: last t_ns + 1; 0 before its first event */
	size_t cpu_cap;
	uint64_t nread;			/* events read (before pairing drops any) */
	struct trace_resolver *rs;	/* pairs the events as they come */
	const char *out;		/* streaming import: the native file to write */
	int style;			/* enum ftrace_style of the first event, LOAD_STYLE_*, -1 */
	int fail;			/* strict: the error returned, 0 if none */
	uint64_t fail_pos;
};

/* ---- messages and anomalies ---------------------------------------------------- */

static void load_where(const struct load_state *st, uint64_t pos, char *buf, size_t n)
{
	if (st->records)
		snprintf(buf, n, "%s: record %llu", st->name, (unsigned long long)pos);
	else
		snprintf(buf, n, "%s:%llu", st->name, (unsigned long long)pos);
}

static int load_strict_fail(struct load_state *st, uint64_t pos, const char *anomaly, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The --strict error for an anomaly at pos: "FILE:LINE: <fmt> (anomaly: an error under --strict)". */
static int load_strict_fail(struct load_state *st, uint64_t pos, const char *anomaly, const char *fmt, ...)
{
	char where[600], what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	load_where(st, pos, where, sizeof(where));
	snprintf(st->err, st->errlen, "%s: %s (%s: an error under --strict)", where, what, anomaly);
	st->fail = -EINVAL;
	st->fail_pos = pos;
	return -EINVAL;
}

static int load_malformed(struct load_state *st, const char *why)
{
	struct sim_workload *w = st->w;
	char where[600];

	w->anomaly[SIM_AN_skipped_lines]++;
	load_where(st, st->pos, where, sizeof(where));
	if (!w->first_skip[0])
		snprintf(w->first_skip, sizeof(w->first_skip), "%.300s: %.200s", where, why);
	if (st->opts->strict)
		return load_strict_fail(st, st->pos, "skipped_lines", "%s", why);
	return 0;
}

static int load_other(struct load_state *st)
{
	st->w->anomaly[SIM_AN_unknown_events]++;
	if (st->opts->strict)
		return load_strict_fail(st, st->pos, "unknown_events",
					"field 'event': not one of the kmem allocation events");
	return 0;
}

static int load_lost(struct load_state *st, unsigned cpu, uint64_t n)
{
	st->w->anomaly[SIM_AN_lost_events] += n;
	if (st->opts->strict)
		return load_strict_fail(st, st->pos, "lost_events", "field 'cpu': CPU %u lost %llu events",
					cpu, (unsigned long long)n);
	return 0;
}

/* Counts an event earlier than the file's previous event or its CPU's previous event. */
static int load_time_check(struct load_state *st, const struct sim_event *e)
{
	uint64_t cpu_prev, file_prev, t = e->t_ns;
	bool first = !st->nread, back_file = !first && t < st->t_prev, back_cpu;

	if (e->cpu >= st->cpu_cap) {
		size_t old = st->cpu_cap;

		xgrow((void **)&st->cpu_next, &st->cpu_cap, (size_t)e->cpu + 1, sizeof(*st->cpu_next));
		memset(st->cpu_next + old, 0, (st->cpu_cap - old) * sizeof(*st->cpu_next));
	}
	cpu_prev = st->cpu_next[e->cpu];
	back_cpu = cpu_prev && t < cpu_prev - 1;
	file_prev = st->t_prev;
	st->t_prev = t;
	st->cpu_next[e->cpu] = t + 1;
	if (!back_file && !back_cpu)
		return 0;
	st->w->anomaly[SIM_AN_time_backwards]++;
	if (!st->opts->strict)
		return 0;
	if (back_cpu)
		return load_strict_fail(st, st->pos, "time_backwards",
					"field '%s': %llu ns is before the %llu ns of CPU %u's previous event",
					st->ts_field, (unsigned long long)t, (unsigned long long)(cpu_prev - 1), e->cpu);
	return load_strict_fail(st, st->pos, "time_backwards",
				"field '%s': %llu ns is before the previous event's %llu ns",
				st->ts_field, (unsigned long long)t, (unsigned long long)file_prev);
}

/* A pairing anomaly of the event at st->pos, an error under --strict. */
static int load_pair_strict(struct load_state *st, const struct sim_event *e, int pair)
{
	if (pair == TRACE_PAIR_UNMATCHED)
		return load_strict_fail(st, st->pos, "unmatched_free",
					"field 'ptr': free of 0x%llx, which is not allocated in the trace",
					(unsigned long long)e->ptr);
	return load_strict_fail(st, st->pos, "realloc_live",
				"field 'ptr': allocation of 0x%llx, which is already live: its free was lost",
				(unsigned long long)e->ptr);
}

static int load_resolver_fail(struct load_state *st, int ret)
{
	if (ret == -E2BIG)
		snprintf(st->err, st->errlen, "%s: too many allocations for 32-bit object ids", st->name);
	else
		snprintf(st->err, st->errlen, "%s: %s", st->name, trace_resolver_error(st->rs));
	return ret;
}

/* Every reader's events come through here, in file order, and are paired at once. */
static int load_event(struct load_state *st, const struct sim_event *e, int style)
{
	int ret;

	if (st->style == -1)
		st->style = style;
	if (st->opts->strict && e->op == SIM_EV_ALLOC && e->ptr == 0)
		return load_strict_fail(st, st->pos, "null_alloc", "field 'ptr': the allocation returned NULL");
	ret = load_time_check(st, e);
	if (ret)
		return ret;
	if (e->t_ns < st->t_min)
		st->t_min = e->t_ns;
	st->nslab += e->op == SIM_EV_ALLOC || e->op == SIM_EV_FREE;
	st->nread++;
	ret = trace_resolver_event(st->rs, e);
	if (ret < 0)
		return load_resolver_fail(st, ret);
	if (st->opts->strict && (ret == TRACE_PAIR_UNMATCHED || ret == TRACE_PAIR_REALLOC))
		return load_pair_strict(st, e, ret);
	return 0;
}

/* ---- after reading: names, then the final events ------------------------------- */

static int load_stream_put(void *arg, const struct sim_event *e)
{
	return trace_native_stream_put(arg, e);
}

/* Streaming import: the final events go straight to the native file. */
static int load_write_native(struct load_state *st)
{
	struct trace_native_stream *ns;
	int ret;

	ns = trace_native_stream_open(st->out, st->w, trace_resolver_count(st->rs), st->err, st->errlen);
	if (!ns)
		return errno ? -errno : -EIO;
	ret = trace_resolver_emit(st->rs, st->t_min, load_stream_put, ns);
	if (ret) {
		trace_native_stream_abort(ns);
		snprintf(st->err, st->errlen, "%s: %s", st->out,
			 ret == -ENOSPC ? strerror(ENOSPC) : trace_resolver_error(st->rs));
		return ret;
	}
	return trace_native_stream_close(ns, st->w->digest, st->err, st->errlen);
}

static const char *load_format_name(int style)
{
	if (style == LOAD_STYLE_CSV)
		return "csv";
	if (style == LOAD_STYLE_TRACEDAT)
		return "trace.dat";
	return ftrace_style_format((enum ftrace_style)style);
}

/* Names, digest and the final events, in memory or to the native file. */
static int load_finish(struct load_state *st, const char *unit, uint64_t n)
{
	struct sim_workload *w = st->w;
	int ret;

	if (st->fail)
		return st->fail;
	if (!st->nslab) {
		int k = snprintf(st->err, st->errlen, "%s: no kmem allocation events found (%llu %s read)",
				 st->name, (unsigned long long)n, unit);

		if (w->first_skip[0] && k > 0 && (size_t)k < st->errlen)
			snprintf(st->err + k, st->errlen - (size_t)k, "; first unreadable: %s", w->first_skip);
		return -ENODATA;
	}
	snprintf(w->format, sizeof(w->format), "%s", load_format_name(st->style));
	trace_resolver_tables(st->rs);
	if (st->out)
		return load_write_native(st);
	ret = trace_resolver_emit(st->rs, st->t_min, NULL, NULL);
	return ret < 0 ? load_resolver_fail(st, ret) : 0;
}

static int load_state_init(struct load_state *st, struct sim_workload *w, const struct trace_load_opts *opts,
			   const char *name, const char *out, char *err, size_t errlen)
{
	char *dir = NULL;

	memset(st, 0, sizeof(*st));
	st->w = w;
	st->opts = opts;
	st->name = name;
	st->err = err;
	st->errlen = errlen;
	st->t_min = UINT64_MAX;
	st->style = -1;
	st->ts_field = "timestamp";
	st->out = out;
	if (out) {
		const char *slash = strrchr(out, '/');

		size_t n = slash ? (size_t)(slash - out) + (slash == out) : 0;

		dir = xmalloc(n + 2);
		memcpy(dir, out, n);
		strcpy(dir + n, n ? "" : ".");
	}
	st->rs = trace_resolver_new(w, dir, err, errlen);
	free(dir);
	return st->rs ? 0 : -EIO;
}

static void load_state_fini(struct load_state *st)
{
	free(st->cpu_next);
	trace_resolver_free(st->rs);
}

/* ---- text: ftrace, trace-cmd report, perf script, CSV ------------------------------ */

enum load_mode { LOAD_UNDECIDED, LOAD_FTRACE, LOAD_CSV };

struct load_text {
	struct load_state st;
	struct trace_input *in;
	enum load_mode mode;
	struct trace_csv_layout csv;
	uint64_t next_progress;
};

static void load_text_progress(struct load_text *lt, bool last)
{
	const struct trace_load_opts *o = lt->st.opts;
	uint64_t done = trace_input_offset(lt->in);

	if (!o->progress || (!last && done < lt->next_progress))
		return;
	lt->next_progress = done + LOAD_PROGRESS_BYTES;
	o->progress(o->progress_arg, done, trace_input_size(lt->in));
}

static int load_ftrace_line(struct load_text *lt, const char *line, size_t len)
{
	struct load_state *st = &lt->st;
	struct ftrace_rec r;
	struct sim_event e;
	char why[256];
	int kind = ftrace_line_parse(line, len, &r, why, sizeof(why));

	switch (kind) {
	case FTRACE_LINE_KMEM:
		ftrace_rec_to_event(st->w, &r, &e);
		return load_event(st, &e, (int)r.style);
	case FTRACE_LINE_OTHER:
		return load_other(st);
	case FTRACE_LINE_LOST:
		return load_lost(st, r.cpu, r.lost);
	case FTRACE_LINE_IGNORED:
		return 0;
	default:
		return load_malformed(st, why);
	}
}

static int load_csv_line(struct load_text *lt, const char *line, size_t len)
{
	struct load_state *st = &lt->st;
	struct sim_event e;
	char why[256];
	int kind = trace_csv_line_parse(&lt->csv, st->w, line, len, st->nread, &e, why, sizeof(why));

	if (kind == TRACE_CSV_LINE_EVENT)
		return load_event(st, &e, LOAD_STYLE_CSV);
	return kind < 0 ? load_malformed(st, why) : 0;
}

/* The first line that is not blank or a comment decides between CSV and ftrace text. */
static int load_text_decide(struct load_text *lt, const char *line, size_t len)
{
	struct load_state *st = &lt->st;
	size_t i = 0;
	char why[512];

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	if (!trace_csv_is_header(line, len)) {
		lt->mode = LOAD_FTRACE;
		return load_ftrace_line(lt, line, len);
	}
	lt->mode = LOAD_CSV;
	st->ts_field = "t_ns";
	if (trace_csv_header_parse(&lt->csv, line, len, why, sizeof(why))) {
		snprintf(st->err, st->errlen, "%s:%llu: %s", st->name, (unsigned long long)st->pos, why);
		return -EINVAL;
	}
	return 0;
}

static int load_text_line(struct load_text *lt, const char *line, size_t len)
{
	switch (lt->mode) {
	case LOAD_FTRACE:
		return load_ftrace_line(lt, line, len);
	case LOAD_CSV:
		return load_csv_line(lt, line, len);
	default:
		return load_text_decide(lt, line, len);
	}
}

static int load_text(struct trace_input *in, const char *out, struct sim_workload *w,
		     const struct trace_load_opts *opts, struct trace_load_info *info, char *err, size_t errlen)
{
	struct load_text lt = { .in = in };
	struct load_state *st = &lt.st;
	char *line;
	size_t len;
	int ret;

	int fatal = 0;

	if (load_state_init(st, w, opts, trace_input_name(in), out, err, errlen)) {
		load_state_fini(st);
		return -EIO;
	}
	while ((ret = trace_input_line(in, &line, &len)) > 0) {
		st->pos++;
		fatal = load_text_line(&lt, line, len);
		if (fatal)	/* --strict (st->fail), or a bad CSV header */
			break;
		if (!(st->pos & 0xfff))
			load_text_progress(&lt, false);
	}
	info->lines = st->pos;
	if (ret < 0) {
		snprintf(err, errlen, "%s", trace_input_error(in));
	} else if (fatal && !st->fail) {
		ret = fatal;	/* the header's error is in err */
	} else {
		ret = load_finish(st, "lines", st->pos);
		if (!ret)
			load_text_progress(&lt, true);
	}
	info->events = trace_resolver_count(st->rs);
	load_state_fini(st);
	return ret;
}

/* ---- trace.dat ------------------------------------------------------------------------ */

static int load_td_kmem(void *arg, const struct trace_tracedat_pos *pos, const struct ftrace_rec *r)
{
	struct load_state *st = arg;
	struct sim_event e;

	st->pos = pos->index;
	ftrace_rec_to_event(st->w, r, &e);
	return load_event(st, &e, LOAD_STYLE_TRACEDAT);
}

static int load_td_other(void *arg, const struct trace_tracedat_pos *pos)
{
	struct load_state *st = arg;

	st->pos = pos->index;
	return load_other(st);
}

static int load_td_lost(void *arg, const struct trace_tracedat_pos *pos, uint64_t n)
{
	struct load_state *st = arg;

	st->pos = pos->index;
	return load_lost(st, (unsigned)pos->cpu, n);
}

static void load_td_progress(void *arg, uint64_t done, uint64_t total)
{
	struct load_state *st = arg;

	if (st->opts->progress)
		st->opts->progress(st->opts->progress_arg, done, total);
}

static int load_tracedat(struct trace_input *in, const char *path, const char *out, struct sim_workload *w,
			 const struct trace_load_opts *opts, struct trace_load_info *info, char *err, size_t errlen)
{
	struct load_state st;
	const struct trace_tracedat_sink sink = {
		.kmem = load_td_kmem, .other = load_td_other, .lost = load_td_lost,
		.progress = load_td_progress, .arg = &st,
	};
	const char *name = trace_input_name(in);
	int ret;

	if (trace_tracedat_is_supported() && trace_input_compression(in) != TRACE_COMP_NONE) {
		snprintf(err, errlen, "%s: a %s-compressed trace.dat: decompress it first (libtracecmd reads "
			 "only plain files)", name, trace_input_compression_name(trace_input_compression(in)));
		return -ENOTSUP;
	}
	if (trace_tracedat_is_supported() && !strcmp(path, "-")) {
		snprintf(err, errlen, "%s: a trace.dat cannot be read from standard input: give its path", name);
		return -ENOTSUP;
	}
	if (load_state_init(&st, w, opts, name, out, err, errlen)) {
		load_state_fini(&st);
		return -EIO;
	}
	st.records = true;
	ret = trace_tracedat_read(path, &sink, err, errlen);
	info->records = st.pos;
	if (!ret || (st.fail && ret == st.fail))
		ret = load_finish(&st, "records", st.pos);
	info->events = trace_resolver_count(st.rs);
	load_state_fini(&st);
	return ret;
}

/* ---- native ------------------------------------------------------------------------------ */

/* A native file keeps its anomaly counts and flags: --strict refuses them. */

/* Under --strict, event i of a native file that is an error, or 0. */
static int load_native_strict_event(const struct sim_event *e, uint64_t i, const char *name, char *err, size_t errlen)
{
	bool unmatched = e->op == SIM_EV_FREE && (e->flags & SIM_EVF_UNMATCHED);

	if (!unmatched && !(e->op == SIM_EV_ALLOC && (e->flags & SIM_EVF_REALLOC)))
		return 0;
	snprintf(err, errlen, "%s: event %" PRIu64 ": field 'ptr': %s of 0x%llx (%s: an error under --strict)",
		 name, i, unmatched ? "free of a pointer not allocated in the trace" :
		 "allocation of a pointer already live", (unsigned long long)e->ptr,
		 unmatched ? "unmatched_free" : "realloc_live");
	return -EINVAL;
}

/* Under --strict, the anomalies a native file's header counts that are errors, or 0. */
static int load_native_strict_counts(const struct sim_workload *w, const char *name, char *err, size_t errlen)
{
	static const enum sim_anomaly strict[] = {
		SIM_AN_skipped_lines, SIM_AN_unknown_events, SIM_AN_lost_events, SIM_AN_time_backwards,
		SIM_AN_null_alloc, SIM_AN_unmatched_free, SIM_AN_realloc_live,
	};

	for (size_t i = 0; i < sizeof(strict) / sizeof(strict[0]); i++) {
		if (w->anomaly[strict[i]]) {
			snprintf(err, errlen, "%s: the trace counts %llu %s (%s: an error under --strict; "
				 "import the original trace with --strict to see where)", name,
				 (unsigned long long)w->anomaly[strict[i]], sim_anomaly_meaning[strict[i]],
				 sim_anomaly_name[strict[i]]);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_native_strict(struct sim_workload *w, const char *name, char *err, size_t errlen)
{
	int rc = 0;

	for (size_t i = 0; i < w->nev && !rc; i++)
		rc = load_native_strict_event(&w->ev[i], i, name, err, errlen);
	return rc ? rc : load_native_strict_counts(w, name, err, errlen);
}

int trace_native_strict_check(const char *path, char *err, size_t errlen)
{
	struct sim_workload w;
	struct trace_native_source *ns;
	struct sim_source *src;
	struct sim_event e;
	uint64_t i = 0;
	int rc;

	sim_workload_init(&w);
	ns = trace_native_source_open(path, &w, NULL, err, errlen);
	if (!ns) {
		sim_workload_fini(&w);
		return -EINVAL;
	}
	src = trace_native_source_get(ns);
	while ((rc = src->next(src, &e, err, errlen)) > 0 && !(rc = load_native_strict_event(&e, i, w.source, err, errlen)))
		i++;
	if (!rc)
		rc = load_native_strict_counts(&w, w.source, err, errlen);
	trace_native_source_close(ns);
	sim_workload_fini(&w);
	return rc;
}

void trace_load_info_native(struct trace_load_info *info, const struct trace_native_info *ni)
{
	info->native_version = ni->version;
	snprintf(info->origin, sizeof(info->origin), "%s", ni->source);
	snprintf(info->origin_format, sizeof(info->origin_format), "%s", ni->format);
}

/* A native file is read whole (import then copies it). */
static int load_native(struct trace_input *in, const char *out, struct sim_workload *w,
		       const struct trace_load_opts *opts, struct trace_load_info *info, char *err, size_t errlen)
{
	struct trace_native_info ni;
	int ret = trace_native_read_input(in, w, &ni, err, errlen);

	if (ret)
		return ret;
	info->events = w->nev;
	trace_load_info_native(info, &ni);
	if (opts->strict && (ret = load_native_strict(w, trace_input_name(in), err, errlen)))
		return ret;
	return out ? trace_native_write(w, out, err, errlen) : 0;
}

/* ---- entry points --------------------------------------------------------------------------- */

static int load_dispatch(struct trace_input *in, const char *path, const char *out, struct sim_workload *w,
			 const struct trace_load_opts *opts, struct trace_load_info *info, char *err, size_t errlen)
{
	const void *head;
	ssize_t n = trace_input_peek(in, &head, TRACE_TRACEDAT_MAGIC_LEN);

	if (n < 0) {
		snprintf(err, errlen, "%s", trace_input_error(in));
		return (int)n;
	}
	if (trace_native_is_native(head, (size_t)n))
		return load_native(in, out, w, opts, info, err, errlen);
	if (trace_tracedat_is_tracedat(head, (size_t)n))
		return load_tracedat(in, path, out, w, opts, info, err, errlen);
	return load_text(in, out, w, opts, info, err, errlen);
}

static int load_any(const char *path, const char *out, struct sim_workload *w, const struct trace_load_opts *opts,
		    struct trace_load_info *info, char *err, size_t errlen)
{
	static const struct trace_load_opts no_opts;
	struct trace_load_info no_info;
	struct trace_input *in;
	int ret;

	opts = opts ? opts : &no_opts;
	info = info ? info : &no_info;
	memset(info, 0, sizeof(*info));
	if (errlen)
		err[0] = '\0';
	in = trace_input_open(path, err, errlen);
	if (!in)
		return errno ? -errno : -EIO;
	snprintf(w->source, sizeof(w->source), "%s", trace_input_name(in));
	ret = load_dispatch(in, path, out, w, opts, info, err, errlen);
	info->compression = trace_input_compression(in);
	info->file_bytes = trace_input_offset(in);
	info->text_bytes = trace_input_consumed(in);
	if (!strcmp(w->format, "trace.dat"))
		info->file_bytes = trace_input_size(in);
	trace_input_close(in);
	return ret;
}

int trace_load_ex(const char *path, struct sim_workload *w, const struct trace_load_opts *opts,
		  struct trace_load_info *info, char *err, size_t errlen)
{
	return load_any(path, NULL, w, opts, info, err, errlen);
}

int trace_import(const char *path, const char *out, struct sim_workload *w, const struct trace_load_opts *opts,
		 struct trace_load_info *info, char *err, size_t errlen)
{
	return load_any(path, out, w, opts, info, err, errlen);
}

int trace_load(const char *path, struct sim_workload *w, char *err, size_t errlen)
{
	return trace_load_ex(path, w, NULL, NULL, err, errlen);
}
