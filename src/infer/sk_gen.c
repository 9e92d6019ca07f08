/* sk_gen.c - a batch of sequences being generated: backend choice, sampling, checkpoint/resume.
 *
 * Checkpoint file (little-endian; version 1):
 *   "SKGCKPT1"                        8 bytes magic
 *   u32 version (1), u32 backend that wrote it (0 cpu, 1 cuda; informational)
 *   i32 x 6  model config (n_layer, n_head, d_model, d_ff, vocab, n_ctx)
 *   u64      model fingerprint (sk_model_fingerprint)
 *   i32 batch, i32 pad 0, f64 temperature, u64 seed
 *   i32 position, i32 prompt length, i32 have_logits, u32 rng kind (1 = xoshiro256++)
 *   u64 x 4  RNG state words
 *   i32      tokens [batch][position]
 *   f32      logits [batch][vocab]                         (only when have_logits)
 *   f32      K [n_layer][batch][position][d_model], then V likewise
 *   u64      checksum: sk_fnv over every byte before it
 * The file size must be exactly what the header implies. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/sk_rng.h"
#include "infer/sk_infer.h"
#include "infer/sk_infer_int.h"
#include "io/sk_atomic.h"
#include "sk_error.h"

#define SK_ERRF(...) (err && errlen ? (void)snprintf(err, errlen, __VA_ARGS__) : (void)0)

struct sk_gen {
    const sk_model *m;
    sk_model_cfg c;
    sk_gen_opts o;
    const sk_infer_backend *be;
    void *st;
    int pos, n_prompt, have_logits;
    int32_t *tok;  /* [batch][n_ctx] */
    float *logits; /* [batch][vocab] */
    int32_t *buf;  /* [batch] forward input */
    sk_rng rng;    /* stream (seed, 0, 2): one uniform per sequence per sampled token */
};

enum { SK_CKPT_VERSION = 1, SK_CKPT_HDR = 8 + 4 * 2 + 4 * 6 + 8 + 4 * 2 + 8 + 8 + 4 * 4 + 8 * 4 };
static const char sk_ckpt_magic[8] = {'S', 'K', 'G', 'C', 'K', 'P', 'T', '1'};

void sk_gen_free(sk_gen *g) {
    if (!g) return;
    if (g->st) g->be->fini(g->st);
    if (g->rng.g) sk_rng_fini(&g->rng);
    free(g->tok);
    free(g->logits);
    free(g->buf);
    free(g);
}

int sk_gen_new(sk_gen **out, const sk_model *m, const sk_gen_opts *o, char *err, size_t errlen) {
    *out = NULL;
    if (o->batch < 1 || o->batch > 65536 || !(o->temperature >= 0) || !isfinite(o->temperature) ||
        (o->backend != SK_BACKEND_CPU && o->backend != SK_BACKEND_CUDA && o->backend != SK_BACKEND_AUTO)) {
        SK_ERRF("bad generation options (batch %d, temperature %g)", o->batch, o->temperature);
        return SK_EUSAGE;
    }
    int rc = SK_ENOMEM;
    sk_gen *g = calloc(1, sizeof *g);
    if (!g) goto fail_nomem;
    g->m = m;
    g->c = *sk_model_config(m);
    g->o = *o;
    size_t B = (size_t)o->batch;
    g->tok = calloc(B * (size_t)g->c.n_ctx, sizeof *g->tok);
    g->logits = calloc(B * (size_t)g->c.vocab, sizeof *g->logits);
    g->buf = calloc(B, sizeof *g->buf);
    if (!g->tok || !g->logits || !g->buf || sk_rng_init(&g->rng, NULL, o->seed, 0, 2) < 0) goto fail_nomem;
    const sk_weights *w = sk_model__weights(m);
    if (o->backend != SK_BACKEND_CPU) {
        char e2[256] = "";
        g->be = &sk_infer_cuda;
        rc = g->be->init(&g->st, w, o->batch, e2, sizeof e2);
        if (rc < 0 && o->backend == SK_BACKEND_CUDA) {
            SK_ERRF("%s", e2[0] ? e2 : "cuda backend: unavailable");
            g->st = NULL;
            goto fail;
        }
    }
    if (o->backend == SK_BACKEND_CPU || (o->backend == SK_BACKEND_AUTO && rc < 0)) {
        g->st = NULL;
        g->be = &sk_infer_cpu;
        if ((rc = g->be->init(&g->st, w, o->batch, err, errlen)) < 0) {
            g->st = NULL;
            goto fail;
        }
    }
    g->o.backend = g->be == &sk_infer_cpu ? SK_BACKEND_CPU : SK_BACKEND_CUDA;
    *out = g;
    return 0;
fail_nomem:
    SK_ERRF("out of memory for a generation of batch %d", o->batch);
    rc = SK_ENOMEM;
fail:
    sk_gen_free(g);
    return rc;
}

int sk_gen_position(const sk_gen *g) { return g->pos; }
int sk_gen_prompt_len(const sk_gen *g) { return g->n_prompt; }
int sk_gen_batch(const sk_gen *g) { return g->o.batch; }
sk_backend sk_gen_backend(const sk_gen *g) { return g->o.backend; }
const int32_t *sk_gen_tokens(const sk_gen *g, int b) { return g->tok + (size_t)b * (size_t)g->c.n_ctx; }

int sk_gen_logits(sk_gen *g, int b, float *out) {
    if (b < 0 || b >= g->o.batch || !g->have_logits) return SK_EUSAGE;
    memcpy(out, g->logits + (size_t)b * (size_t)g->c.vocab, (size_t)g->c.vocab * sizeof(float));
    return 0;
}

int sk_gen_prefill(sk_gen *g, const int32_t *tokens, int n, char *err, size_t errlen) {
    if (n < 1 || n > g->c.n_ctx - g->pos) {
        SK_ERRF("a prompt of %d tokens at position %d does not fit the context of %d", n, g->pos, g->c.n_ctx);
        return n < 1 ? SK_EUSAGE : SK_EDATA;
    }
    for (size_t i = 0; i < (size_t)g->o.batch * (size_t)n; i++)
        if (tokens[i] < 0 || tokens[i] >= g->c.vocab) {
            SK_ERRF("prompt token %d of sequence %zu is %d: outside the vocabulary [0, %d)", (int)(i % (size_t)n),
                    i / (size_t)n, (int)tokens[i], g->c.vocab);
            return SK_EDATA;
        }
    int rc = g->be->forward(g->st, tokens, n, g->pos, g->logits, err, errlen);
    if (rc < 0) return rc;
    for (int b = 0; b < g->o.batch; b++)
        memcpy(g->tok + (size_t)b * (size_t)g->c.n_ctx + g->pos, tokens + (size_t)b * (size_t)n,
               (size_t)n * sizeof *tokens);
    if (g->pos == 0) g->n_prompt = n;
    g->pos += n;
    g->have_logits = 1;
    return 0;
}

/* Greedy: the largest logit, lowest index on ties (NaN never wins). Sampling: softmax(l / T) in
 * double, one uniform u, the first index whose running sum exceeds u * total. */
static int32_t sk_gen__sample(sk_gen *g, const float *l) {
    int V = g->c.vocab, best = 0;
    float bv = -INFINITY;
    for (int v = 0; v < V; v++)
        if (l[v] > bv) bv = l[v], best = v;
    if (g->o.temperature == 0) return best;
    double u = sk_rng_uniform(&g->rng), tot = 0, inv = 1.0 / g->o.temperature;
    for (int v = 0; v < V; v++)
        if (l[v] == l[v]) tot += exp(((double)l[v] - (double)bv) * inv);
    double acc = 0, thr = u * tot;
    for (int v = 0; v < V; v++) {
        if (l[v] != l[v]) continue;
        double p = exp(((double)l[v] - (double)bv) * inv);
        acc += p;
        if (acc > thr && p > 0) return v;
    }
    return best;
}

int sk_gen_step(sk_gen *g, int32_t *next, char *err, size_t errlen) {
    if (!g->have_logits) {
        SK_ERRF("step before prefill");
        return SK_EUSAGE;
    }
    if (g->pos >= g->c.n_ctx) {
        SK_ERRF("the context of %d positions is full", g->c.n_ctx);
        return SK_EDATA;
    }
    for (int b = 0; b < g->o.batch; b++) g->buf[b] = sk_gen__sample(g, g->logits + (size_t)b * (size_t)g->c.vocab);
    int rc = g->be->forward(g->st, g->buf, 1, g->pos, g->logits, err, errlen);
    if (rc < 0) return rc;
    for (int b = 0; b < g->o.batch; b++) {
        g->tok[(size_t)b * (size_t)g->c.n_ctx + g->pos] = g->buf[b];
        if (next) next[b] = g->buf[b];
    }
    g->pos++;
    return 0;
}

/* ---- checkpoint ------------------------------------------------------------------------------- */

typedef struct sk_ckw {
    FILE *f;
    sk_fnv h;
} sk_ckw;

static void sk_ckw_put(sk_ckw *w, const void *p, size_t n) {
    sk_fnv_update(&w->h, p, n);
    fwrite(p, 1, n, w->f);
}
static void sk_ckw_u32(sk_ckw *w, uint32_t v) { sk_ckw_put(w, &v, 4); }
static void sk_ckw_u64(sk_ckw *w, uint64_t v) { sk_ckw_put(w, &v, 8); }

int sk_gen_checkpoint(const sk_gen *g, const char *path, char *err, size_t errlen) {
    size_t B = (size_t)g->o.batch, kvn = (size_t)g->c.n_layer * B * (size_t)g->pos * (size_t)g->c.d_model;
    float *k = malloc((kvn ? kvn : 1) * sizeof(float)), *v = malloc((kvn ? kvn : 1) * sizeof(float));
    int rc = 0;
    if (!k || !v) {
        SK_ERRF("%s: out of memory for the KV cache copy", path);
        rc = SK_ENOMEM;
        goto done;
    }
    if ((rc = g->be->kv_get(g->st, g->pos, k, v)) < 0) {
        SK_ERRF("%s: cannot read the KV cache from the %s backend: %s", path, g->be->name, sk_strerror(rc));
        goto done;
    }
    sk_atomic a;
    if ((rc = sk_atomic_open(&a, path, "wb", err, errlen)) < 0) goto done;
    sk_ckw w = {a.f, {0}};
    sk_fnv_init(&w.h);
    double t = g->o.temperature;
    uint64_t tb;
    memcpy(&tb, &t, 8);
    sk_ckw_put(&w, sk_ckpt_magic, 8);
    sk_ckw_u32(&w, SK_CKPT_VERSION);
    sk_ckw_u32(&w, (uint32_t)g->o.backend);
    int32_t c6[6] = {g->c.n_layer, g->c.n_head, g->c.d_model, g->c.d_ff, g->c.vocab, g->c.n_ctx};
    sk_ckw_put(&w, c6, sizeof c6);
    sk_ckw_u64(&w, sk_model_fingerprint(g->m));
    sk_ckw_u32(&w, (uint32_t)g->o.batch);
    sk_ckw_u32(&w, 0);
    sk_ckw_u64(&w, tb);
    sk_ckw_u64(&w, g->o.seed);
    sk_ckw_u32(&w, (uint32_t)g->pos);
    sk_ckw_u32(&w, (uint32_t)g->n_prompt);
    sk_ckw_u32(&w, (uint32_t)g->have_logits);
    sk_ckw_u32(&w, (uint32_t)g->rng.fast);
    for (int i = 0; i < 4; i++) sk_ckw_u64(&w, g->rng.xs[i]);
    for (size_t b = 0; b < B; b++) sk_ckw_put(&w, g->tok + b * (size_t)g->c.n_ctx, (size_t)g->pos * 4);
    if (g->have_logits) sk_ckw_put(&w, g->logits, B * (size_t)g->c.vocab * 4);
    sk_ckw_put(&w, k, kvn * 4);
    sk_ckw_put(&w, v, kvn * 4);
    uint64_t sum = sk_fnv_final(&w.h);
    fwrite(&sum, 8, 1, a.f);
    rc = sk_atomic_commit(&a, err, errlen);
done:
    free(k);
    free(v);
    return rc;
}

typedef struct sk_ckr {
    FILE *f;
    sk_fnv h;
    int bad;
} sk_ckr;

static void sk_ckr_get(sk_ckr *r, void *p, size_t n) {
    if (r->bad || fread(p, 1, n, r->f) != n) {
        r->bad = 1;
        memset(p, 0, n);
        return;
    }
    sk_fnv_update(&r->h, p, n);
}
static uint32_t sk_ckr_u32(sk_ckr *r) {
    uint32_t v;
    sk_ckr_get(r, &v, 4);
    return v;
}
static uint64_t sk_ckr_u64(sk_ckr *r) {
    uint64_t v;
    sk_ckr_get(r, &v, 8);
    return v;
}

int sk_gen_resume(sk_gen **out, const sk_model *m, const char *path, sk_backend backend, char *err, size_t errlen) {
    *out = NULL;
    int rc = 0;
    sk_gen *g = NULL;
    float *k = NULL, *v = NULL;
    sk_ckr r = {fopen(path, "rb"), {0}, 0};
    struct stat st;
    if (!r.f || fstat(fileno(r.f), &st) < 0) {
        SK_ERRF("%s: cannot open: %s", path, strerror(errno));
        if (r.f) fclose(r.f);
        return SK_ENOINPUT;
    }
    sk_fnv_init(&r.h);
    char mg[8];
    sk_ckr_get(&r, mg, 8);
    if (r.bad || memcmp(mg, sk_ckpt_magic, 8)) {
        SK_ERRF("%s: not a Synkti generation checkpoint (bad magic)", path);
        goto fail_data;
    }
    uint32_t ver = sk_ckr_u32(&r);
    (void)sk_ckr_u32(&r);
    if (ver != SK_CKPT_VERSION) {
        SK_ERRF("%s: checkpoint version %u; this build reads version %d", path, ver, SK_CKPT_VERSION);
        goto fail_data;
    }
    int32_t c6[6];
    sk_ckr_get(&r, c6, sizeof c6);
    uint64_t fp = sk_ckr_u64(&r);
    sk_gen_opts o = {backend, (int)sk_ckr_u32(&r), 0, 0};
    (void)sk_ckr_u32(&r);
    uint64_t tb = sk_ckr_u64(&r);
    memcpy(&o.temperature, &tb, 8);
    o.seed = sk_ckr_u64(&r);
    int pos = (int)sk_ckr_u32(&r), np = (int)sk_ckr_u32(&r), hl = (int)sk_ckr_u32(&r);
    uint32_t kind = sk_ckr_u32(&r);
    uint64_t xs[4];
    for (int i = 0; i < 4; i++) xs[i] = sk_ckr_u64(&r);
    if (r.bad) {
        SK_ERRF("%s: truncated checkpoint header", path);
        goto fail_data;
    }
    const sk_model_cfg *mc = sk_model_config(m);
    if (c6[0] != mc->n_layer || c6[1] != mc->n_head || c6[2] != mc->d_model || c6[3] != mc->d_ff ||
        c6[4] != mc->vocab || c6[5] != mc->n_ctx || fp != sk_model_fingerprint(m)) {
        SK_ERRF("%s: written for another model (fingerprint %016llx; this model's is %016llx)", path,
                (unsigned long long)fp, (unsigned long long)sk_model_fingerprint(m));
        goto fail_data;
    }
    if (o.batch < 1 || o.batch > 65536 || pos < 0 || pos > mc->n_ctx || np < 0 || np > pos || (hl != 0 && hl != 1) ||
        (hl == 0 && pos != 0) || kind != SK_RNG_XOSHIRO_PP || !(o.temperature >= 0) || !isfinite(o.temperature)) {
        SK_ERRF("%s: corrupt checkpoint header", path);
        goto fail_data;
    }
    size_t B = (size_t)o.batch, kvn = (size_t)mc->n_layer * B * (size_t)pos * (size_t)mc->d_model;
    uint64_t want = SK_CKPT_HDR + B * (size_t)pos * 4 + (hl ? B * (size_t)mc->vocab * 4 : 0) + 2 * kvn * 4 + 8;
    if ((uint64_t)st.st_size != want) {
        SK_ERRF("%s: %s: %lld bytes where the header implies %llu", path,
                (uint64_t)st.st_size < want ? "truncated" : "trailing data", (long long)st.st_size,
                (unsigned long long)want);
        goto fail_data;
    }
    if ((rc = sk_gen_new(&g, m, &o, err, errlen)) < 0) goto done;
    for (size_t b = 0; b < B; b++) sk_ckr_get(&r, g->tok + b * (size_t)mc->n_ctx, (size_t)pos * 4);
    if (hl) sk_ckr_get(&r, g->logits, B * (size_t)mc->vocab * 4);
    if (!(k = malloc((kvn ? kvn : 1) * 4)) || !(v = malloc((kvn ? kvn : 1) * 4))) {
        SK_ERRF("%s: out of memory for the KV cache", path);
        rc = SK_ENOMEM;
        goto done;
    }
    sk_ckr_get(&r, k, kvn * 4);
    sk_ckr_get(&r, v, kvn * 4);
    uint64_t sum_calc = sk_fnv_final(&r.h), sum_file = 0;
    if (r.bad || fread(&sum_file, 8, 1, r.f) != 1) {
        SK_ERRF("%s: truncated checkpoint", path);
        goto fail_data;
    }
    if (sum_calc != sum_file) {
        SK_ERRF("%s: checksum mismatch: the checkpoint is corrupt", path);
        goto fail_data;
    }
    for (size_t i = 0; i < B * (size_t)mc->n_ctx; i++)
        if (g->tok[i] < 0 || g->tok[i] >= mc->vocab) {
            SK_ERRF("%s: corrupt checkpoint: token outside the vocabulary", path);
            goto fail_data;
        }
    if ((rc = g->be->kv_set(g->st, pos, k, v)) < 0) {
        SK_ERRF("%s: cannot load the KV cache into the %s backend: %s", path, g->be->name, sk_strerror(rc));
        goto done;
    }
    memcpy(g->rng.xs, xs, sizeof xs);
    g->pos = pos;
    g->n_prompt = np;
    g->have_logits = hl;
    *out = g;
    g = NULL;
    goto done;
fail_data:
    rc = SK_EDATA;
done:
    sk_gen_free(g);
    free(k);
    free(v);
    fclose(r.f);
    return rc;
}
