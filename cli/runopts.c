/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runopts.c - options describing a run, shared by run and bench. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/runopts.h"
#include "policies/registry.h"
#include "traces/load.h"

void runopts_init(struct runopts *r)
{
	memset(r, 0, sizeof(*r));
	sim_machine_config_defaults(&r->mach);
}

static int runopts_bad(const char *cmd, const char *opt, const char *arg, const char *want)
{
	cli_error("%s: %s '%s': %s", cmd, opt, arg, want);
	return CLI_EXIT_USAGE;
}

static int runopts_parse_machine(struct runopts *r, int ch, const char *arg, const char *cmd)
{
	struct sim_machine_config *m = &r->mach;
	double d;
	long v;

	switch (ch) {
	case 'c':
		if (cli_parse_long(arg, 1, SIM_MAX_CPUS, &v))
			return runopts_bad(cmd, "--cpus", arg, "expected 1 to 4096");
		m->ncpus = (unsigned)v;
		return 0;
	case 'n':
		if (cli_parse_long(arg, 1, SIM_MAX_NODES, &v))
			return runopts_bad(cmd, "--nodes", arg, "expected 1 to 64");
		m->nnodes = (unsigned)v;
		return 0;
	case 2001:
		if (strcmp(arg, "fold") && strcmp(arg, "spread"))
			return runopts_bad(cmd, "--map", arg, "expected fold or spread");
		m->map = strcmp(arg, "fold") ? SIM_MAP_SPREAD : SIM_MAP_FOLD;
		return 0;
	case 2002:
		if (cli_parse_double(arg, 0.01, 100, &d))
			return runopts_bad(cmd, "--ghz", arg, "expected 0.01 to 100");
		m->ghz = d;
		return 0;
	case 2003:
		if (cli_parse_long(arg, 4, 1 << 20, &v) || (v & (v - 1)))
			return runopts_bad(cmd, "--cache-kb", arg, "expected a power of two from 4 to 1048576");
		m->cache_kb = (unsigned)v;
		return 0;
	case 2004:
		if (cli_parse_long(arg, 1, 64, &v))
			return runopts_bad(cmd, "--cache-ways", arg, "expected 1 to 64");
		m->cache_ways = (unsigned)v;
		return 0;
	case 2005:
		if (cli_parse_long(arg, 0, 64, &v))
			return runopts_bad(cmd, "--touch-lines", arg, "expected 0 to 64");
		m->touch_lines = (unsigned)v;
		return 0;
	}
	return 1;
}

static int runopts_parse_time(struct runopts *r, int ch, const char *arg, const char *cmd)
{
	struct sim_machine_config *m = &r->mach;
	double d;
	long v;
	int rc;

	switch (ch) {
	case 2006:
		rc = sim_cost_set(&m->cost, arg);
		if (rc == -ENOENT)
			return runopts_bad(cmd, "--cost", arg, "unknown cost name ('slabsim policies --costs' lists them)");
		if (rc)
			return runopts_bad(cmd, "--cost", arg, "expected NAME=CYCLES with CYCLES from 0 to 10^9");
		return 0;
	case 2007:
		if (strcmp(arg, "trace") && strcmp(arg, "closed"))
			return runopts_bad(cmd, "--timing", arg, "expected trace or closed");
		m->timing = strcmp(arg, "trace") ? SIM_TIMING_CLOSED : SIM_TIMING_TRACE;
		return 0;
	case 2008:
		if (cli_parse_double(arg, 1e-6, 1e6, &d))
			return runopts_bad(cmd, "--time-scale", arg, "expected a factor from 0.000001 to 1000000");
		m->time_scale = d;
		return 0;
	case 2009:
		if (cli_parse_double(arg, 0.001, 1e6, &d))
			return runopts_bad(cmd, "--sample-ms", arg, "expected 0.001 to 1000000 ms");
		m->sample_ns = (uint64_t)(d * 1e6);
		r->sample_set = true;
		return 0;
	case 2010:
		if (cli_parse_long(arg, 0, LONG_MAX, &v))
			return runopts_bad(cmd, "--seed", arg, "expected a non-negative whole number");
		m->seed = (uint64_t)v;
		return 0;
	}
	return 1;
}

int runopts_parse(struct runopts *r, int ch, const char *arg, const char *cmd)
{
	int rc;

	switch (ch) {
	case 't':
		r->trace = arg;
		return 0;
	case 'p':
		r->policy_arg = arg;
		return 0;
	case 's':
		if (r->nsets == RUNOPTS_MAX_SETS) {
			cli_error("%s: too many --set options (at most %d)", cmd, RUNOPTS_MAX_SETS);
			return CLI_EXIT_USAGE;
		}
		r->sets[r->nsets++] = arg;
		return 0;
	}
	rc = runopts_parse_machine(r, ch, arg, cmd);
	if (rc != 1)
		return rc;
	rc = runopts_parse_time(r, ch, arg, cmd);
	if (rc != 1)
		return rc;
	cli_error("%s: unknown option (try 'slabsim %s --help')", cmd, cmd);
	return CLI_EXIT_USAGE;
}

int runopts_finish(struct runopts *r, const char *cmd)
{
	const struct policy_preset *preset;
	const char *why;
	char err[512];

	if (!r->trace) {
		cli_error("%s: --trace FILE is required (try 'slabsim %s --help')", cmd, cmd);
		return CLI_EXIT_USAGE;
	}
	if (!r->policy_arg) {
		cli_error("%s: --policy NAME is required ('slabsim policies' lists them)", cmd);
		return CLI_EXIT_USAGE;
	}
	/* a closed-loop run lasts milliseconds: sample it more often */
	if (!r->sample_set && r->mach.timing == SIM_TIMING_CLOSED)
		r->mach.sample_ns = RUNOPTS_CLOSED_SAMPLE_NS;
	if (sim_machine_config_check(&r->mach, &why)) {
		cli_error("%s: %s", cmd, why);
		return CLI_EXIT_USAGE;
	}
	preset = policy_preset_find(r->policy_arg);
	r->ops = policy_find(preset ? preset->policy : r->policy_arg);
	if (!r->ops) {
		cli_error("%s: unknown policy '%s' ('slabsim policies' lists policies and presets)", cmd, r->policy_arg);
		return CLI_EXIT_USAGE;
	}
	r->preset = preset ? preset->name : "";
	policy_params_default(r->ops, &r->pv);
	if (preset && policy_params_apply(r->ops, &r->pv, preset->settings, err, sizeof(err))) {
		cli_error("%s: preset %s: %s", cmd, preset->name, err);
		return CLI_EXIT_USAGE;
	}
	for (unsigned i = 0; i < r->nsets; i++) {
		if (policy_param_set(r->ops, &r->pv, r->sets[i], err, sizeof(err))) {
			cli_error("%s: --set %s", cmd, err);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

int runopts_load_trace(const struct runopts *r, struct sim_workload *w, bool quiet, const char *cmd)
{
	char err[1024];

	sim_workload_init(w);
	if (trace_load(r->trace, w, err, sizeof(err))) {
		cli_error("%s: %s", cmd, err);
		sim_workload_fini(w);
		return -1;
	}
	if (!quiet && w->anomaly[SIM_AN_skipped_lines])
		cli_warn("%s: %" PRIu64 " malformed lines skipped; first: %s", r->trace,
			 w->anomaly[SIM_AN_skipped_lines], w->first_skip);
	return 0;
}

void runopts_run_config(const struct runopts *r, struct sim_run_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mach = r->mach;
	snprintf(cfg->policy, sizeof(cfg->policy), "%s", r->ops->name);
	snprintf(cfg->preset, sizeof(cfg->preset), "%s", r->preset);
	cfg->nparams = r->ops->nparams;
	for (unsigned i = 0; i < r->ops->nparams; i++) {
		snprintf(cfg->param_name[i], sizeof(cfg->param_name[i]), "%s", r->ops->params[i].name);
		cfg->param_value[i] = r->pv.v[i];
		cfg->param_auto[i] = r->pv.is_auto[i];
	}
}
