/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.h - the interface a slab-allocator policy implements.
 *
 * A policy is one file exporting one const struct sim_policy_ops filled
 * with designated initializers, plus a registry line (policies/registry.c).
 * It acts on the machine only through sim/machine.h (accesses, locks,
 * pages, counters, gauges), so every cost it incurs is charged.
 *
 * Parameters are a table the command line, sweeps and `slabsim policies`
 * all read.  A parameter may be "auto": the kernel's default, which the
 * policy resolves per cache (e.g. SLUB's order and cpu_partial depend on
 * the object size).
 */
#ifndef SLABSIM_POLICY_H
#define SLABSIM_POLICY_H

#include "sim/machine.h"

struct sim_param_desc {
	const char *name;
	long def;			/* default when not auto */
	long min, max;			/* accepted range */
	bool auto_default;		/* default is "auto" (per-cache kernel default) */
	const char *meaning;		/* one line, with the kernel's name and default rule */
	const char *const *choices;	/* NULL, or names of values 0, 1, ... (NULL-terminated) */
};

/* Resolved parameter values handed to create(), indexed as the policy's table. */
struct sim_param_values {
	long v[SIM_MAX_PARAMS];
	bool is_auto[SIM_MAX_PARAMS];
};

struct sim_policy_ops {
	const char *name;
	const char *summary;		/* one line */
	const char *models;		/* kernel code and version, seed it follows */
	const struct sim_param_desc *params;
	unsigned nparams;
	/* drain() keeps free objects cached by design (a pool that never returns memory) */
	bool drain_keeps_objects;

	/* Sets up per-cache, per-cpu and per-node state; NULL on failure. */
	void *(*create)(struct machine *m, const struct sim_param_values *p);
	/*
	 * Returns the address of a free object of op->cache, or 0 when it
	 * cannot (counted by the caller as alloc_failed).  The caller counts
	 * "alloc" and the live gauges.
	 */
	sim_addr_t (*alloc)(void *pol, struct sim_op *op);
	/* Takes back obj, which this policy handed out for op->cache. */
	void (*free)(void *pol, struct sim_op *op, sim_addr_t obj);
	/* Periodic work; period_ns() says how often (0: none). */
	void (*timer)(void *pol, struct sim_op *op);
	uint64_t (*timer_period_ns)(const void *pol);
	/* Gives every cached free object back to the slabs and free slabs to pages. */
	void (*drain)(void *pol, struct sim_op *op);
	void (*destroy)(void *pol);
	/* Internal consistency; on failure writes the reason into why. */
	bool (*is_valid)(const void *pol, char *why, size_t len);
};

#endif
