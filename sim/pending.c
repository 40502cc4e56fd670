/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pending.c - the events read ahead, per cpu, in memory or spilled to a file (see pending.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/pending.h"
#include "sim/xalloc.h"

#define CHUNK_BYTES ((size_t)PENDING_CHUNK * sizeof(struct pending))

void pending_init(struct pending_queue *q, unsigned ncpus, size_t budget_events)
{
	memset(q, 0, sizeof(*q));
	q->ncpus = ncpus;
	q->cpu = xcalloc(ncpus, sizeof(*q->cpu));
	q->max_mem_chunks = (budget_events ? budget_events : PENDING_DEFAULT_BUDGET) / PENDING_CHUNK + 1;
	q->fd = -1;
}

void pending_fini(struct pending_queue *q)
{
	for (unsigned c = 0; c < q->ncpus; c++) {
		struct pending_chunk *k = q->cpu[c].first, *next;

		for (; k; k = next) {
			next = k->next;
			free(k->ev);
			free(k);
		}
	}
	free(q->cpu);
	free(q->free_slot);
	if (q->fd >= 0)
		close(q->fd);
	memset(q, 0, sizeof(*q));
	q->fd = -1;
}

static int pending_file(struct pending_queue *q)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];

	if (q->fd >= 0)
		return q->fd;
	snprintf(path, sizeof(path), "%s/slabsim-pending.XXXXXX", dir && *dir ? dir : "/tmp");
	q->fd = mkstemp(path);
	if (q->fd >= 0)
		unlink(path);
	return q->fd;
}

/* Writes k to the file and frees its events; left in memory if the file cannot take it. */
static void pending_spill(struct pending_queue *q, struct pending_chunk *k)
{
	uint64_t slot = q->nfree ? q->free_slot[q->nfree - 1] : q->nslots;

	if (pending_file(q) < 0 ||
	    pwrite(q->fd, k->ev, CHUNK_BYTES, (off_t)(slot * CHUNK_BYTES)) != (ssize_t)CHUNK_BYTES)
		return;
	if (q->nfree)
		q->nfree--;
	else
		q->nslots++;
	k->slot = slot;
	free(k->ev);
	k->ev = NULL;
	q->mem_chunks--;
	q->spilled++;
}

static void pending_unspill(struct pending_queue *q, struct pending_chunk *k)
{
	struct pending *ev = xmalloc(CHUNK_BYTES);

	if (pread(q->fd, ev, CHUNK_BYTES, (off_t)(k->slot * CHUNK_BYTES)) != (ssize_t)CHUNK_BYTES) {
		q->err = errno ? errno : EIO;
		free(ev);
		return;
	}
	k->ev = ev;
	xgrow((void **)&q->free_slot, &q->free_cap, q->nfree + 1, sizeof(*q->free_slot));
	q->free_slot[q->nfree++] = k->slot;
	q->mem_chunks++;
	q->mem_peak = SIM_MAX(q->mem_peak, q->mem_chunks);
}

/* A new last chunk for f; over the budget, the full one before it goes to the file. */
static void pending_chunk_add(struct pending_queue *q, struct pending_fifo *f)
{
	struct pending_chunk *k = xcalloc(1, sizeof(*k)), *prev = f->last;

	k->ev = xmalloc(CHUNK_BYTES);
	q->mem_chunks++;
	if (prev)
		prev->next = k;
	else
		f->first = k;
	f->last = k;
	/* the chunk being read stays: only those between it and the new one wait on disk */
	if (q->mem_chunks > q->max_mem_chunks && prev && prev != f->first)
		pending_spill(q, prev);
	q->mem_peak = SIM_MAX(q->mem_peak, q->mem_chunks);
}

void pending_push_chunk(struct pending_queue *q, unsigned cpu, const struct sim_event *e, uint64_t seq)
{
	pending_chunk_add(q, &q->cpu[cpu]);
	pending_push(q, cpu, e, seq);
}

/* pending_front() of a chunk in the file: read back, or NULL with q->err set. */
struct pending *pending_front_spilled(struct pending_queue *q, struct pending_chunk *k)
{
	pending_unspill(q, k);
	return k->ev ? &k->ev[k->head] : NULL;
}

/* pending_pop() of the last event of f's first chunk: the chunk goes. */
void pending_pop_chunk(struct pending_queue *q, struct pending_fifo *f)
{
	struct pending_chunk *k = f->first;

	f->first = k->next;
	if (!f->first)
		f->last = NULL;
	free(k->ev);
	free(k);
	q->mem_chunks--;
}
