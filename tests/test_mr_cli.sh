#!/usr/bin/env bash
# test_mr_cli.sh - the multi_region kind through the CLI: the spec's example values through
# `synkti run` + `synkti export`, determinism across thread counts and shard layouts, and bad
# input (a zone with another tick length, a zone without an on-demand price, a start past the
# traces' end, an unknown zone) refused with exit 65/66/78 and a message naming the file.
# Usage: test_mr_cli.sh path/to/synkti
set -u
S=$(realpath "$1")
T=$(mktemp -d /tmp/sk_test_mr.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

cat >"$T/exp.yaml" <<'YAML'
name: mr-cli
seed: 7
scenario:
  kind: multi_region
  trace_dir: aws-v100-multinode/converted_v100_4node_600s
  zones: all
  deadline_hours: 48
policies:
  - name: uniform_progress
  - name: up_failover
  - name: up_probe
  - name: up_probe_cost
  - name: optimal_dp
  - name: exact_optimum
  - name: skynomad
  - name: skynomad_oracle
sweep:
  work_hours: [24, 36, 40]
  changeover_hours: [0.1, 0.2]
YAML
"$S" run "$T/exp.yaml" -o "$T/j1.h5" -j 1 -q >/dev/null 2>"$T/j1.err"
check "run -j1 exits 0" "[ $? -eq 0 ]"
"$S" run "$T/exp.yaml" -o "$T/j2.h5" -j 2 -q >/dev/null 2>&1
"$S" run "$T/exp.yaml" -o "$T/s0.h5" --shard 0/2 -q >/dev/null 2>&1
"$S" run "$T/exp.yaml" -o "$T/s1.h5" --shard 1/2 -q >/dev/null 2>&1
"$S" merge -o "$T/merged.h5" "$T/s0.h5" "$T/s1.h5" >/dev/null 2>&1
for f in j1 j2 merged; do "$S" export "$T/$f.h5" >"$T/$f.csv"; done
check "48 runs exported" "[ \$(wc -l <'$T/j1.csv') -eq 49 ]"
check "-j1 and -j2 give identical results" "cmp -s '$T/j1.csv' '$T/j2.csv'"
check "two shards merged = one run" "cmp -s '$T/j1.csv' '$T/merged.csv'"
# examples.csv rows (V100 3 zones, C = 24/36/40 h with d = 0.2/0.2/0.1 h): figure and main costs
val() { awk -F, -v p="$1" -v C="$2" -v d="$3" -v col="$4" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["policy"] == p && $c["work_hours"] == C && $c["changeover_hours"] == d { print $c[col] }' "$T/j1.csv"; }
check "UP, C=24 d=0.2: cost 23.70765831762417" "[ \"\$(val uniform_progress 24 0.2 cost)\" = 23.70765831762417 ]"
check "UP, C=24 d=0.2: cost_main 23.864708976585046" "[ \"\$(val uniform_progress 24 0.2 cost_main)\" = 23.864708976585046 ]"
check "UP(A), C=36 d=0.2: probe cost 0.33440851671792843" "[ \"\$(val up_probe 36 0.2 probe_cost)\" = 0.33440851671792843 ]"
check "UP(AP), C=40 d=0.1: cost 39.85791673289366" "[ \"\$(val up_probe_cost 40 0.1 cost)\" = 39.85791673289366 ]"
check "DP, C=40 d=0.1: cost 37.84920880957118, finish tick 287" \
  "[ \"\$(val optimal_dp 40 0.1 cost)\" = 37.84920880957118 ] && [ \"\$(val optimal_dp 40 0.1 finish_tick)\" = 287 ]"

# bad input: a folder of two zones, one with another tick length / without an on-demand price
mkdir -p "$T/z/aa-east1-a_x" "$T/z/aa-east1-b_x" "$T/nood/aa-east1-a_x"
printf '{"metadata": {"gap_seconds": 600, "price_info": {"price": 1, "on_demand_price": 3}}, "data": [0,0,0,0,0,0,0,0,0,0]}\n' >"$T/z/aa-east1-a_x/full.json"
printf '{"metadata": {"gap_seconds": 300, "price_info": {"price": 1, "on_demand_price": 3}}, "data": [0,0,0,0,0,0,0,0,0,0]}\n' >"$T/z/aa-east1-b_x/full.json"
printf '{"metadata": {"gap_seconds": 600, "price_info": {"price": 1}}, "data": [0,0,0,0,0,0,0,0,0,0]}\n' >"$T/nood/aa-east1-a_x/full.json"
cat >"$T/bad.yaml" <<YAML
name: bad
scenario: {kind: multi_region, trace_dir: $T/z, work_hours: 0.5, deadline_hours: 1}
YAML
"$S" validate "$T/bad.yaml" >/dev/null 2>"$T/gap.err"
check "zone with another tick length: exit 65" "[ $? -eq 65 ]"
check "... names the file and the tick lengths" "grep -q 'aa-east1-b_x/full.json: tick length 300 s' '$T/gap.err'"
"$S" run "$T/bad.yaml" -o "$T/bad.h5" -q >/dev/null 2>&1
check "... and run refuses it without a results file" "[ $? -eq 65 ] && [ ! -e '$T/bad.h5' ]"
"$S" validate "$T/bad.yaml" --set scenario.trace_dir="$T/nood" >/dev/null 2>"$T/nood.err"
check "zone without an on-demand price: exit 65" "[ $? -eq 65 ]"
check "... names the file and the key" "grep -q 'nood/aa-east1-a_x/full.json: metadata.price_info.on_demand_price' '$T/nood.err'"
"$S" validate "$T/bad.yaml" --set scenario.zones=aa-east1-a_x --set scenario.start_tick=50 >/dev/null 2>"$T/start.err"
check "start past the traces' end: exit 65" "[ $? -eq 65 ]"
check "... names the file" "grep -q 'aa-east1-a_x/full.json: start tick 50 is past' '$T/start.err'"
"$S" validate "$T/bad.yaml" --set scenario.zones=aa-east1-a_x,nosuch >/dev/null 2>"$T/zone.err"
check "unknown zone: exit 66" "[ $? -eq 66 ]"
check "... names the zone and the key" "grep -q 'zones' '$T/zone.err' && grep -q 'nosuch' '$T/zone.err'"
"$S" validate "$T/bad.yaml" --set scenario.zones=aa-east1-a_x --set scenario.work_hours=2 --set scenario.deadline_hours=3 >/dev/null 2>"$T/short.err"
check "trace shorter than the work: exit 65, names the file" "[ $? -eq 65 ] && grep -q 'aa-east1-a_x/full.json: trace data insufficient' '$T/short.err'"

# a deadline shorter than work + changeover: validate warns at the key (exit 0); every policy
# reports infeasible = 1 and the same cost, the cheapest zone's on-demand for C + d
"$S" validate "$T/exp.yaml" --set scenario.work_hours=47.95 --set sweep.work_hours= >/dev/null 2>"$T/warn.err"
check "infeasible setting validates (exit 0)" "[ $? -eq 0 ]"
check "... with a warning naming deadline_hours" "grep -q 'deadline_hours.*shorter than work + changeover' '$T/warn.err'"
"$S" run "$T/exp.yaml" --set scenario.work_hours=47.95 --set sweep.work_hours= -o "$T/inf.h5" -q >/dev/null 2>&1
"$S" export "$T/inf.h5" >"$T/inf.csv"
check "every policy: infeasible = 1, one cost" "[ \$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
  { print \$c[\"infeasible\"], \$c[\"cost\"], \$c[\"cost_main\"] }' '$T/inf.csv' | sort -u | wc -l) -eq 2 ] &&
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next } \$c[\"infeasible\"] != 1 { exit 1 }' '$T/inf.csv'"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
