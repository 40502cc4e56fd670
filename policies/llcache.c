/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * llcache.c - a per-cpu linked list of free objects in front of SLUB, in
 * the two forms it has taken.
 *
 * Models, elem=separate: Hyeonggon Yoo, "[RFC] Introducing lockless cache
 * built on top of slab allocator" (19 Sep 2021, seed 000, mm/lockless_cache.c).
 * Per cpu and cache a struct freelist {list head; int size}; every cached
 * object has a struct object_list {void *object; struct list_head list;}
 * (24 bytes) from one separate cache, "global_list_cache".  A free
 * allocates an element, links it at the head (list_add), bumps
 * freelist->size and the cache-wide cache->total_size; above `max` it
 * drops objects from the tail (list_last_entry(), the coldest), each
 * object and its element freed to SLUB.  An allocation takes the head
 * (LIFO), list_del()s it and frees its element; on an empty list it
 * allocates from SLUB (no refill).
 *
 * Models, elem=embedded: Jens Axboe's per-cpu bio cache of 5.15, block/bio.c
 * (commit "bio: add allocation cache abstraction"): struct bio_alloc_cache
 * {struct bio_list free_list; unsigned int nr;}, linked through the first
 * word of the object itself (bio->bi_next); bio_put() adds at the head
 * (bio_list_add_head()) and, "if we get above max + slack, we drop slack
 * number of bio's": bio_alloc_cache_prune() pops them from the head, the
 * most recently freed, and frees them one at a time (bio_free(), not a bulk
 * free); bio_alloc_kiocb() pops the head, or allocates from the slab.
 * ALLOC_CACHE_MAX 512 and ALLOC_CACHE_SLACK 64 are preset biocache.
 *
 * Notes (choices where the sources are silent or disagree):
 * - The RFC is a proof of concept with evident slips (list_add() with its
 *   arguments swapped, list_empty() inverted, freelist->head a pointer to
 *   an object_list never allocated, the element found by container_of()
 *   on the argument instead of allocated on free and never freed on
 *   alloc, a miss returning an element instead of an object); its evident
 *   intent is modelled, as its cover letter and DESIGN.md describe it: a
 *   list head in the per-cpu struct, an element allocated per cached
 *   object and freed when the object leaves the list.
 * - Overflow: the RFC's header says slack is the "number of objects
 *   returning to slab when freelist is too big (> max)"; its code returns
 *   one object (the tail) whenever size > max.  Modelled: above max, slack
 *   objects from the tail; slack=1 is the code exactly.  The bio cache's
 *   rule differs (above max + slack, slack from the head) and is kept.
 * - cache->total_size is a plain int in the shared struct lockless_cache,
 *   written by every cpu on every cached alloc and free (next to max and
 *   the percpu pointer that every operation reads): that line is modelled,
 *   and moves between cpus as it would.
 * - Context.  The RFC has no context rule (this_cpu_ptr(), no preemption
 *   or IRQ protection; its cover letter targets IO polling "because IO
 *   polling disables interrupt"); Jens Axboe's review of v2 (seed 001) asks
 *   for preemption disabled and IRQs disabled if frees can come from
 *   interrupts.  Modelled: every context but NMI uses the list, inside an
 *   IRQ-disabled section that costs nothing here (as local_irq_save in
 *   slub.c).  The 5.15 bio cache is process-context only ("the final put
 *   of the bio MUST be done from process context, not hard/soft IRQ";
 *   the next version checks !in_interrupt() and else calls bio_free()):
 *   softirq and hardirq operations bypass it.  An allocation that names a node bypasses
 *   both (neither has a node variant).
 * - Memory: the elements are real objects of the element cache (registered
 *   with machine_cache_register()), so their pages show as that cache's
 *   slab_bytes and their allocations in its SLUB counters.  They are not
 *   counted again in meta_bytes, which would count those bytes twice;
 *   meta_bytes holds the per-cpu list heads (24 bytes per cpu and cache,
 *   allocated for every cpu when the cache is first used).
 * - The list heads sit at line-aligned simulated addresses on each cpu's
 *   node (a percpu unit is private to its cpu).
 *
 * Does not model: the object constructor the RFC calls on allocation,
 * bio_init()/bio_uninit() (the workload touches stand for them), the
 * mempool behind bio_free(), the irq list of 6.1+ bio caches, cpu hotplug.
 *
 * Locks: none of its own (preemption and IRQ disabling only); SLUB's below.
 *
 * Counters (slabsim's own; the kernel has none for these): llcache_alloc_hit,
 * llcache_alloc_miss (list empty: SLUB), llcache_alloc_bypass (context or
 * node request: SLUB), llcache_free_cached, llcache_free_bypass, and
 * llcache_prune (objects given back to SLUB by an overflow or a drain).
 * For the trace's caches alloc = hit + miss + alloc_bypass and free =
 * free_cached + free_bypass.  With elem=separate the element cache's SLUB
 * allocations equal llcache_free_cached and its frees hit + prune.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "policies/registry.h"
#include "policies/slub.h"
#include "sim/policy.h"
#include "sim/xalloc.h"

/* struct object_list {void *object; struct list_head list;}: 8 + 16 bytes */
#define LL_ELEM_NAME "global_list_cache"
#define LL_ELEM_BYTES 24
#define LL_ELEM_OBJECT 0	/* elem->object */
#define LL_ELEM_NEXT 8		/* elem->list.next */
#define LL_ELEM_PREV 16		/* elem->list.prev */
/* per-cpu head: list_head {next, prev} or bio_list {head, tail}, then size or nr */
#define LL_HEAD_FIRST 0
#define LL_HEAD_LAST 8
#define LL_HEAD_COUNT 16
#define LL_HEAD_BYTES 24
/* struct lockless_cache {cache, freelist, total_size, max, slack}: one line */

enum ll_param { P_MAX, P_SLACK, P_ELEM, P_SLUB, P_COUNT };
enum ll_elem { ELEM_SEPARATE = 0, ELEM_EMBEDDED = 1 };

static const char *const ll_elem_choices[] = { "separate", "embedded", NULL };


static const struct sim_param_desc ll_params[] = {
	[P_MAX] = { .name = "max", .def = 512, .min = 1, .max = 1 << 20,
		    .meaning = "objects a cpu's list keeps (bio cache: ALLOC_CACHE_MAX 512)" },
	[P_SLACK] = { .name = "slack", .def = 64, .min = 1, .max = 1 << 20,
		      .meaning = "objects dropped on overflow: above max (separate) "
				 "or above max+slack (embedded); bio cache 64" },
	[P_ELEM] = { .name = "elem", .def = ELEM_SEPARATE, .min = 0, .max = 1, .choices = ll_elem_choices,
		     .meaning = "separate: a 24-byte list element per cached object (Yoo's RFC); "
				"embedded: the link in the object (bio cache)" },
	[P_SLUB] = { .name = "slub", .def = SLUB_BACKING_CLASSIC, .min = 0, .max = 2, .choices = slub_backing_choices,
		     .meaning = "slab layer below: classic (preset slub-classic), nopartial (classic without cpu "
				"partial slabs), 2007 (preset slub-2007)" },
};

struct ll_entry {
	sim_addr_t obj;			/* the cached object */
	sim_addr_t elem;		/* its struct object_list, 0 when embedded */
};

struct ll_list {			/* struct freelist / struct bio_alloc_cache */
	sim_addr_t addr;		/* its line: head pointers, then size or nr */
	struct ll_entry *e;		/* ring: the i-th from the head is e[(front + i) & (cap - 1)] */
	unsigned front, n, cap;
};

struct ll_cache {
	bool ready;
	sim_addr_t addr;		/* separate: struct lockless_cache; embedded: the bio_set's cache pointer */
	struct ll_list *cpu;		/* [ncpus] */
	uint64_t parked;		/* objects on this cache's lists, for is_valid */
};

struct llcache {
	struct machine *m;
	void *slub;			/* slub_policy's state */
	unsigned max, slack;
	bool embedded;
	unsigned elem_cache;		/* id of global_list_cache (separate only) */
	unsigned ncaches;		/* m->ncaches at create(), the element cache included */
	struct ll_cache *cache;		/* [ncaches] */
};

/* --- the ring behind a list ---------------------------------------------- */

static const struct ll_entry *ll_at(const struct ll_list *l, unsigned i)
{
	return &l->e[(l->front + i) & (l->cap - 1)];
}

static void ll_ring_push_front(struct ll_list *l, struct ll_entry e)
{
	if (l->n == l->cap) {
		unsigned cap = l->cap ? 2 * l->cap : 16;
		struct ll_entry *ne = xmalloc(cap * sizeof(*ne));

		for (unsigned i = 0; i < l->n; i++)
			ne[i] = *ll_at(l, i);
		free(l->e);
		l->e = ne;
		l->cap = cap;
		l->front = 0;
	}
	l->front = (l->front - 1) & (l->cap - 1);
	l->e[l->front] = e;
	l->n++;
}

static struct ll_entry ll_ring_pop_front(struct ll_list *l)
{
	struct ll_entry e = l->e[l->front];

	l->front = (l->front + 1) & (l->cap - 1);
	l->n--;
	return e;
}

static struct ll_entry ll_ring_pop_back(struct ll_list *l)
{
	l->n--;
	return *ll_at(l, l->n);
}

/* --- set-up ------------------------------------------------------------- */

/* A cache's first use on any cpu: its shared line and every cpu's list head. */
static __attribute__((noinline)) struct ll_cache *ll_cache_setup(struct llcache *ll, struct sim_op *op)
{
	struct ll_cache *c = &ll->cache[op->cache];
	struct machine *m = ll->m;

	c->ready = true;
	c->addr = machine_struct_alloc(m, 0, SIM_LINE_BYTES, SIM_LINE_BYTES);
	c->cpu = xcalloc(m->ncpus, sizeof(*c->cpu));
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++)
		c->cpu[cpu].addr = machine_struct_alloc(m, m->cpu_node[cpu], LL_HEAD_BYTES, SIM_LINE_BYTES);
	sim_gauge_add(op, SIM_GAUGE_meta_bytes, (int64_t)LL_HEAD_BYTES * m->ncpus);
	return c;
}

static inline struct ll_cache *ll_cache_get(struct llcache *ll, struct sim_op *op)
{
	struct ll_cache *c = &ll->cache[op->cache];

	return c->ready ? c : ll_cache_setup(ll, op);
}

/* --- elements: objects of global_list_cache from SLUB ---------------------- */

static sim_addr_t ll_elem_alloc(struct llcache *ll, struct sim_op *op)
{
	unsigned cache = op->cache;
	int node = op->want_node;
	sim_addr_t elem;

	sim_op_set_cache(op, ll->elem_cache);
	op->want_node = SIM_NO_NODE;
	elem = slub_policy.alloc(ll->slub, op);
	sim_op_set_cache(op, cache);
	op->want_node = node;
	sim_assert(elem);
	return elem;
}

static void ll_elem_free(struct llcache *ll, struct sim_op *op, sim_addr_t elem)
{
	unsigned cache = op->cache;

	sim_op_set_cache(op, ll->elem_cache);
	slub_policy.free(ll->slub, op, elem);
	sim_op_set_cache(op, cache);
}

/* --- elem=separate: struct list_head operations on the elements ----------- */

/* Address of the i-th node's next (prev) field; the head's for i before the first or after the last. */
static sim_addr_t ll_next_field(const struct ll_list *l, long i)
{
	if (i < 0 || (unsigned long)i >= l->n)
		return l->addr + LL_HEAD_FIRST;
	return ll_at(l, (unsigned)i)->elem + LL_ELEM_NEXT;
}

static sim_addr_t ll_prev_field(const struct ll_list *l, long i)
{
	if (i < 0 || (unsigned long)i >= l->n)
		return l->addr + LL_HEAD_LAST;
	return ll_at(l, (unsigned)i)->elem + LL_ELEM_PREV;
}

/* list_add(&elem->list, head): the head's line, the old first's prev, the new node. */
static void ll_list_add(struct sim_op *op, struct ll_list *l, struct ll_entry e)
{
	sim_read(op, l->addr + LL_HEAD_FIRST);		/* head->next */
	sim_write(op, ll_prev_field(l, 0));		/* next->prev = new */
	sim_write(op, e.elem + LL_ELEM_NEXT);		/* new->next = next */
	sim_write(op, e.elem + LL_ELEM_PREV);		/* new->prev = head */
	sim_write(op, l->addr + LL_HEAD_FIRST);		/* head->next = new */
	ll_ring_push_front(l, e);
}

/* list_del() of the i-th node (first or last): both neighbours, then LIST_POISON1/2. */
static void ll_list_del(struct sim_op *op, const struct ll_list *l, unsigned i)
{
	sim_addr_t elem = ll_at(l, i)->elem;

	sim_read(op, elem + LL_ELEM_NEXT);
	sim_read(op, elem + LL_ELEM_PREV);
	sim_write(op, ll_prev_field(l, (long)i + 1));	/* next->prev = prev */
	sim_write(op, ll_next_field(l, (long)i - 1));	/* prev->next = next */
	sim_write(op, elem + LL_ELEM_NEXT);
	sim_write(op, elem + LL_ELEM_PREV);
}

/* freelist->size and cache->total_size after an element came or went. */
static void ll_sizes_update(struct sim_op *op, const struct ll_cache *c, const struct ll_list *l)
{
	sim_write(op, l->addr + LL_HEAD_COUNT);
	sim_write(op, c->addr);
}

/* --- elem=embedded: struct bio_list through bio->bi_next ------------------ */

/* bio_list_add_head(): bi_next = head; head = bio (and tail if it was empty). */
static void ll_bio_add_head(struct sim_op *op, struct ll_list *l, sim_addr_t obj)
{
	sim_read(op, l->addr + LL_HEAD_FIRST);
	sim_write(op, obj);
	sim_write(op, l->addr + LL_HEAD_FIRST);
	ll_ring_push_front(l, (struct ll_entry){ .obj = obj, .elem = 0 });
}

/* bio_list_pop(): head = head->bi_next; bio->bi_next = NULL. */
static sim_addr_t ll_bio_pop(struct sim_op *op, struct ll_list *l)
{
	sim_addr_t obj = ll_ring_pop_front(l).obj;

	sim_read(op, obj);
	sim_write(op, l->addr + LL_HEAD_FIRST);
	sim_write(op, obj);
	return obj;
}

/* --- taking objects off the lists ---------------------------------------- */

static void ll_parked_add(struct sim_op *op, struct ll_cache *c, int delta)
{
	c->parked = (uint64_t)((int64_t)c->parked + delta);
	sim_gauge_add(op, SIM_GAUGE_cached_objs, delta);
}

/*
 * Takes the head (at_tail false) or the tail off the list and reads the
 * object pointer out of its element; the caller frees the element.
 */
static struct ll_entry ll_take(struct sim_op *op, struct ll_cache *c, struct ll_list *l, bool embedded,
			       bool at_tail)
{
	struct ll_entry e = { 0, 0 };

	if (embedded) {
		e.obj = ll_bio_pop(op, l);
		sim_write(op, l->addr + LL_HEAD_COUNT);	/* cache->nr-- */
	} else {
		sim_read(op, l->addr + (at_tail ? LL_HEAD_LAST : LL_HEAD_FIRST));
		ll_list_del(op, l, at_tail ? l->n - 1 : 0);
		e = at_tail ? ll_ring_pop_back(l) : ll_ring_pop_front(l);
		ll_sizes_update(op, c, l);
		sim_read(op, e.elem + LL_ELEM_OBJECT);
	}
	ll_parked_add(op, c, -1);
	return e;
}

/*
 * Gives nr objects back to SLUB one at a time: bio_alloc_cache_prune()
 * from the head, the RFC's overflow from the tail (object, then element).
 */
static void ll_prune(struct llcache *ll, struct sim_op *op, struct ll_cache *c, struct ll_list *l, unsigned nr)
{
	for (unsigned i = 0; i < nr && l->n; i++) {
		struct ll_entry e = ll_take(op, c, l, ll->embedded, !ll->embedded);

		slub_policy.free(ll->slub, op, e.obj);
		if (e.elem)
			ll_elem_free(ll, op, e.elem);
		sim_count(op, SIM_CNT_llcache_prune);
	}
}

/* --- the policy interface ---------------------------------------------- */

static void *ll_create(struct machine *m, const struct sim_param_values *p)
{
	struct llcache *ll = xcalloc(1, sizeof(*ll));

	ll->m = m;
	ll->max = (unsigned)p->v[P_MAX];
	ll->slack = (unsigned)p->v[P_SLACK];
	ll->embedded = p->v[P_ELEM] == ELEM_EMBEDDED;
	/* before SLUB is created, so that SLUB has a cache for it */
	if (!ll->embedded)
		ll->elem_cache = machine_cache_register(m, LL_ELEM_NAME, LL_ELEM_BYTES);
	ll->slub = slub_backing_create(m, p->v[P_SLUB]);
	if (!ll->slub) {
		free(ll);
		return NULL;
	}
	ll->ncaches = m->ncaches;
	ll->cache = xcalloc(ll->ncaches, sizeof(*ll->cache));
	return ll;
}

/* separate: every context but NMI (IRQs off around the list); embedded: task only. */
static bool ll_ctx_uses_list(const struct llcache *ll, const struct sim_op *op)
{
	return ll->embedded ? op->ctx == SIM_CTX_TASK : op->ctx != SIM_CTX_NMI;
}

/* lockless_cache_alloc() / bio_alloc_kiocb() */
static sim_addr_t ll_alloc(void *pol, struct sim_op *op)
{
	struct llcache *ll = pol;
	struct ll_cache *c = ll_cache_get(ll, op);
	struct ll_list *l = &c->cpu[op->cpu];
	struct ll_entry e;

	if (op->want_node >= 0 || !ll_ctx_uses_list(ll, op)) {
		sim_count(op, SIM_CNT_llcache_alloc_bypass);
		return slub_policy.alloc(ll->slub, op);
	}
	sim_read(op, c->addr);				/* cache->freelist / bs->cache */
	sim_read(op, l->addr + LL_HEAD_FIRST);		/* list_empty() / bio_list_pop() */
	if (!l->n) {
		sim_count(op, SIM_CNT_llcache_alloc_miss);
		return slub_policy.alloc(ll->slub, op);
	}
	sim_count(op, SIM_CNT_llcache_alloc_hit);
	e = ll_take(op, c, l, ll->embedded, false);
	if (e.elem)
		ll_elem_free(ll, op, e.elem);
	return e.obj;
}

/* bio_put() of a BIO_PERCPU_CACHE bio: add at the head, prune above max + slack. */
static void ll_free_embedded(struct llcache *ll, struct sim_op *op, struct ll_cache *c, struct ll_list *l,
			     sim_addr_t obj)
{
	ll_bio_add_head(op, l, obj);
	sim_write(op, l->addr + LL_HEAD_COUNT);		/* ++cache->nr */
	ll_parked_add(op, c, 1);
	if (l->n > ll->max + ll->slack)
		ll_prune(ll, op, c, l, ll->slack);
}

/* lockless_cache_free(): an element for the object at the head, drop slack above max. */
static void ll_free_separate(struct llcache *ll, struct sim_op *op, struct ll_cache *c, struct ll_list *l,
			     sim_addr_t obj)
{
	struct ll_entry e = { .obj = obj, .elem = ll_elem_alloc(ll, op) };

	sim_write(op, e.elem + LL_ELEM_OBJECT);
	ll_list_add(op, l, e);
	ll_sizes_update(op, c, l);
	ll_parked_add(op, c, 1);
	sim_read(op, c->addr);				/* cache->max */
	if (l->n > ll->max)
		ll_prune(ll, op, c, l, ll->slack);
}

static void ll_free(void *pol, struct sim_op *op, sim_addr_t obj)
{
	struct llcache *ll = pol;
	struct ll_cache *c = ll_cache_get(ll, op);
	struct ll_list *l = &c->cpu[op->cpu];

	if (!ll_ctx_uses_list(ll, op)) {
		sim_count(op, SIM_CNT_llcache_free_bypass);
		slub_policy.free(ll->slub, op, obj);
		return;
	}
	sim_count(op, SIM_CNT_llcache_free_cached);
	sim_read(op, c->addr);				/* cache->freelist / bio->bi_pool->cache */
	if (ll->embedded)
		ll_free_embedded(ll, op, c, l, obj);
	else
		ll_free_separate(ll, op, c, l, obj);
}

static void ll_drain(void *pol, struct sim_op *op)
{
	struct llcache *ll = pol;
	unsigned cpu0 = op->cpu, node0 = op->node, cache0 = op->cache;

	/* lockless_cache_destroy() / bio_alloc_cache_destroy(): every cpu's list */
	for (unsigned id = 0; id < ll->ncaches; id++) {
		struct ll_cache *c = &ll->cache[id];

		if (!c->ready)
			continue;
		sim_op_set_cache(op, id);
		for (unsigned cpu = 0; cpu < ll->m->ncpus; cpu++) {
			sim_op_set_cpu(op, cpu);
			op->node = ll->m->cpu_node[cpu];
			ll_prune(ll, op, c, &c->cpu[cpu], c->cpu[cpu].n);
		}
	}
	sim_op_set_cpu(op, cpu0);
	op->node = node0;
	sim_op_set_cache(op, cache0);
	slub_policy.drain(ll->slub, op);
}

static uint64_t ll_timer_period_ns(const void *pol)
{
	const struct llcache *ll = pol;

	return slub_policy.timer_period_ns ? slub_policy.timer_period_ns(ll->slub) : 0;
}

/* SLUB's own periodic work (the 2007 flusher); neither list has any. */
static void ll_timer(void *pol, struct sim_op *op)
{
	struct llcache *ll = pol;

	if (slub_policy.timer)
		slub_policy.timer(ll->slub, op);
}

static void ll_destroy(void *pol)
{
	struct llcache *ll = pol;

	for (unsigned id = 0; id < ll->ncaches; id++) {
		struct ll_cache *c = &ll->cache[id];

		if (!c->ready)
			continue;
		for (unsigned cpu = 0; cpu < ll->m->ncpus; cpu++)
			free(c->cpu[cpu].e);
		free(c->cpu);
	}
	slub_policy.destroy(ll->slub);
	free(ll->cache);
	free(ll);
}

static bool ll_list_is_valid(const struct llcache *ll, const struct ll_list *l, char *why, size_t len)
{
	unsigned bound = ll->embedded ? ll->max + ll->slack : ll->max;

	if (l->n > bound) {
		snprintf(why, len, "a list holds %u objects, more than %u", l->n, bound);
		return false;
	}
	for (unsigned i = 0; i < l->n; i++)
		if (!ll_at(l, i)->obj || (ll_at(l, i)->elem == 0) != ll->embedded) {
			snprintf(why, len, "a list entry lacks its object or has the wrong kind of element");
			return false;
		}
	return true;
}

static bool ll_is_valid(const void *pol, char *why, size_t len)
{
	const struct llcache *ll = pol;

	for (unsigned id = 0; id < ll->ncaches; id++) {
		const struct ll_cache *c = &ll->cache[id];
		uint64_t parked = 0;

		if (!c->ready)
			continue;
		for (unsigned cpu = 0; cpu < ll->m->ncpus; cpu++) {
			if (!ll_list_is_valid(ll, &c->cpu[cpu], why, len))
				return false;
			parked += c->cpu[cpu].n;
		}
		if (parked != c->parked) {
			snprintf(why, len, "cache %u: lists hold %llu objects, the books say %llu", id,
				 (unsigned long long)parked, (unsigned long long)c->parked);
			return false;
		}
	}
	return slub_policy.is_valid(ll->slub, why, len);
}

const struct sim_policy_ops llcache_policy = {
	.name = "llcache",
	.summary = "per-cpu linked list of free objects over SLUB: "
		   "a list element per object (separate) or a link in it (embedded)",
	.models = "Hyeonggon Yoo's lockless cache RFC (2021, seed 000); "
		  "the bio cache of 5.15 block/bio.c (Axboe, max 512 slack 64)",
	.params = ll_params,
	.nparams = P_COUNT,
	.create = ll_create,
	.alloc = ll_alloc,
	.free = ll_free,
	.timer = ll_timer,
	.timer_period_ns = ll_timer_period_ns,
	.drain = ll_drain,
	.destroy = ll_destroy,
	.is_valid = ll_is_valid,
};
