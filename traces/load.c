/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load.c - format detection and the text reading loop: lines from
 * traces/input, parsed by traces/ftrace, counted, turned into events, then
 * paired by traces/resolve.  Native files go to traces/native.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "traces/ftrace.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/resolve.h"

#define LOAD_PROGRESS_BYTES (1u << 20)	/* of the file: compressed bytes for gz/xz */

struct load_text {
	struct sim_workload *w;
	const struct trace_load_opts *opts;
	struct trace_input *in;
	uint64_t lineno;
	uint64_t nslab;			/* ALLOC and FREE events */
	uint64_t t_min, t_prev;
	int style;			/* enum ftrace_style of the first event, -1 before */
	uint64_t next_progress;
};

static void load_progress(struct load_text *lt, bool last)
{
	uint64_t done = trace_input_offset(lt->in);

	if (!lt->opts->progress || (!last && done < lt->next_progress))
		return;
	lt->next_progress = done + LOAD_PROGRESS_BYTES;
	lt->opts->progress(lt->opts->progress_arg, done, trace_input_size(lt->in));
}

static void load_skip(struct load_text *lt, const char *why)
{
	struct sim_workload *w = lt->w;

	w->anomaly[SIM_AN_skipped_lines]++;
	if (!w->first_skip[0])
		snprintf(w->first_skip, sizeof(w->first_skip), "%s:%llu: %s",
			 trace_input_name(lt->in), (unsigned long long)lt->lineno, why);
}

static void load_event(struct load_text *lt, const struct ftrace_rec *r)
{
	struct sim_event e;

	ftrace_rec_to_event(lt->w, r, &e);
	if (lt->style < 0)
		lt->style = (int)r->style;
	if (e.t_ns < lt->t_prev)
		lt->w->anomaly[SIM_AN_time_backwards]++;
	lt->t_prev = e.t_ns;
	if (e.t_ns < lt->t_min)
		lt->t_min = e.t_ns;
	lt->nslab += e.op == SIM_EV_ALLOC || e.op == SIM_EV_FREE;
	sim_workload_push(lt->w, &e);
}

static void load_line(struct load_text *lt, const char *line, size_t len)
{
	struct ftrace_rec r;
	char why[256];
	int kind = ftrace_line_parse(line, len, &r, why, sizeof(why));

	switch (kind) {
	case FTRACE_LINE_KMEM:
		load_event(lt, &r);
		break;
	case FTRACE_LINE_OTHER:
		lt->w->anomaly[SIM_AN_unknown_events]++;
		break;
	case FTRACE_LINE_LOST:
		lt->w->anomaly[SIM_AN_lost_events] += r.lost;
		break;
	case FTRACE_LINE_IGNORED:
		break;
	default:
		load_skip(lt, why);
		break;
	}
}

/* Makes t_ns relative to the earliest event. */
static void load_rebase(struct sim_workload *w, uint64_t t_min)
{
	for (size_t i = 0; i < w->nev; i++)
		w->ev[i].t_ns -= t_min;
}

static int load_text(struct trace_input *in, struct sim_workload *w, const struct trace_load_opts *opts,
		     struct trace_load_info *info, char *err, size_t errlen)
{
	struct load_text lt = { .w = w, .opts = opts, .in = in, .t_min = UINT64_MAX, .style = -1 };
	char *line;
	size_t len;
	int ret;

	while ((ret = trace_input_line(in, &line, &len)) > 0) {
		lt.lineno++;
		load_line(&lt, line, len);
		if (!(lt.lineno & 0xfff))
			load_progress(&lt, false);
	}
	info->lines = lt.lineno;
	if (ret < 0) {
		snprintf(err, errlen, "%s", trace_input_error(in));
		return ret;
	}
	if (!lt.nslab) {
		snprintf(err, errlen, "%s: no kmem allocation events found (%llu lines read)",
			 trace_input_name(in), (unsigned long long)lt.lineno);
		return -ENODATA;
	}
	load_rebase(w, lt.t_min);
	snprintf(w->format, sizeof(w->format), "%s", ftrace_style_format((enum ftrace_style)lt.style));
	ret = trace_resolve(w);
	if (ret)
		snprintf(err, errlen, "%s: too many events for 32-bit object ids", trace_input_name(in));
	load_progress(&lt, true);
	return ret;
}

static int load_native(struct trace_input *in, struct sim_workload *w, struct trace_load_info *info,
		       char *err, size_t errlen)
{
	struct trace_native_info ni;
	int ret = trace_native_read_input(in, w, &ni, err, errlen);

	if (ret)
		return ret;
	info->native_version = ni.version;
	snprintf(info->origin, sizeof(info->origin), "%s", ni.source);
	snprintf(info->origin_format, sizeof(info->origin_format), "%s", ni.format);
	return 0;
}

int trace_load_ex(const char *path, struct sim_workload *w, const struct trace_load_opts *opts,
		  struct trace_load_info *info, char *err, size_t errlen)
{
	static const struct trace_load_opts no_opts;
	struct trace_load_info no_info;
	struct trace_input *in;
	const void *head;
	ssize_t n;
	int ret;

	opts = opts ? opts : &no_opts;
	info = info ? info : &no_info;
	memset(info, 0, sizeof(*info));
	in = trace_input_open(path, err, errlen);
	if (!in)
		return errno ? -errno : -EIO;
	snprintf(w->source, sizeof(w->source), "%s", trace_input_name(in));
	n = trace_input_peek(in, &head, TRACE_NATIVE_MAGIC_LEN);
	if (n < 0) {
		snprintf(err, errlen, "%s", trace_input_error(in));
		ret = (int)n;
	} else if (trace_native_is_native(head, (size_t)n)) {
		ret = load_native(in, w, info, err, errlen);
	} else {
		ret = load_text(in, w, opts, info, err, errlen);
	}
	info->compression = trace_input_compression(in);
	info->file_bytes = trace_input_offset(in);
	info->text_bytes = trace_input_consumed(in);
	trace_input_close(in);
	return ret;
}

int trace_load(const char *path, struct sim_workload *w, char *err, size_t errlen)
{
	return trace_load_ex(path, w, NULL, NULL, err, errlen);
}
