/* test_infer.c - the inference engine: CPU kernels vs float64 references, the full model vs a
 * float64 forward, determinism, checkpoint/resume, corrupt checkpoints, safetensors errors, BF16. */
#include <cjson/cJSON.h>
#include <omp.h>
#include <unistd.h>

#include "engine/sk_rng.h"
#include "infer/sk_infer.h"
#include "infer/sk_infer_cpu.h"
#include "infer/sk_infer_int.h"
#include "sk_error.h"
#include "test.h"

static char sk_tdir[256];

static const char *tpath(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", sk_tdir, name);
    return buf[k];
}

static void fill(sk_rng *r, float *x, size_t n, double scale) {
    for (size_t i = 0; i < n; i++) x[i] = (float)(scale * (2 * sk_rng_uniform(r) - 1));
}

/* ---- BF16, hashing ---------------------------------------------------------------------------- */

static void test_bf16(void) {
    sk_rng r;
    sk_rng_init(&r, NULL, 1, 0, 0);
    for (int i = 0; i < 100000; i++) {
        float x = (float)((sk_rng_uniform(&r) - 0.5) * pow(2, 40 * sk_rng_uniform(&r) - 20));
        float y = sk_bf16_to_f32(sk_f32_to_bf16(x));
        /* round to nearest, 8 significant bits: relative error <= 2^-8 */
        if (!(fabsf(y - x) <= ldexpf(fabsf(x), -8))) {
            sk_rng_fini(&r);
            SK_T_FAIL_("bf16(%g) = %g", x, y);
        }
        ASSERT_EQ_U64(sk_f32_to_bf16(y), sk_f32_to_bf16(x)); /* idempotent */
    }
    sk_rng_fini(&r);
    ASSERT_EQ_U64(sk_f32_to_bf16(1.0f), 0x3F80);
    ASSERT_EQ_U64(sk_f32_to_bf16(1.0f + 0x1p-8f), 0x3F80);             /* tie -> even */
    ASSERT_EQ_U64(sk_f32_to_bf16(1.0f + 0x1p-8f + 0x1p-7f), 0x3F82);   /* tie -> even (up) */
    ASSERT_EQ_U64(sk_f32_to_bf16(-2.0f), 0xC000);
    ASSERT_EQ_U64(sk_f32_to_bf16(INFINITY), 0x7F80);
    ASSERT_TRUE(isnan(sk_bf16_to_f32(sk_f32_to_bf16(NAN))));
    ASSERT_TRUE(sk_bf16_to_f32(0x3F80) == 1.0f);
}

static void test_fnv_split(void) {
    unsigned char buf[100];
    for (int i = 0; i < 100; i++) buf[i] = (unsigned char)(i * 37 + 1);
    sk_fnv a;
    sk_fnv_init(&a);
    sk_fnv_update(&a, buf, 100);
    uint64_t h = sk_fnv_final(&a);
    for (int s1 = 0; s1 <= 100; s1 += 7)
        for (int s2 = s1; s2 <= 100; s2 += 5) {
            sk_fnv b;
            sk_fnv_init(&b);
            sk_fnv_update(&b, buf, (size_t)s1);
            sk_fnv_update(&b, buf + s1, (size_t)(s2 - s1));
            sk_fnv_update(&b, buf + s2, (size_t)(100 - s2));
            ASSERT_EQ_U64(sk_fnv_final(&b), h);
        }
    buf[50] ^= 1;
    sk_fnv_init(&a);
    sk_fnv_update(&a, buf, 100);
    ASSERT_TRUE(sk_fnv_final(&a) != h);
}

/* ---- kernels vs float64 ----------------------------------------------------------------------- */

/* fp32 sums of n products: |error| <= (n + 2) u sum|a_k b_k| (recursive summation, u = 2^-24);
 * checks are written !(err <= bound) so a NaN never passes. */
static void test_gemm(void) {
    const int shapes[][3] = {{1, 64, 192}, {4, 64, 64}, {7, 33, 45}, {16, 256, 64}, {20, 64, 256}, {3, 5, 17}, {33, 70, 130}};
    sk_rng r;
    sk_rng_init(&r, NULL, 2, 0, 0);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], K = shapes[s][1], N = shapes[s][2];
        float *A = malloc(sizeof(float) * (size_t)M * K), *W = malloc(sizeof(float) * (size_t)K * N),
              *b = malloc(sizeof(float) * (size_t)N), *C = malloc(sizeof(float) * (size_t)M * N),
              *C2 = malloc(sizeof(float) * (size_t)M * N), *row = malloc(sizeof(float) * (size_t)N);
        fill(&r, A, (size_t)M * K, 1), fill(&r, W, (size_t)K * N, 0.5), fill(&r, b, (size_t)N, 0.1);
        fill(&r, C2, (size_t)M * N, 1);
        float *C2o = malloc(sizeof(float) * (size_t)M * N);
        memcpy(C2o, C2, sizeof(float) * (size_t)M * N);
        sk_cpu_gemm(C, A, W, b, M, K, N, 0);
        sk_cpu_gemm(C2, A, W, b, M, K, N, 1);
        int bad = 0;
        for (int i = 0; i < M && !bad; i++) {
            sk_cpu_gemm(row, A + (size_t)i * K, W, b, 1, K, N, 0); /* one row alone: the same bits */
            for (int j = 0; j < N; j++) {
                double ref = b[j], mag = fabs(b[j]);
                for (int k = 0; k < K; k++) {
                    ref += (double)A[(size_t)i * K + k] * W[(size_t)k * N + j];
                    mag += fabs((double)A[(size_t)i * K + k] * W[(size_t)k * N + j]);
                }
                double bound = (K + 2) * 0x1p-24 * mag + 1e-30, c = C[(size_t)i * N + j];
                double c2 = C2[(size_t)i * N + j], ref2 = ref + C2o[(size_t)i * N + j];
                if (!(fabs(c - ref) <= bound) || !(fabs(c2 - ref2) <= bound + 0x1p-23 * fabs(ref2)) ||
                    memcmp(&row[j], &C[(size_t)i * N + j], 4)) {
                    fprintf(stderr, "  gemm %dx%dx%d [%d][%d]: %.9g vs %.9g (bound %g), accumulate %.9g vs %.9g\n", M,
                            K, N, i, j, c, ref, bound, c2, ref2);
                    bad = 1;
                    break;
                }
            }
        }
        free(A), free(W), free(b), free(C), free(C2), free(C2o), free(row);
        if (bad) {
            sk_rng_fini(&r);
            SK_T_FAIL_("gemm outside its error bound");
        }
    }
    sk_rng_fini(&r);
    /* NaN never passes the comparison used above */
    double nanv = NAN;
    ASSERT_TRUE(!(fabs(nanv - 1.0) <= 1.0));
}

static void test_layernorm_gelu(void) {
    sk_rng r;
    sk_rng_init(&r, NULL, 3, 0, 0);
    int M = 5, d = 77;
    float x[5 * 77], y[5 * 77], g[77], b[77];
    fill(&r, x, (size_t)M * d, 3), fill(&r, g, (size_t)d, 2), fill(&r, b, (size_t)d, 1);
    for (int i = 0; i < d; i++) x[i] += 100; /* a large mean: the two-pass variance must cope */
    sk_cpu_layernorm(y, x, g, b, M, d, 1e-5f);
    for (int i = 0; i < M; i++) {
        double mu = 0, var = 0;
        for (int k = 0; k < d; k++) mu += x[i * d + k];
        mu /= d;
        for (int k = 0; k < d; k++) var += (x[i * d + k] - mu) * (x[i * d + k] - mu);
        var /= d;
        for (int k = 0; k < d; k++) {
            double z = (x[i * d + k] - mu) / sqrt(var + 1e-5), ref = z * g[k] + b[k];
            /* bound: a few fp32 roundings of |z g| and |b|: 8 u (|z g| + |b|) */
            ASSERT_TRUE(fabs(y[i * d + k] - ref) <= 8 * 0x1p-24 * (fabs(z * g[k]) + fabs(b[k])) + 1e-7);
        }
    }
    /* GELU: |error| <= 4e-7 (1 + |x|) (tanhf is within 2 ulp) */
    float v[2001];
    for (int i = 0; i <= 2000; i++) v[i] = (float)((i - 1000) * 0.01);
    sk_cpu_gelu(v, 2001);
    for (int i = 0; i <= 2000; i++) {
        double t = (i - 1000) * 0.01, xf = (float)t;
        double ref = 0.5 * xf * (1 + tanh(sqrt(2 / 3.14159265358979323846) * (xf + 0.044715 * xf * xf * xf)));
        ASSERT_TRUE(fabs(v[i] - ref) <= 4e-7 * (1 + fabs(xf)));
    }
    sk_rng_fini(&r);
}

static void test_attention(void) {
    sk_rng r;
    sk_rng_init(&r, NULL, 4, 0, 0);
    const int hds[] = {64, 20, 8, 3};
    for (int it = 0; it < 40; it++) {
        int hd = hds[it % 4], npos = 1 + (int)sk_rng_uniform_int(&r, 150);
        size_t ld = (size_t)hd + 5;
        float q[64], out[64], *K = malloc(sizeof(float) * ld * (size_t)npos), *V = malloc(sizeof(float) * ld * (size_t)npos);
        fill(&r, q, (size_t)hd, 2), fill(&r, K, ld * (size_t)npos, 2), fill(&r, V, ld * (size_t)npos, 1);
        float scale = 1.0f / sqrtf((float)hd);
        sk_cpu_attn_head(out, q, K, V, ld, npos, hd, scale);
        double *s = malloc(sizeof(double) * (size_t)npos), mx = -INFINITY, tot = 0;
        for (int t = 0; t < npos; t++) {
            s[t] = 0;
            for (int i = 0; i < hd; i++) s[t] += (double)q[i] * K[(size_t)t * ld + i];
            s[t] *= scale;
            if (s[t] > mx) mx = s[t];
        }
        for (int t = 0; t < npos; t++) tot += (s[t] = exp(s[t] - mx));
        int bad = -1;
        for (int i = 0; i < hd; i++) {
            double ref = 0;
            for (int t = 0; t < npos; t++) ref += s[t] / tot * V[(size_t)t * ld + i];
            /* inputs |V| <= 1, |q.k| scaled <= 2 hd^0.5: bound 2e-6 absolute (~32 ulp of 1) */
            if (!(fabs(out[i] - ref) <= 2e-6)) bad = i;
        }
        free(s), free(K), free(V);
        if (bad >= 0) {
            sk_rng_fini(&r);
            SK_T_FAIL_("attention hd %d npos %d: element %d off", hd, npos, bad);
        }
    }
    sk_rng_fini(&r);
}

static void test_logits(void) {
    sk_rng r;
    sk_rng_init(&r, NULL, 5, 0, 0);
    int M = 3, d = 100, V = 301;
    float *X = malloc(sizeof(float) * (size_t)M * d), *E = malloc(sizeof(float) * (size_t)V * d),
          *L = malloc(sizeof(float) * (size_t)M * V);
    fill(&r, X, (size_t)M * d, 1), fill(&r, E, (size_t)V * d, 1);
    sk_cpu_logits(L, X, E, M, d, V);
    int bad = 0;
    for (int i = 0; i < M; i++)
        for (int v = 0; v < V; v++) {
            double ref = 0, mag = 0;
            for (int k = 0; k < d; k++) ref += (double)X[i * d + k] * E[(size_t)v * d + k], mag += fabs((double)X[i * d + k] * E[(size_t)v * d + k]);
            if (!(fabs(L[(size_t)i * V + v] - ref) <= (d + 2) * 0x1p-24 * mag)) bad = 1;
        }
    free(X), free(E), free(L);
    sk_rng_fini(&r);
    ASSERT_TRUE(!bad);
}

/* ---- the full model vs a float64 forward ------------------------------------------------------ */

static void ref_ln(double *y, const double *x, const float *g, const float *b, int d) {
    double mu = 0, var = 0;
    for (int i = 0; i < d; i++) mu += x[i];
    mu /= d;
    for (int i = 0; i < d; i++) var += (x[i] - mu) * (x[i] - mu);
    var /= d;
    for (int i = 0; i < d; i++) y[i] = (x[i] - mu) / sqrt(var + 1e-5) * g[i] + b[i];
}
static void ref_lin(double *y, const double *x, const float *W, const float *b, int K, int N) {
    for (int j = 0; j < N; j++) {
        double s = b[j];
        for (int k = 0; k < K; k++) s += x[k] * W[(size_t)k * N + j];
        y[j] = s;
    }
}

/* Logits (vocab doubles) of the last of n tokens, all positions recomputed from scratch. */
static void ref_forward(const sk_weights *w, const int32_t *tok, int n, double *logits) {
    const sk_model_cfg *c = &w->cfg;
    int d = c->d_model, nh = c->n_head, hd = d / nh, ff = c->d_ff;
    double *x = calloc((size_t)n * d, 8), *h = calloc((size_t)d, 8), *qkv = calloc((size_t)n * 3 * d, 8),
           *a = calloc((size_t)d, 8), *t = calloc((size_t)d, 8), *f = calloc((size_t)ff, 8), *s = calloc((size_t)n, 8);
    for (int p = 0; p < n; p++)
        for (int i = 0; i < d; i++) x[p * d + i] = (double)w->wte[(size_t)tok[p] * d + i] + w->wpe[(size_t)p * d + i];
    for (int l = 0; l < c->n_layer; l++) {
        const sk_layer_w *L = &w->layer[l];
        for (int p = 0; p < n; p++) {
            ref_ln(h, x + p * d, L->ln1_w, L->ln1_b, d);
            ref_lin(qkv + (size_t)p * 3 * d, h, L->attn_w, L->attn_b, d, 3 * d);
        }
        for (int p = 0; p < n; p++) {
            for (int hh = 0; hh < nh; hh++) {
                double mx = -INFINITY, tot = 0;
                for (int u = 0; u <= p; u++) {
                    double z = 0;
                    for (int i = 0; i < hd; i++) z += qkv[(size_t)p * 3 * d + hh * hd + i] * qkv[(size_t)u * 3 * d + d + hh * hd + i];
                    s[u] = z / sqrt((double)hd);
                    if (s[u] > mx) mx = s[u];
                }
                for (int u = 0; u <= p; u++) tot += (s[u] = exp(s[u] - mx));
                for (int i = 0; i < hd; i++) {
                    double o = 0;
                    for (int u = 0; u <= p; u++) o += s[u] / tot * qkv[(size_t)u * 3 * d + 2 * d + hh * hd + i];
                    a[hh * hd + i] = o;
                }
            }
            ref_lin(t, a, L->proj_w, L->proj_b, d, d);
            for (int i = 0; i < d; i++) x[p * d + i] += t[i];
            ref_ln(h, x + p * d, L->ln2_w, L->ln2_b, d);
            ref_lin(f, h, L->fc_w, L->fc_b, d, ff);
            for (int i = 0; i < ff; i++) f[i] = 0.5 * f[i] * (1 + tanh(sqrt(2 / 3.14159265358979323846) * (f[i] + 0.044715 * f[i] * f[i] * f[i])));
            ref_lin(t, f, L->fc2_w, L->fc2_b, ff, d);
            for (int i = 0; i < d; i++) x[p * d + i] += t[i];
        }
    }
    ref_ln(h, x + (size_t)(n - 1) * d, w->lnf_w, w->lnf_b, d);
    for (int v = 0; v < c->vocab; v++) {
        double z = 0;
        for (int i = 0; i < d; i++) z += h[i] * w->wte[(size_t)v * d + i];
        logits[v] = z;
    }
    free(x), free(h), free(qkv), free(a), free(t), free(f), free(s);
}

static sk_model *tiny_model(uint64_t seed) {
    sk_model_cfg c;
    sk_model *m = NULL;
    char err[256];
    if (sk_model_preset("tiny", &c) < 0 || sk_model_synthetic(&m, &c, seed, 0, err, sizeof err) < 0) return NULL;
    return m;
}

static void test_model_vs_reference(void) {
    sk_model *m = tiny_model(7);
    ASSERT_TRUE(m);
    const sk_model_cfg *c = sk_model_config(m);
    int n = 12, B = 2;
    int32_t tok[24];
    for (int i = 0; i < B * n; i++) tok[i] = (i * 97 + 13) % c->vocab;
    sk_gen_opts o = {SK_BACKEND_CPU, B, 0, 1};
    sk_gen *g = NULL;
    char err[256];
    ASSERT_EQ_INT(sk_gen_new(&g, m, &o, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_gen_prefill(g, tok, n, err, sizeof err), 0);
    float *lg = malloc(sizeof(float) * (size_t)c->vocab);
    double *ref = malloc(sizeof(double) * (size_t)c->vocab);
    int bad = 0;
    double worst = 0;
    for (int b = 0; b < B; b++) {
        sk_gen_logits(g, b, lg);
        ref_forward(sk_model__weights(m), tok + b * n, n, ref);
        double scale = 0;
        for (int v = 0; v < c->vocab; v++) scale = fmax(scale, fabs(ref[v]));
        /* fp32 forward vs float64: |error| <= 1e-4 x max|logit| (measured ~1e-6) */
        for (int v = 0; v < c->vocab; v++) {
            double e = fabs(lg[v] - ref[v]) / scale;
            if (!(e <= 1e-4)) bad = 1;
            if (e > worst) worst = e;
        }
    }
    /* a decode step: logits of the prompt + the sampled token vs a fresh float64 forward */
    int32_t nx[2], ext[13];
    ASSERT_EQ_INT(sk_gen_step(g, nx, err, sizeof err), 0);
    memcpy(ext, tok, sizeof(int32_t) * (size_t)n);
    ext[n] = nx[0];
    sk_gen_logits(g, 0, lg);
    ref_forward(sk_model__weights(m), ext, n + 1, ref);
    double scale = 0;
    for (int v = 0; v < c->vocab; v++) scale = fmax(scale, fabs(ref[v]));
    for (int v = 0; v < c->vocab; v++)
        if (!(fabs(lg[v] - ref[v]) <= 1e-4 * scale)) bad = 1;
    free(lg), free(ref);
    sk_gen_free(g);
    sk_model_free(m);
    if (bad) SK_T_FAIL_("model logits vs float64 reference: worst relative error %g", worst);
}

/* ---- generation: determinism, checkpoint/resume ----------------------------------------------- */

static int gen_run(const sk_model *m, int B, double temp, uint64_t seed, int n_prompt, int steps, int32_t *out) {
    sk_gen_opts o = {SK_BACKEND_CPU, B, temp, seed};
    sk_gen *g = NULL;
    char err[256];
    int rc = sk_gen_new(&g, m, &o, err, sizeof err);
    if (rc < 0) return rc;
    int32_t *p = malloc(sizeof(int32_t) * (size_t)B * (size_t)n_prompt), nx[64];
    for (int i = 0; i < B * n_prompt; i++) p[i] = (i * 31 + 7) % sk_model_config(m)->vocab;
    if ((rc = sk_gen_prefill(g, p, n_prompt, err, sizeof err)) < 0) goto done;
    for (int s = 0; s < steps; s++) {
        if ((rc = sk_gen_step(g, nx, err, sizeof err)) < 0) goto done;
        for (int b = 0; b < B; b++) out[b * steps + s] = nx[b];
    }
done:
    free(p);
    sk_gen_free(g);
    return rc;
}

static void test_determinism(void) {
    sk_model *m = tiny_model(11);
    ASSERT_TRUE(m);
    int32_t a[4 * 40], b[4 * 40], one[40];
    for (int ti = 0; ti < 2; ti++) {
        double temp = ti ? 0.9 : 0.0;
        omp_set_num_threads(2);
        ASSERT_EQ_INT(gen_run(m, 4, temp, 5, 6, 40, a), 0);
        omp_set_num_threads(1);
        ASSERT_EQ_INT(gen_run(m, 4, temp, 5, 6, 40, b), 0);
        omp_set_num_threads(2);
        ASSERT_TRUE(!memcmp(a, b, sizeof a)); /* thread count does not matter */
        if (!ti) { /* greedy: sequence 0 alone equals sequence 0 of the batch (bitwise kernels) */
            ASSERT_EQ_INT(gen_run(m, 1, temp, 5, 6, 40, one), 0);
            ASSERT_TRUE(!memcmp(a, one, sizeof one));
        }
    }
    ASSERT_EQ_INT(gen_run(m, 4, 0.9, 6, 6, 40, b), 0);
    ASSERT_TRUE(memcmp(a, b, sizeof a) != 0); /* another seed samples differently */
    sk_model_free(m);
}

static void test_checkpoint_resume(void) {
    sk_model *m = tiny_model(13);
    ASSERT_TRUE(m);
    const int B = 3, n_prompt = 5, steps = 30;
    int32_t ref[3 * 30], got[3 * 30], nx[3];
    char err[256];
    sk_rng r;
    sk_rng_init(&r, NULL, 9, 0, 0);
    for (int ti = 0; ti < 2; ti++) {
        double temp = ti ? 0.8 : 0.0;
        ASSERT_EQ_INT(gen_run(m, B, temp, 21, n_prompt, steps, ref), 0);
        for (int trial = 0; trial < 3; trial++) {
            int at = (int)sk_rng_uniform_int(&r, steps); /* checkpoint after `at` steps */
            sk_gen_opts o = {SK_BACKEND_CPU, B, temp, 21};
            sk_gen *g = NULL, *g2 = NULL;
            ASSERT_EQ_INT(sk_gen_new(&g, m, &o, err, sizeof err), 0);
            int32_t p[15];
            for (int i = 0; i < B * n_prompt; i++) p[i] = (i * 31 + 7) % sk_model_config(m)->vocab;
            ASSERT_EQ_INT(sk_gen_prefill(g, p, n_prompt, err, sizeof err), 0);
            for (int s = 0; s < at; s++) {
                ASSERT_EQ_INT(sk_gen_step(g, nx, err, sizeof err), 0);
                for (int b = 0; b < B; b++) got[b * steps + s] = nx[b];
            }
            ASSERT_EQ_INT(sk_gen_checkpoint(g, tpath("g.ckpt"), err, sizeof err), 0);
            sk_gen_free(g); /* the original is gone: resume from the file alone */
            int rc = sk_gen_resume(&g2, m, tpath("g.ckpt"), SK_BACKEND_AUTO, err, sizeof err);
            if (rc < 0) SK_T_FAIL_("resume: %s", err);
            ASSERT_EQ_INT(sk_gen_position(g2), n_prompt + at);
            ASSERT_EQ_INT(sk_gen_prompt_len(g2), n_prompt);
            ASSERT_EQ_INT(sk_gen_tokens(g2, 1)[2], p[n_prompt + 2]);
            for (int s = at; s < steps; s++) {
                ASSERT_EQ_INT(sk_gen_step(g2, nx, err, sizeof err), 0);
                for (int b = 0; b < B; b++) got[b * steps + s] = nx[b];
            }
            sk_gen_free(g2);
            if (memcmp(ref, got, sizeof ref)) SK_T_FAIL_("temperature %g, checkpoint after %d steps: tokens differ", temp, at);
        }
    }
    sk_rng_fini(&r);
    sk_model_free(m);
}

static long file_size(const char *p) {
    FILE *f = fopen(p, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static unsigned char *slurp(const char *p, long *n) {
    *n = file_size(p);
    FILE *f = fopen(p, "rb");
    unsigned char *b = malloc((size_t)*n + 1);
    if (fread(b, 1, (size_t)*n, f) != (size_t)*n) *n = -1;
    fclose(f);
    return b;
}
static void spit(const char *p, const void *b, long n) {
    FILE *f = fopen(p, "wb");
    fwrite(b, 1, (size_t)n, f);
    fclose(f);
}

static void test_checkpoint_corrupt(void) {
    sk_model *m = tiny_model(13), *m2 = tiny_model(14);
    ASSERT_TRUE(m && m2);
    sk_gen_opts o = {SK_BACKEND_CPU, 2, 0.5, 3};
    sk_gen *g = NULL;
    char err[256];
    int32_t p[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ASSERT_EQ_INT(sk_gen_new(&g, m, &o, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_gen_prefill(g, p, 4, err, sizeof err), 0);
    for (int s = 0; s < 3; s++) ASSERT_EQ_INT(sk_gen_step(g, NULL, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_gen_checkpoint(g, tpath("c.ckpt"), err, sizeof err), 0);
    sk_gen_free(g);
    long n;
    unsigned char *good = slurp(tpath("c.ckpt"), &n);
    ASSERT_TRUE(n > 200);
    sk_gen *g2 = NULL;
    /* a flipped byte anywhere: header, tokens, logits, KV, the checksum itself */
    const long at[] = {0, 9, 20, 60, 100, 125, n / 3, n / 2, n - 9, n - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        good[at[i]] ^= 0x10;
        spit(tpath("bad.ckpt"), good, n);
        good[at[i]] ^= 0x10;
        int rc = sk_gen_resume(&g2, m, tpath("bad.ckpt"), SK_BACKEND_CPU, err, sizeof err);
        if (rc != SK_EDATA) SK_T_FAIL_("flipped byte %ld: rc %d (%s)", at[i], rc, err);
        ASSERT_TRUE(g2 == NULL);
    }
    /* truncated */
    const long cut[] = {0, 7, 50, 119, 120, n / 2, n - 8, n - 1};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
        spit(tpath("bad.ckpt"), good, cut[i]);
        int rc = sk_gen_resume(&g2, m, tpath("bad.ckpt"), SK_BACKEND_CPU, err, sizeof err);
        if (rc != SK_EDATA) SK_T_FAIL_("truncated to %ld: rc %d (%s)", cut[i], rc, err);
    }
    /* trailing data */
    spit(tpath("bad.ckpt"), good, n);
    FILE *f = fopen(tpath("bad.ckpt"), "ab");
    fputc(0, f);
    fclose(f);
    ASSERT_EQ_INT(sk_gen_resume(&g2, m, tpath("bad.ckpt"), SK_BACKEND_CPU, err, sizeof err), SK_EDATA);
    /* another model */
    ASSERT_EQ_INT(sk_gen_resume(&g2, m2, tpath("c.ckpt"), SK_BACKEND_CPU, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "another model");
    ASSERT_EQ_INT(sk_gen_resume(&g2, m, tpath("missing.ckpt"), SK_BACKEND_CPU, err, sizeof err), SK_ENOINPUT);
    /* the intact file still resumes */
    ASSERT_EQ_INT(sk_gen_resume(&g2, m, tpath("c.ckpt"), SK_BACKEND_CPU, err, sizeof err), 0);
    sk_gen_free(g2);
    free(good);
    sk_model_free(m);
    sk_model_free(m2);
}

static void test_gen_errors(void) {
    sk_model *m = tiny_model(1);
    ASSERT_TRUE(m);
    char err[256];
    sk_gen *g = NULL;
    sk_gen_opts bad = {SK_BACKEND_CPU, 0, 0, 0};
    ASSERT_EQ_INT(sk_gen_new(&g, m, &bad, err, sizeof err), SK_EUSAGE);
    bad.batch = 1, bad.temperature = -1;
    ASSERT_EQ_INT(sk_gen_new(&g, m, &bad, err, sizeof err), SK_EUSAGE);
    sk_gen_opts o = {SK_BACKEND_AUTO, 1, 0, 0};
    ASSERT_EQ_INT(sk_gen_new(&g, m, &o, err, sizeof err), 0);
    int32_t t = 0, big[200] = {0};
    ASSERT_EQ_INT(sk_gen_step(g, &t, err, sizeof err), SK_EUSAGE); /* before prefill */
    t = 512;
    ASSERT_EQ_INT(sk_gen_prefill(g, &t, 1, err, sizeof err), SK_EDATA); /* outside the vocabulary */
    ASSERT_EQ_INT(sk_gen_prefill(g, big, 129, err, sizeof err), SK_EDATA); /* beyond n_ctx 128 */
    ASSERT_EQ_INT(sk_gen_prefill(g, big, 127, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_gen_step(g, &t, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_gen_step(g, &t, err, sizeof err), SK_EDATA); /* context full */
    sk_gen_free(g);
    sk_model_free(m);
}

/* ---- safetensors ------------------------------------------------------------------------------ */

static void test_safetensors_roundtrip(void) {
    sk_model_cfg c;
    char err[256];
    ASSERT_EQ_INT(sk_model_preset("tiny", &c), 0);
    for (int bf = 0; bf < 2; bf++) {
        sk_model *a = NULL, *b = NULL;
        ASSERT_EQ_INT(sk_model_synthetic(&a, &c, 42, bf, err, sizeof err), 0);
        ASSERT_EQ_INT(sk_model_write_synthetic(tpath("m.safetensors"), &c, 42, bf, err, sizeof err), 0);
        int rc = sk_model_load(&b, tpath("m.safetensors"), err, sizeof err);
        if (rc < 0) SK_T_FAIL_("load: %s", err);
        ASSERT_EQ_U64(sk_model_fingerprint(a), sk_model_fingerprint(b));
        ASSERT_EQ_INT(sk_model_is_bf16(b), bf);
        ASSERT_TRUE(!memcmp(sk_model_config(a), sk_model_config(b), sizeof c));
        const sk_weights *wa = sk_model__weights(a), *wb = sk_model__weights(b);
        ASSERT_TRUE(!memcmp(wa->wte, wb->wte, sizeof(float) * (size_t)c.vocab * c.d_model));
        ASSERT_TRUE(!memcmp(wa->layer[1].fc2_w, wb->layer[1].fc2_w, sizeof(float) * (size_t)c.d_ff * c.d_model));
        ASSERT_TRUE(wb->layer[0].ln1_w[3] == 1.0f && wb->layer[0].ln1_b[3] == 0.0f);
        if (bf) /* BF16 values: the low 16 bits are zero */
            for (int i = 0; i < 100; i++) {
                uint32_t u;
                memcpy(&u, &wb->wte[i], 4);
                ASSERT_EQ_U64(u & 0xFFFF, 0);
            }
        sk_model_free(a);
        sk_model_free(b);
    }
    sk_model *a = NULL;
    ASSERT_EQ_INT(sk_model_synthetic(&a, &c, 43, 0, err, sizeof err), 0); /* deterministic, seed matters */
    sk_model *b = NULL;
    ASSERT_EQ_INT(sk_model_synthetic(&b, &c, 43, 0, err, sizeof err), 0);
    ASSERT_EQ_U64(sk_model_fingerprint(a), sk_model_fingerprint(b));
    sk_model_free(b);
    ASSERT_EQ_INT(sk_model_synthetic(&b, &c, 44, 0, err, sizeof err), 0);
    ASSERT_TRUE(sk_model_fingerprint(a) != sk_model_fingerprint(b));
    sk_model_free(a);
    sk_model_free(b);
    ASSERT_EQ_INT(sk_model_preset("small", &c), 0);
    ASSERT_EQ_INT(c.n_layer * 1000 + c.d_model, 12768);
    ASSERT_EQ_INT(sk_model_preset("medium", &c), 0);
    ASSERT_EQ_INT(c.n_head, 16);
    ASSERT_EQ_INT(sk_model_preset("huge", &c), SK_EUSAGE);
}

/* Rewrite the good file's header with edit(root) and its data cut to dlen bytes (-1: all). */
static void st_mutate(const unsigned char *good, long n, void (*edit)(cJSON *), long dlen, long hdr_len_delta) {
    uint64_t hl = 0;
    for (int i = 0; i < 8; i++) hl |= (uint64_t)good[i] << (8 * i);
    cJSON *root = cJSON_ParseWithLength((const char *)good + 8, hl);
    if (edit) edit(root);
    char *h = cJSON_PrintUnformatted(root);
    uint64_t nl = strlen(h) + (uint64_t)hdr_len_delta;
    unsigned char le[8];
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(nl >> (8 * i));
    FILE *f = fopen(tpath("bad.safetensors"), "wb");
    fwrite(le, 1, 8, f);
    fwrite(h, 1, strlen(h), f);
    long dl = n - 8 - (long)hl;
    fwrite(good + 8 + hl, 1, (size_t)(dlen < 0 || dlen > dl ? dl : dlen), f);
    fclose(f);
    cJSON_free(h);
    cJSON_Delete(root);
}

static cJSON *st_item(cJSON *root, const char *t, const char *k) {
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, t), k);
}
static void ed_dtype(cJSON *r) { cJSON_SetValuestring(st_item(r, "wpe.weight", "dtype"), "Q4"); }
static void ed_dtype_i32(cJSON *r) { cJSON_SetValuestring(st_item(r, "h.0.ln_1.bias", "dtype"), "I32"); }
static void ed_shape(cJSON *r) { /* [64] -> [32, 2]: same byte count, wrong shape */
    cJSON *sh = st_item(r, "h.1.ln_2.weight", "shape");
    cJSON_SetNumberValue(cJSON_GetArrayItem(sh, 0), 32);
    cJSON_AddItemToArray(sh, cJSON_CreateNumber(2));
}
static void ed_meta(cJSON *r) { cJSON_SetValuestring(st_item(r, "__metadata__", "n_embd"), "128"); }
static void ed_range(cJSON *r) {
    cJSON *of = st_item(r, "ln_f.bias", "data_offsets");
    cJSON_SetNumberValue(cJSON_GetArrayItem(of, 0), 1e12), cJSON_SetNumberValue(cJSON_GetArrayItem(of, 1), 1e12 + 256);
}
static void ed_overlap(cJSON *r) { /* ln_f.bias moved onto ln_f.weight */
    cJSON *a = st_item(r, "ln_f.weight", "data_offsets"), *b = st_item(r, "ln_f.bias", "data_offsets");
    cJSON_SetNumberValue(cJSON_GetArrayItem(b, 0), cJSON_GetArrayItem(a, 0)->valuedouble);
    cJSON_SetNumberValue(cJSON_GetArrayItem(b, 1), cJSON_GetArrayItem(a, 1)->valuedouble);
}
static void ed_size(cJSON *r) {
    cJSON *of = st_item(r, "h.0.ln_1.bias", "data_offsets");
    cJSON_SetNumberValue(cJSON_GetArrayItem(of, 1), cJSON_GetArrayItem(of, 1)->valuedouble - 4);
}
static void ed_missing(cJSON *r) { cJSON_DeleteItemFromObjectCaseSensitive(r, "h.1.mlp.c_proj.bias"); }
static void ed_neg(cJSON *r) { cJSON_SetNumberValue(cJSON_GetArrayItem(st_item(r, "wte.weight", "shape"), 0), -512); }
static void ed_frac(cJSON *r) { cJSON_SetNumberValue(cJSON_GetArrayItem(st_item(r, "wte.weight", "data_offsets"), 0), 0.5); }
static void ed_noobj(cJSON *r) { cJSON_ReplaceItemInObjectCaseSensitive(r, "wpe.weight", cJSON_CreateString("x")); }
static void ed_extra(cJSON *r) { /* an unused tensor sharing nobody's bytes: ignored */
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "dtype", "U8");
    cJSON *sh = cJSON_AddArrayToObject(e, "shape"), *of = cJSON_AddArrayToObject(e, "data_offsets");
    cJSON_AddItemToArray(sh, cJSON_CreateNumber(0));
    cJSON_AddItemToArray(of, cJSON_CreateNumber(0)), cJSON_AddItemToArray(of, cJSON_CreateNumber(0));
    cJSON_AddItemToObject(r, "h.0.attn.bias", e);
}

static void test_safetensors_errors(void) {
    sk_model_cfg c;
    char err[512];
    sk_model_preset("tiny", &c);
    ASSERT_EQ_INT(sk_model_write_synthetic(tpath("g.safetensors"), &c, 1, 0, err, sizeof err), 0);
    long n;
    unsigned char *good = slurp(tpath("g.safetensors"), &n);
    sk_model *m = NULL;
    const struct {
        void (*edit)(cJSON *);
        long dlen, hdelta;
        int rc;
        const char *msg;
    } cases[] = {
        {NULL, -1, 0, 0, NULL},
        {ed_extra, -1, 0, 0, NULL},
        {NULL, 1000, 0, SK_EDATA, "data_offsets out of range"}, /* truncated data */
        {NULL, -1, 1 << 24, SK_EDATA, "beyond the file"},
        {NULL, -1, -3, SK_EDATA, "not a JSON object"},
        {ed_dtype, -1, 0, SK_EDATA, "unknown dtype 'Q4'"},
        {ed_dtype_i32, -1, 0, SK_EDATA, "supported: F32, BF16"},
        {ed_shape, -1, 0, SK_EDATA, "has shape [32,2]"},
        {ed_meta, -1, 0, SK_EDATA, "has shape"},
        {ed_range, -1, 0, SK_EDATA, "out of range"},
        {ed_overlap, -1, 0, SK_EDATA, "overlap"},
        {ed_size, -1, 0, SK_EDATA, "data_offsets span"},
        {ed_missing, -1, 0, SK_EDATA, "missing tensor 'h.1.mlp.c_proj.bias'"},
        {ed_neg, -1, 0, SK_EDATA, "shape must be"},
        {ed_frac, -1, 0, SK_EDATA, "out of range"},
        {ed_noobj, -1, 0, SK_EDATA, "needs dtype"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        st_mutate(good, n, cases[i].edit, cases[i].dlen, cases[i].hdelta);
        err[0] = 0;
        int rc = sk_model_load(&m, tpath("bad.safetensors"), err, sizeof err);
        if (rc != cases[i].rc || (cases[i].msg && !strstr(err, cases[i].msg)))
            SK_T_FAIL_("case %zu: rc %d (want %d), '%s'", i, rc, cases[i].rc, err);
        ASSERT_TRUE((m != NULL) == (rc == 0));
        sk_model_free(m);
        m = NULL;
    }
    /* raw damage: short files, a header length in the billions, bytes cut from the end */
    spit(tpath("bad.safetensors"), good, 5);
    ASSERT_EQ_INT(sk_model_load(&m, tpath("bad.safetensors"), err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "truncated");
    spit(tpath("bad.safetensors"), good, 0);
    ASSERT_EQ_INT(sk_model_load(&m, tpath("bad.safetensors"), err, sizeof err), SK_EDATA);
    spit(tpath("bad.safetensors"), good, n - 1);
    ASSERT_EQ_INT(sk_model_load(&m, tpath("bad.safetensors"), err, sizeof err), SK_EDATA);
    unsigned char big[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, '{', '}'};
    spit(tpath("bad.safetensors"), big, 16);
    ASSERT_EQ_INT(sk_model_load(&m, tpath("bad.safetensors"), err, sizeof err), SK_EDATA);
    ASSERT_EQ_INT(sk_model_load(&m, tpath("nope.safetensors"), err, sizeof err), SK_ENOINPUT);
    /* random garbage never crashes */
    sk_rng r;
    sk_rng_init(&r, NULL, 77, 0, 0);
    for (int it = 0; it < 200; it++) {
        unsigned char *cp = malloc((size_t)n);
        memcpy(cp, good, (size_t)n);
        long hl = (long)good[0] | (long)good[1] << 8;
        for (int k = 0; k < 3; k++) cp[sk_rng_uniform_int(&r, (uint32_t)(8 + hl))] = (unsigned char)sk_rng_uniform_int(&r, 256);
        spit(tpath("bad.safetensors"), cp, n);
        int rc = sk_model_load(&m, tpath("bad.safetensors"), err, sizeof err);
        ASSERT_TRUE(rc == 0 || rc == SK_EDATA);
        sk_model_free(m);
        m = NULL;
        free(cp);
    }
    sk_rng_fini(&r);
    free(good);
}

int main(int argc, char **argv) {
    snprintf(sk_tdir, sizeof sk_tdir, "/tmp/sk_test_infer.XXXXXX");
    if (!mkdtemp(sk_tdir)) return 1;
    static const sk_test tests[] = {
        {"bf16", test_bf16},
        {"fnv_split", test_fnv_split},
        {"gemm", test_gemm},
        {"layernorm_gelu", test_layernorm_gelu},
        {"attention", test_attention},
        {"logits", test_logits},
        {"model_vs_reference", test_model_vs_reference},
        {"determinism", test_determinism},
        {"checkpoint_resume", test_checkpoint_resume},
        {"checkpoint_corrupt", test_checkpoint_corrupt},
        {"gen_errors", test_gen_errors},
        {"safetensors_roundtrip", test_safetensors_roundtrip},
        {"safetensors_errors", test_safetensors_errors},
        {NULL, NULL},
    };
    int rc = sk_test_main(tests, argc, argv);
    const char *names[] = {"g.ckpt", "c.ckpt", "bad.ckpt", "m.safetensors", "g.safetensors", "bad.safetensors"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tpath(names[i]));
    rmdir(sk_tdir);
    return rc;
}
