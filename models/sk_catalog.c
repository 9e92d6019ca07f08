/* sk_catalog.c - the instance catalog loader and look-ups (see sk_catalog.h).
 *
 * Reads, with libcsv (sk_csv_read), the SkyPilot catalog shapes of the shared datasets
 * skypilot-aws-gpu-catalog/ (aws_gpu_vms_subset.csv: offers; gpu_instance_specs.csv: GPU memory per
 * type) and gcp-gpu-catalog/ (gcp_gpu_vms.csv: host VM rows + accelerator-only rows, joined here by
 * zone, GPU model and count), or a user's CSV with the same column names.
 *
 * A load runs in two passes: the rows are parsed and checked into a scratch array (any error names
 * file:line and the column), then merged into a copy of the catalog that replaces it only when the
 * whole file went in, so a failed load leaves the caller's catalog as it was. */
#include "models/sk_catalog.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/sk_csv.h"
#include "io/sk_trace.h"
#include "sk_error.h"

/* ---- columns and shapes ----------------------------------------------------------------------- */

enum { C_TYPE, C_ACC, C_NACC, C_VCPU, C_MEM, C_PRICE, C_SPOT, C_REGION, C_ZONE, C_GPUINFO, C_GPUMEM, C_CLOUD, C_N };

static const char *const sk_cat__col[C_N] = {
    "InstanceType", "AcceleratorName", "AcceleratorCount", "vCPUs",   "MemoryGiB",          "Price",
    "SpotPrice",    "Region",          "AvailabilityZone", "GpuInfo", "GpuMemoryMiBPerGpu", "Cloud",
};

/* Required columns of each shape, in the order a message lists them. */
static const int sk_cat__need_offers[] = {C_TYPE, C_ACC, C_NACC, C_VCPU, C_MEM, C_PRICE, C_SPOT, C_REGION, C_ZONE, -1};
static const int sk_cat__need_specs[] = {C_TYPE, C_ACC, C_NACC, C_GPUMEM, -1};

typedef enum { SK_CAT_OFFER, SK_CAT_ACCEL, SK_CAT_SPEC } sk_cat__kind;

/* One parsed data row. */
typedef struct {
    int line;
    sk_cat__kind kind;
    int gpus;
    int used;         /* accelerator row: priced at least one host */
    double vcpus, mem_gb, gpu_mem_gb, od, spot;
    char cloud[8], name[48], gpu[24], accel[24]; /* accel: the accelerator rows' name for the GPUs */
    char region[32], zone[40];
} sk_cat__row;

typedef struct {
    int col[C_N];
    int nf;       /* fields in the header */
    int specs;    /* shape: specs (no offers) */
    const char *cloud; /* cloud when there is no Cloud column */
    sk_cat__row *rows;
    int nrows, cap;
} sk_cat__rd;

/* ---- field parsing ---------------------------------------------------------------------------- */

static const char *sk_cat__f(const sk_csv_rd *rd, const sk_cat__rd *x, int k) {
    return x->col[k] < 0 ? "" : rd->f[x->col[k]];
}

/* Number in [lo, hi] from column k; empty gives NaN. 0 or SK_EDATA. */
static int sk_cat__num(sk_csv_rd *rd, const sk_cat__rd *x, int k, double lo, double hi, const char *what, double *out) {
    const char *s = sk_cat__f(rd, x, k);
    *out = NAN;
    if (!*s) return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v) || v < lo || v > hi)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %s: expected %s, got '%s'", rd->path,
                       (long long)rd->line, sk_cat__col[k], what, s);
    *out = v;
    return 0;
}

/* Whole count in [0, 1024] from column k; empty gives -1. 0 or SK_EDATA. */
static int sk_cat__count(sk_csv_rd *rd, const sk_cat__rd *x, int k, int *out) {
    double v;
    int rc = sk_cat__num(rd, x, k, 0, 1024, "a whole number of GPUs in [0, 1024]", &v);
    if (rc < 0) return rc;
    if (!isnan(v) && v != floor(v))
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %s: expected a whole number of GPUs, got '%s'",
                       rd->path, (long long)rd->line, sk_cat__col[k], sk_cat__f(rd, x, k));
    *out = isnan(v) ? -1 : (int)v;
    return 0;
}

/* Copy column k into dst (cap bytes); must not be empty when need. 0 or SK_EDATA. */
static int sk_cat__str(sk_csv_rd *rd, const sk_cat__rd *x, int k, int need, char *dst, size_t cap) {
    const char *s = sk_cat__f(rd, x, k);
    size_t n = strlen(s);
    if (need && !n)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %s: empty", rd->path, (long long)rd->line,
                       sk_cat__col[k]);
    if (n >= cap)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %s: longer than %zu characters: '%s'", rd->path,
                       (long long)rd->line, sk_cat__col[k], cap - 1, s);
    memcpy(dst, s, n + 1);
    return 0;
}

/* GPU memory per GPU in GiB from GpuMemoryMiBPerGpu, or else from the "SizeInMiB" entry of a
 * SkyPilot GpuInfo dict ("{'Gpus': [{'MemoryInfo': {'SizeInMiB': 40960}}]}"); NaN when neither
 * says. 0 or SK_EDATA. */
static int sk_cat__gpu_mem(sk_csv_rd *rd, const sk_cat__rd *x, double *out) {
    double mib;
    int rc = sk_cat__num(rd, x, C_GPUMEM, 1, 1e8, "GPU memory in MiB (a number > 0)", &mib);
    if (rc < 0) return rc;
    if (isnan(mib)) {
        const char *s = strstr(sk_cat__f(rd, x, C_GPUINFO), "SizeInMiB");
        if (s) {
            s += strlen("SizeInMiB");
            s += strspn(s, "'\": ");
            char *end;
            mib = strtod(s, &end);
            if (end == s || !isfinite(mib) || mib <= 0)
                return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column GpuInfo: SizeInMiB is not a number > 0: '%s'",
                               rd->path, (long long)rd->line, sk_cat__f(rd, x, C_GPUINFO));
        }
    }
    *out = mib / 1024;
    return 0;
}

/* GCP machine families whose GPUs the name implies (cloud.google.com/compute/docs/gpus and
 * .../accelerator-optimized-machines). accel: the AcceleratorName of the accelerator-only rows
 * that price those GPUs in SkyPilot's GCP catalog. Sizes "-Ng" give N GPUs; g2-standard-K by K. */
static const struct {
    const char *prefix, *gpu, *accel;
} sk_cat__gcp_fam[] = {
    {"a2-highgpu-", "A100", "A100"},           {"a2-megagpu-", "A100", "A100"},
    {"a2-ultragpu-", "A100-80GB", "A100-80GB"}, {"a3-highgpu-", "H100", "H100"},
    {"a3-edgegpu-", "H100", "H100"},           {"a3-megagpu-", "H100", "H100-MEGA"},
    {"a3-ultragpu-", "H200", "H200"},          {"a4-highgpu-", "B200", "B200"},
    {"g2-standard-", "L4", "L4"},
};

/* GPUs of GCP machine type name: 1 with gpu/accel/count set; 0 for a name outside the families;
 * -1 for a family name whose size is not known. */
static int sk_cat__gcp_implied(const char *name, const char **gpu, const char **accel, int *n) {
    for (size_t i = 0; i < sizeof sk_cat__gcp_fam / sizeof sk_cat__gcp_fam[0]; i++) {
        size_t pl = strlen(sk_cat__gcp_fam[i].prefix);
        if (strncmp(name, sk_cat__gcp_fam[i].prefix, pl)) continue;
        const char *s = name + pl;
        char *end;
        errno = 0;
        long k = (s[0] >= '0' && s[0] <= '9') ? strtol(s, &end, 10) : -1;
        if (k <= 0 || k > 1024 || errno) return -1;
        *gpu = sk_cat__gcp_fam[i].gpu;
        *accel = sk_cat__gcp_fam[i].accel;
        if (!strcmp(sk_cat__gcp_fam[i].prefix, "g2-standard-")) { /* 4..32 vCPUs: 1 L4; 24: 2; 48: 4; 96: 8 */
            if (*end) return -1;
            *n = (k == 4 || k == 8 || k == 12 || k == 16 || k == 32) ? 1 : k == 24 ? 2 : k == 48 ? 4 : k == 96 ? 8 : -1;
            return *n > 0 ? 1 : -1;
        }
        if (end[0] != 'g' || (end[1] && end[1] != '-')) return -1; /* "8g", "8g-nolssd" */
        *n = (int)k;
        return 1;
    }
    return 0;
}

/* ---- pass 1: rows ----------------------------------------------------------------------------- */

static int sk_cat__header(sk_csv_rd *rd, sk_cat__rd *x) {
    for (int k = 0; k < C_N; k++) x->col[k] = -1;
    x->nf = rd->nf;
    for (int i = 0; i < rd->nf; i++) {
        for (int k = 0; k < C_N; k++) {
            if (strcasecmp(rd->f[i], sk_cat__col[k])) continue;
            if (x->col[k] >= 0)
                return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column %s appears twice (fields %d and %d)",
                               rd->path, (long long)rd->line, sk_cat__col[k], x->col[k] + 1, i + 1);
            x->col[k] = i;
        }
    }
    x->specs = x->col[C_PRICE] < 0 && x->col[C_GPUMEM] >= 0;
    const int *need = x->specs ? sk_cat__need_specs : sk_cat__need_offers;
    for (int j = 0; need[j] >= 0; j++) {
        if (x->col[need[j]] >= 0) continue;
        char all[256] = "";
        for (int i = 0; need[i] >= 0; i++) {
            strcat(all, i ? ", " : "");
            strcat(all, sk_cat__col[need[i]]);
        }
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: missing column %s (a catalog CSV needs %s%s)", rd->path,
                       (long long)rd->line, sk_cat__col[need[j]], all,
                       x->specs ? "" : "; a specs CSV has GpuMemoryMiBPerGpu and no Price");
    }
    x->cloud = x->col[C_GPUINFO] >= 0 ? "gcp" : "aws";
    return 0;
}

static int sk_cat__row_cb(sk_csv_rd *rd) {
    sk_cat__rd *x = rd->ctx;
    if (x->nf == 0) return sk_cat__header(rd, x);
    if (rd->nf != x->nf)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: %d fields, the header has %d", rd->path,
                       (long long)rd->line, rd->nf, x->nf);
    if (x->nrows == x->cap) {
        int cap = x->cap ? 2 * x->cap : 256;
        sk_cat__row *r = realloc(x->rows, (size_t)cap * sizeof *r);
        if (!r) return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
        x->rows = r;
        x->cap = cap;
    }
    sk_cat__row *r = &x->rows[x->nrows];
    memset(r, 0, sizeof *r);
    r->line = (int)rd->line;
    r->od = r->spot = NAN;
    int rc, n = 0;
    char cloud[sizeof r->cloud];
    if ((rc = sk_cat__str(rd, x, C_CLOUD, 0, cloud, sizeof cloud)) < 0) return rc;
    for (char *p = cloud; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    strcpy(r->cloud, cloud[0] ? cloud : x->cloud);
    if ((rc = sk_cat__str(rd, x, C_TYPE, x->specs, r->name, sizeof r->name)) < 0 ||
        (rc = sk_cat__str(rd, x, C_ACC, 0, r->gpu, sizeof r->gpu)) < 0 || (rc = sk_cat__count(rd, x, C_NACC, &n)) < 0 ||
        (rc = sk_cat__num(rd, x, C_VCPU, 0, 1e6, "a vCPU count (a number >= 0)", &r->vcpus)) < 0 ||
        (rc = sk_cat__num(rd, x, C_MEM, 0, 1e9, "memory in GiB (a number >= 0)", &r->mem_gb)) < 0 ||
        (rc = sk_cat__gpu_mem(rd, x, &r->gpu_mem_gb)) < 0)
        return rc;
    r->kind = x->specs ? SK_CAT_SPEC : r->name[0] ? SK_CAT_OFFER : SK_CAT_ACCEL;
    if (r->gpu[0] && n < 1)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column AcceleratorCount: expected 1 or more GPUs of %s, got '%s'",
                       rd->path, (long long)rd->line, r->gpu, sk_cat__f(rd, x, C_NACC));
    if (!r->gpu[0] && n > 0)
        return sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: column AcceleratorName: empty, but AcceleratorCount is %d",
                       rd->path, (long long)rd->line, n);
    r->gpus = r->gpu[0] ? n : 0;
    strcpy(r->accel, r->gpu);
    if (r->kind == SK_CAT_ACCEL && !r->gpu[0])
        return sk_errf(rd->err, rd->errlen, SK_EDATA,
                       "%s:%lld: column AcceleratorName: empty on an accelerator-only row (InstanceType is empty)",
                       rd->path, (long long)rd->line);
    if (r->kind == SK_CAT_OFFER && !r->gpu[0] && !strcmp(r->cloud, "gcp")) {
        const char *gpu, *accel;
        int k = sk_cat__gcp_implied(r->name, &gpu, &accel, &n);
        if (k < 0)
            return sk_errf(rd->err, rd->errlen, SK_EDATA,
                           "%s:%lld: column AcceleratorName: empty, and the GPUs of machine type %s are not known",
                           rd->path, (long long)rd->line, r->name);
        if (k > 0) {
            strcpy(r->gpu, gpu);
            strcpy(r->accel, accel);
            r->gpus = n;
        }
    }
    if (r->kind != SK_CAT_SPEC) {
        if ((rc = sk_cat__str(rd, x, C_REGION, 1, r->region, sizeof r->region)) < 0 ||
            (rc = sk_cat__str(rd, x, C_ZONE, 1, r->zone, sizeof r->zone)) < 0 ||
            (rc = sk_cat__num(rd, x, C_PRICE, 0, 1e7, "an on-demand price in $/h (a number >= 0; empty: none)", &r->od)) < 0 ||
            (rc = sk_cat__num(rd, x, C_SPOT, 0, 1e7, "a spot price in $/h (a number >= 0; empty: no spot offer)", &r->spot)) < 0)
            return rc;
    }
    x->nrows++;
    return 0;
}

/* ---- hash look-ups used while merging --------------------------------------------------------- */

typedef struct {
    int *slot; /* index or -1 */
    size_t mask;
} sk_cat__tab;

static int sk_cat__tab_init(sk_cat__tab *h, size_t n) {
    size_t cap = 16;
    while (cap < 2 * n) cap <<= 1;
    h->slot = malloc(cap * sizeof *h->slot);
    if (!h->slot) return SK_ENOMEM;
    memset(h->slot, 0xff, cap * sizeof *h->slot);
    h->mask = cap - 1;
    return 0;
}

static uint64_t sk_cat__hash(uint64_t h, const char *s) {
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return (h ^ 0xff) * 0x100000001b3ULL; /* field separator */
}

/* Slot of type (cloud, name) in h: holding its index, or the empty slot where it goes. */
static int *sk_cat__type_slot(const sk_cat__tab *h, const sk_itype *types, const char *cloud, const char *name) {
    size_t i = sk_cat__hash(sk_cat__hash(0xcbf29ce484222325ULL, cloud), name) & h->mask;
    for (; h->slot[i] >= 0; i = (i + 1) & h->mask)
        if (!strcmp(types[h->slot[i]].name, name) && !strcmp(types[h->slot[i]].cloud, cloud)) break;
    return &h->slot[i];
}

static int *sk_cat__offer_slot(const sk_cat__tab *h, const sk_offer *offers, int type, const char *zone) {
    char t[16];
    snprintf(t, sizeof t, "%d", type);
    size_t i = sk_cat__hash(sk_cat__hash(0xcbf29ce484222325ULL, t), zone) & h->mask;
    for (; h->slot[i] >= 0; i = (i + 1) & h->mask)
        if (offers[h->slot[i]].type == type && !strcmp(offers[h->slot[i]].zone, zone)) break;
    return &h->slot[i];
}

static int *sk_cat__accel_slot(const sk_cat__tab *h, const sk_cat__row *rows, const sk_cat__row *k) {
    char n[16];
    snprintf(n, sizeof n, "%d", k->gpus);
    size_t i = sk_cat__hash(sk_cat__hash(sk_cat__hash(sk_cat__hash(0xcbf29ce484222325ULL, k->cloud), k->accel), n), k->zone) &
               h->mask;
    for (; h->slot[i] >= 0; i = (i + 1) & h->mask) {
        const sk_cat__row *r = &rows[h->slot[i]];
        if (r->gpus == k->gpus && !strcmp(r->accel, k->accel) && !strcmp(r->zone, k->zone) && !strcmp(r->cloud, k->cloud))
            break;
    }
    return &h->slot[i];
}

/* ---- pass 2: merge ---------------------------------------------------------------------------- */

/* Deep copy of c with room for extra more types and offers. 0 or SK_ENOMEM (n zeroed). */
static int sk_cat__clone(const sk_catalog *c, sk_catalog *n, int extra) {
    *n = *c;
    n->types = malloc(((size_t)c->ntypes + (size_t)extra + 1) * sizeof *n->types);
    n->offers = malloc(((size_t)c->noffers + (size_t)extra + 1) * sizeof *n->offers);
    if (!n->types || !n->offers) {
        free(n->types);
        free(n->offers);
        memset(n, 0, sizeof *n);
        return SK_ENOMEM;
    }
    if (c->ntypes) memcpy(n->types, c->types, (size_t)c->ntypes * sizeof *n->types);
    if (c->noffers) memcpy(n->offers, c->offers, (size_t)c->noffers * sizeof *n->offers);
    return 0;
}

/* Merge row r's specs into type t. tline[t]: the line of t's first row in this file (0: none yet);
 * a later row of the same file must agree with it, a row of a new file updates the type. */
static int sk_cat__type_merge(sk_itype *t, int *tline, const sk_cat__row *r, const char *path, char *err, size_t errlen) {
    if (*tline) {
        const char *col = NULL;
        char was[64] = "", is[64] = "";
        if (strcmp(t->gpu, r->gpu)) {
            col = "AcceleratorName";
            snprintf(was, sizeof was, "'%s'", t->gpu);
            snprintf(is, sizeof is, "'%s'", r->gpu);
        } else if (t->gpus != r->gpus) {
            col = "AcceleratorCount";
            snprintf(was, sizeof was, "%d", t->gpus);
            snprintf(is, sizeof is, "%d", r->gpus);
        } else if (!isnan(r->vcpus) && !isnan(t->vcpus) && r->vcpus != t->vcpus) {
            col = "vCPUs";
            snprintf(was, sizeof was, "%g", t->vcpus);
            snprintf(is, sizeof is, "%g", r->vcpus);
        } else if (!isnan(r->mem_gb) && !isnan(t->mem_gb) && r->mem_gb != t->mem_gb) {
            col = "MemoryGiB";
            snprintf(was, sizeof was, "%g", t->mem_gb);
            snprintf(is, sizeof is, "%g", r->mem_gb);
        }
        if (col)
            return sk_errf(err, errlen, SK_EDATA, "%s:%d: column %s: type %s has %s here but %s at line %d", path, r->line,
                           col, t->name, is, was, *tline);
    } else {
        *tline = r->line;
        strcpy(t->gpu, r->gpu);
        t->gpus = r->gpus;
    }
    if (!isnan(r->vcpus)) t->vcpus = r->vcpus;
    if (!isnan(r->mem_gb)) t->mem_gb = r->mem_gb;
    if (!isnan(r->gpu_mem_gb)) t->gpu_mem_gb = r->gpu_mem_gb;
    return 0;
}

typedef struct {
    sk_catalog n;
    sk_cat__tab types, offers, accels;
    int *tline; /* per type of n: line of its first row in this file */
    unsigned flags;
} sk_cat__merge;

/* Index of the type of row r in m->n (added if new). */
static int sk_cat__type_of(sk_cat__merge *m, const sk_cat__row *r) {
    int *s = sk_cat__type_slot(&m->types, m->n.types, r->cloud, r->name);
    if (*s < 0) {
        sk_itype *t = &m->n.types[m->n.ntypes];
        memset(t, 0, sizeof *t);
        strcpy(t->name, r->name);
        strcpy(t->cloud, r->cloud);
        t->gpu_mem_gb = t->vcpus = t->mem_gb = NAN;
        *s = m->n.ntypes++;
    }
    return *s;
}

static int sk_cat__merge_rows(sk_cat__merge *m, sk_cat__rd *x, const char *path, char *err, size_t errlen) {
    int rc;
    /* clouds whose GPUs are priced by accelerator-only rows in this file (SkyPilot GCP); a file
     * holds one or two clouds, more than 8 with accelerator rows would price the rest as AWS does */
    const char *sep[8];
    int nsep = 0;
    for (int i = 0; i < x->nrows; i++) {
        sk_cat__row *r = &x->rows[i];
        if (r->kind != SK_CAT_ACCEL) continue;
        int *s = sk_cat__accel_slot(&m->accels, x->rows, r);
        if (*s >= 0) { /* the same accelerator and zone again: its non-empty prices replace */
            sk_cat__row *o = &x->rows[*s];
            if (!isnan(r->od)) o->od = r->od;
            if (!isnan(r->spot)) o->spot = r->spot;
            if (!isnan(r->gpu_mem_gb)) o->gpu_mem_gb = r->gpu_mem_gb;
            r->used = 1; /* merged, not dropped */
        } else {
            *s = i;
        }
        int k = 0;
        while (k < nsep && strcmp(sep[k], r->cloud)) k++;
        if (k == nsep && nsep < 8) sep[nsep++] = r->cloud;
    }
    for (int i = 0; i < x->nrows; i++) {
        const sk_cat__row *r = &x->rows[i];
        if (r->kind == SK_CAT_ACCEL) continue;
        int t = sk_cat__type_of(m, r);
        if ((rc = sk_cat__type_merge(&m->n.types[t], &m->tline[t], r, path, err, errlen)) < 0) return rc;
        if (r->kind == SK_CAT_SPEC) continue;
        double od = r->od, spot = r->spot;
        int k = 0;
        while (k < nsep && strcmp(sep[k], r->cloud)) k++;
        if (r->gpus > 0 && k < nsep) { /* host price + the price of its GPUs in that zone */
            int a = *sk_cat__accel_slot(&m->accels, x->rows, r);
            if (a < 0) {
                m->n.ndropped++;
                continue;
            }
            sk_cat__row *acc = &x->rows[a];
            acc->used = 1;
            od += acc->od;
            spot += acc->spot;
            if (isnan(m->n.types[t].gpu_mem_gb)) m->n.types[t].gpu_mem_gb = acc->gpu_mem_gb;
        }
        if (isnan(od) && isnan(spot)) {
            if (m->flags & SK_CATALOG_STRICT)
                return sk_errf(err, errlen, SK_EDATA,
                               "%s:%d: column Price: empty, and SpotPrice is empty too: the row gives no price for %s in %s",
                               path, r->line, r->name, r->zone);
            m->n.ndropped++;
            continue;
        }
        int *s = sk_cat__offer_slot(&m->offers, m->n.offers, t, r->zone);
        sk_offer *o = &m->n.offers[*s >= 0 ? *s : m->n.noffers];
        if (*s < 0) {
            memset(o, 0, sizeof *o);
            o->type = t;
            strcpy(o->zone, r->zone);
            o->od_price = o->spot_price = NAN;
            *s = m->n.noffers++;
        }
        strcpy(o->region, r->region);
        if (!isnan(od)) o->od_price = od;
        if (!isnan(spot)) o->spot_price = spot;
    }
    for (int i = 0; i < x->nrows; i++)
        if (x->rows[i].kind == SK_CAT_ACCEL && !x->rows[i].used) m->n.ndropped++;
    return 0;
}

int sk_catalog_load(sk_catalog *c, const char *path, char *err, size_t errlen) {
    return sk_catalog_load_ex(c, path, 0, err, errlen);
}

int sk_catalog_load_ex(sk_catalog *c, const char *path, unsigned flags, char *err, size_t errlen) {
    sk_cat__rd x = {.nf = 0};
    sk_cat__merge m = {.tline = NULL, .flags = flags};
    sk_csv_rd rd = {.path = path, .err = err, .errlen = errlen, .row = sk_cat__row_cb, .ctx = &x};
    int rc = sk_csv_read(&rd);
    if (rc < 0) goto fail_read;
    if (x.nf == 0) {
        rc = sk_errf(err, errlen, SK_EDATA, "%s:1: empty file (expected a header line)", path);
        goto fail_read;
    }
    if ((rc = sk_cat__clone(c, &m.n, x.nrows)) < 0) goto fail_read;
    m.tline = calloc((size_t)m.n.ntypes + (size_t)x.nrows + 1, sizeof *m.tline);
    if (!m.tline || sk_cat__tab_init(&m.types, (size_t)m.n.ntypes + (size_t)x.nrows) < 0) goto fail_nomem;
    if (sk_cat__tab_init(&m.offers, (size_t)m.n.noffers + (size_t)x.nrows) < 0) goto fail_types;
    if (sk_cat__tab_init(&m.accels, (size_t)x.nrows) < 0) goto fail_offers;
    for (int i = 0; i < m.n.ntypes; i++) *sk_cat__type_slot(&m.types, m.n.types, m.n.types[i].cloud, m.n.types[i].name) = i;
    for (int i = 0; i < m.n.noffers; i++)
        *sk_cat__offer_slot(&m.offers, m.n.offers, m.n.offers[i].type, m.n.offers[i].zone) = i;
    rc = sk_cat__merge_rows(&m, &x, path, err, errlen);
    free(m.accels.slot);
    free(m.offers.slot);
    free(m.types.slot);
    free(m.tline);
    free(x.rows);
    if (rc < 0) {
        sk_catalog_free(&m.n);
        return rc;
    }
    m.n.nfiles++;
    sk_catalog_free(c);
    *c = m.n;
    return 0;

fail_offers:
    free(m.offers.slot);
fail_types:
    free(m.types.slot);
fail_nomem:
    free(m.tline);
    sk_catalog_free(&m.n);
    rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
fail_read:
    free(x.rows);
    return rc;
}

int sk_catalog_load_default(sk_catalog *c, char *err, size_t errlen) {
    static const char *const files[] = {
        "skypilot-aws-gpu-catalog/aws_gpu_vms_subset.csv",
        "skypilot-aws-gpu-catalog/gpu_instance_specs.csv",
        "gcp-gpu-catalog/gcp_gpu_vms.csv",
    };
    sk_catalog n;
    int rc = sk_cat__clone(c, &n, 0);
    if (rc < 0) return sk_errf(err, errlen, rc, "catalog: out of memory");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096];
        if (sk_trace_find(files[i], NULL, path, sizeof path) < 0) {
            sk_catalog_free(&n);
            return sk_errf(err, errlen, SK_ENOINPUT,
                           "%s: not found on the trace search path ($SYNKTI_TRACES, ../shared/traces, traces/data)",
                           files[i]);
        }
        if ((rc = sk_catalog_load(&n, path, err, errlen)) < 0) {
            sk_catalog_free(&n);
            return rc;
        }
    }
    sk_catalog_free(c);
    *c = n;
    return 0;
}

void sk_catalog_free(sk_catalog *c) {
    if (!c) return;
    free(c->types);
    free(c->offers);
    memset(c, 0, sizeof *c);
}

/* ---- look-ups --------------------------------------------------------------------------------- */

int sk_catalog_type(const sk_catalog *c, const char *name) {
    for (int i = 0; i < c->ntypes; i++)
        if (!strcmp(c->types[i].name, name)) return i;
    return -1;
}

int sk_catalog_type_in(const sk_catalog *c, const char *cloud, const char *name) {
    for (int i = 0; i < c->ntypes; i++)
        if (!strcmp(c->types[i].name, name) && !strcmp(c->types[i].cloud, cloud)) return i;
    return -1;
}

int sk_catalog_offer(const sk_catalog *c, int type, const char *zone) {
    for (int i = 0; i < c->noffers; i++)
        if (c->offers[i].type == type && !strcmp(c->offers[i].zone, zone)) return i;
    return -1;
}

int sk_catalog_offers_of(const sk_catalog *c, int type, int *out, int cap) {
    int n = 0;
    for (int i = 0; i < c->noffers; i++) {
        if (c->offers[i].type != type) continue;
        if (n < cap) out[n] = i;
        n++;
    }
    return n;
}

static int sk_cat__is(const char *want, const char *have) {
    return !want || !*want || !strcasecmp(want, have);
}

int sk_catalog_match(const sk_catalog *c, const sk_offer *o, const sk_catalog_filter *f) {
    const sk_itype *t = &c->types[o->type];
    return !f || (sk_cat__is(f->gpu, t->gpu) && sk_cat__is(f->cloud, t->cloud) && sk_cat__is(f->region, o->region) &&
                  sk_cat__is(f->zone, o->zone) && sk_cat__is(f->type, t->name));
}

int sk_catalog_select(const sk_catalog *c, const sk_catalog_filter *f, int *out, int cap) {
    int n = 0;
    for (int i = 0; i < c->noffers; i++) {
        if (!sk_catalog_match(c, &c->offers[i], f)) continue;
        if (n < cap) out[n] = i;
        n++;
    }
    return n;
}

double sk_catalog_per_gpu(const sk_catalog *c, const sk_offer *o, int spot) {
    int g = c->types[o->type].gpus;
    return g > 0 ? (spot ? o->spot_price : o->od_price) / g : NAN;
}
