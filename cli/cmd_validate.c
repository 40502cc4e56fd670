/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_validate.c - `slabsim validate`: does the SLUB model match the captured kernel? */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/validate.h"
#include "results/db.h"
#include "traces/load.h"
#include "traces/native.h"

static void validate_usage(FILE *f)
{
	fprintf(f,
"Usage: slabsim validate --trace FILE --slabinfo SNAPSHOT [OPTION]...\n"
"\n"
"Measures how closely the slub model reproduces what the captured kernel's\n"
"SLUB did.  The real side is recovered from the capture's pointers (it needs\n"
"real addresses: no_hash_pointers, or trace-cmd/perf, and the mm_page_alloc and\n"
"mm_page_free events): the direct-map base is inferred, every object is mapped\n"
"to its slab (pages per slab from SNAPSHOT), new slabs are page allocations\n"
"that then hold objects of one cache, freed slabs their mm_page_free.  The\n"
"simulated side replays the trace on slub as 6.1 configures it (mode=classic,\n"
"cpu_partial and min_partial by object size, each cache's slab order from\n"
"SNAPSHOT), warm-started from SNAPSHOT's first (before) snapshot, one simulated\n"
"cpu per trace cpu.  SLUB's slabinfo counts free objects in cpu slabs as\n"
"active, so the warm start frees at least as many objects of each cache as the\n"
"capture shows were free when it began (first allocations into older slabs),\n"
"in the slabs of the cpus that took them.\n"
"\n"
"Per cache and in total, real/simulated: slabs allocated from (slabs_used),\n"
"slabs allocated and freed during the trace, slabs at the start and at the\n"
"peak, slabs allocated from by two or more cpus (slabs_shared), and\n"
"allocations that came from another slab than the cpu's previous allocation of\n"
"the cache (switches: a proxy for the slow path), with the difference in\n"
"switches; per cpu switches; a one-line agreement summary.  Caches whose\n"
"objects share one slab set in the capture (merged by the kernel) are compared\n"
"as one, named 'a+b'.  When SNAPSHOT also holds an after snapshot, caches whose\n"
"num_slabs changed by another amount than new - freed are listed.\n"
"\n"
"Options:\n"
"  -t, --trace FILE        the capture (ftrace text, trace-cmd report, perf\n"
"                          script, native; .gz/.xz); a native file is read\n"
"                          in passes, never held whole\n"
"  -S, --slabinfo FILE     /proc/slabinfo before the capture, optionally followed\n"
"                          by the one after it in the same file (as\n"
"                          scripts/capture-trace.sh writes it)\n"
"  -f, --format text|csv|json  output format (default text)\n"
"      --cache A,B         print only these caches (and the total)\n"
"      --seed S            seed of the warm start (default 1)\n"
"  -d, --db FILE           also record the comparison in this database\n"
"                          (tables validation and validation_figure)\n"
"  -q, --quiet             no progress messages\n"
"  -h, --help              show this help\n"
"\n"
"Exit status: 0 success, 1 bad input or database error, 2 usage error.\n"
"\n"
"Example:\n"
"  slabsim validate --trace traces/samples/fork_exec.trace.xz \\\n"
"                   --slabinfo traces/samples/fork_exec.slabinfo.txt\n");
}

struct validate_args {
	const char *trace, *slabinfo, *db_path, *only;
	enum validation_format fmt;
	uint64_t seed;
	bool quiet;
};

static int validate_parse(int argc, char **argv, struct validate_args *a)
{
	static const struct option opts[] = {
		{ "trace", required_argument, NULL, 't' },
		{ "slabinfo", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "cache", required_argument, NULL, 1001 },
		{ "seed", required_argument, NULL, 1002 },
		{ "db", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	long v;

	memset(a, 0, sizeof(*a));
	a->seed = 1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:S:f:d:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 't': a->trace = optarg; break;
		case 'S': a->slabinfo = optarg; break;
		case 'd': a->db_path = optarg; break;
		case 'q': a->quiet = true; break;
		case 1001: a->only = optarg; break;
		case 'f':
			if (!strcmp(optarg, "text")) {
				a->fmt = VALIDATION_TEXT;
			} else if (!strcmp(optarg, "csv")) {
				a->fmt = VALIDATION_CSV;
			} else if (!strcmp(optarg, "json")) {
				a->fmt = VALIDATION_JSON;
			} else {
				cli_error("validate: --format '%s': expected text, csv or json", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 1002:
			if (cli_parse_long(optarg, 0, 0x7fffffffL, &v)) {
				cli_error("validate: --seed '%s': expected a number", optarg);
				return CLI_EXIT_USAGE;
			}
			a->seed = (uint64_t)v;
			break;
		case 'h': validate_usage(stdout); return -1;
		default:
			cli_error("validate: try 'slabsim validate --help'");
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("validate: unexpected argument '%s' (try 'slabsim validate --help')", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (!a->trace || !a->slabinfo) {
		cli_error("validate: --trace FILE and --slabinfo FILE are required (try 'slabsim validate --help')");
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* The figures as database rows; names point into v. */
static struct db_validation_row *validate_rows(const struct validation *v, size_t *n)
{
	size_t cap = (v->real.ngroups + 1) * (VALIDATION_NFIG + 2) + v->real.ncpus;
	struct db_validation_row *rows = calloc(cap, sizeof(*rows));

	*n = 0;
	if (!rows)
		return NULL;
	for (size_t i = 0; i <= v->real.ngroups; i++) {
		bool total = i == v->real.ngroups;
		const struct realslab_group *g = total ? NULL : &v->real.g[i];
		const struct slabuse_fig *r = total ? &v->real.total : &g->fig;
		const struct slabuse_fig *s = total ? &v->sim_total : &v->sim[i];

		for (unsigned k = 0; k < VALIDATION_NFIG; k++)
			rows[(*n)++] = (struct db_validation_row){ .cache = total ? NULL : g->name, .cpu = -1,
				.merged = g && g->nmembers > 1, .figure = validation_fig_name[k],
				.real_value = (int64_t)validation_fig(r, k), .sim_value = (int64_t)validation_fig(s, k) };
		if (g && g->untraced_allocs)
			rows[(*n)++] = (struct db_validation_row){ .cache = g->name, .cpu = -1, .merged = g->nmembers > 1,
				.figure = "untraced_allocs", .real_value = (int64_t)g->untraced_allocs };
		if (g && g->in_snapshot)
			rows[(*n)++] = (struct db_validation_row){ .cache = g->name, .cpu = -1, .merged = g->nmembers > 1,
				.figure = "snap_delta", .real_value = (int64_t)g->snap_after - (int64_t)g->snap_before,
				.sim_value = (int64_t)g->fig.slabs_new - (int64_t)g->fig.slabs_freed };
	}
	for (unsigned c = 0; c < v->real.ncpus; c++)
		rows[(*n)++] = (struct db_validation_row){ .cpu = (int)c, .figure = "switches",
			.real_value = (int64_t)v->real.cpu_switches[c], .sim_value = (int64_t)v->sim_cpu_switches[c] };
	return rows;
}

static int validate_record(const struct validate_args *a, struct db *db, int64_t trace_id,
			   const struct validation *v)
{
	struct db_validation dv = {
		.trace_id = trace_id, .slabinfo = a->slabinfo, .page_offset = v->real.base.page_offset,
		.base_votes = v->real.base.votes_for, .base_runner_up = v->real.base.runner_up,
		.policy = v->policy, .cpus = v->cpus, .seed = v->seed, .summary = v->summary,
	};
	size_t n;
	struct db_validation_row *rows = validate_rows(v, &n);
	char err[1024];
	int64_t id;
	int rc;

	if (!rows) {
		cli_error("validate: out of memory");
		return CLI_EXIT_FAIL;
	}
	rc = db_validation_record(db, &dv, rows, n, &id, err, sizeof(err));
	free(rows);
	if (rc) {
		cli_error("validate: %s", err);
		return CLI_EXIT_FAIL;
	}
	if (!a->quiet)
		fprintf(stderr, "slabsim: validate: recorded validation %" PRId64 " in %s\n", id, a->db_path);
	return CLI_EXIT_OK;
}

/* Warns about --cache names the trace does not have. */
static void validate_check_caches(const struct validate_args *a, const struct sim_workload *w)
{
	char *names, *save = NULL;

	if (!a->only || !(names = strdup(a->only)))
		return;
	for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save))
		if (strtab_find(&w->caches, n) == UINT32_MAX)
			cli_warn("validate: --cache %s: no such cache in %s", n, a->trace);
	free(names);
}

/*
 * The capture as passes: a native file is read again by each pass and
 * never held (one pass first gives it the counts the trace's record and
 * the progress line need); anything else is loaded whole.  0 or -1 (printed).
 */
static int validate_open(const struct validate_args *a, struct sim_workload *w, struct trace_native_passes **np,
			 struct sim_passes_mem *pm, struct sim_passes **p)
{
	char err[1024];

	*np = NULL;
	if (trace_native_path_is_native(a->trace)) {
		*np = trace_native_passes_open(a->trace, w, NULL, err, sizeof(err));
		if (!*np || sim_passes_walk(*p = trace_native_passes_get(*np), NULL, NULL, err, sizeof(err))) {
			cli_error("validate: %s", err);
			return -1;
		}
		return 0;
	}
	if (trace_load(a->trace, w, err, sizeof(err))) {
		cli_error("validate: %s", err);
		return -1;
	}
	sim_passes_mem_init(pm, w);
	*p = &pm->p;
	return 0;
}

int cmd_validate(int argc, char **argv)
{
	struct validate_args a;
	struct sim_workload w;
	struct trace_native_passes *np = NULL;
	struct sim_passes_mem pm;
	struct sim_passes *p;
	struct validation v;
	struct db *db = NULL;
	int64_t trace_id = 0;
	char err[1024];
	int rc = validate_parse(argc, argv, &a);

	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc)
		return rc;
	if (a.db_path && db_open(a.db_path, 0, &db, err, sizeof(err))) {
		cli_error("validate: %s", err);
		return CLI_EXIT_FAIL;
	}
	sim_workload_init(&w);
	if (validate_open(&a, &w, &np, &pm, &p)) {
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	/* the capture as read, before the warm-start prefix changes it */
	if (db && db_trace_id(db, &w, &trace_id, err, sizeof(err))) {
		cli_error("validate: %s", err);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	validate_check_caches(&a, &w);
	if (!a.quiet)
		fprintf(stderr, "slabsim: validate: %" PRIu64 " events %s; replaying on slub as 6.1\n",
			sim_workload_events(&w), np ? "in the native file, read in passes" : "read");
	if (validation_compute_passes(p, &w, a.slabinfo, a.seed, &v, err, sizeof(err))) {
		cli_error("validate: %s", err);
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	validation_print(stdout, &v, a.fmt, a.only);
	if (db)
		rc = validate_record(&a, db, trace_id, &v);
	validation_fini(&v);
out:
	trace_native_passes_close(np);
	sim_workload_fini(&w);
	db_close(db);
	return rc;
}
