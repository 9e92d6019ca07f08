#!/usr/bin/env bash
# test_export.sh - synkti export and synkti merge end to end: exported CSV/TSV/JSON hold the HDF5
# values bit for bit, -o is atomic, exit codes, and shards merged in any order equal the unsharded
# file. Usage: test_export.sh path/to/synkti [path/to/mk_results]
# (mk_results, built from tests/mk_results.c, writes the input files and does the bitwise checks.)
set -u
S=$1
MK=${2:-$(dirname "$S")/tests/mk_results}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { # name cmd... : ok when cmd succeeds
    local name=$1; shift
    if "$@" >"$D/check.out" 2>&1; then ok "$name"; else bad "$name"; cat "$D/check.out"; fi
}
expect_rc() { # name want_rc cmd... ; stdout to $D/out, stderr to $D/err
    local name=$1 want=$2; shift 2
    "$@" >"$D/out" 2>"$D/err"; local rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$name"; else bad "$name (exit $rc, want $want)"; cat "$D/err"; fi
}
err_has() { # name text : stderr of the last expect_rc contains text
    if grep -qF -- "$2" "$D/err"; then ok "$1"; else bad "$1 (stderr lacks '$2')"; cat "$D/err"; fi
}
no_tmp() { # name : no temporary file left in $D
    if ls "$D" | grep -q '\.tmp\.'; then bad "$1 (temporary file left)"; ls "$D"; else ok "$1"; fi
}
D=$(mktemp -d /tmp/sk_export_XXXXXX)
trap 'rm -rf "$D"' EXIT
cd "$D" || exit 1

# ---- inputs ----------------------------------------------------------------------------------
"$MK" write all.h5 || { echo "FAIL mk_results write"; exit 1; }
"$MK" write s0.h5 --shard 0/2 && "$MK" write s1.h5 --shard 1/2 &&
"$MK" write t0.h5 --shard 0/3 && "$MK" write t1.h5 --shard 1/3 && "$MK" write t2.h5 --shard 2/3 &&
"$MK" write other.h5 --shard 1/2 --sha 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef &&
"$MK" plain plain.h5 || { echo "FAIL mk_results inputs"; exit 1; }
echo "this is not HDF5" >notes.txt

# ---- CSV -------------------------------------------------------------------------------------
expect_rc "export csv" 0 "$S" export all.h5
cp "$D/out" all.csv
check "csv holds the HDF5 values bit for bit" "$MK" check all.h5 all.csv csv
[ "$(head -n 1 all.csv)" = "run,label,cost,seed,delta" ] && ok "csv header in stored order" || bad "csv header in stored order"
grep -q '^0,plain,0\.1,0,-1152921504606846976$' all.csv && ok "csv: 0.1 shortest, 2^60 in full" || bad "csv: 0.1 shortest, 2^60 in full"
grep -q '^2,"say ""hi""",-0,18446744073709551615,' all.csv && ok "csv: quotes doubled, -0, uint64 max" || bad "csv: quotes doubled, -0, uint64 max"
grep -q '^1,"a,b",1e-300,' all.csv && ok "csv: comma quoted, 1e-300" || bad "csv: comma quoted, 1e-300"
grep -q ',nan,9007199254740992,' all.csv && grep -q ',-inf,' all.csv && ok "csv: nan, -inf" || bad "csv: nan, -inf"
grep -q ',0\.30000000000000004,' all.csv && ok "csv: 17 digits only when needed" || bad "csv: 17 digits only when needed"
check "csv parses with python's csv module" python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) == 15 and all(len(r) == 5 for r in rows), rows
assert rows[2][1] == "a,b" and rows[3][1] == "say \"hi\"" and rows[4][1] == "two\nlines", rows
assert rows[8][1] == "cr\rhere" and float(rows[3][2]) == -0.0 and str(float(rows[3][2])) == "-0.0"
' all.csv

# ---- TSV -------------------------------------------------------------------------------------
expect_rc "export tsv" 0 "$S" export all.h5 --format tsv
cp "$D/out" all.tsv
check "tsv holds the HDF5 values bit for bit" "$MK" check all.h5 all.tsv tsv
check "tsv: 15 lines of 5 tab-separated fields" python3 -c '
import sys
lines = open(sys.argv[1], newline="").read().split("\n")
assert lines[-1] == "" and len(lines) == 16, len(lines)
assert all(len(l.split("\t")) == 5 for l in lines[:-1])
assert lines[4].split("\t")[1] == "two\\nlines" and lines[5].split("\t")[1] == "tab\\there"
' all.tsv

# ---- JSON ------------------------------------------------------------------------------------
expect_rc "export json" 0 "$S" export all.h5 --format json
cp "$D/out" all.json
check "json holds the HDF5 values bit for bit" "$MK" check all.h5 all.json json
check "json parses strictly; big integers are strings, NaN/inf null" python3 -c '
import json, math, sys
def no_const(c): raise ValueError("non-standard JSON constant " + c)
d = json.load(open(sys.argv[1]), parse_constant=no_const)
assert isinstance(d, list) and len(d) == 14
assert list(d[0]) == ["run", "label", "cost", "seed", "delta"]
assert d[0]["cost"] == 0.1 and d[1]["cost"] == 1e-300
assert math.copysign(1.0, d[2]["cost"]) == -1.0 and isinstance(d[9]["cost"], float)
assert d[3]["cost"] is None and d[4]["cost"] is None and d[5]["cost"] is None
assert d[1]["seed"] == "1152921504606846976" and d[2]["seed"] == "18446744073709551615"
assert d[3]["seed"] == 9007199254740992 and d[4]["seed"] == "9007199254740993"
assert d[1]["delta"] == "-9223372036854775808" and d[3]["delta"] == -1
assert d[2]["label"] == "say \"hi\"" and d[8]["label"] == "\u00fc \u2603 utf-8"
' all.json

# ---- one run's series ------------------------------------------------------------------------
expect_rc "export --run 4" 0 "$S" export all.h5 --run 4
cp "$D/out" run4.csv
check "series csv holds /runs/4 bit for bit" "$MK" check all.h5 run4.csv csv 4
[ "$(head -n 1 run4.csv)" = "t,events,note" ] && [ "$(wc -l <run4.csv)" = 5 ] && ok "series header and rows" || bad "series header and rows"
expect_rc "export --run 4 --format json" 0 "$S" export all.h5 --run 4 -f json
cp "$D/out" run4.json
check "series json holds /runs/4" "$MK" check all.h5 run4.json json 4
expect_rc "export --run 13 --format tsv" 0 "$S" export all.h5 --run=13 --format=tsv
cp "$D/out" run13.tsv
check "series tsv holds /runs/13" "$MK" check all.h5 run13.tsv tsv 13

# ---- metadata --------------------------------------------------------------------------------
expect_rc "export --meta" 0 "$S" export all.h5 --meta
grep -q '^master_seed: 18364758544493064720$' "$D/out" && grep -q '^schema_version: 1$' "$D/out" &&
    grep -q '^config_sha256: 5f1e0c7c' "$D/out" && grep -q '^  b: \[2, 3\]$' "$D/out" &&
    ok "meta key: value lines" || { bad "meta key: value lines"; cat "$D/out"; }
expect_rc "export --meta --format json" 0 "$S" export all.h5 --meta --format json
check "meta json" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["master_seed"] == "18364758544493064720" and m["schema_version"] == 1
assert m["config_yaml"] == "a: 1\nb: [2, 3]\n"
' "$D/out"

# ---- -o: atomic file output ------------------------------------------------------------------
expect_rc "export -o" 0 "$S" export all.h5 -o out.csv
cmp -s out.csv all.csv && ok "-o writes what stdout gets" || bad "-o writes what stdout gets"
[ ! -s "$D/out" ] && ok "-o leaves stdout empty" || bad "-o leaves stdout empty"
no_tmp "-o leaves no temporary file"
echo "keep me" >keep.csv
expect_rc "-o with an unknown run" 1 "$S" export all.h5 --run 99 -o keep.csv
[ "$(cat keep.csv)" = "keep me" ] && ok "failed export leaves OUT untouched" || bad "failed export leaves OUT untouched"
expect_rc "-o into a missing folder" 73 "$S" export all.h5 -o nodir/out.csv
[ ! -e nodir ] && ok "nothing created for a missing folder" || bad "nothing created for a missing folder"
cp all.h5 all.bak
expect_rc "-o naming the input" 64 "$S" export all.h5 -o ./all.h5
cmp -s all.h5 all.bak && ok "input intact after -o refusal" || bad "input intact after -o refusal"
mkdir sub
expect_rc "-o naming a folder" 73 "$S" export all.h5 -o sub
err_has "-o naming a folder said" "sub: is a folder"
no_tmp "failed -o leaves no temporary file"

# ---- export errors ---------------------------------------------------------------------------
expect_rc "missing file" 66 "$S" export missing.h5
err_has "missing file named" "synkti export: missing.h5"
expect_rc "not HDF5" 65 "$S" export notes.txt
err_has "not HDF5 named" "notes.txt"
expect_rc "HDF5 but not a results file" 65 "$S" export plain.h5
err_has "not a results file said" "not a Synkti results file"
expect_rc "unknown run" 1 "$S" export all.h5 --run 99
err_has "unknown run names id and file" "all.h5: no run /runs/99"
expect_rc "bad format" 64 "$S" export all.h5 --format xml
err_has "bad format named" "synkti export: --format: expected csv, tsv or json, got 'xml'"
expect_rc "no file" 64 "$S" export
expect_rc "two files" 64 "$S" export all.h5 s0.h5
expect_rc "--meta with --run" 64 "$S" export all.h5 --meta --run 1
expect_rc "unknown option" 64 "$S" export all.h5 --bogus
expect_rc "export --help" 0 "$S" export --help
grep -q "pandas" "$D/out" && grep -q "gnuplot" "$D/out" && grep -q -- "--format FMT" "$D/out" &&
    ok "export help: options and examples" || bad "export help: options and examples"

# ---- merge -----------------------------------------------------------------------------------
expect_rc "merge 2 shards, given in reverse" 0 "$S" merge s1.h5 s0.h5 -o m2.h5
check "merged 2 shards == unsharded (summary and /runs, bitwise)" "$MK" same all.h5 m2.h5
"$S" export m2.h5 >m2.csv && cmp -s m2.csv all.csv && ok "merged csv == unsharded csv" || bad "merged csv == unsharded csv"
! grep -q "absent" "$D/err" && ok "complete merge gives no warning" || bad "complete merge gives no warning"
expect_rc "merge of one shard of two" 0 "$S" merge s1.h5 -o half.h5
err_has "incomplete merge warns" "are absent (the first is run 0)"
expect_rc "merge 3 shards" 0 "$S" merge t2.h5 t0.h5 t1.h5 -o m3.h5 --quiet
check "merged 3 shards == unsharded" "$MK" same all.h5 m3.h5
[ ! -s "$D/err" ] && ok "merge --quiet is quiet" || bad "merge --quiet is quiet"
no_tmp "merge leaves no temporary file"
expect_rc "merge of another config" 65 "$S" merge s0.h5 other.h5 -o bad.h5
err_has "config mismatch names the file" "other.h5: config_sha256"
[ ! -e bad.h5 ] && ok "refused merge creates nothing" || bad "refused merge creates nothing"
cp s0.h5 s0copy.h5
expect_rc "merge of a repeated run" 65 "$S" merge s0.h5 s0copy.h5 -o bad.h5
err_has "repeated run names both files" "s0.h5 and s0copy.h5: both have summary run 0"
expect_rc "merge without -o" 64 "$S" merge s0.h5 s1.h5
err_has "merge without -o said" "-o ALL.h5 is required"
expect_rc "merge without inputs" 64 "$S" merge -o bad.h5
cp s1.h5 s1.bak
expect_rc "merge over an input" 64 "$S" merge s0.h5 s1.h5 -o ./s1.h5
err_has "merge over an input said" "is also an input"
cmp -s s1.h5 s1.bak && ok "input intact after refusal" || bad "input intact after refusal"
expect_rc "merge of one file twice" 64 "$S" merge s0.h5 ./s0.h5 -o bad.h5
expect_rc "merge of a missing file" 66 "$S" merge s0.h5 missing.h5 -o bad.h5
err_has "missing input named" "missing.h5"
expect_rc "merge of a non-results file" 65 "$S" merge s0.h5 notes.txt -o bad.h5
[ ! -e bad.h5 ] && ok "failed merges create nothing" || bad "failed merges create nothing"
expect_rc "merge --help" 0 "$S" merge --help
grep -q "SLURM_ARRAY_TASK_ID" "$D/out" && ok "merge help: Slurm example" || bad "merge help: Slurm example"
mkfifo fifo
(cat fifo >fifo.out &)
expect_rc "export -o a FIFO" 0 "$S" export s0.h5 -o fifo
sleep 0.2
[ -p fifo ] && ok "the FIFO is still a FIFO" || bad "the FIFO is still a FIFO"
"$S" export s0.h5 >plain.csv
cmp -s plain.csv fifo.out && ok "FIFO got the table" || bad "FIFO got the table"
echo old >target.csv && ln -s target.csv link.csv
expect_rc "export -o a symbolic link" 0 "$S" export s0.h5 -o link.csv
[ -L link.csv ] && cmp -s plain.csv target.csv && ok "the link is kept, its target replaced" || bad "the link is kept, its target replaced"
ln -s not-yet.csv dangling.csv
expect_rc "export -o a link to a file not yet there" 0 "$S" export s0.h5 -o dangling.csv
[ -L dangling.csv ] && cmp -s plain.csv not-yet.csv && ok "the dangling link is kept, its target written" || bad "the dangling link is kept, its target written"
expect_rc "help export" 0 "$S" help export
expect_rc "help merge" 0 "$S" help merge

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
