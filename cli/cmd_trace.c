/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_trace.c - "slabsim trace": import a kernel kmem trace into the
 * native format, and print a trace's statistics.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "sim/xalloc.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/tstats.h"

#define TRACE_TOP_DEFAULT 20

static const char trace_help[] =
	"Usage: slabsim trace import IN -o OUT [--quiet]\n"
	"       slabsim trace stats FILE [--top N | --all]\n"
	"\n"
	"Read kernel allocation traces: convert them to slabsim's native format,\n"
	"and describe what they contain.\n"
	"\n"
	"A trace is the text of the kmem tracepoints (kmem_cache_alloc, kmalloc,\n"
	"kmem_cache_free, kfree, mm_page_alloc, mm_page_free and their older\n"
	"variants) as /sys/kernel/tracing/trace or trace_pipe print it, as\n"
	"'trace-cmd report' (with or without -l) prints it, or as 'perf script'\n"
	"prints it, from any kernel since 2.6.32; or a native file written by\n"
	"'slabsim trace import'.  Files may be gzip- or xz-compressed (recognised\n"
	"by content, not by name); '-' reads standard input.\n"
	"\n"
	"Subcommands:\n"
	"  import   parse a trace once and write it in the native format, which\n"
	"           'slabsim run' and 'slabsim sweep' read many times faster\n"
	"  stats    events per type and CPU, caches, anomalies, cross-CPU frees\n"
	"\n"
	"Run 'slabsim trace import --help' or 'slabsim trace stats --help' for\n"
	"their options.\n";

static const char import_help[] =
	"Usage: slabsim trace import IN -o OUT [--quiet]\n"
	"\n"
	"Parse the kmem trace IN (text, .gz, .xz, or '-' for standard input),\n"
	"pair every free with its allocation, name the caches, and write the\n"
	"result to OUT in slabsim's native format.  OUT is written through a\n"
	"temporary file and renamed, so it is never left half written.\n"
	"\n"
	"Malformed lines, frees of objects allocated before tracing started,\n"
	"kfree(NULL), lost events and other anomalies are counted and reported,\n"
	"never fatal.  A one-line summary is printed: events, caches, anomalies,\n"
	"and the import speed in MB/s of trace text.\n"
	"\n"
	"Options:\n"
	"  -o, --output OUT   the native file to write (required)\n"
	"  -q, --quiet        no progress display on a terminal\n"
	"  -h, --help         show this help\n"
	"\n"
	"Examples:\n"
	"  slabsim trace import traces/samples/fork_exec.trace.xz -o fork_exec.slabsimt\n"
	"  ssh host cat /sys/kernel/tracing/trace | slabsim trace import - -o host.slabsimt\n";

static const char stats_help[] =
	"Usage: slabsim trace stats FILE [--top N | --all]\n"
	"\n"
	"Print what the trace FILE (any format 'slabsim trace import' reads, or a\n"
	"native file) contains: source, format, duration and CPUs; events per\n"
	"type and per CPU; caches sorted by allocations with their object size,\n"
	"bytes, objects still live at the end and frees on another CPU than the\n"
	"allocating one; the anomalies with their meaning; and the fraction of\n"
	"frees executed on another CPU (perf kmem calls these ping-pong), for\n"
	"kmem_cache objects, kmalloc objects and pages.\n"
	"\n"
	"Options:\n"
	"  -n, --top N   list the N caches with the most allocations (default 20)\n"
	"  -a, --all     list every cache\n"
	"  -h, --help    show this help\n"
	"\n"
	"Examples:\n"
	"  slabsim trace stats traces/samples/file_churn.trace.xz\n"
	"  slabsim trace stats --all fork_exec.slabsimt\n";

/* ---- formatting --------------------------------------------------------------- */

struct num {
	char s[32];
};

struct pairs_text {
	char s[96];
};

/* 1234567 -> "1,234,567" */
static struct num fmt_count(uint64_t v)
{
	struct num n;
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, v), o = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			n.s[o++] = ',';
		n.s[o++] = digits[i];
	}
	n.s[o] = '\0';
	return n;
}

static struct num fmt_mb(uint64_t bytes)
{
	struct num n;

	snprintf(n.s, sizeof(n.s), "%.1f MB", (double)bytes / 1e6);
	return n;
}

/* "2.6% (4,523/173,795)" */
static struct pairs_text fmt_pairs(const struct trace_stats_pairs *p)
{
	struct pairs_text n;

	if (!p->pairs)
		snprintf(n.s, sizeof(n.s), "-");
	else
		snprintf(n.s, sizeof(n.s), "%.1f%% (%s/%s)", 100.0 * trace_stats_fraction(p),
			 fmt_count(p->cross_cpu).s, fmt_count(p->pairs).s);
	return n;
}

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
			100.0 * (double)done / (double)total, fmt_mb(total).s);
	else
		fprintf(stderr, "\rslabsim: %s: reading %s: %s", p->ctx, p->path, fmt_mb(done).s);
	fflush(stderr);
	p->shown = true;
}

static void trace_progress_clear(struct trace_progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
}

/* Loads path, with progress on a terminal unless quiet; prints the error. */
static int trace_load_cli(const char *ctx, const char *path, struct sim_workload *w,
			  struct trace_load_info *info, bool quiet)
{
	struct trace_progress p = { .ctx = ctx, .path = path };
	struct trace_load_opts opts = { 0 };
	char err[1024];
	int ret;

	if (!quiet && cli_stderr_is_tty()) {
		opts.progress = trace_progress_show;
		opts.progress_arg = &p;
	}
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
		fprintf(f, "%s %s %s", any ? "," : "", sim_anomaly_name[i], fmt_count(w->anomaly[i]).s);
		any = true;
	}
	if (!any)
		fputs(" none", f);
}

static void import_summary(const struct sim_workload *w, const struct trace_load_info *info,
			   double secs, const char *out)
{
	double mbs = secs > 0 ? (double)info->text_bytes / 1e6 / secs : 0;

	printf("%s: %s events, %s objects, %zu caches, %u CPUs", w->source, fmt_count(w->nev).s,
	       fmt_count(w->nobjs).s, strtab_count(&w->caches) - 1, w->ncpus);
	import_anomalies(stdout, w);
	printf("; read %s of %s in %.2f s (%.0f MB/s); wrote %s\n", fmt_mb(info->text_bytes).s,
	       w->format, secs, mbs, out);
}

/* Returns 0 to go on, -1 after --help, or an exit status. */
static int import_parse(int argc, char **argv, const char *ctx, const char **in, const char **out,
			bool *quiet)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = trace_getopt(argc, argv, ctx, ":o:qh", longopts)) != -1) {
		switch (c) {
		case 'o':
			*out = optarg;
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

static int trace_import(int argc, char **argv)
{
	const char *ctx = "trace import", *in = NULL, *out = NULL;
	struct trace_load_info info;
	struct sim_workload w;
	bool quiet = false;
	char err[1024];
	int ret = import_parse(argc, argv, ctx, &in, &out, &quiet);

	if (ret)
		return ret < 0 ? CLI_EXIT_OK : ret;
	sim_workload_init(&w);
	double t0 = now_seconds();

	ret = trace_load_cli(ctx, in, &w, &info, quiet);
	double secs = now_seconds() - t0;

	if (!ret && (ret = trace_native_write(&w, out, err, sizeof(err))))
		cli_error("%s: %s", ctx, err);
	if (!ret)
		import_summary(&w, &info, secs, out);
	sim_workload_fini(&w);
	return ret ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ---- stats -------------------------------------------------------------------- */

static void stats_header(const struct sim_workload *w, const struct trace_stats *s,
			 const struct trace_load_info *info)
{
	printf("trace      %s\n", w->source);
	if (!strcmp(w->format, "native"))
		printf("format     native (version %u), imported from %s (%s)\n", info->native_version,
		       info->origin[0] ? info->origin : "?", info->origin_format[0] ? info->origin_format : "?");
	else
		printf("format     %s, %s, %s of text, %s lines\n", w->format,
		       trace_input_compression_name(info->compression), fmt_mb(info->text_bytes).s,
		       fmt_count(info->lines).s);
	printf("kernel     %s\n", w->kernel[0] ? w->kernel : "(not recorded in the trace)");
	printf("duration   %.6f s from the first to the last event\n", (double)s->duration_ns / 1e9);
	printf("CPUs       %u\n", w->ncpus);
	printf("events     %s\n", fmt_count(s->events).s);
	printf("objects    %s allocated, %s still live at the end\n", fmt_count(w->nobjs).s,
	       fmt_count(s->live_end).s);
	printf("digest     %016" PRIx64 "\n", w->digest);
}

static void stats_types(const struct trace_stats *s)
{
	printf("\nEvents per type\n");
	for (int t = 0; t < TRACE_ST_NTYPES; t++)
		printf("  %-18s %12s  %5.1f%%\n", trace_stats_type_name((enum trace_stats_type)t),
		       fmt_count(s->by_type[t]).s,
		       s->events ? 100.0 * (double)s->by_type[t] / (double)s->events : 0.0);
}

static void stats_cpus(const struct trace_stats *s)
{
	printf("\nEvents per CPU\n");
	printf("  %5s %12s %12s %12s %12s %12s\n", "cpu", "events", "allocs", "frees", "page allocs",
	       "page frees");
	for (unsigned c = 0; c < s->ncpus; c++) {
		const struct trace_stats_cpu *p = &s->cpu[c];

		printf("  %5u %12s %12s %12s %12s %12s\n", c, fmt_count(p->events).s, fmt_count(p->allocs).s,
		       fmt_count(p->frees).s, fmt_count(p->page_allocs).s, fmt_count(p->page_frees).s);
	}
}

static void stats_cache_row(const struct sim_workload *w, const struct trace_stats *s, uint32_t id)
{
	const struct trace_stats_cache *c = &s->cache[id];
	const char *name = id ? strtab_get(&w->caches, id) : "(unknown)";

	printf("  %-24s %6u %10s %10s %14s %14s %8s  %s%s\n", name, c->object_size,
	       fmt_count(c->allocs).s, fmt_count(c->frees).s, fmt_count(c->bytes_req).s,
	       fmt_count(c->bytes_alloc).s, fmt_count(c->live_end).s, fmt_pairs(&c->freed).s,
	       (c->flags & SIM_CACHEF_GUESSED) ? "  (named from its call site)" : "");
}

static void stats_caches(const struct sim_workload *w, const struct trace_stats *s, size_t top)
{
	uint32_t *order = xmalloc((s->ncaches + 1) * sizeof(*order));
	size_t used = trace_stats_caches_by_allocs(s, order);
	size_t shown = top < used ? top : used;

	if (shown < used)
		printf("\nCaches: the %zu of %zu with the most allocations (--all lists every one)\n", shown, used);
	else
		printf("\nCaches: all %zu, by allocations\n", used);
	printf("  %-24s %6s %10s %10s %14s %14s %8s  %s\n", "cache", "size", "allocs", "frees",
	       "bytes_req", "bytes_alloc", "live", "frees on another CPU");
	for (size_t i = 0; i < shown; i++)
		stats_cache_row(w, s, order[i]);
	free(order);
}

static void stats_cross(const struct trace_stats *s)
{
	printf("\nFrees on another CPU than the allocation (of matched alloc/free pairs)\n");
	for (int k = 0; k < TRACE_SK_NKINDS; k++)
		printf("  %-12s %s\n", trace_stats_kind_name((enum trace_stats_kind)k), fmt_pairs(&s->kind[k]).s);
	printf("  %-12s %s\n", "all slab", fmt_pairs(&s->slab).s);
	printf("  pages: %s frees of a pfn not allocated in the trace, %s allocated and not freed\n",
	       fmt_count(s->page_free_unseen).s, fmt_count(s->pages_live_end).s);
}

static void stats_anomalies(const struct sim_workload *w, const struct trace_stats *s)
{
	printf("\nAnomalies (counted, never fatal)\n");
	for (int i = 0; i < SIM_AN_COUNT; i++)
		printf("  %-16s %12s  %s\n", sim_anomaly_name[i], fmt_count(s->anomaly[i]).s,
		       sim_anomaly_meaning[i]);
	if (w->first_skip[0])
		printf("  first skipped line: %s\n", w->first_skip);
}

/* Returns 0 to go on, -1 after --help, or an exit status. */
static int stats_parse(int argc, char **argv, const char *ctx, size_t *top, const char **path)
{
	static const struct option longopts[] = {
		{ "top", required_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = trace_getopt(argc, argv, ctx, ":n:ah", longopts)) != -1) {
		switch (c) {
		case 'n':
			if (cli_parse_long(optarg, 1, 1000000, &v)) {
				cli_error("%s: --top: expected a number from 1 to 1000000, got '%s'", ctx, optarg);
				return CLI_EXIT_USAGE;
			}
			*top = (size_t)v;
			break;
		case 'a':
			*top = SIZE_MAX;
			break;
		case 'h':
			fputs(stats_help, stdout);
			return -1;
		default:
			return CLI_EXIT_USAGE;
		}
	}
	return trace_one_operand(argc, argv, ctx, "trace file", path);
}

static int trace_stats_cmd(int argc, char **argv)
{
	const char *ctx = "trace stats", *path = NULL;
	size_t top = TRACE_TOP_DEFAULT;
	struct trace_load_info info;
	struct sim_workload w;
	struct trace_stats s;
	int ret = stats_parse(argc, argv, ctx, &top, &path);

	if (ret)
		return ret < 0 ? CLI_EXIT_OK : ret;
	sim_workload_init(&w);
	if (trace_load_cli(ctx, path, &w, &info, false)) {
		sim_workload_fini(&w);
		return CLI_EXIT_FAIL;
	}
	trace_stats_compute(&w, &s);
	stats_header(&w, &s, &info);
	stats_types(&s);
	stats_cpus(&s);
	stats_caches(&w, &s, top);
	stats_cross(&s);
	stats_anomalies(&w, &s);
	trace_stats_fini(&s);
	sim_workload_fini(&w);
	return CLI_EXIT_OK;
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
		return trace_import(argc - 1, argv + 1);
	if (!strcmp(sub, "stats"))
		return trace_stats_cmd(argc - 1, argv + 1);
	cli_error("trace: unknown subcommand '%s' (expected import or stats; try 'slabsim trace --help')", sub);
	return CLI_EXIT_USAGE;
}
