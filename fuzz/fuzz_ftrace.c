/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_ftrace.c - libFuzzer target: the kmem text line parser
 * (ftrace_line_parse) on one line of any bytes, and the conversion of what
 * it accepts into a canonical event.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xalloc.h"
#include "traces/ftrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	/* an exact-size copy, so reading past the line is caught */
	char *line = xmalloc(n ? n : 1), err[256];
	struct ftrace_rec r;
	struct sim_workload w;
	struct sim_event e;

	memcpy(line, data, n);
	if (ftrace_line_parse(line, n, &r, err, sizeof(err)) == FTRACE_LINE_KMEM) {
		sim_workload_init(&w);
		ftrace_rec_to_event(&w, &r, &e);
		sim_workload_push(&w, &e);
		sim_workload_fini(&w);
	}
	free(line);
	return 0;
}
