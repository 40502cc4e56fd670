-- SPDX-License-Identifier: GPL-2.0-or-later
--
-- schema.sql - the slabsim results database: the contract between the
-- recorder (results/db.c) and whatever reads results (plots/, reports,
-- users with the sqlite3 shell).  It is compiled into slabsim and run once
-- when a database is created; results/db.c refuses a database whose
-- meta.schema_version differs from the one below.  Any change to a table,
-- column or view here bumps schema_version.
--
-- Conventions
--   * One row of `run` is one replay of one trace against one policy with
--     one configuration.  A run is written in one transaction: a run that is
--     in the database is complete, and a crash leaves no part of a run.
--   * Every table that belongs to a run has run_id and is deleted with it
--     (ON DELETE CASCADE).
--   * Breakdown tables (counter, lock_stat, touch) hold three kinds of rows:
--       cpu = N,    cache = NULL   per cpu, summed over caches;
--       cpu = NULL, cache = N      per cache, summed over cpus;
--       cpu = NULL, cache = NULL   the total of the run.
--     There are no cpu x cache rows.  Per-cpu and per-cache rows are stored
--     only when not all zero (a missing row means zero); total rows are
--     stored always, zeros included, so a total can be joined without
--     COALESCE.  The sum of the per-cpu rows equals the total, and so does
--     the sum of the per-cache rows.
--   * cpu is the simulated cpu (0 .. run.cpus - 1).  cache is the interned
--     cache id of the run's trace: trace_cache.cache_id where
--     trace_cache.trace_id = run.trace_id.
--   * Names (counter, gauge, lock class, anomaly, cost) are the ones of the
--     X-macro lists in sim/; `glossary` gives their meanings.
--   * Units are in column names: _ns trace or simulated nanoseconds,
--     _cycles simulated cpu cycles, _bytes bytes, _s wall-clock seconds.
--   * Unsigned 64-bit quantities are stored as SQLite's signed INTEGER;
--     values above 2^63 - 1 (only a seed could be that large) wrap to
--     negative numbers.  config_text keeps the exact value.
--   * Ratios in views are REAL and NULL where the denominator is zero.
--
-- Tables are STRICT (SQLite >= 3.37).

-- One row: what this database is.
CREATE TABLE meta (
	schema_version INTEGER NOT NULL,	-- version of this schema: 1
	slabsim_version TEXT NOT NULL,		-- PACKAGE_VERSION of the slabsim that created the database
	created_at TEXT NOT NULL		-- creation time, ISO 8601 UTC
) STRICT;

INSERT INTO meta (schema_version, slabsim_version, created_at)
	VALUES (1, '', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- Meanings of the names used in other tables, from the lists in sim/
-- (counters.h, workload.h, cost.h, stats.h).  Refreshed by every run the
-- recorder writes, so it describes the names of the newest slabsim that
-- wrote to the database.
CREATE TABLE glossary (
	kind TEXT NOT NULL,		-- 'counter', 'gauge', 'lock_class', 'anomaly', 'cost', 'origin', 'op'
	name TEXT NOT NULL,		-- the name as it appears in the other tables
	meaning TEXT NOT NULL,		-- one line
	PRIMARY KEY (kind, name)
) STRICT;

-- A trace (workload): one row per distinct event stream, shared by all the
-- runs that replayed it.
CREATE TABLE trace (
	id INTEGER PRIMARY KEY AUTOINCREMENT,	-- never reused
	path TEXT NOT NULL,		-- where it was first read from (as given on the command line)
	digest TEXT NOT NULL UNIQUE,	-- 16 hex digits: FNV-1a 64 of the events and cache names
					-- (sim_workload_digest); identifies the trace
	format TEXT NOT NULL,		-- reader that produced it: 'ftrace', 'trace-cmd', 'native', ...
	kernel TEXT NOT NULL,		-- kernel version of the capture, '' when unknown
	events INTEGER NOT NULL,	-- canonical events read (ALLOC, FREE and page events)
	replayable INTEGER NOT NULL,	-- events a replay hands to a policy: ALLOCs and matched FREEs
	cpus INTEGER NOT NULL,		-- highest trace cpu + 1
	caches INTEGER NOT NULL,	-- named caches (rows of trace_cache)
	nobjs INTEGER NOT NULL,		-- distinct objects (object ids) the pairing pass gave out
	duration_ns INTEGER NOT NULL,	-- largest event timestamp (events are timed from trace start)
	first_skip TEXT NOT NULL,	-- "file:line: field: why" of the first skipped line, '' if none
	added_at TEXT NOT NULL		-- when this row was written, ISO 8601 UTC
) STRICT;

-- The caches of a trace, by interned id.  Id 0 ("unknown cache") has no row.
CREATE TABLE trace_cache (
	trace_id INTEGER NOT NULL REFERENCES trace (id) ON DELETE CASCADE,
	cache_id INTEGER NOT NULL,	-- the id used in the cache column of run tables
	name TEXT NOT NULL,		-- kmem_cache name, 'kmalloc-N', or 'site:<call site>'
	object_bytes INTEGER NOT NULL,	-- object size (bytes_alloc), 0 when unknown
	flags INTEGER NOT NULL,		-- bits: 1 a kmalloc-N size class, 2 kmalloc-large (page
					-- allocator), 4 named from its call site (guessed)
	PRIMARY KEY (trace_id, cache_id)
) STRICT;

-- Caches a policy created for itself (e.g. llcache's list elements), with
-- ids after the trace's: their rows in the per-cache tables of the run use
-- these ids.
CREATE TABLE run_cache (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	cache_id INTEGER NOT NULL,	-- >= the trace's cache ids
	name TEXT NOT NULL,
	object_bytes INTEGER NOT NULL,
	PRIMARY KEY (run_id, cache_id)
) STRICT;

-- What the readers and the pairing pass found wrong with a trace: one row
-- per anomaly name (all names, zeros included).  Never fatal.
CREATE TABLE trace_anomaly (
	trace_id INTEGER NOT NULL REFERENCES trace (id) ON DELETE CASCADE,
	name TEXT NOT NULL,		-- e.g. 'unmatched_free', 'lost_events'; see glossary
	count INTEGER NOT NULL,
	PRIMARY KEY (trace_id, name)
) STRICT;

-- One replay.  The configuration columns repeat what config_text says, for
-- queries; config_text is the canonical form and config_digest its hash.
CREATE TABLE run (
	id INTEGER PRIMARY KEY AUTOINCREMENT,	-- never reused, even after a run is replaced
	trace_id INTEGER NOT NULL REFERENCES trace (id),
	policy TEXT NOT NULL,		-- policy name, e.g. 'slub'
	preset TEXT NOT NULL,		-- preset the parameters came from, '' if none
	config_digest TEXT NOT NULL UNIQUE,	-- 16 hex digits: FNV-1a 64 of config_text; a sweep
						-- skips configurations whose digest is present
	config_text TEXT NOT NULL,	-- canonical "key=value" lines: trace digest, policy,
					-- parameters, machine, costs, seed (sim_run_config_text)
	cpus INTEGER NOT NULL,		-- simulated cpus
	nodes INTEGER NOT NULL,		-- NUMA nodes
	ghz REAL NOT NULL,		-- cycles per ns
	cache_kb INTEGER NOT NULL,	-- private cache per cpu, KiB
	cache_ways INTEGER NOT NULL,	-- its associativity
	touch_lines INTEGER NOT NULL,	-- lines of an object the workload touches
	timing TEXT NOT NULL,		-- 'trace' (timestamps honoured) or 'closed' (back to back)
	cpu_map TEXT NOT NULL,		-- trace cpu to simulated cpu: 'fold' or 'spread'
	time_scale REAL NOT NULL,	-- trace time divided by this
	sample_ns INTEGER NOT NULL,	-- memory sampling period, simulated ns
	pcp_batch INTEGER NOT NULL,	-- per-cpu page list batch
	pcp_high INTEGER NOT NULL,	-- per-cpu page list high mark
	seed INTEGER NOT NULL,		-- seed of the run's GSL RNG
	rng_type TEXT NOT NULL,		-- GSL RNG type name, e.g. 'mt19937'
	slabsim_version TEXT NOT NULL,	-- version of the slabsim that ran it
	started_at TEXT NOT NULL,	-- wall-clock start, ISO 8601 UTC
	wall_s REAL NOT NULL,		-- wall-clock seconds of the replay
	status TEXT NOT NULL,		-- 'ok': the replay completed (only completed replays
					-- are recorded); a caller may record another word for a
					-- completed run whose end-of-run checks failed
	events_replayed INTEGER NOT NULL,	-- ALLOCs and FREEs handed to the policy
	skipped_unmatched INTEGER NOT NULL,	-- FREEs of objects never allocated in the trace
	skipped_null INTEGER NOT NULL,		-- kfree(NULL) events
	skipped_page INTEGER NOT NULL,		-- mm_page_* events (counted, not replayed)
	stall_cycles INTEGER NOT NULL,		-- dependency stalls: FREEs waiting for their ALLOC
	timer_runs INTEGER NOT NULL,		-- periodic work executed (reaper, flusher, sampler)
	end_cycles INTEGER NOT NULL,		-- latest cpu clock at the end
	end_ns INTEGER NOT NULL,		-- end_cycles in simulated ns
	locks_held_at_end INTEGER NOT NULL,	-- locks still held at the end: 0 in a sound run
	outstanding_allocs INTEGER NOT NULL	-- allocations the trace never frees (live at the end)
) STRICT;
CREATE INDEX run_trace ON run (trace_id);

-- Every policy parameter of a run, resolved.
CREATE TABLE run_param (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	name TEXT NOT NULL,		-- parameter name, e.g. 'cpu_partial'
	value INTEGER NOT NULL,		-- its value; for is_auto the value given (resolved per cache)
	is_auto INTEGER NOT NULL,	-- 1: 'auto', the kernel's default by object size
	PRIMARY KEY (run_id, name)
) STRICT;

-- The cost table of a run (sim/cost.h), every entry.
CREATE TABLE run_cost (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	name TEXT NOT NULL,		-- 'hit', 'mem_local', ...; see glossary
	cycles INTEGER NOT NULL,
	PRIMARY KEY (run_id, name)
) STRICT;

-- Event counters (sim/counters.h SIM_COUNTER_LIST), in the kernel's
-- vocabulary where the kernel has one.  Breakdown convention above; total
-- rows exist for every counter name.
CREATE TABLE counter (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	cpu INTEGER,			-- NULL: summed over cpus
	cache INTEGER,			-- NULL: summed over caches
	name TEXT NOT NULL,		-- e.g. 'alloc', 'alloc_fastpath'; see glossary
	value INTEGER NOT NULL,
	CHECK (cpu IS NULL OR cache IS NULL)
) STRICT;
CREATE INDEX counter_run ON counter (run_id, name, cpu, cache);

-- Lock statistics per lock class (sim/counters.h SIM_LOCK_CLASS_LIST).
-- Breakdown convention above: a cpu row is what that cpu did (acquired,
-- waited, held), a cache row what was done to that cache's locks (zone and
-- pcp locks are charged to the cache whose slab needed the pages).  Total
-- rows exist for every class.
CREATE TABLE lock_stat (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	cpu INTEGER,			-- NULL: summed over cpus
	cache INTEGER,			-- NULL: summed over caches
	class TEXT NOT NULL,		-- 'list_lock', 'slab_lock', 'zone_lock', ...; see glossary
	acquired INTEGER NOT NULL,	-- successful acquisitions (lock and trylock)
	contended INTEGER NOT NULL,	-- acquisitions that had to wait for another cpu
	wait_cycles INTEGER NOT NULL,	-- cycles spent waiting
	hold_cycles INTEGER NOT NULL,	-- cycles between acquisition and release
	try_fail INTEGER NOT NULL,	-- trylocks that failed (not counted in acquired)
	CHECK (cpu IS NULL OR cache IS NULL)
) STRICT;
CREATE INDEX lock_stat_run ON lock_stat (run_id, class, cpu, cache);

-- Cache-line accesses through the coherence model, split by origin:
-- 'allocator' the policy's own accesses, 'workload' the workload touching
-- its objects (first --touch-lines lines written after ALLOC, read before
-- FREE).  Every access is one of reads, writes, atomics and is served by
-- exactly one of hits, upgrades, mem_local, mem_remote, xfer_local,
-- xfer_remote.
-- Breakdown convention above; total rows exist for both origins.
CREATE TABLE touch (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	cpu INTEGER,			-- NULL: summed over cpus
	cache INTEGER,			-- NULL: summed over caches
	origin TEXT NOT NULL,		-- 'allocator' or 'workload'
	reads INTEGER NOT NULL,		-- line reads
	writes INTEGER NOT NULL,	-- line writes
	atomics INTEGER NOT NULL,	-- atomic read-modify-writes (locks, cmpxchg)
	hits INTEGER NOT NULL,		-- served by the cpu's private cache
	upgrades INTEGER NOT NULL,	-- writes to a shared copy: others invalidated, no data moved
	mem_local INTEGER NOT NULL,	-- served by memory of the cpu's node
	mem_remote INTEGER NOT NULL,	-- served by memory of another node
	xfer_local INTEGER NOT NULL,	-- transferred from another cpu's cache on the same node
	xfer_remote INTEGER NOT NULL,	-- transferred from a cpu's cache on another node
	invalidations INTEGER NOT NULL,	-- copies invalidated in other cpus' caches by writes
	cas_retries INTEGER NOT NULL,	-- cmpxchg retried after a conflicting write
	CHECK (cpu IS NULL OR cache IS NULL),
	CHECK (origin IN ('allocator', 'workload'))
) STRICT;
CREATE INDEX touch_run ON touch (run_id, origin, cpu, cache);

-- Gauges (sim/counters.h SIM_GAUGE_LIST) at the end of the run and at
-- their peak.  cache NULL is the total over caches (its peak is the peak
-- of the total, not the sum of the caches' peaks).  Per-cache rows only
-- for caches whose gauge was ever non-zero; total rows for every gauge.
CREATE TABLE gauge (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	cache INTEGER,			-- NULL: the total
	name TEXT NOT NULL,		-- 'slab_bytes', 'live_objs', ...; see glossary
	final INTEGER NOT NULL,		-- value at the end of the run
	peak INTEGER NOT NULL		-- largest value during the run (exact, not sampled)
) STRICT;
CREATE INDEX gauge_run ON gauge (run_id, name, cache);

-- Cycles spent in the policy's alloc and free calls, per cache (caches
-- with at least one call of that kind).
CREATE TABLE cache_op (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	cache INTEGER NOT NULL,
	op TEXT NOT NULL,		-- 'alloc' or 'free'
	n INTEGER NOT NULL,		-- calls
	cycles INTEGER NOT NULL,	-- their summed duration (accesses, lock waits, base costs)
	PRIMARY KEY (run_id, cache, op)
) STRICT;

-- Latency distributions of alloc and free calls in cycles: the non-empty
-- bins of a histogram with log-spaced bins (each 2% wider than the last,
-- from 1 to 2^32 cycles; the first bin is [0, 1)).  A count is the number
-- of calls with bin_lo <= cycles < bin_hi.
CREATE TABLE latency (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	op TEXT NOT NULL,		-- 'alloc' or 'free'
	bin_lo REAL NOT NULL,		-- lower edge, cycles (inclusive)
	bin_hi REAL NOT NULL,		-- upper edge, cycles (exclusive)
	count INTEGER NOT NULL,		-- calls in the bin, > 0
	CHECK (op IN ('alloc', 'free'))
) STRICT;
CREATE INDEX latency_run ON latency (run_id, op, bin_lo);

-- Latency summary per run and op.  mean and max are exact; the quantiles
-- are the upper edge of the histogram bin holding the quantile (within 2%),
-- capped at max.  All 0 when n = 0.
CREATE TABLE latency_summary (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	op TEXT NOT NULL,		-- 'alloc' or 'free'
	n INTEGER NOT NULL,		-- calls
	mean_cycles REAL NOT NULL,
	p50_cycles REAL NOT NULL,
	p90_cycles REAL NOT NULL,
	p99_cycles REAL NOT NULL,
	max_cycles INTEGER NOT NULL,
	PRIMARY KEY (run_id, op),
	CHECK (op IN ('alloc', 'free'))
) STRICT;

-- Memory time series, sampled every run.sample_ns of simulated time: at
-- each sample one row per cache that has held slab or large pages so far,
-- and one total row (cache NULL).  Columns are the gauges of
-- sim/counters.h SIM_GAUGE_LIST, current values at t_ns.
CREATE TABLE memory (
	run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
	t_ns INTEGER NOT NULL,		-- simulated time of the sample
	cache INTEGER,			-- NULL: the total over caches
	slab_bytes INTEGER NOT NULL,	-- bytes of pages in slabs
	meta_bytes INTEGER NOT NULL,	-- allocator metadata outside struct page (SLAB's
					-- off-slab descriptors and freelists; 0 for SLUB)
	slabs INTEGER NOT NULL,		-- slabs
	live_objs INTEGER NOT NULL,	-- objects handed out and not freed
	live_bytes INTEGER NOT NULL,	-- their bytes (object size)
	cached_objs INTEGER NOT NULL,	-- free objects reserved by per-cpu and per-node layers
	large_bytes INTEGER NOT NULL	-- bytes of pages of large kmallocs
) STRICT;
CREATE INDEX memory_run ON memory (run_id, cache, t_ns);

-- Totals of every counter per run, for convenience.
CREATE VIEW counter_total AS
SELECT run_id, name, value
	FROM counter
	WHERE cpu IS NULL AND cache IS NULL;

-- One row per run and lock class: the totals and what plots compare.
CREATE VIEW summary_lock AS
SELECT
	l.run_id AS run_id,
	l.class AS class,
	l.acquired AS acquired,
	l.contended AS contended,
	l.wait_cycles AS wait_cycles,
	l.hold_cycles AS hold_cycles,
	l.try_fail AS try_fail,
	-- acquisitions per alloc or free call
	l.acquired * 1.0 / NULLIF((SELECT sum(value) FROM counter
		WHERE run_id = l.run_id AND name IN ('alloc', 'free')
		AND cpu IS NULL AND cache IS NULL), 0) AS acq_per_op,
	-- share of acquisitions that waited
	l.contended * 1.0 / NULLIF(l.acquired, 0) AS contended_share,
	-- mean wait of a contended acquisition
	l.wait_cycles * 1.0 / NULLIF(l.contended, 0) AS wait_cycles_per_contended,
	-- mean hold time
	l.hold_cycles * 1.0 / NULLIF(l.acquired, 0) AS hold_cycles_per_acq
FROM lock_stat AS l
WHERE l.cpu IS NULL AND l.cache IS NULL;

-- One row per run: what reports and plots compare.  "op" is one alloc or
-- free call handed to the policy (counters alloc + free).
CREATE VIEW summary AS
SELECT
	run_id, trace, policy, preset, cpus, nodes, timing, time_scale, seed,
	allocs, frees, ops,
	-- share of allocations served by the fast path, for policies that
	-- count fast and slow paths (NULL for those that count neither)
	CASE WHEN fastpath + slowpath > 0
		THEN fastpath * 1.0 / NULLIF(allocs, 0) END AS alloc_fastpath_share,
	list_lock_acq * 1.0 / NULLIF(ops, 0) AS list_lock_acq_per_op,
	list_lock_cont * 1.0 / NULLIF(list_lock_acq, 0) AS list_lock_contended_share,
	slab_lock_acq * 1.0 / NULLIF(ops, 0) AS slab_lock_acq_per_op,
	slab_lock_cont * 1.0 / NULLIF(slab_lock_acq, 0) AS slab_lock_contended_share,
	zone_lock_acq * 1.0 / NULLIF(ops, 0) AS zone_lock_acq_per_op,
	zone_lock_cont * 1.0 / NULLIF(zone_lock_acq, 0) AS zone_lock_contended_share,
	-- the policy's own line accesses (reads + writes + atomics) per op
	alloc_touches * 1.0 / NULLIF(ops, 0) AS alloc_touches_per_op,
	-- lines the policy pulled from other cpus' caches, per op
	alloc_xfers * 1.0 / NULLIF(ops, 0) AS alloc_xfers_per_op,
	-- lines the workload pulled from other cpus' caches, per op
	work_xfers * 1.0 / NULLIF(ops, 0) AS workload_xfers_per_op,
	-- slab pages held: exact peak, and mean over the memory samples
	peak_slab_bytes,
	mean_slab_bytes,
	alloc_mean_cycles, alloc_p99_cycles, free_mean_cycles, free_p99_cycles,
	wall_s
FROM (
	SELECT
		r.id AS run_id, t.path AS trace, r.policy AS policy, r.preset AS preset,
		r.cpus AS cpus, r.nodes AS nodes, r.timing AS timing,
		r.time_scale AS time_scale, r.seed AS seed, r.wall_s AS wall_s,
		a.value AS allocs, f.value AS frees, a.value + f.value AS ops,
		(SELECT value FROM counter WHERE run_id = r.id AND name = 'alloc_fastpath'
			AND cpu IS NULL AND cache IS NULL) AS fastpath,
		(SELECT value FROM counter WHERE run_id = r.id AND name = 'alloc_slowpath'
			AND cpu IS NULL AND cache IS NULL) AS slowpath,
		(SELECT acquired FROM lock_stat WHERE run_id = r.id AND class = 'list_lock'
			AND cpu IS NULL AND cache IS NULL) AS list_lock_acq,
		(SELECT contended FROM lock_stat WHERE run_id = r.id AND class = 'list_lock'
			AND cpu IS NULL AND cache IS NULL) AS list_lock_cont,
		(SELECT acquired FROM lock_stat WHERE run_id = r.id AND class = 'slab_lock'
			AND cpu IS NULL AND cache IS NULL) AS slab_lock_acq,
		(SELECT contended FROM lock_stat WHERE run_id = r.id AND class = 'slab_lock'
			AND cpu IS NULL AND cache IS NULL) AS slab_lock_cont,
		(SELECT acquired FROM lock_stat WHERE run_id = r.id AND class = 'zone_lock'
			AND cpu IS NULL AND cache IS NULL) AS zone_lock_acq,
		(SELECT contended FROM lock_stat WHERE run_id = r.id AND class = 'zone_lock'
			AND cpu IS NULL AND cache IS NULL) AS zone_lock_cont,
		(SELECT reads + writes + atomics FROM touch WHERE run_id = r.id
			AND origin = 'allocator' AND cpu IS NULL AND cache IS NULL) AS alloc_touches,
		(SELECT xfer_local + xfer_remote FROM touch WHERE run_id = r.id
			AND origin = 'allocator' AND cpu IS NULL AND cache IS NULL) AS alloc_xfers,
		(SELECT xfer_local + xfer_remote FROM touch WHERE run_id = r.id
			AND origin = 'workload' AND cpu IS NULL AND cache IS NULL) AS work_xfers,
		(SELECT peak FROM gauge WHERE run_id = r.id AND name = 'slab_bytes'
			AND cache IS NULL) AS peak_slab_bytes,
		(SELECT avg(slab_bytes) FROM memory WHERE run_id = r.id
			AND cache IS NULL) AS mean_slab_bytes,
		la.mean_cycles AS alloc_mean_cycles, la.p99_cycles AS alloc_p99_cycles,
		lf.mean_cycles AS free_mean_cycles, lf.p99_cycles AS free_p99_cycles
	FROM run AS r
	JOIN trace AS t ON t.id = r.trace_id
	LEFT JOIN counter AS a ON a.run_id = r.id AND a.name = 'alloc'
		AND a.cpu IS NULL AND a.cache IS NULL
	LEFT JOIN counter AS f ON f.run_id = r.id AND f.name = 'free'
		AND f.cpu IS NULL AND f.cache IS NULL
	LEFT JOIN latency_summary AS la ON la.run_id = r.id AND la.op = 'alloc'
	LEFT JOIN latency_summary AS lf ON lf.run_id = r.id AND lf.op = 'free'
);

-- Tables added after schema version 1.  They are created with IF NOT
-- EXISTS by the recorder that first writes to them (results/db.c runs the
-- text after the marker line below), so databases made by an older
-- slabsim take them without a version change, and readers of version 1
-- are not affected.
-- @added-tables

-- One `slabsim validate`: a capture's real slab usage, recovered from its
-- pointers, against a replay of the same trace on slub configured as the
-- captured 6.1 kernel (traces/realslab.h, cli/validate.h).
CREATE TABLE IF NOT EXISTS validation (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	trace_id INTEGER NOT NULL REFERENCES trace(id) ON DELETE CASCADE,	-- the capture
	slabinfo TEXT NOT NULL,		-- the snapshot file (before, and after when it holds two)
	page_offset INTEGER NOT NULL,	-- the inferred direct-map base (as a signed 64-bit value)
	base_votes INTEGER NOT NULL,	-- allocations in trace-allocated pages under that base
	base_runner_up INTEGER NOT NULL, -- the same under the best other candidate (0: none)
	policy TEXT NOT NULL,		-- the replayed policy and its parameters
	cpus INTEGER NOT NULL,		-- simulated cpus (the trace's)
	seed INTEGER NOT NULL,		-- seed of the replay (the warm start draws from it)
	summary TEXT NOT NULL,		-- the one-line agreement summary
	added_at TEXT NOT NULL		-- ISO 8601 UTC
) STRICT;

-- The compared figures.  cache is the cache, or the merged caches joined
-- with '+', NULL for the total; cpu is set only for the per-cpu rows of
-- 'switches' (cache NULL).  figure: 'allocs', 'slabs_used', 'slabs_new',
-- 'slabs_freed', 'slabs_start', 'slabs_peak', 'slabs_shared', 'switches'
-- (see struct slabuse_fig in traces/realslab.h); 'snap_delta' holds the
-- snapshots' num_slabs after - before in real_value and the trace's
-- new - freed in sim_value, for the cross-check; 'untraced_allocs' (real
-- only, sim_value 0) counts frees of objects the trace never allocated in
-- slabs made during it: allocations the trace did not see.
CREATE TABLE IF NOT EXISTS validation_figure (
	validation_id INTEGER NOT NULL REFERENCES validation(id) ON DELETE CASCADE,
	cache TEXT,
	cpu INTEGER,
	merged INTEGER NOT NULL,	-- 1 when cache names several caches sharing one slab set
	figure TEXT NOT NULL,
	real_value INTEGER NOT NULL,
	sim_value INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS validation_figure_id ON validation_figure (validation_id);
