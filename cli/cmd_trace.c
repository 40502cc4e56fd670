/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_trace.c - "slabsim trace": import a kernel kmem trace into the
 * native format, analyse a trace (the report itself is cli/trace_report.c),
 * and generate synthetic traces (the generators are traces/gen.c).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/trace_report.h"
#include "sim/xalloc.h"
#include "traces/gen.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/tstats.h"

#define TRACE_TOP_DEFAULT 20

static const char trace_help[] =
	"Usage: slabsim trace import IN -o OUT [--quiet] [--strict]\n"
	"       slabsim trace stats FILE [--format text|csv|json] [--top N | --all]\n"
	"                                [--sort KEYS] [--nodes M] [--interval T] [--table LIST]\n"
	"                                [--strict]\n"
	"       slabsim trace gen KIND -o OUT [--seed S] [--cpus N] [--objects N] [NAME=VALUE]...\n"
	"       slabsim trace reshape IN -o OUT [--replicate K] [--cpus N] [--window S,E] [--caches A,B]\n"
	"\n"
	"Read kernel allocation traces: convert them to slabsim's native format,\n"
	"describe what they contain; and write synthetic ones.\n"
	"\n"
	"A trace is the text of the kmem tracepoints (kmem_cache_alloc, kmalloc,\n"
	"kmem_cache_free, kfree, mm_page_alloc, mm_page_free and their older\n"
	"variants) as /sys/kernel/tracing/trace or trace_pipe print it, as\n"
	"'trace-cmd report' (with or without -l) prints it, or as 'perf script'\n"
	"prints it, from any kernel since 2.6.32; or a native file written by\n"
	"'slabsim trace import' or 'slabsim trace gen'.  Files may be gzip- or\n"
	"xz-compressed (recognised by content, not by name); '-' reads standard\n"
	"input.\n"
	"\n"
	"Subcommands:\n"
	"  import   parse a trace once and write it in the native format, which\n"
	"           'slabsim run' reads many times faster\n"
	"  stats    per cache and call site, ping-pong, CPU matrix, cross-node\n"
	"           allocations, lifetimes, live objects over time, anomalies\n"
	"  gen      synthetic traces from GSL distributions, deterministic by seed\n"
	"  reshape  what-if copies: a window, some caches, scaled time, more cpus\n"
	"\n"
	"Run 'slabsim trace SUBCOMMAND --help' for their options.\n";

static const char import_help[] =
	"Usage: slabsim trace import IN -o OUT [--quiet] [--strict]\n"
	"\n"
	"Parse the kmem trace IN, pair every free with its allocation, name the\n"
	"caches, and write the result to OUT in slabsim's native format.  IN is\n"
	"ftrace text, 'trace-cmd report' text (with or without -l), 'perf script'\n"
	"text, CSV (columns in traces/README-formats.md), optionally .gz or .xz\n"
	"compressed, or '-' for standard input; or a trace-cmd trace.dat when\n"
	"slabsim was built with libtracecmd.  The format is recognised from the\n"
	"content.  OUT is written through a temporary file and renamed, so it is\n"
	"never left half written.\n"
	"\n"
	"The import streams: events are paired as they are read and wait in\n"
	"a temporary file in OUT's folder (48 bytes per event, removed\n"
	"whatever happens) until the cache names are known, so memory grows\n"
	"with the objects live at once, not with the length of the trace.\n"
	"\n"
	"Malformed lines, frees of objects allocated before tracing started,\n"
	"kfree(NULL), lost events and other anomalies are counted and reported,\n"
	"never fatal (--strict makes each an error).  A one-line summary is\n"
	"printed: events, caches, anomalies,\n"
	"and the import speed in MB/s of trace text.\n"
	"\n"
	"Options:\n"
	"  -o, --output OUT   the native file to write (required)\n"
	"  -q, --quiet        no progress display on a terminal\n"
	"      --strict       every counted anomaly is an error naming file, line\n"
	"                     and field\n"
	"  -h, --help         show this help\n"
	"\n"
	"Examples:\n"
	"  slabsim trace import traces/samples/fork_exec.trace.xz -o fork_exec.slabsimt\n"
	"  ssh host cat /sys/kernel/tracing/trace | slabsim trace import - -o host.slabsimt\n";

static const char stats_help[] =
	"Usage: slabsim trace stats FILE [--format text|csv|json] [--top N | --all]\n"
	"                                [--sort KEYS] [--nodes M] [--interval T] [--table LIST]\n"
	"                                [--strict]\n"
	"\n"
	"Analyse the trace FILE (any format 'slabsim trace import' reads, or a\n"
	"native file): what a replay will ask of an allocator, before replaying it.\n"
	"A native FILE is read in passes and never held whole: memory follows the\n"
	"live objects, not the trace's length; other formats are loaded into memory\n"
	"first.\n"
	"\n"
	"Sections (--table selects some):\n"
	"  summary    source, format, generator or kernel, duration, CPUs, events\n"
	"  types      events per type\n"
	"  cpus       per CPU: events, allocations, frees, allocations per second\n"
	"             over the trace's duration, allocations in softirq and hardirq\n"
	"  caches     per cache: allocations (perf kmem's hit), frees, requested and\n"
	"             allocated bytes, their means per object, internal fragmentation\n"
	"             1 - bytes_req/bytes_alloc, objects still live at the end, and\n"
	"             ping-pong: matched frees executed on another CPU than the\n"
	"             allocation\n"
	"  sites      the same per call site; frees counts the frees executed at the\n"
	"             site, live and ping-pong follow the objects the site allocated\n"
	"  cross      ping-pong for kmem_cache, kmalloc and page pairs\n"
	"  matrix     matched slab pairs by allocating CPU x freeing CPU\n"
	"  nodes      cross-node allocations: ALLOCs whose node= names another node\n"
	"             than the allocating CPU's.  perf kmem prints these as \"Cross\n"
	"             CPU allocations\"; here they are apart from ping-pong, and frees\n"
	"             on a CPU of another node are counted too\n"
	"  lifetime   ALLOC-to-FREE lifetimes of the freed objects (objects live at\n"
	"             the end are censored): p50, p90, p99, mean and max in trace time\n"
	"             and in slab events (ALLOCs and FREEs of the whole trace from the\n"
	"             ALLOC to the FREE), from GSL histograms with 20 log-spaced bins\n"
	"             per decade (quantiles interpolated within a bin)\n"
	"  live       objects allocated in the trace and live, and their bytes, at the\n"
	"             end of every --interval of trace time; allocs and frees per step\n"
	"  anomalies  what the readers and the pairing pass counted as wrong\n"
	"Text condenses the long sections (at most 20 steps of the live series,\n"
	"the lifetime histogram by decade, the matrix up to 16 CPUs, beyond that\n"
	"by node with --nodes); CSV and JSON carry every value.\n"
	"\n"
	"Options:\n"
	"  -f, --format F     text (default), csv or json.  CSV: one table per\n"
	"                     section, every row starting with the table's name,\n"
	"                     each table with a header row, tables separated by an\n"
	"                     empty line; fractions are in [0, 1].  JSON: one object\n"
	"                     with a member per section\n"
	"  -n, --top N        list the first N caches and call sites (default 20)\n"
	"  -a, --all          list every cache and call site\n"
	"  -s, --sort KEYS    order of the cache and call-site tables, as perf kmem:\n"
	"                     a comma-separated list of bytes (bytes allocated),\n"
	"                     hit (allocations), pingpong (frees on another CPU),\n"
	"                     frag (internal fragmentation), callsite (by name);\n"
	"                     earlier keys decide first (default: hit)\n"
	"      --nodes M      split the trace's CPUs into M equal consecutive blocks,\n"
	"                     one per NUMA node (cpu c on node c*M/CPUs), for the\n"
	"                     cross-node figures (default 1, at most the CPUs)\n"
	"      --interval T   step of the live series in trace time: a number with\n"
	"                     ns, us, ms or s (default 100ms; a bare number is ms)\n"
	"  -t, --table LIST   only these sections (comma-separated names above)\n"
	"      --strict       every counted anomaly (malformed line, unknown or lost\n"
	"                     event, time going backwards, free never allocated,\n"
	"                     allocation of a live pointer) is an error naming file,\n"
	"                     line and field\n"
	"  -h, --help         show this help\n"
	"\n"
	"Examples:\n"
	"  slabsim trace stats traces/samples/fork_exec.trace.xz --top 5\n"
	"  slabsim trace stats fork_exec.slabsimt --sort pingpong,hit --table caches,sites\n"
	"  slabsim trace stats napi.slabsimt --nodes 2 --table matrix,nodes\n"
	"  slabsim trace stats fork_exec.slabsimt --format csv --table live --interval 10ms\n"
	"  slabsim trace stats fork_exec.slabsimt --format json --all > fork_exec.json\n";

/* ---- helpers ----------------------------------------------------------------- */

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- options ---------------------------------------------------------------- */

/* getopt_long with GNU reinitialisation; reports unknown options itself. */
static int trace_getopt(int argc, char **argv, const char *ctx, const char *shortopts,
			const struct option *longopts)
{
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);

	if (c == '?') {
		if (optopt)
			cli_error("%s: unknown option '-%c' (try --help)", ctx, optopt);
		else
			cli_error("%s: unknown option '%s' (try --help)", ctx, argv[optind - 1]);
	} else if (c == ':') {
		cli_error("%s: option '%s' needs a value", ctx, argv[optind - 1]);
		c = '?';
	}
	return c;
}

static int trace_one_operand(int argc, char **argv, const char *ctx, const char *what, const char **out)
{
	if (optind >= argc) {
		cli_error("%s: missing %s (try --help)", ctx, what);
		return CLI_EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		cli_error("%s: unexpected argument '%s' (one %s only)", ctx, argv[optind + 1], what);
		return CLI_EXIT_USAGE;
	}
	*out = argv[optind];
	return CLI_EXIT_OK;
}

/* ---- progress ----------------------------------------------------------------- */

struct trace_progress {
	const char *ctx;
	const char *path;
	bool shown;
};

static void trace_progress_show(void *arg, uint64_t done, uint64_t total)
{
	struct trace_progress *p = arg;

	if (total)
		fprintf(stderr, "\rslabsim: %s: reading %s: %3.0f%% of %s", p->ctx, p->path,
			100.0 * (double)done / (double)total, trace_fmt_mb(total).s);
	else
		fprintf(stderr, "\rslabsim: %s: reading %s: %s", p->ctx, p->path, trace_fmt_mb(done).s);
	fflush(stderr);
	p->shown = true;
}

static void trace_progress_clear(struct trace_progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
}

/*
 * Loads path, or imports it to the native file out when out is not NULL,
 * with progress on a terminal unless quiet; prints the error.
 */
static int trace_load_cli(const char *ctx, const char *path, const char *out, struct sim_workload *w,
			  struct trace_load_info *info, bool quiet, bool strict)
{
	struct trace_progress p = { .ctx = ctx, .path = path };
	struct trace_load_opts opts = { .strict = strict };
	char err[1024];
	int ret;

	if (!quiet && cli_stderr_is_tty()) {
		opts.progress = trace_progress_show;
		opts.progress_arg = &p;
	}
	if (out)
		ret = trace_import(path, out, w, &opts, info, err, sizeof(err));
	else
		ret = trace_load_ex(path, w, &opts, info, err, sizeof(err));
	trace_progress_clear(&p);
	if (ret)
		cli_error("%s: %s", ctx, err);
	return ret;
}

/* ---- import ------------------------------------------------------------------- */

static void import_anomalies(FILE *f, const struct sim_workload *w)
{
	bool any = false;

	fputs("; anomalies:", f);
	for (int i = 0; i < SIM_AN_COUNT; i++) {
		if (!w->anomaly[i])
			continue;
		fprintf(f, "%s %s %s", any ? "," : "", sim_anomaly_name[i], trace_fmt_count(w->anomaly[i]).s);
		any = true;
	}
	if (!any)
		fputs(" none", f);
}

static void import_summary(const struct sim_workload *w, const struct trace_load_info *info,
			   double secs, const char *out)
{
	double mbs = secs > 0 ? (double)info->text_bytes / 1e6 / secs : 0;

	printf("%s: %s events, %s objects, %zu caches, %u CPUs", w->source, trace_fmt_count(info->events).s,
	       trace_fmt_count(w->nobjs).s, strtab_count(&w->caches) - 1, w->ncpus);
	import_anomalies(stdout, w);
	printf("; read %s of %s in %.2f s (%.0f MB/s); wrote %s\n", trace_fmt_mb(info->text_bytes).s,
	       w->format, secs, mbs, out);
}

/* Returns 0 to go on, -1 after --help, or an exit status. */
static int import_parse(int argc, char **argv, const char *ctx, const char **in, const char **out,
			bool *quiet, bool *strict)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "strict", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = trace_getopt(argc, argv, ctx, ":o:qSh", longopts)) != -1) {
		switch (c) {
		case 'o':
			*out = optarg;
			break;
		case 'S':
			*strict = true;
			break;
		case 'q':
			*quiet = true;
			break;
		case 'h':
			fputs(import_help, stdout);
			return -1;
		default:
			return CLI_EXIT_USAGE;
		}
	}
	ret = trace_one_operand(argc, argv, ctx, "input trace", in);
	if (!ret && !*out) {
		cli_error("%s: missing -o OUT, the native file to write (try --help)", ctx);
		ret = CLI_EXIT_USAGE;
	}
	return ret;
}

static int cmd_trace_import(int argc, char **argv)
{
	const char *ctx = "trace import", *in = NULL, *out = NULL;
	struct trace_load_info info;
	struct sim_workload w;
	bool quiet = false, strict = false;
	int ret = import_parse(argc, argv, ctx, &in, &out, &quiet, &strict);

	if (ret)
		return ret < 0 ? CLI_EXIT_OK : ret;
	sim_workload_init(&w);
	double t0 = now_seconds();

	ret = trace_load_cli(ctx, in, out, &w, &info, quiet, strict);
	double secs = now_seconds() - t0;

	if (!ret)
		import_summary(&w, &info, secs, out);
	sim_workload_fini(&w);
	return ret ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---- stats -------------------------------------------------------------------- */

#define STATS_OPT_NODES 1000
#define STATS_OPT_INTERVAL 1001
#define STATS_OPT_STRICT 1002
#define STATS_INTERVAL_MAX_NS 1000000000000000ull	/* 1e6 s */

struct stats_args {
	const char *path;
	struct trace_report_opts ro;
	struct trace_stats_opts so;
	bool strict;
};

/* "100ms", "2.5s", "500us", "1000ns"; a bare number is ms.  0 or -EINVAL. */
static int stats_parse_interval(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "", 1e6 }, { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 } };
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !(v > 0))
		return -EINVAL;
	for (size_t i = 0; i < SIM_ARRAY_SIZE(units); i++) {
		double t = v * units[i].ns;

		if (strcmp(end, units[i].unit))
			continue;
		if (t < 1 || t > (double)STATS_INTERVAL_MAX_NS)
			return -EINVAL;
		*ns = (uint64_t)llround(t);
		return 0;
	}
	return -EINVAL;
}

static int stats_parse_format(const char *ctx, const char *s, enum trace_report_format *f)
{
	static const char *const names[] = { "text", "csv", "json" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*f = (enum trace_report_format)i;
			return 0;
		}
	cli_error("%s: --format: expected text, csv or json, got '%s'", ctx, s);
	return CLI_EXIT_USAGE;
}

/* One option of stats_parse; returns 0 or an exit status. */
static int stats_option(const char *ctx, int c, struct stats_args *a)
{
	char bad[64];
	long v;

	switch (c) {
	case 'f':
		return stats_parse_format(ctx, optarg, &a->ro.format);
	case 'n':
		if (!cli_parse_long(optarg, 1, 1000000, &v)) {
			a->ro.top = (size_t)v;
			return 0;
		}
		cli_error("%s: --top: expected a number from 1 to 1000000, got '%s'", ctx, optarg);
		return CLI_EXIT_USAGE;
	case 'a':
		a->ro.top = SIZE_MAX;
		return 0;
	case 's':
		if (!trace_stats_sort_parse(optarg, &a->ro.sort, bad, sizeof(bad)))
			return 0;
		cli_error("%s: --sort: unknown key '%s' in '%s' (keys: bytes, hit, pingpong, frag, callsite)",
			  ctx, bad, optarg);
		return CLI_EXIT_USAGE;
	case 't':
		if (!trace_report_sections_parse(optarg, &a->ro.sections, bad, sizeof(bad)))
			return 0;
		cli_error("%s: --table: unknown section '%s' in '%s' (try --help)", ctx, bad, optarg);
		return CLI_EXIT_USAGE;
	case STATS_OPT_NODES:
		if (!cli_parse_long(optarg, 1, SIM_MAX_NODES, &v)) {
			a->so.nodes = (unsigned)v;
			return 0;
		}
		cli_error("%s: --nodes: expected a number from 1 to %d, got '%s'", ctx, SIM_MAX_NODES, optarg);
		return CLI_EXIT_USAGE;
	case STATS_OPT_INTERVAL:
		if (!stats_parse_interval(optarg, &a->so.interval_ns))
			return 0;
		cli_error("%s: --interval: expected a time from 1ns to 1000000s such as 100ms, 2s or 500us, got '%s'",
			  ctx, optarg);
		return CLI_EXIT_USAGE;
	case STATS_OPT_STRICT:
		a->strict = true;
		return 0;
	case 'h':
		fputs(stats_help, stdout);
		return -1;
	default:
		return CLI_EXIT_USAGE;
	}
}

/* Returns 0 to go on, -1 after --help, or an exit status. */
static int stats_parse(int argc, char **argv, const char *ctx, struct stats_args *a)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "top", required_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "sort", required_argument, NULL, 's' },
		{ "table", required_argument, NULL, 't' },
		{ "nodes", required_argument, NULL, STATS_OPT_NODES },
		{ "interval", required_argument, NULL, STATS_OPT_INTERVAL },
		{ "strict", no_argument, NULL, STATS_OPT_STRICT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	memset(a, 0, sizeof(*a));
	a->ro.top = TRACE_TOP_DEFAULT;
	a->ro.sort = (struct trace_stats_sort){ .key = { TRACE_SORT_HIT }, .n = 1 };
	a->ro.sections = TRACE_REPORT_ALL_SECTIONS;
	trace_stats_opts_default(&a->so);
	optind = 0;
	opterr = 0;
	while ((c = trace_getopt(argc, argv, ctx, ":f:n:as:t:h", longopts)) != -1)
		if ((ret = stats_option(ctx, c, a)))
			return ret;
	return trace_one_operand(argc, argv, ctx, "trace file", &a->path);
}

/*
 * Computes the statistics over passes; prints what is wrong with the
 * options for this trace, or why a pass could not read it.
 */
static int stats_compute(const char *ctx, struct sim_passes *p, const struct stats_args *a,
			 struct trace_stats *s)
{
	char err[1024];
	int ret;

	memset(s, 0, sizeof(*s));	/* finalizable on every path */
	if (a->so.nodes > p->w->ncpus) {
		cli_error("%s: --nodes %u: the trace has only %u CPUs (every node needs one)", ctx, a->so.nodes,
			  p->w->ncpus);
		return CLI_EXIT_USAGE;
	}
	ret = trace_stats_compute_passes(p, &a->so, s, err, sizeof(err));
	if (ret == -E2BIG) {
		cli_error("%s: --interval %s ns makes more than %u steps over the trace's %.3f s; choose a longer one",
			  ctx, trace_fmt_count(a->so.interval_ns).s, TRACE_STATS_MAX_SAMPLES,
			  (double)s->duration_ns / 1e9);
		return CLI_EXIT_USAGE;
	}
	if (ret && err[0])
		cli_error("%s: %s", ctx, err);
	return ret ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static void stats_print(struct sim_passes *p, const struct trace_load_info *info, const struct stats_args *a,
			const struct trace_stats *s)
{
	struct trace_report r = { .w = p->w, .info = info, .s = s, .o = &a->ro };

	trace_report_print(stdout, &r);
}

/*
 * A native file is read pass by pass, never held: memory follows the live
 * objects (--strict reads it through once more first).  Anything else
 * (text, trace.dat, standard input) is loaded whole first.
 */
static int stats_native(const char *ctx, const struct stats_args *a, struct trace_stats *s)
{
	struct trace_load_info info = { 0 };
	struct trace_native_info ni;
	struct trace_native_passes *np;
	struct sim_workload w;
	char err[1024];
	int ret;

	sim_workload_init(&w);
	np = trace_native_passes_open(a->path, &w, &ni, err, sizeof(err));
	if (!np) {
		cli_error("%s: %s", ctx, err);
		sim_workload_fini(&w);
		return CLI_EXIT_FAIL;
	}
	trace_load_info_native(&info, &ni);
	ret = stats_compute(ctx, trace_native_passes_get(np), a, s);
	if (!ret) {
		info.events = s->events;
		stats_print(trace_native_passes_get(np), &info, a, s);
	}
	trace_native_passes_close(np);
	sim_workload_fini(&w);
	return ret;
}

static int trace_stats_cmd(int argc, char **argv)
{
	const char *ctx = "trace stats";
	struct trace_load_info info;
	struct sim_passes_mem pm;
	struct sim_workload w;
	struct trace_stats s;
	struct stats_args a;
	int ret = stats_parse(argc, argv, ctx, &a);

	if (ret)
		return ret < 0 ? CLI_EXIT_OK : ret;
	memset(&s, 0, sizeof(s));
	if (trace_native_path_is_native(a.path)) {
		char err[1024];

		if (a.strict && trace_native_strict_check(a.path, err, sizeof(err))) {
			cli_error("%s: %s", ctx, err);
			return CLI_EXIT_FAIL;
		}
		ret = stats_native(ctx, &a, &s);
		trace_stats_fini(&s);
		return ret;
	}
	sim_workload_init(&w);
	if (trace_load_cli(ctx, a.path, NULL, &w, &info, false, a.strict)) {
		sim_workload_fini(&w);
		return CLI_EXIT_FAIL;
	}
	sim_passes_mem_init(&pm, &w);
	ret = stats_compute(ctx, &pm.p, &a, &s);
	if (!ret)
		stats_print(&pm.p, &info, &a, &s);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
	return ret;
}

/* ---- gen ---------------------------------------------------------------------- */

static const char gen_help_head[] =
	"Usage: slabsim trace gen KIND -o OUT [--seed S] [--cpus N] [--objects N]\n"
	"                         [NAME=VALUE]... [--quiet]\n"
	"       slabsim trace gen [KIND] --help\n"
	"\n"
	"Write a synthetic allocation trace of the generator KIND to OUT, in\n"
	"slabsim's native format, for 'slabsim run', 'slabsim sweep' and\n"
	"'slabsim trace stats'.\n"
	"\n"
	"Objects are drawn from GSL distributions by one random number generator\n"
	"(gsl_rng_mt19937) seeded with --seed: the same KIND, parameters and seed\n"
	"give a byte-identical file; another seed gives another trace with the\n"
	"same statistics.  Every object is allocated once and freed once, its\n"
	"ALLOC before its FREE; events are in time order (ties in the order they\n"
	"were drawn), so every CPU's timestamps are non-decreasing; time starts at\n"
	"0; no NUMA node is requested (node=-1).  The trace header records the\n"
	"generator and every parameter: format \"gen\" and a source text\n"
	"\"gen KIND name=value ...\" that 'slabsim trace stats' shows, and from\n"
	"which the same trace can be generated again.\n"
	"\n"
	"Parameters are set as NAME=VALUE operands, in any order; --seed, --cpus\n"
	"and --objects are the same as seed=, cpus= and objects=.\n"
	"\n"
	"Options:\n"
	"  -o, --output OUT   the native file to write (required); written through a\n"
	"                     temporary file and renamed, never left half written\n"
	"  -s, --seed S       seed=S\n"
	"  -c, --cpus N       cpus=N\n"
	"  -n, --objects N    objects=N\n"
	"  -q, --quiet        no summary line\n"
	"  -h, --help         this help; after KIND, only that generator's part\n";

static const char gen_help_tail[] =
	"\n"
	"Examples:\n"
	"  slabsim trace gen steady -o steady.slabsimt\n"
	"  slabsim trace gen steady lifetime=exponential mean_us=20 remote=0.1 --seed 7 -o s7.slabsimt\n"
	"  slabsim trace gen burst cpus=8 rx_cpus=2 batch=32 -o napi.slabsimt\n"
	"  slabsim trace gen prodcons remote=0.25 objects=1000000 -o pc.slabsimt\n"
	"  slabsim trace gen forkexec caches=12 zipf_s=1.3 -o fe.slabsimt\n"
	"  slabsim trace gen objpool cpus=16 remote=0.02 -o pool.slabsimt\n"
	"  slabsim trace stats napi.slabsimt --table summary,cpus,matrix\n"
	"  slabsim run --trace napi.slabsimt --policy slub-2007,slub-classic\n";

#define GEN_HELP_COL 27	/* where meanings start */
#define GEN_HELP_WIDTH 79

/* Writes text from column GEN_HELP_COL, wrapped between words; starts on the current line. */
static void gen_help_wrap(FILE *f, const char *text)
{
	int col = GEN_HELP_COL;

	while (*text) {
		/* a bracketed range stays on one line */
		size_t len = *text == '[' && strchr(text, ']') ? strcspn(text, "]") + 1 : strcspn(text, " ");

		if (col > GEN_HELP_COL && col + 1 + (int)len > GEN_HELP_WIDTH) {
			fprintf(f, "\n%*s", GEN_HELP_COL, "");
			col = GEN_HELP_COL;
		}
		if (col > GEN_HELP_COL) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)len, text);
		col += (int)len;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static void gen_help_param(FILE *f, const struct trace_gen_config *c, unsigned i)
{
	const struct trace_gen_param *p = trace_gen_config_param(c, i);
	char v[64], def[96], more[256];

	trace_gen_config_value_text(c, i, v, sizeof(v));
	snprintf(def, sizeof(def), "%s=%s", p->name, v);
	if (strlen(def) > GEN_HELP_COL - 6)
		fprintf(f, "    %s\n%*s", def, GEN_HELP_COL, "");
	else
		fprintf(f, "    %-*s ", GEN_HELP_COL - 5, def);
	more[0] = '\0';
	if (p->type == TRACE_GEN_CHOICE) {
		size_t o = 0;

		for (unsigned k = 0; p->choices[k] && o < sizeof(more); k++)
			o += (size_t)snprintf(more + o, sizeof(more) - o, "%s%s", k ? " | " : " [", p->choices[k]);
		snprintf(more + o, sizeof(more) - o, "]");
	} else if (p->type == TRACE_GEN_INT) {
		snprintf(more, sizeof(more), " [%.0f .. %.0f%s%s]", p->min, p->max, p->unit[0] ? " " : "", p->unit);
	} else if (p->type == TRACE_GEN_REAL) {
		snprintf(more, sizeof(more), " [%g .. %g%s%s]", p->min, p->max, p->unit[0] ? " " : "", p->unit);
	}
	char line[512];

	snprintf(line, sizeof(line), "%s%s", p->meaning, more);
	gen_help_wrap(f, line);
}

static void gen_help_kind(FILE *f, const struct trace_gen_kind *k)
{
	struct trace_gen_config c;
	const char *d = k->description;

	trace_gen_config_init(&c, k);
	fprintf(f, "\n  %s - %s\n", k->name, k->summary);
	while (*d) {
		size_t len = strcspn(d, "\n");

		fprintf(f, "      %.*s\n", (int)len, d);
		d += len + (d[len] == '\n');
	}
	fputc('\n', f);
	for (unsigned i = trace_gen_ncommon_params; i < trace_gen_config_nparams(&c); i++)
		gen_help_param(f, &c, i);
}

/* Prints the generator help, of one kind or of all. */
static void gen_help(FILE *f, const struct trace_gen_kind *only)
{
	struct trace_gen_config c;

	fputs(gen_help_head, f);
	trace_gen_config_init(&c, trace_gen_kinds[0]);
	fprintf(f, "\nParameters of every generator (NAME=DEFAULT, meaning, unit and range):\n");
	for (unsigned i = 0; i < trace_gen_ncommon_params; i++)
		gen_help_param(f, &c, i);
	fprintf(f, "\nGenerators (KIND) and their parameters:\n");
	for (const struct trace_gen_kind *const *k = trace_gen_kinds; *k; k++)
		if (!only || only == *k)
			gen_help_kind(f, *k);
	fputs(gen_help_tail, f);
}

struct gen_args {
	const char *out;
	const char *common[3];		/* --seed, --cpus, --objects */
	bool quiet, help;
};

static int gen_option(int c, struct gen_args *a)
{
	switch (c) {
	case 'o':
		a->out = optarg;
		return 0;
	case 's':
		a->common[0] = optarg;
		return 0;
	case 'c':
		a->common[1] = optarg;
		return 0;
	case 'n':
		a->common[2] = optarg;
		return 0;
	case 'q':
		a->quiet = true;
		return 0;
	case 'h':
		a->help = true;
		return 0;
	default:
		return CLI_EXIT_USAGE;
	}
}

/* Applies the operands after KIND and the common options to c. */
static int gen_apply(const char *ctx, int argc, char **argv, const struct gen_args *a,
		     struct trace_gen_config *c)
{
	static const char *const common[3] = { "seed", "cpus", "objects" };
	char err[256];

	for (int i = optind + 1; i < argc; i++)
		if (trace_gen_config_set_arg(c, argv[i], err, sizeof(err))) {
			cli_error("%s %s: %s (try 'slabsim trace gen %s --help')", ctx, c->kind->name, err,
				  c->kind->name);
			return CLI_EXIT_USAGE;
		}
	for (int i = 0; i < 3; i++)
		if (a->common[i] && trace_gen_config_set(c, common[i], a->common[i], err, sizeof(err))) {
			cli_error("%s: --%s: %s", ctx, common[i], err);
			return CLI_EXIT_USAGE;
		}
	if (trace_gen_config_check(c, err, sizeof(err))) {
		cli_error("%s %s: %s", ctx, c->kind->name, err);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

/* Returns 0 to go on, -1 after --help, or an exit status. */
static int gen_parse(int argc, char **argv, const char *ctx, struct gen_args *a, struct trace_gen_config *c)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "seed", required_argument, NULL, 's' },
		{ "cpus", required_argument, NULL, 'c' },   { "objects", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },        { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct trace_gen_kind *k = NULL;
	int opt, ret;

	memset(a, 0, sizeof(*a));
	optind = 0;
	opterr = 0;
	while ((opt = trace_getopt(argc, argv, ctx, ":o:s:c:n:qh", longopts)) != -1)
		if ((ret = gen_option(opt, a)))
			return ret;
	if (optind < argc && !(k = trace_gen_kind_find(argv[optind]))) {
		cli_error("%s: unknown generator '%s' (expected steady, burst, prodcons, forkexec or objpool)", ctx,
			  argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (a->help) {
		gen_help(stdout, k);
		return -1;
	}
	if (!k) {
		cli_error("%s: missing KIND: steady, burst, prodcons, forkexec or objpool (try --help)", ctx);
		return CLI_EXIT_USAGE;
	}
	trace_gen_config_init(c, k);
	if ((ret = gen_apply(ctx, argc, argv, a, c)))
		return ret;
	if (!a->out) {
		cli_error("%s: missing -o OUT, the native file to write (try --help)", ctx);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static void gen_summary(const struct sim_workload *w, const char *out)
{
	uint64_t span = w->nev ? w->ev[w->nev - 1].t_ns - w->ev[0].t_ns : 0;

	size_t ncaches = strtab_count(&w->caches) - 1;

	printf("%s: %s events, %s objects, %zu cache%s, %u CPUs, %.6f s; digest %016" PRIx64 "; wrote %s\n",
	       w->source, trace_fmt_count(w->nev).s, trace_fmt_count(w->nobjs).s, ncaches, ncaches == 1 ? "" : "s",
	       w->ncpus, (double)span / 1e9, w->digest, out);
}

static int trace_gen_cmd(int argc, char **argv)
{
	const char *ctx = "trace gen";
	struct trace_gen_config c;
	struct sim_workload w;
	struct gen_args a;
	char err[1024];
	int ret = gen_parse(argc, argv, ctx, &a, &c);

	if (ret)
		return ret < 0 ? CLI_EXIT_OK : ret;
	sim_workload_init(&w);
	/* the configuration is checked: what can still fail is its combination of values */
	if (trace_gen_run(&c, &w, err, sizeof(err))) {
		cli_error("%s %s: %s", ctx, c.kind->name, err);
		ret = CLI_EXIT_USAGE;
	} else if (trace_native_write(&w, a.out, err, sizeof(err))) {
		cli_error("%s: %s", ctx, err);
		ret = CLI_EXIT_FAIL;
	} else if (!a.quiet) {
		gen_summary(&w, a.out);
	}
	sim_workload_fini(&w);
	return ret;
}

int cmd_trace(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub) {
		fputs(trace_help, stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		fputs(trace_help, stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(sub, "import"))
		return cmd_trace_import(argc - 1, argv + 1);
	if (!strcmp(sub, "stats"))
		return trace_stats_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "gen"))
		return trace_gen_cmd(argc - 1, argv + 1);
	if (!strcmp(sub, "reshape"))
		return cmd_trace_reshape(argc - 1, argv + 1);
	cli_error("trace: unknown subcommand '%s' (expected import, stats, gen or reshape; try 'slabsim trace --help')", sub);
	return CLI_EXIT_USAGE;
}
