/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmd_reshape.c - `slabsim trace reshape`: what-if transformations written as a native trace. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/reshape.h"

static void reshape_usage(FILE *f)
{
	fprintf(f,
"Usage: slabsim trace reshape IN -o OUT [--replicate K] [--cpus N [--map fold|spread]]\n"
"                             [--time-scale F] [--window START,END] [--caches A,B]\n"
"\n"
"Writes a what-if copy of the trace IN (any format 'slabsim run' reads) as a\n"
"native trace OUT.  The same transformations are options of 'slabsim run',\n"
"which applies them as the events pass; a reshaped file is worth writing when\n"
"it is replayed many times.  A native IN is reshaped on the way and never held\n"
"whole (read twice, or three times to replicate what a filter kept); other\n"
"formats are loaded into memory first.  They are applied in this order:\n"
"\n"
"  --caches A,B        keep only these caches (names as 'slabsim trace stats' shows)\n"
"  --window S,E        keep only events from S to E, in seconds or with a unit\n"
"                      ns/us/ms/s (E may be empty for the end); time restarts at S\n"
"  --time-scale F      divide every timestamp by F (10: ten times the rate)\n"
"  --cpus N            fold (t %% N, default) or spread (t * N / T, --map spread)\n"
"                      the trace's T cpus onto N\n"
"  --replicate K       K copies of every cpu's stream on further cpus, each with\n"
"                      its own objects: a 4-cpu capture as 4K cpus\n"
"\n"
"A free whose allocation was cut away becomes an unmatched free (counted,\n"
"skipped when replayed).  The output's source records what was done, e.g.\n"
"\"fork_exec.trace.xz [window 1.000000-2.000000 s; replicate 16: 64 cpus]\".\n"
"\n"
"Options:\n"
"  -o, --output OUT    the native trace to write\n"
"  -q, --quiet         no summary line\n"
"  -h, --help          show this help\n"
"\n"
"Example:\n"
"  slabsim trace reshape traces/samples/fork_exec.trace.xz --replicate 64 -o fe256.slabsimt\n");
}

static int reshape_parse(int argc, char **argv, struct trace_reshape *r, const char **in,
			 const char **out, bool *quiet)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "replicate", required_argument, NULL, 'r' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "map", required_argument, NULL, 'm' },
		{ "time-scale", required_argument, NULL, 't' },
		{ "window", required_argument, NULL, 'w' },
		{ "caches", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': *out = optarg; break;
		case 'q': *quiet = true; break;
		case 'h': reshape_usage(stdout); return -1;
		case 'k': r->caches = optarg; break;
		case 'r':
			if (cli_parse_long(optarg, 1, 4096, &v)) {
				cli_error("trace reshape: --replicate '%s': expected 1 to 4096 copies", optarg);
				return CLI_EXIT_USAGE;
			}
			r->replicate = (unsigned)v;
			break;
		case 'c':
			if (cli_parse_long(optarg, 1, 65535, &v)) {
				cli_error("trace reshape: --cpus '%s': expected 1 to 65535", optarg);
				return CLI_EXIT_USAGE;
			}
			r->cpus = (unsigned)v;
			break;
		case 'm':
			if (strcmp(optarg, "fold") && strcmp(optarg, "spread")) {
				cli_error("trace reshape: --map '%s': expected fold or spread", optarg);
				return CLI_EXIT_USAGE;
			}
			r->spread = !strcmp(optarg, "spread");
			break;
		case 't':
			if (cli_parse_double(optarg, 1e-6, 1e6, &r->time_scale)) {
				cli_error("trace reshape: --time-scale '%s': expected a factor from 0.000001 to 1000000", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		case 'w':
			if (trace_reshape_parse_window(optarg, &r->window_start_ns, &r->window_end_ns)) {
				cli_error("trace reshape: --window '%s': expected START,END in seconds or with ns/us/ms/s", optarg);
				return CLI_EXIT_USAGE;
			}
			break;
		default:
			reshape_usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !*out) {
		cli_error("trace reshape: expected one input trace and -o OUT (try 'slabsim trace reshape --help')");
		return CLI_EXIT_USAGE;
	}
	*in = argv[optind];
	return 0;
}

/*
 * A native IN is reshaped on the way and never held: one pass (two, to
 * replicate what a filter kept) makes the header final, the last writes
 * the events.  w gets the header.
 */
static int reshape_stream(const char *in, const char *out, const struct trace_reshape *r, struct sim_workload *w,
			  char *err, size_t errlen)
{
	struct trace_native_stream *os = NULL;
	struct trace_reshape_file f;
	struct sim_workload pw;
	struct sim_source *src;
	struct sim_event e;
	uint32_t kept;
	int rc = trace_reshape_file_kept(in, r, &kept, err, errlen);

	if (rc)
		return rc;
	/* the header first: a pass to its end makes it final */
	src = trace_reshape_file_open(&f, in, r, kept, w, err, errlen);
	rc = src ? sim_source_drain(src, err, errlen) : -EINVAL;
	trace_reshape_file_close(&f);
	if (rc || (rc = trace_reshape_check_left(w, err, errlen)))
		return rc;
	sim_workload_init(&pw);
	src = trace_reshape_file_open(&f, in, r, kept, &pw, err, errlen);
	if (src)
		os = trace_native_stream_open(out, w, sim_workload_events(w), err, errlen);
	rc = -EINVAL;
	if (os) {
		/* a failed write is reported by the close */
		while ((rc = src->next(src, &e, err, errlen)) > 0)
			trace_native_stream_put(os, &e);
	}
	if (!rc && pw.digest != w->digest) {
		snprintf(err, errlen, "%s: changed while it was read", in);
		rc = -EIO;
	}
	if (os && rc)
		trace_native_stream_abort(os);
	else if (os)
		rc = trace_native_stream_close(os, w->digest, err, errlen);
	trace_reshape_file_close(&f);
	sim_workload_fini(&pw);
	return rc;
}

int cmd_trace_reshape(int argc, char **argv)
{
	struct trace_reshape r = { 0 };
	struct sim_workload w;
	const char *in = NULL, *out = NULL;
	bool quiet = false;
	char err[1024];
	int rc = reshape_parse(argc, argv, &r, &in, &out, &quiet);

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	sim_workload_init(&w);
	if (trace_native_path_is_native(in))
		rc = reshape_stream(in, out, &r, &w, err, sizeof(err));
	else
		rc = trace_load(in, &w, err, sizeof(err)) || trace_reshape_apply(&w, &r, err, sizeof(err)) ||
		     trace_native_write(&w, out, err, sizeof(err));
	if (rc) {
		cli_error("trace reshape: %s", err);
		rc = CLI_EXIT_FAIL;
	} else if (!quiet) {
		printf("%s: %" PRIu64 " events, %u objects, %u cpus; wrote %s\n", w.source, sim_workload_events(&w),
		       w.nobjs, w.ncpus, out);
	}
	sim_workload_fini(&w);
	return rc;
}
