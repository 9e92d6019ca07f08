#!/usr/bin/env bash
# test_status_page.sh - the live controller's status page in a real browser: starts the HTTP server
# with the mock controller (test_httpd --serve) on a free 127.0.0.1 port, has Debian's headless
# Chromium dump the page's DOM and take a screenshot, checks the DOM holds the job states, the spend
# and the escaped job id, and that the screenshot is a real PNG. The screenshot is kept as
# OUTDIR/status_page.png. Exit 77 (skipped) only when chromium is not installed.
# Usage: test_status_page.sh path/to/test_httpd OUTDIR
set -u
T=$1
OUT=$2
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
    echo "chromium is not installed (apt-get install chromium): skipped"
    exit 77
fi
W=$(mktemp -d "$OUT/status_page.XXXXXX")
SRV=
cleanup() {
    if [ -n "$SRV" ]; then kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; fi
    rm -rf "$W"
}
trap cleanup EXIT

"$T" --serve "$W/port" 2>"$W/server.log" &
SRV=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.1; done
if [ ! -s "$W/port" ]; then
    bad "the mock server started"; cat "$W/server.log"
    echo "$pass passed, $fail failed"; exit 1
fi
URL="http://127.0.0.1:$(cat "$W/port")/"
ok "the mock server serves $URL"

# Chromium as root needs --no-sandbox; a private profile keeps it off ~/.config and other runs.
chrome() {
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
        --disable-extensions --disable-dev-shm-usage --user-data-dir="$W/profile" --window-size=1200,900 "$@"
}
chrome --dump-dom "$URL" >"$W/dom.html" 2>"$W/chrome-dom.log"
rc=$?
[ "$rc" -eq 0 ] && ok "chromium --dump-dom exits 0" || { bad "chromium --dump-dom exits 0 (got $rc)"; tail -5 "$W/chrome-dom.log"; }
check() { # check WHAT FIXED-STRING
    if grep -qF -- "$2" "$W/dom.html"; then ok "DOM holds $1"; else bad "DOM holds $1 ('$2')"; fi
}
check "the run id" "synkti live demo-run"
check "the job state running" '<span class="st running">running</span>'
check "the job state done" '<span class="st done">done</span>'
check "the job state queued" '<span class="st queued">queued</span>'
check "the spend" '<b>$1.2345</b>'
check "the cap" 'of $10.00 cap'
check "the interruption" '<td>notice</td>'
# Chromium writes the quote back as &quot; or as it is, depending on the version
if grep -qE '<td>&lt;b&gt;&amp;(&quot;|")</td>' "$W/dom.html"; then ok "DOM holds the escaped job id"; else bad "DOM holds the escaped job id"; fi
if grep -qF '<b>&"' "$W/dom.html"; then bad "the raw job id is not markup"; else ok "the raw job id is not markup"; fi

PNG="$OUT/status_page.png"
rm -f "$PNG"
chrome --screenshot="$PNG" "$URL" >"$W/chrome-shot.log" 2>&1
rc=$?
[ "$rc" -eq 0 ] && ok "chromium --screenshot exits 0" || { bad "chromium --screenshot exits 0 (got $rc)"; tail -5 "$W/chrome-shot.log"; }
sig=$(head -c 8 "$PNG" 2>/dev/null | od -An -tx1 | tr -d ' \n')
[ "$sig" = "89504e470d0a1a0a" ] && ok "the screenshot is a PNG" || bad "the screenshot is a PNG (signature '$sig')"
size=$(stat -c %s "$PNG" 2>/dev/null || echo 0)
# 1200x900: IHDR width and height at bytes 16..23
dims=$(head -c 24 "$PNG" 2>/dev/null | tail -c 8 | od -An -tu1 | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')
[ "$dims" = "1200x900" ] && ok "the screenshot is 1200x900" || bad "the screenshot is 1200x900 (got '$dims')"
# a blank 1200x900 page compresses to a few kB; tables, badges and text make it much larger
[ "$size" -gt 20000 ] && ok "the screenshot is non-trivial ($size bytes)" || bad "the screenshot is non-trivial ($size bytes)"
echo "screenshot: $PNG"

kill "$SRV" && wait "$SRV"
rc=$?
SRV=
[ "$rc" -eq 0 ] && ok "the server stops on SIGTERM (exit 0)" || bad "the server stops on SIGTERM (exit $rc)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
