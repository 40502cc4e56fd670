/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * objpool.c - a pre-allocated, lock-less object pool over per-cpu slots.
 *
 * Models two generations of the same idea (seed 003, wuqiang.matt):
 *
 * impl=ring: the merged objpool, include/linux/objpool.h and lib/objpool.c
 * (the version with the inline objpool_pop()/objpool_push() that walks
 * for_each_possible_cpu_wrap; objpool was merged for 6.7 per
 * KERNEL-FACTS 3.9, not verified).  Each cpu has a struct
 * objpool_slot {head, tail, last, mask, entries[]} (__packed: the four
 * u32 share the first line with entries[0..5]); capacity is
 * roundup_pow_of_two(nr_objs), so every slot could hold every object and
 * a push never finds its slot full.  Pop, per slot: smp_load_acquire(head),
 * READ_ONCE(last) for the emptiness test, READ_ONCE(last) again for the
 * "last - head - 1 >= nr_objs" test, READ_ONCE(entries[head & mask]),
 * try_cmpxchg(head).  Push, to the local slot: READ_ONCE(tail),
 * READ_ONCE(head), try_cmpxchg(tail), WRITE_ONCE(entries[tail & mask]),
 * smp_store_release(last).  FIFO within a slot.
 *
 * impl=freelist: the seed's 2021 patch, per-cpu CAS freelists on
 * include/linux/freelist.h (moodycamel's, with Cameron's refcount
 * protocol).  A struct freelist_node {next, refs} is the first member of
 * each object (as in kretprobe_instance), so the node is the object's
 * first line.  Pop, per slot (__freelist_pop_slot): smp_load_acquire
 * (fs_head), atomic_read(refs), atomic_try_cmpxchg(refs, refs + 1),
 * READ_ONCE(next), try_cmpxchg(fs_head, next), atomic_fetch_add(-2,
 * refs).  Push (freelist_push -> __freelist_add_slot):
 * atomic_fetch_add(REFS_ON_FREELIST, refs) returns 0, then
 * __freelist_cas_add: READ_ONCE(fs_head), WRITE_ONCE(next),
 * atomic_set_release(refs, 1) (a plain store), try_cmpxchg(fs_head).
 * LIFO within a slot; a slot is unbounded.
 *
 * Both: objpool_pop() tries the local cpu's slot, then every other cpu's
 * in order (cpu + 1, ..., wrapping); objpool_push() always goes to the
 * freeing cpu's slot.  Each pop and push reads the pool head (cpu_slots,
 * nr_objs: one line) and the slot's pointer in cpu_slots[] (eight to a
 * line).  Objects never leave the pool: a drain keeps them, memory held
 * is constant from the pool's creation to the end of the run.
 *
 * Pool creation (objpool_init / freelist_init): at the first allocation of
 * a cache, charged to that operation's cycles and to the creating cpu's
 * page allocator locks.  nobjs objects are spread as the kernel spreads
 * them (nobjs / ncpus each, one more for the first nobjs % ncpus cpus).
 * Each cpu's slot and objects live on that cpu's node, as vmalloc_node(
 * cpu_to_node(i)) places them; the objects are carved from slab pages
 * (slabpage.h), in blocks they fill, so memory held is within one block's
 * slack of vmalloc's page-granular area.  The pages come through the
 * creating cpu's per-cpu lists of each node.  The slot's own stores
 * (cpu_slots[i], the slot header, ring entries or freelist nodes) are made
 * on behalf of the slot's cpu (op->cpu switched, as slub's drain does), so
 * those lines start in that cpu's cache: the state of a pool created
 * before the workload.  (The kernel makes them from the creating cpu, but
 * inside one simulated operation that runs on while the other cpus work,
 * those stores would fail every other cpu's first cmpxchg on its own slot.)
 * Element size: the object size aligned to 8 (objpool_init: sizeof(long));
 * the freelist adds its 16-byte node.  objpool_init() refuses objects
 * above OBJPOOL_OBJECT_SIZE_MAX (64 KiB); the seed has no limit, but an
 * element must fit in the page allocator's largest block (4 MiB): a cache
 * beyond the limit gets no pool and all its allocations take on_empty.
 * Metadata (meta_bytes): ring slots (16 bytes + 8 per capacity entry) and
 * cpu_slots[]; freelist slot heads (8 bytes) and fh_slots[]/fh_sz_slots[]
 * (12 bytes per cpu).
 *
 * CAS failures: every cmpxchg goes through sim_cmpxchg(), which fails it
 * once when another cpu wrote its line during this operation; retries
 * are counted as objpool_cas_retry.  The kernel's loop body after a
 * failure is charged after the retried cmpxchg (ring pop: last, last,
 * entry; ring push: head; freelist pop, refs CAS failed: fs_head, refs;
 * fs_head CAS failed: fetch_add(-1) on the node, refs, refs CAS, next;
 * freelist push: fetch_add(REFS_ON_FREELIST - 1), next, refs).  Only the
 * order of accesses within the operation differs from the kernel's.
 *
 * on_empty: when every slot is empty (objpool_empty), fail (the caller
 * counts alloc_failed) or allocate from a backing SLUB at its defaults
 * (classic, 6.1).  A fallback object goes back to SLUB when freed: objects
 * are told apart by the slab backend that holds their page.
 *
 * Does not model: objpool_init's memset of unused ring entries, the
 * transient references of the refcount protocol (operations run to
 * completion one at a time, so a node's refs is always 0 when it is
 * pushed and the push is never deferred to a popper), a push observing
 * last != tail of an unfinished push, IRQ disabling (free here),
 * objpool_drop/objpool_fini, NUMA node requests (the pool has no node
 * interface; the fallback SLUB honours them), pools created before the
 * trace (a cache's pool is created at its first allocation).
 *
 * Locks: none of its own.  The page allocator's pcp_lock and zone_lock
 * are taken only while a pool is created (and by the fallback SLUB).
 *
 * Counters: objpool_pop, objpool_pop_remote (from another cpu's slot),
 * objpool_push, objpool_empty (every slot empty), objpool_cas_retry.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "policies/registry.h"
#include "policies/slabpage.h"
#include "sim/policy.h"
#include "sim/xalloc.h"

enum objpool_param { P_NOBJS, P_IMPL, P_ON_EMPTY, P_COUNT };
enum objpool_impl { IMPL_FREELIST = 0, IMPL_RING = 1 };
enum objpool_on_empty { ON_EMPTY_FAIL = 0, ON_EMPTY_FALLBACK = 1 };

static const char *const objpool_impl_names[] = { "freelist", "ring", NULL };
static const char *const objpool_on_empty_names[] = { "fail", "fallback", NULL };

static const struct sim_param_desc objpool_params[] = {
	[P_NOBJS] = { .name = "nobjs", .def = 1024, .min = 1, .max = 1 << 20,
		      .meaning = "objects pre-allocated per cache, spread evenly over the cpus' slots (objpool_init's nr_objs)" },
	[P_IMPL] = { .name = "impl", .def = IMPL_RING, .min = 0, .max = 1, .choices = objpool_impl_names,
		     .meaning = "ring: lib/objpool.c per-cpu ring arrays; freelist: seed 003's per-cpu CAS freelists (freelist.h refcounts)" },
	[P_ON_EMPTY] = { .name = "on_empty", .def = ON_EMPTY_FALLBACK, .min = 0, .max = 1,
			 .choices = objpool_on_empty_names,
			 .meaning = "every slot empty: fail the allocation, or fall back to a backing slub" },
};

#define RING_SLOT_HDR_BYTES 16u		/* head, tail, last, mask (u32, __packed) */
#define RING_ENTRY_BYTES 8u		/* void *entries[] */
#define FL_NODE_BYTES 16u		/* struct freelist_node {next, refs} */
#define FL_SLOT_BYTES 8u		/* struct freelist_slot {fs_head} */
#define FL_SLOTS_BYTES_PER_CPU 12u	/* fh_slots[] pointer and fh_sz_slots[] u32 */
#define OBJPOOL_MAX_ORDER 10u		/* the page allocator's largest block */
#define OBJPOOL_OBJECT_SIZE_MAX (1u << 16)	/* objpool_init() refuses larger objects */

struct objpool_slot {
	sim_addr_t addr;	/* ring: the slot (line 0: head..mask, then entries); freelist: fs_head */
	sim_addr_t *e;		/* free objects; ring: by sequence, e[seq & (cap - 1)]; freelist: stack, top = head */
	uint32_t cap;		/* elements e has room for (a power of two) */
	uint32_t head, tail;	/* ring: sequence numbers, u32 wrapping as the kernel's; freelist: tail = count */
};

struct objpool_cache {
	bool ready;
	unsigned nobjs;		/* objects in the pool; 0: no pool could be made */
	uint32_t size;		/* element stride, bytes */
	uint32_t capacity;	/* ring: roundup_pow_of_two(nobjs) entries per slot */
	sim_addr_t head_addr;	/* struct objpool_head / freelist_head: cpu_slots, nr_objs */
	sim_addr_t slots_addr;	/* cpu_slots[] / fh_slots[] */
	struct objpool_slot *slot;	/* [ncpus] */
	uint64_t out;		/* pool objects handed out, not pushed back */
};

struct objpool {
	struct machine *m;
	struct slab_backend b;	/* the pool's pages; SLUB's are in its own backend */
	unsigned nobjs;
	enum objpool_impl impl;
	enum objpool_on_empty on_empty;
	void *slub;		/* the fallback SLUB, NULL with on_empty=fail */
	struct objpool_cache *cache;	/* [ncaches] */
};

/* --- slot storage (host side) ------------------------------------------- */

static uint32_t objpool_slot_count(const struct objpool_slot *s)
{
	return s->tail - s->head;
}

static uint32_t roundup_pow2(uint32_t x)
{
	uint32_t r = 1;

	while (r < x)
		r <<= 1;
	return r;
}

/* Room for one more; ring entries keep their sequence positions. */
static void objpool_slot_grow(struct objpool_slot *s)
{
	uint32_t ncap = s->cap ? 2 * s->cap : 4;
	sim_addr_t *ne;

	if (objpool_slot_count(s) < s->cap)
		return;
	ne = xmalloc(ncap * sizeof(*ne));
	for (uint32_t q = s->head; q != s->tail; q++)
		ne[q & (ncap - 1)] = s->e[q & (s->cap - 1)];
	free(s->e);
	s->e = ne;
	s->cap = ncap;
}

static void objpool_slot_put(struct objpool_slot *s, sim_addr_t obj)
{
	objpool_slot_grow(s);
	s->e[s->tail & (s->cap - 1)] = obj;
	s->tail++;
}

/* Ring: the oldest; freelist: the newest. */
static sim_addr_t objpool_slot_take(struct objpool_slot *s, enum objpool_impl impl)
{
	if (impl == IMPL_RING)
		return s->e[s->head++ & (s->cap - 1)];
	s->tail--;
	return s->e[s->tail & (s->cap - 1)];
}

/* --- simulated addresses -------------------------------------------------- */

static sim_addr_t ring_entry(const struct objpool_cache *c, const struct objpool_slot *s, uint32_t seq)
{
	return s->addr + RING_SLOT_HDR_BYTES + (sim_addr_t)(seq & (c->capacity - 1)) * RING_ENTRY_BYTES;
}

static sim_addr_t cpu_slot_ptr(const struct objpool_cache *c, unsigned cpu)
{
	return c->slots_addr + (sim_addr_t)cpu * sizeof(uint64_t);
}

/* A cmpxchg: true when it failed once and was retried. */
static bool objpool_cas(struct sim_op *op, sim_addr_t addr)
{
	return sim_cmpxchg(op, addr, SIM_CNT_objpool_cas_retry) != 0;
}

/* --- pool creation (objpool_init / freelist_init) ------------------------- */

static unsigned page_order(uint64_t bytes)
{
	unsigned order = 0;

	while (((uint64_t)SIM_PAGE_BYTES << order) < bytes)
		order++;
	return order;
}

/*
 * Carves n elements from page blocks of node: each time the largest block
 * (at most order 10) that the remaining elements fill, else the smallest
 * that holds one, so the pages come within one block's slack of vmalloc's
 * page-granular area.  Elements do not straddle blocks.  The pool owns
 * every object for good: they leave the slab freelist (in use) into objs.
 */
static void objpool_carve(struct objpool *p, struct sim_op *op, uint32_t size, unsigned n, unsigned node,
			  sim_addr_t *objs)
{
	unsigned min_order = page_order(size);

	while (n) {
		unsigned order = min_order, k;
		struct slab *sl;

		while (order < OBJPOOL_MAX_ORDER && (SIM_PAGE_BYTES << (order + 1)) / size <= SIM_MIN(n, 32767u))
			order++;
		k = SIM_MIN(n, SIM_MIN((SIM_PAGE_BYTES << order) / size, 32767u));
		sl = slab_new(&p->b, op, order, size, k, 0, (int)node);
		for (unsigned i = 0; i < k; i++)
			*objs++ = slab_freelist_pop(sl);
		sl->inuse = (uint16_t)k;
		n -= k;
	}
}

/* One object joins slot s during initialisation, with the kernel's stores. */
static void objpool_slot_fill(struct objpool *p, struct sim_op *op, struct objpool_cache *c,
			      struct objpool_slot *s, sim_addr_t obj)
{
	if (p->impl == IMPL_RING) {
		sim_write(op, ring_entry(c, s, s->tail));	/* entries[tail & mask] = obj */
		sim_write(op, s->addr);				/* tail++, last = tail */
	} else {
		sim_write(op, obj);				/* __freelist_insert_node: refs = 1, */
		sim_write(op, s->addr);				/* next = fs_head, fs_head = node */
	}
	sim_write(op, c->head_addr);				/* nr_objs++ */
	objpool_slot_put(s, obj);
}

/*
 * Slot cpu with n objects on cpu's node.  The creating cpu allocates the
 * pages (its per-cpu lists of that node, as vmalloc_node() on it would);
 * the slot's own stores are made on behalf of cpu (see the file header).
 */
static void objpool_slot_init(struct objpool *p, struct sim_op *op, struct objpool_cache *c,
			      unsigned cpu, unsigned n)
{
	struct machine *m = p->m;
	struct objpool_slot *s = &c->slot[cpu];
	unsigned creator = op->cpu, creator_node = op->node;
	size_t bytes = p->impl == IMPL_RING
		       ? RING_SLOT_HDR_BYTES + (size_t)c->capacity * RING_ENTRY_BYTES : FL_SLOT_BYTES;
	sim_addr_t *objs = xmalloc((n ? n : 1) * sizeof(*objs));

	s->addr = machine_struct_alloc(m, m->cpu_node[cpu], bytes, SIM_LINE_BYTES);
	objpool_carve(p, op, c->size, n, m->cpu_node[cpu], objs);
	sim_op_set_cpu(op, cpu);
	op->node = m->cpu_node[cpu];
	sim_write(op, cpu_slot_ptr(c, cpu));		/* cpu_slots[i] = slot */
	sim_write(op, s->addr);				/* memset; mask */
	for (unsigned i = 0; i < n; i++)
		objpool_slot_fill(p, op, c, s, objs[i]);
	sim_op_set_cpu(op, creator);
	op->node = creator_node;
	free(objs);
}

static int64_t objpool_meta_bytes(const struct objpool *p, const struct objpool_cache *c)
{
	int64_t ncpus = p->m->ncpus;

	if (p->impl == IMPL_RING)
		return ncpus * (RING_SLOT_HDR_BYTES + (int64_t)c->capacity * RING_ENTRY_BYTES) +
		       ncpus * (int64_t)sizeof(uint64_t);
	return ncpus * (FL_SLOT_BYTES + FL_SLOTS_BYTES_PER_CPU);
}

/*
 * objpool_init() fails for objects above OBJPOOL_OBJECT_SIZE_MAX; the
 * seed's freelist_init() has no limit, but an element must fit in a block
 * of the page allocator.  Such a cache gets no pool: every allocation
 * takes the on_empty path.
 */
static bool objpool_size_is_poolable(const struct objpool *p, uint32_t size)
{
	if (p->impl == IMPL_RING)
		return size <= OBJPOOL_OBJECT_SIZE_MAX;
	return size <= (SIM_PAGE_BYTES << OBJPOOL_MAX_ORDER);
}

static void objpool_cache_init(struct objpool *p, struct sim_op *op, struct objpool_cache *c)
{
	struct machine *m = p->m;
	uint32_t size = (SIM_MAX(machine_cache_size(m, op->cache), 8u) + 7u) & ~7u;

	c->ready = true;
	c->size = size + (p->impl == IMPL_FREELIST ? FL_NODE_BYTES : 0);
	if (!objpool_size_is_poolable(p, p->impl == IMPL_RING ? size : c->size))
		return;
	c->nobjs = p->nobjs;
	c->capacity = roundup_pow2(p->nobjs);
	c->head_addr = machine_struct_alloc(m, op->node, SIM_LINE_BYTES, SIM_LINE_BYTES);
	c->slots_addr = machine_struct_alloc(m, op->node, (size_t)m->ncpus * sizeof(uint64_t),
					     SIM_LINE_BYTES);
	c->slot = xcalloc(m->ncpus, sizeof(*c->slot));
	sim_write(op, c->head_addr);
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++)
		objpool_slot_init(p, op, c, cpu, p->nobjs / m->ncpus + (cpu < p->nobjs % m->ncpus));
	sim_gauge_add(op, SIM_GAUGE_meta_bytes, objpool_meta_bytes(p, c));
	sim_gauge_add(op, SIM_GAUGE_cached_objs, p->nobjs);
}

static struct objpool_cache *objpool_cache_get(struct objpool *p, struct sim_op *op)
{
	struct objpool_cache *c = &p->cache[op->cache];

	if (!c->ready)
		objpool_cache_init(p, op, c);
	return c;
}

/* --- impl=ring: __objpool_try_get_slot / __objpool_try_add_slot --------- */

static sim_addr_t ring_try_get(struct sim_op *op, struct objpool_cache *c, struct objpool_slot *s)
{
	sim_read(op, s->addr);				/* head = smp_load_acquire(&slot->head) */
	sim_read(op, s->addr);				/* head != READ_ONCE(slot->last) */
	if (!objpool_slot_count(s))
		return 0;
	sim_read(op, s->addr);				/* READ_ONCE(slot->last) - head - 1 >= nr_objs */
	sim_read(op, ring_entry(c, s, s->head));	/* READ_ONCE(slot->entries[head & mask]) */
	if (objpool_cas(op, s->addr)) {			/* try_cmpxchg_release(&slot->head) */
		sim_read(op, s->addr);
		sim_read(op, s->addr);
		sim_read(op, ring_entry(c, s, s->head));
	}
	return objpool_slot_take(s, IMPL_RING);
}

static void ring_add(struct sim_op *op, struct objpool_cache *c, struct objpool_slot *s, sim_addr_t obj)
{
	sim_read(op, s->addr);				/* tail = READ_ONCE(slot->tail) */
	sim_read(op, s->addr);				/* head = READ_ONCE(slot->head) */
	if (objpool_cas(op, s->addr))			/* try_cmpxchg_acquire(&slot->tail) */
		sim_read(op, s->addr);
	sim_write(op, ring_entry(c, s, s->tail));	/* WRITE_ONCE(slot->entries[tail & mask], obj) */
	sim_write(op, s->addr);				/* smp_store_release(&slot->last, tail + 1) */
	sim_assert(objpool_slot_count(s) < c->capacity);
	objpool_slot_put(s, obj);
}

/* --- impl=freelist: __freelist_pop_slot / __freelist_add_slot ------------ */

static sim_addr_t freelist_try_get(struct sim_op *op, struct objpool_slot *s)
{
	sim_addr_t node;

	sim_read(op, s->addr);				/* head = smp_load_acquire(&slot->fs_head) */
	if (!objpool_slot_count(s))
		return 0;
	node = s->e[(s->tail - 1) & (s->cap - 1)];
	sim_read(op, node);				/* refs = atomic_read(&head->refs) */
	if (objpool_cas(op, node)) {			/* atomic_try_cmpxchg_acquire(&head->refs, refs + 1) */
		sim_read(op, s->addr);
		sim_read(op, node);
	}
	sim_read(op, node);				/* next = READ_ONCE(head->next) */
	if (objpool_cas(op, s->addr)) {			/* try_cmpxchg_acquire(&slot->fs_head, &head, next) */
		sim_atomic(op, node);			/* atomic_fetch_add(-1, &prev->refs), then again: */
		sim_read(op, node);			/* refs, */
		sim_atomic(op, node);			/* refs + 1, */
		sim_read(op, node);			/* next */
	}
	sim_atomic(op, node);				/* atomic_fetch_add(-2, &head->refs) */
	return objpool_slot_take(s, IMPL_FREELIST);
}

static void freelist_add(struct sim_op *op, struct objpool_slot *s, sim_addr_t node)
{
	sim_atomic(op, node);				/* atomic_fetch_add_release(REFS_ON_FREELIST, &node->refs) */
	sim_read(op, s->addr);				/* head = READ_ONCE(slot->fs_head) */
	sim_write(op, node);				/* WRITE_ONCE(node->next, head) */
	sim_write(op, node);				/* atomic_set_release(&node->refs, 1) */
	if (objpool_cas(op, s->addr)) {			/* try_cmpxchg_release(&slot->fs_head, &head, node) */
		sim_atomic(op, node);			/* atomic_fetch_add_release(REFS_ON_FREELIST - 1) == 1 */
		sim_write(op, node);
		sim_write(op, node);
	}
	objpool_slot_put(s, node);
}

/* --- pop and push ------------------------------------------------------------ */

/* objpool_pop(): the local slot, then the others from cpu + 1, wrapping. */
static sim_addr_t objpool_pop(struct objpool *p, struct sim_op *op, struct objpool_cache *c)
{
	unsigned ncpus = p->m->ncpus;

	if (!c->nobjs) {
		sim_count(op, SIM_CNT_objpool_empty);
		return 0;
	}
	sim_read(op, c->head_addr);			/* pool->cpu_slots, nr_objs */
	for (unsigned i = 0; i < ncpus; i++) {
		unsigned cpu = (op->cpu + i) % ncpus;
		struct objpool_slot *s = &c->slot[cpu];
		sim_addr_t obj;

		sim_read(op, cpu_slot_ptr(c, cpu));	/* pool->cpu_slots[cpu] */
		obj = p->impl == IMPL_RING ? ring_try_get(op, c, s) : freelist_try_get(op, s);
		if (!obj)
			continue;
		sim_count(op, SIM_CNT_objpool_pop);
		if (i)
			sim_count(op, SIM_CNT_objpool_pop_remote);
		sim_gauge_add(op, SIM_GAUGE_cached_objs, -1);
		c->out++;
		return obj;
	}
	sim_count(op, SIM_CNT_objpool_empty);
	return 0;
}

/* objpool_push(): always to the freeing cpu's slot. */
static void objpool_push(struct sim_op *op, struct objpool *p, struct objpool_cache *c, sim_addr_t obj)
{
	struct objpool_slot *s = &c->slot[op->cpu];

	sim_read(op, c->head_addr);
	sim_read(op, cpu_slot_ptr(c, op->cpu));
	if (p->impl == IMPL_RING)
		ring_add(op, c, s, obj);
	else
		freelist_add(op, s, obj);
	sim_count(op, SIM_CNT_objpool_push);
	sim_gauge_add(op, SIM_GAUGE_cached_objs, 1);
	c->out--;
}

/* ======================================================================
 * the policy interface
 * ====================================================================== */

static void *objpool_create(struct machine *m, const struct sim_param_values *pv)
{
	struct objpool *p = xcalloc(1, sizeof(*p));

	p->m = m;
	p->nobjs = (unsigned)pv->v[P_NOBJS];
	p->impl = (enum objpool_impl)pv->v[P_IMPL];
	p->on_empty = (enum objpool_on_empty)pv->v[P_ON_EMPTY];
	p->cache = xcalloc(m->ncaches ? m->ncaches : 1, sizeof(*p->cache));
	slab_backend_init(&p->b, m);
	if (p->on_empty == ON_EMPTY_FALLBACK) {
		struct sim_param_values spv;

		policy_params_default(&slub_policy, &spv);
		p->slub = slub_policy.create(m, &spv);
		if (!p->slub) {
			slab_backend_fini(&p->b);
			free(p->cache);
			free(p);
			return NULL;
		}
	}
	return p;
}

static sim_addr_t objpool_alloc(void *pol, struct sim_op *op)
{
	struct objpool *p = pol;
	sim_addr_t obj = objpool_pop(p, op, objpool_cache_get(p, op));

	if (obj || !p->slub)
		return obj;
	return slub_policy.alloc(p->slub, op);
}

static void objpool_free(void *pol, struct sim_op *op, sim_addr_t obj)
{
	struct objpool *p = pol;
	struct slab *s = slab_of(&p->b, obj);

	if (!s) {
		/* not a page of the pool: the fallback SLUB handed it out */
		sim_assert(p->slub);
		slub_policy.free(p->slub, op, obj);
		return;
	}
	sim_assert(s->cache == op->cache && p->cache[op->cache].ready);
	objpool_push(op, p, &p->cache[op->cache], obj);
}

/* Memory is never returned: objpool_fini() is the only way out of a pool. */
static void objpool_drain(void *pol, struct sim_op *op)
{
	struct objpool *p = pol;

	if (p->slub)
		slub_policy.drain(p->slub, op);
}

static void objpool_destroy(void *pol)
{
	struct objpool *p = pol;

	for (unsigned id = 0; id < p->m->ncaches; id++) {
		struct objpool_cache *c = &p->cache[id];

		if (!c->slot)
			continue;
		for (unsigned cpu = 0; cpu < p->m->ncpus; cpu++)
			free(c->slot[cpu].e);
		free(c->slot);
	}
	if (p->slub)
		slub_policy.destroy(p->slub);
	slab_backend_fini(&p->b);
	free(p->cache);
	free(p);
}

static int addr_cmp(const void *a, const void *b)
{
	sim_addr_t x = *(const sim_addr_t *)a, y = *(const sim_addr_t *)b;

	return (x > y) - (x < y);
}

/* Every free object is one of the cache's, held once; free + out = nobjs. */
static bool objpool_cache_is_valid(const struct objpool *p, unsigned id, char *why, size_t len)
{
	const struct objpool_cache *c = &p->cache[id];
	sim_addr_t *all = xmalloc((c->nobjs ? c->nobjs : 1) * sizeof(*all));
	uint64_t n = 0;
	bool ok = true;

	for (unsigned cpu = 0; c->slot && cpu < p->m->ncpus && ok; cpu++) {
		const struct objpool_slot *s = &c->slot[cpu];

		ok = objpool_slot_count(s) <= (p->impl == IMPL_RING ? c->capacity : c->nobjs);
		for (uint32_t q = s->head; ok && q != s->tail; q++) {
			const struct slab *sl = slab_of(&p->b, s->e[q & (s->cap - 1)]);

			ok = n < c->nobjs && sl && sl->cache == id;
			if (ok)
				all[n++] = s->e[q & (s->cap - 1)];
		}
	}
	if (ok && n + c->out != c->nobjs)
		ok = false;
	qsort(all, n, sizeof(*all), addr_cmp);
	for (uint64_t i = 1; ok && i < n; i++)
		ok = all[i] != all[i - 1];
	free(all);
	if (!ok)
		snprintf(why, len, "objpool of cache %u: a slot holds a foreign or duplicate object, "
			 "or free + handed out != nobjs (%u)", id, c->nobjs);
	return ok;
}

static bool objpool_is_valid(const void *pol, char *why, size_t len)
{
	const struct objpool *p = pol;

	for (unsigned id = 0; id < p->m->ncaches; id++)
		if (p->cache[id].ready && !objpool_cache_is_valid(p, id, why, len))
			return false;
	return !p->slub || slub_policy.is_valid(p->slub, why, len);
}

const struct sim_policy_ops objpool_policy = {
	.name = "objpool",
	.summary = "pre-allocated objects in per-cpu lock-less slots (ring or CAS freelist), never freed",
	.models = "include/linux/objpool.h + lib/objpool.c (ring); seed 003, freelist.h refcount protocol (freelist)",
	.params = objpool_params,
	.nparams = P_COUNT,
	.drain_keeps_objects = true,	/* the pool is never returned */
	.create = objpool_create,
	.alloc = objpool_alloc,
	.free = objpool_free,
	.drain = objpool_drain,
	.destroy = objpool_destroy,
	.is_valid = objpool_is_valid,
};
