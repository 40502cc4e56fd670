/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine.c - the event queue (binary min-heap, see engine.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/xalloc.h"

static bool engine_event_before(const struct engine_event *a, const struct engine_event *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->tie != b->tie)
		return a->tie < b->tie;
	return a->seq < b->seq;
}

void engine_init(struct engine *e)
{
	memset(e, 0, sizeof(*e));
}

void engine_fini(struct engine *e)
{
	free(e->heap);
	memset(e, 0, sizeof(*e));
}

/* Puts ev at slot i (heap[i] free) and sifts it down among the first n slots. */
static void engine_sift_down(struct engine *e, size_t i, struct engine_event ev)
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= e->n)
			break;
		if (c + 1 < e->n && engine_event_before(&e->heap[c + 1], &e->heap[c]))
			c++;
		if (!engine_event_before(&e->heap[c], &ev))
			break;
		e->heap[i] = e->heap[c];
		i = c;
	}
	e->heap[i] = ev;
}

/* Fills the hole a pop left at the root with the last event. */
static void engine_fill_hole(struct engine *e)
{
	e->vacant = false;
	if (--e->n)
		engine_sift_down(e, 0, e->heap[e->n]);
}

void engine_event_push(struct engine *e, sim_cycles_t t, uint32_t tie, uint32_t kind, uint64_t arg)
{
	struct engine_event ev = { .t = t, .tie = tie, .kind = kind, .seq = e->seq++, .arg = arg };
	size_t i;

	if (e->vacant) {
		e->vacant = false;
		engine_sift_down(e, 0, ev);
		return;
	}
	if (e->n == e->cap)
		xgrow((void **)&e->heap, &e->cap, e->n + 1, sizeof(*e->heap));
	for (i = e->n++; i > 0; ) {
		size_t parent = (i - 1) / 2;

		if (!engine_event_before(&ev, &e->heap[parent]))
			break;
		e->heap[i] = e->heap[parent];
		i = parent;
	}
	e->heap[i] = ev;
}

bool engine_event_pop(struct engine *e, struct engine_event *out)
{
	if (e->vacant)
		engine_fill_hole(e);
	if (!e->n)
		return false;
	*out = e->heap[0];
	e->vacant = true;
	return true;
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
