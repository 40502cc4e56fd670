/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cost.c - the cost table's names and defaults (see cost.h for sources). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cost.h"

const char *const sim_cost_name[SIM_COST_COUNT] = {
#define SIM_COST_NAME(n, v, d) #n,
	SIM_COST_LIST(SIM_COST_NAME)
#undef SIM_COST_NAME
};

const char *const sim_cost_meaning[SIM_COST_COUNT] = {
#define SIM_COST_MEANING(n, v, d) d,
	SIM_COST_LIST(SIM_COST_MEANING)
#undef SIM_COST_MEANING
};

void sim_cost_defaults(struct sim_cost_table *t)
{
	static const sim_cycles_t def[SIM_COST_COUNT] = {
#define SIM_COST_DEF(n, v, d) v,
		SIM_COST_LIST(SIM_COST_DEF)
#undef SIM_COST_DEF
	};

	memcpy(t->c, def, sizeof(def));
}

int sim_cost_set(struct sim_cost_table *t, const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	char *end;
	unsigned long long v;

	if (!eq)
		return -EINVAL;
	for (int i = 0; i < SIM_COST_COUNT; i++) {
		if (strlen(sim_cost_name[i]) != (size_t)(eq - assignment) ||
		    strncmp(sim_cost_name[i], assignment, (size_t)(eq - assignment)))
			continue;
		errno = 0;
		v = strtoull(eq + 1, &end, 10);
		if (errno || end == eq + 1 || *end || v > 1000000000ull)
			return -EINVAL;
		t->c[i] = v;
		return 0;
	}
	return -ENOENT;
}
