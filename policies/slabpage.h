/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slabpage.h - the slab-page backend shared by the policies: slabs carved
 * from page-allocator blocks, their object freelists, and the lookup from an
 * object's address to its slab (virt_to_slab).
 *
 * Models: a slab is 2^order pages from the page allocator model holding
 * `objects` objects of `size` bytes laid out from the first byte; its
 * descriptor is the struct page of its first page (SLUB's struct slab
 * overlays it), at its simulated address so list and counter updates cost
 * what they cost.  The slab freelist is LIFO as SLUB's is: a free pushes the
 * object on the head, an allocation pops the head, and following the list
 * reads each object's free pointer at fp_offset inside the object.
 * Initialising a new slab writes every object's free pointer (new_slab()).
 * Does not model: freelist randomisation (SLAB_FREELIST_RANDOM), slab
 * colouring, red zones and other debug metadata, memcg accounting.
 */
#ifndef SLABSIM_SLABPAGE_H
#define SLABSIM_SLABPAGE_H

#include "sim/lock.h"
#include "sim/machine.h"

struct slab {
	sim_addr_t base;		/* first object, the first page's address */
	struct slab *next, *prev;	/* links of whatever list the policy keeps it on */
	uint32_t cache;
	uint32_t size;			/* object stride in bytes */
	uint64_t size_recip;		/* UINT64_MAX / size + 1: offset / size by a multiply (slab_obj_index) */
	uint32_t fp_offset;		/* free pointer's offset inside a free object */
	uint16_t objects;		/* capacity */
	uint16_t inuse;			/* objects not on the slab freelist */
	uint16_t nfree;			/* objects on the slab freelist */
	uint8_t order;
	uint8_t node;
	uint8_t frozen;			/* SLUB: owned by a cpu (cpu slab or cpu partial) */
	uint8_t list;			/* policy-defined: which list it is on */
	int16_t owner;			/* cpu owning a frozen slab, -1 */
	uint16_t nslabs;		/* SLUB: slabs on the cpu partial list from here on */
	uint16_t *free;			/* freelist: stack of object indices, top is the head */
	sim_addr_t meta;		/* policy metadata address (SLAB: off-slab descriptor), 0 if none */
	struct sim_lock lock;		/* slab_lock(): PG_locked in the struct page's flags */
};

/*
 * virt_to_slab() as the memmap does it: a table per node indexed by page
 * frame number, grown to the highest frame a slab has used (the page
 * allocator carves frames from the bottom of each node, so the tables are
 * bounded by the pages ever held, not by the trace).
 */
struct slab_backend {
	struct machine *m;
	struct slab **by_pfn[SIM_MAX_NODES];	/* [node][pfn]: the slab holding the frame, NULL if none */
	uint32_t by_pfn_cap[SIM_MAX_NODES];
	uint64_t nslabs;
};

void slab_backend_init(struct slab_backend *b, struct machine *m);
/* Frees the remaining slab descriptors (not their simulated pages). */
void slab_backend_fini(struct slab_backend *b);

/*
 * A new slab for op->cache: pages from the page allocator on node
 * (SIM_NO_NODE: the cpu's node), every object on the freelist, gauges
 * slab_bytes and slabs updated, its struct page and every free pointer
 * written.
 */
struct slab *slab_new(struct slab_backend *b, struct sim_op *op, unsigned order,
		      uint32_t size, unsigned objects, uint32_t fp_offset, int node);
/* Gives an empty slab's pages back (discard_slab). */
void slab_discard(struct slab_backend *b, struct sim_op *op, struct slab *s);
/* The slab holding obj, or NULL. */
static inline struct slab *slab_of(const struct slab_backend *b, sim_addr_t obj)
{
	unsigned node = sim_addr_node(obj);
	uint64_t pfn = sim_addr_offset(obj) >> SIM_PAGE_SHIFT;

	if (sim_addr_region(obj) != SIM_REGION_PAGES || pfn >= b->by_pfn_cap[node])
		return NULL;
	return b->by_pfn[node][pfn];
}

static inline sim_addr_t slab_obj_addr(const struct slab *s, unsigned idx)
{
	return s->base + (sim_addr_t)idx * s->size;
}
/*
 * obj_to_index(): the offset divided by the stride, as the kernel does it
 * with a reciprocal instead of a division.  Exact for every 32-bit offset
 * and stride of at least 2 (Lemire, Kaser and Kurz, "Faster remainder by
 * direct computation", 2019); a slab is far below 4 GiB.
 */
static inline unsigned slab_obj_index(const struct slab *s, sim_addr_t obj)
{
	return (unsigned)(((unsigned __int128)s->size_recip * (uint32_t)(obj - s->base)) >> 64);
}
/* Sets a slab's object stride (at least 2 bytes) and the reciprocal slab_obj_index() uses. */
static inline void slab_set_size(struct slab *s, uint32_t size)
{
	sim_assert(size >= 2);
	s->size = size;
	s->size_recip = UINT64_MAX / size + 1;
}
static inline sim_addr_t slab_struct(const struct slab *s)
{
	return sim_page_struct(s->base);
}
static inline sim_addr_t slab_obj_fp(const struct slab *s, sim_addr_t obj)
{
	return obj + s->fp_offset;
}

/* Pops the freelist head without touching memory; the caller charges the accesses. */
static inline sim_addr_t slab_freelist_pop(struct slab *s)
{
	unsigned idx = s->free[--s->nfree];

	return slab_obj_addr(s, idx);
}
static inline void slab_freelist_push(struct slab *s, sim_addr_t obj)
{
	s->free[s->nfree++] = (uint16_t)slab_obj_index(s, obj);
}
static inline sim_addr_t slab_freelist_head(const struct slab *s)
{
	return s->nfree ? slab_obj_addr(s, s->free[s->nfree - 1]) : 0;
}

/* Bytes of pages of a slab of this order. */
static inline uint64_t slab_bytes(unsigned order)
{
	return (uint64_t)SIM_PAGE_BYTES << order;
}

/* Freelist indices in range and distinct, inuse + nfree <= objects. */
bool slab_is_valid(const struct slab *s);

/* --- doubly linked slab lists (list_add, list_add_tail, list_del) --------- */

struct slab_list {
	struct slab *head, *tail;
	unsigned long n;
	sim_addr_t addr;		/* the list head's line (e.g. in kmem_cache_node) */
};

/* The accesses of list_add/list_del: the head's line and the neighbours' struct page. */
void slab_list_add_head(struct sim_op *op, struct slab_list *l, struct slab *s);
void slab_list_add_tail(struct sim_op *op, struct slab_list *l, struct slab *s);
void slab_list_del(struct sim_op *op, struct slab_list *l, struct slab *s);

#endif
