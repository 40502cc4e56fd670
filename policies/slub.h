/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slub.h - SLUB's kernel defaults, for the policy table and for tests. */
#ifndef SLABSIM_SLUB_H
#define SLABSIM_SLUB_H

#include "sim/machine.h"

/* calculate_order() of 6.1 for objects of size bytes on a machine of ncpus. */
unsigned slub_default_order(unsigned size, unsigned ncpus);
/* ilog2(size) / 2 clamped to MIN_PARTIAL 5 .. MAX_PARTIAL 10. */
unsigned slub_default_min_partial(unsigned size);
/* set_cpu_partial() of 5.16-6.19, in objects. */
unsigned slub_default_cpu_partial(unsigned size);

/*
 * The slab layer a front-end cache (magazine, pcarray, llcache) sits on,
 * as the choices of its "slub" parameter: classic (6.1, cpu partial slabs),
 * nopartial (classic built without CONFIG_SLUB_CPU_PARTIAL) and 2007 (the
 * slub-2007 preset).
 */
enum slub_backing { SLUB_BACKING_CLASSIC = 0, SLUB_BACKING_NOPARTIAL = 1, SLUB_BACKING_2007 = 2 };
extern const char *const slub_backing_choices[];	/* NULL-terminated, in enum order */
/* Creates the slub policy for backing (slub_policy.destroy() frees it); NULL on failure. */
void *slub_backing_create(struct machine *m, long backing);

/*
 * SLUB as the slab layer under a front-end cache (pcarray, magazine,
 * llcache, objpool): create it with slub_policy.create() (registry.h) and
 * use slub_policy.alloc/free/drain/destroy for single objects, and these
 * for batches.  pol is what slub_policy.create() returned.
 */
/*
 * kmem_cache_alloc_bulk() of 6.1: n objects of op->cache into out, from the
 * cpu freelist in one pass, through ___slab_alloc() when it runs dry.
 * Returns n (simulated memory never runs out).  The 2007 mode, which had no
 * bulk interface, allocates one by one.
 */
unsigned slub_alloc_bulk(void *pol, struct sim_op *op, unsigned n, sim_addr_t *out);
/*
 * kmem_cache_free_bulk() of 6.1: objs grouped by slab as
 * build_detached_freelist() does, and each group freed with one freelist
 * update (one cmpxchg, and list_lock only if the group empties or fills a
 * slab), not once per object.
 */
void slub_free_bulk(void *pol, struct sim_op *op, unsigned n, const sim_addr_t *objs);

#endif
