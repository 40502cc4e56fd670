/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * magazine.c - per-cpu magazines with a depot (Bonwick & Adams 2001) and,
 * with depot=node, SLUB's percpu sheaves with per-node barns; the slub
 * policy is the slab layer underneath.
 *
 * Models, depot=global: illumos usr/src/uts/common/os/kmem.c.  Per cache and
 * cpu a kmem_cpu_cache_t (one line, its cc_lock a mutex) with a loaded and a
 * previous magazine; kmem_cache_alloc(): loaded -> previous if full (swap) ->
 * full magazine from the depot (the previous, empty, goes to the depot) ->
 * slab layer, one object; kmem_cache_free() mirrors it with empty magazines
 * and kmem_cpucache_magazine_alloc() (a new magazine is put in the depot and
 * taken again).  The depot (one per cache, cache_depot_lock) keeps full and
 * empty magazine lists with working-set statistics: kmem_depot_alloc() takes
 * the lock by mutex_tryenter() and counts a failure as depot contention.
 * Every reap_ms (kmem_reap_interval, 15 s) kmem_cache_update() runs
 * kmem_depot_ws_update(), grows the magazine one step along kmem_magtype[]
 * when more than kmem_depot_contention (3) tryenters failed in the interval
 * and the chunk size is below the type's mt_maxbuf (kmem_cache_magazine_resize:
 * purge every magazine, next type, skip one interval), and kmem_depot_ws_reap()
 * returns the magazines unused over the whole interval to the slab layer.
 *
 * Models, depot=node: mm/slub.c of 7.0 ("sheaves for all").  Per cpu a main
 * and a spare sheaf under a local_trylock (a plain write of the pcs line:
 * on !PREEMPT_RT it does no atomic); per node a barn {lock, full and empty
 * lists} under a spin lock.  alloc_from_pcs(): main -> spare if it has
 * objects (swap) -> barn_replace_empty_sheaf() -> refill_sheaf() of the
 * spare or of an empty sheaf from the barn (or a new one) by bulk allocation
 * -> slab layer; free_to_pcs() with __pcs_replace_full_main(): barn empty
 * sheaf, swap, barn_replace_full_sheaf(), and past MAX_FULL_SHEAVES
 * (depot_full_max) the spare is flushed by bulk free; remote-node frees and
 * allocations for another node bypass the sheaves; frees to a full main with
 * no empty sheaf in the barn allocate one (alloc_empty_sheaf()).  Sheaf
 * capacity follows calculate_sheaf_capacity() of 7.0.  Counters are the
 * SLUB_STATS names of the 6.18 series (alloc_pcs ... barn_put_fail).
 *
 * Model choices where the sources are silent (see also the parameters):
 * - Context.  A hardirq (or NMI) operation bypasses the sheaves with
 *   hardirq=bypass (the local_trylock is assumed to have interrupted its
 *   holder); with hardirq=trylock it uses them as !RT would.  Only task
 *   context may refill (gfpflags_allow_blocking(): softirq and hardirq
 *   allocations are taken to be GFP_ATOMIC).  Bonwick's cc_lock is a mutex,
 *   taken in every context.
 * - illumos reaps the depot only under memory pressure (kmem_reap()); here
 *   the reap follows every working-set update, as if pressure were constant.
 * - Magazines come from kmem_magazine_N caches and sheaves from kmalloc: both
 *   are modelled as structures at simulated addresses (reused after a free)
 *   whose bytes count as meta_bytes, not as slab pages.  The kmem_cpu_cache_t
 *   array and the depot sit in node 0 memory (inside kmem_cache_t); per-cpu
 *   sheaves and barns in their own node's memory.
 * - An operation on a cpu never interleaves with another on the same cpu, so
 *   the local_trylock cannot fail except as hardirq=bypass says.  A request
 *   for the local node uses the sheaves and checks the object's node (7.0;
 *   the 6.18 series bypassed every node-specific request).
 * - The slab layer is the slub policy: a refill is its
 *   kmem_cache_alloc_bulk() (cpu slab, partial lists), where 7.0 has no cpu
 *   slab and refill_objects() takes whole partial slabs' freelists.
 * - Growth and reaping with depot=node, and limits with depot=global, are
 *   slabsim extensions: a global depot over its limit destroys the magazine
 *   (rounds back to the slab layer one by one, as kmem_magazine_destroy()).
 *
 * Does not model: constructors/destructors, debugging (KMF_*, slub_debug),
 * kfree_rcu sheaves, prefilled sheaves, cpu hotplug, CPU migration between
 * the unlocked steps of a refill (so the kernel's race branches are not
 * taken), memory pressure (allocations never fail).
 *
 * Lock order: cpu lock (cc_lock / local_trylock) -> depot or barn lock ->
 * the slab layer's locks.  Neither mode calls the slab layer with a depot
 * or barn lock held.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policies/registry.h"
#include "policies/slub.h"
#include "sim/policy.h"
#include "sim/u64map.h"
#include "sim/xalloc.h"

enum mag_param { P_SIZE, P_DEPOT, P_FULL_MAX, P_EMPTY_MAX, P_GROW, P_REAP_MS, P_SLUB, P_HARDIRQ, P_COUNT };
enum { DEPOT_GLOBAL = 0, DEPOT_NODE = 1 };

static const char *const depot_choices[] = { "global", "node", NULL };
static const char *const hardirq_choices[] = { "bypass", "trylock", NULL };

static const struct sim_param_desc mag_params[] = {
	[P_SIZE] = { .name = "size", .def = 15, .min = 1, .max = 4096, .auto_default = true,
		     .meaning = "rounds per magazine / sheaf capacity; auto: global the kmem_magtype[] entry for the chunk size, node calculate_sheaf_capacity() of 7.0; a number is used as is" },
	[P_DEPOT] = { .name = "depot", .def = DEPOT_GLOBAL, .min = 0, .max = 1, .choices = depot_choices,
		      .meaning = "global: one depot per cache (Bonwick); node: a barn per NUMA node (SLUB sheaves)" },
	[P_FULL_MAX] = { .name = "depot_full_max", .def = 0, .min = 0, .max = 1000000, .auto_default = true,
			 .meaning = "full magazines a depot/barn keeps, 0 = unlimited; auto: 0 global, 10 node (MAX_FULL_SHEAVES)" },
	[P_EMPTY_MAX] = { .name = "depot_empty_max", .def = 0, .min = 0, .max = 1000000, .auto_default = true,
			  .meaning = "empty magazines a depot keeps, 0 = unlimited; auto: 0 global, 10 node (MAX_EMPTY_SHEAVES)" },
	[P_GROW] = { .name = "grow", .def = 0, .min = 0, .max = 1, .auto_default = true,
		     .meaning = "grow the magazine along kmem_magtype[] when > 3 depot trylocks fail per interval; auto: 1 global, 0 node" },
	[P_REAP_MS] = { .name = "reap_ms", .def = 15000, .min = 0, .max = 3600000, .auto_default = true,
			.meaning = "interval of working-set update, growth check and reap, 0 = none; auto: 15000 global (kmem_reap_interval), 0 node" },
	[P_SLUB] = { .name = "slub", .def = SLUB_BACKING_NOPARTIAL, .min = 0, .max = 2, .choices = slub_backing_choices,
		     .meaning = "slab layer: classic (cpu partial slabs), nopartial (no cpu partial slabs, as under 7.0 sheaves), 2007" },
	[P_HARDIRQ] = { .name = "hardirq", .def = 0, .min = 0, .max = 1, .choices = hardirq_choices,
			.meaning = "depot=node in hardirq context: bypass the sheaves, or trylock (use them, no refill)" },
};

/* kmem_magtype[] of illumos kmem.c: {rounds, align, minbuf, maxbuf}. */
static const struct mag_type {
	unsigned rounds, align, minbuf, maxbuf;
} mag_ladder[] = {
	{ 1, 8, 3200, 65536 }, { 3, 16, 256, 32768 }, { 7, 32, 64, 16384 },
	{ 15, 64, 0, 8192 }, { 31, 64, 0, 4096 }, { 47, 64, 0, 2048 },
	{ 63, 64, 0, 1024 }, { 95, 64, 0, 512 }, { 143, 64, 0, 0 },
};
#define NTYPES ((unsigned)SIM_ARRAY_SIZE(mag_ladder))
#define DEPOT_CONTENTION 3		/* kmem_depot_contention */
#define MAG_HDR 8			/* kmem_magazine_t: mag_next, then mag_round[] */
#define SHEAF_HDR 32			/* struct slab_sheaf before objects[] */

struct mag {				/* a magazine or a sheaf */
	sim_addr_t addr;		/* header line, then the rounds */
	unsigned n, cap;
	uint32_t bytes, align;
	uint8_t node;
	struct mag *next;		/* depot or barn list (LIFO: list_add/list_first_entry) */
	sim_addr_t round[];
};

struct maglist {			/* kmem_maglist_t / a barn list */
	struct mag *head;
	long total, min, reaplimit;
};

struct depot {				/* the depot of a cache, or one node's barn */
	struct sim_lock lock;		/* same line as the lists and counts */
	struct maglist full, empty;
};

struct mcpu {				/* kmem_cpu_cache_t / slub_percpu_sheaves */
	sim_addr_t addr;
	struct sim_lock lock;		/* Bonwick's cc_lock (depot=global) */
	struct mag *loaded, *prev;	/* sheaves: main and spare */
};

struct mcache {
	bool ready;
	uint32_t chunk;			/* object size rounded to 8 (cache_chunksize) */
	unsigned cap;			/* rounds now (cc_magsize, sheaf_capacity) */
	unsigned type;			/* place on the ladder */
	bool skip_check;		/* the interval after a resize is not checked */
	uint64_t contention, contention_prev;
	struct mcpu *cpu;		/* [ncpus] */
	struct depot *depot;		/* [1] or [nnodes] */
	unsigned ndepots;
};

struct addr_pool {			/* freed structure addresses of one shape */
	uint32_t bytes, align;
	unsigned node;
	sim_addr_t *a;
	size_t n, cap;
};

struct magp {
	struct machine *m;
	void *slub;
	bool node_mode, grow, irq_bypass;
	unsigned size;			/* 0: auto */
	unsigned full_max, empty_max;
	uint64_t period_ns, reap_ns, slub_ns;
	uint64_t *tick;			/* [ncpus]: timer runs per cpu */
	struct mcache *cache;		/* [ncaches] */
	struct addr_pool *pool;
	size_t npool, pool_cap;
	int64_t cached;			/* objects held in magazines, for is_valid */
};

/* --- sizes -------------------------------------------------------------- */

static unsigned mag_type_for_chunk(uint32_t chunk)
{
	unsigned t = 0;

	/* kmem_cache_create(): for (mtp = kmem_magtype; chunksize <= mtp->mt_minbuf; mtp++) */
	while (t + 1 < NTYPES && chunk <= mag_ladder[t].minbuf)
		t++;
	return t;
}

static unsigned mag_type_for_rounds(unsigned rounds)
{
	unsigned t = 0;

	while (t + 1 < NTYPES && mag_ladder[t].rounds < rounds)
		t++;
	return t;
}

/* kmalloc_size_roundup(): the kmalloc-N caches are powers of two from 8, plus 96 and 192. */
static uint32_t kmalloc_bucket(uint32_t bytes)
{
	uint32_t b = 8;

	while (b < bytes)
		b <<= 1;
	if (bytes <= 96 && b == 128)
		return 96;
	return bytes <= 192 && b == 256 ? 192 : b;
}

/* calculate_sheaf_capacity() of 7.0 (patch "slab: add sheaves to most caches"). */
static unsigned sheaf_capacity_default(uint32_t size)
{
	unsigned cap = size >= SIM_PAGE_BYTES ? 4 : size >= 1024 ? 12 : size >= 256 ? 26 : 60;

	/* grown so that the sheaf fills its kmalloc size bucket exactly */
	return (kmalloc_bucket(SHEAF_HDR + 8 * cap) - SHEAF_HDR) / 8;
}

/* --- magazine and sheaf structures -------------------------------------- */

static struct addr_pool *pool_get(struct magp *p, uint32_t bytes, uint32_t align, unsigned node)
{
	for (size_t i = 0; i < p->npool; i++)
		if (p->pool[i].bytes == bytes && p->pool[i].align == align && p->pool[i].node == node)
			return &p->pool[i];
	xgrow((void **)&p->pool, &p->pool_cap, p->npool + 1, sizeof(*p->pool));
	memset(&p->pool[p->npool], 0, sizeof(*p->pool));
	p->pool[p->npool].bytes = bytes;
	p->pool[p->npool].align = align;
	p->pool[p->npool].node = node;
	return &p->pool[p->npool++];
}

/*
 * A new empty magazine or sheaf of cap rounds in node's memory.  A sheaf is
 * kzalloc()ed: with touch every line is written (not for the main sheaves
 * set up with the cache); a magazine's first line is written when it enters
 * the depot.
 */
static struct mag *mag_create(struct magp *p, struct sim_op *op, unsigned cap, unsigned node, bool touch)
{
	struct mag *g = xcalloc(1, sizeof(*g) + (size_t)cap * sizeof(sim_addr_t));
	uint32_t hdr = p->node_mode ? SHEAF_HDR : MAG_HDR;
	struct addr_pool *ap;

	g->cap = cap;
	g->node = (uint8_t)node;
	if (p->node_mode) {
		g->bytes = kmalloc_bucket(hdr + 8 * cap);
		g->align = g->bytes & -g->bytes;
	} else {
		unsigned a = mag_ladder[mag_type_for_rounds(cap)].align;

		g->bytes = (uint32_t)((hdr + 8 * cap + a - 1) / a * a);
		g->align = a;
	}
	g->align = SIM_MIN(g->align, (uint32_t)SIM_LINE_BYTES);
	ap = pool_get(p, g->bytes, g->align, node);
	g->addr = ap->n ? ap->a[--ap->n] : machine_struct_alloc(p->m, node, g->bytes, g->align);
	sim_gauge_add(op, SIM_GAUGE_meta_bytes, g->bytes);
	sim_count(op, SIM_CNT_sheaf_alloc);
	for (uint32_t off = 0; touch && p->node_mode && off < g->bytes; off += SIM_LINE_BYTES)
		sim_write(op, g->addr + off);
	return g;
}

/* Frees an empty structure (kmem_cache_free of the magazine, free_empty_sheaf). */
static void mag_free(struct magp *p, struct sim_op *op, struct mag *g)
{
	struct addr_pool *ap = pool_get(p, g->bytes, g->align, g->node);

	sim_assert(g->n == 0);
	xgrow((void **)&ap->a, &ap->cap, ap->n + 1, sizeof(*ap->a));
	ap->a[ap->n++] = g->addr;
	sim_gauge_add(op, SIM_GAUGE_meta_bytes, -(int64_t)g->bytes);
	sim_count(op, SIM_CNT_sheaf_free);
	free(g);
}

static sim_addr_t round_addr(const struct magp *p, const struct mag *g, unsigned i)
{
	return g->addr + (p->node_mode ? SHEAF_HDR : MAG_HDR) + (sim_addr_t)i * 8;
}

static sim_addr_t mag_pop(struct magp *p, struct sim_op *op, struct mag *g)
{
	g->n--;
	sim_read(op, round_addr(p, g, g->n));
	sim_gauge_add(op, SIM_GAUGE_cached_objs, -1);
	p->cached--;
	return g->round[g->n];
}

static void mag_push(struct magp *p, struct sim_op *op, struct mag *g, sim_addr_t obj)
{
	sim_write(op, round_addr(p, g, g->n));
	g->round[g->n++] = obj;
	sim_gauge_add(op, SIM_GAUGE_cached_objs, 1);
	p->cached++;
}

/* Reads (write: writes) the lines of rounds [from, to) once each. */
static void mag_touch_rounds(struct magp *p, struct sim_op *op, const struct mag *g, unsigned from,
			     unsigned to, bool write)
{
	sim_addr_t last = 0;

	for (unsigned i = from; i < to; i++) {
		sim_addr_t line = round_addr(p, g, i) & ~(sim_addr_t)(SIM_LINE_BYTES - 1);

		if (line != last)
			sim_access(op, line, write ? CL_WRITE : CL_READ);
		last = line;
	}
}

/*
 * Empties g into the slab layer.  Sheaves: sheaf_flush_unused(), one
 * kmem_cache_free_bulk(); magazines: kmem_magazine_destroy(), one
 * kmem_slab_free() per round.
 */
static void mag_flush(struct magp *p, struct sim_op *op, struct mag *g)
{
	int want = op->want_node;

	if (!g->n)
		return;
	op->want_node = SIM_NO_NODE;
	mag_touch_rounds(p, op, g, 0, g->n, false);
	sim_gauge_add(op, SIM_GAUGE_cached_objs, -(int64_t)g->n);
	p->cached -= g->n;
	if (p->node_mode) {
		sim_count_n(op, SIM_CNT_sheaf_flush, g->n);
		slub_free_bulk(p->slub, op, g->n, g->round);
		sim_write(op, g->addr);		/* sheaf->size = 0 */
	} else {
		for (unsigned i = 0; i < g->n; i++)
			slub_policy.free(p->slub, op, g->round[i]);
	}
	g->n = 0;
	op->want_node = want;
}

static void mag_destroy(struct magp *p, struct sim_op *op, struct mag *g)
{
	if (g) {
		mag_flush(p, op, g);
		mag_free(p, op, g);
	}
}

/* refill_sheaf(): the free rounds of g by one kmem_cache_alloc_bulk(). */
static void mag_refill(struct magp *p, struct sim_op *op, struct mag *g)
{
	unsigned k = g->cap - g->n;
	int want = op->want_node;

	op->want_node = SIM_NO_NODE;		/* refill_objects() takes local slabs */
	slub_alloc_bulk(p->slub, op, k, &g->round[g->n]);
	op->want_node = want;
	mag_touch_rounds(p, op, g, g->n, g->cap, true);
	g->n = g->cap;
	sim_write(op, g->addr);			/* sheaf->size */
	sim_gauge_add(op, SIM_GAUGE_cached_objs, k);
	p->cached += k;
	sim_count_n(op, SIM_CNT_sheaf_refill, k);
}

/* --- depot and barn lists ------------------------------------------------ */

static struct mag *maglist_pop(struct magp *p, struct sim_op *op, struct maglist *l)
{
	struct mag *g = l->head;

	if (!g)
		return NULL;
	sim_read(op, g->addr);			/* mag_next, barn_list.next */
	l->head = g->next;
	g->next = NULL;
	if (--l->total < l->min)
		l->min = l->total;
	if (p->node_mode && l->head)
		sim_write(op, l->head->addr);	/* list_del(): the next one's prev */
	return g;
}

static void maglist_push(struct magp *p, struct sim_op *op, struct maglist *l, struct mag *g)
{
	if (p->node_mode && l->head)
		sim_write(op, l->head->addr);	/* list_add(): the first one's prev */
	sim_write(op, g->addr);
	g->next = l->head;
	l->head = g;
	l->total++;
}

/*
 * kmem_depot_alloc(): mutex_tryenter(), and on failure mutex_enter() and
 * cache_depot_contention++.  A barn's spin_lock_irqsave() has no trylock;
 * a wait there counts as contention only for grow (no counter).
 */
static void depot_lock(struct magp *p, struct sim_op *op, struct mcache *c, struct depot *d)
{
	if (p->node_mode) {
		c->contention += d->lock.free_at > op->now;
		sim_lock_acquire(op, &d->lock);
		return;
	}
	if (sim_lock_try(op, &d->lock))
		return;
	sim_lock_acquire(op, &d->lock);
	c->contention++;
	sim_count(op, SIM_CNT_depot_contention);
}

static void depot_unlock(struct sim_op *op, struct depot *d)
{
	sim_write(op, d->lock.addr);		/* the lists and counts share the lock's line */
	sim_lock_release(op, &d->lock);
}

/* kmem_depot_alloc(): a full (or empty) magazine from the depot, or NULL. */
static struct mag *depot_get(struct magp *p, struct sim_op *op, struct mcache *c, struct depot *d, bool full)
{
	struct mag *g;

	depot_lock(p, op, c, d);
	g = maglist_pop(p, op, full ? &d->full : &d->empty);
	if (g && !p->node_mode)
		sim_count(op, full ? SIM_CNT_depot_alloc : SIM_CNT_depot_free);	/* ml_alloc++ */
	depot_unlock(op, d);
	return g;
}

/* kmem_depot_free() (mutex_enter: not counted); a depot at its limit destroys g. */
static void depot_put(struct magp *p, struct sim_op *op, struct mcache *c, struct depot *d, bool full,
		      struct mag *g)
{
	struct maglist *l = full ? &d->full : &d->empty;
	unsigned max = full ? p->full_max : p->empty_max;

	sim_lock_acquire(op, &d->lock);
	if (max && l->total >= (long)max) {
		depot_unlock(op, d);
		mag_destroy(p, op, g);
		return;
	}
	maglist_push(p, op, l, g);
	depot_unlock(op, d);
}

/* ======================================================================
 * depot=global: Bonwick & Adams, illumos kmem_cache_alloc()/kmem_cache_free()
 * ====================================================================== */

/* kmem_cpu_reload(): g becomes the loaded magazine, the loaded one the previous. */
static void cpu_reload(struct sim_op *op, struct mcpu *cc, struct mag *g)
{
	cc->prev = cc->loaded;
	cc->loaded = g;
	sim_write(op, cc->addr);
}

static sim_addr_t bon_alloc(struct magp *p, struct sim_op *op, struct mcache *c)
{
	struct mcpu *cc = &c->cpu[op->cpu];
	struct depot *d = &c->depot[0];
	struct mag *g;

	sim_lock_acquire(op, &cc->lock);	/* the rest of the line is now a hit */
	for (;;) {
		if (cc->loaded && cc->loaded->n) {
			sim_addr_t obj = mag_pop(p, op, cc->loaded);

			sim_write(op, cc->addr);	/* cc_rounds, cc_alloc */
			sim_lock_release(op, &cc->lock);
			sim_count(op, SIM_CNT_magazine_alloc_hit);
			return obj;
		}
		if (cc->prev && cc->prev->n) {	/* previous full: exchange them */
			sim_count(op, SIM_CNT_magazine_swap);
			cpu_reload(op, cc, cc->prev);
			continue;
		}
		g = depot_get(p, op, c, d, true);
		if (!g)
			break;
		if (cc->prev)
			depot_put(p, op, c, d, false, cc->prev);
		cpu_reload(op, cc, g);
	}
	sim_lock_release(op, &cc->lock);
	sim_count(op, SIM_CNT_mag_slab_alloc);
	return slub_policy.alloc(p->slub, op);
}

/* kmem_cpucache_magazine_alloc(): an empty magazine loaded, or one made and put in the depot. */
static void bon_magazine_alloc(struct magp *p, struct sim_op *op, struct mcache *c, struct mcpu *cc)
{
	struct depot *d = &c->depot[0];
	struct mag *g = depot_get(p, op, c, d, false);

	if (g) {
		if (cc->prev)
			depot_put(p, op, c, d, true, cc->prev);
		cpu_reload(op, cc, g);
		return;
	}
	/* kmem_cache_alloc(mtp->mt_cache) with cc_lock dropped; the caller tries again */
	sim_lock_release(op, &cc->lock);
	g = mag_create(p, op, c->cap, op->node, true);
	sim_lock_acquire(op, &cc->lock);
	depot_put(p, op, c, d, false, g);
}

static void bon_free(struct magp *p, struct sim_op *op, struct mcache *c, sim_addr_t obj)
{
	struct mcpu *cc = &c->cpu[op->cpu];

	sim_lock_acquire(op, &cc->lock);
	for (;;) {
		if (cc->loaded && cc->loaded->n < c->cap) {
			mag_push(p, op, cc->loaded, obj);
			sim_write(op, cc->addr);	/* cc_rounds, cc_free */
			sim_lock_release(op, &cc->lock);
			sim_count(op, SIM_CNT_magazine_free_hit);
			return;
		}
		if (cc->prev && !cc->prev->n) {	/* previous empty: exchange them */
			sim_count(op, SIM_CNT_magazine_swap);
			cpu_reload(op, cc, cc->prev);
			continue;
		}
		/* never fails here (memory never runs out), so no kmem_slab_free() fallback */
		bon_magazine_alloc(p, op, c, cc);
	}
}

/* ======================================================================
 * depot=node: SLUB sheaves and barns, mm/slub.c of 7.0
 * ====================================================================== */

static bool sh_is_bypassed(const struct magp *p, const struct sim_op *op)
{
	return p->irq_bypass && op->ctx >= SIM_CTX_HARDIRQ;
}

static void pcs_swap(struct sim_op *op, struct mcpu *pc)
{
	struct mag *t = pc->loaded;

	pc->loaded = pc->prev;
	pc->prev = t;
	sim_write(op, pc->addr);
}

/* barn_get_empty_sheaf() */
static struct mag *barn_get_empty(struct magp *p, struct sim_op *op, struct mcache *c, struct depot *d)
{
	struct mag *g;

	sim_read(op, d->lock.addr);		/* data_race(barn->nr_empty) */
	if (!d->empty.total)
		return NULL;
	depot_lock(p, op, c, d);
	g = maglist_pop(p, op, &d->empty);
	depot_unlock(op, d);
	return g;
}

/* barn_put_empty_sheaf(), barn_put_full_sheaf(): no limit checked */
static void barn_put(struct magp *p, struct sim_op *op, struct mcache *c, struct depot *d, struct mag *g, bool full)
{
	depot_lock(p, op, c, d);
	maglist_push(p, op, full ? &d->full : &d->empty, g);
	depot_unlock(op, d);
}

/* barn_replace_empty_sheaf(): a full sheaf for the empty one, or NULL. */
static struct mag *barn_replace_empty(struct magp *p, struct sim_op *op, struct mcache *c, struct depot *d,
				      struct mag *empty)
{
	struct mag *full;

	sim_read(op, d->lock.addr);		/* data_race(barn->nr_full) */
	if (!d->full.total)
		return NULL;
	depot_lock(p, op, c, d);
	full = maglist_pop(p, op, &d->full);
	maglist_push(p, op, &d->empty, empty);	/* the number of sheaves does not change */
	depot_unlock(op, d);
	return full;
}

/* barn_replace_full_sheaf(): an empty sheaf for the full one; NULL, *e2big when at the limit. */
static struct mag *barn_replace_full(struct magp *p, struct sim_op *op, struct mcache *c, struct depot *d,
				     struct mag *full, bool *e2big)
{
	struct mag *empty;

	sim_read(op, d->lock.addr);		/* racy nr_full and nr_empty checks */
	*e2big = p->full_max && d->full.total >= (long)p->full_max;
	if (*e2big || !d->empty.total)
		return NULL;
	depot_lock(p, op, c, d);
	empty = maglist_pop(p, op, &d->empty);
	maglist_push(p, op, &d->full, full);
	depot_unlock(op, d);
	return empty;
}

/* __pcs_replace_empty_main(): false when the caller must go to the slab layer. */
static bool pcs_replace_empty_main(struct magp *p, struct sim_op *op, struct mcache *c, struct mcpu *pc)
{
	struct depot *d = &c->depot[op->node];
	struct mag *full, *empty;

	if (pc->prev && pc->prev->n) {
		pcs_swap(op, pc);
		return true;
	}
	full = barn_replace_empty(p, op, c, d, pc->loaded);
	if (full) {
		sim_count(op, SIM_CNT_barn_get);
		pc->loaded = full;
		sim_write(op, pc->addr);
		return true;
	}
	sim_count(op, SIM_CNT_barn_get_fail);
	if (op->ctx != SIM_CTX_TASK)		/* !gfpflags_allow_blocking(): GFP_ATOMIC assumed */
		return false;
	if (pc->prev) {
		empty = pc->prev;
		pc->prev = NULL;
		sim_write(op, pc->addr);
	} else {
		empty = barn_get_empty(p, op, c, d);
	}
	if (!empty)				/* alloc_full_sheaf() */
		empty = mag_create(p, op, c->cap, op->node, true);
	mag_refill(p, op, empty);		/* refill_sheaf(), local lock dropped */
	sim_write(op, pc->addr);		/* local_lock(): main is still empty */
	if (!pc->prev)
		pc->prev = pc->loaded;
	else
		barn_put(p, op, c, d, pc->loaded, false);
	pc->loaded = empty;
	return true;
}

/* __pcs_replace_full_main() with __pcs_install_empty_sheaf(); allow_spin is always true here. */
static void pcs_replace_full_main(struct magp *p, struct sim_op *op, struct mcache *c, struct mcpu *pc)
{
	struct depot *d = &c->depot[op->node];
	struct mag *empty;
	bool e2big;

	if (!pc->prev) {
		empty = barn_get_empty(p, op, c, d);
		if (!empty)			/* alloc_empty_sheaf(GFP_NOWAIT) */
			empty = mag_create(p, op, c->cap, op->node, true);
		pc->prev = pc->loaded;
		pc->loaded = empty;
		sim_write(op, pc->addr);
		return;
	}
	if (pc->prev->n < c->cap) {
		pcs_swap(op, pc);
		return;
	}
	empty = barn_replace_full(p, op, c, d, pc->loaded, &e2big);
	if (empty) {
		sim_count(op, SIM_CNT_barn_put);
	} else if (e2big) {
		/* too many full sheaves: flush the (full) spare and use it as the empty main */
		empty = pc->prev;
		sim_count(op, SIM_CNT_barn_put_fail);
		pc->prev = NULL;
		sim_write(op, pc->addr);
		mag_flush(p, op, empty);
		pc->prev = pc->loaded;
	} else {
		/* no empty sheaf in the barn: allocate one, the full main goes to the barn */
		empty = mag_create(p, op, c->cap, op->node, true);
		barn_put(p, op, c, d, pc->loaded, true);
		sim_count(op, SIM_CNT_barn_put);
	}
	pc->loaded = empty;
	sim_write(op, pc->addr);
}

static sim_addr_t sh_alloc(struct magp *p, struct sim_op *op, struct mcache *c)
{
	struct mcpu *pc = &c->cpu[op->cpu];
	struct mag *main;
	sim_addr_t obj;

	/* alloc_from_pcs(): a request for another node goes to the slab layer */
	if ((op->want_node >= 0 && (unsigned)op->want_node != op->node) || sh_is_bypassed(p, op))
		goto bypass;
	sim_write(op, pc->addr);		/* local_trylock() */
	sim_read(op, pc->loaded->addr);		/* main->size */
	if (!pc->loaded->n && !pcs_replace_empty_main(p, op, c, pc))
		goto bypass;
	main = pc->loaded;
	if (op->want_node >= 0 && sim_addr_node(main->round[main->n - 1]) != (unsigned)op->want_node)
		goto bypass;
	obj = mag_pop(p, op, main);

	sim_write(op, main->addr);		/* main->size-- */
	sim_write(op, pc->addr);		/* local_unlock() */
	sim_count(op, SIM_CNT_alloc_pcs);
	return obj;
bypass:
	sim_count(op, SIM_CNT_pcs_bypass);
	return slub_policy.alloc(p->slub, op);
}

static void sh_free(struct magp *p, struct sim_op *op, struct mcache *c, sim_addr_t obj)
{
	struct mcpu *pc = &c->cpu[op->cpu];

	/* slab_free(): remote-node objects go back to their slab */
	if (sim_addr_node(obj) != op->node || sh_is_bypassed(p, op)) {
		sim_count(op, SIM_CNT_pcs_bypass);
		slub_policy.free(p->slub, op, obj);
		return;
	}
	sim_write(op, pc->addr);		/* local_trylock() */
	sim_read(op, pc->loaded->addr);
	if (pc->loaded->n == c->cap)
		pcs_replace_full_main(p, op, c, pc);
	mag_push(p, op, pc->loaded, obj);
	sim_write(op, pc->loaded->addr);	/* main->size++ */
	sim_write(op, pc->addr);		/* local_unlock() */
	sim_count(op, SIM_CNT_free_pcs);
}

/* ======================================================================
 * per-cache set-up and the periodic maintenance
 * ====================================================================== */

/* Sheaves: every cpu gets its (empty) main sheaf, as init_percpu_sheaves() does. */
static void mag_cpus_enable(struct magp *p, struct sim_op *op, struct mcache *c)
{
	for (unsigned cpu = 0; p->node_mode && cpu < p->m->ncpus; cpu++)
		c->cpu[cpu].loaded = mag_create(p, op, c->cap, p->m->cpu_node[cpu], false);
}

static struct mcache *mag_cache_get(struct magp *p, struct sim_op *op, unsigned id)
{
	struct mcache *c = &p->cache[id];
	struct machine *m = p->m;
	uint32_t size = SIM_MAX(machine_cache_size(m, id), 8u);

	if (c->ready)
		return c;
	c->ready = true;
	c->chunk = (size + 7) & ~7u;		/* P2ROUNDUP(bufsize, KMEM_ALIGN) */
	if (p->size)
		c->cap = p->size;
	else if (p->node_mode)
		c->cap = sheaf_capacity_default(size);
	else
		c->cap = mag_ladder[mag_type_for_chunk(c->chunk)].rounds;
	c->type = mag_type_for_rounds(c->cap);
	c->cpu = xcalloc(m->ncpus, sizeof(*c->cpu));
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++) {
		/* kmem_cache_t's cache_cpu[] array (node 0), or per-cpu memory */
		c->cpu[cpu].addr = machine_struct_alloc(m, p->node_mode ? m->cpu_node[cpu] : 0,
							SIM_LINE_BYTES, SIM_LINE_BYTES);
		sim_lock_init(&c->cpu[cpu].lock, c->cpu[cpu].addr, SIM_LOCK_cpu_lock);
	}
	c->ndepots = p->node_mode ? m->nnodes : 1;
	c->depot = xcalloc(c->ndepots, sizeof(*c->depot));
	for (unsigned n = 0; n < c->ndepots; n++)
		sim_lock_init(&c->depot[n].lock, machine_struct_alloc(m, n, SIM_LINE_BYTES, SIM_LINE_BYTES),
			      p->node_mode ? SIM_LOCK_barn_lock : SIM_LOCK_depot_lock);
	mag_cpus_enable(p, op, c);
	return c;
}

/* kmem_depot_ws_update() (zero: kmem_depot_ws_zero(), everything reapable). */
static void depot_ws_set(struct sim_op *op, struct depot *d, bool zero)
{
	struct maglist *l[2] = { &d->full, &d->empty };

	sim_lock_acquire(op, &d->lock);
	for (int i = 0; i < 2; i++) {
		l[i]->reaplimit = zero ? l[i]->total : l[i]->min;
		l[i]->min = l[i]->total;
	}
	depot_unlock(op, d);
}

/* kmem_depot_ws_reap(): the magazines outside the working set back to the slab layer. */
static void depot_ws_reap(struct magp *p, struct sim_op *op, struct mcache *c, struct depot *d, bool count)
{
	for (int full = 1; full >= 0; full--) {
		struct maglist *l = full ? &d->full : &d->empty;
		long reap = SIM_MIN(l->reaplimit, l->min);
		struct mag *g;

		while (reap-- > 0 && (g = depot_get(p, op, c, d, full))) {
			if (count)
				sim_count(op, SIM_CNT_ws_reap);
			mag_destroy(p, op, g);
		}
	}
}

/* Takes both magazines of every cpu away and destroys them (kmem_cache_magazine_purge). */
static void mag_cpus_purge(struct magp *p, struct sim_op *op, struct mcache *c, bool keep_main)
{
	for (unsigned cpu = 0; cpu < p->m->ncpus; cpu++) {
		struct mcpu *cc = &c->cpu[cpu];
		struct mag *a = cc->loaded, *b = cc->prev;

		if (!p->node_mode)
			sim_lock_acquire(op, &cc->lock);
		sim_write(op, cc->addr);
		cc->prev = NULL;
		cc->loaded = keep_main ? a : NULL;
		if (!p->node_mode)
			sim_lock_release(op, &cc->lock);
		if (keep_main)
			mag_flush(p, op, a);	/* sheaf_flush_main(): main stays */
		else
			mag_destroy(p, op, a);
		mag_destroy(p, op, b);
	}
}

/* kmem_cache_magazine_resize(): purge, next magazine type, skip the next check. */
static void mag_resize(struct magp *p, struct sim_op *op, struct mcache *c)
{
	unsigned next = mag_ladder[c->type].rounds > c->cap ? c->type : c->type + 1;

	mag_cpus_purge(p, op, c, false);
	for (unsigned i = 0; i < c->ndepots; i++) {
		depot_ws_set(op, &c->depot[i], true);
		depot_ws_reap(p, op, c, &c->depot[i], false);
	}
	c->type = next;
	c->cap = mag_ladder[next].rounds;
	c->skip_check = true;			/* cache_depot_contention_prev = contention + INT_MAX */
	sim_count(op, SIM_CNT_magazine_resize);
	mag_cpus_enable(p, op, c);
}

/* kmem_cache_update() for one cache, then the reap. */
static void mag_cache_update(struct magp *p, struct sim_op *op, struct mcache *c)
{
	bool resize;

	for (unsigned i = 0; i < c->ndepots; i++)
		depot_ws_set(op, &c->depot[i], false);
	sim_lock_acquire(op, &c->depot[0].lock);
	resize = p->grow && !c->skip_check && c->contention - c->contention_prev > DEPOT_CONTENTION &&
		 c->chunk < mag_ladder[c->type].maxbuf &&
		 (mag_ladder[c->type].rounds > c->cap || c->type + 1 < NTYPES);
	c->contention_prev = c->contention;
	c->skip_check = false;
	depot_unlock(op, &c->depot[0]);
	if (resize)
		mag_resize(p, op, c);
	for (unsigned i = 0; i < c->ndepots; i++)
		depot_ws_reap(p, op, c, &c->depot[i], true);
}

/* ======================================================================
 * the policy interface
 * ====================================================================== */

static long mag_param(const struct sim_param_values *pv, enum mag_param i, long autoval)
{
	return pv->is_auto[i] ? autoval : pv->v[i];
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void *mag_policy_create(struct machine *m, const struct sim_param_values *pv)
{
	struct magp *p = xcalloc(1, sizeof(*p));
	bool node;

	p->m = m;
	p->node_mode = node = pv->v[P_DEPOT] == DEPOT_NODE;
	p->size = pv->is_auto[P_SIZE] ? 0 : (unsigned)pv->v[P_SIZE];
	p->full_max = (unsigned)mag_param(pv, P_FULL_MAX, node ? 10 : 0);
	p->empty_max = (unsigned)mag_param(pv, P_EMPTY_MAX, node ? 10 : 0);
	p->grow = mag_param(pv, P_GROW, !node);
	p->reap_ns = (uint64_t)mag_param(pv, P_REAP_MS, node ? 0 : 15000) * 1000000u;
	p->irq_bypass = pv->v[P_HARDIRQ] == 0;
	if (!(p->slub = slub_backing_create(m, pv->v[P_SLUB]))) {
		free(p);
		return NULL;
	}
	p->slub_ns = slub_policy.timer_period_ns ? slub_policy.timer_period_ns(p->slub) : 0;
	p->period_ns = p->slub_ns && p->reap_ns ? gcd_u64(p->slub_ns, p->reap_ns) : p->slub_ns + p->reap_ns;
	p->tick = xcalloc(m->ncpus, sizeof(*p->tick));
	p->cache = xcalloc(m->ncaches ? m->ncaches : 1, sizeof(*p->cache));
	return p;
}

static sim_addr_t mag_alloc(void *pol, struct sim_op *op)
{
	struct magp *p = pol;
	struct mcache *c = mag_cache_get(p, op, op->cache);

	return p->node_mode ? sh_alloc(p, op, c) : bon_alloc(p, op, c);
}

static void mag_free_obj(void *pol, struct sim_op *op, sim_addr_t obj)
{
	struct magp *p = pol;
	struct mcache *c = mag_cache_get(p, op, op->cache);

	if (p->node_mode)
		sh_free(p, op, c, obj);
	else
		bon_free(p, op, c, obj);
}

static uint64_t mag_timer_period_ns(const void *pol)
{
	return ((const struct magp *)pol)->period_ns;
}

/* Every cpu's timer runs the slab layer's; cpu 0's also the maintenance (kmem_update()). */
static void mag_timer(void *pol, struct sim_op *op)
{
	struct magp *p = pol;
	uint64_t t_ns = ++p->tick[op->cpu] * p->period_ns;

	if (p->slub_ns && t_ns % p->slub_ns == 0)
		slub_policy.timer(p->slub, op);
	if (!p->reap_ns || op->cpu != 0 || t_ns % p->reap_ns)
		return;
	for (unsigned id = 0; id < p->m->ncaches; id++) {
		if (!p->cache[id].ready)
			continue;
		sim_op_set_cache(op, id);
		mag_cache_update(p, op, &p->cache[id]);
	}
}

/* Every cached object back to the slab layer (purge, barn_shrink), then the slab layer's drain. */
static void mag_drain(void *pol, struct sim_op *op)
{
	struct magp *p = pol;

	for (unsigned id = 0; id < p->m->ncaches; id++) {
		struct mcache *c = &p->cache[id];

		if (!c->ready)
			continue;
		sim_op_set_cache(op, id);
		mag_cpus_purge(p, op, c, p->node_mode);
		for (unsigned i = 0; i < c->ndepots; i++) {
			depot_ws_set(op, &c->depot[i], true);
			depot_ws_reap(p, op, c, &c->depot[i], false);
		}
	}
	slub_policy.drain(p->slub, op);
}

static void maglist_free_all(struct maglist *l)
{
	while (l->head) {
		struct mag *g = l->head;

		l->head = g->next;
		free(g);
	}
}

static void mag_policy_destroy(void *pol)
{
	struct magp *p = pol;

	for (unsigned id = 0; id < p->m->ncaches; id++) {
		struct mcache *c = &p->cache[id];

		if (!c->ready)
			continue;
		for (unsigned cpu = 0; cpu < p->m->ncpus; cpu++) {
			free(c->cpu[cpu].loaded);
			free(c->cpu[cpu].prev);
		}
		for (unsigned i = 0; i < c->ndepots; i++) {
			maglist_free_all(&c->depot[i].full);
			maglist_free_all(&c->depot[i].empty);
		}
		free(c->cpu);
		free(c->depot);
	}
	for (size_t i = 0; i < p->npool; i++)
		free(p->pool[i].a);
	free(p->pool);
	free(p->cache);
	free(p->tick);
	slub_policy.destroy(p->slub);
	free(p);
}

/* --- invariants ---------------------------------------------------------- */

struct mag_check {
	struct u64map seen;		/* every cached object once */
	int64_t n;
	char *why;
	size_t len;
};

static bool mag_is_valid_one(const struct mcache *c, const struct mag *g, int want, struct mag_check *k)
{
	if (g->cap != c->cap || g->n > g->cap || (want >= 0 && g->n != (unsigned)want)) {
		snprintf(k->why, k->len, "a magazine holds %u rounds of %u (cache capacity %u, expected %d)",
			 g->n, g->cap, c->cap, want);
		return false;
	}
	for (unsigned i = 0; i < g->n; i++, k->n++)
		if (!g->round[i] || !u64map_add(&k->seen, g->round[i], 1)) {
			snprintf(k->why, k->len, "object 0x%llx is cached twice (or is null)",
				 (unsigned long long)g->round[i]);
			return false;
		}
	return true;
}

static bool mag_list_is_valid(const struct magp *p, const struct mcache *c, const struct maglist *l, bool full,
			      struct mag_check *k)
{
	unsigned max = full ? p->full_max : p->node_mode ? 0 : p->empty_max;
	long n = 0;

	for (const struct mag *g = l->head; g; g = g->next, n++)
		if (!mag_is_valid_one(c, g, full ? (int)c->cap : 0, k))
			return false;
	if (n != l->total || l->min > l->total || (max && n > (long)max)) {
		snprintf(k->why, k->len, "a depot list counts %ld magazines, holds %ld (min %ld, limit %u)",
			 l->total, n, l->min, max);
		return false;
	}
	return true;
}

static bool mag_cache_is_valid(const struct magp *p, const struct mcache *c, struct mag_check *k)
{
	for (unsigned cpu = 0; cpu < p->m->ncpus; cpu++) {
		const struct mcpu *cc = &c->cpu[cpu];

		if ((p->node_mode && !cc->loaded) || (cc->prev && !cc->loaded) || sim_lock_is_held(&cc->lock)) {
			snprintf(k->why, k->len, "cpu %u: no %s magazine, or its lock is held", cpu,
				 p->node_mode ? "main" : "loaded");
			return false;
		}
		if ((cc->loaded && !mag_is_valid_one(c, cc->loaded, -1, k)) ||
		    (cc->prev && !mag_is_valid_one(c, cc->prev, -1, k)))
			return false;
	}
	for (unsigned i = 0; i < c->ndepots; i++)
		if (!mag_list_is_valid(p, c, &c->depot[i].full, true, k) ||
		    !mag_list_is_valid(p, c, &c->depot[i].empty, false, k))
			return false;
	return true;
}

static bool mag_policy_is_valid(const void *pol, char *why, size_t len)
{
	const struct magp *p = pol;
	struct mag_check k = { .why = why, .len = len };
	bool ok = true;

	u64map_init(&k.seen);
	for (unsigned id = 0; ok && id < p->m->ncaches; id++)
		ok = !p->cache[id].ready || mag_cache_is_valid(p, &p->cache[id], &k);
	if (ok && k.n != p->cached) {
		snprintf(why, len, "%lld objects in magazines, %lld counted", (long long)k.n, (long long)p->cached);
		ok = false;
	}
	u64map_fini(&k.seen);
	return ok && slub_policy.is_valid(p->slub, why, len);
}

const struct sim_policy_ops magazine_policy = {
	.name = "magazine",
	.summary = "per-cpu magazines and a depot (Bonwick 2001); depot=node: SLUB percpu sheaves and barns",
	.models = "illumos kmem.c magazine layer (Bonwick & Adams, USENIX 2001); mm/slub.c sheaves of 6.18/7.0",
	.params = mag_params,
	.nparams = P_COUNT,
	.create = mag_policy_create,
	.alloc = mag_alloc,
	.free = mag_free_obj,
	.timer = mag_timer,
	.timer_period_ns = mag_timer_period_ns,
	.drain = mag_drain,
	.destroy = mag_policy_destroy,
	.is_valid = mag_policy_is_valid,
};
