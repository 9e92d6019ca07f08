#!/usr/bin/env bash
# test_live_page.sh SYNKTI SRC OUTDIR - the status page and the CLI against a real controller:
# runs the live demo (experiments/live/preemption-demo.yaml, local provider, in a scratch copy),
# and while it runs: `synkti status` and `synkti status JOB`, `synkti submit` of a second job and
# `synkti cancel` of it, then headless Chromium dumps the page (job states, spend, the
# interruption) and takes a screenshot kept as OUTDIR/live_page.png. The controller then ends
# with exit 0 (the demo job completed, the submitted one abandoned). Skipped (77) only when
# chromium is not installed. Everything on 127.0.0.1; the controller is waited for by its PID.
set -u
SYNKTI=$1 SRC=$2 OUT=$3
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then echo "chromium is not installed: skipped"; exit 77; fi
T=$(mktemp -d /tmp/sk_live_page.XXXXXX)
CTL=
cleanup() {
    if [ -n "$CTL" ]; then kill "$CTL" 2>/dev/null; wait "$CTL" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/experiments" "$T/results/live-demo"
cp -r "$SRC/experiments/live" "$T/experiments/"
cd "$T"
"$SYNKTI" model init --preset tiny -o results/live-demo/tiny.safetensors >/dev/null
"$SYNKTI" live experiments/live/preemption-demo.yaml >"$T/summary.txt" 2>"$T/controller.log" &
CTL=$!
W=results/live-demo/work
for _ in $(seq 200); do [ -s "$W/controller.url" ] && break; sleep 0.05; done
export SYNKTI_URL=$(cat "$W/controller.url" 2>/dev/null)
[ -n "$SYNKTI_URL" ] && ok "the controller serves $SYNKTI_URL" || { bad "the controller serves"; cat "$T/controller.log"; exit 1; }
# wait for the first interruption (policy t = 120 s, ~2.5 s on the wall)
for _ in $(seq 200); do grep -q "^t=.* gone " "$T/controller.log" && break; sleep 0.05; done
"$SYNKTI" status >"$T/status.txt" 2>&1 && grep -q "infer-batch" "$T/status.txt" && ok "synkti status lists the job" || { bad "synkti status"; cat "$T/status.txt"; }
"$SYNKTI" status infer-batch >"$T/job.txt" 2>&1 && grep -Eq "^state: (running|submitted)" "$T/job.txt" && ok "synkti status JOB: running or submitted" || { bad "synkti status JOB"; cat "$T/job.txt"; }
"$SYNKTI" submit --id extra --tokens 20 -- --model results/live-demo/tiny.safetensors >"$T/sub.txt" 2>&1
[ $? -eq 64 ] && ok "submit without the token: refused (64)" || { bad "submit without the token"; cat "$T/sub.txt"; }
id=$("$SYNKTI" submit --token-file "$W/token" --id extra --tokens 20 -- --model results/live-demo/tiny.safetensors --pace-ms 200 2>"$T/sub.txt")
[ "$id" = "extra" ] && ok "submit with the token: id extra" || { bad "submit with the token ('$id')"; cat "$T/sub.txt"; }
"$SYNKTI" cancel --token-file "$W/token" extra >"$T/cancel.txt" 2>&1 && ok "cancel extra" || { bad "cancel extra"; cat "$T/cancel.txt"; }
chrome() {
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
        --disable-extensions --disable-dev-shm-usage --user-data-dir="$T/profile" --window-size=1200,900 "$@"
}
chrome --dump-dom "$SYNKTI_URL/" >"$T/dom.html" 2>/dev/null
check() { if grep -qF -- "$2" "$T/dom.html"; then ok "page holds $1"; else bad "page holds $1 ('$2')"; fi; }
check "the run id" "preemption-demo"
check "the demo job" "infer-batch"
check "a running job" '<span class="st running">running</span>'
check "the cancelled job" '<span class="st abandoned">abandoned</span>'
check "the spend" '<b>$0.0'
check "an interruption" '<td>notice</td>'
PNG="$OUT/live_page.png"
rm -f "$PNG"
chrome --screenshot="$PNG" "$SYNKTI_URL/" >/dev/null 2>&1
sig=$(head -c 8 "$PNG" 2>/dev/null | od -An -tx1 | tr -d ' \n')
size=$(stat -c %s "$PNG" 2>/dev/null || echo 0)
[ "$sig" = "89504e470d0a1a0a" ] && [ "$size" -gt 20000 ] && ok "screenshot $PNG ($size bytes)" || bad "screenshot ($sig, $size bytes)"
wait "$CTL"
rc=$?
CTL=
[ $rc -eq 0 ] && ok "the controller ends (exit 0)" || { bad "the controller ends (exit $rc)"; tail -20 "$T/controller.log"; }
grep -q "1 completed, 0 failed, 1 abandoned" "$T/summary.txt" && ok "summary: 1 completed, 1 abandoned" || { bad "summary"; cat "$T/summary.txt"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
