#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# crash.sh - crash safety of the results database.
#
# 1. A reference sweep runs uninterrupted.  Then the same sweep is started
#    20 times on another database and each time killed with SIGKILL (the
#    sweep and its workers, the whole process group) at a pseudo-random
#    point drawn from a fixed seed: after 0, 1 or 2 more runs are recorded,
#    and a fraction of a run's time.  After each kill: PRAGMA
#    integrity_check is ok, no row belongs to a missing run, and every run
#    has exactly the child rows (parameters, costs, counters, locks,
#    touches, gauges, cycles, latencies, memory samples) of the same
#    configuration in the reference (a kill before the sweep committed its
#    schema leaves a file without tables, which the next attempt sets up;
#    the first attempt starts on such a file on purpose).  A last sweep
#    finishes the rest, and the database then holds the reference's
#    results, value for value (tests/golden/dump.sql); so does every
#    database the kills let finish, which is then started afresh.
# 2. Two identical sweeps start at once on a fresh database, three times:
#    each either completes or is refused with a one-line message naming the
#    database, and the database ends with the reference's results.
#
# SLABSIM_CRASH_SEED picks other kill points (default 1).
set -u
srcdir=${SLABSIM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${SLABSIM_BUILDDIR:-.}
slabsim=$builddir/slabsim
seed=${SLABSIM_CRASH_SEED:-1}
kills=20

for tool in sqlite3 setsid awk diff pgrep; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "crash: $tool not found; skipped"
		exit 77
	fi
done
# the kill(1) program (procps), which takes a process group, not the shell's builtin
if ! env kill -l >/dev/null 2>&1; then
	echo "crash: kill not found (procps); skipped"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slabsim-crash.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

fail()
{
	echo "crash: FAIL: $*" >&2
	exit 1
}

now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

# The sweep: 22 runs of a few hundredths of a second each, on 2 workers.
sweep_opts="-q --jobs 2 --policy slub-2007,slub,pcarray,magazine,slab --set size=8,16,32,64 --cpus 8,16
	--replicate 8 --timing closed --seed 1"
trace=$srcdir/traces/samples/fork_exec-head.trace.xz

# shellcheck disable=SC2086
sweep()
{
	"$slabsim" sweep $sweep_opts --trace "$trace" --db "$1"
}

dump()
{
	sqlite3 -batch "$1" < "$srcdir/tests/golden/dump.sql" > "$2" || fail "cannot dump $1"
}

# Prints what is wrong with database $1 against the reference: nothing when sound.
check_db()
{
	child="run_param run_cost run_cache counter lock_stat touch gauge cache_op latency latency_summary memory"
	counts=""
	orphans=""
	for t in $child; do
		counts="$counts || ',$t=' || (SELECT count(*) FROM DB.$t c WHERE c.run_id = r.id)"
		orphans="$orphans SELECT 'orphan rows in $t: ' || count(*) FROM main.$t
			WHERE run_id NOT IN (SELECT id FROM main.run) HAVING count(*) > 0;"
	done
	main=$(echo "$counts" | sed 's/DB\./main./g')
	ref=$(echo "$counts" | sed 's/DB\./ref./g')
	sqlite3 -batch "$1" <<-EOF
	ATTACH '$tmp/ref.db' AS ref;
	$orphans
	SELECT 'half-written run ' || m.d || ': ' || m.n || ' where the reference has ' || ifnull(f.n, 'no run')
		FROM (SELECT r.config_digest AS d, '' $main AS n FROM main.run r) m
		LEFT JOIN (SELECT r.config_digest AS d, '' $ref AS n FROM ref.run r) f ON f.d = m.d
		WHERE f.n IS NOT m.n;
	SELECT 'trace ' || t.digest || ' lacks caches or anomalies' FROM main.trace t JOIN ref.trace u USING (digest)
		WHERE (SELECT count(*) FROM main.trace_cache WHERE trace_id = t.id) !=
		      (SELECT count(*) FROM ref.trace_cache WHERE trace_id = u.id)
		   OR (SELECT count(*) FROM main.trace_anomaly WHERE trace_id = t.id) !=
		      (SELECT count(*) FROM ref.trace_anomaly WHERE trace_id = u.id);
	EOF
}

# Checks database $1 after a kill ($2 says which): sound, and returns 0 if
# it has the schema; 1 if the kill came before the sweep created the file or
# committed its schema (a file without tables, which the next sweep sets up).
check_killed()
{
	[ -f "$1" ] || { echo "crash: $2: no database yet"; return 1; }
	ok=$(sqlite3 "$1" 'PRAGMA integrity_check') || fail "$2: cannot open the database"
	[ "$ok" = ok ] || fail "$2: integrity_check: $ok"
	tables=$(sqlite3 "$1" 'SELECT count(*) FROM sqlite_master') || fail "$2: cannot read the schema"
	[ "$tables" -gt 0 ] || { echo "crash: $2: no schema yet"; return 1; }
	bad=$(check_db "$1") || fail "$2: checking the database failed"
	[ -z "$bad" ] || fail "$2: $bad"
	return 0
}

# --- 1. killed 20 times, resumed ---
# a kill before the schema is committed leaves a file without tables: a
# sweep on such a file (as the next attempt in the loop below) records
# every run; made here on purpose, as the kills only sometimes land there
sqlite3 "$tmp/crash.db" 'PRAGMA journal_mode = WAL' >/dev/null || fail "cannot make an empty database"
check_killed "$tmp/crash.db" "an empty database" && fail "an empty database should have no schema"
t0=$(now_ms)
sweep "$tmp/ref.db" || fail "the reference sweep failed"
tref=$(($(now_ms) - t0))
dump "$tmp/ref.db" "$tmp/ref.txt"
nref=$(sqlite3 "$tmp/ref.db" 'SELECT count(*) FROM run')

# one run's time on a worker, from the reference
trun=$(((tref * 2 + nref - 1) / nref))
# a kill lands after the attempt has recorded 0, 1 or 2 more runs, then a
# further uniform fraction of one run's time (both seeded): wherever the
# sweep is, the kill hits it while it loads, computes or writes runs
awk -v seed="$seed" -v n=$kills 'BEGIN { srand(seed); for (i = 0; i < n; i++)
	printf "%d %d\n", int(rand() * 3), int(rand() * 1000) }' > "$tmp/kills"
echo "crash: reference sweep: $nref runs in $tref ms; kill seed $seed"

runs()
{
	c=$(sqlite3 "$1" 'SELECT count(*) FROM run' 2>/dev/null)
	echo "${c:-0}"
}

compare_ref()
{
	dump "$tmp/crash.db" "$tmp/crash.txt"
	if ! cmp -s "$tmp/ref.txt" "$tmp/crash.txt"; then
		diff -U0 "$tmp/ref.txt" "$tmp/crash.txt" | sed -n '3,22p' >&2
		fail "$1: the results differ from the uninterrupted sweep's"
	fi
}

interrupted=0
completed=0
i=0
n=0
while read -r more frac; do
	i=$((i + 1))
	target=$((n + more < nref - 1 ? n + more : nref - 1))
	ms=$((frac * trun / 1000))
	# its own session and process group (setsid execs: a background job of
	# a shell without job control leads no group), so one kill takes all
	# shellcheck disable=SC2086
	setsid "$slabsim" sweep $sweep_opts --trace "$trace" --db "$tmp/crash.db" 2> "$tmp/kill.err" &
	pid=$!
	waited=0
	while [ "$(runs "$tmp/crash.db")" -lt $target ] && [ $waited -lt 6000 ]; do
		sleep 0.02
		waited=$((waited + 1))
	done
	sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	if env kill -s KILL -- "-$pid" 2>/dev/null; then
		interrupted=$((interrupted + 1))
	fi
	wait $pid 2>/dev/null
	# workers still dying (not yet zombies): let them go before looking at the file
	while pgrep -r R,S,D,T,t -g "$pid" >/dev/null 2>&1; do sleep 0.01; done
	what="kill $i (after run $target and $ms ms)"
	check_killed "$tmp/crash.db" "$what" || continue
	n=$(runs "$tmp/crash.db")
	echo "crash: $what: integrity ok, $n of $nref runs complete, none half-written"
	if [ "$n" -eq "$nref" ]; then
		# finished between the kills: check it and start over on a new database
		compare_ref "$what"
		completed=$((completed + 1))
		rm -f "$tmp/crash.db" "$tmp/crash.db-wal" "$tmp/crash.db-shm"
		n=0
	fi
done < "$tmp/kills"
[ $interrupted -ge $((kills * 3 / 4)) ] ||
	fail "only $interrupted of $kills kills hit a running sweep"
sweep "$tmp/crash.db" || fail "the resumed sweep failed"
compare_ref "the resumed sweep"
echo "crash: $interrupted of $kills kills interrupted the sweep; $((completed + 1)) resumed sweeps ended" \
     "with results identical to the reference"

# --- 2. two sweeps at once on one database ---
for round in 1 2 3; do
	db=$tmp/twice$round.db
	sweep "$db" 2> "$tmp/a.err" &
	a=$!
	sweep "$db" 2> "$tmp/b.err" &
	b=$!
	wait $a
	ra=$?
	wait $b
	rb=$?
	for who in a b; do
		eval rc=\$r$who
		[ "$rc" -eq 0 ] && continue
		# refused: one clear line naming the database
		if [ "$(wc -l < "$tmp/$who.err")" -ne 1 ] || ! grep -q "^slabsim: sweep: .*$db" "$tmp/$who.err"; then
			cat "$tmp/$who.err" >&2
			fail "round $round: sweep $who exited $rc without one clear message naming the database"
		fi
	done
	[ $ra -eq 0 ] || [ $rb -eq 0 ] || fail "round $round: both sweeps failed: $(cat "$tmp/a.err" "$tmp/b.err")"
	bad=$(check_db "$db") || fail "round $round: checking the database failed"
	[ -z "$bad" ] || fail "round $round: $bad"
	dump "$db" "$tmp/twice.txt"
	cmp -s "$tmp/ref.txt" "$tmp/twice.txt" || fail "round $round: results differ from the reference"
	echo "crash: two sweeps at once, round $round: exit $ra and $rb, results identical to the reference"
done
exit 0
