/* SPDX-License-Identifier: GPL-2.0-or-later */
/* preslab.c - objects in slabs from before the trace (see preslab.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/u64map.h"
#include "sim/xalloc.h"
#include "traces/preslab.h"

#define GIB (1ull << 30)
#define NO_PAGE_ALLOC UINT64_MAX

/* Real direct-map pointers have the top bits set; hashed ones are 32-bit values. */
static bool preslab_pointer_is_real(uint64_t ptr)
{
	return (ptr >> 47) == 0x1ffff;
}

/* The frames of a page allocation, into pages. */
static void preslab_pages_put(struct u64map *pages, const struct sim_event *e)
{
	for (uint64_t k = 0; k < (1ull << e->order); k++)
		u64map_put(pages, e->ptr + k, 1);
}

/*
 * Pass 1: the votes, and every page the trace allocates.  Candidates for
 * PAGE_OFFSET come from allocations that follow a page allocation on their
 * cpu ((pointer - (pfn << 12)) rounded down to 1 GiB); many such pairs are
 * unrelated (page tables, stacks), so the candidates are few but not always
 * right: the one under which most allocations fall in pages the trace
 * allocates wins (pass 2).
 */
struct preslab_vote {
	struct trace_preslab *p;
	unsigned ncpus;
	uint64_t *last;		/* [ncpus]: pfn of the cpu's last page allocation */
	struct u64map votes;	/* candidate -> votes */
	struct u64map pages;	/* pfn -> 1 */
};

static void preslab_vote_visit(void *ctx, const struct sim_event *e)
{
	struct preslab_vote *v = ctx;
	uint64_t cand, n = 0;

	if (e->op == SIM_EV_PAGE_ALLOC) {
		preslab_pages_put(&v->pages, e);
		if (e->cpu < v->ncpus)
			v->last[e->cpu] = e->ptr;
		return;
	}
	if (e->op != SIM_EV_ALLOC || e->cpu >= v->ncpus || v->last[e->cpu] == NO_PAGE_ALLOC ||
	    !preslab_pointer_is_real(e->ptr))
		return;
	cand = (e->ptr - (v->last[e->cpu] << 12)) & ~(GIB - 1);
	v->last[e->cpu] = NO_PAGE_ALLOC;
	u64map_get(&v->votes, cand, &n);
	u64map_put(&v->votes, cand, n + 1);
	v->p->votes++;
}

/* Pass 2: for every base worth scoring, the allocations whose frame under it the trace allocates. */
struct preslab_score {
	const struct u64map *pages;
	uint64_t *base, *score;
	size_t n;
};

static void preslab_score_visit(void *ctx, const struct sim_event *e)
{
	struct preslab_score *sc = ctx;

	if (e->op != SIM_EV_ALLOC)
		return;
	for (size_t i = 0; i < sc->n; i++)
		if (e->ptr >= sc->base[i] && u64map_get(sc->pages, (e->ptr - sc->base[i]) >> 12, NULL))
			sc->score[i]++;
}

/* A candidate and its neighbours (the rounding may land one step off), in the order they are weighed. */
static bool preslab_next_base(const struct preslab_vote *v, size_t *slot, int *d, uint64_t *base)
{
	for (; *slot < v->votes.cap; (*slot)++, *d = -1) {
		const struct u64map_slot *sl = &v->votes.s[*slot];

		if (sl->key == UINT64_MAX || sl->val * 100 < v->p->votes)
			continue;
		if (*d <= 1) {
			*base = sl->key + (uint64_t)(*d)++ * GIB;
			return true;
		}
	}
	return false;
}

/* Index of base among the bases scored, sc->n if it is not one of them. */
static size_t preslab_base_index(const struct preslab_score *sc, uint64_t base)
{
	size_t i = 0;

	while (i < sc->n && sc->base[i] != base)
		i++;
	return i;
}

/*
 * Scores every base the candidates name in one pass, then weighs them in
 * the candidates' order, as if each were scored when weighed: the best
 * and the runner-up are kept, a base already kept is not weighed again.
 */
static int preslab_choose(struct sim_passes *ps, struct preslab_vote *v, char *err, size_t errlen)
{
	struct trace_preslab *p = v->p;
	struct preslab_score sc = { .pages = &v->pages };
	size_t cap = 0, slot = 0;
	uint64_t base;
	int d = -1, ret;

	while (preslab_next_base(v, &slot, &d, &base)) {
		if (preslab_base_index(&sc, base) < sc.n)
			continue;
		xgrow((void **)&sc.base, &cap, sc.n + 1, sizeof(*sc.base));
		sc.base[sc.n++] = base;
	}
	sc.score = xcalloc(sc.n ? sc.n : 1, sizeof(*sc.score));
	ret = sc.n ? sim_passes_walk(ps, preslab_score_visit, &sc, err, errlen) : 0;
	slot = 0;
	d = -1;
	while (!ret && preslab_next_base(v, &slot, &d, &base)) {
		uint64_t score;

		if (base == p->page_offset || base == p->runner_up_base)
			continue;
		score = sc.score[preslab_base_index(&sc, base)];
		if (score > p->votes_for) {
			p->runner_up = p->votes_for;
			p->runner_up_base = p->page_offset;
			p->votes_for = score;
			p->page_offset = base;
		} else if (score > p->runner_up) {
			p->runner_up = score;
			p->runner_up_base = base;
		}
	}
	p->known = p->votes >= 10 && p->votes_for > 0;
	free(sc.base);
	free(sc.score);
	return ret;
}

/* Pass 3: each allocation in a page block the trace allocated before it, or in an older slab. */
struct preslab_classify {
	struct trace_preslab *p;
	struct u64map pages;	/* pfn -> 1, the pages allocated so far */
};

static void preslab_classify_visit(void *ctx, const struct sim_event *e)
{
	struct preslab_classify *c = ctx;
	struct trace_preslab *p = c->p;

	if (e->op == SIM_EV_PAGE_ALLOC) {
		preslab_pages_put(&c->pages, e);
	} else if (e->op == SIM_EV_ALLOC && !(e->flags & SIM_EVF_LARGE) && e->ptr >= p->page_offset) {
		p->objects++;
		if (u64map_get(&c->pages, (e->ptr - p->page_offset) >> 12, NULL))
			p->in_new_slabs++;
		else
			p->in_old_slabs++;
	}
}

int trace_preslab_compute_passes(struct sim_passes *ps, struct trace_preslab *p, char *err, size_t errlen)
{
	struct preslab_vote v = { .p = p, .ncpus = ps->w->ncpus };
	int ret;

	memset(p, 0, sizeof(*p));
	v.last = xmalloc((v.ncpus ? v.ncpus : 1) * sizeof(*v.last));
	for (unsigned c = 0; c < v.ncpus; c++)
		v.last[c] = NO_PAGE_ALLOC;
	u64map_init(&v.votes);
	u64map_init(&v.pages);
	ret = sim_passes_walk(ps, preslab_vote_visit, &v, err, errlen);
	if (!ret)
		ret = preslab_choose(ps, &v, err, errlen);
	u64map_fini(&v.votes);
	u64map_fini(&v.pages);
	free(v.last);
	if (!ret && p->known) {
		struct preslab_classify c = { .p = p };

		u64map_init(&c.pages);
		ret = sim_passes_walk(ps, preslab_classify_visit, &c, err, errlen);
		u64map_fini(&c.pages);
	}
	if (ret)
		memset(p, 0, sizeof(*p));
	return ret;
}

void trace_preslab_compute(const struct sim_workload *w, struct trace_preslab *p)
{
	struct sim_passes_mem pm;
	char err[256];

	sim_passes_mem_init(&pm, w);
	trace_preslab_compute_passes(&pm.p, p, err, sizeof(err));	/* memory cannot fail to read */
}
