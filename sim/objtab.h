/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * objtab.h - the replay's table of the objects it has allocated and not
 * yet freed, by object id: a map from oid to a slot, slots recycled as
 * objects are freed, so that its memory follows the live objects and not
 * the length of the trace.  An oid absent from the table is either not
 * allocated yet or already freed; the pairing pass guarantees one FREE per
 * oid, after its ALLOC, so the replay tells the two apart by order.
 */
#ifndef SLABSIM_OBJTAB_H
#define SLABSIM_OBJTAB_H

#include "sim/sim.h"
#include "sim/u64map.h"

enum obj_state { OBJ_UNBORN = 0, OBJ_LIVE, OBJ_FREED, OBJ_FAILED };

#define OBJ_NOT_LARGE 0xff

struct obj {
	sim_addr_t addr;
	sim_cycles_t done;	/* when its ALLOC completed */
	uint32_t size;		/* bytes_alloc of its ALLOC */
	uint32_t cache;		/* cache of its ALLOC: the FREE goes back there */
	uint8_t state;		/* enum obj_state: LIVE or FAILED while in the table */
	uint8_t large_order;	/* page order of a large kmalloc, OBJ_NOT_LARGE otherwise */
};

struct objtab {
	struct u64map slot_of;	/* oid -> index in slot */
	struct obj *slot;
	size_t nslots, cap;	/* slots ever used; free ones have state OBJ_FREED */
	uint32_t *free;		/* indices of free slots, a stack */
	size_t nfree, free_cap;
	size_t peak;		/* most objects in the table at once */
};

void objtab_init(struct objtab *t);
void objtab_fini(struct objtab *t);
/*
 * A zeroed slot for oid, which must not be in the table.  The pointer
 * stays valid until the next objtab_add().
 */
struct obj *objtab_add(struct objtab *t, uint32_t oid);
/* The object of oid, NULL if it is not in the table. */
struct obj *objtab_get(const struct objtab *t, uint32_t oid);
/* Removes oid and recycles its slot o (objtab_get(t, oid), not NULL). */
void objtab_del(struct objtab *t, uint32_t oid, struct obj *o);
static inline size_t objtab_count(const struct objtab *t)
{
	return u64map_count(&t->slot_of);
}

#endif
