/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slabinfo.c - /proc/slabinfo snapshots (see slabinfo.h). */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xalloc.h"
#include "traces/slabinfo.h"

/* The numeric columns of a version 2.1 row, in order (':', "tunables" and "slabdata" skipped). */
enum {
	F_ACTIVE, F_NUM, F_OBJSIZE, F_OBJPERSLAB, F_PAGESPERSLAB, F_LIMIT, F_BATCHCOUNT, F_SHAREDFACTOR,
	F_ACTIVE_SLABS, F_NUM_SLABS, F_COUNT
};

static const char *const slabinfo_field[F_COUNT] = {
	"active_objs", "num_objs", "objsize", "objperslab", "pagesperslab", "limit", "batchcount",
	"sharedfactor", "active_slabs", "num_slabs",
};

static int slabinfo_number(const char *path, unsigned lineno, int field, const char *tok, uint64_t *v,
			   char *err, size_t errlen)
{
	char *end;

	errno = 0;
	*v = strtoull(tok, &end, 10);
	if (end == tok || *end || errno || *v > 1000000000ull) {
		snprintf(err, errlen, "%s:%u: field '%s': expected a count, got '%s'", path, lineno,
			 slabinfo_field[field], tok);
		return -EINVAL;
	}
	return 0;
}

static int slabinfo_row(const char *path, unsigned lineno, char *line, struct slabinfo_cache *c,
			char *err, size_t errlen)
{
	char *save = NULL, *tok = strtok_r(line, " \t\n", &save);
	uint64_t v[F_COUNT] = { 0 };
	int field = 0, rc = 0;

	snprintf(c->name, sizeof(c->name), "%s", tok);
	while (!rc && field < F_COUNT && (tok = strtok_r(NULL, " \t\n", &save))) {
		if (!strcmp(tok, ":") || !strcmp(tok, "tunables") || !strcmp(tok, "slabdata"))
			continue;
		rc = slabinfo_number(path, lineno, field, tok, &v[field], err, errlen);
		field++;
	}
	if (rc)
		return rc;
	if (field < F_COUNT) {
		snprintf(err, errlen, "%s:%u: field '%s': missing", path, lineno, slabinfo_field[field]);
		return -EINVAL;
	}
	if (v[F_ACTIVE] > v[F_NUM] || !v[F_OBJSIZE] || !v[F_PAGESPERSLAB] ||
	    (v[F_PAGESPERSLAB] & (v[F_PAGESPERSLAB] - 1)) || v[F_ACTIVE_SLABS] > v[F_NUM_SLABS]) {
		snprintf(err, errlen, "%s:%u: field '%s': inconsistent row (%" PRIu64 " of %" PRIu64
			 " objects, size %" PRIu64 ", %" PRIu64 " pages per slab)", path, lineno,
			 slabinfo_field[F_ACTIVE], v[F_ACTIVE], v[F_NUM], v[F_OBJSIZE], v[F_PAGESPERSLAB]);
		return -EINVAL;
	}
	c->active_objs = v[F_ACTIVE];
	c->num_objs = v[F_NUM];
	c->objsize = (uint32_t)v[F_OBJSIZE];
	c->objperslab = (uint32_t)v[F_OBJPERSLAB];
	c->pagesperslab = (uint32_t)v[F_PAGESPERSLAB];
	c->active_slabs = v[F_ACTIVE_SLABS];
	c->num_slabs = v[F_NUM_SLABS];
	return 0;
}

int slabinfo_read_file(const char *path, struct slabinfo_file *f, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	unsigned lineno = 0;
	size_t snapcap = 0, ccap = 0;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	if (!fp) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while (!rc && fgets(line, sizeof(line), fp)) {
		struct slabinfo_snap *s;

		lineno++;
		if (!strncmp(line, "slabinfo - version:", 19)) {
			xgrow((void **)&f->snap, &snapcap, f->nsnap + 1, sizeof(*f->snap));
			f->snap[f->nsnap++] = (struct slabinfo_snap){ 0 };
			ccap = 0;
			continue;
		}
		if (!f->nsnap || line[0] == '#' || !line[strspn(line, " \t\r\n")])
			continue;	/* before the first snapshot, a comment, or blank */
		s = &f->snap[f->nsnap - 1];
		xgrow((void **)&s->c, &ccap, s->n + 1, sizeof(*s->c));
		memset(&s->c[s->n], 0, sizeof(s->c[s->n]));
		rc = slabinfo_row(path, lineno, line, &s->c[s->n], err, errlen);
		if (!rc)
			s->n++;
	}
	fclose(fp);
	if (!rc && !f->nsnap) {
		snprintf(err, errlen, "%s: not /proc/slabinfo text (no 'slabinfo - version:' line)", path);
		rc = -EINVAL;
	}
	if (rc)
		slabinfo_file_fini(f);
	return rc;
}

void slabinfo_file_fini(struct slabinfo_file *f)
{
	for (size_t i = 0; i < f->nsnap; i++)
		free(f->snap[i].c);
	free(f->snap);
	memset(f, 0, sizeof(*f));
}

const struct slabinfo_cache *slabinfo_find(const struct slabinfo_snap *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			return &s->c[i];
	return NULL;
}
