/* test_llmperf.c - the replica performance model (models/sk_llmperf): exact profile medians at
 * profiled counts, interpolation and extrapolation rules, monotonicity, tensor parallelism, fit
 * and KV capacity by hand, load time, GPU scaling, loader errors, the validation bounds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/sk_llmperf.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

static sk_llmperf *open_ok(const char *gpu, const char *model, int tp, unsigned flags) {
    sk_llmperf *p = NULL;
    char err[512];
    if (sk_llmperf_open_ex(&p, gpu, model, tp, flags, err, sizeof err) < 0) {
        fprintf(stderr, "  open %s %s tp %d: %s\n", gpu, model, tp, err);
        return NULL;
    }
    return p;
}

/* The median of `op` at (tokens, tp) read from the CSV independently of the model (mean when the
 * file repeats the count); NAN when absent. */
static double csv_median(const char *path, const char *op, int tokens, int tp) {
    FILE *f = fopen(path, "r");
    if (!f) return NAN;
    static char line[8192];
    char want[96];
    snprintf(want, sizeof want, "time_stats.%s.median", op);
    int cop = -1, ctok = -1, ctp = -1, first = 1;
    double sum = 0;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char *save, *t = strtok_r(line, ",\r\n", &save);
        double v[64];
        int k = 0;
        for (; t && k < 64; t = strtok_r(NULL, ",\r\n", &save), k++) {
            if (first) {
                if (!strcmp(t, want)) cop = k;
                if (!strcmp(t, "num_tokens")) ctok = k;
                if (!strcmp(t, "num_tensor_parallel_workers")) ctp = k;
            } else {
                v[k] = strcmp(t, "True") ? atof(t) : 1;
            }
        }
        if (first) {
            first = 0;
            if (cop < 0 || ctok < 0 || ctp < 0) break;
            continue;
        }
        if (v[ctok] == tokens && v[ctp] == tp) sum += v[cop], n++;
    }
    fclose(f);
    return n ? sum / n : NAN;
}

static void test_exact_profile(void) {
    NEED_DATA(root);
    static const struct { const char *gpu, *dir, *model, *mdir; int tp; } c[] = {
        {"A100-80GB", "a100", "llama-2-7b", "Llama-2-7b-hf", 1},
        {"H100", "h100", "llama-2-70b", "Llama-2-70b-hf", 4},
        {"A40", "a40", "llama-2-7b", "Llama-2-7b-hf", 2},
    };
    static const int toks[] = {1, 2, 8, 512, 1000, 2048, 4096}; /* 2048 and 4096 repeat in the files */
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        sk_llmperf *p = open_ok(c[i].gpu, c[i].model, c[i].tp, 0);
        ASSERT_TRUE(p != NULL);
        char rel[256], path[4400];
        snprintf(rel, sizeof rel, "vidur/compute/%s/meta-llama/%s/mlp.csv", c[i].dir, c[i].mdir);
        t_data(path, sizeof path, root, rel);
        for (int op = 0; op < SK_LP_NOPS; op++)
            for (size_t k = 0; k < sizeof toks / sizeof toks[0]; k++) {
                double want = csv_median(path, sk_llmperf_op_name(op), toks[k], c[i].tp);
                ASSERT_TRUE(!isnan(want));
                if (toks[k] == 2048 || toks[k] == 4096) ASSERT_NEAR(sk_llmperf_op_ms(p, op, toks[k]), want, 1e-15 * want);
                else ASSERT_TRUE(sk_llmperf_op_ms(p, op, toks[k]) == want); /* exact: the median itself */
            }
        /* piecewise linear between profiled counts: 1 and 2 -> 1.5 is the midpoint; 1000 and 1008 -> 1004 */
        double a = sk_llmperf_op_ms(p, SK_LP_UP, 1), b = sk_llmperf_op_ms(p, SK_LP_UP, 2);
        ASSERT_NEAR(sk_llmperf_op_ms(p, SK_LP_UP, 1.5), (a + b) / 2, 1e-15);
        a = sk_llmperf_op_ms(p, SK_LP_DOWN, 1000), b = sk_llmperf_op_ms(p, SK_LP_DOWN, 1008);
        ASSERT_NEAR(sk_llmperf_op_ms(p, SK_LP_DOWN, 1002), 0.75 * a + 0.25 * b, 1e-14);
        ASSERT_TRUE(isnan(sk_llmperf_op_ms(p, SK_LP_NOPS, 1)));
        sk_llmperf_free(p);
    }
}

/* Beyond 4096 tokens the model is linear in tokens: equal steps give equal increments. */
static void test_extrapolation(void) {
    sk_llmperf *p = open_ok("A100-80GB", "llama-2-7b", 1, 0);
    ASSERT_TRUE(p != NULL);
    double t4 = sk_llmperf_iter_s(p, 0, 4096, 0), t6 = sk_llmperf_iter_s(p, 0, 6144, 0),
           t8 = sk_llmperf_iter_s(p, 0, 8192, 0);
    ASSERT_TRUE(t6 > t4);
    ASSERT_NEAR(t8 - t6, t6 - t4, 1e-12);
    /* the op too: the secant over [first count >= 2048, 4096] */
    double s = (sk_llmperf_op_ms(p, SK_LP_UP, 4096) - sk_llmperf_op_ms(p, SK_LP_UP, 2048)) / 2048;
    ASSERT_NEAR(sk_llmperf_op_ms(p, SK_LP_UP, 5000), sk_llmperf_op_ms(p, SK_LP_UP, 4096) + (s > 0 ? s : 0) * 904, 1e-12);
    sk_llmperf_free(p);
}

static void test_monotonic(void) {
    static const struct { const char *gpu, *model; int tp; } c[] = {
        {"A100", "llama-2-7b", 1}, {"H100", "llama-2-70b", 2}, {"L4", "llama-3-8b", 1},
        {"V100", "llama-2-7b", 4}, {"A10G", "mistral-7b", 1}, {"L40S", "llama-2-70b", 8},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        sk_llmperf *p = open_ok(c[i].gpu, c[i].model, c[i].tp, 0);
        ASSERT_TRUE(p != NULL);
        double prev = 0, prevd = 0;
        for (int n = 1; n <= 8192; n++) {
            double t = sk_llmperf_iter_s(p, n, 0, 0), d = sk_llmperf_iter_s(p, 0, n, 0);
            if (!(t >= prev) || !(d >= prevd)) {
                sk_llmperf_free(p);
                SK_T_FAIL_("%s %s tp %d: not monotonic at %d tokens (%.9g < %.9g or %.9g < %.9g)", c[i].gpu, c[i].model,
                           c[i].tp, n, t, prev, d, prevd);
            }
            prev = t, prevd = d;
        }
        /* more context, longer decode */
        ASSERT_TRUE(sk_llmperf_iter_s(p, 0, 8, 8 * 2048) > sk_llmperf_iter_s(p, 0, 8, 8 * 1024));
        sk_llmperf_free(p);
    }
}

static void test_tp(void) {
    /* 70B at tp 1 does not fit an 80 GB GPU; NOFIT times it anyway */
    sk_llmperf *p1 = open_ok("A100-80GB", "llama-2-70b", 1, SK_LLMPERF_NOFIT), *p2 = open_ok("A100-80GB", "llama-2-70b", 2, 0),
               *p4 = open_ok("A100-80GB", "llama-2-70b", 4, 0);
    ASSERT_TRUE(p1 && p2 && p4);
    ASSERT_EQ_I64(sk_llmperf_kv_tokens(p1), 0);
    for (int n = 128; n <= 4096; n *= 2) {
        ASSERT_TRUE(sk_llmperf_iter_s(p2, n, 0, 0) < sk_llmperf_iter_s(p1, n, 0, 0));
        ASSERT_TRUE(sk_llmperf_iter_s(p4, n, 0, 0) < sk_llmperf_iter_s(p2, n, 0, 0));
    }
    sk_llmperf_parts a;
    sk_llmperf_iter_parts(p2, 1024, 0, 0, &a);
    ASSERT_TRUE(a.allreduce_s > 0);
    ASSERT_NEAR(a.total_s, a.emb_s + a.layers_s + a.attn_prefill_s + a.attn_decode_s + a.allreduce_s + a.lm_head_s, 1e-15);
    sk_llmperf_iter_parts(p1, 1024, 0, 0, &a);
    ASSERT_TRUE(a.allreduce_s == 0);
    sk_llmperf_free(p1), sk_llmperf_free(p2), sk_llmperf_free(p4);
    /* H100 tp 2 takes Vidur's measured all-reduce, tp 4 the analytic ring */
    sk_llmperf *h2 = open_ok("H100", "llama-2-7b", 2, 0), *h4 = open_ok("H100", "llama-2-7b", 4, 0);
    ASSERT_TRUE(h2 && h4);
    sk_llmperf_info i2, i4;
    sk_llmperf_get_info(h2, &i2), sk_llmperf_get_info(h4, &i4);
    ASSERT_STR_CONTAINS(i2.ar_source, "all_reduce.csv");
    ASSERT_STR_CONTAINS(i4.ar_source, "analytic ring");
    ASSERT_TRUE(i2.ar_lat_ms > 0 && i2.ar_ms_per_mib > 0);
    sk_llmperf_free(h2), sk_llmperf_free(h4);
}

static void test_fit_and_kv(void) {
    sk_llmperf *p = NULL;
    char err[512] = "";
    ASSERT_EQ_INT(sk_llmperf_open(&p, "A10G", "llama-2-70b", 1, err, sizeof err), SK_EDATA);
    ASSERT_TRUE(p == NULL);
    ASSERT_STR_CONTAINS(err, "does not fit");
    ASSERT_EQ_INT(sk_llmperf_open(&p, "L4", "llama-2-70b", 1, err, sizeof err), SK_EDATA);
    ASSERT_EQ_INT(sk_llmperf_open(&p, "T4", "llama-3-8b", 1, err, sizeof err), SK_EDATA); /* 16.06 GB > 0.9 x 16 GiB */
    /* KV capacity by hand, A100 (40 GiB) + Llama-2-7B at tp 1:
     *   usable   = 40960 MiB x 1048576 x 0.9                   = 38654705664 B
     *   weights  = 6.74e9 x 2                                  = 13480000000 B
     *   reserve  = 1 GiB + 4096 x (3 x 4096 + 4 x 11008) x 2   = 1073741824 + 461373440 = 1535115264 B
     *   per tok  = 2 x 32 layers x 32 KV heads x 128 x 2 B     = 524288 B
     *   tokens   = floor(23639590400 / 524288) = floor(45088.87) = 45088 */
    p = open_ok("A100", "llama-2-7b", 1, 0);
    ASSERT_TRUE(p != NULL);
    ASSERT_EQ_I64(sk_llmperf_kv_tokens(p), 45088);
    /* load: 13.48 GB at 16/33 GB/s */
    ASSERT_NEAR(sk_llmperf_load_s(p), 13.48 * 33.0 / 16.0, 1e-9);
    ASSERT_NEAR(sk_llmperf_decode_tps(p, 700), 1.0 / sk_llmperf_iter_s(p, 0, 1, 700), 1e-12);
    ASSERT_NEAR(sk_llmperf_prefill_tps(p, 700), 700.0 / sk_llmperf_iter_s(p, 700, 0, 0), 1e-9);
    sk_llmperf_free(p);
    /* GQA: Llama-3-8B's KV token is 4x smaller (8 KV heads) */
    p = open_ok("A100", "llama-3-8b", 1, 0);
    ASSERT_TRUE(p != NULL);
    sk_llmperf_info in;
    sk_llmperf_get_info(p, &in);
    ASSERT_NEAR(in.kv_bytes_per_token, 131072, 0);
    sk_llmperf_free(p);
    /* bad arguments */
    ASSERT_EQ_INT(sk_llmperf_open(&p, "B300", "llama-2-7b", 1, err, sizeof err), SK_EUSAGE);
    ASSERT_EQ_INT(sk_llmperf_open(&p, "A100", "gpt-5", 1, err, sizeof err), SK_EUSAGE);
    ASSERT_EQ_INT(sk_llmperf_open(&p, "A100", "llama-2-7b", 3, err, sizeof err), SK_EUSAGE);
}

/* An unprofiled GPU's op = the base GPU's op x (w x FLOPs ratio + (1 - w) x bandwidth ratio),
 * w = n / (n + ridge). */
static void test_scaling(void) {
    sk_llmperf *a = open_ok("A100", "llama-2-7b", 1, 0), *b = open_ok("A100-80GB", "llama-2-7b", 1, 0);
    sk_llmperf *l4 = open_ok("L4", "llama-2-7b", 1, 0), *a40 = open_ok("A40", "llama-2-7b", 1, 0);
    ASSERT_TRUE(a && b && l4 && a40);
    sk_llmperf_info ia, il;
    sk_llmperf_get_info(a, &ia), sk_llmperf_get_info(l4, &il);
    ASSERT_TRUE(ia.base == sk_llm_gpu_find("A100-80GB"));
    ASSERT_TRUE(il.base == sk_llm_gpu_find("A40"));
    ASSERT_NEAR(ia.mem_ratio, 2039.0 / 1555.0, 1e-15);
    ASSERT_NEAR(il.compute_ratio, 149.7 / 121.0, 1e-15);
    for (int n = 1; n <= 4096; n *= 4) {
        double w = n / (n + ia.ridge_tokens);
        ASSERT_NEAR(sk_llmperf_op_ms(a, SK_LP_QKV, n) / sk_llmperf_op_ms(b, SK_LP_QKV, n),
                    w * ia.compute_ratio + (1 - w) * ia.mem_ratio, 1e-12);
        w = n / (n + il.ridge_tokens);
        ASSERT_NEAR(sk_llmperf_op_ms(l4, SK_LP_DOWN, n) / sk_llmperf_op_ms(a40, SK_LP_DOWN, n),
                    w * il.compute_ratio + (1 - w) * il.mem_ratio, 1e-12);
    }
    /* Llama-3-8B's fused gate+up is 14336/11008 wider than Llama-2-7B's */
    sk_llmperf *l3 = open_ok("A100-80GB", "llama-3-8b", 1, 0);
    ASSERT_TRUE(l3 != NULL);
    ASSERT_NEAR(sk_llmperf_op_ms(l3, SK_LP_UP, 64) / sk_llmperf_op_ms(b, SK_LP_UP, 64), 14336.0 / 11008.0, 1e-12);
    sk_llmperf_free(l3);
    sk_llmperf_free(a), sk_llmperf_free(b), sk_llmperf_free(l4), sk_llmperf_free(a40);
}

/* Two handles give bitwise-equal answers (the queries are pure). */
static void test_deterministic(void) {
    sk_llmperf *a = open_ok("V100", "llama-2-7b", 2, 0), *b = open_ok("V100", "llama-2-7b", 2, 0);
    ASSERT_TRUE(a && b);
    for (int n = 1; n < 10000; n += 37) {
        double x = sk_llmperf_iter_s(a, n, n / 3, n * 7), y = sk_llmperf_iter_s(b, n, n / 3, n * 7);
        ASSERT_TRUE(memcmp(&x, &y, sizeof x) == 0);
    }
    sk_llmperf_free(a), sk_llmperf_free(b);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) fputs(text, f), fclose(f);
}

/* A malformed profile in the working directory (first on the search path) is named with its line
 * and column. */
static void test_errors(void) {
    char dir[] = "/tmp/sk_llmperf.XXXXXX", cwd[4096], path[600];
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    ASSERT_TRUE(getcwd(cwd, sizeof cwd) != NULL);
    const char *sub[] = {"vidur", "vidur/compute", "vidur/compute/a100", "vidur/compute/a100/meta-llama",
                         "vidur/compute/a100/meta-llama/Llama-2-7b-hf"};
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, sub[i]);
        mkdir(path, 0755);
    }
    snprintf(path, sizeof path, "%s/vidur/compute/a100/meta-llama/Llama-2-7b-hf/mlp.csv", dir);
    const char *hdr = "time_stats.emb.median,time_stats.input_layernorm.median,time_stats.attn_pre_proj.median,"
                      "time_stats.attn_rope.median,time_stats.attn_post_proj.median,"
                      "time_stats.post_attention_layernorm.median,time_stats.mlp_up_proj.median,"
                      "time_stats.mlp_act.median,time_stats.mlp_down_proj.median,time_stats.add.median,n_head,"
                      "n_kv_head,n_embd,n_expanded_embd,num_tokens,num_tensor_parallel_workers\n";
    char text[2048];
    snprintf(text, sizeof text, "%s0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,32,32,4096,11008,1,1\n"
                                "0.1,0.1,0.1,0.1,0.1,0.1,0.1,x,0.1,0.1,32,32,4096,11008,2,1\n", hdr);
    write_file(path, text);
    char err[512] = "";
    sk_llmperf *p = NULL;
    ASSERT_TRUE(chdir(dir) == 0);
    int rc = sk_llmperf_open(&p, "A100-80GB", "llama-2-7b", 1, err, sizeof err);
    snprintf(text, sizeof text, "%s0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,32,32,5120,11008,1,1\n", hdr);
    write_file(path, text);
    char err2[512] = "";
    int rc2 = sk_llmperf_open(&p, "A100-80GB", "llama-2-7b", 1, err2, sizeof err2);
    write_file(path, "num_tokens,n_head\n1,32\n");
    char err3[512] = "";
    int rc3 = sk_llmperf_open(&p, "A100-80GB", "llama-2-7b", 1, err3, sizeof err3);
    ASSERT_TRUE(chdir(cwd) == 0);
    snprintf(text, sizeof text, "rm -rf '%s'", dir);
    if (system(text) != 0) fprintf(stderr, "  could not remove %s\n", dir);
    ASSERT_EQ_INT(rc, SK_EDATA);
    ASSERT_STR_CONTAINS(err, "mlp.csv:3: column mlp_act: not a number: 'x'");
    ASSERT_EQ_INT(rc2, SK_EDATA);
    ASSERT_STR_CONTAINS(err2, "mlp.csv:2: column n_embd: 5120, expected 4096");
    ASSERT_EQ_INT(rc3, SK_EDATA);
    ASSERT_STR_CONTAINS(err3, "mlp.csv:1: no column time_stats.emb.median");
}

/* Validation bounds (docs/serving_perf.md, "Validation"):
 *  - TGI rows (A10G assumed; a continuous-batching engine with paged attention and 16-bit weights,
 *    the engine class of Vidur's profiles): median |err| <= 15%. Vidur reports < 9% error against
 *    its own measurements; the rest is the scaling to an unprofiled GPU whose identity the source
 *    does not state.
 *  - llama.cpp F16 decode rows: median |err| <= 50%. llama.cpp's F16 decoding reaches 40-55% of
 *    HBM bandwidth on A100/H100 (53 tok/s x 16 GB on a 2039 GB/s A100) against ~75% in Vidur's
 *    profile, so predictions there are expected 1.4-1.8x high, while the GDDR GPUs (A40, L40S)
 *    match within 10%; the median of that mix is under 0.5.
 * Every counted row has a finite prediction; quantised rows are listed and not counted. */
static void test_validation(void) {
    sk_llmperf_vrow *v = NULL;
    int n = 0;
    char err[512];
    int rc = sk_llmperf_validate(&v, &n, err, sizeof err);
    if (rc < 0) SK_T_FAIL_("validate: %s", err);
    int q4 = 0, tgi = 0;
    for (int i = 0; i < n; i++) {
        if (v[i].counted) ASSERT_TRUE(isfinite(v[i].predicted) && v[i].predicted > 0);
        if (strcmp(v[i].quant, "F16") == 0 || strcmp(v[i].quant, "BF16") == 0) continue;
        q4 += !v[i].counted;
    }
    for (int i = 0; i < n; i++) tgi += !strcmp(v[i].source, "tgi");
    ASSERT_TRUE(q4 > 10);
    ASSERT_EQ_INT(tgi, 2 * 16 + 2); /* itl + throughput for 16 rows, ttft at concurrency 1 twice */
    int k;
    double m = sk_llmperf_median_abs_err(v, n, "tgi", NULL, &k);
    fprintf(stderr, "  tgi: median |err| %.3f over %d rows\n", m, k);
    ASSERT_TRUE(k >= 20);
    ASSERT_TRUE(m <= 0.15);
    m = sk_llmperf_median_abs_err(v, n, "llamacpp", "decode_tps", &k);
    fprintf(stderr, "  llama.cpp decode: median |err| %.3f over %d rows\n", m, k);
    ASSERT_TRUE(k >= 10);
    ASSERT_TRUE(m <= 0.50);
    free(v);
}

/* The GPU memory table agrees with the catalog's GpuMemoryMiBPerGpu for every GPU both name. */
static void test_catalog_memory(void) {
    NEED_DATA(root);
    char path[4400], line[512];
    FILE *f = fopen(t_data(path, sizeof path, root, "skypilot-aws-gpu-catalog/gpu_instance_specs.csv"), "r");
    ASSERT_TRUE(f != NULL);
    int checked = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        char *save, *fld[8];
        int k = 0;
        for (char *t = strtok_r(line, ",\r\n", &save); t && k < 8; t = strtok_r(NULL, ",\r\n", &save)) fld[k++] = t;
        if (k < 6 || !strcmp(fld[1], "AcceleratorName")) continue;
        const sk_llm_gpu *g = sk_llm_gpu_find(fld[1]);
        if (!g) continue;
        checked++;
        if (g->mem_mib != atof(fld[5])) {
            fprintf(stderr, "  %s: table %g MiB, catalog %s MiB\n", fld[1], g->mem_mib, fld[5]);
            bad++;
        }
    }
    fclose(f);
    ASSERT_TRUE(checked >= 25); /* rows of T4, A10G, L4, L40S, V100, V100-32GB, A100, A100-80GB, H100, H200 types */
    ASSERT_EQ_INT(bad, 0);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"exact_profile", test_exact_profile},
        {"extrapolation", test_extrapolation},
        {"monotonic", test_monotonic},
        {"tp", test_tp},
        {"fit_and_kv", test_fit_and_kv},
        {"scaling", test_scaling},
        {"deterministic", test_deterministic},
        {"errors", test_errors},
        {"validation", test_validation},
        {"catalog_memory", test_catalog_memory},
        {NULL, NULL},
    };
    return sk_test_main(tests, argc, argv);
}
