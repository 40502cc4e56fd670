/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_run.c - `slabsim run`: one trace, one policy, one machine, one database row. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/runopts.h"
#include "cli/summary.h"
#include "policies/registry.h"
#include "results/db.h"
#include "sim/replay.h"
#include "traces/load.h"

#define DEFAULT_DB "results/slabsim.db"

static void run_usage(FILE *f)
{
	fprintf(f,
"Usage: slabsim run --trace FILE --policy NAME [OPTION]...\n"
"\n"
"Replays the allocation trace FILE against the slab-allocator policy NAME on a\n"
"simulated machine, prints a summary (operations and fast-path share, lock\n"
"acquisitions and contention per lock class, cache-line touches and transfers,\n"
"memory held, cycles per alloc and free, per cpu and per cache) and records the\n"
"run in a SQLite database, all of it or nothing.\n"
"\n"
"FILE is a kmem trace in any format 'slabsim trace import' reads: ftrace text\n"
"(/sys/kernel/tracing/trace or trace_pipe), 'trace-cmd report' text (with or\n"
"without -l), 'perf script' text, a trace-cmd trace.dat when built with\n"
"libtracecmd, or CSV; text optionally .gz or .xz compressed, '-' for standard\n"
"input; or a native trace written by 'slabsim trace import'.  NAME is a policy\n"
"or a preset ('slabsim policies' lists them).\n"
"\n"
"A native FILE is streamed: each replay reads it in blocks, reshaped and warm-\n"
"started (--initial-state) on the way, and memory follows the live objects, not\n"
"the length of the trace (a damaged or truncated file is reported when the\n"
"replay reaches the damage, and nothing is recorded; --strict reads it through\n"
"once first).  Text traces and standard input are loaded into memory whole:\n"
"import a long text trace first.\n"
"\n"
"Policy:\n"
"  -p, --policy NAME[,NAME]...  policies or presets, or 'all'; with several, the\n"
"                          trace is replayed once per policy and one table\n"
"                          compares them (a column per policy)\n"
"  -s, --set NAME=VALUE    set a policy parameter (repeatable; VALUE may be 'auto';\n"
"                          with several policies, those that have it)\n"
"Machine:\n"
"  -c, --cpus N            simulated cpus (default 4; trace cpus fold onto them)\n"
"  -n, --nodes M           NUMA nodes, cpus split evenly (default 1)\n"
"      --map fold|spread   trace cpu t runs on cpu t %% N (fold, default) or t*N/T\n"
"      --ghz G             cycles per nanosecond (default 2.5)\n"
"      --cache-kb K        private cache per cpu in KiB (default 1024)\n"
"      --cache-ways W      its associativity (default 16)\n"
"      --touch-lines L     lines of each object the workload touches (default 1)\n"
"      --cost NAME=CYCLES  override one entry of the cost table (repeatable;\n"
"                          'slabsim policies --costs' lists them)\n"
"Trace reshaping (what-if; see also 'slabsim trace reshape'):\n"
"      --replicate K       K copies of every trace cpu's stream on further cpus,\n"
"                          with disjoint objects (a 4-cpu capture as 4K cpus)\n"
"      --window S,E        only events between S and E (seconds, or with a unit\n"
"                          ns/us/ms/s; E may be empty for the end)\n"
"      --caches A,B        only these caches\n"
"      --strict            every counted trace anomaly (malformed line, unknown or\n"
"                          lost event, time going backwards, free never allocated,\n"
"                          allocation of a live pointer) is an error naming file,\n"
"                          line and field\n"
"Time:\n"
"      --timing trace|closed  honour trace timestamps (default), or issue each\n"
"                          cpu's next operation as soon as its last one ends\n"
"      --time-scale F      divide trace time by F (F=10: ten times the rate)\n"
"      --sample-ms MS      memory sampling period in simulated ms (default 10;\n"
"                          0.02 with --timing closed, whose runs last milliseconds)\n"
"      --sample-max N      most sample instants the memory series keeps (default\n"
"                          8192): on reaching N, every other one is dropped and\n"
"                          the period doubles, so that a long trace's series\n"
"                          takes 4096 to 8192 instants; 0 keeps every one\n"
"      --seed S            seed of the run's random number generator (default 1)\n"
"      --initial-state SLABINFO  start from a /proc/slabinfo snapshot: every\n"
"                          cache of the trace it lists is filled with its\n"
"                          num_objs objects (active_objs of them in use) by a\n"
"                          warm-up prefix, and frees of objects from before the\n"
"                          capture take those objects (see traces/initstate.h)\n"
"      --warmup N|T        replay the first N events (a bare number) or the first\n"
"                          T of simulated time (with a unit: 2s, 500ms) without\n"
"                          recording them: the machine keeps its state (slabs,\n"
"                          caches, live objects), every statistic restarts\n"
"Output:\n"
"  -d, --db FILE           database (default " DEFAULT_DB ")\n"
"      --no-db             do not record the run\n"
"      --replace           replace a recorded run of the same configuration\n"
"      --top N             caches listed in the summary (default 10, 0: none)\n"
"      --per-cpu           print the per-cpu table\n"
"      --verify            check invariants while replaying (slower): no object\n"
"                          handed out twice while live, policy state consistent\n"
"  -q, --quiet             no summary, no progress\n"
"  -h, --help              show this help\n"
"\n"
"Exit status: 0 success, 1 bad input or database error, 2 usage error.\n"
"\n"
"Example:\n"
"  slabsim run --trace traces/samples/fork_exec.trace.xz --policy slub --cpus 4\n"
"  slabsim run --trace t.trace.xz --policy slub-2007 --timing closed --cpus 64 --db sweep.db\n"
"  slabsim run --trace t.trace.xz --policy all --timing closed --cpus 16 --nodes 2\n");
}

struct run_args {
	struct runopts ro;
	const char *db_path;
	bool no_db, replace, verify, quiet, per_cpu;
	unsigned top;
};

static void run_progress(void *arg, uint64_t done, uint64_t total)
{
	(void)arg;
	fprintf(stderr, "\rslabsim: replaying: %" PRIu64 " / %" PRIu64 " events (%.0f%%)", done, total,
		total ? 100.0 * (double)done / (double)total : 0.0);
	fflush(stderr);
}

static int run_parse(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
		RUNOPTS_LONG_OPTIONS,
		{ "db", required_argument, NULL, 'd' },
		{ "no-db", no_argument, NULL, 1001 },
		{ "replace", no_argument, NULL, 1002 },
		{ "top", required_argument, NULL, 1003 },
		{ "per-cpu", no_argument, NULL, 1004 },
		{ "verify", no_argument, NULL, 1005 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;
	long v;

	memset(a, 0, sizeof(*a));
	a->db_path = DEFAULT_DB;
	a->top = 10;
	runopts_init(&a->ro);
	optind = 1;
	while ((ch = getopt_long(argc, argv, RUNOPTS_SHORT "d:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': a->db_path = optarg; break;
		case 1001: a->no_db = true; break;
		case 1002: a->replace = true; break;
		case 1003:
			if (cli_parse_long(optarg, 0, 100000, &v)) {
				cli_error("run: --top '%s': expected a number of caches", optarg);
				return CLI_EXIT_USAGE;
			}
			a->top = (unsigned)v;
			break;
		case 1004: a->per_cpu = true; break;
		case 1005: a->verify = true; break;
		case 'q': a->quiet = true; break;
		case 'h': run_usage(stdout); return -1;
		default:
			rc = runopts_parse(&a->ro, ch, optarg, "run");
			if (rc)
				return rc;
		}
	}
	if (optind < argc) {
		cli_error("run: unexpected argument '%s' (try 'slabsim run --help')", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	return runopts_finish(&a->ro, "run", true);
}

static int run_record(struct run_args *a, struct db *db, const struct sim_workload *w,
		      const struct sim_run_config *cfg, const struct sim_stats *st, double wall_s,
		      time_t started)
{
	struct db_run_info info;
	char err[1024];
	int64_t trace_id, run_id;
	int rc;

	memset(&info, 0, sizeof(info));
	sim_run_config_digest(cfg, w->digest, info.config_digest);
	info.rng_type = gsl_rng_mt19937->name;
	info.wall_s = wall_s;
	info.started_at = started;
	info.replace = a->replace;
	rc = db_trace_id(db, w, &trace_id, err, sizeof(err));
	if (!rc)
		rc = db_run_record(db, trace_id, &info, cfg, st, w, &run_id, err, sizeof(err));
	if (rc == -EEXIST) {
		cli_warn("run: this configuration is already recorded in %s (digest %s); not recorded "
			 "again (--replace overwrites it)", a->db_path, info.config_digest);
		return CLI_EXIT_OK;
	}
	if (rc) {
		cli_error("run: %s", err);
		return CLI_EXIT_FAIL;
	}
	if (!a->quiet)
		printf("recorded run %" PRId64 " (config %s) in %s\n", run_id, info.config_digest, a->db_path);
	return CLI_EXIT_OK;
}

/* Replays the trace with the k-th policy; prints and records it. */
static int run_one(struct run_args *a, struct db *db, struct runopts_trace *t, unsigned k,
		   struct sim_run_config *cfg, struct sim_stats **st)
{
	struct sim_replay_opts ro = { .verify = a->verify };
	struct summary_opts so = { .top = a->top, .per_cpu = a->per_cpu };
	const struct sim_workload *w = &t->w;
	struct sim_source *src = runopts_trace_source(t, "run");
	struct timespec t0, t1;
	char err[1024];
	time_t started = time(NULL);
	int rc;

	if (!src)
		return CLI_EXIT_FAIL;
	runopts_run_config(&a->ro, k, cfg);
	if (!a->quiet && cli_stderr_is_tty())
		ro.progress = run_progress;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sim_replay_source(src, cfg, a->ro.pol[k].ops, &a->ro.pol[k].pv, &ro, st, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ro.progress)
		fprintf(stderr, "\r\033[K");
	if (rc) {
		cli_error("run: %s: %s", a->ro.pol[k].preset[0] ? a->ro.pol[k].preset : cfg->policy, err);
		return CLI_EXIT_FAIL;
	}
	if (!a->quiet && a->ro.npol == 1)
		summary_print(stdout, w, cfg, *st, &so);
	rc = CLI_EXIT_OK;
	if (db)
		rc = run_record(a, db, w, cfg, *st,
				(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, started);
	if (!summary_is_consistent(*st)) {
		cli_error("run: %s: the run's books do not balance (see the consistency line)", cfg->policy);
		rc = CLI_EXIT_FAIL;
	}
	return rc;
}

static int run_replay(struct run_args *a, struct db *db)
{
	struct runopts_trace t;
	struct sim_run_config *cfg = calloc(a->ro.npol, sizeof(*cfg));
	struct sim_stats **st = calloc(a->ro.npol, sizeof(*st));
	int rc = CLI_EXIT_OK;

	if (!cfg || !st) {
		free(cfg);
		free(st);
		cli_error("run: out of memory");
		return CLI_EXIT_FAIL;
	}
	if (runopts_trace_open(&a->ro, &t, false, a->quiet, "run")) {
		free(cfg);
		free(st);
		return CLI_EXIT_FAIL;
	}
	for (unsigned k = 0; k < a->ro.npol && rc == CLI_EXIT_OK; k++)
		rc = run_one(a, db, &t, k, &cfg[k], &st[k]);
	if (rc == CLI_EXIT_OK && a->ro.npol > 1 && !a->quiet)
		summary_compare(stdout, &t.w, cfg, (const struct sim_stats *const *)st, a->ro.npol);
	for (unsigned k = 0; k < a->ro.npol; k++)
		sim_stats_destroy(st[k]);
	free(cfg);
	free(st);
	runopts_trace_close(&t);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct db *db = NULL;
	char err[1024];
	int rc = run_parse(argc, argv, &a);

	if (rc < 0)
		return CLI_EXIT_OK;
	if (rc)
		return rc;
	if (!a.no_db) {
		/* open first: an unwritable database fails before a long replay */
		if (db_open(a.db_path, strcmp(a.db_path, DEFAULT_DB) ? 0 : DB_OPEN_MKDIR, &db, err, sizeof(err))) {
			cli_error("run: %s", err);
			return CLI_EXIT_FAIL;
		}
	}
	rc = run_replay(&a, db);
	db_close(db);
	return rc;
}
