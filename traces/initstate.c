/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initstate.c - warm start from a /proc/slabinfo snapshot (see initstate.h). */
#include "config.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xalloc.h"
#include "traces/initstate.h"

struct slabinfo_row {
	uint32_t cache;			/* the trace's cache id */
	unsigned long active, num;
};

struct prefix {
	struct sim_event *ev;
	size_t n, cap;
	uint32_t nobjs;
	uint32_t **pool;		/* per cache id: pre-existing live objects (oids) */
	size_t *npool;
};

/* Reads one "name active num objsize objperslab pagesperslab : ..." row. */
static int slabinfo_parse_row(const char *path, unsigned lineno, char *line, char *name, size_t namelen,
			      unsigned long *active, unsigned long *num, char *err, size_t errlen)
{
	static const char *const field[] = { "name", "active_objs", "num_objs" };
	char *save = NULL, *tok[3];
	unsigned long v[3];

	for (int i = 0; i < 3; i++) {
		tok[i] = strtok_r(i ? NULL : line, " \t\n", &save);
		if (!tok[i]) {
			snprintf(err, errlen, "%s:%u: field '%s': missing", path, lineno, field[i]);
			return -EINVAL;
		}
		if (i) {
			char *end;

			v[i] = strtoul(tok[i], &end, 10);
			if (end == tok[i] || *end) {
				snprintf(err, errlen, "%s:%u: field '%s': expected a number, got '%s'", path, lineno,
					 field[i], tok[i]);
				return -EINVAL;
			}
		}
	}
	if (v[1] > v[2] || v[2] > 100000000ul) {
		snprintf(err, errlen, "%s:%u: field 'active_objs': %lu active of %lu objects", path, lineno, v[1], v[2]);
		return -EINVAL;
	}
	snprintf(name, namelen, "%s", tok[0]);
	*active = v[1];
	*num = v[2];
	return 0;
}

/* The first snapshot's rows of the trace's caches. */
static int slabinfo_read(const char *path, const struct sim_workload *w, struct slabinfo_row **rows,
			 size_t *nrows, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024], name[256];
	unsigned lineno = 0;
	size_t cap = 0;
	bool in = false, seen = false;
	int rc = 0;

	*rows = NULL;
	*nrows = 0;
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (!rc && fgets(line, sizeof(line), f)) {
		unsigned long active, num;
		uint32_t id;

		lineno++;
		if (!strncmp(line, "slabinfo - version:", 19)) {
			if (seen)
				break;
			in = seen = true;
			continue;
		}
		if (!strncmp(line, "###", 3) && seen)
			break;
		if (!in || line[0] == '#' || line[0] == '\n')
			continue;
		rc = slabinfo_parse_row(path, lineno, line, name, sizeof(name), &active, &num, err, errlen);
		if (rc || !num)
			continue;
		id = strtab_find(&w->caches, name);
		if (id == UINT32_MAX || !id)
			continue;
		xgrow((void **)rows, &cap, *nrows + 1, sizeof(**rows));
		(*rows)[(*nrows)++] = (struct slabinfo_row){ .cache = id, .active = active, .num = num };
	}
	fclose(f);
	if (!rc && !seen) {
		snprintf(err, errlen, "%s: not /proc/slabinfo text (no 'slabinfo - version:' line)", path);
		rc = -EINVAL;
	}
	return rc;
}

static void prefix_push(struct prefix *p, const struct sim_workload *w, unsigned cpu, enum sim_ev_op op,
			uint32_t oid, uint32_t cache)
{
	struct sim_event e = { .t_ns = 0, .ptr = 0xfeed000000000000ull + (uint64_t)oid * 64, .oid = oid,
			       .cache = cache, .bytes_req = w->cache_size[cache], .bytes_alloc = w->cache_size[cache],
			       .cpu = (uint16_t)cpu, .op = (uint8_t)op, .node = SIM_NO_NODE };

	xgrow((void **)&p->ev, &p->cap, p->n + 1, sizeof(*p->ev));
	p->ev[p->n++] = e;
}

/* num allocations round-robin over the cpus, then frees of num - active chosen by rng. */
static void prefix_cache(struct prefix *p, const struct sim_workload *w, const struct slabinfo_row *row,
			 gsl_rng *rng)
{
	unsigned ncpus = w->ncpus ? w->ncpus : 1;
	uint32_t first = p->nobjs;
	uint32_t *order = xmalloc(row->num * sizeof(*order));

	for (unsigned long i = 0; i < row->num; i++) {
		prefix_push(p, w, (unsigned)(i % ncpus), SIM_EV_ALLOC, first + (uint32_t)i, row->cache);
		order[i] = (uint32_t)i;
	}
	gsl_ran_shuffle(rng, order, row->num, sizeof(*order));
	for (unsigned long i = 0; i < row->num - row->active; i++)
		prefix_push(p, w, order[i] % ncpus, SIM_EV_FREE, first + order[i], row->cache);
	p->pool[row->cache] = xrealloc(p->pool[row->cache], (p->npool[row->cache] + row->active) * sizeof(uint32_t));
	for (unsigned long i = row->num - row->active; i < row->num; i++)
		p->pool[row->cache][p->npool[row->cache]++] = first + order[i];
	p->nobjs += (uint32_t)row->num;
	free(order);
}

/* Shifts the trace's objects after the prefix's; unmatched frees take pre-existing objects. */
static uint64_t prefix_join(struct prefix *p, struct sim_workload *w)
{
	uint64_t matched = 0;

	for (size_t i = 0; i < w->nev; i++) {
		struct sim_event e = w->ev[i];

		if (e.oid != SIM_OID_NONE) {
			e.oid += p->nobjs;
		} else if (e.op == SIM_EV_FREE && (e.flags & SIM_EVF_UNMATCHED) && p->npool[e.cache]) {
			e.oid = p->pool[e.cache][--p->npool[e.cache]];
			e.flags &= (uint8_t)~SIM_EVF_UNMATCHED;
			matched++;
		}
		xgrow((void **)&p->ev, &p->cap, p->n + 1, sizeof(*p->ev));
		p->ev[p->n++] = e;
	}
	return matched;
}

int trace_initstate_apply(struct sim_workload *w, const char *slabinfo_path, uint64_t seed,
			  struct trace_initstate_result *res, char *err, size_t errlen)
{
	size_t ncaches = strtab_count(&w->caches), nrows;
	struct prefix p = { 0 };
	struct slabinfo_row *rows;
	gsl_rng *rng;
	int rc = slabinfo_read(slabinfo_path, w, &rows, &nrows, err, errlen);

	memset(res, 0, sizeof(*res));
	if (rc)
		return rc;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		abort();
	gsl_rng_set(rng, (unsigned long)seed);
	p.pool = xcalloc(ncaches, sizeof(*p.pool));
	p.npool = xcalloc(ncaches, sizeof(*p.npool));
	for (size_t i = 0; i < nrows; i++)
		prefix_cache(&p, w, &rows[i], rng);
	res->prefix_events = p.n;
	res->caches = nrows;
	res->objects = p.nobjs;
	res->matched_frees = prefix_join(&p, w);
	free(w->ev);
	w->ev = p.ev;
	w->nev = p.n;
	w->cap = p.cap;
	w->nobjs += p.nobjs;
	w->anomaly[SIM_AN_unmatched_free] -= res->matched_frees;
	for (size_t i = 0; i < ncaches; i++)
		free(p.pool[i]);
	free(p.pool);
	free(p.npool);
	free(rows);
	gsl_rng_free(rng);
	{
		size_t n = strlen(w->source);
		const char *base = strrchr(slabinfo_path, '/');

		snprintf(w->source + n, sizeof(w->source) - n, " [initial state %s]", base ? base + 1 : slabinfo_path);
	}
	w->digest = sim_workload_digest(w);
	return 0;
}
