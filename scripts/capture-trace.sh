#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# capture-trace.sh - records a kernel slab-allocation trace that
# `slabsim validate` can check the model against: the six kmem events with
# real pointers and the mono clock, /proc/slabinfo before and after, the
# per-cpu ring-buffer statistics (lost events), /proc/version and the
# kernel command line.  Runs on the machine to be traced, as root (tracefs
# is root's), through tracefs directly or through trace-cmd.
#
# Output, for --name NAME in --out DIR (the layout of traces/samples/):
#   NAME.trace.xz          the ftrace text (tracefs 'trace' file, or 'trace-cmd report')
#   NAME.slabinfo.txt      "### /proc/slabinfo before the workload", the snapshot,
#                          "### /proc/slabinfo after the workload", the snapshot
#   NAME.percpu-stats.txt  per_cpu/cpuN/stats of every cpu after tracing stopped
#   NAME.meta.txt          /proc/version, /proc/cmdline, nproc, set_event,
#                          trace_clock, buffer_size_kb, the command traced
#   NAME.dat               (--trace-cmd only) the trace-cmd record file
set -eu

prog=capture-trace.sh
tracefs=
proc=/proc
out=.
name=capture
buffer_kb=131072
force=0
use_tracecmd=0
duration=
compress=1
events="kmem:kmem_cache_alloc kmem:kmem_cache_free kmem:kmalloc kmem:kfree kmem:mm_page_alloc kmem:mm_page_free"

usage() {
	cat <<EOF
Usage: $prog [OPTION]... -- COMMAND [ARG]...
       $prog [OPTION]... --duration SECONDS

Records the kernel's slab allocations (kmem_cache_alloc, kmem_cache_free,
kmalloc, kfree, mm_page_alloc, mm_page_free) while COMMAND runs, or for
SECONDS, with the mono clock, plus /proc/slabinfo before and after, the
per-cpu ring-buffer statistics, /proc/version and /proc/cmdline: what
'slabsim validate --trace NAME.trace.xz --slabinfo NAME.slabinfo.txt' needs.
Needs root, and the kernel booted with no_hash_pointers (otherwise
pointers are hashed and objects cannot be mapped to slabs).

Options:
  -o, --out DIR         output directory (default .; created)
  -n, --name NAME       file name prefix (default capture)
  -b, --buffer-kb KB    ring buffer per cpu in KiB (default 131072); raise it
                        if the per-cpu stats show overruns
  -d, --duration S      trace for S seconds instead of a command
      --trace-cmd       record with trace-cmd (trace-cmd record/report)
                        instead of writing tracefs directly
      --tracefs DIR     tracefs mount (default /sys/kernel/tracing, else
                        /sys/kernel/debug/tracing)
      --proc DIR        where version, cmdline and slabinfo are read (default /proc)
      --no-compress     leave NAME.trace uncompressed
  -f, --force           capture even without no_hash_pointers (the trace then
                        replays, but does not validate)
  -h, --help            show this help

Exit status: 0 success, 1 failure (not root, no tracefs, hashed pointers,
lost events), 2 usage error.

Example:
  sudo scripts/capture-trace.sh --out /tmp/cap --name build -- make -j8
EOF
}

die() { echo "$prog: $*" >&2; exit 1; }
usage_error() { echo "$prog: $* (try '$prog --help')" >&2; exit 2; }
warn() { echo "$prog: warning: $*" >&2; }

need_arg() { [ $# -ge 2 ] || usage_error "option '$1' needs a value"; }

while [ $# -gt 0 ]; do
	case $1 in
	-o|--out) need_arg "$@"; out=$2; shift 2 ;;
	-n|--name) need_arg "$@"; name=$2; shift 2 ;;
	-b|--buffer-kb) need_arg "$@"; buffer_kb=$2; shift 2 ;;
	-d|--duration) need_arg "$@"; duration=$2; shift 2 ;;
	--trace-cmd) use_tracecmd=1; shift ;;
	--tracefs) need_arg "$@"; tracefs=$2; shift 2 ;;
	--proc) need_arg "$@"; proc=$2; shift 2 ;;
	--no-compress) compress=0; shift ;;
	-f|--force) force=1; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done

case $buffer_kb in
''|*[!0-9]*) usage_error "--buffer-kb '$buffer_kb': expected a size in KiB" ;;
esac
[ "$buffer_kb" -ge 1 ] || usage_error "--buffer-kb '$buffer_kb': expected a size in KiB"
case $name in
''|*/*) usage_error "--name '$name': expected a file name prefix without '/'" ;;
esac
if [ -n "$duration" ]; then
	case $duration in
	''|*[!0-9.]*) usage_error "--duration '$duration': expected seconds" ;;
	esac
	[ $# -eq 0 ] || usage_error "give either --duration or a COMMAND, not both"
else
	[ $# -gt 0 ] || usage_error "nothing to trace: give -- COMMAND or --duration SECONDS"
fi

# --- the kernel ------------------------------------------------------------
[ -r "$proc/cmdline" ] || die "$proc/cmdline: cannot read it"
[ -r "$proc/slabinfo" ] || die "$proc/slabinfo: cannot read it (root is needed)"
if ! tr ' ' '\n' <"$proc/cmdline" | grep -qx 'no_hash_pointers'; then
	if [ "$force" -eq 1 ]; then
		warn "no no_hash_pointers on the kernel command line: pointers are hashed, the trace will replay but not validate"
	else
		die "the kernel was not booted with no_hash_pointers ($proc/cmdline): trace pointers would be hashed and objects cannot be mapped to slabs; add no_hash_pointers to the kernel command line and reboot, or give --force"
	fi
fi

if [ "$use_tracecmd" -eq 1 ]; then
	command -v trace-cmd >/dev/null 2>&1 || die "--trace-cmd: trace-cmd is not installed (apt-get install trace-cmd)"
else
	if [ -z "$tracefs" ]; then
		for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
			if [ -e "$d/trace" ]; then tracefs=$d; break; fi
		done
		[ -n "$tracefs" ] || die "no tracefs at /sys/kernel/tracing or /sys/kernel/debug/tracing (mount -t tracefs nodev /sys/kernel/tracing)"
	fi
	for f in trace tracing_on set_event trace_clock buffer_size_kb; do
		[ -e "$tracefs/$f" ] || die "$tracefs/$f: missing: not a tracefs directory"
	done
	[ -w "$tracefs/tracing_on" ] || die "$tracefs/tracing_on: not writable (run as root)"
	grep -qw mono "$tracefs/trace_clock" || die "$tracefs/trace_clock: this kernel has no mono clock"
fi

mkdir -p "$out" || die "$out: cannot create it"
base=$out/$name

snapshot() { # $1: before|after
	echo "### /proc/slabinfo $1 the workload"
	cat "$proc/slabinfo"
}

workload() {
	if [ -n "$duration" ]; then
		sleep "$duration"
	else
		"$@" || warn "the command exited with status $?"
	fi
}

# --- record ----------------------------------------------------------------
{
	echo "# /proc/version"
	cat "$proc/version" 2>/dev/null || echo unknown
	echo "# kernel command line"
	cat "$proc/cmdline"
	echo "# cpus (nproc)"
	nproc 2>/dev/null || echo unknown
	echo "# traced"
	if [ -n "$duration" ]; then echo "sleep $duration"; else echo "$*"; fi
} >"$base.meta.txt"

if [ "$use_tracecmd" -eq 1 ]; then
	eargs=
	for e in $events; do eargs="$eargs -e $e"; done
	snapshot before >"$base.slabinfo.txt"
	# shellcheck disable=SC2086
	if [ -n "$duration" ]; then
		trace-cmd record -C mono -b "$buffer_kb" $eargs -o "$base.dat" sleep "$duration"
	else
		trace-cmd record -C mono -b "$buffer_kb" $eargs -o "$base.dat" "$@"
	fi
	snapshot after >>"$base.slabinfo.txt"
	trace-cmd report -i "$base.dat" >"$base.trace"
	trace-cmd report --stat -i "$base.dat" >"$base.percpu-stats.txt" 2>&1 || true
	{
		echo "# set_event"
		for e in $events; do echo "$e"; done
		echo "# trace_clock"
		echo mono
		echo "# buffer_size_kb (per CPU)"
		echo "$buffer_kb"
	} >>"$base.meta.txt"
else
	t=$tracefs
	echo 0 >"$t/tracing_on"
	: >"$t/set_event"
	for e in $events; do echo "$e" >>"$t/set_event"; done
	echo mono >"$t/trace_clock"
	echo "$buffer_kb" >"$t/buffer_size_kb"
	: >"$t/trace"
	trap 'echo 0 >"$t/tracing_on"; : >"$t/set_event"' EXIT
	snapshot before >"$base.slabinfo.txt"
	echo 1 >"$t/tracing_on"
	workload "$@"
	echo 0 >"$t/tracing_on"
	snapshot after >>"$base.slabinfo.txt"
	for s in "$t"/per_cpu/cpu*/stats; do
		[ -e "$s" ] || continue
		echo "### $(basename "$(dirname "$s")")"
		cat "$s"
	done >"$base.percpu-stats.txt"
	cat "$t/trace" >"$base.trace"
	{
		echo "# set_event"
		cat "$t/set_event"
		echo "# trace_clock"
		cat "$t/trace_clock"
		echo "# buffer_size_kb (per CPU)"
		cat "$t/buffer_size_kb"
	} >>"$base.meta.txt"
	: >"$t/set_event"
	trap - EXIT
fi

# --- lost events -----------------------------------------------------------
lost=$(awk '/^(overrun|commit overrun|dropped events):/ { n += $NF } END { print n + 0 }' "$base.percpu-stats.txt")
if grep -q 'LOST' "$base.trace"; then
	lost=$((lost + 1))
fi
if [ "$compress" -eq 1 ]; then
	if command -v xz >/dev/null 2>&1; then
		xz -f "$base.trace"
	else
		warn "xz not found: $base.trace left uncompressed"
	fi
fi
echo "$prog: wrote $base.{trace$( [ "$compress" -eq 1 ] && command -v xz >/dev/null 2>&1 && echo .xz),slabinfo.txt,percpu-stats.txt,meta.txt}"
if [ "$lost" -ne 0 ]; then
	die "events were lost (see $base.percpu-stats.txt: overrun, dropped events, or LOST lines): raise --buffer-kb and capture again"
fi
