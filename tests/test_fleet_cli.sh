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

# trace pools: the GCP H100 traces price an a3-highgpu-8g (price_info.machine_type); a 1-GPU
# a3-highgpu-1g pool pays 1/8 of it: on_demand runs on the cheapest zone at min(od)/8 per hour
H=$(cd "$(dirname "$0")/../../shared/traces" 2>/dev/null && pwd)/gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged
cat >"$T/h100.yaml" <<YAML
name: h100
scenario: {kind: fleet, pools: trace, availability: trace, capacity: 4, n_jobs: 20, sizes: "1", size_weights: "1",
           boot_s: 0, load_s: 0, min_bill_s: 0}
policies: [{name: on_demand}]
YAML
"$S" run "$T/h100.yaml" -o "$T/h100.h5" -q >/dev/null 2>&1
"$S" export "$T/h100.h5" --format tsv >"$T/h100.tsv"
want=$(grep -ho '"on_demand_price": [0-9.]*' "$H"/*/full.json | awk '{ if (m == "" || $2 < m) m = $2 } END { printf "%.10g", m / 8 }')
got=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { printf "%.10g", $c["cost_od"] / $c["gpu_hours_od"] }' "$T/h100.tsv")
check "H100 trace pools: on-demand \$/GPU-h = cheapest zone's a3-highgpu-8g price / 8 ($want)" "[ -n '$want' ] && [ '$got' = '$want' ]"
# the 16-node AWS traces: one file per zone in one folder
"$S" validate "$T/h100.yaml" --set scenario.trace_dir=spot-availability/availability/16-node/aws-08-27-2023 \
  --set scenario.trace_type=p3.2xlarge >/dev/null 2>"$T/flat.err"
check "flat trace folders (16-node, 3 zones) validate" "[ $? -eq 0 ]"

# boot and load times from the published cold-start figures: 25.8 + 33 + 94 s before a job runs
"$S" run "$T/h100.yaml" -o "$T/cold.h5" -q --set scenario.load_figures=tensorfuse_cold_load,tensorfuse_cold_init \
  --set scenario.boot_figure=brev_ec2_cold_launch >/dev/null 2>&1
"$S" export "$T/cold.h5" --format tsv >"$T/cold.tsv"
q=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { printf "%.6f", $c["queue_mean_h"] * 3600 }' "$T/cold.tsv")
check "coldstart figures: a job starts 152.8 s after it arrives ($q)" "[ '$q' = 152.800000 ]"

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

badcase "a model store the network grids do not know" 78 "model_store: the network grids hold no pair between" \
  --set scenario.model_gb=10 --set scenario.model_store=gcp:nowhere-1
badcase "price history for pools the datasets do not name" 78 "price: history: none of the 3 pools has a series" \
  --set scenario.pools=trace --set scenario.trace_dir=spot-availability/availability/16-node/aws-08-27-2023 \
  --set scenario.trace_type=p3.2xlarge --set scenario.price=history --set sweep.availability=
badcase "an unknown cold-start figure" 78 "load_figures: no figure" --set scenario.load_figures=nope
badcase "an mr_* policy without a decision tick" 78 "policy mr_uniform_progress runs on the decision tick: set tick_s" \
  --set policies=mr_uniform_progress
printf 'InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice,Region,AvailabilityZone\np3.2xlarge,V100,1,8,61,3.06,0.9,us-east-1,use1-az1\np3.8xlarge,V100,4,32,244,,,us-east-1,use1-az1\n' >"$T/cat.csv"
badcase "a user catalog row without a price" 65 "cat.csv:3: column Price: empty" --set scenario.pools=catalog \
  --set scenario.catalog_file="$T/cat.csv"
badcase "model loading without the skyplane network" 78 "model_gb: model loading over the network needs network: skyplane" \
  --set scenario.model_gb=10 --set scenario.network=skynomad

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
