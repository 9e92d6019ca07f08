/* sk_workload.c - batch jobs for the fleet (see sk_workload.h): job trace CSVs
 * (gpu-jobs/ms-itp-elasticflow/jobs.csv, gpu-jobs/philly-dre-subset/jobs.csv), synthetic streams
 * (Poisson or Gamma arrivals; sizes by weight; exponential, lognormal or empirical lengths), and
 * machine fleets (gpu-jobs/alibaba-pai2020-machine-spec/nodes.csv). Formulas: docs/fleet_workload.md. */
#include "models/sk_workload.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sk_rng.h"
#include "io/sk_csv.h"
#include "sk_error.h"

void sk_jobs_fini(sk_jobs *j) {
    if (!j) return;
    free(j->j);
    j->j = NULL;
    j->n = 0;
}

double sk_jobs_gpu_hours(const sk_jobs *j) {
    double s = 0;
    for (int64_t i = 0; i < j->n; i++) s += (double)j->j[i].gpus * j->j[i].work_s;
    return s / 3600.0;
}

/* ---- shared field parsers ---------------------------------------------------------------------- */

/* A finite number in [lo, hi] (lo_open: > lo). */
static int sk__wl_num(const char *s, double lo, int lo_open, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v) || v < lo || (lo_open && v == lo) || v > hi) return -1;
    *out = v;
    return 0;
}

/* A decimal integer in [lo, hi]. */
static int sk__wl_int(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Find each wanted column in the header row; required columns missing are an error naming the
 * first one. col[k] = field index or -1. */
static int sk__wl_header(sk_csv_rd *rd, const char *const *names, const int *required, int n, int *col) {
    for (int k = 0; k < n; k++) col[k] = -1;
    for (int f = 0; f < rd->nf; f++)
        for (int k = 0; k < n; k++)
            if (col[k] < 0 && !strcmp(rd->f[f], names[k])) col[k] = f;
    for (int k = 0; k < n; k++)
        if (required[k] && col[k] < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: header has no column '%s'", rd->path,
                           (long long)rd->line, names[k]);
    return 0;
}

/* The start of every row: the header (the first row) fills col and *ncols and gives 1; a data row
 * must have as many fields as the header (0), else SK_EDATA naming the line. */
static int sk__wl_row(sk_csv_rd *rd, const char *const *names, const int *required, int n, int *col, int *ncols) {
    if (!*ncols) {
        int rc = sk__wl_header(rd, names, required, n, col);
        if (rc < 0) return rc;
        *ncols = rd->nf;
        return 1;
    }
    if (rd->nf != *ncols)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: expected %d fields as in the header, got %d", rd->path,
                       (long long)rd->line, *ncols, rd->nf);
    return 0;
}

/* ---- job traces -------------------------------------------------------------------------------- */

enum { J_SUBMIT, J_GPUS, J_DUR, J_TYPE, J_N };
static const char *const sk__jcol[J_N] = {"submit_time_s", "gpus", "duration_s", "gpu_type"};
static const int sk__jreq[J_N] = {1, 1, 1, 0};

typedef struct {
    const char *const *gpu_names;
    int ngpu;
    int col[J_N];
    int ncols;          /* fields per row, from the header; 0 until the header is read */
    int sorted;         /* submit times seen so far are non-decreasing */
    sk_jobspec *j;
    int64_t n, cap;
} sk_jobs_ctx;

static int sk__jobs_row(sk_csv_rd *rd) {
    sk_jobs_ctx *c = rd->ctx;
    int rc = sk__wl_row(rd, sk__jcol, sk__jreq, J_N, c->col, &c->ncols);
    if (rc) return rc < 0 ? rc : 0;
    long long ln = (long long)rd->line;
    sk_jobspec q;
    long g;
    const char *fs = rd->f[c->col[J_SUBMIT]], *fg = rd->f[c->col[J_GPUS]], *fd = rd->f[c->col[J_DUR]];
    if (sk__wl_num(fs, -HUGE_VAL, 0, HUGE_VAL, &q.submit_s) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (submit_time_s): expected a number, got '%s'",
                       rd->path, ln, c->col[J_SUBMIT] + 1, fs);
    if (sk__wl_int(fg, 1, 1L << 24, &g) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA,
                       "%s:%lld: field %d (gpus): expected an integer in [1, 16777216], got '%s'", rd->path, ln,
                       c->col[J_GPUS] + 1, fg);
    if (sk__wl_num(fd, 0, 1, HUGE_VAL, &q.work_s) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (duration_s): expected a number > 0, got '%s'",
                       rd->path, ln, c->col[J_DUR] + 1, fd);
    q.gpus = (int32_t)g;
    q.gpu_type = -1;
    if (c->col[J_TYPE] >= 0 && rd->f[c->col[J_TYPE]][0])
        for (int k = 0; k < c->ngpu; k++)
            if (c->gpu_names[k] && !strcmp(c->gpu_names[k], rd->f[c->col[J_TYPE]])) {
                q.gpu_type = k;
                break;
            }
    if (c->n == c->cap) {
        int64_t ncap = c->cap ? c->cap * 2 : 4096;
        sk_jobspec *nj = realloc(c->j, (size_t)ncap * sizeof *nj);
        if (!nj) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s:%lld: out of memory", rd->path, ln);
        c->j = nj;
        c->cap = ncap;
    }
    if (c->n && q.submit_s < c->j[c->n - 1].submit_s) c->sorted = 0;
    c->j[c->n++] = q;
    return 0;
}

/* Stable merge sort of a[0..n) by submit_s, tmp has room for n. */
static void sk__jobs_msort(sk_jobspec *a, sk_jobspec *tmp, int64_t n) {
    if (n < 2) return;
    int64_t h = n / 2;
    sk__jobs_msort(a, tmp, h);
    sk__jobs_msort(a + h, tmp, n - h);
    if (a[h - 1].submit_s <= a[h].submit_s) return;
    memcpy(tmp, a, (size_t)h * sizeof *a);
    int64_t i = 0, j = h, k = 0;
    while (i < h && j < n) a[k++] = a[j].submit_s < tmp[i].submit_s ? a[j++] : tmp[i++];
    while (i < h) a[k++] = tmp[i++];
}

int sk_jobs_load(sk_jobs *out, const char *path, const char *const *gpu_names, int ngpu, double time_scale, int64_t limit,
                 char *err, size_t errlen) {
    out->n = 0;
    out->j = NULL;
    if (!(time_scale > 0) || !isfinite(time_scale))
        return sk_errf(err, errlen, SK_ECONFIG, "%s: time_scale must be a positive number, got %g", path, time_scale);
    sk_jobs_ctx c = {.gpu_names = gpu_names, .ngpu = gpu_names ? ngpu : 0, .sorted = 1};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk__jobs_row, .ctx = &c};
    int rc = sk_csv_read(&rd);
    if (rc < 0) goto fail;
    if (!c.ncols) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: empty file (expected a header with submit_time_s,gpus,duration_s)", path);
        goto fail;
    }
    if (!c.n) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: no job rows after the header", path);
        goto fail;
    }
    if (!c.sorted) {
        sk_jobspec *tmp = malloc((size_t)(c.n / 2 + 1) * sizeof *tmp);
        if (!tmp) {
            rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
        sk__jobs_msort(c.j, tmp, c.n);
        free(tmp);
    }
    if (limit > 0 && limit < c.n) c.n = limit;
    double t0 = c.j[0].submit_s;
    for (int64_t i = 0; i < c.n; i++) {
        c.j[i].submit_s = (c.j[i].submit_s - t0) * time_scale;
        c.j[i].work_s *= time_scale;
    }
    sk_jobspec *shrunk = realloc(c.j, (size_t)c.n * sizeof *shrunk);
    out->j = shrunk ? shrunk : c.j;
    out->n = c.n;
    return 0;
fail:
    free(c.j);
    return rc;
}

/* ---- synthetic streams ------------------------------------------------------------------------- */

/* Walker's alias table over n weights: draw i = floor(u n); keep i when the fraction u n - i is
 * below prob[i], else take alias[i]. One uniform per draw. */
typedef struct {
    int n;
    double *prob;
    int *alias;
} sk_alias;

static int sk__alias_init(sk_alias *a, const double *w, int n) {
    a->n = n;
    a->prob = malloc((size_t)n * sizeof *a->prob);
    a->alias = malloc((size_t)n * sizeof *a->alias);
    int *stack = malloc((size_t)n * 2 * sizeof *stack);
    if (!a->prob || !a->alias || !stack) {
        free(stack);
        return SK_ENOMEM;
    }
    double sum = 0;
    for (int i = 0; i < n; i++) sum += w[i];
    int *small = stack, *large = stack + n, ns = 0, nl = 0;
    for (int i = 0; i < n; i++) {
        a->prob[i] = w[i] * n / sum;
        a->alias[i] = i;
        if (a->prob[i] < 1) small[ns++] = i;
        else large[nl++] = i;
    }
    while (ns && nl) {
        int s = small[--ns], l = large[nl - 1];
        a->alias[s] = l;
        a->prob[l] -= 1 - a->prob[s];
        if (a->prob[l] < 1) {
            nl--;
            small[ns++] = l;
        }
    }
    /* what is left is 1 up to rounding */
    while (nl) a->prob[large[--nl]] = 1;
    while (ns) a->prob[small[--ns]] = 1;
    free(stack);
    return 0;
}

static void sk__alias_fini(sk_alias *a) {
    free(a->prob);
    free(a->alias);
}

static inline int sk__alias_draw(const sk_alias *a, sk_rng *rng) {
    double x = sk_rng_uniform(rng) * a->n;
    int i = (int)x;
    if (i >= a->n) i = a->n - 1;
    return x - i < a->prob[i] ? i : a->alias[i];
}

static int sk__synth_check(const sk_synth *p, char *err, size_t errlen) {
    if (!(p->rate_per_h > 0) || !isfinite(p->rate_per_h))
        return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: rate_per_h must be > 0, got %g", p->rate_per_h);
    if (p->arrival != SK_ARR_POISSON && p->arrival != SK_ARR_GAMMA)
        return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: unknown arrival kind %d", (int)p->arrival);
    if (p->arrival == SK_ARR_GAMMA && (!(p->cv > 0) || !(p->cv <= 100)))
        return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: Gamma arrivals need 0 < cv <= 100, got %g", p->cv);
    if (p->n < 0 || p->n > (int64_t)1 << 40 || !(p->horizon_s >= 0) || !isfinite(p->horizon_s) ||
        (p->n == 0 && p->horizon_s == 0))
        return sk_errf(err, errlen, SK_ECONFIG,
                       "synthetic jobs: need a job count n > 0 or a horizon_s > 0 (n = %lld, horizon_s = %g)",
                       (long long)p->n, p->horizon_s);
    switch (p->length) {
    case SK_LEN_EXP:
        if (!(p->len_mean_s > 0) || !isfinite(p->len_mean_s))
            return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: exponential lengths need len_mean_s > 0, got %g",
                           p->len_mean_s);
        break;
    case SK_LEN_LOGNORMAL:
        if (!(p->len_mean_s > 0) || !isfinite(p->len_mean_s) || !(p->len_sigma >= 0) || !(p->len_sigma <= 20))
            return sk_errf(err, errlen, SK_ECONFIG,
                           "synthetic jobs: lognormal lengths need a median len_mean_s > 0 and 0 <= len_sigma <= 20, "
                           "got %g and %g",
                           p->len_mean_s, p->len_sigma);
        break;
    case SK_LEN_EMPIRICAL:
        if (!p->mix || p->mix->n < 1 || p->mix->n > UINT32_MAX)
            return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: empirical lengths need a loaded job trace (mix)");
        return 0; /* sizes come with the lengths */
    default:
        return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: unknown length kind %d", (int)p->length);
    }
    if (p->nsizes < 0 || (p->nsizes > 0 && (!p->size_gpus || !p->size_w)))
        return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: %d sizes without their gpus and weights", p->nsizes);
    double sum = 0;
    for (int i = 0; i < p->nsizes; i++) {
        if (p->size_gpus[i] < 1)
            return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: size %d: gpus must be >= 1, got %d", i,
                           (int)p->size_gpus[i]);
        if (!(p->size_w[i] >= 0) || !isfinite(p->size_w[i]))
            return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: size %d: weight must be >= 0, got %g", i, p->size_w[i]);
        sum += p->size_w[i];
    }
    if (p->nsizes > 0 && !(sum > 0))
        return sk_errf(err, errlen, SK_ECONFIG, "synthetic jobs: the size weights sum to 0");
    return 0;
}

int sk_jobs_synth(sk_jobs *out, const sk_synth *p, struct sk_rng *rng, char *err, size_t errlen) {
    out->n = 0;
    out->j = NULL;
    int rc = sk__synth_check(p, err, errlen);
    if (rc < 0) return rc;
    sk_alias al = {0};
    int use_alias = p->length != SK_LEN_EMPIRICAL && p->nsizes > 0;
    if (use_alias && sk__alias_init(&al, p->size_w, p->nsizes) < 0) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "synthetic jobs: out of memory");
        goto fail_alias;
    }
    int64_t cap = p->n > 0 ? p->n : 4096;
    sk_jobspec *j = malloc((size_t)cap * sizeof *j);
    if (!j) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "synthetic jobs: out of memory for %lld jobs", (long long)cap);
        goto fail_alias;
    }
    const double mean_gap = 3600.0 / p->rate_per_h;
    const double k = p->arrival == SK_ARR_GAMMA ? 1.0 / (p->cv * p->cv) : 1.0, scale = mean_gap / k;
    const double horizon = p->horizon_s > 0 ? p->horizon_s : HUGE_VAL;
    double t = 0;
    int64_t n = 0;
    for (;;) {
        if (p->n > 0 && n == p->n) break;
        if (n > 0) t += p->arrival == SK_ARR_GAMMA ? gsl_ran_gamma(rng->g, k, scale) : sk_rng_exponential(rng, mean_gap);
        if (t >= horizon) break;
        if (n == cap) {
            sk_jobspec *nj = realloc(j, (size_t)cap * 2 * sizeof *nj);
            if (!nj) {
                rc = sk_errf(err, errlen, SK_ENOMEM, "synthetic jobs: out of memory for %lld jobs", (long long)cap * 2);
                goto fail_jobs;
            }
            j = nj;
            cap *= 2;
        }
        sk_jobspec *q = &j[n++];
        q->submit_s = t;
        q->gpu_type = -1;
        if (p->length == SK_LEN_EMPIRICAL) {
            const sk_jobspec *m = &p->mix->j[sk_rng_uniform_int(rng, (uint32_t)p->mix->n)];
            q->gpus = m->gpus;
            q->work_s = m->work_s;
            q->gpu_type = m->gpu_type;
            continue;
        }
        q->gpus = use_alias ? p->size_gpus[sk__alias_draw(&al, rng)] : 1;
        do
            q->work_s = p->length == SK_LEN_EXP ? sk_rng_exponential(rng, p->len_mean_s)
                                                 : p->len_mean_s * exp(p->len_sigma * gsl_ran_gaussian_ziggurat(rng->g, 1.0));
        while (!(q->work_s > 0));
    }
    if (n < cap && n > 0) {
        sk_jobspec *nj = realloc(j, (size_t)n * sizeof *nj);
        if (nj) j = nj;
    }
    if (n == 0) {
        free(j);
        j = NULL;
    }
    out->j = j;
    out->n = n;
    sk__alias_fini(&al);
    return 0;
fail_jobs:
    free(j);
fail_alias:
    sk__alias_fini(&al);
    return rc;
}

/* ---- machine fleets ---------------------------------------------------------------------------- */

enum { M_NODE, M_MODEL, M_GPUS, M_CPU, M_MEM, M_N };
static const char *const sk__mcol[M_N] = {"node", "gpu_model", "gpus", "cpu", "mem_gb"};
static const int sk__mreq[M_N] = {0, 1, 1, 1, 1};

typedef struct {
    int col[M_N];
    int ncols;
    int64_t rows;
    sk_machines *m;
    int cap;
} sk_mach_ctx;

static int sk__mach_row(sk_csv_rd *rd) {
    sk_mach_ctx *c = rd->ctx;
    int rc = sk__wl_row(rd, sk__mcol, sk__mreq, M_N, c->col, &c->ncols);
    if (rc) return rc < 0 ? rc : 0;
    long long ln = (long long)rd->line;
    c->rows++;
    long g;
    double cpu, mem;
    const char *model = rd->f[c->col[M_MODEL]];
    if (sk__wl_int(rd->f[c->col[M_GPUS]], 0, 1L << 20, &g) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (gpus): expected an integer >= 0, got '%s'",
                       rd->path, ln, c->col[M_GPUS] + 1, rd->f[c->col[M_GPUS]]);
    if (sk__wl_num(rd->f[c->col[M_CPU]], 0, 0, HUGE_VAL, &cpu) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (cpu): expected a number >= 0, got '%s'", rd->path,
                       ln, c->col[M_CPU] + 1, rd->f[c->col[M_CPU]]);
    if (sk__wl_num(rd->f[c->col[M_MEM]], 0, 0, HUGE_VAL, &mem) < 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (mem_gb): expected a number >= 0, got '%s'",
                       rd->path, ln, c->col[M_MEM] + 1, rd->f[c->col[M_MEM]]);
    if (g == 0) return 0; /* CPU-only machine */
    sk_machines *m = c->m;
    if (!model[0] || strlen(model) >= sizeof m->g[0].gpu)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d (gpu_model): expected 1..%zu characters, got '%s'",
                       rd->path, ln, c->col[M_MODEL] + 1, sizeof m->g[0].gpu - 1, model);
    int i = 0;
    while (i < m->n && (m->g[i].gpus != g || strcmp(m->g[i].gpu, model))) i++;
    if (i == m->n) {
        if (m->n == c->cap) {
            int ncap = c->cap ? c->cap * 2 : 16;
            sk_machine_group *ng = realloc(m->g, (size_t)ncap * sizeof *ng);
            if (!ng) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s:%lld: out of memory", rd->path, ln);
            m->g = ng;
            c->cap = ncap;
        }
        sk_machine_group *ng = &m->g[m->n++];
        memset(ng, 0, sizeof *ng);
        strcpy(ng->gpu, model);
        ng->gpus = (int32_t)g;
    }
    /* running sums; divided into means at the end */
    m->g[i].vcpus += cpu;
    m->g[i].mem_gb += mem;
    m->g[i].count++;
    return 0;
}

static int sk__group_cmp(const void *a, const void *b) {
    const sk_machine_group *x = a, *y = b;
    int c = strcmp(x->gpu, y->gpu);
    return c ? c : (x->gpus > y->gpus) - (x->gpus < y->gpus);
}

int sk_machines_load(sk_machines *out, const char *path, char *err, size_t errlen) {
    out->n = 0;
    out->g = NULL;
    sk_mach_ctx c = {.m = out};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk__mach_row, .ctx = &c};
    int rc = sk_csv_read(&rd);
    if (rc < 0) goto fail;
    if (!c.ncols) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: empty file (expected a header with gpu_model,gpus,cpu,mem_gb)", path);
        goto fail;
    }
    if (!out->n) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s: no machine with GPUs in %lld rows", path, (long long)c.rows);
        goto fail;
    }
    for (int i = 0; i < out->n; i++) {
        out->g[i].vcpus /= (double)out->g[i].count;
        out->g[i].mem_gb /= (double)out->g[i].count;
    }
    qsort(out->g, (size_t)out->n, sizeof *out->g, sk__group_cmp);
    return 0;
fail:
    sk_machines_fini(out);
    return rc;
}

void sk_machines_fini(sk_machines *m) {
    if (!m) return;
    free(m->g);
    m->g = NULL;
    m->n = 0;
}

int64_t sk_machines_count(const sk_machines *m) {
    int64_t s = 0;
    for (int i = 0; i < m->n; i++) s += m->g[i].count;
    return s;
}

int64_t sk_machines_gpus(const sk_machines *m) {
    int64_t s = 0;
    for (int i = 0; i < m->n; i++) s += m->g[i].count * m->g[i].gpus;
    return s;
}
