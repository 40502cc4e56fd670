/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tstats.c - statistics of a trace (see tstats.h): one pass over the
 * events in trace order, keeping per live object what its free needs (cpu,
 * time, slab-event ordinal, bytes, call site), after a pass that finds the
 * time span the histograms and the series must cover; then the passes of
 * traces/preslab.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_histogram.h>

#include "sim/u64map.h"
#include "sim/xalloc.h"
#include "traces/tstats.h"

static const char *const tstats_type_names[TRACE_ST_NTYPES] = {
	"kmem_cache_alloc", "kmalloc", "kmem_cache_free", "kfree", "mm_page_alloc", "mm_page_free",
};

static const char *const tstats_kind_names[TRACE_SK_NKINDS] = { "kmem_cache", "kmalloc", "page" };

static const char *const tstats_sort_names[TRACE_SORT_NKEYS] = {
	"bytes", "hit", "pingpong", "frag", "callsite",
};

/* Quantiles kept in trace_stats_lifetime.p_*: p50, p90, p99. */
static const double tstats_quantiles[3] = { 0.50, 0.90, 0.99 };

const char *trace_stats_type_name(enum trace_stats_type t)
{
	return t < TRACE_ST_NTYPES ? tstats_type_names[t] : "?";
}

const char *trace_stats_kind_name(enum trace_stats_kind k)
{
	return k < TRACE_SK_NKINDS ? tstats_kind_names[k] : "?";
}

const char *trace_stats_sort_key_name(enum trace_stats_sort_key k)
{
	return k < TRACE_SORT_NKEYS ? tstats_sort_names[k] : "?";
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

double trace_stats_row_mean_req(const struct trace_stats_row *r)
{
	return r->allocs ? (double)r->bytes_req / (double)r->allocs : 0.0;
}

double trace_stats_row_mean_alloc(const struct trace_stats_row *r)
{
	return r->allocs ? (double)r->bytes_alloc / (double)r->allocs : 0.0;
}

double trace_stats_row_frag(const struct trace_stats_row *r)
{
	if (!r->bytes_alloc || r->bytes_req >= r->bytes_alloc)
		return 0.0;
	return 1.0 - (double)r->bytes_req / (double)r->bytes_alloc;
}

bool trace_stats_row_is_used(const struct trace_stats_row *r)
{
	return r->allocs || r->frees;
}

void trace_stats_opts_default(struct trace_stats_opts *o)
{
	o->nodes = 1;
	o->interval_ns = TRACE_STATS_INTERVAL_DEFAULT_NS;
}

uint64_t trace_stats_nsamples(uint64_t duration_ns, uint64_t interval_ns)
{
	return interval_ns ? duration_ns / interval_ns + 1 : 0;
}

unsigned trace_stats_node_of(const struct trace_stats *s, unsigned cpu)
{
	if (s->nnodes <= 1 || !s->ncpus)
		return 0;
	return (unsigned)((uint64_t)cpu * s->nnodes / s->ncpus);
}

/* ---- lifetime histograms ----------------------------------------------------- */

/*
 * Bin 0 is [0, 1); then TRACE_STATS_BINS_PER_DECADE log-spaced bins per
 * decade from 1 to the first power of ten above max.
 */
static gsl_histogram *tstats_hist_create(double max)
{
	unsigned dec = 1, per = TRACE_STATS_BINS_PER_DECADE;
	gsl_histogram *h;
	double *range;
	size_t n;

	while (dec < 30 && pow(10.0, dec) <= max)
		dec++;
	n = 1 + (size_t)dec * per;
	range = xmalloc((n + 1) * sizeof(*range));
	range[0] = 0.0;
	for (size_t k = 0; k < n; k++)
		range[k + 1] = pow(10.0, (double)k / per);
	h = gsl_histogram_alloc(n);
	if (!h)
		abort();	/* GSL's allocation failure: out of memory, as xmalloc */
	gsl_histogram_set_ranges(h, range, n + 1);
	free(range);
	return h;
}

static void tstats_hist_add(gsl_histogram *h, double x)
{
	double top = gsl_histogram_max(h);

	gsl_histogram_increment(h, x < top ? x : nextafter(top, 0.0));
}

double trace_stats_quantile(const gsl_histogram *h, double q)
{
	gsl_histogram_pdf *p;
	double x;

	if (!h || gsl_histogram_sum(h) <= 0.0 || !(q >= 0.0 && q < 1.0))
		return 0.0;
	p = gsl_histogram_pdf_alloc(gsl_histogram_bins(h));
	if (!p)
		abort();
	gsl_histogram_pdf_init(p, h);	/* counts are never negative */
	/* the cumulative sums may end a rounding error below 1 */
	x = gsl_histogram_pdf_sample(p, q < p->sum[p->n] ? q : nextafter(p->sum[p->n], 0.0));
	gsl_histogram_pdf_free(p);
	return x;
}

/* ---- the walk ------------------------------------------------------------------- */

static void tstats_pair(struct trace_stats_pairs *p, bool cross_cpu, bool cross_node)
{
	p->pairs++;
	p->cross_cpu += cross_cpu;
	p->cross_node += cross_node;
}

/* Per-oid facts the frees need. */
struct tstats_obj {
	uint64_t t_ns;		/* of the ALLOC */
	uint64_t ord;		/* slab-event ordinal of the ALLOC */
	uint32_t bytes;		/* bytes_alloc */
	uint32_t site;		/* of the ALLOC */
	uint16_t cpu;
	uint8_t kind;		/* enum trace_stats_kind */
};

/* The objects allocated and not yet freed, by oid: slots recycled as they are freed. */
struct tstats_live {
	struct u64map slot_of;		/* oid -> index in slot */
	struct tstats_obj *slot;
	size_t nslots, cap;
	uint32_t *free;			/* free slots, a stack */
	size_t nfree, free_cap;
};

struct tstats_walk {
	struct trace_stats *s;
	struct tstats_live live;
	struct u64map pages;		/* pfn -> allocating cpu */
	uint64_t ord;			/* slab events so far */
	uint64_t live_objs, live_bytes;
	size_t next;			/* next sample of the series */
	uint64_t iv_allocs, iv_frees;	/* slab events in the current interval */
	double sum_ns, sum_events;	/* for the lifetime means */
};

static void tstats_live_put(struct tstats_live *l, uint32_t oid, const struct tstats_obj *o)
{
	uint64_t i;

	if (u64map_get(&l->slot_of, oid, &i)) {
		l->slot[i] = *o;	/* an oid allocated twice: the later allocation counts */
		return;
	}
	if (l->nfree) {
		i = l->free[--l->nfree];
	} else {
		xgrow((void **)&l->slot, &l->cap, l->nslots + 1, sizeof(*l->slot));
		i = l->nslots++;
	}
	l->slot[i] = *o;
	u64map_add(&l->slot_of, oid, i);
}

/* Takes oid's object out of the table into *o; false if it is not there. */
static bool tstats_live_take(struct tstats_live *l, uint32_t oid, struct tstats_obj *o)
{
	uint64_t i;

	if (!u64map_get(&l->slot_of, oid, &i))
		return false;
	*o = l->slot[i];
	u64map_del(&l->slot_of, oid);
	xgrow((void **)&l->free, &l->free_cap, l->nfree + 1, sizeof(*l->free));
	l->free[l->nfree++] = (uint32_t)i;
	return true;
}

static void tstats_live_fini(struct tstats_live *l)
{
	u64map_fini(&l->slot_of);
	free(l->slot);
	free(l->free);
}

static struct trace_stats_row *tstats_site(struct trace_stats *s, uint32_t site)
{
	return &s->site[site < s->nsites ? site : 0];
}

static void tstats_row_alloc(struct trace_stats_row *r, const struct sim_event *e, bool cross_node)
{
	r->allocs++;
	r->bytes_req += e->bytes_req;
	r->bytes_alloc += e->bytes_alloc;
	r->live_end++;
	r->cross_node_allocs += cross_node;
}

static void tstats_alloc(struct tstats_walk *k, const struct sim_event *e)
{
	struct trace_stats *s = k->s;
	struct trace_stats_cpu *c = &s->cpu[e->cpu];
	bool cross_node = e->node >= 0 && (unsigned)e->node != trace_stats_node_of(s, e->cpu);

	tstats_row_alloc(&s->cache[e->cache], e, cross_node);
	tstats_row_alloc(tstats_site(s, e->site), e, cross_node);
	s->allocs++;
	s->live_end++;
	s->live_bytes_end += e->bytes_alloc;
	c->allocs++;
	c->bytes_alloc += e->bytes_alloc;
	c->allocs_ctx[sim_event_ctx(e)]++;
	c->node_requests += e->node >= 0;
	c->cross_node_allocs += cross_node;
	s->node_requests += e->node >= 0;
	s->cross_node_allocs += cross_node;
	k->live_objs++;
	k->live_bytes += e->bytes_alloc;
	if (k->live_objs > s->peak_live_objs)
		s->peak_live_objs = k->live_objs;
	if (k->live_bytes > s->peak_live_bytes) {
		s->peak_live_bytes = k->live_bytes;
		s->peak_live_bytes_t_ns = e->t_ns - s->t_first_ns;
	}
	if (e->oid == SIM_OID_NONE)
		return;
	tstats_live_put(&k->live, e->oid, &(struct tstats_obj){
		.t_ns = e->t_ns, .ord = k->ord, .bytes = e->bytes_alloc, .site = e->site, .cpu = e->cpu,
		.kind = (e->flags & SIM_EVF_KMALLOC) ? TRACE_SK_KMALLOC : TRACE_SK_KMEM_CACHE,
	});
}

static void tstats_lifetime(struct tstats_walk *k, const struct tstats_obj *o, const struct sim_event *e)
{
	struct trace_stats_lifetime *l = &k->s->life;
	uint64_t dt = e->t_ns > o->t_ns ? e->t_ns - o->t_ns : 0;
	uint64_t dev = k->ord - o->ord;

	l->n++;
	k->sum_ns += (double)dt;
	k->sum_events += (double)dev;
	l->max_ns = dt > l->max_ns ? dt : l->max_ns;
	l->max_events = dev > l->max_events ? dev : l->max_events;
	tstats_hist_add(l->ns, (double)dt);
	tstats_hist_add(l->events, (double)dev);
}

static void tstats_free(struct tstats_walk *k, const struct sim_event *e)
{
	struct trace_stats *s = k->s;
	struct trace_stats_row *c = &s->cache[e->cache];
	struct tstats_obj obj;

	c->frees++;
	tstats_site(s, e->site)->frees++;
	s->cpu[e->cpu].frees++;
	if (e->oid == SIM_OID_NONE || !tstats_live_take(&k->live, e->oid, &obj))
		return;
	const struct tstats_obj *o = &obj;
	struct trace_stats_row *site = tstats_site(s, o->site);
	bool cross = o->cpu != e->cpu;
	bool xnode = trace_stats_node_of(s, o->cpu) != trace_stats_node_of(s, e->cpu);

	tstats_pair(&c->freed, cross, xnode);
	tstats_pair(&site->freed, cross, xnode);
	tstats_pair(&s->slab, cross, xnode);
	tstats_pair(&s->kind[o->kind], cross, xnode);
	s->matrix[(size_t)o->cpu * s->ncpus + e->cpu]++;
	c->live_end--;
	site->live_end--;
	s->live_end--;
	s->live_bytes_end -= o->bytes;
	k->live_objs--;
	k->live_bytes -= o->bytes;
	tstats_lifetime(k, o, e);
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
		tstats_pair(&s->kind[TRACE_SK_PAGE], cpu != e->cpu,
			    trace_stats_node_of(s, (unsigned)cpu) != trace_stats_node_of(s, e->cpu));
	} else {
		s->page_free_unseen++;
	}
}

/* Closes every interval that ends at or before t_rel (relative to the first event). */
static void tstats_series_until(struct tstats_walk *k, uint64_t t_rel)
{
	struct trace_stats *s = k->s;

	while (k->next < s->nsamples && t_rel >= (k->next + 1) * s->interval_ns) {
		size_t i = k->next++;

		s->series[i] = (struct trace_stats_sample){
			.t_ns = (i + 1) * s->interval_ns, .live_objs = k->live_objs,
			.live_bytes = k->live_bytes, .allocs = k->iv_allocs, .frees = k->iv_frees,
		};
		k->iv_allocs = k->iv_frees = 0;
	}
}

static void tstats_event(void *ctx, const struct sim_event *e)
{
	struct tstats_walk *k = ctx;
	struct trace_stats *s = k->s;

	tstats_series_until(k, e->t_ns - s->t_first_ns);
	s->by_type[trace_stats_type_of(e)]++;
	s->cpu[e->cpu].events++;
	switch (e->op) {
	case SIM_EV_ALLOC:
		k->ord++;
		k->iv_allocs++;
		tstats_alloc(k, e);
		break;
	case SIM_EV_FREE:
		k->ord++;
		k->iv_frees++;
		tstats_free(k, e);
		break;
	default:
		tstats_page(k, e);
		break;
	}
}

/* ---- set-up and results ------------------------------------------------------- */

static void tstats_rows_init(struct trace_stats *s, const struct sim_workload *w)
{
	s->ncaches = strtab_count(&w->caches);
	s->cache = xcalloc(s->ncaches ? s->ncaches : 1, sizeof(*s->cache));
	for (size_t i = 0; i < s->ncaches && i < w->cache_cap; i++) {
		s->cache[i].object_size = w->cache_size[i];
		s->cache[i].flags = w->cache_flags[i];
	}
	s->nsites = strtab_count(&w->sites);
	if (!s->nsites)
		s->nsites = 1;	/* site 0, "none", always exists */
	s->site = xcalloc(s->nsites, sizeof(*s->site));
}

/* Time span and event counts, for the histogram ranges and the series. */
struct tstats_span {
	uint64_t lo, hi;	/* earliest and latest t_ns */
	uint64_t nev, nslab;	/* events; slab ALLOC and FREE events */
};

static void tstats_span_visit(void *ctx, const struct sim_event *e)
{
	struct tstats_span *sp = ctx;

	sp->lo = e->t_ns < sp->lo ? e->t_ns : sp->lo;
	sp->hi = e->t_ns > sp->hi ? e->t_ns : sp->hi;
	sp->nev++;
	sp->nslab += e->op == SIM_EV_ALLOC || e->op == SIM_EV_FREE;
}

static int tstats_span(struct sim_passes *p, struct tstats_span *sp, char *err, size_t errlen)
{
	int ret;

	*sp = (struct tstats_span){ .lo = UINT64_MAX };
	ret = sim_passes_walk(p, tstats_span_visit, sp, err, errlen);
	if (!sp->nev)
		sp->lo = sp->hi = 0;
	return ret;
}

static int tstats_init(struct sim_passes *p, const struct trace_stats_opts *o, struct trace_stats *s,
		       uint64_t *nslab, char *err, size_t errlen)
{
	const struct sim_workload *w = p->w;
	struct tstats_span sp;
	int ret;

	memset(s, 0, sizeof(*s));
	if (!o->nodes || !o->interval_ns || o->interval_ns > TRACE_STATS_INTERVAL_MAX_NS)
		return -EINVAL;
	if ((ret = tstats_span(p, &sp, err, errlen)))
		return ret;
	*nslab = sp.nslab;
	s->t_first_ns = sp.lo;
	s->duration_ns = sp.hi - sp.lo;
	s->interval_ns = o->interval_ns;
	if (trace_stats_nsamples(s->duration_ns, s->interval_ns) > TRACE_STATS_MAX_SAMPLES)
		return -E2BIG;
	s->nsamples = sp.nev ? (size_t)trace_stats_nsamples(s->duration_ns, s->interval_ns) : 0;
	s->series = xcalloc(s->nsamples ? s->nsamples : 1, sizeof(*s->series));
	s->events = sp.nev;
	memcpy(s->anomaly, w->anomaly, sizeof(s->anomaly));
	s->ncpus = w->ncpus;
	s->nnodes = o->nodes;
	s->cpu = xcalloc(s->ncpus ? s->ncpus : 1, sizeof(*s->cpu));
	s->matrix = xcalloc(s->ncpus ? (size_t)s->ncpus * s->ncpus : 1, sizeof(*s->matrix));
	tstats_rows_init(s, w);
	if (sp.nev) {
		s->life.ns = tstats_hist_create((double)s->duration_ns);
		s->life.events = tstats_hist_create((double)sp.nslab);
	}
	return 0;
}

static void tstats_finish(struct tstats_walk *k)
{
	struct trace_stats *s = k->s;
	struct trace_stats_lifetime *l = &s->life;

	tstats_series_until(k, UINT64_MAX);
	s->pages_live_end = u64map_count(&k->pages);
	l->censored = s->live_end;
	if (!l->n)
		return;
	l->mean_ns = k->sum_ns / (double)l->n;
	l->mean_events = k->sum_events / (double)l->n;
	for (int i = 0; i < 3; i++) {
		l->p_ns[i] = trace_stats_quantile(l->ns, tstats_quantiles[i]);
		l->p_events[i] = trace_stats_quantile(l->events, tstats_quantiles[i]);
	}
}

int trace_stats_compute_passes(struct sim_passes *p, const struct trace_stats_opts *opts,
			       struct trace_stats *s, char *err, size_t errlen)
{
	struct trace_stats_opts def;
	struct tstats_walk k = { .s = s };
	uint64_t nslab;
	int ret;

	if (errlen)
		err[0] = '\0';
	if (!opts) {
		trace_stats_opts_default(&def);
		opts = &def;
	}
	ret = tstats_init(p, opts, s, &nslab, err, errlen);
	if (ret)
		return ret;
	u64map_init(&k.live.slot_of);
	u64map_init(&k.pages);
	ret = sim_passes_walk(p, tstats_event, &k, err, errlen);
	if (!ret) {
		tstats_finish(&k);
		ret = trace_preslab_compute_passes(p, &s->pre, err, errlen);
	}
	u64map_fini(&k.pages);
	tstats_live_fini(&k.live);
	return ret;
}

int trace_stats_compute_ex(const struct sim_workload *w, const struct trace_stats_opts *opts,
			   struct trace_stats *s)
{
	struct sim_passes_mem pm;
	char err[256];

	sim_passes_mem_init(&pm, w);
	return trace_stats_compute_passes(&pm.p, opts, s, err, sizeof(err));	/* memory cannot fail to read */
}

void trace_stats_compute(const struct sim_workload *w, struct trace_stats *s)
{
	struct trace_stats_opts o;
	struct sim_passes_mem pm;
	struct tstats_span sp;
	char err[256];

	trace_stats_opts_default(&o);
	sim_passes_mem_init(&pm, w);
	tstats_span(&pm.p, &sp, err, sizeof(err));
	if (trace_stats_nsamples(sp.hi - sp.lo, o.interval_ns) > TRACE_STATS_MAX_SAMPLES)
		o.interval_ns = (sp.hi - sp.lo) / (TRACE_STATS_MAX_SAMPLES - 1) + 1;
	trace_stats_compute_ex(w, &o, s);	/* cannot fail with these options */
}

void trace_stats_fini(struct trace_stats *s)
{
	free(s->cpu);
	free(s->cache);
	free(s->site);
	free(s->matrix);
	free(s->series);
	if (s->life.ns)
		gsl_histogram_free(s->life.ns);
	if (s->life.events)
		gsl_histogram_free(s->life.events);
	memset(s, 0, sizeof(*s));
}

/* ---- sorting -------------------------------------------------------------------- */

struct tstats_rank {
	const struct trace_stats_row *r;
	const struct trace_stats_sort *keys;
	const char *name;
	uint32_t id;
};

static int tstats_cmp_u64_desc(uint64_t a, uint64_t b)
{
	return (a < b) - (a > b);
}

static int tstats_cmp_key(const struct tstats_rank *a, const struct tstats_rank *b,
			  enum trace_stats_sort_key key)
{
	double fa, fb;

	switch (key) {
	case TRACE_SORT_BYTES:
		return tstats_cmp_u64_desc(a->r->bytes_alloc, b->r->bytes_alloc);
	case TRACE_SORT_HIT:
		return tstats_cmp_u64_desc(a->r->allocs, b->r->allocs);
	case TRACE_SORT_PINGPONG:
		return tstats_cmp_u64_desc(a->r->freed.cross_cpu, b->r->freed.cross_cpu);
	case TRACE_SORT_FRAG:
		fa = trace_stats_row_frag(a->r);
		fb = trace_stats_row_frag(b->r);
		return (fa < fb) - (fa > fb);
	default:
		/* the unnamed row (unknown cache, no call site) after the named ones */
		if (!a->name[0] != !b->name[0])
			return a->name[0] ? -1 : 1;
		return strcmp(a->name, b->name);
	}
}

static int tstats_rank_cmp(const void *pa, const void *pb)
{
	const struct tstats_rank *a = pa, *b = pb;
	int c = (int)trace_stats_row_is_used(b->r) - (int)trace_stats_row_is_used(a->r);

	for (unsigned i = 0; !c && i < a->keys->n; i++)
		c = tstats_cmp_key(a, b, a->keys->key[i]);
	if (!c)
		c = tstats_cmp_u64_desc(a->r->frees, b->r->frees);
	return c ? c : (a->id > b->id) - (a->id < b->id);
}

size_t trace_stats_rows_sort(const struct trace_stats_row *rows, size_t n, const struct strtab *names,
			     const struct trace_stats_sort *keys, uint32_t *order)
{
	struct tstats_rank *r = xmalloc((n + 1) * sizeof(*r));
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		r[i] = (struct tstats_rank){ &rows[i], keys, names ? strtab_get(names, (uint32_t)i) : "",
					     (uint32_t)i };
		used += trace_stats_row_is_used(&rows[i]);
	}
	qsort(r, n, sizeof(*r), tstats_rank_cmp);
	for (size_t i = 0; i < n; i++)
		order[i] = r[i].id;
	free(r);
	return used;
}

size_t trace_stats_caches_by_allocs(const struct trace_stats *s, uint32_t *order)
{
	static const struct trace_stats_sort by_hit = { .key = { TRACE_SORT_HIT }, .n = 1 };

	return trace_stats_rows_sort(s->cache, s->ncaches, NULL, &by_hit, order);
}

static int tstats_sort_word(const char *w, size_t len, enum trace_stats_sort_key *k)
{
	for (int i = 0; i < TRACE_SORT_NKEYS; i++)
		if (strlen(tstats_sort_names[i]) == len && !memcmp(w, tstats_sort_names[i], len)) {
			*k = (enum trace_stats_sort_key)i;
			return 0;
		}
	return -EINVAL;
}

int trace_stats_sort_parse(const char *list, struct trace_stats_sort *out, char *bad, size_t badlen)
{
	const char *p = list;

	memset(out, 0, sizeof(*out));
	for (;;) {
		size_t len = strcspn(p, ",");

		if (out->n == TRACE_SORT_MAX_KEYS) {
			snprintf(bad, badlen, "too many keys");
			return -EINVAL;
		}
		if (tstats_sort_word(p, len, &out->key[out->n])) {
			snprintf(bad, badlen, "%.*s", (int)len, p);
			return -EINVAL;
		}
		out->n++;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}
