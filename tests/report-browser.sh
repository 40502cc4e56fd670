#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# report.html in a real browser: records a few runs of a bundled trace,
# writes the report, opens it in headless Chromium driven by chromedriver
# over the W3C WebDriver HTTP API (curl, no client library), and checks
# that the page loads, that every <img> decoded (complete, naturalWidth >
# 0), and that the tables have a row per run and per trace of the database.
# Exit 77 (skipped) only when chromium, chromedriver, curl or sqlite3 are
# missing (Debian: apt-get install chromium chromium-driver curl sqlite3).
set -u

srcdir=${SLABSIM_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=${SLABSIM_BUILDDIR:-$(pwd)}
bin=$builddir/slabsim
chrome=${CHROMIUM:-}
if [ -z "$chrome" ]; then
	# Debian's /usr/bin/chromium is a shell wrapper; chromedriver wants the binary
	if [ -x /usr/lib/chromium/chromium ]; then chrome=/usr/lib/chromium/chromium
	else chrome=$(command -v chromium || command -v chromium-browser || true); fi
fi
driver=${CHROMEDRIVER:-$(command -v chromedriver || true)}
for tool in curl sqlite3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -n "$chrome" ] && [ -x "$chrome" ] || { echo "SKIP: chromium not installed (apt-get install chromium)"; exit 77; }
[ -n "$driver" ] && [ -x "$driver" ] || { echo "SKIP: chromedriver not installed (apt-get install chromium-driver)"; exit 77; }
[ -x "$bin" ] || { echo "FAIL: $bin not built"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/slabsim-browser.XXXXXX")
drv_pid=
session=
url=

fail() {
	echo "FAIL: $*"
	exit 1
}

# Ends the session (chromedriver then quits Chromium) and chromedriver's
# whole process group, whatever happened before.
cleanup() {
	if [ -n "$session" ]; then
		curl -s -m 10 -X DELETE "$url/session/$session" >/dev/null 2>&1
	fi
	if [ -n "$drv_pid" ]; then
		# (dash's kill takes no "--": a negative pid names the group)
		kill -TERM "-$drv_pid" "$drv_pid" 2>/dev/null
		n=0
		while kill -0 "$drv_pid" 2>/dev/null && [ $n -lt 30 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -KILL "-$drv_pid" "$drv_pid" 2>/dev/null
		wait "$drv_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# POSTs JSON body $2 to WebDriver path $1; prints the response.
wd() {
	curl -s -m 60 -X POST -H 'Content-Type: application/json' -d "$2" "$url$1"
}

# The fixture: two policies on the bundled trace, one of them swept (4 runs).
db=$tmp/b.db
"$bin" run --trace "$srcdir/traces/samples/fork_exec-head.trace.xz" --policy slub,magazine --db "$db" \
	>"$tmp/run.log" 2>&1 || fail "slabsim run: $(cat "$tmp/run.log")"
"$bin" sweep -q --trace "$srcdir/traces/samples/fork_exec-head.trace.xz" --policy pcarray \
	--set size=8,16 --timing closed --jobs 1 --db "$db" >"$tmp/sweep.log" 2>&1 ||
	fail "slabsim sweep: $(cat "$tmp/sweep.log")"
SLABSIM_PLOTS=$srcdir/plots "$bin" report --db "$db" --out "$tmp/rep" >"$tmp/report.log" 2>&1 ||
	fail "slabsim report: $(cat "$tmp/report.log")"
runs=$(sqlite3 "$db" "SELECT count(*) FROM run")
traces=$(sqlite3 "$db" "SELECT count(*) FROM trace")
pngs=$(ls "$tmp/rep/plots/"*.png | wc -l)
[ "$runs" -eq 4 ] || fail "the fixture should hold 4 runs, not $runs"

# chromedriver in its own process group, so cleanup reaches Chromium too
port=$(( 20000 + $$ % 20000 ))
setsid "$driver" --port="$port" >"$tmp/driver.log" 2>&1 &
drv_pid=$!
url=http://127.0.0.1:$port
i=0
until curl -s -m 2 "$url/status" 2>/dev/null | grep -q '"ready": *true'; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "chromedriver did not start: $(cat "$tmp/driver.log")"
	sleep 0.1
done

caps='{"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:chromeOptions":{"binary":"'$chrome'",
"args":["--headless","--no-sandbox","--disable-gpu","--disable-quic","--no-first-run",
"--disable-background-networking","--disable-component-update","--disable-sync",
"--disable-dev-shm-usage","--user-data-dir='$tmp/profile'"]}}}}'
resp=$(wd /session "$caps")
session=$(printf '%s' "$resp" | grep -o '"sessionId": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$session" ] || fail "no WebDriver session: $resp"

resp=$(wd "/session/$session/url" '{"url":"file://'"$tmp/rep/report.html"'"}')
printf '%s' "$resp" | grep -q '"value": *null' || fail "the page did not load: $resp"

# One string from the page: readyState, images, decoded images, rows of each table.
js='var im = Array.from(document.images);
var ok = im.filter(function (i) { return i.complete && i.naturalWidth > 0; });
function rows(id) { var t = document.getElementById(id); return t ? t.querySelectorAll(\"tr td\").length ? t.querySelectorAll(\"tr\").length - 1 : 0 : -1; }
return [document.readyState, im.length, ok.length, rows(\"runs\"), rows(\"traces\"),
	document.querySelectorAll(\"details.config\").length, document.title].join(\"|\");'
js=$(printf '%s' "$js" | tr '\n\t' '  ')
resp=$(wd "/session/$session/execute/sync" '{"script":"'"$js"'","args":[]}')
value=$(printf '%s' "$resp" | grep -o '"value": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$value" ] || fail "the script did not run: $resp"
echo "page: $value (database: $runs runs, $traces traces, $pngs plots)"
IFS='|' read -r state imgs decoded run_rows trace_rows configs title <<EOF
$value
EOF
[ "$state" = complete ] || fail "document.readyState is '$state', not complete"
[ "$title" = "slabsim report" ] || fail "the page title is '$title'"
[ "$imgs" -eq "$pngs" ] || fail "the page has $imgs images, the report drew $pngs plots"
[ "$imgs" -ge 10 ] || fail "only $imgs images on the page"
[ "$decoded" -eq "$imgs" ] || fail "only $decoded of $imgs images loaded (complete, naturalWidth > 0)"
[ "$run_rows" -eq "$runs" ] || fail "the runs table has $run_rows rows, the database $runs runs"
[ "$trace_rows" -eq "$traces" ] || fail "the traces table has $trace_rows rows, the database $traces traces"
[ "$configs" -eq "$runs" ] || fail "$configs configurations shown for $runs runs"
echo "PASS: report.html loads in $("$chrome" --version 2>/dev/null | head -1)"
exit 0
