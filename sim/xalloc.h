/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xalloc.h - allocation wrappers that abort on out-of-memory.  Running out
 * of host memory is the one condition the simulator does not recover from.
 */
#ifndef SLABSIM_XALLOC_H
#define SLABSIM_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (of *cap elements of elem bytes) to hold at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t elem);
char *xstrdup(const char *s);

#endif
