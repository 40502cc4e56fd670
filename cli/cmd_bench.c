/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_bench.c - `slabsim bench`: in one run on one machine, the speed of
 * importing ftrace text, of a bare replay (events and the object map,
 * nothing else) and of the full machine model with each policy on the same
 * trace of at least 10 million events, the memory each replay needs per
 * live object, and the throughput of a sweep on 1 and 2 worker processes.
 * It prints figures and asserts nothing.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/runopts.h"
#include "sim/replay.h"
#include "sim/stats.h"
#include "sim/xalloc.h"
#include "traces/input.h"
#include "traces/load.h"
#include "traces/native.h"

#define BENCH_DEFAULT_TRACE "traces/samples/fork_exec.trace.xz"
#define BENCH_SWEEP_SET "min_partial=5..10"	/* six slub runs of about equal length */
#define BENCH_SWEEP_RUNS 6
#define BENCH_REPEAT_DEFAULT 3

static void bench_usage(FILE *f)
{
	fprintf(f,
"Usage: slabsim bench [--trace FILE] [--events N] [--policy LIST] [--repeat R] [--no-sweep]\n"
"                     [RUN OPTION]...\n"
"\n"
"Measures, in one process on one machine:\n"
"  import   the trace's text read and parsed (loader and pairing pass) from a\n"
"           decompressed copy, in MB of text per second;\n"
"  replay   the trace (default " BENCH_DEFAULT_TRACE ", or the installed copy\n"
"           under " SLABSIM_DATADIR "/samples) repeated back to back, with\n"
"           disjoint objects, until it holds at least N events (default\n"
"           10000000), written to a native file and streamed from it as\n"
"           'slabsim run' streams one: a bare replay (read the events and map\n"
"           each object id through the replay's object table, nothing else),\n"
"           then a full replay with the machine model for each policy of LIST\n"
"           (default 'all': every policy and preset), in events per second and\n"
"           as a ratio to the bare replay, with the memory each replay took\n"
"           above what was resident before it (peak resident set, reset before\n"
"           each replay) and that memory per object live at the replay's peak;\n"
"           then the same replays of the events read into memory beforehand\n"
"           (the model's cost with no file to read), in events per second and\n"
"           as a ratio to the bare one;\n"
"  sweep    " "%d slub runs (--set " BENCH_SWEEP_SET ") of the repeated trace, read\n"
"           from a native file, on 1 and on 2 worker processes, in runs per\n"
"           second and the speedup, with the cores the workers kept busy (their\n"
"           cpu time over the wall time of their part: fewer than the workers\n"
"           when they waited for each other or the machine was busy elsewhere)\n"
"           (skipped with --no-sweep).\n"
"Each import, replay and sweep runs R times (default %d) and the fastest is\n"
"shown, with the spread: (slowest - fastest) / fastest, what the machine's\n"
"noise did to it.  The replays of a table, and the sweeps on 1 and on 2\n"
"workers, take turns, in R rounds of one run each, so that a busy spell of\n"
"the machine falls on all of them alike.\n"
"Nothing is kept: the copies, the native file and the databases go to a\n"
"temporary directory ($TMPDIR or /tmp) that is removed at the end.\n"
"\n"
"Options:\n"
"      --events N      minimum events of the benchmark trace (default 10000000)\n"
"  -t, --trace FILE    trace to repeat\n"
"  -p, --policy LIST   policies or presets, comma-separated, or 'all' (default)\n"
"      --repeat R      times each import and replay runs, the fastest shown (1 to\n"
"                      100, default %d)\n"
"      --no-sweep      skip the sweep figures\n"
"  plus the options of 'slabsim run' that shape a replay (--cpus, --set,\n"
"  --timing, --replicate, --window, ...)\n"
"  -h, --help          show this help\n", BENCH_SWEEP_RUNS, BENCH_REPEAT_DEFAULT, BENCH_REPEAT_DEFAULT);
}

static double bench_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A "VmRSS:" or "VmHWM:" line of /proc/self/status in KiB; -1 if unreadable. */
static long bench_status_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	size_t n = strlen(field);
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && sscanf(line + n, "%ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* The process's peak resident set in KiB, over the resets of bench_reset_peak(). */
static long bench_peak_kib;

static void bench_note_peak(void)
{
	struct rusage ru;
	long hwm = bench_status_kib("VmHWM:");

	getrusage(RUSAGE_SELF, &ru);
	bench_peak_kib = SIM_MAX(bench_peak_kib, SIM_MAX(hwm, ru.ru_maxrss));
}

/* Resets the peak resident set (VmHWM) to the current one; false if the kernel refuses. */
static bool bench_reset_peak(void)
{
	FILE *f;
	bool ok;

	bench_note_peak();
	f = fopen("/proc/self/clear_refs", "w");
	if (!f)
		return false;
	ok = fputs("5", f) >= 0;
	return !fclose(f) && ok;
}

/* What one replay measured. */
struct bench_result {
	uint64_t events;	/* events replayed */
	double seconds;
	double rate;		/* events per second */
	long mem_kib;		/* peak resident set above the resident set before, -1 unknown */
	int64_t peak_live;	/* live objects at the peak (full model) */
	uint64_t read_ahead;	/* most events read ahead of their cpu at once */
	long peak_kib;		/* the process's peak resident set */
	int failed;
	double spread;		/* over the repeats: (slowest - fastest) / fastest */
};

static unsigned bench_repeat = BENCH_REPEAT_DEFAULT;

/* What a replay of bench_one_run() does. */
enum bench_kind {
	BENCH_FULL,		/* the full model, streamed */
	BENCH_BARE,		/* the bare replay, streamed */
	BENCH_FULL_WHOLE,	/* the full model on the events loaded whole beforehand (not timed) */
	BENCH_BARE_WHOLE,	/* the bare replay of them */
};

/* The replay itself, in the child process of bench_one_run(). */
static void bench_child(const char *path, const struct runopts *ro, unsigned k, enum bench_kind kind,
			struct bench_result *res)
{
	struct sim_replay_opts opts = { .bare = kind == BENCH_BARE || kind == BENCH_BARE_WHOLE };
	struct trace_native_source *ns = NULL;
	struct sim_workload w;
	struct sim_run_config cfg;
	struct sim_stats *st = NULL;
	char err[1024];
	bool peak_ok = bench_reset_peak();
	long before = bench_status_kib("VmRSS:");
	double t0;
	int rc;

	runopts_run_config(ro, k, &cfg);
	sim_workload_init(&w);
	if (kind == BENCH_FULL_WHOLE || kind == BENCH_BARE_WHOLE) {
		rc = trace_native_read(path, &w, NULL, err, sizeof(err));
		t0 = bench_now();
		if (!rc)
			rc = sim_replay(&w, &cfg, ro->pol[k].ops, &ro->pol[k].pv, &opts, &st, err, sizeof(err));
	} else {
		t0 = bench_now();
		ns = trace_native_source_open(path, &w, NULL, err, sizeof(err));
		rc = ns ? sim_replay_source(trace_native_source_get(ns), &cfg, ro->pol[k].ops, &ro->pol[k].pv,
					    &opts, &st, err, sizeof(err)) : -1;
		trace_native_source_close(ns);
	}
	sim_workload_fini(&w);
	if (rc) {
		cli_error("bench: %s: %s", cfg.policy, err);
		res->failed = 1;
		return;
	}
	res->seconds = bench_now() - t0;
	res->events = st->events_replayed;
	res->rate = (double)st->events_replayed / res->seconds;
	res->mem_kib = peak_ok && before >= 0 ? bench_status_kib("VmHWM:") - before : -1;
	res->peak_live = st->gauge[(size_t)st->ncaches * SIM_GAUGE_COUNT + SIM_GAUGE_live_objs].peak;
	res->read_ahead = st->pending_peak;
	sim_stats_destroy(st);
	bench_note_peak();
	res->peak_kib = bench_peak_kib;
}

/*
 * One replay in a child process, so that each starts from the same heap
 * and its memory is its own (a replay in the parent would reuse what the
 * previous one freed); the child sends its figures back through a pipe.
 */
static int bench_one_run(const char *label, const char *path, const struct runopts *ro, unsigned k,
			 enum bench_kind kind, struct bench_result *res)
{
	int fd[2], status;
	pid_t pid;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	fflush(NULL);
	if (pipe(fd) || (pid = fork()) < 0) {
		cli_error("bench: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		bench_child(path, ro, k, kind, res);
		_exit(write(fd[1], res, sizeof(*res)) == (ssize_t)sizeof(*res) ? 0 : 1);
	}
	close(fd[1]);
	n = read(fd[0], res, sizeof(*res));
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(*res) || res->failed || !WIFEXITED(status) || WEXITSTATUS(status)) {
		cli_error("bench: the %s replay failed", label);
		return -1;
	}
	bench_peak_kib = SIM_MAX(bench_peak_kib, res->peak_kib);
	return 0;
}

/* Replay j of a table: 0 the bare replay, 1 + k policy k (its preset's name if it has one). */
static const char *bench_label(const struct runopts *ro, unsigned j)
{
	const struct runopts_policy *p = j ? &ro->pol[j - 1] : NULL;

	return p ? (p->preset[0] ? p->preset : p->ops->name) : "bare replay";
}

/* Clears the progress line of the rounds, if one was drawn. */
static void bench_progress_done(void)
{
	if (cli_stderr_is_tty())
		fprintf(stderr, "\r%40s\r", "");
}

/*
 * Every replay of a table (the bare one first, then each policy's) once per
 * round, bench_repeat rounds: res[0] the bare replay, res[1 + k] policy k,
 * each the fastest run's figures with the spread.  Taking turns, the
 * replays all meet what the machine's load did over the whole table, where
 * repeating each replay in a row would leave one of them alone in a busy
 * minute and skew its ratio to the others.
 */
static int bench_rounds(const char *path, const struct runopts *ro, bool whole, struct bench_result *res)
{
	double *slowest = xcalloc(ro->npol + 1, sizeof(*slowest));
	struct bench_result r;
	int rc = 0;

	for (unsigned i = 0; i < bench_repeat && !rc; i++) {
		for (unsigned j = 0; j <= ro->npol; j++) {
			const char *label = bench_label(ro, j);
			enum bench_kind kind = whole ? (j ? BENCH_FULL_WHOLE : BENCH_BARE_WHOLE)
						     : (j ? BENCH_FULL : BENCH_BARE);

			if (cli_stderr_is_tty())
				fprintf(stderr, "\rround %u of %u: %-16s", i + 1, bench_repeat, label);
			if ((rc = bench_one_run(label, path, ro, j ? j - 1 : 0, kind, &r)))
				break;
			slowest[j] = SIM_MAX(slowest[j], r.seconds);
			if (!i || r.seconds < res[j].seconds)
				res[j] = r;
		}
	}
	bench_progress_done();
	for (unsigned j = 0; j <= ro->npol && !rc; j++)
		res[j].spread = res[j].seconds > 0 ? (slowest[j] - res[j].seconds) / res[j].seconds : 0;
	free(slowest);
	return rc;
}

/* The first columns of a replay's row. */
static void bench_row_start(const struct runopts *ro, unsigned j, const struct bench_result *r)
{
	printf("%-16s %12" PRIu64 " %9.3f %13.0f", bench_label(ro, j), r->events, r->seconds, r->rate);
}

/* Decompresses path into out; 0 or -1 (printed). */
static int bench_decompress(const char *path, const char *out)
{
	char err[1024], *buf = xmalloc(1 << 20);
	struct trace_input *in = trace_input_open(path, err, sizeof(err));
	FILE *f = in ? fopen(out, "w") : NULL;
	ssize_t n = 0;
	int rc = -1;

	if (!in)
		cli_error("bench: %s", err);
	else if (!f)
		cli_error("bench: %s: %s", out, strerror(errno));
	while (f && (n = trace_input_read(in, buf, 1 << 20)) > 0)
		if (fwrite(buf, 1, (size_t)n, f) != (size_t)n)
			break;
	if (f && !n && !fclose(f))
		rc = 0;
	else if (f)
		cli_error("bench: writing %s failed", out);
	if (in)
		trace_input_close(in);
	free(buf);
	return rc;
}

/* Import speed of the trace's text: loads a decompressed copy. */
static void bench_import(const struct runopts *ro, const struct sim_workload *w, const char *dir)
{
	struct trace_load_info info;
	struct sim_workload w2;
	char path[4200], err[1024];
	double t0, dt, best = 0, slowest = 0;
	size_t nev = 0;

	if (strcmp(w->format, "ftrace") && strcmp(w->format, "trace-cmd") && strcmp(w->format, "perf")) {
		printf("import   skipped: the trace is %s, not text\n", w->format);
		return;
	}
	snprintf(path, sizeof(path), "%s/trace.txt", dir);
	if (bench_decompress(ro->trace, path))
		return;
	for (unsigned i = 0; i < bench_repeat; i++) {
		sim_workload_init(&w2);
		t0 = bench_now();
		if (trace_load_ex(path, &w2, NULL, &info, err, sizeof(err))) {
			cli_error("bench: %s", err);
			sim_workload_fini(&w2);
			unlink(path);
			return;
		}
		dt = bench_now() - t0;
		nev = w2.nev;
		slowest = SIM_MAX(slowest, dt);
		best = i ? SIM_MIN(best, dt) : dt;
		sim_workload_fini(&w2);
	}
	printf("import   %.1f MB of %s text (%" PRIu64 " lines, %zu events) in %.3f s: %.1f MB/s, "
	       "%.0f events/s (fastest of %u, spread %.0f%%)\n", (double)info.text_bytes / 1e6, w->format,
	       info.lines, nev, best, (double)info.text_bytes / 1e6 / best, (double)nev / best, bench_repeat,
	       100.0 * (slowest - best) / best);
	unlink(path);
}

/* The full model of every listed policy against the bare replay, each with the events in memory. */
static int bench_replays_whole(const struct runopts *ro, const char *path)
{
	struct bench_result *res = xcalloc(ro->npol + 1, sizeof(*res));

	if (bench_rounds(path, ro, true, res)) {
		free(res);
		return -1;
	}
	printf("\n%-16s %12s %9s %13s %8s %7s\n", "in memory", "events", "seconds", "events/s", "vs bare", "spread");
	for (unsigned j = 0; j <= ro->npol; j++) {
		bench_row_start(ro, j, &res[j]);
		printf(" %8.3f %6.0f%%\n", res[j].rate / res[0].rate, 100 * res[j].spread);
	}
	printf("(the same replays of the events read into memory first, the reading not timed: the model's\n"
	       " cost with no file to read)\n");
	free(res);
	return 0;
}

/* The full model of every listed policy against the bare replay, each streamed from path. */
static int bench_replays(const struct runopts *ro, const char *path)
{
	struct bench_result *res = xcalloc(ro->npol + 1, sizeof(*res));

	if (bench_rounds(path, ro, false, res)) {
		free(res);
		return -1;
	}
	printf("\n%-16s %12s %9s %13s %8s %9s %10s %9s %10s %7s\n", "replay", "events", "seconds", "events/s",
	       "vs bare", "mem MiB", "peak live", "B/live", "read ahead", "spread");
	bench_row_start(ro, 0, &res[0]);
	printf(" %8s %9.1f %10s %9s %10s %6.0f%%\n", "1.000", res[0].mem_kib / 1024.0, "", "", "",
	       100 * res[0].spread);
	for (unsigned j = 1; j <= ro->npol; j++) {
		const struct bench_result *full = &res[j];

		bench_row_start(ro, j, full);
		printf(" %8.3f %9.1f %10" PRId64 " %9.0f %10" PRIu64 " %6.0f%%\n", full->rate / res[0].rate,
		       full->mem_kib / 1024.0, full->peak_live,
		       full->peak_live > 0 ? full->mem_kib * 1024.0 / (double)full->peak_live : 0.0,
		       full->read_ahead, 100 * full->spread);
	}
	printf("(each figure the fastest of %u runs, the replays taking turns, one run of each per round;\n"
	       " spread: (slowest - fastest) / fastest;\n"
	       " vs bare: full-model speed / bare-replay speed; each replay runs in a child process and streams\n"
	       " the native file, as 'slabsim run' does, and checks its checksum; mem: its peak resident set\n"
	       " above the resident set before the replay, all of it: the machine model, the object table,\n"
	       " the events read ahead, the read buffer, the memory time series; B/live: that memory per\n"
	       " object live at the replay's peak; read ahead: most events read from the file ahead of the\n"
	       " cpu that runs them, at once)\n", bench_repeat);
	free(res);
	return bench_replays_whole(ro, path);
}

/* Seconds of cpu time (user and system) of the children waited for so far. */
static double bench_children_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/*
 * Runs one sweep of the native trace on jobs workers into db; its wall time
 * or a negative value, and the cpu seconds its workers used in *cpu.
 */
static double bench_sweep_run(const char *trace, const struct runopts *ro, const char *db, unsigned jobs,
			      double *cpu)
{
	char njobs[16], cpus[16], set[] = BENCH_SWEEP_SET;
	char *argv[] = { "sweep", "-q", "--trace", (char *)trace, "--policy", "slub", "--set", set,
			 "--cpus", cpus, "--jobs", njobs, "--db", (char *)db, NULL };
	double t0 = bench_now(), c0 = bench_children_cpu();

	snprintf(njobs, sizeof(njobs), "%u", jobs);
	snprintf(cpus, sizeof(cpus), "%u", ro->mach.ncpus);
	fflush(NULL);
	if (cmd_sweep((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv))
		return -1;
	*cpu = bench_children_cpu() - c0;
	return bench_now() - t0;
}

/* One sweep's figures: wall seconds, those before the workers start, the workers' cpu seconds. */
struct bench_sweep_fig {
	double all, serial, cpu;
};

/*
 * The sweep on jobs workers, then again with every run recorded: that
 * second sweep only reads the trace and looks the runs up, the part that
 * does not run on the workers.  0 or -1.
 */
static int bench_sweep_once(const char *trace, const struct runopts *ro, const char *dir, unsigned jobs,
			    struct bench_sweep_fig *f)
{
	char db[4200];
	double cpu;

	snprintf(db, sizeof(db), "%s/sweep-%u.db", dir, jobs);
	f->all = bench_sweep_run(trace, ro, db, jobs, &f->cpu);
	f->serial = f->all > 0 ? bench_sweep_run(trace, ro, db, jobs, &cpu) : -1;
	unlink(db);
	return f->serial < 0 ? -1 : 0;
}

/* Seconds of the workers' part of a sweep. */
static double bench_sweep_workers_s(const struct bench_sweep_fig *f)
{
	return f->all - f->serial > 0 ? f->all - f->serial : f->all;
}

/*
 * The sweep on 1 and on 2 workers, taking turns for bench_repeat rounds as
 * the replays do; for each, the round with the fastest workers' part.
 */
static void bench_sweep(const struct runopts *ro, const char *path, const char *dir)
{
	struct bench_sweep_fig best[2];
	double rate[2] = { 0, 0 }, worst[2] = { 0, 0 };

	printf("\n");
	for (unsigned i = 0; i < bench_repeat; i++) {
		for (unsigned j = 0; j < 2; j++) {
			struct bench_sweep_fig f;
			double r;

			if (cli_stderr_is_tty())
				fprintf(stderr, "\rround %u of %u: sweep on %u worker%s ", i + 1, bench_repeat, j + 1,
					j ? "s" : "");
			if (bench_sweep_once(path, ro, dir, j + 1, &f))
				return;
			r = BENCH_SWEEP_RUNS / bench_sweep_workers_s(&f);
			worst[j] = i ? SIM_MIN(worst[j], r) : r;
			if (!i || r > rate[j]) {
				rate[j] = r;
				best[j] = f;
			}
		}
	}
	bench_progress_done();
	for (unsigned j = 0; j < 2; j++)
		printf("sweep    %d runs on %u worker%s in %.2f s (%.2f s of it reading the trace before the workers "
		       "start): %.3f runs/s, %.3f runs/s on the workers, which kept %.2f cores busy (fastest of %u, "
		       "spread %.0f%%)\n",
		       BENCH_SWEEP_RUNS, j + 1, j ? "s" : "", best[j].all, best[j].serial, BENCH_SWEEP_RUNS / best[j].all,
		       rate[j], best[j].cpu / bench_sweep_workers_s(&best[j]), bench_repeat,
		       100 * (rate[j] - worst[j]) / worst[j]);
	printf("sweep    2 workers / 1 worker: %.2f times the throughput of the workers (%ld cores online)\n",
	       rate[1] / rate[0], sysconf(_SC_NPROCESSORS_ONLN));
	printf("(cores busy: the workers' cpu time over the wall time of their part; below the number of\n"
	       " workers when they waited, or when something else on the machine had the cores)\n");
}

/*
 * Writes k copies of w's events back to back to the native file path, as
 * sim_workload_repeat() would make them, one event at a time: the
 * benchmark trace is never in memory.  w becomes the header of the copies
 * (its events stay).  0 or -1 (printed).
 */
static int bench_write_repeated(struct sim_workload *w, unsigned k, const char *path)
{
	uint64_t span = w->nev ? w->ev[w->nev - 1].t_ns + 1000000 : 0, h = SIM_DIGEST_INIT;
	uint32_t nobjs = w->nobjs;
	struct trace_native_stream *ns;
	char err[1024];

	w->nobjs = nobjs * k;
	for (int a = 0; a < SIM_AN_COUNT; a++)
		w->anomaly[a] *= k;
	ns = trace_native_stream_open(path, w, (uint64_t)w->nev * k, err, sizeof(err));
	for (unsigned c = 0; ns && c < k; c++) {
		for (size_t i = 0; i < w->nev; i++) {
			struct sim_event e = w->ev[i];

			e.t_ns += span * c;
			if (e.oid != SIM_OID_NONE)
				e.oid += nobjs * c;
			h = sim_digest_event(h, &e);
			trace_native_stream_put(ns, &e);
		}
	}
	if (!ns || trace_native_stream_close(ns, sim_digest_caches(h, w), err, sizeof(err))) {
		cli_error("bench: %s", err);
		return -1;
	}
	return 0;
}

static int bench_parse(int argc, char **argv, struct runopts *ro, long *events, bool *sweep)
{
	static const struct option opts[] = {
		RUNOPTS_LONG_OPTIONS,
		{ "events", required_argument, NULL, 1001 },
		{ "no-sweep", no_argument, NULL, 1002 },
		{ "repeat", required_argument, NULL, 1003 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, rc;

	runopts_init(ro);
	ro->trace = access(BENCH_DEFAULT_TRACE, R_OK) ? SLABSIM_DATADIR "/samples/fork_exec.trace.xz"
						     : BENCH_DEFAULT_TRACE;
	ro->policy_arg = "all";
	optind = 1;
	while ((ch = getopt_long(argc, argv, RUNOPTS_SHORT "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			bench_usage(stdout);
			return -1;
		}
		if (ch == 1001) {
			if (cli_parse_long(optarg, 1, 2000000000L, events)) {
				cli_error("bench: --events '%s': expected 1 to 2000000000", optarg);
				return CLI_EXIT_USAGE;
			}
			continue;
		}
		if (ch == 1002) {
			*sweep = false;
			continue;
		}
		if (ch == 1003) {
			long v;

			if (cli_parse_long(optarg, 1, 100, &v)) {
				cli_error("bench: --repeat '%s': expected 1 to 100", optarg);
				return CLI_EXIT_USAGE;
			}
			bench_repeat = (unsigned)v;
			continue;
		}
		rc = runopts_parse(ro, ch, optarg, "bench");
		if (rc)
			return rc;
	}
	if (optind < argc) {
		cli_error("bench: unexpected argument '%s' (try 'slabsim bench --help')", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	return runopts_finish(ro, "bench", true);
}

int cmd_bench(int argc, char **argv)
{
	struct runopts ro;
	struct sim_workload w;
	long events = 10000000;
	bool sweep = true;
	char dir[4096], path[4200];
	const char *tmp = getenv("TMPDIR");
	double t0;
	unsigned k;
	int rc = bench_parse(argc, argv, &ro, &events, &sweep);

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	snprintf(dir, sizeof(dir), "%s/slabsim-bench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		cli_error("bench: %s: %s", dir, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	t0 = bench_now();
	if (runopts_load_trace(&ro, &w, false, "bench")) {
		rmdir(dir);
		return CLI_EXIT_FAIL;
	}
	printf("trace    %s: %zu events, loaded in %.2f s\n", ro.trace, w.nev, bench_now() - t0);
	bench_import(&ro, &w, dir);
	k = (unsigned)((events + (long)w.nev - 1) / (long)w.nev);
	snprintf(path, sizeof(path), "%s/bench.slabsim", dir);
	printf("replay   the trace %u times: %zu events, %zu replayable, %u objects; %u cpus in %u node%s, "
	       "timing %s; streamed from a native file of %.0f MiB\n", k, w.nev * k,
	       sim_workload_replayable(&w) * k, w.nobjs * k, ro.mach.ncpus, ro.mach.nnodes,
	       ro.mach.nnodes > 1 ? "s" : "", ro.mach.timing == SIM_TIMING_CLOSED ? "closed" : "trace",
	       (double)w.nev * k * TRACE_NATIVE_RECORD_BYTES / (1 << 20));
	rc = bench_write_repeated(&w, k, path) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	sim_workload_fini(&w);
	if (!rc)
		rc = bench_replays(&ro, path) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	if (!rc && sweep)
		bench_sweep(&ro, path, dir);
	bench_note_peak();
	printf("\npeak resident set of the process: %ld MiB\n", bench_peak_kib / 1024);
	unlink(path);
	rmdir(dir);
	return rc;
}
