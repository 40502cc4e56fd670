#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# manpage.sh - checks the manual page doc/slabsim.1 against the program:
#
# 1. groff formats it with every warning enabled (-ww), for the default
#    device and for a terminal (-Tutf8, as man(1) shows it), and prints
#    none;
# 2. its .TH line carries the version 'slabsim --version' prints;
# 3. every command 'slabsim --help' lists, and every subcommand 'slabsim
#    trace --help' lists, has its subsection of COMMANDS (.SS run,
#    .SS "trace import", ...);
# 4. every long option (--something) that a command's or a trace
#    subcommand's --help prints appears in that command's subsection ("trace"
#    stands for its own and its subcommands'), and those of 'slabsim --help'
#    somewhere in the page;
# 5. the kinds 'slabsim plot --help' lists, the sections of 'slabsim trace
#    stats --help' and the generators of 'slabsim trace gen --help' appear in
#    their subsections, and every policy and preset 'slabsim policies' lists
#    in POLICIES.
#
# The page is checked as groff renders it (plain text, one line per
# paragraph), so an option only in a comment does not count.
# Skipped (exit 77) without groff (Debian package groff-base).
set -u
srcdir=${SLABSIM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${SLABSIM_BUILDDIR:-.}
slabsim=$builddir/slabsim
page=$srcdir/doc/slabsim.1

if ! command -v groff >/dev/null 2>&1; then
	echo "manpage: groff not found (scripts/install-deps.sh installs groff-base); skipped"
	exit 77
fi
if [ ! -x "$slabsim" ]; then
	echo "manpage: $slabsim is not built" >&2
	exit 99
fi
if [ ! -f "$page" ]; then
	echo "manpage: $page not found" >&2
	exit 99
fi
LC_ALL=C
export LC_ALL
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slabsim-manpage.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0

fail()
{
	echo "manpage: FAIL: $*" >&2
	status=1
}

# --- 1. groff warnings ---
for dev in default utf8; do
	if [ $dev = default ]; then
		groff -man -ww -z "$page" > "$tmp/warn" 2>&1
	else
		groff -man -ww -z -T$dev "$page" > "$tmp/warn" 2>&1
	fi
	rc=$?
	if [ $rc -ne 0 ] || [ -s "$tmp/warn" ]; then
		fail "groff -man -ww ($dev device) exits $rc and reports:"
		cat "$tmp/warn" >&2
	fi
done

# --- 2. the version ---
version=$("$slabsim" --version) || { echo "manpage: slabsim --version failed" >&2; exit 99; }
th=$(sed -n 's/^\.TH .*"\(slabsim [^"]*\)".*/\1/p' "$page")
[ "$th" = "$version" ] || fail ".TH carries '$th', the program prints '$version'"

# The page as text: continuous (no page headers), one line per paragraph,
# no overstriking.  Section headings start in column 0, subsection
# headings in column 3.
groff -man -Tascii -rcR=1 -rLL=1000n -P-cbou "$page" > "$tmp/page.txt" 2>/dev/null ||
	{ echo "manpage: groff cannot render $page" >&2; exit 99; }

# Prints the text of the subsections named $1 or "$1 ...".
subsection()
{
	awk -v name="$1" '
		/^[^ ]/ { in_it = 0; next }
		/^   [^ ]/ { h = substr($0, 4); in_it = (h == name || index(h, name " ") == 1); next }
		in_it { print }' "$tmp/page.txt"
}

# Prints the text of the section (.SH) named $1.
section()
{
	awk -v name="$1" '/^[^ ]/ { in_it = ($0 == name); next } in_it { print }' "$tmp/page.txt"
}

has_subsection()
{
	grep -qx "   $1" "$tmp/page.txt"
}

# Runs '$slabsim $* --help' into $tmp/help; a failure is fatal.
help_of()
{
	# shellcheck disable=SC2068
	if ! "$slabsim" $@ --help > "$tmp/help" 2> "$tmp/help.err"; then
		echo "manpage: 'slabsim $* --help' failed:" >&2
		cat "$tmp/help.err" >&2
		exit 99
	fi
}

# check_words WHAT TEXTFILE WORD...: each WORD appears in TEXTFILE as a whole
# word (not inside a longer option or name).
check_words()
{
	what=$1
	file=$2
	shift 2
	for w in "$@"; do
		grep -Eq -- "(^|[^A-Za-z0-9_-])$w([^A-Za-z0-9_-]|\$)" "$file" ||
			fail "$w ($what) is missing"
	done
}

# Long options printed by the help in $tmp/help.
long_options()
{
	grep -oE -- '--[a-z][a-z0-9-]*' "$tmp/help" | sort -u
}

# --- 3, 4: commands, trace subcommands, their options ---
help_of
commands=$(awk '/^Commands:/ { c = 1; next } c && /^$/ { exit } c && /^  [^ ]/ { print $1 }' "$tmp/help")
[ -n "$commands" ] || { echo "manpage: no commands found in 'slabsim --help'" >&2; exit 99; }
# shellcheck disable=SC2046
check_words "an option of 'slabsim --help'" "$tmp/page.txt" $(long_options)

noptions=0
for cmd in $commands; do
	if ! has_subsection "$cmd"; then
		fail "command '$cmd' ('slabsim --help') has no subsection in COMMANDS"
		continue
	fi
	subsection "$cmd" > "$tmp/sec.txt"
	help_of "$cmd"
	opts=$(long_options)
	noptions=$((noptions + $(echo "$opts" | grep -c .)))
	# shellcheck disable=SC2086
	check_words "printed by 'slabsim $cmd --help', in the subsection $cmd" "$tmp/sec.txt" $opts
done

help_of trace
subs=$(awk '/^Subcommands:/ { c = 1; next } c && /^$/ { exit } c && /^  [^ ]/ { print $1 }' "$tmp/help")
[ -n "$subs" ] || { echo "manpage: no subcommands found in 'slabsim trace --help'" >&2; exit 99; }
for sub in $subs; do
	if ! has_subsection "trace $sub"; then
		fail "subcommand 'trace $sub' ('slabsim trace --help') has no subsection in COMMANDS"
		continue
	fi
	subsection "trace $sub" > "$tmp/sec.txt"
	help_of trace "$sub"
	opts=$(long_options)
	noptions=$((noptions + $(echo "$opts" | grep -c .)))
	# shellcheck disable=SC2086
	check_words "printed by 'slabsim trace $sub --help', in the subsection trace $sub" "$tmp/sec.txt" $opts
	case $sub in
	stats)
		words=$(awk '/^Sections/ { c = 1; next } c && /^[^ ]/ { exit } c && /^  [^ ]/ { print $1 }' "$tmp/help")
		[ -n "$words" ] || fail "no sections found in 'slabsim trace stats --help'"
		# shellcheck disable=SC2086
		check_words "a section of 'slabsim trace stats --help'" "$tmp/sec.txt" $words ;;
	gen)
		words=$(awk '/^Generators/ { c = 1; next } c && /^  [a-z0-9_]+ - / { print $1 }' "$tmp/help")
		[ -n "$words" ] || fail "no generators found in 'slabsim trace gen --help'"
		# shellcheck disable=SC2086
		check_words "a generator of 'slabsim trace gen --help'" "$tmp/sec.txt" $words ;;
	esac
done

# --- 5. plot kinds, policies and presets ---
help_of plot
words=$(awk '/^Kinds:/ { c = 1; next } c && /^$/ { exit } c && /^  [^ ]/ { print $1 }' "$tmp/help")
[ -n "$words" ] || fail "no kinds found in 'slabsim plot --help'"
subsection plot > "$tmp/sec.txt"
# shellcheck disable=SC2086
check_words "a kind of 'slabsim plot --help'" "$tmp/sec.txt" $words

"$slabsim" policies > "$tmp/policies" || { echo "manpage: 'slabsim policies' failed" >&2; exit 99; }
# a policy's line starts in column 0 with its name; a preset's, after
# "Presets", in column 2
words=$(awk '/^Presets/ { p = 1; next } !p && /^[a-z]/ { print $1 } p && /^  [^ ]/ { print $1 }' "$tmp/policies")
[ -n "$words" ] || fail "no policies found in 'slabsim policies'"
section POLICIES > "$tmp/sec.txt"
# shellcheck disable=SC2086
check_words "listed by 'slabsim policies', in POLICIES" "$tmp/sec.txt" $words

if [ $status -eq 0 ]; then
	echo "manpage: no groff warning; version $version;" \
	     "$(echo "$commands" | wc -w) commands, $(echo "$subs" | wc -w) trace subcommands" \
	     "and $noptions long options of their --help documented"
fi
exit $status
