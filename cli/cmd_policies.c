/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_policies.c - `slabsim policies`: policies, presets, parameters, costs. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "policies/registry.h"
#include "sim/cost.h"
#include "sim/counters.h"
#include "sim/runconfig.h"

static void policies_usage(FILE *f)
{
	fprintf(f, "Usage: slabsim policies [--costs] [--counters] [POLICY]\n\n"
		   "Lists the policies slabsim can replay a trace against, with their\n"
		   "parameters (default, range, meaning) and the named presets.  With POLICY,\n"
		   "only that policy.  Set parameters on 'slabsim run' with --set NAME=VALUE;\n"
		   "'auto' stands for the kernel's default, computed per cache from the object\n"
		   "size (and, for SLUB's order, the number of simulated cpus).\n\n"
		   "Options:\n"
		   "  --costs      print the cost table (cycles per kind of access) with defaults\n"
		   "  --counters   print the counters, gauges and lock classes runs record\n"
		   "  -h, --help   show this help\n");
}

static void policies_print_one(const struct sim_policy_ops *o)
{
	printf("%s — %s\n  models: %s\n", o->name, o->summary, o->models);
	for (unsigned i = 0; i < o->nparams; i++) {
		const struct sim_param_desc *d = &o->params[i];
		char def[32];

		if (d->auto_default)
			snprintf(def, sizeof(def), "auto");
		else if (d->choices)
			snprintf(def, sizeof(def), "%s", d->choices[d->def]);
		else
			snprintf(def, sizeof(def), "%ld", d->def);
		printf("  %-12s default %-6s range [%ld, %ld]\n      %s\n", d->name, def, d->min, d->max, d->meaning);
		if (d->choices) {
			printf("      choices:");
			for (unsigned k = 0; d->choices[k]; k++)
				printf(" %s", d->choices[k]);
			printf("\n");
		}
	}
	printf("\n");
}

static void policies_print_costs(void)
{
	struct sim_machine_config c;

	sim_machine_config_defaults(&c);
	printf("Cost table (cycles; set with 'slabsim run --cost NAME=CYCLES'):\n");
	for (int i = 0; i < SIM_COST_COUNT; i++)
		printf("  %-12s %6" PRIu64 "  %s\n", sim_cost_name[i], (uint64_t)c.cost.c[i], sim_cost_meaning[i]);
	printf("\nSources and caveats: see sim/cost.h and the README's cost model section.\n");
}

static void policies_print_counters(void)
{
	printf("Counters:\n");
	for (int i = 0; i < SIM_CNT_COUNT; i++)
		printf("  %-24s %s\n", sim_counter_name[i], sim_counter_meaning[i]);
	printf("\nGauges (current and peak, per cache and total):\n");
	for (int i = 0; i < SIM_GAUGE_COUNT; i++)
		printf("  %-24s %s\n", sim_gauge_name[i], sim_gauge_meaning[i]);
	printf("\nLock classes:\n");
	for (int i = 0; i < SIM_LOCK_CLASS_COUNT; i++)
		printf("  %-24s %s\n", sim_lock_class_name[i], sim_lock_class_meaning[i]);
}

int cmd_policies(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "costs", no_argument, NULL, 'c' },
		{ "counters", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool costs = false, counters = false;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': costs = true; break;
		case 'k': counters = true; break;
		case 'h': policies_usage(stdout); return CLI_EXIT_OK;
		default: policies_usage(stderr); return CLI_EXIT_USAGE;
		}
	}
	if (costs || counters) {
		if (costs)
			policies_print_costs();
		if (counters)
			policies_print_counters();
		return CLI_EXIT_OK;
	}
	if (optind < argc) {
		const struct sim_policy_ops *o = policy_find(argv[optind]);

		if (!o) {
			cli_error("policies: unknown policy '%s'", argv[optind]);
			return CLI_EXIT_USAGE;
		}
		policies_print_one(o);
		return CLI_EXIT_OK;
	}
	printf("Policies:\n\n");
	for (const struct sim_policy_ops *const *p = policy_registry; *p; p++)
		policies_print_one(*p);
	printf("Presets (use as --policy NAME; --set overrides their settings):\n");
	for (const struct policy_preset *p = policy_presets; p->name; p++)
		printf("  %-14s %s %s\n      %s\n", p->name, p->policy, p->settings, p->summary);
	return CLI_EXIT_OK;
}
