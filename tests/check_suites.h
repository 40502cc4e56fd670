/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_suites.h - one Check suite per module; check_main.c runs them all. */
#ifndef SLABSIM_CHECK_SUITES_H
#define SLABSIM_CHECK_SUITES_H

#include <check.h>

/*
 * Every suite, with the part of `make check` that runs it: the suites are
 * split in two parts of about equal run time (part 1: the long replays of
 * invariants and gen), run by tests/check-part1.sh and tests/check-part2.sh
 * at once under make -j.
 */
#define CHECK_SUITE_LIST(X) \
	X(engine, 1)        \
	X(cacheline, 1)     \
	X(lock, 1)          \
	X(pagealloc, 2)     \
	X(slub, 2)          \
	X(slab, 2)          \
	X(objpool, 2)       \
	X(magazine, 2)      \
	X(pcarray, 2)       \
	X(llcache, 2)       \
	X(invariants, 1)    \
	X(ftrace, 2)        \
	X(native, 2)        \
	X(stream, 2)        \
	X(import, 2)        \
	X(csv, 2)           \
	X(badinput, 2)      \
	X(db, 2)            \
	X(reshape, 2)       \
	X(initstate, 2)     \
	X(validate, 2)      \
	X(tstats, 2)        \
	X(gen, 1)           \
	X(cli, 2)

#define X(name, part) Suite *name##_suite(void);
CHECK_SUITE_LIST(X)
#undef X

#endif
