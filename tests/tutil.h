/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tutil.h - helpers shared by the test suites. */
#ifndef SLABSIM_TUTIL_H
#define SLABSIM_TUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/workload.h"

/*
 * The bundled trace at rel (a path in the source tree), loaded once per
 * process and kept for later calls; a load failure fails the test.
 */
const struct sim_workload *tutil_sample(const char *rel);
/*
 * True when SLABSIM_TEST_QUICK=1 and rel is a full bundled trace (not a
 * -head one): tests then leave it out (valgrind runs the suites so), and
 * say so on stderr.
 */
bool tutil_quick_skips(const char *rel);
/* Frees every sample tutil_sample() loaded (an unchecked teardown). */
void tutil_samples_release(void);

/* A tiny hand-written trace of one cache, for tests that pin an algorithm. */
struct tiny {
	struct sim_workload w;
	uint32_t cache;		/* "test_cache" */
	uint32_t size;		/* its object size */
	uint64_t t, step_ns;	/* the next event's time, and the gap between events */
};

/* An empty trace of one cache of size-byte objects, events step_ns apart. */
void tutil_tiny_init(struct tiny *t, uint32_t size, uint64_t step_ns);
/* Appends an event of object oid (its id: oids are dense) on cpu. */
void tutil_tiny_event(struct tiny *t, unsigned cpu, enum sim_ev_op op, uint32_t oid, enum sim_ctx ctx, int node);

/* Path of a file in the source tree ($SLABSIM_SRCDIR, else "."); static buffer per call slot. */
const char *tutil_srcpath(const char *rel);
/* Writes text to a fresh temporary file and returns its path (caller frees). */
char *tutil_tmpfile(const char *suffix, const char *text, size_t len);
/* A fresh temporary directory path (caller frees). */
char *tutil_tmpdir(void);

#endif
