/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strtab.c - string interning with an open-addressing hash (FNV-1a). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/strtab.h"
#include "sim/xalloc.h"

static uint64_t strtab_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void strtab_rehash(struct strtab *t, size_t nslot)
{
	free(t->slot);
	t->slot = xcalloc(nslot, sizeof(*t->slot));
	t->nslot = nslot;
	for (size_t id = 0; id < t->n; id++) {
		size_t i = strtab_hash(t->str[id], strlen(t->str[id])) & (nslot - 1);

		while (t->slot[i])
			i = (i + 1) & (nslot - 1);
		t->slot[i] = (uint32_t)id + 1;
	}
}

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	strtab_rehash(t, 64);
	strtab_intern(t, "");
}

void strtab_fini(struct strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->str[i]);
	free(t->str);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static size_t strtab_probe(const struct strtab *t, const char *s, size_t len)
{
	size_t i = strtab_hash(s, len) & (t->nslot - 1);

	for (; t->slot[i]; i = (i + 1) & (t->nslot - 1)) {
		const char *c = t->str[t->slot[i] - 1];

		/* strnlen first: s may hold a NUL, and c must not be read past its end */
		if (strnlen(c, len + 1) == len && !memcmp(c, s, len))
			break;
	}
	return i;
}

uint32_t strtab_intern_n(struct strtab *t, const char *s, size_t len)
{
	size_t i = strtab_probe(t, s, len);
	char *copy;

	if (t->slot[i])
		return t->slot[i] - 1;
	copy = xmalloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	xgrow((void **)&t->str, &t->cap, t->n + 1, sizeof(*t->str));
	t->str[t->n] = copy;
	t->slot[i] = (uint32_t)++t->n;
	if (t->n * 2 > t->nslot)
		strtab_rehash(t, t->nslot * 2);
	return (uint32_t)t->n - 1;
}

uint32_t strtab_intern(struct strtab *t, const char *s)
{
	return strtab_intern_n(t, s, strlen(s));
}

uint32_t strtab_find(const struct strtab *t, const char *s)
{
	size_t i = strtab_probe(t, s, strlen(s));

	return t->slot[i] ? t->slot[i] - 1 : UINT32_MAX;
}
