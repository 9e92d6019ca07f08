#!/usr/bin/env bash
# build.sh - the paper from the experiments: run (or reuse) the experiments and benchmarks the
# paper uses, export them, reduce them to paper/gen/numbers.tex (one macro per number), tables and
# figure data, draw the figures with gnuplot (cairolatex: text set by LaTeX), run paper/check.sh,
# then pdflatex + bibtex when TeX Live is installed.
#   paper/build.sh [--small] [--no-pdf] [--live] [SYNKTI]     (default SYNKTI: build/synkti)
# --small   tiny variants of every experiment and benchmark (seconds; what CTest runs): results in
#           $PAPER_RESULTS (default results/paper-small), output in $PAPER_GEN (default paper/gen-small)
# Paths given on the command line or in PAPER_RESULTS / PAPER_GEN are relative to the caller's folder.
# --no-pdf  stop before LaTeX
# --live    run the live demo first (analysis/live_demo.sh, about a minute); without it the live
#           section uses results/live-demo/{live,sim}.h5 when present and prints no numbers otherwise
# A result is reused when its file is newer than its experiment file and the synkti binary (and was
# run with the same overrides); delete
# results/paper/ (or touch the experiment) to rerun. Environment: JOBS (default 2), SHARED (default
# ../shared: the PHOLD reference loop and the SkyNomad published sweeps).
set -euo pipefail
CALLER=$PWD
abs() { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$CALLER" "$1" ;; esac; }
cd "$(dirname "$0")/.."
SMALL=0; PDF=1; LIVE=0
while [ $# -gt 0 ]; do
  case $1 in
  --small) SMALL=1 ;;
  --no-pdf) PDF=0 ;;
  --live) LIVE=1 ;;
  -h|--help) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
  -*) echo "build.sh: unknown option $1" >&2; exit 64 ;;
  *) break ;;
  esac
  shift
done
S=$(abs "${1:-$(pwd)/build/synkti}")
[ -x "$S" ] || { echo "build.sh: no synkti binary at $S (build it first, or pass its path)" >&2; exit 66; }
S=$(cd "$(dirname "$S")" && pwd)/$(basename "$S")
JOBS=${JOBS:-2}
SHARED=${SHARED:-../shared}
if [ -n "${PAPER_RESULTS:-}" ]; then PAPER_RESULTS=$(abs "$PAPER_RESULTS"); fi
if [ -n "${PAPER_GEN:-}" ]; then PAPER_GEN=$(abs "$PAPER_GEN"); fi
if [ $SMALL = 1 ]; then
  RES=${PAPER_RESULTS:-results/paper-small}; GEN=${PAPER_GEN:-paper/gen-small}
else
  RES=${PAPER_RESULTS:-results/paper}; GEN=${PAPER_GEN:-paper/gen}
fi
mkdir -p "$RES" "$GEN/csv" "$GEN/dat"
log() { printf 'paper: %s\n' "$*" >&2; }

# fresh FILE DEP...: FILE exists and is newer than every DEP
fresh() { local f=$1; shift; [ -s "$f" ] || return 1; for d in "$@"; do [ "$f" -nt "$d" ] || return 1; done; }

# exp NAME YAML [--set ...]: results in $RES/NAME.h5 (reused when fresh), wall time in NAME.time,
# exported CSV in $GEN/csv/NAME.csv
exp() {
  local name=$1 yaml=experiments/$2; shift 2
  local h5=$RES/$name.h5
  if fresh "$h5" "$yaml" "$S" && [ -s "$RES/$name.time" ] && [ "$(cat "$RES/$name.args" 2>/dev/null)" = "$*" ]; then
    log "reusing $h5"
  else
    log "running $yaml -> $h5"
    local t0 t1
    t0=$(date +%s.%N)
    "$S" run "$yaml" -q -j "$JOBS" -o "$h5" "$@" >/dev/null 2>"$RES/$name.log" ||
      { cat "$RES/$name.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$RES/$name.time"
    printf '%s' "$*" >"$RES/$name.args"
  fi
  "$S" export "$h5" >"$GEN/csv/$name.csv"
  cp "$RES/$name.time" "$GEN/csv/$name.time"
}

# bench NAME CMD...: stdout of a benchmark in $RES/NAME.txt, rerun when older than the binary
bench() {
  local name=$1; shift
  if fresh "$RES/$name.txt" "$S"; then log "reusing $RES/$name.txt"; else
    log "bench $name: $*"; "$@" >"$RES/$name.txt.tmp" && mv "$RES/$name.txt.tmp" "$RES/$name.txt"; fi
  cp "$RES/$name.txt" "$GEN/csv/$name.txt"
}

# PHOLD against the hand-written reference loop, same workload and generator, alternating runs
phold_bench() {
  local reps=$1; shift
  local ref=$RES/phold_limit
  if [ -e "$SHARED/bench/phold-limit/phold_limit.c" ]; then
    gcc -O3 -march=native -o "$ref" "$SHARED/bench/phold-limit/phold_limit.c" -lgsl -lgslcblas -lm
  else
    ref=""
  fi
  local i
  for i in $(seq "$reps"); do
    "$S" bench phold -q --rng xoshiro256+ "$@" | sed -n 's/.*median_ev_per_s=\([0-9]*\).*/synkti \1/p'
    [ -z "$ref" ] || "$ref" -q calq -r xoshiro "$@" | sed -n 's/.* ev_per_s=\([0-9]*\).*/calq \1/p'
  done
}

if [ $LIVE = 1 ]; then analysis/live_demo.sh "$S"; fi

if [ $SMALL = 1 ]; then
  exp cbl_table3 cant_be_late/table3.yaml --set sweep.window=0..2
  exp cbl_deadline cant_be_late/deadline_sweep.yaml --set sweep.window=0..0 \
    --set sweep.deadline_hours=60,50.5 --set sweep.changeover_hours=0.2,1.0
  exp mr_deadline multi_region/deadline_sensitivity.yaml --set sweep.start_tick=0 \
    --set policies=optimal_dp,up_failover,skynomad
  exp mr_deadline_single multi_region/deadline_sensitivity_single.yaml --set sweep.start_tick=0
  exp mr_scaling multi_region/region_scaling.yaml --set sweep.start_tick=0 --set policies=optimal_dp,up_failover,skynomad
  exp mr_scaling_single multi_region/region_scaling_single.yaml --set sweep.start_tick=0
  exp fleet_zones fleet/gcp_h100_zones.yaml --set replications=1 --set scenario.n_jobs=20 \
    --set sweep.capacity=2,4 --set sweep.deadline_factor=2
  exp fleet_loading fleet/model_loading.yaml --set replications=1 --set scenario.n_jobs=20 \
    --set sweep.model_gb=0,140
  exp sh_artifact serving/skyserve_artifact.yaml --set scenario.repeats=1 --set scenario.latency=false
  exp sh_e2e serving/skyserve_e2e.yaml --set replications=1 --set scenario.horizon_h=1 \
    --set sweep.trace_dir=spothedge/data/AWS2
  exp spotserve serving/spotserve_segments.yaml --set sweep.model=6.7B
  bench phold phold_bench 1 -n 64 -e 4 -t 50
  bench bench_batch "$S" bench batch -w 2 -r 1
  bench bench_mr "$S" bench multi_region -r 1 -p up_failover
  bench bench_spothedge "$S" bench spothedge -r 1 -p round_robin --no-latency
else
  exp cbl_table3 cant_be_late/table3.yaml
  exp cbl_deadline cant_be_late/deadline_sweep.yaml
  exp mr_deadline multi_region/deadline_sensitivity.yaml
  exp mr_deadline_single multi_region/deadline_sensitivity_single.yaml
  exp mr_scaling multi_region/region_scaling.yaml
  exp mr_scaling_single multi_region/region_scaling_single.yaml
  exp fleet_zones fleet/gcp_h100_zones.yaml
  exp fleet_loading fleet/model_loading.yaml
  exp sh_artifact serving/skyserve_artifact.yaml
  exp sh_e2e serving/skyserve_e2e.yaml
  exp spotserve serving/spotserve_segments.yaml
  bench phold phold_bench 5
  bench bench_batch "$S" bench batch -r 3
  bench bench_mr "$S" bench multi_region -r 3
  bench bench_spothedge "$S" bench spothedge -r 5
fi

# the live demo's two results files, when there
rm -f "$GEN/csv/live.csv" "$GEN/csv/live_sim.csv"
if [ -s results/live-demo/live.h5 ] && [ -s results/live-demo/sim.h5 ]; then
  "$S" export results/live-demo/live.h5 >"$GEN/csv/live.csv"
  "$S" export results/live-demo/sim.h5 >"$GEN/csv/live_sim.csv"
fi

# the SkyNomad artifact's published sweeps, matched row by row (analysis/mr_compare.py)
for n in deadline:deadline_sensitivity:published_deadline_sensitivity.csv \
         scaling:region_scaling:published_region_scaling.csv; do
  IFS=: read -r short long pub <<<"$n"
  if [ -e "$SHARED/specs/skynomad/$pub" ]; then
    python3 analysis/mr_compare.py "$long" "$SHARED/specs/skynomad/$pub" "$GEN/csv/mr_$short.csv" \
      "$GEN/csv/mr_${short}_single.csv" "$GEN/dat" >"$GEN/csv/mr_$short.match" || true
  else
    log "no $SHARED/specs/skynomad/$pub: the match counts are left empty"
    : >"$GEN/csv/mr_$short.match"
  fi
done

python3 paper/reduce.py "$GEN" paper/published.tex
rel=$(realpath -m --relative-to=paper "$GEN")
(cd paper && gnuplot -e "gen='$rel'" figures.gp)
log "wrote $GEN/numbers.tex, $GEN/tab_*.tex and $GEN/fig_*.{tex,pdf}"
paper/check.sh paper/paper.tex

if [ $PDF = 1 ]; then
  if ! command -v pdflatex >/dev/null; then
    log "pdflatex not found (scripts/bootstrap.sh paper installs TeX Live): stopping before the PDF"
    exit 0
  fi
  # paper.tex reads its generated files from \gendir (gen unless built with --small)
  (cd paper &&
    pdflatex -interaction=nonstopmode -halt-on-error "\\def\\gendir{$rel}\\input{paper.tex}" >/dev/null &&
    bibtex paper >/dev/null &&
    pdflatex -interaction=nonstopmode -halt-on-error "\\def\\gendir{$rel}\\input{paper.tex}" >/dev/null &&
    pdflatex -interaction=nonstopmode -halt-on-error "\\def\\gendir{$rel}\\input{paper.tex}" >/dev/null) ||
    { log "LaTeX failed: see paper/paper.log"; exit 1; }
  log "wrote paper/paper.pdf"
fi
