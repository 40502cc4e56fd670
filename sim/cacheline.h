/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cacheline.h - the coherence model: which cpus hold which 64-byte lines,
 * and what each access costs.
 *
 * Models: a MESI-like directory protocol (one exclusive/modified owner or
 * a set of sharers per line) over a finite, set-associative, LRU private
 * cache per cpu.  A read miss is served by another cpu's cache when one
 * holds the line (a transfer, same node or cross node), else by memory
 * of the line's home node (local or remote).  A write needs exclusive
 * ownership: other copies are invalidated, the data comes from the owner or
 * a sharer if there is one.  The first reader of an unshared line gets it
 * exclusive (E), so its own later write is a hit.  Evicting a line from a
 * private cache drops that cpu from the directory.
 * Does not model: a shared last-level cache, write-back traffic, false
 * sharing within a line beyond what the layout implies, hardware
 * prefetch, directory capacity.
 */
#ifndef SLABSIM_CACHELINE_H
#define SLABSIM_CACHELINE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/cost.h"
#include "sim/stats.h"

enum cl_kind { CL_READ = 0, CL_WRITE = 1, CL_ATOMIC = 2 };

/* How one access was served. */
enum cl_outcome {
	CL_HIT = 0,
	CL_MEM_LOCAL,
	CL_MEM_REMOTE,
	CL_XFER_LOCAL,
	CL_XFER_REMOTE,
	CL_UPGRADE,		/* write to a shared copy: others invalidated, no data moved */
	CL_UPGRADE_REMOTE,	/* the same with a copy on another node */
};

struct coherence;

/*
 * Creates the model for ncpus cpus; cpu_node[cpu] gives each cpu's node
 * (copied).  Each private cache holds cache_kb KiB in ways-way sets; the
 * caller has checked the geometry (sim_machine_config_check).
 */
struct coherence *coherence_create(unsigned ncpus, const unsigned *cpu_node,
				   unsigned cache_kb, unsigned ways,
				   const struct sim_cost_table *cost);
void coherence_destroy(struct coherence *c);

/*
 * Internals, here only for the inline fast path of cacheline_access();
 * everything else goes through the functions.
 */
struct cl_line;

/*
 * A way's tag word: the line number + 1 in the low bits (0 = empty way),
 * the cpu's state for the line in the top bits (none: a stale tag).
 */
#define PC_TAG_BITS	60
#define PC_TAG_MASK	((1ull << PC_TAG_BITS) - 1)
#define PC_SHARED	(1ull << 60)
#define PC_OWNED	(1ull << 61)	/* E or M */
#define PC_DIRTY	(1ull << 62)	/* owned, written since the directory last heard: time in wtime */
#define PC_STATE	(PC_SHARED | PC_OWNED | PC_DIRTY)

struct pc_way {			/* together: an access touches one host line */
	uint64_t tag;		/* tag word, above */
	uint64_t stamp;		/* LRU clock */
	sim_cycles_t wtime;	/* time of the last write while PC_DIRTY */
};

/* Whether w's tag word is tag's, in any state (stale included): its tag bits, compared without a mask. */
static inline bool pc_way_has(const struct pc_way *w, uint64_t tag)
{
	return !((w->tag ^ tag) << (64 - PC_TAG_BITS));
}

struct pcache {			/* one cpu's private cache */
	struct pc_way *way;	/* [sets * ways] */
	uint32_t *hint;		/* [PC_HINTS]: way of a recent line with these low bits, tried before its set */
	uint64_t clock;
};

#define PC_HINTS 4096u

/*
 * A line's slot is its low bits: neighbouring lines take neighbouring slots
 * and only lines 256 KiB apart share one.  (Folding higher bits in, as an
 * earlier version did with 1024 slots, sent more hits down the slow path.)
 */
static inline size_t pc_hint_slot(uint64_t tag)
{
	return (size_t)tag & (PC_HINTS - 1);
}

/* The way p's hint table names for tag: tag's way if the hint is right; p->way must be allocated. */
static inline struct pc_way *pc_hinted_way(const struct pcache *p, uint64_t tag)
{
	return &p->way[p->hint[pc_hint_slot(tag)]];
}

struct coherence {
	unsigned ncpus, words;
	unsigned *cpu_node;
	bool one_node;		/* every cpu on one node: no access crosses nodes */
	unsigned sets, ways;
	const struct sim_cost_table *cost;
	sim_cycles_t hit_cost, atomic_cost;	/* cost->c[SIM_COST_hit], [SIM_COST_atomic], for the hit path */
	struct pcache *pc;
	struct cl_line *dir;
	size_t dir_n, dir_cap;	/* entries used, slots (power of two) */
};

static inline uint64_t cl_hash(uint64_t line)
{
	line ^= line >> 29;
	line *= 0xbf58476d1ce4e5b9ull;
	line ^= line >> 32;
	return line;
}

/* Everything cacheline_access() does not decide inline: see cacheline.c. */
sim_cycles_t cacheline_access_slow(struct coherence *c, unsigned cpu, sim_addr_t addr,
				   enum cl_kind kind, sim_cycles_t now,
				   struct sim_touch_stat *t1, struct sim_touch_stat *t2,
				   enum cl_outcome *outcome);

/* A hit counts by its kind only: sim_touch_fold() derives the hits. */
static inline void cl_account_hit(struct sim_touch_stat *t, enum cl_kind kind)
{
	if (!t)
		return;
	if (kind == CL_READ)
		t->reads++;
	else if (kind == CL_WRITE)
		t->writes++;
	else
		t->atomics++;
}

/*
 * One access by cpu to the line holding addr at time now (cycles).
 * Returns its cost in cycles and adds it to both stat records (either may
 * be NULL; their hits are left to sim_touch_fold()).  *outcome, if not NULL, says how it was served.
 * Inline: a line the cpu's hint table finds in a state that decides the
 * access alone (held for a read, owned for a write) is a hit right here.
 * cacheline_access_pc() is the same with p = coherence_pcache(c, cpu).
 */
static inline sim_cycles_t cacheline_access_pc(struct coherence *c, struct pcache *p, unsigned cpu,
					       sim_addr_t addr, enum cl_kind kind, sim_cycles_t now,
					       struct sim_touch_stat *t1, struct sim_touch_stat *t2,
					       enum cl_outcome *outcome)
{
	uint64_t tag = (addr >> SIM_LINE_SHIFT) + 1;
	struct pc_way *w;

	if (!p->way)
		return cacheline_access_slow(c, cpu, addr, kind, now, t1, t2, outcome);
	w = pc_hinted_way(p, tag);
	if (!pc_way_has(w, tag) || !(w->tag & (kind == CL_READ ? PC_SHARED | PC_OWNED : PC_OWNED)))
		return cacheline_access_slow(c, cpu, addr, kind, now, t1, t2, outcome);
	w->stamp = ++p->clock;
	if (kind != CL_READ) {
		w->tag |= PC_DIRTY;
		w->wtime = now;
	}
	cl_account_hit(t1, kind);
	cl_account_hit(t2, kind);
	if (outcome)
		*outcome = CL_HIT;
	return c->hit_cost + (kind == CL_ATOMIC ? c->atomic_cost : 0);
}

/* cpu's private cache, for a caller that keeps it at hand for cacheline_access_pc(). */
static inline struct pcache *coherence_pcache(struct coherence *c, unsigned cpu)
{
	return &c->pc[cpu];
}

static inline sim_cycles_t cacheline_access(struct coherence *c, unsigned cpu, sim_addr_t addr,
					    enum cl_kind kind, sim_cycles_t now,
					    struct sim_touch_stat *t1, struct sim_touch_stat *t2,
					    enum cl_outcome *outcome)
{
	return cacheline_access_pc(c, coherence_pcache(c, cpu), cpu, addr, kind, now, t1, t2, outcome);
}

/* True when a cpu other than cpu wrote the line after time since. */
bool cacheline_written_by_other_since(const struct coherence *c, unsigned cpu,
				      sim_addr_t addr, sim_cycles_t since);

/* Whether cpu holds the line (any state), and how many cpus do. */
bool cacheline_is_held(const struct coherence *c, unsigned cpu, sim_addr_t addr);
unsigned cacheline_holders(const struct coherence *c, sim_addr_t addr);

/* Directory and private caches agree (every holder caches the line). */
bool coherence_is_valid(const struct coherence *c);

#endif
