/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_csv.c - libFuzzer target: the CSV reader.  The first line of the
 * input is the header; when it parses, every further line goes through
 * trace_csv_line_parse into a workload.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xalloc.h"
#include "traces/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

/* Parses the line [p, p + len) from an exact-size copy. */
static int fuzz_csv_line(const struct trace_csv_layout *lay, struct sim_workload *w, const uint8_t *p,
			 size_t len, uint64_t seq)
{
	char *line = xmalloc(len ? len : 1), err[256];
	struct sim_event e;
	int ret;

	memcpy(line, p, len);
	ret = trace_csv_line_parse(lay, w, line, len, seq, &e, err, sizeof(err));
	if (ret == TRACE_CSV_LINE_EVENT)
		sim_workload_push(w, &e);
	free(line);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const uint8_t *nl = memchr(data, '\n', n), *p, *end = data + n;
	size_t hlen = nl ? (size_t)(nl - data) : n;
	char *header = xmalloc(hlen ? hlen : 1), err[256];
	struct trace_csv_layout lay;
	struct sim_workload w;

	memcpy(header, data, hlen);
	(void)trace_csv_is_header(header, hlen);
	if (trace_csv_header_parse(&lay, header, hlen, err, sizeof(err))) {
		free(header);
		return 0;
	}
	free(header);
	sim_workload_init(&w);
	for (p = nl ? nl + 1 : end; p < end;) {
		const uint8_t *q = memchr(p, '\n', (size_t)(end - p));
		size_t len = q ? (size_t)(q - p) : (size_t)(end - p);

		fuzz_csv_line(&lay, &w, p, len, w.nev);
		p += len + 1;
	}
	sim_workload_fini(&w);
	return 0;
}
