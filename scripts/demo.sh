#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: replays a bundled real kernel trace (fork_exec, Linux 6.1,
# 4 vCPUs) against every policy and preset, once at the trace's own speed
# on 4 cpus and once back to back (closed loop) with the capture
# replicated onto 16 cpus in 2 nodes, records every run in a database and
# draws the comparison.
# Usage: scripts/demo.sh [OUTDIR]   (default: out/)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-out}
bin=${SLABSIM:-$top/slabsim}
trace=$top/traces/samples/fork_exec.trace.xz
db=$out/demo.db
mkdir -p "$out"
rm -f "$db" "$db-wal" "$db-shm"

[ -x "$bin" ] || { echo "demo: $bin not built (run make)" >&2; exit 1; }
echo "== every policy, 4 cpus, trace timestamps"
"$bin" run --trace "$trace" --policy all --cpus 4 --db "$db"
echo
echo "== every policy, the capture replicated x4 onto 16 cpus in 2 nodes, closed loop"
"$bin" run --trace "$trace" --policy all --replicate 4 --cpus 16 --nodes 2 --map spread --timing closed --db "$db"

echo
echo "== a sweep of the per-cpu array's size and batch (16 cpus, 2 nodes, closed loop)"
"$bin" sweep --trace "$trace" --policy pcarray --set size=8..64*2 --set batch=4,8,16 \
	--replicate 4 --cpus 16 --nodes 2 --map spread --timing closed --db "$db"
sqlite3 -column -header "$db" "
SELECT (SELECT value FROM run_param WHERE run_id = s.run_id AND name = 'size') AS size,
       (SELECT value FROM run_param WHERE run_id = s.run_id AND name = 'batch') AS batch,
       printf('%.4f', (SELECT value FROM counter_total WHERE run_id = s.run_id AND name = 'cpu_cache_refill')
              * 1.0 / ops) AS refilled_per_op,
       printf('%.4f', alloc_xfers_per_op) AS xfer_op,
       printf('%.0f KiB', peak_slab_bytes / 1024.0) AS peak_mem,
       printf('%.1f', alloc_mean_cycles) AS alloc_cyc
FROM summary s JOIN run r ON r.id = s.run_id
WHERE r.policy = 'pcarray' AND r.preset = '' AND r.timing = 'closed'
  AND EXISTS (SELECT 1 FROM run_param WHERE run_id = r.id AND name = 'batch' AND is_auto = 0)
ORDER BY size, batch;"

echo
echo "== the runs in $db (view 'summary')"
sqlite3 -column -header "$db" "
SELECT run_id, coalesce(nullif(preset, ''), policy) AS policy, cpus, nodes, timing,
       printf('%.4f', list_lock_acq_per_op) AS list_lock_op,
       printf('%.4f', slab_lock_acq_per_op) AS slab_lock_op,
       printf('%.4f', alloc_xfers_per_op) AS xfer_op,
       printf('%.0f KiB', peak_slab_bytes / 1024.0) AS peak_mem,
       printf('%.1f', alloc_mean_cycles) AS alloc_cyc,
       printf('%.0f', alloc_p99_cycles) AS alloc_p99,
       printf('%.1f', free_mean_cycles) AS free_cyc
FROM summary ORDER BY run_id;"

if command -v gnuplot >/dev/null 2>&1; then
	sqlite3 -csv -header "$db" "
SELECT coalesce(nullif(r.preset, ''), r.policy) AS run,
       max(CASE class WHEN 'list_lock' THEN acq_per_op END) AS list_lock,
       max(CASE class WHEN 'slab_lock' THEN acq_per_op END) AS slab_lock,
       max(CASE class WHEN 'zone_lock' THEN acq_per_op END) AS zone_lock,
       max(CASE class WHEN 'cpu_lock' THEN acq_per_op END) AS cpu_lock,
       max(CASE class WHEN 'depot_lock' THEN acq_per_op END) AS depot_lock,
       max(CASE class WHEN 'barn_lock' THEN acq_per_op END) AS barn_lock,
       max(CASE class WHEN 'alien_lock' THEN acq_per_op END) AS alien_lock
FROM summary_lock s JOIN run r ON r.id = s.run_id WHERE r.timing = 'closed'
GROUP BY r.id ORDER BY r.id;" > "$out/locks.csv"
	gnuplot -e "in='$out/locks.csv'; out='$out/locks.png'; ncols=7; title='fork_exec (Linux 6.1) x4 on 16 cpus, 2 nodes, closed loop: lock acquisitions per alloc or free'" "$top/plots/policies.gp"
	: > "$out/memory.csv"
	n=0
	for id in $(sqlite3 "$db" "SELECT id FROM run WHERE timing = 'trace' AND policy IN ('slub', 'slab', 'magazine', 'pcarray', 'llcache') AND preset = '' ORDER BY id") \
		  $(sqlite3 "$db" "SELECT id FROM run WHERE timing = 'trace' AND preset IN ('slub-2007', 'sheaves') ORDER BY id"); do
		sqlite3 "$db" "SELECT coalesce(nullif(preset, ''), policy) FROM run WHERE id = $id" >> "$out/memory.csv"
		sqlite3 -csv "$db" "SELECT '', t_ns / 1e9, slab_bytes / 1024.0 FROM memory WHERE run_id = $id AND cache IS NULL ORDER BY t_ns" >> "$out/memory.csv"
		printf '\n\n' >> "$out/memory.csv"
		n=$((n + 1))
	done
	gnuplot -e "in='$out/memory.csv'; out='$out/memory.png'; nruns=$n; title='fork_exec (Linux 6.1) on 4 cpus at trace speed: slab memory held'" "$top/plots/memory.gp"
	"$bin" report --db "$db" --out "$out" > /dev/null || echo "demo: slabsim report failed" >&2
	echo
	echo "plots: $out/locks.png $out/memory.png, and every kind 'slabsim plot' draws in $out/plots/"
	echo "report: $out/report.html (one self-contained page: tables, plots, every run's configuration)"
else
	echo "gnuplot not found: no plots (apt-get install gnuplot-nox)"
fi
echo "database: $db"
