/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * event.h - the canonical trace event.  Every trace reader produces these
 * records, in trace order; the replay loop consumes them.
 *
 * Objects: a traced pointer is reused after its free, so the pairing pass
 * (traces/resolve.c) gives every ALLOC a dense object id ("oid") and every
 * matched FREE the oid of its ALLOC.  The replay maps oids, not pointers, to
 * the objects the policy handed out.
 */
#ifndef SLABSIM_EVENT_H
#define SLABSIM_EVENT_H

#include "sim/sim.h"

enum sim_ev_op {
	SIM_EV_ALLOC = 0,	/* kmem_cache_alloc, kmalloc (and _node variants) */
	SIM_EV_FREE = 1,	/* kmem_cache_free, kfree */
	SIM_EV_PAGE_ALLOC = 2,	/* mm_page_alloc: counted, never replayed */
	SIM_EV_PAGE_FREE = 3,	/* mm_page_free: counted, never replayed */
};

enum sim_ctx {
	SIM_CTX_TASK = 0,
	SIM_CTX_SOFTIRQ = 1,
	SIM_CTX_HARDIRQ = 2,
	SIM_CTX_NMI = 3,
};

/* sim_event.flags */
#define SIM_EVF_CTX_MASK   0x03u	/* enum sim_ctx */
#define SIM_EVF_KMALLOC    0x04u	/* kmalloc/kfree rather than kmem_cache_* */
#define SIM_EVF_UNMATCHED  0x08u	/* FREE of a pointer never allocated in the trace */
#define SIM_EVF_NULL       0x10u	/* kfree(NULL) / kmem_cache_free(NULL): a no-op */
#define SIM_EVF_LARGE      0x20u	/* kmalloc above the largest kmalloc cache: page allocator */
#define SIM_EVF_REALLOC    0x40u	/* ALLOC of a pointer already live (lost free) */
#define SIM_EVF_IRQS_OFF   0x80u	/* irqs-off flag ('d') in the trace */

#define SIM_OID_NONE UINT32_MAX

struct sim_event {
	uint64_t t_ns;		/* since trace start */
	uint64_t ptr;		/* traced pointer; pfn for page events */
	uint32_t oid;		/* object id, SIM_OID_NONE where there is none */
	uint32_t cache;		/* interned cache name, 0 = unknown */
	uint32_t site;		/* interned call site, 0 = none */
	uint32_t bytes_req;	/* ALLOC: bytes requested */
	uint32_t bytes_alloc;	/* ALLOC: object size; page events: bytes of the pages */
	uint16_t cpu;		/* cpu in the trace */
	uint8_t op;		/* enum sim_ev_op */
	uint8_t flags;		/* SIM_EVF_* */
	int16_t node;		/* requested node, SIM_NO_NODE if none */
	uint8_t order;		/* page events: order */
	uint8_t pad;
};

static inline enum sim_ctx sim_event_ctx(const struct sim_event *e)
{
	return (enum sim_ctx)(e->flags & SIM_EVF_CTX_MASK);
}

static inline bool sim_event_is_replayed(const struct sim_event *e)
{
	if (e->op == SIM_EV_ALLOC)
		return true;
	return e->op == SIM_EV_FREE && e->oid != SIM_OID_NONE;
}

#endif /* SLABSIM_EVENT_H */
