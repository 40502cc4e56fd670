/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_slabinfo.c - libFuzzer target: the /proc/slabinfo reader, and the
 * warm start (--initial-state) built from what it read.  A snapshot it
 * accepts must hold rows that make sense (active <= num objects, a power
 * of two pages per slab); the warm start then runs on a small trace with
 * a cache of each row's name, when the snapshot's objects number at most
 * FUZZ_SLABINFO_MAX_OBJS (a real snapshot can list 10^8 objects; the
 * bound keeps each input fast, not the code paths apart).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz_common.h"
#include "sim/workload.h"
#include "traces/initstate.h"
#include "traces/slabinfo.h"

#define FUZZ_SLABINFO_MAX_OBJS 100000u
#define FUZZ_SLABINFO_MAX_CACHES 8u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

/* A trace with one object of each of the snapshot's first caches, allocated on cpu 0 and freed on 1. */
static void fuzz_slabinfo_trace(struct sim_workload *w, const struct slabinfo_snap *s)
{
	sim_workload_init(w);
	for (size_t i = 0; i < s->n && i < FUZZ_SLABINFO_MAX_CACHES; i++) {
		uint32_t size = s->c[i].objsize < 4096 ? s->c[i].objsize : 4096;
		uint32_t cache = sim_workload_cache(w, s->c[i].name, size, 0);
		struct sim_event e = { .t_ns = 10 * i, .ptr = 0x1000 * (i + 1), .oid = w->nobjs, .cache = cache,
				       .bytes_req = size, .bytes_alloc = size, .cpu = 0, .op = SIM_EV_ALLOC,
				       .node = SIM_NO_NODE };

		sim_workload_push(w, &e);
		e.t_ns += 5;
		e.cpu = 1;
		e.op = SIM_EV_FREE;
		sim_workload_push(w, &e);
		w->nobjs++;
	}
	w->ncpus = 2;
	w->digest = sim_workload_digest(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char path[64], err[512];
	struct slabinfo_file f;
	uint64_t objs = 0;
	int fd = fuzz_memfile(data, n, path, sizeof(path));

	if (slabinfo_read_file(path, &f, err, sizeof(err)) == 0) {
		struct sim_workload w;
		struct trace_initstate_result res;

		for (size_t k = 0; k < f.nsnap; k++)
			for (size_t i = 0; i < f.snap[k].n; i++) {
				const struct slabinfo_cache *c = &f.snap[k].c[i];

				if (c->active_objs > c->num_objs || !c->pagesperslab ||
				    (c->pagesperslab & (c->pagesperslab - 1)) || c->active_slabs > c->num_slabs)
					abort();	/* the reader let an impossible row through */
				if (k == 0)
					objs += c->num_objs;
			}
		if (f.snap[0].n && objs <= FUZZ_SLABINFO_MAX_OBJS) {
			fuzz_slabinfo_trace(&w, &f.snap[0]);
			(void)trace_initstate_apply(&w, path, 1, &res, err, sizeof(err));
			sim_workload_fini(&w);
		}
		slabinfo_file_fini(&f);
	}
	close(fd);
	return 0;
}
