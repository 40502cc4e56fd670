/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_native.c - libFuzzer target: the native reader on any bytes, plain
 * or compressed, both ways it is read: whole (trace_native_read) and in
 * passes without holding it (the --strict check, then trace stats over
 * trace_native_passes, which walks it five times).
 */
#include "config.h"

#include <stdint.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"
#include "traces/load.h"
#include "traces/native.h"
#include "traces/tstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char path[64], err[1024];
	int fd = fuzz_memfile(data, n, path, sizeof(path));
	struct trace_native_passes *np;
	struct trace_stats_opts o;
	struct trace_stats s;
	struct sim_workload w;

	sim_workload_init(&w);
	(void)trace_native_read(path, &w, NULL, err, sizeof(err));
	sim_workload_fini(&w);

	(void)trace_native_strict_check(path, err, sizeof(err));
	sim_workload_init(&w);
	np = trace_native_passes_open(path, &w, NULL, err, sizeof(err));
	if (np) {
		trace_stats_opts_default(&o);
		o.interval_ns = 1ull << 40;	/* a forged span must not ask for a huge series */
		(void)trace_stats_compute_passes(trace_native_passes_get(np), &o, &s, err, sizeof(err));
		trace_stats_fini(&s);
		trace_native_passes_close(np);
	}
	sim_workload_fini(&w);
	close(fd);
	return 0;
}
