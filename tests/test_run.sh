#!/usr/bin/env bash
# test_run.sh - `synkti run` end to end through the CLI: SIGTERM mid-sweep exits 75 with a valid
# file of completed runs, --resume completes it to exactly the uninterrupted /summary, kill -9
# never leaves a results file that fails to open, shards + merge = one run, plan/validate output.
# Usage: test_run.sh path/to/synkti
set -u
S=$(realpath "$1")
T=$(mktemp -d /tmp/sk_test_run.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

# 40 runs of ~0.1 s each (16,384 pending, end 100)
cat >"$T/exp.yaml" <<'EOF'
name: sigterm
seed: 3
replications: 20
scenario: {kind: phold, lps: 1024, events_per_lp: 16, end: 100}
policies:
  - name: uniform
  - {name: hotspot, params: {hot_lps: 8, hot_weight: 0.3}}
EOF

"$S" run "$T/exp.yaml" -o "$T/full.h5" -j 2 >"$T/full.out" 2>"$T/full.err"
check "uninterrupted run exits 0" "[ $? -eq 0 ]"
"$S" export "$T/full.h5" >"$T/full.csv"
check "export of the full run: 41 lines" "[ \$(wc -l <'$T/full.csv') -eq 41 ]"
check "summary table on stdout" "grep -q '^ *uniform 20 0' '$T/full.out'"
check "stderr names the file written" "grep -q 'wrote $T/full.h5' '$T/full.err'"

# SIGTERM mid-sweep
# (SIGTERM once the first checkpoint holds a run, however slow the machine: not at a fixed time)
"$S" run "$T/exp.yaml" -o "$T/part.h5" -j 1 --checkpoint 0.2 >"$T/part.out" 2>"$T/part.err" &
pid=$!
for _ in $(seq 600); do
    [ "$("$S" export "$T/part.h5" 2>/dev/null | wc -l)" -ge 2 ] && break
    sleep 0.1
done
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM exits 75 (got $rc)" "[ $rc -eq 75 ]"
check "interrupt message says --resume" "grep -q 'continue with --resume' '$T/part.err'"
"$S" export "$T/part.h5" >"$T/part.csv" 2>/dev/null
n=$(($(wc -l <"$T/part.csv") - 1))
check "interrupted file is valid with some but not all runs ($n)" "[ $n -ge 1 ] && [ $n -lt 40 ]"
check "interrupted rows equal the full run's rows" "grep -F -x -f '$T/part.csv' '$T/full.csv' | wc -l | grep -qx $((n + 1))"
"$S" run "$T/exp.yaml" -o "$T/part.h5" -j 2 --resume -q >/dev/null 2>"$T/resume.err"
check "--resume exits 0" "[ $? -eq 0 ]"
"$S" export "$T/part.h5" >"$T/resumed.csv"
check "resumed /summary = uninterrupted /summary" "cmp -s '$T/full.csv' '$T/resumed.csv'"

# resume with another configuration is refused, file untouched
cp "$T/part.h5" "$T/keep.h5"
"$S" run "$T/exp.yaml" -o "$T/part.h5" --resume --set seed=4 -q >/dev/null 2>"$T/other.err"
check "resume of another config exits 78" "[ $? -eq 78 ]"
check "refusal explains" "grep -q 'another configuration' '$T/other.err'"
check "refused file untouched" "cmp -s '$T/part.h5' '$T/keep.h5'"

# kill -9 with frequent checkpoints: whatever is on disk opens
"$S" run "$T/exp.yaml" -o "$T/k9.h5" -j 2 --checkpoint 0.05 -q >/dev/null 2>&1 &
pid=$!
sleep 1.2
kill -9 $pid
wait $pid 2>/dev/null
if [ -e "$T/k9.h5" ]; then
    "$S" export "$T/k9.h5" >/dev/null 2>&1
    check "after kill -9 the results file opens" "[ $? -eq 0 ]"
else
    ok "after kill -9 no results file (killed before the first checkpoint)"
fi
"$S" run "$T/exp.yaml" -o "$T/k9.h5" -j 2 --resume -q >/dev/null 2>&1
check "resume after kill -9 exits 0" "[ $? -eq 0 ]"
"$S" export "$T/k9.h5" >"$T/k9.csv"
check "resume after kill -9 = uninterrupted" "cmp -s '$T/full.csv' '$T/k9.csv'"
check "no temporary files left after the resume" "[ -z \"\$(ls '$T' | grep 'k9.h5.tmp')\" ]"

# shards through the CLI, merged
"$S" run "$T/exp.yaml" -o "$T/sh.h5" --shard 1/2 -q >/dev/null 2>&1 && "$S" run "$T/exp.yaml" -o "$T/sh0.h5" --shard 0/2 -q >/dev/null 2>&1
check "shard runs exit 0" "[ $? -eq 0 ]"
"$S" merge "$T/sh.h5" "$T/sh0.h5" -o "$T/merged.h5" >/dev/null 2>&1
"$S" export "$T/merged.h5" >"$T/merged.csv"
check "shard 1/2 + shard 0/2 merged = one run" "cmp -s '$T/full.csv' '$T/merged.csv'"
(cd "$T" && "$S" run exp.yaml --shard 1/2 -q >/dev/null 2>&1)
check "default shard output name" "[ -e '$T/sigterm.shard-1-of-2.h5' ]"

# plan and validate
"$S" plan "$T/exp.yaml" >"$T/plan.tsv"
check "plan lists 40 runs" "[ \$(grep -c '^[0-9]' '$T/plan.tsv') -eq 40 ]"
check "plan header" "grep -q '^run	point	policy	replication	world_index	world_seed	policy_seed' '$T/plan.tsv'"
"$S" plan "$T/exp.yaml" --shard 1/4 >"$T/plan1.tsv"
check "plan --shard 1/4 lists runs 1,5,9.." "[ \"\$(grep '^[0-9]' '$T/plan1.tsv' | cut -f1 | head -3 | tr '\n' ' ')\" = '1 5 9 ' ]"
"$S" validate "$T/exp.yaml" --set sweep.lps=64,128 >"$T/val.out"
check "validate with --set sweep" "grep -q '80 runs (2 points x 2 policies x 20 replications)' '$T/val.out'"
"$S" validate --print "$T/exp.yaml" >"$T/resolved.yaml"
"$S" validate "$T/resolved.yaml" >"$T/val2.out"
check "resolved YAML validates to the same sha256" "[ \"\$(sed 's/.*sha256 //' '$T/val2.out')\" = \"\$(\"$S\" validate '$T/exp.yaml' | sed 's/.*sha256 //')\" ]"
"$S" run "$T/exp.yaml" --shard 2/2 -q >/dev/null 2>&1
check "bad shard is a usage error" "[ $? -eq 64 ]"
"$S" run -q >/dev/null 2>&1
check "run without a file is a usage error" "[ $? -eq 64 ]"
"$S" run "$T/nope.yaml" -q >/dev/null 2>&1
check "missing experiment file exits 66" "[ $? -eq 66 ]"
"$S" run "$T/exp.yaml" -o "$T/new/dir/x.h5" --set replications=1 -q >/dev/null 2>&1
check "missing output folders are created" "[ -e '$T/new/dir/x.h5' ]"
touch "$T/afile"
"$S" run "$T/exp.yaml" -o "$T/afile/x.h5" -q >/dev/null 2>"$T/unw.err"
check "unwritable output exits 73 before running" "[ $? -eq 73 ] && ! grep -q 'runs (' '$T/unw.err'"
mkdir "$T/adir"
"$S" run "$T/exp.yaml" -o "$T/adir" -q >/dev/null 2>"$T/dir.err"
check "a folder as output exits 73 before running" "[ $? -eq 73 ] && grep -q 'not a regular file' '$T/dir.err'"
mkfifo "$T/afifo"
"$S" run "$T/exp.yaml" -o "$T/afifo" --set replications=1 -q >/dev/null 2>&1
check "a FIFO as output exits 73 and stays a FIFO" "[ $? -eq 73 ] && [ -p '$T/afifo' ]"
mkdir "$T/linked"
ln -s linked/l.h5 "$T/l.h5"
"$S" run "$T/exp.yaml" -o "$T/l.h5" --set replications=1 -q >/dev/null 2>&1
check "a symbolic link as output stays a link to the new file" "[ -L '$T/l.h5' ] && [ -f '$T/linked/l.h5' ] && '$S' export '$T/l.h5' >/dev/null"

# --resume under another shard layout would drop the other shard's runs: refused, file untouched
cp "$T/full.h5" "$T/lay.h5"
"$S" run "$T/exp.yaml" -o "$T/lay.h5" --resume --shard 1/2 -q >/dev/null 2>"$T/lay.err"
check "resume of a whole-run file as a shard exits 78" "[ $? -eq 78 ] && grep -q 'not in shard 1/2' '$T/lay.err'"
check "file of the refused shard resume untouched" "cmp -s '$T/full.h5' '$T/lay.h5'"

# A deadline shorter than work + changeover: validate warns (exit 0) at the deadline key, and every
# batch policy, under either simulator, reports infeasible = 1 and the same on-demand fallback cost.
printf '{"metadata": {"gap_seconds": 600}, "data": [%s1]}\n' "$(printf '1, %.0s' $(seq 1 99))" >"$T/avail.json"
cat >"$T/infeas.yaml" <<'EOF'
name: infeasible
scenario: {kind: batch, trace: avail.json, work_hours: 1, changeover_hours: 0.2, deadline_hours: 1.1}
policies: [{name: uniform_progress}, {name: greedy}, {name: on_demand}, {name: spot_only}, {name: time_sliced},
           {name: omniscient}, {name: strawman}]
sweep: {simulator: [auto, new, old]}
EOF
"$S" validate "$T/infeas.yaml" >"$T/infeas.vout" 2>"$T/infeas.verr"
check "validate of an infeasible deadline exits 0" "[ $? -eq 0 ] && grep -q ': ok: infeasible' '$T/infeas.vout'"
check "validate warns at the deadline key" "grep -q '^synkti validate: warning: .*infeas.yaml:2:[0-9]*: scenario.deadline_hours: deadline 1.1 h is shorter than work + changeover' '$T/infeas.verr'"
check "one warning per sweep point" "[ \$(grep -c warning '$T/infeas.verr') -eq 3 ]"
"$S" run "$T/infeas.yaml" -o "$T/infeas.h5" -q >/dev/null 2>&1
check "an infeasible sweep runs (exit 0)" "[ $? -eq 0 ]"
"$S" export "$T/infeas.h5" >"$T/infeas.csv"
# every row: infeasible = 1, deadline not met, cost = od*(C + d) = 3.06*(1 + 0.2) as the reference's fallback
check "every policy and simulator: infeasible, one fallback cost" "awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
    { n++; if (\$c[\"infeasible\"] != 1 || \$c[\"cost\"] != \"3.6719999999999997\" || \$c[\"deadline_met\"] != 0) bad++ }
    END { exit !(n == 21 && !bad) }' '$T/infeas.csv'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
