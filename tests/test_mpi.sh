#!/usr/bin/env bash
# test_mpi.sh - `mpirun -np 2 synkti run` gives the single-process results file: the same export
# bytes and end-of-run table with 1 and 2 threads per rank on a sweep whose runs differ in cost
# ~1000x (the exact omniscient optimum beside greedy / on-demand runs), rank 1 running part of it;
# per-run series arrive intact. On 40 phold runs (long enough to be interrupted): kill -9 of the
# whole MPI job then --resume gives the uninterrupted file; SIGUSR1 (Slurm's --signal=B:USR1@T,
# forwarded by mpirun) to the job, to one worker rank alone, and to a single process (SIGTERM:
# test_run.sh): exit 75, a valid file holding the first runs in run order, --resume completes it.
# Usage: test_mpi.sh path/to/synkti [mpirun]
set -u
S=$(realpath "$1")
MPIRUN=${2:-mpirun}
T=$(mktemp -d /tmp/sk_test_mpi.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
# Under ASan, Open MPI's own allocations (kept to exit, in components it unloads) cannot be told from
# ours in a leak report: leak checking is off in the MPI runs (memory errors are still caught). The
# runner's leaks are checked by the single-process runs here and by test_runner.
MPI=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$MPIRUN" -np 2 --oversubscribe --bind-to none)

# 48 runs: 12 windows x 4 policies; the omniscient DP at R = 96 h, d = 0.1 h costs ~1000 greedy runs
cat >"$T/exp.yaml" <<'EOF'
name: mpi-mix
seed: 5
scenario:
  kind: batch
  trace: spot-availability/availability/1-node/aws-10-26-2022/us-west-2a_v100_1.json
  work_hours: 48
  deadline_hours: 96
  changeover_hours: 0.1
policies:
  - name: greedy
  - name: omniscient
  - name: uniform_progress
  - name: on_demand
sweep:
  window: 0..11
EOF

"$S" run "$T/exp.yaml" -o "$T/one.h5" -j 2 -q >"$T/one.out" 2>"$T/one.err"
check "single process exits 0" "[ $? -eq 0 ]"
"$S" export "$T/one.h5" >"$T/one.csv"
check "single process: 48 rows" "[ \$(wc -l <'$T/one.csv') -eq 49 ]"

for j in 1 2; do
    "${MPI[@]}" "$S" run "$T/exp.yaml" -o "$T/mpi$j.h5" -j $j >"$T/mpi$j.out" 2>"$T/mpi$j.err"
    check "mpirun -np 2 -j $j exits 0" "[ $? -eq 0 ]"
    "$S" export "$T/mpi$j.h5" >"$T/mpi$j.csv" 2>/dev/null
    check "mpirun -np 2 -j $j: export bytes = single process" "cmp -s '$T/one.csv' '$T/mpi$j.csv'"
    check "mpirun -np 2 -j $j: end-of-run table = single process, printed once" "cmp -s '$T/one.out' '$T/mpi$j.out'"
    check "mpirun -np 2 -j $j: one 'wrote' line (rank 0 only)" "[ \$(grep -c '^synkti run: wrote' '$T/mpi$j.err') -eq 1 ]"
    nr=$(sed -n 's/^synkti run: wrote .*; \([0-9]*\) run on ranks 1-1)$/\1/p' "$T/mpi$j.err")
    check "mpirun -np 2 -j $j: rank 1 ran some of the runs, rank 0 the others (${nr:-?} of 48 on rank 1)" "[ -n '$nr' ] && [ '$nr' -ge 1 ] && [ '$nr' -lt 48 ]"
done
"${MPI[@]}" "$S" run "$T/exp.yaml" -o "$T/mpi3.h5" -j 1 --shard 1/2 -q >/dev/null 2>&1
"$S" run "$T/exp.yaml" -o "$T/one3.h5" -j 1 --shard 1/2 -q >/dev/null 2>&1
check "mpirun with --shard 1/2 = the shard run alone" "cmp -s <('$S' export '$T/one3.h5') <('$S' export '$T/mpi3.h5')"

# per-run series (/runs/<run>) travel with their rows: the same tables as a single process
cat >"$T/ser.yaml" <<'EOF'
name: mpi-series
seed: 7
replications: 3
series: true
scenario: {kind: phold, lps: 32, events_per_lp: 2, end: 20}
policies: [{name: uniform}, {name: hotspot, params: {hot_lps: 2}}]
sweep: {lps: [16, 32]}
EOF
"$S" run "$T/ser.yaml" -o "$T/ser1.h5" -j 1 -q >/dev/null 2>&1
"${MPI[@]}" "$S" run "$T/ser.yaml" -o "$T/ser2.h5" -j 2 -q >/dev/null 2>&1
check "series: mpirun exits 0" "[ $? -eq 0 ]"
same=1
for id in $(seq 0 11); do
    "$S" export "$T/ser2.h5" --run $id >"$T/ser2.$id.csv" 2>/dev/null || same=0
    [ "$(wc -l <"$T/ser2.$id.csv")" -gt 1 ] && cmp -s "$T/ser2.$id.csv" <("$S" export "$T/ser1.h5" --run $id) || same=0
done
check "series: all 12 /runs tables = single process" "[ $same -eq 1 ]"
check "series: /summary = single process" "cmp -s <('$S' export '$T/ser1.h5') <('$S' export '$T/ser2.h5')"

# kill and signal tests: 40 phold runs of similar cost (~0.1 s each optimised), long enough that the
# signal lands mid-sweep on a fast machine too; the reference is one process
cat >"$T/sig.yaml" <<'EOF'
name: mpi-sig
seed: 3
replications: 20
scenario: {kind: phold, lps: 1024, events_per_lp: 16, end: 100}
policies: [{name: uniform}, {name: hotspot, params: {hot_lps: 8, hot_weight: 0.3}}]
EOF
"$S" run "$T/sig.yaml" -o "$T/sig.h5" -j 2 -q >/dev/null 2>&1
"$S" export "$T/sig.h5" >"$T/sig.csv"
check "signal reference: 40 rows" "[ \$(wc -l <'$T/sig.csv') -eq 41 ]"

# wait_file F: until the results file exists (the first checkpoint), at most 60 s
wait_file() {
    for _ in $(seq 1 600); do [ -e "$1" ] && return 0; sleep 0.1; done
    return 1
}

# prefix_of PART FULL: PART's export is the header and the first rows of FULL's, more than 0, fewer than all
prefix_of() {
    local n
    n=$(($(wc -l <"$1") - 1))
    [ "$n" -ge 1 ] && [ "$n" -lt $(($(wc -l <"$2") - 1)) ] && cmp -s "$1" <(head -n $((n + 1)) "$2")
}

# kill -9 of the whole MPI job (mpirun and its ranks) after a checkpoint, then --resume under MPI
"${MPI[@]}" "$S" run "$T/sig.yaml" -o "$T/k9.h5" -j 1 --checkpoint 0.1 -q >/dev/null 2>&1 &
mp=$!
pids+=("$mp")
wait_file "$T/k9.h5"
sleep 0.5
ranks=$(pgrep -P "$mp" | tr '\n' ' ')
kill -9 $ranks "$mp" 2>/dev/null
wait "$mp" 2>/dev/null
check "kill -9 left a results file that opens" "'$S' export '$T/k9.h5' >'$T/k9part.csv' 2>/dev/null"
check "the killed job's file holds the first runs in run order" "prefix_of '$T/k9part.csv' '$T/sig.csv'"
"${MPI[@]}" "$S" run "$T/sig.yaml" -o "$T/k9.h5" -j 2 --resume -q >/dev/null 2>"$T/k9.err"
check "--resume under mpirun after kill -9 exits 0" "[ $? -eq 0 ]"
"$S" export "$T/k9.h5" >"$T/k9.csv" 2>/dev/null
check "--resume after kill -9 = uninterrupted" "cmp -s '$T/sig.csv' '$T/k9.csv'"

# sig_test NAME SIGNAL TARGET: the job signalled (mpi: mpirun; rank1: the rank-1 process alone; one:
# a single process), signalled after its first checkpoint; exit 75, prefix file, resume = full
sig_test() {
    local name=$1 sig=$2 target=$3 out="$T/$1.h5" pid tp
    if [ "$target" = one ]; then
        "$S" run "$T/sig.yaml" -o "$out" -j 1 --checkpoint 0.1 -q >/dev/null 2>"$T/$name.err" &
    else
        "${MPI[@]}" "$S" run "$T/sig.yaml" -o "$out" -j 1 --checkpoint 0.1 -q >/dev/null 2>"$T/$name.err" &
    fi
    pid=$!
    pids+=("$pid")
    wait_file "$out"
    tp=$pid
    if [ "$target" = rank1 ]; then
        for c in $(pgrep -P "$pid"); do
            tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && tp=$c
        done
    fi
    kill -"$sig" "$tp"
    wait "$pid"
    local rc=$?
    check "$name: SIG$sig exits 75 (got $rc)" "[ $rc -eq 75 ]"
    check "$name: the message says --resume" "grep -q 'continue with --resume' '$T/$name.err'"
    "$S" export "$out" >"$T/$name.part.csv" 2>/dev/null
    check "$name: a valid file with the first runs in run order" "prefix_of '$T/$name.part.csv' '$T/sig.csv'"
    if [ "$target" = one ]; then
        "$S" run "$T/sig.yaml" -o "$out" -j 2 --resume -q >/dev/null 2>&1
    else
        "${MPI[@]}" "$S" run "$T/sig.yaml" -o "$out" -j 1 --resume -q >/dev/null 2>&1
    fi
    check "$name: --resume exits 0" "[ $? -eq 0 ]"
    "$S" export "$out" >"$T/$name.csv" 2>/dev/null
    check "$name: resumed file = uninterrupted" "cmp -s '$T/sig.csv' '$T/$name.csv'"
}
sig_test one_usr1 USR1 one
sig_test mpi_usr1 USR1 mpi
sig_test rank1_usr1 USR1 rank1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
