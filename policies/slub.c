/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slub.c - SLUB, the unqueued slab allocator, in two generations.
 *
 * Models, with cpu_partial = 0: the 2007 patch (seed 002, "SLUB: The
 * unqueued Slab allocator", Christoph Lameter): one cpu slab per cache and
 * cpu; every allocation takes the cpu slab's slab_lock and pops its
 * freelist; every free takes the object's slab_lock and pushes on its
 * freelist; a full or exhausted cpu slab is deactivated (put back on the
 * partial list under list_lock, or discarded when empty); get_partial()
 * takes list_lock and trylocks slabs on the partial list, local node first;
 * a free that makes a full slab partial adds it to the partial list, one
 * that empties a slab removes and discards it; a flusher every 2 s
 * deactivates cpu slabs not referenced since the last pass.  The cpu slab
 * pointers sit in an array inside struct kmem_cache (s->cpu_slab[cpu]), as
 * in the patch, so they share lines between cpus.
 *
 * Models, with cpu_partial > 0: classic SLUB as in mm/slub.c of 6.1 (the
 * kernel of the bundled traces; 3.x-6.19 differ in details only): the
 * lockless per-cpu freelist of the cpu slab (this_cpu_cmpxchg_double on
 * struct kmem_cache_cpu: a local, unlocked write), ___slab_alloc() taking
 * the slab's freelist by cmpxchg_double on its struct page, per-cpu
 * partial slabs (frozen; put_cpu_partial() and __unfreeze_partials() when
 * the list holds cpu_partial_slabs), get_partial_node() under list_lock
 * filling the cpu partial list to half, get_any_partial() on other nodes
 * (remote_node_defrag_ratio 1000 of 1024, drawn from the run's RNG),
 * __slab_free() freezing a full slab onto the cpu partial list, taking
 * list_lock only to discard a slab that became empty while the node has
 * min_partial partial slabs, and deactivate_slab() splicing the cpu freelist
 * back (reading every object's free pointer as the kernel does).
 * The free pointer sits mid-object (5.7+) in classic mode, at offset 0 in
 * 2007 mode.
 *
 * Does not model: debugging (slub_debug, red zones, tracking), memcg
 * charging, KFENCE, freelist randomisation and hardening, bulk alloc/free,
 * kfree_rcu batching, cache merging (the trace names the merged cache),
 * order fallback under memory pressure (memory never runs out), cpu
 * hotplug, IRQ and preemption costs (local_irq_save is free here).
 *
 * Lock order (mm/slub.c): list_lock, then slab_lock.
 *
 * Counters: the SLUB_STATS names of mm/slub.c (enum stat_item).  In 2007
 * mode, which had no statistics, an allocation from the cpu slab counts as
 * alloc_fastpath, a free to the freeing cpu's own cpu slab as
 * free_fastpath, a free to another cpu's cpu slab as free_slowpath and
 * free_frozen.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policies/registry.h"
#include "policies/slabpage.h"
#include "policies/slub.h"
#include "sim/policy.h"
#include "sim/xalloc.h"

enum slub_param { P_ORDER, P_MIN_PARTIAL, P_CPU_PARTIAL, P_MODE, P_COUNT };
enum slub_mode { MODE_AUTO, MODE_2007, MODE_CLASSIC };

static const char *const slub_mode_choices[] = { "auto", "2007", "classic", NULL };

static const struct sim_param_desc slub_params[] = {
	[P_ORDER] = { .name = "order", .def = 0, .min = 0, .max = 10, .auto_default = true,
		      .meaning = "slab order; auto: the traced kernel's when its slabinfo is known (validate), else calculate_order() of 6.1 (min_objects 4*(fls(cpus)+1), max order 3, waste <= 1/16)" },
	[P_MIN_PARTIAL] = { .name = "min_partial", .def = 5, .min = 0, .max = 1000, .auto_default = true,
			    .meaning = "empty slabs kept on a node's partial list; auto: ilog2(size)/2 clamped to 5..10" },
	[P_CPU_PARTIAL] = { .name = "cpu_partial", .def = 0, .min = 0, .max = 100000, .auto_default = true,
			    .meaning = "objects on per-cpu partial slabs, 0 = the 2007 patch; auto: 6/24/52/120 by size (6.1)" },
	[P_MODE] = { .name = "mode", .def = MODE_AUTO, .min = 0, .max = 2, .choices = slub_mode_choices,
		     .meaning = "auto: 2007 when cpu_partial=0, else classic; classic with cpu_partial=0: no cpu partial slabs (CONFIG_SLUB_CPU_PARTIAL=n)" },
};

struct slub_cpu {			/* struct kmem_cache_cpu */
	sim_addr_t addr;		/* its line: freelist, tid, slab, partial */
	struct slab *slab;		/* the cpu slab */
	uint16_t *fl;			/* cpu freelist (classic): indices into slab, top = head */
	unsigned nfl;
	struct slab *partial;		/* cpu partial slabs, linked by slab->next */
	unsigned npartial;
	bool referenced;		/* 2007: PageReferenced of the cpu slab */
};

struct slub_node {			/* struct kmem_cache_node */
	struct sim_lock list_lock;
	struct slab_list partial;	/* same line as list_lock and nr_partial */
};

struct slub_cache {			/* struct kmem_cache */
	bool ready;
	uint32_t size, objects, order, fp_offset;
	unsigned min_partial, cpu_partial, cpu_partial_slabs;
	sim_addr_t addr;		/* read-mostly line; in 2007 mode followed by cpu_slab[] */
	struct slub_cpu *cpu;		/* [ncpus] */
	struct slub_node *node;		/* [nnodes] */
};

struct slub {
	struct machine *m;
	struct slab_backend b;
	struct sim_param_values p;
	struct slub_cache *cache;	/* [ncaches] */
	bool classic;			/* cpu_partial > 0 or auto */
};

/* --- kernel defaults --------------------------------------------------- */

static unsigned fls_u(unsigned x)
{
	return x ? 32 - (unsigned)__builtin_clz(x) : 0;
}

static unsigned get_order(uint64_t bytes)
{
	unsigned order = 0;

	while (((uint64_t)SIM_PAGE_BYTES << order) < bytes)
		order++;
	return order;
}

/* calc_slab_order() of 6.1 */
static unsigned slub_calc_order(unsigned size, unsigned min_objects, unsigned max_order, unsigned fract)
{
	unsigned order;

	for (order = get_order((uint64_t)min_objects * size); order <= max_order; order++) {
		unsigned slab_size = SIM_PAGE_BYTES << order;

		if (slab_size % size <= slab_size / fract)
			break;
	}
	return order;
}

/* calculate_order() of 6.1 with slub_min_order 0, slub_max_order 3 (PAGE_ALLOC_COSTLY_ORDER). */
unsigned slub_default_order(unsigned size, unsigned ncpus)
{
	unsigned max_order = 3, min_objects = 4 * (fls_u(ncpus) + 1);
	unsigned max_objects = (SIM_PAGE_BYTES << max_order) / size;
	unsigned order;

	min_objects = SIM_MIN(min_objects, max_objects);
	while (min_objects > 1) {
		for (unsigned fract = 16; fract >= 4; fract /= 2) {
			order = slub_calc_order(size, min_objects, max_order, fract);
			if (order <= max_order)
				return order;
		}
		min_objects--;
	}
	order = slub_calc_order(size, 1, max_order, 1);
	if (order <= max_order)
		return order;
	return slub_calc_order(size, 1, 10, 1);
}

/* set_min_partial(s, ilog2(s->size) / 2) with MIN_PARTIAL 5, MAX_PARTIAL 10. */
unsigned slub_default_min_partial(unsigned size)
{
	unsigned v = (fls_u(size) - 1) / 2;

	return SIM_MAX(5u, SIM_MIN(10u, v));
}

/* set_cpu_partial() of 5.16-6.19. */
unsigned slub_default_cpu_partial(unsigned size)
{
	if (size >= SIM_PAGE_BYTES)
		return 6;
	if (size >= 1024)
		return 24;
	if (size >= 256)
		return 52;
	return 120;
}

/* --- per-cache set-up, on first use ------------------------------------ */

static long slub_param(const struct slub *sl, enum slub_param i, long autoval)
{
	return sl->p.is_auto[i] ? autoval : sl->p.v[i];
}

/* A cache's first use: kmem_cache_create() and its per-cpu and per-node parts. */
static __attribute__((noinline)) struct slub_cache *slub_cache_setup(struct slub *sl, unsigned id)
{
	struct slub_cache *c = &sl->cache[id];
	struct machine *m = sl->m;

	c->ready = true;
	c->size = SIM_MAX(machine_cache_size(m, id), 8u);
	/* auto: the traced kernel's order where a snapshot gave it, else calculate_order() */
	c->order = (uint32_t)slub_param(sl, P_ORDER, machine_cache_order(m, id) >= 0 ? machine_cache_order(m, id)
						     : (long)slub_default_order(c->size, m->ncpus));
	while ((SIM_PAGE_BYTES << c->order) < c->size)
		c->order++;
	c->objects = SIM_MIN((SIM_PAGE_BYTES << c->order) / c->size, 32767u);
	c->fp_offset = sl->classic ? (c->size / 2) & ~7u : 0;
	c->min_partial = (unsigned)slub_param(sl, P_MIN_PARTIAL, slub_default_min_partial(c->size));
	c->cpu_partial = sl->classic ? (unsigned)slub_param(sl, P_CPU_PARTIAL, slub_default_cpu_partial(c->size)) : 0;
	/* slub_set_cpu_partial(): slabs assumed half full */
	c->cpu_partial_slabs = (c->cpu_partial * 2 + c->objects - 1) / c->objects;
	c->addr = machine_struct_alloc(m, 0, SIM_LINE_BYTES + 8 * m->ncpus, SIM_LINE_BYTES);
	c->cpu = xcalloc(m->ncpus, sizeof(*c->cpu));
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++) {
		c->cpu[cpu].addr = machine_struct_alloc(m, m->cpu_node[cpu], SIM_LINE_BYTES, SIM_LINE_BYTES);
		c->cpu[cpu].fl = xmalloc(c->objects * sizeof(uint16_t));
	}
	c->node = xcalloc(m->nnodes, sizeof(*c->node));
	for (unsigned n = 0; n < m->nnodes; n++) {
		sim_addr_t a = machine_struct_alloc(m, n, SIM_LINE_BYTES, SIM_LINE_BYTES);

		sim_lock_init(&c->node[n].list_lock, a, SIM_LOCK_list_lock);
		c->node[n].partial.addr = a;
	}
	return c;
}

static inline struct slub_cache *slub_cache_get(struct slub *sl, unsigned id)
{
	struct slub_cache *c = &sl->cache[id];

	return c->ready ? c : slub_cache_setup(sl, id);
}

/* 2007: &s->cpu_slab[cpu], an array in struct kmem_cache after its first line. */
static sim_addr_t slub_cpu_slab_ptr(const struct slub_cache *c, unsigned cpu)
{
	return c->addr + SIM_LINE_BYTES + 8 * (sim_addr_t)cpu;
}

/* --- frozen slabs and the cached_objs gauge ----------------------------- */

static void slub_freeze(struct sim_op *op, struct slab *s, unsigned cpu)
{
	s->frozen = 1;
	s->owner = (int16_t)cpu;
	sim_gauge_add(op, SIM_GAUGE_cached_objs, s->nfree);
}

static void slub_unfreeze(struct sim_op *op, struct slab *s)
{
	s->frozen = 0;
	s->owner = -1;
	sim_gauge_add(op, SIM_GAUGE_cached_objs, -(int64_t)s->nfree);
}

static struct slab *slub_new_slab(struct slub *sl, struct sim_op *op, struct slub_cache *c)
{
	int node = op->want_node >= 0 ? op->want_node : SIM_NO_NODE;
	struct slab *s = slab_new(&sl->b, op, c->order, c->size, c->objects, c->fp_offset, node);

	sim_count(op, SIM_CNT_alloc_slab);
	return s;
}

static void slub_discard(struct slub *sl, struct sim_op *op, struct slab *s)
{
	slab_discard(&sl->b, op, s);
	sim_count(op, SIM_CNT_free_slab);
}

/* ======================================================================
 * 2007: the unqueued allocator of seed 002
 * ====================================================================== */

static void add_partial_2007(struct sim_op *op, struct slub_node *n, struct slab *s)
{
	sim_lock_acquire(op, &n->list_lock);
	slab_list_add_tail(op, &n->partial, s);
	sim_lock_release(op, &n->list_lock);
}

static void remove_partial_2007(struct sim_op *op, struct slub_node *n, struct slab *s)
{
	sim_lock_acquire(op, &n->list_lock);
	slab_list_del(op, &n->partial, s);
	sim_lock_release(op, &n->list_lock);
}

/* putback_slab(): slab lock held on entry, dropped on exit. */
static void putback_slab_2007(struct slub *sl, struct sim_op *op, struct slub_cache *c, struct slab *s)
{
	struct slub_node *n = &c->node[s->node];

	if (s->inuse || n->partial.n < c->min_partial) {
		if (s->inuse < s->objects) {
			add_partial_2007(op, n, s);
			sim_count(op, SIM_CNT_deactivate_to_tail);
		} else {
			sim_count(op, SIM_CNT_deactivate_full);
		}
		sim_lock_release(op, &s->lock);
	} else {
		sim_lock_release(op, &s->lock);
		sim_count(op, SIM_CNT_deactivate_empty);
		slub_discard(sl, op, s);
	}
}

/* deactivate_slab(): slab lock held on entry, dropped on exit. */
static void deactivate_slab_2007(struct slub *sl, struct sim_op *op, struct slub_cache *c, unsigned cpu)
{
	struct slab *s = c->cpu[cpu].slab;

	c->cpu[cpu].slab = NULL;
	sim_write(op, slub_cpu_slab_ptr(c, cpu));
	sim_write(op, slab_struct(s));		/* ClearPageActive, ClearPageReferenced */
	slub_unfreeze(op, s);
	putback_slab_2007(sl, op, c, s);
}

/* get_partial(): a partial slab, locked and off the list, local node first. */
static struct slab *get_partial_2007(struct sim_op *op, struct slub_cache *c)
{
	for (unsigned i = 0; i < op->m->nnodes; i++) {
		unsigned nid = (op->node + i) % op->m->nnodes;
		struct slub_node *n = &c->node[nid];
		struct slab *s;

		sim_read(op, n->partial.addr);		/* racy nr_partial check */
		if (!n->partial.n)
			continue;
		sim_lock_acquire(op, &n->list_lock);
		for (s = n->partial.head; s; s = s->next) {
			sim_read(op, slab_struct(s));
			if (sim_lock_try(op, &s->lock)) {
				slab_list_del(op, &n->partial, s);
				break;
			}
		}
		sim_lock_release(op, &n->list_lock);
		if (s)
			return s;
	}
	return NULL;
}

static sim_addr_t slub_alloc_2007(struct slub *sl, struct sim_op *op, struct slub_cache *c)
{
	struct slub_cpu *cc = &c->cpu[op->cpu];
	struct slab *s = cc->slab;
	sim_addr_t obj;

	sim_read(op, c->addr);
	sim_read(op, slub_cpu_slab_ptr(c, op->cpu));
	if (s) {
		sim_lock_acquire(op, &s->lock);
		sim_read(op, slab_struct(s));
		if (s->nfree && (op->want_node < 0 || (unsigned)op->want_node == s->node)) {
			sim_count(op, SIM_CNT_alloc_fastpath);
			goto redo;
		}
		sim_count(op, SIM_CNT_alloc_slowpath);
		if (s->nfree)
			sim_count(op, SIM_CNT_alloc_node_mismatch);
		deactivate_slab_2007(sl, op, c, op->cpu);
	} else {
		sim_count(op, SIM_CNT_alloc_slowpath);
	}
	s = get_partial_2007(op, c);
	if (s) {
		sim_count(op, SIM_CNT_alloc_from_partial);
	} else {
		s = slub_new_slab(sl, op, c);
		sim_lock_acquire(op, &s->lock);
	}
	cc->slab = s;
	sim_write(op, slub_cpu_slab_ptr(c, op->cpu));
	slub_freeze(op, s, op->cpu);
redo:
	obj = slab_freelist_pop(s);
	s->inuse++;
	sim_read(op, slab_obj_fp(s, obj));
	sim_write(op, slab_struct(s));		/* freelist, inuse, PageReferenced */
	cc->referenced = true;
	sim_gauge_add(op, SIM_GAUGE_cached_objs, -1);
	sim_lock_release(op, &s->lock);
	return obj;
}

static void slub_free_2007(struct slub *sl, struct sim_op *op, struct slub_cache *c, struct slab *s, sim_addr_t obj)
{
	struct slub_node *n = &c->node[s->node];
	bool prior;

	sim_read(op, c->addr);
	sim_read(op, slab_struct(s));			/* virt_to_page, PageCompound */
	sim_lock_acquire(op, &s->lock);
	prior = s->nfree != 0;
	sim_write(op, slab_obj_fp(s, obj));
	slab_freelist_push(s, obj);
	s->inuse--;
	sim_write(op, slab_struct(s));
	if (s->frozen) {				/* PageActive: some cpu's slab */
		sim_gauge_add(op, SIM_GAUGE_cached_objs, 1);
		if (s->owner == (int16_t)op->cpu) {
			sim_count(op, SIM_CNT_free_fastpath);
		} else {
			sim_count(op, SIM_CNT_free_slowpath);
			sim_count(op, SIM_CNT_free_frozen);
		}
		sim_lock_release(op, &s->lock);
		return;
	}
	sim_count(op, SIM_CNT_free_slowpath);
	if (s->inuse && prior) {
		sim_lock_release(op, &s->lock);
		return;
	}
	if (!prior) {
		/* was full: now partial (or empty, if it held one object) */
		if (s->inuse || n->partial.n < c->min_partial) {
			add_partial_2007(op, n, s);
			sim_count(op, SIM_CNT_free_add_partial);
			sim_lock_release(op, &s->lock);
			return;
		}
		sim_lock_release(op, &s->lock);
		slub_discard(sl, op, s);
		return;
	}
	/* all objects free: off the partial list, unless the node keeps it */
	if (n->partial.n < c->min_partial) {
		sim_lock_release(op, &s->lock);
		return;
	}
	remove_partial_2007(op, n, s);
	sim_count(op, SIM_CNT_free_remove_partial);
	sim_lock_release(op, &s->lock);
	slub_discard(sl, op, s);
}

/* The 2 s flusher (check_flush_cpu_slab on each cpu). */
static void slub_flush_2007(struct slub *sl, struct sim_op *op)
{
	for (unsigned id = 0; id < sl->m->ncaches; id++) {
		struct slub_cache *c = &sl->cache[id];
		struct slub_cpu *cc;

		if (!c->ready || !c->cpu[op->cpu].slab)
			continue;
		cc = &c->cpu[op->cpu];
		sim_op_set_cache(op, id);
		sim_read(op, slab_struct(cc->slab));
		if (cc->referenced) {
			cc->referenced = false;
			sim_write(op, slab_struct(cc->slab));
			continue;
		}
		sim_lock_acquire(op, &cc->slab->lock);
		deactivate_slab_2007(sl, op, c, op->cpu);
		sim_count(op, SIM_CNT_cpuslab_flush);
	}
}

/* ======================================================================
 * classic SLUB (6.1)
 * ====================================================================== */

/* add_partial()/remove_partial(): list_lock held. */
static void add_partial(struct sim_op *op, struct slub_node *n, struct slab *s, bool tail)
{
	if (tail)
		slab_list_add_tail(op, &n->partial, s);
	else
		slab_list_add_head(op, &n->partial, s);
}

/* Moves the cpu freelist back onto the head of the slab's freelist. */
static void cpu_freelist_splice(struct slub_cpu *cc, struct slab *s)
{
	for (unsigned i = 0; i < cc->nfl; i++)
		s->free[s->nfree++] = cc->fl[i];
	s->inuse -= (uint16_t)cc->nfl;
	cc->nfl = 0;
}

/* deactivate_slab(): gives the cpu slab and its cpu freelist back. */
static void deactivate_slab(struct slub *sl, struct sim_op *op, struct slub_cache *c, struct slub_cpu *cc)
{
	struct slab *s = cc->slab;
	struct slub_node *n = &c->node[s->node];
	bool tail = false;

	cc->slab = NULL;
	sim_write(op, cc->addr);
	if (s->nfree) {
		sim_count(op, SIM_CNT_deactivate_remote_frees);
		tail = true;
	}
	/* stage one: walk the cpu freelist, reading each free pointer */
	for (unsigned i = cc->nfl; i-- > 0; )
		sim_read(op, slab_obj_fp(s, slab_obj_addr(s, cc->fl[i])));
	if (cc->nfl)
		sim_write(op, slab_obj_fp(s, slab_obj_addr(s, cc->fl[0])));	/* tail -> old freelist */
	cpu_freelist_splice(cc, s);
	slub_unfreeze(op, s);
	if (!s->inuse && n->partial.n >= c->min_partial) {
		sim_cmpxchg(op, slab_struct(s), SIM_CNT_cmpxchg_double_fail);
		sim_count(op, SIM_CNT_deactivate_empty);
		slub_discard(sl, op, s);
	} else if (s->nfree) {
		sim_lock_acquire(op, &n->list_lock);
		sim_cmpxchg(op, slab_struct(s), SIM_CNT_cmpxchg_double_fail);
		add_partial(op, n, s, tail);
		sim_lock_release(op, &n->list_lock);
		sim_count(op, tail ? SIM_CNT_deactivate_to_tail : SIM_CNT_deactivate_to_head);
	} else {
		sim_cmpxchg(op, slab_struct(s), SIM_CNT_cmpxchg_double_fail);
		sim_count(op, SIM_CNT_deactivate_full);
	}
}

/* __unfreeze_partials(): the cpu partial list to the node lists. */
static void unfreeze_partials(struct slub *sl, struct sim_op *op, struct slub_cache *c, struct slab *list)
{
	struct slub_node *locked = NULL;
	struct slab *empty = NULL;

	while (list) {
		struct slab *s = list;
		struct slub_node *n = &c->node[s->node];

		list = s->next;
		if (n != locked) {
			if (locked)
				sim_lock_release(op, &locked->list_lock);
			sim_lock_acquire(op, &n->list_lock);
			locked = n;
		}
		sim_cmpxchg(op, slab_struct(s), SIM_CNT_cmpxchg_double_fail);
		slub_unfreeze(op, s);
		if (!s->inuse && n->partial.n >= c->min_partial) {
			s->next = empty;
			empty = s;
		} else {
			add_partial(op, n, s, true);
			sim_count(op, SIM_CNT_free_add_partial);
		}
	}
	if (locked)
		sim_lock_release(op, &locked->list_lock);
	while (empty) {
		struct slab *s = empty;

		empty = s->next;
		sim_count(op, SIM_CNT_deactivate_empty);
		slub_discard(sl, op, s);
	}
}

/* put_cpu_partial(): a frozen slab onto this cpu's partial list. */
static void put_cpu_partial(struct slub *sl, struct sim_op *op, struct slub_cache *c, struct slab *s, bool drain)
{
	struct slub_cpu *cc = &c->cpu[op->cpu];
	struct slab *old = cc->partial, *to_unfreeze = NULL;
	unsigned nslabs = 0;

	sim_read(op, cc->addr);
	if (old) {
		sim_read(op, slab_struct(old));
		if (drain && cc->npartial >= c->cpu_partial_slabs) {
			to_unfreeze = old;
			old = NULL;
		} else {
			nslabs = cc->npartial;
		}
	}
	s->next = old;
	s->nslabs = (uint16_t)(nslabs + 1);
	sim_write(op, slab_struct(s));
	cc->partial = s;
	cc->npartial = nslabs + 1;
	sim_write(op, cc->addr);
	if (to_unfreeze) {
		unfreeze_partials(sl, op, c, to_unfreeze);
		sim_count(op, SIM_CNT_cpu_partial_drain);
	}
}

/* acquire_slab(): freezes a node-partial slab and takes its freelist; list_lock held. */
static void acquire_slab(struct sim_op *op, struct slub_node *n, struct slab *s, unsigned cpu)
{
	sim_read(op, slab_struct(s));
	sim_cmpxchg(op, slab_struct(s), SIM_CNT_cmpxchg_double_fail);
	slab_list_del(op, &n->partial, s);
	slub_freeze(op, s, cpu);
}

/* get_partial_node(): one slab for the cpu, more for the cpu partial list. */
static struct slab *get_partial_node(struct slub *sl, struct sim_op *op, struct slub_cache *c, unsigned nid)
{
	struct slub_node *n = &c->node[nid];
	struct slab *got = NULL;
	unsigned moved = 0;

	sim_read(op, n->partial.addr);
	if (!n->partial.n)
		return NULL;
	sim_lock_acquire(op, &n->list_lock);
	while (n->partial.head) {
		struct slab *s = n->partial.head;

		acquire_slab(op, n, s, op->cpu);
		if (!got) {
			got = s;
			sim_count(op, SIM_CNT_alloc_from_partial);
		} else {
			put_cpu_partial(sl, op, c, s, false);
			sim_count(op, SIM_CNT_cpu_partial_node);
			moved++;
		}
		if (!c->cpu_partial || moved > c->cpu_partial_slabs / 2)
			break;
	}
	sim_lock_release(op, &n->list_lock);
	return got;
}

/* get_partial(): the requested or local node, then others (get_any_partial). */
static struct slab *get_partial(struct slub *sl, struct sim_op *op, struct slub_cache *c)
{
	unsigned nid = op->want_node >= 0 ? (unsigned)op->want_node % op->m->nnodes : op->node;
	struct slab *s = get_partial_node(sl, op, c, nid);

	if (s || op->want_node >= 0 || op->m->nnodes == 1)
		return s;
	/* remote_node_defrag_ratio = 1000: skip other nodes when get_cycles() % 1024 > 1000 */
	if (gsl_rng_uniform_int(op->m->rng, 1024) > 1000)
		return NULL;
	for (unsigned i = 1; i < op->m->nnodes && !s; i++) {
		unsigned other = (nid + i) % op->m->nnodes;

		if (c->node[other].partial.n > c->min_partial)
			s = get_partial_node(sl, op, c, other);
	}
	return s;
}

/*
 * Loads the slab's freelist into the cpu freelist; true if it had any.
 * cas: by cmpxchg_double on the struct page (get_freelist()), not for a
 * slab nobody else can see yet or one acquire_slab() already emptied.
 */
static bool cpu_freelist_load(struct sim_op *op, struct slub_cpu *cc, struct slab *s, bool cas)
{
	if (cas)
		sim_cmpxchg(op, slab_struct(s), SIM_CNT_cmpxchg_double_fail);
	if (!s->nfree)
		return false;
	s->inuse = (uint16_t)(s->inuse + s->nfree);
	while (s->nfree)
		cc->fl[cc->nfl++] = s->free[--s->nfree];
	/* keep the head on top: the list order is unchanged */
	for (unsigned i = 0; i < cc->nfl / 2; i++) {
		uint16_t t = cc->fl[i];

		cc->fl[i] = cc->fl[cc->nfl - 1 - i];
		cc->fl[cc->nfl - 1 - i] = t;
	}
	return true;
}

static sim_addr_t cpu_freelist_pop(struct sim_op *op, struct slub_cpu *cc)
{
	sim_addr_t obj = slab_obj_addr(cc->slab, cc->fl[--cc->nfl]);

	sim_read(op, slab_obj_fp(cc->slab, obj));	/* get_freepointer */
	sim_write(op, cc->addr);			/* c->freelist, c->tid */
	sim_gauge_add(op, SIM_GAUGE_cached_objs, -1);
	return obj;
}

/* ___slab_alloc(): the slow path. */
static sim_addr_t slub_alloc_slow(struct slub *sl, struct sim_op *op, struct slub_cache *c)
{
	struct slub_cpu *cc = &c->cpu[op->cpu];
	struct slab *s = cc->slab;

	sim_count(op, SIM_CNT_alloc_slowpath);
	if (s && op->want_node >= 0 && (unsigned)op->want_node != s->node) {
		sim_count(op, SIM_CNT_alloc_node_mismatch);
		deactivate_slab(sl, op, c, cc);
		s = NULL;
	}
	if (s) {
		if (cpu_freelist_load(op, cc, s, true)) {
			sim_count(op, SIM_CNT_alloc_refill);
			return cpu_freelist_pop(op, cc);
		}
		/* the slab is full: it leaves the cpu unfrozen, on no list */
		slub_unfreeze(op, s);
		cc->slab = NULL;
		sim_write(op, cc->addr);
		sim_count(op, SIM_CNT_deactivate_bypass);
	}
	while (cc->partial) {			/* new_slab: the cpu partial list */
		s = cc->partial;
		cc->partial = s->next;
		cc->npartial--;
		s->next = NULL;
		sim_read(op, slab_struct(s));
		cc->slab = s;
		sim_write(op, cc->addr);
		sim_count(op, SIM_CNT_cpu_partial_alloc);
		if (cpu_freelist_load(op, cc, s, true))
			return cpu_freelist_pop(op, cc);
		slub_unfreeze(op, s);
		cc->slab = NULL;
		sim_count(op, SIM_CNT_deactivate_bypass);
	}
	s = get_partial(sl, op, c);
	if (!s) {
		s = slub_new_slab(sl, op, c);
		slub_freeze(op, s, op->cpu);
	}
	cc->slab = s;
	cpu_freelist_load(op, cc, s, false);
	sim_write(op, cc->addr);
	return cpu_freelist_pop(op, cc);
}

static sim_addr_t slub_alloc_classic(struct slub *sl, struct sim_op *op, struct slub_cache *c)
{
	struct slub_cpu *cc = &c->cpu[op->cpu];

	sim_read(op, c->addr);
	sim_read(op, cc->addr);
	if (cc->nfl && (op->want_node < 0 || (unsigned)op->want_node == cc->slab->node)) {
		sim_count(op, SIM_CNT_alloc_fastpath);
		return cpu_freelist_pop(op, cc);
	}
	return slub_alloc_slow(sl, op, c);
}

/*
 * __slab_free(): cnt objects of slab s (a detached freelist, already linked
 * through their free pointers) to a slab that is not the cpu slab.
 */
static void slub_free_slow(struct slub *sl, struct sim_op *op, struct slub_cache *c, struct slab *s,
			   const sim_addr_t *objs, unsigned cnt)
{
	struct slub_node *n = NULL;
	bool prior = s->nfree != 0, was_frozen = s->frozen;

	sim_count(op, SIM_CNT_free_slowpath);
	sim_read(op, slab_struct(s));
	sim_write(op, slab_obj_fp(s, objs[cnt - 1]));	/* tail -> prior */
	if (!was_frozen && ((s->inuse == cnt && prior) || (!prior && !c->cpu_partial))) {
		n = &c->node[s->node];
		sim_lock_acquire(op, &n->list_lock);
	}
	sim_cmpxchg(op, slab_struct(s), SIM_CNT_cmpxchg_double_fail);
	for (unsigned i = cnt; i-- > 0; )
		slab_freelist_push(s, objs[i]);
	s->inuse = (uint16_t)(s->inuse - cnt);
	if (was_frozen) {
		sim_gauge_add(op, SIM_GAUGE_cached_objs, cnt);
		sim_count(op, SIM_CNT_free_frozen);
		return;
	}
	if (!prior && !c->cpu_partial) {
		/* !kmem_cache_has_cpu_partial(): a full slab goes to the node partial list */
		if (!s->inuse && n->partial.n >= c->min_partial) {
			sim_lock_release(op, &n->list_lock);
			slub_discard(sl, op, s);
			return;
		}
		slab_list_add_tail(op, &n->partial, s);
		sim_count(op, SIM_CNT_free_add_partial);
		sim_lock_release(op, &n->list_lock);
		return;
	}
	if (!prior) {
		/* was full and on no list: freeze it onto this cpu's partial list */
		slub_freeze(op, s, op->cpu);
		put_cpu_partial(sl, op, c, s, true);
		sim_count(op, SIM_CNT_cpu_partial_free);
		return;
	}
	if (!n)
		return;
	if (n->partial.n >= c->min_partial) {
		slab_list_del(op, &n->partial, s);
		sim_count(op, SIM_CNT_free_remove_partial);
		sim_lock_release(op, &n->list_lock);
		slub_discard(sl, op, s);
		return;
	}
	sim_lock_release(op, &n->list_lock);
}

/* do_slab_free(): cnt objects of slab s, linked through their free pointers. */
static void slub_free_classic(struct slub *sl, struct sim_op *op, struct slub_cache *c, struct slab *s,
			      const sim_addr_t *objs, unsigned cnt)
{
	struct slub_cpu *cc = &c->cpu[op->cpu];

	sim_read(op, c->addr);
	sim_read(op, cc->addr);
	if (s == cc->slab) {
		sim_write(op, slab_obj_fp(s, objs[cnt - 1]));	/* set_freepointer(tail) */
		sim_write(op, cc->addr);			/* this_cpu_cmpxchg_double */
		for (unsigned i = cnt; i-- > 0; )
			cc->fl[cc->nfl++] = (uint16_t)slab_obj_index(s, objs[i]);
		sim_gauge_add(op, SIM_GAUGE_cached_objs, cnt);
		sim_count(op, SIM_CNT_free_fastpath);
		return;
	}
	slub_free_slow(sl, op, c, s, objs, cnt);
}

/* --- bulk operations, for the front-end caches built on SLUB ------------- */

unsigned slub_alloc_bulk(void *pol, struct sim_op *op, unsigned n, sim_addr_t *out)
{
	struct slub *sl = pol;
	struct slub_cache *c = slub_cache_get(sl, op->cache);
	struct slub_cpu *cc = &c->cpu[op->cpu];

	if (!sl->classic) {
		for (unsigned i = 0; i < n; i++)
			out[i] = slub_alloc_2007(sl, op, c);
		return n;
	}
	/* __kmem_cache_alloc_bulk(): one pass over the cpu freelist under the local lock */
	sim_read(op, c->addr);
	sim_read(op, cc->addr);
	for (unsigned i = 0; i < n; i++) {
		if (!cc->nfl || (op->want_node >= 0 && (unsigned)op->want_node != cc->slab->node)) {
			out[i] = slub_alloc_slow(sl, op, c);
			continue;
		}
		out[i] = slab_obj_addr(cc->slab, cc->fl[--cc->nfl]);
		sim_read(op, slab_obj_fp(cc->slab, out[i]));
		sim_gauge_add(op, SIM_GAUGE_cached_objs, -1);
	}
	sim_write(op, cc->addr);
	return n;
}

void slub_free_bulk(void *pol, struct sim_op *op, unsigned n, const sim_addr_t *objs)
{
	struct slub *sl = pol;
	struct slub_cache *c = slub_cache_get(sl, op->cache);
	sim_addr_t *group = xmalloc((n ? n : 1) * sizeof(*group));
	bool *done = xcalloc(n ? n : 1, sizeof(*done));

	/* build_detached_freelist(): the objects of one slab at a time, each free pointer written */
	for (unsigned i = n; i-- > 0; ) {
		struct slab *s;
		unsigned cnt = 0;

		if (done[i])
			continue;
		s = slab_of(&sl->b, objs[i]);
		sim_assert(s && s->cache == op->cache);
		for (unsigned j = i + 1; j-- > 0; ) {
			if (done[j] || slab_of(&sl->b, objs[j]) != s)
				continue;
			done[j] = true;
			group[cnt++] = objs[j];
			sim_write(op, slab_obj_fp(s, objs[j]));
		}
		if (sl->classic) {
			slub_free_classic(sl, op, c, s, group, cnt);
		} else {
			for (unsigned k = 0; k < cnt; k++)
				slub_free_2007(sl, op, c, s, group[k]);
		}
	}
	free(group);
	free(done);
}

/* ======================================================================
 * the policy interface
 * ====================================================================== */

static void *slub_create(struct machine *m, const struct sim_param_values *p)
{
	struct slub *sl = xcalloc(1, sizeof(*sl));

	sl->m = m;
	sl->p = *p;
	sl->classic = p->v[P_MODE] == MODE_CLASSIC ||
		      (p->v[P_MODE] == MODE_AUTO && (p->is_auto[P_CPU_PARTIAL] || p->v[P_CPU_PARTIAL] > 0));
	sl->cache = xcalloc(m->ncaches ? m->ncaches : 1, sizeof(*sl->cache));
	slab_backend_init(&sl->b, m);
	return sl;
}

static sim_addr_t slub_alloc(void *pol, struct sim_op *op)
{
	struct slub *sl = pol;
	struct slub_cache *c = slub_cache_get(sl, op->cache);

	return sl->classic ? slub_alloc_classic(sl, op, c) : slub_alloc_2007(sl, op, c);
}

static void slub_free(void *pol, struct sim_op *op, sim_addr_t obj)
{
	struct slub *sl = pol;
	struct slub_cache *c = slub_cache_get(sl, op->cache);
	struct slab *s = slab_of(&sl->b, obj);

	sim_assert(s && s->cache == op->cache);
	if (sl->classic)
		slub_free_classic(sl, op, c, s, &obj, 1);
	else
		slub_free_2007(sl, op, c, s, obj);
}

static uint64_t slub_timer_period_ns(const void *pol)
{
	const struct slub *sl = pol;

	return sl->classic ? 0 : 2000000000ull;	/* schedule_delayed_work(&s->flush, 2 * HZ) */
}

static void slub_timer(void *pol, struct sim_op *op)
{
	struct slub *sl = pol;

	if (!sl->classic)
		slub_flush_2007(sl, op);
}

/* flush_all() and then free every empty partial slab (kmem_cache_shrink). */
static void slub_drain(void *pol, struct sim_op *op)
{
	struct slub *sl = pol;

	for (unsigned id = 0; id < sl->m->ncaches; id++) {
		struct slub_cache *c = &sl->cache[id];

		if (!c->ready)
			continue;
		sim_op_set_cache(op, id);
		for (unsigned cpu = 0; cpu < sl->m->ncpus; cpu++) {
			struct slub_cpu *cc = &c->cpu[cpu];

			sim_op_set_cpu(op, cpu);
			if (cc->slab && sl->classic) {
				deactivate_slab(sl, op, c, cc);
			} else if (cc->slab) {
				sim_lock_acquire(op, &cc->slab->lock);
				deactivate_slab_2007(sl, op, c, cpu);
			}
			if (cc->partial) {
				struct slab *list = cc->partial;

				cc->partial = NULL;
				cc->npartial = 0;
				unfreeze_partials(sl, op, c, list);
			}
		}
		for (unsigned nid = 0; nid < sl->m->nnodes; nid++) {
			struct slub_node *n = &c->node[nid];
			struct slab *s = n->partial.head;

			sim_lock_acquire(op, &n->list_lock);
			while (s) {
				struct slab *next = s->next;

				if (!s->inuse) {
					slab_list_del(op, &n->partial, s);
					slub_discard(sl, op, s);
				}
				s = next;
			}
			sim_lock_release(op, &n->list_lock);
		}
	}
}

static void slub_destroy(void *pol)
{
	struct slub *sl = pol;

	for (unsigned id = 0; id < sl->m->ncaches; id++) {
		struct slub_cache *c = &sl->cache[id];

		if (!c->ready)
			continue;
		for (unsigned cpu = 0; cpu < sl->m->ncpus; cpu++)
			free(c->cpu[cpu].fl);
		free(c->cpu);
		free(c->node);
	}
	slab_backend_fini(&sl->b);
	free(sl->cache);
	free(sl);
}

static bool slub_cache_is_valid(const struct slub_cache *c, unsigned ncpus, unsigned nnodes,
				char *why, size_t len)
{
	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		const struct slub_cpu *cc = &c->cpu[cpu];
		unsigned k = 0;

		if (cc->slab && (!cc->slab->frozen || cc->slab->owner != (int16_t)cpu)) {
			snprintf(why, len, "cpu %u's cpu slab is not frozen by it", cpu);
			return false;
		}
		if (cc->nfl && !cc->slab) {
			snprintf(why, len, "cpu %u has a cpu freelist without a cpu slab", cpu);
			return false;
		}
		for (const struct slab *s = cc->partial; s; s = s->next, k++)
			if (!s->frozen) {
				snprintf(why, len, "an unfrozen slab is on cpu %u's partial list", cpu);
				return false;
			}
		if (k != cc->npartial) {
			snprintf(why, len, "cpu %u's partial count %u != %u slabs listed", cpu, cc->npartial, k);
			return false;
		}
	}
	for (unsigned nid = 0; nid < nnodes; nid++) {
		unsigned long k = 0;

		for (const struct slab *s = c->node[nid].partial.head; s; s = s->next, k++)
			if (s->frozen || !slab_is_valid(s) || s->node != nid) {
				snprintf(why, len, "a slab on node %u's partial list is frozen, inconsistent or remote", nid);
				return false;
			}
		if (k != c->node[nid].partial.n) {
			snprintf(why, len, "node %u's nr_partial %lu != %lu slabs listed", nid, c->node[nid].partial.n, k);
			return false;
		}
	}
	return true;
}

static bool slub_is_valid(const void *pol, char *why, size_t len)
{
	const struct slub *sl = pol;

	for (unsigned id = 0; id < sl->m->ncaches; id++)
		if (sl->cache[id].ready &&
		    !slub_cache_is_valid(&sl->cache[id], sl->m->ncpus, sl->m->nnodes, why, len))
			return false;
	return true;
}

const char *const slub_backing_choices[] = { "classic", "nopartial", "2007", NULL };

void *slub_backing_create(struct machine *m, long backing)
{
	static const char *const settings[] = {
		[SLUB_BACKING_CLASSIC] = "cpu_partial=auto,min_partial=auto,order=auto",
		[SLUB_BACKING_NOPARTIAL] = "mode=classic,cpu_partial=0",
		[SLUB_BACKING_2007] = "cpu_partial=0,min_partial=0",
	};
	struct sim_param_values sp;
	char err[256];

	if (backing < 0 || backing > SLUB_BACKING_2007)
		return NULL;
	policy_params_default(&slub_policy, &sp);
	if (policy_params_apply(&slub_policy, &sp, settings[backing], err, sizeof(err)))
		return NULL;
	return slub_policy.create(m, &sp);
}

const struct sim_policy_ops slub_policy = {
	.name = "slub",
	.summary = "SLUB: cpu slabs, per-node partial lists under list_lock; cpu_partial=0 is the 2007 patch",
	.models = "mm/slub.c of 6.1 (classic SLUB, cpu partial slabs); seed 002 (2007) with cpu_partial=0",
	.params = slub_params,
	.nparams = P_COUNT,
	.create = slub_create,
	.alloc = slub_alloc,
	.free = slub_free,
	.timer = slub_timer,
	.timer_period_ns = slub_timer_period_ns,
	.drain = slub_drain,
	.destroy = slub_destroy,
	.is_valid = slub_is_valid,
};
