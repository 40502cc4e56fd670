/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_sweep.c - `slabsim sweep`: the cartesian product of traces,
 * policies, cpu counts and parameter values, run on worker processes, each
 * run recorded in its own transaction, configurations already recorded
 * skipped, so a killed sweep resumes where it stopped.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "cli/cli.h"
#include "cli/runopts.h"
#include "policies/registry.h"
#include "results/db.h"
#include "sim/replay.h"
#include "sim/xalloc.h"

#define SWEEP_MAX_TRACES 16
#define SWEEP_MAX_AXES 16
#define SWEEP_MAX_VALUES 256

struct sweep_axis {		/* one --set NAME=V1,V2,... */
	char name[32];
	long v[SWEEP_MAX_VALUES];
	unsigned n;
};

struct sweep_job {
	unsigned trace, policy, cpus;
	long value[SWEEP_MAX_AXES];	/* per axis; ignored where the policy lacks it */
	char digest[17];
};

struct sweep {
	struct runopts ro;			/* machine options, policies (without --set) */
	const char *trace[SWEEP_MAX_TRACES];
	unsigned ntraces;
	struct runopts_trace tr[SWEEP_MAX_TRACES];	/* loaded, or streamed by each run */
	struct sim_machine_config mach[SWEEP_MAX_TRACES];	/* with each trace's warm-up */
	unsigned cpus[SWEEP_MAX_VALUES], ncpus;
	struct sweep_axis axis[SWEEP_MAX_AXES];
	unsigned naxes;
	struct sweep_job *job;
	size_t njobs;
	unsigned jobs;
	const char *db_path;
	bool quiet;
	const char *emit;			/* --emit-jobs FILE */
	const char *shard_dir;			/* --shard-dir DIR */
	char common[8192];			/* the run options every job repeats, shell-quoted */
	size_t ncommon;
};

static void sweep_usage(FILE *f)
{
	fprintf(f,
"Usage: slabsim sweep --trace F [--trace G]... --policy P[,Q]... [--set NAME=VALUES]...\n"
"                     [--cpus N[,M]...] [--jobs N] --db FILE [RUN OPTION]...\n"
"\n"
"Runs the cartesian product of the traces, the policies (or presets, or 'all'),\n"
"the cpu counts and the values of every --set parameter, each run exactly as\n"
"'slabsim run' would, on N worker processes, and records every run in FILE in\n"
"its own transaction.  A configuration already in FILE (same config digest) is\n"
"skipped, so a sweep that was stopped (Ctrl-C, kill) finishes the rest when it\n"
"is run again.  Results do not depend on N: every run is a pure function of its\n"
"configuration.\n"
"\n"
"VALUES is a comma-separated list of numbers or ranges: A..B (step 1), A..B+S\n"
"(step S), A..B*F (each value F times the previous), e.g. size=8..128*2 is\n"
"8,16,32,64,128.  A parameter applies to the policies that have it; the others\n"
"run once per remaining combination.\n"
"\n"
"Options:\n"
"  -t, --trace F        a trace (repeatable, up to 16)\n"
"  -p, --policy LIST    policies or presets, comma-separated, or 'all'\n"
"  -s, --set NAME=VALUES  a swept parameter (repeatable)\n"
"  -c, --cpus LIST      simulated cpu counts (default 4)\n"
"  -j, --jobs N         worker processes (default: the number of cores)\n"
"  -d, --db FILE        the database (required)\n"
"  -q, --quiet          no progress\n"
"      --emit-jobs FILE write one self-contained 'slabsim run' command per job\n"
"                       not yet in --db to FILE instead of running them, each\n"
"                       writing its own shard database in --shard-dir (default\n"
"                       shards/), and FILE.sbatch, a Slurm job array running\n"
"                       them; run FILE with GNU parallel ('parallel < FILE', or\n"
"                       over ssh with --sshloginfile) or 'sbatch FILE.sbatch',\n"
"                       then 'slabsim merge DB SHARD-DIR/*.db'\n"
"      --shard-dir DIR  where the emitted jobs write their databases\n"
"  plus the machine, time and reshaping options of 'slabsim run' (--nodes,\n"
"  --timing, --replicate, --initial-state, --seed, ...), the same for every run\n"
"  -h, --help           show this help\n"
"\n"
"A native trace is streamed as by 'slabsim run': read through once before the\n"
"workers start (to check it and take its digest), then again by every run, so\n"
"no process holds its events; other traces are loaded once, before the workers.\n"
"\n"
"Progress goes to standard error: a line redrawn in place on a terminal, one\n"
"line per run otherwise.\n"
"\n"
"Example:\n"
"  slabsim sweep --trace traces/samples/fork_exec.trace.xz --policy pcarray \\\n"
"      --set size=8..128*2 --set batch=4,8,16 --cpus 4,16 --timing closed --db sweep.db\n");
}

static int sweep_parse_set(struct sweep *sw, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct sweep_axis *ax;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(ax->name) || sw->naxes == SWEEP_MAX_AXES) {
		cli_error("sweep: --set '%s': expected NAME=VALUES", arg);
		return CLI_EXIT_USAGE;
	}
	ax = &sw->axis[sw->naxes++];
	snprintf(ax->name, sizeof(ax->name), "%.*s", (int)(eq - arg), arg);
	if (cli_parse_list(eq + 1, ax->v, &ax->n, SWEEP_MAX_VALUES)) {
		cli_error("sweep: --set %s: expected numbers or ranges A..B, A..B+S, A..B*F (at most %d values)",
			  arg, SWEEP_MAX_VALUES);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* Writes text into out as one shell word: in single quotes, each ' as '\''. */
static void sweep_shell_quote(const char *text, char *out, size_t len)
{
	size_t n = 0;

	if (len < 3)
		return;
	out[n++] = '\'';
	for (const char *c = text; *c && n + 6 < len; c++) {
		if (*c == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *c;
		}
	}
	out[n++] = '\'';
	out[n] = '\0';
}

static void sweep_common_add(struct sweep *sw, const char *word)
{
	int n = snprintf(sw->common + sw->ncommon, sizeof(sw->common) - sw->ncommon, " %s", word);

	if (n > 0 && (size_t)n < sizeof(sw->common) - sw->ncommon)
		sw->ncommon += (size_t)n;
}

/* Keeps a run option (machine, time, reshaping) for the emitted job lines. */
static void sweep_keep_option(struct sweep *sw, const struct option *opts, int ch, const char *arg)
{
	for (const struct option *o = opts; o->name; o++) {
		char word[1100];

		if (o->val != ch)
			continue;
		snprintf(word, sizeof(word), "--%s", o->name);
		sweep_common_add(sw, word);
		if (o->has_arg != no_argument && arg) {
			sweep_shell_quote(arg, word, sizeof(word));
			sweep_common_add(sw, word);
		}
		return;
	}
}

static int sweep_parse(int argc, char **argv, struct sweep *sw)
{
	static const struct option opts[] = {
		RUNOPTS_LONG_OPTIONS,
		{ "jobs", required_argument, NULL, 'j' },
		{ "db", required_argument, NULL, 'd' },
		{ "emit-jobs", required_argument, NULL, 'E' },
		{ "shard-dir", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v[SWEEP_MAX_VALUES];
	unsigned n = 0;
	long jobs;
	int ch, rc;

	runopts_init(&sw->ro);
	sw->jobs = (unsigned)SIM_MAX(sysconf(_SC_NPROCESSORS_ONLN), 1L);
	optind = 1;
	while ((ch = getopt_long(argc, argv, RUNOPTS_SHORT "j:d:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (sw->ntraces == SWEEP_MAX_TRACES) {
				cli_error("sweep: at most %d traces", SWEEP_MAX_TRACES);
				return CLI_EXIT_USAGE;
			}
			sw->trace[sw->ntraces++] = optarg;
			sw->ro.trace = optarg;
			break;
		case 's':
			if ((rc = sweep_parse_set(sw, optarg)))
				return rc;
			break;
		case 'c':
			n = 0;
			if (cli_parse_list(optarg, v, &n, SWEEP_MAX_VALUES)) {
				cli_error("sweep: --cpus '%s': expected numbers or ranges", optarg);
				return CLI_EXIT_USAGE;
			}
			for (unsigned i = 0; i < n; i++) {
				if (v[i] < 1 || v[i] > SIM_MAX_CPUS) {
					cli_error("sweep: --cpus %ld: expected 1 to %d", v[i], SIM_MAX_CPUS);
					return CLI_EXIT_USAGE;
				}
				sw->cpus[sw->ncpus++] = (unsigned)v[i];
			}
			break;
		case 'j':
			if (cli_parse_long(optarg, 1, 1024, &jobs)) {
				cli_error("sweep: --jobs '%s': expected 1 to 1024", optarg);
				return CLI_EXIT_USAGE;
			}
			sw->jobs = (unsigned)jobs;
			break;
		case 'd': sw->db_path = optarg; break;
		case 'E': sw->emit = optarg; break;
		case 'D': sw->shard_dir = optarg; break;
		case 'q': sw->quiet = true; break;
		case 'h': sweep_usage(stdout); return -1;
		default:
			if ((rc = runopts_parse(&sw->ro, ch, optarg, "sweep")))
				return rc;
			if (ch != 'p')	/* each job names its own policy */
				sweep_keep_option(sw, opts, ch, optarg);
		}
	}
	if (optind < argc) {
		cli_error("sweep: unexpected argument '%s' (try 'slabsim sweep --help')", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (!sw->db_path) {
		cli_error("sweep: --db FILE is required");
		return CLI_EXIT_USAGE;
	}
	if (!sw->ncpus)
		sw->cpus[sw->ncpus++] = sw->ro.mach.ncpus;
	if (!sw->shard_dir)
		sw->shard_dir = "shards";
	rc = runopts_finish(&sw->ro, "sweep", true);
	for (unsigned i = 0; !rc && i < sw->ncpus; i++) {
		struct sim_machine_config m = sw->ro.mach;
		const char *why;

		m.ncpus = sw->cpus[i];
		if (sim_machine_config_check(&m, &why)) {
			cli_error("sweep: --cpus %u: %s", sw->cpus[i], why);
			rc = CLI_EXIT_USAGE;
		}
	}
	return rc;
}

/* Every --set axis names a parameter of at least one listed policy, and every value fits it. */
static int sweep_check_axes(const struct sweep *sw)
{
	for (unsigned a = 0; a < sw->naxes; a++) {
		bool any = false;

		for (unsigned p = 0; p < sw->ro.npol; p++) {
			const struct sim_policy_ops *ops = sw->ro.pol[p].ops;
			int i = policy_param_index(ops, sw->axis[a].name);

			if (i < 0)
				continue;
			any = true;
			for (unsigned k = 0; k < sw->axis[a].n; k++) {
				long x = sw->axis[a].v[k];

				if (x < ops->params[i].min || x > ops->params[i].max) {
					cli_error("sweep: --set %s=%ld is out of range [%ld, %ld] for %s", sw->axis[a].name,
						  x, ops->params[i].min, ops->params[i].max, ops->name);
					return CLI_EXIT_USAGE;
				}
			}
		}
		if (!any) {
			cli_error("sweep: --set %s: no listed policy has parameter '%s'", sw->axis[a].name,
				  sw->axis[a].name);
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

/* The run configuration of a job. */
static void sweep_job_config(const struct sweep *sw, const struct sweep_job *j, struct sim_run_config *cfg,
			     struct sim_param_values *pv)
{
	const struct runopts_policy *p = &sw->ro.pol[j->policy];

	runopts_run_config(&sw->ro, j->policy, cfg);
	cfg->mach = sw->mach[j->trace];
	cfg->mach.ncpus = j->cpus;
	*pv = p->pv;
	for (unsigned a = 0; a < sw->naxes; a++) {
		int i = policy_param_index(p->ops, sw->axis[a].name);

		if (i < 0)
			continue;
		pv->v[i] = j->value[a];
		pv->is_auto[i] = false;
		cfg->param_value[i] = j->value[a];
		cfg->param_auto[i] = false;
	}
}

/* Adds the jobs of one trace, policy and cpu count: every combination of the policy's axes. */
static void sweep_add_jobs(struct sweep *sw, unsigned t, unsigned p, unsigned cpus, unsigned a,
			   struct sweep_job *cur, size_t *cap)
{
	const struct sim_policy_ops *ops = sw->ro.pol[p].ops;

	if (a == sw->naxes) {
		struct sim_run_config cfg;
		struct sim_param_values pv;

		cur->trace = t;
		cur->policy = p;
		cur->cpus = cpus;
		sweep_job_config(sw, cur, &cfg, &pv);
		sim_run_config_digest(&cfg, sw->tr[t].w.digest, cur->digest);
		xgrow((void **)&sw->job, cap, sw->njobs + 1, sizeof(*sw->job));
		sw->job[sw->njobs++] = *cur;
		return;
	}
	if (policy_param_index(ops, sw->axis[a].name) < 0) {
		cur->value[a] = 0;
		sweep_add_jobs(sw, t, p, cpus, a + 1, cur, cap);
		return;
	}
	for (unsigned k = 0; k < sw->axis[a].n; k++) {
		cur->value[a] = sw->axis[a].v[k];
		sweep_add_jobs(sw, t, p, cpus, a + 1, cur, cap);
	}
}

/* Runs and records one job; 0 or -1 (error printed). */
static int sweep_run_job(struct sweep *sw, struct db *db, const struct sweep_job *j, int64_t trace_id)
{
	struct runopts_trace *t = &sw->tr[j->trace];
	struct sim_source *src = runopts_trace_source(t, "sweep");
	const struct sim_workload *w = &t->w;
	struct sim_run_config cfg;
	struct sim_param_values pv;
	struct sim_stats *st = NULL;
	struct db_run_info info;
	struct timespec t0, t1;
	char err[1024];
	int rc;

	if (!src)
		return -1;
	sweep_job_config(sw, j, &cfg, &pv);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sim_replay_source(src, &cfg, sw->ro.pol[j->policy].ops, &pv, NULL, &st, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc) {
		cli_error("sweep: %s on %s: %s", cfg.policy, w->source, err);
		return -1;
	}
	memset(&info, 0, sizeof(info));
	memcpy(info.config_digest, j->digest, sizeof(info.config_digest));
	info.rng_type = gsl_rng_mt19937->name;
	info.wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	info.started_at = time(NULL);
	rc = db_run_record(db, trace_id, &info, &cfg, st, w, NULL, err, sizeof(err));
	sim_stats_destroy(st);
	if (rc && rc != -EEXIST) {
		cli_error("sweep: %s", err);
		return -1;
	}
	return 0;
}

/* A worker: jobs k, k + n, k + 2n, ... of those not yet recorded; one line per run on out. */
static int sweep_worker(struct sweep *sw, const size_t *todo, size_t ntodo, unsigned k, unsigned n, int out)
{
	int64_t trace_id[SWEEP_MAX_TRACES];
	struct db *db;
	char err[1024];

	if (db_open(sw->db_path, 0, &db, err, sizeof(err))) {
		cli_error("sweep: %s", err);
		return CLI_EXIT_FAIL;
	}
	for (unsigned t = 0; t < sw->ntraces; t++) {
		if (db_trace_id(db, &sw->tr[t].w, &trace_id[t], err, sizeof(err))) {
			cli_error("sweep: %s", err);
			db_close(db);
			return CLI_EXIT_FAIL;
		}
	}
	for (size_t i = k; i < ntodo; i += n) {
		const struct sweep_job *j = &sw->job[todo[i]];
		char line[64];
		int len;

		if (sweep_run_job(sw, db, j, trace_id[j->trace])) {
			db_close(db);
			return CLI_EXIT_FAIL;
		}
		len = snprintf(line, sizeof(line), "%zu\n", todo[i]);
		if (write(out, line, (size_t)len) != len)
			break;
	}
	db_close(db);
	return CLI_EXIT_OK;
}

static void sweep_progress(const struct sweep *sw, size_t done, size_t total, double t0, const struct sweep_job *j)
{
	struct timespec now;
	double el, rate;

	if (sw->quiet)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (double)now.tv_sec + (double)now.tv_nsec / 1e9 - t0;
	rate = el > 0 ? (double)done / el : 0;
	if (cli_stderr_is_tty()) {
		fprintf(stderr, "\rslabsim: sweep: %zu/%zu runs, %.2f runs/s, %.0f s left   ", done, total, rate,
			rate > 0 ? (double)(total - done) / rate : 0.0);
		if (done == total)
			fputc('\n', stderr);
	} else {
		const struct runopts_policy *p = &sw->ro.pol[j->policy];

		fprintf(stderr, "slabsim: sweep: %zu/%zu %s %s cpus=%u config %s\n", done, total,
			p->preset[0] ? p->preset : p->ops->name, sw->trace[j->trace], j->cpus, j->digest);
	}
}

static volatile sig_atomic_t sweep_stop;

static void sweep_on_signal(int sig)
{
	sweep_stop = sig;
}

/* Forks the workers, follows their progress, waits for them. */
static int sweep_run(struct sweep *sw, const size_t *todo, size_t ntodo)
{
	unsigned n = (unsigned)SIM_MIN((size_t)sw->jobs, ntodo);
	pid_t *pid = xcalloc(n ? n : 1, sizeof(*pid));
	struct sigaction sa = { .sa_handler = sweep_on_signal };
	struct timespec ts;
	int fd[2], rc = CLI_EXIT_OK;
	size_t done = 0;
	double t0;
	FILE *in;
	char line[64];

	if (pipe(fd)) {
		cli_error("sweep: pipe: %s", strerror(errno));
		free(pid);
		return CLI_EXIT_FAIL;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	fflush(NULL);
	for (unsigned k = 0; k < n; k++) {
		pid[k] = fork();
		if (pid[k] == 0) {
			close(fd[0]);
			free(pid);	/* the parent's: a worker leaves no block behind */
			_exit(sweep_worker(sw, todo, ntodo, k, n, fd[1]));
		}
	}
	close(fd[1]);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	in = fdopen(fd[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		size_t j = strtoul(line, NULL, 10);

		sweep_progress(sw, ++done, ntodo, t0, &sw->job[j < sw->njobs ? j : 0]);
	}
	if (sweep_stop)
		for (unsigned k = 0; k < n; k++)
			kill(pid[k], SIGTERM);
	for (unsigned k = 0; k < n; k++) {
		int status;

		while (waitpid(pid[k], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			rc = CLI_EXIT_FAIL;
	}
	if (in)
		fclose(in);
	free(pid);
	if (sweep_stop) {
		cli_error("sweep: stopped after %zu of %zu runs; run the same command again to finish", done, ntodo);
		return 128 + (int)sweep_stop;
	}
	return rc;
}

/* One shell line per job, each writing its own shard database; and a Slurm array script. */
static int sweep_emit(const struct sweep *sw, const size_t *todo, size_t ntodo)
{
	char self[4096], q[4200], sbatch[4200];
	const char *dir = sw->shard_dir;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	FILE *f = fopen(sw->emit, "w"), *s;

	if (!f) {
		cli_error("sweep: --emit-jobs %s: %s", sw->emit, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	self[n > 0 ? n : 0] = '\0';
	if (n <= 0)
		snprintf(self, sizeof(self), "slabsim");
	for (size_t i = 0; i < ntodo; i++) {
		const struct sweep_job *j = &sw->job[todo[i]];
		const struct runopts_policy *p = &sw->ro.pol[j->policy];

		sweep_shell_quote(self, q, sizeof(q));
		fprintf(f, "%s run -q", q);
		sweep_shell_quote(sw->trace[j->trace], q, sizeof(q));
		fprintf(f, " --trace %s --policy %s --cpus %u", q, p->preset[0] ? p->preset : p->ops->name, j->cpus);
		for (unsigned a = 0; a < sw->naxes; a++)
			if (policy_param_index(p->ops, sw->axis[a].name) >= 0)
				fprintf(f, " --set %s=%ld", sw->axis[a].name, j->value[a]);
		snprintf(sbatch, sizeof(sbatch), "%s/%s.db", dir, j->digest);
		sweep_shell_quote(sbatch, q, sizeof(q));
		fprintf(f, "%s --db %s\n", sw->common, q);
	}
	if (fclose(f)) {
		cli_error("sweep: --emit-jobs %s: %s", sw->emit, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	snprintf(sbatch, sizeof(sbatch), "%s.sbatch", sw->emit);
	s = fopen(sbatch, "w");
	if (!s) {
		cli_error("sweep: %s: %s", sbatch, strerror(errno));
		return CLI_EXIT_FAIL;
	}
	sweep_shell_quote(sw->emit, q, sizeof(q));
	fprintf(s, "#!/bin/sh\n# Slurm job array: one job per line of %s.\n"
		   "#SBATCH --job-name=slabsim-sweep\n#SBATCH --array=1-%zu\n#SBATCH --cpus-per-task=1\n"
		   "sed -n \"${SLURM_ARRAY_TASK_ID}p\" %s | sh\n", sw->emit, ntodo, q);
	fclose(s);
	if (!sw->quiet)
		fprintf(stderr, "slabsim: sweep: wrote %zu jobs to %s and a Slurm array script to %s; each job "
			"writes %s/<config digest>.db (create that directory first); then: slabsim merge %s %s/*.db\n",
			ntodo, sw->emit, sbatch, dir, sw->db_path, dir);
	return CLI_EXIT_OK;
}

/* The jobs whose configuration is not in the database yet. */
static int sweep_todo(const struct sweep *sw, size_t **todo, size_t *ntodo)
{
	struct db *db;
	char err[1024];
	int rc = 0;

	*todo = xmalloc((sw->njobs ? sw->njobs : 1) * sizeof(**todo));
	*ntodo = 0;
	if (db_open(sw->db_path, 0, &db, err, sizeof(err))) {
		cli_error("sweep: %s", err);
		return -1;
	}
	/* the traces are recorded here, once, before the workers look them up */
	for (unsigned t = 0; t < sw->ntraces && !rc; t++) {
		int64_t id;

		rc = db_trace_id(db, &sw->tr[t].w, &id, err, sizeof(err));
	}
	for (size_t i = 0; i < sw->njobs && !rc; i++) {
		bool exists;

		rc = db_run_exists(db, sw->job[i].digest, &exists, err, sizeof(err));
		if (!rc && !exists)
			(*todo)[(*ntodo)++] = i;
	}
	if (rc)
		cli_error("sweep: %s", err);
	db_close(db);
	return rc ? -1 : 0;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep *sw = xcalloc(1, sizeof(*sw));
	struct sweep_job cur = { 0 };
	size_t cap = 0, *todo = NULL, ntodo = 0;
	unsigned loaded = 0;
	uint64_t warmup;
	int rc = sweep_parse(argc, argv, sw);

	if (rc < 0) {
		rc = CLI_EXIT_OK;
		goto out;
	}
	if (rc || (rc = sweep_check_axes(sw)))
		goto out;
	if (!sw->ntraces) {
		cli_error("sweep: --trace FILE is required");
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	/* each trace's warm-start prefix adds to the warm-up the user asked for */
	warmup = sw->ro.mach.warmup_events;
	for (; loaded < sw->ntraces; loaded++) {
		sw->ro.trace = sw->trace[loaded];
		sw->ro.mach.warmup_events = warmup;
		if (runopts_trace_open(&sw->ro, &sw->tr[loaded], true, sw->quiet, "sweep")) {
			rc = CLI_EXIT_FAIL;
			goto out;
		}
		sw->mach[loaded] = sw->ro.mach;
	}
	for (unsigned t = 0; t < sw->ntraces; t++)
		for (unsigned p = 0; p < sw->ro.npol; p++)
			for (unsigned c = 0; c < sw->ncpus; c++)
				sweep_add_jobs(sw, t, p, sw->cpus[c], 0, &cur, &cap);
	if (sweep_todo(sw, &todo, &ntodo)) {
		rc = CLI_EXIT_FAIL;
		goto out;
	}
	if (!sw->quiet && !sw->emit)
		fprintf(stderr, "slabsim: sweep: %zu configurations, %zu already in %s, %zu to run on %u workers\n",
			sw->njobs, sw->njobs - ntodo, sw->db_path, ntodo, (unsigned)SIM_MIN((size_t)sw->jobs, ntodo));
	if (sw->emit)
		rc = sweep_emit(sw, todo, ntodo);
	else if (ntodo)
		rc = sweep_run(sw, todo, ntodo);
out:
	for (unsigned t = 0; t < loaded; t++)
		runopts_trace_close(&sw->tr[t]);
	free(todo);
	free(sw->job);
	free(sw);
	return rc;
}
