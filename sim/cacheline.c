/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cacheline.c - the coherence model (see cacheline.h for what it models).
 *
 * Notes:
 * - The directory is an open-addressing hash table of lines ever touched;
 *   entries are never removed (a line nobody holds has no owner and no
 *   sharers).
 * - Sharers are a bitmap: inline for machines of up to 64 cpus, a
 *   separately allocated bitmap of ncpus bits otherwise.
 * - A private cache may keep a stale tag for a line whose copy was
 *   invalidated; the directory is the truth, the tag only takes a way
 *   until it is reused or evicted, as invalid lines do in hardware.
 * - Each way also mirrors its cpu's directory state for the line (shared,
 *   or owned: E or M), kept in step at every directory change, so that an
 *   access the state alone decides (a read of a held line, a write of an
 *   owned one: most accesses) is served from the private cache without
 *   looking up the directory.  Such a write records its time in the way
 *   (dirty); the directory's last writer and time are brought up to date
 *   when the line leaves the owner, and the query of the last writer
 *   looks at the owner's way.  Every outcome, cost and count is the one
 *   the directory alone would give.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cacheline.h"
#include "sim/xalloc.h"

/* 32 bytes: two to a host cache line, the directory's probes touch one line. */
struct cl_line {
	uint64_t tag;		/* line number + 1; 0 = empty slot */
	sim_cycles_t wtime;	/* time of the last write */
	int16_t owner;		/* exclusive holder (E or M), -1 if none (SIM_MAX_CPUS fits) */
	int16_t writer;		/* cpu of the last write, -1 if none */
	uint32_t nsharers;	/* cpus holding a shared copy */
	union {
		uint64_t sharers;	/* bitmap of sharers when ncpus <= 64 */
		uint64_t *xsharers;	/* bitmap of sharers when ncpus > 64 */
	};
};

_Static_assert(SIM_MAX_CPUS <= INT16_MAX, "struct cl_line keeps cpu numbers in 16 bits");

#define PC_NONE SIZE_MAX	/* no such way */

/* --- sharer sets ------------------------------------------------------- */

static inline bool cl_sharer_test(const struct coherence *c, const struct cl_line *l, unsigned cpu)
{
	if (c->words == 0)
		return (l->sharers >> cpu) & 1;
	return l->xsharers && ((l->xsharers[cpu / 64] >> (cpu % 64)) & 1);
}

static void cl_sharer_set(const struct coherence *c, struct cl_line *l, unsigned cpu)
{
	if (c->words == 0) {
		l->sharers |= 1ull << cpu;
	} else {
		if (!l->xsharers)
			l->xsharers = xcalloc(c->words, sizeof(uint64_t));
		l->xsharers[cpu / 64] |= 1ull << (cpu % 64);
	}
	l->nsharers++;
}

static void cl_sharer_clear(const struct coherence *c, struct cl_line *l, unsigned cpu)
{
	if (c->words == 0)
		l->sharers &= ~(1ull << cpu);
	else
		l->xsharers[cpu / 64] &= ~(1ull << (cpu % 64));
	l->nsharers--;
}

static void cl_sharers_clear_all(const struct coherence *c, struct cl_line *l)
{
	if (c->words == 0)
		l->sharers = 0;
	else if (l->xsharers)
		memset(l->xsharers, 0, c->words * sizeof(uint64_t));
	l->nsharers = 0;
}

/*
 * True when some sharer other than skip sits on node (same) or on another
 * node (!same).  skip may be -1.
 */
static bool cl_sharer_where(const struct coherence *c, const struct cl_line *l,
			    int skip, unsigned node, bool same)
{
	unsigned nwords = c->words ? c->words : 1;

	if (c->one_node)	/* every sharer is on node */
		return same && l->nsharers > (uint32_t)(skip >= 0 && cl_sharer_test(c, l, (unsigned)skip));
	for (unsigned w = 0; w < nwords; w++) {
		uint64_t bits = c->words ? (l->xsharers ? l->xsharers[w] : 0) : l->sharers;

		while (bits) {
			unsigned s = w * 64 + (unsigned)__builtin_ctzll(bits);

			bits &= bits - 1;
			if ((int)s != skip && (c->cpu_node[s] == node) == same)
				return true;
		}
	}
	return false;
}

/* --- directory --------------------------------------------------------- */

static void dir_grow(struct coherence *c)
{
	struct cl_line *old = c->dir;
	size_t oldcap = c->dir_cap;

	c->dir_cap = oldcap ? oldcap * 2 : 1u << 12;
	c->dir = xcalloc(c->dir_cap, sizeof(*c->dir));
	for (size_t i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].tag)
			continue;
		for (j = cl_hash(old[i].tag) & (c->dir_cap - 1); c->dir[j].tag; j = (j + 1) & (c->dir_cap - 1))
			;
		c->dir[j] = old[i];
	}
	free(old);
}

static struct cl_line *dir_find(const struct coherence *c, uint64_t tag)
{
	size_t j;

	if (!c->dir_cap)
		return NULL;
	for (j = cl_hash(tag) & (c->dir_cap - 1); c->dir[j].tag; j = (j + 1) & (c->dir_cap - 1))
		if (c->dir[j].tag == tag)
			return &c->dir[j];
	return NULL;
}

static struct cl_line *dir_get(struct coherence *c, uint64_t tag, uint64_t hash)
{
	size_t j;

	if ((c->dir_n + 1) * 4 > c->dir_cap * 3)
		dir_grow(c);
	for (j = hash & (c->dir_cap - 1); c->dir[j].tag; j = (j + 1) & (c->dir_cap - 1))
		if (c->dir[j].tag == tag)
			return &c->dir[j];
	c->dir[j].tag = tag;
	c->dir[j].owner = -1;
	c->dir[j].writer = -1;
	c->dir_n++;
	return &c->dir[j];
}

/* --- private caches ---------------------------------------------------- */

static struct pcache *pcache_of(struct coherence *c, unsigned cpu)
{
	struct pcache *p = &c->pc[cpu];

	if (!p->way) {
		p->way = xcalloc((size_t)c->sets * c->ways, sizeof(*p->way));
		p->hint = xcalloc(PC_HINTS, sizeof(*p->hint));
	}
	return p;
}

static inline size_t pcache_set(const struct coherence *c, uint64_t hash)
{
	return (size_t)(hash & (c->sets - 1)) * c->ways;
}

/* The way of set base holding tag (valid or stale), or PC_NONE. */
static inline size_t pcache_find(const struct coherence *c, const struct pcache *p, size_t base, uint64_t tag)
{
	if (!p->way)
		return PC_NONE;
	for (size_t i = base; i < base + c->ways; i++)
		if (pc_way_has(&p->way[i], tag))
			return i;
	return PC_NONE;
}

/* The way of the line in a cpu the directory names as a holder: its hint, else its set. */
static size_t pcache_way_of_holder(const struct coherence *c, unsigned cpu, uint64_t tag, uint64_t hash)
{
	const struct pcache *p = &c->pc[cpu];
	uint32_t hint;

	if (!p->way)
		return PC_NONE;
	hint = p->hint[pc_hint_slot(tag)];
	if (pc_way_has(&p->way[hint], tag))
		return hint;
	return pcache_find(c, p, pcache_set(c, hash), tag);
}

/* A deferred write of cpu's way goes into the directory entry. */
static void pcache_flush(struct pcache *p, size_t way, unsigned cpu, struct cl_line *l)
{
	if (!(p->way[way].tag & PC_DIRTY))
		return;
	l->writer = (int16_t)cpu;
	l->wtime = p->way[way].wtime;
	p->way[way].tag &= ~PC_DIRTY;
}

static void pcache_set_state(struct pcache *p, size_t way, uint64_t state)
{
	p->way[way].tag = (p->way[way].tag & PC_TAG_MASK) | state;
}

/* Drops cpu's copy of the line in way (about to be reused), if it still has one. */
static void dir_evict(struct coherence *c, unsigned cpu, struct pcache *p, size_t way)
{
	struct cl_line *l;

	if (!(p->way[way].tag & PC_STATE))
		return;		/* a stale tag: the directory already dropped cpu */
	l = dir_find(c, p->way[way].tag & PC_TAG_MASK);
	if (!l)
		return;
	pcache_flush(p, way, cpu, l);
	if (l->owner == (int16_t)cpu)
		l->owner = -1;
	else if (cl_sharer_test(c, l, cpu))
		cl_sharer_clear(c, l, cpu);
}

/*
 * Makes tag resident in cpu's cache (way found by pcache_find, or PC_NONE),
 * evicting the least recently used way of its set if needed, and returns
 * its way.  Must run after the directory entry of tag was looked up:
 * eviction updates other entries but never moves them (it never inserts).
 */
static size_t pcache_touch(struct coherence *c, struct pcache *p, unsigned cpu, size_t base,
			   uint64_t tag, size_t found)
{
	size_t victim = base;

	p->clock++;
	if (found != PC_NONE) {
		p->way[found].stamp = p->clock;
		return found;
	}
	for (size_t i = base; i < base + c->ways; i++)
		if (!p->way[i].tag || (p->way[victim].tag && p->way[i].stamp < p->way[victim].stamp))
			victim = i;
	if (p->way[victim].tag)
		dir_evict(c, cpu, p, victim);
	p->way[victim].tag = tag;
	p->way[victim].stamp = p->clock;
	return victim;
}

/* --- the model --------------------------------------------------------- */

struct coherence *coherence_create(unsigned ncpus, const unsigned *cpu_node,
				   unsigned cache_kb, unsigned ways,
				   const struct sim_cost_table *cost)
{
	struct coherence *c = xcalloc(1, sizeof(*c));
	unsigned lines = cache_kb * 1024u / SIM_LINE_BYTES;

	c->ncpus = ncpus;
	c->words = ncpus > 64 ? (ncpus + 63) / 64 : 0;
	c->cpu_node = xmalloc(ncpus * sizeof(*c->cpu_node));
	memcpy(c->cpu_node, cpu_node, ncpus * sizeof(*c->cpu_node));
	c->one_node = true;
	for (unsigned i = 1; i < ncpus; i++)
		c->one_node = c->one_node && cpu_node[i] == cpu_node[0];
	c->ways = ways;
	c->sets = lines / ways;
	c->cost = cost;
	c->hit_cost = cost->c[SIM_COST_hit];
	c->atomic_cost = cost->c[SIM_COST_atomic];
	c->pc = xcalloc(ncpus, sizeof(*c->pc));
	dir_grow(c);
	return c;
}

void coherence_destroy(struct coherence *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->ncpus; i++) {
		free(c->pc[i].way);
		free(c->pc[i].hint);
	}
	for (size_t i = 0; c->words && i < c->dir_cap; i++)
		free(c->dir[i].xsharers);
	free(c->pc);
	free(c->dir);
	free(c->cpu_node);
	free(c);
}

/* cpu's way of the line loses its state (mirrors the directory dropping cpu). */
static void cl_drop_way(struct coherence *c, unsigned cpu, uint64_t tag, uint64_t hash)
{
	size_t way = pcache_way_of_holder(c, cpu, tag, hash);

	if (way != PC_NONE)
		pcache_set_state(&c->pc[cpu], way, 0);
}

static enum cl_outcome cl_read(struct coherence *c, struct cl_line *l, unsigned cpu, unsigned home, uint64_t hash)
{
	unsigned node = c->cpu_node[cpu];
	enum cl_outcome o;

	if (l->owner == (int16_t)cpu || cl_sharer_test(c, l, cpu))
		return CL_HIT;
	if (l->owner >= 0) {
		unsigned owner = (unsigned)l->owner;
		size_t way = pcache_way_of_holder(c, owner, l->tag, hash);

		o = c->cpu_node[owner] == node ? CL_XFER_LOCAL : CL_XFER_REMOTE;
		if (way != PC_NONE) {
			pcache_flush(&c->pc[owner], way, owner, l);
			pcache_set_state(&c->pc[owner], way, PC_SHARED);
		}
		cl_sharer_set(c, l, owner);
		l->owner = -1;
		cl_sharer_set(c, l, cpu);
		return o;
	}
	if (l->nsharers) {
		o = cl_sharer_where(c, l, (int)cpu, node, true) ? CL_XFER_LOCAL : CL_XFER_REMOTE;
		cl_sharer_set(c, l, cpu);
		return o;
	}
	l->owner = (int16_t)cpu;	/* exclusive: nobody else has it */
	return home == node ? CL_MEM_LOCAL : CL_MEM_REMOTE;
}

/* Every holder but cpu loses its copy (their ways; the directory is cleared by the caller). */
static void cl_invalidate_others(struct coherence *c, const struct cl_line *l, unsigned cpu, uint64_t hash)
{
	unsigned nwords = c->words ? c->words : 1;

	if (l->owner >= 0 && l->owner != (int16_t)cpu)
		cl_drop_way(c, (unsigned)l->owner, l->tag, hash);
	for (unsigned w = 0; w < nwords && l->nsharers; w++) {
		uint64_t bits = c->words ? (l->xsharers ? l->xsharers[w] : 0) : l->sharers;

		while (bits) {
			unsigned s = w * 64 + (unsigned)__builtin_ctzll(bits);

			bits &= bits - 1;
			if (s != cpu)
				cl_drop_way(c, s, l->tag, hash);
		}
	}
}

static enum cl_outcome cl_write(struct coherence *c, struct cl_line *l, unsigned cpu,
				unsigned home, uint64_t hash, uint64_t *inval)
{
	unsigned node = c->cpu_node[cpu];
	enum cl_outcome o;

	if (l->owner == (int16_t)cpu)
		return CL_HIT;
	if (l->owner >= 0) {
		o = c->cpu_node[l->owner] == node ? CL_XFER_LOCAL : CL_XFER_REMOTE;
		*inval += 1;
	} else if (cl_sharer_test(c, l, cpu)) {
		*inval += l->nsharers - 1;
		if (l->nsharers == 1)
			o = CL_HIT;
		else
			o = cl_sharer_where(c, l, -1, node, false) ? CL_UPGRADE_REMOTE : CL_UPGRADE;
	} else if (l->nsharers) {
		o = cl_sharer_where(c, l, (int)cpu, node, true) ? CL_XFER_LOCAL : CL_XFER_REMOTE;
		*inval += l->nsharers;
	} else {
		o = home == node ? CL_MEM_LOCAL : CL_MEM_REMOTE;
	}
	cl_invalidate_others(c, l, cpu, hash);
	cl_sharers_clear_all(c, l);
	l->owner = (int16_t)cpu;
	return o;
}

static sim_cycles_t cl_cost(const struct coherence *c, enum cl_outcome o, enum cl_kind kind)
{
	static const enum sim_cost_id id[] = {
		[CL_HIT] = SIM_COST_hit, [CL_MEM_LOCAL] = SIM_COST_mem_local,
		[CL_MEM_REMOTE] = SIM_COST_mem_remote, [CL_XFER_LOCAL] = SIM_COST_xfer_local,
		[CL_XFER_REMOTE] = SIM_COST_xfer_remote, [CL_UPGRADE] = SIM_COST_xfer_local,
		[CL_UPGRADE_REMOTE] = SIM_COST_xfer_remote,
	};
	sim_cycles_t cyc = c->cost->c[id[o]];

	if (kind == CL_ATOMIC)
		cyc += c->cost->c[SIM_COST_atomic];
	return cyc;
}

/* Each outcome's counter in struct sim_touch_stat; hits have none (sim_touch_fold()). */
static const size_t cl_outcome_field[] = {
	[CL_HIT] = SIZE_MAX,
	[CL_MEM_LOCAL] = offsetof(struct sim_touch_stat, mem_local),
	[CL_MEM_REMOTE] = offsetof(struct sim_touch_stat, mem_remote),
	[CL_XFER_LOCAL] = offsetof(struct sim_touch_stat, xfer_local),
	[CL_XFER_REMOTE] = offsetof(struct sim_touch_stat, xfer_remote),
	[CL_UPGRADE] = offsetof(struct sim_touch_stat, upgrades),
	[CL_UPGRADE_REMOTE] = offsetof(struct sim_touch_stat, upgrades),
};

static const size_t cl_kind_field[] = {
	[CL_READ] = offsetof(struct sim_touch_stat, reads),
	[CL_WRITE] = offsetof(struct sim_touch_stat, writes),
	[CL_ATOMIC] = offsetof(struct sim_touch_stat, atomics),
};

static inline uint64_t *cl_field(struct sim_touch_stat *t, size_t offset)
{
	return (uint64_t *)((char *)t + offset);
}

static inline void cl_account(struct sim_touch_stat *t, enum cl_kind kind, enum cl_outcome o, uint64_t inval)
{
	if (!t)
		return;
	(*cl_field(t, cl_kind_field[kind]))++;
	if (o != CL_HIT)
		(*cl_field(t, cl_outcome_field[o]))++;
	t->invalidations += inval;
}

sim_cycles_t cacheline_access_slow(struct coherence *c, unsigned cpu, sim_addr_t addr,
			      enum cl_kind kind, sim_cycles_t now,
			      struct sim_touch_stat *t1, struct sim_touch_stat *t2,
			      enum cl_outcome *outcome)
{
	uint64_t tag = (addr >> SIM_LINE_SHIFT) + 1;
	uint64_t hash = cl_hash(tag);
	struct pcache *p = pcache_of(c, cpu);
	size_t base = pcache_set(c, hash);
	uint32_t *hint = &p->hint[pc_hint_slot(tag)];
	size_t way = pc_way_has(&p->way[*hint], tag) ? *hint : pcache_find(c, p, base, tag);
	uint64_t inval = 0;
	enum cl_outcome o = CL_HIT;

	if (way != PC_NONE && (p->way[way].tag & (kind == CL_READ ? PC_SHARED | PC_OWNED : PC_OWNED))) {
		/* decided by the cpu's own state: a hit, the directory unchanged */
		p->way[way].stamp = ++p->clock;
		if (kind != CL_READ) {
			p->way[way].tag |= PC_DIRTY;
			p->way[way].wtime = now;
		}
	} else {
		/* Look up (insert) first: evicting another line updates its entry, never moves this one. */
		struct cl_line *l = dir_get(c, tag, hash);
		unsigned home = sim_addr_node(addr);

		way = pcache_touch(c, p, cpu, base, tag, way);
		if (kind == CL_READ) {
			o = cl_read(c, l, cpu, home, hash);
		} else {
			o = cl_write(c, l, cpu, home, hash, &inval);
			l->writer = (int16_t)cpu;
			l->wtime = now;
		}
		pcache_set_state(p, way, l->owner == (int16_t)cpu ? PC_OWNED : PC_SHARED);
	}
	*hint = (uint32_t)way;
	cl_account(t1, kind, o, inval);
	cl_account(t2, kind, o, inval);
	if (outcome)
		*outcome = o;
	return cl_cost(c, o, kind);
}

bool cacheline_written_by_other_since(const struct coherence *c, unsigned cpu,
				      sim_addr_t addr, sim_cycles_t since)
{
	uint64_t tag = (addr >> SIM_LINE_SHIFT) + 1;
	const struct pcache *own = &c->pc[cpu];
	const struct cl_line *l;
	int32_t writer;
	sim_cycles_t wtime;

	/* cpu owns the line, written since the directory last heard: cpu is its last writer */
	if (own->way && (pc_hinted_way(own, tag)->tag & (PC_TAG_MASK | PC_OWNED | PC_DIRTY)) == (tag | PC_OWNED | PC_DIRTY))
		return false;
	l = dir_find(c, tag);
	if (!l)
		return false;
	writer = l->writer;
	wtime = l->wtime;
	if (l->owner >= 0) {
		const struct pcache *p = &c->pc[l->owner];
		size_t way = pcache_way_of_holder(c, (unsigned)l->owner, tag, cl_hash(tag));

		if (way != PC_NONE && (p->way[way].tag & PC_DIRTY)) {
			writer = l->owner;
			wtime = p->way[way].wtime;
		}
	}
	return writer >= 0 && writer != (int32_t)cpu && wtime > since;
}

bool cacheline_is_held(const struct coherence *c, unsigned cpu, sim_addr_t addr)
{
	const struct cl_line *l = dir_find(c, (addr >> SIM_LINE_SHIFT) + 1);

	return l && (l->owner == (int16_t)cpu || cl_sharer_test(c, l, cpu));
}

unsigned cacheline_holders(const struct coherence *c, sim_addr_t addr)
{
	const struct cl_line *l = dir_find(c, (addr >> SIM_LINE_SHIFT) + 1);

	return l ? l->nsharers + (l->owner >= 0) : 0;
}

/* The state cpu's way of the line says it has: 0 (none), PC_SHARED or PC_OWNED. */
static uint64_t pcache_state(const struct coherence *c, unsigned cpu, uint64_t tag)
{
	size_t way = pcache_way_of_holder(c, cpu, tag, cl_hash(tag));

	return way == PC_NONE ? 0 : c->pc[cpu].way[way].tag & (PC_SHARED | PC_OWNED);
}

bool coherence_is_valid(const struct coherence *c)
{
	size_t nways = (size_t)c->sets * c->ways;

	for (size_t i = 0; i < c->dir_cap; i++) {
		const struct cl_line *l = &c->dir[i];

		if (!l->tag)
			continue;
		if (l->owner >= 0 && (l->nsharers || pcache_state(c, (unsigned)l->owner, l->tag) != PC_OWNED))
			return false;
		for (unsigned cpu = 0; cpu < c->ncpus && l->nsharers; cpu++)
			if (cl_sharer_test(c, l, cpu) && pcache_state(c, cpu, l->tag) != PC_SHARED)
				return false;
	}
	/* and every way's state is the directory's */
	for (unsigned cpu = 0; cpu < c->ncpus; cpu++) {
		const struct pcache *p = &c->pc[cpu];

		for (size_t w = 0; p->way && w < nways; w++) {
			uint64_t st = p->way[w].tag & PC_STATE;
			const struct cl_line *l;

			if (!st)
				continue;
			l = dir_find(c, p->way[w].tag & PC_TAG_MASK);
			if (!l || ((st & PC_DIRTY) && !(st & PC_OWNED)) ||
			    ((st & PC_OWNED) && l->owner != (int16_t)cpu) ||
			    ((st & PC_SHARED) && ((st & PC_OWNED) || !cl_sharer_test(c, l, cpu))))
				return false;
		}
	}
	return true;
}
