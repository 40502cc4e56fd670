/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slab.h - SLAB's kernel defaults and slab layout (mm/slab.c, removed in
 * 6.8), for the policy table and for tests.
 */
#ifndef SLABSIM_SLAB_H
#define SLABSIM_SLAB_H

#include <stdbool.h>
#include <stdint.h>

/* Where a slab keeps its free-object index (the "freelist" parameter). */
enum slab_freelist_mode {
	SLAB_FREELIST_OBJ = 0,	/* 6.x, cache without constructor: freelist in a free object if it fits */
	SLAB_FREELIST_SLAB = 1,	/* 6.x, cache with constructor or TYPESAFE_BY_RCU: never in an object */
	SLAB_FREELIST_DESC = 2,	/* before 3.13 (seed 002's SLAB): struct slab + 4-byte bufctl per object */
};

/* The layout __kmem_cache_create() chose (CFLGS_OBJFREELIST_SLAB, CFLGS_OFF_SLAB or on-slab). */
enum slab_mgmt {
	SLAB_MGMT_OBJFREELIST = 0,	/* index array inside a free object: no extra bytes */
	SLAB_MGMT_OFF,			/* index array kmalloc'ed apart from the slab */
	SLAB_MGMT_ON,			/* index array in the slab's last bytes */
	SLAB_MGMT_DESC_ON,		/* struct slab and bufctl array inside the slab */
	SLAB_MGMT_DESC_OFF,		/* struct slab and bufctl array kmalloc'ed apart */
};

struct slab_geometry {
	uint32_t size;		/* object stride in bytes (after SLAB's rounding) */
	uint32_t order;		/* pages per slab: 2^order */
	uint32_t num;		/* objects per slab */
	uint32_t mgmt;		/* enum slab_mgmt */
	uint32_t mgmt_bytes;	/* bytes of the index array (and descriptor) itself */
	uint32_t meta_bytes;	/* mgmt_bytes on-slab, its kmalloc size class off-slab, 0 in an object */
};

/* enable_cpucache(): the per-cpu array limit for objects of size bytes: 1, 8, 24, 54 or 120. */
unsigned slab_default_limit(unsigned size);
/* enable_cpucache(): the shared array factor, 8 if size <= PAGE_SIZE on more than one cpu, else 0. */
unsigned slab_default_shared(unsigned size, unsigned ncpus);
/*
 * The stride SLAB gives objects of size bytes (the trace's bytes_alloc):
 * rounded up to 8 bytes; kmalloc caches at least 32 bytes (KMALLOC_SHIFT_LOW
 * 5) and SLAB_HWCACHE_ALIGN'ed (ARCH_KMALLOC_FLAGS), so kmalloc-96 holds
 * 128-byte objects; in the 6.x modes at least SLAB_OBJ_MIN_SIZE (16).
 */
unsigned slab_object_size(unsigned size, bool kmalloc, enum slab_freelist_mode mode);
/*
 * __kmem_cache_create()'s layout for objects of size bytes (the trace's
 * bytes_alloc): calculate_slab_order() with slab_max_order 1 and the 6.x
 * choice objfreelist -> off-slab -> on-slab, or the 2.6 rule (off-slab from
 * PAGE_SIZE/8 unless the descriptor fits in the left-over) in DESC mode.
 */
void slab_geometry_compute(unsigned size, bool kmalloc, enum slab_freelist_mode mode,
			   struct slab_geometry *g);

#endif
