/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strtab.h - string interning: each distinct string gets a dense id.
 * Id 0 is always the empty string, meaning "none".
 */
#ifndef SLABSIM_STRTAB_H
#define SLABSIM_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct strtab {
	char **str;		/* id -> string (owned) */
	size_t n, cap;
	uint32_t *slot;		/* open-addressing hash: id + 1, 0 = empty */
	size_t nslot;
};

void strtab_init(struct strtab *t);
void strtab_fini(struct strtab *t);
/* Returns the id of s (len bytes, need not be NUL-terminated), adding it. */
uint32_t strtab_intern_n(struct strtab *t, const char *s, size_t len);
uint32_t strtab_intern(struct strtab *t, const char *s);
/* Returns the id of s, or UINT32_MAX when s is not in the table. */
uint32_t strtab_find(const struct strtab *t, const char *s);
static inline const char *strtab_get(const struct strtab *t, uint32_t id)
{
	return id < t->n ? t->str[id] : "";
}
static inline size_t strtab_count(const struct strtab *t)
{
	return t->n;
}

#endif
