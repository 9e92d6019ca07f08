/* sk_omni.c - the Omniscient ILP by an exact backward DP with a lexicographic tie-break. The state
 * space, the pruning and the tie-break are explained in sk_omni.h. */
#include "policies/sk_omni.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sk_error.h"

typedef int32_t sk_omni_val;
/* An unreachable state. It stays negative after the at most N < 2^29 increments along a path. */
#define SK_OMNI_NEG (-(1 << 29))
#define SK_OMNI_NMAX ((int64_t)1 << 28)

/* Does a plan with n run ticks and m launches at i >= 1 meet the ILP's constraint? The spec's
 * expression, evaluated as written: gap*n >= d*(m+1) + C. */
static int sk_omni_meets(double gap, double C, double d, int64_t n, int64_t m) {
    return gap * (double)n >= d * (double)(m + 1) + C;
}

/* The least n in [0, N] with sk_omni_meets(n, m), or N + 1 when there is none. The quotient's
 * ceiling is only a guess (it is rounded); the predicate decides. */
static int64_t sk_omni_nmin(int64_t N, double gap, double C, double d, int64_t m) {
    double q = ceil((d * (double)(m + 1) + C) / gap);
    int64_t g = !(q <= (double)N + 1) ? N + 1 : q < 0 ? 0 : (int64_t)q;
    while (g > 0 && sk_omni_meets(gap, C, d, g - 1, m)) g--;
    while (g <= N && !sk_omni_meets(gap, C, d, g, m)) g++;
    return g;
}

static inline sk_omni_val sk_omni_max3(sk_omni_val a, sk_omni_val b, sk_omni_val c) {
    sk_omni_val x = a > b ? a : b;
    return x > c ? x : c;
}

/* The DP cell of one type: the best successor value plus add (NEG when unreachable) and its argmax
 * set as 3 bits (bit c' set when successor type c' reaches the best; 0 when unreachable).
 * Branch-free, so that the row loop below vectorises. */
static inline sk_omni_val sk_omni_cell(sk_omni_val a, sk_omni_val b, sk_omni_val c, sk_omni_val add,
                                       unsigned *bits) {
    sk_omni_val best = sk_omni_max3(a, b, c);
    unsigned valid = best >= 0;
    *bits = ((unsigned)(a == best) | (unsigned)(b == best) << 1 | (unsigned)(c == best) << 2) * valid;
    return valid ? best + add : SK_OMNI_NEG;
}

/* One row (fixed m) of one level: k = 0..kn-1 of the three types, from the successor level's row m
 * (nN, nS, nO) and row m-1 (nS1, nO1: a launch in tick i+1). av: spot available in tick i (a
 * constant at each call, so the compiler emits both variants). */
static inline void sk_omni_row(int64_t kn, int av, sk_omni_val cheap_s, sk_omni_val cheap_o,
                               const sk_omni_val *restrict nN, const sk_omni_val *restrict nS,
                               const sk_omni_val *restrict nO, const sk_omni_val *restrict nS1,
                               const sk_omni_val *restrict nO1, sk_omni_val *restrict cN,
                               sk_omni_val *restrict cS, sk_omni_val *restrict cO, uint16_t *restrict mr) {
    unsigned bs = 0, bo;
    /* k = 0: idle is impossible (it would make k >= 1) */
    cN[0] = SK_OMNI_NEG;
    cS[0] = av ? sk_omni_cell(nN[0], nS[0], nO1[0], cheap_s, &bs) : SK_OMNI_NEG;
    cO[0] = sk_omni_cell(nN[0], nS1[0], nO[0], cheap_o, &bo);
    mr[0] = (uint16_t)(bs << 3 | bo << 6);
    for (int64_t k = 1; k < kn; k++) {
        unsigned bn;
        bs = 0;
        /* idle in tick i: one more idle tick; a run in tick i+1 is a launch */
        cN[k] = sk_omni_cell(nN[k - 1], nS1[k - 1], nO1[k - 1], 0, &bn);
        /* spot in tick i: on-demand in tick i+1 is a launch */
        cS[k] = av ? sk_omni_cell(nN[k], nS[k], nO1[k], cheap_s, &bs) : SK_OMNI_NEG;
        /* on-demand in tick i: spot in tick i+1 is a launch */
        cO[k] = sk_omni_cell(nN[k], nS1[k], nO[k], cheap_o, &bo);
        mr[k] = (uint16_t)(bn | bs << 3 | bo << 6);
    }
}

/* The objective of a plan with n run ticks, ns of them spot (the formula documented in sk_omni.h). */
static double sk_omni_obj(double sc, double oc, int64_t n, int64_t ns) {
    return sc * (double)ns + oc * (double)(n - ns);
}

int sk_omni_plan(const uint8_t *avail, int64_t N, double gap, double C, double d, double sc, double oc,
                 uint8_t *plan, double *cost) {
    if (N < 0 || N > SK_OMNI_NMAX || !(gap > 0) || !isfinite(gap) || !isfinite(C) || !(d >= 0) ||
        !isfinite(d) || !isfinite(sc) || !isfinite(oc) || !cost || (N > 0 && (!avail || !plan)))
        return SK_EDATA;

    /* Rows m = 0..M of the state table; row m holds k = 0..N - nmin(m). With d == 0 launches cost
     * nothing and only row 0 exists (launches are not counted). */
    const int lm = d > 0;
    const int64_t mcap = lm && N > 0 ? N - 1 : 0; /* launches happen at ticks 1..N-1 */
    int64_t M = -1, P = 0;
    for (int64_t m = 0; m <= mcap; m++) {
        int64_t nm = sk_omni_nmin(N, gap, C, d, m);
        if (nm > N) break;
        M = m;
        P += N - nm + 1;
    }
    if (M < 0) return SK_EDATA; /* even N run ticks without a launch fall short */
    if (N == 0) {
        *cost = sk_omni_obj(sc, oc, 0, 0);
        return 0;
    }

    /* Workspace: off[M+2] | values 2 levels x 3 types x P | NEG row | live lists 2 x (k, m) x P |
     * argmax masks (N-1) x P. */
    const int64_t len0 = N - sk_omni_nmin(N, gap, C, d, 0) + 1;
    double bytes = 8.0 * (double)(M + 2) + 4.0 * (6.0 * (double)P + (double)len0 + 4.0 * (double)P) +
                   2.0 * (double)(N - 1) * (double)P;
    if (bytes > 0x1p46 || bytes > (double)(SIZE_MAX / 2)) return SK_ENOMEM;
    char *ws = malloc((size_t)bytes);
    if (!ws) return SK_ENOMEM;
    int64_t *off = (int64_t *)ws;
    sk_omni_val *vbuf = (sk_omni_val *)(off + M + 2);
    sk_omni_val *negrow = vbuf + 6 * P;
    int32_t *live = negrow + len0; /* lk0, lm0, lk1, lm1, P each */
    uint16_t *masks = (uint16_t *)(live + 4 * P);

    off[0] = 0;
    for (int64_t m = 0; m <= M; m++) off[m + 1] = off[m] + N - sk_omni_nmin(N, gap, C, d, m) + 1;
    assert(off[M + 1] == P && off[1] == len0);
    for (int64_t j = 0; j < 6 * P + len0; j++) vbuf[j] = SK_OMNI_NEG;

    /* The DP maximises the count of the cheaper type: spot unless it is dearer. */
    const sk_omni_val cheap_s = sc <= oc, cheap_o = !cheap_s;
    sk_omni_val *lvl[2][3] = {{vbuf, vbuf + P, vbuf + 2 * P}, {vbuf + 3 * P, vbuf + 4 * P, vbuf + 5 * P}};
    const int cb = (int)((N - 1) & 1); /* the buffer of level i is lvl[i & 1] */

    /* Level N-1: a single tick. */
    {
        sk_omni_val **cur = lvl[cb];
        if (len0 > 1) cur[SK_MKT_NONE][1] = 0;
        if (avail[N - 1]) cur[SK_MKT_SPOT][0] = cheap_s;
        cur[SK_MKT_OD][0] = cheap_o;
    }

    /* Levels N-2..0. The region of level i is m <= N-1-i, k <= N-i (shorter suffixes can't have
     * more); it grows as i falls, so each buffer holds NEG outside its current level's region. */
    for (int64_t i = N - 2; i >= 0; i--) {
        sk_omni_val **nxt = lvl[(i + 1) & 1], **cur = lvl[i & 1];
        uint16_t *mk = masks + i * P;
        const int av = avail[i] != 0;
        const int64_t mlim = M < N - 1 - i ? M : N - 1 - i;
        for (int64_t m = 0; m <= mlim; m++) {
            const int64_t base = off[m], rowlen = off[m + 1] - base;
            const int64_t kn = rowlen < N - i + 1 ? rowlen : N - i + 1;
            const sk_omni_val *nN = nxt[SK_MKT_NONE] + base, *nS = nxt[SK_MKT_SPOT] + base,
                              *nO = nxt[SK_MKT_OD] + base;
            /* the successor row one launch fewer (row m-1; the same row when launches are free) */
            const sk_omni_val *nS1 = !lm ? nS : m ? nxt[SK_MKT_SPOT] + off[m - 1] : negrow;
            const sk_omni_val *nO1 = !lm ? nO : m ? nxt[SK_MKT_OD] + off[m - 1] : negrow;
            sk_omni_val *cN = cur[SK_MKT_NONE] + base, *cS = cur[SK_MKT_SPOT] + base,
                        *cO = cur[SK_MKT_OD] + base;
            if (av) sk_omni_row(kn, 1, cheap_s, cheap_o, nN, nS, nO, nS1, nO1, cN, cS, cO, mk + base);
            else sk_omni_row(kn, 0, cheap_s, cheap_o, nN, nS, nO, nS1, nO1, cN, cS, cO, mk + base);
        }
    }

    /* Level 0 holds whole plans: every state in the table meets the constraint. Find the optimum. */
    sk_omni_val **top = lvl[0];
    double best = 0;
    int found = 0;
    for (int64_t m = 0; m <= M; m++)
        for (int64_t k = 0; k < off[m + 1] - off[m]; k++)
            for (int c = 0; c < 3; c++) {
                sk_omni_val v = top[c][off[m] + k];
                if (v < 0) continue;
                int64_t n = N - k, ns = cheap_s ? v : n - v;
                double f = sk_omni_obj(sc, oc, n, ns);
                if (!found || f < best) best = f, found = 1;
            }
    assert(found); /* row 0, k = 0 (run every tick on demand) is always reachable */

    /* Rebuild the optimal plan the tie-break picks (sk_omni.h): tick by tick, the most preferred
     * type that some optimal plan with the prefix so far takes. live = every state of the current
     * level that lies on such a plan. */
    static const uint8_t pref[3] = {SK_MKT_SPOT, SK_MKT_OD, SK_MKT_NONE};
    static const uint8_t pref_after_od[3] = {SK_MKT_SPOT, SK_MKT_NONE, SK_MKT_OD};
    int32_t *lk = live, *lmv = live + P, *nk = live + 2 * P, *nmv = live + 3 * P;
    int64_t nl = 0;
    for (int p = 0; p < 3 && !nl; p++) {
        int c = pref[p];
        for (int64_t m = 0; m <= M; m++)
            for (int64_t k = 0; k < off[m + 1] - off[m]; k++) {
                sk_omni_val v = top[c][off[m] + k];
                if (v < 0) continue;
                int64_t n = N - k, ns = cheap_s ? v : n - v;
                if (sk_omni_obj(sc, oc, n, ns) == best) lk[nl] = (int32_t)k, lmv[nl] = (int32_t)m, nl++;
            }
        if (nl) plan[0] = (uint8_t)c;
    }
    assert(nl > 0);
    for (int64_t i = 0; i + 1 < N; i++) {
        const uint16_t *mk = masks + i * P;
        const int ci = plan[i];
        unsigned uni = 0;
        for (int64_t j = 0; j < nl; j++) uni |= (unsigned)(mk[off[lmv[j]] + lk[j]] >> (3 * ci)) & 7u;
        assert(uni);
        const uint8_t *order = ci == SK_MKT_OD ? pref_after_od : pref;
        int cn = order[2];
        for (int p = 1; p >= 0; p--) /* the first of order[] in uni */
            if (uni & 1u << order[p]) cn = order[p];
        const int32_t dk = ci == SK_MKT_NONE, dm = lm && cn != SK_MKT_NONE && cn != ci;
        int64_t nn = 0;
        for (int64_t j = 0; j < nl; j++)
            if ((mk[off[lmv[j]] + lk[j]] >> (3 * ci + cn)) & 1u) nk[nn] = lk[j] - dk, nmv[nn] = lmv[j] - dm, nn++;
        plan[i + 1] = (uint8_t)cn;
        int32_t *t = lk;
        lk = nk, nk = t;
        t = lmv, lmv = nmv, nmv = t;
        nl = nn;
    }
    free(ws);

#ifndef NDEBUG
    { /* the plan is valid, feasible and optimal */
        int64_t n = 0, ns = 0, m = 0;
        for (int64_t i = 0; i < N; i++) {
            assert(plan[i] <= SK_MKT_OD && (plan[i] != SK_MKT_SPOT || avail[i]));
            n += plan[i] != SK_MKT_NONE;
            ns += plan[i] == SK_MKT_SPOT;
            m += i >= 1 && plan[i] != SK_MKT_NONE && plan[i] != plan[i - 1];
        }
        assert(sk_omni_meets(gap, C, d, n, m) && sk_omni_obj(sc, oc, n, ns) == best);
    }
#endif
    *cost = best;
    return 0;
}
