#!/usr/bin/env python3
"""fleet_reduce.py - reduce a fleet experiment's `synkti export` CSV (one row per run) to means
over replications: a Markdown table on stdout and gnuplot data files in OUTDIR for
analysis/fleet_figures.sh. Costs relative to on_demand are means of per-replication ratios (each
policy meets the same world and jobs as on_demand at a point and replication).
  fleet_reduce.py NAME SUMMARY.csv OUTDIR"""
import csv
import math
import sys
from collections import defaultdict

name, path, outdir = sys.argv[1:4]
rows = list(csv.DictReader(open(path, newline="")))
bad = [r for r in rows if r["status"] != "ok"]
if bad:
    sys.exit(f"fleet_reduce.py: {len(bad)} runs of {path} failed: {bad[0]['status']}")
KEYS = {
    "gcp_h100_zones": ["capacity", "deadline_factor"],
    "aws_v100_zones": ["capacity", "deadline_factor"],
    "elasticflow_spot": ["capacity", "availability", "price"],
    "pai_fleet": ["standing_market", "fleet_heal"],
    "model_loading": ["model_gb", "model_store"],
}[name]
for r in rows:  # an empty model_store is a store in every region
    if "model_store" in r and r["model_store"] == "":
        r["model_store"] = "per region"
pols = []
for r in rows:
    if r["policy"] not in pols:
        pols.append(r["policy"])
od = {(r["point"], r["replication"]): float(r["cost"]) for r in rows if r["policy"] == "on_demand"}
grp = defaultdict(list)
for r in rows:
    grp[(tuple(r[k] for k in KEYS), r["policy"])].append(r)
points = []
for r in rows:
    p = tuple(r[k] for k in KEYS)
    if p not in points:
        points.append(p)


def mean(rs, col):
    v = [float(r[col]) for r in rs]
    v = [x for x in v if not math.isnan(x)]
    return sum(v) / len(v) if v else float("nan")


def ratio(rs):
    v = [float(r["cost"]) / od[(r["point"], r["replication"])] for r in rs if (r["point"], r["replication"]) in od]
    return sum(v) / len(v) if v else float("nan")


cols = ["cost $", "vs on_demand", "spot $ share", "egress $", "preemptions", "JCT mean h", "JCT P99 h", "queue mean h",
        "deadline met", "unfinished"]
print(f"| {' | '.join(KEYS)} | policy | runs | {' | '.join(cols)} |")
print("|" + "---|" * (len(KEYS) + 2 + len(cols)))
stat = {}
for p in points:
    for pol in pols:
        rs = grp.get((p, pol))
        if not rs:
            continue
        c = mean(rs, "cost")
        s = {
            "cost": c, "ratio": ratio(rs), "spot": mean(rs, "cost_spot") / c if c > 0 else float("nan"),
            "egress": mean(rs, "egress"),
            "pre": mean(rs, "preemptions"), "jct": mean(rs, "jct_mean_h"), "p50": mean(rs, "jct_p50_h"),
            "p90": mean(rs, "jct_p90_h"), "p99": mean(rs, "jct_p99_h"), "q": mean(rs, "queue_mean_h"),
            "dl": mean(rs, "deadline_met"), "unf": mean(rs, "unfinished"),
        }
        stat[(p, pol)] = s
        print(f"| {' | '.join(p)} | {pol} | {len(rs)} | {s['cost']:,.0f} | {s['ratio']:.3f} | {s['spot']:.2f} | "
              f"{s['egress']:,.0f} | {s['pre']:.1f} | {s['jct']:.2f} | {s['p99']:.2f} | {s['q']:.3f} | {s['dl']:.4f} | {s['unf']:.1f} |")


if name == "gcp_h100_zones":
    for cap in sorted({p[0] for p in points}, key=float):
        fn = f"{name}.cap{cap}.dat"
        with open(f"{outdir}/{fn}", "w") as f:
            for pol in [q for q in pols if q != "on_demand"]:
                f.write(f'"{pol}" "y"\n')
                for p in points:
                    if p[0] == cap and (p, pol) in stat:
                        f.write(f"{p[1]} {stat[(p, pol)]['ratio']:.6g}\n")
                f.write("\n\n")
elif name == "aws_v100_zones":
    for f in sorted({p[1] for p in points}, key=float):
        with open(f"{outdir}/{name}.f{f}.dat", "w") as fo:
            for pol in pols:
                fo.write(f'"{pol}" "y"\n')
                for p in points:
                    if p[1] == f and (p, pol) in stat:
                        fo.write(f"{p[0]} {stat[(p, pol)]['ratio']:.6g} {stat[(p, pol)]['jct']:.6g}\n")
                fo.write("\n\n")
elif name == "model_loading":
    for fn, k in ((f"{name}.dat", "ratio"), (f"{name}.egress.dat", "egress")):
        with open(f"{outdir}/{fn}", "w") as f:
            f.write("setting " + " ".join(pols) + "\n")
            for p in points:
                f.write(f'"{p[0]} GB, {p[1]}" ' + " ".join(f"{stat[(p, q)][k]:.6g}" for q in pols) + "\n")
else:
    lab = (lambda p: f"{p[1]} {p[2]} {p[0]}") if name == "elasticflow_spot" else (lambda p: f"{p[0]} heal={p[1]}")
    if name == "elasticflow_spot":
        for fn, k, sc in ((f"{name}.dat", "cost", 1e-6), (f"{name}.jct.dat", "jct", 1)):
            with open(f"{outdir}/{fn}", "w") as f:
                f.write("setting " + " ".join(pols) + "\n")
                for p in points:
                    f.write(f'"{lab(p)}" ' + " ".join(f"{stat[(p, q)][k] * sc:.6g}" for q in pols) + "\n")
    else:
        with open(f"{outdir}/{name}.dat", "w") as f:
            f.write("setting cost P50 P90 P99\n")
            for p in points:
                s = stat[(p, pols[0])]
                f.write(f'"{lab(p)}" {s["cost"] * 1e-6:.6g} {s["p50"]:.6g} {s["p90"]:.6g} {s["p99"]:.6g}\n')
