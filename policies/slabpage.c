/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slabpage.c - slabs carved from pages, and lists of slabs (see slabpage.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policies/slabpage.h"
#include "sim/xalloc.h"

void slab_backend_init(struct slab_backend *b, struct machine *m)
{
	memset(b, 0, sizeof(*b));
	b->m = m;
}

void slab_backend_fini(struct slab_backend *b)
{
	for (unsigned node = 0; node < SIM_MAX_NODES; node++) {
		for (uint64_t pfn = 0; pfn < b->by_pfn_cap[node]; pfn++) {
			struct slab *s = b->by_pfn[node][pfn];

			if (!s)
				continue;
			/* met at its first frame: the rest of its frames name it too, and are passed over */
			sim_assert(sim_addr_offset(s->base) >> SIM_PAGE_SHIFT == pfn);
			pfn += (1u << s->order) - 1;
			free(s->free);
			free(s);
		}
		free(b->by_pfn[node]);
	}
	memset(b, 0, sizeof(*b));
}

/* Points the table entries of s's frames at s (or, with s NULL, clears those of the slab at base). */
static void slab_map(struct slab_backend *b, sim_addr_t base, unsigned order, struct slab *s)
{
	unsigned node = sim_addr_node(base);
	uint64_t first = sim_addr_offset(base) >> SIM_PAGE_SHIFT, end = first + (1u << order);

	sim_assert(sim_addr_region(base) == SIM_REGION_PAGES && end <= UINT32_MAX);
	if (end > b->by_pfn_cap[node]) {
		uint64_t cap = b->by_pfn_cap[node] ? b->by_pfn_cap[node] : 1024;

		while (cap < end)
			cap *= 2;
		cap = SIM_MIN(cap, UINT32_MAX);
		b->by_pfn[node] = xrealloc(b->by_pfn[node], cap * sizeof(*b->by_pfn[node]));
		memset(b->by_pfn[node] + b->by_pfn_cap[node], 0,
		       (cap - b->by_pfn_cap[node]) * sizeof(*b->by_pfn[node]));
		b->by_pfn_cap[node] = (uint32_t)cap;
	}
	for (uint64_t pfn = first; pfn < end; pfn++)
		b->by_pfn[node][pfn] = s;
}

struct slab *slab_new(struct slab_backend *b, struct sim_op *op, unsigned order,
		      uint32_t size, unsigned objects, uint32_t fp_offset, int node)
{
	struct slab *s = xcalloc(1, sizeof(*s));

	s->base = sim_page_alloc(op, order, node);
	s->cache = op->cache;
	sim_assert(((uint64_t)objects * size) >> 32 == 0);
	slab_set_size(s, size);
	s->fp_offset = fp_offset;
	s->objects = (uint16_t)objects;
	s->order = (uint8_t)order;
	s->node = (uint8_t)sim_addr_node(s->base);
	s->owner = -1;
	sim_lock_init(&s->lock, sim_page_struct(s->base), SIM_LOCK_slab_lock);
	s->free = xmalloc(objects * sizeof(*s->free));
	slab_map(b, s->base, order, s);
	sim_write(op, slab_struct(s));
	for (unsigned i = objects; i-- > 0; ) {
		s->free[s->nfree++] = (uint16_t)i;
		sim_write(op, slab_obj_fp(s, slab_obj_addr(s, i)));
	}
	b->nslabs++;
	sim_gauge_add(op, SIM_GAUGE_slab_bytes, (int64_t)slab_bytes(order));
	sim_gauge_add(op, SIM_GAUGE_slabs, 1);
	return s;
}

void slab_discard(struct slab_backend *b, struct sim_op *op, struct slab *s)
{
	sim_assert(s->inuse == 0 && s->nfree == s->objects);
	slab_map(b, s->base, s->order, NULL);
	sim_write(op, slab_struct(s));
	sim_page_free(op, s->base, s->order);
	b->nslabs--;
	sim_gauge_add(op, SIM_GAUGE_slab_bytes, -(int64_t)slab_bytes(s->order));
	sim_gauge_add(op, SIM_GAUGE_slabs, -1);
	free(s->free);
	free(s);
}

bool slab_is_valid(const struct slab *s)
{
	uint8_t *seen;
	bool ok = s->inuse + s->nfree <= s->objects;

	seen = xcalloc(s->objects, 1);
	for (unsigned i = 0; ok && i < s->nfree; i++) {
		ok = s->free[i] < s->objects && !seen[s->free[i]];
		if (ok)
			seen[s->free[i]] = 1;
	}
	free(seen);
	return ok;
}

void slab_list_add_head(struct sim_op *op, struct slab_list *l, struct slab *s)
{
	sim_write(op, l->addr);
	sim_write(op, slab_struct(s));
	if (l->head)
		sim_write(op, slab_struct(l->head));
	s->prev = NULL;
	s->next = l->head;
	if (l->head)
		l->head->prev = s;
	else
		l->tail = s;
	l->head = s;
	l->n++;
}

void slab_list_add_tail(struct sim_op *op, struct slab_list *l, struct slab *s)
{
	sim_write(op, l->addr);
	sim_write(op, slab_struct(s));
	if (l->tail)
		sim_write(op, slab_struct(l->tail));
	s->next = NULL;
	s->prev = l->tail;
	if (l->tail)
		l->tail->next = s;
	else
		l->head = s;
	l->tail = s;
	l->n++;
}

void slab_list_del(struct sim_op *op, struct slab_list *l, struct slab *s)
{
	sim_write(op, slab_struct(s));
	if (s->prev)
		sim_write(op, slab_struct(s->prev));
	else
		sim_write(op, l->addr);
	if (s->next)
		sim_write(op, slab_struct(s->next));
	else
		sim_write(op, l->addr);
	if (s->prev)
		s->prev->next = s->next;
	else
		l->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		l->tail = s->prev;
	s->next = s->prev = NULL;
	l->n--;
}
