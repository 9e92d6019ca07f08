#!/usr/bin/env bash
# cbl_figures.sh - every figure of the Can't Be Late experiments, from their results files:
#   results/cbl_deadline_sweep.h5 -> figures/cbl_savings_vs_deadline.{pdf,png}
#   results/cbl_table3.h5         -> figures/cbl_cost_cdf.{pdf,png}
# Runs `synkti export`, reduces with awk, plots with gnuplot (pdfcairo and pngcairo).
#   analysis/cbl_figures.sh [--run] [path/to/synkti]
# --run first (re)runs experiments/cant_be_late/{table3,deadline_sweep}.yaml (about 2 minutes on
# 2 cores), so one command regenerates everything from the traces.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=0
if [ "${1:-}" = "--run" ]; then RUN=1; shift; fi
S=${1:-build/synkti}
if [ $RUN = 1 ]; then
  "$S" run experiments/cant_be_late/table3.yaml --by policy -q
  "$S" run experiments/cant_be_late/deadline_sweep.yaml --by deadline_hours,changeover_hours,policy -q
fi
mkdir -p figures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ -e results/cbl_deadline_sweep.h5 ]; then
  # mean savings vs on-demand per (job fraction C/R, changeover, policy) over traces and windows
  "$S" export results/cbl_deadline_sweep.h5 | awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["status"] == "ok" && $c["exhausted"] == 0 && $c["infeasible"] == 0 {
    key = $c["trace"] SUBSEP $c["window"] SUBSEP $c["deadline_hours"] SUBSEP $c["changeover_hours"]
    cost[key, $c["policy"]] = $c["cost"]; seen[key] = 1 }
  END {
    for (k in seen) { if (!((k, "on_demand") in cost)) continue
      split(k, f, SUBSEP); frac = sprintf("%.2f", 48 / f[3])
      for (pi = 1; pi <= 3; pi++) { p = pi == 1 ? "greedy" : pi == 2 ? "uniform_progress" : "omniscient"
        if (!((k, p) in cost)) continue
        g = frac SUBSEP f[4] SUBSEP p; s[g] += 1 - cost[k, p] / cost[k, "on_demand"]; n[g]++ } }
    for (g in s) { split(g, f, SUBSEP); printf "%s %s %s %.6f %d\n", f[1], f[2], f[3], s[g] / n[g], n[g] } }' |
    sort -k2,2n -k3,3 -k1,1n >"$T/sweep.dat"
  awk '{ print > ("'"$T"'/sweep_" $2 "_" $3 ".dat") }' "$T/sweep.dat"
  # the share of the greedy -> optimum gap that Uniform Progress closes, per point
  awk '{ v[$1 " " $2, $3] = $4; k[$1 " " $2] = 1 } END {
    printf "# fraction changeover gap_closed\n"
    for (x in k) { g = v[x, "greedy"]; u = v[x, "uniform_progress"]; o = v[x, "omniscient"]
      if (o > g) printf "%s %.4f\n", x, (u - g) / (o - g) } }' "$T/sweep.dat" | sort -k2,2n -k1,1n >figures/cbl_gap_closed.txt
  for term in "pdfcairo size 6in,4in" "pngcairo size 900,600"; do
    ext=${term%% *}; ext=${ext%cairo}
    gnuplot <<GP
set terminal $term font "Sans,10" noenhanced
set output "figures/cbl_savings_vs_deadline.$ext"
set title "Savings vs on-demand (8 traces x 30 windows, C = 48 h)"
set xlabel "job fraction C/R"; set ylabel "mean savings vs on-demand (%)"
set key outside right; set grid
plot for [d in "0.1 0.2 0.5 1"] "$T/sweep_".d."_greedy.dat" u 1:(100*\$4) w lp dt 2 t "greedy, d=".d." h", \
     for [d in "0.1 0.2 0.5 1"] "$T/sweep_".d."_uniform_progress.dat" u 1:(100*\$4) w lp t "UP, d=".d." h", \
     for [d in "0.1 0.2 0.5 1"] "$T/sweep_".d."_omniscient.dat" u 1:(100*\$4) w l lw 2 t "optimum, d=".d." h"
GP
  done
  echo "figures/cbl_savings_vs_deadline.{pdf,png}, figures/cbl_gap_closed.txt"
fi

if [ -e results/cbl_table3.h5 ]; then
  "$S" export results/cbl_table3.h5 | awk -F, -v dir="$T" '
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["status"] == "ok" && $c["exhausted"] == 0 { print $c["cost"] > (dir "/cdf_" $c["policy"] ".dat") }'
  for p in greedy uniform_progress omniscient; do sort -g "$T/cdf_$p.dat" | awk '{ a[NR] = $1 } END { for (i = 1; i <= NR; i++) print a[i], i / NR }' >"$T/cdf_$p.xy"; done
  for term in "pdfcairo size 6in,4in" "pngcairo size 900,600"; do
    ext=${term%% *}; ext=${ext%cairo}
    gnuplot <<GP
set terminal $term font "Sans,10" noenhanced
set output "figures/cbl_cost_cdf.$ext"
set title "Cost per window (Table 3 setting: C = 48 h, R = 60 h, d = 0.2 h)"
set xlabel "cost (\$)"; set ylabel "fraction of windows"; set key bottom right; set grid
set arrow from 147.9, graph 0 to 147.9, graph 1 nohead dt 2
set label "on-demand" at 147.9, graph 0.5 right offset -0.5, 0
plot "$T/cdf_greedy.xy" w l lw 2 t "greedy", "$T/cdf_uniform_progress.xy" w l lw 2 t "Uniform Progress", \
     "$T/cdf_omniscient.xy" w l lw 2 t "omniscient"
GP
  done
  echo "figures/cbl_cost_cdf.{pdf,png}"
fi
