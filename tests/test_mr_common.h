/* test_mr_common.h - what the multi-region tests share: a small CSV reader for the SkyNomad
 * artifact's files (quoted fields with commas), zone sets loaded from the shared traces, the start
 * tick of a published row, and the 1e-9 relative comparison. Include after test.h. */
#ifndef SK_TEST_MR_COMMON_H
#define SK_TEST_MR_COMMON_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/sk_spot.h"
#include "sim/sk_mr.h"
#include "test_traces.h"

enum { T_MAXF = 32, T_FLEN = 1024 };
typedef struct {
    FILE *f;
    int nf;
    char fld[T_MAXF][T_FLEN];
} t_csv;

/* Read the next row into c->fld[0..nf); 0 at the end of the file. */
static inline int t_csv_row(t_csv *c) {
    int ch, q = 0, n = 0;
    size_t len = 0;
    c->nf = 0;
    while ((ch = fgetc(c->f)) != EOF) {
        if (q) {
            if (ch == '"') {
                int nx = fgetc(c->f);
                if (nx == '"') ch = '"';
                else {
                    q = 0;
                    if (nx != EOF) ungetc(nx, c->f);
                    continue;
                }
            }
        } else if (ch == '"') {
            q = 1;
            continue;
        } else if (ch == ',' || ch == '\n') {
            if (n < T_MAXF) c->fld[n][len < T_FLEN ? len : T_FLEN - 1] = 0, n++;
            len = 0;
            if (ch == '\n') break;
            continue;
        } else if (ch == '\r') {
            continue;
        }
        if (n < T_MAXF && len < T_FLEN - 1) c->fld[n][len] = (char)ch;
        len++;
    }
    c->nf = n;
    return n > 0;
}

/* The column called `name` in a header row, or -1. */
static inline int t_col(const t_csv *hdr, const char *name) {
    for (int i = 0; i < hdr->nf; i++)
        if (!strcmp(hdr->fld[i], name)) return i;
    return -1;
}

/* A zone set loaded from <traces>/<dir>/<zone>/full.json (0 = spot available). */
typedef struct {
    int n;
    sk_spot_trace tr[16];
    sk_mr_zone z[16];
    char name[16][64];
} t_zones;

static const char *const H100 = "gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged";
static const char *const V100 = "aws-v100-multinode/converted_v100_4node_600s";

static inline int t_zones_load(t_zones *zs, const char *dir, const char *const *names, int n) {
    const char *root = t_traces_root();
    if (!root) return -1;
    memset(zs, 0, sizeof *zs);
    for (int i = 0; i < n; i++) {
        char p[4096], err[512];
        snprintf(p, sizeof p, "%s/%s/%s/full.json", root, dir, names[i]);
        if (sk_spot_load_json(&zs->tr[i], p, SK_SPOT_PREEMPTED, 1, err, sizeof err) < 0) {
            fprintf(stderr, "  %s\n", err);
            return -1;
        }
        snprintf(zs->name[i], sizeof zs->name[i], "%s", names[i]);
        zs->z[i] = (sk_mr_zone){zs->name[i], zs->tr[i].avail, zs->tr[i].prices, zs->tr[i].n, zs->tr[i].spot_price, zs->tr[i].od_price};
        zs->n++;
    }
    return 0;
}

static inline void t_zones_fini(t_zones *zs) {
    for (int i = 0; i < zs->n; i++) sk_spot_fini(&zs->tr[i]);
}

/* The zone names of a published row's regions_in_scenario ("['a', 'b']"). */
static inline int t_parse_zones(const char *s, const char **names, char store[16][64]) {
    int n = 0;
    while (*s && n < 16) {
        const char *q = strchr(s, '\'');
        if (!q) break;
        const char *e = strchr(q + 1, '\'');
        if (!e) break;
        snprintf(store[n], 64, "%.*s", (int)(e - q - 1), q + 1);
        names[n] = store[n];
        n++;
        s = e + 1;
    }
    return n;
}

/* Keep *zs loaded with the H100 zones of a published row's regions_in_scenario, reloading only when
 * the set changes (*loaded: whether zs holds a set; last: its text). Returns 0 or -1. */
static inline int t_zones_for_row(t_zones *zs, int *loaded, char *last, size_t lastlen, const char *regions) {
    if (*loaded && !strcmp(last, regions)) return 0;
    if (*loaded) t_zones_fini(zs);
    const char *names[16];
    char store[16][64];
    int n = t_parse_zones(regions, names, store);
    *loaded = t_zones_load(zs, H100, names, n) == 0;
    if (!*loaded) return -1;
    snprintf(last, lastlen, "%s", regions);
    return 0;
}

/* A published row's start tick: ceil(env_start_hours*3600/gap) as the artifact computes it; the
 * checkpoint sweep (by_window) printed rounded hours, and its windows 2 and 4 started at
 * window * ceil(R/gap) (spec, provenance caveats). */
static inline int64_t t_start_tick(const char *env_start_hours, const char *window, double R_h, int by_window) {
    int64_t W = (int64_t)ceil(R_h * 3600 / 600), win = atoll(window);
    return by_window && (win == 2 || win == 4) ? win * W : (int64_t)ceil(atof(env_start_hours) * 3600 / 600);
}

static inline int t_close(double a, double b) { return a == b || fabs(a - b) <= 1e-9 * fabs(b); }

#endif
