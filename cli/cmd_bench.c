/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_bench.c - `slabsim bench`: replay speed of the full machine model
 * against a bare replay (events and the object map, nothing else) of the
 * same trace in the same process, and peak memory.  It prints figures and
 * asserts nothing.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/runopts.h"
#include "sim/replay.h"

#define BENCH_DEFAULT_TRACE "traces/samples/fork_exec.trace.xz"

static void bench_usage(FILE *f)
{
	fprintf(f,
"Usage: slabsim bench [--trace FILE] [--events N] [--policy NAME] [RUN OPTION]...\n"
"\n"
"Measures the replay loop.  The trace (default " BENCH_DEFAULT_TRACE ",\n"
"or the installed copy under " SLABSIM_DATADIR "/samples) is repeated\n"
"back to back, with disjoint objects, until it holds at least N events\n"
"(default 10000000).  Then the same process runs a bare replay (walk the events\n"
"and the object map, nothing else) and a full replay with the machine model\n"
"and the policy (default slub), and prints events per second of each, their\n"
"ratio, and peak resident memory.  Nothing is recorded in a database.\n"
"\n"
"Options:\n"
"      --events N      minimum events of the benchmark trace (default 10000000)\n"
"  -t, --trace FILE    trace to repeat\n"
"  -p, --policy NAME   policy or preset (default slub)\n"
"  plus the machine and time options of 'slabsim run' (--cpus, --set, ...)\n"
"  -h, --help          show this help\n");
}

static double bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long bench_peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int bench_one(const char *label, const struct sim_workload *w, const struct sim_run_config *cfg,
		     const struct runopts *ro, bool bare, double *rate)
{
	struct sim_replay_opts opts = { .bare = bare };
	struct sim_stats *st = NULL;
	char err[512];
	double t0 = bench_now(), dt;
	int rc = sim_replay(w, cfg, ro->pol[0].ops, &ro->pol[0].pv, &opts, &st, err, sizeof(err));

	dt = bench_now() - t0;
	if (rc) {
		cli_error("bench: %s", err);
		return -1;
	}
	*rate = (double)st->events_replayed / dt;
	printf("%-28s %12" PRIu64 " events in %8.3f s: %12.0f events/s   peak RSS %ld MiB\n",
	       label, st->events_replayed, dt, *rate, bench_peak_rss_kib() / 1024);
	sim_stats_destroy(st);
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		RUNOPTS_LONG_OPTIONS,
		{ "events", required_argument, NULL, 1001 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct runopts ro;
	struct sim_workload w;
	struct sim_run_config cfg;
	long events = 10000000;
	double bare_rate, full_rate, t0;
	unsigned k;
	int ch, rc;

	runopts_init(&ro);
	ro.trace = access(BENCH_DEFAULT_TRACE, R_OK) ? SLABSIM_DATADIR "/samples/fork_exec.trace.xz"
						    : BENCH_DEFAULT_TRACE;
	ro.policy_arg = "slub";
	optind = 1;
	while ((ch = getopt_long(argc, argv, RUNOPTS_SHORT "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			bench_usage(stdout);
			return CLI_EXIT_OK;
		}
		if (ch == 1001) {
			if (cli_parse_long(optarg, 1, 2000000000L, &events)) {
				cli_error("bench: --events '%s': expected 1 to 2000000000", optarg);
				return CLI_EXIT_USAGE;
			}
			continue;
		}
		rc = runopts_parse(&ro, ch, optarg, "bench");
		if (rc)
			return rc;
	}
	rc = runopts_finish(&ro, "bench", false);
	if (rc)
		return rc;
	t0 = bench_now();
	if (runopts_load_trace(&ro, &w, false, "bench"))
		return CLI_EXIT_FAIL;
	printf("trace %s: %zu events, loaded in %.2f s\n", ro.trace, w.nev, bench_now() - t0);
	k = (unsigned)((events + (long)w.nev - 1) / (long)w.nev);
	sim_workload_repeat(&w, k, 1000000);
	printf("repeated %u times: %zu events, %zu replayable, %u objects; %u cpus, policy %s\n\n",
	       k, w.nev, sim_workload_replayable(&w), w.nobjs, ro.mach.ncpus, ro.pol[0].ops->name);
	runopts_run_config(&ro, 0, &cfg);
	rc = CLI_EXIT_FAIL;
	if (!bench_one("bare replay", &w, &cfg, &ro, true, &bare_rate) &&
	    !bench_one("full model", &w, &cfg, &ro, false, &full_rate)) {
		printf("\nfull model / bare replay: %.3f (the model runs at %.1f%% of the bare replay's speed)\n",
		       full_rate / bare_rate, 100.0 * full_rate / bare_rate);
		printf("memory: %.1f bytes of event records per trace event\n", (double)sizeof(struct sim_event));
		rc = CLI_EXIT_OK;
	}
	sim_workload_fini(&w);
	return rc;
}
