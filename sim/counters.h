/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * counters.h - the vocabulary of what the simulator counts.
 *
 * Each list is an X-macro expanded into an enum, a table of names (the
 * names users see in summaries and in the database) and a table of
 * meanings.  Counters count events; gauges keep a current and a peak value.
 *
 * Counter names follow the kernel: SLUB's enum stat_item of mm/slub.c
 * (classic SLUB, up to 6.19; lowercased as in /sys/kernel/slab/<cache>/),
 * SLAB's slabinfo statistics, and the counters of the per-cpu array and
 * sheaves series.  Generic counters (alloc, free, ...) are slabsim's own.
 */
#ifndef SLABSIM_COUNTERS_H
#define SLABSIM_COUNTERS_H

#include "sim/sim.h"

#define SIM_COUNTER_LIST(X)                                                                  \
	/* slabsim's own */                                                                  \
	X(alloc,                  "allocations served by the policy")                       \
	X(free,                   "frees handed to the policy")                              \
	X(alloc_failed,           "allocations the policy could not serve")                  \
	X(kmalloc_large,          "kmalloc above the largest kmalloc cache: pages")          \
	X(kfree_large,            "kfree of a large kmalloc: pages back")                    \
	/* classic SLUB, mm/slub.c enum stat_item (<= 6.19) */                               \
	X(alloc_fastpath,         "allocation from the cpu slab's freelist")                 \
	X(alloc_slowpath,         "allocation that left the fast path")                      \
	X(free_fastpath,          "free to the cpu slab")                                    \
	X(free_slowpath,          "free to a slab that is not the cpu slab")                 \
	X(free_frozen,            "free to a frozen slab (another cpu's slab)")              \
	X(free_add_partial,       "free made a full slab partial: added to a partial list")  \
	X(free_remove_partial,    "free emptied a slab: removed from the partial list")      \
	X(alloc_from_partial,     "cpu slab taken from the node partial list")               \
	X(alloc_slab,             "new slab allocated from the page allocator")              \
	X(alloc_refill,           "cpu freelist refilled from the cpu slab's page freelist") \
	X(alloc_node_mismatch,    "cpu slab switched because of a node request")             \
	X(free_slab,              "slab freed to the page allocator")                        \
	X(cpuslab_flush,          "cpu slab flushed (deactivated) by a flush")               \
	X(deactivate_full,        "cpu slab deactivated while full")                         \
	X(deactivate_empty,       "cpu slab deactivated while empty")                        \
	X(deactivate_to_head,     "deactivated slab put at the head of the partial list")    \
	X(deactivate_to_tail,     "deactivated slab put at the tail of the partial list")    \
	X(deactivate_remote_frees, "deactivated slab had objects freed by other cpus")       \
	X(deactivate_bypass,      "cpu slab dropped because its freelist was exhausted")     \
	X(order_fallback,         "slab allocated with a smaller order than wanted")         \
	X(cmpxchg_double_cpu_fail, "this_cpu_cmpxchg_double on the cpu freelist failed")     \
	X(cmpxchg_double_fail,    "cmpxchg_double on a slab's freelist failed")              \
	X(cpu_partial_alloc,      "cpu slab taken from the cpu partial list")                \
	X(cpu_partial_free,       "slab put on the cpu partial list by a free")              \
	X(cpu_partial_node,       "slabs moved from node partial to cpu partial list")       \
	X(cpu_partial_drain,      "cpu partial list drained to the node partial list")       \
	/* SLAB, mm/slab.c (<= 6.7): /proc/slabinfo cpustat and globalstat (STATS) */        \
	X(allochit,               "allocation served by the cpu's array cache")              \
	X(allocmiss,              "allocation found the cpu's array cache empty: refill")    \
	X(freehit,                "free into the cpu's array cache")                         \
	X(freemiss,               "free found the cpu's array cache full: flush batchcount") \
	X(listallocs,             "objects taken from slabs into array caches")              \
	X(grown,                  "slabs added to the cache (cache_grow)")                   \
	X(reaped,                 "free slabs released by the node reaper (drain_freelist)") \
	X(node_allocs,            "allocations for another node from its slab lists")        \
	X(node_frees,             "frees of objects whose slab is on another node")          \
	X(node_overflow,          "alien cache full on a remote free: drained to its node")  \
	/* slabsim's own, SLAB model */                                                      \
	X(shared_refill,          "array cache refilled from the node's shared array")       \
	X(shared_flush,           "array cache overflow moved into the node's shared array") \
	X(reap_objs,              "objects the reaper moved from array caches to slabs")     \
	/* page allocator model */                                                           \
	X(page_alloc,             "page blocks handed out by the page allocator")            \
	X(page_free,              "page blocks returned to the page allocator")              \
	X(pcp_refill,             "per-cpu page list refilled from the buddy lists")         \
	X(pcp_drain,              "per-cpu page list drained to the buddy lists")             \
	/* objpool (seed 003, lib/objpool.c) */                                              \
	X(objpool_pop,            "object taken from the pool (any cpu's slot)")             \
	X(objpool_pop_remote,     "object taken from another cpu's slot")                   \
	X(objpool_push,           "object returned to the freeing cpu's slot")               \
	X(objpool_empty,          "pop found every cpu's slot empty")                        \
	X(objpool_cas_retry,      "objpool cmpxchg failed on a concurrent write and retried") \
	/* percpu sheaves and barns: the SLUB_STATS names of the 6.18 series */              \
	X(alloc_pcs,              "allocation from the percpu sheaves")                      \
	X(free_pcs,               "free to the percpu sheaves")                              \
	X(sheaf_refill,           "objects put into a sheaf by bulk allocation")             \
	X(sheaf_flush,            "objects flushed from a sheaf by bulk free")               \
	X(sheaf_alloc,            "empty sheaf (or magazine) allocated")                     \
	X(sheaf_free,             "empty sheaf (or magazine) freed")                         \
	X(barn_get,               "full sheaf taken from the barn")                          \
	X(barn_get_fail,          "no full sheaf in the barn")                               \
	X(barn_put,               "full sheaf put into the barn")                            \
	X(barn_put_fail,          "barn at its full limit: the spare flushed")               \
	X(pcs_bypass,             "op that went to the slab layer, not the sheaves")         \
	/* Bonwick & Adams magazines: illumos kmem_cache kstats */                           \
	X(magazine_alloc_hit,     "allocation from a per-cpu magazine (cc_alloc)")           \
	X(magazine_free_hit,      "free to a per-cpu magazine (cc_free)")                    \
	X(magazine_swap,          "loaded and previous magazines exchanged")                 \
	X(depot_alloc,            "full magazine taken from the depot")                      \
	X(depot_free,             "empty magazine taken from the depot")                     \
	X(depot_contention,       "depot mutex_tryenter() failed")                           \
	X(magazine_resize,        "magazine grown one step on kmem_magtype[]")               \
	X(mag_slab_alloc,         "allocation that fell through to the slab layer")          \
	X(ws_reap,                "magazine reaped from the depot working set")             \
	/* per-cpu array cache, Babka's RFC v3 (2023) SLUB_STATS names; bypasses slabsim's */ \
	X(alloc_cpu_cache,        "allocation from the per-cpu array")                       \
	X(free_cpu_cache,         "free to the per-cpu array")                               \
	X(cpu_cache_refill,       "objects refilled into the per-cpu array (bulk alloc)")    \
	X(cpu_cache_flush,        "objects flushed from the per-cpu array (bulk free)")      \
	X(cpu_cache_alloc_bypass, "allocation that bypassed the per-cpu array")              \
	X(cpu_cache_free_bypass,  "free that bypassed the per-cpu array")                    \
	/* llcache: per-cpu list of free objects (slabsim's own names) */                     \
	X(llcache_alloc_hit,      "allocation taken from the per-cpu list")                  \
	X(llcache_alloc_miss,     "allocation that found the per-cpu list empty")            \
	X(llcache_alloc_bypass,   "allocation not allowed to use the list (context, node)")  \
	X(llcache_free_cached,    "free put on the per-cpu list")                            \
	X(llcache_free_bypass,    "free not allowed to use the list (context)")              \
	X(llcache_prune,          "objects given back to the slabs by an overflow or drain")

enum sim_counter {
#define SIM_COUNTER_ENUM(n, d) SIM_CNT_##n,
	SIM_COUNTER_LIST(SIM_COUNTER_ENUM)
#undef SIM_COUNTER_ENUM
	SIM_CNT_COUNT
};

/*
 * Gauges, per cache and in total.  Bytes are what the slab layer holds:
 * slab_bytes the pages of slabs, meta_bytes descriptors and freelists kept
 * apart from objects (0 for SLUB, whose descriptor is struct page),
 * cached_objs free objects reserved by per-cpu or per-node layers (cpu
 * slabs, arrays, magazines), large_bytes pages of large kmallocs.
 */
#define SIM_GAUGE_LIST(X)                                                          \
	X(slab_bytes,  "bytes of pages in slabs")                                  \
	X(meta_bytes,  "bytes of allocator metadata outside struct page")          \
	X(slabs,       "slabs")                                                    \
	X(live_objs,   "objects handed out and not freed")                         \
	X(live_bytes,  "bytes of objects handed out (object size)")                \
	X(cached_objs, "free objects held by per-cpu and per-node caching layers") \
	X(large_bytes, "bytes of pages of large kmallocs")

enum sim_gauge_id {
#define SIM_GAUGE_ENUM(n, d) SIM_GAUGE_##n,
	SIM_GAUGE_LIST(SIM_GAUGE_ENUM)
#undef SIM_GAUGE_ENUM
	SIM_GAUGE_COUNT
};

/* Lock classes: what a lock protects, so results can be read per class. */
#define SIM_LOCK_CLASS_LIST(X)                                             \
	X(list_lock,   "per-node partial list lock (kmem_cache_node)")    \
	X(slab_lock,   "per-slab lock (bit spin lock in struct page)")    \
	X(zone_lock,   "page allocator zone lock")                        \
	X(pcp_lock,    "per-cpu page list lock")                          \
	X(cpu_lock,    "per-cpu cache lock (local_trylock, array lock)")   \
	X(depot_lock,  "magazine depot lock")                             \
	X(barn_lock,   "sheaves barn lock")                               \
	X(alien_lock,  "SLAB alien cache lock")

enum sim_lock_class {
#define SIM_LOCK_CLASS_ENUM(n, d) SIM_LOCK_##n,
	SIM_LOCK_CLASS_LIST(SIM_LOCK_CLASS_ENUM)
#undef SIM_LOCK_CLASS_ENUM
	SIM_LOCK_CLASS_COUNT
};

extern const char *const sim_counter_name[SIM_CNT_COUNT];
extern const char *const sim_counter_meaning[SIM_CNT_COUNT];
extern const char *const sim_gauge_name[SIM_GAUGE_COUNT];
extern const char *const sim_gauge_meaning[SIM_GAUGE_COUNT];
extern const char *const sim_lock_class_name[SIM_LOCK_CLASS_COUNT];
extern const char *const sim_lock_class_meaning[SIM_LOCK_CLASS_COUNT];

#endif
