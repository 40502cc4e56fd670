/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolve.c - the pairing pass: object ids, unmatched and NULL frees,
 * reallocations of live pointers, cache names for nameless allocations,
 * and the kmalloc size-class names of Linux 6.1 (mm/slab_common.c,
 * kmalloc_info[] and kmalloc_type()).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/u64map.h"
#include "sim/xalloc.h"
#include "traces/ftrace.h"
#include "traces/resolve.h"

/* ZERO_OR_NULL_PTR(): kfree(NULL) and kfree(ZERO_SIZE_PTR) are no-ops. */
#define RESOLVE_ZERO_SIZE_PTR 16u

/* ---- kmalloc names ------------------------------------------------------- */

static const uint32_t kmalloc_sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };

/* kmalloc_slab(): size_index[] up to 192 bytes, fls(size - 1) above. */
static uint32_t kmalloc_class_of_request(uint32_t bytes)
{
	if (bytes <= 64) {
		uint32_t c = 8;

		while (c < bytes)
			c *= 2;
		return c;
	}
	if (bytes <= 96)
		return 96;
	if (bytes <= 128)
		return 128;
	if (bytes <= 192)
		return 192;
	uint32_t c = 256;

	while (c < bytes)
		c *= 2;
	return c;
}

static uint32_t kmalloc_class(uint32_t bytes_req, uint32_t bytes_alloc)
{
	for (size_t i = 0; i < sizeof(kmalloc_sizes) / sizeof(kmalloc_sizes[0]); i++)
		if (kmalloc_sizes[i] == bytes_alloc)
			return bytes_alloc;
	/* s->size is not a class size when slub_debug pads objects */
	return kmalloc_class_of_request(bytes_req ? bytes_req : bytes_alloc);
}

void trace_kmalloc_name(char *buf, size_t n, uint32_t bytes_req, uint32_t bytes_alloc,
			unsigned int gfp, int accounted, bool *large)
{
	const char *prefix = "kmalloc-";
	uint32_t c;

	*large = bytes_alloc > TRACE_KMALLOC_MAX_CACHE_SIZE || bytes_req > TRACE_KMALLOC_MAX_CACHE_SIZE;
	if (*large) {
		snprintf(buf, n, "kmalloc-large");
		return;
	}
	if (gfp & FTRACE_GFP_DMA)
		prefix = "dma-kmalloc-";
	else if (gfp & FTRACE_GFP_RECLAIMABLE)
		prefix = "kmalloc-rcl-";
	else if (accounted == 1)
		prefix = "kmalloc-cg-";
	c = kmalloc_class(bytes_req, bytes_alloc);
	if (c >= 1024)
		snprintf(buf, n, "%s%uk", prefix, c / 1024);
	else
		snprintf(buf, n, "%s%u", prefix, c);
}

uint32_t trace_kmalloc_cache(struct sim_workload *w, uint32_t bytes_req, uint32_t bytes_alloc,
			     unsigned int gfp, int accounted, uint8_t *evflags)
{
	char name[48];
	bool large;

	trace_kmalloc_name(name, sizeof(name), bytes_req, bytes_alloc, gfp, accounted, &large);
	if (large) {
		*evflags |= SIM_EVF_LARGE;
		return sim_workload_cache(w, name, 0, SIM_CACHEF_LARGE);
	}
	return sim_workload_cache(w, name, kmalloc_class(bytes_req, bytes_alloc), SIM_CACHEF_KMALLOC);
}

/* ---- pass 1: pairing ------------------------------------------------------ */

struct resolve_state {
	struct sim_workload *w;
	struct u64map live;		/* pointer -> index of its live ALLOC */
	uint32_t *free_of;		/* oid -> index of its FREE, UINT32_MAX: none */
};

static void resolve_alloc(struct resolve_state *st, size_t i)
{
	struct sim_workload *w = st->w;
	struct sim_event *e = &w->ev[i];
	uint64_t old;

	e->oid = w->nobjs++;
	e->flags &= (uint8_t)~SIM_EVF_REALLOC;
	if (u64map_get(&st->live, e->ptr, &old)) {
		e->flags |= SIM_EVF_REALLOC;
		w->anomaly[SIM_AN_realloc_live]++;
	}
	if (e->ptr != UINT64_MAX)	/* the map's reserved key; never a real object */
		u64map_put(&st->live, e->ptr, i);
	if (e->flags & SIM_EVF_LARGE)
		w->anomaly[SIM_AN_large_kmalloc]++;
}

static void resolve_free(struct resolve_state *st, size_t i)
{
	struct sim_workload *w = st->w;
	struct sim_event *e = &w->ev[i];
	uint64_t ai;

	e->oid = SIM_OID_NONE;
	e->flags &= (uint8_t)~(SIM_EVF_UNMATCHED | SIM_EVF_NULL);
	if (e->ptr <= RESOLVE_ZERO_SIZE_PTR) {
		e->flags |= SIM_EVF_NULL;
		w->anomaly[SIM_AN_null_free]++;
		return;
	}
	if (!u64map_get(&st->live, e->ptr, &ai)) {
		e->flags |= SIM_EVF_UNMATCHED;
		w->anomaly[SIM_AN_unmatched_free]++;
		return;
	}
	struct sim_event *a = &w->ev[ai];

	u64map_del(&st->live, e->ptr);
	e->oid = a->oid;
	st->free_of[a->oid] = (uint32_t)i;
	if (!a->cache)
		a->cache = e->cache;	/* a nameless kmem_cache_alloc named by its free */
	e->flags |= a->flags & SIM_EVF_LARGE;
}

/* Pairs in trace order and drops ALLOCs that returned NULL. */
static void resolve_pair(struct resolve_state *st)
{
	struct sim_workload *w = st->w;
	size_t j = 0;

	for (size_t i = 0; i < w->nev; i++) {
		struct sim_event *e = &w->ev[i];

		if (e->op == SIM_EV_ALLOC && e->ptr == 0) {
			w->anomaly[SIM_AN_null_alloc]++;
			continue;
		}
		if (j != i)
			w->ev[j] = *e;
		switch (w->ev[j].op) {
		case SIM_EV_ALLOC:
			resolve_alloc(st, j);
			break;
		case SIM_EV_FREE:
			resolve_free(st, j);
			break;
		case SIM_EV_PAGE_ALLOC:
			w->ev[j].oid = SIM_OID_NONE;
			w->anomaly[SIM_AN_page_alloc]++;
			break;
		default:
			w->ev[j].oid = SIM_OID_NONE;
			w->anomaly[SIM_AN_page_free]++;
			break;
		}
		j++;
	}
	w->nev = j;
}

/* ---- pass 2: names for allocations no free named ----------------------- */

struct resolve_vote {
	uint64_t key;		/* site << 32 | bytes_alloc */
	uint32_t cache;
};

static int resolve_vote_cmp(const void *pa, const void *pb)
{
	const struct resolve_vote *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->cache > b->cache) - (a->cache < b->cache);
}

static int resolve_vote_cmp_key(const void *pa, const void *pb)
{
	const struct resolve_vote *a = pa, *b = pb;

	return (a->key > b->key) - (a->key < b->key);
}

static inline uint64_t resolve_key(const struct sim_event *e)
{
	return (uint64_t)e->site << 32 | e->bytes_alloc;
}

/* Reduces sorted votes in place to one entry per key: its most frequent cache. */
static size_t resolve_votes_reduce(struct resolve_vote *v, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n;) {
		size_t best = i, best_n = 0, k = i;

		while (k < n && v[k].key == v[i].key) {
			size_t r = k;

			while (k < n && v[k].key == v[r].key && v[k].cache == v[r].cache)
				k++;
			if (k - r > best_n) {
				best_n = k - r;
				best = r;
			}
		}
		v[out++] = v[best];
		i = k;
	}
	return out;
}

/* Votes of every named kmem_cache_alloc; NULL when none is nameless. */
static struct resolve_vote *resolve_votes(const struct sim_workload *w, size_t *nv)
{
	struct resolve_vote *v;
	size_t n = 0, nameless = 0;

	for (size_t i = 0; i < w->nev; i++)
		if (w->ev[i].op == SIM_EV_ALLOC && !(w->ev[i].flags & SIM_EVF_KMALLOC))
			nameless += !w->ev[i].cache;
	if (!nameless)
		return NULL;
	v = xmalloc((w->nev + 1) * sizeof(*v));
	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];

		if (e->op == SIM_EV_ALLOC && !(e->flags & SIM_EVF_KMALLOC) && e->cache)
			v[n++] = (struct resolve_vote){ resolve_key(e), e->cache };
	}
	qsort(v, n, sizeof(*v), resolve_vote_cmp);
	*nv = resolve_votes_reduce(v, n);
	return v;
}

static uint32_t resolve_guess(struct sim_workload *w, const struct sim_event *e)
{
	const char *site = strtab_get(&w->sites, e->site);
	const char *plus = strchr(site, '+');
	int len = plus ? (int)(plus - site) : (int)strlen(site);
	char name[300];

	if (len == 0)
		snprintf(name, sizeof(name), "site:unknown");
	else
		snprintf(name, sizeof(name), "site:%.*s", len > 280 ? 280 : len, site);
	return sim_workload_cache(w, name, e->bytes_alloc, SIM_CACHEF_GUESSED);
}

static void resolve_name_nameless(struct sim_workload *w)
{
	size_t nv = 0;
	struct resolve_vote *v = resolve_votes(w, &nv);

	if (!v)
		return;
	for (size_t i = 0; i < w->nev; i++) {
		struct sim_event *e = &w->ev[i];

		if (e->op != SIM_EV_ALLOC || e->cache)
			continue;
		struct resolve_vote key = { resolve_key(e), 0 };
		struct resolve_vote *hit = bsearch(&key, v, nv, sizeof(*v), resolve_vote_cmp_key);

		e->cache = hit ? hit->cache : resolve_guess(w, e);
	}
	free(v);
}

/* ---- pass 3: frees follow their allocations; sizes; counts ----------------- */

static void resolve_finish(struct resolve_state *st)
{
	struct sim_workload *w = st->w;

	for (size_t i = 0; i < w->nev; i++) {
		struct sim_event *e = &w->ev[i];

		if (e->op != SIM_EV_ALLOC)
			continue;
		if (st->free_of[e->oid] != UINT32_MAX)
			w->ev[st->free_of[e->oid]].cache = e->cache;
		if (!(e->flags & SIM_EVF_LARGE) && !w->cache_size[e->cache])
			w->cache_size[e->cache] = e->bytes_alloc;
		if (w->cache_flags[e->cache] & SIM_CACHEF_GUESSED)
			w->anomaly[SIM_AN_unnamed_alloc]++;
	}
}

int trace_resolve(struct sim_workload *w)
{
	/* null_alloc is not here: the events it counts are gone after the first run */
	static const enum sim_anomaly owned[] = {
		SIM_AN_unmatched_free, SIM_AN_realloc_live, SIM_AN_null_free,
		SIM_AN_large_kmalloc, SIM_AN_page_alloc, SIM_AN_page_free, SIM_AN_unnamed_alloc,
	};
	struct resolve_state st = { .w = w };

	if (w->nev >= UINT32_MAX)
		return -E2BIG;
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		w->anomaly[owned[i]] = 0;
	w->nobjs = 0;
	u64map_init(&st.live);
	st.free_of = xmalloc((w->nev + 1) * sizeof(*st.free_of));
	memset(st.free_of, 0xff, (w->nev + 1) * sizeof(*st.free_of));
	resolve_pair(&st);
	resolve_name_nameless(w);
	resolve_finish(&st);
	u64map_fini(&st.live);
	free(st.free_of);
	w->digest = sim_workload_digest(w);
	return 0;
}
