/* test_omni.c - the Omniscient DP against brute force over every plan (optimum, feasibility and the
 * tie-break), the S-old replay on hand-worked cases, and the spec's public example value.
 * The public example finds the shared traces on the project search path (test_traces.h). */
#include <cjson/cJSON.h>
#include <math.h>

#include "policies/sk_omni.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

enum { NO = SK_MKT_NONE, SP = SK_MKT_SPOT, OD = SK_MKT_OD };

/* Test helper (not in the library): replay a plan through the S-old simulator semantics (spec
 * section 5, policy ideal_ilp_overhead): the decision at tick k is plan[k] for k < N, else none; progress p = max(gap - rro, 0),
 * rro -= gap - p (never clamped), p = min(p, C - S), S += p; done means S >= C; after the tick T
 * in which the job completes, one more observation at tick T+1 bills the decision taken at T.
 * avail[0..navail) as for sk_omni_plan (the window, from its start). Outputs (each may be NULL):
 * *cost = sum over j = 0..T+1 of (price(H[j])*gap)/3600.0, left to right, with od_price /
 * spot_price in $/h (the printed cost); *finish = T; *spot_ticks, *od_ticks = billed ticks of each
 * type. Interval k-1 is credited at the observation at tick k, so T >= 1 + the last run tick that
 * counts, and the trace must hold T + 2 ticks (N + 2 for a plan that runs in tick N-1). If C <= 0
 * no tick runs: T = 0 and the cost is 0 (the final observation reads tick 0).
 * Returns 0; SK_EDATA when the trace runs out (a tick k >= navail is observed: the reference's
 * "Timestamp out of range", which also ends a plan that never completes), when the plan asks for
 * spot in a tick without spot (the reference asserts) or holds a value > 2, or on a non-finite
 * or out-of-range argument. Outputs are unchanged on error. */
static int t_replay_old(const uint8_t *plan, int64_t N, const uint8_t *avail, int64_t navail, double gap,
                        double C, double d, double od_price, double spot_price, double *cost, int64_t *finish,
                        int64_t *spot_ticks, int64_t *od_ticks) {
    if (N < 0 || navail < 0 || (N > 0 && !plan) || (navail > 0 && !avail) || !(gap > 0) || !isfinite(gap) ||
        !isfinite(C) || !isfinite(d) || !isfinite(od_price) || !isfinite(spot_price))
        return SK_EDATA;
    const double price[3] = {0.0, spot_price, od_price};
    double total = 0.0, S = 0.0, rro = 0.0;
    int64_t cnt[3] = {0, 0, 0}, k = 0;
    int cur = SK_MKT_NONE;
    /* H[j] is billed as it is appended: total = total + (price(H[j])*gap)/3600.0, j = 0, 1, ... */
    while (!(S >= C)) {
        if (k >= navail) return SK_EDATA; /* "Timestamp out of range" */
        const int a = avail[k] != 0, last = cur;
        total = total + (price[last] * gap) / 3600.0;
        cnt[last]++;
        if (cur == SK_MKT_SPOT && !a) cur = SK_MKT_NONE; /* preempted at the tick boundary */
        if (last != SK_MKT_NONE) {
            double p = gap - rro;
            if (!(p > 0)) p = 0; /* max(gap - rro, 0) */
            rro = rro - (gap - p);
            double rem = C - S;
            if (rem < p) p = rem; /* min(p, C - S) */
            S = S + p;
        }
        const int D = k < N ? plan[k] : SK_MKT_NONE;
        if (D > SK_MKT_OD || (D == SK_MKT_SPOT && !a)) return SK_EDATA;
        if (D != cur && D != SK_MKT_NONE) rro = d;
        cur = D;
        k++;
    }
    /* The extra observation at tick T+1 = k bills the decision taken at tick T. */
    if (k >= navail) return SK_EDATA;
    total = total + (price[cur] * gap) / 3600.0;
    cnt[cur]++;
    if (cost) *cost = total;
    if (finish) *finish = k > 0 ? k - 1 : 0;
    if (spot_ticks) *spot_ticks = cnt[SK_MKT_SPOT];
    if (od_ticks) *od_ticks = cnt[SK_MKT_OD];
    return 0;
}

/* splitmix64: a local deterministic stream for the random instances */
static uint64_t t_next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static double t_unif(uint64_t *s) { return (double)(t_next(s) >> 11) * 0x1p-53; }
static int t_int(uint64_t *s, int n) { return (int)(t_next(s) % (uint64_t)n); }

/* The ILP of spec section 6 written out for one plan: a, b from the plan, x, y as the three
 * constraints force them, the constraint and the objective sc*ns + oc*(n - ns). Returns -1 when
 * the plan breaks a per-tick constraint, else whether it meets the aggregate one. */
static int ilp_eval(const uint8_t *plan, const uint8_t *avail, int N, double gap, double C, double d, double sc,
                    double oc, double *obj) {
    int a[64], b[64], sum_ab = 0, sum_xy = 0, ns = 0, no = 0;
    for (int i = 0; i < N; i++) {
        a[i] = plan[i] == SP;
        b[i] = plan[i] == OD;
        if (plan[i] > OD || a[i] + b[i] > 1 || a[i] > (avail[i] ? 1 : 0)) return -1;
        sum_ab += a[i] + b[i];
        ns += a[i];
        no += b[i];
    }
    for (int i = 0; i < N - 1; i++) {
        int x = a[i + 1] * (1 - a[i]), y = b[i + 1] * (1 - b[i]); /* x <= a', x <= 1-a, x >= a'-a */
        sum_xy += x + y;
    }
    *obj = sc * (double)ns + oc * (double)(no);
    return gap * (double)sum_ab >= d * (double)(sum_xy + 1) + C;
}

/* Call fn on every plan of N ticks that uses spot only where available. */
static void each_plan(const uint8_t *avail, int N, void (*fn)(const uint8_t *plan, void *ctx), void *ctx) {
    int dig[16] = {0};
    uint8_t plan[16];
    for (;;) {
        int ok = 1;
        for (int i = 0; i < N; i++) {
            plan[i] = (uint8_t)dig[i];
            if (plan[i] == SP && !avail[i]) ok = 0;
        }
        if (ok) fn(plan, ctx);
        int i = N - 1;
        while (i >= 0 && dig[i] == 2) dig[i--] = 0;
        if (i < 0) break;
        dig[i]++;
    }
}

typedef struct {
    const uint8_t *avail;
    int N, found, nopt;
    double gap, C, d, sc, oc, best;
    uint8_t (*opt)[16]; /* every optimal plan, 3^N at most */
} brute_ctx;

static void brute_min(const uint8_t *plan, void *ctx) {
    brute_ctx *b = ctx;
    double obj;
    if (ilp_eval(plan, b->avail, b->N, b->gap, b->C, b->d, b->sc, b->oc, &obj) == 1 && (!b->found || obj < b->best))
        b->found = 1, b->best = obj;
}

static void brute_collect(const uint8_t *plan, void *ctx) {
    brute_ctx *b = ctx;
    double obj;
    if (ilp_eval(plan, b->avail, b->N, b->gap, b->C, b->d, b->sc, b->oc, &obj) == 1 && obj == b->best)
        memcpy(b->opt[b->nopt++], plan, (size_t)b->N);
}

/* The optimum over every plan, and the optimal plan the documented tie-break picks: tick by tick,
 * the most preferred type some optimal plan with the same prefix takes (spot, on-demand, none;
 * after an on-demand tick: spot, none, on-demand), and their number. Returns whether any plan is
 * feasible, or -1 when out of memory. */
static int brute(const uint8_t *avail, int N, double gap, double C, double d, double sc, double oc, uint8_t *best,
                 double *bcost, int *nopt) {
    static const uint8_t pref[3] = {SP, OD, NO}, pref_od[3] = {SP, NO, OD};
    brute_ctx b = {avail, N, 0, 0, gap, C, d, sc, oc, 0, NULL};
    each_plan(avail, N, brute_min, &b);
    if (!b.found) return 0;
    int total = 1;
    for (int i = 0; i < N; i++) total *= 3;
    if (!(b.opt = malloc(sizeof *b.opt * (size_t)total))) return -1;
    each_plan(avail, N, brute_collect, &b);
    uint8_t *live = malloc((size_t)b.nopt);
    if (!live) {
        free(b.opt);
        return -1;
    }
    memset(live, 1, (size_t)b.nopt);
    for (int i = 0; i < N; i++) {
        const uint8_t *order = i && best[i - 1] == OD ? pref_od : pref;
        int pick = -1;
        for (int q = 0; q < 3 && pick < 0; q++)
            for (int j = 0; j < b.nopt; j++)
                if (live[j] && b.opt[j][i] == order[q]) pick = order[q];
        best[i] = (uint8_t)pick;
        for (int j = 0; j < b.nopt; j++) live[j] &= b.opt[j][i] == pick;
    }
    free(live);
    free(b.opt);
    *bcost = b.best;
    *nopt = b.nopt;
    return 1;
}

static void random_instance(uint64_t *s, int N, uint8_t *avail, double *gap, double *C, double *d, double *sc,
                            double *oc) {
    static const double ds[] = {0, 0, 0, 60, 195, 300, 600, 720, 900, 1300};
    static const double dens[] = {0, 0.2, 0.5, 0.8, 1};
    *gap = t_int(s, 2) ? 600 : 195;
    double p = dens[t_int(s, 5)];
    for (int i = 0; i < N; i++) avail[i] = t_unif(s) < p;
    int dk = t_int(s, 12);
    *d = dk < 10 ? ds[dk] : dk == 10 ? (double)t_int(s, 2000) : t_unif(s) * 1500;
    switch (t_int(s, 4)) {
    case 0: /* an exact tie in the constraint for some (n, m) */
        *C = *gap * (double)(1 + t_int(s, N)) - *d * (double)(1 + t_int(s, 3));
        if (*C < 0) *C = 0;
        break;
    case 1: *C = (double)t_int(s, (int)(*gap * (N + 1))); break;
    case 2: *C = t_int(s, 20) * 0.05 * 3600; break; /* hours on a 0.05 h grid */
    default: *C = t_unif(s) * *gap * (N + 0.5); break;
    }
    int pk = t_int(s, 10);
    if (pk < 8) *sc = 0.9731 * *gap / 3600, *oc = 3.06 * *gap / 3600;
    else if (pk == 8) *sc = 0.05 + t_unif(s), *oc = *sc + 0.01 + t_unif(s);
    else *oc = 0.05 + t_unif(s), *sc = *oc + 0.01 + t_unif(s); /* spot dearer */
}

/* The DP's optimum, feasibility and plan (tie-break included) equal brute force's on thousands of
 * small instances. */
static void test_brute_force(void) {
    uint64_t s = 12345;
    int nfeas = 0, ninf = 0, ntied = 0;
    for (int it = 0; it < 4000; it++) {
        int N = 1 + it % 10;
        uint8_t avail[16], bplan[16], plan[16];
        double gap, C, d, sc, oc, bcost = 0, cost = -1;
        random_instance(&s, N, avail, &gap, &C, &d, &sc, &oc);
        int nopt = 0, feas = brute(avail, N, gap, C, d, sc, oc, bplan, &bcost, &nopt);
        ASSERT_TRUE(feas >= 0);
        memset(plan, 0xee, sizeof plan);
        int rc = sk_omni_plan(avail, N, gap, C, d, sc, oc, plan, &cost);
        if (rc != (feas ? 0 : SK_EDATA))
            SK_T_FAIL_("instance %d (N=%d gap=%g C=%.17g d=%.17g): rc %d, brute force %s", it, N, gap, C, d, rc,
                       feas ? "feasible" : "infeasible");
        if (!feas) {
            ninf++;
            ASSERT_EQ_U64(plan[0], 0xee); /* untouched */
            continue;
        }
        nfeas++;
        ntied += nopt > 1;
        if (cost != bcost) SK_T_FAIL_("instance %d: DP cost %.17g != brute force %.17g", it, cost, bcost);
        double obj;
        ASSERT_EQ_INT(ilp_eval(plan, avail, N, gap, C, d, sc, oc, &obj), 1);
        if (obj != cost) SK_T_FAIL_("instance %d: plan's objective %.17g != reported %.17g", it, obj, cost);
        if (memcmp(plan, bplan, (size_t)N)) {
            char a[17] = {0}, b[17] = {0};
            for (int i = 0; i < N; i++) a[i] = "NSO"[plan[i]], b[i] = "NSO"[bplan[i]];
            SK_T_FAIL_("instance %d (N=%d C=%.17g d=%.17g): DP plan %s, tie-break wants %s", it, N, C, d, a, b);
        }
        /* S-old credits at least what the ILP does, so the replay finishes by tick N */
        uint8_t tr[18];
        memcpy(tr, avail, (size_t)N);
        tr[N] = tr[N + 1] = 1;
        int64_t T = -1;
        ASSERT_EQ_INT(t_replay_old(plan, N, tr, N + 2, gap, C, d, 3.06, 0.9731, &obj, &T, NULL, NULL), 0);
        ASSERT_TRUE(T <= N);
    }
    /* feasible, infeasible and tied instances all well covered */
    if (!(nfeas > 1000 && ninf > 300 && ntied > 500)) SK_T_FAIL_("coverage: %d feasible (%d tied), %d infeasible", nfeas, ntied, ninf);
}

/* Edge cases: N = 0, C beyond the window, d = 0 drops launches, bad arguments. */
static void test_edges(void) {
    uint8_t avail[4] = {1, 1, 1, 1}, plan[4];
    double cost = -1;
    ASSERT_EQ_INT(sk_omni_plan(NULL, 0, 600, 0, 0, 0.1, 0.5, NULL, &cost), 0);
    ASSERT_TRUE(cost == 0);
    ASSERT_EQ_INT(sk_omni_plan(NULL, 0, 600, 1, 0, 0.1, 0.5, NULL, &cost), SK_EDATA);
    ASSERT_EQ_INT(sk_omni_plan(avail, 4, 600, 2401, 0, 0.1, 0.5, plan, &cost), SK_EDATA);
    ASSERT_EQ_INT(sk_omni_plan(avail, 4, 600, 2400, 0, 0.1, 0.5, plan, &cost), 0);
    ASSERT_TRUE(cost == 0.1 * 4 + 0.5 * 0);
    /* every tick plus one d: never enough */
    ASSERT_EQ_INT(sk_omni_plan(avail, 4, 600, 2400, 1e-9, 0.1, 0.5, plan, &cost), SK_EDATA);
    /* d = 0 with switching: spot where available, on-demand elsewhere, all four ticks */
    uint8_t alt[4] = {1, 0, 1, 0};
    ASSERT_EQ_INT(sk_omni_plan(alt, 4, 600, 2400, 0, 0.1, 0.5, plan, &cost), 0);
    ASSERT_TRUE(plan[0] == SP && plan[1] == OD && plan[2] == SP && plan[3] == OD);
    ASSERT_EQ_INT(sk_omni_plan(avail, 4, 0, 1, 0, 0.1, 0.5, plan, &cost), SK_EDATA);
    ASSERT_EQ_INT(sk_omni_plan(avail, 4, 600, 1, -1, 0.1, 0.5, plan, &cost), SK_EDATA);
    ASSERT_EQ_INT(sk_omni_plan(avail, 4, 600, NAN, 0, 0.1, 0.5, plan, &cost), SK_EDATA);
    ASSERT_EQ_INT(sk_omni_plan(avail, -1, 600, 1, 0, 0.1, 0.5, plan, &cost), SK_EDATA);
}

/* Larger random windows: the plan is feasible, optimal against its own objective, and its S-old
 * replay completes by tick N (the last tick, N-1, is credited at the observation at N; the extra
 * observation at T+1 then needs N+2 ticks of trace), billing no more ticks of either type than the
 * plan holds. */
static void test_larger(void) {
    uint64_t s = 777;
    for (int it = 0; it < 200; it++) {
        int N = 20 + t_int(&s, 300);
        uint8_t *avail = malloc((size_t)N + 2), *plan = malloc((size_t)N);
        ASSERT_TRUE(avail && plan);
        double gap = t_int(&s, 2) ? 600 : 195, p = t_unif(&s);
        for (int i = 0; i < N + 2; i++) avail[i] = t_unif(&s) < p;
        double d = t_int(&s, 4) ? (double)t_int(&s, 1500) : 0;
        double C = t_unif(&s) * (gap * N - d);
        double sc = 0.9731 * gap / 3600, oc = 3.06 * gap / 3600, cost, rcost;
        int rc = sk_omni_plan(avail, N, gap, C, d, sc, oc, plan, &cost);
        if (rc) {
            free(avail);
            free(plan);
            SK_T_FAIL_("instance %d: rc %d", it, rc);
        }
        int64_t n = 0, ns = 0, m = 0, T, nspot, nod;
        for (int i = 0; i < N; i++) {
            n += plan[i] != NO;
            ns += plan[i] == SP;
            m += i && plan[i] != NO && plan[i] != plan[i - 1];
        }
        rc = t_replay_old(plan, N, avail, N + 2, gap, C, d, 3.06, 0.9731, &rcost, &T, &nspot, &nod);
        free(avail);
        free(plan);
        ASSERT_TRUE(gap * (double)n >= d * (double)(m + 1) + C);
        ASSERT_TRUE(sc * (double)ns + oc * (double)(n - ns) == cost);
        ASSERT_EQ_INT(rc, 0);
        ASSERT_TRUE(T <= N && nspot <= ns && nod <= n - ns);
    }
}

/* S-old semantics on hand-worked cases (spec section 5). */
static void test_replay(void) {
    const double od = 3.06, sp = 0.9731, g = 600;
    const double xo = (od * g) / 3600.0, xs = (sp * g) / 3600.0;
    double cost;
    int64_t T, ns, no;
    /* O O N N N, C = 1000, d = 100: 500 + 500 s; done at tick 2, whose decision (N) is billed */
    uint8_t p1[5] = {OD, OD, NO, NO, NO}, all[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    ASSERT_EQ_INT(t_replay_old(p1, 5, all, 4, g, 1000, 100, od, sp, &cost, &T, &ns, &no), 0);
    ASSERT_TRUE(cost == ((0.0 + 0.0) + xo) + xo);
    ASSERT_EQ_INT(T, 2);
    ASSERT_EQ_INT(ns, 0);
    ASSERT_EQ_INT(no, 2);
    /* the extra observation at tick T+1 = 3 needs a 4th tick of trace */
    ASSERT_EQ_INT(t_replay_old(p1, 5, all, 3, g, 1000, 100, od, sp, &cost, &T, &ns, &no), SK_EDATA);
    /* a plan still running at T is billed for tick T: O O O N, done at 2, H[3] = O */
    uint8_t p2[4] = {OD, OD, OD, NO};
    ASSERT_EQ_INT(t_replay_old(p2, 4, all, 8, g, 1000, 100, od, sp, &cost, &T, &ns, &no), 0);
    ASSERT_TRUE(cost == ((0.0 + xo) + xo) + xo);
    ASSERT_EQ_INT(T, 2);
    ASSERT_EQ_INT(no, 3);
    /* preemption: spot in tick 0 is billed and credited in full (600 - 100), then preempted at tick
     * 1; on-demand launches with a fresh d: 500 + 500 = 1000 at tick 2; tick 2's O is billed */
    uint8_t av3[5] = {1, 0, 1, 1, 1}, p3[5] = {SP, OD, OD, NO, NO};
    ASSERT_EQ_INT(t_replay_old(p3, 5, av3, 5, g, 1000, 100, od, sp, &cost, &T, &ns, &no), 0);
    ASSERT_TRUE(cost == ((0.0 + xs) + xo) + xo);
    ASSERT_EQ_INT(T, 2);
    ASSERT_EQ_INT(ns, 1);
    ASSERT_EQ_INT(no, 2);
    /* d > gap: a one-tick segment earns nothing and leaves rro = 400; the next gives 200 */
    uint8_t p4[3] = {OD, OD, NO};
    ASSERT_EQ_INT(t_replay_old(p4, 3, all, 8, g, 200, 1000, od, sp, &cost, &T, &ns, &no), 0);
    ASSERT_EQ_INT(T, 2);
    ASSERT_EQ_INT(t_replay_old(p4, 3, all, 8, g, 201, 1000, od, sp, &cost, &T, &ns, &no), SK_EDATA);
    /* spot asked for in a tick without spot; a bad plan value */
    uint8_t p5[2] = {SP, SP}, av5[4] = {1, 0, 1, 1}, p6[1] = {3};
    ASSERT_EQ_INT(t_replay_old(p5, 2, av5, 4, g, 1000, 0, od, sp, &cost, &T, &ns, &no), SK_EDATA);
    ASSERT_EQ_INT(t_replay_old(p6, 1, all, 4, g, 1000, 0, od, sp, &cost, &T, &ns, &no), SK_EDATA);
}

/* Read a whole file into a NUL-terminated malloc'd buffer, or NULL. */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
            if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
            } else {
                buf[n] = 0;
            }
        }
    }
    fclose(f);
    return buf;
}

/* length_ticks of (trace, window) in WINDOW_INDEX.csv, or -1. Columns: trace, window, start_time,
 * gap_seconds, length_ticks, preempted_ticks. */
static long window_len(const char *dir, const char *trace, int window) {
    char path[1024], line[512];
    snprintf(path, sizeof path, "%s/cbl-windows/WINDOW_INDEX.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long len = -1;
    while (len < 0 && fgets(line, sizeof line, f)) {
        char *field[6] = {0}, *p = line;
        int nf = 0;
        while (nf < 6 && p) {
            field[nf++] = p;
            p = strchr(p, ',');
            if (p) *p++ = 0;
        }
        if (nf == 6 && !strcmp(field[0], trace) && atoi(field[1]) == window) len = atol(field[4]);
    }
    fclose(f);
    return len;
}

/* The spec's public example (section 7): us-west-2a_v100_1 window 0, C = 48 h, R = 60 h, d = 0.2 h:
 * the replayed Omniscient plan prints 70.70618333333316. */
static void test_public_example(void) {
    const char *dir = t_traces_root();
    if (!dir) SK_T_FAIL_("no shared trace data (see the message above)");
    char path[1024];
    snprintf(path, sizeof path, "%s/spot-availability/availability/1-node/aws-10-26-2022/us-west-2a_v100_1.json", dir);
    long wlen = window_len(dir, "us-west-2a_v100_1", 0);
    char *text = slurp(path);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!root || wlen <= 0) {
        cJSON_Delete(root);
        SK_T_FAIL_("can't read %s or its window index under %s", path, dir);
    }
    const cJSON *gapj = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "metadata"), "gap_seconds");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    long L = cJSON_GetArraySize(data);
    uint8_t *avail = cJSON_IsNumber(gapj) && wlen <= L ? malloc((size_t)wlen) : NULL;
    if (!avail) {
        cJSON_Delete(root);
        SK_T_FAIL_("bad trace %s (%ld ticks, window %ld)", path, L, wlen);
    }
    const double gap = gapj->valuedouble;
    long i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, data) { /* the window is the last wlen ticks; in this file 1 = available */
        if (i >= L - wlen) avail[i - (L - wlen)] = v->valuedouble != 0;
        i++;
    }
    cJSON_Delete(root);

    const double C = 48 * 3600.0, R = 60 * 3600.0, d = 0.2 * 3600;
    const int64_t N = (int64_t)ceil(R / gap);
    uint8_t plan[400];
    double obj = 0, cost = 0;
    int64_t T = -1, nspot = 0, nod = 0;
    int rc = N <= 400 ? sk_omni_plan(avail, N, gap, C, d, 0.9731 * gap / 3600, 3.06 * gap / 3600, plan, &obj) : -99;
    if (rc == 0) rc = t_replay_old(plan, N, avail, wlen, gap, C, d, 3.06, 0.9731, &cost, &T, &nspot, &nod);
    free(avail);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(N, 360);
    if (cost != 70.70618333333316) SK_T_FAIL_("printed cost %.17g != 70.70618333333316", cost);
    /* the printed cost equals the objective here (up to the summation's rounding) */
    ASSERT_NEAR(cost, obj, 1e-9);
    int64_t n = 0, ns = 0;
    for (int64_t j = 0; j < N; j++) n += plan[j] != NO, ns += plan[j] == SP;
    ASSERT_EQ_INT(nspot, ns);
    ASSERT_EQ_INT(nod, n - ns);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"brute_force", test_brute_force}, {"edges", test_edges},
        {"larger", test_larger},           {"replay", test_replay},
        {"public_example", test_public_example}, {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
