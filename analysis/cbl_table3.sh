#!/usr/bin/env bash
# cbl_table3.sh - "Can't Be Late" Table 3 from a results file of experiments/cant_be_late/table3.yaml:
# per policy, the mean on-demand hours, spot hours, cost and savings vs always-on-demand over all
# (trace, window) runs that finished, next to the paper's numbers. Reads `synkti export` CSV.
#   analysis/cbl_table3.sh [results/cbl_table3.h5] [path/to/synkti]
set -euo pipefail
H5=${1:-results/cbl_table3.h5}
S=${2:-$(dirname "$0")/../build/synkti}
"$S" export "$H5" | awk -F, '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
  p = $c["policy"]
  if ($c["status"] != "ok" || $c["exhausted"] == 1 || $c["infeasible"] == 1) { skip[p]++; next }
  C = $c["work_hours"]; d = $c["changeover_hours"]; od = $c["od_price"]
  gap = 600
  odc = 0; n = int((C + d) * 3600 / gap); if (n * gap < (C + d) * 3600) n++
  for (k = 0; k < n; k++) odc += od * gap / 3600
  runs[p]++; odh[p] += $c["od_hours"]; sph[p] += $c["spot_hours"]; cost[p] += $c["cost"]
  sav[p] += 1 - $c["cost"] / odc; met[p] += $c["deadline_met"]
  if (!(p in order)) { order[p] = ++np; name[np] = p }
}
END {
  paper["greedy"] = "30.8 / 17.2"; paper["uniform_progress"] = "25.1 / 22.9"; paper["omniscient"] = "20.7 / 27.4"
  printf "| policy | runs | on-demand h | spot h | mean cost $ | savings vs on-demand | deadline met | paper OD h / spot h |\n"
  printf "|---|---|---|---|---|---|---|---|\n"
  for (i = 1; i <= np; i++) { p = name[i]
    printf "| %s | %d | %.1f | %.1f | %.2f | %.1f%% | %.1f%% | %s |\n", p, runs[p], odh[p] / runs[p], sph[p] / runs[p],
      cost[p] / runs[p], 100 * sav[p] / runs[p], 100 * met[p] / runs[p], (p in paper) ? paper[p] : "-" }
  for (p in skip) printf "(%s: %d runs skipped: trace exhausted or infeasible)\n", p, skip[p]
}'
