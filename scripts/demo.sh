#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: replays a bundled real kernel trace against SLUB as the 2007
# patch had it and as 6.1 has it, at trace speed and back to back (closed
# loop), records the runs in a database and draws the comparison.
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
for policy in slub-2007 slub-classic; do
	for timing in trace closed; do
		echo "== $policy, 4 cpus, timing $timing"
		"$bin" run --trace "$trace" --policy "$policy" --cpus 4 --timing "$timing" --db "$db" --top 5
		echo
	done
done
echo "== 2 nodes x 8 cpus, closed loop"
for policy in slub-2007 slub-classic; do
	"$bin" run -q --trace "$trace" --policy "$policy" --cpus 16 --nodes 2 --map spread --timing closed --db "$db"
done

echo
echo "== comparison (view 'summary' of $db)"
sqlite3 -column -header "$db" "
SELECT run_id, preset, cpus, nodes, timing, ops,
       printf('%.1f%%', 100 * alloc_fastpath_share) AS alloc_fast,
       printf('%.4f', list_lock_acq_per_op) AS list_lock_op,
       printf('%.4f', slab_lock_acq_per_op) AS slab_lock_op,
       printf('%.3f', alloc_xfers_per_op) AS xfer_op,
       printf('%.0f KiB', peak_slab_bytes / 1024.0) AS peak_mem,
       printf('%.1f', alloc_mean_cycles) AS alloc_cyc,
       printf('%.0f', alloc_p99_cycles) AS alloc_p99,
       printf('%.1f', free_mean_cycles) AS free_cyc
FROM summary ORDER BY run_id;"

if command -v gnuplot >/dev/null 2>&1; then
	label="r.preset || ' ' || r.cpus || 'cpu/' || r.nodes || 'n ' || r.timing"
	sqlite3 -csv -header "$db" "
SELECT $label AS run,
       max(CASE class WHEN 'list_lock' THEN acq_per_op END) AS list_lock,
       max(CASE class WHEN 'slab_lock' THEN acq_per_op END) AS slab_lock,
       max(CASE class WHEN 'zone_lock' THEN acq_per_op END) AS zone_lock,
       max(CASE class WHEN 'pcp_lock' THEN acq_per_op END) AS pcp_lock
FROM summary_lock s JOIN run r ON r.id = s.run_id GROUP BY r.id ORDER BY r.id;" > "$out/locks.csv"
	gnuplot -e "in='$out/locks.csv'; out='$out/locks.png'; title='fork\\_exec (6.1, 4 vCPUs): lock acquisitions per alloc or free'" "$top/plots/policies.gp"
	: > "$out/memory.csv"
	n=0
	for id in $(sqlite3 "$db" "SELECT id FROM run WHERE timing = 'trace' ORDER BY id"); do
		sqlite3 "$db" "SELECT preset || ' ' || cpus || ' cpus' FROM run WHERE id = $id" >> "$out/memory.csv"
		sqlite3 -csv "$db" "SELECT '', t_ns / 1e9, slab_bytes / 1024.0 FROM memory WHERE run_id = $id AND cache IS NULL ORDER BY t_ns" >> "$out/memory.csv"
		printf '\n\n' >> "$out/memory.csv"
		n=$((n + 1))
	done
	gnuplot -e "in='$out/memory.csv'; out='$out/memory.png'; nruns=$n; title='fork_exec at trace speed: slab memory held'" "$top/plots/memory.gp"
	echo
	echo "plots: $out/locks.png $out/memory.png"
else
	echo "gnuplot not found: no plots (apt-get install gnuplot-nox)"
fi
echo "database: $db"
