/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workload.c - a trace in memory. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/workload.h"
#include "sim/xalloc.h"

const char *const sim_anomaly_name[SIM_AN_COUNT] = {
#define SIM_ANOMALY_NAME(n, d) #n,
	SIM_ANOMALY_LIST(SIM_ANOMALY_NAME)
#undef SIM_ANOMALY_NAME
};

const char *const sim_anomaly_meaning[SIM_AN_COUNT] = {
#define SIM_ANOMALY_MEANING(n, d) d,
	SIM_ANOMALY_LIST(SIM_ANOMALY_MEANING)
#undef SIM_ANOMALY_MEANING
};

void sim_workload_init(struct sim_workload *w)
{
	memset(w, 0, sizeof(*w));
	strtab_init(&w->caches);
	strtab_init(&w->sites);
	sim_workload_cache(w, "", 0, 0);
}

void sim_workload_fini(struct sim_workload *w)
{
	free(w->ev);
	free(w->cache_size);
	free(w->cache_flags);
	free(w->cache_order);
	strtab_fini(&w->caches);
	strtab_fini(&w->sites);
	memset(w, 0, sizeof(*w));
}

struct sim_event *sim_workload_push(struct sim_workload *w, const struct sim_event *e)
{
	xgrow((void **)&w->ev, &w->cap, w->nev + 1, sizeof(*w->ev));
	w->ev[w->nev] = *e;
	if (e->cpu >= w->ncpus)
		w->ncpus = (uint16_t)(e->cpu + 1);
	return &w->ev[w->nev++];
}

uint32_t sim_workload_cache(struct sim_workload *w, const char *name, uint32_t size, uint32_t flags)
{
	uint32_t id = strtab_intern(&w->caches, name);
	size_t old = w->cache_cap;

	if (id >= w->cache_cap) {
		size_t cap2 = old;

		xgrow((void **)&w->cache_size, &cap2, (size_t)id + 1, sizeof(*w->cache_size));
		w->cache_flags = xrealloc(w->cache_flags, cap2 * sizeof(*w->cache_flags));
		memset(w->cache_size + old, 0, (cap2 - old) * sizeof(*w->cache_size));
		memset(w->cache_flags + old, 0, (cap2 - old) * sizeof(*w->cache_flags));
		w->cache_cap = cap2;
	}
	if (!w->cache_size[id])
		w->cache_size[id] = size;
	w->cache_flags[id] |= flags;
	return id;
}

uint64_t sim_workload_events(const struct sim_workload *w)
{
	return w->stream.on ? w->stream.nev : w->nev;
}

size_t sim_workload_replayable(const struct sim_workload *w)
{
	size_t n = 0;

	if (w->stream.on)
		return (size_t)w->stream.replayable;
	for (size_t i = 0; i < w->nev; i++)
		n += sim_event_is_replayed(&w->ev[i]);
	return n;
}

bool sim_workload_has_replayable(const struct sim_workload *w)
{
	if (w->stream.on)
		return w->stream.replayable > 0;
	for (size_t i = 0; i < w->nev; i++)
		if (sim_event_is_replayed(&w->ev[i]))
			return true;
	return false;
}

uint64_t sim_workload_duration_ns(const struct sim_workload *w)
{
	uint64_t t = w->stream.on ? w->stream.t_max_ns : 0;

	for (size_t i = 0; i < w->nev; i++)
		t = SIM_MAX(t, w->ev[i].t_ns);
	return t;
}

void sim_workload_stream_count(struct sim_workload_stream *s, const struct sim_event *e)
{
	s->on = true;
	s->nev++;
	s->replayable += sim_event_is_replayed(e);
	s->t_max_ns = SIM_MAX(s->t_max_ns, e->t_ns);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 1099511628211ull;
	}
	return h;
}

uint64_t sim_digest_event(uint64_t h, const struct sim_event *e)
{
	h = fnv(h, &e->t_ns, sizeof(e->t_ns));
	h = fnv(h, &e->ptr, sizeof(e->ptr));
	h = fnv(h, &e->oid, sizeof(e->oid));
	h = fnv(h, &e->cache, sizeof(e->cache));
	h = fnv(h, &e->bytes_req, sizeof(e->bytes_req));
	h = fnv(h, &e->bytes_alloc, sizeof(e->bytes_alloc));
	h = fnv(h, &e->cpu, sizeof(e->cpu));
	h = fnv(h, &e->op, sizeof(e->op));
	h = fnv(h, &e->flags, sizeof(e->flags));
	return fnv(h, &e->node, sizeof(e->node));
}

uint64_t sim_digest_caches(uint64_t h, const struct sim_workload *w)
{
	for (size_t i = 0; i < strtab_count(&w->caches); i++)
		h = fnv(h, strtab_get(&w->caches, (uint32_t)i), strlen(strtab_get(&w->caches, (uint32_t)i)) + 1);
	return h;
}

uint64_t sim_workload_digest(const struct sim_workload *w)
{
	uint64_t h = SIM_DIGEST_INIT;

	for (size_t i = 0; i < w->nev; i++)
		h = sim_digest_event(h, &w->ev[i]);
	return sim_digest_caches(h, w);
}

void sim_workload_repeat(struct sim_workload *w, unsigned k, uint64_t gap_ns)
{
	size_t n = w->nev;
	uint64_t span = n ? w->ev[n - 1].t_ns + gap_ns : 0;
	uint32_t nobjs = w->nobjs;

	if (k < 2 || !n)
		return;
	xgrow((void **)&w->ev, &w->cap, n * k, sizeof(*w->ev));
	for (unsigned c = 1; c < k; c++) {
		for (size_t i = 0; i < n; i++) {
			struct sim_event *e = &w->ev[c * n + i];

			*e = w->ev[i];
			e->t_ns += span * c;
			if (e->oid != SIM_OID_NONE)
				e->oid += nobjs * c;
		}
	}
	w->nev = n * k;
	w->nobjs = nobjs * k;
	for (int a = 0; a < SIM_AN_COUNT; a++)
		w->anomaly[a] *= k;
	w->digest = sim_workload_digest(w);
}

void sim_event_tally_init(struct sim_event_tally *t)
{
	memset(t, 0, sizeof(*t));
	t->digest = SIM_DIGEST_INIT;
}

void sim_event_tally_add(struct sim_event_tally *t, const struct sim_event *e)
{
	t->digest = sim_digest_event(t->digest, e);
	sim_workload_stream_count(&t->stream, e);
}

void sim_event_tally_finish(const struct sim_event_tally *t, struct sim_workload *w)
{
	w->digest = sim_digest_caches(t->digest, w);
	w->stream = t->stream;
	w->stream.on = true;
}
