#!/usr/bin/env bash
# quickstart.sh - the figure of the default job: mean cost per policy with min..max over the
# windows, from results/quickstart.h5 -> figures/quickstart_cost.{png,pdf}. A policy that misses
# the deadline in some windows has its on-time share in its label (its cost is not comparable).
#   analysis/quickstart.sh [results/quickstart.h5] [path/to/synkti]
set -euo pipefail
cd "$(dirname "$0")/.."
H5=${1:-results/quickstart.h5}
S=${2:-build/synkti}
mkdir -p figures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$S" export "$H5" | awk -F, '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
$c["status"] == "ok" && $c["exhausted"] == 0 && $c["infeasible"] == 0 {
  p = $c["policy"]; x = $c["cost"]
  if (!(p in n)) { order[++np] = p; lo[p] = x; hi[p] = x }
  n[p]++; s[p] += x; met[p] += $c["deadline_met"]; if (x < lo[p]) lo[p] = x; if (x > hi[p]) hi[p] = x }
END { for (i = 1; i <= np; i++) {
  p = order[i]; lab = p
  if (met[p] < n[p]) lab = sprintf("%s (%.0f%% on time)", p, 100 * met[p] / n[p])
  printf "%d \"%s\" %.4f %.4f %.4f\n", i - 1, lab, s[p] / n[p], lo[p], hi[p] } }' >"$T/q.dat"
for term in "pngcairo size 800,500" "pdfcairo size 6in,3.75in"; do
  ext=${term%% *}; ext=${ext%cairo}
  gnuplot <<GP
set terminal $term font "Sans,10" noenhanced
set output "figures/quickstart_cost.$ext"
set title "Cost per policy: us-west-2a V100, 50 windows, C = 48 h, R = 60 h, d = 0.2 h"
set ylabel "cost per job (\\$)"; set grid ytics; set style fill solid 0.5; set boxwidth 0.6
set xtics rotate by -20; set yrange [0:*]
plot "$T/q.dat" u 1:3:xtic(2) w boxes t "mean", "" u 1:3:4:5 w yerrorbars lc rgb "black" pt 0 t "min..max"
GP
done
echo "figures/quickstart_cost.png, figures/quickstart_cost.pdf" >&2
