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

/* Every page the trace allocates, whenever it does (for scoring candidates). */
static void preslab_all_pages(const struct sim_workload *w, struct u64map *pages)
{
	for (size_t i = 0; i < w->nev; i++)
		if (w->ev[i].op == SIM_EV_PAGE_ALLOC)
			for (uint64_t k = 0; k < (1ull << w->ev[i].order); k++)
				u64map_put(pages, w->ev[i].ptr + k, 1);
}

/* Allocations whose frame under base is one the trace allocates at some point. */
static uint64_t preslab_score(const struct sim_workload *w, const struct u64map *pages, uint64_t base)
{
	uint64_t n = 0;

	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];

		if (e->op == SIM_EV_ALLOC && e->ptr >= base && u64map_get(pages, (e->ptr - base) >> 12, NULL))
			n++;
	}
	return n;
}

/*
 * Candidates for PAGE_OFFSET come from allocations that follow a page
 * allocation on their cpu ((pointer - (pfn << 12)) rounded down to 1 GiB);
 * many such pairs are unrelated (page tables, stacks), so the candidates
 * are few but not always right: the one under which most allocations fall
 * in pages the trace allocates wins.
 */
static void preslab_vote(const struct sim_workload *w, struct trace_preslab *p)
{
	uint64_t *last = xmalloc((w->ncpus ? w->ncpus : 1) * sizeof(*last));
	struct u64map votes, pages;

	u64map_init(&votes);
	u64map_init(&pages);
	for (unsigned c = 0; c < w->ncpus; c++)
		last[c] = NO_PAGE_ALLOC;
	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];
		uint64_t cand, n = 0;

		if (e->op == SIM_EV_PAGE_ALLOC) {
			last[e->cpu] = e->ptr;
			continue;
		}
		if (e->op != SIM_EV_ALLOC || last[e->cpu] == NO_PAGE_ALLOC || !preslab_pointer_is_real(e->ptr))
			continue;
		cand = (e->ptr - (last[e->cpu] << 12)) & ~(GIB - 1);
		last[e->cpu] = NO_PAGE_ALLOC;
		u64map_get(&votes, cand, &n);
		u64map_put(&votes, cand, n + 1);
		p->votes++;
	}
	preslab_all_pages(w, &pages);
	for (size_t i = 0; i < votes.cap; i++) {
		uint64_t score;

		/* a candidate and its neighbours (the rounding may land one step off) */
		if (votes.s[i].key == UINT64_MAX || votes.s[i].val * 100 < p->votes)
			continue;
		for (int d = -1; d <= 1; d++) {
			uint64_t base = votes.s[i].key + (uint64_t)d * GIB;

			if (base == p->page_offset || base == p->runner_up_base)
				continue;
			score = preslab_score(w, &pages, base);
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
	}
	p->known = p->votes >= 10 && p->votes_for > 0;
	u64map_fini(&votes);
	u64map_fini(&pages);
	free(last);
}

void trace_preslab_compute(const struct sim_workload *w, struct trace_preslab *p)
{
	struct u64map pages;

	memset(p, 0, sizeof(*p));
	preslab_vote(w, p);
	if (!p->known)
		return;
	u64map_init(&pages);
	for (size_t i = 0; i < w->nev; i++) {
		const struct sim_event *e = &w->ev[i];

		if (e->op == SIM_EV_PAGE_ALLOC) {
			for (uint64_t k = 0; k < (1ull << e->order); k++)
				u64map_put(&pages, e->ptr + k, 1);
		} else if (e->op == SIM_EV_ALLOC && !(e->flags & SIM_EVF_LARGE) && e->ptr >= p->page_offset) {
			p->objects++;
			if (u64map_get(&pages, (e->ptr - p->page_offset) >> 12, NULL))
				p->in_new_slabs++;
			else
				p->in_old_slabs++;
		}
	}
	u64map_fini(&pages);
}
