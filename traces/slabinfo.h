/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slabinfo.h - /proc/slabinfo snapshots read whole: every row's counts and
 * geometry, for validation against a capture.
 *
 * A file holds one snapshot ("slabinfo - version: 2.1" and its rows) or
 * several in a row, as the bundled W.slabinfo.txt files do ("### ...
 * before the workload", then "after").  SLUB prints "tunables 0 0 0".
 * Caches the kernel merged (SLAB_MERGE_DEFAULT) have no row of their own:
 * their objects are counted under the cache they were merged into.
 */
#ifndef SLABSIM_TRACES_SLABINFO_H
#define SLABSIM_TRACES_SLABINFO_H

#include <stddef.h>
#include <stdint.h>

struct slabinfo_cache {
	char name[64];
	uint64_t active_objs, num_objs;
	uint32_t objsize;		/* s->size: object plus metadata, the slot stride */
	uint32_t objperslab;
	uint32_t pagesperslab;		/* 1 << the slab order */
	uint64_t active_slabs, num_slabs;
};

struct slabinfo_snap {
	struct slabinfo_cache *c;
	size_t n;
};

struct slabinfo_file {
	struct slabinfo_snap *snap;	/* in file order */
	size_t nsnap;
};

/*
 * Reads every snapshot of path.  Returns 0, or a negative errno with
 * "FILE:LINE: field 'F': ..." in err for an unreadable or malformed file.
 */
int slabinfo_read_file(const char *path, struct slabinfo_file *f, char *err, size_t errlen);
void slabinfo_file_fini(struct slabinfo_file *f);

/* The row of name in s, or NULL. */
const struct slabinfo_cache *slabinfo_find(const struct slabinfo_snap *s, const char *name);

#endif
