#!/usr/bin/env bash
# mr_figures.sh - the multi-region sweeps beside the SkyNomad artifact's published results, and
# their figures (cost normalised by the artifact's optimal plan at the same setting and window):
#   results/mr_NAME.h5 + results/mr_NAME_single.h5 -> figures/mr_NAME.{pdf,png}, figures/mr_NAME.md
# for NAME in deadline_sensitivity region_scaling region_selection checkpoint_size.
# Prints, per sweep and policy, how many published rows match to 1e-9 relative; exits 1 if any
# published row of a covered policy differs or was not run.
#   analysis/mr_figures.sh [--run] [path/to/synkti] [NAME...]
# --run first (re)runs experiments/multi_region/NAME{,_single}.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=0
if [ "${1:-}" = "--run" ]; then RUN=1; shift; fi
S=${1:-build/synkti}
[ $# -gt 0 ] && shift
NAMES=("$@")
[ ${#NAMES[@]} -gt 0 ] || NAMES=(deadline_sensitivity region_scaling region_selection checkpoint_size)
PUB=../shared/specs/skynomad
mkdir -p figures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
status=0
for n in "${NAMES[@]}"; do
  case $n in
  deadline_sensitivity) f=published_deadline_sensitivity.csv; xl="deadline / work (R/C)"; logx="" ;;
  region_scaling) f=published_region_scaling.csv; xl="zones"; logx="" ;;
  region_selection) f=published_region_selection.csv; xl="zones (US 8, Europe 2, Asia 3, all 13)"; logx="" ;;
  checkpoint_size) f=published_checkpoint_sensitivity.csv; xl="checkpoint (GB)"; logx="" ;;
  *) echo "mr_figures.sh: unknown sweep '$n'" >&2; exit 64 ;;
  esac
  if [ $RUN = 1 ]; then
    "$S" run "experiments/multi_region/$n.yaml" -q >/dev/null
    "$S" run "experiments/multi_region/${n}_single.yaml" -q >/dev/null
  fi
  "$S" export "results/mr_$n.h5" >"$T/a.csv"
  "$S" export "results/mr_${n}_single.h5" >"$T/b.csv"
  python3 analysis/mr_compare.py "$n" "$PUB/$f" "$T/a.csv" "$T/b.csv" "$T" || status=1
  cp "$T/mr_$n.md" "figures/mr_$n.md"
  for term in "pdfcairo size 6in,4in" "pngcairo size 900,600"; do
    ext=${term%% *}; ext=${ext%cairo}
    gnuplot <<GP
set terminal $term font "Sans,10" noenhanced
set output "figures/mr_$n.$ext"
set title "SkyNomad artifact sweep: $n (H100 zones, 6 windows)"
set xlabel "$xl"; set ylabel "mean cost / optimal_dp cost"
set key outside right; set grid $logx
plot for [i=0:$(($(grep -c '^"' "$T/mr_$n.dat") - 1))] "$T/mr_$n.dat" index i u 1:2 w lp lw 2 t columnhead(1)
GP
  done
  echo "figures/mr_$n.{pdf,png,md}"
done
exit $status
