#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# golden.sh - the golden test: replays each bundled sample trace against
# every policy and preset ('--policy all') on two fixed machines with a
# fixed seed, dumps everything deterministic the results database holds
# (tests/golden/dump.sql) and compares it, value by value, with the
# expected dump committed in tests/golden/<trace>.<machine>.txt.xz.  On a
# mismatch it prints the first differing lines.  An optimisation must keep
# every line identical.
#
#   tests/golden.sh            compare (run by 'make check')
#   tests/golden.sh --update   rewrite the expected dumps ('make golden-update')
#
# The machines: 'trace4' is 4 cpus at trace timing; 'closed16x2' is 16 cpus
# in 2 nodes, closed loop, with the capture replicated 4 times.
# SLABSIM_TEST_QUICK=1 limits the test to the -head traces.
set -u
srcdir=${SLABSIM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${SLABSIM_BUILDDIR:-.}
slabsim=$builddir/slabsim
golden=$srcdir/tests/golden
update=0
[ "${1:-}" = "--update" ] && update=1

for tool in sqlite3 xz diff; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "golden: $tool not found (scripts/install-deps.sh installs it); skipped"
		exit 77
	fi
done
if [ ! -x "$slabsim" ]; then
	echo "golden: $slabsim is not built" >&2
	exit 99
fi

traces="fork_exec-head file_churn-head"
[ "${SLABSIM_TEST_QUICK:-0}" = 1 ] || traces="$traces fork_exec file_churn"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slabsim-golden.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0

for trace in $traces; do
	for machine in trace4 closed16x2; do
		case $machine in
		trace4) opts="--cpus 4 --timing trace" ;;
		closed16x2) opts="--cpus 16 --nodes 2 --replicate 4 --timing closed" ;;
		esac
		name=$trace.$machine
		# shellcheck disable=SC2086
		if ! "$slabsim" run -q --policy all --seed 1 $opts --db "$tmp/$name.db" \
			--trace "$srcdir/traces/samples/$trace.trace.xz" > "$tmp/$name.log" 2>&1; then
			echo "golden: $name: slabsim run failed:" >&2
			cat "$tmp/$name.log" >&2
			status=1
			continue
		fi
		if ! sqlite3 -batch "$tmp/$name.db" < "$golden/dump.sql" > "$tmp/$name.txt"; then
			echo "golden: $name: dumping the database failed" >&2
			status=1
			continue
		fi
		if [ $update = 1 ]; then
			xz -9 -c "$tmp/$name.txt" > "$golden/$name.txt.xz" || exit 99
			echo "golden: wrote $golden/$name.txt.xz ($(wc -l < "$tmp/$name.txt") lines)"
			continue
		fi
		if [ ! -f "$golden/$name.txt.xz" ]; then
			echo "golden: $name: no expected dump $golden/$name.txt.xz (make golden-update)" >&2
			status=1
			continue
		fi
		xz -dc "$golden/$name.txt.xz" > "$tmp/$name.expected" || exit 99
		if cmp -s "$tmp/$name.expected" "$tmp/$name.txt"; then
			echo "golden: $name: $(wc -l < "$tmp/$name.txt") lines identical"
		else
			echo "golden: $name: differs from $golden/$name.txt.xz; first differences" \
			     "(- expected, + this build):" >&2
			diff -U0 "$tmp/$name.expected" "$tmp/$name.txt" | sed -n '3,42p' >&2
			echo "golden: $name: $(diff "$tmp/$name.expected" "$tmp/$name.txt" | grep -c '^[<>]')" \
			     "lines differ" >&2
			status=1
		fi
	done
done
exit $status
