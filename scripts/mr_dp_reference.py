#!/usr/bin/env python3
"""mr_dp_reference.py - a plain-Python transcription of the SkyNomad artifact's optimal plan
(../shared/specs/skynomad-multiregion.md section 4.5: dict-based DP over (mode, changeover ticks
left, work ticks) with insertion-ordered states), used only as a speed reference for
`synkti bench multi_region` (docs/benchmarks.md). Prints the plan's DP cost.

usage: mr_dp_reference.py TRACE_DIR ZONE[,ZONE...] C_HOURS R_HOURS D_HOURS START_TICK [CKPT_GB]"""
import json
import math
import sys


def main():
    if len(sys.argv) < 7:
        sys.stderr.write(__doc__)
        return 64
    tdir, zones, C_h, R_h, d_h, start = sys.argv[1], sys.argv[2].split(","), *map(float, sys.argv[3:6]), int(sys.argv[6])
    ckpt = float(sys.argv[7]) if len(sys.argv) > 7 else 50.0
    tr = [json.load(open(f"{tdir}/{z}/full.json")) for z in zones]
    gap = tr[0]["metadata"]["gap_seconds"]
    od = [float(t["metadata"]["price_info"]["on_demand_price"]) for t in tr]
    N = len(zones)
    C, R, d = C_h * 3600.0, R_h * 3600, d_h * 3600
    T, K, Hb = math.floor(R / gap), math.ceil(C / gap), math.ceil(d / gap)
    M = 1 + 3 * N
    region = lambda z: z.split("_")[0][:-1].rstrip("-")
    cont = lambda z: region(z).split("-")[0]
    def xfer_h(i, j):
        if region(zones[i]) == region(zones[j]):
            return 0.0
        sp = 8200 if cont(zones[i]) == cont(zones[j]) else 3590
        return max(0, ckpt * 8 * 1024 / sp - ckpt * 8 * 1024 / 9720) / 3600
    def xfer_usd(i, j):
        return 0.0 if region(zones[i]) == region(zones[j]) else ckpt * 0.02
    mig = [[Hb if i == j else math.ceil(((d / 3600.0) + xfer_h(i, j)) * 3600.0 / gap) for j in range(N)] for i in range(N)]
    def avail(r, t):
        i = start + t
        return i < len(tr[r]["data"]) and tr[r]["data"][i] == 0
    def price(r, t):
        return tr[r]["prices"][start + t]
    def zone(m):
        return (m - 1) % N
    def active(m):
        return m > N
    UB = min(od) * (gap / 3600.0) * (Hb + K)
    cur = {(0, 0, 0): 0.0}
    back = []
    for t in range(T):
        nxt, bp = {}, {}
        tick = [0.0] * M
        feas = [True] * M
        for m in range(1, M):
            if m > 2 * N:
                feas[m] = avail(zone(m), t)
                tick[m] = price(zone(m), t) * (gap / 3600.0) if feas[m] else 0.0
            elif m > N:
                tick[m] = od[zone(m)] * (gap / 3600.0)
        for (m, h, k), cost in cur.items():
            if cost > UB:
                continue
            if feas[m]:
                h2, k2 = max(0, h - 1), min(K, k + (1 if h == 0 and active(m) else 0))
                c2 = cost + tick[m]
                if k2 + (T - t - 1) >= K:
                    key = (m, h2, k2)
                    if key not in nxt or c2 < nxt[key]:
                        nxt[key] = c2
                        bp[key] = (m, h, k)
            for m2 in range(M):
                if m2 == m or not feas[m2] or (t > 0 and m2 == 0):
                    continue
                if not active(m2):
                    if m2 == 0 or m == 0 or zone(m) != zone(m2):
                        continue
                    H, tr_ = 0, 0.0
                elif m == 0:
                    H, tr_ = Hb, 0.0
                else:
                    H = Hb if zone(m) == zone(m2) else mig[zone(m)][zone(m2)]
                    tr_ = 0.0 if zone(m) == zone(m2) else xfer_usd(zone(m), zone(m2))
                h2, k2 = max(0, H - 1), min(K, k + (1 if H == 0 and active(m2) else 0))
                c2 = cost + tick[m2] + tr_
                if c2 > UB or k2 + (T - t - 1) < K:
                    continue
                key = (m2, h2, k2)
                if key not in nxt or c2 < nxt[key]:
                    nxt[key] = c2
                    bp[key] = (m, h, k)
        back.append(bp)
        cur = nxt
    best = None
    for key, c in cur.items():
        if key[2] >= K and (best is None or c < cur[best]):
            best = key
    print(f"states {sum(len(b) for b in back)} cost {cur[best] if best else float('nan')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
