/* sk_model.c - model presets, deterministic synthetic weights, safetensors read/write (F32/BF16). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/sk_rng.h"
#include "infer/sk_infer.h"
#include "infer/sk_infer_int.h"
#include "io/sk_atomic.h"
#include "sk_error.h"

/* One tensor of the canonical list (GPT-2 names, canonical order = order in the host buffer). */
typedef struct sk_tdesc {
    char name[48];
    int ndim;
    size_t dim[2];
    size_t off; /* in floats, into sk_model.buf */
    int init;   /* SK_TI_*: how synthetic weights fill it */
} sk_tdesc;
enum { SK_TI_NORMAL = 0, SK_TI_ONE = 1, SK_TI_ZERO = 2 };

struct sk_model {
    sk_model_cfg cfg;
    float *buf; /* every tensor, canonical order */
    size_t nfloat;
    sk_layer_w *layer;
    sk_weights w;
    uint64_t fingerprint;
};

/* Largest header we read (the safetensors reference implementation's limit). */
#define SK_ST_MAX_HEADER (100u << 20)

#define SK_ERRF(...) (err && errlen ? (void)snprintf(err, errlen, __VA_ARGS__) : (void)0)

/* ---- presets and config ------------------------------------------------------------------------ */

int sk_model_preset(const char *name, sk_model_cfg *cfg) {
    static const struct {
        const char *name;
        sk_model_cfg c;
    } tab[] = {
        {"tiny", {2, 4, 64, 256, 512, 128}},
        {"small", {12, 12, 768, 3072, 50257, 1024}},
        {"medium", {24, 16, 1024, 4096, 50257, 1024}},
    };
    for (size_t i = 0; name && i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(name, tab[i].name)) {
            *cfg = tab[i].c;
            return 0;
        }
    return SK_EUSAGE;
}

int sk_model__cfg_check(const sk_model_cfg *c, char *err, size_t errlen) {
    const int lim = 1 << 20;
    if (c->n_layer < 1 || c->n_layer > 4096 || c->n_head < 1 || c->d_model < 1 || c->d_ff < 1 || c->vocab < 1 ||
        c->n_ctx < 1 || c->d_model > lim || c->d_ff > lim || c->vocab > (1 << 24) || c->n_ctx > lim ||
        c->n_head > c->d_model) {
        SK_ERRF("bad model configuration (n_layer %d, n_head %d, d_model %d, d_ff %d, vocab %d, n_ctx %d)",
                c->n_layer, c->n_head, c->d_model, c->d_ff, c->vocab, c->n_ctx);
        return SK_EDATA;
    }
    if (c->d_model % c->n_head || c->d_model / c->n_head > SK_INFER_MAX_HEAD_DIM) {
        SK_ERRF("d_model %d is not n_head %d x a head size <= %d", c->d_model, c->n_head, SK_INFER_MAX_HEAD_DIM);
        return SK_EDATA;
    }
    return 0;
}

/* Fill t[] (when not NULL) with the canonical tensor list of c; returns the count. */
static int sk_model__tensors(const sk_model_cfg *c, sk_tdesc *t) {
    size_t d = (size_t)c->d_model, ff = (size_t)c->d_ff, off = 0;
    int n = 0;
#define SK_T(init_, nd, d0, d1, ...)                                                                        \
    do {                                                                                                \
        if (t) {                                                                                        \
            snprintf(t[n].name, sizeof t[n].name, __VA_ARGS__);                                         \
            t[n].ndim = (nd);                                                                           \
            t[n].dim[0] = (d0);                                                                         \
            t[n].dim[1] = (d1);                                                                         \
            t[n].off = off;                                                                             \
            t[n].init = (init_);                                                                        \
        }                                                                                               \
        off += (size_t)(d0) * ((nd) == 2 ? (size_t)(d1) : 1);                                               \
        n++;                                                                                            \
    } while (0)
    SK_T(SK_TI_NORMAL, 2, (size_t)c->vocab, d, "wte.weight");
    SK_T(SK_TI_NORMAL, 2, (size_t)c->n_ctx, d, "wpe.weight");
    for (int i = 0; i < c->n_layer; i++) {
        SK_T(SK_TI_ONE, 1, d, 0, "h.%d.ln_1.weight", i);
        SK_T(SK_TI_ZERO, 1, d, 0, "h.%d.ln_1.bias", i);
        SK_T(SK_TI_NORMAL, 2, d, 3 * d, "h.%d.attn.c_attn.weight", i);
        SK_T(SK_TI_NORMAL, 1, 3 * d, 0, "h.%d.attn.c_attn.bias", i);
        SK_T(SK_TI_NORMAL, 2, d, d, "h.%d.attn.c_proj.weight", i);
        SK_T(SK_TI_NORMAL, 1, d, 0, "h.%d.attn.c_proj.bias", i);
        SK_T(SK_TI_ONE, 1, d, 0, "h.%d.ln_2.weight", i);
        SK_T(SK_TI_ZERO, 1, d, 0, "h.%d.ln_2.bias", i);
        SK_T(SK_TI_NORMAL, 2, d, ff, "h.%d.mlp.c_fc.weight", i);
        SK_T(SK_TI_NORMAL, 1, ff, 0, "h.%d.mlp.c_fc.bias", i);
        SK_T(SK_TI_NORMAL, 2, ff, d, "h.%d.mlp.c_proj.weight", i);
        SK_T(SK_TI_NORMAL, 1, d, 0, "h.%d.mlp.c_proj.bias", i);
    }
    SK_T(SK_TI_ONE, 1, d, 0, "ln_f.weight");
    SK_T(SK_TI_ZERO, 1, d, 0, "ln_f.bias");
#undef SK_T
    return n;
}

static size_t sk_tdesc_count(const sk_tdesc *t) { return t->dim[0] * (t->ndim == 2 ? t->dim[1] : 1); }

/* ---- the model object ------------------------------------------------------------------------- */

/* Allocate m for cfg (weights uninitialised) and point the weight view into the buffer. */
static int sk_model__alloc(sk_model **out, const sk_model_cfg *cfg, char *err, size_t errlen) {
    int rc = sk_model__cfg_check(cfg, err, errlen);
    if (rc < 0) return rc;
    sk_model *m = calloc(1, sizeof *m);
    if (!m) goto fail_nomem;
    m->cfg = *cfg;
    int nt = sk_model__tensors(cfg, NULL);
    sk_tdesc *t = malloc((size_t)nt * sizeof *t);
    if (!t) goto fail_m;
    sk_model__tensors(cfg, t);
    m->nfloat = t[nt - 1].off + sk_tdesc_count(&t[nt - 1]);
    m->buf = malloc(m->nfloat * sizeof(float));
    m->layer = calloc((size_t)cfg->n_layer, sizeof *m->layer);
    if (!m->buf || !m->layer) goto fail_t;
    const float **slot[12];
    const float ***sp;
    m->w.cfg = *cfg;
    m->w.wte = m->buf + t[0].off;
    m->w.wpe = m->buf + t[1].off;
    for (int i = 0; i < cfg->n_layer; i++) {
        sk_layer_w *L = &m->layer[i];
        sp = slot;
        *sp++ = &L->ln1_w, *sp++ = &L->ln1_b, *sp++ = &L->attn_w, *sp++ = &L->attn_b, *sp++ = &L->proj_w;
        *sp++ = &L->proj_b, *sp++ = &L->ln2_w, *sp++ = &L->ln2_b, *sp++ = &L->fc_w, *sp++ = &L->fc_b;
        *sp++ = &L->fc2_w, *sp++ = &L->fc2_b;
        for (int k = 0; k < 12; k++) *slot[k] = m->buf + t[2 + 12 * i + k].off;
    }
    m->w.layer = m->layer;
    m->w.lnf_w = m->buf + t[nt - 2].off;
    m->w.lnf_b = m->buf + t[nt - 1].off;
    free(t);
    *out = m;
    return 0;
fail_t:
    free(t);
    free(m->buf);
    free(m->layer);
fail_m:
    free(m);
fail_nomem:
    SK_ERRF("out of memory for the model's weights");
    return SK_ENOMEM;
}

void sk_model_free(sk_model *m) {
    if (!m) return;
    free(m->buf);
    free(m->layer);
    free(m);
}

const sk_model_cfg *sk_model_config(const sk_model *m) { return &m->cfg; }
const sk_weights *sk_model__weights(const sk_model *m) { return &m->w; }
uint64_t sk_model_fingerprint(const sk_model *m) { return m->fingerprint; }
int sk_model_is_bf16(const sk_model *m) { return m->w.bf16; }
size_t sk_model_params(const sk_model *m) { return m->nfloat; }

/* Fingerprint: FNV-1a (sk_fnv) over the configuration (6 int32) then every tensor's stored bytes
 * (BF16 or F32, little-endian) in canonical order. The same for a file and its in-memory source. */
static void sk_model__fingerprint(sk_model *m) {
    sk_fnv f;
    sk_fnv_init(&f);
    int32_t c[6] = {m->cfg.n_layer, m->cfg.n_head, m->cfg.d_model, m->cfg.d_ff, m->cfg.vocab, m->cfg.n_ctx};
    sk_fnv_update(&f, c, sizeof c);
    if (!m->w.bf16) {
        sk_fnv_update(&f, m->buf, m->nfloat * sizeof(float));
    } else {
        uint16_t tmp[4096];
        for (size_t i = 0; i < m->nfloat; i += 4096) {
            size_t n = m->nfloat - i < 4096 ? m->nfloat - i : 4096;
            for (size_t j = 0; j < n; j++) tmp[j] = sk_f32_to_bf16(m->buf[i + j]);
            sk_fnv_update(&f, tmp, n * 2);
        }
    }
    m->fingerprint = sk_fnv_final(&f);
}

/* ---- synthetic weights ------------------------------------------------------------------------ */

int sk_model_synthetic(sk_model **out, const sk_model_cfg *cfg, uint64_t seed, int bf16, char *err, size_t errlen) {
    sk_model *m = NULL;
    int rc = sk_model__alloc(&m, cfg, err, errlen);
    if (rc < 0) return rc;
    sk_rng r;
    if (sk_rng_init(&r, NULL, seed, 0, 0) < 0) {
        sk_model_free(m);
        SK_ERRF("out of memory");
        return SK_ENOMEM;
    }
    int nt = sk_model__tensors(cfg, NULL);
    sk_tdesc *t = malloc((size_t)nt * sizeof *t);
    if (!t) {
        sk_rng_fini(&r);
        sk_model_free(m);
        SK_ERRF("out of memory");
        return SK_ENOMEM;
    }
    sk_model__tensors(cfg, t);
    /* N(0, 0.02): Box-Muller on two uniforms, both outputs used, tensors in canonical order. */
    const double two_pi = 6.283185307179586476925286766559;
    for (int i = 0; i < nt; i++) {
        float *p = m->buf + t[i].off;
        size_t n = sk_tdesc_count(&t[i]);
        if (t[i].init != SK_TI_NORMAL) {
            for (size_t j = 0; j < n; j++) p[j] = t[i].init == SK_TI_ONE ? 1.0f : 0.0f;
            continue;
        }
        for (size_t j = 0; j < n; j += 2) {
            double u1 = 1.0 - sk_rng_uniform(&r), u2 = sk_rng_uniform(&r);
            double rad = 0.02 * sqrt(-2.0 * log(u1));
            p[j] = (float)(rad * cos(two_pi * u2));
            if (j + 1 < n) p[j + 1] = (float)(rad * sin(two_pi * u2));
        }
        if (bf16)
            for (size_t j = 0; j < n; j++) p[j] = sk_bf16_to_f32(sk_f32_to_bf16(p[j]));
    }
    free(t);
    sk_rng_fini(&r);
    m->w.bf16 = bf16 != 0;
    sk_model__fingerprint(m);
    *out = m;
    return 0;
}

/* ---- safetensors writer ----------------------------------------------------------------------- */

int sk_model_save(const sk_model *m, const char *path, char *err, size_t errlen) {
    int rc = 0, bf16 = m->w.bf16, nt = sk_model__tensors(&m->cfg, NULL);
    size_t esz = bf16 ? 2 : 4;
    sk_tdesc *t = malloc((size_t)nt * sizeof *t);
    cJSON *root = cJSON_CreateObject();
    char *hdr = NULL;
    uint16_t *tmp = NULL;
    sk_atomic a = {0};
    if (!t || !root) goto fail_nomem;
    sk_model__tensors(&m->cfg, t);
    cJSON *meta = cJSON_AddObjectToObject(root, "__metadata__");
    if (!meta) goto fail_nomem;
    char v[32];
    const struct {
        const char *k;
        int v;
    } mk[] = {{"n_layer", m->cfg.n_layer}, {"n_head", m->cfg.n_head},    {"n_embd", m->cfg.d_model},
              {"n_inner", m->cfg.d_ff},    {"vocab_size", m->cfg.vocab}, {"n_ctx", m->cfg.n_ctx}};
    for (size_t i = 0; i < sizeof mk / sizeof mk[0]; i++) {
        snprintf(v, sizeof v, "%d", mk[i].v);
        if (!cJSON_AddStringToObject(meta, mk[i].k, v)) goto fail_nomem;
    }
    if (!cJSON_AddStringToObject(meta, "format", "pt") || !cJSON_AddStringToObject(meta, "producer", "synkti"))
        goto fail_nomem;
    size_t off = 0;
    for (int i = 0; i < nt; i++) {
        cJSON *e = cJSON_AddObjectToObject(root, t[i].name);
        if (!e || !cJSON_AddStringToObject(e, "dtype", bf16 ? "BF16" : "F32")) goto fail_nomem;
        cJSON *sh = cJSON_AddArrayToObject(e, "shape"), *of = cJSON_AddArrayToObject(e, "data_offsets");
        if (!sh || !of) goto fail_nomem;
        for (int k = 0; k < t[i].ndim; k++) cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)t[i].dim[k]));
        size_t nb = sk_tdesc_count(&t[i]) * esz;
        cJSON_AddItemToArray(of, cJSON_CreateNumber((double)off));
        cJSON_AddItemToArray(of, cJSON_CreateNumber((double)(off + nb)));
        off += nb;
    }
    if (!(hdr = cJSON_PrintUnformatted(root))) goto fail_nomem;
    size_t hl = strlen(hdr), pad = (8 - hl % 8) % 8;
    if ((rc = sk_atomic_open(&a, path, "wb", err, errlen)) < 0) goto done;
    unsigned char le[8];
    uint64_t n64 = hl + pad;
    for (int i = 0; i < 8; i++) le[i] = (unsigned char)(n64 >> (8 * i));
    fwrite(le, 1, 8, a.f);
    fwrite(hdr, 1, hl, a.f);
    for (size_t i = 0; i < pad; i++) fputc(' ', a.f);
    if (!bf16) {
        fwrite(m->buf, sizeof(float), m->nfloat, a.f);
    } else {
        if (!(tmp = malloc(65536 * sizeof *tmp))) {
            sk_atomic_abort(&a);
            goto fail_nomem;
        }
        for (size_t i = 0; i < m->nfloat; i += 65536) {
            size_t n = m->nfloat - i < 65536 ? m->nfloat - i : 65536;
            for (size_t j = 0; j < n; j++) tmp[j] = sk_f32_to_bf16(m->buf[i + j]);
            fwrite(tmp, 2, n, a.f);
        }
    }
    rc = sk_atomic_commit(&a, err, errlen);
    goto done;
fail_nomem:
    SK_ERRF("%s: out of memory", path);
    rc = SK_ENOMEM;
done:
    free(tmp);
    cJSON_free(hdr);
    cJSON_Delete(root);
    free(t);
    return rc;
}

int sk_model_write_synthetic(const char *path, const sk_model_cfg *cfg, uint64_t seed, int bf16, char *err,
                             size_t errlen) {
    sk_model *m = NULL;
    int rc = sk_model_synthetic(&m, cfg, seed, bf16, err, errlen);
    if (rc < 0) return rc;
    rc = sk_model_save(m, path, err, errlen);
    sk_model_free(m);
    return rc;
}

/* ---- safetensors reader ----------------------------------------------------------------------- */

static const struct {
    const char *name;
    int size;
} sk_st_dtypes[] = {{"F32", 4},  {"BF16", 2}, {"F16", 2},  {"F64", 8},     {"I64", 8},     {"U64", 8},
                    {"I32", 4},  {"U32", 4},  {"I16", 2},  {"U16", 2},     {"I8", 1},      {"U8", 1},
                    {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};

/* A JSON number that is an exact non-negative integer below 2^53 -> 0 and *v; else -1. */
static int sk_st_uint(const cJSON *j, uint64_t *v) {
    if (!cJSON_IsNumber(j)) return -1;
    double d = j->valuedouble;
    if (!(d >= 0 && d < 9007199254740992.0) || d != floor(d)) return -1;
    *v = (uint64_t)d;
    return 0;
}

typedef struct sk_st_entry {
    const char *name;
    uint64_t b, e;
} sk_st_entry;

static int sk_st_cmp(const void *x, const void *y) {
    const sk_st_entry *a = x, *b = y;
    return (a->b > b->b) - (a->b < b->b);
}

/* Validate every tensor entry of the header (dtype known, shape integers, offsets in range and
 * equal to shape x dtype size, no overlaps). 0 or SK_EDATA with a message. */
static int sk_st_check_entries(const cJSON *root, uint64_t dlen, const char *path, char *err, size_t errlen) {
    int n = cJSON_GetArraySize(root), rc = 0, k = 0;
    sk_st_entry *ent = malloc((size_t)(n > 0 ? n : 1) * sizeof *ent);
    if (!ent) {
        SK_ERRF("%s: out of memory", path);
        return SK_ENOMEM;
    }
    for (const cJSON *e = root->child; e; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) {
            if (!cJSON_IsObject(e)) goto bad_meta;
            continue;
        }
        const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype"), *sh = cJSON_GetObjectItemCaseSensitive(e, "shape"),
                    *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
        if (!cJSON_IsObject(e) || !cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(of) ||
            cJSON_GetArraySize(of) != 2) {
            SK_ERRF("%s: header entry '%s' needs dtype (string), shape (array) and data_offsets ([begin, end])", path,
                    e->string);
            rc = SK_EDATA;
            goto done;
        }
        int esz = 0;
        for (size_t i = 0; i < sizeof sk_st_dtypes / sizeof sk_st_dtypes[0]; i++)
            if (!strcmp(dt->valuestring, sk_st_dtypes[i].name)) esz = sk_st_dtypes[i].size;
        if (!esz) {
            SK_ERRF("%s: tensor '%s': unknown dtype '%s'", path, e->string, dt->valuestring);
            rc = SK_EDATA;
            goto done;
        }
        uint64_t cnt = 1, b, en;
        for (const cJSON *s = sh->child; s; s = s->next) {
            uint64_t d;
            if (sk_st_uint(s, &d) < 0 || (d && cnt > (UINT64_C(1) << 50) / d)) {
                SK_ERRF("%s: tensor '%s': shape must be non-negative integers of a sane size", path, e->string);
                rc = SK_EDATA;
                goto done;
            }
            cnt *= d;
        }
        if (sk_st_uint(of->child, &b) < 0 || sk_st_uint(of->child->next, &en) < 0 || b > en || en > dlen) {
            SK_ERRF("%s: tensor '%s': data_offsets out of range (data section is %" PRIu64 " bytes)", path,
                    e->string, dlen);
            rc = SK_EDATA;
            goto done;
        }
        if (en - b != cnt * (uint64_t)esz) {
            SK_ERRF("%s: tensor '%s': data_offsets span %" PRIu64 " bytes but shape x %s needs %" PRIu64, path,
                    e->string, en - b, dt->valuestring, cnt * (uint64_t)esz);
            rc = SK_EDATA;
            goto done;
        }
        ent[k++] = (sk_st_entry){e->string, b, en};
    }
    qsort(ent, (size_t)k, sizeof *ent, sk_st_cmp);
    for (int i = 1; i < k; i++)
        if (ent[i].b < ent[i - 1].e && ent[i].e > ent[i].b) {
            SK_ERRF("%s: tensors '%s' and '%s' overlap in the data section", path, ent[i - 1].name, ent[i].name);
            rc = SK_EDATA;
            goto done;
        }
    goto done;
bad_meta:
    SK_ERRF("%s: __metadata__ must be an object", path);
    rc = SK_EDATA;
done:
    free(ent);
    return rc;
}

/* Find a tensor by its GPT-2 name, also under the "transformer." prefix of some exports. */
static const cJSON *sk_st_find(const cJSON *root, const char *name) {
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, name);
    if (e) return e;
    char buf[96];
    snprintf(buf, sizeof buf, "transformer.%s", name);
    return cJSON_GetObjectItemCaseSensitive(root, buf);
}

static int sk_st_dim(const cJSON *e, int k, uint64_t *v) {
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
    return sk_st_uint(cJSON_GetArrayItem(sh, k), v);
}

/* The architecture: __metadata__ keys (strings, as safetensors requires; numbers accepted too)
 * or, where absent, the shapes (vocab and d from wte, n_ctx from wpe, n_layer by counting
 * h.{i}.ln_1.weight, d_ff from h.0.mlp.c_fc.weight, n_head = d / 64 as in every GPT-2 size). */
static int sk_st_config(const cJSON *root, sk_model_cfg *c, const char *path, char *err, size_t errlen) {
    const cJSON *wte = sk_st_find(root, "wte.weight"), *wpe = sk_st_find(root, "wpe.weight"),
                *fc = sk_st_find(root, "h.0.mlp.c_fc.weight");
    uint64_t v0 = 0, v1 = 0, p0 = 0, f1 = 0;
    if (!wte || !wpe || !fc) {
        SK_ERRF("%s: missing tensor '%s' (not a GPT-2 style checkpoint?)", path,
                !wte ? "wte.weight" : !wpe ? "wpe.weight" : "h.0.mlp.c_fc.weight");
        return SK_EDATA;
    }
    if (sk_st_dim(wte, 0, &v0) < 0 || sk_st_dim(wte, 1, &v1) < 0 || sk_st_dim(wpe, 0, &p0) < 0 ||
        sk_st_dim(fc, 1, &f1) < 0 || v0 > INT32_MAX || v1 > INT32_MAX || p0 > INT32_MAX || f1 > INT32_MAX) {
        SK_ERRF("%s: wte.weight, wpe.weight and h.0.mlp.c_fc.weight must be 2-D", path);
        return SK_EDATA;
    }
    int nl = 0;
    for (char nm[48];; nl++) {
        snprintf(nm, sizeof nm, "h.%d.ln_1.weight", nl);
        if (!sk_st_find(root, nm) || nl > 4096) break;
    }
    *c = (sk_model_cfg){nl, (int)(v1 / 64 ? v1 / 64 : 1), (int)v1, (int)f1, (int)v0, (int)p0};
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "__metadata__");
    const struct {
        const char *k;
        int *dst;
    } mk[] = {{"n_layer", &c->n_layer}, {"n_head", &c->n_head},   {"n_embd", &c->d_model},
              {"n_inner", &c->d_ff},    {"vocab_size", &c->vocab}, {"n_ctx", &c->n_ctx}};
    for (size_t i = 0; meta && i < sizeof mk / sizeof mk[0]; i++) {
        const cJSON *j = cJSON_GetObjectItemCaseSensitive(meta, mk[i].k);
        if (!j) continue;
        char *end = NULL;
        long v = cJSON_IsString(j) ? strtol(j->valuestring, &end, 10) : cJSON_IsNumber(j) ? (long)j->valuedouble : -1;
        if ((end && (*end || end == j->valuestring)) || v < 1 || v > INT32_MAX) {
            SK_ERRF("%s: __metadata__ %s: expected a positive integer", path, mk[i].k);
            return SK_EDATA;
        }
        *mk[i].dst = (int)v;
    }
    return sk_model__cfg_check(c, err, errlen);
}

int sk_model_load(sk_model **out, const char *path, char *err, size_t errlen) {
    int rc = 0, fd = -1, nt = 0;
    char *hdr = NULL;
    cJSON *root = NULL;
    sk_model *m = NULL;
    sk_tdesc *t = NULL;
    uint16_t *tmp = NULL;
    struct stat st;
    *out = NULL;
    if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) < 0) {
        SK_ERRF("%s: cannot open: %s", path, strerror(errno));
        rc = SK_ENOINPUT;
        goto done;
    }
    uint64_t fsz = (uint64_t)st.st_size, hl = 0;
    unsigned char le[8];
    if (fsz < 8 || pread(fd, le, 8, 0) != 8) {
        SK_ERRF("%s: truncated: no safetensors header (file is %" PRIu64 " bytes)", path, fsz);
        rc = SK_EDATA;
        goto done;
    }
    for (int i = 0; i < 8; i++) hl |= (uint64_t)le[i] << (8 * i);
    if (hl < 2 || hl > SK_ST_MAX_HEADER || hl > fsz - 8) {
        SK_ERRF("%s: header length %" PRIu64 " is beyond the file (%" PRIu64 " bytes) or the %u-byte limit", path,
                hl, fsz, SK_ST_MAX_HEADER);
        rc = SK_EDATA;
        goto done;
    }
    if (!(hdr = malloc(hl + 1))) goto fail_nomem;
    if (pread(fd, hdr, hl, 8) != (ssize_t)hl) {
        SK_ERRF("%s: cannot read the header: %s", path, strerror(errno));
        rc = SK_EIO;
        goto done;
    }
    hdr[hl] = 0;
    if (strlen(hdr) != hl || !(root = cJSON_ParseWithLength(hdr, hl)) || !cJSON_IsObject(root)) {
        SK_ERRF("%s: the header is not a JSON object", path);
        rc = SK_EDATA;
        goto done;
    }
    uint64_t dlen = fsz - 8 - hl;
    if ((rc = sk_st_check_entries(root, dlen, path, err, errlen)) < 0) goto done;
    sk_model_cfg cfg;
    if ((rc = sk_st_config(root, &cfg, path, err, errlen)) < 0) goto done;
    nt = sk_model__tensors(&cfg, NULL);
    if (!(t = malloc((size_t)nt * sizeof *t)) || !(tmp = malloc(65536 * sizeof *tmp))) goto fail_nomem;
    sk_model__tensors(&cfg, t);
    int nbf = 0;
    /* Pass 1: every tensor present with the configuration's shape (before allocating anything big). */
    for (int i = 0; i < nt; i++) {
        const cJSON *e = sk_st_find(root, t[i].name);
        if (!e) {
            SK_ERRF("%s: missing tensor '%s'", path, t[i].name);
            rc = SK_EDATA;
            goto done;
        }
        const char *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype")->valuestring;
        int bf = !strcmp(dt, "BF16");
        if (!bf && strcmp(dt, "F32")) {
            SK_ERRF("%s: tensor '%s' has dtype %s; supported: F32, BF16", path, t[i].name, dt);
            rc = SK_EDATA;
            goto done;
        }
        const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
        int ok = cJSON_GetArraySize(sh) == t[i].ndim;
        for (int k = 0; ok && k < t[i].ndim; k++) {
            uint64_t d = 0;
            ok = sk_st_dim(e, k, &d) == 0 && d == t[i].dim[k];
        }
        if (!ok) {
            char *s = cJSON_PrintUnformatted(sh);
            if (t[i].ndim == 2)
                SK_ERRF("%s: tensor '%s' has shape %s; the configuration needs [%zu, %zu]", path, t[i].name,
                        s ? s : "?", t[i].dim[0], t[i].dim[1]);
            else
                SK_ERRF("%s: tensor '%s' has shape %s; the configuration needs [%zu]", path, t[i].name, s ? s : "?",
                        t[i].dim[0]);
            cJSON_free(s);
            rc = SK_EDATA;
            goto done;
        }
        nbf += bf;
    }
    if (nbf && nbf != nt) {
        SK_ERRF("%s: mixes F32 and BF16 tensors; use one dtype", path);
        rc = SK_EDATA;
        goto done;
    }
    if ((rc = sk_model__alloc(&m, &cfg, err, errlen)) < 0) goto done;
    /* Pass 2: read and convert. */
    for (int i = 0; i < nt; i++) {
        const cJSON *e = sk_st_find(root, t[i].name);
        int bf = nbf != 0;
        uint64_t b = 0;
        sk_st_uint(cJSON_GetObjectItemCaseSensitive(e, "data_offsets")->child, &b);
        off_t at = (off_t)(8 + hl + b);
        float *dst = m->buf + t[i].off;
        size_t cnt = sk_tdesc_count(&t[i]);
        if (!bf) {
            size_t want = cnt * 4;
            char *p = (char *)dst;
            while (want) {
                ssize_t got = pread(fd, p, want > (1u << 30) ? (1u << 30) : want, at);
                if (got <= 0) goto fail_read;
                p += got, at += got, want -= (size_t)got;
            }
        } else {
            for (size_t j = 0; j < cnt; j += 65536) {
                size_t n = cnt - j < 65536 ? cnt - j : 65536;
                if (pread(fd, tmp, n * 2, at) != (ssize_t)(n * 2)) goto fail_read;
                for (size_t q = 0; q < n; q++) dst[j + q] = sk_bf16_to_f32(tmp[q]);
                at += (off_t)(n * 2);
            }
        }
    }
    m->w.bf16 = nbf == nt;
    sk_model__fingerprint(m);
    *out = m;
    m = NULL;
    goto done;
fail_read:
    SK_ERRF("%s: read failed: %s", path, errno ? strerror(errno) : "short read");
    rc = SK_EIO;
    goto done;
fail_nomem:
    SK_ERRF("%s: out of memory", path);
    rc = SK_ENOMEM;
done:
    free(tmp);
    free(t);
    sk_model_free(m);
    cJSON_Delete(root);
    free(hdr);
    if (fd >= 0) close(fd);
    return rc;
}
