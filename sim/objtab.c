/* SPDX-License-Identifier: GPL-2.0-or-later */
/* objtab.c - the replay's table of live objects (see objtab.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/objtab.h"
#include "sim/xalloc.h"

void objtab_init(struct objtab *t)
{
	memset(t, 0, sizeof(*t));
	u64map_init(&t->slot_of);
}

void objtab_fini(struct objtab *t)
{
	u64map_fini(&t->slot_of);
	free(t->slot);
	free(t->free);
	memset(t, 0, sizeof(*t));
}

struct obj *objtab_add(struct objtab *t, uint32_t oid)
{
	uint32_t i;

	if (t->nfree) {
		i = t->free[--t->nfree];
	} else {
		xgrow((void **)&t->slot, &t->cap, t->nslots + 1, sizeof(*t->slot));
		i = (uint32_t)t->nslots++;
	}
	u64map_add(&t->slot_of, oid, i);
	t->peak = SIM_MAX(t->peak, objtab_count(t));
	memset(&t->slot[i], 0, sizeof(t->slot[i]));
	return &t->slot[i];
}

struct obj *objtab_get(const struct objtab *t, uint32_t oid)
{
	uint64_t i;

	return u64map_get(&t->slot_of, oid, &i) ? &t->slot[i] : NULL;
}

void objtab_del(struct objtab *t, uint32_t oid, struct obj *o)
{
	size_t i = (size_t)(o - t->slot);

	u64map_del(&t->slot_of, oid);
	o->state = OBJ_FREED;
	xgrow((void **)&t->free, &t->free_cap, t->nfree + 1, sizeof(*t->free));
	t->free[t->nfree++] = (uint32_t)i;
}
