/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_suites.h - one Check suite per module; check_main.c runs them all. */
#ifndef SLABSIM_CHECK_SUITES_H
#define SLABSIM_CHECK_SUITES_H

#include <check.h>

#define CHECK_SUITE_LIST(X) \
	X(engine)           \
	X(cacheline)        \
	X(lock)             \
	X(pagealloc)        \
	X(slub)             \
	X(slab)             \
	X(objpool)          \
	X(magazine)         \
	X(pcarray)          \
	X(llcache)          \
	X(invariants)       \
	X(ftrace)           \
	X(native)           \
	X(stream)           \
	X(import)           \
	X(csv)              \
	X(badinput)         \
	X(db)               \
	X(reshape)          \
	X(initstate)        \
	X(validate)         \
	X(tstats)           \
	X(gen)              \
	X(cli)

#define X(name) Suite *name##_suite(void);
CHECK_SUITE_LIST(X)
#undef X

#endif
