/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.h - the event queue: a binary min-heap of pending events keyed
 * by (simulated time, tie, insertion order).  The tie field carries the
 * cpu number, so events at the same cycle run in cpu order and, within one
 * cpu, in the order they were pushed.  Popping is therefore a pure function
 * of what was pushed: runs are deterministic.
 */
#ifndef SLABSIM_ENGINE_H
#define SLABSIM_ENGINE_H

#include "sim/sim.h"

struct engine_event {
	sim_cycles_t t;		/* when it is due */
	uint32_t tie;		/* second key: the cpu it runs on */
	uint32_t kind;		/* what it is, for the caller */
	uint64_t seq;		/* third key: insertion order */
	uint64_t arg;		/* for the caller */
};

/*
 * A pop leaves the earliest event's slot as a hole (vacant) instead of
 * filling it at once: the push that usually follows (a cpu's next event)
 * then takes the root and sifts down once, where a pop and a push would
 * sift twice.  The next pop fills a hole left unfilled.  The order events
 * come out in is the same either way: (t, tie, seq) orders them totally.
 */
struct engine {
	struct engine_event *heap;	/* heap[0] is not an event while vacant */
	size_t n, cap;			/* slots used (the hole included), allocated */
	uint64_t seq;
	bool vacant;
};

void engine_init(struct engine *e);
void engine_fini(struct engine *e);
void engine_event_push(struct engine *e, sim_cycles_t t, uint32_t tie, uint32_t kind, uint64_t arg);
void engine_fill_hole(struct engine *e);
/*
 * Removes the earliest event into *out; false when the queue is empty.
 * Inline, so that the caller's copy is the fields it reads: the root was
 * most likely stored a field at a time by the push just before, and a
 * copy of it as a whole, by wide loads over those stores, would stall
 * until they reached the cache.
 */
static inline bool engine_event_pop(struct engine *e, struct engine_event *out)
{
	if (e->vacant)
		engine_fill_hole(e);
	if (!e->n)
		return false;
	*out = e->heap[0];
	e->vacant = true;
	return true;
}
/* Events queued. */
static inline size_t engine_len(const struct engine *e)
{
	return e->n - e->vacant;
}
/* Whether an event of this kind is queued. */
bool engine_has_kind(const struct engine *e, uint32_t kind);
/* Heap property holds everywhere (for tests and expensive assertions). */
bool engine_is_valid(const struct engine *e);

#endif
