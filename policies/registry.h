/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * registry.h - the policies slabsim knows, their named presets, and the
 * parsing of "name=value" parameter settings that the command line, sweeps
 * and `slabsim policies` share.
 */
#ifndef SLABSIM_REGISTRY_H
#define SLABSIM_REGISTRY_H

#include "sim/policy.h"

extern const struct sim_policy_ops slub_policy;
extern const struct sim_policy_ops objpool_policy;
extern const struct sim_policy_ops magazine_policy;
extern const struct sim_policy_ops pcarray_policy;
extern const struct sim_policy_ops llcache_policy;
extern const struct sim_policy_ops slab_policy;

/* NULL-terminated list of every policy. */
extern const struct sim_policy_ops *const policy_registry[];

struct policy_preset {
	const char *name;
	const char *policy;
	const char *settings;		/* comma-separated name=value */
	const char *summary;
};

/* Terminated by an entry whose name is NULL. */
extern const struct policy_preset policy_presets[];

const struct sim_policy_ops *policy_find(const char *name);
const struct policy_preset *policy_preset_find(const char *name);

/* Every parameter at its default. */
void policy_params_default(const struct sim_policy_ops *ops, struct sim_param_values *pv);
/*
 * Applies one "name=value" (value a number, a choice name, or "auto" where
 * the parameter has a kernel default).  Returns 0, or -ENOENT (unknown
 * name), -ERANGE (out of range), -EINVAL (not a value); err says which.
 */
int policy_param_set(const struct sim_policy_ops *ops, struct sim_param_values *pv,
		     const char *assignment, char *err, size_t errlen);
/* Applies a comma-separated list of settings (a preset's). */
int policy_params_apply(const struct sim_policy_ops *ops, struct sim_param_values *pv,
			const char *settings, char *err, size_t errlen);
/* Index of a parameter, or -1. */
int policy_param_index(const struct sim_policy_ops *ops, const char *name);

/* Required hooks present, names unique, defaults in range. */
bool policy_registry_is_valid(char *why, size_t len);

#endif
