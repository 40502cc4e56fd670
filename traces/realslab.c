/* SPDX-License-Identifier: GPL-2.0-or-later */
/* realslab.c - slab usage of the real allocator and of a replay (see realslab.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xalloc.h"
#include "traces/realslab.h"

#define NO_SLAB UINT64_MAX
#define NO_GROUP UINT32_MAX

/* --- the accumulator, shared with the replay ----------------------------- */

void slabuse_init(struct slabuse *u, unsigned ngroups, unsigned ncpus)
{
	memset(u, 0, sizeof(*u));
	u->ngroups = ngroups;
	u->ncpus = ncpus ? ncpus : 1;
	u64map_init(&u->slab);
	u->last = xmalloc(((size_t)ngroups * u->ncpus + 1) * sizeof(*u->last));
	for (size_t i = 0; i < (size_t)ngroups * u->ncpus; i++)
		u->last[i] = NO_SLAB;
	u->fig = xcalloc(ngroups + 1, sizeof(*u->fig));
	u->live = xcalloc(ngroups + 1, sizeof(*u->live));
	u->cpu_switches = xcalloc(u->ncpus, sizeof(*u->cpu_switches));
}

void slabuse_fini(struct slabuse *u)
{
	u64map_fini(&u->slab);
	free(u->rec);
	free(u->last);
	free(u->fig);
	free(u->live);
	free(u->cpu_switches);
	memset(u, 0, sizeof(*u));
}

static void slabuse_live(struct slabuse *u, unsigned group, int64_t delta)
{
	struct slabuse_fig *f = &u->fig[group];

	u->live[group] += delta;
	if (u->live[group] > 0 && (uint64_t)u->live[group] > f->slabs_peak)
		f->slabs_peak = (uint64_t)u->live[group];
	u->live_total += delta;
	if (u->live_total > u->peak_total)
		u->peak_total = u->live_total;
}

void slabuse_start(struct slabuse *u, unsigned group, uint64_t start)
{
	u->fig[group].slabs_start += start;
	slabuse_live(u, group, (int64_t)start);
}

void slabuse_alloc(struct slabuse *u, unsigned group, unsigned cpu, uint64_t slab)
{
	struct slabuse_fig *f = &u->fig[group];
	uint64_t *last = &u->last[(size_t)group * u->ncpus + cpu % u->ncpus];
	uint64_t idx;

	f->allocs++;
	if (!u64map_get(&u->slab, slab, &idx)) {
		idx = u->nrec;
		xgrow((void **)&u->rec, &u->reccap, u->nrec + 1, sizeof(*u->rec));
		u->rec[u->nrec++] = (struct slabuse_rec){ .group = group };
		u64map_put(&u->slab, slab, idx);
		f->slabs_used++;
	}
	if (u->rec[idx].cpus && !(u->rec[idx].cpus & (1ull << (cpu % 64))) &&
	    !(u->rec[idx].cpus & (u->rec[idx].cpus - 1)))
		u->fig[u->rec[idx].group].slabs_shared++;	/* its second cpu */
	u->rec[idx].cpus |= 1ull << (cpu % 64);
	if (*last != NO_SLAB && *last != slab) {
		f->switches++;
		u->cpu_switches[cpu % u->ncpus]++;
	}
	*last = slab;
}

void slabuse_slab_new(struct slabuse *u, unsigned group)
{
	u->fig[group].slabs_new++;
	slabuse_live(u, group, 1);
}

void slabuse_forget(struct slabuse *u, uint64_t slab)
{
	uint64_t idx, *last;

	if (!u64map_get(&u->slab, slab, &idx))
		return;
	u64map_del(&u->slab, slab);
	last = &u->last[(size_t)u->rec[idx].group * u->ncpus];
	for (unsigned cpu = 0; cpu < u->ncpus; cpu++)
		if (last[cpu] == slab)
			last[cpu] = NO_SLAB - 1;	/* a slab no longer there */
}

void slabuse_slab_freed(struct slabuse *u, unsigned group, uint64_t slab)
{
	u->fig[group].slabs_freed++;
	slabuse_live(u, group, -1);
	slabuse_forget(u, slab);
}

void slabuse_total(const struct slabuse *u, struct slabuse_fig *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned g = 0; g < u->ngroups; g++) {
		const struct slabuse_fig *f = &u->fig[g];

		t->allocs += f->allocs;
		t->slabs_used += f->slabs_used;
		t->slabs_new += f->slabs_new;
		t->slabs_freed += f->slabs_freed;
		t->slabs_start += f->slabs_start;
		t->slabs_shared += f->slabs_shared;
		t->switches += f->switches;
	}
	t->slabs_peak = u->peak_total > 0 ? (uint64_t)u->peak_total : 0;
}

/* --- the capture ---------------------------------------------------------- */

/*
 * One walk over the trace's objects and page events, twice: the first
 * finds which caches share slabs (union), the second, with the groups
 * known, feeds the accumulator.
 */
struct walk {
	const struct sim_workload *w;
	uint64_t base;
	const uint32_t *pps;		/* [cache]: pages per slab, from the snapshot (1 unknown) */
	struct u64map page;		/* page frame of a traced block -> the block's first frame */
	struct u64map block;		/* first frame -> order | (claiming cache + 1) << 8 */
	struct u64map old;		/* first frame of a slab from before the trace -> cache + 1 */
	uint32_t *parent;		/* union-find over cache ids */
	bool *seen;			/* [cache]: has objects under the base */
	const uint32_t *group_of;	/* second walk: cache -> group */
	struct slabuse *u;		/* second walk */
	uint64_t *untraced;		/* second walk: [group] */
	uint64_t *free_at_start;	/* second walk: [cache * ncpus + cpu] */
	unsigned ncpus;
	struct u64map ptrs;		/* second walk: pointers seen so far */
	uint64_t unmapped, page_frees_other;
};

static uint32_t uf_find(uint32_t *parent, uint32_t c)
{
	while (parent[c] != c) {
		parent[c] = parent[parent[c]];
		c = parent[c];
	}
	return c;
}

static void uf_union(uint32_t *parent, uint32_t a, uint32_t b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a != b)
		parent[a < b ? b : a] = a < b ? a : b;
}

static bool walk_pointer_is_real(uint64_t ptr)
{
	return (ptr >> 47) == 0x1ffff;
}

static void walk_page_alloc(struct walk *k, const struct sim_event *e)
{
	for (uint64_t i = 0; i < (1ull << e->order); i++)
		u64map_put(&k->page, e->ptr + i, e->ptr);
	u64map_put(&k->block, e->ptr, e->order);
}

static void walk_slab_freed(struct walk *k, uint32_t cache, uint64_t slab)
{
	if (k->u)
		slabuse_slab_freed(k->u, k->group_of[cache], slab);
}

static void walk_page_free(struct walk *k, const struct sim_event *e)
{
	uint64_t v;

	if (u64map_get(&k->block, e->ptr, &v)) {
		for (uint64_t i = 0; i < (1ull << (v & 0xff)); i++)
			u64map_del(&k->page, e->ptr + i);
		u64map_del(&k->block, e->ptr);
		if (v >> 8)
			walk_slab_freed(k, (uint32_t)(v >> 8) - 1, e->ptr);
	} else if (u64map_get(&k->old, e->ptr, &v)) {
		u64map_del(&k->old, e->ptr);
		walk_slab_freed(k, (uint32_t)v - 1, e->ptr);
	} else {
		k->page_frees_other++;
	}
}

/*
 * The slab of an object of cache at frame pfn; claims a traced block for
 * it.  *traced: the slab was allocated during the trace.
 */
static uint64_t walk_slab_of(struct walk *k, uint32_t cache, uint64_t pfn, bool *traced)
{
	uint64_t start = 0, v = 0, key;
	bool in_block = u64map_get(&k->page, pfn, &start);

	if (in_block && !u64map_get(&k->block, start, &v)) {
		/* a page left over from a block given back in parts: in no traced block any more */
		u64map_del(&k->page, pfn);
		in_block = false;
	}
	*traced = in_block;
	if (in_block) {
		if (!(v >> 8)) {
			u64map_put(&k->block, start, v | (uint64_t)(cache + 1) << 8);
			if (k->u)
				slabuse_slab_new(k->u, k->group_of[cache]);
		} else if ((v >> 8) - 1 != cache) {
			uf_union(k->parent, (uint32_t)(v >> 8) - 1, cache);
		}
		return start;
	}
	key = pfn & ~(uint64_t)(k->pps[cache] - 1);
	if (!u64map_get(&k->old, key, &v))
		u64map_put(&k->old, key, cache + 1);
	else if (v - 1 != cache)
		uf_union(k->parent, (uint32_t)v - 1, cache);
	return key;
}

static void walk_object(struct walk *k, const struct sim_event *e)
{
	uint64_t slab;
	bool traced;

	if ((e->flags & (SIM_EVF_NULL | SIM_EVF_LARGE)) || !e->cache ||
	    (k->w->cache_flags[e->cache] & SIM_CACHEF_LARGE))
		return;
	if (!walk_pointer_is_real(e->ptr) || e->ptr < k->base) {
		k->unmapped++;
		return;
	}
	k->seen[e->cache] = true;
	slab = walk_slab_of(k, e->cache, (e->ptr - k->base) >> 12, &traced);
	if (!k->u)
		return;
	if (e->op == SIM_EV_ALLOC) {
		slabuse_alloc(k->u, k->group_of[e->cache], e->cpu, slab);
		if (!traced && u64map_add(&k->ptrs, e->ptr, 1))
			k->free_at_start[(size_t)e->cache * k->ncpus + e->cpu % k->ncpus]++;
	} else if (traced && (e->flags & SIM_EVF_UNMATCHED)) {
		k->untraced[k->group_of[e->cache]]++;
	}
	u64map_put(&k->ptrs, e->ptr, 1);
}

static void walk_event(void *ctx, const struct sim_event *e)
{
	struct walk *k = ctx;

	if (e->op == SIM_EV_PAGE_ALLOC)
		walk_page_alloc(k, e);
	else if (e->op == SIM_EV_PAGE_FREE)
		walk_page_free(k, e);
	else
		walk_object(k, e);
}

static int walk_run(struct sim_passes *p, struct walk *k, char *err, size_t errlen)
{
	int rc;

	u64map_init(&k->page);
	u64map_init(&k->block);
	u64map_init(&k->old);
	k->unmapped = k->page_frees_other = 0;
	rc = sim_passes_walk(p, walk_event, k, err, errlen);
	u64map_fini(&k->page);
	u64map_fini(&k->block);
	u64map_fini(&k->old);
	return rc;
}

/* Groups from the union-find: one per root with objects seen; names joined with '+'. */
static void realslab_groups(struct realslab *r, struct walk *k, size_t ncaches, const struct slabinfo_snap *before,
			    const struct slabinfo_snap *after)
{
	uint32_t *root_group = xmalloc(ncaches * sizeof(*root_group));
	size_t cap = 0;

	for (size_t c = 0; c < ncaches; c++)
		root_group[c] = r->group_of[c] = NO_GROUP;
	for (uint32_t c = 1; c < ncaches; c++) {
		uint32_t root = uf_find(k->parent, c);
		struct realslab_group *g;
		const char *name = strtab_get(&k->w->caches, c);
		const struct slabinfo_cache *sb = before ? slabinfo_find(before, name) : NULL;
		const struct slabinfo_cache *sa = after ? slabinfo_find(after, name) : NULL;
		size_t len;

		if (!k->seen[c])
			continue;
		if (root_group[root] == NO_GROUP) {
			xgrow((void **)&r->g, &cap, r->ngroups + 1, sizeof(*r->g));
			memset(&r->g[r->ngroups], 0, sizeof(*r->g));
			root_group[root] = (uint32_t)r->ngroups++;
		}
		g = &r->g[root_group[root]];
		r->group_of[c] = root_group[root];
		len = strlen(g->name);
		snprintf(g->name + len, sizeof(g->name) - len, "%s%s", len ? "+" : "", name);
		g->nmembers++;
		if (sb || sa) {
			if (!g->in_snapshot)
				g->pagesperslab = sb ? sb->pagesperslab : sa->pagesperslab;
			g->in_snapshot = true;
		}
		g->snap_before += sb ? sb->num_slabs : 0;
		g->snap_after += sa ? sa->num_slabs : 0;
	}
	free(root_group);
}

struct realslab_sortent {
	struct realslab_group g;
	uint32_t old;			/* index before sorting */
};

static int realslab_cmp(const void *a, const void *b)
{
	const struct realslab_group *x = &((const struct realslab_sortent *)a)->g;
	const struct realslab_group *y = &((const struct realslab_sortent *)b)->g;

	if (x->fig.allocs != y->fig.allocs)
		return x->fig.allocs < y->fig.allocs ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Sorts the groups by allocations and renumbers group_of. */
static void realslab_sort(struct realslab *r, size_t ncaches)
{
	struct realslab_sortent *s = xmalloc((r->ngroups + 1) * sizeof(*s));
	uint32_t *newidx = xmalloc((r->ngroups + 1) * sizeof(*newidx));

	for (size_t i = 0; i < r->ngroups; i++)
		s[i] = (struct realslab_sortent){ .g = r->g[i], .old = (uint32_t)i };
	qsort(s, r->ngroups, sizeof(*s), realslab_cmp);
	for (size_t i = 0; i < r->ngroups; i++) {
		r->g[i] = s[i].g;
		newidx[s[i].old] = (uint32_t)i;
	}
	for (size_t c = 0; c < ncaches; c++)
		if (r->group_of[c] != NO_GROUP)
			r->group_of[c] = newidx[r->group_of[c]];
	free(newidx);
	free(s);
}

/* The second walk's results, into r. */
static void realslab_figures(struct realslab *r, struct walk *k, struct slabuse *u, size_t ncaches,
			     const struct slabinfo_snap *after)
{
	for (size_t g = 0; g < r->ngroups; g++) {
		r->g[g].fig = u->fig[g];
		r->g[g].untraced_allocs = k->untraced[g];
		r->untraced_allocs += k->untraced[g];
	}
	slabuse_total(u, &r->total);
	r->cpu_switches = xmalloc(r->ncpus * sizeof(*r->cpu_switches));
	memcpy(r->cpu_switches, u->cpu_switches, r->ncpus * sizeof(*r->cpu_switches));
	r->unmapped = k->unmapped;
	r->page_frees_other = k->page_frees_other;
	realslab_sort(r, ncaches);
	for (size_t g = 0; g < r->ngroups; g++) {
		const struct realslab_group *gr = &r->g[g];

		if (after && gr->in_snapshot &&
		    (int64_t)(gr->snap_after - gr->snap_before) != (int64_t)(gr->fig.slabs_new - gr->fig.slabs_freed))
			r->disagreements++;
	}
}

int realslab_compute_passes(struct sim_passes *p, const struct slabinfo_snap *before,
			    const struct slabinfo_snap *after, struct realslab *r, char *err, size_t errlen)
{
	const struct sim_workload *w = p->w;
	size_t ncaches = strtab_count(&w->caches);
	uint32_t *pps;
	struct walk k = { .w = w };
	struct slabuse u;
	int rc;

	memset(r, 0, sizeof(*r));
	r->ncpus = w->ncpus ? w->ncpus : 1;
	if ((rc = trace_preslab_compute_passes(p, &r->base, err, errlen)))
		return rc;
	if (!r->base.known) {
		snprintf(err, errlen, "%s: the direct-map base cannot be inferred: the trace needs real pointers "
			 "(no_hash_pointers, or trace-cmd/perf) and mm_page_alloc events", w->source);
		return -ENODATA;
	}
	k.pps = pps = xmalloc((ncaches + 1) * sizeof(*pps));
	k.base = r->base.page_offset;
	k.parent = xmalloc((ncaches + 1) * sizeof(*k.parent));
	k.seen = xcalloc(ncaches + 1, sizeof(*k.seen));
	for (uint32_t c = 0; c < ncaches; c++) {
		const char *name = strtab_get(&w->caches, c);
		const struct slabinfo_cache *s = before ? slabinfo_find(before, name) : NULL;

		if (!s && after)
			s = slabinfo_find(after, name);
		pps[c] = s ? s->pagesperslab : 1;
		k.parent[c] = c;
	}
	r->group_of = xmalloc((ncaches + 1) * sizeof(*r->group_of));
	rc = walk_run(p, &k, err, errlen);
	if (!rc) {
		realslab_groups(r, &k, ncaches, before, after);
		slabuse_init(&u, (unsigned)r->ngroups, r->ncpus);
		for (size_t g = 0; g < r->ngroups; g++)
			slabuse_start(&u, (unsigned)g, r->g[g].snap_before);
		k.group_of = r->group_of;
		k.u = &u;
		k.untraced = xcalloc(r->ngroups + 1, sizeof(*k.untraced));
		r->free_at_start = xcalloc((ncaches + 1) * r->ncpus, sizeof(*r->free_at_start));
		k.free_at_start = r->free_at_start;
		k.ncpus = r->ncpus;
		u64map_init(&k.ptrs);
		rc = walk_run(p, &k, err, errlen);
		u64map_fini(&k.ptrs);
		if (!rc)
			realslab_figures(r, &k, &u, ncaches, after);
		free(k.untraced);
		slabuse_fini(&u);
	}
	free(k.parent);
	free(k.seen);
	free(pps);
	if (rc)
		realslab_fini(r);
	return rc;
}

int realslab_compute(const struct sim_workload *w, const struct slabinfo_snap *before,
		     const struct slabinfo_snap *after, struct realslab *r, char *err, size_t errlen)
{
	struct sim_passes_mem pm;

	sim_passes_mem_init(&pm, w);
	return realslab_compute_passes(&pm.p, before, after, r, err, errlen);
}

void realslab_fini(struct realslab *r)
{
	free(r->g);
	free(r->group_of);
	free(r->cpu_switches);
	free(r->free_at_start);
	memset(r, 0, sizeof(*r));
}
