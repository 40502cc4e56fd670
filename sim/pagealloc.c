/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pagealloc.c - buddy allocator per node and per-cpu page lists (see
 * pagealloc.h for what is modelled).  Lock order: pcp lock, then zone lock,
 * as in mm/page_alloc.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/pagealloc.h"
#include "sim/xalloc.h"

#define PFN_NONE UINT32_MAX
#define FREE_AREA_STRIDE 128		/* bytes per free_area[order] in struct zone */

struct zone {
	struct sim_lock lock;
	sim_addr_t free_area;		/* address of free_area[0] */
	uint32_t npages;		/* pfns carved so far */
	size_t cap;
	uint8_t *free_order;		/* [pfn]: order + 1 if head of a free block, else 0 */
	uint32_t *next, *prev;		/* [pfn]: free list links */
	uint32_t head[PAGEALLOC_MAX_ORDER + 1];
	uint64_t nfree[PAGEALLOC_MAX_ORDER + 1];	/* blocks per order */
};

struct pcp {
	struct sim_lock lock;
	sim_addr_t addr;		/* struct per_cpu_pages */
	uint32_t *list[PAGEALLOC_PCP_ORDERS];	/* stacks of pfns (hot at the top) */
	size_t n[PAGEALLOC_PCP_ORDERS], cap[PAGEALLOC_PCP_ORDERS];
	unsigned count;			/* pages held */
};

struct pagealloc {
	struct machine *m;
	struct zone *zone;		/* [nnodes] */
	struct pcp **pcp;		/* [ncpus * nnodes], created on first use */
	uint64_t used;			/* pages handed out */
};

static sim_addr_t pfn_addr(unsigned node, uint32_t pfn)
{
	return sim_addr_make(SIM_REGION_PAGES, node, (uint64_t)pfn << SIM_PAGE_SHIFT);
}

static uint32_t addr_pfn(sim_addr_t a)
{
	return (uint32_t)(sim_addr_offset(a) >> SIM_PAGE_SHIFT);
}

/* --- buddy lists ------------------------------------------------------ */

static void zone_list_add(struct zone *z, uint32_t pfn, unsigned order)
{
	z->free_order[pfn] = (uint8_t)(order + 1);
	z->prev[pfn] = PFN_NONE;
	z->next[pfn] = z->head[order];
	if (z->head[order] != PFN_NONE)
		z->prev[z->head[order]] = pfn;
	z->head[order] = pfn;
	z->nfree[order]++;
}

static void zone_list_del(struct zone *z, uint32_t pfn, unsigned order)
{
	if (z->prev[pfn] != PFN_NONE)
		z->next[z->prev[pfn]] = z->next[pfn];
	else
		z->head[order] = z->next[pfn];
	if (z->next[pfn] != PFN_NONE)
		z->prev[z->next[pfn]] = z->prev[pfn];
	z->free_order[pfn] = 0;
	z->nfree[order]--;
}

/* Adds one order-10 block of fresh memory to the zone. */
static void zone_grow(struct zone *z)
{
	uint32_t pfn = z->npages, n = 1u << PAGEALLOC_MAX_ORDER;

	if ((size_t)pfn + n > z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 1u << 16;

		z->free_order = xrealloc(z->free_order, cap);
		z->next = xrealloc(z->next, cap * sizeof(*z->next));
		z->prev = xrealloc(z->prev, cap * sizeof(*z->prev));
		memset(z->free_order + z->cap, 0, cap - z->cap);
		z->cap = cap;
	}
	z->npages += n;
	zone_list_add(z, pfn, PAGEALLOC_MAX_ORDER);
}

/* __rmqueue_smallest with splitting; zone lock held. */
static uint32_t zone_take(struct sim_op *op, struct zone *z, unsigned node, unsigned order)
{
	unsigned j = order;
	uint32_t pfn;

	while (j <= PAGEALLOC_MAX_ORDER && z->head[j] == PFN_NONE)
		j++;
	if (j > PAGEALLOC_MAX_ORDER) {
		zone_grow(z);
		j = PAGEALLOC_MAX_ORDER;
	}
	sim_write(op, z->free_area + (sim_addr_t)j * FREE_AREA_STRIDE);
	pfn = z->head[j];
	sim_write(op, sim_page_struct(pfn_addr(node, pfn)));
	zone_list_del(z, pfn, j);
	while (j > order) {
		j--;
		zone_list_add(z, pfn + (1u << j), j);
		sim_write(op, sim_page_struct(pfn_addr(node, pfn + (1u << j))));
		sim_write(op, z->free_area + (sim_addr_t)j * FREE_AREA_STRIDE);
	}
	sim_work(op, op->m->cfg.cost.c[SIM_COST_page_op]);
	return pfn;
}

/* __free_one_page with merging; zone lock held. */
static void zone_give(struct sim_op *op, struct zone *z, unsigned node, uint32_t pfn, unsigned order)
{
	while (order < PAGEALLOC_MAX_ORDER) {
		uint32_t buddy = pfn ^ (1u << order);

		sim_read(op, sim_page_struct(pfn_addr(node, buddy)));
		if (buddy >= z->npages || z->free_order[buddy] != order + 1)
			break;
		sim_write(op, z->free_area + (sim_addr_t)order * FREE_AREA_STRIDE);
		zone_list_del(z, buddy, order);
		pfn &= ~(1u << order);
		order++;
	}
	sim_write(op, sim_page_struct(pfn_addr(node, pfn)));
	sim_write(op, z->free_area + (sim_addr_t)order * FREE_AREA_STRIDE);
	zone_list_add(z, pfn, order);
	sim_work(op, op->m->cfg.cost.c[SIM_COST_page_op]);
}

/* --- per-cpu lists ---------------------------------------------------- */

static struct pcp *pcp_of(struct pagealloc *pa, unsigned cpu, unsigned node)
{
	struct pcp **slot = &pa->pcp[(size_t)cpu * pa->m->nnodes + node];

	if (!*slot) {
		struct pcp *p = xcalloc(1, sizeof(*p));

		p->addr = machine_struct_alloc(pa->m, node, 2 * SIM_LINE_BYTES, SIM_LINE_BYTES);
		sim_lock_init(&p->lock, p->addr, SIM_LOCK_pcp_lock);
		*slot = p;
	}
	return *slot;
}

static void pcp_push(struct pcp *p, unsigned order, uint32_t pfn)
{
	xgrow((void **)&p->list[order], &p->cap[order], p->n[order] + 1, sizeof(uint32_t));
	p->list[order][p->n[order]++] = pfn;
	p->count += 1u << order;
}

/* rmqueue_bulk: refills an empty list under the zone lock. */
static void pcp_refill(struct sim_op *op, struct pagealloc *pa, struct pcp *p, unsigned node, unsigned order)
{
	struct zone *z = &pa->zone[node];
	unsigned batch = SIM_MAX(op->m->cfg.pcp_batch >> order, 2u);

	sim_lock_acquire(op, &z->lock);
	for (unsigned i = 0; i < batch; i++)
		pcp_push(p, order, zone_take(op, z, node, order));
	sim_lock_release(op, &z->lock);
	sim_count(op, SIM_CNT_pcp_refill);
}

/* free_pcppages_bulk: gives back batch pages, coldest first, largest list first. */
static void pcp_drain(struct sim_op *op, struct pagealloc *pa, struct pcp *p, unsigned node)
{
	struct zone *z = &pa->zone[node];
	unsigned todo = op->m->cfg.pcp_batch;

	sim_lock_acquire(op, &z->lock);
	while (todo && p->count) {
		unsigned order = 0;

		for (unsigned o = 1; o < PAGEALLOC_PCP_ORDERS; o++)
			if (p->n[o] << o > p->n[order] << order)
				order = o;
		zone_give(op, z, node, p->list[order][0], order);
		memmove(p->list[order], p->list[order] + 1, (p->n[order] - 1) * sizeof(uint32_t));
		p->n[order]--;
		p->count -= 1u << order;
		todo = todo > (1u << order) ? todo - (1u << order) : 0;
	}
	sim_lock_release(op, &z->lock);
	sim_count(op, SIM_CNT_pcp_drain);
}

/* --- interface -------------------------------------------------------- */

struct pagealloc *pagealloc_create(struct machine *m)
{
	struct pagealloc *pa = xcalloc(1, sizeof(*pa));

	pa->m = m;
	pa->zone = xcalloc(m->nnodes, sizeof(*pa->zone));
	pa->pcp = xcalloc((size_t)m->ncpus * m->nnodes, sizeof(*pa->pcp));
	for (unsigned n = 0; n < m->nnodes; n++) {
		struct zone *z = &pa->zone[n];
		sim_addr_t za = machine_struct_alloc(m, n, SIM_LINE_BYTES * 24, SIM_LINE_BYTES);

		sim_lock_init(&z->lock, za, SIM_LOCK_zone_lock);
		z->free_area = za + SIM_LINE_BYTES;
		for (unsigned o = 0; o <= PAGEALLOC_MAX_ORDER; o++)
			z->head[o] = PFN_NONE;
	}
	return pa;
}

void pagealloc_destroy(struct pagealloc *pa)
{
	if (!pa)
		return;
	for (size_t i = 0; i < (size_t)pa->m->ncpus * pa->m->nnodes; i++) {
		if (!pa->pcp[i])
			continue;
		for (unsigned o = 0; o < PAGEALLOC_PCP_ORDERS; o++)
			free(pa->pcp[i]->list[o]);
		free(pa->pcp[i]);
	}
	for (unsigned n = 0; n < pa->m->nnodes; n++) {
		free(pa->zone[n].free_order);
		free(pa->zone[n].next);
		free(pa->zone[n].prev);
	}
	free(pa->pcp);
	free(pa->zone);
	free(pa);
}

sim_addr_t pagealloc_alloc(struct pagealloc *pa, struct sim_op *op, unsigned order, unsigned node)
{
	uint32_t pfn;

	sim_assert(order <= PAGEALLOC_MAX_ORDER && node < pa->m->nnodes);
	if (order < PAGEALLOC_PCP_ORDERS) {
		struct pcp *p = pcp_of(pa, op->cpu, node);

		sim_lock_acquire(op, &p->lock);
		if (!p->n[order])
			pcp_refill(op, pa, p, node, order);
		pfn = p->list[order][--p->n[order]];
		p->count -= 1u << order;
		sim_write(op, p->addr + SIM_LINE_BYTES);
		sim_lock_release(op, &p->lock);
	} else {
		struct zone *z = &pa->zone[node];

		sim_lock_acquire(op, &z->lock);
		pfn = zone_take(op, z, node, order);
		sim_lock_release(op, &z->lock);
	}
	pa->used += 1u << order;
	sim_count(op, SIM_CNT_page_alloc);
	return pfn_addr(node, pfn);
}

void pagealloc_free(struct pagealloc *pa, struct sim_op *op, sim_addr_t addr, unsigned order)
{
	unsigned node = sim_addr_node(addr);
	uint32_t pfn = addr_pfn(addr);

	sim_assert(sim_addr_region(addr) == SIM_REGION_PAGES && !(pfn & ((1u << order) - 1)));
	pa->used -= 1u << order;
	sim_count(op, SIM_CNT_page_free);
	if (order < PAGEALLOC_PCP_ORDERS) {
		struct pcp *p = pcp_of(pa, op->cpu, node);

		sim_lock_acquire(op, &p->lock);
		sim_write(op, sim_page_struct(addr));
		pcp_push(p, order, pfn);
		sim_write(op, p->addr + SIM_LINE_BYTES);
		if (p->count >= op->m->cfg.pcp_high)
			pcp_drain(op, pa, p, node);
		sim_lock_release(op, &p->lock);
	} else {
		struct zone *z = &pa->zone[node];

		sim_lock_acquire(op, &z->lock);
		zone_give(op, z, node, pfn, order);
		sim_lock_release(op, &z->lock);
	}
}

uint64_t pagealloc_pages_used(const struct pagealloc *pa)
{
	return pa->used;
}

bool pagealloc_is_valid(const struct pagealloc *pa)
{
	uint64_t total = 0, free_pages = 0, pcp_pages = 0;

	for (unsigned n = 0; n < pa->m->nnodes; n++) {
		const struct zone *z = &pa->zone[n];

		total += z->npages;
		for (unsigned o = 0; o <= PAGEALLOC_MAX_ORDER; o++) {
			uint64_t k = 0;

			for (uint32_t p = z->head[o]; p != PFN_NONE; p = z->next[p], k++)
				if (z->free_order[p] != o + 1 || (p & ((1u << o) - 1)))
					return false;
			if (k != z->nfree[o])
				return false;
			free_pages += k << o;
		}
	}
	for (size_t i = 0; i < (size_t)pa->m->ncpus * pa->m->nnodes; i++) {
		const struct pcp *p = pa->pcp[i];
		unsigned c = 0;

		if (!p)
			continue;
		for (unsigned o = 0; o < PAGEALLOC_PCP_ORDERS; o++)
			c += (unsigned)p->n[o] << o;
		if (c != p->count)
			return false;
		pcp_pages += c;
	}
	return total == free_pages + pcp_pages + pa->used;
}
