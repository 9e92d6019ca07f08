#!/usr/bin/env bash
# test_fleet_cli.sh - the fleet kind through the CLI: determinism across thread counts and shard
# layouts (the merged shards equal one run byte for byte), every job ending in one state, and bad
# input refused by `validate` and `run` with the documented exit code, a message naming the key,
# and no results file: a job needing more GPUs than any instance type gives, an unknown pool
# source, Markov rates of the wrong shape, trace availability without trace pools.
# Usage: test_fleet_cli.sh path/to/synkti
set -u
S=$(realpath "$1")
T=$(mktemp -d /tmp/sk_test_fleet.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

cat >"$T/exp.yaml" <<'YAML'
name: fleet-cli
seed: 11
replications: 2
scenario:
  kind: fleet
  zones: 4
  capacity: 24
  n_jobs: 150
  arrival_rate_per_h: 40
  price: ou
  deadline_factor: 3
policies:
  - name: cheapest_spot
  - name: on_demand
  - name: eager_next_region
  - name: uniform_progress
sweep:
  availability: [markov, hazard]
YAML
"$S" run "$T/exp.yaml" -o "$T/j1.h5" -j 1 -q >/dev/null 2>"$T/j1.err"
check "run -j1 exits 0" "[ $? -eq 0 ]"
"$S" run "$T/exp.yaml" -o "$T/j2.h5" -j 2 -q >/dev/null 2>&1
"$S" run "$T/exp.yaml" -o "$T/s0.h5" --shard 0/3 -q >/dev/null 2>&1
"$S" run "$T/exp.yaml" -o "$T/s1.h5" --shard 1/3 -q >/dev/null 2>&1
"$S" run "$T/exp.yaml" -o "$T/s2.h5" --shard 2/3 -q >/dev/null 2>&1
"$S" merge -o "$T/merged.h5" "$T/s0.h5" "$T/s1.h5" "$T/s2.h5" >/dev/null 2>&1
for f in j1 j2 merged; do "$S" export "$T/$f.h5" --format tsv >"$T/$f.csv"; done
check "16 runs exported" "[ \$(wc -l <'$T/j1.csv') -eq 17 ]"
check "-j1 and -j2 give identical results" "cmp -s '$T/j1.csv' '$T/j2.csv'"
check "three shards merged = one run" "cmp -s '$T/j1.csv' '$T/merged.csv'"
col() { awk -F'\t' -v col="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c[col] }' "$T/j1.csv"; }
check "every job ends in one state (completed+failed+abandoned+unfinished = 150)" \
  "[ \"\$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
     { print \$c[\"completed\"] + \$c[\"failed\"] + \$c[\"abandoned\"] + \$c[\"unfinished\"] }' '$T/j1.csv' | sort -u)\" = 150 ]"
check "on-demand is never preempted" "[ \"\$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
     \$c[\"policy\"] == \"on_demand\" { print \$c[\"preemptions\"] }' '$T/j1.csv' | sort -u)\" = 0 ]"
check "spot runs cost less than on-demand runs" "awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
     { s[\$c[\"policy\"]] += \$c[\"cost\"] } END { exit !(s[\"cheapest_spot\"] < s[\"on_demand\"]) }' '$T/j1.csv'"
check "series written with series: true" "'$S' run '$T/exp.yaml' -o '$T/ser.h5' --set series=true -q --set sweep.availability= >/dev/null 2>&1 &&
  '$S' export '$T/ser.h5' --run 0 | head -1 | grep -q 'running_jobs'"

# bad input
badcase() { # name, expected exit, grep pattern, set...
    local name=$1 code=$2 pat=$3
    shift 3
    "$S" validate "$T/exp.yaml" "$@" >/dev/null 2>"$T/v.err"
    local rc=$?
    check "$name: validate exits $code" "[ $rc -eq $code ]"
    check "... names it ('$pat')" "grep -q -- '$pat' '$T/v.err'"
    "$S" run "$T/exp.yaml" -o "$T/bad.h5" -q "$@" >/dev/null 2>&1
    check "... run refuses it with no results file" "[ $? -eq $code ] && [ ! -e '$T/bad.h5' ]"
}
badcase "a job needing more GPUs than any instance type" 78 "needs 16 GPUs, more than any pool can give it" \
  --set scenario.max_instances_per_job=1 --set scenario.sizes=16 --set scenario.size_weights=1 --set scenario.zones=2 \
  --set scenario.capacity=4
badcase "unknown pool source" 78 "pools: expected synthetic, catalog, trace or pai" --set scenario.pools=cloudy
badcase "Markov rates of the wrong shape" 78 "markov_rates_per_h: expected 4 numbers" --set sweep.availability= \
  --set scenario.availability=markov --set scenario.markov_rates_per_h=1,2,3
badcase "trace availability without trace pools" 78 "availability: trace needs pools: trace" --set sweep.availability= \
  --set scenario.availability=trace

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
