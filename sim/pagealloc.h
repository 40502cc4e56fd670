/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pagealloc.h - the page allocator model that slab pages come from.
 *
 * Models: one zone per node with a binary buddy allocator (free lists per
 * order 0..10, splitting on allocation, merging with the buddy on free)
 * under the zone lock, and per-cpu page lists (struct per_cpu_pages) for
 * orders 0..3 (PAGE_ALLOC_COSTLY_ORDER, as since 5.14) under the pcp lock:
 * an empty list is refilled with `batch` pages' worth of blocks under the
 * zone lock (rmqueue_bulk), a list above `high` pages gives `batch` back
 * (free_pcppages_bulk).  Lines touched: the pcp structure, the zone's
 * free-area line of the order, the struct page of each block moved, and of
 * the buddy checked on merging.  A node's memory grows in 4 MiB blocks
 * (order 10, MAX_ORDER-1) as needed: simulated memory never runs out.
 * Does not model: watermarks, reclaim, compaction, migrate types, zones
 * other than one per node, fallback to other nodes, pcp high auto-tuning.
 */
#ifndef SLABSIM_PAGEALLOC_H
#define SLABSIM_PAGEALLOC_H

#include "sim/machine.h"

#define PAGEALLOC_MAX_ORDER 10		/* largest block: order 10 (4 MiB) */
#define PAGEALLOC_PCP_ORDERS 4		/* orders 0..3 go through pcp lists */

struct pagealloc *pagealloc_create(struct machine *m);
void pagealloc_destroy(struct pagealloc *pa);
/* Returns the address of a block of 2^order pages on node. */
sim_addr_t pagealloc_alloc(struct pagealloc *pa, struct sim_op *op, unsigned order, unsigned node);
void pagealloc_free(struct pagealloc *pa, struct sim_op *op, sim_addr_t addr, unsigned order);
/* Pages handed out and not freed (in pcp lists or buddy lists they count as free). */
uint64_t pagealloc_pages_used(const struct pagealloc *pa);
/* Free lists, pcp lists and counts agree; no block is both free and used. */
bool pagealloc_is_valid(const struct pagealloc *pa);

#endif
