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
#include "traces/slabinfo.h"

struct slabinfo_row {
	uint32_t cache;			/* the trace's cache id */
	unsigned long active, num;
	unsigned long objperslab;	/* objects per slab (0 unknown) */
};

struct prefix {
	struct sim_event *ev;
	size_t n, cap;
	uint32_t nobjs;
	size_t ncaches;
	uint32_t **pool;		/* per cache id: pre-existing live objects (oids) */
	size_t *npool;
};

/* The first snapshot's rows of the trace's caches that have objects. */
static int slabinfo_read(const char *path, const struct sim_workload *w, struct slabinfo_row **rows,
			 size_t *nrows, char *err, size_t errlen)
{
	struct slabinfo_file f;
	size_t cap = 0;
	int rc = slabinfo_read_file(path, &f, err, errlen);

	*rows = NULL;
	*nrows = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < f.snap[0].n; i++) {
		const struct slabinfo_cache *c = &f.snap[0].c[i];
		uint32_t id = strtab_find(&w->caches, c->name);

		if (!c->num_objs || id == UINT32_MAX || !id)
			continue;
		xgrow((void **)rows, &cap, *nrows + 1, sizeof(**rows));
		(*rows)[(*nrows)++] = (struct slabinfo_row){ .cache = id, .active = c->active_objs, .num = c->num_objs,
							     .objperslab = c->objperslab };
	}
	slabinfo_file_fini(&f);
	return 0;
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

/*
 * Marks up to n more objects free (freed[] set) in cpu's slabs, from the
 * end of the last one it allocated (its cpu slab) backwards; returns how
 * many it marked.
 */
static unsigned long prefix_free_on_cpu(bool *freed, unsigned long num, unsigned long chunk, unsigned ncpus,
					unsigned cpu, unsigned long n)
{
	unsigned long nchunks = (num + chunk - 1) / chunk, done = 0;

	for (unsigned long k = nchunks; done < n && k-- > 0; ) {
		if (k % ncpus != cpu)
			continue;
		for (unsigned long i = SIM_MIN((k + 1) * chunk, num); done < n && i-- > k * chunk; )
			if (!freed[i]) {
				freed[i] = true;
				done++;
			}
	}
	return done;
}

/*
 * Marks hidden more objects free beyond the snapshot's: SLUB's cpu slabs
 * and cpu partial slabs hold free objects that /proc/slabinfo counts as
 * active.  They are shared out over the cpus in proportion to want[cpu]
 * (the free objects each cpu was seen to take) and freed in that cpu's
 * slabs, its cpu slab first; what a cpu's slabs cannot hold comes from
 * the last slabs of any cpu.
 */
static void prefix_hidden_free(bool *freed, unsigned long num, unsigned long chunk, unsigned ncpus,
			       const uint64_t *want, unsigned long hidden)
{
	uint64_t total = 0;
	unsigned long left = hidden;

	for (unsigned c = 0; c < ncpus; c++)
		total += want[c];
	for (unsigned c = 0; c < ncpus && total; c++) {
		unsigned long share = (unsigned long)((double)hidden * (double)want[c] / (double)total + 0.5);

		left -= prefix_free_on_cpu(freed, num, chunk, ncpus, c, SIM_MIN(share, left));
	}
	for (unsigned long i = num; left && i-- > 0; )
		if (!freed[i]) {
			freed[i] = true;
			left--;
		}
}

/*
 * num allocations, a slab's worth (objperslab) at a time on each cpu in
 * turn, so that they fill num_slabs slabs as SLUB fills a cpu slab before
 * it takes another; then frees, each on the cpu that allocated the
 * object: num - active chosen by rng (the snapshot's free objects, on node
 * partial lists), and up to the sum of min_free[cpu] in all (see
 * prefix_hidden_free()).
 */
static void prefix_cache(struct prefix *p, const struct sim_workload *w, const struct slabinfo_row *row,
			 const uint64_t *min_free, gsl_rng *rng)
{
	unsigned ncpus = w->ncpus ? w->ncpus : 1;
	unsigned long chunk = row->objperslab ? row->objperslab : 1;
	unsigned long nfree = row->num - row->active;
	uint64_t want = 0;
	uint32_t first = p->nobjs;
	uint32_t *order = xmalloc(row->num * sizeof(*order));
	bool *freed = xcalloc(row->num, sizeof(*freed));

	for (unsigned long i = 0; i < row->num; i++) {
		prefix_push(p, w, (unsigned)(i / chunk % ncpus), SIM_EV_ALLOC, first + (uint32_t)i, row->cache);
		order[i] = (uint32_t)i;
	}
	gsl_ran_shuffle(rng, order, row->num, sizeof(*order));
	for (unsigned long i = 0; i < nfree; i++)
		freed[order[i]] = true;
	for (unsigned c = 0; min_free && c < ncpus; c++)
		want += min_free[c];
	if (want > nfree)
		prefix_hidden_free(freed, row->num, chunk, ncpus, min_free, SIM_MIN(want, row->num) - nfree);
	for (unsigned long i = 0; i < row->num; i++)
		if (freed[order[i]])
			prefix_push(p, w, (unsigned)(order[i] / chunk % ncpus), SIM_EV_FREE, first + order[i],
				    row->cache);
	p->pool[row->cache] = xrealloc(p->pool[row->cache], (p->npool[row->cache] + row->num) * sizeof(uint32_t));
	for (unsigned long i = 0; i < row->num; i++)
		if (!freed[order[i]])
			p->pool[row->cache][p->npool[row->cache]++] = first + order[i];
	p->nobjs += (uint32_t)row->num;
	free(freed);
	free(order);
}

/* Shifts a trace event's object after the prefix's; an unmatched free takes a pre-existing object. */
static bool prefix_map(struct prefix *p, struct sim_event *e)
{
	if (e->oid != SIM_OID_NONE) {
		e->oid += p->nobjs;
	} else if (e->op == SIM_EV_FREE && (e->flags & SIM_EVF_UNMATCHED) && e->cache < p->ncaches &&
		   p->npool[e->cache]) {
		e->oid = p->pool[e->cache][--p->npool[e->cache]];
		e->flags &= (uint8_t)~SIM_EVF_UNMATCHED;
		return true;
	}
	return false;
}

static void prefix_fini(struct prefix *p)
{
	for (size_t i = 0; i < p->ncaches; i++)
		free(p->pool[i]);
	free(p->pool);
	free(p->npool);
	free(p->ev);
	memset(p, 0, sizeof(*p));
}

/* The prefix for w's caches from the snapshot; 0 or the snapshot's error. */
static int prefix_build(struct prefix *p, const struct sim_workload *w, const char *slabinfo_path, uint64_t seed,
			const uint64_t *min_free, struct trace_initstate_result *res, char *err, size_t errlen)
{
	struct slabinfo_row *rows;
	size_t nrows;
	gsl_rng *rng;
	int rc = slabinfo_read(slabinfo_path, w, &rows, &nrows, err, errlen);

	memset(p, 0, sizeof(*p));
	memset(res, 0, sizeof(*res));
	if (rc)
		return rc;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!rng)
		abort();
	gsl_rng_set(rng, (unsigned long)seed);
	p->ncaches = strtab_count(&w->caches);
	p->pool = xcalloc(p->ncaches ? p->ncaches : 1, sizeof(*p->pool));
	p->npool = xcalloc(p->ncaches ? p->ncaches : 1, sizeof(*p->npool));
	for (size_t i = 0; i < nrows; i++)
		prefix_cache(p, w, &rows[i], min_free ? &min_free[(size_t)rows[i].cache * (w->ncpus ? w->ncpus : 1)] : NULL,
			     rng);
	res->prefix_events = p->n;
	res->caches = nrows;
	res->objects = p->nobjs;
	free(rows);
	gsl_rng_free(rng);
	return 0;
}

/* w's name says where its state came from. */
static void prefix_note(struct sim_workload *w, const char *slabinfo_path)
{
	size_t n = strlen(w->source);
	const char *base = strrchr(slabinfo_path, '/');

	snprintf(w->source + n, sizeof(w->source) - n, " [initial state %s]", base ? base + 1 : slabinfo_path);
}

int trace_initstate_apply(struct sim_workload *w, const char *slabinfo_path, uint64_t seed,
			  struct trace_initstate_result *res, char *err, size_t errlen)
{
	return trace_initstate_apply_ex(w, slabinfo_path, seed, NULL, res, err, errlen);
}

int trace_initstate_apply_ex(struct sim_workload *w, const char *slabinfo_path, uint64_t seed,
			     const uint64_t *min_free, struct trace_initstate_result *res, char *err, size_t errlen)
{
	struct prefix p;
	int rc = prefix_build(&p, w, slabinfo_path, seed, min_free, res, err, errlen);

	if (rc)
		return rc;
	xgrow((void **)&p.ev, &p.cap, p.n + w->nev, sizeof(*p.ev));
	for (size_t i = 0; i < w->nev; i++) {
		struct sim_event e = w->ev[i];

		res->matched_frees += prefix_map(&p, &e);
		p.ev[p.n++] = e;
	}
	free(w->ev);
	w->ev = p.ev;
	w->nev = p.n;
	w->cap = p.cap;
	p.ev = NULL;
	w->nobjs += p.nobjs;
	w->anomaly[SIM_AN_unmatched_free] -= res->matched_frees;
	prefix_fini(&p);
	prefix_note(w, slabinfo_path);
	w->digest = sim_workload_digest(w);
	return 0;
}

/* ---- streaming ------------------------------------------------------------------------- */

struct trace_initstate_source {
	struct sim_source src;
	struct sim_source *in;
	struct sim_workload *w;
	struct prefix p;
	size_t next;			/* next prefix event */
	struct trace_initstate_result res;
	struct sim_event_tally tally;	/* of the events yielded */
	bool ended;
};

/* What the events came to, into w, once they have all passed (after the stage below finished). */
static void is_finish(struct trace_initstate_source *s)
{
	struct sim_workload *w = s->w;

	s->ended = true;
	w->anomaly[SIM_AN_unmatched_free] -= s->res.matched_frees;
	sim_event_tally_finish(&s->tally, w);
}

static int is_next(struct sim_source *src, struct sim_event *e, char *err, size_t errlen)
{
	struct trace_initstate_source *s = src->priv;

	if (s->next < s->p.n) {
		*e = s->p.ev[s->next++];
	} else {
		int rc = s->ended ? 0 : s->in->next(s->in, e, err, errlen);

		if (rc <= 0) {
			if (!rc && !s->ended)
				is_finish(s);
			return rc;
		}
		s->res.matched_frees += prefix_map(&s->p, e);
	}
	sim_event_tally_add(&s->tally, e);
	return 1;
}

struct trace_initstate_source *trace_initstate_source_open(struct sim_source *in, struct sim_workload *w,
							   const char *slabinfo_path, uint64_t seed,
							   const uint64_t *min_free, char *err, size_t errlen)
{
	struct trace_initstate_source *s = xcalloc(1, sizeof(*s));

	if (prefix_build(&s->p, w, slabinfo_path, seed, min_free, &s->res, err, errlen)) {
		free(s);
		return NULL;
	}
	s->in = in;
	s->w = w;
	sim_event_tally_init(&s->tally);
	w->nobjs += s->p.nobjs;
	prefix_note(w, slabinfo_path);
	s->src = (struct sim_source){ .w = w, .total = in->total + s->p.n, .next = is_next, .priv = s };
	return s;
}

struct sim_source *trace_initstate_source_get(struct trace_initstate_source *s)
{
	return &s->src;
}

const struct trace_initstate_result *trace_initstate_source_result(const struct trace_initstate_source *s)
{
	return &s->res;
}

void trace_initstate_source_close(struct trace_initstate_source *s)
{
	if (!s)
		return;
	prefix_fini(&s->p);
	free(s);
}
