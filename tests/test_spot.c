/* test_spot.c - spot traces on the real shared datasets: both 0/1 conventions, the gang threshold,
 * the "Can't Be Late" windows against their preempted_ticks (all 8000), the raw probe CSVs against
 * the JSON traces built from them; and every loader error on hand-made bad files.
 *
 * The datasets are found on the project's trace search path (test_traces.h). Missing data is a
 * failure, not a skip: CI always has it. */
#include "io/sk_spot.h"
#include "sk_error.h"
#include "test.h"
#include "test_traces.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static char t_dir[64]; /* fresh folder for the hand-made files, removed at the end */
static const char *const t_traces8[8] = {"us-west-2a_k80_1", "us-west-2a_k80_8", "us-west-2a_v100_1", "us-west-2a_v100_8",
                                         "us-west-2b_k80_1", "us-west-2b_k80_8", "us-west-2b_v100_1", "us-west-2b_v100_8"};
#define T_1NODE "spot-availability/availability/1-node/aws-10-26-2022/"
#define T_PROBES "cbl-windows/raw-probes/2022-10-26T22-05/"
#define T_INDEX "cbl-windows/WINDOW_INDEX.csv"
#define T_GCP "gcp-h100-multiregion/converted_multi_region_aligned_h100_16_merged/"

static const char *t_tmp(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s/%s", t_dir, name);
    return buf;
}

/* Write text to t_dir/name (creating the sub-folders named in it); path left in buf. */
static int t_write(char *buf, size_t len, const char *name, const char *text) {
    return t_write_in(buf, len, t_dir, name, text);
}

static int64_t t_sum(const uint8_t *a, int64_t n) {
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i];
    return s;
}

/* The raw values of a JSON trace's data array, read independently with cJSON. NULL on error. */
static int64_t *t_raw_values(const char *path, int64_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *b = malloc((size_t)len + 1);
    int64_t *v = NULL;
    if (b && fread(b, 1, (size_t)len, f) == (size_t)len) {
        b[len] = '\0';
        cJSON *root = cJSON_Parse(b);
        cJSON *d = cJSON_GetObjectItem(root, "data");
        *n = cJSON_GetArraySize(d);
        if (*n > 0 && (v = malloc((size_t)*n * sizeof *v))) {
            int64_t i = 0;
            for (cJSON *e = d->child; e; e = e->next) v[i++] = (int64_t)e->valuedouble;
        }
        cJSON_Delete(root);
    }
    free(b);
    fclose(f);
    return v;
}

/* ---- conventions on real files ---------------------------------------------------------------- */

static void test_available_1node(void) {
    NEED_DATA(root);
    char p[1024], err[512] = "";
    sk_spot_trace a, b, c;
    t_data(p, sizeof p, root, T_1NODE "us-west-2a_v100_1.json");
    ASSERT_EQ_INT(sk_spot_load_json(&a, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_spot_load_json(&b, p, SK_SPOT_AVAILABLE, 1, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_spot_load_json(&c, p, SK_SPOT_PREEMPTED, 1, err, sizeof err), 0);
    ASSERT_STR_CONTAINS(a.name, "us-west-2a_v100_1");
    ASSERT_EQ_INT(strlen(a.name), strlen("us-west-2a_v100_1"));
    ASSERT_TRUE(!strcmp(a.path, p));
    ASSERT_EQ_I64(a.n, 3895);
    ASSERT_NEAR(a.gap, 600, 0);
    ASSERT_EQ_I64(t_sum(a.avail, a.n), 3087); /* 3087 ones, 808 zeros: value = instances available */
    ASSERT_TRUE(isnan(a.od_price) && isnan(a.spot_price) && a.prices == NULL);
    ASSERT_TRUE(!memcmp(a.avail, b.avail, (size_t)a.n));
    for (int64_t i = 0; i < a.n; i++) ASSERT_EQ_INT(c.avail[i], !a.avail[i]);
    sk_spot_fini(&a);
    sk_spot_fini(&b);
    sk_spot_fini(&c);
    ASSERT_TRUE(a.avail == NULL && a.n == 0);

    /* the preemption/ folder of spot-availability is still in the AVAILABLE convention, with prices */
    t_data(p, sizeof p, root, "spot-availability/preemption/1-node/aws-04-22-2023/us-east-1c_v100_1.json");
    ASSERT_EQ_INT(sk_spot_load_json(&a, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_EQ_I64(a.n, 19961);
    ASSERT_NEAR(a.gap, 32, 0);
    ASSERT_EQ_I64(t_sum(a.avail, a.n), 6274);
    ASSERT_TRUE(a.prices != NULL);
    ASSERT_NEAR(a.prices[0], 0.918, 0);
    sk_spot_fini(&a);
}

static void test_preempted_converted(void) {
    NEED_DATA(root);
    char p[1024], err[512] = "";
    sk_spot_trace a, b;
    /* gcp-h100-multiregion: 1 = preempted; AUTO must see that from the converted_* folder */
    t_data(p, sizeof p, root, T_GCP "us-west1-a_h100_16/full.json");
    ASSERT_EQ_INT(sk_spot_load_json(&a, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_EQ_INT(sk_spot_load_json(&b, p, SK_SPOT_PREEMPTED, 1, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(a.name, "us-west1-a_h100_16/full"));
    ASSERT_EQ_I64(a.n, 2114);
    ASSERT_NEAR(a.gap, 600, 0);
    ASSERT_EQ_I64(t_sum(a.avail, a.n), 1269); /* 1269 zeros = available ticks */
    ASSERT_TRUE(!memcmp(a.avail, b.avail, (size_t)a.n));
    ASSERT_NEAR(a.spot_price, 18.979008, 0);
    ASSERT_NEAR(a.od_price, 82.52543396, 0);
    ASSERT_TRUE(a.prices != NULL);
    ASSERT_NEAR(a.prices[a.n - 1], 18.979008, 0);
    sk_spot_fini(&b);
    /* gang > 1 makes no sense on a trace already reduced to 0/1 */
    ASSERT_EQ_INT(sk_spot_load_json(&b, p, SK_SPOT_AUTO, 16, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, p);
    ASSERT_STR_CONTAINS(err, "gang 16");
    sk_spot_fini(&a);

    /* a window shard (no on_demand_price in its price_info) */
    t_data(p, sizeof p, root, T_GCP "us-west1-a_h100_16/3.json");
    ASSERT_EQ_INT(sk_spot_load_json(&a, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(a.name, "us-west1-a_h100_16/3"));
    ASSERT_EQ_I64(a.n, 312);
    ASSERT_EQ_I64(t_sum(a.avail, a.n), 110);
    ASSERT_TRUE(isnan(a.od_price));
    ASSERT_NEAR(a.spot_price, 18.979008, 0);
    sk_spot_fini(&a);

    t_data(p, sizeof p, root, "aws-v100-multinode/converted_v100_4node_600s/us-east-1f_v100_1/full.json");
    ASSERT_EQ_INT(sk_spot_load_json(&a, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_EQ_I64(a.n, 1578);
    ASSERT_EQ_I64(t_sum(a.avail, a.n), 613);
    ASSERT_NEAR(a.od_price, 3.06, 0);
    ASSERT_NEAR(a.spot_price, 1.2648906835995635, 0);
    sk_spot_fini(&a);
}

/* aws-v100-multinode/converted_v100_4node_600s is spothedge/data/AWS1 (300 s, counts 0..4,
 * AVAILABLE) resampled to 600 s: a 600 s tick is available iff both 300 s ticks have >= 1
 * instance. Checked tick by tick for the three zones; this pins both conventions at once. AWS1
 * itself is a slice of spot-availability/preemption/4-node/aws-08-03-2023 (from tick 0 for
 * us-east-1f, 1975 for the other two), checked at gang 1 and gang 4. */
static void test_converted_matches_source(void) {
    NEED_DATA(root);
    static const char *const zones[3] = {"us-east-1f", "us-east-2a", "us-west-2c"};
    static const int64_t offset[3] = {0, 1975, 1975};
    for (int z = 0; z < 3; z++) {
        char p[1024], q[1024], rel[256], err[512] = "";
        sk_spot_trace conv, src, a4, b4;
        for (int64_t g = 1; g <= 4; g += 3) {
            snprintf(rel, sizeof rel, "spot-availability/preemption/4-node/aws-08-03-2023/%s_v100_1.json", zones[z]);
            ASSERT_EQ_INT(sk_spot_load_json(&a4, t_data(p, sizeof p, root, rel), SK_SPOT_AUTO, g, err, sizeof err), 0);
            snprintf(rel, sizeof rel, "spothedge/data/AWS1/%s_v100_1.json", zones[z]);
            ASSERT_EQ_INT(sk_spot_load_json(&b4, t_data(q, sizeof q, root, rel), SK_SPOT_AUTO, g, err, sizeof err), 0);
            int same = a4.gap == b4.gap && offset[z] + b4.n <= a4.n && !memcmp(a4.avail + offset[z], b4.avail, (size_t)b4.n);
            sk_spot_fini(&a4);
            sk_spot_fini(&b4);
            ASSERT_TRUE(same);
        }
        snprintf(rel, sizeof rel, "aws-v100-multinode/converted_v100_4node_600s/%s_v100_1/full.json", zones[z]);
        ASSERT_EQ_INT(sk_spot_load_json(&conv, t_data(p, sizeof p, root, rel), SK_SPOT_AUTO, 1, err, sizeof err), 0);
        snprintf(rel, sizeof rel, "spothedge/data/AWS1/%s_v100_1.json", zones[z]);
        ASSERT_EQ_INT(sk_spot_load_json(&src, t_data(q, sizeof q, root, rel), SK_SPOT_AUTO, 1, err, sizeof err), 0);
        ASSERT_NEAR(src.gap * 2, conv.gap, 0);
        ASSERT_EQ_I64(src.n, 2 * conv.n);
        for (int64_t i = 0; i < conv.n; i++) ASSERT_EQ_INT(conv.avail[i], src.avail[2 * i] && src.avail[2 * i + 1]);
        sk_spot_fini(&conv);
        sk_spot_fini(&src);
    }
}

/* ---- gang threshold ---------------------------------------------------------------------------- */

static void test_gang_16node(void) {
    NEED_DATA(root);
    /* value histogram of us-east-2b_v100_1.json (computed independently with Python's json) */
    static const int64_t hist[17] = {1208, 52, 35, 41, 25, 32, 21, 47, 9, 43, 16, 44, 33, 32, 55, 72, 1482};
    char p[1024], err[512] = "";
    t_data(p, sizeof p, root, "spot-availability/availability/16-node/aws-08-27-2023/us-east-2b_v100_1.json");
    int64_t nraw = 0, *raw = t_raw_values(p, &nraw);
    ASSERT_TRUE(raw != NULL);
    ASSERT_EQ_I64(nraw, 3247);
    int64_t want = nraw;
    for (int64_t g = 1; g <= 17; g++) {
        sk_spot_trace t;
        want -= hist[g - 1]; /* ticks with at least g instances */
        int rc = sk_spot_load_json(&t, p, SK_SPOT_AUTO, g, err, sizeof err);
        if (rc != 0) free(raw);
        ASSERT_EQ_INT(rc, 0);
        ASSERT_NEAR(t.gap, 300, 0);
        int64_t s = t_sum(t.avail, t.n), bad = -1;
        for (int64_t i = 0; i < t.n && bad < 0; i++)
            if (t.avail[i] != (raw[i] >= g)) bad = i;
        sk_spot_fini(&t);
        if (s != want || bad >= 0) free(raw);
        ASSERT_EQ_I64(s, want);
        ASSERT_EQ_I64(bad, -1);
    }
    free(raw);
    ASSERT_EQ_I64(want, 0);
}

/* ---- Can't Be Late windows --------------------------------------------------------------------- */

/* Every row of WINDOW_INDEX.csv, read with plain stdio (independently of the loader). */
typedef struct {
    char trace[64], start_time[40];
    int64_t window, len, pre;
    double gap;
} t_wrow;

static t_wrow *t_read_index(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char line[512];
    size_t cap = 8192;
    t_wrow *r = malloc(cap * sizeof *r);
    *n = 0;
    static const char hdr[] = "trace,window,start_time,gap_seconds,length_ticks,preempted_ticks";
    if (!fgets(line, sizeof line, f) || strncmp(line, hdr, sizeof hdr - 1)) {
        free(r);
        fclose(f);
        return NULL;
    }
    while (r && fgets(line, sizeof line, f) && *n < cap) {
        t_wrow *w = &r[*n];
        long long win, len, pre;
        if (sscanf(line, "%63[^,],%lld,%39[^,],%lf,%lld,%lld", w->trace, &win, w->start_time, &w->gap, &len, &pre) != 6)
            break;
        w->window = win, w->len = len, w->pre = pre;
        (*n)++;
    }
    fclose(f);
    return r;
}

/* Times (column 2) of a raw probe file, one string per row. */
static char (*t_probe_times(const char *path, int64_t *n))[40] {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 8192;
    char(*t)[40] = malloc(cap * sizeof *t);
    char line[256];
    *n = 0;
    while (t && fgets(line, sizeof line, f) && (size_t)*n < cap) {
        long long idx;
        if (sscanf(line, "%lld,%39[^,],", &idx, t[*n]) != 2) break;
        (*n)++;
    }
    fclose(f);
    return t;
}

/* The documented semantics: window j of trace T = the last length_ticks ticks of T, and
 * preempted_ticks = the unavailable ticks in it; its start_time = the probe time of its first tick.
 * Checked for all 8 x 1000 windows. */
static void test_windows_semantics(void) {
    NEED_DATA(root);
    char p[1024], q[1024], err[512] = "";
    size_t nrows = 0;
    t_wrow *rows = t_read_index(t_data(q, sizeof q, root, T_INDEX), &nrows);
    ASSERT_TRUE(rows != NULL);
    if (nrows != 8000) free(rows);
    ASSERT_EQ_U64(nrows, 8000);
    int64_t checked = 0, pre_ok = 0, time_ok = 0;
    for (int k = 0; k < 8; k++) {
        char rel[256];
        sk_spot_trace t;
        snprintf(rel, sizeof rel, T_1NODE "%s.json", t_traces8[k]);
        int rc = sk_spot_load_json(&t, t_data(p, sizeof p, root, rel), SK_SPOT_AUTO, 1, err, sizeof err);
        if (rc) fprintf(stderr, "  %s\n", err);
        sk_spot_window *w = NULL;
        size_t nw = 0;
        if (rc == 0) rc = sk_spot_windows(q, t.name, t.n, t.gap, &w, &nw, err, sizeof err);
        if (rc) fprintf(stderr, "  %s\n", err);
        snprintf(rel, sizeof rel, T_PROBES "%s.txt", t_traces8[k]);
        int64_t ntimes = 0;
        char(*times)[40] = rc ? NULL : t_probe_times(t_data(p, sizeof p, root, rel), &ntimes);
        if (rc || nw != 1000 || !times || ntimes != t.n) {
            fprintf(stderr, "  %s: rc %d, %zu windows, %lld probe times for %lld ticks\n", t_traces8[k], rc, nw,
                    (long long)ntimes, (long long)t.n);
            free(w);
            free(times);
            sk_spot_fini(&t);
            free(rows);
            SK_T_FAIL_("cannot check the windows of %s", t_traces8[k]);
        }
        for (size_t r = 0; r < nrows; r++) {
            if (strcmp(rows[r].trace, t.name)) continue;
            const sk_spot_window *x = &w[rows[r].window];
            int64_t pre = 0;
            for (int64_t i = x->start; i < x->start + x->len; i++) pre += !t.avail[i];
            checked++;
            pre_ok += x->len == rows[r].len && x->start == t.n - rows[r].len && pre == rows[r].pre;
            time_ok += !strcmp(times[x->start], rows[r].start_time);
            if (pre != rows[r].pre && checked - pre_ok <= 3)
                fprintf(stderr, "  %s window %lld: %lld unavailable ticks in the suffix, index says %lld\n", t.name,
                        (long long)rows[r].window, (long long)pre, (long long)rows[r].pre);
        }
        free(times);
        free(w);
        sk_spot_fini(&t);
    }
    free(rows);
    ASSERT_EQ_I64(checked, 8000);
    ASSERT_EQ_I64(pre_ok, 8000);
    ASSERT_EQ_I64(time_ok, 8000);
}

/* ---- raw probes ---------------------------------------------------------------------------------- */

/* The 2022-10-26 probes are the source of the aws-10-26-2022 JSON traces: row i = tick i, and the
 * JSON value = 1 - preempted (so the JSON read as PREEMPTED is the probe column itself). The other
 * two probe runs have no JSON counterpart; they must still load. */
static void test_probes_vs_json(void) {
    NEED_DATA(root);
    static const char *const runs[3] = {"2022-10-26T22-05", "2022-11-28T22-23", "2022-12-13T19-23"};
    char p[1024], err[512] = "";
    for (int k = 0; k < 8; k++) {
        char rel[256];
        sk_spot_trace pr, js, jp;
        snprintf(rel, sizeof rel, T_PROBES "%s.txt", t_traces8[k]);
        ASSERT_EQ_INT(sk_spot_load_probes(&pr, t_data(p, sizeof p, root, rel), 600, err, sizeof err), 0);
        ASSERT_TRUE(!strcmp(pr.name, t_traces8[k]));
        snprintf(rel, sizeof rel, T_1NODE "%s.json", t_traces8[k]);
        ASSERT_EQ_INT(sk_spot_load_json(&js, t_data(p, sizeof p, root, rel), SK_SPOT_AVAILABLE, 1, err, sizeof err), 0);
        ASSERT_EQ_INT(sk_spot_load_json(&jp, p, SK_SPOT_PREEMPTED, 1, err, sizeof err), 0);
        int same = pr.n == js.n && !memcmp(pr.avail, js.avail, (size_t)pr.n);
        int64_t inv = 0;
        for (int64_t i = 0; i < pr.n && i < jp.n; i++) inv += jp.avail[i] == !pr.avail[i];
        int64_t n = pr.n;
        sk_spot_fini(&pr);
        sk_spot_fini(&js);
        sk_spot_fini(&jp);
        ASSERT_EQ_I64(n, 3895);
        ASSERT_TRUE(same);
        ASSERT_EQ_I64(inv, n);
    }
    for (int r = 0; r < 3; r++)
        for (int k = 0; k < 8; k++) {
            char rel[256];
            sk_spot_trace pr;
            snprintf(rel, sizeof rel, "cbl-windows/raw-probes/%s/%s.txt", runs[r], t_traces8[k]);
            int rc = sk_spot_load_probes(&pr, t_data(p, sizeof p, root, rel), 600, err, sizeof err);
            if (rc) fprintf(stderr, "  %s\n", err);
            ASSERT_EQ_INT(rc, 0);
            ASSERT_TRUE(pr.n > 2000);
            sk_spot_fini(&pr);
        }
}

/* ---- errors -------------------------------------------------------------------------------------- */

/* Load text as a JSON trace; check the code, that the message names the file and contains want
 * (NULL: anything), and that t is left zeroed. */
static int t_json_err(const char *name, const char *text, sk_spot_conv conv, int64_t gang, int code, const char *want,
                      char *err, size_t errlen) {
    char p[256];
    if (t_write(p, sizeof p, name, text)) return 0;
    sk_spot_trace t;
    memset(&t, 0xAB, sizeof t);
    err[0] = '\0';
    int rc = sk_spot_load_json(&t, p, conv, gang, err, errlen);
    int ok = rc == code && strstr(err, p) && (!want || strstr(err, want)) && !strchr(err, '\n') && t.avail == NULL &&
             t.path == NULL && t.n == 0;
    if (!ok) fprintf(stderr, "  %s: rc %d (want %d), message '%s' (want '%s')\n", name, rc, code, err, want ? want : "");
    sk_spot_fini(&t);
    return ok;
}

static void test_json_errors(void) {
    char err[512];
    const int E = SK_EDATA;
    /* truncated: the error is at the end of the file, byte 54 = line 3, column 18 */
    ASSERT_TRUE(t_json_err("trunc.json", "{\n \"metadata\": {\"gap_seconds\": 600},\n \"data\": [1, 0, 1", SK_SPOT_AUTO, 1, E,
                           "at byte 54", err, sizeof err));
    ASSERT_STR_CONTAINS(err, "trunc.json:3:18: invalid JSON (truncated?)");
    /* a syntax error in the middle: line 2 */
    ASSERT_TRUE(t_json_err("syntax.json", "{\"metadata\": {\"gap_seconds\": 600},\n\"data\": [1, 0, x1]}", SK_SPOT_AUTO, 1, E,
                           "invalid JSON", err, sizeof err));
    ASSERT_STR_CONTAINS(err, "syntax.json:2:");
    ASSERT_TRUE(t_json_err("garbage.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": [1]} x", SK_SPOT_AUTO, 1, E,
                           "invalid JSON", err, sizeof err));
    ASSERT_TRUE(t_json_err("empty.json", "", SK_SPOT_AUTO, 1, E, "invalid JSON", err, sizeof err));
    ASSERT_TRUE(t_json_err("toplevel.json", "[1, 0]", SK_SPOT_AUTO, 1, E, "expected an object", err, sizeof err));
    ASSERT_TRUE(t_json_err("nometa.json", "{\"data\": [1]}", SK_SPOT_AUTO, 1, E, "metadata: missing", err, sizeof err));
    ASSERT_TRUE(t_json_err("nogap.json", "{\"metadata\": {\"gap\": 600}, \"data\": [1]}", SK_SPOT_AUTO, 1, E,
                           "metadata.gap_seconds: missing", err, sizeof err));
    ASSERT_TRUE(t_json_err("neggap.json", "{\"metadata\": {\"gap_seconds\": -600}, \"data\": [1]}", SK_SPOT_AUTO, 1, E,
                           "metadata.gap_seconds: expected a positive number, got -600", err, sizeof err));
    ASSERT_TRUE(t_json_err("zerogap.json", "{\"metadata\": {\"gap_seconds\": 0}, \"data\": [1]}", SK_SPOT_AUTO, 1, E,
                           "metadata.gap_seconds", err, sizeof err));
    ASSERT_TRUE(t_json_err("strgap.json", "{\"metadata\": {\"gap_seconds\": \"600\"}, \"data\": [1]}", SK_SPOT_AUTO, 1, E,
                           "got string \"600\"", err, sizeof err));
    ASSERT_TRUE(t_json_err("nodata.json", "{\"metadata\": {\"gap_seconds\": 600}}", SK_SPOT_AUTO, 1, E, "data: missing",
                           err, sizeof err));
    ASSERT_TRUE(t_json_err("dataobj.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": {\"0\": 1}}", SK_SPOT_AUTO, 1,
                           E, "data: expected an array, got an object", err, sizeof err));
    ASSERT_TRUE(t_json_err("emptydata.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": []}", SK_SPOT_AUTO, 1, E,
                           "data: empty", err, sizeof err));
    ASSERT_TRUE(t_json_err("str.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": [1, 0, \"1\", 0]}", SK_SPOT_AUTO, 1,
                           E, "data[2]: expected a non-negative integer, got string \"1\"", err, sizeof err));
    ASSERT_TRUE(t_json_err("neg.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": [1, -1, 0]}", SK_SPOT_AUTO, 1, E,
                           "data[1]: expected a non-negative integer, got -1", err, sizeof err));
    ASSERT_TRUE(t_json_err("frac.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": [0.5]}", SK_SPOT_AUTO, 1, E,
                           "data[0]", err, sizeof err));
    ASSERT_TRUE(t_json_err("null.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": [0, 1, 1, null]}", SK_SPOT_AUTO,
                           1, E, "data[3]: expected a non-negative integer, got null", err, sizeof err));
    ASSERT_TRUE(t_json_err("prices.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": [0, 1], \"prices\": [1.5]}",
                           SK_SPOT_AUTO, 1, E, "prices: expected an array of one price per tick, got 1 values for 2 ticks",
                           err, sizeof err));
    ASSERT_TRUE(t_json_err("prices2.json",
                           "{\"metadata\": {\"gap_seconds\": 600}, \"data\": [0, 1], \"prices\": [1.5, \"x\"]}",
                           SK_SPOT_AUTO, 1, E, "prices[1]", err, sizeof err));
    ASSERT_TRUE(t_json_err("pinfo.json",
                           "{\"metadata\": {\"gap_seconds\": 600, \"price_info\": {\"price\": \"cheap\"}}, \"data\": [0]}",
                           SK_SPOT_AUTO, 1, E, "metadata.price_info.price", err, sizeof err));
    ASSERT_TRUE(t_json_err("conv.json", "{\"metadata\": {\"gap_seconds\": 600, \"convention\": \"up\"}, \"data\": [0]}",
                           SK_SPOT_AUTO, 1, E, "metadata.convention", err, sizeof err));
    ASSERT_TRUE(t_json_err("gang0.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": [0]}", SK_SPOT_AUTO, 0,
                           SK_ECONFIG, "gang", err, sizeof err));
    ASSERT_TRUE(t_json_err("gangpre.json", "{\"metadata\": {\"gap_seconds\": 600}, \"data\": [0]}", SK_SPOT_PREEMPTED, 2,
                           SK_ECONFIG, "preempted convention", err, sizeof err));

    char p[256];
    sk_spot_trace t;
    t_tmp(p, sizeof p, "does-not-exist.json");
    ASSERT_EQ_INT(sk_spot_load_json(&t, p, SK_SPOT_AUTO, 1, err, sizeof err), SK_ENOINPUT);
    ASSERT_STR_CONTAINS(err, p);
    ASSERT_STR_CONTAINS(err, "cannot open");
    ASSERT_EQ_INT(sk_spot_load_json(&t, t_dir, SK_SPOT_AUTO, 1, err, sizeof err), SK_ENOINPUT); /* a folder */
    ASSERT_STR_CONTAINS(err, t_dir);
}

/* The AUTO rule on hand-made files: metadata.convention wins; else a converted* parent or
 * grandparent folder means PREEMPTED; else AVAILABLE. Also the trace name rule. */
static void test_auto_rule(void) {
    char p[256], err[512] = "";
    const char *body = "{\"metadata\": {\"gap_seconds\": 60}, \"data\": [0, 1, 2, 0]}";
    sk_spot_trace t;
    ASSERT_EQ_INT(t_write(p, sizeof p, "plain.json", body), 0);
    ASSERT_EQ_INT(sk_spot_load_json(&t, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(t.name, "plain"));
    ASSERT_TRUE(t.avail[0] == 0 && t.avail[1] == 1 && t.avail[2] == 1 && t.avail[3] == 0);
    sk_spot_fini(&t);
    ASSERT_EQ_INT(t_write(p, sizeof p, "converted_x/zone-a/full.json", body), 0);
    ASSERT_EQ_INT(sk_spot_load_json(&t, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(t.name, "zone-a/full"));
    ASSERT_TRUE(t.avail[0] == 1 && t.avail[1] == 0 && t.avail[2] == 0 && t.avail[3] == 1);
    sk_spot_fini(&t);
    ASSERT_EQ_INT(sk_spot_load_json(&t, p, SK_SPOT_AVAILABLE, 2, err, sizeof err), 0); /* explicit wins */
    ASSERT_TRUE(t.avail[0] == 0 && t.avail[1] == 0 && t.avail[2] == 1 && t.avail[3] == 0);
    sk_spot_fini(&t);
    char cwd[512];
    ASSERT_TRUE(getcwd(cwd, sizeof cwd) != NULL);
    ASSERT_EQ_INT(chdir(t_dir), 0);
    int rc = sk_spot_load_json(&t, "./plain.json", SK_SPOT_AUTO, 1, err, sizeof err);
    int named = rc == 0 && !strcmp(t.name, "plain");
    sk_spot_fini(&t);
    rc = rc ? rc : sk_spot_load_json(&t, "full.json", SK_SPOT_AUTO, 1, err, sizeof err); /* missing: ENOINPUT */
    ASSERT_EQ_INT(chdir("converted_x/zone-a"), 0);
    int rc2 = sk_spot_load_json(&t, "./full.json", SK_SPOT_AUTO, 1, err, sizeof err); /* relative: folders resolved */
    int pre = rc2 == 0 && t.avail[0] == 1 && !strcmp(t.name, "full");
    sk_spot_fini(&t);
    ASSERT_EQ_INT(chdir(cwd), 0);
    ASSERT_TRUE(named);
    ASSERT_EQ_INT(rc, SK_ENOINPUT);
    ASSERT_EQ_INT(rc2, 0);
    ASSERT_TRUE(pre);
    ASSERT_EQ_INT(t_write(p, sizeof p, "converted_y/a.b.json", body), 0);
    ASSERT_EQ_INT(sk_spot_load_json(&t, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_TRUE(!strcmp(t.name, "a.b"));
    ASSERT_EQ_INT(t.avail[0], 1);
    sk_spot_fini(&t);
    ASSERT_EQ_INT(t_write(p, sizeof p, "converted_x/meta.json",
                          "{\"metadata\": {\"gap_seconds\": 60, \"convention\": \"available\"}, \"data\": [0, 1]}"),
                  0);
    ASSERT_EQ_INT(sk_spot_load_json(&t, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_TRUE(t.avail[0] == 0 && t.avail[1] == 1);
    sk_spot_fini(&t);
    ASSERT_EQ_INT(t_write(p, sizeof p, "meta2.json",
                          "{\"metadata\": {\"gap_seconds\": 60, \"convention\": \"preempted\"}, \"data\": [0, 1]}"),
                  0);
    ASSERT_EQ_INT(sk_spot_load_json(&t, p, SK_SPOT_AUTO, 1, err, sizeof err), 0);
    ASSERT_TRUE(t.avail[0] == 1 && t.avail[1] == 0);
    sk_spot_fini(&t);
}

/* Load text as a probe CSV; same checks as t_json_err, plus the line ("file:LINE:"). */
static int t_probe_err(const char *name, const char *text, int code, int line, const char *want, char *err, size_t errlen) {
    char p[256], at[300];
    if (t_write(p, sizeof p, name, text)) return 0;
    snprintf(at, sizeof at, "%s:%d: ", p, line);
    sk_spot_trace t;
    memset(&t, 0xAB, sizeof t);
    err[0] = '\0';
    int rc = sk_spot_load_probes(&t, p, 600, err, errlen);
    int ok = rc == code && (line ? strstr(err, at) != NULL : strstr(err, p) != NULL) && (!want || strstr(err, want)) &&
             t.avail == NULL && t.n == 0;
    if (!ok) fprintf(stderr, "  %s: rc %d (want %d), message '%s' (want '%s' ... '%s')\n", name, rc, code, err, at, want ? want : "");
    sk_spot_fini(&t);
    return ok;
}

static void test_probe_errors(void) {
    char err[512], p[256];
    const int E = SK_EDATA;
    ASSERT_TRUE(t_probe_err("bad.txt", "0,2022-10-26T22:05:04.000Z,0\n1,2022-10-26T22:15:04.000Z,x\n", E, 2,
                            "field 3 (preempted): expected 0 or 1, got 'x'", err, sizeof err));
    ASSERT_TRUE(t_probe_err("two.txt", "0,t,0\n1,t,2\n", E, 2, "field 3 (preempted)", err, sizeof err));
    ASSERT_TRUE(t_probe_err("gap.txt", "0,t,0\n1,t,1\n3,t,0\n", E, 3, "field 1 (index): expected 2, got 3", err, sizeof err));
    ASSERT_TRUE(t_probe_err("first.txt", "1,t,0\n", E, 1, "field 1 (index): expected 0, got 1", err, sizeof err));
    ASSERT_TRUE(t_probe_err("idx.txt", "0,t,0\none,t,0\n", E, 2, "field 1 (index)", err, sizeof err));
    ASSERT_TRUE(t_probe_err("fields.txt", "0,t,0\n1,t\n", E, 2, "expected 3 fields", err, sizeof err));
    ASSERT_TRUE(t_probe_err("fields4.txt", "0,t,0,9\n", E, 1, "expected 3 fields", err, sizeof err));
    ASSERT_TRUE(t_probe_err("notime.txt", "0,,0\n", E, 1, "field 2 (time): empty", err, sizeof err));
    ASSERT_TRUE(t_probe_err("crlf.txt", "0,t,0\r\n1,t,0\r\n2,t,9\r\n", E, 3, "field 3", err, sizeof err));
    ASSERT_TRUE(t_probe_err("blank.txt", "0,t,0\n\n1,t,z\n", E, 3, "field 3", err, sizeof err));
    ASSERT_TRUE(t_probe_err("noeol.txt", "0,t,0\n1,t,0\n2,t,0\n3,t", E, 4, "expected 3 fields", err, sizeof err));
    ASSERT_TRUE(t_probe_err("quote.txt", "0,t,0\n1,\"t\"x,0\n", E, 2, NULL, err, sizeof err));
    ASSERT_TRUE(t_probe_err("empty.txt", "", E, 0, "no rows", err, sizeof err));

    /* good: CRLF, no final newline, blank lines */
    sk_spot_trace t;
    ASSERT_EQ_INT(t_write(p, sizeof p, "ok.txt", "0,t,0\r\n1,t,1\r\n\r\n2,t,0"), 0);
    ASSERT_EQ_INT(sk_spot_load_probes(&t, p, 600, err, sizeof err), 0);
    ASSERT_EQ_I64(t.n, 3);
    ASSERT_TRUE(t.avail[0] == 1 && t.avail[1] == 0 && t.avail[2] == 1);
    ASSERT_TRUE(!strcmp(t.name, "ok") && t.prices == NULL && isnan(t.od_price));
    ASSERT_NEAR(t.gap, 600, 0);
    sk_spot_fini(&t);
    ASSERT_EQ_INT(sk_spot_load_probes(&t, p, 0, err, sizeof err), SK_ECONFIG);
    ASSERT_STR_CONTAINS(err, p);
    t_tmp(p, sizeof p, "missing.txt");
    ASSERT_EQ_INT(sk_spot_load_probes(&t, p, 600, err, sizeof err), SK_ENOINPUT);
    ASSERT_STR_CONTAINS(err, p);
}

static int t_win_err(const char *name, const char *text, const char *trace, int64_t n, double gap, int code, int line,
                     const char *want, char *err, size_t errlen) {
    char p[256], at[300];
    if (t_write(p, sizeof p, name, text)) return 0;
    snprintf(at, sizeof at, "%s:%d: ", p, line);
    sk_spot_window *w = (sk_spot_window *)1;
    size_t nw = 77;
    err[0] = '\0';
    int rc = sk_spot_windows(p, trace, n, gap, &w, &nw, err, errlen);
    int ok = rc == code && (line ? strstr(err, at) != NULL : strstr(err, p) != NULL) && (!want || strstr(err, want)) &&
             w == NULL && nw == 0;
    if (!ok) fprintf(stderr, "  %s: rc %d (want %d), message '%s' (want '%s' ... '%s')\n", name, rc, code, err, at, want ? want : "");
    if (rc == 0) free(w);
    return ok;
}

#define T_HDR "trace,window,start_time,gap_seconds,length_ticks,preempted_ticks\n"

static void test_window_errors(void) {
    NEED_DATA(root);
    char err[512], p[1024];
    const int E = SK_EDATA;
    ASSERT_TRUE(t_win_err("long.csv", T_HDR "tr,0,t,600,100,3\ntr,1,t,600,5000,7\n", "tr", 3895, 600, E, 3,
                          "field 5 (length_ticks): window 1 of tr is 5000 ticks, longer than the trace (3895 ticks)", err,
                          sizeof err));
    ASSERT_TRUE(t_win_err("unknown.csv", T_HDR "tr,0,t,600,100,3\n", "nope", 3895, 600, E, 0,
                          "no windows for trace 'nope'", err, sizeof err));
    ASSERT_TRUE(t_win_err("gapmis.csv", T_HDR "tr,0,t,300,100,3\n", "tr", 3895, 600, E, 2, "field 4 (gap_seconds)", err,
                          sizeof err));
    ASSERT_TRUE(t_win_err("hole.csv", T_HDR "tr,0,t,600,100,3\ntr,2,t,600,100,3\n", "tr", 3895, 600, E, 0,
                          "window 1 missing", err, sizeof err));
    ASSERT_TRUE(t_win_err("dup.csv", T_HDR "tr,0,t,600,100,3\ntr,0,t,600,100,3\n", "tr", 3895, 600, E, 3,
                          "already given on line 2", err, sizeof err));
    ASSERT_TRUE(t_win_err("badwin.csv", T_HDR "tr,0,t,600,100,3\nxx,abc,t,600,100,3\n", "tr", 3895, 600, E, 3,
                          "field 2 (window): expected a window number, got 'abc'", err, sizeof err));
    ASSERT_TRUE(t_win_err("badpre.csv", T_HDR "tr,0,t,600,100,101\n", "tr", 3895, 600, E, 2, "field 6 (preempted_ticks)",
                          err, sizeof err));
    ASSERT_TRUE(t_win_err("badlen.csv", T_HDR "tr,0,t,600,0,0\n", "tr", 3895, 600, E, 2, "field 5 (length_ticks)", err,
                          sizeof err));
    ASSERT_TRUE(t_win_err("nf.csv", T_HDR "tr,0,t,600,100\n", "tr", 3895, 600, E, 2, "expected 6 fields", err, sizeof err));
    ASSERT_TRUE(t_win_err("hdr.csv", "trace,win,start_time,gap_seconds,length_ticks,preempted_ticks\n", "tr", 3895, 600, E, 1,
                          "no column 'window'", err, sizeof err));
    ASSERT_TRUE(t_win_err("empty.csv", "", "tr", 3895, 600, E, 0, "empty", err, sizeof err));
    t_tmp(p, sizeof p, "missing.csv");
    sk_spot_window *w = NULL;
    size_t nw = 0;
    ASSERT_EQ_INT(sk_spot_windows(p, "tr", 3895, 600, &w, &nw, err, sizeof err), SK_ENOINPUT);
    ASSERT_STR_CONTAINS(err, p);

    /* the real index: an unknown trace, a wrong tick length, a trace shorter than its windows */
    t_data(p, sizeof p, root, T_INDEX);
    ASSERT_EQ_INT(sk_spot_windows(p, "us-west-2a_v100_2", 3895, 600, &w, &nw, err, sizeof err), E);
    ASSERT_STR_CONTAINS(err, p);
    ASSERT_STR_CONTAINS(err, "no windows for trace 'us-west-2a_v100_2'");
    ASSERT_EQ_INT(sk_spot_windows(p, "us-west-2a_v100_1", 3895, 300, &w, &nw, err, sizeof err), E);
    ASSERT_STR_CONTAINS(err, p);
    ASSERT_STR_CONTAINS(err, "gap_seconds");
    ASSERT_EQ_INT(sk_spot_windows(p, "us-west-2a_v100_1", 3000, 600, &w, &nw, err, sizeof err), E);
    ASSERT_STR_CONTAINS(err, "longer than the trace (3000 ticks)");
    ASSERT_TRUE(w == NULL && nw == 0);

    /* good: columns in another order, rows out of order, other traces ignored */
    ASSERT_EQ_INT(t_write(p, sizeof p, "ok.csv",
                          "window,trace,length_ticks,gap_seconds\r\n1,tr,2,60\r\n0,zz,9,30\r\n0,tr,10,60\r\n"),
                  0);
    ASSERT_EQ_INT(sk_spot_windows(p, "tr", 10, 60, &w, &nw, err, sizeof err), 0);
    ASSERT_EQ_U64(nw, 2);
    ASSERT_TRUE(w[0].start == 0 && w[0].len == 10 && w[1].start == 8 && w[1].len == 2);
    free(w);
}

/* Remove everything under t_dir (two levels deep is all the tests make). */
static void t_rmtree(const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) != 0 && depth < 4) t_rmtree(p, depth + 1);
    }
    closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv) {
    static const sk_test tests[] = {
        {"available_1node", test_available_1node},
        {"preempted_converted", test_preempted_converted},
        {"converted_matches_source", test_converted_matches_source},
        {"gang_16node", test_gang_16node},
        {"windows_semantics", test_windows_semantics},
        {"probes_vs_json", test_probes_vs_json},
        {"json_errors", test_json_errors},
        {"auto_rule", test_auto_rule},
        {"probe_errors", test_probe_errors},
        {"window_errors", test_window_errors},
        {NULL, NULL},
    };
    snprintf(t_dir, sizeof t_dir, "/tmp/sk_spot_XXXXXX");
    if (!mkdtemp(t_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = sk_test_main(tests, argc, argv);
    t_rmtree(t_dir, 0);
    return rc;
}
