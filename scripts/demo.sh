#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: replays a bundled real kernel trace (fork_exec, Linux 6.1,
# 4 vCPUs) against every policy and preset, once at the trace's own speed
# on 4 cpus and once back to back (closed loop) with the capture
# replicated onto 16 cpus in 2 nodes; sweeps the per-cpu array's size and
# batch, and the cpu count of three policies; records every run in a
# database and draws every kind of plot and report.html from it.
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

echo
echo "== peak memory and lock traffic against the cpu count: the replicated capture on 4, 16 and 64 cpus"
"$bin" sweep -q --trace "$trace" --policy slub,magazine,pcarray --cpus 4,16,64 \
	--replicate 4 --nodes 2 --map spread --timing closed --db "$db"
sqlite3 -column -header "$db" "
SELECT coalesce(nullif(preset, ''), policy) AS policy, cpus,
       printf('%.4f', (SELECT sum(acq_per_op) FROM summary_lock WHERE run_id = s.run_id)) AS locks_op,
       printf('%.0f KiB', peak_slab_bytes / 1024.0) AS peak_mem
FROM summary s WHERE nodes = 2 AND preset = '' AND policy IN ('slub', 'magazine', 'pcarray')
  AND NOT EXISTS (SELECT 1 FROM run_param WHERE run_id = s.run_id AND is_auto = 0 AND name IN ('size', 'batch'))
ORDER BY policy, cpus;"

if command -v gnuplot >/dev/null 2>&1; then
	echo
	echo "== plots and report"
	"$bin" plot --db "$db" --list
	# report draws every kind 'slabsim plot' can into $out/plots and embeds them
	SLABSIM_PLOTS=${SLABSIM_PLOTS:-$top/plots} "$bin" report --db "$db" --out "$out" > "$out/report.txt" ||
		{ echo "demo: slabsim report failed" >&2; exit 1; }
	echo
	echo "plots:  $out/plots/ ($(ls "$out/plots/"*.png | wc -l) PNGs, their data as CSV beside them):"
	for f in "$out/plots/"*.png; do echo "  $f"; done
	echo "report: $out/report.html (one self-contained page: tables, plots, every run's configuration)"
	echo "table:  $out/report.txt"
else
	echo "gnuplot not found: no plots (apt-get install gnuplot-nox)"
fi
echo "database: $db"
