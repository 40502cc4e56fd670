/* SPDX-License-Identifier: GPL-2.0-or-later */
/* counters.c - names and meanings of counters, gauges and lock classes. */
#include "config.h"

#include "sim/counters.h"

const char *const sim_counter_name[SIM_CNT_COUNT] = {
#define X(n, d) #n,
	SIM_COUNTER_LIST(X)
#undef X
};

const char *const sim_counter_meaning[SIM_CNT_COUNT] = {
#define X(n, d) d,
	SIM_COUNTER_LIST(X)
#undef X
};

const char *const sim_gauge_name[SIM_GAUGE_COUNT] = {
#define X(n, d) #n,
	SIM_GAUGE_LIST(X)
#undef X
};

const char *const sim_gauge_meaning[SIM_GAUGE_COUNT] = {
#define X(n, d) d,
	SIM_GAUGE_LIST(X)
#undef X
};

const char *const sim_lock_class_name[SIM_LOCK_CLASS_COUNT] = {
#define X(n, d) #n,
	SIM_LOCK_CLASS_LIST(X)
#undef X
};

const char *const sim_lock_class_meaning[SIM_LOCK_CLASS_COUNT] = {
#define X(n, d) d,
	SIM_LOCK_CLASS_LIST(X)
#undef X
};
