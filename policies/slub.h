/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slub.h - SLUB's kernel defaults, for the policy table and for tests. */
#ifndef SLABSIM_SLUB_H
#define SLABSIM_SLUB_H

/* calculate_order() of 6.1 for objects of size bytes on a machine of ncpus. */
unsigned slub_default_order(unsigned size, unsigned ncpus);
/* ilog2(size) / 2 clamped to MIN_PARTIAL 5 .. MAX_PARTIAL 10. */
unsigned slub_default_min_partial(unsigned size);
/* set_cpu_partial() of 5.16-6.19, in objects. */
unsigned slub_default_cpu_partial(unsigned size);

#endif
