/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_native.c - libFuzzer target: the native reader (trace_native_read)
 * on any bytes, plain or compressed.
 */
#include "config.h"

#include <stdint.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"
#include "traces/native.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char path[64], err[1024];
	int fd = fuzz_memfile(data, n, path, sizeof(path));
	struct sim_workload w;

	sim_workload_init(&w);
	(void)trace_native_read(path, &w, NULL, err, sizeof(err));
	sim_workload_fini(&w);
	close(fd);
	return 0;
}
