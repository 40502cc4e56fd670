/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * u64map.h - a hash map from 64-bit keys to 64-bit values: open
 * addressing, linear probing, deletion by backward shift (no tombstones).
 * The key UINT64_MAX is reserved.
 */
#ifndef SLABSIM_U64MAP_H
#define SLABSIM_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map_slot {
	uint64_t key, val;
};

struct u64map {
	struct u64map_slot *s;
	size_t n, cap;
};

void u64map_init(struct u64map *m);
void u64map_fini(struct u64map *m);
/* Inserts key; false (and nothing changed) if it is already present. */
bool u64map_add(struct u64map *m, uint64_t key, uint64_t val);
/* Sets key to val, inserting it if needed. */
void u64map_put(struct u64map *m, uint64_t key, uint64_t val);
/* True and *val set when key is present (val may be NULL). */
bool u64map_get(const struct u64map *m, uint64_t key, uint64_t *val);
/* Removes key; false if it was not present. */
bool u64map_del(struct u64map *m, uint64_t key);
static inline size_t u64map_count(const struct u64map *m)
{
	return m->n;
}

#endif
