#!/usr/bin/env python3
"""reduce.py - the paper's numbers, tables and figure data from the exported results.

usage: reduce.py GEN PUBLISHED.tex

Reads GEN/csv/*.csv (`synkti export` of each experiment), *.time (wall seconds of its run), the
benchmark outputs GEN/csv/*.txt and the SkyNomad match tables GEN/csv/mr_*.match (written by
paper/build.sh), and the reference timings of PUBLISHED.tex (\\newcommand{\\refX}{value}). Writes
  GEN/numbers.tex     one \\newcommand per number the text uses, named by what it is
  GEN/tab_*.tex       table bodies (rows only; the table environments are in paper.tex)
  GEN/dat/*.dat       figure data for paper/figures.gp
Standard library only. Means are over the rows with status ok; a number that cannot be computed
from the files at hand (a benchmark not run, no live demo) is written as an en dash, never made up.
"""
import csv
import math
import os
import re
import sys
from collections import defaultdict

GEN, PUBLISHED = sys.argv[1], sys.argv[2]
CSV = os.path.join(GEN, "csv")
DAT = os.path.join(GEN, "dat")
os.makedirs(DAT, exist_ok=True)
MACROS = []          # (name, value, comment)
MISSING = r"\textendash{}"


def macro(name, value, comment=""):
    assert re.fullmatch(r"[A-Za-z]+", name), name
    MACROS.append((name, value, comment))


def fmt(x, nd=1):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return MISSING
    s = f"{x:,.{nd}f}".replace(",", "{,}")
    return "$-$" + s[1:] if s.startswith("-") else s


def pct(x, nd=1):
    return MISSING if x is None else fmt(100 * x, nd)


def rows(name):
    path = os.path.join(CSV, name + ".csv")
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return [r for r in csv.DictReader(f) if r.get("status", "ok") in ("ok", "live")]


def wall(name):
    path = os.path.join(CSV, name + ".time")
    return float(open(path).read()) if os.path.exists(path) else None


def mean(xs):
    xs = list(xs)
    return sum(xs) / len(xs) if xs else None


def f(r, k):
    return float(r[k])


def published():
    text = open(PUBLISHED).read()
    return {m.group(1): m.group(2) for m in re.finditer(r"\\newcommand\{?\\(\w+)\}?\{([^}]*)\}", text)}


PUB = published()


def pubnum(name):
    return float(PUB[name].replace("{,}", "").replace(",", ""))


WORDS = "Zero One Two Three Four Five Six Seven Eight Nine".split()


def cname(s):
    """a macro-safe CamelCase name: letters only (digits spelled out): AWS1 -> AWSOne"""
    out = ""
    for part in re.split(r"[^A-Za-z0-9]+", s):
        if part:
            part = part[0].upper() + part[1:]
            out += "".join(WORDS[int(c)] if c.isdigit() else c for c in part)
    return out


POLNAME = {"greedy": "Greedy", "uniform_progress": "UP", "omniscient": "Omni", "on_demand": "OD"}


# ---------------------------------------------------------------- Can't Be Late: Table 3
def cbl():
    rs = [r for r in rows("cbl_table3") if r["exhausted"] == "0" and r["infeasible"] == "0"]
    if not rs:
        sys.exit("reduce.py: no Table 3 rows")
    r0 = rs[0]
    C, R, d = f(r0, "work_hours"), f(r0, "deadline_hours"), f(r0, "changeover_hours")
    od = f(r0, "od_price")
    gap = 600.0
    n = math.ceil((C + d) * 3600 / gap - 1e-9)
    odcost = sum(od * gap / 3600 for _ in range(n))     # the reference's always-on-demand cost
    macro("cblWork", fmt(C, 0), "C, hours of work")
    macro("cblDeadline", fmt(R, 0), "R, deadline hours")
    macro("cblChangeover", fmt(d, 1), "d, changeover hours")
    macro("cblOdPrice", fmt(od, 2), "on-demand $/h")
    macro("cblSpotPrice", fmt(f(r0, "spot_price"), 4), "spot $/h")
    macro("cblTraces", str(len({r["trace"] for r in rs})), "traces")
    macro("cblWindows", str(len({r["window"] for r in rs})), "windows per trace")
    macro("cblRuns", fmt(len(rs), 0), "runs in table3.yaml")
    macro("cblOdCost", fmt(odcost, 2), "always-on-demand cost $")
    by = defaultdict(list)
    for r in rs:
        by[r["policy"]].append(r)
    cost = {}
    tab = []
    for p in ("greedy", "uniform_progress", "omniscient"):
        g = by.get(p, [])
        N = POLNAME[p]
        odh = mean(f(r, "od_hours") for r in g)
        sph = mean(f(r, "spot_hours") for r in g)
        cost[p] = mean(f(r, "cost") for r in g)
        sav = mean(1 - f(r, "cost") / odcost for r in g)
        met = mean(f(r, "deadline_met") for r in g)
        macro(f"cbl{N}OD", fmt(odh), f"{p}: mean on-demand hours")
        macro(f"cbl{N}Spot", fmt(sph), f"{p}: mean spot hours")
        macro(f"cbl{N}Cost", fmt(cost[p], 2), f"{p}: mean cost $")
        macro(f"cbl{N}Savings", pct(sav), f"{p}: mean savings vs on-demand, %")
        macro(f"cbl{N}Met", pct(met), f"{p}: deadlines met, %")
        # CDF of the per-window cost
        xs = sorted(f(r, "cost") for r in g)
        with open(os.path.join(DAT, f"cbl_cdf_{p}.dat"), "w") as out:
            for i, x in enumerate(xs):
                out.write(f"{x:.6f} {(i + 1) / len(xs):.6f}\n")
    gc = None
    if None not in cost.values() and cost["greedy"] > cost["omniscient"]:
        gc = (cost["greedy"] - cost["uniform_progress"]) / (cost["greedy"] - cost["omniscient"])
    macro("cblGapClosed", pct(gc, 0), "share of the greedy-to-optimum cost gap Uniform Progress closes, %")
    macro("cblTableWall", fmt(wall("cbl_table3"), 2), "wall s of synkti run table3.yaml")


# ---------------------------------------------------------------- Can't Be Late: deadline sweep
def cbl_sweep():
    rs = [r for r in rows("cbl_deadline") if r["exhausted"] == "0" and r["infeasible"] == "0"]
    macro("cblSweepRuns", fmt(len(rows("cbl_deadline")), 0), "runs of deadline_sweep.yaml")
    macro("cblSweepWall", fmt(wall("cbl_deadline"), 1), "wall s of the sweep")
    cost = {}
    for r in rs:
        cost[(r["trace"], r["window"], r["deadline_hours"], r["changeover_hours"], r["policy"])] = f(r, "cost")
    sav = defaultdict(list)
    for (t, w, R, d, p), c in cost.items():
        od = cost.get((t, w, R, d, "on_demand"))
        if od and p != "on_demand":
            frac = float(rs[0]["work_hours"]) / float(R)
            sav[(round(frac, 2), float(d), p)].append(1 - c / od)
    fracs = sorted({k[0] for k in sav})
    ds = sorted({k[1] for k in sav})
    macro("cblSweepFracMin", fmt(fracs[0], 2) if fracs else MISSING, "smallest C/R")
    macro("cblSweepFracMax", fmt(fracs[-1], 2) if fracs else MISSING, "largest C/R")
    macro("cblSweepDMin", fmt(ds[0], 1) if ds else MISSING, "smallest changeover h")
    macro("cblSweepDMax", fmt(ds[-1], 1) if ds else MISSING, "largest changeover h")
    for d in ds:
        for p in ("greedy", "uniform_progress", "omniscient"):
            with open(os.path.join(DAT, f"cbl_sweep_{d:g}_{p}.dat"), "w") as out:
                for x in fracs:
                    v = sav.get((x, d, p))
                    if v:
                        out.write(f"{x:.4f} {100 * mean(v):.4f}\n")
    # gap closed per (C/R, d): table rows
    closed = {}
    for x in fracs:
        for d in ds:
            g, u, o = (mean(sav.get((x, d, p), [])) for p in ("greedy", "uniform_progress", "omniscient"))
            if None not in (g, u, o) and o > g:
                closed[(x, d)] = (u - g) / (o - g)
    with open(os.path.join(GEN, "tab_cbl_gap.tex"), "w") as out:
        out.write("\\begin{tabular}{@{}l" + "r" * len(ds) + "@{}}\n\\toprule\n")
        out.write("C/R & " + " & ".join(f"$d={fmt(d, 1)}$\\,h" for d in ds) + r" \\ \midrule" + "\n")
        for x in fracs:
            out.write(fmt(x, 2) + " & " + " & ".join(pct(closed.get((x, d)), 0) + r"\%" if (x, d) in closed
                                                       else MISSING for d in ds) + r" \\" + "\n")
        out.write("\\bottomrule\n\\end{tabular}\n")
    small = [closed[(x, ds[0])] for x in fracs if (x, ds[0]) in closed] if ds else []
    large = [closed[(x, ds[-1])] for x in fracs if (x, ds[-1]) in closed] if ds else []
    macro("cblSweepGapSmallDMax", pct(max(small), 0) if small else MISSING, "best gap closed at the smallest d, %")
    macro("cblSweepGapLargeDMin", pct(min(large), 0) if large else MISSING, "worst gap closed at the largest d, %")
    launches = defaultdict(list)
    for r in rs:
        if float(r["changeover_hours"]) == (ds[-1] if ds else -1):
            launches[r["policy"]].append(f(r, "launches"))
    lg, lu = mean(launches.get("greedy", [])), mean(launches.get("uniform_progress", []))
    macro("cblSweepLaunchExtra", pct(lu / lg - 1, 0) if lg and lu else MISSING,
          "UP's extra launches vs greedy at the largest d, %")
    met = [f(r, "deadline_met") for r in rs if r["policy"] != "on_demand"]
    macro("cblSweepMet", pct(mean(met), 1) if met else MISSING, "deadlines met in the sweep, %")


# ---------------------------------------------------------------- benchmarks
def bench_table(name):
    """policy -> (runs, us_per_run, mean_cost) from `synkti bench batch|multi_region`"""
    path = os.path.join(CSV, name + ".txt")
    out = {}
    if os.path.exists(path):
        for line in open(path):
            p = line.split()
            if len(p) == 4 and not line.startswith(("#", "policy")):
                out[p[0]] = (int(p[1]), float(p[2]), float(p[3]))
    return out


def speed():
    b = bench_table("bench_batch")
    ref_us = pubnum("refCblPythonMs") * 1000
    for p, N in (("greedy", "Greedy"), ("uniform_progress", "UP"), ("omniscient", "Omni")):
        us = b[p][1] if p in b else None
        macro(f"benchCbl{N}Us", fmt(us, 1) if p != "omniscient" else fmt(us / 1000 if us else None, 2),
              f"bench batch: {p}, {'ms' if p == 'omniscient' else 'us'} per (window, policy)")
        macro(f"benchCbl{N}Speedup", fmt(ref_us / us, 0) if us else MISSING, f"{p}: speed-up vs the Python reference")
    m = bench_table("bench_mr")
    ref = pubnum("refMrArtifactS") * 1e6
    for p, N in (("up_failover", "Failover"), ("skynomad", "Skynomad"), ("optimal_dp", "Optimal")):
        us = m[p][1] if p in m else None
        if p == "optimal_dp":
            macro(f"benchMr{N}Ms", fmt(us / 1000 if us else None, 1), f"bench multi_region: {p}, ms per run")
        else:
            macro(f"benchMr{N}Us", fmt(us, 0), f"bench multi_region: {p}, us per run")
        macro(f"benchMr{N}Speedup", fmt(ref / us, 0) if us else MISSING, f"{p}: speed-up vs the artifact")
    path = os.path.join(CSV, "bench_spothedge.txt")
    med = {}
    if os.path.exists(path):
        for line in open(path):
            kv = dict(x.split("=", 1) for x in line.split() if "=" in x)
            if "policy" in kv and "median_s" in kv:
                med[kv["policy"]] = float(kv["median_s"])
    ref = pubnum("refShArtifactS")
    nonopt = [v for k, v in med.items() if k != "optimal"]
    macro("benchShMsMin", fmt(1000 * min(nonopt), 1) if nonopt else MISSING, "spothedge bench: fastest policy, ms per run")
    macro("benchShMsMax", fmt(1000 * max(med.values()), 1) if med else MISSING, "slowest policy (Optimal), ms per run")
    macro("benchShSpeedupMin", fmt(ref / max(med.values()), 0) if med else MISSING, "speed-up vs the artifact's fastest run")
    macro("benchShSpeedupMax", fmt(ref / min(med.values()), 0) if med else MISSING, "")
    # PHOLD against the reference loop
    ours, calq = [], []
    path = os.path.join(CSV, "phold.txt")
    if os.path.exists(path):
        for line in open(path):
            k, v = line.split()
            (ours if k == "synkti" else calq).append(float(v))

    def med_(xs):
        xs = sorted(xs)
        return xs[(len(xs) - 1) // 2] if xs else None
    o, c = med_(ours), med_(calq)
    macro("pholdSynktiMev", fmt(o / 1e6 if o else None, 1), "PHOLD, synkti, M events/s (median)")
    macro("pholdRefMev", fmt(c / 1e6 if c else None, 1), "PHOLD, reference calendar-queue loop, M events/s")
    macro("pholdRatio", pct(o / c, 0) if o and c else MISSING, "synkti / reference, %")
    macro("pholdReps", str(len(ours)), "alternating runs of each")


# ---------------------------------------------------------------- multi-region
def mr():
    for short, N in (("deadline", "Deadline"), ("scaling", "Scaling")):
        rows_, match, notrun, maxrel = 0, 0, 0, 0.0
        path = os.path.join(CSV, f"mr_{short}.match")
        have = False
        for line in open(path) if os.path.exists(path) else []:
            p = line.split()
            if len(p) == 5 and p[1].isdigit():
                have = True
                rows_ += int(p[1]); match += int(p[2]); maxrel = max(maxrel, float(p[3])); notrun += int(p[4])
        macro(f"mr{N}Rows", fmt(rows_ - notrun, 0) if have else MISSING, f"{short}: published rows that this run covers")
        macro(f"mr{N}Match", fmt(match, 0) if have else MISSING, f"{short}: of those, equal to 1e-9 relative")
        macro(f"mr{N}MaxRel", (f"{maxrel:.1e}".replace("e-", r"\times10^{-") + "}") if maxrel > 0 else "0",
              f"{short}: largest relative difference")
        macro(f"mr{N}Runs", fmt(len(rows(f"mr_{short}")) + len(rows(f"mr_{short}_single")), 0), "runs (both files)")
        tw = [wall(f"mr_{short}"), wall(f"mr_{short}_single")]
        macro(f"mr{N}Wall", fmt(sum(tw), 2) if None not in tw else MISSING, "wall s (both files)")
    # normalised costs (mean cost / optimal plan's) from mr_compare.py's figure data
    norm = defaultdict(dict)
    for short, long in (("deadline", "deadline_sensitivity"), ("scaling", "region_scaling")):
        path = os.path.join(DAT, f"mr_{long}.dat")
        pol = None
        for line in open(path) if os.path.exists(path) else []:
            line = line.strip()
            if line.startswith('"'):
                pol = line.strip('"')
            elif line and not line.startswith("#") and pol:
                x, y = line.split()[:2]
                norm[(short, pol)][float(x)] = float(y)
    # the figure's copy: display names (LaTeX-safe), without the optimal plan itself (all 1)
    show = (("single_region_up", "1 region UP"), ("skynomad", "SkyNomad"), ("skynomad_oracle", "SkyNomad(o)"),
            ("up_failover", "UP(S)"), ("up_probe", "UP(A)"), ("up_probe_cost", "UP(AP)"))
    with open(os.path.join(DAT, "mr_scaling_fig.dat"), "w") as out:
        for pol, label in show:
            pts = norm.get(("scaling", pol))
            if pts:
                out.write(f'"{label}"\n' + "".join(f"{x:g} {y:.6f}\n" for x, y in sorted(pts.items())) + "\n\n")
    sk = norm.get(("scaling", "skynomad"), {})
    sk2 = {k: v for k, v in sk.items() if k >= 2}
    macro("mrSkynomadMin", fmt(min(sk2.values()), 2) if sk2 else MISSING, "SkyNomad / optimal plan, 2+ zones, min")
    macro("mrSkynomadMax", fmt(max(sk2.values()), 2) if sk2 else MISSING, "max")
    pr = norm.get(("scaling", "up_probe"), {})
    macro("mrProbeFirst", fmt(pr[min(pr)], 2) if pr else MISSING, "UP(A) / optimal, fewest zones")
    macro("mrProbeLast", fmt(pr[max(pr)], 2) if pr else MISSING, "UP(A) / optimal, all zones")
    su = norm.get(("deadline", "single_region_up"), {})
    su2 = {k: v for k, v in su.items() if k > 1}
    macro("mrSingleMin", fmt(min(su2.values()), 2) if su2 else MISSING, "single-region UP / optimal, feasible deadlines, min")
    macro("mrSingleMax", fmt(max(su2.values()), 2) if su2 else MISSING, "max")
    # table: the deadline sweep's mean costs, ours (published), from mr_compare.py's .md
    path = os.path.join(DAT, "mr_deadline_sensitivity.md")
    keep = ("optimal_dp", "skynomad", "up_failover", "up_probe_cost", "single_region_up")
    with open(os.path.join(GEN, "tab_mr.tex"), "w") as out:
        lines = [l for l in open(path)] if os.path.exists(path) else []
        head = [c.strip() for c in lines[0].strip().strip("|").split("|")] if lines else []
        cols = [i for i, c in enumerate(head) if c in keep]
        label = {"optimal_dp": "Optimal", "skynomad": "SkyNomad", "up_failover": "UP(S)",
                 "up_probe_cost": "UP(AP)", "single_region_up": "1 region UP"}
        out.write("\\begin{tabular}{@{}l" + "r" * len(cols) + "@{}}\n\\toprule\n")
        out.write("R/C & " + " & ".join(label[head[i]] for i in cols) + r" \\ \midrule" + "\n")
        for l in lines[2:]:
            cells = [c.strip() for c in l.strip().strip("|").split("|")]
            vals = []
            for i in cols:
                m = re.match(r"([\d.]+) \(([\d.]+)\)", cells[i])
                vals.append(f"{fmt(float(m.group(1)), 0)} ({fmt(float(m.group(2)), 0)})" if m else MISSING)
            out.write(cells[0] + " & " + " & ".join(vals) + r" \\" + "\n")
        out.write("\\bottomrule\n\\end{tabular}\n")


# ---------------------------------------------------------------- fleet
def fleet():
    rs = rows("fleet_zones")
    macro("fleetRuns", fmt(len(rs), 0), "runs of gcp_h100_zones.yaml")
    macro("fleetWall", fmt(wall("fleet_zones"), 2), "wall s")
    macro("fleetJobs", rs[0]["n_jobs"] if rs else MISSING, "jobs per run")
    macro("fleetReps", str(len({r["replication"] for r in rs})), "replications")
    od = {}
    for r in rs:
        if r["policy"] == "on_demand":
            od[(r["capacity"], r["deadline_factor"], r["replication"])] = f(r, "cost")
    agg = defaultdict(lambda: defaultdict(list))
    for r in rs:
        k = (r["capacity"], r["deadline_factor"], r["policy"])
        base = od.get((r["capacity"], r["deadline_factor"], r["replication"]))
        if base:
            agg[k]["ratio"].append(f(r, "cost") / base)
        for m in ("cost", "jct_mean_h", "deadline_met", "preemptions", "egress"):
            agg[k][m].append(f(r, m))
    fs = sorted({r["deadline_factor"] for r in rs}, key=float)
    fsel = "2" if "2" in fs else (fs[0] if fs else "")
    macro("fleetDeadlineFactor", fsel, "deadline factor of the table")
    caps = sorted({r["capacity"] for r in rs}, key=float)
    pols = ["on_demand", "cheapest_spot", "failover", "eager_next_region", "uniform_progress"]
    with open(os.path.join(GEN, "tab_fleet.tex"), "w") as out:
        out.write("\\begin{tabular}{@{}llrrrrr@{}}\n\\toprule\n"
                  "cap. & policy & cost \\$ & vs OD & preempt. & JCT h & met \\\\ \\midrule\n")
        for c in caps:
            for p in pols:
                a = agg.get((c, fsel, p))
                if not a:
                    continue
                out.write(f"{c} & \\texttt{{{p.replace('_', chr(92) + '_')}}} & {fmt(mean(a['cost']), 0)} & "
                          f"{fmt(mean(a['ratio']), 3)} & {fmt(mean(a['preemptions']), 0)} & "
                          f"{fmt(mean(a['jct_mean_h']), 2)} & {pct(mean(a['deadline_met']), 1)} \\\\\n")
            out.write("\\midrule\n" if c != caps[-1] else "")
        out.write("\\bottomrule\n\\end{tabular}\n")
    for c in sorted(set(caps) | {"2", "4", "8"}, key=float):   # the text names these three
        C = cname(WORDS[int(c)] if c.isdigit() and int(c) < 10 else c)
        for p, N in (("failover", "Failover"), ("cheapest_spot", "Cheapest"), ("uniform_progress", "UP"),
                     ("on_demand", "OD")):
            a = agg.get((c, fsel, p), {})
            macro(f"fleetCap{C}{N}Ratio", fmt(mean(a.get("ratio", [])), 2), f"capacity {c}: {p} cost / on-demand")
            macro(f"fleetCap{C}{N}Jct", fmt(mean(a.get("jct_mean_h", [])), 1), f"capacity {c}: {p} mean JCT h")
            macro(f"fleetCap{C}{N}Met", pct(mean(a.get("deadline_met", [])), 0), f"capacity {c}: {p} deadlines met %")
    # model loading
    rl = rows("fleet_loading")
    macro("loadRuns", fmt(len(rl), 0), "runs of model_loading.yaml")
    macro("loadWall", fmt(wall("fleet_loading"), 2), "wall s")
    od = {(r["model_gb"], r["model_store"], r["replication"]): f(r, "cost") for r in rl if r["policy"] == "on_demand"}
    ratio, egress = defaultdict(list), defaultdict(list)
    for r in rl:
        b = od.get((r["model_gb"], r["model_store"], r["replication"]))
        if b:
            ratio[(r["model_gb"], r["model_store"], r["policy"])].append(f(r, "cost") / b)
            egress[(r["model_gb"], r["model_store"], r["policy"])].append(f(r, "egress"))
    gbs = sorted({r["model_gb"] for r in rl}, key=float)
    stores = sorted({r["model_store"] for r in rl})
    with open(os.path.join(DAT, "fleet_loading.dat"), "w") as out:
        out.write("# model_gb store cheapest_spot failover uniform_progress (cost / on-demand)\n")
        for g in gbs:
            for s in stores:
                vals = [mean(ratio.get((g, s, p), [])) for p in ("cheapest_spot", "failover", "uniform_progress")]
                out.write(f"{g} \"{s or 'every region'}\" " + " ".join(f"{v:.4f}" if v else "nan" for v in vals) + "\n")
    g0, g1 = (gbs[0], gbs[-1]) if gbs else ("", "")
    aws = "aws:us-east-1" if "aws:us-east-1" in stores else (stores[-1] if stores else "")
    macro("loadGbMax", fmt(float(g1), 0) if gbs else MISSING, "largest model, GB")
    macro("loadUPRatioNone", fmt(mean(ratio.get((g0, "", "uniform_progress"), [])), 2), "UP / OD, no model copy")
    macro("loadUPRatioAws", fmt(mean(ratio.get((g1, aws, "uniform_progress"), [])), 2), "UP / OD, largest model from AWS")
    macro("loadUPRatioLocal", fmt(mean(ratio.get((g1, "", "uniform_progress"), [])), 2), "UP / OD, largest model, store in every region")
    macro("loadUPEgressAws", fmt(mean(egress.get((g1, aws, "uniform_progress"), [])), 0), "UP egress $, largest model from AWS")


# ---------------------------------------------------------------- serving
def serving():
    rs = rows("sh_artifact")
    macro("shRuns", str(len(rs)), "runs of skyserve_artifact.yaml")
    macro("shWall", fmt(wall("sh_artifact"), 2), "wall s")
    eval_extra = {"spothedge": "1", "optimal": "1", "spothedge_safety": "1"}
    row = {}
    for r in rs:
        if r["n_extra"] == eval_extra.get(r["policy"], "0"):
            row[(r["trace"], r["policy"])] = r
    traces = sorted({r["trace"] for r in rs})
    with open(os.path.join(GEN, "tab_sh.tex"), "w") as out:
        out.write("\\begin{tabular}{@{}llrrrrr@{}}\n\\toprule\n"
                  "trace & policy & cost & avail. & P50 & P99 & failed \\% \\\\ \\midrule\n")
        for t in traces:
            for p in ("on_demand", "naive_spread", "round_robin", "spothedge", "optimal"):
                r = row.get((t, p))
                if r:
                    out.write(f"{t} & \\texttt{{{p.replace('_', chr(92) + '_')}}} & {fmt(f(r, 'relative_cost'), 3)} & "
                              f"{fmt(f(r, 'availability'), 3)} & {fmt(f(r, 'p50'), 1)} & {fmt(f(r, 'p99'), 1)} & "
                              f"{pct(f(r, 'failure_rate'), 2)} \\\\\n")
            out.write("\\midrule\n" if t != traces[-1] else "")
        out.write("\\bottomrule\n\\end{tabular}\n")
    rel = {t: f(row[(t, "spothedge")], "relative_cost") for t in traces if (t, "spothedge") in row}
    for t in sorted(set(traces) | {"AWS1", "AWS2", "GCP1"}):         # the text names these three
        macro(f"shRel{cname(t)}", fmt(rel.get(t), 3), f"{t}: SpotHedge cost / on-demand (artifact)")
    macro("shSavings", pct(1 - mean(rel.values()), 1) if rel else MISSING, "SpotHedge savings vs on-demand, mean of traces, %")
    opt = [f(row[(t, "optimal")], "relative_cost") for t in traces if (t, "optimal") in row]
    macro("shOptSavings", pct(1 - mean(opt), 1) if opt else MISSING, "Optimal's savings, %")
    for q, N in (("p50", "Pfifty"), ("p90", "Pninety"), ("p99", "Pnn")):
        ratios = []
        for t in traces:
            sh = row.get((t, "spothedge"))
            for b in ("on_demand", "naive_spread", "round_robin"):
                rb = row.get((t, b))
                if sh and rb and f(sh, q) > 0:
                    ratios.append(f(rb, q) / f(sh, q))
        macro(f"shRatio{N}", fmt(mean(ratios), 2) if ratios else MISSING, f"baseline {q} / SpotHedge {q}, mean")
    # with the artifact's rows written, its spot checks: the on-demand cost identity
    with open(os.path.join(DAT, "sh_relcost.dat"), "w") as out:
        out.write("# trace naive_spread round_robin spothedge optimal (cost / on-demand)\n")
        for t in traces:
            out.write(t + " " + " ".join(f"{f(row[(t, p)], 'relative_cost'):.4f}" if (t, p) in row else "nan"
                                         for p in ("naive_spread", "round_robin", "spothedge", "optimal")) + "\n")
    # our own serving model
    re_ = rows("sh_e2e")
    macro("etoeRuns", str(len(re_)), "runs of skyserve_e2e.yaml")
    macro("etoeWall", fmt(wall("sh_e2e"), 1), "wall s")
    macro("etoeReps", str(len({r["replication"] for r in re_})), "replications")
    g = defaultdict(lambda: defaultdict(list))
    for r in re_:
        t = os.path.basename(r["trace_dir"])
        for m in ("cost", "availability", "e2e_p99", "failure_rate"):
            g[(t, r["policy"])][m].append(f(r, m))
    ets = sorted({os.path.basename(r["trace_dir"]) for r in re_})
    erel = {}
    for t in sorted(set(ets) | {"AWS1", "AWS2", "GCP1"}):            # the text names these three
        odc, shc = mean(g[(t, "on_demand")]["cost"]), mean(g[(t, "spothedge")]["cost"])
        erel[t] = shc / odc if odc and shc is not None else None
        macro(f"etoeRel{cname(t)}", fmt(erel[t], 3), f"{t}: SpotHedge cost / on-demand (our model)")
        macro(f"etoeAvail{cname(t)}", fmt(mean(g[(t, "spothedge")]["availability"]), 3), f"{t}: availability")
        for p, N in (("spothedge", "Sh"), ("even_spread", "Even")):
            macro(f"etoePnn{N}{cname(t)}", fmt(mean(g[(t, p)]["e2e_p99"]), 1), f"{t}: {p} e2e P99 s")
            macro(f"etoeFail{N}{cname(t)}", pct(mean(g[(t, p)]["failure_rate"]), 2), f"{t}: {p} failure rate %")
    ok = [v for v in erel.values() if v is not None]
    macro("etoeSavings", pct(1 - mean(ok), 0) if ok else MISSING, "SpotHedge savings vs on-demand in our model, %")
    # SpotServe
    ss = rows("spotserve")
    macro("ssRuns", str(len(ss)), "runs of spotserve_segments.yaml")
    macro("ssWall", fmt(wall("spotserve"), 2), "wall s")
    by = {(r["model"], os.path.basename(r["segment"]), r["policy"]): r for r in ss}
    seg = {"trace_0304_real.txt": "A$_S$", "trace_0506_real.txt": "B$_S$",
           "trace_0304_ondemand.txt": "A$_{S+O}$", "trace_0506_ondemand.txt": "B$_{S+O}$"}
    ratios, sav = [], []
    with open(os.path.join(GEN, "tab_ss.tex"), "w") as out:
        out.write("\\begin{tabular}{@{}lrrrr@{}}\n\\toprule\n"
                  "model & " + " & ".join(seg.values()) + " \\\\ \\midrule\n")
        for m in sorted({r["model"] for r in ss}, key=lambda s: float(s.rstrip("B"))):
            cells = []
            for s in seg:
                sp, rs_, rr = by.get((m, s, "spotserve")), by.get((m, s, "restart")), by.get((m, s, "reroute"))
                od = by.get((m, s, "on_demand"))
                if sp and rs_ and rr:
                    v = min(f(rs_, "lat_p99"), f(rr, "lat_p99")) / f(sp, "lat_p99")
                    ratios.append(v)
                    cells.append(fmt(v, 2) + r"$\times$")
                else:
                    cells.append(MISSING)
                if sp and od and f(od, "usd_per_mtok") > 0:
                    sav.append(1 - f(sp, "usd_per_mtok") / f(od, "usd_per_mtok"))
            out.write(m + " & " + " & ".join(cells) + r" \\" + "\n")
        out.write("\\bottomrule\n\\end{tabular}\n")
    macro("ssRatioMin", fmt(min(ratios), 1) if ratios else MISSING, "best baseline P99 / SpotServe P99, min")
    macro("ssRatioMax", fmt(max(ratios), 1) if ratios else MISSING, "max")
    macro("ssSavingsMin", pct(min(sav), 0) if sav else MISSING, "SpotServe $/token vs on-demand fleet, savings min %")
    macro("ssSavingsMax", pct(max(sav), 0) if sav else MISSING, "max")


# ---------------------------------------------------------------- live demo
def live():
    lv, sm = rows("live"), rows("live_sim")
    have = bool(lv and sm)
    macro("liveHave", "1" if have else "0", "1 when the live demo's results files were there")
    pairs = (("cost", "Cost", 1, 4), ("jct_mean_h", "Completion", 3600, 0), ("preemptions", "Preemptions", 1, 0),
             ("restarts", "Restarts", 1, 0), ("launches", "Launches", 1, 0))
    for k, N, scale, nd in pairs:
        s = f(sm[0], k) * scale if have else None
        l_ = f(lv[0], k) * scale if have else None
        macro(f"liveSim{N}", fmt(s, nd), f"simulator: {k}")
        macro(f"liveObs{N}", fmt(l_, nd), f"live: {k}")
        macro(f"liveRatio{N}", fmt(l_ / s, 3) if have and s else MISSING, f"live / simulator: {k}")
    macro("liveDecisionsPnn", fmt(f(lv[0], "decision_p99_us"), 1) if have else MISSING, "policy decision P99 us (live)")


cbl()
cbl_sweep()
speed()
mr()
fleet()
serving()
live()

seen = set()
with open(os.path.join(GEN, "numbers.tex"), "w") as out:
    out.write("% numbers.tex - GENERATED by paper/reduce.py from the results files: do not edit.\n")
    for name, value, comment in MACROS:
        assert name not in seen, name
        seen.add(name)
        out.write(f"\\newcommand{{\\{name}}}{{{value}}}" + (f" % {comment}" if comment else "") + "\n")
print(f"reduce.py: {len(MACROS)} macros -> {os.path.join(GEN, 'numbers.tex')}", file=sys.stderr)
