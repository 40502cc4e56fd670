/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lock.h - the spin-lock model.
 *
 * Models: a spin lock is a cache line plus the time until which it is held.
 * Operations run to completion one at a time in order of their start
 * time, so a lock taken by an earlier operation has a release time that a
 * later one may fall inside: the acquirer then waits exactly until that
 * release (waiters are served in arrival order, since each later acquirer
 * sees the release time of the one before it), and the acquisition counts
 * as contended with its wait.  Acquiring is an atomic access on the lock's
 * line (it pays the transfer from the last holder), releasing a write.
 * Trylock fails instead of waiting, after its atomic access.
 * Does not model: spinning traffic while waiting (the waiter's one
 * transfer at acquisition stands for it), queued-lock fairness beyond
 * arrival order, preemption of a holder, lock-holder overlap of operations
 * that started earlier but reach the lock later than a later operation.
 */
#ifndef SLABSIM_LOCK_H
#define SLABSIM_LOCK_H

#include "sim/counters.h"

struct sim_op;

struct sim_lock {
	sim_addr_t addr;	/* the lock word's line */
	sim_cycles_t free_at;	/* release time of the last holder */
	sim_cycles_t since;	/* acquisition time of the current holder */
	int32_t holder;		/* cpu holding it now, -1 if none */
	uint16_t cls;		/* enum sim_lock_class */
	uint16_t depth;		/* 1 while held (no recursion) */
};

void sim_lock_init(struct sim_lock *l, sim_addr_t addr, enum sim_lock_class cls);
/* Takes l, waiting for the previous holder's release. */
void sim_lock_acquire(struct sim_op *op, struct sim_lock *l);
/* Takes l if it is free at op's time; false (and counted) otherwise. */
bool sim_lock_try(struct sim_op *op, struct sim_lock *l);
void sim_lock_release(struct sim_op *op, struct sim_lock *l);
static inline bool sim_lock_is_held(const struct sim_lock *l)
{
	return l->depth != 0;
}

#endif
