/* test_avail.c - availability models (models/sk_avail.h): every count-trace loader against the
 * shared files (tick counts, gaps, nodes, values checked independently with python3's json and
 * csv modules), the convention checks, replay steps, the Markov chain and its MLE fit (true rates
 * inside the fitted 95% intervals), the hazard model's per-instance rate and group sizes, the
 * Spot Advisor buckets, and determinism. Data: ../shared/traces (tests/test_traces.h). */
#define _DEFAULT_SOURCE /* mkstemps() */
#include <gsl/gsl_randist.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/sk_rng.h"
#include "models/sk_avail.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

static char t_err[1024];

/* Load root/rel with conv (and gap for bamboo); 0 or the error code. */
static int t_load(sk_count_trace *t, const char *rel, int conv, double gap) {
    const char *root = t_traces_root();
    char path[4096];
    if (!root) return SK_ENOINPUT;
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return sk_count_trace_load(t, path, conv, gap, t_err, sizeof t_err);
}

static int64_t t_sum(const sk_count_trace *t) {
    int64_t s = 0;
    for (int64_t i = 0; i < t->n; i++) s += t->counts[i];
    return s;
}

/* One file: ticks, gap, nodes, sum of counts, and counts at two ticks. */
static void t_check_file(const char *rel, int64_t n, double gap, int32_t nodes, int64_t sum, int64_t i1, int32_t c1,
                         int64_t i2, int32_t c2) {
    sk_count_trace t;
    ASSERT_EQ_INT(t_load(&t, rel, SK_SPOT_AUTO, 0), 0);
    int64_t got_n = t.n, got_sum = t_sum(&t);
    double got_gap = t.gap;
    int32_t got_nodes = t.nodes, v1 = t.counts[i1], v2 = t.counts[i2];
    sk_count_trace_fini(&t);
    ASSERT_EQ_I64(got_n, n);
    ASSERT_NEAR(got_gap, gap, 0);
    ASSERT_EQ_INT(got_nodes, nodes);
    ASSERT_EQ_I64(got_sum, sum);
    ASSERT_EQ_INT(v1, c1);
    ASSERT_EQ_INT(v2, c2);
}

static void test_load_spot_availability(void) {
    if (!t_traces_root()) SK_T_FAIL_("no traces");
    t_check_file("spot-availability/availability/1-node/aws-10-26-2022/us-west-2a_v100_1.json", 3895, 600, 1, 3087, 100, 0,
                 3894, 1);
    t_check_file("spot-availability/availability/16-node/aws-08-27-2023/us-west-2a_v100_1.json", 4736, 300, 16, 32672, 7, 5,
                 4735, 16);
    t_check_file("spot-availability/preemption/4-node/aws-08-03-2023/us-east-1f_v100_1.json", 3664, 300, 4, 5040, 0, 0, 3663,
                 0);
    t_check_file("spot-availability/preemption/1-node/aws-04-22-2023/us-east-1c_v100_1.json", 19961, 32, 1, 6274, 0, 0, 19960,
                 0);
}

static void test_load_spothedge(void) {
    t_check_file("spothedge/data/AWS1/us-east-1f_v100_1.json", 3156, 300, 4, 4604, 0, 0, 18, 4);
    t_check_file("spothedge/data/AWS2/us-west-2a_v100_1.json", 3274, 300, 16, 30109, 0, 0, 3273, 16);
    /* GCP1 has no N-node folder: nodes = the largest count in the file */
    t_check_file("spothedge/data/GCP1/us-central1-a_a100_40gb_8.json", 770, 150, 4, 1619, 0, 1, 769, 0);
}

/* converted_* files: 1 = preempted, count = 1 - value (python: 2114 - 845 ones, first 1 at 76). */
static void test_load_converted(void) {
    t_check_file("gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged/us-west1-a_h100_16/full.json", 2114, 600,
                 1, 2114 - 845, 0, 1, 76, 0);
    t_check_file("aws-v100-multinode/converted_v100_4node_600s/us-east-1f_v100_1/full.json", 1578, 600, 1, 1578 - 965, 0, 0,
                 1577, 1);
}

/* The reading of aws-v100-multinode/converted_v100_4node_600s: its note says "capacity>=1 ->
 * available; resampled 300s->600s"; it is exactly spothedge/data/AWS1 (4 nodes, 300 s) with a 600 s
 * tick available iff both 300 s ticks had at least one node: 1 = no V100 obtainable at all. */
static void test_converted_aws_is_aws1(void) {
    static const char *const zones[3] = {"us-east-1f", "us-east-2a", "us-west-2c"};
    for (int z = 0; z < 3; z++) {
        char a[256], c[256];
        snprintf(a, sizeof a, "spothedge/data/AWS1/%s_v100_1.json", zones[z]);
        snprintf(c, sizeof c, "aws-v100-multinode/converted_v100_4node_600s/%s_v100_1/full.json", zones[z]);
        sk_count_trace ta, tc;
        ASSERT_EQ_INT(t_load(&ta, a, SK_SPOT_AUTO, 0), 0);
        ASSERT_EQ_INT(t_load(&tc, c, SK_SPOT_AUTO, 0), 0);
        int64_t bad = ta.n == 2 * tc.n ? 0 : -1;
        for (int64_t k = 0; bad >= 0 && k < tc.n; k++) {
            int32_t lo = ta.counts[2 * k] < ta.counts[2 * k + 1] ? ta.counts[2 * k] : ta.counts[2 * k + 1];
            bad += tc.counts[k] != (lo >= 1);
        }
        sk_count_trace_fini(&ta);
        sk_count_trace_fini(&tc);
        ASSERT_EQ_I64(bad, 0);
    }
}

/* bamboo: event logs sampled every 60 s from time 0 (ms), GCP counts from the earliest stamp. */
static void test_load_bamboo(void) {
    sk_count_trace t;
    ASSERT_EQ_INT(t_load(&t, "bamboo-spot-traces/traces/p3-trace.csv", SK_SPOT_AUTO, 60), 0);
    int64_t n = t.n, s = t_sum(&t);
    int32_t nodes = t.nodes, c0 = t.counts[0], c100 = t.counts[100], cl = t.counts[682];
    sk_count_trace_fini(&t);
    ASSERT_EQ_I64(n, 683);
    ASSERT_EQ_INT(nodes, 32);
    ASSERT_EQ_I64(s, 16397);
    ASSERT_EQ_INT(c0, 18);
    ASSERT_EQ_INT(c100, 32);
    ASSERT_EQ_INT(cl, 10);
    ASSERT_EQ_INT(t_load(&t, "bamboo-spot-traces/traces/g4dn-trace.csv", SK_SPOT_AUTO, 0), 0); /* gap 0: 60 s */
    n = t.n, s = t_sum(&t), nodes = t.nodes;
    int32_t c8 = t.counts[8], c9 = t.counts[9];
    double gap = t.gap;
    sk_count_trace_fini(&t);
    ASSERT_EQ_I64(n, 647);
    ASSERT_NEAR(gap, 60, 0);
    ASSERT_EQ_INT(nodes, 24);
    ASSERT_EQ_I64(s, 8146);
    ASSERT_EQ_INT(c8, 1);
    ASSERT_EQ_INT(c9, 2);
    /* rows stamped before the row above them override from their stamp: 80, 70, 60, 60, 58 */
    ASSERT_EQ_INT(t_load(&t, "bamboo-spot-traces/traces/gcloud/v100x1-east1c.txt", SK_SPOT_AUTO, 60), 0);
    int32_t first[5];
    memcpy(first, t.counts, sizeof first);
    n = t.n, s = t_sum(&t), nodes = t.nodes;
    sk_count_trace_fini(&t);
    ASSERT_EQ_I64(n, 1451);
    ASSERT_EQ_INT(nodes, 80);
    ASSERT_EQ_I64(s, 110750);
    static const int32_t want[5] = {80, 70, 60, 60, 58};
    for (int i = 0; i < 5; i++) ASSERT_EQ_INT(first[i], want[i]);
    ASSERT_EQ_INT(t_load(&t, "bamboo-spot-traces/traces/gcloud/a100x1-east1b.txt", SK_SPOT_AUTO, 600), 0);
    nodes = t.nodes, c0 = t.counts[0];
    sk_count_trace_fini(&t);
    ASSERT_EQ_INT(nodes, 64);
    ASSERT_EQ_INT(c0, 55);
}

/* A temporary file holding `text`; path in out. */
static void t_tmpfile(char *out, size_t len, const char *suffix, const char *text) {
    snprintf(out, len, "/tmp/test_avail_%ld_XXXXXX%s", (long)getpid(), suffix);
    int fd = mkstemps(out, (int)strlen(suffix));
    if (fd < 0) return;
    if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) out[0] = '\0';
    close(fd);
}

static void test_conventions(void) {
    sk_count_trace t;
    const char *gcp = "gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged/us-west1-a_h100_16/full.json";
    const char *aws1 = "spothedge/data/AWS1/us-east-1f_v100_1.json";
    /* mislabelled: available forced on a converted_* file */
    ASSERT_EQ_INT(t_load(&t, gcp, SK_SPOT_AVAILABLE, 0), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "full.json: convention available given, but its folder holds preempted-convention traces");
    ASSERT_STR_CONTAINS(t_err, "mislabelled");
    ASSERT_TRUE(t.counts == NULL && t.n == 0);
    /* forced: the raw values become counts */
    ASSERT_EQ_INT(t_load(&t, gcp, SK_SPOT_AVAILABLE | SK_AVAIL_CONV_FORCE, 0), 0);
    int64_t s = t_sum(&t);
    sk_count_trace_fini(&t);
    ASSERT_EQ_I64(s, 845);
    /* preempted on a counts folder: the folder; forced: the values (> 1) */
    ASSERT_EQ_INT(t_load(&t, aws1, SK_SPOT_PREEMPTED, 0), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "available-convention traces");
    ASSERT_EQ_INT(t_load(&t, aws1, SK_SPOT_PREEMPTED | SK_AVAIL_CONV_FORCE, 0), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "us-east-1f_v100_1.json: data[18] = 4: the preempted convention holds 0/1 flags");
    /* a 1-node 0/1 file in a counts folder: the folder decides */
    ASSERT_EQ_INT(t_load(&t, "spot-availability/availability/1-node/aws-10-26-2022/us-west-2a_v100_1.json", SK_SPOT_PREEMPTED, 0),
                  SK_ECONFIG);
    ASSERT_EQ_INT(t_load(&t, gcp, SK_SPOT_PREEMPTED, 0), 0); /* agreeing with the folder is fine */
    sk_count_trace_fini(&t);
    /* a loose 0/1 file: no evidence, the caller's convention is taken; a convention key is evidence */
    char p[256];
    t_tmpfile(p, sizeof p, ".json", "{\"metadata\": {\"gap_seconds\": 60}, \"data\": [0, 1, 1, 0]}");
    ASSERT_EQ_INT(sk_count_trace_load(&t, p, SK_SPOT_PREEMPTED, 0, t_err, sizeof t_err), 0);
    int32_t c[4];
    memcpy(c, t.counts, sizeof c);
    sk_count_trace_fini(&t);
    ASSERT_TRUE(c[0] == 1 && c[1] == 0 && c[2] == 0 && c[3] == 1);
    ASSERT_EQ_INT(sk_count_trace_load(&t, p, SK_SPOT_AUTO, 0, t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(t_sum(&t), 2);
    sk_count_trace_fini(&t);
    unlink(p);
    t_tmpfile(p, sizeof p, ".json",
              "{\"metadata\": {\"gap_seconds\": 60, \"convention\": \"preempted\"}, \"data\": [0, 1, 1, 0]}");
    ASSERT_EQ_INT(sk_count_trace_load(&t, p, SK_SPOT_AVAILABLE, 0, t_err, sizeof t_err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(t_err, "metadata.convention = \"preempted\"");
    ASSERT_EQ_INT(sk_count_trace_load(&t, p, SK_SPOT_AUTO, 0, t_err, sizeof t_err), 0);
    ASSERT_EQ_I64(t_sum(&t), 2);
    sk_count_trace_fini(&t);
    unlink(p);
    /* bamboo event logs and counts are counts */
    ASSERT_EQ_INT(t_load(&t, "bamboo-spot-traces/traces/p3-trace.csv", SK_SPOT_PREEMPTED, 60), SK_ECONFIG);
}

static void test_load_errors(void) {
    sk_count_trace t;
    ASSERT_EQ_INT(sk_count_trace_load(&t, "/nonexistent/x.json", SK_SPOT_AUTO, 0, t_err, sizeof t_err), SK_ENOINPUT);
    ASSERT_STR_CONTAINS(t_err, "/nonexistent/x.json");
    char p[256];
    t_tmpfile(p, sizeof p, ".json", "{\"metadata\": {\"gap_seconds\": 60},\n \"data\": [0, 1,, 0]}");
    ASSERT_EQ_INT(sk_count_trace_load(&t, p, SK_SPOT_AUTO, 0, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":2:");
    unlink(p);
    t_tmpfile(p, sizeof p, ".json", "{\"metadata\": {\"gap_seconds\": 60}, \"data\": [0, 1, -2]}");
    ASSERT_EQ_INT(sk_count_trace_load(&t, p, SK_SPOT_AUTO, 0, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "data[2]");
    unlink(p);
    t_tmpfile(p, sizeof p, ".csv", "0,add,a\n10,add,b\n20,remove,c\n");
    ASSERT_EQ_INT(sk_count_trace_load(&t, p, SK_SPOT_AUTO, 60, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":3: node c removed but not present");
    unlink(p);
    t_tmpfile(p, sizeof p, ".txt", "2021-12-10, 13:07:45, 80\n2021-12-10, 13:0x:45, 70\n");
    ASSERT_EQ_INT(sk_count_trace_load(&t, p, SK_SPOT_AUTO, 60, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":2: field 2 (time)");
    unlink(p);
}

/* ---- replay ----------------------------------------------------------------------------------- */

static void test_replay(void) {
    static const int32_t c[7] = {2, 2, 3, 3, 3, 1, 1};
    sk_avail_step s;
    sk_avail_model *m = sk_avail_replay_new(c, 7, 10 * SK_SEC, 5 * SK_SEC, 100, 0);
    ASSERT_TRUE(m != NULL);
    static const sk_time wt[3] = {5 * SK_SEC, 25 * SK_SEC, 55 * SK_SEC};
    static const int32_t wc[3] = {200, 300, 100};
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ_INT(sk_avail_next(m, NULL, &s), 1);
        ASSERT_EQ_I64(s.t, wt[i]);
        ASSERT_EQ_INT(s.cap, wc[i]);
        ASSERT_TRUE(s.shock == 0);
    }
    ASSERT_EQ_INT(sk_avail_next(m, NULL, &s), 0);
    ASSERT_EQ_INT(sk_avail_next(m, NULL, &s), 0);
    sk_avail_free(m);
    /* looped: 5 200, 25 300, 55 100, 75 200 (tick 7 = tick 0), 95 300, 125 100, 145 200 */
    m = sk_avail_replay_new(c, 7, 10 * SK_SEC, 5 * SK_SEC, 1, 1);
    static const sk_time lt[7] = {5, 25, 55, 75, 95, 125, 145};
    static const int32_t lc[7] = {2, 3, 1, 2, 3, 1, 2};
    for (int i = 0; i < 7; i++) {
        ASSERT_EQ_INT(sk_avail_next(m, NULL, &s), 1);
        ASSERT_EQ_I64(s.t, lt[i] * SK_SEC);
        ASSERT_EQ_INT(s.cap, lc[i]);
    }
    sk_avail_free(m);
    /* a loop whose last count equals its first: no step at the wrap */
    static const int32_t d[3] = {1, 0, 1};
    m = sk_avail_replay_new(d, 3, SK_SEC, 0, 1, 1);
    static const sk_time dt[5] = {0, 1, 2, 4, 5};
    for (int i = 0; i < 5; i++) {
        ASSERT_EQ_INT(sk_avail_next(m, NULL, &s), 1);
        ASSERT_EQ_I64(s.t, dt[i] * SK_SEC);
    }
    sk_avail_free(m);
    /* constant trace, looped or not: one step then none */
    static const int32_t k[3] = {4, 4, 4};
    for (int loop = 0; loop < 2; loop++) {
        m = sk_avail_replay_new(k, 3, SK_SEC, 0, 1, loop);
        ASSERT_EQ_INT(sk_avail_next(m, NULL, &s), 1);
        ASSERT_EQ_INT(s.cap, 4);
        ASSERT_EQ_INT(sk_avail_next(m, NULL, &s), 0);
        sk_avail_free(m);
    }
    /* huge scale saturates below SK_CAP_INF */
    m = sk_avail_replay_new(k, 3, SK_SEC, 0, INT32_MAX, 0);
    ASSERT_EQ_INT(sk_avail_next(m, NULL, &s), 1);
    ASSERT_EQ_INT(s.cap, SK_CAP_INF - 1);
    sk_avail_free(m);
    ASSERT_TRUE(sk_avail_replay_new(k, 0, SK_SEC, 0, 1, 0) == NULL);
}

/* A real trace replays to the steps of its changes (us-west1-a: 103 changes, python). */
static void test_replay_trace(void) {
    sk_count_trace t;
    ASSERT_EQ_INT(t_load(&t, "gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged/us-west1-a_h100_16/full.json",
                         SK_SPOT_AUTO, 0),
                  0);
    sk_avail_model *m = sk_avail_replay_new(t.counts, t.n, sk_time_from(t.gap, SK_SEC), 0, 1, 0);
    sk_avail_step s;
    int64_t steps = 0, bad = 0;
    while (sk_avail_next(m, NULL, &s)) {
        int64_t i = s.t / (600 * SK_SEC);
        bad += s.t % (600 * SK_SEC) != 0 || t.counts[i] != s.cap || (i > 0 && t.counts[i - 1] == s.cap);
        steps++;
    }
    sk_avail_free(m);
    sk_count_trace_fini(&t);
    ASSERT_EQ_I64(bad, 0);
    ASSERT_EQ_I64(steps, 1 + 103);
}

/* ---- Markov ----------------------------------------------------------------------------------- */

/* Sample a model's capacity every gap for n ticks from t = 0 into counts. */
static void t_sample(sk_avail_model *m, sk_rng *r, int64_t n, sk_time gap, int32_t *counts) {
    sk_avail_step s, nx;
    sk_avail_next(m, r, &s);
    int32_t cur = s.cap;
    int more = sk_avail_next(m, r, &nx);
    for (int64_t k = 0; k < n; k++) {
        sk_time t = k * gap;
        while (more && nx.t <= t) {
            cur = nx.cap;
            more = sk_avail_next(m, r, &nx);
        }
        counts[k] = cur;
    }
}

/* Replications of a chain, each sampled every 10 s for `hours` and fitted: every true rate inside
 * its fitted 95% interval in at least 34 of 40 replications (expected 38; P(<= 33) = 0.3%), and the
 * pooled MLE (all replications, n transitions) within 4 standard errors (1/sqrt(n) relative) plus
 * 0.5% for the sojourns shorter than a tick that sampling misses (rate x 10 s / 2 <= 0.2%). */
static void t_markov_fit_check(int k, const int32_t *cap, const double *rate, int two_state) {
    enum { REPS = 40 };
    const double hours = 1500;
    const sk_time gap = 10 * SK_SEC;
    int64_t n = (int64_t)(hours * 360);
    int32_t *c = malloc((size_t)n * sizeof *c);
    sk_markov_fit *f = malloc(sizeof *f);
    int64_t cover[64] = {0}, ntr[64] = {0};
    double th[8] = {0};
    int fails = 0;
    for (int rep = 0; rep < REPS; rep++) {
        sk_rng r;
        sk_rng_init(&r, NULL, 2024, (uint64_t)rep, 7);
        sk_avail_model *m = sk_avail_markov_new(k, cap, rate, -1, 0, 180 * SK_SEC);
        t_sample(m, &r, n, gap, c);
        sk_avail_free(m);
        sk_rng_fini(&r);
        sk_count_trace t = {.name = "sim", .gap = 10, .n = n, .counts = c, .nodes = cap[k - 1]};
        const sk_count_trace *tp = &t;
        if (sk_markov_fit_traces(&tp, 1, two_state, f, t_err, sizeof t_err) < 0 || f->nlev != k) {
            fails++;
            continue;
        }
        for (int l = 0; l < k; l++) {
            th[l] += f->time_h[l];
            fails += f->level[l] != (two_state ? l : cap[l]);
            for (int j = 0; j < k; j++) {
                if (l == j) continue;
                cover[l * k + j] += f->lo[l * k + j] <= rate[l * k + j] && rate[l * k + j] <= f->hi[l * k + j];
                ntr[l * k + j] += f->ntrans[l * k + j];
            }
        }
    }
    free(c);
    free(f);
    ASSERT_EQ_INT(fails, 0);
    for (int l = 0; l < k; l++)
        for (int j = 0; j < k; j++) {
            if (l == j) continue;
            if (cover[l * k + j] < 34) SK_T_FAIL_("rate %d->%d covered in %lld of 40", l, j, (long long)cover[l * k + j]);
            if (getenv("T_AVAIL_DEBUG")) fprintf(stderr, "  %d->%d cover %lld ratio %.4f n %lld\n", l, j, (long long)cover[l * k + j], (double)ntr[l * k + j] / th[l] / rate[l * k + j], (long long)ntr[l * k + j]);
            ASSERT_NEAR((double)ntr[l * k + j] / th[l] / rate[l * k + j], 1.0, 4 / sqrt((double)ntr[l * k + j]) + 0.005);
        }
}

static void test_markov_fit_two_state(void) {
    static const int32_t cap[2] = {0, 1};
    static const double rate[4] = {0, 1.5, 0.4, 0}; /* up after 40 min on average, down after 2.5 h */
    t_markov_fit_check(2, cap, rate, 1);
}

static void test_markov_fit_three_levels(void) {
    static const int32_t cap[3] = {0, 4, 8};
    static const double rate[9] = {0, 0.6, 0.2, 0.5, 0, 1.0, 0.1, 0.8, 0};
    t_markov_fit_check(3, cap, rate, 0);
}

/* The fit of a hand-made trace: counts, hours, the interval formula, the log-likelihood. */
static void test_markov_fit_small(void) {
    static int32_t c[8] = {0, 0, 2, 2, 2, 0, 5, 5};
    sk_count_trace t = {.name = "x", .gap = 1800, .n = 8, .counts = c, .nodes = 5};
    const sk_count_trace *tp = &t;
    sk_markov_fit f;
    ASSERT_EQ_INT(sk_markov_fit_traces(&tp, 1, 0, &f, t_err, sizeof t_err), 0);
    ASSERT_EQ_INT(f.nlev, 3);
    ASSERT_TRUE(f.level[0] == 0 && f.level[1] == 2 && f.level[2] == 5);
    ASSERT_NEAR(f.time_h[0], 1.5, 1e-12);
    ASSERT_NEAR(f.time_h[1], 1.5, 1e-12);
    ASSERT_NEAR(f.time_h[2], 1.0, 1e-12);
    ASSERT_EQ_I64(f.ntrans[0 * 3 + 1], 1);
    ASSERT_EQ_I64(f.ntrans[0 * 3 + 2], 1);
    ASSERT_EQ_I64(f.ntrans[1 * 3 + 0], 1);
    ASSERT_NEAR(f.rate[0 * 3 + 1], 1 / 1.5, 1e-12);
    /* n = 1, T = 1.5: chi2(0.025; 2) / 3 = 0.0506356 / 3, chi2(0.975; 4) / 3 = 11.1433 / 3 */
    ASSERT_NEAR(f.lo[0 * 3 + 1], 0.05063562 / 3, 1e-7);
    ASSERT_NEAR(f.hi[0 * 3 + 1], 11.14329 / 3, 1e-5);
    /* n = 0, T = 1: [0, chi2(0.975; 2) / 2 = 3.68888] */
    ASSERT_NEAR(f.lo[2 * 3 + 0], 0, 0);
    ASSERT_NEAR(f.hi[2 * 3 + 0], 7.377759 / 2, 1e-5);
    /* loglik = 3 ln(1/1.5) - (2/1.5)(1.5) - (1/1.5)(1.5) */
    ASSERT_NEAR(f.loglik, 3 * log(1 / 1.5) - 3, 1e-12);
    ASSERT_EQ_INT(sk_markov_fit_traces(&tp, 1, 1, &f, t_err, sizeof t_err), 0);
    ASSERT_EQ_INT(f.nlev, 2);
    ASSERT_EQ_I64(f.ntrans[1], 2);
    ASSERT_EQ_I64(f.ntrans[2], 1);
    ASSERT_NEAR(f.time_h[1], 2.5, 1e-12);
    /* more than SK_MARKOV_MAXLEV distinct counts */
    int32_t many[40];
    for (int i = 0; i < 40; i++) many[i] = i;
    sk_count_trace tm = {.name = "many", .gap = 60, .n = 40, .counts = many, .nodes = 39};
    tp = &tm;
    ASSERT_EQ_INT(sk_markov_fit_traces(&tp, 1, 0, &f, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, "two states");
}

static void test_markov_model(void) {
    static const int32_t cap[3] = {0, 4, 8};
    static const double rate[9] = {0, 0.6, 0.2, 0.5, 0, 1.0, 0.1, 0.8, 0};
    double pi[3];
    ASSERT_EQ_INT(sk_avail_stationary(3, rate, pi), 0);
    /* pi Q = 0 and sum 1 */
    for (int m = 0; m < 3; m++) {
        double v = 0;
        for (int l = 0; l < 3; l++) v += l == m ? -pi[l] * (rate[l * 3 + 0] + rate[l * 3 + 1] + rate[l * 3 + 2]) : pi[l] * rate[l * 3 + m];
        ASSERT_NEAR(v, 0, 1e-12);
    }
    ASSERT_NEAR(pi[0] + pi[1] + pi[2], 1, 1e-12);
    static const double r2[4] = {0, 1.5, 0.4, 0};
    double p2[2];
    ASSERT_EQ_INT(sk_avail_stationary(2, r2, p2), 0);
    ASSERT_NEAR(p2[0], 0.4 / 1.9, 1e-12);
    /* a reducible chain: power iteration from uniform (state 1 absorbing: all mass there) */
    static const double r3[4] = {0, 2.0, 0, 0};
    ASSERT_EQ_INT(sk_avail_stationary(2, r3, p2), 0);
    ASSERT_NEAR(p2[1], 1, 1e-9);
    /* start levels drawn from pi: 4000 streams */
    int cnt[3] = {0};
    for (int i = 0; i < 4000; i++) {
        sk_rng r;
        sk_rng_init(&r, NULL, 9, (uint64_t)i, 1);
        sk_avail_model *m = sk_avail_markov_new(3, cap, rate, -1, 0, 0);
        sk_avail_step s;
        sk_avail_next(m, &r, &s);
        cnt[s.cap / 4]++;
        sk_avail_free(m);
        sk_rng_fini(&r);
    }
    for (int l = 0; l < 3; l++) ASSERT_NEAR(cnt[l] / 4000.0, pi[l], 0.03);
    /* steps: t0 first, then only level changes; a drop carries the spread; times increase */
    sk_rng r;
    sk_rng_init(&r, NULL, 1, 2, 3);
    sk_avail_model *m = sk_avail_markov_new(3, cap, rate, 2, 7 * SK_SEC, 180 * SK_SEC);
    sk_avail_step s;
    ASSERT_EQ_INT(sk_avail_next(m, &r, &s), 1);
    ASSERT_EQ_I64(s.t, 7 * SK_SEC);
    ASSERT_EQ_INT(s.cap, 8);
    int32_t prev = 8;
    sk_time pt = s.t;
    int bad = 0;
    for (int i = 0; i < 1000; i++) {
        if (sk_avail_next(m, &r, &s) != 1) bad++;
        bad += s.cap == prev || s.t < pt || s.spread != (s.cap < prev ? 180 * SK_SEC : 0) || s.shock != 0;
        prev = s.cap, pt = s.t;
    }
    ASSERT_EQ_INT(bad, 0);
    sk_avail_free(m);
    /* absorbing level: no step after the first */
    static const double ra[4] = {0, 0, 1.0, 0};
    m = sk_avail_markov_new(2, cap, ra, 0, 0, 0);
    ASSERT_EQ_INT(sk_avail_next(m, &r, &s), 1);
    ASSERT_EQ_INT(sk_avail_next(m, &r, &s), 0);
    sk_avail_free(m);
    sk_rng_fini(&r);
    ASSERT_TRUE(sk_avail_markov_new(2, cap, ra, 2, 0, 0) == NULL);
}

/* ---- hazard ----------------------------------------------------------------------------------- */

/* 200 instances kept live; each reclaim event takes each with probability shock. Over 20000 h at
 * 0.05 per instance-hour with group_frac 0.25: ~4000 events (rate / frac = 0.2/h), mean group 50.
 * A model that fired events at `rate` would give 0.0125 per instance-hour. */
static void test_hazard(void) {
    const double rate = 0.05, frac = 0.25, hours = 20000;
    const int N = 200;
    sk_rng r;
    sk_rng_init(&r, NULL, 11, 0, 4);
    sk_avail_model *m = sk_avail_hazard_new(rate, frac, 180 * SK_SEC, 3 * SK_SEC);
    sk_avail_step s;
    ASSERT_EQ_INT(sk_avail_next(m, &r, &s), 1);
    ASSERT_EQ_I64(s.t, 3 * SK_SEC);
    ASSERT_EQ_INT(s.cap, SK_CAP_INF);
    int64_t events = 0, reclaimed = 0, bad = 0;
    double sumsq = 0;
    while (sk_avail_next(m, &r, &s) && s.t < sk_time_from(hours, SK_HOUR)) {
        bad += s.cap != SK_CAP_SAME || s.shock != (float)frac || s.spread != 180 * SK_SEC;
        unsigned g = gsl_ran_binomial(r.g, s.shock, (unsigned)N);
        events++;
        reclaimed += g;
        sumsq += (double)g * g;
    }
    sk_avail_free(m);
    /* group_frac 1: every event takes the whole pool */
    m = sk_avail_hazard_new(rate, 1.0, 0, 0);
    sk_avail_next(m, &r, &s);
    int one = sk_avail_next(m, &r, &s);
    float shock1 = s.shock;
    sk_avail_free(m);
    sk_rng_fini(&r);
    ASSERT_EQ_INT(one, 1);
    ASSERT_TRUE(shock1 == 1.0f);
    ASSERT_EQ_I64(bad, 0);
    ASSERT_NEAR(reclaimed / (N * hours), rate, 0.05 * rate);
    ASSERT_NEAR(events / hours, rate / frac, 0.05 * rate / frac);
    double mean = (double)reclaimed / events, var = sumsq / events - mean * mean;
    ASSERT_NEAR(mean, frac * N, 0.03 * frac * N);
    ASSERT_NEAR(var, N * frac * (1 - frac), 0.15 * N * frac * (1 - frac)); /* binomial groups */
    ASSERT_TRUE(sk_avail_hazard_new(rate, 0, 0, 0) == NULL);
    ASSERT_TRUE(sk_avail_hazard_new(rate, 1.5, 0, 0) == NULL);
}

static void test_bucket_rates(void) {
    static const double want[5] = {3.470094e-05, 1.068552e-04, 1.830200e-04, 2.636676e-04, 3.943011e-04};
    for (int b = 0; b < 5; b++) {
        ASSERT_NEAR(sk_avail_bucket_rate(b) / want[b], 1, 1e-6);
        if (b) ASSERT_TRUE(sk_avail_bucket_rate(b) > sk_avail_bucket_rate(b - 1));
        /* the monthly interruption share it implies is the bucket's representative share */
        double f = 1 - exp(-sk_avail_bucket_rate(b) * 30.4 * 24);
        ASSERT_NEAR(f, b < 4 ? 0.025 + 0.05 * b : 0.25, 1e-12);
    }
    ASSERT_TRUE(isnan(sk_avail_bucket_rate(5)) && isnan(sk_avail_bucket_rate(-1)));
}

static void test_advisor(void) {
    const char *root = t_traces_root();
    if (!root) SK_T_FAIL_("no traces");
    char p[4096];
    snprintf(p, sizeof p, "%s/aws-spot-advisor/gpu_accel_interruption_2025-06-28.csv", root);
    sk_advisor *a;
    ASSERT_EQ_INT(sk_advisor_load(&a, p, t_err, sizeof t_err), 0);
    int g5 = sk_advisor_bucket(a, "us-east-1", "g5.xlarge"), g4 = sk_advisor_bucket(a, "us-east-1", "g4dn.xlarge");
    int p4 = sk_advisor_bucket(a, "us-east-1", "p4d.24xlarge"), p5 = sk_advisor_bucket(a, "us-east-1", "p5.48xlarge");
    int af = sk_advisor_bucket(a, "af-south-1", "g4dn.4xlarge"); /* Linux 4, Windows 0 */
    int none = sk_advisor_bucket(a, "us-east-1", "m5.large"), nor = sk_advisor_bucket(a, "mars-1", "g5.xlarge");
    sk_advisor_free(a);
    ASSERT_EQ_INT(g5, 4);
    ASSERT_EQ_INT(g4, 3);
    ASSERT_EQ_INT(p4, 2);
    ASSERT_EQ_INT(p5, 4);
    ASSERT_EQ_INT(af, 4);
    ASSERT_EQ_INT(none, -1);
    ASSERT_EQ_INT(nor, -1);
    t_tmpfile(p, sizeof p, ".csv", "region,os,instance_type,interruption_bucket\nus-east-1,Linux,g5.xlarge,7\n");
    ASSERT_EQ_INT(sk_advisor_load(&a, p, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":2: field 4 (interruption_bucket)");
    unlink(p);
    t_tmpfile(p, sizeof p, ".csv", "region,os,instance_type,interruption_bucket\nus-east-1,Linux,g5.xlarge,1\nus-east-1,Linux,g5.xlarge,2\n");
    ASSERT_EQ_INT(sk_advisor_load(&a, p, t_err, sizeof t_err), SK_EDATA);
    ASSERT_STR_CONTAINS(t_err, ":3: us-east-1 g5.xlarge given twice (also line 2)");
    unlink(p);
}

/* ---- determinism ------------------------------------------------------------------------------ */

static void t_stream(int which, uint64_t seed, sk_avail_step *out, int n) {
    static const int32_t cap[3] = {0, 4, 8};
    static const double rate[9] = {0, 0.6, 0.2, 0.5, 0, 1.0, 0.1, 0.8, 0};
    sk_rng r;
    sk_rng_init(&r, NULL, seed, 0, 0);
    sk_avail_model *m = which ? sk_avail_hazard_new(0.1, 0.3, SK_MINUTE, 0) : sk_avail_markov_new(3, cap, rate, -1, 0, SK_MINUTE);
    memset(out, 0, (size_t)n * sizeof *out);
    for (int i = 0; i < n; i++) sk_avail_next(m, &r, &out[i]);
    sk_avail_free(m);
    sk_rng_fini(&r);
}

static void test_determinism(void) {
    enum { N = 2000 };
    static sk_avail_step a[N], b[N], c[N];
    for (int which = 0; which < 2; which++) {
        t_stream(which, 42, a, N);
        t_stream(which, 42, b, N);
        t_stream(which, 43, c, N);
        ASSERT_TRUE(!memcmp(a, b, sizeof a));
        ASSERT_TRUE(memcmp(a, c, sizeof a) != 0);
    }
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"load_spot_availability", test_load_spot_availability},
        {"load_spothedge", test_load_spothedge},
        {"load_converted", test_load_converted},
        {"converted_aws_is_aws1", test_converted_aws_is_aws1},
        {"load_bamboo", test_load_bamboo},
        {"conventions", test_conventions},
        {"load_errors", test_load_errors},
        {"replay", test_replay},
        {"replay_trace", test_replay_trace},
        {"markov_fit_small", test_markov_fit_small},
        {"markov_fit_two_state", test_markov_fit_two_state},
        {"markov_fit_three_levels", test_markov_fit_three_levels},
        {"markov_model", test_markov_model},
        {"hazard", test_hazard},
        {"bucket_rates", test_bucket_rates},
        {"advisor", test_advisor},
        {"determinism", test_determinism},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
