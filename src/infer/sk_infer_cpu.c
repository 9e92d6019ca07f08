/* sk_infer_cpu.c - the CPU backend of the inference engine: fp32 kernels parallel with OpenMP. */
#include "infer/sk_infer_cpu.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "infer/sk_infer_backend.h"
#include "infer/sk_infer_int.h"
#include "sk_error.h"

/* The sk_v8 helpers are static: the vector-return ABI note of GCC without AVX does not apply. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/* Eight fp32 lanes (GCC/Clang vector extension; compiled to AVX, SSE pairs or scalars). Lane-wise
 * arithmetic is exactly the scalar arithmetic, so results do not depend on the instruction set. */
typedef float sk_v8 __attribute__((vector_size(32)));

static inline sk_v8 sk_ld8(const float *p) {
    sk_v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void sk_st8(float *p, sk_v8 v) { memcpy(p, &v, sizeof v); }
static inline sk_v8 sk_bc8(float a) { return (sk_v8){a, a, a, a, a, a, a, a}; }
/* Fixed-order horizontal sum. */
static inline float sk_hsum8(sk_v8 v) { return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7])); }

static inline float sk_dot(const float *a, const float *b, int n) {
    sk_v8 acc = sk_bc8(0.0f);
    int k = 0;
    for (; k + 8 <= n; k += 8) acc += sk_ld8(a + k) * sk_ld8(b + k);
    float s = sk_hsum8(acc);
    for (; k < n; k++) s += a[k] * b[k];
    return s;
}

/* ---- GEMM ------------------------------------------------------------------------------------- */

enum { SK_GEMM_MB = 16, SK_GEMM_NB = 64 };

/* Rows r0..r1-1, columns n0..n1-1 of C. Register tiles of 4 rows x 16 columns; per element the
 * sum is bias + a_0 w_0 + a_1 w_1 + ... in ascending k, whichever path computes it. */
static void sk_gemm_tile(float *C, const float *A, const float *W, const float *bias, int r0, int r1, int n0, int n1,
                         int K, int N, int accumulate) {
    int r = r0;
    for (; r + 4 <= r1; r += 4) {
        const float *a0 = A + (size_t)r * K, *a1 = a0 + K, *a2 = a1 + K, *a3 = a2 + K;
        int n = n0;
        for (; n + 16 <= n1; n += 16) {
            sk_v8 b0 = bias ? sk_ld8(bias + n) : sk_bc8(0), b1 = bias ? sk_ld8(bias + n + 8) : sk_bc8(0);
            sk_v8 c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
            const float *w = W + n;
            for (int k = 0; k < K; k++, w += N) {
                sk_v8 w0 = sk_ld8(w), w1 = sk_ld8(w + 8), x;
                x = sk_bc8(a0[k]), c00 += x * w0, c01 += x * w1;
                x = sk_bc8(a1[k]), c10 += x * w0, c11 += x * w1;
                x = sk_bc8(a2[k]), c20 += x * w0, c21 += x * w1;
                x = sk_bc8(a3[k]), c30 += x * w0, c31 += x * w1;
            }
            float *c = C + (size_t)r * N + n;
            if (accumulate) {
                c00 += sk_ld8(c), c01 += sk_ld8(c + 8), c += N;
                c10 += sk_ld8(c), c11 += sk_ld8(c + 8), c += N;
                c20 += sk_ld8(c), c21 += sk_ld8(c + 8), c += N;
                c30 += sk_ld8(c), c31 += sk_ld8(c + 8);
                c = C + (size_t)r * N + n;
            }
            sk_st8(c, c00), sk_st8(c + 8, c01), c += N;
            sk_st8(c, c10), sk_st8(c + 8, c11), c += N;
            sk_st8(c, c20), sk_st8(c + 8, c21), c += N;
            sk_st8(c, c30), sk_st8(c + 8, c31);
        }
        for (; n < n1; n++)
            for (int i = 0; i < 4; i++) {
                const float *a = A + (size_t)(r + i) * K;
                float s = bias ? bias[n] : 0.0f;
                for (int k = 0; k < K; k++) s += a[k] * W[(size_t)k * N + n];
                float *c = C + (size_t)(r + i) * N + n;
                *c = accumulate ? s + *c : s;
            }
    }
    for (; r < r1; r++) {
        const float *a = A + (size_t)r * K;
        int n = n0;
        for (; n + 16 <= n1; n += 16) {
            sk_v8 c0 = bias ? sk_ld8(bias + n) : sk_bc8(0), c1 = bias ? sk_ld8(bias + n + 8) : sk_bc8(0);
            const float *w = W + n;
            for (int k = 0; k < K; k++, w += N) {
                sk_v8 x = sk_bc8(a[k]);
                c0 += x * sk_ld8(w), c1 += x * sk_ld8(w + 8);
            }
            float *c = C + (size_t)r * N + n;
            if (accumulate) c0 += sk_ld8(c), c1 += sk_ld8(c + 8);
            sk_st8(c, c0), sk_st8(c + 8, c1);
        }
        for (; n < n1; n++) {
            float s = bias ? bias[n] : 0.0f;
            for (int k = 0; k < K; k++) s += a[k] * W[(size_t)k * N + n];
            float *c = C + (size_t)r * N + n;
            *c = accumulate ? s + *c : s;
        }
    }
}

void sk_cpu_gemm(float *C, const float *A, const float *W, const float *bias, int M, int K, int N, int accumulate) {
    int nmb = (M + SK_GEMM_MB - 1) / SK_GEMM_MB, nnb = (N + SK_GEMM_NB - 1) / SK_GEMM_NB;
    /* Column blocks outer: consecutive tiles of one thread share a K x NB panel of W in cache. */
#pragma omp parallel for collapse(2) schedule(static)
    for (int jb = 0; jb < nnb; jb++)
        for (int ib = 0; ib < nmb; ib++) {
            int r0 = ib * SK_GEMM_MB, n0 = jb * SK_GEMM_NB;
            int r1 = r0 + SK_GEMM_MB < M ? r0 + SK_GEMM_MB : M, n1 = n0 + SK_GEMM_NB < N ? n0 + SK_GEMM_NB : N;
            sk_gemm_tile(C, A, W, bias, r0, r1, n0, n1, K, N, accumulate);
        }
}

/* ---- elementwise, normalisation, attention, logits -------------------------------------------- */

void sk_cpu_layernorm(float *y, const float *x, const float *g, const float *b, int M, int d, float eps) {
#pragma omp parallel for schedule(static) if (M > 1)
    for (int r = 0; r < M; r++) {
        const float *xr = x + (size_t)r * d;
        float *yr = y + (size_t)r * d;
        double mean = 0, var = 0;
        for (int i = 0; i < d; i++) mean += xr[i];
        mean /= d;
        for (int i = 0; i < d; i++) var += ((double)xr[i] - mean) * ((double)xr[i] - mean);
        var /= d;
        double rs = 1.0 / sqrt(var + (double)eps);
        for (int i = 0; i < d; i++) yr[i] = (float)(((double)xr[i] - mean) * rs) * g[i] + b[i];
    }
}

void sk_cpu_gelu(float *x, size_t n) {
    const float c = 0.7978845608028654f; /* sqrt(2/pi) */
#pragma omp parallel for schedule(static) if (n > 65536)
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        x[i] = 0.5f * v * (1.0f + tanhf(c * (v + 0.044715f * v * v * v)));
    }
}

void sk_cpu_attn_head(float *out, const float *q, const float *K, const float *V, size_t ld, int npos, int hd,
                      float scale) {
    float o[SK_INFER_MAX_HEAD_DIM];
    float m = -INFINITY, l = 0.0f;
    for (int i = 0; i < hd; i++) o[i] = 0.0f;
    for (int t = 0; t < npos; t++) {
        const float *kt = K + (size_t)t * ld, *vt = V + (size_t)t * ld;
        float s = sk_dot(q, kt, hd) * scale, p;
        if (s > m) { /* new maximum: rescale what was summed so far */
            float c = expf(m - s);
            l *= c;
            for (int i = 0; i < hd; i++) o[i] *= c;
            m = s;
            p = 1.0f;
        } else {
            p = expf(s - m);
        }
        l += p;
        for (int i = 0; i < hd; i++) o[i] += p * vt[i];
    }
    float inv = 1.0f / l;
    for (int i = 0; i < hd; i++) out[i] = o[i] * inv;
}

void sk_cpu_logits(float *logits, const float *X, const float *E, int M, int d, int vocab) {
#pragma omp parallel for schedule(static)
    for (int v = 0; v < vocab; v++) {
        const float *e = E + (size_t)v * d;
        for (int r = 0; r < M; r++) logits[(size_t)r * vocab + v] = sk_dot(X + (size_t)r * d, e, d);
    }
}

/* ---- the backend ------------------------------------------------------------------------------ */

typedef struct sk_cpu_st {
    const sk_weights *w;
    sk_model_cfg c;
    int B, chunk;   /* sequences; tokens per sequence per pass through the network */
    float *kc, *vc; /* [n_layer][B][n_ctx][d] */
    float *x, *h, *qkv, *att, *ff, *xl;
} sk_cpu_st;

static void sk_cpu_fini(void *vst) {
    sk_cpu_st *s = vst;
    if (!s) return;
    free(s->kc);
    free(s->vc);
    free(s->x);
    free(s->h);
    free(s->qkv);
    free(s->att);
    free(s->ff);
    free(s->xl);
    free(s);
}

static int sk_cpu_init(void **out, const sk_weights *w, int batch, char *err, size_t errlen) {
    *out = NULL;
    int rc = sk_model__cfg_check(&w->cfg, err, errlen);
    if (rc < 0) return rc;
    if (batch < 1) {
        if (err && errlen) snprintf(err, errlen, "batch must be >= 1");
        return SK_EUSAGE;
    }
    sk_cpu_st *s = calloc(1, sizeof *s);
    if (!s) goto fail;
    s->w = w;
    s->c = w->cfg;
    s->B = batch;
    s->chunk = 256 / batch > 1 ? 256 / batch : 1;
    if (s->chunk > s->c.n_ctx) s->chunk = s->c.n_ctx;
    size_t d = (size_t)s->c.d_model, rows = (size_t)batch * (size_t)s->chunk;
    size_t kvn = (size_t)s->c.n_layer * (size_t)batch * (size_t)s->c.n_ctx * d;
    s->kc = calloc(kvn, sizeof(float));
    s->vc = calloc(kvn, sizeof(float));
    s->x = malloc(rows * d * sizeof(float));
    s->h = malloc(rows * d * sizeof(float));
    s->qkv = malloc(rows * 3 * d * sizeof(float));
    s->att = malloc(rows * d * sizeof(float));
    s->ff = malloc(rows * (size_t)s->c.d_ff * sizeof(float));
    s->xl = malloc((size_t)batch * d * sizeof(float));
    if (!s->kc || !s->vc || !s->x || !s->h || !s->qkv || !s->att || !s->ff || !s->xl) goto fail_s;
    *out = s;
    return 0;
fail_s:
    sk_cpu_fini(s);
fail:
    if (err && errlen) snprintf(err, errlen, "cpu backend: out of memory (batch %d, KV cache for %d positions)", batch,
                                w->cfg.n_ctx);
    return SK_ENOMEM;
}

/* One pass of nc tokens per sequence at positions pos..pos+nc-1; rows r = b*nc + j. */
static void sk_cpu_pass(sk_cpu_st *s, const int32_t *tok, int n, int c0, int nc, int pos) {
    const sk_weights *w = s->w;
    const int d = s->c.d_model, nh = s->c.n_head, hd = d / nh, ff = s->c.d_ff, M = s->B * nc;
    const size_t ctx = (size_t)s->c.n_ctx;
    const float scale = 1.0f / sqrtf((float)hd);
    for (int r = 0; r < M; r++) {
        int b = r / nc, j = r % nc;
        const float *te = w->wte + (size_t)tok[(size_t)b * n + c0 + j] * d, *pe = w->wpe + (size_t)(pos + j) * d;
        float *x = s->x + (size_t)r * d;
        for (int i = 0; i < d; i++) x[i] = te[i] + pe[i];
    }
    for (int l = 0; l < s->c.n_layer; l++) {
        const sk_layer_w *L = &w->layer[l];
        float *kl = s->kc + (size_t)l * s->B * ctx * d, *vl = s->vc + (size_t)l * s->B * ctx * d;
        sk_cpu_layernorm(s->h, s->x, L->ln1_w, L->ln1_b, M, d, 1e-5f);
        sk_cpu_gemm(s->qkv, s->h, L->attn_w, L->attn_b, M, d, 3 * d, 0);
        for (int r = 0; r < M; r++) {
            int b = r / nc, j = r % nc;
            const float *q = s->qkv + (size_t)r * 3 * d;
            memcpy(kl + ((size_t)b * ctx + (size_t)(pos + j)) * d, q + d, (size_t)d * sizeof(float));
            memcpy(vl + ((size_t)b * ctx + (size_t)(pos + j)) * d, q + 2 * d, (size_t)d * sizeof(float));
        }
#pragma omp parallel for collapse(2) schedule(dynamic, 1)
        for (int r = 0; r < M; r++)
            for (int hh = 0; hh < nh; hh++) {
                int b = r / nc, j = r % nc;
                size_t base = (size_t)b * ctx * d + (size_t)hh * hd;
                sk_cpu_attn_head(s->att + (size_t)r * d + (size_t)hh * hd, s->qkv + (size_t)r * 3 * d + (size_t)hh * hd,
                                 kl + base, vl + base, (size_t)d, pos + j + 1, hd, scale);
            }
        sk_cpu_gemm(s->x, s->att, L->proj_w, L->proj_b, M, d, d, 1);
        sk_cpu_layernorm(s->h, s->x, L->ln2_w, L->ln2_b, M, d, 1e-5f);
        sk_cpu_gemm(s->ff, s->h, L->fc_w, L->fc_b, M, d, ff, 0);
        sk_cpu_gelu(s->ff, (size_t)M * (size_t)ff);
        sk_cpu_gemm(s->x, s->ff, L->fc2_w, L->fc2_b, M, ff, d, 1);
    }
}

static int sk_cpu_forward(void *vst, const int32_t *tok, int n, int pos, float *logits, char *err, size_t errlen) {
    sk_cpu_st *s = vst;
    const int d = s->c.d_model;
    if (n < 1 || pos < 0 || pos > s->c.n_ctx - n) {
        if (err && errlen) snprintf(err, errlen, "cpu forward: %d tokens at position %d exceed the context of %d", n, pos,
                                    s->c.n_ctx);
        return SK_EDATA;
    }
    for (size_t i = 0; i < (size_t)s->B * (size_t)n; i++)
        if (tok[i] < 0 || tok[i] >= s->c.vocab) {
            if (err && errlen) snprintf(err, errlen, "token id %d is outside the vocabulary [0, %d)", (int)tok[i],
                                        s->c.vocab);
            return SK_EDATA;
        }
    int nc = 0;
    for (int c0 = 0; c0 < n; c0 += nc) {
        nc = n - c0 < s->chunk ? n - c0 : s->chunk;
        sk_cpu_pass(s, tok, n, c0, nc, pos + c0);
    }
    for (int b = 0; b < s->B; b++)
        memcpy(s->xl + (size_t)b * d, s->x + ((size_t)b * nc + (size_t)(nc - 1)) * d, (size_t)d * sizeof(float));
    sk_cpu_layernorm(s->xl, s->xl, s->w->lnf_w, s->w->lnf_b, s->B, d, 1e-5f);
    sk_cpu_logits(logits, s->xl, s->w->wte, s->B, d, s->c.vocab);
    return 0;
}

static int sk_cpu_kv(sk_cpu_st *s, int npos, float *k, float *v, int set) {
    if (npos < 0 || npos > s->c.n_ctx) return SK_EUSAGE;
    size_t d = (size_t)s->c.d_model, ctx = (size_t)s->c.n_ctx, row = (size_t)npos * d * sizeof(float);
    for (size_t lb = 0; lb < (size_t)s->c.n_layer * (size_t)s->B; lb++) {
        float *ck = s->kc + lb * ctx * d, *cv = s->vc + lb * ctx * d;
        float *hk = k + lb * (size_t)npos * d, *hv = v + lb * (size_t)npos * d;
        if (set) memcpy(ck, hk, row), memcpy(cv, hv, row);
        else memcpy(hk, ck, row), memcpy(hv, cv, row);
    }
    return 0;
}
static int sk_cpu_kv_get(void *st, int npos, float *k, float *v) { return sk_cpu_kv(st, npos, k, v, 0); }
static int sk_cpu_kv_set(void *st, int npos, const float *k, const float *v) {
    return sk_cpu_kv(st, npos, (float *)k, (float *)v, 1);
}

const sk_infer_backend sk_infer_cpu = {"cpu", sk_cpu_init, sk_cpu_forward, sk_cpu_kv_get, sk_cpu_kv_set, sk_cpu_fini};
