/* test_batch.c - the batch world and its policies: every public example value of the spec
 * (../shared/specs/cant-be-late.md section 7) bit for bit, and hand-made traces for d = 0, spot
 * unavailable at t = 0, R = C + d, the guard window, infeasible settings and trace exhaustion.
 * Usage: test_batch [TRACES_DIR] (default: found on the trace search path, test_traces.h). */
#include "io/sk_spot.h"
#include "policies/sk_policies.h"
#include "sim/sk_batch.h"
#include "test.h"
#include "test_traces.h"


static const char *sk_traces; /* the datasets folder */

/* A policy that always asks for spot: shows what the guard does. */
static void sk_always_spot(void *st, const sk_view *v, const sk_actor *a) {
    (void)st;
    if (v->ninst && v->inst[0].market == SK_MKT_SPOT) return;
    if (v->ninst) a->terminate(a->w, v->inst[0].id);
    a->launch(a->w, 0, SK_MKT_SPOT);
}
static const sk_gpolicy sk_pol_always_spot = {.def = {"always_spot", NULL, 0, ""}, .decide = sk_always_spot};

static sk_sim_kind sk_native(const sk_gpolicy *pol) { return sk_batch_policy_old(&pol->def) ? SK_SIM_OLD : SK_SIM_NEW; }

static sk_batch_result sk_sim(const sk_gpolicy *pol, sk_sim_kind sim, const uint8_t *av, int64_t L, double C_h,
                              double R_h, double d_h, sk_table *sched) {
    sk_batch_job job = {C_h, R_h, d_h, 3.06, 0.9731, NULL};
    sk_batch_result r;
    char msg[256] = "";
    sk_value tsp = {.i = 4};
    int rc = sk_batch_simulate(&job, av, L, 0, 600, pol, &tsp, sim, NULL, &r, sched, msg, sizeof msg);
    if (rc < 0) fprintf(stderr, "  simulate: %d %s\n", rc, msg);
    return r;
}

/* n ticks billed at price p, summed the way the reference does. */
static double sk_ticks_cost(int n, double p) {
    double t = 0.0;
    for (int i = 0; i < n; i++) t = t + (p * 600) / 3600.0;
    return t;
}

static void test_on_demand_cost(void) {
    uint8_t av[32] = {0};
    sk_batch_result r = sk_sim(&sk_pol_on_demand, SK_SIM_NEW, av, 32, 1, 3, 0.2, NULL);
    /* ceil((C + d)/gap) = ceil(4320/600) = 8 on-demand ticks */
    ASSERT_EQ_I64(r.od_ticks, 8);
    ASSERT_EQ_I64(r.spot_ticks, 0);
    ASSERT_EQ_I64(r.finish_tick, 8);
    ASSERT_EQ_I64(r.launches, 1);
    ASSERT_TRUE(r.cost == sk_ticks_cost(8, 3.06));
    ASSERT_NEAR(r.finish, 4320, 0);
    ASSERT_TRUE(!r.late && !r.exhausted && !r.infeasible);
}

static void test_d_zero(void) {
    uint8_t av[32];
    memset(av, 1, sizeof av);
    sk_batch_result r = sk_sim(&sk_pol_greedy, SK_SIM_NEW, av, 32, 1, 2, 0, NULL);
    ASSERT_EQ_I64(r.spot_ticks, 6);
    ASSERT_EQ_I64(r.od_ticks, 0);
    ASSERT_EQ_I64(r.launches, 1);
    ASSERT_TRUE(r.cost == sk_ticks_cost(6, 0.9731));
    ASSERT_NEAR(r.finish, 3600, 0);
    /* d = 0 with preemptions: every tick of spot is pure progress */
    for (int i = 0; i < 32; i++) av[i] = (uint8_t)(i % 3 != 2);
    r = sk_sim(&sk_pol_uniform_progress, SK_SIM_NEW, av, 32, 1, 3, 0, NULL);
    ASSERT_EQ_I64(r.spot_ticks + r.od_ticks, 6);
    ASSERT_TRUE(!r.late);
}

static void test_unavailable_at_start(void) {
    uint8_t av[64];
    memset(av, 1, sizeof av);
    av[0] = av[1] = 0;
    sk_table s;
    sk_table_init(&s);
    sk_batch_result r = sk_sim(&sk_pol_uniform_progress, SK_SIM_NEW, av, 64, 1, 10, 0.2, &s);
    /* UP waits one tick (cond1 = 0 at t = 0), then launches on-demand while spot is still away */
    ASSERT_TRUE(s.ncols == 2 && s.cols[1].n >= 2);
    ASSERT_EQ_I64(s.cols[1].v.i64[0], SK_MKT_NONE);
    ASSERT_EQ_I64(s.cols[1].v.i64[1], SK_MKT_OD);
    ASSERT_NEAR(s.cols[0].v.f64[1], 600.0 / 3600, 0);
    ASSERT_TRUE(!r.late);
    sk_table_fini(&s);
    /* greedy idles until spot comes */
    sk_table_init(&s);
    r = sk_sim(&sk_pol_greedy, SK_SIM_NEW, av, 64, 1, 10, 0.2, &s);
    ASSERT_EQ_I64(s.cols[1].v.i64[0], SK_MKT_NONE);
    ASSERT_EQ_I64(s.cols[1].v.i64[1], SK_MKT_NONE);
    ASSERT_EQ_I64(s.cols[1].v.i64[2], SK_MKT_SPOT);
    ASSERT_EQ_I64(r.od_ticks, 0);
    sk_table_fini(&s);
}

static void test_tight_deadline(void) {
    /* R = C + d: feasible, on-demand from t = 0, finishing exactly at the deadline */
    uint8_t av[32] = {0};
    sk_batch_result r = sk_sim(&sk_pol_greedy, SK_SIM_NEW, av, 32, 1, 1.2, 0.2, NULL);
    ASSERT_TRUE(!r.infeasible && !r.late && !r.exhausted);
    ASSERT_EQ_I64(r.od_ticks, 8);
    ASSERT_NEAR(r.finish, 4320, 0);
    /* the guard overrides a spot proposal at once when there is no slack */
    memset(av, 1, sizeof av);
    sk_table s;
    sk_table_init(&s);
    r = sk_sim(&sk_pol_always_spot, SK_SIM_NEW, av, 32, 1, 1.2, 0.2, &s);
    ASSERT_EQ_I64(s.cols[1].v.i64[0], SK_MKT_OD);
    ASSERT_EQ_I64(r.spot_ticks, 0);
    sk_table_fini(&s);
    /* C + d > R: nothing simulated, the on-demand fallback cost */
    r = sk_sim(&sk_pol_greedy, SK_SIM_NEW, av, 32, 1, 1.1, 0.2, NULL);
    ASSERT_TRUE(r.infeasible);
    ASSERT_TRUE(r.cost == 3.06 * ((1.0 * 3600) / 3600 + 0.2));
}

static void test_guard_window(void) {
    /* R = 1.5 h: at k = 1 the job enters the critical window while its spot instance is still
     * paying the changeover (rro = 120 s): the guard abandons it for on-demand */
    uint8_t av[32];
    memset(av, 1, sizeof av);
    sk_table s;
    sk_table_init(&s);
    sk_batch_result r = sk_sim(&sk_pol_always_spot, SK_SIM_NEW, av, 32, 1, 1.5, 0.2, &s);
    ASSERT_EQ_I64(s.cols[1].v.i64[0], SK_MKT_SPOT);
    ASSERT_EQ_I64(s.cols[1].v.i64[1], SK_MKT_OD);
    ASSERT_EQ_I64(r.launches, 2);
    ASSERT_NEAR(r.finish, 600 + 720 + 3600, 0);
    ASSERT_TRUE(!r.late);
    sk_table_fini(&s);
}

static void test_exhaustion(void) {
    uint8_t av[5];
    memset(av, 1, sizeof av);
    /* new semantics: the pre-check needs ceil(C/gap) = 6 ticks */
    sk_batch_result r = sk_sim(&sk_pol_greedy, SK_SIM_NEW, av, 5, 1, 2, 0.2, NULL);
    ASSERT_TRUE(r.exhausted && isnan(r.cost));
    /* old semantics: spot_only runs off the end of a trace with too little spot */
    uint8_t av2[20] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    r = sk_sim(&sk_pol_spot_only, SK_SIM_OLD, av2, 20, 1, 2, 0.2, NULL);
    ASSERT_TRUE(r.exhausted);
    /* and a sufficient trace finishes, billing the extra tick */
    uint8_t av3[20];
    memset(av3, 1, sizeof av3);
    r = sk_sim(&sk_pol_spot_only, SK_SIM_OLD, av3, 20, 1, 2, 0.2, NULL);
    ASSERT_TRUE(!r.exhausted);
    ASSERT_EQ_I64(r.finish_tick, 8);
    ASSERT_EQ_I64(r.spot_ticks, 8); /* spot_only stops once done: nothing billed after T */
    /* strawman has no finished test: the tick after completion is billed too (spec section 5) */
    r = sk_sim(&sk_pol_strawman, SK_SIM_OLD, av3, 20, 1, 2, 0.2, NULL);
    ASSERT_EQ_I64(r.finish_tick, 8);
    ASSERT_EQ_I64(r.spot_ticks, 9);
    ASSERT_TRUE(r.cost == sk_ticks_cost(9, 0.9731));
    /* ... and needs that tick in the trace */
    r = sk_sim(&sk_pol_strawman, SK_SIM_OLD, av3, 9, 1, 2, 0.2, NULL);
    ASSERT_TRUE(r.exhausted);
}

/* The public example values (spec section 7), bit for bit. */
#define EXPECT_COST(got, want)                                                                   \
    do {                                                                                         \
        double g_ = (got);                                                                       \
        if (!(g_ == (want))) SK_T_FAIL_("%s: cost %.17g, want %.17g", #got, g_, (double)(want)); \
    } while (0)

static void sk_window(const char *trace, int64_t w, sk_spot_trace *t, sk_spot_window *win) {
    char path[1024], idx[1024], err[512];
    snprintf(path, sizeof path, "%s/spot-availability/availability/1-node/aws-10-26-2022/%s.json", sk_traces, trace);
    snprintf(idx, sizeof idx, "%s/cbl-windows/WINDOW_INDEX.csv", sk_traces);
    if (sk_spot_load_json(t, path, SK_SPOT_AUTO, 1, err, sizeof err) < 0) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    sk_spot_window *ws = NULL;
    size_t n = 0;
    if (sk_spot_windows(idx, t->name, t->n, t->gap, &ws, &n, err, sizeof err) < 0 || (size_t)w >= n) {
        fprintf(stderr, "  %s\n", err);
        free(ws);
        return;
    }
    *win = ws[w];
    free(ws);
}

static double sk_example(const sk_spot_trace *t, sk_spot_window w, const sk_gpolicy *pol, double C, double R,
                         double d) {
    sk_batch_job job = {C, R, d, 3.06, 0.9731, NULL};
    sk_batch_result r;
    char msg[256];
    int rc = sk_batch_simulate(&job, t->avail, w.start + w.len, w.start, t->gap, pol, NULL, sk_native(pol), NULL, &r, NULL,
                               msg, sizeof msg);
    if (rc < 0) fprintf(stderr, "  %s\n", msg);
    return r.cost;
}

static void test_spec_examples(void) {
    sk_spot_trace t = {0};
    sk_spot_window w = {0, 0};
    sk_window("us-west-2a_v100_1", 0, &t, &w);
    ASSERT_TRUE(t.n > 0 && w.len > 0);
    EXPECT_COST(sk_example(&t, w, &sk_pol_uniform_progress, 48, 60, 0.2), 92.87264999999988);
    EXPECT_COST(sk_example(&t, w, &sk_pol_greedy, 48, 60, 0.2), 111.40073333333375);
    EXPECT_COST(sk_example(&t, w, &sk_pol_on_demand, 48, 60, 0.2), 147.9000000000002);
    EXPECT_COST(sk_example(&t, w, &sk_pol_strawman, 48, 60, 0.2), 111.91073333333375);
    EXPECT_COST(sk_example(&t, w, &sk_pol_omniscient, 48, 60, 0.2), 70.70618333333316);
    sk_spot_fini(&t);
    memset(&t, 0, sizeof t);
    sk_window("us-west-2a_k80_1", 0, &t, &w);
    ASSERT_TRUE(t.n > 0 && w.len > 0);
    EXPECT_COST(sk_example(&t, w, &sk_pol_uniform_progress, 48, 52, 0.2), 47.68189999999995);
    sk_spot_fini(&t);
}

int main(int argc, char **argv) {
    if (argc > 1 && argv[1][0] == '/') sk_traces = argv[1], argc--, argv++;
    else if (!(sk_traces = t_traces_root())) sk_traces = "(shared traces not found)"; /* its tests fail */
    static const sk_test tests[] = {
        {"on_demand_cost", test_on_demand_cost},
        {"d_zero", test_d_zero},
        {"unavailable_at_start", test_unavailable_at_start},
        {"tight_deadline", test_tight_deadline},
        {"guard_window", test_guard_window},
        {"exhaustion", test_exhaustion},
        {"spec_examples", test_spec_examples},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
