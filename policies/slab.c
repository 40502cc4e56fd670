/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slab.c - SLAB, the queued slab allocator that SLUB replaced (mm/slab.c,
 * removed in 6.8).
 *
 * Models mm/slab.c as of 6.1-6.7 (read in its 6.3 form; the bundled traces
 * come from 6.1), the allocator seed 002's points A-D argue against:
 * - per-cpu struct array_cache {avail, limit, batchcount, touched, entry[]},
 *   LIFO, under local_irq_save (free here; context changes nothing, so no
 *   trylock bypass);
 * - ____cache_alloc(): a hit pops the array and sets touched; a miss runs
 *   cache_alloc_refill(): batchcount objects (at most BATCHREFILL_LIMIT 16
 *   while untouched), after an unlocked peek at free_objects and the shared
 *   array, under the node's list_lock from the shared array
 *   (transfer_objects) or else from the partial then the free slabs
 *   (get_first_slab, alloc_block, fixup_slab_list); with nothing there a new
 *   slab (cache_grow_begin without the lock, cache_grow_end under it);
 * - ___cache_free(): a remote-node object goes to cache_free_alien(); a full
 *   array runs cache_flusharray(): under list_lock the batchcount oldest
 *   entries go to the shared array if it has room, else to free_block(),
 *   which moves each slab to the free list (head) or the partial list
 *   (tail) and gives free slabs beyond free_limit = (1 + cpus of the node) *
 *   batchcount + objects per slab back to the page allocator after the
 *   lock is dropped (slabs_destroy);
 * - alien caches (struct alien_cache {lock; array_cache}, 12 entries, 1 for
 *   caches whose limit is 1; alloc_alien_cache()): each node keeps one per
 *   other node; a remote free locks it, and a full one is drained first
 *   (node_overflow) into that node's shared array, the rest by free_block()
 *   under that node's list_lock; with alien=off a remote free takes the
 *   object's node's list_lock and free_block()s it at once;
 * - ____cache_alloc_node() for requests naming another node: that node's
 *   lists, one object, no array (node_allocs), or a new slab there;
 * - cache_reap() on every cpu every reap_ms (REAPTIMEOUT_AC 2 s): the alien
 *   cache of one node (round robin, spin_trylock), drain_array() of the cpu
 *   array (a touched array only loses its flag, an untouched one gives
 *   (limit+4)/5 objects, (avail+1)/2 if it holds fewer), and every 2 *
 *   reap_ms per node (REAPTIMEOUT_NODE) drain_array() of the shared array
 *   and, unless get_first_slab() touched the free list since,
 *   drain_freelist() of (free_limit + 5 * num - 1) / (5 * num) free slabs;
 * - slab layout by __kmem_cache_create() (slab_geometry_compute()):
 *   calculate_slab_order() with slab_max_order 1, one-byte freelist_idx_t
 *   (FREELIST_BYTE_INDEX with 4 KiB pages: at most 255 objects per slab);
 *   freelist=obj: the index array inside a free object when num <= size
 *   (CFLGS_OBJFREELIST_SLAB, no extra bytes), else off-slab (kmalloc'ed,
 *   at most half an object) when the array does not fit the left-over, else
 *   on-slab in the slab's last bytes; freelist=slab: the same without the
 *   object option (caches with a constructor);
 *   freelist=desc: SLAB before 3.13, the 2.6 layout of seed 002 point C: a
 *   48-byte struct slab plus a 4-byte kmem_bufctl_t per object, on-slab,
 *   or off-slab from kmalloc for objects of PAGE_SIZE/8 and more unless it
 *   fits in the left-over;
 * - line touches: struct kmem_cache (read-mostly), the per-cpu array's
 *   header and entry lines, kmem_cache_node's two lines (list_lock with the
 *   three list heads; free_objects, shared, alien, reap state), the shared
 *   and alien arrays, each slab's struct page (active, list links) and its
 *   freelist entry (or 2.6 descriptor and bufctl) per object taken or given
 *   back.
 * The gauge meta_bytes counts each slab's management bytes: on-slab ones
 * (inside slab_bytes) and off-slab ones (the kmalloc object's size class,
 * outside); struct slab overlays struct page in 6.x and costs nothing.
 * cached_objs counts free objects in cpu, shared and alien arrays.
 *
 * Does not model: slab colouring (addresses start at the page), the exact
 * placement of a 2.6 on-slab descriptor (put at the slab's end, because the
 * shared backend lays objects out from the first byte: objects stay
 * line-aligned, which understates seed 002 point C's misalignment), the
 * kmalloc calls behind off-slab freelists (their addresses are recycled LIFO
 * per node, their cost is not charged), constructors, cache flags that the
 * trace does not carry (SLAB_RECLAIM_ACCOUNT's order-0 rule, caller
 * alignment, SLAB_TYPESAFE_BY_RCU), mempolicy and cpuset spreading
 * (alternate_node_alloc), fallback_alloc (memory never runs out),
 * pfmemalloc, debugging and STATS' high-water marks, slab_mutex (the reaper
 * always gets it), the reaper's first run at 1 s and per-cpu and per-cache
 * stagger (every cpu reaps at reap_ms multiples; each node list is first
 * reaped 2 * reap_ms after the cache's first use), cpu hotplug, tuning
 * through /proc/slabinfo at run time.  The shared backend's slab_new()
 * writes every object's first line, which SLAB without a constructor does
 * not: new slabs cost those writes too.
 *
 * Lock order (mm/slab.c): alien cache lock, then the object's node's
 * list_lock; the page allocator's locks are taken with neither held.
 *
 * Counters: SLAB's STATS (/proc/slabinfo cpustat allochit, allocmiss,
 * freehit, freemiss; globalstat listallocs, grown, reaped, node_allocs,
 * node_frees as remotefrees, node_overflow as alienoverflow), slabsim's
 * shared_refill, shared_flush, reap_objs, and free_slab for every slab given
 * back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "policies/registry.h"
#include "policies/slab.h"
#include "policies/slabpage.h"
#include "sim/policy.h"
#include "sim/xalloc.h"

#define BATCHREFILL_LIMIT 16
#define SLAB_OBJ_MIN_SIZE 16
#define SLAB_OBJ_MAX_NUM 255		/* (1 << 8) - 1: one-byte freelist_idx_t */
#define SLAB_MAX_ORDER 1		/* SLAB_MAX_ORDER_HI: machines with more than 32 MiB */
#define KMALLOC_MAX_ORDER 10		/* MAX_ORDER - 1 */
#define ALIEN_LIMIT 12			/* alloc_alien_cache() */
#define AC_HDR_BYTES 16			/* avail, limit, batchcount, touched; entry[] follows */
#define ALIEN_AC_OFFSET 8		/* struct alien_cache: spinlock_t, then the array_cache */
#define DESC_BYTES 48			/* 2.6 struct slab on 64-bit */
#define BUFCTL_BYTES 4			/* kmem_bufctl_t */
#define BAD_BATCH 0xbaadf00du		/* batchcount of shared and alien arrays: never used */

enum slab_param { P_LIMIT, P_BATCHCOUNT, P_SHARED, P_ALIEN, P_REAP_MS, P_FREELIST, P_COUNT };

static const char *const onoff_names[] = { "off", "on", NULL };
static const char *const freelist_names[] = { "obj", "slab", "desc", NULL };

static const struct sim_param_desc slab_params[] = {
	[P_LIMIT] = { .name = "limit", .def = 120, .min = 1, .max = 100000, .auto_default = true,
		      .meaning = "objects in each cpu's array cache; auto: enable_cpucache() "
				 "1 (>128 KiB), 8 (>4 KiB), 24 (>1 KiB), 54 (>256 B), else 120" },
	[P_BATCHCOUNT] = { .name = "batchcount", .def = 60, .min = 1, .max = 100000, .auto_default = true,
			   .meaning = "objects per refill and flush, clamped to limit; auto: (limit+1)/2; "
				      "an untouched array refills at most 16 (BATCHREFILL_LIMIT)" },
	[P_SHARED] = { .name = "shared", .def = 8, .min = 0, .max = 1000, .auto_default = true,
		       .meaning = "per-node shared array of shared*batchcount objects, 0 = none; "
				  "auto: 8 for objects <= 4 KiB on more than one cpu" },
	[P_ALIEN] = { .name = "alien", .def = 1, .min = 0, .max = 1, .auto_default = true, .choices = onoff_names,
		      .meaning = "alien caches (12 objects per other node) for frees of remote objects; "
				 "auto: on with more than one node" },
	[P_REAP_MS] = { .name = "reap_ms", .def = 2000, .min = 0, .max = 3600000,
			.meaning = "cache_reap() period per cpu in ms (REAPTIMEOUT_AC 2 s), node lists every 2x "
				   "(REAPTIMEOUT_NODE); 0 = no reaper" },
	[P_FREELIST] = { .name = "freelist", .def = SLAB_FREELIST_OBJ, .min = 0, .max = 2, .choices = freelist_names,
			 .meaning = "slab management: obj = 6.x (index array in a free object if it fits), "
				    "slab = 6.x with a constructor, desc = 2.6 struct slab + bufctl" },
};

enum slab_on_list { L_NONE = 0, L_PARTIAL, L_FULL, L_FREE };

struct slab_ac {			/* struct array_cache */
	sim_addr_t addr;		/* its header; entry[i] at addr + 16 + 8 i */
	unsigned avail, limit, batchcount;
	bool touched;
	sim_addr_t *entry;		/* [limit], allocated on first use */
};

struct slab_alien {			/* struct alien_cache */
	struct sim_lock lock;		/* same line as the array's header */
	struct slab_ac ac;
};

struct slab_node {			/* struct kmem_cache_node */
	struct sim_lock list_lock;	/* line 0, with the three list heads */
	struct slab_list partial, full, free;
	sim_addr_t addr2;		/* line 1: free_objects, free_limit, shared, alien, next_reap, free_touched */
	unsigned long free_objects, total_slabs;
	unsigned long free_limit;
	bool free_touched;
	sim_cycles_t next_reap;
	struct slab_ac shared;		/* limit 0: no shared array */
	sim_addr_t alien_ptrs;		/* n->alien[], the pointer array */
	struct slab_alien *alien;	/* [nnodes] (own node unused), NULL with alien caches off */
	sim_addr_t *meta_pool;		/* off-slab management blocks given back, reused LIFO */
	size_t npool, pool_cap;
};

struct slab_cache {			/* struct kmem_cache */
	bool ready;
	struct slab_geometry g;
	unsigned limit, batchcount, shared, alien_limit;
	sim_addr_t addr;		/* read-mostly line: cpu_cache, limit, batchcount, size, num */
	struct slab_ac *cpu;		/* [ncpus] */
	struct slab_node *node;		/* [nnodes] */
	uint64_t nlive;			/* objects handed out and not given back */
};

struct slab_pol {
	struct machine *m;
	struct slab_backend b;
	struct sim_param_values p;
	struct slab_cache *cache;	/* [ncaches] */
	unsigned *reap_node;		/* [ncpus]: slab_reap_node, the alien cache reaped next */
	bool alien;			/* use_alien_caches */
	enum slab_freelist_mode mode;
	sim_cycles_t reap_cycles;	/* REAPTIMEOUT_AC in cycles */
};

/* --- kernel defaults and slab layout ------------------------------------- */

unsigned slab_default_limit(unsigned size)
{
	if (size > 131072)
		return 1;
	if (size > SIM_PAGE_BYTES)
		return 8;
	if (size > 1024)
		return 24;
	if (size > 256)
		return 54;
	return 120;
}

unsigned slab_default_shared(unsigned size, unsigned ncpus)
{
	return size <= SIM_PAGE_BYTES && ncpus > 1 ? 8 : 0;
}

static unsigned align_up(unsigned x, unsigned a)
{
	return (x + a - 1) / a * a;
}

/* calculate_alignment() with SLAB_HWCACHE_ALIGN: a line, halved while the object fits twice. */
static unsigned hwcache_align(unsigned size)
{
	unsigned ralign = SIM_LINE_BYTES;

	while (size <= ralign / 2)
		ralign /= 2;
	return SIM_MAX(ralign, 8u);
}

unsigned slab_object_size(unsigned size, bool kmalloc, enum slab_freelist_mode mode)
{
	size = align_up(SIM_MAX(size, 1u), 8);
	if (kmalloc) {
		size = SIM_MAX(size, 32u);
		size = align_up(size, hwcache_align(size));
	}
	if (mode != SLAB_FREELIST_DESC && size < SLAB_OBJ_MIN_SIZE)
		size = SLAB_OBJ_MIN_SIZE;
	return size;
}

/* Object size of the kmalloc cache that kmalloc(bytes) uses (kmalloc-96 holds 128-byte objects). */
static unsigned kmalloc_class_bytes(unsigned bytes)
{
	static const unsigned cls[] = { 32, 64, 128, 192, 256 };
	unsigned p = 512;

	for (unsigned i = 0; i < SIM_ARRAY_SIZE(cls); i++)
		if (bytes <= cls[i])
			return cls[i];
	while (p < bytes)
		p *= 2;
	return p;
}

enum v6_kind { V6_OBJFREELIST, V6_OFF, V6_ON };

/* cache_estimate() of 6.x: on-slab, each object costs one more index byte. */
static unsigned v6_estimate(unsigned order, unsigned size, enum v6_kind kind, unsigned *left)
{
	unsigned slab = SIM_PAGE_BYTES << order, per = kind == V6_ON ? size + 1 : size;

	*left = slab % per;
	return slab / per;
}

/* calculate_slab_order() of 6.x: objects per slab (0: none), its order and left-over. */
static unsigned v6_slab_order(unsigned size, enum v6_kind kind, unsigned *order, unsigned *left)
{
	unsigned num = 0;

	for (unsigned o = 0; o <= KMALLOC_MAX_ORDER; o++) {
		unsigned rem, n = v6_estimate(o, size, kind, &rem);

		if (!n)
			continue;
		if (n > SLAB_OBJ_MAX_NUM)
			break;
		if (kind == V6_OFF && kmalloc_class_bytes(n) > size / 2)
			continue;	/* off-slab must pay: its kmalloc object at most half an object */
		num = n;
		*order = o;
		*left = rem;
		if (o >= SLAB_MAX_ORDER || (uint64_t)rem * 8 <= (SIM_PAGE_BYTES << o))
			break;
	}
	return num;
}

static void geometry_set(struct slab_geometry *g, unsigned order, unsigned num, enum slab_mgmt mgmt,
			 unsigned mgmt_bytes, unsigned meta_bytes)
{
	g->order = order;
	g->num = num;
	g->mgmt = mgmt;
	g->mgmt_bytes = mgmt_bytes;
	g->meta_bytes = meta_bytes;
}

/* set_objfreelist_slab_cache(), set_off_slab_cache(), set_on_slab_cache() of 6.x. */
static bool v6_geometry(struct slab_geometry *g, bool objfreelist)
{
	unsigned order = 0, left = 0, num;

	if (objfreelist) {
		num = v6_slab_order(g->size, V6_OBJFREELIST, &order, &left);
		if (num && num <= g->size) {
			geometry_set(g, order, num, SLAB_MGMT_OBJFREELIST, num, 0);
			return true;
		}
	}
	num = v6_slab_order(g->size, V6_OFF, &order, &left);
	if (num && left < num) {
		geometry_set(g, order, num, SLAB_MGMT_OFF, num, kmalloc_class_bytes(num));
		return true;
	}
	num = v6_slab_order(g->size, V6_ON, &order, &left);
	if (num)
		geometry_set(g, order, num, SLAB_MGMT_ON, num, num);
	return num != 0;
}

static unsigned desc_mgmt_bytes(unsigned num, unsigned align)
{
	return align_up(DESC_BYTES + BUFCTL_BYTES * num, align);
}

/* cache_estimate() of 2.6: on-slab, struct slab and a bufctl per object share the slab. */
static unsigned desc_estimate(unsigned order, unsigned size, unsigned align, bool off, unsigned *left)
{
	unsigned slab = SIM_PAGE_BYTES << order, n;

	if (off) {
		n = slab / size;
		*left = slab - n * size;
		return n;
	}
	n = (slab - DESC_BYTES) / (size + BUFCTL_BYTES);
	if (n && desc_mgmt_bytes(n, align) + n * size > slab)
		n--;
	*left = n ? slab - n * size - desc_mgmt_bytes(n, align) : slab;
	return n;
}

/* calculate_slab_order() of 2.6 (slab_break_gfp_order 1). */
static unsigned desc_slab_order(unsigned size, unsigned align, bool off, unsigned *order, unsigned *left)
{
	unsigned num = 0;

	for (unsigned o = 0; o <= KMALLOC_MAX_ORDER; o++) {
		unsigned rem, n = desc_estimate(o, size, align, off, &rem);

		if (!n)
			continue;
		if (off && n > (size - DESC_BYTES) / BUFCTL_BYTES)
			break;		/* offslab_limit */
		num = n;
		*order = o;
		*left = rem;
		if (o >= SLAB_MAX_ORDER || (uint64_t)rem * 8 <= (SIM_PAGE_BYTES << o))
			break;
	}
	return num;
}

/* kmem_cache_create() of 2.6: off-slab from PAGE_SIZE/8 unless the management fits the left-over. */
static bool desc_geometry(struct slab_geometry *g, unsigned align)
{
	bool off = g->size >= SIM_PAGE_BYTES >> 3;
	unsigned order = 0, left = 0, num = desc_slab_order(g->size, align, off, &order, &left);
	unsigned mgmt = desc_mgmt_bytes(num, align);

	if (!num)
		return false;
	if (off && left >= mgmt)
		off = false;
	if (off)
		geometry_set(g, order, num, SLAB_MGMT_DESC_OFF, DESC_BYTES + BUFCTL_BYTES * num,
			     kmalloc_class_bytes(DESC_BYTES + BUFCTL_BYTES * num));
	else
		geometry_set(g, order, num, SLAB_MGMT_DESC_ON, mgmt, mgmt);
	return true;
}

void slab_geometry_compute(unsigned size, bool kmalloc, enum slab_freelist_mode mode, struct slab_geometry *g)
{
	bool ok;

	memset(g, 0, sizeof(*g));
	g->size = slab_object_size(size, kmalloc, mode);
	if (mode == SLAB_FREELIST_DESC)
		ok = desc_geometry(g, kmalloc ? hwcache_align(g->size) : 8);
	else
		ok = v6_geometry(g, mode == SLAB_FREELIST_OBJ);
	if (!ok) {
		/* larger than the largest slab: one object per slab, no management modelled */
		unsigned order = 0;

		while (((uint64_t)SIM_PAGE_BYTES << order) < g->size)
			order++;
		geometry_set(g, order, 1, SLAB_MGMT_OBJFREELIST, 0, 0);
	}
}

/* --- per-cache set-up, on first use ------------------------------------- */

static long slab_param(const struct slab_pol *sp, enum slab_param i, long autoval)
{
	return sp->p.is_auto[i] ? autoval : sp->p.v[i];
}

static void ac_init(struct slab_ac *ac, sim_addr_t addr, unsigned limit, unsigned batchcount)
{
	memset(ac, 0, sizeof(*ac));
	ac->addr = addr;
	ac->limit = limit;
	ac->batchcount = batchcount;
}

static unsigned node_cpus(const struct machine *m, unsigned nid)
{
	unsigned k = 0;

	for (unsigned cpu = 0; cpu < m->ncpus; cpu++)
		k += m->cpu_node[cpu] == nid;
	return k;
}

static sim_addr_t ac_alloc(struct machine *m, unsigned nid, size_t hdr, unsigned limit)
{
	return machine_struct_alloc(m, nid, hdr + AC_HDR_BYTES + 8 * (size_t)limit, SIM_LINE_BYTES);
}

/* init_cache_node() and setup_kmem_cache_node(): lists, free_limit, shared and alien arrays. */
static void slab_node_init(struct slab_pol *sp, struct slab_cache *c, unsigned nid, sim_cycles_t now)
{
	struct machine *m = sp->m;
	struct slab_node *n = &c->node[nid];
	sim_addr_t a = machine_struct_alloc(m, nid, 2 * SIM_LINE_BYTES, SIM_LINE_BYTES);

	sim_lock_init(&n->list_lock, a, SIM_LOCK_list_lock);
	n->partial.addr = n->full.addr = n->free.addr = a;
	n->addr2 = a + SIM_LINE_BYTES;
	n->free_limit = (1ul + node_cpus(m, nid)) * c->batchcount + c->g.num;
	n->next_reap = now + 2 * sp->reap_cycles;
	if (c->shared)
		ac_init(&n->shared, ac_alloc(m, nid, 0, c->shared * c->batchcount),
			c->shared * c->batchcount, BAD_BATCH);
	if (!sp->alien || m->nnodes < 2)
		return;
	n->alien_ptrs = machine_struct_alloc(m, nid, 8 * (size_t)m->nnodes, SIM_LINE_BYTES);
	n->alien = xcalloc(m->nnodes, sizeof(*n->alien));
	for (unsigned r = 0; r < m->nnodes; r++) {
		if (r == nid)
			continue;
		a = ac_alloc(m, nid, ALIEN_AC_OFFSET, c->alien_limit);
		sim_lock_init(&n->alien[r].lock, a, SIM_LOCK_alien_lock);
		ac_init(&n->alien[r].ac, a + ALIEN_AC_OFFSET, c->alien_limit, BAD_BATCH);
	}
}

static bool cache_is_kmalloc(const struct machine *m, unsigned id)
{
	const char *name = machine_cache_name(m, id);

	return name && strstr(name, "kmalloc-");
}

/* __kmem_cache_create() and enable_cpucache(). */
static struct slab_cache *slab_cache_get(struct slab_pol *sp, struct sim_op *op)
{
	struct slab_cache *c = &sp->cache[op->cache];
	struct machine *m = sp->m;

	if (c->ready)
		return c;
	c->ready = true;
	slab_geometry_compute(SIM_MAX(machine_cache_size(m, op->cache), 8u),
			      cache_is_kmalloc(m, op->cache), sp->mode, &c->g);
	c->limit = (unsigned)slab_param(sp, P_LIMIT, slab_default_limit(c->g.size));
	c->batchcount = (unsigned)slab_param(sp, P_BATCHCOUNT, (c->limit + 1) / 2);
	c->batchcount = SIM_MIN(c->batchcount, c->limit);
	c->shared = (unsigned)slab_param(sp, P_SHARED, slab_default_shared(c->g.size, m->ncpus));
	c->alien_limit = c->limit > 1 ? ALIEN_LIMIT : 1;
	c->addr = machine_struct_alloc(m, 0, SIM_LINE_BYTES, SIM_LINE_BYTES);
	c->cpu = xcalloc(m->ncpus, sizeof(*c->cpu));
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++)
		ac_init(&c->cpu[cpu], ac_alloc(m, m->cpu_node[cpu], 0, c->limit), c->limit, c->batchcount);
	c->node = xcalloc(m->nnodes, sizeof(*c->node));
	for (unsigned nid = 0; nid < m->nnodes; nid++)
		slab_node_init(sp, c, nid, op->now);
	return c;
}

/* --- array caches -------------------------------------------------------- */

static sim_addr_t ac_entry_addr(const struct slab_ac *ac, unsigned i)
{
	return ac->addr + AC_HDR_BYTES + 8 * (sim_addr_t)i;
}

/* One access per line of entry[from .. from + n). */
static void ac_touch(struct sim_op *op, const struct slab_ac *ac, unsigned from, unsigned n, enum cl_kind kind)
{
	sim_addr_t a, last;

	if (!n)
		return;
	last = ac_entry_addr(ac, from + n - 1);
	for (a = ac_entry_addr(ac, from) & ~(sim_addr_t)(SIM_LINE_BYTES - 1); a <= last; a += SIM_LINE_BYTES)
		sim_access(op, a, kind);
}

static void ac_ensure(struct slab_ac *ac)
{
	if (!ac->entry)
		ac->entry = xmalloc((ac->limit ? ac->limit : 1) * sizeof(*ac->entry));
}

/* entry[avail++] = obj, without the header write. */
static void ac_put(struct sim_op *op, struct slab_ac *ac, sim_addr_t obj)
{
	sim_assert(ac->avail < ac->limit);
	ac_ensure(ac);
	ac->entry[ac->avail] = obj;
	ac_touch(op, ac, ac->avail++, 1, CL_WRITE);
}

/* __free_one(): a free object onto the array (cached). */
static void ac_push(struct sim_op *op, struct slab_ac *ac, sim_addr_t obj)
{
	ac_put(op, ac, obj);
	sim_write(op, ac->addr);
	sim_gauge_add(op, SIM_GAUGE_cached_objs, 1);
}

/* ac->entry[--ac->avail]: the newest object, handed out. */
static sim_addr_t ac_pop(struct sim_op *op, struct slab_ac *ac)
{
	ac_touch(op, ac, --ac->avail, 1, CL_READ);
	sim_write(op, ac->addr);
	sim_gauge_add(op, SIM_GAUGE_cached_objs, -1);
	return ac->entry[ac->avail];
}

/* Copies from->entry[first .. first + n) onto to's top; from is the caller's to shrink. */
static void ac_move(struct sim_op *op, struct slab_ac *to, const struct slab_ac *from, unsigned first, unsigned n)
{
	sim_assert(to->avail + n <= to->limit);
	ac_ensure(to);
	ac_touch(op, from, first, n, CL_READ);
	memcpy(to->entry + to->avail, from->entry + first, n * sizeof(*to->entry));
	ac_touch(op, to, to->avail, n, CL_WRITE);
	to->avail += n;
	sim_write(op, to->addr);
}

/* transfer_objects(): up to max of from's newest entries onto to; returns how many. */
static unsigned ac_transfer(struct sim_op *op, struct slab_ac *to, struct slab_ac *from, unsigned max)
{
	unsigned nr = SIM_MIN(SIM_MIN(from->avail, max), to->limit - to->avail);

	sim_read(op, to->addr);
	if (!nr)
		return 0;
	ac_move(op, to, from, from->avail - nr, nr);
	from->avail -= nr;
	sim_write(op, from->addr);
	return nr;
}

/* The memmove() after the n oldest entries left. */
static void ac_shift(struct sim_op *op, struct slab_ac *ac, unsigned n)
{
	ac_touch(op, ac, n, ac->avail - n, CL_READ);
	memmove(ac->entry, ac->entry + n, (ac->avail - n) * sizeof(*ac->entry));
	ac->avail -= n;
	ac_touch(op, ac, 0, ac->avail, CL_WRITE);
	sim_write(op, ac->addr);
}

/* --- slabs: lists, freelist indices, growing and destroying -------------- */

static struct slab_list *node_list(struct slab_node *n, unsigned which)
{
	return which == L_PARTIAL ? &n->partial : which == L_FULL ? &n->full : &n->free;
}

/* list_del() from the slab's list, then list_add() or list_add_tail() to which. */
static void slab_list_move(struct sim_op *op, struct slab_node *n, struct slab *s, unsigned which, bool tail)
{
	if (s->list != L_NONE)
		slab_list_del(op, node_list(n, s->list), s);
	s->list = (uint8_t)which;
	if (which == L_NONE)
		return;
	if (tail)
		slab_list_add_tail(op, node_list(n, which), s);
	else
		slab_list_add_head(op, node_list(n, which), s);
}

static bool slab_is_desc(const struct slab_cache *c)
{
	return c->g.mgmt >= SLAB_MGMT_DESC_ON;
}

/* slab_get_obj(): freelist[active++] in 6.x, the bufctl chain in 2.6. */
static sim_addr_t slab_obj_get(struct sim_op *op, const struct slab_cache *c, struct slab *s)
{
	sim_addr_t obj;

	if (slab_is_desc(c)) {
		sim_read(op, s->meta);				/* slabp->free */
		obj = slab_freelist_pop(s);
		sim_read(op, s->meta + DESC_BYTES + BUFCTL_BYTES * slab_obj_index(s, obj));
		s->inuse++;
		sim_write(op, s->meta);				/* inuse, free */
		return obj;
	}
	sim_read(op, s->meta + s->inuse);			/* get_free_obj(active) */
	obj = slab_freelist_pop(s);
	s->inuse++;
	sim_write(op, slab_struct(s));				/* active */
	if (s->inuse == s->objects && c->g.mgmt == SLAB_MGMT_OBJFREELIST)
		s->meta = 0;	/* fixup_slab_list(): the last object held the freelist */
	return obj;
}

/* slab_put_obj(): freelist[--active] = index in 6.x, bufctl push in 2.6. */
static void slab_obj_put(struct sim_op *op, const struct slab_cache *c, struct slab *s, sim_addr_t obj)
{
	if (slab_is_desc(c)) {
		sim_write(op, s->meta + DESC_BYTES + BUFCTL_BYTES * slab_obj_index(s, obj));
		slab_freelist_push(s, obj);
		s->inuse--;
		sim_write(op, s->meta);
		return;
	}
	s->inuse--;
	if (!s->meta)
		s->meta = obj;		/* OBJFREELIST: the freed object now holds the freelist */
	sim_write(op, slab_struct(s));				/* active, freelist */
	slab_freelist_push(s, obj);
	sim_write(op, s->meta + s->inuse);			/* set_free_obj(active) */
}

/* alloc_slabmgmt(): where the slab's freelist (or 2.6 descriptor) lives. */
static sim_addr_t slab_mgmt_alloc(struct slab_pol *sp, struct slab_cache *c, struct slab *s)
{
	struct slab_node *n = &c->node[s->node];
	unsigned bytes = c->g.meta_bytes;

	switch (c->g.mgmt) {
	case SLAB_MGMT_OBJFREELIST:
		return slab_obj_addr(s, s->objects - 1);
	case SLAB_MGMT_ON:
	case SLAB_MGMT_DESC_ON:
		return s->base + slab_bytes(s->order) - c->g.mgmt_bytes;
	default:
		if (n->npool)
			return n->meta_pool[--n->npool];
		return machine_struct_alloc(sp->m, s->node, bytes, SIM_MIN(bytes, SIM_LINE_BYTES));
	}
}

static void slab_mgmt_free(struct slab_cache *c, struct slab *s)
{
	struct slab_node *n = &c->node[s->node];

	if (c->g.mgmt != SLAB_MGMT_OFF && c->g.mgmt != SLAB_MGMT_DESC_OFF)
		return;
	xgrow((void **)&n->meta_pool, &n->pool_cap, n->npool + 1, sizeof(*n->meta_pool));
	n->meta_pool[n->npool++] = s->meta;
}

/* cache_grow_begin(): pages on node nid, management, cache_init_objs() writing the index array. */
static struct slab *cache_grow_begin(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c, unsigned nid)
{
	struct slab *s = slab_new(&sp->b, op, c->g.order, c->g.size, c->g.num, 0, (int)nid);
	sim_addr_t a;

	s->list = L_NONE;
	s->meta = slab_mgmt_alloc(sp, c, s);
	for (a = s->meta & ~(sim_addr_t)(SIM_LINE_BYTES - 1); a < s->meta + c->g.mgmt_bytes; a += SIM_LINE_BYTES)
		sim_write(op, a);
	sim_gauge_add(op, SIM_GAUGE_meta_bytes, c->g.meta_bytes);
	return s;
}

static void fixup_slab_list(struct sim_op *op, struct slab_node *n, struct slab *s)
{
	slab_list_move(op, n, s, s->inuse == s->objects ? L_FULL : L_PARTIAL, false);
}

/* cache_grow_end(): the new slab onto its node's lists under list_lock. */
static void cache_grow_end(struct sim_op *op, struct slab_cache *c, struct slab *s)
{
	struct slab_node *n = &c->node[s->node];

	sim_lock_acquire(op, &n->list_lock);
	n->total_slabs++;
	if (!s->inuse)
		slab_list_move(op, n, s, L_FREE, true);
	else
		fixup_slab_list(op, n, s);
	n->free_objects += (unsigned long)(s->objects - s->inuse);
	sim_write(op, n->addr2);
	sim_count(op, SIM_CNT_grown);
	sim_lock_release(op, &n->list_lock);
}

/* slabs_destroy(): slabs detached under list_lock go back to the page allocator. */
static void slabs_destroy(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c, struct slab *list)
{
	while (list) {
		struct slab *s = list;

		list = s->next;
		s->next = NULL;
		slab_mgmt_free(c, s);
		sim_gauge_add(op, SIM_GAUGE_meta_bytes, -(int64_t)c->g.meta_bytes);
		slab_discard(&sp->b, op, s);
		sim_count(op, SIM_CNT_free_slab);
	}
}

/*
 * free_block(): nr objects back to their slabs on node nid (list_lock held);
 * returns the free slabs beyond free_limit, detached, for slabs_destroy().
 */
static struct slab *free_block(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c,
			       const sim_addr_t *objs, unsigned nr, unsigned nid)
{
	struct slab_node *n = &c->node[nid];
	struct slab *list = NULL;

	n->free_objects += nr;
	sim_write(op, n->addr2);
	for (unsigned i = 0; i < nr; i++) {
		struct slab *s = slab_of(&sp->b, objs[i]);

		sim_assert(s && s->node == nid && s->cache == op->cache);
		sim_read(op, slab_struct(s));		/* virt_to_slab() */
		slab_obj_put(op, c, s, objs[i]);
		if (!s->inuse)
			slab_list_move(op, n, s, L_FREE, false);
		else
			slab_list_move(op, n, s, L_PARTIAL, true);
	}
	while (n->free_objects > n->free_limit && n->free.n) {
		struct slab *s = n->free.tail;

		n->free_objects -= c->g.num;
		n->total_slabs--;
		slab_list_move(op, n, s, L_NONE, false);
		s->next = list;
		list = s;
	}
	return list;
}

/* --- allocation ---------------------------------------------------------- */

static struct slab *get_first_slab(struct sim_op *op, struct slab_node *n)
{
	sim_read(op, n->partial.addr);
	if (n->partial.head)
		return n->partial.head;
	n->free_touched = true;
	sim_write(op, n->addr2);
	return n->free.head;
}

/* alloc_block(): up to batch objects of s into ac; returns what is left of batch. */
static unsigned alloc_block(struct sim_op *op, const struct slab_cache *c, struct slab_ac *ac,
			    struct slab *s, unsigned batch)
{
	unsigned got = 0;

	while (s->inuse < s->objects && batch) {
		ac_put(op, ac, slab_obj_get(op, c, s));
		batch--;
		got++;
	}
	sim_write(op, ac->addr);
	sim_count_n(op, SIM_CNT_listallocs, got);
	sim_gauge_add(op, SIM_GAUGE_cached_objs, got);
	return batch;
}

/* The locked part of cache_alloc_refill(): the shared array, else partial and free slabs. */
static void refill_from_node(struct sim_op *op, struct slab_cache *c, struct slab_node *n,
			     struct slab_ac *ac, unsigned batch)
{
	sim_lock_acquire(op, &n->list_lock);
	if (n->shared.limit && ac_transfer(op, ac, &n->shared, batch)) {
		n->shared.touched = true;
		sim_count(op, SIM_CNT_shared_refill);
	} else {
		while (batch > 0) {
			struct slab *s = get_first_slab(op, n);

			if (!s)
				break;
			batch = alloc_block(op, c, ac, s, batch);
			fixup_slab_list(op, n, s);
		}
		n->free_objects -= ac->avail;
		sim_write(op, n->addr2);
	}
	sim_lock_release(op, &n->list_lock);
}

static sim_addr_t cache_alloc_refill(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c,
				     struct slab_ac *ac)
{
	struct slab_node *n = &c->node[op->node];
	unsigned batch = ac->batchcount;

	if (!ac->touched && batch > BATCHREFILL_LIMIT)
		batch = BATCHREFILL_LIMIT;
	sim_read(op, n->addr2);			/* unlocked peek at free_objects and shared */
	if (n->free_objects || n->shared.avail)
		refill_from_node(op, c, n, ac, batch);
	if (!ac->avail) {			/* direct_grow */
		struct slab *s = cache_grow_begin(sp, op, c, op->node);

		alloc_block(op, c, ac, s, batch);
		cache_grow_end(op, c, s);
	}
	ac->touched = true;
	return ac_pop(op, ac);
}

/* ____cache_alloc(). */
static sim_addr_t cache_alloc(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c)
{
	struct slab_ac *ac = &c->cpu[op->cpu];

	sim_read(op, ac->addr);
	if (ac->avail) {
		ac->touched = true;
		sim_count(op, SIM_CNT_allochit);
		return ac_pop(op, ac);
	}
	sim_count(op, SIM_CNT_allocmiss);
	return cache_alloc_refill(sp, op, c, ac);
}

/* ____cache_alloc_node(): one object straight from another node's lists. */
static sim_addr_t cache_alloc_node(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c, unsigned nid)
{
	struct slab_node *n = &c->node[nid];
	struct slab *s;
	sim_addr_t obj;

	sim_lock_acquire(op, &n->list_lock);
	s = get_first_slab(op, n);
	if (s) {
		sim_count(op, SIM_CNT_node_allocs);
		obj = slab_obj_get(op, c, s);
		n->free_objects--;
		sim_write(op, n->addr2);
		fixup_slab_list(op, n, s);
		sim_lock_release(op, &n->list_lock);
		return obj;
	}
	sim_lock_release(op, &n->list_lock);
	s = cache_grow_begin(sp, op, c, nid);
	obj = slab_obj_get(op, c, s);
	cache_grow_end(op, c, s);
	return obj;
}

/* --- free ---------------------------------------------------------------- */

/* cache_flusharray(): the batchcount oldest entries to the shared array or the slabs. */
static void cache_flusharray(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c, struct slab_ac *ac)
{
	struct slab_node *n = &c->node[op->node];
	unsigned batch = ac->batchcount;
	struct slab *list = NULL;

	sim_lock_acquire(op, &n->list_lock);
	sim_read(op, n->addr2);			/* n->shared */
	if (n->shared.limit)
		sim_read(op, n->shared.addr);
	if (n->shared.limit && n->shared.avail < n->shared.limit) {
		batch = SIM_MIN(batch, n->shared.limit - n->shared.avail);
		ac_move(op, &n->shared, ac, 0, batch);
		sim_count(op, SIM_CNT_shared_flush);
	} else {
		ac_touch(op, ac, 0, batch, CL_READ);
		list = free_block(sp, op, c, ac->entry, batch, op->node);
		sim_gauge_add(op, SIM_GAUGE_cached_objs, -(int64_t)batch);
	}
	sim_lock_release(op, &n->list_lock);
	ac_shift(op, ac, batch);
	slabs_destroy(sp, op, c, list);
}

/* __drain_alien_cache(): an alien array to node nid, shared array first (its lock held). */
static struct slab *drain_alien(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c,
				struct slab_ac *ac, unsigned nid)
{
	struct slab_node *n = &c->node[nid];
	struct slab *list;
	unsigned nr;

	if (!ac->avail)
		return NULL;
	sim_lock_acquire(op, &n->list_lock);
	if (n->shared.limit)
		ac_transfer(op, &n->shared, ac, ac->limit);
	nr = ac->avail;
	ac_touch(op, ac, 0, nr, CL_READ);
	list = free_block(sp, op, c, ac->entry, nr, nid);
	sim_gauge_add(op, SIM_GAUGE_cached_objs, -(int64_t)nr);
	ac->avail = 0;
	sim_write(op, ac->addr);
	sim_lock_release(op, &n->list_lock);
	return list;
}

/* __cache_free_alien(): a free of an object whose slab is on another node. */
static void cache_free_alien(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c,
			     struct slab *s, sim_addr_t obj)
{
	struct slab_node *n = &c->node[op->node];
	struct slab *list = NULL;

	sim_count(op, SIM_CNT_node_frees);
	sim_read(op, n->addr2);			/* n->alien */
	if (n->alien) {
		struct slab_alien *al = &n->alien[s->node];

		sim_read(op, n->alien_ptrs);
		sim_lock_acquire(op, &al->lock);
		sim_read(op, al->ac.addr);
		if (al->ac.avail == al->ac.limit) {
			sim_count(op, SIM_CNT_node_overflow);
			list = drain_alien(sp, op, c, &al->ac, s->node);
		}
		ac_push(op, &al->ac, obj);
		sim_lock_release(op, &al->lock);
	} else {
		struct slab_node *rn = &c->node[s->node];

		sim_lock_acquire(op, &rn->list_lock);
		list = free_block(sp, op, c, &obj, 1, s->node);
		sim_lock_release(op, &rn->list_lock);
	}
	slabs_destroy(sp, op, c, list);
}

/* ___cache_free(). */
static void cache_free(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c, struct slab *s, sim_addr_t obj)
{
	struct slab_ac *ac = &c->cpu[op->cpu];

	if (sp->m->nnodes > 1) {
		sim_read(op, slab_struct(s));	/* slab_nid(virt_to_slab(objp)) */
		if (s->node != op->node) {
			cache_free_alien(sp, op, c, s, obj);
			return;
		}
	}
	sim_read(op, ac->addr);
	if (ac->avail < ac->limit) {
		sim_count(op, SIM_CNT_freehit);
	} else {
		sim_count(op, SIM_CNT_freemiss);
		cache_flusharray(sp, op, c, ac);
	}
	ac_push(op, ac, obj);
}

/* --- the reaper ---------------------------------------------------------- */

/* drain_array_locked(): the oldest (limit+4)/5 entries, or all, back to the slabs. */
static struct slab *drain_array_locked(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c,
				       struct slab_ac *ac, unsigned nid, bool free_all)
{
	unsigned tofree;
	struct slab *list;

	if (!ac->avail)
		return NULL;
	tofree = free_all ? ac->avail : (ac->limit + 4) / 5;
	if (tofree > ac->avail)
		tofree = (ac->avail + 1) / 2;
	ac_touch(op, ac, 0, tofree, CL_READ);
	list = free_block(sp, op, c, ac->entry, tofree, nid);
	sim_gauge_add(op, SIM_GAUGE_cached_objs, -(int64_t)tofree);
	ac_shift(op, ac, tofree);
	return list;
}

/* drain_array(): a touched array only loses its flag. */
static void drain_array(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c, unsigned nid,
			struct slab_ac *ac)
{
	struct slab_node *n = &c->node[nid];
	struct slab *list;
	unsigned before = ac->avail;

	sim_read(op, ac->addr);
	if (!ac->avail)
		return;
	if (ac->touched) {
		ac->touched = false;
		sim_write(op, ac->addr);
		return;
	}
	sim_lock_acquire(op, &n->list_lock);
	list = drain_array_locked(sp, op, c, ac, nid, false);
	sim_lock_release(op, &n->list_lock);
	sim_count_n(op, SIM_CNT_reap_objs, before - ac->avail);
	slabs_destroy(sp, op, c, list);
}

/* reap_alien(): this cpu's round-robin node's alien cache, if its lock is free. */
static void reap_alien(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c, struct slab_node *n)
{
	unsigned rn = sp->reap_node[op->cpu];
	struct slab_alien *al;
	struct slab *list;

	if (!n->alien || rn == op->node)
		return;
	al = &n->alien[rn];
	sim_read(op, al->ac.addr);
	if (!al->ac.avail || !sim_lock_try(op, &al->lock))
		return;
	list = drain_alien(sp, op, c, &al->ac, rn);
	sim_lock_release(op, &al->lock);
	slabs_destroy(sp, op, c, list);
}

/* drain_freelist(): up to tofree free slabs, one list_lock round each; returns how many. */
static unsigned long drain_freelist(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c,
				    struct slab_node *n, unsigned long tofree)
{
	unsigned long freed = 0;

	while (freed < tofree) {
		struct slab *s;

		sim_read(op, n->free.addr);	/* list_empty(), unlocked */
		if (!n->free.n)
			break;
		sim_lock_acquire(op, &n->list_lock);
		s = n->free.tail;
		slab_list_move(op, n, s, L_NONE, false);
		n->total_slabs--;
		n->free_objects -= c->g.num;
		sim_write(op, n->addr2);
		sim_lock_release(op, &n->list_lock);
		slabs_destroy(sp, op, c, s);
		freed++;
	}
	return freed;
}

/* cache_reap() for one cache on op's cpu. */
static void cache_reap_one(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c)
{
	struct slab_node *n = &c->node[op->node];

	reap_alien(sp, op, c, n);
	drain_array(sp, op, c, op->node, &c->cpu[op->cpu]);
	sim_read(op, n->addr2);			/* next_reap, racy; jiffies: when the pass began */
	if (n->next_reap > op->start)
		return;
	n->next_reap = op->start + 2 * sp->reap_cycles;
	sim_write(op, n->addr2);
	drain_array(sp, op, c, op->node, &n->shared);
	if (n->free_touched) {
		n->free_touched = false;
	} else {
		unsigned long per = 5ul * c->g.num;

		sim_count_n(op, SIM_CNT_reaped, drain_freelist(sp, op, c, n, (n->free_limit + per - 1) / per));
	}
}

/* --- the policy interface ------------------------------------------------ */

static void *slab_create(struct machine *m, const struct sim_param_values *p)
{
	struct slab_pol *sp = xcalloc(1, sizeof(*sp));

	sp->m = m;
	sp->p = *p;
	sp->mode = (enum slab_freelist_mode)p->v[P_FREELIST];
	sp->alien = p->is_auto[P_ALIEN] ? m->nnodes > 1 : p->v[P_ALIEN] != 0;
	sp->reap_cycles = (sim_cycles_t)((double)p->v[P_REAP_MS] * 1e6 * m->cfg.ghz);
	sp->cache = xcalloc(m->ncaches ? m->ncaches : 1, sizeof(*sp->cache));
	sp->reap_node = xcalloc(m->ncpus, sizeof(*sp->reap_node));
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++)
		sp->reap_node[cpu] = (m->cpu_node[cpu] + 1) % m->nnodes;	/* init_reap_node() */
	slab_backend_init(&sp->b, m);
	return sp;
}

/* slab_alloc_node() -> __do_cache_alloc(). */
static sim_addr_t slab_alloc(void *pol, struct sim_op *op)
{
	struct slab_pol *sp = pol;
	struct slab_cache *c = slab_cache_get(sp, op);
	unsigned nn = sp->m->nnodes;

	sim_read(op, c->addr);
	c->nlive++;
	if (op->want_node >= 0 && nn > 1 && (unsigned)op->want_node % nn != op->node)
		return cache_alloc_node(sp, op, c, (unsigned)op->want_node % nn);
	return cache_alloc(sp, op, c);
}

static void slab_free(void *pol, struct sim_op *op, sim_addr_t obj)
{
	struct slab_pol *sp = pol;
	struct slab_cache *c = slab_cache_get(sp, op);
	struct slab *s = slab_of(&sp->b, obj);

	sim_assert(s && s->cache == op->cache);
	sim_read(op, c->addr);
	c->nlive--;
	cache_free(sp, op, c, s, obj);
}

static uint64_t slab_timer_period_ns(const void *pol)
{
	const struct slab_pol *sp = pol;

	return (uint64_t)sp->p.v[P_REAP_MS] * 1000000ull;
}

/* cache_reap(): every cache on this cpu, then the next node's alien caches next time. */
static void slab_timer(void *pol, struct sim_op *op)
{
	struct slab_pol *sp = pol;

	for (unsigned id = 0; id < sp->m->ncaches; id++) {
		if (!sp->cache[id].ready)
			continue;
		sim_op_set_cache(op, id);
		cache_reap_one(sp, op, &sp->cache[id]);
	}
	sp->reap_node[op->cpu] = (sp->reap_node[op->cpu] + 1) % sp->m->nnodes;	/* next_reap_node() */
}

/* do_drain() on every cpu, drain_alien_cache(), the shared arrays: drain_cpu_caches(). */
static void drain_cpu_caches(struct slab_pol *sp, struct sim_op *op, struct slab_cache *c)
{
	struct machine *m = sp->m;
	unsigned cpu0 = op->cpu;

	for (unsigned cpu = 0; cpu < m->ncpus; cpu++) {
		struct slab_ac *ac = &c->cpu[cpu];
		struct slab_node *n = &c->node[m->cpu_node[cpu]];

		if (!ac->avail)
			continue;
		sim_op_set_cpu(op, cpu);
		op->node = m->cpu_node[cpu];
		sim_lock_acquire(op, &n->list_lock);
		slabs_destroy(sp, op, c, drain_array_locked(sp, op, c, ac, op->node, true));
		sim_lock_release(op, &n->list_lock);
	}
	sim_op_set_cpu(op, cpu0);
	op->node = m->cpu_node[cpu0];
	/* all alien caches first: they refill the shared arrays drained after them */
	for (unsigned nid = 0; nid < m->nnodes; nid++) {
		struct slab_node *n = &c->node[nid];

		for (unsigned r = 0; n->alien && r < m->nnodes; r++) {
			if (r == nid)
				continue;
			sim_lock_acquire(op, &n->alien[r].lock);
			slabs_destroy(sp, op, c, drain_alien(sp, op, c, &n->alien[r].ac, r));
			sim_lock_release(op, &n->alien[r].lock);
		}
	}
	for (unsigned nid = 0; nid < m->nnodes; nid++) {
		struct slab_node *n = &c->node[nid];

		sim_lock_acquire(op, &n->list_lock);
		slabs_destroy(sp, op, c, drain_array_locked(sp, op, c, &n->shared, nid, true));
		sim_lock_release(op, &n->list_lock);
	}
}

/* __kmem_cache_shrink() of every cache: arrays emptied, every free slab released. */
static void slab_drain(void *pol, struct sim_op *op)
{
	struct slab_pol *sp = pol;

	for (unsigned id = 0; id < sp->m->ncaches; id++) {
		struct slab_cache *c = &sp->cache[id];

		if (!c->ready)
			continue;
		sim_op_set_cache(op, id);
		drain_cpu_caches(sp, op, c);
		for (unsigned nid = 0; nid < sp->m->nnodes; nid++)
			drain_freelist(sp, op, c, &c->node[nid], ~0ul);
	}
}

static void slab_cache_fini(struct slab_cache *c, const struct machine *m)
{
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++)
		free(c->cpu[cpu].entry);
	for (unsigned nid = 0; nid < m->nnodes; nid++) {
		struct slab_node *n = &c->node[nid];

		free(n->shared.entry);
		for (unsigned r = 0; n->alien && r < m->nnodes; r++)
			free(n->alien[r].ac.entry);
		free(n->alien);
		free(n->meta_pool);
	}
	free(c->cpu);
	free(c->node);
}

static void slab_destroy(void *pol)
{
	struct slab_pol *sp = pol;

	for (unsigned id = 0; id < sp->m->ncaches; id++)
		if (sp->cache[id].ready)
			slab_cache_fini(&sp->cache[id], sp->m);
	slab_backend_fini(&sp->b);
	free(sp->reap_node);
	free(sp->cache);
	free(sp);
}

/* --- invariants ---------------------------------------------------------- */

static bool list_is_valid(const struct slab_list *l, unsigned which, unsigned nid, uint64_t *inuse,
			  uint64_t *nfree, char *why, size_t len)
{
	unsigned long k = 0;

	for (const struct slab *s = l->head; s; s = s->next, k++) {
		bool ok = s->list == which && s->node == nid && slab_is_valid(s) &&
			  s->inuse + s->nfree == s->objects &&
			  (which == L_FULL ? s->inuse == s->objects :
			   which == L_FREE ? s->inuse == 0 : s->inuse > 0 && s->inuse < s->objects);

		if (!ok) {
			snprintf(why, len, "a slab on node %u's list %u is misplaced or inconsistent", nid, which);
			return false;
		}
		*inuse += s->inuse;
		*nfree += s->nfree;
	}
	if (k != l->n) {
		snprintf(why, len, "node %u's list %u counts %lu slabs, holds %lu", nid, which, l->n, k);
		return false;
	}
	return true;
}

/* Every entry of an array is an object of cache id on node nid; adds avail to *cached. */
static bool ac_is_valid(const struct slab_pol *sp, const struct slab_ac *ac, unsigned id, unsigned nid,
			uint64_t *cached, char *why, size_t len)
{
	if (ac->avail > ac->limit) {
		snprintf(why, len, "an array holds %u objects over its limit %u", ac->avail, ac->limit);
		return false;
	}
	for (unsigned i = 0; i < ac->avail; i++) {
		const struct slab *s = slab_of(&sp->b, ac->entry[i]);

		if (!s || s->cache != id || s->node != nid) {
			snprintf(why, len, "an array of node %u holds an object of another cache or node", nid);
			return false;
		}
	}
	*cached += ac->avail;
	return true;
}

static bool node_is_valid(const struct slab_pol *sp, const struct slab_cache *c, unsigned id, unsigned nid,
			  uint64_t *inuse, uint64_t *cached, char *why, size_t len)
{
	const struct slab_node *n = &c->node[nid];
	uint64_t nfree = 0;

	if (!list_is_valid(&n->partial, L_PARTIAL, nid, inuse, &nfree, why, len) ||
	    !list_is_valid(&n->full, L_FULL, nid, inuse, &nfree, why, len) ||
	    !list_is_valid(&n->free, L_FREE, nid, inuse, &nfree, why, len) ||
	    !ac_is_valid(sp, &n->shared, id, nid, cached, why, len))
		return false;
	if (nfree != n->free_objects || n->total_slabs != n->partial.n + n->full.n + n->free.n) {
		snprintf(why, len, "node %u: free_objects %lu or total_slabs %lu disagree with its lists",
			 nid, n->free_objects, n->total_slabs);
		return false;
	}
	for (unsigned r = 0; n->alien && r < sp->m->nnodes; r++)
		if (r != nid && !ac_is_valid(sp, &n->alien[r].ac, id, r, cached, why, len))
			return false;
	return true;
}

static bool slab_cache_is_valid(const struct slab_pol *sp, unsigned id, char *why, size_t len)
{
	const struct slab_cache *c = &sp->cache[id];
	uint64_t inuse = 0, cached = 0;

	for (unsigned cpu = 0; cpu < sp->m->ncpus; cpu++)
		if (!ac_is_valid(sp, &c->cpu[cpu], id, sp->m->cpu_node[cpu], &cached, why, len))
			return false;
	for (unsigned nid = 0; nid < sp->m->nnodes; nid++)
		if (!node_is_valid(sp, c, id, nid, &inuse, &cached, why, len))
			return false;
	if (inuse != c->nlive + cached) {
		snprintf(why, len, "cache %u: %llu objects in use in slabs != %llu live + %llu in arrays", id,
			 (unsigned long long)inuse, (unsigned long long)c->nlive, (unsigned long long)cached);
		return false;
	}
	return true;
}

static bool slab_pol_is_valid(const void *pol, char *why, size_t len)
{
	const struct slab_pol *sp = pol;

	for (unsigned id = 0; id < sp->m->ncaches; id++)
		if (sp->cache[id].ready && !slab_cache_is_valid(sp, id, why, len))
			return false;
	return true;
}

const struct sim_policy_ops slab_policy = {
	.name = "slab",
	.summary = "SLAB: per-cpu array caches, per-node shared arrays and alien caches, index freelists, 2 s reaper",
	.models = "mm/slab.c of 6.1-6.7 (removed in 6.8); freelist=desc: the 2.6 slab layout of seed 002",
	.params = slab_params,
	.nparams = P_COUNT,
	.create = slab_create,
	.alloc = slab_alloc,
	.free = slab_free,
	.timer = slab_timer,
	.timer_period_ns = slab_timer_period_ns,
	.drain = slab_drain,
	.destroy = slab_destroy,
	.is_valid = slab_pol_is_valid,
};
