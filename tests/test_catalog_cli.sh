#!/usr/bin/env bash
# test_catalog_cli.sh - `synkti catalog` on the shipped catalogs: filters (any case) give exactly
# the rows awk counts in the raw CSVs, the listing is sorted by spot $/GPU-h, CSV and table agree,
# --types, --file (repeated and positional), the summary goes to stderr, output is deterministic;
# bad input exits 65 naming file:line and column, a missing file 66, a bad option 64, no match 1.
# Usage: test_catalog_cli.sh path/to/synkti path/to/shared/traces
set -u
S=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
D=$2
AWS=$D/skypilot-aws-gpu-catalog/aws_gpu_vms_subset.csv
SPECS=$D/skypilot-aws-gpu-catalog/gpu_instance_specs.csv
GCP=$D/gcp-gpu-catalog/gcp_gpu_vms.csv
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
T=$(mktemp -d /tmp/sk_catalog_cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
export SYNKTI_TRACES=$D

# GCP H100 offers counted in the raw file: a3-highgpu-*/a3-edgegpu-* host rows (every one of their
# zones has the H100 xN accelerator row), plus a3-megagpu-8g rows in zones with an H100-MEGA row.
want=$(awk -F, 'NR == FNR { if ($1 == "" && $4 == "H100-MEGA") mega[$8] = 1; next }
    FNR > 1 && ($1 ~ /^a3-(highgpu|edgegpu)-/ || ($1 == "a3-megagpu-8g" && mega[$8]))' "$GCP" "$GCP" | wc -l)
"$S" catalog --gpu h100 --cloud GCP --format csv >"$T/h100.csv" 2>"$T/err"
rc=$?
got=$(($(wc -l <"$T/h100.csv") - 1))
check "--gpu h100 --cloud GCP exits 0" '[ "$rc" -eq 0 ]'
check "--gpu h100 --cloud GCP: $got rows, awk counts $want" '[ "$got" -eq "$want" ] && [ "$want" -eq 161 ]'
check "every row is gcp H100" '[ "$(awk -F, "NR > 1 && (\$2 != \"gcp\" || \$3 != \"H100\")" "$T/h100.csv" | wc -l)" -eq 0 ]'
check "csv header" '[ "$(head -1 "$T/h100.csv")" = "type,cloud,gpu,gpus,gpu_gib,vcpus,mem_gib,region,zone,od_usd_h,spot_usd_h,od_usd_gpu_h,spot_usd_gpu_h" ]'
check "summary on stderr" 'grep -q "1430 offers of 57 types from 3 files (324 source rows made no offer); listed 161 offers" "$T/err"'
check "no summary on stdout" '! grep -q "synkti catalog" "$T/h100.csv"'
# sorted by spot $/GPU-h (column 13), rows without one last
check "sorted by spot \$/GPU-h" 'awk -F, "NR > 2 && ((\$13 == \"\" ? 1e99 : \$13) + 1e-6 < (p == \"\" ? 1e99 : p)) { bad = 1 } NR > 1 { p = \$13 } END { exit bad }" "$T/h100.csv"'
"$S" catalog --gpu H100 --cloud gcp >"$T/h100.txt" 2>/dev/null
check "table has the same rows" '[ "$(($(wc -l <"$T/h100.txt") - 1))" -eq "$want" ]'
check "table and csv list the same types in the same order" \
    '[ "$(awk "NR > 1 {print \$1, \$9}" "$T/h100.txt")" = "$(awk -F, "NR > 1 {print \$1, \$9}" "$T/h100.csv")" ]'
"$S" catalog --gpu h100 --cloud GCP --format csv >"$T/again.csv" 2>/dev/null
check "deterministic output" 'cmp -s "$T/h100.csv" "$T/again.csv"'

# one exact row: p3.2xlarge in use1-az2 (raw line 656: od 3.06, spot 0.7657), GPU memory from the specs file
"$S" catalog --type P3.2XLARGE --zone use1-az2 --format csv >"$T/p3.csv" 2>/dev/null
check "p3.2xlarge use1-az2 row" '[ "$(tail -n +2 "$T/p3.csv")" = "p3.2xlarge,aws,V100,1,16,8,61,us-east-1,use1-az2,3.06,0.7657,3.06,0.7657" ]'
want=$(awk -F, '$1 == "p3.2xlarge" && $8 == "us-east-1"' "$AWS" | wc -l)
"$S" catalog --type p3.2xlarge --region us-east-1 --format csv >"$T/p3r.csv" 2>/dev/null
check "--region us-east-1: $want p3.2xlarge zones" '[ "$(($(wc -l <"$T/p3r.csv") - 1))" -eq "$want" ]'
check "no spot sorts last" '[ "$(tail -1 "$T/p3r.csv" | cut -d, -f11)" = "" ]'

# --types: A100-80GB types (p4de.24xlarge + a2-ultragpu-{1,2,4,8}g)
want=$( (awk -F, 'NR > 1 && $2 == "A100-80GB" {print $1}' "$AWS"; awk -F, 'NR > 1 && $1 ~ /^a2-ultragpu-/ {print $1}' "$GCP") | sort -u | wc -l)
"$S" catalog --types --gpu a100-80gb --format csv >"$T/types.csv" 2>"$T/err"
check "--types --gpu a100-80gb: $want types" '[ "$(($(wc -l <"$T/types.csv") - 1))" -eq "$want" ] && [ "$want" -eq 5 ]'
check "--types row of p4de" 'grep -q "^p4de.24xlarge,aws,A100-80GB,8,80,96,1152,10,5," "$T/types.csv"'
"$S" catalog --types >"$T/all.txt" 2>/dev/null
check "--types lists 57 types" '[ "$(($(wc -l <"$T/all.txt") - 1))" -eq 57 ]'

# --file, repeated and positional: AWS only
"$S" catalog --file "$AWS" --file="$SPECS" --skip-unpriced --format csv >"$T/f.csv" 2>"$T/err"
check "--file x2: 776 AWS offers" '[ "$(($(wc -l <"$T/f.csv") - 1))" -eq 776 ] && grep -q "from 2 files" "$T/err"'
"$S" catalog "$AWS" --skip-unpriced --format csv >"$T/f1.csv" 2>/dev/null
check "positional CSV: no GPU memory without the specs file" 'grep -q "^p3.2xlarge,aws,V100,1,,8,61,us-east-1,use1-az2," "$T/f1.csv"'

(cd "$T" && "$S" catalog --file gcp-gpu-catalog/gcp_gpu_vms.csv --format csv >"$T/g.csv" 2>/dev/null)
check "--file name found on the search path: 654 GCP offers" '[ "$(($(wc -l <"$T/g.csv") - 1))" -eq 654 ]'

# errors
printf 'InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice,Region,AvailabilityZone\nx.large,T4,1,4,16,1.0,0.3,r,r-a\nx.large,T4,1,4,16,abc,0.3,r,r-b\n' >"$T/bad.csv"
"$S" catalog --file "$T/bad.csv" >"$T/out" 2>"$T/err"
rc=$?
check "bad price exits 65" '[ "$rc" -eq 65 ]'
check "message names file:line and column" 'grep -q "bad.csv:3: column Price: .*'"'"'abc'"'"'" "$T/err"'
check "nothing on stdout after an error" '[ ! -s "$T/out" ]'
printf 'InstanceType,AcceleratorName,vCPUs,MemoryGiB,Price,SpotPrice,Region,AvailabilityZone\n' >"$T/col.csv"
"$S" catalog "$T/col.csv" >/dev/null 2>"$T/err"
rc=$?
check "missing column exits 65 and names it" '[ "$rc" -eq 65 ] && grep -q "col.csv:1: missing column AcceleratorCount" "$T/err"'
"$S" catalog --file "$T/none.csv" >/dev/null 2>"$T/err"
rc=$?
check "missing file exits 66" '[ "$rc" -eq 66 ] && grep -q "none.csv" "$T/err"'
SYNKTI_TRACES=$T/empty "$S" catalog --help >"$T/out" 2>&1
rc=$?
check "--help exits 0 with usage" '[ "$rc" -eq 0 ] && grep -q "^usage: synkti catalog" "$T/out"'
"$S" catalog --format xml >/dev/null 2>"$T/err"
rc=$?
check "--format xml exits 64" '[ "$rc" -eq 64 ] && grep -q "table or csv" "$T/err"'
"$S" catalog --file >/dev/null 2>&1
rc=$?
check "--file without a value exits 64" '[ "$rc" -eq 64 ]'
"$S" catalog --gpu TPUv5 >"$T/out" 2>"$T/err"
rc=$?
check "no match exits 1" '[ "$rc" -eq 1 ] && grep -q "no offer matches" "$T/err"'

# a user's catalog row without any price is an error naming file, line and column (the shipped
# AWS file's capacity-block rows are skipped only with --skip-unpriced)
printf 'InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice,Region,AvailabilityZone\np3.2xlarge,V100,1,8,61,3.06,0.9,us-east-1,use1-az1\np3.8xlarge,V100,4,32,244,,,us-east-1,use1-az1\n' >"$T/noprice.csv"
"$S" catalog --file "$T/noprice.csv" >/dev/null 2>"$T/err"
rc=$?
check "row without a price: exit 65" '[ "$rc" -eq 65 ]'
check "... names file, line and column" 'grep -q "noprice.csv:3: column Price: empty, and SpotPrice is empty too" "$T/err"'
"$S" catalog --file "$AWS" >/dev/null 2>"$T/err"
check "the shipped AWS file read strictly names its unpriced row" '[ $? -eq 65 ] && grep -q "column Price: empty" "$T/err"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
