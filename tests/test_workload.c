/* test_workload.c - batch job workloads and machine fleets (models/sk_workload): the real job
 * traces (gpu-jobs/ms-itp-elasticflow/, gpu-jobs/philly-dre-subset/) and the PAI fleet
 * (gpu-jobs/alibaba-pai2020-machine-spec/nodes.csv) against counts computed independently with
 * python3, loader errors on temporary files, and the synthetic generator's statistics (10^5 jobs,
 * bands of 5 standard errors) and determinism. The shared data is found on the trace search path. */
#include "engine/sk_rng.h"
#include "models/sk_workload.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

#include <dirent.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char t_dir[256];

/* Write text to t_dir/name; path left in buf. */
static int t_write(char *buf, size_t len, const char *name, const char *text) {
    return t_write_in(buf, len, t_dir, name, text);
}

static int t_sorted(const sk_jobs *j) {
    for (int64_t i = 1; i < j->n; i++)
        if (j->j[i].submit_s < j->j[i - 1].submit_s) return 0;
    return 1;
}

/* Jobs with exactly g GPUs. */
static int64_t t_count_gpus(const sk_jobs *j, int g) {
    int64_t c = 0;
    for (int64_t i = 0; i < j->n; i++) c += j->j[i].gpus == g;
    return c;
}

/* ---- real traces (numbers from python3 csv over the same files) ------------------------------- */

static void t_elasticflow(void) {
    NEED_DATA(root);
    char p[4096], err[512] = "";
    sk_jobs j;
    int rc = sk_jobs_load(&j, t_data(p, sizeof p, root, "gpu-jobs/ms-itp-elasticflow/jobs.csv"), NULL, 0, 1.0, 0, err,
                          sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_I64(j.n, 69351);
    /* upstream README: 1,632,719.7 GPU-hours; python3: 1632719.740277778 */
    ASSERT_NEAR(sk_jobs_gpu_hours(&j), 1632719.740277778, 1e-6);
    ASSERT_TRUE(t_sorted(&j));
    /* first rows: 1999,1,,13423 and 1999,1,,12477 (equal times keep file order); last 5175336,8,,3738 */
    ASSERT_NEAR(j.j[0].submit_s, 0, 0);
    ASSERT_EQ_INT(j.j[0].gpus, 1);
    ASSERT_NEAR(j.j[0].work_s, 13423, 0);
    ASSERT_NEAR(j.j[1].submit_s, 0, 0);
    ASSERT_NEAR(j.j[1].work_s, 12477, 0);
    ASSERT_NEAR(j.j[2].submit_s, 2, 0);
    ASSERT_NEAR(j.j[j.n - 1].submit_s, 5175336 - 1999, 0);
    ASSERT_EQ_INT(j.j[j.n - 1].gpus, 8);
    ASSERT_NEAR(j.j[j.n - 1].work_s, 3738, 0);
    static const int g[7] = {1, 2, 4, 8, 16, 32, 64};
    static const int64_t cnt[7] = {57682, 1483, 2371, 7009, 381, 354, 71};
    for (int i = 0; i < 7; i++) ASSERT_EQ_I64(t_count_gpus(&j, g[i]), cnt[i]);
    int64_t typed = 0;
    for (int64_t i = 0; i < j.n; i++) typed += j.j[i].gpu_type != -1;
    ASSERT_EQ_I64(typed, 0); /* the source has no GPU model */
    sk_jobs_fini(&j);
}

static void t_philly(void) {
    NEED_DATA(root);
    char p[4096], err[512] = "";
    sk_jobs j;
    int rc = sk_jobs_load(&j, t_data(p, sizeof p, root, "gpu-jobs/philly-dre-subset/jobs.csv"), NULL, 0, 1.0, 0, err,
                          sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_I64(j.n, 4206);
    ASSERT_NEAR(sk_jobs_gpu_hours(&j), 757050.7383333333, 1e-6);
    ASSERT_TRUE(t_sorted(&j));
    ASSERT_NEAR(j.j[0].submit_s, 0, 0);
    ASSERT_EQ_INT(j.j[0].gpus, 8);
    ASSERT_NEAR(j.j[0].work_s, 223351, 0);
    ASSERT_NEAR(j.j[j.n - 1].submit_s, 11074093 - 3648335, 0);
    ASSERT_NEAR(j.j[j.n - 1].work_s, 9484, 0);
    ASSERT_EQ_I64(t_count_gpus(&j, 1), 0); /* >= 2 GPUs by the publisher's filter */
    ASSERT_EQ_I64(t_count_gpus(&j, 4), 1843);
    ASSERT_EQ_I64(t_count_gpus(&j, 128), 3);
    sk_jobs_fini(&j);
}

/* time_scale multiplies submit and work after the shift; limit keeps the earliest jobs. */
static void t_scale_limit(void) {
    NEED_DATA(root);
    char p[4096], err[512] = "";
    sk_jobs a, b;
    t_data(p, sizeof p, root, "gpu-jobs/ms-itp-elasticflow/jobs.csv");
    ASSERT_EQ_INT(sk_jobs_load(&a, p, NULL, 0, 1.0, 0, err, sizeof err), 0);
    int rc = sk_jobs_load(&b, p, NULL, 0, 0.25, 1000, err, sizeof err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_I64(b.n, 1000);
    int same = 1;
    for (int64_t i = 0; i < b.n; i++)
        same &= b.j[i].submit_s == a.j[i].submit_s * 0.25 && b.j[i].work_s == a.j[i].work_s * 0.25 &&
                b.j[i].gpus == a.j[i].gpus;
    sk_jobs_fini(&a);
    sk_jobs_fini(&b);
    ASSERT_TRUE(same);
    ASSERT_EQ_INT(sk_jobs_load(&b, p, NULL, 0, 0.0, 0, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, "time_scale");
    ASSERT_TRUE(b.n == 0 && b.j == NULL);
}

/* Columns found by name in any order, unsorted rows sorted stably, gpu_type by name, CRLF. */
static void t_unsorted_types(void) {
    char p[512], err[512] = "";
    static const char text[] = "job,gpu_type,duration_s,gpus,submit_time_s\r\n"
                               "a,V100,10,1,500\r\n"
                               "b,,20,2,100\r\n"
                               "c,A100,30,4,500\r\n"
                               "d,H100,40,8,100.5\r\n"
                               "e,V100,50,1,100\r\n";
    ASSERT_EQ_INT(t_write(p, sizeof p, "unsorted.csv", text), 0);
    static const char *const names[] = {"A100", "V100"};
    sk_jobs j;
    int rc = sk_jobs_load(&j, p, names, 2, 1.0, 0, err, sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_I64(j.n, 5);
    /* by time: b(100) e(100) d(100.5) a(500) c(500) */
    static const double work[5] = {20, 50, 40, 10, 30}, sub[5] = {0, 0, 0.5, 400, 400};
    static const int type[5] = {-1, 1, -1, 1, 0}, gpus[5] = {2, 1, 8, 1, 4};
    for (int i = 0; i < 5; i++) {
        ASSERT_NEAR(j.j[i].work_s, work[i], 0);
        ASSERT_NEAR(j.j[i].submit_s, sub[i], 0);
        ASSERT_EQ_INT(j.j[i].gpu_type, type[i]);
        ASSERT_EQ_INT(j.j[i].gpus, gpus[i]);
    }
    sk_jobs_fini(&j);
}

/* 5000 rows with 50 distinct times in random order: the result is the (time, row) order. The row
 * number rides in duration_s. */
static void t_stable_sort(void) {
    enum { N = 5000 };
    static char text[N * 32 + 64];
    size_t off = (size_t)snprintf(text, sizeof text, "submit_time_s,gpus,duration_s\n");
    uint64_t x = 12345;
    int tm[N];
    for (int i = 0; i < N; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        tm[i] = (int)(x >> 33) % 50;
        off += (size_t)snprintf(text + off, sizeof text - off, "%d,1,%d\n", 1000 + tm[i], i + 1);
    }
    char p[512], err[512] = "";
    ASSERT_EQ_INT(t_write(p, sizeof p, "shuffled.csv", text), 0);
    sk_jobs j;
    ASSERT_EQ_INT(sk_jobs_load(&j, p, NULL, 0, 1.0, 0, err, sizeof err), 0);
    ASSERT_EQ_I64(j.n, N);
    int k = 0, ok = 1, t0 = 50;
    for (int i = 0; i < N; i++) t0 = tm[i] < t0 ? tm[i] : t0;
    for (int t = 0; t < 50; t++)
        for (int i = 0; i < N; i++)
            if (tm[i] == t) {
                ok &= j.j[k].work_s == i + 1 && j.j[k].submit_s == t - t0;
                k++;
            }
    sk_jobs_fini(&j);
    ASSERT_TRUE(ok);
}

/* Each bad file: the code and the message naming file:line and the column. */
static void t_load_errors(void) {
    static const struct {
        const char *name, *text, *want;
        int rc;
    } cases[] = {
        {"gpus0.csv", "submit_time_s,gpus,duration_s\n0,1,10\n5,0,10\n", "gpus0.csv:3: field 2 (gpus): expected an integer",
         SK_EDATA},
        {"negdur.csv", "submit_time_s,gpus,gpu_type,duration_s\n0,1,,10\n1,2,,5\n\n7,1,,-3\n",
         "negdur.csv:5: field 4 (duration_s): expected a number > 0, got '-3'", SK_EDATA},
        {"zerodur.csv", "submit_time_s,gpus,duration_s\n0,1,0\n", "zerodur.csv:2: field 3 (duration_s)", SK_EDATA},
        {"nocol.csv", "submit_time_s,gpus,runtime\n0,1,10\n", "nocol.csv:1: header has no column 'duration_s'", SK_EDATA},
        {"badsub.csv", "gpus,duration_s,submit_time_s\n1,10,0\n1,10,soon\n",
         "badsub.csv:3: field 3 (submit_time_s): expected a number, got 'soon'", SK_EDATA},
        {"halfgpu.csv", "submit_time_s,gpus,duration_s\n0,1.5,10\n", "halfgpu.csv:2: field 2 (gpus)", SK_EDATA},
        {"short.csv", "submit_time_s,gpus,duration_s\n0,1,10\n1,2\n", "short.csv:3: expected 3 fields as in the header, got 2",
         SK_EDATA},
        {"empty.csv", "", "empty.csv: empty file", SK_EDATA},
        {"header.csv", "submit_time_s,gpus,duration_s\n", "header.csv: no job rows", SK_EDATA},
        {"quote.csv", "submit_time_s,gpus,duration_s\n0,1,10\n1,\"2,10\n", "quote.csv:3: CSV syntax", SK_EDATA},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char p[512], err[512] = "";
        ASSERT_EQ_INT(t_write(p, sizeof p, cases[i].name, cases[i].text), 0);
        sk_jobs j;
        ASSERT_EQ_INT(sk_jobs_load(&j, p, NULL, 0, 1.0, 0, err, sizeof err), cases[i].rc);
        ASSERT_STR_CONTAINS(err, cases[i].want);
        ASSERT_TRUE(j.n == 0 && j.j == NULL);
    }
    char err[512] = "";
    sk_jobs j;
    ASSERT_EQ_INT(sk_jobs_load(&j, "/nonexistent/jobs.csv", NULL, 0, 1.0, 0, err, sizeof err), SK_ENOINPUT);
    ASSERT_STR_CONTAINS(err, "/nonexistent/jobs.csv");
}

/* ---- the PAI fleet ---------------------------------------------------------------------------- */

static void t_pai_fleet(void) {
    NEED_DATA(root);
    char p[4096], err[512] = "";
    sk_machines m;
    int rc = sk_machines_load(&m, t_data(p, sizeof p, root, "gpu-jobs/alibaba-pai2020-machine-spec/nodes.csv"), err,
                              sizeof err);
    if (rc) fprintf(stderr, "  %s\n", err);
    ASSERT_EQ_INT(rc, 0);
    /* 1,897 rows = 1,814 GPU machines + 83 CPU-only; 6,742 GPUs either way (python3) */
    ASSERT_EQ_I64(sk_machines_count(&m), 1814);
    ASSERT_EQ_I64(sk_machines_gpus(&m), 6742);
    ASSERT_EQ_INT(m.n, 5);
    static const struct {
        const char *gpu;
        int gpus;
        int64_t count;
        double cpu, mem;
    } want[5] = {{"MISC", 8, 280, 96, 512},
                 {"P100", 2, 798, 64, 512},
                 {"T4", 2, 497, 96, 512},
                 {"V100", 8, 104, 96, (59 * 512.0 + 45 * 384.0) / 104},
                 {"V100M32", 8, 135, 96, 384}};
    for (int i = 0; i < 5 && i < m.n; i++) {
        ASSERT_STR_CONTAINS(m.g[i].gpu, want[i].gpu);
        ASSERT_EQ_INT(strlen(m.g[i].gpu), strlen(want[i].gpu));
        ASSERT_EQ_INT(m.g[i].gpus, want[i].gpus);
        ASSERT_EQ_I64(m.g[i].count, want[i].count);
        ASSERT_NEAR(m.g[i].vcpus, want[i].cpu, 1e-12);
        ASSERT_NEAR(m.g[i].mem_gb, want[i].mem, 1e-9);
    }
    sk_machines_fini(&m);
}

static void t_machine_errors(void) {
    static const struct {
        const char *name, *text, *want;
    } cases[] = {
        {"m_gpus.csv", "node,gpu_model,gpus,cpu,mem_gb\na,T4,2,96,512\nb,T4,-1,96,512\n", "m_gpus.csv:3: field 3 (gpus)"},
        {"m_mem.csv", "gpu_model,gpus,cpu,mem_gb\nT4,2,96,lots\n", "m_mem.csv:2: field 4 (mem_gb)"},
        {"m_col.csv", "node,gpu_model,gpus,cpu\na,T4,2,96\n", "m_col.csv:1: header has no column 'mem_gb'"},
        {"m_cpu.csv", "node,gpu_model,gpus,cpu,mem_gb\na,CPU,0,96,512\n", "m_cpu.csv: no machine with GPUs in 1 rows"},
        {"m_name.csv", "node,gpu_model,gpus,cpu,mem_gb\na,,8,96,512\n", "m_name.csv:2: field 2 (gpu_model)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char p[512], err[512] = "";
        ASSERT_EQ_INT(t_write(p, sizeof p, cases[i].name, cases[i].text), 0);
        sk_machines m;
        ASSERT_EQ_INT(sk_machines_load(&m, p, err, sizeof err), SK_EDATA);
        ASSERT_STR_CONTAINS(err, cases[i].want);
        ASSERT_TRUE(m.n == 0 && m.g == NULL);
    }
}

/* Grouping and the means on a small file: shapes in any order, sorted by (model, gpus). */
static void t_machine_groups(void) {
    char p[512], err[512] = "";
    ASSERT_EQ_INT(t_write(p, sizeof p, "m_ok.csv",
                          "mem_gb,cpu,gpus,gpu_model\n100,10,8,V100\n200,20,4,A100\n300,30,8,V100\n0,1,0,CPU\n50,5,8,A100\n"),
                  0);
    sk_machines m;
    ASSERT_EQ_INT(sk_machines_load(&m, p, err, sizeof err), 0);
    ASSERT_EQ_INT(m.n, 3);
    if (m.n != 3) return;
    ASSERT_TRUE(!strcmp(m.g[0].gpu, "A100") && m.g[0].gpus == 4 && m.g[0].count == 1);
    ASSERT_TRUE(!strcmp(m.g[1].gpu, "A100") && m.g[1].gpus == 8 && m.g[1].count == 1);
    ASSERT_TRUE(!strcmp(m.g[2].gpu, "V100") && m.g[2].gpus == 8 && m.g[2].count == 2);
    ASSERT_NEAR(m.g[2].mem_gb, 200, 0);
    ASSERT_NEAR(m.g[2].vcpus, 20, 0);
    ASSERT_EQ_I64(sk_machines_gpus(&m), 4 + 8 + 16);
    sk_machines_fini(&m);
}

/* ---- synthetic streams ------------------------------------------------------------------------ */

/* Mean and coefficient of variation of the n-1 inter-arrival gaps. */
static void t_gaps(const sk_jobs *j, double *mean, double *cv) {
    double s = 0, s2 = 0;
    int64_t n = j->n - 1;
    for (int64_t i = 1; i < j->n; i++) s += j->j[i].submit_s - j->j[i - 1].submit_s;
    *mean = s / (double)n;
    for (int64_t i = 1; i < j->n; i++) {
        double d = j->j[i].submit_s - j->j[i - 1].submit_s - *mean;
        s2 += d * d;
    }
    *cv = sqrt(s2 / (double)(n - 1)) / *mean;
}

enum { T_N = 100000 };

/* Arrivals: mean gap 3600/rate to 5 standard errors of the mean (sd = cv * mean / sqrt(n)); CV of
 * the gaps to 5 standard errors of the sample CV (delta method with the Gamma kurtosis 6/k). */
static void t_synth_arrivals(void) {
    static const struct {
        sk_arrival_kind kind;
        double cv;
    } cases[] = {{SK_ARR_POISSON, 1}, {SK_ARR_GAMMA, 0.5}, {SK_ARR_GAMMA, 2}, {SK_ARR_GAMMA, 6}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        sk_rng r;
        ASSERT_EQ_INT(sk_rng_init(&r, NULL, 42, c, 0), 0);
        sk_synth p = {.arrival = cases[c].kind, .rate_per_h = 60, .cv = cases[c].cv, .n = T_N, .length = SK_LEN_EXP,
                      .len_mean_s = 3600};
        sk_jobs j;
        char err[256] = "";
        ASSERT_EQ_INT(sk_jobs_synth(&j, &p, &r, err, sizeof err), 0);
        sk_rng_fini(&r);
        ASSERT_EQ_I64(j.n, T_N);
        ASSERT_NEAR(j.j[0].submit_s, 0, 0);
        ASSERT_TRUE(t_sorted(&j));
        double mean, cv, k = 1 / (cases[c].cv * cases[c].cv);
        t_gaps(&j, &mean, &cv);
        sk_jobs_fini(&j);
        double se_mean = cases[c].cv * 60 / sqrt(T_N);
        /* sample CV: var(s^2)/sigma^4 ~ (2 + 6/k)/n, so se(cv)/cv ~ sqrt((2 + 6/k)/n)/2 (plus the
         * mean's share, cv^2/n, small) */
        double se_cv = cases[c].cv * sqrt((2 + 6 / k) / T_N) / 2 + cases[c].cv * cases[c].cv / sqrt(T_N);
        ASSERT_NEAR(mean, 60, 5 * se_mean);
        ASSERT_NEAR(cv, cases[c].cv, 5 * se_cv);
    }
}

/* Size frequencies match the weights (binomial bands of 5 sd), weight 0 never drawn; exponential
 * mean and lognormal median/log-sd within 5 standard errors. */
static void t_synth_sizes_lengths(void) {
    static const int32_t g[5] = {1, 2, 4, 8, 16};
    static const double w[5] = {5, 1, 2, 2, 0};
    sk_rng r;
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 7, 0, 0), 0);
    sk_synth p = {.rate_per_h = 10, .n = T_N, .length = SK_LEN_EXP, .len_mean_s = 1000, .size_gpus = g, .size_w = w,
                  .nsizes = 5};
    sk_jobs j;
    char err[256] = "";
    ASSERT_EQ_INT(sk_jobs_synth(&j, &p, &r, err, sizeof err), 0);
    for (int i = 0; i < 5; i++) {
        double pi = w[i] / 10, c = (double)t_count_gpus(&j, g[i]);
        ASSERT_NEAR(c, pi * T_N, 5 * sqrt(T_N * pi * (1 - pi)));
    }
    ASSERT_EQ_I64(t_count_gpus(&j, 16), 0);
    double s = 0, mn = HUGE_VAL;
    for (int64_t i = 0; i < j.n; i++) {
        s += j.j[i].work_s;
        if (j.j[i].work_s < mn) mn = j.j[i].work_s;
    }
    ASSERT_NEAR(s / T_N, 1000, 5 * 1000 / sqrt(T_N));
    ASSERT_TRUE(mn > 0);
    sk_jobs_fini(&j);

    p.length = SK_LEN_LOGNORMAL;
    p.len_mean_s = 3600;
    p.len_sigma = 1.5;
    p.nsizes = 0; /* every job 1 GPU */
    ASSERT_EQ_INT(sk_jobs_synth(&j, &p, &r, err, sizeof err), 0);
    sk_rng_fini(&r);
    ASSERT_EQ_I64(t_count_gpus(&j, 1), T_N);
    double sl = 0, sl2 = 0;
    int64_t below = 0;
    for (int64_t i = 0; i < j.n; i++) {
        double l = log(j.j[i].work_s / 3600);
        sl += l;
        sl2 += l * l;
        below += j.j[i].work_s < 3600;
    }
    double ml = sl / T_N, sdl = sqrt(sl2 / T_N - ml * ml);
    ASSERT_NEAR(ml, 0, 5 * 1.5 / sqrt(T_N));                   /* mean of log = log(median) */
    ASSERT_NEAR(sdl, 1.5, 5 * 1.5 / sqrt(2.0 * T_N));          /* se of a normal sd */
    ASSERT_NEAR((double)below, T_N / 2.0, 5 * sqrt(T_N / 4.0)); /* half below the median */
    sk_jobs_fini(&j);
}

/* Empirical: every job is one of the mix's (gpus, work, type) triples, each about 1/3 of the time. */
static void t_synth_empirical(void) {
    sk_jobspec mj[3] = {{0, 100, 2, -1}, {5, 7200, 8, 1}, {9, 50, 1, 0}};
    sk_jobs mix = {3, mj};
    sk_rng r;
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 9, 0, 0), 0);
    sk_synth p = {.rate_per_h = 100, .n = 30000, .length = SK_LEN_EMPIRICAL, .mix = &mix};
    sk_jobs j;
    char err[256] = "";
    ASSERT_EQ_INT(sk_jobs_synth(&j, &p, &r, err, sizeof err), 0);
    sk_rng_fini(&r);
    int64_t c[3] = {0, 0, 0}, other = 0;
    for (int64_t i = 0; i < j.n; i++) {
        int hit = 0;
        for (int k = 0; k < 3; k++)
            if (j.j[i].gpus == mj[k].gpus && j.j[i].work_s == mj[k].work_s && j.j[i].gpu_type == mj[k].gpu_type) {
                c[k]++;
                hit = 1;
            }
        other += !hit;
    }
    sk_jobs_fini(&j);
    ASSERT_EQ_I64(other, 0);
    for (int k = 0; k < 3; k++) ASSERT_NEAR((double)c[k], 10000, 5 * sqrt(30000 * (1 / 3.0) * (2 / 3.0)));
}

/* Empirical from the Philly subset: the size mix follows the trace's (4 GPUs: 1843/4206). */
static void t_synth_philly_mix(void) {
    NEED_DATA(root);
    char p[4096], err[512] = "";
    sk_jobs mix, j;
    ASSERT_EQ_INT(sk_jobs_load(&mix, t_data(p, sizeof p, root, "gpu-jobs/philly-dre-subset/jobs.csv"), NULL, 0, 1, 0, err,
                               sizeof err),
                  0);
    sk_rng r;
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 11, 0, 0), 0);
    sk_synth s = {.arrival = SK_ARR_GAMMA, .cv = 2, .rate_per_h = 30, .n = T_N, .length = SK_LEN_EMPIRICAL, .mix = &mix};
    ASSERT_EQ_INT(sk_jobs_synth(&j, &s, &r, err, sizeof err), 0);
    sk_rng_fini(&r);
    double p4 = 1843.0 / 4206;
    ASSERT_NEAR((double)t_count_gpus(&j, 4), p4 * T_N, 5 * sqrt(T_N * p4 * (1 - p4)));
    ASSERT_EQ_I64(t_count_gpus(&j, 1), 0);
    sk_jobs_fini(&j);
    sk_jobs_fini(&mix);
}

/* Horizon only: jobs stop before it; the count is Poisson(rate * horizon). */
static void t_synth_horizon(void) {
    sk_rng r;
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 5, 0, 0), 0);
    sk_synth p = {.rate_per_h = 60, .horizon_s = 100 * 3600.0, .length = SK_LEN_EXP, .len_mean_s = 60};
    sk_jobs j;
    char err[256] = "";
    ASSERT_EQ_INT(sk_jobs_synth(&j, &p, &r, err, sizeof err), 0);
    sk_rng_fini(&r);
    ASSERT_NEAR((double)j.n, 6000, 5 * sqrt(6000.0));
    ASSERT_TRUE(j.n > 0 && j.j[j.n - 1].submit_s < p.horizon_s);
    sk_jobs_fini(&j);
    /* n and horizon together: whichever comes first */
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 5, 0, 0), 0);
    p.n = 100;
    ASSERT_EQ_INT(sk_jobs_synth(&j, &p, &r, err, sizeof err), 0);
    sk_rng_fini(&r);
    ASSERT_EQ_I64(j.n, 100);
    sk_jobs_fini(&j);
}

/* Same seed, same jobs bit for bit; another stream, other jobs. */
static void t_synth_determinism(void) {
    static const int32_t g[3] = {1, 4, 8};
    static const double w[3] = {0.6, 0.3, 0.1};
    sk_synth p = {.arrival = SK_ARR_GAMMA, .cv = 3, .rate_per_h = 200, .n = 20000, .length = SK_LEN_LOGNORMAL,
                  .len_mean_s = 1800, .len_sigma = 1, .size_gpus = g, .size_w = w, .nsizes = 3};
    sk_jobs a, b, c;
    sk_rng r;
    char err[256] = "";
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 123, 4, 1), 0);
    ASSERT_EQ_INT(sk_jobs_synth(&a, &p, &r, err, sizeof err), 0);
    sk_rng_fini(&r);
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 123, 4, 1), 0);
    ASSERT_EQ_INT(sk_jobs_synth(&b, &p, &r, err, sizeof err), 0);
    sk_rng_fini(&r);
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 123, 5, 1), 0);
    ASSERT_EQ_INT(sk_jobs_synth(&c, &p, &r, err, sizeof err), 0);
    sk_rng_fini(&r);
    ASSERT_TRUE(a.n == b.n && a.n == c.n);
    ASSERT_TRUE(!memcmp(a.j, b.j, (size_t)a.n * sizeof *a.j));
    ASSERT_TRUE(memcmp(a.j, c.j, (size_t)a.n * sizeof *a.j) != 0);
    sk_jobs_fini(&a);
    sk_jobs_fini(&b);
    sk_jobs_fini(&c);
}

static void t_synth_errors(void) {
    static const int32_t g[2] = {1, 0};
    static const double w[2] = {1, 1}, w0[2] = {0, 0};
    sk_synth base = {.rate_per_h = 60, .n = 10, .length = SK_LEN_EXP, .len_mean_s = 60};
    struct {
        sk_synth p;
        const char *want;
    } cases[8];
    for (int i = 0; i < 8; i++) cases[i].p = base;
    cases[0].p.rate_per_h = 0, cases[0].want = "rate_per_h";
    cases[1].p.arrival = SK_ARR_GAMMA, cases[1].want = "cv";
    cases[2].p.n = 0, cases[2].want = "horizon_s";
    cases[3].p.len_mean_s = -1, cases[3].want = "len_mean_s";
    cases[4].p.length = SK_LEN_EMPIRICAL, cases[4].want = "mix";
    cases[5].p.size_gpus = g, cases[5].p.size_w = w, cases[5].p.nsizes = 2, cases[5].want = "size 1: gpus";
    cases[6].p.size_gpus = g, cases[6].p.size_w = w0, cases[6].p.nsizes = 1, cases[6].want = "sum to 0";
    cases[7].p.length = SK_LEN_LOGNORMAL, cases[7].p.len_sigma = -1, cases[7].want = "len_sigma";
    sk_rng r;
    ASSERT_EQ_INT(sk_rng_init(&r, NULL, 1, 0, 0), 0);
    for (int i = 0; i < 8; i++) {
        sk_jobs j;
        char err[256] = "";
        int rc = sk_jobs_synth(&j, &cases[i].p, &r, err, sizeof err);
        if (rc != SK_ECONFIG) fprintf(stderr, "  case %d\n", i);
        ASSERT_EQ_INT(rc, SK_ECONFIG);
        ASSERT_STR_CONTAINS(err, cases[i].want);
        ASSERT_TRUE(j.n == 0 && j.j == NULL);
    }
    sk_rng_fini(&r);
}

/* Not an assertion of numbers: prints what docs/fleet_workload.md quotes, from the code. */
static void t_print_stats(void) {
    NEED_DATA(root);
    char p[4096], err[512] = "";
    sk_machines m;
    ASSERT_EQ_INT(sk_machines_load(&m, t_data(p, sizeof p, root, "gpu-jobs/alibaba-pai2020-machine-spec/nodes.csv"), err,
                                   sizeof err),
                  0);
    printf("  PAI fleet: %lld machines, %lld GPUs, %d groups\n", (long long)sk_machines_count(&m),
           (long long)sk_machines_gpus(&m), m.n);
    for (int i = 0; i < m.n; i++)
        printf("    %-8s x%-2d %5lld machines %5lld GPUs  %4.0f vCPUs %6.1f GB\n", m.g[i].gpu, (int)m.g[i].gpus,
               (long long)m.g[i].count, (long long)(m.g[i].count * m.g[i].gpus), m.g[i].vcpus, m.g[i].mem_gb);
    sk_machines_fini(&m);
    static const char *const f[2] = {"gpu-jobs/ms-itp-elasticflow/jobs.csv", "gpu-jobs/philly-dre-subset/jobs.csv"};
    for (int k = 0; k < 2; k++) {
        sk_jobs j;
        ASSERT_EQ_INT(sk_jobs_load(&j, t_data(p, sizeof p, root, f[k]), NULL, 0, 1, 0, err, sizeof err), 0);
        double work = 0;
        for (int64_t i = 0; i < j.n; i++) work += j.j[i].work_s;
        printf("  %s: %lld jobs, %.1f GPU-hours, span %.2f d, mean duration %.0f s, sizes", f[k], (long long)j.n,
               sk_jobs_gpu_hours(&j), j.j[j.n - 1].submit_s / 86400, work / (double)j.n);
        for (int g = 1; g <= 128; g++) {
            int64_t c = t_count_gpus(&j, g);
            if (c) printf(" %d:%lld", g, (long long)c);
        }
        printf("\n");
        sk_jobs_fini(&j);
    }
}

static const sk_test tests[] = {
    {"elasticflow", t_elasticflow},
    {"philly", t_philly},
    {"scale_limit", t_scale_limit},
    {"unsorted_types", t_unsorted_types},
    {"stable_sort", t_stable_sort},
    {"load_errors", t_load_errors},
    {"pai_fleet", t_pai_fleet},
    {"machine_errors", t_machine_errors},
    {"machine_groups", t_machine_groups},
    {"synth_arrivals", t_synth_arrivals},
    {"synth_sizes_lengths", t_synth_sizes_lengths},
    {"synth_empirical", t_synth_empirical},
    {"synth_philly_mix", t_synth_philly_mix},
    {"synth_horizon", t_synth_horizon},
    {"synth_determinism", t_synth_determinism},
    {"synth_errors", t_synth_errors},
    {"print_stats", t_print_stats},
    {NULL, NULL},
};

/* `test_workload bench`: the timings quoted in docs/fleet_workload.md (best of 5 loads of the
 * ElasticFlow file; best of 3 runs making 10^6 jobs at 60/h, sizes 1..8 GPUs). Not a test. */
static double t_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int t_bench(void) {
    const char *root = t_traces_root();
    if (!root) return 1;
    char p[4096], err[512] = "";
    sk_jobs j, philly;
    double best = 1e300;
    for (int k = 0; k < 5; k++) {
        double t0 = t_now_ms();
        if (sk_jobs_load(&j, t_data(p, sizeof p, root, "gpu-jobs/ms-itp-elasticflow/jobs.csv"), NULL, 0, 1.0, 0, err,
                         sizeof err) < 0)
            return fprintf(stderr, "%s\n", err), 1;
        best = fmin(best, t_now_ms() - t0);
        if (!k) printf("load ElasticFlow (%lld rows): ", (long long)j.n);
        sk_jobs_fini(&j);
    }
    printf("%.1f ms\n", best);
    if (sk_jobs_load(&philly, t_data(p, sizeof p, root, "gpu-jobs/philly-dre-subset/jobs.csv"), NULL, 0, 1.0, 0, err,
                     sizeof err) < 0)
        return fprintf(stderr, "%s\n", err), 1;
    static const int32_t g[4] = {1, 2, 4, 8};
    static const double w[4] = {0.83, 0.02, 0.03, 0.10};
    static const struct {
        const char *what;
        sk_arrival_kind arr;
        double cv;
        sk_length_kind len;
    } cases[] = {{"Poisson + exponential", SK_ARR_POISSON, 1, SK_LEN_EXP},
                 {"Gamma(cv 2) + lognormal", SK_ARR_GAMMA, 2, SK_LEN_LOGNORMAL},
                 {"Gamma(cv 0.5) + exponential", SK_ARR_GAMMA, 0.5, SK_LEN_EXP},
                 {"Poisson + empirical (Philly)", SK_ARR_POISSON, 1, SK_LEN_EMPIRICAL}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        sk_synth s = {.arrival = cases[c].arr, .rate_per_h = 60, .cv = cases[c].cv, .n = 1000000, .length = cases[c].len,
                      .len_mean_s = 3600, .len_sigma = 1.5, .size_gpus = g, .size_w = w, .nsizes = 4, .mix = &philly};
        best = 1e300;
        for (int k = 0; k < 3; k++) {
            sk_rng r;
            if (sk_rng_init(&r, NULL, 42, c, 0) < 0) return 1;
            double t0 = t_now_ms();
            int rc = sk_jobs_synth(&j, &s, &r, err, sizeof err);
            best = fmin(best, t_now_ms() - t0);
            sk_rng_fini(&r);
            if (rc < 0) return fprintf(stderr, "%s\n", err), 1;
            sk_jobs_fini(&j);
        }
        printf("synth 10^6 jobs, %s: %.1f ms\n", cases[c].what, best);
    }
    /* the statistics table: 10^5 jobs at 60/h, Philly pairs, seed 42, stream c */
    static const double cvs[4] = {1, 0.5, 2, 6};
    for (int c = 0; c < 4; c++) {
        sk_synth s = {.arrival = c ? SK_ARR_GAMMA : SK_ARR_POISSON, .rate_per_h = 60, .cv = cvs[c], .n = T_N,
                      .length = SK_LEN_EMPIRICAL, .mix = &philly};
        sk_rng r;
        if (sk_rng_init(&r, NULL, 42, (uint64_t)c, 0) < 0) return 1;
        int rc = sk_jobs_synth(&j, &s, &r, err, sizeof err);
        sk_rng_fini(&r);
        if (rc < 0) return fprintf(stderr, "%s\n", err), 1;
        double mean, cv;
        t_gaps(&j, &mean, &cv);
        printf("10^5 jobs, cv %g: mean gap %.3f s, CV %.4f, %.0f GPU-hours\n", cvs[c], mean, cv, sk_jobs_gpu_hours(&j));
        sk_jobs_fini(&j);
    }
    sk_jobs_fini(&philly);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "bench")) return t_bench();
    snprintf(t_dir, sizeof t_dir, "%s/sk_workload.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(t_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = sk_test_main(tests, argc, argv);
    DIR *d = opendir(t_dir); /* one level of files, written by t_write */
    for (struct dirent *e; d && (e = readdir(d));) {
        char p[600];
        if (e->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", t_dir, e->d_name);
        unlink(p);
    }
    if (d) closedir(d);
    rmdir(t_dir);
    return rc;
}
