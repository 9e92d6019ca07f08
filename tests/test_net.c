/* test_net.c - the network model (models/sk_net.c): exact values of the skyplane-network grids
 * for a few pairs, the same-region figures and the noise fit (checked independently with
 * python3), every fallback of a run's matrix (real grids and a small synthetic grid folder), the
 * transfer-time formula, and the AR(1) noise: stationary sd and lag-1 correlation, determinism
 * and independence from the order of queries. */
#define _DEFAULT_SOURCE /* mkdtemp() */
#include <stdlib.h>
#include <unistd.h>

#include "models/sk_net.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

static char t_err[1024];
static sk_net *t_net;

static sk_net *t_load(void) {
    if (t_net) return t_net;
    const char *root = t_traces_root();
    if (!root) return NULL;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/skyplane-network", root);
    if (sk_net_load(&t_net, dir, t_err, sizeof t_err) < 0) {
        fprintf(stderr, "  %s\n", t_err);
        return NULL;
    }
    return t_net;
}

/* Values from python3 over the CSVs: PREMIUM/PREMIUM rows, success True, repeats averaged,
 * GCP zones folded, throughput_received / 1e9. */
static void test_grid_values(void) {
    sk_net *n = t_load();
    if (!n) SK_T_FAIL_("grids not loaded");
    double j, v, r, c;
    ASSERT_EQ_INT(sk_net_grid(n, "aws:us-east-1", "aws:us-west-2", &j, &v, &r, &c), 0);
    ASSERT_NEAR(j, 4.352247543894493, 1e-12);
    ASSERT_NEAR(v, 4.372284764942427, 1e-12);
    ASSERT_NEAR(r, 0.068272, 1e-12);
    ASSERT_NEAR(c, 0.02, 1e-12);
    ASSERT_EQ_INT(sk_net_grid(n, "gcp:us-central1-a", "azure:eastus", &j, &v, &r, &c), 0);
    ASSERT_NEAR(j, 6.300428, 1e-12);
    ASSERT_NEAR(v, 6.7839356835206726, 1e-12);
    ASSERT_EQ_INT(sk_net_grid(n, "gcp:us-central1", "azure:eastus", &j, NULL, NULL, NULL), 0); /* folded */
    ASSERT_NEAR(j, 6.300428, 1e-12);
    /* two PREMIUM measurements in 2022-01: their mean */
    ASSERT_EQ_INT(sk_net_grid(n, "azure:germanywestcentral", "aws:eu-west-2", &j, &v, NULL, NULL), 0);
    ASSERT_NEAR(j, 9.370575007421294, 1e-12);
    ASSERT_NEAR(v, 9.361059761148443, 1e-12);
    ASSERT_EQ_INT(sk_net_grid(n, "aws:us-east-1", "aws:eu-west-1", NULL, NULL, &r, NULL), 0);
    ASSERT_NEAR(r, 0.084936, 1e-12);
    ASSERT_EQ_INT(sk_net_grid(n, "aws:us-east-1", "gcp:us-central1", NULL, NULL, NULL, &c), 0);
    ASSERT_NEAR(c, 0.09, 1e-12);
    ASSERT_EQ_INT(sk_net_grid(n, "aws:us-east-1", "aws:mars-1", &j, &v, &r, &c), SK_ENOENT);
    ASSERT_TRUE(isnan(j) && isnan(v) && isnan(r) && isnan(c));
    double ig, ir;
    sk_net_intra(n, &ig, &ir);
    ASSERT_NEAR(ig, 7.104231499999999, 1e-12); /* median of 44 same-region rows, 2022-01 */
    ASSERT_NEAR(ir, 0.0013365, 1e-12);         /* median of 42 same-zone avg_rtt rows */
}

/* python3 -c (see docs/fleet_price_network.md): 3080 pairs, s2 = var(d)/2, sigma with phi 0.9 */
static void test_noise_fit(void) {
    sk_net *n = t_load();
    if (!n) SK_T_FAIL_("grids not loaded");
    int np;
    double s2, phi, sigma, step;
    sk_net_noise_fit(n, &np, &s2);
    ASSERT_EQ_INT(np, 3080);
    ASSERT_NEAR(s2, 0.18567638835618197, 1e-12);
    sk_net_noise_fitted(n, &phi, &sigma, &step);
    ASSERT_NEAR(phi, 0.9, 0);
    ASSERT_NEAR(step, 3600, 0);
    ASSERT_NEAR(sigma, 0.18782575379237684, 1e-12);
}

static void test_matrix_real(void) {
    sk_net *n = t_load();
    if (!n) SK_T_FAIL_("grids not loaded");
    const char *regs[] = {"aws:us-east-1",     "aws:us-west-2",   "gcp:us-central1-a",
                          "gcp:us-central1-b", "aws:me-central-1", "aws:il-central-1"};
    enum { R = 6 };
    sk_net_matrix m;
    ASSERT_EQ_INT(sk_net_matrix_new(&m, n, regs, R, t_err, sizeof t_err), 0);
    ASSERT_EQ_INT(m.nreg, R);
    /* base: geometric mean of the two sweeps */
    ASSERT_NEAR(m.gbps[0 * R + 1], sqrt(4.352247543894493 * 4.372284764942427), 1e-12);
    ASSERT_NEAR(m.rtt_s[0 * R + 1], 0.068272, 1e-12);
    ASSERT_NEAR(m.usd_gb[0 * R + 1], 0.02, 1e-12);
    ASSERT_EQ_INT(m.fallback[0 * R + 1], 0);
    /* same region (two zones of gcp:us-central1, and the diagonal): intra figures, GCP egress 0 */
    ASSERT_NEAR(m.gbps[2 * R + 3], 7.104231499999999, 1e-12);
    ASSERT_NEAR(m.rtt_s[2 * R + 3], 0.0013365, 1e-12);
    ASSERT_NEAR(m.usd_gb[2 * R + 3], 0, 0);
    ASSERT_NEAR(m.gbps[0], 7.104231499999999, 1e-12);
    ASSERT_NEAR(m.usd_gb[0], 0, 0);
    /* aws:me-central-1: only in the 2022-11 sweep and aws_transfer_costs: its Gbps, the aws->aws
     * median RTT, egress 0.085 to us-east-1 and its internet price 0.11 to GCP */
    ASSERT_NEAR(m.gbps[4 * R + 0], 3.1967369126922226, 1e-12);
    ASSERT_NEAR(m.rtt_s[4 * R + 0], 0.155529, 1e-12);
    ASSERT_NEAR(m.usd_gb[4 * R + 0], 0.085, 1e-12);
    ASSERT_EQ_INT(m.fallback[4 * R + 0], SK_NET_FB_RTT | SK_NET_FB_COST);
    ASSERT_NEAR(m.usd_gb[4 * R + 2], 0.11, 1e-12);
    /* aws:il-central-1 is in no file: the medians of aws->aws (600 pairs) and aws->gcp */
    ASSERT_NEAR(m.gbps[5 * R + 0], 3.62075057352167, 1e-12);
    ASSERT_NEAR(m.rtt_s[5 * R + 0], 0.155529, 1e-12);
    ASSERT_NEAR(m.usd_gb[5 * R + 0], 0.02, 1e-12);
    ASSERT_EQ_INT(m.fallback[5 * R + 0], SK_NET_FB_GBPS | SK_NET_FB_RTT | SK_NET_FB_COST);
    ASSERT_NEAR(m.gbps[5 * R + 2], 3.6235463521869997, 1e-12);
    ASSERT_NEAR(m.sigma, 0.18782575379237684, 1e-12);
    sk_net_matrix_fini(&m);
    const char *bad[] = {"aws:us-east-1", "us-east-1"};
    ASSERT_EQ_INT(sk_net_matrix_new(&m, n, bad, 2, t_err, sizeof t_err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "'us-east-1'");
    const char *cloud[] = {"aws:us-east-1", "lambda:us-tx-1"};
    ASSERT_EQ_INT(sk_net_matrix_new(&m, n, cloud, 2, t_err, sizeof t_err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "lambda:us-tx-1");
}

/* A small grid folder: reverse RTT, the GCP intracloud file and medians, and a bad number. */
static int t_write(const char *dir, const char *name, const char *text) {
    char p[512];
    return t_write_in(p, sizeof p, dir, name, text);
}

#define THR_HDR "src_region,src_tier,src_instance_class,dst_region,dst_tier,dst_instance_class,iperf3_connections,iperf3_runtime,throughput_sent,throughput_received,cpu_utilization,success\n"

static void test_matrix_fallbacks(void) {
    char dir[] = "/tmp/sk_test_net_XXXXXX";
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    int ok = !t_write(dir, "throughput_grid_2022-01.csv",
                      THR_HDR "aws:a,PREMIUM,m,aws:b,PREMIUM,m,64,5,0,2e9,0,True\n"
                              "aws:a,PREMIUM,m,aws:c,PREMIUM,m,64,5,0,4e9,0,True\n"
                              "aws:b,PREMIUM,m,aws:c,PREMIUM,m,64,5,0,9e9,0,True\n"
                              "aws:c,STANDARD,m,aws:b,PREMIUM,m,64,5,0,1e9,0,True\n"
                              "aws:c,PREMIUM,m,aws:a,PREMIUM,m,64,5,0,5e9,0,False\n"
                              "gcp:x-a,PREMIUM,m,gcp:x-b,STANDARD,m,64,5,0,6e9,0,True\n") &&
             !t_write(dir, "throughput_grid_2022-11.csv", THR_HDR "aws:a,PREMIUM,m,aws:b,PREMIUM,m,64,5,0,8e9,0,True\n") &&
             !t_write(dir, "gcp_intracloud_throughput_2022-04.csv", THR_HDR "gcp:x-a,,,gcp:y-a,,,64,5,0,3e9,0,True\n") &&
             !t_write(dir, "latency_grid_2022-04.csv",
                      "src_region,src_tier,src_instance_class,dst_region,dst_tier,dst_instance_class,min_rtt,avg_rtt,max_rtt,mdev_rtt\n"
                      "aws:a,PREMIUM,m,aws:b,PREMIUM,m,1,10,1,1\n"
                      "aws:a,PREMIUM,m,aws:c,PREMIUM,m,1,30,1,1\n"
                      "gcp:x-a,PREMIUM,m,gcp:y-a,PREMIUM,m,1,20,1,1\n"
                      "gcp:x-a,PREMIUM,m,gcp:x-a,STANDARD,m,1,2,1,1\n") &&
             !t_write(dir, "egress_cost_grid_2022-05.csv",
                      "src,dest,src_tier,dest_tier,cost\naws:a,aws:b,PREMIUM,PREMIUM,0.02\naws:b,aws:a,PREMIUM,PREMIUM,0.04\n") &&
             !t_write(dir, "aws_transfer_costs.csv", "src,dst,cost\na,c,0.03\nb,internet,0.09\n");
    ASSERT_TRUE(ok);
    sk_net *n;
    ASSERT_EQ_INT(sk_net_load(&n, dir, t_err, sizeof t_err), 0);
    double ig, ir;
    sk_net_intra(n, &ig, &ir);
    ASSERT_NEAR(ig, 6.0, 1e-12);   /* the one same-region row, any tier */
    ASSERT_NEAR(ir, 0.002, 1e-12);
    const char *regs[] = {"aws:a", "aws:b", "aws:c", "gcp:x", "gcp:y"};
    sk_net_matrix m;
    ASSERT_EQ_INT(sk_net_matrix_new(&m, n, regs, 5, t_err, sizeof t_err), 0);
    ASSERT_NEAR(m.gbps[0 * 5 + 1], 4.0, 1e-12);  /* sqrt(2 * 8) */
    ASSERT_NEAR(m.gbps[0 * 5 + 2], 4.0, 1e-12);  /* January only */
    /* c -> a: the failed row and b -> c... c -> b is STANDARD: the aws->aws median of {4, 4, 9} */
    ASSERT_NEAR(m.gbps[2 * 5 + 0], 4.0, 1e-12);
    ASSERT_NEAR(m.gbps[2 * 5 + 1], 4.0, 1e-12);
    ASSERT_EQ_INT(m.fallback[2 * 5 + 1] & SK_NET_FB_GBPS, SK_NET_FB_GBPS);
    ASSERT_NEAR(m.gbps[3 * 5 + 4], 3.0, 1e-12);  /* the GCP intracloud file */
    ASSERT_EQ_INT(m.fallback[3 * 5 + 4] & SK_NET_FB_GBPS, SK_NET_FB_GBPS);
    ASSERT_NEAR(m.rtt_s[1 * 5 + 0], 0.010, 1e-12); /* reverse pair */
    ASSERT_EQ_INT(m.fallback[1 * 5 + 0] & SK_NET_FB_RTT, SK_NET_FB_RTT);
    ASSERT_NEAR(m.rtt_s[1 * 5 + 2], 0.020, 1e-12); /* aws->aws median of {10, 30} ms */
    ASSERT_NEAR(m.rtt_s[4 * 5 + 3], 0.020, 1e-12); /* reverse of gcp:x -> gcp:y */
    ASSERT_NEAR(m.usd_gb[1 * 5 + 0], 0.04, 1e-12);
    ASSERT_NEAR(m.usd_gb[0 * 5 + 2], 0.03, 1e-12); /* aws_transfer_costs */
    ASSERT_NEAR(m.usd_gb[1 * 5 + 3], 0.09, 1e-12); /* b's internet price to GCP */
    ASSERT_NEAR(m.usd_gb[2 * 5 + 1], 0.03, 1e-12); /* aws->aws median of {0.02, 0.04} */
    ASSERT_NEAR(m.usd_gb[3 * 5 + 3], 0, 0);
    /* no gcp->gcp pair in the sweeps nor GCP egress in the cost grid: the medians over all pairs */
    ASSERT_NEAR(m.gbps[4 * 5 + 3], 4.0, 1e-12);
    ASSERT_NEAR(m.usd_gb[3 * 5 + 4], 0.03, 1e-12);
    ASSERT_EQ_INT(m.fallback[3 * 5 + 4], SK_NET_FB_GBPS | SK_NET_FB_COST);
    sk_net_matrix_fini(&m);
    int np;
    double s2;
    sk_net_noise_fit(n, &np, &s2);
    ASSERT_EQ_INT(np, 1); /* one pair in both sweeps: no variance */
    ASSERT_NEAR(s2, 0, 0);
    sk_net_free(n);
    /* a bad number names the file, line and column */
    ASSERT_TRUE(!t_write(dir, "latency_grid_2022-04.csv",
                         "src_region,src_tier,src_instance_class,dst_region,dst_tier,dst_instance_class,min_rtt,avg_rtt,max_rtt,mdev_rtt\n"
                         "aws:a,PREMIUM,m,aws:b,PREMIUM,m,1,fast,1,1\n"));
    ASSERT_EQ_INT(sk_net_load(&n, dir, t_err, sizeof t_err), SK_EDATA);
    ASSERT_TRUE(n == NULL);
    ASSERT_STR_CONTAINS(t_err, "latency_grid_2022-04.csv:2: column 8 (avg_rtt)");
    const char *files[] = {"throughput_grid_2022-01.csv", "throughput_grid_2022-11.csv", "gcp_intracloud_throughput_2022-04.csv",
                           "latency_grid_2022-04.csv",    "egress_cost_grid_2022-05.csv", "aws_transfer_costs.csv"};
    for (int i = 0; i < 6; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
    ASSERT_EQ_INT(sk_net_load(&n, dir, t_err, sizeof t_err), SK_ENOINPUT);
}

static void test_transfer_formula(void) {
    sk_net *n = t_load();
    if (!n) SK_T_FAIL_("grids not loaded");
    const char *regs[] = {"aws:us-east-1", "aws:us-west-2"};
    sk_net_matrix m;
    ASSERT_EQ_INT(sk_net_matrix_new(&m, n, regs, 2, t_err, sizeof t_err), 0);
    double g = m.gbps[1];
    ASSERT_NEAR(sk_net_transfer_s(&m, NULL, 0, 1, 50, 0), 0.068272 + 50 * 8 / g, 1e-12);
    ASSERT_NEAR(sk_net_transfer_s(&m, NULL, 0, 1, 0, 0), 0.068272, 0);
    sk_net_noise *z = sk_net_noise_new(&m, 9);
    sk_time t = 5 * SK_HOUR + 17 * SK_MINUTE;
    double x = sk_net_noise_at(z, 0, 1, t);
    ASSERT_TRUE(x != 0);
    ASSERT_NEAR(sk_net_transfer_s(&m, z, 0, 1, 50, t), 0.068272 + 50 * 8 / (g * exp(x)), 1e-12);
    /* the same step: the same x; the next step: another */
    ASSERT_NEAR(sk_net_noise_at(z, 0, 1, 5 * SK_HOUR), x, 0);
    ASSERT_NEAR(sk_net_noise_at(z, 0, 1, 6 * SK_HOUR - 1), x, 0);
    ASSERT_TRUE(sk_net_noise_at(z, 0, 1, 6 * SK_HOUR) != x);
    sk_net_noise_free(z);
    /* sigma 0: no noise */
    m.sigma = 0;
    z = sk_net_noise_new(&m, 9);
    ASSERT_NEAR(sk_net_noise_at(z, 0, 1, t), 0, 0);
    sk_net_noise_free(z);
    sk_net_matrix_fini(&m);
}

static void test_noise_order_and_seed(void) {
    sk_net *n = t_load();
    if (!n) SK_T_FAIL_("grids not loaded");
    const char *regs[] = {"aws:us-east-1", "aws:us-west-2", "gcp:us-central1"};
    sk_net_matrix m;
    ASSERT_EQ_INT(sk_net_matrix_new(&m, n, regs, 3, t_err, sizeof t_err), 0);
    enum { Q = 40 };
    double a[3][3][Q], b[3][3][Q];
    sk_net_noise *z1 = sk_net_noise_new(&m, 77), *z2 = sk_net_noise_new(&m, 77), *z3 = sk_net_noise_new(&m, 78);
    /* z1: pair by pair, forward in time; z2: time-major, pairs in reverse, times backwards */
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int q = 0; q < Q; q++) a[i][j][q] = sk_net_noise_at(z1, i, j, (sk_time)q * 7 * SK_HOUR / 3);
    for (int q = Q - 1; q >= 0; q--)
        for (int i = 2; i >= 0; i--)
            for (int j = 2; j >= 0; j--) b[i][j][q] = sk_net_noise_at(z2, i, j, (sk_time)q * 7 * SK_HOUR / 3);
    ASSERT_TRUE(!memcmp(a, b, sizeof a));
    ASSERT_TRUE(sk_net_noise_at(z3, 0, 1, 10 * SK_HOUR) != sk_net_noise_at(z1, 0, 1, 10 * SK_HOUR));
    ASSERT_TRUE(a[0][1][5] != a[1][0][5]); /* the two directions are separate streams */
    sk_net_noise_free(z1);
    sk_net_noise_free(z2);
    sk_net_noise_free(z3);
    sk_net_matrix_fini(&m);
}

static void test_noise_ar1(void) {
    sk_net *n = t_load();
    if (!n) SK_T_FAIL_("grids not loaded");
    const char *regs[] = {"aws:us-east-1", "aws:us-west-2"};
    sk_net_matrix m;
    ASSERT_EQ_INT(sk_net_matrix_new(&m, n, regs, 2, t_err, sizeof t_err), 0);
    sk_net_noise *z = sk_net_noise_new(&m, 3);
    enum { N = 400000 };
    double s = 0, ss = 0, s01 = 0, prev = 0;
    for (int64_t k = 0; k < N; k++) {
        double x = sk_net_noise_at(z, 0, 1, k * SK_HOUR);
        s += x;
        ss += x * x;
        if (k) s01 += x * prev;
        prev = x;
    }
    double var = ss / N - (s / N) * (s / N), sd_stat = m.sigma / sqrt(1 - m.phi * m.phi);
    ASSERT_NEAR(sqrt(var) / sd_stat, 1.0, 0.03);
    ASSERT_NEAR(s01 / (N - 1) / var, 0.9, 0.01);
    ASSERT_NEAR(s / N, 0, 0.03);
    /* stationary from the start: x_0 over many seeds has the stationary sd */
    double s0 = 0;
    for (uint64_t seed = 0; seed < 20000; seed++) {
        sk_net_noise *w = sk_net_noise_new(&m, seed);
        double x = sk_net_noise_at(w, 0, 1, 0);
        s0 += x * x;
        sk_net_noise_free(w);
    }
    ASSERT_NEAR(sqrt(s0 / 20000) / sd_stat, 1.0, 0.03);
    sk_net_noise_free(z);
    sk_net_matrix_fini(&m);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"grid_values", test_grid_values},
        {"noise_fit", test_noise_fit},
        {"matrix_real", test_matrix_real},
        {"matrix_fallbacks", test_matrix_fallbacks},
        {"transfer_formula", test_transfer_formula},
        {"noise_order_and_seed", test_noise_order_and_seed},
        {"noise_ar1", test_noise_ar1},
        {NULL, NULL},
    };
    int rc = sk_test_main(tests, argc, argv);
    sk_net_free(t_net);
    return rc;
}
