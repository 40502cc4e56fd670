/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pending.h - the events a replay has read ahead of the cpus that will
 * run them: a FIFO per simulated cpu, in chunks of PENDING_CHUNK events.
 * Up to a budget the chunks stay in memory; beyond it a FIFO's chunks
 * between the one being read and the one being filled go to a temporary
 * file (unlinked at once, in $TMPDIR or /tmp) and come back when their
 * turn comes.  Memory is then at most the budget plus two chunks per cpu,
 * however far the source had to be read ahead: a cpu idle for most of a
 * trace makes the others' events wait for it on disk, not in memory.
 */
#ifndef SLABSIM_PENDING_H
#define SLABSIM_PENDING_H

#include <stddef.h>
#include <string.h>

#include "sim/event.h"

#define PENDING_CHUNK 512u

struct pending {
	struct sim_event e;
	uint64_t seq;		/* replayable events read before it */
};

struct pending_chunk {
	struct pending_chunk *next;
	struct pending *ev;	/* PENDING_CHUNK events; NULL while in the file */
	uint64_t slot;		/* where it is in the file while spilled */
	uint32_t head, n;	/* events read from it; events in it */
};

struct pending_fifo {
	struct pending_chunk *first, *last;
	uint64_t n;
};

struct pending_queue {
	struct pending_fifo *cpu;
	unsigned ncpus;
	size_t mem_chunks, max_mem_chunks;	/* chunks in memory; the budget */
	uint64_t n, peak;			/* events queued, now and at most */
	size_t mem_peak;			/* most chunks in memory at once */
	uint64_t spilled;			/* chunks written to the file */
	int fd;					/* the file, -1 until the first spill */
	uint64_t nslots;			/* chunk slots of the file */
	uint64_t *free_slot;			/* slots free for reuse, a stack */
	size_t nfree, free_cap;
	int err;				/* errno of a failed read, 0 if none */
};

/* For ncpus cpus, keeping about budget_events in memory (0: PENDING_DEFAULT_BUDGET). */
#define PENDING_DEFAULT_BUDGET (1u << 20)
void pending_init(struct pending_queue *q, unsigned ncpus, size_t budget_events);
void pending_fini(struct pending_queue *q);
/* the bytes of an event up to its tail padding, which a spill must not write unset */
#define PENDING_EVENT_BYTES (offsetof(struct sim_event, pad) + sizeof(((struct sim_event *)0)->pad))

/*
 * Internals of the inline functions below, for what they do not do
 * inline: a push that needs a new chunk, a chunk read back, a chunk emptied.
 */
void pending_push_chunk(struct pending_queue *q, unsigned cpu, const struct sim_event *e, uint64_t seq);
struct pending *pending_front_spilled(struct pending_queue *q, struct pending_chunk *k);
void pending_pop_chunk(struct pending_queue *q, struct pending_fifo *f);

/* Appends e, read seq-th among the replayable events, to cpu's FIFO. */
static inline void pending_push(struct pending_queue *q, unsigned cpu, const struct sim_event *e, uint64_t seq)
{
	struct pending_fifo *f = &q->cpu[cpu];
	struct pending *p;

	if (!f->last || f->last->n == PENDING_CHUNK) {
		pending_push_chunk(q, cpu, e, seq);
		return;
	}
	p = &f->last->ev[f->last->n++];
	memset(p, 0, sizeof(*p));
	memcpy(&p->e, e, PENDING_EVENT_BYTES);
	p->seq = seq;
	f->n++;
	q->n++;
	q->peak = q->n > q->peak ? q->n : q->peak;
}

/*
 * The oldest event of cpu's FIFO, NULL if it is empty or (q->err set) its
 * chunk could not be read back.  Valid until the next push, pop or front.
 */
static inline struct pending *pending_front(struct pending_queue *q, unsigned cpu)
{
	struct pending_chunk *k = q->cpu[cpu].first;

	if (!q->cpu[cpu].n)
		return NULL;
	return k->ev ? &k->ev[k->head] : pending_front_spilled(q, k);
}

/* Drops the oldest event of cpu's FIFO (which must not be empty). */
static inline void pending_pop(struct pending_queue *q, unsigned cpu)
{
	struct pending_fifo *f = &q->cpu[cpu];
	struct pending_chunk *k = f->first;

	f->n--;
	q->n--;
	/* the last chunk stays while it has room: a cpu that keeps up reuses one */
	if (++k->head < k->n || (k == f->last && k->n < PENDING_CHUNK))
		return;
	pending_pop_chunk(q, f);
}
static inline uint64_t pending_count(const struct pending_queue *q, unsigned cpu)
{
	return q->cpu[cpu].n;
}

#endif
