/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lock.c - the spin-lock model (see lock.h for what it models). */
#include "config.h"

#include "sim/lock.h"
#include "sim/machine.h"

void sim_lock_init(struct sim_lock *l, sim_addr_t addr, enum sim_lock_class cls)
{
	l->addr = addr;
	l->free_at = 0;
	l->since = 0;
	l->holder = -1;
	l->cls = (uint16_t)cls;
	l->depth = 0;
}

static void lock_take(struct sim_op *op, struct sim_lock *l, sim_cycles_t wait)
{
	struct sim_stats *s = op->m->stats;
	struct sim_lock_stat *a = sim_stats_lock_cpu(s, op->cpu, l->cls);
	struct sim_lock_stat *b = sim_stats_lock_cache(s, op->cache, l->cls);

	a->acquired++;
	b->acquired++;
	if (wait) {
		a->contended++;
		b->contended++;
		a->wait_cycles += wait;
		b->wait_cycles += wait;
	}
	l->holder = (int32_t)op->cpu;
	l->since = op->now;
	l->depth = 1;
	op->m->locks_held++;
}

void sim_lock_acquire(struct sim_op *op, struct sim_lock *l)
{
	sim_cycles_t wait = l->free_at > op->now ? l->free_at - op->now : 0;

	sim_assert(!l->depth);
	op->now += wait;
	sim_atomic(op, l->addr);
	lock_take(op, l, wait);
}

bool sim_lock_try(struct sim_op *op, struct sim_lock *l)
{
	sim_cycles_t issued = op->now;	/* the lock must be free when the try is issued */

	sim_assert(!l->depth);
	sim_atomic(op, l->addr);
	if (l->free_at > issued) {
		sim_stats_lock_cpu(op->m->stats, op->cpu, l->cls)->try_fail++;
		sim_stats_lock_cache(op->m->stats, op->cache, l->cls)->try_fail++;
		return false;
	}
	lock_take(op, l, 0);
	return true;
}

void sim_lock_release(struct sim_op *op, struct sim_lock *l)
{
	struct sim_stats *s = op->m->stats;
	sim_cycles_t hold;

	sim_assert(l->depth && l->holder == (int32_t)op->cpu);
	sim_write(op, l->addr);
	hold = op->now - l->since;
	sim_stats_lock_cpu(s, op->cpu, l->cls)->hold_cycles += hold;
	sim_stats_lock_cache(s, op->cache, l->cls)->hold_cycles += hold;
	if (op->now > l->free_at)
		l->free_at = op->now;
	l->holder = -1;
	l->depth = 0;
	op->m->locks_held--;
}
