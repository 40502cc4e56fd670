/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcarray.c - an opt-in per-cpu array cache of objects in front of SLUB.
 *
 * Models: Vlastimil Babka, "mm/slub: add opt-in percpu array cache of
 * objects" (RFC v3, 29 Nov 2023, seed 004): per cpu and cache a
 * struct slub_percpu_array {spinlock_t lock; unsigned int count; unsigned
 * int used; void *objects[];} taken by spin_trylock (the pcplist scheme of
 * mm/page_alloc.c: preemption disabled, IRQs not); alloc_from_pca() pops
 * objects[--used]; free_to_pca() pushes objects[used++]; an empty array is
 * refilled (refill_pca()) and a full one flushed (flush_pca()) by `batch`
 * objects through kmem_cache_alloc_bulk()/kmem_cache_free_bulk() in rounds
 * of at most 32 (the RFC's on-stack void *objects[32]), with the array lock
 * dropped around the bulk call and taken again to move the objects; the
 * flush takes the objects at the top (the most recently freed), as the RFC
 * and Matthew Wilcox's proposal (seed 000: 15 pointers, refill 8 when
 * empty, "kmem_cache_free_bulk() for the last 8 objects" when full) do.
 * With size=15, batch=8 this is Wilcox's array; with batch auto it is the
 * RFC's count/2.
 *
 * Notes (choices where the sources are silent or disagree):
 * - Context.  Trylock failure bypasses the array (alloc_from_pca() returns
 *   NULL, free_to_pca() false) and the object goes to or comes from SLUB
 *   directly.  The RFC does not refill in hardirq context nor when the gfp
 *   flags do not allow blocking, and does not flush in hardirq context: the
 *   operation bypasses instead.  The canonical event carries no gfp flags,
 *   so task context is taken to allow blocking (GFP_KERNEL) and softirq and
 *   hardirq context not to (they cannot sleep); NMI is treated as hardirq.
 * - The RFC's slab_free() ignores free_to_pca() returning false (Suren
 *   Baghdasaryan's review: "can return false and leave the object alive");
 *   the intended do_slab_free() fallback is modelled.  Its refill_pca()
 *   drops the bulk-allocated objects when the second trylock fails; they
 *   are given back with a bulk free here.
 * - NUMA: "The array does not distinguish NUMA locality of the cached
 *   objects" and kmem_cache_alloc_node() with a node bypasses it (RFC
 *   commit message).  So an allocation with a requested node bypasses, and
 *   a free of another node's object goes into the freeing cpu's array.
 * - The engine runs one operation per cpu at a time and has no interrupts
 *   (sim/machine.h), so within a replay nothing else holds a cpu's array
 *   lock when that cpu tries it: the trylock cannot fail there, and what
 *   context changes is the refill/flush rule above.  An operation started
 *   inside another's lock hold time (an interrupt, driven directly as in
 *   tests/check_pcarray.c) does fail the trylock, as the lock model says.
 * - The array sits at a line-aligned simulated address on its cpu's node
 *   (a percpu unit is private to its cpu); lock, count and used share the
 *   first line with objects[0..5], as in the RFC's struct.  meta_bytes
 *   counts 16 + 8 * size bytes per cpu for every cache in use: the RFC
 *   allocates the array for every possible cpu when the cache sets it up.
 * - The RFC counts objects, not events, in cpu_cache_refill and
 *   cpu_cache_flush ("count objects refilled or flushed"); so does this.
 *   Refills happen only when the array is empty and flushes only when it
 *   is full, so each moves exactly `batch` objects and events are counter /
 *   batch; a drain (flush_all()) flushes whatever an array holds and counts
 *   it under cpu_cache_flush too.
 *
 * Does not model: kmem_cache_alloc_bulk()/free_bulk() calls by slab users
 * going through the array (traces have no bulk events),
 * kmem_cache_prefill_percpu_array(), slub_debug and memcg hooks, the
 * instructions of preempt_disable (free here, as local_irq_save is in
 * slub.c), UP builds (where the trylock disables IRQs).
 *
 * Lock order: the array lock (class cpu_lock) is never held across a call
 * into SLUB, so it nests with nothing; SLUB's own order is list_lock, then
 * slab_lock.
 *
 * Counters: alloc_cpu_cache and free_cpu_cache (objects allocated from and
 * freed to the array), cpu_cache_refill and cpu_cache_flush (objects moved
 * by refills and flushes) as the RFC's SLUB_STATS names; slabsim's own
 * cpu_cache_alloc_bypass and cpu_cache_free_bypass (operations served by
 * SLUB directly: trylock failed, node requested, no refill or flush
 * allowed in this context).  For the trace's caches alloc = alloc_cpu_cache
 * + cpu_cache_alloc_bypass and free = free_cpu_cache + cpu_cache_free_bypass.
 * SLUB below counts its own (bulk allocations count alloc_slowpath only,
 * as __kmem_cache_alloc_bulk() does; a bulk free counts one
 * free_fastpath/free_slowpath per slab).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "policies/registry.h"
#include "policies/slub.h"
#include "sim/policy.h"
#include "sim/xalloc.h"

/* refill_pca()/flush_pca(): void *objects[32] on the stack, so rounds of at most 32 */
#define PCA_ROUND_MAX 32
/* struct slub_percpu_array: spinlock_t lock, unsigned int count, used, then objects[] */
#define PCA_HEADER_BYTES 16

enum pca_param { P_SIZE, P_BATCH, P_SLUB, P_COUNT };



static const struct sim_param_desc pca_params[] = {
	[P_SIZE] = { .name = "size", .def = 32, .min = 1, .max = 4096,
		     .meaning = "objects per cpu array (pca->count); "
				"the RFC used 32 for maple nodes, Wilcox proposed 15" },
	[P_BATCH] = { .name = "batch", .def = 0, .min = 0, .max = 4096, .auto_default = true,
		      .meaning = "objects per bulk refill and per flush, at most size; "
				 "auto or 0: size/2 as the RFC (Wilcox: 8)" },
	[P_SLUB] = { .name = "slub", .def = SLUB_BACKING_CLASSIC, .min = 0, .max = 2, .choices = slub_backing_choices,
		     .meaning = "slab layer below: classic (preset slub-classic), nopartial (classic without cpu "
				"partial slabs), 2007 (preset slub-2007)" },
};

struct pca_cpu {			/* struct slub_percpu_array */
	struct sim_lock lock;		/* lock.addr is the struct: lock, count, used, objects[0..5] */
	sim_addr_t *obj;		/* objects[] [size]; top is obj[used - 1] */
	unsigned used;
};

struct pca_cache {
	bool ready;
	sim_addr_t addr;		/* struct kmem_cache's line holding s->cpu_array */
	struct pca_cpu *cpu;		/* [ncpus] */
	uint64_t parked;		/* objects in this cache's arrays, for is_valid */
};

struct pcarray {
	struct machine *m;
	void *slub;			/* slub_policy's state */
	unsigned size, batch;
	struct pca_cache *cache;	/* [ncaches] */
	sim_addr_t *buf;		/* bulk buffer, [max(size, PCA_ROUND_MAX)] */
};

/* --- set-up ------------------------------------------------------------- */

static sim_addr_t pca_slot(const struct pca_cpu *a, unsigned i)
{
	return a->lock.addr + PCA_HEADER_BYTES + 8 * (sim_addr_t)i;
}

/* kmem_cache_setup_percpu_array(): an array for every cpu, on first use of the cache. */
static struct pca_cache *pca_cache_get(struct pcarray *pc, struct sim_op *op)
{
	struct pca_cache *c = &pc->cache[op->cache];
	struct machine *m = pc->m;
	size_t bytes = PCA_HEADER_BYTES + 8 * (size_t)pc->size;

	if (c->ready)
		return c;
	c->ready = true;
	c->addr = machine_struct_alloc(m, 0, SIM_LINE_BYTES, SIM_LINE_BYTES);
	c->cpu = xcalloc(m->ncpus, sizeof(*c->cpu));
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++) {
		sim_addr_t a = machine_struct_alloc(m, m->cpu_node[cpu], bytes, SIM_LINE_BYTES);

		sim_lock_init(&c->cpu[cpu].lock, a, SIM_LOCK_cpu_lock);
		c->cpu[cpu].obj = xmalloc(pc->size * sizeof(sim_addr_t));
	}
	sim_gauge_add(op, SIM_GAUGE_meta_bytes, (int64_t)(bytes * m->ncpus));
	return c;
}

/* --- the array under its lock ------------------------------------------ */

/* pca_spin_trylock(): the atomic on the array's line; then count and used are read. */
static bool pca_trylock(struct sim_op *op, struct pca_cpu *a)
{
	if (!sim_lock_try(op, &a->lock))
		return false;
	sim_read(op, a->lock.addr);
	return true;
}

static void pca_push(struct sim_op *op, struct pca_cache *c, struct pca_cpu *a, sim_addr_t obj)
{
	sim_write(op, pca_slot(a, a->used));
	a->obj[a->used++] = obj;
	c->parked++;
	sim_gauge_add(op, SIM_GAUGE_cached_objs, 1);
}

static sim_addr_t pca_pop(struct sim_op *op, struct pca_cache *c, struct pca_cpu *a)
{
	sim_read(op, pca_slot(a, a->used - 1));
	c->parked--;
	sim_gauge_add(op, SIM_GAUGE_cached_objs, -1);
	return a->obj[--a->used];
}

/* Writes used back and drops the lock (pca_spin_unlock()). */
static void pca_unlock(struct sim_op *op, struct pca_cpu *a, bool dirty)
{
	if (dirty)
		sim_write(op, a->lock.addr);
	sim_lock_release(op, &a->lock);
}

/* softirq and hardirq cannot block: no refill there (and no flush in hardirq) */
static bool pca_ctx_may_refill(const struct sim_op *op)
{
	return op->ctx == SIM_CTX_TASK;
}

static bool pca_ctx_may_flush(const struct sim_op *op)
{
	return op->ctx == SIM_CTX_TASK || op->ctx == SIM_CTX_SOFTIRQ;
}

/* --- refill and flush ---------------------------------------------------- */

/* refill_pca(): count objects in rounds of 32; false when the trylock failed. */
static bool pca_refill(struct pcarray *pc, struct sim_op *op, struct pca_cache *c,
		       struct pca_cpu *a, unsigned count)
{
	while (count) {
		unsigned want = SIM_MIN(count, (unsigned)PCA_ROUND_MAX);
		unsigned got = slub_alloc_bulk(pc->slub, op, want, pc->buf), put;

		if (!pca_trylock(op, a)) {
			slub_free_bulk(pc->slub, op, got, pc->buf);
			return false;
		}
		put = SIM_MIN(got, pc->size - a->used);
		for (unsigned i = 0; i < put; i++)
			pca_push(op, c, a, pc->buf[i]);
		pca_unlock(op, a, put != 0);
		sim_count_n(op, SIM_CNT_cpu_cache_refill, put);
		if (put < got) {
			/* somebody freed to the array meanwhile: too many now */
			slub_free_bulk(pc->slub, op, got - put, pc->buf + put);
			break;
		}
		count -= put;
	}
	return true;
}

/* flush_pca(): count objects from the top, in rounds of 32; false when the trylock failed. */
static bool pca_flush(struct pcarray *pc, struct sim_op *op, struct pca_cache *c,
		      struct pca_cpu *a, unsigned count)
{
	for (;;) {
		unsigned n = SIM_MIN(count, (unsigned)PCA_ROUND_MAX), remaining;

		if (!pca_trylock(op, a))
			return false;
		n = SIM_MIN(n, a->used);
		for (unsigned i = 0; i < n; i++)
			pc->buf[i] = pca_pop(op, c, a);
		remaining = a->used;
		pca_unlock(op, a, n != 0);
		slub_free_bulk(pc->slub, op, n, pc->buf);
		sim_count_n(op, SIM_CNT_cpu_cache_flush, n);
		if (n >= count || !remaining)
			return true;
		count -= n;
	}
}

/* --- the policy interface ---------------------------------------------- */

static void *pca_create(struct machine *m, const struct sim_param_values *p)
{
	struct pcarray *pc = xcalloc(1, sizeof(*pc));
	unsigned size = (unsigned)p->v[P_SIZE];
	unsigned batch = p->is_auto[P_BATCH] || !p->v[P_BATCH] ? size / 2 : (unsigned)p->v[P_BATCH];

	pc->m = m;
	pc->size = size;
	/* size 1: size/2 is 0, and an empty array still needs an object */
	pc->batch = SIM_MAX(1u, SIM_MIN(batch, size));
	pc->slub = slub_backing_create(m, p->v[P_SLUB]);
	if (!pc->slub) {
		free(pc);
		return NULL;
	}
	pc->cache = xcalloc(m->ncaches ? m->ncaches : 1, sizeof(*pc->cache));
	pc->buf = xmalloc(SIM_MAX(size, (unsigned)PCA_ROUND_MAX) * sizeof(*pc->buf));
	return pc;
}

/* slab_alloc_node() with s->cpu_array: alloc_from_pca(), else SLUB. */
static sim_addr_t pca_alloc(void *pol, struct sim_op *op)
{
	struct pcarray *pc = pol;
	struct pca_cache *c = pca_cache_get(pc, op);
	struct pca_cpu *a = &c->cpu[op->cpu];

	sim_read(op, c->addr);			/* s->cpu_array */
	if (op->want_node >= 0)
		goto bypass;
	for (;;) {
		if (!pca_trylock(op, a))
			goto bypass;
		if (a->used) {
			sim_addr_t obj = pca_pop(op, c, a);

			pca_unlock(op, a, true);
			sim_count(op, SIM_CNT_alloc_cpu_cache);
			return obj;
		}
		pca_unlock(op, a, false);
		if (!pca_ctx_may_refill(op) || !pca_refill(pc, op, c, a, pc->batch))
			goto bypass;
	}
bypass:
	sim_count(op, SIM_CNT_cpu_cache_alloc_bypass);
	return slub_policy.alloc(pc->slub, op);
}

/* slab_free() with s->cpu_array: free_to_pca(), else do_slab_free(). */
static void pca_free(void *pol, struct sim_op *op, sim_addr_t obj)
{
	struct pcarray *pc = pol;
	struct pca_cache *c = pca_cache_get(pc, op);
	struct pca_cpu *a = &c->cpu[op->cpu];

	sim_read(op, c->addr);			/* s->cpu_array */
	for (;;) {
		if (!pca_trylock(op, a))
			break;
		if (a->used < pc->size) {
			pca_push(op, c, a, obj);
			pca_unlock(op, a, true);
			sim_count(op, SIM_CNT_free_cpu_cache);
			return;
		}
		pca_unlock(op, a, false);
		if (!pca_ctx_may_flush(op) || !pca_flush(pc, op, c, a, pc->batch))
			break;
	}
	sim_count(op, SIM_CNT_cpu_cache_free_bypass);
	slub_policy.free(pc->slub, op, obj);
}

static uint64_t pca_timer_period_ns(const void *pol)
{
	const struct pcarray *pc = pol;

	return slub_policy.timer_period_ns ? slub_policy.timer_period_ns(pc->slub) : 0;
}

/* SLUB's own periodic work (the 2007 flusher); the RFC adds none. */
static void pca_timer(void *pol, struct sim_op *op)
{
	struct pcarray *pc = pol;

	if (slub_policy.timer)
		slub_policy.timer(pc->slub, op);
}

/* Empties one cpu's array under its lock and bulk-frees the objects (flush_all()). */
static void pca_drain_cpu(struct pcarray *pc, struct sim_op *op, struct pca_cache *c, struct pca_cpu *a)
{
	unsigned n;

	if (!a->used)
		return;
	sim_lock_acquire(op, &a->lock);
	n = a->used;
	for (unsigned i = 0; i < n; i++)
		pc->buf[i] = pca_pop(op, c, a);
	pca_unlock(op, a, true);
	slub_free_bulk(pc->slub, op, n, pc->buf);
	sim_count_n(op, SIM_CNT_cpu_cache_flush, n);
}

static void pca_drain(void *pol, struct sim_op *op)
{
	struct pcarray *pc = pol;
	unsigned cpu0 = op->cpu, node0 = op->node, cache0 = op->cache;

	for (unsigned id = 0; id < pc->m->ncaches; id++) {
		struct pca_cache *c = &pc->cache[id];

		if (!c->ready)
			continue;
		sim_op_set_cache(op, id);
		for (unsigned cpu = 0; cpu < pc->m->ncpus; cpu++) {
			sim_op_set_cpu(op, cpu);
			op->node = pc->m->cpu_node[cpu];
			pca_drain_cpu(pc, op, c, &c->cpu[cpu]);
		}
	}
	sim_op_set_cpu(op, cpu0);
	op->node = node0;
	sim_op_set_cache(op, cache0);
	slub_policy.drain(pc->slub, op);
}

static void pca_destroy(void *pol)
{
	struct pcarray *pc = pol;

	for (unsigned id = 0; id < pc->m->ncaches; id++) {
		struct pca_cache *c = &pc->cache[id];

		if (!c->ready)
			continue;
		for (unsigned cpu = 0; cpu < pc->m->ncpus; cpu++)
			free(c->cpu[cpu].obj);
		free(c->cpu);
	}
	slub_policy.destroy(pc->slub);
	free(pc->cache);
	free(pc->buf);
	free(pc);
}

static bool pca_is_valid(const void *pol, char *why, size_t len)
{
	const struct pcarray *pc = pol;

	for (unsigned id = 0; id < pc->m->ncaches; id++) {
		const struct pca_cache *c = &pc->cache[id];
		uint64_t parked = 0;

		if (!c->ready)
			continue;
		for (unsigned cpu = 0; cpu < pc->m->ncpus; cpu++) {
			const struct pca_cpu *a = &c->cpu[cpu];

			if (a->used > pc->size || sim_lock_is_held(&a->lock)) {
				snprintf(why, len, "cache %u: cpu %u's array holds %u of %u or is still locked",
					 id, cpu, a->used, pc->size);
				return false;
			}
			parked += a->used;
		}
		if (parked != c->parked) {
			snprintf(why, len, "cache %u: arrays hold %llu objects, the books say %llu", id,
				 (unsigned long long)parked, (unsigned long long)c->parked);
			return false;
		}
	}
	return slub_policy.is_valid(pc->slub, why, len);
}

const struct sim_policy_ops pcarray_policy = {
	.name = "pcarray",
	.summary = "per-cpu array of object pointers under a trylocked spin lock, "
		   "bulk refill/flush by batch, over SLUB",
	.models = "Babka's RFC v3 \"mm/slub: add opt-in percpu array cache of objects\" (2023, seed 004); "
		  "Wilcox's 15-pointer array, refill 8, flush 8 (seed 000)",
	.params = pca_params,
	.nparams = P_COUNT,
	.create = pca_create,
	.alloc = pca_alloc,
	.free = pca_free,
	.timer = pca_timer,
	.timer_period_ns = pca_timer_period_ns,
	.drain = pca_drain,
	.destroy = pca_destroy,
	.is_valid = pca_is_valid,
};
