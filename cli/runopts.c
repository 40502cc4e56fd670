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
#include "traces/initstate.h"
#include "traces/input.h"
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
	case 2017:
		if (cli_parse_long(arg, 0, 1L << 30, &v) || (v && (v < 16 || v % 2)))
			return runopts_bad(cmd, "--sample-max", arg, "expected 0 (keep every instant) or an even number from 16 up");
		m->sample_max = (unsigned)v;
		return 0;
	case 2010:
		if (cli_parse_long(arg, 0, LONG_MAX, &v))
			return runopts_bad(cmd, "--seed", arg, "expected a non-negative whole number");
		m->seed = (uint64_t)v;
		return 0;
	}
	return 1;
}

/* --warmup N (events) or --warmup T with a unit ns/us/ms/s (simulated time). */
static int runopts_parse_warmup(struct runopts *r, const char *arg, const char *cmd)
{
	size_t n = strlen(arg);
	char buf[80];
	uint64_t end;
	long v;

	if (n && arg[n - 1] >= '0' && arg[n - 1] <= '9') {
		if (cli_parse_long(arg, 1, LONG_MAX, &v))
			return runopts_bad(cmd, "--warmup", arg, "expected a number of events, or a time with a unit (2s, 500ms)");
		r->mach.warmup_events = (uint64_t)v;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s,", arg);
	if (n >= sizeof(buf) - 1 || trace_reshape_parse_window(buf, &r->mach.warmup_ns, &end) || !r->mach.warmup_ns)
		return runopts_bad(cmd, "--warmup", arg, "expected a number of events, or a time with a unit (2s, 500ms)");
	return 0;
}

static int runopts_parse_reshape(struct runopts *r, int ch, const char *arg, const char *cmd)
{
	long v;

	switch (ch) {
	case 2011:
		if (cli_parse_long(arg, 1, 4096, &v))
			return runopts_bad(cmd, "--replicate", arg, "expected 1 to 4096 copies");
		r->reshape.replicate = (unsigned)v;
		return 0;
	case 2012:
		if (trace_reshape_parse_window(arg, &r->reshape.window_start_ns, &r->reshape.window_end_ns))
			return runopts_bad(cmd, "--window", arg, "expected START,END in seconds or with ns/us/ms/s, END after START");
		return 0;
	case 2013:
		r->reshape.caches = arg;
		return 0;
	case 2014:
		r->strict = true;
		return 0;
	case 2015:
		return runopts_parse_warmup(r, arg, cmd);
	case 2016:
		r->initial_state = arg;
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
	rc = runopts_parse_reshape(r, ch, arg, cmd);
	if (rc != 1)
		return rc;
	cli_error("%s: unknown option (try 'slabsim %s --help')", cmd, cmd);
	return CLI_EXIT_USAGE;
}

static int runopts_add_policy(struct runopts *r, const char *name, const char *cmd)
{
	const struct policy_preset *preset = policy_preset_find(name);
	struct runopts_policy *p;
	char err[512];

	if (r->npol == RUNOPTS_MAX_POLICIES) {
		cli_error("%s: too many policies (at most %d)", cmd, RUNOPTS_MAX_POLICIES);
		return CLI_EXIT_USAGE;
	}
	p = &r->pol[r->npol];
	p->ops = policy_find(preset ? preset->policy : name);
	if (!p->ops) {
		cli_error("%s: unknown policy '%s' ('slabsim policies' lists policies and presets)", cmd, name);
		return CLI_EXIT_USAGE;
	}
	p->preset = preset ? preset->name : "";
	policy_params_default(p->ops, &p->pv);
	if (preset && policy_params_apply(p->ops, &p->pv, preset->settings, err, sizeof(err))) {
		cli_error("%s: preset %s: %s", cmd, preset->name, err);
		return CLI_EXIT_USAGE;
	}
	r->npol++;
	return 0;
}

/* True when policy k has the same policy and parameter values as an earlier one. */
static bool runopts_policy_is_listed(const struct runopts *r, unsigned k)
{
	const struct runopts_policy *p = &r->pol[k];

	for (unsigned i = 0; i < k; i++) {
		const struct runopts_policy *q = &r->pol[i];
		bool same = q->ops == p->ops;

		for (unsigned j = 0; same && j < p->ops->nparams; j++)
			same = q->pv.is_auto[j] == p->pv.is_auto[j] && (p->pv.is_auto[j] || q->pv.v[j] == p->pv.v[j]);
		if (same)
			return true;
	}
	return false;
}

static int runopts_add_policies(struct runopts *r, const char *cmd, bool many)
{
	char buf[1024], *save = NULL;
	int rc = 0;

	if (many && !strcmp(r->policy_arg, "all")) {
		for (const struct sim_policy_ops *const *p = policy_registry; *p && !rc; p++)
			rc = runopts_add_policy(r, (*p)->name, cmd);
		for (const struct policy_preset *p = policy_presets; p->name && !rc; p++) {
			rc = runopts_add_policy(r, p->name, cmd);
			/* a preset that only names a policy's defaults is that policy again */
			if (!rc && runopts_policy_is_listed(r, r->npol - 1))
				r->npol--;
		}
		return rc;
	}
	if (!many && strchr(r->policy_arg, ',')) {
		cli_error("%s: --policy takes one policy here", cmd);
		return CLI_EXIT_USAGE;
	}
	snprintf(buf, sizeof(buf), "%s", r->policy_arg);
	for (char *name = strtok_r(buf, ",", &save); name && !rc; name = strtok_r(NULL, ",", &save))
		rc = runopts_add_policy(r, name, cmd);
	if (!rc && !r->npol) {
		cli_error("%s: --policy names no policy", cmd);
		return CLI_EXIT_USAGE;
	}
	return rc;
}

/* Applies every --set to the policies that have the parameter. */
static int runopts_apply_sets(struct runopts *r, const char *cmd)
{
	char err[512], name[64];

	for (unsigned i = 0; i < r->nsets; i++) {
		const char *eq = strchr(r->sets[i], '=');
		unsigned applied = 0;

		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - r->sets[i]) : 0, r->sets[i]);
		for (unsigned k = 0; k < r->npol; k++) {
			struct runopts_policy *p = &r->pol[k];

			if (r->npol > 1 && eq && policy_param_index(p->ops, name) < 0)
				continue;
			if (policy_param_set(p->ops, &p->pv, r->sets[i], err, sizeof(err))) {
				cli_error("%s: --set %s", cmd, err);
				return CLI_EXIT_USAGE;
			}
			applied++;
		}
		if (!applied) {
			cli_error("%s: --set %s: no listed policy has parameter '%s'", cmd, r->sets[i], name);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

int runopts_finish(struct runopts *r, const char *cmd, bool many)
{
	const char *why;
	int rc;

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
	rc = runopts_add_policies(r, cmd, many);
	return rc ? rc : runopts_apply_sets(r, cmd);
}

/* The warm start's prefix is replayed as a warm-up; says what it did. */
static void runopts_note_initstate(struct runopts *r, const struct trace_initstate_result *is, bool quiet,
				   const char *cmd)
{
	r->mach.warmup_events += is->prefix_events;
	if (!quiet)
		fprintf(stderr, "slabsim: %s: initial state: %" PRIu64 " caches, %" PRIu64 " objects "
			"pre-populated by %" PRIu64 " warm-up events; %" PRIu64 " frees of objects from before "
			"the capture are now replayed\n", cmd, is->caches, is->objects, is->prefix_events,
			is->matched_frees);
}

int runopts_load_trace(struct runopts *r, struct sim_workload *w, bool quiet, const char *cmd)
{
	struct trace_load_opts lo = { .strict = r->strict };
	char err[1024];

	sim_workload_init(w);
	if (trace_load_ex(r->trace, w, &lo, NULL, err, sizeof(err))) {
		cli_error("%s: %s", cmd, err);
		sim_workload_fini(w);
		return -1;
	}
	if (trace_reshape_apply(w, &r->reshape, err, sizeof(err))) {
		cli_error("%s: %s", cmd, err);
		sim_workload_fini(w);
		return -1;
	}
	if (r->initial_state) {
		struct trace_initstate_result is;

		if (trace_initstate_apply(w, r->initial_state, r->mach.seed, &is, err, sizeof(err))) {
			cli_error("%s: --initial-state %s", cmd, err);
			sim_workload_fini(w);
			return -1;
		}
		runopts_note_initstate(r, &is, quiet, cmd);
	}
	if (!quiet && w->anomaly[SIM_AN_skipped_lines])
		cli_warn("%s: %" PRIu64 " malformed lines skipped; first: %s", r->trace,
			 w->anomaly[SIM_AN_skipped_lines], w->first_skip);
	return 0;
}

static void runopts_stream_close(struct runopts_trace *t)
{
	trace_initstate_source_close(t->is);
	t->is = NULL;
	trace_reshape_file_close(&t->file);
	sim_workload_fini(&t->w);
}

/* The last stage of t's pipeline: the file, reshaped, warm-started. */
static struct sim_source *runopts_stream_src(struct runopts_trace *t)
{
	return t->is ? trace_initstate_source_get(t->is) : trace_reshape_file_source(&t->file);
}

/*
 * Opens the file into t (w read anew), reshaped and with the
 * --initial-state prefix before it (as runopts_load_trace() applies them:
 * reshape first); 0 or -1 (printed).
 */
static int runopts_stream_open(struct runopts_trace *t, const char *cmd)
{
	char err[1024];
	struct sim_source *src;

	runopts_stream_close(t);
	sim_workload_init(&t->w);
	src = trace_reshape_file_open(&t->file, t->path, &t->reshape, t->kept_nobjs, &t->w, err, sizeof(err));
	if (!src) {
		cli_error("%s: %s", cmd, err);
		return -1;
	}
	if (t->initial_state &&
	    !(t->is = trace_initstate_source_open(src, &t->w, t->initial_state, t->seed, NULL, err, sizeof(err)))) {
		cli_error("%s: --initial-state %s", cmd, err);
		return -1;
	}
	return 0;
}

static int runopts_stream_drain(struct runopts_trace *t, const char *cmd)
{
	struct sim_source *src = runopts_stream_src(t);
	char err[1024];

	if (sim_source_drain(src, err, sizeof(err))) {
		cli_error("%s: %s", cmd, err);
		return -1;
	}
	return 0;
}

static int runopts_trace_stream(struct runopts *r, struct runopts_trace *t, bool complete, bool quiet,
				const char *cmd)
{
	char err[1024];

	t->streamed = true;
	t->path = r->trace;
	t->reshape = r->reshape;
	t->initial_state = r->initial_state;
	t->seed = r->mach.seed;
	sim_workload_init(&t->w);
	if (trace_reshape_file_kept(t->path, &t->reshape, &t->kept_nobjs, err, sizeof(err))) {
		cli_error("%s: %s", cmd, err);
		return -1;
	}
	if (runopts_stream_open(t, cmd))
		return -1;
	if (!t->is)
		return complete ? runopts_stream_drain(t, cmd) : 0;
	/* read through once: the frees matched to pre-existing objects are known at the end */
	if (runopts_stream_drain(t, cmd))
		return -1;
	runopts_note_initstate(r, trace_initstate_source_result(t->is), quiet, cmd);
	return 0;
}

int runopts_trace_open(struct runopts *r, struct runopts_trace *t, bool complete, bool quiet, const char *cmd)
{
	char err[1024];

	memset(t, 0, sizeof(*t));
	if (!trace_native_path_is_native(r->trace))
		return runopts_load_trace(r, &t->w, quiet, cmd);
	if (r->strict && trace_native_strict_check(r->trace, err, sizeof(err))) {
		cli_error("%s: %s", cmd, err);
		return -1;
	}
	if (runopts_trace_stream(r, t, complete, quiet, cmd)) {
		runopts_trace_close(t);
		return -1;
	}
	if (!quiet && t->w.anomaly[SIM_AN_skipped_lines])
		cli_warn("%s: %" PRIu64 " malformed lines skipped; first: %s", r->trace,
			 t->w.anomaly[SIM_AN_skipped_lines], t->w.first_skip);
	return 0;
}

struct sim_source *runopts_trace_source(struct runopts_trace *t, const char *cmd)
{
	if (!t->streamed) {
		sim_source_mem_init(&t->mem, &t->w);
		return &t->mem.src;
	}
	if (runopts_stream_open(t, cmd))
		return NULL;
	return runopts_stream_src(t);
}

void runopts_trace_close(struct runopts_trace *t)
{
	if (t->streamed)
		runopts_stream_close(t);
	else
		sim_workload_fini(&t->w);
	memset(t, 0, sizeof(*t));
}

void runopts_run_config(const struct runopts *r, unsigned k, struct sim_run_config *cfg)
{
	const struct runopts_policy *p = &r->pol[k];

	memset(cfg, 0, sizeof(*cfg));
	cfg->mach = r->mach;
	snprintf(cfg->policy, sizeof(cfg->policy), "%s", p->ops->name);
	snprintf(cfg->preset, sizeof(cfg->preset), "%s", p->preset);
	cfg->nparams = p->ops->nparams;
	for (unsigned i = 0; i < p->ops->nparams; i++) {
		snprintf(cfg->param_name[i], sizeof(cfg->param_name[i]), "%s", p->ops->params[i].name);
		cfg->param_value[i] = p->pv.v[i];
		cfg->param_auto[i] = p->pv.is_auto[i];
	}
}
