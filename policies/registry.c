/* SPDX-License-Identifier: GPL-2.0-or-later */
/* registry.c - the list of policies and presets, and parameter parsing. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/registry.h"

const struct sim_policy_ops *const policy_registry[] = {
	&slub_policy,
	&slab_policy,
	&objpool_policy,
	&magazine_policy,
	&pcarray_policy,
	&llcache_policy,
	NULL,
};

const struct policy_preset policy_presets[] = {
	{ "slub-2007", "slub", "cpu_partial=0,min_partial=0",
	  "the 2007 patch: cpu slab under slab_lock, no per-cpu freelist, no partial slab kept empty" },
	{ "slub-classic", "slub", "cpu_partial=auto,min_partial=auto,order=auto",
	  "SLUB of 3.x-6.19 as in 6.1: lockless per-cpu freelist, cpu partial slabs" },
	{ "sheaves", "magazine", "depot=node,size=32,depot_full_max=10,depot_empty_max=10,slub=nopartial",
	  "SLUB of 7.0: percpu main and spare sheaves of 32, per-node barns of 10 full and 10 empty, no cpu partial slabs" },
	{ "bonwick", "magazine", "depot=global,grow=1",
	  "Bonwick & Adams 2001 (illumos): loaded and previous magazines, one depot, magazines grown under contention" },
	{ "biocache", "llcache", "elem=embedded,max=512,slack=64",
	  "Axboe's bio cache (5.15): per-cpu list through the object, above 512+64 drop 64" },
	{ "wilcox-array", "pcarray", "size=15,batch=8",
	  "Wilcox's proposal (seed 000): 15 pointers per cpu, refill 8 by bulk alloc, flush 8 by bulk free" },
	{ "babka-array", "pcarray", "size=32,batch=auto",
	  "Babka's RFC v3 (2023) as measured on maple nodes: 32 objects, refill and flush by half" },
	{ NULL, NULL, NULL, NULL },
};

const struct sim_policy_ops *policy_find(const char *name)
{
	for (const struct sim_policy_ops *const *p = policy_registry; *p; p++)
		if (!strcmp((*p)->name, name))
			return *p;
	return NULL;
}

const struct policy_preset *policy_preset_find(const char *name)
{
	for (const struct policy_preset *p = policy_presets; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

void policy_params_default(const struct sim_policy_ops *ops, struct sim_param_values *pv)
{
	memset(pv, 0, sizeof(*pv));
	for (unsigned i = 0; i < ops->nparams; i++) {
		pv->v[i] = ops->params[i].def;
		pv->is_auto[i] = ops->params[i].auto_default;
	}
}

int policy_param_index(const struct sim_policy_ops *ops, const char *name)
{
	for (unsigned i = 0; i < ops->nparams; i++)
		if (!strcmp(ops->params[i].name, name))
			return (int)i;
	return -1;
}

static int param_parse_value(const struct sim_param_desc *d, const char *val, long *out)
{
	char *end;

	if (d->choices) {
		for (long i = 0; d->choices[i]; i++)
			if (!strcmp(d->choices[i], val)) {
				*out = i;
				return 0;
			}
	}
	errno = 0;
	*out = strtol(val, &end, 0);
	if (errno || end == val || *end)
		return -EINVAL;
	return 0;
}

int policy_param_set(const struct sim_policy_ops *ops, struct sim_param_values *pv,
		     const char *assignment, char *err, size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	char name[64];
	const struct sim_param_desc *d;
	long v;
	int i;

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(name)) {
		snprintf(err, errlen, "'%s': expected NAME=VALUE", assignment);
		return -EINVAL;
	}
	memcpy(name, assignment, (size_t)(eq - assignment));
	name[eq - assignment] = '\0';
	i = policy_param_index(ops, name);
	if (i < 0) {
		snprintf(err, errlen, "policy %s has no parameter '%s' (see 'slabsim policies')", ops->name, name);
		return -ENOENT;
	}
	d = &ops->params[i];
	if (!strcmp(eq + 1, "auto")) {
		if (!d->auto_default) {
			snprintf(err, errlen, "%s: parameter %s has no automatic default", ops->name, name);
			return -EINVAL;
		}
		pv->is_auto[i] = true;
		pv->v[i] = d->def;
		return 0;
	}
	if (param_parse_value(d, eq + 1, &v)) {
		snprintf(err, errlen, "%s: %s='%s' is not a %s", ops->name, name, eq + 1,
			 d->choices ? "known choice" : "whole number");
		return -EINVAL;
	}
	if (v < d->min || v > d->max) {
		snprintf(err, errlen, "%s: %s=%ld is out of range [%ld, %ld]", ops->name, name, v, d->min, d->max);
		return -ERANGE;
	}
	pv->v[i] = v;
	pv->is_auto[i] = false;
	return 0;
}

int policy_params_apply(const struct sim_policy_ops *ops, struct sim_param_values *pv,
			const char *settings, char *err, size_t errlen)
{
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", settings);
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		int rc = policy_param_set(ops, pv, kv, err, errlen);

		if (rc)
			return rc;
	}
	return 0;
}

bool policy_registry_is_valid(char *why, size_t len)
{
	for (const struct sim_policy_ops *const *p = policy_registry; *p; p++) {
		const struct sim_policy_ops *o = *p;

		if (!o->name || !o->create || !o->alloc || !o->free || !o->destroy || o->nparams > SIM_MAX_PARAMS) {
			snprintf(why, len, "policy %s lacks a required hook", o->name ? o->name : "?");
			return false;
		}
		if (!!o->timer != !!o->timer_period_ns) {
			snprintf(why, len, "policy %s: timer and timer_period_ns go together", o->name);
			return false;
		}
		for (const struct sim_policy_ops *const *q = policy_registry; q != p; q++)
			if (!strcmp((*q)->name, o->name)) {
				snprintf(why, len, "policy name %s registered twice", o->name);
				return false;
			}
		for (unsigned i = 0; i < o->nparams; i++) {
			const struct sim_param_desc *d = &o->params[i];

			if (d->def < d->min || d->def > d->max || policy_param_index(o, d->name) != (int)i) {
				snprintf(why, len, "policy %s: parameter %s has a bad default or a duplicate name", o->name, d->name);
				return false;
			}
		}
	}
	for (const struct policy_preset *p = policy_presets; p->name; p++) {
		const struct sim_policy_ops *o = policy_find(p->policy);
		struct sim_param_values pv;
		char err[256];

		if (!o || policy_find(p->name)) {
			snprintf(why, len, "preset %s names no policy or shadows one", p->name);
			return false;
		}
		policy_params_default(o, &pv);
		if (policy_params_apply(o, &pv, p->settings, err, sizeof(err))) {
			snprintf(why, len, "preset %s: %s", p->name, err);
			return false;
		}
	}
	return true;
}
