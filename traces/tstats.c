/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tstats.c - statistics of a loaded workload (see tstats.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/u64map.h"
#include "sim/xalloc.h"
#include "traces/tstats.h"

static const char *const tstats_type_names[TRACE_ST_NTYPES] = {
	"kmem_cache_alloc", "kmalloc", "kmem_cache_free", "kfree", "mm_page_alloc", "mm_page_free",
};

static const char *const tstats_kind_names[TRACE_SK_NKINDS] = { "kmem_cache", "kmalloc", "page" };

const char *trace_stats_type_name(enum trace_stats_type t)
{
	return t < TRACE_ST_NTYPES ? tstats_type_names[t] : "?";
}

const char *trace_stats_kind_name(enum trace_stats_kind k)
{
	return k < TRACE_SK_NKINDS ? tstats_kind_names[k] : "?";
}

enum trace_stats_type trace_stats_type_of(const struct sim_event *e)
{
	bool km = e->flags & SIM_EVF_KMALLOC;

	switch (e->op) {
	case SIM_EV_ALLOC:
		return km ? TRACE_ST_KMALLOC : TRACE_ST_KMEM_CACHE_ALLOC;
	case SIM_EV_FREE:
		return km ? TRACE_ST_KFREE : TRACE_ST_KMEM_CACHE_FREE;
	case SIM_EV_PAGE_ALLOC:
		return TRACE_ST_PAGE_ALLOC;
	default:
		return TRACE_ST_PAGE_FREE;
	}
}

double trace_stats_fraction(const struct trace_stats_pairs *p)
{
	return p->pairs ? (double)p->cross_cpu / (double)p->pairs : 0.0;
}

static void tstats_pair(struct trace_stats_pairs *p, bool cross)
{
	p->pairs++;
	p->cross_cpu += cross;
}

/* Per-oid facts the frees need. */
struct tstats_obj {
	uint16_t cpu;
	uint8_t kind;		/* enum trace_stats_kind */
};

struct tstats_walk {
	struct trace_stats *s;
	struct tstats_obj *obj;		/* [nobjs] */
	struct u64map pages;		/* pfn -> allocating cpu */
};

static void tstats_alloc(struct tstats_walk *k, const struct sim_event *e)
{
	struct trace_stats_cache *c = &k->s->cache[e->cache];

	c->allocs++;
	c->bytes_req += e->bytes_req;
	c->bytes_alloc += e->bytes_alloc;
	c->live_end++;
	k->s->live_end++;
	k->s->cpu[e->cpu].allocs++;
	if (e->oid == SIM_OID_NONE)
		return;
	k->obj[e->oid].cpu = e->cpu;
	k->obj[e->oid].kind = (e->flags & SIM_EVF_KMALLOC) ? TRACE_SK_KMALLOC : TRACE_SK_KMEM_CACHE;
}

static void tstats_free(struct tstats_walk *k, const struct sim_event *e)
{
	struct trace_stats *s = k->s;
	struct trace_stats_cache *c = &s->cache[e->cache];

	c->frees++;
	s->cpu[e->cpu].frees++;
	if (e->oid == SIM_OID_NONE)
		return;
	const struct tstats_obj *o = &k->obj[e->oid];
	bool cross = o->cpu != e->cpu;

	tstats_pair(&c->freed, cross);
	tstats_pair(&s->slab, cross);
	tstats_pair(&s->kind[o->kind], cross);
	c->live_end--;
	s->live_end--;
}

static void tstats_page(struct tstats_walk *k, const struct sim_event *e)
{
	struct trace_stats *s = k->s;
	uint64_t cpu;

	if (e->op == SIM_EV_PAGE_ALLOC) {
		s->cpu[e->cpu].page_allocs++;
		if (!u64map_add(&k->pages, e->ptr, e->cpu)) {
			s->page_alloc_live++;
			u64map_put(&k->pages, e->ptr, e->cpu);
		}
		return;
	}
	s->cpu[e->cpu].page_frees++;
	if (u64map_get(&k->pages, e->ptr, &cpu)) {
		u64map_del(&k->pages, e->ptr);
		tstats_pair(&s->kind[TRACE_SK_PAGE], cpu != e->cpu);
	} else {
		s->page_free_unseen++;
	}
}

static void tstats_init(const struct sim_workload *w, struct trace_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->events = w->nev;
	memcpy(s->anomaly, w->anomaly, sizeof(s->anomaly));
	s->ncpus = w->ncpus;
	s->cpu = xcalloc(s->ncpus ? s->ncpus : 1, sizeof(*s->cpu));
	s->ncaches = strtab_count(&w->caches);
	s->cache = xcalloc(s->ncaches, sizeof(*s->cache));
	for (size_t i = 0; i < s->ncaches && i < w->cache_cap; i++) {
		s->cache[i].object_size = w->cache_size[i];
		s->cache[i].flags = w->cache_flags[i];
	}
}

void trace_stats_compute(const struct sim_workload *w, struct trace_stats *s)
{
	struct tstats_walk k = { .s = s };
	uint64_t t_min = UINT64_MAX, t_max = 0;

	tstats_init(w, s);
	k.obj = xcalloc((size_t)w->nobjs + 1, sizeof(*k.obj));
	u64map_init(&k.pages);
	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];

		s->by_type[trace_stats_type_of(e)]++;
		s->cpu[e->cpu].events++;
		t_min = e->t_ns < t_min ? e->t_ns : t_min;
		t_max = e->t_ns > t_max ? e->t_ns : t_max;
		if (e->op == SIM_EV_ALLOC)
			tstats_alloc(&k, e);
		else if (e->op == SIM_EV_FREE)
			tstats_free(&k, e);
		else
			tstats_page(&k, e);
	}
	s->duration_ns = w->nev ? t_max - t_min : 0;
	s->pages_live_end = u64map_count(&k.pages);
	u64map_fini(&k.pages);
	free(k.obj);
}

void trace_stats_fini(struct trace_stats *s)
{
	free(s->cpu);
	free(s->cache);
	memset(s, 0, sizeof(*s));
}

struct tstats_rank {
	uint64_t allocs, frees;
	uint32_t id;
};

static int tstats_rank_cmp(const void *pa, const void *pb)
{
	const struct tstats_rank *a = pa, *b = pb;

	if (a->allocs != b->allocs)
		return a->allocs < b->allocs ? 1 : -1;
	if (a->frees != b->frees)
		return a->frees < b->frees ? 1 : -1;
	return (a->id > b->id) - (a->id < b->id);
}

size_t trace_stats_caches_by_allocs(const struct trace_stats *s, uint32_t *order)
{
	struct tstats_rank *r = xmalloc((s->ncaches + 1) * sizeof(*r));
	size_t used = 0;

	for (size_t i = 0; i < s->ncaches; i++) {
		r[i] = (struct tstats_rank){ s->cache[i].allocs, s->cache[i].frees, (uint32_t)i };
		used += s->cache[i].allocs || s->cache[i].frees;
	}
	qsort(r, s->ncaches, sizeof(*r), tstats_rank_cmp);
	for (size_t i = 0; i < s->ncaches; i++)
		order[i] = r[i].id;
	free(r);
	return used;
}
