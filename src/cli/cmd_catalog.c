/* cmd_catalog.c - `synkti catalog`: list the instance catalog's offers (a type in a zone with its
 * on-demand and spot price, per instance and per GPU) or its types, filtered by GPU, cloud, region
 * and zone, as an aligned table or CSV. Reads the shipped catalogs (skypilot-aws-gpu-catalog/,
 * gcp-gpu-catalog/ on the trace search path) or the CSVs given with --file (models/sk_catalog.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/sk_cli.h"
#include "io/sk_csv.h"
#include "cli/sk_opts.h"
#include "io/sk_trace.h"
#include "models/sk_catalog.h"
#include "sk_error.h"

typedef struct {
    const char *gpu, *cloud, *region, *zone, *type, *file, *format;
    int types, skip_unpriced;
} sk_catcmd_opts;

static const sk_opt sk_catcmd_optab[] = {
    {"gpu", 'g', SK_OPT_STR, offsetof(sk_catcmd_opts, gpu), "MODEL", "only this GPU model (H100, A100-80GB, L4...; any case)", 0, 0},
    {"cloud", 'c', SK_OPT_STR, offsetof(sk_catcmd_opts, cloud), "CLOUD", "only this cloud: aws or gcp", 0, 0},
    {"region", 'r', SK_OPT_STR, offsetof(sk_catcmd_opts, region), "R", "only offers in region R (us-east-1, us-central1)", 0, 0},
    {"zone", 'z', SK_OPT_STR, offsetof(sk_catcmd_opts, zone), "Z", "only offers in zone Z (use1-az4, us-central1-a)", 0, 0},
    {"type", 't', SK_OPT_STR, offsetof(sk_catcmd_opts, type), "NAME", "only this instance type (p3.2xlarge)", 0, 0},
    {"file", 'F', SK_OPT_STR, offsetof(sk_catcmd_opts, file), "CSV", "read this catalog CSV instead of the shipped ones (repeatable)", 0, 0},
    {"skip-unpriced", 0, SK_OPT_FLAG, offsetof(sk_catcmd_opts, skip_unpriced), NULL,
     "--file: skip rows without any price (default: such a row is an error naming its line)", 0, 0},
    {"format", 'f', SK_OPT_STR, offsetof(sk_catcmd_opts, format), "FMT", "table or csv", 0, 0},
    {"types", 0, SK_OPT_FLAG, offsetof(sk_catcmd_opts, types), NULL, "list instance types (with their cheapest offers) instead of offers", 0, 0},
    {NULL, 0, 0, 0, NULL, NULL, 0, 0},
};

static const char sk_catcmd_usage[] =
    "usage: synkti catalog [--gpu MODEL] [--cloud aws|gcp] [--region R] [--zone Z] [--type NAME]\n"
    "                      [--file CSV]... [--types] [--format table|csv] [CSV...]\n"
    "\n"
    "List the offers of the instance catalog: one line per instance type and zone with the type's\n"
    "GPUs (model, count, GiB each), vCPUs and memory (GiB), the on-demand and spot price per\n"
    "instance-hour and per GPU-hour (USD). Lines are sorted by spot $/GPU-h, then on-demand\n"
    "$/GPU-h (offers without a price last), cloud, type and zone. --types lists the types instead,\n"
    "each with its number of offers and its cheapest on-demand and spot $/GPU-h, sorted by GPU\n"
    "model, GPU count, cloud and name. A one-line summary goes to stderr.\n"
    "\n"
    "Without --file (or CSV arguments) it reads the shipped catalogs found on the trace search path\n"
    "($SYNKTI_TRACES, ../shared/traces, traces/data): skypilot-aws-gpu-catalog/aws_gpu_vms_subset.csv\n"
    "and gpu_instance_specs.csv, gcp-gpu-catalog/gcp_gpu_vms.csv. A CSV has SkyPilot's catalog columns\n"
    "(found by header name; docs/fleet_catalog.md); a relative name that is not in the working\n"
    "directory is looked up on the trace search path too. GCP prices are host VM + GPUs (SkyPilot's\n"
    "accelerator rows). Filters compare names in any case (h100 = H100); --gpu A100 is the 40 GB\n"
    "A100, not A100-80GB. In the table '-' is a missing price (no spot offer, or no on-demand price);\n"
    "in CSV it is an empty field.\n"
    "\n"
    "Exit codes: 0 ok; 1 no offer (or type) matches the filters; 64 bad command line; 65 a CSV is\n"
    "malformed (the message names file:line and the column); 66 a CSV is missing.\n"
    "\n"
    "Examples:\n"
    "  synkti catalog --gpu h100 --cloud gcp\n"
    "  synkti catalog --types --gpu A100-80GB\n"
    "  synkti catalog --type p3.2xlarge --format csv > p3.csv\n"
    "  synkti catalog --file my_offers.csv --file skypilot-aws-gpu-catalog/gpu_instance_specs.csv\n";

/* Sort keys of one listed line (qsort has no context argument, so each line carries its keys). */
typedef struct {
    double k1, k2;             /* offers: spot, on-demand $/GPU-h; types: -, GPU count */
    const char *s0, *s1, *s2;  /* offers: cloud, type, zone; types: GPU model, cloud, name */
    int idx;                   /* offer or type index */
} sk_catcmd_key;

/* NaN-last ascending comparison of two prices, equal within a micro-dollar (so that 2 x 1.1721 / 2
 * ties with 1.1721 whatever the float rounding of the sums). */
static int sk_catcmd_cmp_num(double a, double b) {
    if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
    a = round(a * 1e6), b = round(b * 1e6);
    return (a > b) - (a < b);
}

static int sk_catcmd_cmp(const void *pa, const void *pb) {
    const sk_catcmd_key *a = pa, *b = pb;
    int r;
    if ((r = sk_catcmd_cmp_num(a->k1, b->k1)) || (r = sk_catcmd_cmp_num(a->k2, b->k2))) return r;
    if ((r = strcasecmp(a->s0, b->s0)) || (r = strcmp(a->s0, b->s0)) || (r = strcmp(a->s1, b->s1)) ||
        (r = strcmp(a->s2, b->s2)))
        return r;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static int sk_catcmd_cmp_type(const void *pa, const void *pb) {
    const sk_catcmd_key *a = pa, *b = pb;
    int r;
    if ((r = strcasecmp(a->s0, b->s0)) || (r = strcmp(a->s0, b->s0)) || (r = sk_catcmd_cmp_num(a->k2, b->k2)) ||
        (r = strcmp(a->s1, b->s1)) || (r = strcmp(a->s2, b->s2)))
        return r;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* A number as text: fixed decimals in the table ('-' for NaN), %.10g in CSV (empty for NaN), which
 * gives back the source's digits (sums like host + GPU price lose their float noise). */
static const char *sk_catcmd_num(char *buf, size_t len, double v, int csv, int dec) {
    if (isnan(v)) snprintf(buf, len, "%s", csv ? "" : "-");
    else if (csv) snprintf(buf, len, "%.10g", v);
    else snprintf(buf, len, "%.*f", dec, v);
    return buf;
}

enum { SK_CATCMD_NCOL = 13 };

/* Print rows of cells (ncol strings each; row 0 the header) as CSV or as a table whose columns
 * are left-aligned where align[k] is 'l' (text) and right-aligned elsewhere (numbers). */
static void sk_catcmd_print(FILE *f, char (*cell)[SK_CATCMD_NCOL][48], int nrows, int ncol, const char *align, int csv) {
    int w[SK_CATCMD_NCOL] = {0};
    for (int r = 0; r < nrows; r++)
        for (int k = 0; k < ncol; k++) {
            int l = (int)strlen(cell[r][k]);
            if (l > w[k]) w[k] = l;
        }
    for (int r = 0; r < nrows; r++) {
        for (int k = 0; k < ncol; k++) {
            if (csv) {
                if (k) putc(',', f);
                sk_csv_put_str(f, cell[r][k]);
            } else {
                if (k) fputs("  ", f);
                if (k == ncol - 1 && align[k] == 'l') fputs(cell[r][k], f);
                else fprintf(f, align[k] == 'l' ? "%-*s" : "%*s", w[k], cell[r][k]);
            }
        }
        putc('\n', f);
    }
}

/* The type columns shared by both listings (cells 0..6): type cloud gpu gpus gpu_gib vcpus mem_gib. */
static void sk_catcmd_type_cells(char (*row)[48], const sk_itype *t, int csv) {
    snprintf(row[0], 48, "%s", t->name);
    snprintf(row[1], 48, "%s", t->cloud);
    snprintf(row[2], 48, "%s", t->gpu[0] || csv ? t->gpu : "-");
    snprintf(row[3], 48, "%d", t->gpus);
    sk_catcmd_num(row[4], 48, t->gpu_mem_gb, csv, 1);
    sk_catcmd_num(row[5], 48, t->vcpus, csv, 0);
    sk_catcmd_num(row[6], 48, t->mem_gb, csv, 0);
}

static const char *const sk_catcmd_type_head[7] = {"type", "cloud", "gpu", "gpus", "gpu_gib", "vcpus", "mem_gib"};

static int sk_catcmd_offers(const sk_catalog *c, int *idx, int n, int csv) {
    char(*cell)[SK_CATCMD_NCOL][48] = calloc((size_t)n + 1, sizeof *cell);
    if (!cell) return SK_ENOMEM;
    static const char *const head[] = {"region", "zone", "od_usd_h", "spot_usd_h", "od_usd_gpu_h", "spot_usd_gpu_h"};
    for (int k = 0; k < 7; k++) snprintf(cell[0][k], 48, "%s", sk_catcmd_type_head[k]);
    for (int k = 0; k < 6; k++) snprintf(cell[0][7 + k], 48, "%s", head[k]);
    sk_catcmd_key *key = malloc(((size_t)n + 1) * sizeof *key);
    if (!key) {
        free(cell);
        return SK_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        const sk_offer *o = &c->offers[idx[i]];
        const sk_itype *t = &c->types[o->type];
        key[i] = (sk_catcmd_key){sk_catalog_per_gpu(c, o, 1), sk_catalog_per_gpu(c, o, 0), t->cloud, t->name, o->zone, idx[i]};
    }
    qsort(key, (size_t)n, sizeof *key, sk_catcmd_cmp);
    for (int i = 0; i < n; i++) {
        const sk_offer *o = &c->offers[key[i].idx];
        char(*row)[48] = cell[i + 1];
        sk_catcmd_type_cells(row, &c->types[o->type], csv);
        snprintf(row[7], 48, "%s", o->region);
        snprintf(row[8], 48, "%s", o->zone);
        sk_catcmd_num(row[9], 48, o->od_price, csv, 4);
        sk_catcmd_num(row[10], 48, o->spot_price, csv, 4);
        sk_catcmd_num(row[11], 48, sk_catalog_per_gpu(c, o, 0), csv, 4);
        sk_catcmd_num(row[12], 48, sk_catalog_per_gpu(c, o, 1), csv, 4);
    }
    sk_catcmd_print(stdout, cell, n + 1, SK_CATCMD_NCOL, "lllrrrrllrrrr", csv);
    free(key);
    free(cell);
    return 0;
}

/* Types that pass f's gpu/cloud/type filters and have an offer passing f (any offer, or none at
 * all, when f names no region or zone), with their counts and cheapest $/GPU-h. Returns the number
 * listed or SK_ENOMEM. */
static int sk_catcmd_types(const sk_catalog *c, const sk_catalog_filter *f, int *sel, int nsel, int csv) {
    int nt = c->ntypes;
    int *cnt = calloc((size_t)nt + 1, sizeof *cnt), *nspot = calloc((size_t)nt + 1, sizeof *nspot);
    double *od = malloc(((size_t)nt + 1) * sizeof *od), *sp = malloc(((size_t)nt + 1) * sizeof *sp);
    sk_catcmd_key *key = malloc(((size_t)nt + 1) * sizeof *key);
    char(*cell)[SK_CATCMD_NCOL][48] = calloc((size_t)nt + 1, sizeof *cell);
    int n = SK_ENOMEM;
    if (!cnt || !nspot || !od || !sp || !key || !cell) goto done;
    for (int t = 0; t < nt; t++) od[t] = sp[t] = NAN;
    for (int i = 0; i < nsel; i++) {
        const sk_offer *o = &c->offers[sel[i]];
        double a = sk_catalog_per_gpu(c, o, 0), b = sk_catalog_per_gpu(c, o, 1);
        cnt[o->type]++;
        nspot[o->type] += !isnan(o->spot_price);
        if (!isnan(a) && !(a >= od[o->type])) od[o->type] = a;
        if (!isnan(b) && !(b >= sp[o->type])) sp[o->type] = b;
    }
    int by_place = (f->region && *f->region) || (f->zone && *f->zone);
    n = 0;
    for (int t = 0; t < nt; t++) {
        const sk_itype *ty = &c->types[t];
        sk_catalog_filter tf = {.gpu = f->gpu, .cloud = f->cloud, .type = f->type};
        sk_offer probe = {.type = t};
        if (!sk_catalog_match(c, &probe, &tf) || (by_place && !cnt[t])) continue;
        key[n++] = (sk_catcmd_key){0, ty->gpus, ty->gpu, ty->cloud, ty->name, t};
    }
    qsort(key, (size_t)n, sizeof *key, sk_catcmd_cmp_type);
    static const char *const head[] = {"offers", "spot_offers", "min_od_usd_gpu_h", "min_spot_usd_gpu_h"};
    for (int k = 0; k < 7; k++) snprintf(cell[0][k], 48, "%s", sk_catcmd_type_head[k]);
    for (int k = 0; k < 4; k++) snprintf(cell[0][7 + k], 48, "%s", head[k]);
    for (int i = 0; i < n; i++) {
        int t = key[i].idx;
        char(*row)[48] = cell[i + 1];
        sk_catcmd_type_cells(row, &c->types[t], csv);
        snprintf(row[7], 48, "%d", cnt[t]);
        snprintf(row[8], 48, "%d", nspot[t]);
        sk_catcmd_num(row[9], 48, od[t], csv, 4);
        sk_catcmd_num(row[10], 48, sp[t], csv, 4);
    }
    sk_catcmd_print(stdout, cell, n + 1, 11, "lllrrrrrrrr", csv);
done:
    free(cnt), free(nspot), free(od), free(sp), free(key), free(cell);
    return n;
}

/* Take every --file CSV / --file=CSV out of argv (sk_opts keeps only the last of a repeated
 * option) into files; returns the new argc or SK_EUSAGE. */
static int sk_catcmd_files(int argc, char **argv, const char **files, int *nfiles) {
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            while (i < argc) argv[n++] = argv[i++];
            break;
        }
        if (!strcmp(a, "--file") || !strcmp(a, "-F")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "synkti catalog: --file needs a value (CSV)\n");
                return SK_EUSAGE;
            }
            files[(*nfiles)++] = argv[++i];
        } else if (!strncmp(a, "--file=", 7)) {
            files[(*nfiles)++] = a + 7;
        } else if (!strncmp(a, "-F", 2)) {
            files[(*nfiles)++] = a + 2;
        } else {
            argv[n++] = argv[i];
        }
    }
    return n;
}

int sk_cmd_catalog(int argc, char **argv) {
    sk_catcmd_opts o = {.format = "table"};
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files) {
        fprintf(stderr, "synkti catalog: out of memory\n");
        return sk_exit_code(SK_ENOMEM);
    }
    int nfiles = 0, npos = 0, rc = sk_catcmd_files(argc, argv, files, &nfiles);
    sk_catalog c = {.types = NULL};
    int *sel = NULL;
    if (rc < 0) goto done;
    rc = sk_opts_parse("catalog", sk_catcmd_usage, sk_catcmd_optab, &o, rc, argv, &npos);
    if (rc) {
        rc = rc > 0 ? 0 : rc;
        goto done;
    }
    for (int i = 0; i < npos; i++) files[nfiles++] = argv[i];
    int csv = !strcmp(o.format, "csv");
    if (!csv && strcmp(o.format, "table")) {
        fprintf(stderr, "synkti catalog: --format: expected table or csv, got '%s'\n", o.format);
        rc = SK_EUSAGE;
        goto done;
    }
    char err[512] = "";
    if (!nfiles) rc = sk_catalog_load_default(&c, err, sizeof err);
    for (int i = 0; i < nfiles && rc == 0; i++) { /* a name not in the working directory: the search path */
        char found[4096];
        rc = sk_catalog_load_ex(&c, sk_trace_find(files[i], NULL, found, sizeof found) == 0 ? found : files[i],
                                o.skip_unpriced ? 0 : SK_CATALOG_STRICT, err, sizeof err);
    }
    if (rc < 0) {
        fprintf(stderr, "synkti catalog: %s\n", err);
        goto done;
    }
    sk_catalog_filter f = {.gpu = o.gpu, .cloud = o.cloud, .region = o.region, .zone = o.zone, .type = o.type};
    sel = malloc(((size_t)c.noffers + 1) * sizeof *sel);
    if (!sel) {
        rc = SK_ENOMEM;
        fprintf(stderr, "synkti catalog: out of memory\n");
        goto done;
    }
    int nsel = sk_catalog_select(&c, &f, sel, c.noffers), nlist = nsel;
    if (o.types) nlist = sk_catcmd_types(&c, &f, sel, nsel, csv);
    else if (nsel) rc = sk_catcmd_offers(&c, sel, nsel, csv);
    if (nlist < 0 || rc < 0) {
        rc = SK_ENOMEM;
        fprintf(stderr, "synkti catalog: out of memory\n");
        goto done;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "synkti catalog: cannot write the listing\n");
        rc = SK_EIO;
        goto done;
    }
    fprintf(stderr, "synkti catalog: %d offers of %d types from %d file%s (%d source rows made no offer); listed %d %s\n",
            c.noffers, c.ntypes, c.nfiles, c.nfiles == 1 ? "" : "s", c.ndropped, nlist, o.types ? "types" : "offers");
    if (!nlist) {
        fprintf(stderr, "synkti catalog: no %s matches the filters\n", o.types ? "type" : "offer");
        rc = SK_ENOENT;
    }
done:
    free(sel);
    sk_catalog_free(&c);
    free(files);
    return sk_exit_code(rc);
}
