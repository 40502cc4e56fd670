/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine.c - the event queue (binary min-heap, see engine.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/xalloc.h"

void engine_init(struct engine *e)
{
	memset(e, 0, sizeof(*e));
}

void engine_fini(struct engine *e)
{
	free(e->heap);
	memset(e, 0, sizeof(*e));
}

/*
 * The sifts carry the moving event's fields in registers and store them
 * field by field into its final slot: an event built on the stack and
 * copied as a whole would be read back by wide loads that straddle the
 * narrow stores that built it, which the store buffer cannot forward.
 * So the comparison takes the other event's keys as values.
 */
/* Whether a comes before the event keyed (t, tie, seq). */
static inline bool engine_slot_before(const struct engine_event *a, sim_cycles_t t, uint32_t tie, uint64_t seq)
{
	if (a->t != t)
		return a->t < t;
	if (a->tie != tie)
		return a->tie < tie;
	return a->seq < seq;
}

static inline bool engine_event_before(const struct engine_event *a, const struct engine_event *b)
{
	return engine_slot_before(a, b->t, b->tie, b->seq);
}

static inline void engine_slot_set(struct engine_event *slot, sim_cycles_t t, uint32_t tie, uint32_t kind,
				   uint64_t seq, uint64_t arg)
{
	slot->t = t;
	slot->tie = tie;
	slot->kind = kind;
	slot->seq = seq;
	slot->arg = arg;
}

/* Puts the event at slot i (heap[i] free) and sifts it down among the first n slots. */
static void engine_sift_down(struct engine *e, size_t i, sim_cycles_t t, uint32_t tie, uint32_t kind,
			     uint64_t seq, uint64_t arg)
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= e->n)
			break;
		if (c + 1 < e->n && engine_event_before(&e->heap[c + 1], &e->heap[c]))
			c++;
		if (!engine_slot_before(&e->heap[c], t, tie, seq))
			break;
		e->heap[i] = e->heap[c];
		i = c;
	}
	engine_slot_set(&e->heap[i], t, tie, kind, seq, arg);
}

/* Fills the hole a pop left at the root with the last event. */
void engine_fill_hole(struct engine *e)
{
	e->vacant = false;
	if (--e->n) {
		const struct engine_event *last = &e->heap[e->n];	/* beyond the n slots the sift writes */

		engine_sift_down(e, 0, last->t, last->tie, last->kind, last->seq, last->arg);
	}
}

void engine_event_push(struct engine *e, sim_cycles_t t, uint32_t tie, uint32_t kind, uint64_t arg)
{
	uint64_t seq = e->seq++;
	size_t i;

	if (e->vacant) {
		e->vacant = false;
		engine_sift_down(e, 0, t, tie, kind, seq, arg);
		return;
	}
	if (e->n == e->cap)
		xgrow((void **)&e->heap, &e->cap, e->n + 1, sizeof(*e->heap));
	for (i = e->n++; i > 0; ) {
		size_t parent = (i - 1) / 2;

		/* seq is new: the parent is never the same event, so not before it means after it */
		if (engine_slot_before(&e->heap[parent], t, tie, seq))
			break;
		e->heap[i] = e->heap[parent];
		i = parent;
	}
	engine_slot_set(&e->heap[i], t, tie, kind, seq, arg);
}

bool engine_has_kind(const struct engine *e, uint32_t kind)
{
	for (size_t i = e->vacant; i < e->n; i++)
		if (e->heap[i].kind == kind)
			return true;
	return false;
}

/* With a hole at the root, the heap property is checked below it. */
bool engine_is_valid(const struct engine *e)
{
	for (size_t i = 1; i < e->n; i++)
		if ((i > 2 || !e->vacant) && engine_event_before(&e->heap[i], &e->heap[(i - 1) / 2]))
			return false;
	return true;
}
