/* test_mr_exact.c - the exact multi-region optimum (policies/mr_exact.c) against brute force and
 * against the artifact's DP (policies/mr_optimal_dp.c):
 *  - tiny scripted zone sets: every plan of every length-Tw action sequence, each run through the
 *    world (sk_mr_simulate): the exact optimum is the minimum cost_main over those that finish;
 *  - small scripted zone sets (1-3 zones, 10-40 ticks, random availability, prices, changeover,
 *    egress, transfer time): an exhaustive search over all plans with identical world states
 *    merged (no dominance), its best plan replayed in the world;
 *  - in both, the world's cost_main of the exact plan equals the program's predicted cost, and it
 *    is <= the artifact DP's cost_main whenever that plan finishes in time;
 *  - the shared traces (V100 3 zones, H100 3 and 6 zones): exact <= artifact DP, the gap printed.
 *
 * usage: test_mr_exact [TEST...] */
#include <math.h>
#include <time.h>

#include "core/sk_world.h"
#include "engine/sk_rng.h"
#include "io/sk_spot.h"
#include "models/sk_migration.h"
#include "sim/sk_mr.h"
#include "sk_error.h"
#include "test.h"
#include "test_mr_common.h"

extern const sk_gpolicy sk_pol_mr_exact, sk_pol_mr_optimal_dp;
int sk_mr_exact_solve(const sk_future *f, int transfer_time, sk_plan *plan, double *cost, int64_t *finish_tick,
                      int64_t *entries, char *msg, size_t len);

static double sk_t_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}


/* ---- the world's planner input, built as sk_mr_simulate builds it -------------------------------- */

typedef struct {
    int n;
    int64_t T;
    uint8_t *av[16];
    double *pr[16];
    double od[16], eg[256], xh[256];
    sk_future f;
} t_fut;

static void t_fut_make(t_fut *u, const sk_mr_job *job, const sk_mr_zone *z, int nz) {
    memset(u, 0, sizeof *u);
    double gap = job->gap, R = job->R_h * 3600, C = job->C_h * 3600.0, d = job->d_h * 3600;
    u->n = nz;
    u->T = (int64_t)floor(R / gap);
    for (int r = 0; r < nz; r++) {
        u->av[r] = calloc((size_t)u->T + 1, 1);
        u->pr[r] = calloc((size_t)u->T + 1, sizeof **u->pr);
        u->od[r] = z[r].od_price;
        for (int64_t t = 0; t <= u->T; t++) {
            int64_t i = job->start + t;
            u->av[r][t] = i < z[r].n && z[r].avail[i];
            u->pr[r][t] = !z[r].prices ? z[r].spot_price : i < z[r].n ? z[r].prices[i] : z[r].spot_price;
        }
        for (int s = 0; s < nz; s++) {
            u->eg[r * nz + s] = sk_mig_transfer_usd(z[r].name, z[s].name, job->ckpt_gb);
            u->xh[r * nz + s] = sk_mig_transfer_hours(z[r].name, z[s].name, job->ckpt_gb);
        }
    }
    u->f = (sk_future){nz, u->T, (const uint8_t *const *)u->av, (const double *const *)u->pr, u->od, u->eg, u->xh, gap,
                       (sk_job_info){C, 0, R, d, 0, job->ckpt_gb, -1}, job->transfer_time};
}

static void t_fut_fini(t_fut *u) {
    for (int r = 0; r < u->n; r++) free(u->av[r]), free(u->pr[r]);
}

/* ---- running a policy, or a given plan, in the world --------------------------------------------- */

static sk_plan_step t_forced[64];
static int64_t t_nforced;

static int t_forced_plan(const sk_future *f, const sk_value *pp, sk_plan *plan, char *msg, size_t len) {
    (void)f, (void)pp, (void)msg, (void)len;
    plan->n = t_nforced;
    plan->step = malloc((size_t)(t_nforced ? t_nforced : 1) * sizeof *plan->step);
    if (!plan->step) return SK_ENOMEM;
    memcpy(plan->step, t_forced, (size_t)t_nforced * sizeof *plan->step);
    return 0;
}

static const sk_planner t_forced_planner = {"forced", t_forced_plan};
static sk_gpolicy t_forced_pol;

static int t_run(const sk_mr_job *job, const sk_mr_zone *z, int nz, const sk_gpolicy *p, int xfer, sk_mr_result *r) {
    sk_value pv[2] = {{xfer, 0, NULL}, {0, 0, NULL}};
    sk_rng rng;
    sk_rng_init(&rng, NULL, 1, 0, SK_STREAM_POLICY);
    char msg[256];
    int rc = sk_mr_simulate(job, z, nz, p, pv, &rng, r, NULL, msg, sizeof msg);
    sk_rng_fini(&rng);
    if (rc < 0) fprintf(stderr, "  sk_mr_simulate(%s): %s\n", p->def.name, msg);
    return rc;
}

static int t_run_plan(const sk_mr_job *job, const sk_mr_zone *z, int nz, const sk_plan_step *s, int64_t n, sk_mr_result *r) {
    t_forced_pol = sk_pol_mr_exact;
    t_forced_pol.planner = &t_forced_planner;
    memcpy(t_forced, s, (size_t)n * sizeof *s);
    t_nforced = n;
    return t_run(job, z, nz, &t_forced_pol, 0, r);
}

/* ---- random scripted zone sets --------------------------------------------------------------------- */

static uint64_t t_seed = 0x5eed5eedULL;
static uint32_t t_rand(void) {
    t_seed = t_seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(t_seed >> 33);
}
static double t_unif(void) { return (t_rand() + 0.5) / 2147483648.0; }

typedef struct {
    int nz, xfer;
    int64_t L;
    uint8_t av[3][64];
    double pr[3][64];
    sk_mr_zone z[3];
    sk_mr_job job;
} t_case;

/* A random case with Tw decision ticks: zones from a pool that has cross-zone, cross-region and
 * cross-continent pairs (egress, transfer time), per-tick spot prices, fractional changeover. */
static void t_case_make(t_case *c, int nz, int64_t Tw) {
    static const char *const pool[] = {"us-east1-b_t", "us-east1-c_t", "us-west1-a_t", "europe-west4-a_t"};
    static const double dh[] = {0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.4, 1.0 / 3};
    static const double gb[] = {0, 10, 50, 400};
    memset(c, 0, sizeof *c);
    c->nz = nz;
    c->L = Tw + 2;
    int used[4] = {0};
    for (int r = 0; r < nz; r++) {
        int k;
        do k = (int)(t_rand() % 4);
        while (used[k]);
        used[k] = 1;
        double pa = 0.3 + 0.6 * t_unif(), base = 0.5 + 2.0 * t_unif();
        for (int64_t i = 0; i < c->L; i++) {
            c->av[r][i] = t_unif() < pa;
            c->pr[r][i] = t_rand() % 3 ? base : base * (0.5 + t_unif());
        }
        c->z[r] = (sk_mr_zone){pool[k], c->av[r], c->pr[r], c->L, base, 3.0 + 3.0 * t_unif()};
    }
    double gap = 600, d_h = dh[t_rand() % 8];
    /* R on a tick boundary, or half a tick past one (the world then allows ceil(R/gap) ticks) */
    double R_h = (t_rand() % 3 ? (double)Tw : (double)Tw - 0.5) * gap / 3600;
    double C_h = (R_h - d_h) * (0.25 + 0.75 * t_unif());
    if (C_h < 0.05) C_h = 0.05;
    c->xfer = (int)(t_rand() % 3 == 0);
    c->job = (sk_mr_job){C_h, R_h, d_h, gb[t_rand() % 4], gap, 0, 0, c->xfer};
}

/* ---- brute force: every plan, identical world states merged ------------------------------------- *
 * A plan step is idle or (zone, market); a spot step where spot is unavailable is left out: the
 * executor turns it into on-demand in that zone (or into idle, when that on-demand already runs),
 * which other plans already cover. The state after tick k is exactly what the world carries:
 * the running instance (zone, market) or none, the overhead left, the leader, S; and the cost. */

typedef struct {
    int iz, im, leader;
    double ov, S, cost;
    int32_t par;
    int8_t az, am; /* the action taken: zone (-1 idle), market */
} t_bs;

static int t_bs_cmp(const void *pa, const void *pb) {
    const t_bs *a = pa, *b = pb;
    if (a->iz != b->iz) return a->iz < b->iz ? -1 : 1;
    if (a->im != b->im) return a->im < b->im ? -1 : 1;
    if (a->leader != b->leader) return a->leader < b->leader ? -1 : 1;
    if (a->ov != b->ov) return a->ov < b->ov ? -1 : 1;
    if (a->S != b->S) return a->S < b->S ? -1 : 1;
    return a->cost < b->cost ? -1 : a->cost > b->cost ? 1 : 0;
}

static int t_avail(const t_fut *u, int z, int64_t t) { return t <= u->T && u->av[z][t]; }

/* The minimum cost_main over all plans that finish (NAN if none); its plan in *best (Tw steps). */
static double t_brute(const t_case *c, const t_fut *u, int64_t Tw, sk_plan_step *best) {
    const sk_future *f = &u->f;
    const double g = f->gap, C = f->job.work, d = f->job.changeover;
    const int N = c->nz;
    t_bs **lay = calloc((size_t)Tw + 1, sizeof *lay);
    size_t *nl = calloc((size_t)Tw + 1, sizeof *nl);
    lay[0] = malloc(sizeof **lay);
    lay[0][0] = (t_bs){-1, 0, -1, 0, 0, 0, -1, -1, 0};
    nl[0] = 1;
    double bestc = NAN;
    int64_t bt = -1;
    int32_t bpar = -1;
    int8_t baz = -1, bam = 0;
    for (int64_t k = 0; k < Tw; k++) {
        size_t cap = nl[k] * (size_t)(2 * N + 1) + 1, n = 0;
        t_bs *nx = malloc(cap * sizeof *nx);
        for (size_t i = 0; i < nl[k]; i++) {
            const t_bs *s = &lay[k][i];
            for (int a = -1; a < 2 * N; a++) {
                t_bs x = *s;
                x.par = (int32_t)i;
                if (a < 0) { /* idle: terminate; nothing runs, nothing billed, S and leader kept */
                    x.iz = -1, x.im = 0, x.az = -1, x.am = 0;
                    nx[n++] = x;
                    continue;
                }
                int z = a / 2;
                sk_market mk = a % 2 ? SK_MKT_OD : SK_MKT_SPOT;
                if (mk == SK_MKT_SPOT && !t_avail(u, z, k)) continue;
                x.az = (int8_t)z, x.am = (int8_t)mk;
                double price = mk == SK_MKT_SPOT ? f->price[z][k] : f->od_price[z];
                x.cost += price * g / 3600;
                if (!(s->iz == z && s->im == (int)mk)) { /* a launch */
                    int src = s->leader;
                    x.ov = d + (c->xfer && src >= 0 ? f->transfer_h[src * N + z] : 0.0) * 3600;
                    if (src >= 0 && src != z) x.cost += f->egress_usd[src * N + z];
                    x.iz = z, x.im = (int)mk;
                }
                double p = g - x.ov > 0.0 ? g - x.ov : 0.0;
                x.ov = x.ov - g > 0.0 ? x.ov - g : 0.0;
                if (p > C - x.S) p = C - x.S;
                x.S = x.S + p;
                x.leader = z;
                if (C - x.S <= 1e-3) {
                    if (isnan(bestc) || x.cost < bestc) bestc = x.cost, bt = k, bpar = (int32_t)i, baz = x.az, bam = x.am;
                    continue;
                }
                if (x.im == SK_MKT_SPOT && !t_avail(u, z, k + 1)) x.iz = -1, x.im = 0; /* preempted at k+1 */
                nx[n++] = x;
            }
        }
        qsort(nx, n, sizeof *nx, t_bs_cmp);
        size_t m = 0;
        for (size_t i = 0; i < n; i++) /* same state: keep the cheapest (sorted first) */
            if (!m || nx[i].iz != nx[m - 1].iz || nx[i].im != nx[m - 1].im || nx[i].leader != nx[m - 1].leader ||
                nx[i].ov != nx[m - 1].ov || nx[i].S != nx[m - 1].S)
                nx[m++] = nx[i];
        lay[k + 1] = nx;
        nl[k + 1] = m;
    }
    for (int64_t t = 0; t < Tw; t++) best[t] = (sk_plan_step){-1, SK_MKT_NONE};
    if (bt >= 0) {
        best[bt] = (sk_plan_step){baz, (sk_market)bam};
        int32_t e = bpar;
        for (int64_t t = bt; t > 0; t--) {
            const t_bs *s = &lay[t][e];
            best[t - 1] = (sk_plan_step){s->az, s->az < 0 ? SK_MKT_NONE : (sk_market)s->am};
            e = s->par;
        }
    }
    for (int64_t t = 0; t <= Tw; t++) free(lay[t]);
    free(lay), free(nl);
    return bestc;
}

/* ---- one case: exact vs brute force vs world vs artifact DP -------------------------------------- */

typedef struct {
    int cases, dp_late, dp_higher, exhaustive;
    double max_gap;
} t_acc;

static int64_t t_tw(const sk_mr_job *job) {
    double R = job->R_h * 3600;
    int64_t Tw = (int64_t)ceil(R / job->gap);
    while (Tw > 0 && (double)(Tw - 1) * job->gap >= R) Tw--;
    while ((double)Tw * job->gap < R) Tw++;
    return Tw;
}

/* every plan of Tw steps through the world (the tiny cases) */
static double t_world_all(const t_case *c, int64_t Tw) {
    int A = 2 * c->nz + 1;
    int64_t total = 1;
    for (int64_t t = 0; t < Tw; t++) total *= A;
    double best = NAN;
    sk_plan_step s[64];
    for (int64_t code = 0; code < total; code++) {
        int64_t x = code;
        for (int64_t t = 0; t < Tw; t++, x /= A) {
            int a = (int)(x % A) - 1;
            s[t] = a < 0 ? (sk_plan_step){-1, SK_MKT_NONE} : (sk_plan_step){a / 2, a % 2 ? SK_MKT_OD : SK_MKT_SPOT};
        }
        sk_mr_result r;
        if (t_run_plan(&c->job, c->z, c->nz, s, Tw, &r) < 0) continue;
        if (!r.late && (isnan(best) || r.cost_main < best)) best = r.cost_main;
    }
    return best;
}

static void t_one(t_case *c, t_acc *acc, int world_all) {
    double Ch = (c->job.C_h * 3600.0) / 3600.0;
    if (Ch + c->job.d_h > c->job.R_h) return; /* the world's fallback; no planner runs */
    int64_t Tw = t_tw(&c->job);
    t_fut u;
    t_fut_make(&u, &c->job, c->z, c->nz);
    sk_plan plan = {0};
    double pred;
    int64_t T, ent;
    char msg[256];
    ASSERT_TRUE(sk_mr_exact_solve(&u.f, c->xfer, &plan, &pred, &T, &ent, msg, sizeof msg) == 0);
    free(plan.step);
    sk_plan_step bp[64];
    double bf = t_brute(c, &u, Tw, bp);
    sk_mr_result rx, rb, rd;
    int ok = t_run(&c->job, c->z, c->nz, &sk_pol_mr_exact, c->xfer, &rx) == 0;
    int okb = isnan(bf) || t_run_plan(&c->job, c->z, c->nz, bp, Tw, &rb) == 0;
    int okd = t_run(&c->job, c->z, c->nz, &sk_pol_mr_optimal_dp, 0, &rd) == 0;
    double wa = world_all ? t_world_all(c, Tw) : NAN;
    int bad = !ok || !okb || !okd || isnan(pred) != isnan(bf) || (!isnan(bf) && !t_close(pred, bf)) ||
              (!isnan(pred) && (rx.late || !t_close(rx.cost_main, pred) || rx.finish_tick != T)) ||
              (!isnan(bf) && (rb.late || !t_close(rb.cost_main, bf))) || (world_all && isnan(wa) != isnan(pred)) ||
              (world_all && !isnan(wa) && !t_close(wa, pred));
    if (bad) {
        fprintf(stderr, "  case nz %d Tw %lld C %.6g R %.6g d %.6g gb %g xfer %d: exact %.17g (world %.17g late %d T %lld/%lld) "
                        "brute %.17g (world %.17g) all-plans %.17g\n",
                c->nz, (long long)Tw, c->job.C_h, c->job.R_h, c->job.d_h, c->job.ckpt_gb, c->xfer, pred, ok ? rx.cost_main : NAN,
                ok ? rx.late : -1, ok ? (long long)rx.finish_tick : -1LL, (long long)T, bf, okb && !isnan(bf) ? rb.cost_main : NAN, wa);
        sk_t_fail = 1;
    }
    acc->cases++;
    acc->exhaustive += world_all;
    if (okd && !isnan(pred)) {
        if (rd.late) acc->dp_late++;
        else if (rd.cost_main < rx.cost_main && !t_close(rx.cost_main, rd.cost_main)) {
            fprintf(stderr, "  artifact DP %.17g below exact %.17g (nz %d Tw %lld)\n", rd.cost_main, rx.cost_main, c->nz, (long long)Tw);
            sk_t_fail = 1;
        } else if (rd.cost_main > rx.cost_main && !t_close(rx.cost_main, rd.cost_main)) {
            acc->dp_higher++;
            double gap = (rd.cost_main - rx.cost_main) / rx.cost_main;
            if (gap > acc->max_gap) acc->max_gap = gap;
        }
    }
    t_fut_fini(&u);
}

static void test_all_plans(void) {
    t_acc acc = {0};
    static const int shape[][2] = {{1, 9}, {1, 7}, {2, 6}, {2, 5}, {3, 4}, {3, 5}};
    t_seed = 12345;
    for (int i = 0; i < 60; i++) {
        t_case c;
        t_case_make(&c, shape[i % 6][0], shape[i % 6][1]);
        t_one(&c, &acc, 1);
    }
    printf("  %d tiny cases, every plan through the world: exact = minimum; artifact DP higher in %d, late in %d "
           "(largest gap %.2f%%)\n",
           acc.cases, acc.dp_higher, acc.dp_late, 100 * acc.max_gap);
    ASSERT_TRUE(acc.cases >= 40);
}

static void test_brute(void) {
    t_acc acc = {0};
    t_seed = 777;
    for (int i = 0; i < 240; i++) { /* 1 zone: 10-40 ticks; 2 zones: 10-30; 3 zones: 10-20 (the search grows fast) */
        t_case c;
        int nz = 1 + i % 3;
        t_case_make(&c, nz, 10 + (int64_t)(t_rand() % (nz == 1 ? 31 : nz == 2 ? 21 : 11)));
        t_one(&c, &acc, 0);
    }
    printf("  %d cases of 1-3 zones and 10-40 ticks: exact = brute force = the world's cost; artifact DP higher in %d, late in "
           "%d (largest gap %.2f%%)\n",
           acc.cases, acc.dp_higher, acc.dp_late, 100 * acc.max_gap);
    ASSERT_TRUE(acc.cases >= 200);
}

/* ---- the shared traces ----------------------------------------------------------------------------- */

static void t_trace_case(const char *set, const t_zones *zs, const sk_mr_job *job, int *n, int *late) {
    t_fut u;
    t_fut_make(&u, job, zs->z, zs->n);
    sk_plan plan = {0};
    double pred;
    int64_t T, ent;
    char msg[256];
    double t0 = sk_t_now();
    int rc = sk_mr_exact_solve(&u.f, 0, &plan, &pred, &T, &ent, msg, sizeof msg);
    double dt = sk_t_now() - t0;
    free(plan.step);
    t_fut_fini(&u);
    ASSERT_TRUE(rc == 0);
    sk_mr_result rx, rd;
    ASSERT_TRUE(t_run(job, zs->z, zs->n, &sk_pol_mr_exact, 0, &rx) == 0);
    ASSERT_TRUE(t_run(job, zs->z, zs->n, &sk_pol_mr_optimal_dp, 0, &rd) == 0);
    ASSERT_TRUE(!rx.late);
    ASSERT_TRUE(t_close(rx.cost_main, pred));
    printf("  %-9s start %4lld C %7.4f h R %7.4f h d %.2f h ckpt %5.0f GB: exact %10.4f (T %3lld, %5.1f ms, %lld entries)  "
           "artifact DP %10.4f%s  gap %.3g%%\n",
           set, (long long)job->start, job->C_h, job->R_h, job->d_h, job->ckpt_gb, rx.cost_main, (long long)rx.finish_tick, 1e3 * dt,
           (long long)ent, rd.cost_main, rd.late ? " (late)" : "", 100 * (rd.cost_main - rx.cost_main) / rx.cost_main);
    if (!rd.late) ASSERT_TRUE(rx.cost_main <= rd.cost_main || t_close(rx.cost_main, rd.cost_main));
    (*n)++;
    *late += rd.late;
}

static void test_traces(void) {
    static const char *const v100[] = {"us-east-1f_v100_1", "us-east-2a_v100_1", "us-west-2c_v100_1"};
    static const char *const h100[] = {"us-central1-a_h100_16", "us-east4-a_h100_16", "europe-west1-c_h100_16"};
    static const char *const h6[] = {"us-central1-a_h100_16",  "us-west1-a_h100_16",        "europe-west1-c_h100_16",
                                     "europe-west3-c_h100_16", "asia-southeast1-b_h100_16", "asia-south2-b_h100_16"};
    static const double set[][4] = {{24, 48, 0.2, 50}, {36, 48, 0.2, 50}, {24, 48, 0.5, 200}, {40, 48, 0.1, 50}};
    t_zones zv, zh, z6;
    ASSERT_TRUE(t_zones_load(&zv, "aws-v100-multinode/converted_v100_4node_600s", v100, 3) == 0);
    ASSERT_TRUE(t_zones_load(&zh, "gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged", h100, 3) == 0);
    ASSERT_TRUE(t_zones_load(&z6, "gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged", h6, 6) == 0);
    int n = 0, late = 0;
    for (int i = 0; i < 4; i++) {
        sk_mr_job job = {set[i][0], set[i][1], set[i][2], set[i][3], 600, 0, 0, 0};
        t_trace_case("v100x3", &zv, &job, &n, &late);
        t_trace_case("h100x3", &zh, &job, &n, &late);
    }
    const double R = 51.833333333333336;
    static const double ratio[] = {1.05, 1.5, 3.0};
    static const int64_t start[] = {0, 933};
    for (int w = 0; w < 2; w++)
        for (int i = 0; i < 3; i++) {
            sk_mr_job job = {R / ratio[i], R, 0.2, 50, 600, start[w], 1, 0};
            t_trace_case("h100x6", &z6, &job, &n, &late);
        }
    printf("  %d trace cases: exact <= artifact DP in all (artifact DP late in %d)\n", n, late);
    t_zones_fini(&zv);
    t_zones_fini(&zh);
    t_zones_fini(&z6);
}

static const sk_test tests[] = {
    {"all_plans", test_all_plans},
    {"brute", test_brute},
    {"traces", test_traces},
    {NULL, NULL},
};

int main(int argc, char **argv) { return sk_test_main(tests, argc, argv); }
