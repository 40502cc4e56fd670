/* SPDX-License-Identifier: GPL-2.0-or-later */
/* u64map.c - open-addressing hash map of 64-bit keys and values. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sim/u64map.h"
#include "sim/xalloc.h"

#define EMPTY UINT64_MAX

static size_t u64map_home(const struct u64map *m, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (m->cap - 1);
}

static void u64map_resize(struct u64map *m, size_t cap)
{
	struct u64map old = *m;

	m->cap = cap;
	m->n = 0;
	m->s = xmalloc(cap * sizeof(*m->s));
	for (size_t i = 0; i < cap; i++)
		m->s[i].key = EMPTY;
	for (size_t i = 0; i < old.cap; i++)
		if (old.s[i].key != EMPTY)
			u64map_add(m, old.s[i].key, old.s[i].val);
	free(old.s);
}

void u64map_init(struct u64map *m)
{
	memset(m, 0, sizeof(*m));
	u64map_resize(m, 64);
}

void u64map_fini(struct u64map *m)
{
	free(m->s);
	memset(m, 0, sizeof(*m));
}

static size_t u64map_find(const struct u64map *m, uint64_t key)
{
	size_t i = u64map_home(m, key);

	while (m->s[i].key != EMPTY && m->s[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

bool u64map_add(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap)
		u64map_resize(m, m->cap * 2);
	i = u64map_find(m, key);
	if (m->s[i].key == key)
		return false;
	m->s[i].key = key;
	m->s[i].val = val;
	m->n++;
	return true;
}

void u64map_put(struct u64map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if (u64map_add(m, key, val))
		return;
	i = u64map_find(m, key);
	m->s[i].val = val;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val)
{
	size_t i = u64map_find(m, key);

	if (m->s[i].key != key)
		return false;
	if (val)
		*val = m->s[i].val;
	return true;
}

bool u64map_del(struct u64map *m, uint64_t key)
{
	size_t i = u64map_find(m, key), j;

	if (m->s[i].key != key)
		return false;
	m->s[i].key = EMPTY;
	for (j = (i + 1) & (m->cap - 1); m->s[j].key != EMPTY; j = (j + 1) & (m->cap - 1)) {
		size_t k = u64map_home(m, m->s[j].key);

		/* move slot j into the hole at i unless its home lies cyclically in (i, j] */
		if ((i < j) ? (k <= i || k > j) : (k <= i && k > j)) {
			m->s[i] = m->s[j];
			m->s[j].key = EMPTY;
			i = j;
		}
	}
	m->n--;
	return true;
}
