#!/usr/bin/env bash
# live_demo.sh - the live preemption demo end to end (docs/live_demo.md): runs
# experiments/live/preemption-demo.yaml with `synkti live` (local provider: agents are processes
# on this machine; two interruptions driven by the availability traces in experiments/live/avail/),
# then the simulator on the same scenario (experiments/live/preemption-demo-sim.yaml), and prints
# predicted vs observed cost and completion time side by side. Both write the simulator's results
# schema: results/live-demo/live.h5 and results/live-demo/sim.h5.
#   analysis/live_demo.sh [SYNKTI]        (default: build/synkti)
set -euo pipefail
cd "$(dirname "$0")/.."
SYNKTI=${1:-build/synkti}
OUT=results/live-demo
rm -rf "$OUT/work" "$OUT/live.h5" "$OUT/sim.h5"
mkdir -p "$OUT"
"$SYNKTI" model init --preset tiny -o "$OUT/tiny.safetensors" >/dev/null
echo "== live (timeline: wall seconds since start; policy time = wall / 0.02)"
"$SYNKTI" live experiments/live/preemption-demo.yaml --results "$OUT/live.h5"
echo "== simulator replay"
"$SYNKTI" run experiments/live/preemption-demo-sim.yaml -q
echo "== predicted (simulator) vs observed (live)"
python3 - "$OUT" "$SYNKTI" <<'PY'
import csv, io, subprocess, sys
out, synkti = sys.argv[1], sys.argv[2]
def row(path):
    text = subprocess.run([synkti, "export", path], check=True, capture_output=True, text=True).stdout
    return next(csv.DictReader(io.StringIO(text)))
sim, live = row(f"{out}/sim.h5"), row(f"{out}/live.h5")
print(f"{'metric':<22}{'simulator':>14}{'live':>14}{'live/sim':>10}")
for key, label, scale in [("cost", "cost $", 1), ("cost_spot", "spot $", 1), ("cost_od", "on-demand $", 1),
                          ("jct_mean_h", "completion s", 3600), ("preemptions", "preemptions", 1),
                          ("restarts", "restarts", 1), ("launches", "launches", 1), ("completed", "completed", 1),
                          ("deadline_met", "deadline met", 1)]:
    s, l = float(sim[key]) * scale, float(live[key]) * scale
    ratio = f"{l / s:10.3f}" if s else f"{'-':>10}"
    print(f"{label:<22}{s:14.5f}{l:14.5f}{ratio}")
print(f"live: {live['decisions']} policy decisions, p50 {float(live['decision_p50_us']):.1f} us, "
      f"p99 {float(live['decision_p99_us']):.1f} us; notice -> checkpoint journaled p50 {float(live['notice_ckpt_p50_s']):.3f} s (wall)")
PY
