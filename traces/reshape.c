/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reshape.c - what-if transformations of a loaded trace (see reshape.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xalloc.h"
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

/* The anomaly counts that follow from the events themselves. */
static void reshape_recount(struct sim_workload *w)
{
	uint64_t *a = w->anomaly;

	a[SIM_AN_unmatched_free] = a[SIM_AN_null_free] = a[SIM_AN_page_alloc] = 0;
	a[SIM_AN_page_free] = a[SIM_AN_large_kmalloc] = a[SIM_AN_realloc_live] = 0;
	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];

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

static int reshape_caches(struct sim_workload *w, const char *list, char *err, size_t errlen)
{
	bool *want = xcalloc(strtab_count(&w->caches), sizeof(*want));
	bool *keep = xcalloc(w->nev ? w->nev : 1, sizeof(*keep));
	char *buf = xstrdup(list), *save = NULL;
	char note[300];
	int rc = 0;

	for (char *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		uint32_t id = strtab_find(&w->caches, name);

		if (id == UINT32_MAX || id == 0) {
			snprintf(err, errlen, "%s: no cache '%s' in the trace ('slabsim trace stats --all' lists them)",
				 w->source, name);
			rc = -EINVAL;
			goto out;
		}
		want[id] = true;
	}
	for (size_t i = 0; i < w->nev; i++)
		keep[i] = (w->ev[i].op == SIM_EV_ALLOC || w->ev[i].op == SIM_EV_FREE) && want[w->ev[i].cache];
	reshape_compact(w, keep);
	snprintf(note, sizeof(note), "caches %.280s", list);
	reshape_note(w, note);
out:
	free(buf);
	free(keep);
	free(want);
	return rc;
}

static int reshape_window(struct sim_workload *w, uint64_t start, uint64_t end, char *err, size_t errlen)
{
	bool *keep = xcalloc(w->nev ? w->nev : 1, sizeof(*keep));
	char note[96];

	if (end <= start) {
		free(keep);
		snprintf(err, errlen, "the window ends before it starts");
		return -EINVAL;
	}
	for (size_t i = 0; i < w->nev; i++)
		keep[i] = w->ev[i].t_ns >= start && w->ev[i].t_ns < end;
	reshape_compact(w, keep);
	free(keep);
	for (size_t i = 0; i < w->nev; i++)
		w->ev[i].t_ns -= start;
	snprintf(note, sizeof(note), "window %.6f-%.6f s", (double)start / 1e9, (double)end / 1e9);
	reshape_note(w, note);
	return 0;
}

static void reshape_time(struct sim_workload *w, double f)
{
	char note[64];

	for (size_t i = 0; i < w->nev; i++)
		w->ev[i].t_ns = (uint64_t)((double)w->ev[i].t_ns / f);
	snprintf(note, sizeof(note), "time / %g", f);
	reshape_note(w, note);
}

static void reshape_cpus(struct sim_workload *w, unsigned n, bool spread)
{
	unsigned from = w->ncpus ? w->ncpus : 1;
	char note[64];

	for (size_t i = 0; i < w->nev; i++) {
		unsigned c = w->ev[i].cpu;

		w->ev[i].cpu = (uint16_t)(spread ? (uint64_t)c * n / from % n : c % n);
	}
	w->ncpus = (uint16_t)n;
	snprintf(note, sizeof(note), "%s %u->%u cpus", spread ? "spread" : "fold", from, n);
	reshape_note(w, note);
}

static int reshape_replicate(struct sim_workload *w, unsigned k, char *err, size_t errlen)
{
	unsigned ncpus = w->ncpus ? w->ncpus : 1;
	struct sim_event *ev;
	char note[64];

	if ((uint64_t)ncpus * k > UINT16_MAX || (uint64_t)w->nobjs * k >= SIM_OID_NONE) {
		snprintf(err, errlen, "--replicate %u: %u cpus or %" PRIu64 " objects are too many", k,
			 ncpus * k, (uint64_t)w->nobjs * k);
		return -EINVAL;
	}
	ev = xmalloc(w->nev * k * sizeof(*ev));
	/* copies of one event share its timestamp: interleaving keeps time order */
	for (size_t i = 0; i < w->nev; i++) {
		for (unsigned c = 0; c < k; c++) {
			struct sim_event *e = &ev[i * k + c];

			*e = w->ev[i];
			e->cpu = (uint16_t)(e->cpu + c * ncpus);
			e->ptr ^= (uint64_t)c << 48;
			if (e->oid != SIM_OID_NONE)
				e->oid += w->nobjs * c;
		}
	}
	free(w->ev);
	w->ev = ev;
	w->cap = w->nev * k;
	w->nev *= k;
	w->nobjs *= k;
	w->ncpus = (uint16_t)(ncpus * k);
	for (int a = 0; a < SIM_AN_COUNT; a++)
		w->anomaly[a] *= k;
	snprintf(note, sizeof(note), "replicate %u: %u cpus", k, ncpus * k);
	reshape_note(w, note);
	return 0;
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
	if (!sim_workload_has_replayable(w)) {
		snprintf(err, errlen, "%s: nothing left to replay after reshaping", w->source);
		return -EINVAL;
	}
	w->digest = sim_workload_digest(w);
	return 0;
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
