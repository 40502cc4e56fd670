/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_load.c - libFuzzer target: the whole loader (trace_load_ex) on any
 * bytes: detection, gzip/xz, ftrace/trace-cmd/perf text, CSV, native, the
 * pairing pass; once as is and once under --strict.  Inputs that start
 * with the trace.dat magic are skipped: they would fuzz libtracecmd, which
 * is not slabsim's code (a compressed trace.dat still reaches our checks).
 */
#include "config.h"

#include <stdint.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"
#include "traces/load.h"
#include "traces/tracedat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char path[64], err[1024];
	int fd;

	if (trace_tracedat_is_tracedat(data, n))
		return 0;
	fd = fuzz_memfile(data, n, path, sizeof(path));
	for (int strict = 0; strict < 2; strict++) {
		struct trace_load_opts opts = { .strict = strict };
		struct sim_workload w;

		sim_workload_init(&w);
		(void)trace_load_ex(path, &w, &opts, NULL, err, sizeof(err));
		sim_workload_fini(&w);
	}
	close(fd);
	return 0;
}
