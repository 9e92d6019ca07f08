/* sk_llmperf.c - the replica performance model (see sk_llmperf.h; docs/serving_perf.md has the
 * formulas, the constants with their sources and the validation table). */
#include "models/sk_llmperf.h"

#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/sk_csv.h"
#include "io/sk_trace.h"
#include "sk_error.h"

/* ---- model shapes ------------------------------------------------------------------------------
 * From each model's config.json on Hugging Face (num_hidden_layers, hidden_size,
 * num_attention_heads, num_key_value_heads, intermediate_size, vocab_size) and the parameter
 * counts of the model cards. Llama-3 and Mistral are scaled from the Llama-2 profile of the same
 * hidden size (per-op width ratios, below). */
static const sk_llm_shape sk_lp_shapes[] = {
    {"llama-2-7b", 32, 4096, 32, 32, 11008, 32000, 6.74, 2, "Llama-2-7b-hf"},
    {"llama-2-70b", 80, 8192, 64, 8, 28672, 32000, 68.98, 2, "Llama-2-70b-hf"},
    {"llama-3-8b", 32, 4096, 32, 8, 14336, 128256, 8.03, 2, "Llama-2-7b-hf"},
    {"llama-3-70b", 80, 8192, 64, 8, 28672, 128256, 70.55, 2, "Llama-2-70b-hf"},
    {"mistral-7b", 32, 4096, 32, 8, 14336, 32000, 7.24, 2, "Llama-2-7b-hf"},
};
enum { SK_LP_NSHAPES = (int)(sizeof sk_lp_shapes / sizeof sk_lp_shapes[0]) };

const sk_llm_shape *sk_llm_shapes(int *n) {
    if (n) *n = SK_LP_NSHAPES;
    return sk_lp_shapes;
}

const sk_llm_shape *sk_llm_shape_find(const char *name) {
    for (int i = 0; name && i < SK_LP_NSHAPES; i++)
        if (!strcasecmp(sk_lp_shapes[i].name, name)) return &sk_lp_shapes[i];
    return NULL;
}

/* ---- GPU datasheet figures ---------------------------------------------------------------------
 * mem_mib: the catalog's GpuMemoryMiBPerGpu (skypilot-aws-gpu-catalog/gpu_instance_specs.csv) for
 *   the types it has; A40, A100-80GB PCIe-less and H100 PCIe: the datasheet's GB x 1000^3 / 2^20
 *   rounded down to MiB (A40 48 GB -> 45776 MiB as for the catalog's 48 GB L40S).
 * fp16_tflops: dense FP16 tensor-core peak (without sparsity), NVIDIA datasheets: A100 312; H100
 *   SXM5 989.4; H100 PCIe 756; H200 989.4; A40 149.7; A10 125 (used for AWS's A10G, whose
 *   datasheet is not public); L4 121; L40S 362.05; T4 65; V100 SXM2 125.
 * mem_gbs: A100 40GB 1555, A100 80GB SXM 2039; H100 SXM5 3350; H100 PCIe 2000; H200 4800; A40
 *   696; A10/A10G 600; L4 300; L40S 864; T4 320; V100 900.
 * link_gbs per direction: NVLink3 (A100) 600 GB/s total = 300; NVLink4 (H100 SXM, H200) 900 =
 *   450; NVLink2 (V100 SXM2) 300 = 150; PCIe 4.0 x16 32 (A40, A10G, L4, L40S, H100 PCIe: the
 *   PCIe path, no NVLink bridge assumed); PCIe 3.0 x16 16 (T4).
 * profile: the Vidur profile folder. Vidur's a100 and h100 device configs are the 80 GB SXM parts
 *   (312/1000 TFLOP/s, 80 GB), a40 the 48 GB PCIe card; hence the profile GPUs' own rows below. */
static const sk_llm_gpu sk_lp_gpus[] = {
    {"A100", 40960, 312, 1555, 300, NULL},
    {"A100-80GB", 81920, 312, 2039, 300, "a100"},
    {"H100", 81920, 989.4, 3350, 450, "h100"},
    {"H100-PCIe", 81920, 756, 2000, 32, NULL},
    {"H200", 144384, 989.4, 4800, 450, NULL},
    {"A40", 45776, 149.7, 696, 32, "a40"},
    {"A10G", 22888, 125, 600, 32, NULL},
    {"L4", 22888, 121, 300, 32, NULL},
    {"L40S", 45776, 362.05, 864, 32, NULL},
    {"T4", 16384, 65, 320, 16, NULL},
    {"V100", 16384, 125, 900, 150, NULL},
    {"V100-32GB", 32768, 125, 900, 150, NULL},
};
enum { SK_LP_NGPUS = (int)(sizeof sk_lp_gpus / sizeof sk_lp_gpus[0]) };

const sk_llm_gpu *sk_llm_gpus(int *n) {
    if (n) *n = SK_LP_NGPUS;
    return sk_lp_gpus;
}

const sk_llm_gpu *sk_llm_gpu_find(const char *name) {
    for (int i = 0; name && i < SK_LP_NGPUS; i++)
        if (!strcasecmp(sk_lp_gpus[i].name, name)) return &sk_lp_gpus[i];
    return NULL;
}

/* The profiled GPU a type is scaled from: itself when profiled, else the profiled one closest in
 * |log(FLOPs ratio)| + |log(bandwidth ratio)| (ties: table order). */
static const sk_llm_gpu *sk_lp_base_gpu(const sk_llm_gpu *g) {
    if (g->profile) return g;
    const sk_llm_gpu *best = NULL;
    double bd = INFINITY;
    for (int i = 0; i < SK_LP_NGPUS; i++) {
        const sk_llm_gpu *b = &sk_lp_gpus[i];
        if (!b->profile) continue;
        double d = fabs(log(g->fp16_tflops / b->fp16_tflops)) + fabs(log(g->mem_gbs / b->mem_gbs));
        if (d < bd) bd = d, best = b;
    }
    return best;
}

/* ---- other constants ---------------------------------------------------------------------------
 * SK_LP_MEM_FRAC: the share of GPU memory the engine may use (vLLM's gpu_memory_utilization
 *   default, 0.9). SK_LP_RESERVE_GPU: per GPU, CUDA context + cuBLAS workspace + CUDA graphs,
 *   1 GiB (vLLM's profiling run typically finds 0.5-1.5 GiB of non-torch memory; a round figure).
 * SK_LP_MAX_BATCHED: the activation reserve is sized for a 4096-token batch (the largest profiled
 *   count; vLLM's default max_num_batched_tokens for chunked prefill is 2048-8192).
 * SK_LP_LOAD_GBS: weight load bandwidth from local disk, 16 GB / 33 s = 0.485 GB/s
 *   (coldstart-figures/coldstart_figures.csv row tensorfuse_cold_load: Llama-3.1-8B, ~16 GB, L40S,
 *   vLLM, local disk, 33 s).
 * SK_LP_MIN_KV: weights "fit" when at least one 16-token KV block (vLLM's default) is left. */
#define SK_LP_MEM_FRAC 0.9
#define SK_LP_RESERVE_GPU 1073741824.0
#define SK_LP_MAX_BATCHED 4096
#define SK_LP_LOAD_GBS (16.0 / 33.0)
#define SK_LP_MIN_KV 16

static const char *const sk_lp_opnames[SK_LP_NOPS] = {
    "emb", "input_layernorm", "attn_pre_proj", "attn_rope", "attn_post_proj",
    "post_attention_layernorm", "mlp_up_proj", "mlp_act", "mlp_down_proj", "add",
};

const char *sk_llmperf_op_name(int op) { return op >= 0 && op < SK_LP_NOPS ? sk_lp_opnames[op] : NULL; }

/* Per-op width of a shape (the part of the op's size that differs between shapes of one hidden
 * size); an op's time is scaled by width(target) / width(profile model). */
static double sk_lp_width(const sk_llm_shape *s, int op) {
    double hd = (double)s->hidden / s->heads;
    switch (op) {
    case SK_LP_QKV: return (double)s->hidden * (s->heads + 2.0 * s->kv_heads) * hd;
    case SK_LP_ROPE: return (s->heads + (double)s->kv_heads) * hd;
    case SK_LP_OPROJ: return (double)s->heads * hd * s->hidden;
    case SK_LP_UP: return 2.0 * s->ffn * s->hidden; /* gated MLP: gate and up fused */
    case SK_LP_ACT: return (double)s->ffn;
    case SK_LP_DOWN: return (double)s->ffn * s->hidden;
    default: return (double)s->hidden; /* emb (a gather of n x hidden), norms, add */
    }
}

struct sk_llmperf {
    const sk_llm_shape *shape, *pshape; /* the model and the profiled model it is scaled from */
    const sk_llm_gpu *gpu, *base;
    int tp;
    int n;                       /* profiled token counts (distinct) */
    double *tok;                 /* [n] ascending */
    double *op[SK_LP_NOPS];      /* [n] ms, scaled to this (gpu, shape) */
    double *layer, *emb, *lmhead; /* [n] ms, monotone (PAVA) */
    double cr, mr, ridge;        /* compute and bandwidth ratios base/target, base ridge */
    double ar_lat_ms, ar_ms_per_byte;
    const char *ar_source;
    double attn_bps, attn_flops; /* effective decode-attention B/s, prefill-attention FLOP/s */
    double weights_b, reserve_b, kvtok_b, usable_b;
    int64_t kv_tokens;
    char path[512];
};

/* ---- interpolation -------------------------------------------------------------------------- */

/* y at q from the points (x[i], y[i]), x ascending: piecewise linear inside; y[0] below; beyond
 * x[n-1] linear with the slope of the secant from the first point at or above x[n-1]/2 to the
 * last (adjacent profiled counts are 32 tokens apart at the top, so a two-point slope is mostly
 * timer noise), never negative. */
static double sk_lp_interp(const double *x, const double *y, int n, double q) {
    if (q <= x[0] || n == 1) return y[0];
    if (q >= x[n - 1]) {
        int h = 0;
        while (h < n - 2 && x[h] < x[n - 1] / 2) h++;
        double s = (y[n - 1] - y[h]) / (x[n - 1] - x[h]);
        return y[n - 1] + (s > 0 ? s : 0) * (q - x[n - 1]);
    }
    int lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int m = (lo + hi) / 2;
        if (x[m] <= q) lo = m;
        else hi = m;
    }
    if (q == x[lo]) return y[lo];
    return y[lo] + (y[hi] - y[lo]) * (q - x[lo]) / (x[hi] - x[lo]);
}

/* Least-squares nondecreasing fit of y[0..n) in place (pool adjacent violators, equal weights). */
static int sk_lp_pava(double *y, int n) {
    double *v = malloc(sizeof *v * (size_t)n);
    int *w = malloc(sizeof *w * (size_t)n);
    if (!v || !w) {
        free(v), free(w);
        return SK_ENOMEM;
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        v[k] = y[i], w[k] = 1;
        while (k > 0 && v[k - 1] > v[k]) {
            v[k - 1] = (v[k - 1] * w[k - 1] + v[k] * w[k]) / (w[k - 1] + w[k]);
            w[k - 1] += w[k];
            k--;
        }
        k++;
    }
    for (int b = 0, i = 0; b < k; b++)
        for (int j = 0; j < w[b]; j++) y[i++] = v[b];
    free(v), free(w);
    return 0;
}

/* A number field, or SK_EDATA naming file:line:column. */
static int sk_lp_num(const char *path, long line, const char *col, const char *s, double *v, char *err,
                     size_t errlen) {
    char *end;
    *v = strtod(s, &end);
    if (!*s || *end || !isfinite(*v))
        return sk_errf(err, errlen, SK_EDATA, "%s:%ld: column %s: not a number: '%s'", path, line, col, s);
    return 0;
}

/* ---- reading mlp.csv ------------------------------------------------------------------------- */

enum { SK_LP_C_NHEAD = SK_LP_NOPS, SK_LP_C_NKV, SK_LP_C_EMBD, SK_LP_C_FFN, SK_LP_C_TOK, SK_LP_C_TP, SK_LP_NCOLS };
static const char *const sk_lp_colnames[SK_LP_NCOLS - SK_LP_NOPS] = {
    "n_head", "n_kv_head", "n_embd", "n_expanded_embd", "num_tokens", "num_tensor_parallel_workers"};

typedef struct {
    int col[SK_LP_NCOLS];
    int tp;
    const sk_llm_shape *ps;
    int n, cap;
    double *tok, *ms; /* ms: n x SK_LP_NOPS */
} sk_lp_mlp;

static int sk_lp_mlp_row(sk_csv_rd *rd) {
    sk_lp_mlp *m = rd->ctx;
    if (m->col[0] < 0) { /* the header */
        for (int c = 0; c < SK_LP_NCOLS; c++) {
            char want[80];
            if (c < SK_LP_NOPS) snprintf(want, sizeof want, "time_stats.%s.median", sk_lp_opnames[c]);
            else snprintf(want, sizeof want, "%s", sk_lp_colnames[c - SK_LP_NOPS]);
            int k = 0;
            while (k < rd->nf && strcmp(rd->f[k], want)) k++;
            if (k == rd->nf)
                return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: no column %s", rd->path, (long long)rd->line, want);
            m->col[c] = k;
        }
        return 0;
    }
    double v[SK_LP_NCOLS];
    for (int c = 0; c < SK_LP_NCOLS; c++) {
        int k = m->col[c];
        const char *name = c < SK_LP_NOPS ? sk_lp_opnames[c] : sk_lp_colnames[c - SK_LP_NOPS];
        if (k >= rd->nf)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%ld: column %s: missing (row of %d fields)", rd->path,
                           rd->line, name, rd->nf);
        int rc = sk_lp_num(rd->path, rd->line, name, rd->f[k], &v[c], rd->err, rd->errlen);
        if (rc < 0) return rc;
        if (c < SK_LP_NOPS && v[c] < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%ld: column time_stats.%s.median: negative", rd->path,
                           rd->line, name);
    }
    const sk_llm_shape *ps = m->ps;
    const double want[4] = {ps->heads, ps->kv_heads, ps->hidden, ps->ffn};
    for (int c = 0; c < 4; c++)
        if (v[SK_LP_C_NHEAD + c] != want[c])
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%ld: column %s: %g, expected %g for %s", rd->path,
                           rd->line, sk_lp_colnames[c], v[SK_LP_C_NHEAD + c], want[c], ps->profile);
    if (v[SK_LP_C_TOK] < 1 || v[SK_LP_C_TOK] != floor(v[SK_LP_C_TOK]))
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%ld: column num_tokens: not a positive integer", rd->path,
                       rd->line);
    if (v[SK_LP_C_TP] != m->tp) return 0;
    if (m->n == m->cap) {
        int nc = m->cap ? 2 * m->cap : 512;
        double *t = realloc(m->tok, sizeof *t * (size_t)nc);
        if (t) m->tok = t;
        double *s = t ? realloc(m->ms, sizeof *s * (size_t)nc * SK_LP_NOPS) : NULL;
        if (!s) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
        m->ms = s, m->cap = nc;
    }
    m->tok[m->n] = v[SK_LP_C_TOK];
    memcpy(&m->ms[(size_t)m->n * SK_LP_NOPS], v, sizeof(double) * SK_LP_NOPS);
    m->n++;
    return 0;
}

/* Sort rows by token count (insertion sort: the file is nearly sorted) and merge repeated counts
 * into the mean of their medians. */
static void sk_lp_mlp_sort(sk_lp_mlp *m) {
    for (int i = 1; i < m->n; i++) {
        double t = m->tok[i], r[SK_LP_NOPS];
        memcpy(r, &m->ms[(size_t)i * SK_LP_NOPS], sizeof r);
        int j = i;
        while (j > 0 && m->tok[j - 1] > t) {
            m->tok[j] = m->tok[j - 1];
            memcpy(&m->ms[(size_t)j * SK_LP_NOPS], &m->ms[(size_t)(j - 1) * SK_LP_NOPS], sizeof r);
            j--;
        }
        m->tok[j] = t;
        memcpy(&m->ms[(size_t)j * SK_LP_NOPS], r, sizeof r);
    }
    int k = 0;
    for (int i = 0; i < m->n;) {
        int j = i;
        double sum[SK_LP_NOPS] = {0};
        while (j < m->n && m->tok[j] == m->tok[i]) {
            for (int o = 0; o < SK_LP_NOPS; o++) sum[o] += m->ms[(size_t)j * SK_LP_NOPS + o];
            j++;
        }
        m->tok[k] = m->tok[i];
        for (int o = 0; o < SK_LP_NOPS; o++)
            m->ms[(size_t)k * SK_LP_NOPS + o] = j - i == 1 ? sum[o] : sum[o] / (j - i);
        k++;
        i = j;
    }
    m->n = k;
}

/* ---- the network fits ------------------------------------------------------------------------
 * A collective's time as lat + per_byte x bytes, from a Vidur network CSV's rows of one worker
 * count among devices of one node (devices_per_node == workers): lat = the median of the medians
 * at sizes <= 64 KiB (latency-bound), per_byte = least squares through the origin of (median -
 * lat) on size over sizes >= 1 MiB (bandwidth-bound). */
typedef struct {
    int col_med, col_nw, col_size, col_dpn, workers;
    int n, cap;
    double *size, *ms;
} sk_lp_net;

static int sk_lp_net_row(sk_csv_rd *rd) {
    sk_lp_net *t = rd->ctx;
    if (t->col_med < 0) {
        for (int k = 0; k < rd->nf; k++) {
            if (!strncmp(rd->f[k], "time_stats.", 11) && strstr(rd->f[k], ".median")) t->col_med = k;
            else if (!strcmp(rd->f[k], "num_workers")) t->col_nw = k;
            else if (!strcmp(rd->f[k], "size")) t->col_size = k;
            else if (!strcmp(rd->f[k], "devices_per_node")) t->col_dpn = k;
        }
        if (t->col_med < 0 || t->col_nw < 0 || t->col_size < 0 || t->col_dpn < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA,
                           "%s:%lld: need columns time_stats.<op>.median, num_workers, size, devices_per_node",
                           rd->path, (long long)rd->line);
        return 0;
    }
    static const char *const names[4] = {"median", "num_workers", "size", "devices_per_node"};
    int cols[4] = {t->col_med, t->col_nw, t->col_size, t->col_dpn};
    double v[4];
    for (int c = 0; c < 4; c++) {
        if (cols[c] >= rd->nf)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %s: missing", rd->path,
                           (long long)rd->line, names[c]);
        int rc = sk_lp_num(rd->path, (long)rd->line, names[c], rd->f[cols[c]], &v[c], rd->err, rd->errlen);
        if (rc < 0) return rc;
    }
    if (v[1] != t->workers || v[3] != t->workers) return 0;
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 256;
        double *a = realloc(t->size, sizeof *a * (size_t)nc);
        if (a) t->size = a;
        double *b = a ? realloc(t->ms, sizeof *b * (size_t)nc) : NULL;
        if (!b) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
        t->ms = b, t->cap = nc;
    }
    t->size[t->n] = v[2], t->ms[t->n] = v[0];
    t->n++;
    return 0;
}

static int sk_lp_cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Fit lat (ms) and per-byte (ms/B) from `rel` (a path on the trace search path) for `workers`.
 * Returns 0, SK_ENOENT when the file is not there, SK_EDATA when it has too few rows. */
static int sk_lp_net_fit(const char *rel, int workers, double *lat, double *per_byte, char *err, size_t errlen) {
    char path[512];
    if (sk_trace_find(rel, NULL, path, sizeof path) < 0) return SK_ENOENT;
    sk_lp_net t = {.col_med = -1, .col_nw = -1, .col_size = -1, .col_dpn = -1, .workers = workers};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk_lp_net_row, .ctx = &t};
    int rc = sk_csv_read(&rd);
    double *small = NULL;
    if (rc < 0) goto done;
    small = malloc(sizeof *small * (size_t)(t.n + 1));
    if (!small) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    int ns = 0;
    for (int i = 0; i < t.n; i++)
        if (t.size[i] <= 65536) small[ns++] = t.ms[i];
    double sxy = 0, sxx = 0;
    int nl = 0;
    if (ns) {
        qsort(small, (size_t)ns, sizeof *small, sk_lp_cmp_dbl);
        *lat = ns % 2 ? small[ns / 2] : (small[ns / 2 - 1] + small[ns / 2]) / 2;
        for (int i = 0; i < t.n; i++)
            if (t.size[i] >= 1048576) sxy += t.size[i] * (t.ms[i] - *lat), sxx += t.size[i] * t.size[i], nl++;
    }
    if (!ns || nl < 2 || sxy <= 0) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: too few rows for %d workers within one node to fit", path, workers);
        goto done;
    }
    *per_byte = sxy / sxx;
done:
    free(small);
    free(t.size), free(t.ms);
    return rc;
}

/* The all-reduce of this (gpu, tp), lat + per_byte x bytes. Vidur's measured all_reduce where it
 * has the GPU and tp GPUs joined by NVLink (h100_pairwise_nvlink, 2 workers; its 4-worker rows
 * cross PCIe between NVLink pairs, 64 MiB in 2.06 ms, which is not an NVSwitch node like a p4d or
 * p5, so they are not used). Else an analytic ring: the bandwidth term 2(tp-1)/tp x bytes / link,
 * link = the GPU's datasheet per-direction bandwidth x the efficiency Vidur's A100 NVLink
 * send_recv fit shows (fitted B/s over 300 GB/s, capped at 1; the h100 send_recv file is a
 * byte-identical copy); the latency term = the measured 2-GPU all-reduce small-message median
 * (h100 all_reduce.csv) x log2(tp) (NCCL's tree / low-latency protocols for small messages:
 * latency grows with the tree depth, not with the 2(tp-1) ring steps). */
static int sk_lp_allreduce(sk_llmperf *p, char *err, size_t errlen) {
    p->ar_lat_ms = 0, p->ar_ms_per_byte = 0;
    if (p->tp == 1) {
        p->ar_source = "none (tp 1)";
        return 0;
    }
    static const char ar_rel[] = "vidur/network/h100_pairwise_nvlink/all_reduce.csv";
    static const char sr_rel[] = "vidur/network/a100_pairwise_nvlink/send_recv.csv";
    double ar_lat, ar_pb, sr_lat, sr_pb;
    int rc = sk_lp_net_fit(ar_rel, 2, &ar_lat, &ar_pb, err, errlen);
    if (rc == 0) rc = sk_lp_net_fit(sr_rel, 2, &sr_lat, &sr_pb, err, errlen);
    if (rc == SK_ENOENT)
        return sk_errf(err, errlen, SK_ENOINPUT, "%s or %s: not found on the trace search path", ar_rel, sr_rel);
    if (rc < 0) return rc;
    if (p->gpu == p->base && !strcmp(p->base->profile, "h100") && p->tp == 2) {
        p->ar_lat_ms = ar_lat, p->ar_ms_per_byte = ar_pb;
        p->ar_source = "vidur h100_pairwise_nvlink/all_reduce.csv fit (2 workers)";
        return 0;
    }
    double eff = (1e3 / sr_pb) / 300e9;
    if (eff > 1) eff = 1;
    double bw = p->gpu->link_gbs * 1e9 * eff; /* B/s */
    p->ar_lat_ms = ar_lat * log2((double)p->tp);
    p->ar_ms_per_byte = 2.0 * (p->tp - 1) / p->tp / bw * 1e3;
    p->ar_source = p->gpu->link_gbs >= 100 ? "analytic ring on NVLink (datasheet link, measured latency)"
                                           : "analytic ring on PCIe (datasheet link, measured latency)";
    return 0;
}

/* ---- open ------------------------------------------------------------------------------------- */

void sk_llmperf_free(sk_llmperf *p) {
    if (!p) return;
    free(p->tok);
    for (int o = 0; o < SK_LP_NOPS; o++) free(p->op[o]);
    free(p->layer), free(p->emb), free(p->lmhead);
    free(p);
}

/* Weight of the compute-bound part at n tokens: n / (n + ridge), the roofline's ridge point being
 * where a GEMM of n tokens has as many FLOPs per weight byte as the GPU's FLOPs per byte. */
static double sk_lp_gpu_scale(const sk_llmperf *p, double n) {
    if (p->cr == p->mr) return p->cr; /* exactly 1 for a profiled GPU */
    double w = n / (n + p->ridge);
    return w * p->cr + (1 - w) * p->mr;
}

/* sk_llmperf_open; with fit == 0 a model whose weights do not fit opens anyway (kv_tokens 0): the
 * validation uses it for llama.cpp's layer split, where one token's time is one GPU's time for
 * all layers whatever the memory. */
static int sk_lp_open(sk_llmperf **out, const char *gpu, const char *model, int tp, int fit, char *err,
                      size_t errlen) {
    *out = NULL;
    const sk_llm_gpu *g = sk_llm_gpu_find(gpu);
    if (!g) return sk_errf(err, errlen, SK_EUSAGE, "unknown GPU '%s' (A100, A100-80GB, H100, A10G, L4, L40S, T4, V100, ...)",
                           gpu ? gpu : "");
    const sk_llm_shape *s = sk_llm_shape_find(model);
    if (!s) return sk_errf(err, errlen, SK_EUSAGE, "unknown model '%s' (llama-2-7b, llama-2-70b, llama-3-8b, ...)",
                           model ? model : "");
    if (tp != 1 && tp != 2 && tp != 4 && tp != 8)
        return sk_errf(err, errlen, SK_EUSAGE, "tensor-parallel degree %d: must be 1, 2, 4 or 8", tp);
    if (s->heads % tp || s->kv_heads % tp)
        return sk_errf(err, errlen, SK_EUSAGE, "%s: %d heads (%d KV heads) do not split over tp %d", s->name, s->heads,
                       s->kv_heads, tp);
    sk_llmperf *p = calloc(1, sizeof *p);
    if (!p) return sk_errf(err, errlen, SK_ENOMEM, "out of memory");
    p->shape = s, p->gpu = g, p->tp = tp, p->base = sk_lp_base_gpu(g);
    p->pshape = s; /* the profiled model: the first shape in the table with this profile */
    for (int i = SK_LP_NSHAPES - 1; i >= 0; i--)
        if (!strcmp(sk_lp_shapes[i].profile, s->profile)) p->pshape = &sk_lp_shapes[i];
    int rc = 0;
    /* memory: weights, reserve, KV */
    p->weights_b = s->params_b * 1e9 * s->bytes_per_param;
    p->reserve_b = tp * (SK_LP_RESERVE_GPU + (double)SK_LP_MAX_BATCHED * (3.0 * s->hidden + 4.0 * s->ffn / tp) * 2.0);
    p->kvtok_b = 2.0 * s->layers * s->kv_heads * ((double)s->hidden / s->heads) * s->bytes_per_param;
    p->usable_b = g->mem_mib * 1048576.0 * tp * SK_LP_MEM_FRAC;
    double kv = floor((p->usable_b - p->weights_b - p->reserve_b) / p->kvtok_b);
    if (!(kv >= SK_LP_MIN_KV) && fit) {
        rc = sk_errf(err, errlen, SK_EDATA,
                     "%s does not fit on %d x %s: %.1f GB of weights + %.1f GB reserve > %.1f GB usable (%.0f%% of "
                     "%.1f GiB x %d)",
                     s->name, tp, g->name, p->weights_b / 1e9, p->reserve_b / 1e9, p->usable_b / 1e9,
                     SK_LP_MEM_FRAC * 100, g->mem_mib / 1024, tp);
        goto fail;
    }
    p->kv_tokens = kv >= SK_LP_MIN_KV ? (int64_t)kv : 0;
    /* the profile */
    char rel[256];
    snprintf(rel, sizeof rel, "vidur/compute/%s/meta-llama/%s/mlp.csv", p->base->profile, s->profile);
    if (sk_trace_find(rel, NULL, p->path, sizeof p->path) < 0) {
        rc = sk_errf(err, errlen, SK_ENOINPUT, "%s: not found on the trace search path ($SYNKTI_TRACES, ../shared/traces)",
                     rel);
        goto fail;
    }
    sk_lp_mlp m = {.tp = tp, .ps = p->pshape};
    for (int c = 0; c < SK_LP_NCOLS; c++) m.col[c] = -1;
    sk_csv_rd rd = {.path = p->path, .err = err, .errlen = errlen, .row = sk_lp_mlp_row, .ctx = &m};
    rc = sk_csv_read(&rd);
    if (rc == 0 && m.n == 0) rc = sk_errf(err, errlen, SK_EDATA, "%s: no rows for tp %d", p->path, tp);
    if (rc < 0) {
        free(m.tok), free(m.ms);
        goto fail;
    }
    sk_lp_mlp_sort(&m);
    p->n = m.n, p->tok = m.tok;
    /* scaling: shape widths, GPU roofline blend */
    p->cr = p->base->fp16_tflops / g->fp16_tflops;
    p->mr = p->base->mem_gbs / g->mem_gbs;
    p->ridge = p->base->fp16_tflops * 1e12 / (p->base->mem_gbs * 1e9); /* FLOPs/byte = tokens: 2n FLOPs per 2-byte weight */
    for (int o = 0; o < SK_LP_NOPS; o++) p->op[o] = malloc(sizeof(double) * (size_t)p->n);
    p->layer = malloc(sizeof(double) * (size_t)p->n);
    p->emb = malloc(sizeof(double) * (size_t)p->n);
    p->lmhead = malloc(sizeof(double) * (size_t)p->n);
    int oom = !p->layer || !p->emb || !p->lmhead;
    for (int o = 0; o < SK_LP_NOPS; o++) oom |= !p->op[o];
    if (oom) {
        free(m.ms);
        rc = sk_errf(err, errlen, SK_ENOMEM, "out of memory");
        goto fail;
    }
    /* the LM head (vocab x hidden / tp, vocab-parallel) as the fused gate+up GEMM (2 ffn x hidden / tp)
     * of the profile model scaled by vocab / (2 ffn): same input, a wider output */
    double lm_ratio = (double)s->vocab / (2.0 * p->pshape->ffn);
    for (int i = 0; i < p->n; i++) {
        double gs = sk_lp_gpu_scale(p, p->tok[i]);
        double sum = 0;
        for (int o = 0; o < SK_LP_NOPS; o++) {
            double ws = s == p->pshape ? 1.0 : sk_lp_width(s, o) / sk_lp_width(p->pshape, o);
            double v = m.ms[(size_t)i * SK_LP_NOPS + o];
            p->op[o][i] = gs == 1.0 && ws == 1.0 ? v : v * ws * gs;
            if (o != SK_LP_EMB) sum += o == SK_LP_ADD ? 2 * p->op[o][i] : p->op[o][i]; /* two residual adds a layer */
        }
        p->layer[i] = sum;
        p->emb[i] = p->op[SK_LP_EMB][i];
        p->lmhead[i] = m.ms[(size_t)i * SK_LP_NOPS + SK_LP_UP] * lm_ratio * gs;
    }
    free(m.ms);
    if ((rc = sk_lp_pava(p->layer, p->n)) < 0 || (rc = sk_lp_pava(p->emb, p->n)) < 0 ||
        (rc = sk_lp_pava(p->lmhead, p->n)) < 0) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "out of memory");
        goto fail;
    }
    /* attention rates, from what the profile's four GEMMs achieve on the base GPU, scaled to this
     * GPU: bandwidth at 1 token (all weight bytes read once), FLOP rate at the largest count */
    {
        const sk_llm_shape *ps = p->pshape;
        double hd = (double)ps->hidden / ps->heads;
        double wparams = ((double)ps->hidden * (ps->heads + 2.0 * ps->kv_heads) * hd + (double)ps->heads * hd * ps->hidden +
                          3.0 * ps->ffn * ps->hidden) / tp; /* QKV, O, gate+up, down: parameters a layer a GPU */
        int gemms[4] = {SK_LP_QKV, SK_LP_OPROJ, SK_LP_UP, SK_LP_DOWN};
        double t0 = 0, tl = 0; /* ms on the base GPU for the profile model */
        int last = p->n - 1;
        for (int k = 0; k < 4; k++) {
            double ws = s == ps ? 1.0 : sk_lp_width(s, gemms[k]) / sk_lp_width(ps, gemms[k]);
            t0 += p->op[gemms[k]][0] / ws / sk_lp_gpu_scale(p, p->tok[0]);
            tl += p->op[gemms[k]][last] / ws / sk_lp_gpu_scale(p, p->tok[last]);
        }
        double base_bps = wparams * ps->bytes_per_param / (t0 * 1e-3);   /* weights read once at tok[0] tokens */
        double base_flops = 2.0 * p->tok[last] * wparams / (tl * 1e-3); /* 2 FLOPs a parameter a token */
        p->attn_bps = base_bps / p->mr;
        p->attn_flops = base_flops / p->cr;
    }
    if ((rc = sk_lp_allreduce(p, err, errlen)) < 0) goto fail;
    *out = p;
    return 0;
fail:
    sk_llmperf_free(p);
    return rc;
}

int sk_llmperf_open(sk_llmperf **out, const char *gpu, const char *model, int tp, char *err, size_t errlen) {
    return sk_lp_open(out, gpu, model, tp, 1, err, errlen);
}

int sk_llmperf_open_ex(sk_llmperf **out, const char *gpu, const char *model, int tp, unsigned flags, char *err,
                       size_t errlen) {
    return sk_lp_open(out, gpu, model, tp, !(flags & SK_LLMPERF_NOFIT), err, errlen);
}

/* ---- queries ---------------------------------------------------------------------------------- */

double sk_llmperf_op_ms(const sk_llmperf *p, int op, double tokens) {
    if (op < 0 || op >= SK_LP_NOPS) return NAN;
    return sk_lp_interp(p->tok, p->op[op], p->n, tokens);
}

double sk_llmperf_iter_parts(const sk_llmperf *p, int64_t prefill_tokens, int64_t decode_seqs, int64_t ctx_tokens,
                             sk_llmperf_parts *out) {
    sk_llmperf_parts r = {0};
    if (prefill_tokens < 0) prefill_tokens = 0;
    if (decode_seqs < 0) decode_seqs = 0;
    if (ctx_tokens < 0) ctx_tokens = 0;
    double n = (double)(prefill_tokens + decode_seqs);
    if (n < 1) n = 1;
    const sk_llm_shape *s = p->shape;
    double L = s->layers;
    r.emb_s = sk_lp_interp(p->tok, p->emb, p->n, n) * 1e-3;
    r.layers_s = L * sk_lp_interp(p->tok, p->layer, p->n, n) * 1e-3;
    double T = (double)prefill_tokens;
    r.attn_prefill_s = L * 4.0 * T * (T / 2.0) * s->hidden / p->tp / p->attn_flops;
    double hd = (double)s->hidden / s->heads;
    r.attn_decode_s = L * (double)ctx_tokens * 2.0 * s->kv_heads * hd * s->bytes_per_param / p->tp / p->attn_bps;
    if (p->tp > 1) r.allreduce_s = L * 2.0 * (p->ar_lat_ms + p->ar_ms_per_byte * n * s->hidden * 2.0) * 1e-3;
    double logits = (double)decode_seqs + (prefill_tokens > 0 ? 1 : 0);
    if (logits > 0) r.lm_head_s = sk_lp_interp(p->tok, p->lmhead, p->n, logits) * 1e-3;
    r.total_s = r.emb_s + r.layers_s + r.attn_prefill_s + r.attn_decode_s + r.allreduce_s + r.lm_head_s;
    if (out) *out = r;
    return r.total_s;
}

double sk_llmperf_iter_s(const sk_llmperf *p, int64_t prefill_tokens, int64_t decode_seqs, int64_t ctx_tokens) {
    return sk_llmperf_iter_parts(p, prefill_tokens, decode_seqs, ctx_tokens, NULL);
}

int64_t sk_llmperf_kv_tokens(const sk_llmperf *p) { return p->kv_tokens; }

double sk_llmperf_load_s(const sk_llmperf *p) { return p->weights_b / (SK_LP_LOAD_GBS * 1e9); }

double sk_llmperf_decode_tps(const sk_llmperf *p, int64_t ctx_tokens) {
    return 1.0 / sk_llmperf_iter_s(p, 0, 1, ctx_tokens);
}

double sk_llmperf_prefill_tps(const sk_llmperf *p, int64_t tokens) {
    return (double)tokens / sk_llmperf_iter_s(p, tokens, 0, 0);
}

void sk_llmperf_get_info(const sk_llmperf *p, sk_llmperf_info *o) {
    memset(o, 0, sizeof *o);
    o->gpu = p->gpu, o->base = p->base, o->shape = p->shape, o->tp = p->tp;
    o->compute_ratio = p->cr, o->mem_ratio = p->mr, o->ridge_tokens = p->ridge;
    o->weights_bytes = p->weights_b, o->reserve_bytes = p->reserve_b, o->kv_bytes_per_token = p->kvtok_b;
    o->usable_bytes = p->usable_b;
    o->ar_lat_ms = p->ar_lat_ms, o->ar_ms_per_mib = p->ar_ms_per_byte * 1048576.0, o->ar_source = p->ar_source;
    o->attn_gbs = p->attn_bps / 1e9, o->attn_tflops = p->attn_flops / 1e12;
    o->load_gbs = SK_LP_LOAD_GBS;
    o->profiled_points = p->n;
    snprintf(o->profile_path, sizeof o->profile_path, "%s", p->path);
}

/* ---- validation against llm-inference-benchmarks/ --------------------------------------------- */

/* Copy src into dst[len], truncating. */
static void sk_lp_cpy(char *dst, size_t len, const char *src) {
    size_t n = strlen(src);
    if (n >= len) n = len - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

typedef struct {
    sk_llmperf_vrow *v;
    int n, cap;
    int col[8];
    int ncol;
    int tgi; /* which file */
} sk_lp_val;

static sk_llmperf_vrow *sk_lp_val_add(sk_lp_val *V) {
    if (V->n == V->cap) {
        int nc = V->cap ? 2 * V->cap : 64;
        sk_llmperf_vrow *r = realloc(V->v, sizeof *r * (size_t)nc);
        if (!r) return NULL;
        V->v = r, V->cap = nc;
    }
    sk_llmperf_vrow *r = &V->v[V->n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Columns by name from a header row; SK_EDATA naming the first missing one. */
static int sk_lp_val_header(sk_csv_rd *rd, sk_lp_val *V, const char *const *names, int n) {
    for (int c = 0; c < n; c++) {
        int k = 0;
        while (k < rd->nf && strcmp(rd->f[k], names[c])) k++;
        if (k == rd->nf)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: no column %s", rd->path, (long long)rd->line,
                           names[c]);
        V->col[c] = k;
    }
    V->ncol = n;
    return 0;
}

/* The benchmark's GPU name -> ours (NULL: a GPU the model does not know: consumer cards, Apple). */
static const char *sk_lp_val_gpu(const char *bench) {
    static const char *const map[][2] = {
        {"A100 PCIe 80GB", "A100-80GB"}, {"A100 SXM 80GB", "A100-80GB"}, {"H100 PCIe 80GB", "H100-PCIe"},
        {"A40 48GB", "A40"},             {"L40S 48GB", "L40S"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], bench)) return map[i][1];
    return NULL;
}

static int sk_lp_val_llamacpp_row(sk_csv_rd *rd) {
    sk_lp_val *V = rd->ctx;
    static const char *const names[] = {"metric", "gpu_config", "model", "quant", "tokens_per_s"};
    if (!V->ncol) return sk_lp_val_header(rd, V, names, 5);
    for (int c = 0; c < 5; c++)
        if (V->col[c] >= rd->nf)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %s: missing", rd->path, (long long)rd->line,
                           names[c]);
    const char *metric = rd->f[V->col[0]], *cfg = rd->f[V->col[1]], *model = rd->f[V->col[2]],
               *quant = rd->f[V->col[3]], *tps = rd->f[V->col[4]];
    if (!*tps) return 0; /* OOM */
    double meas;
    int rc = sk_lp_num(rd->path, (long)rd->line, "tokens_per_s", tps, &meas, rd->err, rd->errlen);
    if (rc < 0) return rc;
    /* "A40 48GB  4" = 4 GPUs */
    char name[64];
    sk_lp_cpy(name, sizeof name, cfg);
    int ngpu = 1;
    char *sp = strstr(name, "  ");
    if (sp) {
        ngpu = atoi(sp + 2);
        *sp = '\0';
    }
    const char *gpu = sk_lp_val_gpu(name);
    const char *shape = !strcmp(model, "Llama-3-8B") ? "llama-3-8b" : !strcmp(model, "Llama-3-70B") ? "llama-3-70b" : NULL;
    int dec = !strcmp(metric, "text_generation_1024_tokens"), pre = !strcmp(metric, "prompt_eval_1024_tokens");
    if (!gpu || !shape || (!dec && !pre)) return 0;
    sk_llmperf_vrow *r = sk_lp_val_add(V);
    if (!r) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "out of memory");
    snprintf(r->source, sizeof r->source, "llamacpp");
    sk_lp_cpy(r->metric, sizeof r->metric, dec ? "decode_tps" : "prefill_tps");
    sk_lp_cpy(r->bench_gpu, sizeof r->bench_gpu, cfg);
    sk_lp_cpy(r->bench_model, sizeof r->bench_model, model);
    sk_lp_cpy(r->quant, sizeof r->quant, quant);
    sk_lp_cpy(r->gpu, sizeof r->gpu, gpu);
    sk_lp_cpy(r->model, sizeof r->model, shape);
    r->concurrency = 1, r->tp = 1, r->measured = meas, r->line = (int)rd->line;
    /* llama.cpp splits the layers over several GPUs and runs them one after the other: one
     * token's time is one GPU's time for all layers (transfers of one activation ignored) */
    sk_llmperf *p;
    char e2[256];
    rc = sk_lp_open(&p, gpu, shape, 1, 0, e2, sizeof e2);
    if (rc == SK_ENOINPUT || rc == SK_ENOMEM) return sk_errf(rd->err, rd->errlen, rc, "%s", e2);
    if (rc < 0) {
        r->predicted = r->rel_err = NAN;
        sk_lp_cpy(r->note, sizeof r->note, e2);
        return 0;
    }
    if (dec) {
        double t = 0;
        for (int k = 0; k < 1024; k++) t += sk_llmperf_iter_s(p, 0, 1, k);
        r->predicted = 1024 / t;
    } else {
        r->predicted = sk_llmperf_prefill_tps(p, 1024);
    }
    int fits = sk_llmperf_kv_tokens(p) > 0;
    sk_llmperf_free(p);
    r->rel_err = r->predicted / r->measured - 1;
    r->counted = !strcmp(quant, "F16");
    if (!r->counted)
        snprintf(r->note, sizeof r->note, "%.8s weights (~4.8 bits): fewer bytes read than fp16; not compared", quant);
    else if (ngpu > 1)
        snprintf(r->note, sizeof r->note, "layer split over %d GPUs = one GPU's time%s", ngpu,
                 fits ? "" : " (memory of all GPUs)");
    /* upstream data error: A100 SXM's Llama-3-8B F16 prompt rows (681, 674 tok/s) are 11x below the
     * A100 PCIe rows and 2.7x below the same GPU's 70B row */
    if (r->counted && !strcmp(name, "A100 SXM 80GB") && pre && !strcmp(shape, "llama-3-8b")) {
        r->counted = 0;
        sk_lp_cpy(r->note, sizeof r->note, "suspect row (11x below A100 PCIe, below its own 70B row); not compared");
    }
    return 0;
}

static int sk_lp_val_tgi_row(sk_csv_rd *rd) {
    sk_lp_val *V = rd->ctx;
    static const char *const names[] = {"model",          "concurrency",        "input_tokens",
                                        "output_tokens", "ttft_mean_ms",       "throughput_tokens_per_s",
                                        "inter_token_latency_ms_per_token"};
    if (!V->ncol) return sk_lp_val_header(rd, V, names, 7);
    double v[7];
    for (int c = 1; c < 7; c++) {
        if (V->col[c] >= rd->nf)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %s: missing", rd->path, (long long)rd->line,
                           names[c]);
        int rc = sk_lp_num(rd->path, (long)rd->line, names[c], rd->f[V->col[c]], &v[c], rd->err, rd->errlen);
        if (rc < 0) return rc;
    }
    const char *model = rd->f[V->col[0]];
    const char *shape = strstr(model, "Llama-3-8B") ? "llama-3-8b" : strstr(model, "Mistral-7B") ? "mistral-7b" : NULL;
    if (!shape) return 0;
    int c = (int)v[1];
    double in = v[2], outk = v[3];
    sk_llmperf *p;
    char e2[256];
    int rc = sk_llmperf_open(&p, "A10G", shape, 1, e2, sizeof e2);
    if (rc < 0) return sk_errf(rd->err, rd->errlen, rc, "%s", e2);
    /* steady continuous batching of c requests: a cycle holds out decode steps of c sequences
     * (mean context in + out/2 each) and c prefills of in tokens */
    double dec = sk_llmperf_iter_s(p, 0, c, (int64_t)(c * (in + outk / 2)));
    double pre = sk_llmperf_iter_s(p, (int64_t)in, 0, 0);
    int64_t kv = sk_llmperf_kv_tokens(p);
    sk_llmperf_free(p);
    int fits = c * (in + outk) <= (double)kv;
    const char *metric[3] = {"itl_ms", "throughput_tps", "ttft_ms"};
    double meas[3] = {v[6], v[5], v[4]};
    double pred[3] = {(outk * dec + (c - 1) * pre) / outk * 1e3, c * outk / (outk * dec + c * pre), pre * 1e3};
    for (int k = 0; k < 3; k++) {
        if (k == 2 && c != 1) continue; /* TTFT under load is mostly queueing */
        sk_llmperf_vrow *r = sk_lp_val_add(V);
        if (!r) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "out of memory");
        snprintf(r->source, sizeof r->source, "tgi");
        sk_lp_cpy(r->metric, sizeof r->metric, metric[k]);
        snprintf(r->bench_gpu, sizeof r->bench_gpu, "24 GB (A10G?)");
        sk_lp_cpy(r->bench_model, sizeof r->bench_model, model);
        snprintf(r->quant, sizeof r->quant, "BF16");
        snprintf(r->gpu, sizeof r->gpu, "A10G");
        sk_lp_cpy(r->model, sizeof r->model, shape);
        r->concurrency = c, r->tp = 1, r->line = (int)rd->line;
        r->measured = meas[k], r->predicted = pred[k], r->rel_err = pred[k] / meas[k] - 1;
        r->counted = fits;
        if (!fits)
            snprintf(r->note, sizeof r->note, "%d x %.0f tokens > KV capacity %lld: TGI queues; not compared", c,
                     in + outk, (long long)kv);
        else if (k == 2)
            snprintf(r->note, sizeof r->note, "measured includes HTTP and tokenisation");
    }
    return 0;
}

int sk_llmperf_validate(sk_llmperf_vrow **rows, int *nrows, char *err, size_t errlen) {
    *rows = NULL, *nrows = 0;
    static const char *const rel[2] = {"llm-inference-benchmarks/llamacpp_llama3_tokens_per_s_by_gpu.csv",
                                       "llm-inference-benchmarks/tgi_llmperf_24gb_gpu_summary.csv"};
    sk_lp_val V = {0};
    for (int f = 0; f < 2; f++) {
        char path[512];
        if (sk_trace_find(rel[f], NULL, path, sizeof path) < 0) {
            free(V.v);
            return sk_errf(err, errlen, SK_ENOINPUT, "%s: not found on the trace search path", rel[f]);
        }
        V.ncol = 0, V.tgi = f;
        sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = f ? sk_lp_val_tgi_row : sk_lp_val_llamacpp_row,
                        .ctx = &V};
        int rc = sk_csv_read(&rd);
        if (rc < 0) {
            free(V.v);
            return rc;
        }
    }
    *rows = V.v, *nrows = V.n;
    return 0;
}

double sk_llmperf_median_abs_err(const sk_llmperf_vrow *rows, int nrows, const char *source, const char *metric,
                                 int *n) {
    double *a = malloc(sizeof *a * (size_t)(nrows + 1));
    int k = 0;
    for (int i = 0; a && i < nrows; i++)
        if (rows[i].counted && (!source || !strcmp(rows[i].source, source)) &&
            (!metric || !strcmp(rows[i].metric, metric)) && !isnan(rows[i].rel_err))
            a[k++] = fabs(rows[i].rel_err);
    if (n) *n = k;
    double m = NAN;
    if (k) {
        qsort(a, (size_t)k, sizeof *a, sk_lp_cmp_dbl);
        m = k % 2 ? a[k / 2] : (a[k / 2 - 1] + a[k / 2]) / 2;
    }
    free(a);
    return m;
}
