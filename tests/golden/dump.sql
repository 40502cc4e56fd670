-- SPDX-License-Identifier: GPL-2.0-or-later
--
-- dump.sql - prints every deterministic value a results database holds,
-- one value group per line, in a fixed order, for the golden test
-- (tests/golden.sh).  Left out: what depends on the host or the clock
-- (row ids, paths, timestamps, wall_s, versions).  Each line starts with the
-- run's key (view k below).  The memory time series is summarised per run and cache
-- (samples, sums, peaks, and time-weighted sums that change when a value
-- moves in time); every other table is printed row by row.  REAL values
-- are printed with 12 significant digits.
.headers off
.mode list
.separator " "
.nullvalue -

-- a run's key: its preset or policy name, with ':config_digest' where
-- several runs share that name (a sweep)
CREATE TEMP VIEW k AS
	SELECT r.id, r.trace_id, CASE r.preset WHEN '' THEN r.policy ELSE r.preset END ||
		CASE WHEN (SELECT count(*) FROM run q WHERE q.policy = r.policy AND q.preset = r.preset) > 1
		THEN ':' || r.config_digest ELSE '' END AS key
	FROM run r;

SELECT 'trace', digest, format, kernel, events, replayable, cpus, caches, nobjs, duration_ns,
	first_skip = '' FROM trace ORDER BY digest;
SELECT 'trace_cache', t.digest, c.cache_id, c.name, c.object_bytes, c.flags
	FROM trace_cache c JOIN trace t ON t.id = c.trace_id ORDER BY t.digest, c.cache_id;
SELECT 'trace_anomaly', t.digest, a.name, a.count
	FROM trace_anomaly a JOIN trace t ON t.id = a.trace_id ORDER BY t.digest, a.name;

SELECT k.key, 'run', r.policy, r.preset, r.config_digest, r.cpus, r.nodes, printf('%.12g', r.ghz),
	r.cache_kb, r.cache_ways, r.touch_lines, r.timing, r.cpu_map, printf('%.12g', r.time_scale),
	r.sample_ns, r.pcp_batch, r.pcp_high, r.seed, r.rng_type, r.status, r.events_replayed,
	r.skipped_unmatched, r.skipped_null, r.skipped_page, r.stall_cycles, r.timer_runs,
	r.end_cycles, r.end_ns, r.locks_held_at_end, r.outstanding_allocs, t.digest
	FROM run r JOIN k ON k.id = r.id JOIN trace t ON t.id = r.trace_id ORDER BY k.key;
SELECT k.key, 'config', replace(r.config_text, char(10), ' ')
	FROM run r JOIN k ON k.id = r.id ORDER BY k.key;
SELECT k.key, 'param', p.name, p.value, p.is_auto FROM run_param p JOIN k ON k.id = p.run_id
	ORDER BY k.key, p.name;
SELECT k.key, 'cost', c.name, c.cycles FROM run_cost c JOIN k ON k.id = c.run_id ORDER BY k.key, c.name;
SELECT k.key, 'run_cache', c.cache_id, c.name, c.object_bytes FROM run_cache c JOIN k ON k.id = c.run_id
	ORDER BY k.key, c.cache_id;
SELECT k.key, 'counter', c.name, c.cpu, c.cache, c.value FROM counter c JOIN k ON k.id = c.run_id
	ORDER BY k.key, c.name, c.cpu, c.cache, c.value;
SELECT k.key, 'lock', l.class, l.cpu, l.cache, l.acquired, l.contended, l.wait_cycles, l.hold_cycles,
	l.try_fail FROM lock_stat l JOIN k ON k.id = l.run_id
	ORDER BY k.key, l.class, l.cpu, l.cache, l.acquired, l.contended, l.wait_cycles;
SELECT k.key, 'touch', t.origin, t.cpu, t.cache, t.reads, t.writes, t.atomics, t.hits, t.upgrades,
	t.mem_local, t.mem_remote, t.xfer_local, t.xfer_remote, t.invalidations, t.cas_retries
	FROM touch t JOIN k ON k.id = t.run_id ORDER BY k.key, t.origin, t.cpu, t.cache, t.reads, t.writes;
SELECT k.key, 'gauge', g.name, g.cache, g.final, g.peak FROM gauge g JOIN k ON k.id = g.run_id
	ORDER BY k.key, g.name, g.cache, g.final, g.peak;
SELECT k.key, 'cache_op', c.cache, c.op, c.n, c.cycles FROM cache_op c JOIN k ON k.id = c.run_id
	ORDER BY k.key, c.cache, c.op;
SELECT k.key, 'latency', l.op, printf('%.12g', l.bin_lo), printf('%.12g', l.bin_hi), l.count
	FROM latency l JOIN k ON k.id = l.run_id ORDER BY k.key, l.op, l.bin_lo;
SELECT k.key, 'latency_summary', s.op, s.n, printf('%.12g', s.mean_cycles), printf('%.12g', s.p50_cycles),
	printf('%.12g', s.p90_cycles), printf('%.12g', s.p99_cycles), s.max_cycles
	FROM latency_summary s JOIN k ON k.id = s.run_id ORDER BY k.key, s.op;
SELECT k.key, 'memory', m.cache, count(*), min(m.t_ns), max(m.t_ns),
	sum(m.slab_bytes), sum(m.meta_bytes), sum(m.slabs), sum(m.live_objs), sum(m.live_bytes),
	sum(m.cached_objs), sum(m.large_bytes),
	max(m.slab_bytes), max(m.meta_bytes), max(m.slabs), max(m.live_objs), max(m.live_bytes),
	max(m.cached_objs), max(m.large_bytes)
	FROM memory m JOIN k ON k.id = m.run_id GROUP BY k.key, m.cache ORDER BY k.key, m.cache;
-- weights (t_ns / sample_ns) mod 101: a value that moves to another sample changes the sum
SELECT k.key, 'memory_weighted', m.cache,
	sum(m.slab_bytes * w), sum(m.meta_bytes * w), sum(m.slabs * w), sum(m.live_objs * w),
	sum(m.live_bytes * w), sum(m.cached_objs * w), sum(m.large_bytes * w)
	FROM (SELECT m.*, (m.t_ns / r.sample_ns) % 101 AS w FROM memory m JOIN run r ON r.id = m.run_id) m
	JOIN k ON k.id = m.run_id GROUP BY k.key, m.cache ORDER BY k.key, m.cache;
