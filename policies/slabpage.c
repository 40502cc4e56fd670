/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slabpage.c - slabs carved from pages, and lists of slabs (see slabpage.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policies/slabpage.h"
#include "sim/xalloc.h"

static uint64_t slab_page_key(sim_addr_t page)
{
	return (uint64_t)sim_addr_node(page) << 40 | (sim_addr_offset(page) >> SIM_PAGE_SHIFT);
}

void slab_backend_init(struct slab_backend *b, struct machine *m)
{
	b->m = m;
	b->nslabs = 0;
	u64map_init(&b->by_page);
}

void slab_backend_fini(struct slab_backend *b)
{
	struct slab **heads = xmalloc((b->nslabs ? b->nslabs : 1) * sizeof(*heads));
	size_t n = 0;

	/* collect first: a slab's tail pages map to it too, and must not be read after its free */
	for (size_t i = 0; i < b->by_page.cap; i++) {
		const struct u64map_slot *sl = &b->by_page.s[i];
		struct slab *s;

		if (sl->key == UINT64_MAX)
			continue;
		s = (struct slab *)(uintptr_t)sl->val;
		if (slab_page_key(s->base) == sl->key && n < b->nslabs)
			heads[n++] = s;
	}
	for (size_t i = 0; i < n; i++) {
		free(heads[i]->free);
		free(heads[i]);
	}
	free(heads);
	u64map_fini(&b->by_page);
}

struct slab *slab_new(struct slab_backend *b, struct sim_op *op, unsigned order,
		      uint32_t size, unsigned objects, uint32_t fp_offset, int node)
{
	struct slab *s = xcalloc(1, sizeof(*s));

	s->base = sim_page_alloc(op, order, node);
	s->cache = op->cache;
	s->size = size;
	s->fp_offset = fp_offset;
	s->objects = (uint16_t)objects;
	s->order = (uint8_t)order;
	s->node = (uint8_t)sim_addr_node(s->base);
	s->owner = -1;
	sim_lock_init(&s->lock, sim_page_struct(s->base), SIM_LOCK_slab_lock);
	s->free = xmalloc(objects * sizeof(*s->free));
	for (unsigned i = 0; i < (1u << order); i++)
		u64map_put(&b->by_page, slab_page_key(s->base + ((sim_addr_t)i << SIM_PAGE_SHIFT)),
			   (uint64_t)(uintptr_t)s);
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
	for (unsigned i = 0; i < (1u << s->order); i++)
		u64map_del(&b->by_page, slab_page_key(s->base + ((sim_addr_t)i << SIM_PAGE_SHIFT)));
	sim_write(op, slab_struct(s));
	sim_page_free(op, s->base, s->order);
	b->nslabs--;
	sim_gauge_add(op, SIM_GAUGE_slab_bytes, -(int64_t)slab_bytes(s->order));
	sim_gauge_add(op, SIM_GAUGE_slabs, -1);
	free(s->free);
	free(s);
}

struct slab *slab_of(const struct slab_backend *b, sim_addr_t obj)
{
	uint64_t v;

	if (!u64map_get(&b->by_page, slab_page_key(obj & ~(sim_addr_t)(SIM_PAGE_BYTES - 1)), &v))
		return NULL;
	return (struct slab *)(uintptr_t)v;
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
