/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reshape.c - what-if transformations of a loaded trace (see reshape.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/u64map.h"
#include "sim/xalloc.h"
#include "traces/native.h"
#include "traces/reshape.h"

static void reshape_note(struct sim_workload *w, const char *what)
{
	size_t n = strlen(w->source);
	bool open = n && w->source[n - 1] == ']';

	if (open)
		snprintf(w->source + n - 1, sizeof(w->source) - (n - 1), "; %s]", what);
	else
		snprintf(w->source + n, sizeof(w->source) - n, " [%s]", what);
}

/* The anomalies that follow from the events themselves: a filter recounts them. */
static const enum sim_anomaly reshape_recounted[] = {
	SIM_AN_unmatched_free, SIM_AN_null_free, SIM_AN_page_alloc,
	SIM_AN_page_free, SIM_AN_large_kmalloc, SIM_AN_realloc_live,
};

static void reshape_count_event(uint64_t *a, const struct sim_event *e)
{
	a[SIM_AN_page_alloc] += e->op == SIM_EV_PAGE_ALLOC;
	a[SIM_AN_page_free] += e->op == SIM_EV_PAGE_FREE;
	if (e->op == SIM_EV_ALLOC) {
		a[SIM_AN_large_kmalloc] += !!(e->flags & SIM_EVF_LARGE);
		a[SIM_AN_realloc_live] += !!(e->flags & SIM_EVF_REALLOC);
	} else if (e->op == SIM_EV_FREE) {
		a[SIM_AN_null_free] += !!(e->flags & SIM_EVF_NULL);
		a[SIM_AN_unmatched_free] += !!(e->flags & SIM_EVF_UNMATCHED);
	}
}

static void reshape_recount(struct sim_workload *w)
{
	for (size_t i = 0; i < SIM_ARRAY_SIZE(reshape_recounted); i++)
		w->anomaly[reshape_recounted[i]] = 0;
	for (size_t i = 0; i < w->nev; i++)
		reshape_count_event(w->anomaly, &w->ev[i]);
}

/*
 * Keeps the events with keep[i], renumbering objects densely; a FREE whose
 * ALLOC is gone becomes unmatched.
 */
static void reshape_compact(struct sim_workload *w, const bool *keep)
{
	uint32_t *newoid = xmalloc((w->nobjs ? w->nobjs : 1) * sizeof(*newoid));
	uint32_t next = 0;
	size_t n = 0;

	for (uint32_t i = 0; i < w->nobjs; i++)
		newoid[i] = SIM_OID_NONE;
	for (size_t i = 0; i < w->nev; i++) {
		struct sim_event e = w->ev[i];

		if (!keep[i])
			continue;
		if (e.op == SIM_EV_ALLOC && e.oid != SIM_OID_NONE) {
			newoid[e.oid] = next;
			e.oid = next++;
		} else if (e.op == SIM_EV_FREE && e.oid != SIM_OID_NONE) {
			e.oid = newoid[e.oid];
			if (e.oid == SIM_OID_NONE)
				e.flags |= SIM_EVF_UNMATCHED;
		}
		w->ev[n++] = e;
	}
	w->nev = n;
	w->nobjs = next;
	free(newoid);
	reshape_recount(w);
}

/* The caches of list, as a table by cache id (freed by the caller); NULL and err if one is unknown. */
static bool *reshape_caches_wanted(const struct sim_workload *w, const char *list, char *err, size_t errlen)
{
	bool *want = xcalloc(strtab_count(&w->caches), sizeof(*want));
	char *buf = xstrdup(list), *save = NULL;

	for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		uint32_t id = strtab_find(&w->caches, name);

		if (id == UINT32_MAX || id == 0) {
			snprintf(err, errlen, "%s: no cache '%s' in the trace ('slabsim trace stats --all' lists them)",
				 w->source, name);
			free(want);
			want = NULL;
			break;
		}
		want[id] = true;
	}
	free(buf);
	return want;
}

static bool reshape_cache_keeps(const bool *want, const struct sim_event *e)
{
	return (e->op == SIM_EV_ALLOC || e->op == SIM_EV_FREE) && want[e->cache];
}

static void reshape_note_caches(struct sim_workload *w, const char *list)
{
	char note[300];

	snprintf(note, sizeof(note), "caches %.280s", list);
	reshape_note(w, note);
}

static int reshape_caches(struct sim_workload *w, const char *list, char *err, size_t errlen)
{
	bool *want = reshape_caches_wanted(w, list, err, errlen);
	bool *keep;

	if (!want)
		return -EINVAL;
	keep = xcalloc(w->nev ? w->nev : 1, sizeof(*keep));
	for (size_t i = 0; i < w->nev; i++)
		keep[i] = reshape_cache_keeps(want, &w->ev[i]);
	reshape_compact(w, keep);
	reshape_note_caches(w, list);
	free(keep);
	free(want);
	return 0;
}

static void reshape_note_window(struct sim_workload *w, uint64_t start, uint64_t end)
{
	char note[96];

	snprintf(note, sizeof(note), "window %.6f-%.6f s", (double)start / 1e9, (double)end / 1e9);
	reshape_note(w, note);
}

static int reshape_window(struct sim_workload *w, uint64_t start, uint64_t end, char *err, size_t errlen)
{
	bool *keep;

	if (end <= start) {
		snprintf(err, errlen, "the window ends before it starts");
		return -EINVAL;
	}
	keep = xcalloc(w->nev ? w->nev : 1, sizeof(*keep));
	for (size_t i = 0; i < w->nev; i++)
		keep[i] = w->ev[i].t_ns >= start && w->ev[i].t_ns < end;
	reshape_compact(w, keep);
	free(keep);
	for (size_t i = 0; i < w->nev; i++)
		w->ev[i].t_ns -= start;
	reshape_note_window(w, start, end);
	return 0;
}

static uint64_t reshape_time_of(uint64_t t_ns, double f)
{
	return (uint64_t)((double)t_ns / f);
}

static void reshape_note_time(struct sim_workload *w, double f)
{
	char note[64];

	snprintf(note, sizeof(note), "time / %g", f);
	reshape_note(w, note);
}

static void reshape_time(struct sim_workload *w, double f)
{
	for (size_t i = 0; i < w->nev; i++)
		w->ev[i].t_ns = reshape_time_of(w->ev[i].t_ns, f);
	reshape_note_time(w, f);
}

static uint16_t reshape_cpu_of(unsigned c, unsigned from, unsigned n, bool spread)
{
	return (uint16_t)(spread ? (uint64_t)c * n / from % n : c % n);
}

/* The cpu count becomes n; returns the count it was (at least 1). */
static unsigned reshape_cpus_set(struct sim_workload *w, unsigned n, bool spread)
{
	unsigned from = w->ncpus ? w->ncpus : 1;
	char note[64];

	w->ncpus = (uint16_t)n;
	snprintf(note, sizeof(note), "%s %u->%u cpus", spread ? "spread" : "fold", from, n);
	reshape_note(w, note);
	return from;
}

static void reshape_cpus(struct sim_workload *w, unsigned n, bool spread)
{
	unsigned from = reshape_cpus_set(w, n, spread);

	for (size_t i = 0; i < w->nev; i++)
		w->ev[i].cpu = reshape_cpu_of(w->ev[i].cpu, from, n, spread);
}

/* Copy c of e, with ncpus cpus and nobjs objects per copy. */
static void reshape_replica(struct sim_event *e, unsigned c, unsigned ncpus, uint32_t nobjs)
{
	e->cpu = (uint16_t)(e->cpu + c * ncpus);
	e->ptr ^= (uint64_t)c << 48;
	if (e->oid != SIM_OID_NONE)
		e->oid += nobjs * c;
}

/*
 * Checks and notes k copies of ncpus cpus and nobjs objects each; sets the
 * cpu count and multiplies the anomalies (their objects are the caller's).
 */
static int reshape_replicate_set(struct sim_workload *w, unsigned k, unsigned ncpus, uint32_t nobjs,
				 char *err, size_t errlen)
{
	char note[64];

	if ((uint64_t)ncpus * k > UINT16_MAX || (uint64_t)nobjs * k >= SIM_OID_NONE) {
		snprintf(err, errlen, "--replicate %u: %u cpus or %" PRIu64 " objects are too many", k,
			 ncpus * k, (uint64_t)nobjs * k);
		return -EINVAL;
	}
	w->ncpus = (uint16_t)(ncpus * k);
	for (int a = 0; a < SIM_AN_COUNT; a++)
		w->anomaly[a] *= k;
	snprintf(note, sizeof(note), "replicate %u: %u cpus", k, ncpus * k);
	reshape_note(w, note);
	return 0;
}

static int reshape_replicate(struct sim_workload *w, unsigned k, char *err, size_t errlen)
{
	unsigned ncpus = w->ncpus ? w->ncpus : 1;
	struct sim_event *ev;

	if (reshape_replicate_set(w, k, ncpus, w->nobjs, err, errlen))
		return -EINVAL;
	ev = xmalloc(w->nev * k * sizeof(*ev));
	/* copies of one event share its timestamp: interleaving keeps time order */
	for (size_t i = 0; i < w->nev; i++) {
		for (unsigned c = 0; c < k; c++) {
			ev[i * k + c] = w->ev[i];
			reshape_replica(&ev[i * k + c], c, ncpus, w->nobjs);
		}
	}
	free(w->ev);
	w->ev = ev;
	w->cap = w->nev * k;
	w->nev *= k;
	w->nobjs *= k;
	return 0;
}

int trace_reshape_check_left(const struct sim_workload *w, char *err, size_t errlen)
{
	if (sim_workload_has_replayable(w))
		return 0;
	snprintf(err, errlen, "%s: nothing left to replay after reshaping", w->source);
	return -EINVAL;
}

int trace_reshape_apply(struct sim_workload *w, const struct trace_reshape *r, char *err, size_t errlen)
{
	int rc = 0;

	if (r->caches && *r->caches)
		rc = reshape_caches(w, r->caches, err, errlen);
	if (!rc && r->window_end_ns)
		rc = reshape_window(w, r->window_start_ns, r->window_end_ns, err, errlen);
	if (!rc && r->time_scale > 0 && r->time_scale != 1.0)
		reshape_time(w, r->time_scale);
	if (!rc && r->cpus) {
		if (r->cpus > UINT16_MAX) {
			snprintf(err, errlen, "--cpus %u: at most 65535", r->cpus);
			return -EINVAL;
		}
		reshape_cpus(w, r->cpus, r->spread);
	}
	if (!rc && r->replicate > 1)
		rc = reshape_replicate(w, r->replicate, err, errlen);
	if (rc)
		return rc;
	if ((rc = trace_reshape_check_left(w, err, errlen)))
		return rc;
	w->digest = sim_workload_digest(w);
	return 0;
}

/* ---- the same as a stream ------------------------------------------------------- */

struct trace_reshape_source {
	struct sim_source src;
	struct sim_source *in;
	struct sim_workload *w;		/* in->w, the caller's, changed in place */
	struct trace_reshape r;
	bool *want;			/* --caches: by cache id; NULL keeps every cache */
	bool window, filter;		/* a window; a window or a cache filter */
	struct u64map newoid;		/* filter: old oid -> new oid, objects kept and not yet freed */
	uint32_t nobjs;			/* filter: objects kept so far */
	uint64_t anomaly[SIM_AN_COUNT];	/* filter: the recounted anomalies of the kept events */
	unsigned from_cpus;		/* --cpus: the trace's cpus before */
	unsigned k, ncpus_copy;		/* copies; cpus of each */
	uint32_t nobjs_copy;		/* objects of each */
	struct sim_event cur;		/* the event being copied */
	unsigned copy;			/* copies of cur yielded */
	struct sim_event_tally tally;	/* of the events yielded */
	bool ended;
};

bool trace_reshape_filters(const struct trace_reshape *r)
{
	return (r->caches && *r->caches) || r->window_end_ns;
}

/* The filters of reshape_compact(), one event at a time; false drops it. */
static bool rs_filter(struct trace_reshape_source *s, struct sim_event *e)
{
	bool keep = (!s->want || reshape_cache_keeps(s->want, e)) &&
		    (!s->window || (e->t_ns >= s->r.window_start_ns && e->t_ns < s->r.window_end_ns));
	uint64_t v;

	if (e->op == SIM_EV_FREE && e->oid != SIM_OID_NONE) {
		/* its object's one FREE: the object leaves the map, kept or not */
		bool had = u64map_get(&s->newoid, e->oid, &v);

		if (had)
			u64map_del(&s->newoid, e->oid);
		if (keep) {
			e->oid = had ? (uint32_t)v : SIM_OID_NONE;
			e->flags |= had ? 0 : SIM_EVF_UNMATCHED;
		}
	} else if (keep && e->op == SIM_EV_ALLOC && e->oid != SIM_OID_NONE) {
		u64map_add(&s->newoid, e->oid, s->nobjs);
		e->oid = s->nobjs++;
	}
	if (!keep)
		return false;
	if (s->window)
		e->t_ns -= s->r.window_start_ns;
	reshape_count_event(s->anomaly, e);
	return true;
}

/* The next event of the input that passes the filters, with its time and cpu mapped. */
static int rs_pull(struct trace_reshape_source *s, struct sim_event *e, char *err, size_t errlen)
{
	int rc;

	while ((rc = s->in->next(s->in, e, err, errlen)) > 0) {
		if (s->filter && !rs_filter(s, e))
			continue;
		if (s->r.time_scale > 0 && s->r.time_scale != 1.0)
			e->t_ns = reshape_time_of(e->t_ns, s->r.time_scale);
		if (s->r.cpus)
			e->cpu = reshape_cpu_of(e->cpu, s->from_cpus, s->r.cpus, s->r.spread);
		return 1;
	}
	return rc;
}

/* What the events came to, into w: known once they have all passed. */
static void rs_finish(struct trace_reshape_source *s)
{
	struct sim_workload *w = s->w;

	if (s->ended)
		return;
	s->ended = true;
	if (s->filter) {
		for (size_t i = 0; i < SIM_ARRAY_SIZE(reshape_recounted); i++)
			w->anomaly[reshape_recounted[i]] = s->anomaly[reshape_recounted[i]] * s->k;
		w->nobjs = s->nobjs * s->k;
	}
	sim_event_tally_finish(&s->tally, w);
}

static int rs_next(struct sim_source *src, struct sim_event *e, char *err, size_t errlen)
{
	struct trace_reshape_source *s = src->priv;

	if (s->copy == s->k) {
		int rc = s->ended ? 0 : rs_pull(s, &s->cur, err, errlen);

		if (rc <= 0) {
			if (!rc)
				rs_finish(s);
			return rc;
		}
		s->copy = 0;
	}
	*e = s->cur;
	reshape_replica(e, s->copy++, s->ncpus_copy, s->nobjs_copy);
	sim_event_tally_add(&s->tally, e);
	return 1;
}

/* The filters' set-up and notes, as reshape_caches() and reshape_window() do them. */
static int rs_open_filters(struct trace_reshape_source *s, const struct trace_reshape *r, char *err, size_t errlen)
{
	if (r->caches && *r->caches) {
		s->want = reshape_caches_wanted(s->w, r->caches, err, errlen);
		if (!s->want)
			return -EINVAL;
		reshape_note_caches(s->w, r->caches);
	}
	if (r->window_end_ns) {
		if (r->window_end_ns <= r->window_start_ns) {
			snprintf(err, errlen, "the window ends before it starts");
			return -EINVAL;
		}
		s->window = true;
		reshape_note_window(s->w, r->window_start_ns, r->window_end_ns);
	}
	s->filter = s->want || s->window;
	if (s->filter)
		u64map_init(&s->newoid);
	return 0;
}

/* Time, cpus and copies: the checks and notes of trace_reshape_apply(). */
static int rs_open_maps(struct trace_reshape_source *s, uint32_t kept_nobjs, char *err, size_t errlen)
{
	const struct trace_reshape *r = &s->r;
	struct sim_workload *w = s->w;

	if (r->time_scale > 0 && r->time_scale != 1.0)
		reshape_note_time(w, r->time_scale);
	if (r->cpus) {
		if (r->cpus > UINT16_MAX) {
			snprintf(err, errlen, "--cpus %u: at most 65535", r->cpus);
			return -EINVAL;
		}
		s->from_cpus = reshape_cpus_set(w, r->cpus, r->spread);
	}
	s->k = r->replicate > 1 ? r->replicate : 1;
	s->copy = s->k;
	s->ncpus_copy = w->ncpus ? w->ncpus : 1;
	s->nobjs_copy = s->filter ? kept_nobjs : w->nobjs;
	if (s->k == 1)
		return 0;
	if (reshape_replicate_set(w, s->k, s->ncpus_copy, s->nobjs_copy, err, errlen))
		return -EINVAL;
	w->nobjs = s->nobjs_copy * s->k;
	return 0;
}

struct trace_reshape_source *trace_reshape_source_open(struct sim_source *in, struct sim_workload *w,
						       const struct trace_reshape *r, uint32_t kept_nobjs,
						       char *err, size_t errlen)
{
	struct trace_reshape_source *s = xcalloc(1, sizeof(*s));

	s->in = in;
	s->w = w;
	s->r = *r;
	s->r.caches = NULL;	/* used at open only: the caller's string need not outlive it */
	if (rs_open_filters(s, r, err, errlen) || rs_open_maps(s, kept_nobjs, err, errlen)) {
		trace_reshape_source_close(s);
		return NULL;
	}
	sim_event_tally_init(&s->tally);
	s->src = (struct sim_source){ .w = s->w, .total = in->total * s->k, .next = rs_next, .priv = s };
	return s;
}

struct sim_source *trace_reshape_source_get(struct trace_reshape_source *s)
{
	return &s->src;
}

void trace_reshape_source_close(struct trace_reshape_source *s)
{
	if (!s)
		return;
	if (s->filter)
		u64map_fini(&s->newoid);
	free(s->want);
	free(s);
}

static int reshape_parse_time(const char *s, size_t len, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1e9 } };
	char buf[64], *end;
	double v;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtod(buf, &end);
	if (end == buf || !isfinite(v) || v < 0)
		return -EINVAL;
	for (size_t i = 0; i < SIM_ARRAY_SIZE(units); i++) {
		if (!strcmp(end, units[i].unit)) {
			*ns = (uint64_t)llround(v * units[i].scale);
			return 0;
		}
	}
	return -EINVAL;
}

int trace_reshape_parse_window(const char *s, uint64_t *start_ns, uint64_t *end_ns)
{
	const char *comma = strchr(s, ',');

	if (!comma || reshape_parse_time(s, (size_t)(comma - s), start_ns))
		return -EINVAL;
	if (!comma[1]) {
		*end_ns = UINT64_MAX;
		return 0;
	}
	if (reshape_parse_time(comma + 1, strlen(comma + 1), end_ns) || *end_ns <= *start_ns)
		return -EINVAL;
	return 0;
}

/* ---- a native file, reshaped as it is read ------------------------------------------------ */

bool trace_reshape_any(const struct trace_reshape *r)
{
	return trace_reshape_filters(r) || (r->time_scale > 0 && r->time_scale != 1.0) || r->cpus || r->replicate > 1;
}

struct sim_source *trace_reshape_file_open(struct trace_reshape_file *f, const char *path,
					   const struct trace_reshape *r, uint32_t kept_nobjs,
					   struct sim_workload *w, char *err, size_t errlen)
{
	f->rs = NULL;
	f->ns = trace_native_source_open(path, w, NULL, err, errlen);
	if (!f->ns)
		return NULL;
	if (trace_reshape_any(r) &&
	    !(f->rs = trace_reshape_source_open(trace_native_source_get(f->ns), w, r, kept_nobjs, err, errlen)))
		return NULL;
	return trace_reshape_file_source(f);
}

struct sim_source *trace_reshape_file_source(struct trace_reshape_file *f)
{
	return f->rs ? trace_reshape_source_get(f->rs) : trace_native_source_get(f->ns);
}

void trace_reshape_file_close(struct trace_reshape_file *f)
{
	trace_reshape_source_close(f->rs);
	trace_native_source_close(f->ns);
	f->rs = NULL;
	f->ns = NULL;
}

int trace_reshape_file_kept(const char *path, const struct trace_reshape *r, uint32_t *kept_nobjs,
			    char *err, size_t errlen)
{
	struct trace_reshape once = *r;
	struct trace_reshape_file f;
	struct sim_workload w;
	struct sim_source *src;
	int rc;

	*kept_nobjs = 0;
	if (!trace_reshape_filters(r) || r->replicate <= 1)
		return 0;
	once.replicate = 0;
	sim_workload_init(&w);
	src = trace_reshape_file_open(&f, path, &once, 0, &w, err, errlen);
	rc = src ? sim_source_drain(src, err, errlen) : -EINVAL;
	if (!rc)
		*kept_nobjs = w.nobjs;
	trace_reshape_file_close(&f);
	sim_workload_fini(&w);
	return rc;
}
