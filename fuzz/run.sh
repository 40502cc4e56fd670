#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - runs every libFuzzer target for a bounded time, each from its
# seed corpus in fuzz/corpus/<target>/, and fails if any target finds a
# crash, a leak, undefined behaviour or a timeout.
#
#   ./configure CC=clang --enable-fuzzing && make && fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS is per target (default 30).  Run it from the build directory.
# New inputs go to fuzz/work/<target>/ (not into the seed corpus); a
# crashing input is saved as fuzz/artifacts/<target>-crash-<sha1> and the
# fuzzer's log as fuzz/work/<target>.log.  To reproduce one:
#   fuzz/fuzz_<target> fuzz/artifacts/<target>-crash-...
set -u
secs=${1:-30}
[ $# -gt 0 ] && shift
targets=${*:-"ftrace csv native load set slabinfo"}
srcdir=${SLABSIM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
status=0

mkdir -p fuzz/artifacts
for t in $targets; do
	bin=fuzz/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "fuzz/run.sh: $bin is not built: ./configure CC=clang --enable-fuzzing && make" >&2
		exit 2
	fi
	mkdir -p "fuzz/work/$t"
	echo "fuzz/run.sh: $t for $secs s"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t-" \
		"fuzz/work/$t" "$srcdir/fuzz/corpus/$t" > "fuzz/work/$t.log" 2>&1
	rc=$?
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "fuzz/work/$t.log" | sed "s/^/  $t /"
	if [ $rc -ne 0 ]; then
		echo "fuzz/run.sh: $t FAILED (exit $rc); see fuzz/work/$t.log and fuzz/artifacts/" >&2
		grep -E 'ERROR|SUMMARY|runtime error' "fuzz/work/$t.log" | head -5 >&2
		status=1
	fi
done
exit $status
