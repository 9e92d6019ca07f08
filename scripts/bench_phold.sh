#!/usr/bin/env bash
# bench_phold.sh - Synkti's PHOLD next to the hand-written reference loop (../shared/bench/phold-limit),
# same machine, same sitting, same generators; medians of REPS runs. Prints a Markdown table.
#   scripts/bench_phold.sh [BUILD_DIR]      (env: REPS=5, RNGS="xoshiro gsl-taus gsl-mt")
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
REPS=${REPS:-5}
RNGS=${RNGS:-"xoshiro gsl-taus gsl-mt"}
REF_SRC=${REF_SRC:-../shared/bench/phold-limit/phold_limit.c}
REF=$(mktemp -d)/phold_limit
gcc -O3 -march=native -o "$REF" "$REF_SRC" -lgsl -lgslcblas -lm
SIZES=("1000:-n 1000 -e 1 -t 10000" "16384:-n 1024 -e 16 -t 1000" "100000:-n 10000 -e 10 -t 100" "1000000:-n 100000 -e 10 -t 20")
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ours_rng() { case $1 in xoshiro) echo xoshiro256+;; gsl-taus) echo taus2;; gsl-mt) echo mt19937;; esac; }
echo "| pending | generator | synkti M ev/s | ref calq M ev/s | ref heap4 M ev/s | synkti / calq | synkti / heap4 |"
echo "|---|---|---|---|---|---|---|"
for rng in $RNGS; do
  for s in "${SIZES[@]}"; do
    pend=${s%%:*}; args=${s#*:}
    ours=$(for i in $(seq "$REPS"); do "$B/synkti" bench phold -q --rng "$(ours_rng "$rng")" $args | sed -n 's/.*median_ev_per_s=\([0-9]*\).*/\1/p'; done | median)
    calq=$(for i in $(seq "$REPS"); do "$REF" -q calq -r "$rng" $args | sed -n 's/.* ev_per_s=\([0-9]*\).*/\1/p'; done | median)
    heap=$(for i in $(seq "$REPS"); do "$REF" -q heap4 -r "$rng" $args | sed -n 's/.* ev_per_s=\([0-9]*\).*/\1/p'; done | median)
    awk -v p="$pend" -v r="$rng" -v o="$ours" -v c="$calq" -v h="$heap" 'BEGIN {
      printf "| %s | %s | %.2f | %.2f | %.2f | %.0f%% | %.0f%% |\n", p, r, o/1e6, c/1e6, h/1e6, 100*o/c, 100*o/h }'
  done
done
