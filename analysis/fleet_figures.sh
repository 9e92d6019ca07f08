#!/usr/bin/env bash
# fleet_figures.sh - the fleet experiments (experiments/fleet/*.yaml) into figures and a Markdown
# summary: runs each experiment unless its results/fleet_NAME.h5 exists (or --run is given),
# `synkti export`s it, reduces the CSV with analysis/fleet_reduce.py and draws with gnuplot:
#   gcp_h100_zones   figures/fleet_gcp_h100_zones.png   cost / on_demand vs deadline factor, per policy and capacity
#   aws_v100_zones   figures/fleet_aws_v100_zones.png   cost / on_demand and mean JCT vs instances per trace unit, per deadline factor
#   elasticflow_spot figures/fleet_elasticflow_spot.png cost ($M) and mean JCT bars, per setting and policy
#   pai_fleet        figures/fleet_pai_fleet.png        cost and JCT P50/P90/P99 per market x fleet_heal
#   model_loading    figures/fleet_model_loading.png    cost / on_demand and egress $ bars per model size x store
# The tables (means over replications) go to stdout and to figures/fleet_NAME.md.
#   analysis/fleet_figures.sh [--run] [path/to/synkti] [NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=0
if [ "${1:-}" = "--run" ]; then RUN=1; shift; fi
S=${1:-build/synkti}
[ $# -gt 0 ] && shift
NAMES=("$@")
[ ${#NAMES[@]} -gt 0 ] || NAMES=(gcp_h100_zones aws_v100_zones elasticflow_spot pai_fleet model_loading)
mkdir -p figures results
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for n in "${NAMES[@]}"; do
  f=experiments/fleet/$n.yaml
  [ -f "$f" ] || { echo "fleet_figures.sh: no $f" >&2; exit 64; }
  out=results/fleet_$n.h5
  if [ $RUN = 1 ] || [ ! -f "$out" ]; then
    start=$(date +%s.%N)
    "$S" run "$f" -q -o "$out" >/dev/null
    echo "fleet_figures.sh: $n ran in $(echo "$(date +%s.%N) - $start" | bc) s" >&2
  fi
  "$S" export "$out" >"$T/$n.csv"
  python3 analysis/fleet_reduce.py "$n" "$T/$n.csv" "$T" >"figures/fleet_$n.md"
  cat "figures/fleet_$n.md"
  echo
  case $n in
  gcp_h100_zones)
    gnuplot <<GP
set terminal pngcairo size 1400,450 font "Sans,10" noenhanced
set output "figures/fleet_$n.png"
set multiplot layout 1,3 title "GCP H100, 13 zones (trace replay): 400 one-GPU jobs, 5 replications"
set xlabel "deadline factor (deadline = arrival + f x work)"; set ylabel "cost / on_demand cost"
set key bottom right; set grid; set yrange [0:*]
do for [c in "2 4 8"] {
  set title sprintf("spot capacity %s per zone", c)
  plot for [i=0:3] sprintf("$T/$n.cap%s.dat", c) index i u 1:2 w lp lw 2 t columnhead(1)
}
unset multiplot
GP
    ;;
  aws_v100_zones)
    gnuplot <<GP
set terminal pngcairo size 1000,800 font "Sans,10" noenhanced
set output "figures/fleet_$n.png"
set multiplot layout 2,2 title "AWS V100, 3 zones (16-node count traces): 300 jobs of 1-4 GPUs, 5 replications"
set xlabel "p3.2xlarge spot instances per trace unit (1: the trace's 0-16)"; set logscale x 2; set grid; set key top right
do for [f in "2 4"] {
  set title sprintf("deadline factor %s", f)
  set ylabel "cost / on_demand cost"; set yrange [0:*]; unset logscale y
  plot for [i=0:4] sprintf("$T/$n.f%s.dat", f) index i u 1:2 w lp lw 2 t columnhead(1)
  set ylabel "mean JCT (h)"; set logscale y; set yrange [*:*]
  plot for [i=0:4] sprintf("$T/$n.f%s.dat", f) index i u 1:3 w lp lw 2 t columnhead(1)
}
unset multiplot
GP
    ;;
  elasticflow_spot)
    gnuplot <<GP
set terminal pngcairo size 1500,500 font "Sans,10" noenhanced
set output "figures/fleet_$n.png"
set multiplot layout 1,2 title "ElasticFlow 60 days (69,351 jobs) on V100 spot (69 AWS catalog pools), 3 replications; x: availability, price, spot GPUs per pool"
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set grid ytics; set key top center horizontal; set xtics rotate by -30; set bmargin 6
set ylabel "cost (\$M)"; set yrange [0:6.5]
plot for [k=2:5] "$T/$n.dat" u k:xtic(1) t columnhead(k)
set ylabel "mean JCT (h)"; set yrange [5.2:5.45]
plot for [k=2:5] "$T/$n.jct.dat" u k:xtic(1) t columnhead(k)
unset multiplot
GP
    ;;
  pai_fleet)
    gnuplot <<GP
set terminal pngcairo size 1000,450 font "Sans,10" noenhanced
set output "figures/fleet_$n.png"
set multiplot layout 1,2 title "Alibaba PAI fleet (6,742 GPUs), FIFO, ElasticFlow jobs, 3 replications"
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set grid ytics; set key top right
set ylabel "cost (\$M)"
plot "$T/$n.dat" u 2:xtic(1) t "cost"
set ylabel "JCT (h)"; set key top left
plot for [k=3:5] "$T/$n.dat" u k:xtic(1) t columnhead(k)
unset multiplot
GP
    ;;
  model_loading)
    gnuplot <<GP
set terminal pngcairo size 1400,500 font "Sans,10" noenhanced
set output "figures/fleet_$n.png"
set multiplot layout 1,2 title "Model loading at every (re)start, GCP H100 13 zones, 400 one-GPU jobs, 5 replications; x: model GB, store"
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set grid ytics; set key top left; set xtics rotate by -30
set ylabel "cost / on_demand cost"
plot for [k=2:6] "$T/$n.dat" u k:xtic(1) t columnhead(k)
set ylabel "egress \$ (checkpoints + model)"
plot for [k=2:6] "$T/$n.egress.dat" u k:xtic(1) t columnhead(k)
unset multiplot
GP
    ;;
  esac
  echo "figures/fleet_$n.{png,md}" >&2
done
