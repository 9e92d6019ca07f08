#!/usr/bin/env bash
# test_live_demo.sh SYNKTI SRC - the live preemption demo (analysis/live_demo.sh) end to end in a
# scratch copy of the experiment files: the live run completes its job through two interruptions
# (3 launches, 2 preemptions, 2 restarts), its results file has the simulator's /summary columns,
# and the simulator's replay of the same scenario predicts the same counts. The cost and time
# ratios are printed, not asserted (they depend on this machine's load).
set -euo pipefail
SYNKTI=$1 SRC=$2
T=$(mktemp -d /tmp/sk_live_demo.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/experiments" "$T/analysis"
cp -r "$SRC/experiments/live" "$T/experiments/"
cp "$SRC/analysis/live_demo.sh" "$T/analysis/"
(cd "$T" && analysis/live_demo.sh "$SYNKTI") > "$T/out.txt" 2>&1 || { cat "$T/out.txt"; exit 1; }
cat "$T/out.txt" | tail -14
col() { "$SYNKTI" export "$1" | python3 -c "import csv,sys; r=next(csv.DictReader(sys.stdin)); print(r['$2'])"; }
fail=0
check() { if [ "$2" != "$3" ]; then echo "FAIL: $1: expected $3, got $2"; fail=1; else echo "ok   $1 = $2"; fi; }
check "live completed" "$(col "$T/results/live-demo/live.h5" completed)" 1
check "live launches" "$(col "$T/results/live-demo/live.h5" launches)" 3
check "live preemptions" "$(col "$T/results/live-demo/live.h5" preemptions)" 2
check "live restarts" "$(col "$T/results/live-demo/live.h5" restarts)" 2
check "sim preemptions" "$(col "$T/results/live-demo/sim.h5" preemptions)" 2
check "sim completed" "$(col "$T/results/live-demo/sim.h5" completed)" 1
check "live status column" "$(col "$T/results/live-demo/live.h5" status)" live
grep -q "interrupt i-local-.* (capacity, notice 30 s)" "$T/out.txt" || { echo "FAIL: no capacity interruption in the timeline"; fail=1; }
exit $fail
