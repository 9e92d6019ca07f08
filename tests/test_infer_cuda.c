/* test_infer_cuda.c - the CUDA inference backend against a float64 reference of the same network
 * and against the CPU backend: every kernel path (GEMV, our tiled GEMM, cuBLAS, fp32 and bf16
 * weights, attention for prefill and decode, graph replay), KV export/import.
 *
 *   test_infer_cuda [TEST...]        the CUDA backend; without the CUDA module or a device it
 *                                    prints "SKIP: ..." and exits 77 (CTest's SKIP_RETURN_CODE)
 *   test_infer_cuda --cpu [TEST...]  the same reference checks on the CPU backend, and the CUDA
 *                                    module's absence reported cleanly: runs in every build
 *
 * Error bounds (normwise: max|got - ref| / max|ref| over a logits vector; NaN or Inf never passes):
 *   fp32 weights vs the float64 reference of the same weights          1e-4
 *   bf16 weights vs the float64 reference of the same (bf16) values    1e-4  (fp32 arithmetic)
 *   bf16 weights vs the float64 reference of the unrounded fp32 model  1e-2
 *   CUDA vs CPU backend, same weights                                   1e-4 */
#include "infer/sk_infer_backend.h"
#include "kernels/sk_cuda.h"
#include "kernels/sk_infer_cuda.h"
#include "sk_error.h"
#include "test.h"

/* tiny preset: 2 layers, d 64, 4 heads, ff 256, vocab 512, ctx 128 */
static const sk_model_cfg tiny = {2, 4, 64, 256, 512, 128};

/* the backend under test: CUDA, or the CPU with --cpu */
static const sk_infer_backend *be = &sk_infer_cuda;

/* ---- random weights --------------------------------------------------------------------------- */

static uint64_t rs;
static double urand(void) { /* splitmix64 -> (0, 1) */
    uint64_t z = (rs += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}
static double nrand(void) { return sqrt(-2.0 * log(urand())) * cos(6.283185307179586 * urand()); }

static float round_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    u += 0x7fffu + ((u >> 16) & 1u);
    u &= 0xffff0000u;
    memcpy(&f, &u, 4);
    return f;
}

typedef struct {
    sk_weights w;
    sk_layer_w layer[8];
    float *buf; /* every array */
    size_t used;
} model;

static float *take(model *m, size_t n, double mean, double sd, int bf) {
    float *p = m->buf + m->used;
    m->used += n;
    for (size_t i = 0; i < n; i++) {
        p[i] = (float)(mean + sd * nrand());
        if (bf) p[i] = round_bf16(p[i]);
    }
    return p;
}

/* Random weights (N(0, 0.02) matrices, LayerNorm weights near 1, small biases), rounded to bf16
 * values when bf; the same seed gives the same model up to that rounding. */
static void model_make(model *m, uint64_t seed, int bf) {
    const sk_model_cfg *c = &tiny;
    size_t d = (size_t)c->d_model, ff = (size_t)c->d_ff;
    size_t total = (size_t)c->vocab * d + (size_t)c->n_ctx * d + 2 * d +
                   (size_t)c->n_layer * (4 * d + 3 * d + d + ff + d + 3 * d * d + d * d + 2 * d * ff);
    memset(m, 0, sizeof *m);
    m->buf = malloc(total * sizeof(float));
    rs = seed;
    m->w.cfg = *c;
    m->w.bf16 = bf;
    m->w.wte = take(m, (size_t)c->vocab * d, 0, 0.02, bf);
    m->w.wpe = take(m, (size_t)c->n_ctx * d, 0, 0.01, bf);
    m->w.lnf_w = take(m, d, 1, 0.1, bf);
    m->w.lnf_b = take(m, d, 0, 0.02, bf);
    for (int l = 0; l < c->n_layer; l++) {
        sk_layer_w *L = &m->layer[l];
        L->ln1_w = take(m, d, 1, 0.1, bf), L->ln1_b = take(m, d, 0, 0.02, bf);
        L->ln2_w = take(m, d, 1, 0.1, bf), L->ln2_b = take(m, d, 0, 0.02, bf);
        L->attn_w = take(m, 3 * d * d, 0, 0.02, bf), L->attn_b = take(m, 3 * d, 0, 0.02, bf);
        L->proj_w = take(m, d * d, 0, 0.02, bf), L->proj_b = take(m, d, 0, 0.02, bf);
        L->fc_w = take(m, d * ff, 0, 0.02, bf), L->fc_b = take(m, ff, 0, 0.02, bf);
        L->fc2_w = take(m, ff * d, 0, 0.02, bf), L->fc2_b = take(m, d, 0, 0.02, bf);
    }
    m->w.layer = m->layer;
}

/* ---- float64 reference ------------------------------------------------------------------------ */

typedef struct {
    const sk_weights *w;
    int B;
    double *k, *v; /* [L][B][n_ctx][d] */
} ref;

static void ref_init(ref *r, const sk_weights *w, int B) {
    size_t n = (size_t)w->cfg.n_layer * B * w->cfg.n_ctx * w->cfg.d_model;
    r->w = w, r->B = B;
    r->k = calloc(n, sizeof(double)), r->v = calloc(n, sizeof(double));
}
static void ref_free(ref *r) { free(r->k), free(r->v); }

static void ref_ln(const double *x, const float *g, const float *b, double *y, int d) {
    double mu = 0, var = 0;
    for (int i = 0; i < d; i++) mu += x[i];
    mu /= d;
    for (int i = 0; i < d; i++) var += (x[i] - mu) * (x[i] - mu);
    var /= d;
    for (int i = 0; i < d; i++) y[i] = (x[i] - mu) / sqrt(var + 1e-5) * g[i] + b[i];
}
/* y[o] = b[o] + sum_i x[i] W[i][o], W [in][out] */
static void ref_mm(const double *x, const float *W, const float *b, double *y, int in, int out) {
    for (int o = 0; o < out; o++) y[o] = b ? b[o] : 0.0;
    for (int i = 0; i < in; i++)
        for (int o = 0; o < out; o++) y[o] += x[i] * W[(size_t)i * out + o];
}
static double ref_gelu(double x) { return 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))); }

/* The contract's forward in float64: logits[b*vocab + v] of each sequence's last token. */
static void ref_forward(ref *r, const int32_t *tok, int n, int pos, double *logits) {
    const sk_model_cfg *c = &r->w->cfg;
    int d = c->d_model, ff = c->d_ff, H = c->n_head, hd = d / H;
    double *x = malloc(sizeof(double) * (size_t)n * d), *h = malloc(sizeof(double) * d),
           *qkv = malloc(sizeof(double) * (size_t)n * 3 * d), *att = malloc(sizeof(double) * d),
           *t = malloc(sizeof(double) * (ff > 3 * d ? ff : 3 * d)), *sc = malloc(sizeof(double) * c->n_ctx);
    for (int b = 0; b < r->B; b++) {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < d; i++)
                x[j * d + i] = (double)r->w->wte[(size_t)tok[b * n + j] * d + i] + r->w->wpe[(size_t)(pos + j) * d + i];
        for (int l = 0; l < c->n_layer; l++) {
            const sk_layer_w *L = &r->w->layer[l];
            size_t base = (((size_t)l * r->B + b) * c->n_ctx) * d;
            for (int j = 0; j < n; j++) {
                ref_ln(x + j * d, L->ln1_w, L->ln1_b, h, d);
                ref_mm(h, L->attn_w, L->attn_b, qkv + (size_t)j * 3 * d, d, 3 * d);
                memcpy(r->k + base + (size_t)(pos + j) * d, qkv + (size_t)j * 3 * d + d, sizeof(double) * d);
                memcpy(r->v + base + (size_t)(pos + j) * d, qkv + (size_t)j * 3 * d + 2 * d, sizeof(double) * d);
            }
            for (int j = 0; j < n; j++) {
                int T = pos + j + 1;
                for (int hh = 0; hh < H; hh++) {
                    const double *q = qkv + (size_t)j * 3 * d + hh * hd;
                    double mx = -1e300, s = 0;
                    for (int u = 0; u < T; u++) {
                        double a = 0;
                        for (int i = 0; i < hd; i++) a += q[i] * r->k[base + (size_t)u * d + hh * hd + i];
                        sc[u] = a / sqrt((double)hd);
                        if (sc[u] > mx) mx = sc[u];
                    }
                    for (int u = 0; u < T; u++) s += (sc[u] = exp(sc[u] - mx));
                    for (int i = 0; i < hd; i++) {
                        double a = 0;
                        for (int u = 0; u < T; u++) a += sc[u] * r->v[base + (size_t)u * d + hh * hd + i];
                        att[hh * hd + i] = a / s;
                    }
                }
                ref_mm(att, L->proj_w, L->proj_b, t, d, d);
                for (int i = 0; i < d; i++) x[j * d + i] += t[i];
                ref_ln(x + j * d, L->ln2_w, L->ln2_b, h, d);
                double *u = malloc(sizeof(double) * ff);
                ref_mm(h, L->fc_w, L->fc_b, u, d, ff);
                for (int i = 0; i < ff; i++) u[i] = ref_gelu(u[i]);
                ref_mm(u, L->fc2_w, L->fc2_b, t, ff, d);
                for (int i = 0; i < d; i++) x[j * d + i] += t[i];
                free(u);
            }
        }
        ref_ln(x + (size_t)(n - 1) * d, r->w->lnf_w, r->w->lnf_b, h, d);
        for (int v = 0; v < c->vocab; v++) {
            double a = 0;
            for (int i = 0; i < d; i++) a += h[i] * r->w->wte[(size_t)v * d + i];
            logits[(size_t)b * c->vocab + v] = a;
        }
    }
    free(x), free(h), free(qkv), free(att), free(t), free(sc);
}

/* Normwise relative error of got against want (n values); +Inf when anything is not finite. */
static double relerr(const float *got, const double *want, size_t n) {
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(got[i]) || !isfinite(want[i])) return INFINITY;
        double e = fabs((double)got[i] - want[i]);
        if (e > num) num = e;
        if (fabs(want[i]) > den) den = fabs(want[i]);
    }
    return den > 0 ? num / den : (num > 0 ? INFINITY : 0);
}

static void tokens(int32_t *t, size_t n, uint64_t seed) {
    rs = seed;
    for (size_t i = 0; i < n; i++) t[i] = (int32_t)(urand() * tiny.vocab);
}

/* ---- the checks ------------------------------------------------------------------------------- */

/* Prefill 24 tokens x B sequences, 6 decode steps, a 5-token prefill chunk at a later position and
 * 2 more decode steps on the backend (CUDA: gemm mode, graphs) and in float64 (ref model rw); worst error must
 * stay <= tol. */
static void run_vs_ref(int bf, const sk_weights *rw, int B, int gemm, int graphs, double tol) {
    model m;
    model_make(&m, 7, bf);
    char err[256] = "";
    void *st = NULL;
    int V = tiny.vocab, rc = be->init(&st, &m.w, B, err, sizeof err);
    if (rc != 0) {
        free(m.buf);
        SK_T_FAIL_("init: %d %s", rc, err);
    }
    if (be == &sk_infer_cuda) {
        ASSERT_EQ_INT(sk_infer_cuda_set_gemm(st, gemm), 0);
        ASSERT_EQ_INT(sk_infer_cuda_set_graphs(st, graphs), 0);
    }
    ref r;
    ref_init(&r, rw ? rw : &m.w, B);
    int32_t tok[64 * 24];
    float *lg = malloc(sizeof(float) * (size_t)B * V);
    double *lr = malloc(sizeof(double) * (size_t)B * V), worst = 0;
    int pos = 0;
    const int steps[] = {24, 1, 1, 1, 1, 1, 1, 5, 1, 1};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        int n = steps[s];
        tokens(tok, (size_t)B * n, 100 + s);
        rc = be->forward(st, tok, n, pos, lg, err, sizeof err);
        if (rc != 0) break;
        ref_forward(&r, tok, n, pos, lr);
        double e = relerr(lg, lr, (size_t)B * V);
        if (!(e <= worst)) worst = e;
        pos += n;
    }
    be->fini(st);
    ref_free(&r);
    free(lg), free(lr), free(m.buf);
    ASSERT_EQ_INT(rc, 0);
    printf("    bf16 %d ref %s batch %d gemm %d graphs %d: max rel err %.3g (bound %g)\n", bf,
           rw ? "fp32" : "same", B, gemm, graphs, worst, tol);
    ASSERT_TRUE(worst <= tol);
}

static void t_fp32_gemv_own_gemm(void) { run_vs_ref(0, NULL, 3, SK_CUDA_GEMM_OWN, 1, 1e-4); }
static void t_fp32_cublas(void) { run_vs_ref(0, NULL, 3, SK_CUDA_GEMM_CUBLAS, 1, 1e-4); }
static void t_fp32_eager_batch1(void) { run_vs_ref(0, NULL, 1, SK_CUDA_GEMM_AUTO, 0, 1e-4); }
static void t_fp32_batch20(void) { run_vs_ref(0, NULL, 20, SK_CUDA_GEMM_AUTO, 1, 1e-4); }
static void t_bf16_same_values(void) { run_vs_ref(1, NULL, 3, SK_CUDA_GEMM_AUTO, 1, 1e-4); }
static void t_bf16_batch20(void) { run_vs_ref(1, NULL, 20, SK_CUDA_GEMM_OWN, 1, 1e-4); }
static void t_bf16_vs_fp32_model(void) {
    model f;
    model_make(&f, 7, 0);
    run_vs_ref(1, &f.w, 2, SK_CUDA_GEMM_AUTO, 1, 1e-2);
    free(f.buf);
}

/* kv_get after a prefill matches the reference cache; a fresh state given that cache by kv_set
 * continues bit for bit like the original. */
static void t_kv_roundtrip(void) {
    model m;
    model_make(&m, 9, 0);
    char err[256] = "";
    void *a = NULL, *b = NULL;
    int B = 2, n = 17, V = tiny.vocab, d = tiny.d_model;
    ASSERT_EQ_INT(be->init(&a, &m.w, B, err, sizeof err), 0);
    ASSERT_EQ_INT(be->init(&b, &m.w, B, err, sizeof err), 0);
    size_t kvn = (size_t)tiny.n_layer * B * n * d;
    float *k = malloc(kvn * sizeof(float)), *v = malloc(kvn * sizeof(float));
    float *la = malloc(sizeof(float) * B * V), *lb = malloc(sizeof(float) * B * V);
    double *lr = malloc(sizeof(double) * B * V);
    int32_t tok[2 * 17], nxt[2] = {5, 400};
    ref r;
    ref_init(&r, &m.w, B);
    tokens(tok, (size_t)B * n, 3);
    ASSERT_EQ_INT(be->forward(a, tok, n, 0, la, err, sizeof err), 0);
    ref_forward(&r, tok, n, 0, lr);
    ASSERT_EQ_INT(be->kv_get(a, n, k, v), 0);
    double num = 0, den = 0;
    for (int l = 0; l < tiny.n_layer; l++)
        for (int s = 0; s < B; s++)
            for (int p = 0; p < n; p++)
                for (int i = 0; i < d; i++) {
                    size_t hi = (((size_t)l * B + s) * n + p) * d + i;
                    size_t ri = (((size_t)l * B + s) * tiny.n_ctx + p) * d + i;
                    double e = fmax(fabs(k[hi] - r.k[ri]), fabs(v[hi] - r.v[ri]));
                    if (!(e <= num)) num = e;
                    den = fmax(den, fmax(fabs(r.k[ri]), fabs(r.v[ri])));
                }
    printf("    kv cache max rel err %.3g\n", num / den);
    ASSERT_TRUE(num / den <= 1e-4);
    ASSERT_EQ_INT(be->kv_set(b, n, k, v), 0);
    ASSERT_EQ_INT(be->forward(a, nxt, 1, n, la, err, sizeof err), 0);
    ASSERT_EQ_INT(be->forward(b, nxt, 1, n, lb, err, sizeof err), 0);
    ASSERT_TRUE(memcmp(la, lb, sizeof(float) * B * V) == 0);
    ASSERT_EQ_INT(be->kv_get(a, tiny.n_ctx + 1, k, v), SK_EUSAGE);
    be->fini(a);
    be->fini(b);
    ref_free(&r);
    free(k), free(v), free(la), free(lb), free(lr), free(m.buf);
}

/* Same inputs, same logits: graph replay and eager launches (CUDA) are bitwise equal, and so are runs. */
static void t_deterministic(void) {
    model m;
    model_make(&m, 11, 1);
    char err[256] = "";
    void *a = NULL, *b = NULL;
    int B = 4, V = tiny.vocab;
    ASSERT_EQ_INT(be->init(&a, &m.w, B, err, sizeof err), 0);
    ASSERT_EQ_INT(be->init(&b, &m.w, B, err, sizeof err), 0);
    if (be == &sk_infer_cuda) sk_infer_cuda_set_graphs(b, 0);
    float *la = malloc(sizeof(float) * B * V), *lb = malloc(sizeof(float) * B * V);
    int32_t tok[4 * 9];
    tokens(tok, 4 * 9, 5);
    int same = 1;
    ASSERT_EQ_INT(be->forward(a, tok, 9, 0, la, err, sizeof err), 0);
    ASSERT_EQ_INT(be->forward(b, tok, 9, 0, lb, err, sizeof err), 0);
    same &= !memcmp(la, lb, sizeof(float) * B * V);
    for (int s = 0; s < 5; s++) {
        ASSERT_EQ_INT(be->forward(a, tok + 4 * s, 1, 9 + s, la, err, sizeof err), 0);
        ASSERT_EQ_INT(be->forward(b, tok + 4 * s, 1, 9 + s, lb, err, sizeof err), 0);
        same &= !memcmp(la, lb, sizeof(float) * B * V);
    }
    be->fini(a);
    be->fini(b);
    free(la), free(lb), free(m.buf);
    ASSERT_TRUE(same);
}

/* Bad calls are refused with a message, the state stays usable. */
static void t_bad_input(void) {
    model m;
    model_make(&m, 13, 0);
    char err[256] = "";
    void *a = NULL;
    float *lg = malloc(sizeof(float) * tiny.vocab);
    int32_t bad = tiny.vocab, ok = 1;
    ASSERT_EQ_INT(be->init(&a, &m.w, 1, err, sizeof err), 0);
    ASSERT_EQ_INT(be->forward(a, &bad, 1, 0, lg, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "vocabulary");
    ASSERT_EQ_INT(be->forward(a, &ok, 1, tiny.n_ctx, lg, err, sizeof err), SK_EDATA);
    ASSERT_STR_CONTAINS(err, "context");
    ASSERT_EQ_INT(be->forward(a, &ok, 1, 0, lg, err, sizeof err), 0);
    ASSERT_TRUE(isfinite(lg[0]));
    be->fini(a);
    free(lg), free(m.buf);
}

/* CUDA and CPU backends on the same weights and tokens, prefill then decode. */
static void cuda_vs_cpu(int bf) {
    model m;
    model_make(&m, 17, bf);
    char err[256] = "";
    void *g = NULL, *c = NULL;
    int B = 3, V = tiny.vocab, pos = 0;
    ASSERT_EQ_INT(sk_infer_cuda.init(&g, &m.w, B, err, sizeof err), 0);
    int rc = sk_infer_cpu.init(&c, &m.w, B, err, sizeof err);
    if (rc) {
        sk_infer_cuda.fini(g);
        SK_T_FAIL_("cpu init: %d %s", rc, err);
    }
    float *lg = malloc(sizeof(float) * B * V), *lc = malloc(sizeof(float) * B * V);
    double *ld = malloc(sizeof(double) * B * V), worst = 0;
    int32_t tok[3 * 20];
    const int steps[] = {20, 1, 1, 1, 4, 1};
    for (size_t s = 0; s < sizeof steps / sizeof steps[0] && rc == 0; s++) {
        tokens(tok, (size_t)B * steps[s], 200 + s);
        rc = sk_infer_cuda.forward(g, tok, steps[s], pos, lg, err, sizeof err);
        if (!rc) rc = sk_infer_cpu.forward(c, tok, steps[s], pos, lc, err, sizeof err);
        for (int i = 0; i < B * V; i++) ld[i] = lc[i];
        double e = relerr(lg, ld, (size_t)B * V);
        if (!(e <= worst)) worst = e;
        pos += steps[s];
    }
    sk_infer_cuda.fini(g);
    sk_infer_cpu.fini(c);
    free(lg), free(lc), free(ld), free(m.buf);
    ASSERT_EQ_INT(rc, 0);
    printf("    cuda vs cpu (bf16 %d): max rel err %.3g (bound 1e-4)\n", bf, worst);
    ASSERT_TRUE(worst <= 1e-4);
}
static void t_cuda_vs_cpu_fp32(void) { cuda_vs_cpu(0); }
static void t_cuda_vs_cpu_bf16(void) { cuda_vs_cpu(1); }

/* Without the module (SYNKTI_CUDA_MODULE naming a file that is not there) the CUDA backend and its
 * knobs refuse with SK_ENOTSUP and a message naming the path; nothing crashes. Run with --cpu
 * only: the module is loaded once per process. */
static void t_module_missing(void) {
    const char *path = "/nonexistent/libsynkti_cuda.so";
    char err[1024] = "", where[1024];
    void *st = (void *)&err;
    setenv("SYNKTI_CUDA_MODULE", path, 1);
    ASSERT_EQ_INT(sk_cuda_module_path(where, sizeof where), 0);
    ASSERT_STR_CONTAINS(where, path);
    model m;
    model_make(&m, 3, 0);
    int rc = sk_infer_cuda.init(&st, &m.w, 1, err, sizeof err);
    free(m.buf);
    ASSERT_EQ_INT(rc, SK_ENOTSUP);
    ASSERT_TRUE(st == NULL);
    ASSERT_STR_CONTAINS(err, "cuda backend: no CUDA module at /nonexistent/libsynkti_cuda.so");
    ASSERT_EQ_INT(sk_infer_cuda_set_gemm(NULL, SK_CUDA_GEMM_OWN), SK_ENOTSUP);
    double own = 0, blas = 0;
    ASSERT_EQ_INT(sk_infer_cuda_gemm_bench(64, 64, 64, 0, 1, &own, &blas, err, sizeof err), SK_ENOTSUP);
    ASSERT_STR_CONTAINS(err, path);
    ASSERT_EQ_INT(sk_cuda_device_count(), 0);
    sk_cuda_describe(err, (int)sizeof err);
    ASSERT_STR_CONTAINS(err, path);
    unsetenv("SYNKTI_CUDA_MODULE");
}

static const sk_test tests[] = {
    {"fp32_gemv_own_gemm", t_fp32_gemv_own_gemm},
    {"fp32_cublas", t_fp32_cublas},
    {"fp32_eager_batch1", t_fp32_eager_batch1},
    {"fp32_batch20", t_fp32_batch20},
    {"bf16_same_values", t_bf16_same_values},
    {"bf16_batch20", t_bf16_batch20},
    {"bf16_vs_fp32_model", t_bf16_vs_fp32_model},
    {"kv_roundtrip", t_kv_roundtrip},
    {"deterministic", t_deterministic},
    {"bad_input", t_bad_input},
    {"cuda_vs_cpu_fp32", t_cuda_vs_cpu_fp32},
    {"cuda_vs_cpu_bf16", t_cuda_vs_cpu_bf16},
    {NULL, NULL},
};

/* --cpu: the reference checks that do not depend on CUDA knobs, on the CPU backend */
static const sk_test cpu_tests[] = {
    {"module_missing", t_module_missing},
    {"fp32_batch3", t_fp32_gemv_own_gemm},
    {"fp32_batch1", t_fp32_eager_batch1},
    {"fp32_batch20", t_fp32_batch20},
    {"bf16_same_values", t_bf16_same_values},
    {"bf16_vs_fp32_model", t_bf16_vs_fp32_model},
    {"kv_roundtrip", t_kv_roundtrip},
    {"deterministic", t_deterministic},
    {"bad_input", t_bad_input},
    {NULL, NULL},
};

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--cpu")) {
        be = &sk_infer_cpu;
        argv[1] = argv[0];
        return sk_test_main(cpu_tests, argc - 1, argv + 1);
    }
    model m;
    model_make(&m, 1, 0);
    char err[256] = "";
    void *st = NULL;
    int rc = sk_infer_cuda.init(&st, &m.w, 1, err, sizeof err);
    free(m.buf);
    if (rc == SK_ENOTSUP) {
        printf("SKIP: %s\n", err);
        return 77;
    }
    if (rc != 0) {
        fprintf(stderr, "cuda init failed: %d %s\n", rc, err);
        return 1;
    }
    sk_infer_cuda.fini(st);
    return sk_test_main(tests, argc, argv);
}
