/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * resolve.c - the pairing pass: object ids, unmatched and NULL frees,
 * reallocations of live pointers, cache names for nameless allocations,
 * and the kmalloc size-class names of Linux 6.1 (mm/slab_common.c,
 * kmalloc_info[] and kmalloc_type()).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/u64map.h"
#include "sim/xalloc.h"
#include "traces/ftrace.h"
#include "traces/resolve.h"
#include "traces/spool.h"

/* ZERO_OR_NULL_PTR(): kfree(NULL) and kfree(ZERO_SIZE_PTR) are no-ops. */
#define RESOLVE_ZERO_SIZE_PTR 16u

/* ---- kmalloc names ------------------------------------------------------- */

static const uint32_t kmalloc_sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 };

/* kmalloc_slab(): size_index[] up to 192 bytes, fls(size - 1) above. */
static uint32_t kmalloc_class_of_request(uint32_t bytes)
{
	if (bytes <= 64) {
		uint32_t c = 8;

		while (c < bytes)
			c *= 2;
		return c;
	}
	if (bytes <= 96)
		return 96;
	if (bytes <= 128)
		return 128;
	if (bytes <= 192)
		return 192;
	uint32_t c = 256;

	while (c < bytes)
		c *= 2;
	return c;
}

static uint32_t kmalloc_class(uint32_t bytes_req, uint32_t bytes_alloc)
{
	for (size_t i = 0; i < sizeof(kmalloc_sizes) / sizeof(kmalloc_sizes[0]); i++)
		if (kmalloc_sizes[i] == bytes_alloc)
			return bytes_alloc;
	/* s->size is not a class size when slub_debug pads objects */
	return kmalloc_class_of_request(bytes_req ? bytes_req : bytes_alloc);
}

void trace_kmalloc_name(char *buf, size_t n, uint32_t bytes_req, uint32_t bytes_alloc,
			unsigned int gfp, int accounted, bool *large)
{
	const char *prefix = "kmalloc-";
	uint32_t c;

	*large = bytes_alloc > TRACE_KMALLOC_MAX_CACHE_SIZE || bytes_req > TRACE_KMALLOC_MAX_CACHE_SIZE;
	if (*large) {
		snprintf(buf, n, "kmalloc-large");
		return;
	}
	if (gfp & FTRACE_GFP_DMA)
		prefix = "dma-kmalloc-";
	else if (gfp & FTRACE_GFP_RECLAIMABLE)
		prefix = "kmalloc-rcl-";
	else if (accounted == 1)
		prefix = "kmalloc-cg-";
	c = kmalloc_class(bytes_req, bytes_alloc);
	if (c >= 1024)
		snprintf(buf, n, "%s%uk", prefix, c / 1024);
	else
		snprintf(buf, n, "%s%u", prefix, c);
}

uint32_t trace_kmalloc_cache(struct sim_workload *w, uint32_t bytes_req, uint32_t bytes_alloc,
			     unsigned int gfp, int accounted, uint8_t *evflags)
{
	char name[48];
	bool large;

	trace_kmalloc_name(name, sizeof(name), bytes_req, bytes_alloc, gfp, accounted, &large);
	if (large) {
		*evflags |= SIM_EVF_LARGE;
		return sim_workload_cache(w, name, 0, SIM_CACHEF_LARGE);
	}
	return sim_workload_cache(w, name, kmalloc_class(bytes_req, bytes_alloc), SIM_CACHEF_KMALLOC);
}

/*
 * ---- the resolver ---------------------------------------------------------
 *
 * Pass 1 (trace_resolver_event), in trace order: object ids, pairing, and
 * what pairing can name at once.  A nameless ALLOC named by its FREE has its
 * stored cache patched; a FREE of a named object takes that object's cache.
 * What stays nameless is an ALLOC whose FREE is nameless too, never comes, or
 * was lost: it is named by the key (call site, bytes_alloc) alone, from the
 * votes of every named allocation with that key, or a guess.  A FREE of such
 * an object keeps the key in a side stream so pass 3 can name it the same.
 * Pass 2 (trace_resolver_tables): votes, guesses (interned in the trace
 * order of their first use, as the sequential rule would), sizes, counts.
 * Pass 3 (trace_resolver_emit): the events again, named, rebased, digested.
 * Memory: the live objects, and one entry per key and per cache.
 */

struct resolve_obj {
	uint64_t idx;			/* its ALLOC's event index; free list: next slot */
	uint64_t key;
	uint32_t oid, cache;
	uint8_t flags;			/* of the ALLOC */
};

struct resolve_vote {
	uint64_t n;
	uint32_t cache, next;		/* next: index + 1 of the key's next vote, 0 none */
};

struct resolve_ukey {			/* allocations named by their key */
	uint64_t key, first, n;		/* first: event index of the earliest */
	uint32_t cache;
};

struct resolve_cache {
	uint64_t allocs;		/* allocations that end in the cache */
	uint64_t first;			/* event index of its first sized allocation */
	uint32_t first_bytes;
};

struct trace_resolver {
	struct sim_workload *w;
	struct trace_spool *ev, *side;	/* NULL: events in w->ev, side keys in memory */
	uint64_t *mside;
	size_t nmside, mside_cap, mside_next;
	uint64_t n;			/* events kept */
	struct u64map live;		/* pointer -> slot in obj */
	struct resolve_obj *obj;
	size_t obj_cap, obj_used;
	uint64_t obj_free;		/* slot + 1 of the first free slot, 0 none */
	struct u64map vote_head;	/* key -> index + 1 of its first vote */
	struct resolve_vote *votes;
	size_t nvotes, votes_cap;
	struct u64map ukey_of;		/* key -> index in ukeys */
	struct resolve_ukey *ukeys;
	size_t nukeys, ukeys_cap;
	struct resolve_cache *cache;
	size_t cache_cap;
	struct u64map final;		/* key -> cache, after pass 2 */
	uint64_t nameless;		/* ALLOCs read without a cache name */
};

static inline uint64_t resolve_key(uint32_t site, uint32_t bytes_alloc)
{
	return (uint64_t)site << 32 | bytes_alloc;
}

static struct resolve_cache *resolve_cache_of(struct trace_resolver *r, uint32_t c)
{
	if (c >= r->cache_cap) {
		size_t old = r->cache_cap;

		xgrow((void **)&r->cache, &r->cache_cap, (size_t)c + 1, sizeof(*r->cache));
		for (size_t i = old; i < r->cache_cap; i++)
			r->cache[i] = (struct resolve_cache){ .first = UINT64_MAX };
	}
	return &r->cache[c];
}

/* n allocations end in cache c, the earliest at event idx. */
static void resolve_note(struct trace_resolver *r, uint32_t c, uint64_t idx, uint32_t bytes, uint8_t flags,
			 uint64_t n)
{
	struct resolve_cache *rc = resolve_cache_of(r, c);

	rc->allocs += n;
	if (bytes && !(flags & SIM_EVF_LARGE) && idx < rc->first) {
		rc->first = idx;
		rc->first_bytes = bytes;
	}
}

static void resolve_vote(struct trace_resolver *r, uint64_t key, uint32_t c)
{
	uint64_t head = 0;
	uint32_t *link = NULL;

	u64map_get(&r->vote_head, key, &head);
	for (uint32_t v = (uint32_t)head; v; v = r->votes[v - 1].next) {
		if (r->votes[v - 1].cache == c) {
			r->votes[v - 1].n++;
			return;
		}
		link = &r->votes[v - 1].next;
	}
	xgrow((void **)&r->votes, &r->votes_cap, r->nvotes + 1, sizeof(*r->votes));
	r->votes[r->nvotes] = (struct resolve_vote){ .n = 1, .cache = c };
	r->nvotes++;
	if (link)
		*link = (uint32_t)r->nvotes;
	else
		u64map_put(&r->vote_head, key, r->nvotes);
}

/* The cache most named allocations with this key went to (ties: the lowest id); 0 none. */
static uint32_t resolve_vote_winner(const struct trace_resolver *r, uint64_t key)
{
	uint64_t head = 0, best_n = 0;
	uint32_t best = 0;

	u64map_get(&r->vote_head, key, &head);
	for (uint32_t v = (uint32_t)head; v; v = r->votes[v - 1].next) {
		const struct resolve_vote *vo = &r->votes[v - 1];

		if (vo->n > best_n || (vo->n == best_n && vo->cache < best)) {
			best_n = vo->n;
			best = vo->cache;
		}
	}
	return best;
}

/* An ALLOC that will be named by its key. */
static void resolve_unnamed(struct trace_resolver *r, uint64_t key, uint64_t idx)
{
	uint64_t i;

	if (!u64map_get(&r->ukey_of, key, &i)) {
		xgrow((void **)&r->ukeys, &r->ukeys_cap, r->nukeys + 1, sizeof(*r->ukeys));
		i = r->nukeys++;
		r->ukeys[i] = (struct resolve_ukey){ .key = key, .first = idx };
		u64map_put(&r->ukey_of, key, i);
	}
	r->ukeys[i].n++;
	if (idx < r->ukeys[i].first)
		r->ukeys[i].first = idx;
}

static uint64_t resolve_obj_new(struct trace_resolver *r)
{
	uint64_t slot;

	if (r->obj_free) {
		slot = r->obj_free - 1;
		r->obj_free = r->obj[slot].idx;
		return slot;
	}
	xgrow((void **)&r->obj, &r->obj_cap, r->obj_used + 1, sizeof(*r->obj));
	return r->obj_used++;
}

/* Forgets a live object; one still nameless is named by its key. */
static void resolve_obj_drop(struct trace_resolver *r, uint64_t slot, bool named_later)
{
	struct resolve_obj *o = &r->obj[slot];

	if (!o->cache && !named_later)
		resolve_unnamed(r, o->key, o->idx);
	o->oid = SIM_OID_NONE;
	o->idx = r->obj_free;
	r->obj_free = slot + 1;
}

static int resolve_patch_cache(struct trace_resolver *r, uint64_t idx, uint32_t c)
{
	if (!r->ev) {
		r->w->ev[idx].cache = c;
		return 0;
	}
	return trace_spool_patch(r->ev, idx, offsetof(struct sim_event, cache), &c, sizeof(c));
}

static int resolve_side_put(struct trace_resolver *r, uint64_t key)
{
	if (r->side)
		return trace_spool_put(r->side, &key);
	xgrow((void **)&r->mside, &r->mside_cap, r->nmside + 1, sizeof(*r->mside));
	r->mside[r->nmside++] = key;
	return 0;
}

static int resolve_alloc(struct trace_resolver *r, struct sim_event *e)
{
	struct sim_workload *w = r->w;
	uint64_t key = resolve_key(e->site, e->bytes_alloc), slot;
	int ret = TRACE_PAIR_OK;

	if (w->nobjs == SIM_OID_NONE)
		return -E2BIG;
	e->oid = w->nobjs++;
	e->flags &= (uint8_t)~SIM_EVF_REALLOC;
	if (u64map_get(&r->live, e->ptr, &slot)) {
		e->flags |= SIM_EVF_REALLOC;
		w->anomaly[SIM_AN_realloc_live]++;
		resolve_obj_drop(r, slot, false);	/* never freed */
		ret = TRACE_PAIR_REALLOC;
	}
	if (e->flags & SIM_EVF_LARGE)
		w->anomaly[SIM_AN_large_kmalloc]++;
	if (e->cache) {
		if (!(e->flags & SIM_EVF_KMALLOC))
			resolve_vote(r, key, e->cache);
		resolve_note(r, e->cache, r->n, e->bytes_alloc, e->flags, 1);
	} else {
		r->nameless++;
	}
	if (e->ptr == UINT64_MAX) {	/* the map's reserved key; never a real object */
		if (!e->cache)
			resolve_unnamed(r, key, r->n);
		return ret;
	}
	slot = resolve_obj_new(r);
	r->obj[slot] = (struct resolve_obj){
		.idx = r->n, .key = key, .oid = e->oid, .cache = e->cache, .flags = e->flags,
	};
	u64map_put(&r->live, e->ptr, slot);
	return ret;
}

static int resolve_free(struct trace_resolver *r, struct sim_event *e)
{
	struct sim_workload *w = r->w;
	struct resolve_obj *o;
	uint64_t slot;
	int ret = 0;

	e->oid = SIM_OID_NONE;
	e->flags &= (uint8_t)~(SIM_EVF_UNMATCHED | SIM_EVF_NULL);
	if (e->ptr <= RESOLVE_ZERO_SIZE_PTR) {
		e->flags |= SIM_EVF_NULL;
		w->anomaly[SIM_AN_null_free]++;
		return TRACE_PAIR_OK;
	}
	if (!u64map_get(&r->live, e->ptr, &slot)) {
		e->flags |= SIM_EVF_UNMATCHED;
		w->anomaly[SIM_AN_unmatched_free]++;
		return TRACE_PAIR_UNMATCHED;
	}
	u64map_del(&r->live, e->ptr);
	o = &r->obj[slot];
	e->oid = o->oid;
	e->flags |= o->flags & SIM_EVF_LARGE;
	if (o->cache) {
		e->cache = o->cache;		/* a FREE returns the object where it came from */
	} else if (e->cache) {			/* a nameless kmem_cache_alloc named by its free */
		ret = resolve_patch_cache(r, o->idx, e->cache);
		if (!(o->flags & SIM_EVF_KMALLOC))
			resolve_vote(r, o->key, e->cache);
		resolve_note(r, e->cache, o->idx, (uint32_t)o->key, o->flags, 1);
	} else {				/* both nameless: named by the ALLOC's key */
		ret = resolve_side_put(r, o->key);
	}
	resolve_obj_drop(r, slot, e->cache != 0);
	return ret ? ret : TRACE_PAIR_OK;
}

struct trace_resolver *trace_resolver_new(struct sim_workload *w, const char *spool_dir, char *err, size_t errlen)
{
	static const enum sim_anomaly owned[] = {
		SIM_AN_unmatched_free, SIM_AN_realloc_live, SIM_AN_null_free,
		SIM_AN_large_kmalloc, SIM_AN_page_alloc, SIM_AN_page_free, SIM_AN_unnamed_alloc,
	};
	struct trace_resolver *r = xcalloc(1, sizeof(*r));

	r->w = w;
	if (spool_dir) {
		r->ev = trace_spool_new(spool_dir, sizeof(struct sim_event), err, errlen);
		r->side = r->ev ? trace_spool_new(spool_dir, sizeof(uint64_t), err, errlen) : NULL;
		if (!r->side) {
			trace_resolver_free(r);
			return NULL;
		}
	}
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		w->anomaly[owned[i]] = 0;
	w->nobjs = 0;
	u64map_init(&r->live);
	u64map_init(&r->vote_head);
	u64map_init(&r->ukey_of);
	u64map_init(&r->final);
	return r;
}

void trace_resolver_free(struct trace_resolver *r)
{
	if (!r)
		return;
	trace_spool_free(r->ev);
	trace_spool_free(r->side);
	u64map_fini(&r->live);
	u64map_fini(&r->vote_head);
	u64map_fini(&r->ukey_of);
	u64map_fini(&r->final);
	free(r->mside);
	free(r->obj);
	free(r->votes);
	free(r->ukeys);
	free(r->cache);
	free(r);
}

int trace_resolver_event(struct trace_resolver *r, const struct sim_event *in)
{
	struct sim_workload *w = r->w;
	struct sim_event e = *in;
	int ret;

	if (e.op == SIM_EV_ALLOC && e.ptr == 0) {
		w->anomaly[SIM_AN_null_alloc]++;
		return TRACE_PAIR_DROPPED;
	}
	switch (e.op) {
	case SIM_EV_ALLOC:
		ret = resolve_alloc(r, &e);
		break;
	case SIM_EV_FREE:
		ret = resolve_free(r, &e);
		break;
	default:
		e.oid = SIM_OID_NONE;
		w->anomaly[e.op == SIM_EV_PAGE_ALLOC ? SIM_AN_page_alloc : SIM_AN_page_free]++;
		ret = TRACE_PAIR_OK;
		break;
	}
	if (ret < 0)
		return ret;
	if (r->ev) {
		int e2 = trace_spool_put(r->ev, &e);

		if (e2)
			return e2;
		if (e.cpu >= w->ncpus)
			w->ncpus = (uint16_t)(e.cpu + 1);
	} else {
		sim_workload_push(w, &e);
	}
	r->n++;
	return ret;
}

uint64_t trace_resolver_count(const struct trace_resolver *r)
{
	return r->n;
}

const char *trace_resolver_error(const struct trace_resolver *r)
{
	if (r->ev && trace_spool_error(r->ev)[0])
		return trace_spool_error(r->ev);
	if (r->side && trace_spool_error(r->side)[0])
		return trace_spool_error(r->side);
	return "out of object ids";
}

static uint32_t resolve_guess(struct sim_workload *w, uint64_t key)
{
	const char *site = strtab_get(&w->sites, (uint32_t)(key >> 32));
	const char *plus = strchr(site, '+');
	int len = plus ? (int)(plus - site) : (int)strlen(site);
	char name[300];

	if (len == 0)
		snprintf(name, sizeof(name), "site:unknown");
	else
		snprintf(name, sizeof(name), "site:%.*s", len > 280 ? 280 : len, site);
	return sim_workload_cache(w, name, (uint32_t)key, SIM_CACHEF_GUESSED);
}

static int resolve_ukey_first_cmp(const void *pa, const void *pb)
{
	const struct resolve_ukey *a = *(const struct resolve_ukey *const *)pa;
	const struct resolve_ukey *b = *(const struct resolve_ukey *const *)pb;

	return (a->first > b->first) - (a->first < b->first);
}

/* Names every key of an unnamed allocation: its vote winner, else a guess. */
static void resolve_name_keys(struct trace_resolver *r)
{
	struct resolve_ukey **guess = xmalloc((r->nukeys + 1) * sizeof(*guess));
	size_t ng = 0;

	for (size_t i = 0; i < r->nukeys; i++) {
		r->ukeys[i].cache = resolve_vote_winner(r, r->ukeys[i].key);
		if (!r->ukeys[i].cache)
			guess[ng++] = &r->ukeys[i];
	}
	qsort(guess, ng, sizeof(*guess), resolve_ukey_first_cmp);
	for (size_t i = 0; i < ng; i++)
		guess[i]->cache = resolve_guess(r->w, guess[i]->key);
	free(guess);
	for (size_t i = 0; i < r->nukeys; i++) {
		const struct resolve_ukey *u = &r->ukeys[i];

		u64map_put(&r->final, u->key, u->cache);
		resolve_note(r, u->cache, u->first, (uint32_t)u->key, 0, u->n);
	}
}

void trace_resolver_tables(struct trace_resolver *r)
{
	struct sim_workload *w = r->w;

	for (size_t s = 0; s < r->obj_used; s++)	/* live at the end, still nameless */
		if (r->obj[s].oid != SIM_OID_NONE && !r->obj[s].cache)
			resolve_unnamed(r, r->obj[s].key, r->obj[s].idx);
	resolve_name_keys(r);
	for (uint32_t c = 0; c < strtab_count(&w->caches); c++) {
		const struct resolve_cache *rc = resolve_cache_of(r, c);

		if (w->cache_flags[c] & SIM_CACHEF_GUESSED)
			w->anomaly[SIM_AN_unnamed_alloc] += rc->allocs;
		if (!w->cache_size[c] && rc->first != UINT64_MAX)
			w->cache_size[c] = rc->first_bytes;
	}
}

static uint32_t resolve_final(const struct trace_resolver *r, uint64_t key)
{
	uint64_t c = 0;

	u64map_get(&r->final, key, &c);
	return (uint32_t)c;
}

/* The final form of event e (the next of pass 3). */
static int resolve_finish_event(struct trace_resolver *r, struct sim_event *e, uint64_t t0)
{
	e->t_ns -= t0;
	if (e->cache)
		return 0;
	if (e->op == SIM_EV_ALLOC) {
		e->cache = resolve_final(r, resolve_key(e->site, e->bytes_alloc));
	} else if (e->op == SIM_EV_FREE && e->oid != SIM_OID_NONE) {
		uint64_t key;

		if (r->side) {
			int ret = trace_spool_get(r->side, &key);

			if (ret <= 0)
				return ret < 0 ? ret : -EIO;
		} else {
			key = r->mside[r->mside_next++];
		}
		e->cache = resolve_final(r, key);
	}
	return 0;
}

int trace_resolver_emit(struct trace_resolver *r, uint64_t t0, trace_resolve_emit_fn fn, void *arg)
{
	struct sim_workload *w = r->w;
	uint64_t h = SIM_DIGEST_INIT;
	int ret = 0;

	if (r->ev && ((ret = trace_spool_rewind(r->ev)) || (ret = trace_spool_rewind(r->side))))
		return ret;
	for (uint64_t i = 0; i < r->n && !ret; i++) {
		struct sim_event tmp, *e = r->ev ? &tmp : &w->ev[i];

		if (r->ev && (ret = trace_spool_get(r->ev, e)) <= 0) {
			ret = ret ? ret : -EIO;
			break;
		}
		ret = resolve_finish_event(r, e, t0);
		if (ret)
			break;
		h = sim_digest_event(h, e);
		if (fn)
			ret = fn(arg, e);
	}
	w->digest = sim_digest_caches(h, w);
	return ret;
}

int trace_resolve(struct sim_workload *w)
{
	struct trace_resolver *r = trace_resolver_new(w, NULL, NULL, 0);
	size_t n = w->nev;
	int ret = 0;

	w->nev = 0;			/* events are fed back in place: a kept one never moves up */
	for (size_t i = 0; i < n && ret >= 0; i++)
		ret = trace_resolver_event(r, &w->ev[i]);
	if (ret >= 0) {
		trace_resolver_tables(r);
		ret = trace_resolver_emit(r, 0, NULL, NULL);
	}
	trace_resolver_free(r);
	return ret < 0 ? ret : 0;
}
