/* sk_runner.c - parallel execution of an experiment plan into one HDF5 results file. */
#include "sim/sk_runner.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/sk_results.h"
#include "sk_config.h"
#include "sk_error.h"

typedef struct sk_row {
    int done;
    char *status;   /* NULL = "ok" */
    sk_value *m;    /* nmetrics values */
    sk_table *series; /* when e->series and the run produced one */
} sk_row;

typedef struct sk_runner {
    const sk_exp *e;
    const sk_runner_opts *o;
    uint64_t nlocal;   /* runs in this shard */
    sk_row *rows;      /* by local position: run i = k + pos * n */
    sk_value *mstore;  /* nlocal * nmetrics */
    uint64_t ndone, nresumed, nfailed;
    double t0, last_write, last_progress;
    int write_rc;
} sk_runner;

static double sk__now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

char *sk_runner_shard_path(const char *out, uint64_t k, uint64_t n) {
    size_t len = strlen(out) + 64;
    char *p = malloc(len);
    if (!p) return NULL;
    if (n <= 1) {
        snprintf(p, len, "%s", out);
        return p;
    }
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (!dot || (slash && dot < slash)) dot = out + strlen(out);
    snprintf(p, len, "%.*s.shard-%" PRIu64 "-of-%" PRIu64 "%s", (int)(dot - out), out, k, n, dot);
    return p;
}

/* ---- summary table --------------------------------------------------------------------------- */

static sk_table_type sk__coltype(sk_ptype t) {
    switch (t) {
    case SK_PT_INT:
    case SK_PT_BOOL: return SK_TABLE_I64;
    case SK_PT_FLOAT: return SK_TABLE_F64;
    default: return SK_TABLE_STR;
    }
}

static int sk__push_value(sk_table *t, size_t col, const sk_value *v, sk_ptype pt) {
    switch (sk__coltype(pt)) {
    case SK_TABLE_I64: return sk_table_push_i64(t, col, v->i);
    case SK_TABLE_F64: return sk_table_push_f64(t, col, v->f);
    default: return sk_table_push_str(t, col, v ? v->s : "");
    }
}

static int sk__push_missing(sk_table *t, size_t col, sk_ptype pt) {
    switch (sk__coltype(pt)) {
    case SK_TABLE_I64: return sk_table_push_i64(t, col, 0);
    case SK_TABLE_F64: return sk_table_push_f64(t, col, NAN);
    default: return sk_table_push_str(t, col, "");
    }
}

/* Build /summary from the completed rows, in run order. */
static int sk__build_table(const sk_runner *r, sk_table *t) {
    const sk_exp *e = r->e;
    const sk_scenario_kind *k = e->kind;
    int rc = 0;
    sk_table_init(t);
    static const char *fixed[] = {"run", "point", "replication", "world_index"};
    for (size_t c = 0; c < 4 && rc >= 0; c++) rc = sk_table_add_col(t, fixed[c], SK_TABLE_I64);
    if (rc >= 0) rc = sk_table_add_col(t, "policy", SK_TABLE_STR);
    for (size_t i = 0; i < k->nparams && rc >= 0; i++) rc = sk_table_add_col(t, k->params[i].name, sk__coltype(k->params[i].type));
    size_t pcol0 = t->ncols;
    for (size_t q = 0; q < e->npol && rc >= 0; q++)
        for (size_t j = 0; j < e->pol[q].def->nparams && rc >= 0; j++) {
            char name[256];
            snprintf(name, sizeof name, "%s.%s", e->pol[q].def->name, e->pol[q].def->params[j].name);
            rc = sk_table_add_col(t, name, sk__coltype(e->pol[q].def->params[j].type));
        }
    size_t scol = t->ncols;
    if (rc >= 0) rc = sk_table_add_col(t, "status", SK_TABLE_STR);
    for (size_t m = 0; m < k->nmetrics && rc >= 0; m++) rc = sk_table_add_col(t, k->metrics[m].name, k->metrics[m].type);
    if (rc < 0) goto fail;

    sk_run_scratch sc;
    if ((rc = sk_run_scratch_init(&sc, e)) < 0) goto fail;
    for (uint64_t pos = 0; pos < r->nlocal && rc >= 0; pos++) {
        const sk_row *row = &r->rows[pos];
        if (!row->done) continue;
        sk_run_spec s;
        sk_exp_run_at(e, r->o->shard_k + pos * r->o->shard_n, &sc, &s);
        size_t c = 0;
        rc = sk_table_push_i64(t, c++, (int64_t)s.index);
        if (rc >= 0) rc = sk_table_push_i64(t, c++, (int64_t)s.point);
        if (rc >= 0) rc = sk_table_push_i64(t, c++, (int64_t)s.replication);
        if (rc >= 0) rc = sk_table_push_i64(t, c++, (int64_t)s.world_index);
        if (rc >= 0) rc = sk_table_push_str(t, c++, e->npol ? e->pol[s.policy].def->name : "");
        for (size_t i = 0; i < k->nparams && rc >= 0; i++) rc = sk__push_value(t, c++, &s.sparams[i], k->params[i].type);
        c = pcol0;
        for (size_t q = 0; q < e->npol && rc >= 0; q++)
            for (size_t j = 0; j < e->pol[q].def->nparams && rc >= 0; j++, c++) {
                const sk_param_def *pd = &e->pol[q].def->params[j];
                rc = q == s.policy ? sk__push_value(t, c, &s.pparams[j], pd->type) : sk__push_missing(t, c, pd->type);
            }
        c = scol;
        if (rc >= 0) rc = sk_table_push_str(t, c++, row->status ? row->status : "ok");
        for (size_t m = 0; m < k->nmetrics && rc >= 0; m++, c++) {
            const sk_value *v = &row->m[m];
            switch (k->metrics[m].type) {
            case SK_TABLE_I64: rc = sk_table_push_i64(t, c, v->i); break;
            case SK_TABLE_U64: rc = sk_table_push_u64(t, c, (uint64_t)v->i); break;
            case SK_TABLE_F64: rc = sk_table_push_f64(t, c, v->f); break;
            default: rc = sk_table_push_str(t, c, v->s); break;
            }
        }
    }
    sk_run_scratch_fini(&sc);
    if (rc >= 0) return 0;
fail:
    sk_table_fini(t);
    return rc;
}

static int sk__write(sk_runner *r, char *err, size_t errlen) {
    sk_table t;
    int rc = sk__build_table(r, &t);
    if (rc < 0) {
        snprintf(err, errlen, "building the summary table: %s", sk_strerror(rc));
        return rc;
    }
    sk_results_meta meta = {
        .tool_version = SK_VERSION,
        .git_sha = (char *)SK_GIT_SHA,
        .command_line = (char *)(r->o->command_line ? r->o->command_line : ""),
        .config_yaml = r->e->resolved,
        .config_sha256 = (char *)r->e->sha256,
        .master_seed = r->e->seed,
    };
    sk_results_series *ser = NULL;
    char (*ids)[24] = NULL;
    size_t ns = 0;
    if (r->e->series) {
        ser = calloc(r->nlocal + 1, sizeof *ser);
        ids = calloc(r->nlocal + 1, sizeof *ids);
        if (!ser || !ids) {
            free(ser);
            free(ids);
            sk_table_fini(&t);
            snprintf(err, errlen, "out of memory");
            return SK_ENOMEM;
        }
        for (uint64_t pos = 0; pos < r->nlocal; pos++)
            if (r->rows[pos].done && r->rows[pos].series) {
                snprintf(ids[ns], sizeof ids[ns], "%" PRIu64, r->o->shard_k + pos * r->o->shard_n);
                ser[ns].run_id = ids[ns];
                ser[ns].series = r->rows[pos].series;
                ns++;
            }
    }
    rc = sk_results_write_runs(r->o->output, &meta, &t, ser, ns, err, errlen);
    free(ser);
    free(ids);
    sk_table_fini(&t);
    return rc;
}

/* Remove "<output>.tmp.<pid>" files left by processes that no longer exist (a kill -9 during a
 * write). Files of live processes are left alone. */
static void sk__clean_stale(const char *out) {
    const char *slash = strrchr(out, '/');
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out) : 1, slash ? out : ".");
    if (slash == out) snprintf(dir, sizeof dir, "/");
    const char *base = slash ? slash + 1 : out;
    size_t bl = strlen(base);
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *de; (de = readdir(d));) {
        if (strncmp(de->d_name, base, bl) || strncmp(de->d_name + bl, ".tmp.", 5)) continue;
        char *end;
        long pid = strtol(de->d_name + bl + 5, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(d);
}

/* Create the folders of `out` that are missing (mkdir -p) and check the last one is writable, so
 * a bad output path fails before any run. Returns 0 or SK_ECANTCREAT with a message. */
static int sk__prepare_dir(const char *out, char *err, size_t errlen) {
    char dir[4096];
    struct stat ost;
    /* The file is renamed over `out` at the end: a folder or a device node (/dev/null) there would
     * fail only after every run, or (as root) be replaced by a regular file. */
    if (stat(out, &ost) == 0 && !S_ISREG(ost.st_mode)) {
        snprintf(err, errlen, "%s: exists and is not a regular file; name a results file", out);
        return SK_ECANTCREAT;
    }
    const char *slash = strrchr(out, '/');
    if (!slash) return access(".", W_OK) == 0 ? 0 : (snprintf(err, errlen, "%s: the working directory is not writable", out), SK_ECANTCREAT);
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
    if (!*dir) return 0;
    for (char *p = dir + 1;; p++) {
        char c = *p;
        if (c == '/' || c == 0) {
            *p = 0;
            if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "%s: cannot create folder %s: %s", out, dir, strerror(errno));
                return SK_ECANTCREAT;
            }
            *p = c;
        }
        if (!c) break;
    }
    if (access(dir, W_OK) != 0) {
        snprintf(err, errlen, "%s: folder %s is not writable: %s", out, dir, strerror(errno));
        return SK_ECANTCREAT;
    }
    return 0;
}

/* ---- resume ---------------------------------------------------------------------------------- */

static int sk__resume(sk_runner *r, char *err, size_t errlen) {
    struct stat st;
    if (stat(r->o->output, &st) != 0) return 0; /* nothing to resume: start fresh */
    sk_results_meta meta;
    sk_table t;
    int rc = sk_results_read(r->o->output, &meta, &t, err, errlen);
    if (rc < 0) return rc;
    const sk_exp *e = r->e;
    if (strcmp(meta.config_sha256, e->sha256)) {
        snprintf(err, errlen,
                 "%s: written by another configuration (config sha256 %.12s..., this one %.12s...); "
                 "--resume continues only the same experiment: remove the file or choose another output",
                 r->o->output, meta.config_sha256, e->sha256);
        rc = SK_ECONFIG;
        goto out;
    }
    int crun = sk_table_find(&t, "run"), cstat = sk_table_find(&t, "status");
    if (crun < 0 || cstat < 0 || t.cols[crun].type != SK_TABLE_I64 || t.cols[cstat].type != SK_TABLE_STR) {
        snprintf(err, errlen, "%s: no run/status columns: not written by synkti run", r->o->output);
        rc = SK_EDATA;
        goto out;
    }
    int mcol[64];
    for (size_t m = 0; m < e->kind->nmetrics && m < 64; m++) {
        mcol[m] = sk_table_find(&t, e->kind->metrics[m].name);
        if (mcol[m] < 0 || t.cols[mcol[m]].type != e->kind->metrics[m].type) {
            snprintf(err, errlen, "%s: metric column '%s' missing or of another type", r->o->output, e->kind->metrics[m].name);
            rc = SK_EDATA;
            goto out;
        }
    }
    int64_t nrows = sk_table_nrows(&t);
    for (int64_t i = 0; i < nrows; i++) {
        int64_t run = t.cols[crun].v.i64[i];
        if (run < 0 || (uint64_t)run >= e->nruns) continue;
        /* the file is rewritten with this shard's runs only: another shard's would be lost */
        if ((uint64_t)run % r->o->shard_n != r->o->shard_k) {
            snprintf(err, errlen,
                     "%s: holds run %" PRId64 ", which is not in shard %" PRIu64 "/%" PRIu64
                     "; --resume with the shard layout that wrote it (or without --shard), or choose another output",
                     r->o->output, run, r->o->shard_k, r->o->shard_n);
            rc = SK_ECONFIG;
            goto out;
        }
        sk_row *row = &r->rows[(uint64_t)run / r->o->shard_n];
        if (row->done) continue;
        const char *st2 = t.cols[cstat].v.str[i];
        if (strcmp(st2, "ok") && !(row->status = strdup(st2))) { rc = SK_ENOMEM; goto out; }
        for (size_t m = 0; m < e->kind->nmetrics; m++) {
            const sk_table_col *col = &t.cols[mcol[m]];
            switch (col->type) {
            case SK_TABLE_I64: row->m[m].i = col->v.i64[i]; break;
            case SK_TABLE_U64: row->m[m].i = (int64_t)col->v.u64[i]; break;
            case SK_TABLE_F64: row->m[m].f = col->v.f64[i]; break;
            default: break;
            }
        }
        if (e->series && !row->status) {
            char id[24];
            snprintf(id, sizeof id, "%" PRId64, run);
            if (!(row->series = malloc(sizeof *row->series))) { rc = SK_ENOMEM; goto out; }
            if ((rc = sk_results_read_series(r->o->output, id, row->series, err, errlen)) < 0) {
                free(row->series);
                row->series = NULL;
                if (rc != SK_ENOENT) goto out;
                rc = 0; /* no series stored for it: run it again */
                free(row->status);
                row->status = NULL;
                continue;
            }
        }
        row->done = 1;
        r->ndone++;
        r->nresumed++;
        if (row->status) r->nfailed++;
    }
out:
    sk_results_meta_fini(&meta);
    sk_table_fini(&t);
    return rc;
}

/* ---- progress -------------------------------------------------------------------------------- */

static void sk__fmt_secs(char *b, size_t n, double s) {
    if (!isfinite(s) || s < 0) snprintf(b, n, "--:--");
    else if (s < 3600) snprintf(b, n, "%02d:%02d", (int)s / 60, (int)s % 60);
    else snprintf(b, n, "%d:%02d:%02d", (int)s / 3600, ((int)s / 60) % 60, (int)s % 60);
}

static void sk__progress(sk_runner *r, int final) {
    if (!r->o->progress) return;
    double now = sk__now(), el = now - r->t0;
    if (!final && now - r->last_progress < (r->o->progress == 2 ? 0.1 : 5.0)) return;
    r->last_progress = now;
    uint64_t fresh = r->ndone - r->nresumed, todo = r->nlocal - r->nresumed;
    double eta = fresh ? el / (double)fresh * (double)(todo - fresh) : NAN;
    double pct = r->nlocal ? 100.0 * (double)r->ndone / (double)r->nlocal : 100.0;
    char a[32], b[32];
    sk__fmt_secs(a, sizeof a, el);
    sk__fmt_secs(b, sizeof b, eta);
    if (r->o->progress == 2) {
        int w = 30, fill = (int)(pct / 100.0 * w);
        char bar[64];
        for (int i = 0; i < w; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[w] = 0;
        fprintf(stderr, "\r[%s] %" PRIu64 "/%" PRIu64 " runs %5.1f%%  elapsed %s  eta %s ", bar, r->ndone, r->nlocal, pct, a, b);
        if (final) fputc('\n', stderr);
    } else {
        fprintf(stderr, "synkti run: %" PRIu64 "/%" PRIu64 " runs (%.1f%%), elapsed %s, eta %s\n", r->ndone, r->nlocal, pct, a, b);
    }
    fflush(stderr);
}

/* ---- the end-of-run table -------------------------------------------------------------------- */

/* Parse --by: a comma-separated list of sweep axes (full key or the part after the last '.') and
 * "policy". sel[a] = 1 for selected axes. NULL or "" selects every axis and the policy. */
static int sk__parse_by(const sk_exp *e, const char *by, unsigned char *sel, int *by_pol, char *err, size_t errlen) {
    memset(sel, 0, e->naxes + 1);
    *by_pol = 0;
    if (!by || !*by) {
        memset(sel, 1, e->naxes + 1);
        *by_pol = 1;
        return 0;
    }
    char *copy = strdup(by);
    if (!copy) return SK_ENOMEM;
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        if (!strcmp(tok, "policy")) { *by_pol = 1; continue; }
        size_t a = 0;
        for (; a < e->naxes; a++) {
            const char *dot = strrchr(e->axes[a].key, '.');
            if (!strcmp(e->axes[a].key, tok) || (dot && !strcmp(dot + 1, tok))) break;
        }
        if (a == e->naxes) {
            size_t o = (size_t)snprintf(err, errlen, "--by %s: not a sweep axis (axes: policy", tok);
            for (size_t b = 0; b < e->naxes && o < errlen; b++) o += (size_t)snprintf(err + o, errlen - o, ", %s", e->axes[b].key);
            if (o < errlen) snprintf(err + o, errlen - o, ")");
            rc = SK_EUSAGE;
        } else {
            sel[a] = 1;
        }
    }
    free(copy);
    return rc;
}

/* The end-of-run table: per group (the --by axes and policy), runs, failed runs and the mean of
 * each metric marked `mean` over the runs that succeeded. */
static int sk__summary(const sk_runner *r, FILE *out, char *err, size_t errlen) {
    const sk_exp *e = r->e;
    const sk_scenario_kind *k = e->kind;
    uint64_t Q = e->npol ? e->npol : 1, R = (uint64_t)e->replications;
    unsigned char sel[e->naxes + 1];
    int by_pol, rc = sk__parse_by(e, r->o->by, sel, &by_pol, err, errlen);
    if (rc < 0) return rc;
    uint64_t ng = by_pol ? Q : 1;
    for (size_t a = 0; a < e->naxes; a++)
        if (sel[a]) ng *= e->axes[a].n;
    size_t nm = k->nmetrics;
    double *sum = calloc(ng * (nm + 1), sizeof *sum);
    uint64_t *cnt = calloc(2 * ng, sizeof *cnt);
    if (!sum || !cnt) {
        free(sum);
        free(cnt);
        return SK_ENOMEM;
    }
    for (uint64_t pos = 0; pos < r->nlocal; pos++) {
        const sk_row *row = &r->rows[pos];
        if (!row->done) continue;
        uint64_t i = r->o->shard_k + pos * r->o->shard_n, p = i / R / Q, q = (i / R) % Q, g = 0;
        for (size_t a = 0; a < e->naxes; a++) {
            uint64_t dv = 1;
            for (size_t b = a + 1; b < e->naxes; b++) dv *= e->axes[b].n;
            if (sel[a]) g = g * e->axes[a].n + (p / dv) % e->axes[a].n;
        }
        if (by_pol) g = g * Q + q;
        if (row->status) { cnt[2 * g + 1]++; continue; }
        cnt[2 * g]++;
        for (size_t m = 0; m < nm; m++) {
            double x = k->metrics[m].type == SK_TABLE_F64 ? row->m[m].f : (double)row->m[m].i;
            sum[g * (nm + 1) + m] += x;
        }
    }
    fprintf(out, "#");
    for (size_t a = 0; a < e->naxes; a++)
        if (sel[a]) fprintf(out, " %s", e->axes[a].key);
    if (by_pol) fprintf(out, " policy");
    fprintf(out, " runs failed");
    for (size_t m = 0; m < nm; m++)
        if (k->metrics[m].mean) fprintf(out, " mean_%s", k->metrics[m].name);
    fputc('\n', out);
    for (uint64_t g = 0; g < ng; g++) {
        uint64_t n = cnt[2 * g], nf = cnt[2 * g + 1];
        if (!n && !nf) continue;
        uint64_t rest = g, q = 0;
        if (by_pol) { q = rest % Q; rest /= Q; }
        size_t idx[e->naxes + 1];
        for (size_t a = e->naxes; a-- > 0;)
            if (sel[a]) { idx[a] = (size_t)(rest % e->axes[a].n); rest /= e->axes[a].n; }
        for (size_t a = 0; a < e->naxes; a++)
            if (sel[a]) {
                fputc(' ', out);
                sk_value_print(out, &e->axes[a].vals[idx[a]], e->axes[a].def->type);
            }
        if (by_pol) fprintf(out, " %s", e->npol ? e->pol[q].def->name : "-");
        fprintf(out, " %" PRIu64 " %" PRIu64, n + nf, nf);
        for (size_t m = 0; m < nm; m++)
            if (k->metrics[m].mean) fprintf(out, " %.10g", n ? sum[g * (nm + 1) + m] / (double)n : NAN);
        fputc('\n', out);
    }
    free(sum);
    free(cnt);
    return 0;
}

/* ---- run ------------------------------------------------------------------------------------- */

int sk_runner_run(const sk_exp *e, const sk_runner_opts *o, uint64_t *nfailed, char *err, size_t errlen) {
    sk_runner r = {.e = e, .o = o};
    int rc = 0;
    *nfailed = 0;
    if (o->shard_n < 1 || o->shard_k >= o->shard_n) {
        snprintf(err, errlen, "shard %" PRIu64 "/%" PRIu64 ": expected K/N with 0 <= K < N", o->shard_k, o->shard_n);
        return SK_EUSAGE;
    }
    {
        unsigned char sel[e->naxes + 1];
        int bp;
        if ((rc = sk__parse_by(e, o->by, sel, &bp, err, errlen)) < 0) return rc;
    }
    r.nlocal = e->nruns > o->shard_k ? (e->nruns - o->shard_k + o->shard_n - 1) / o->shard_n : 0;
    size_t nm = e->kind->nmetrics;
    r.rows = calloc(r.nlocal + 1, sizeof *r.rows);
    r.mstore = calloc((r.nlocal + 1) * (nm ? nm : 1), sizeof *r.mstore);
    if (!r.rows || !r.mstore) {
        rc = SK_ENOMEM;
        snprintf(err, errlen, "out of memory for %" PRIu64 " runs", r.nlocal);
        goto out;
    }
    for (uint64_t i = 0; i < r.nlocal; i++) r.rows[i].m = r.mstore + i * nm;
    if ((rc = sk__prepare_dir(o->output, err, errlen)) < 0) goto out;
    sk__clean_stale(o->output);
    if (o->resume && (rc = sk__resume(&r, err, errlen)) < 0) goto out;
    if (o->resume && r.nresumed && o->progress)
        fprintf(stderr, "synkti run: resuming: %" PRIu64 " of %" PRIu64 " runs already in %s\n", r.nresumed, r.nlocal, o->output);

    void *shared = NULL;
    if (e->kind->shared_new && !(shared = e->kind->shared_new())) {
        rc = SK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    r.t0 = r.last_write = r.last_progress = sk__now();
    sk__progress(&r, 0);
    int stopped = 0;
#pragma omp parallel num_threads(o->threads)
    {
        sk_run_scratch sc;
        int ok = sk_run_scratch_init(&sc, e) == 0;
        sk_value *mv = calloc(nm + 1, sizeof *mv);
        char msg[512];
#pragma omp for schedule(dynamic, 1)
        for (long long pos = 0; pos < (long long)r.nlocal; pos++) {
            if (r.rows[pos].done || *o->stop || r.write_rc < 0) continue;
            int run_rc;
            sk_table *ser = NULL;
            msg[0] = 0;
            if (!ok || !mv) {
                run_rc = SK_ENOMEM;
            } else {
                sk_run_spec s;
                sk_exp_run_at(e, o->shard_k + (uint64_t)pos * o->shard_n, &sc, &s);
                sk_run_ctx ctx = {
                    .master_seed = e->seed,
                    .run_index = s.index,
                    .world_index = s.world_index,
                    .params = s.sparams,
                    .policy = e->npol ? e->pol[s.policy].def : NULL,
                    .policy_params = s.pparams,
                    .stop = o->stop,
                    .shared = shared,
                    .exp_file = e->file,
                };
                memset(mv, 0, (nm + 1) * sizeof *mv);
                if (e->series) {
                    if ((ser = malloc(sizeof *ser))) sk_table_init(ser);
                    ctx.series = ser;
                }
                run_rc = e->series && !ser ? SK_ENOMEM : e->kind->run(&ctx, mv, msg, sizeof msg);
            }
            if (run_rc < 0 && ser) {
                sk_table_fini(ser);
                free(ser);
                ser = NULL;
            }
            if (run_rc == SK_EINTR) continue; /* abandoned; runs again on --resume */
#pragma omp critical(sk_runner)
            {
                sk_row *row = &r.rows[pos];
                if (mv) memcpy(row->m, mv, nm * sizeof *mv);
                if (run_rc < 0) {
                    char b[600];
                    snprintf(b, sizeof b, "%s: %s", sk_err_name(run_rc), msg[0] ? msg : sk_strerror(run_rc));
                    row->status = strdup(b);
                    if (!row->status) row->status = strdup("ENOMEM");
                    r.nfailed++;
                    for (size_t m = 0; m < nm; m++)
                        if (e->kind->metrics[m].type == SK_TABLE_F64) row->m[m].f = NAN;
                }
                row->series = ser;
                row->done = 1;
                r.ndone++;
                sk__progress(&r, 0);
                double now = sk__now();
                if (o->checkpoint_secs > 0 && now - r.last_write >= o->checkpoint_secs && r.ndone < r.nlocal) {
                    char werr[512];
                    int wrc = sk__write(&r, werr, sizeof werr);
                    if (wrc < 0) {
                        r.write_rc = wrc;
                        snprintf(err, errlen, "%s", werr);
                    }
                    r.last_write = sk__now();
                }
            }
        }
        free(mv);
        sk_run_scratch_fini(&sc);
    }
    if (shared) e->kind->shared_free(shared);
    if (r.write_rc < 0) {
        rc = r.write_rc;
        goto out;
    }
    stopped = r.ndone < r.nlocal;
    sk__progress(&r, 1);
    if ((rc = sk__write(&r, err, errlen)) < 0) goto out;
    *nfailed = r.nfailed;
    if (stopped) {
        snprintf(err, errlen, "interrupted: %" PRIu64 " of %" PRIu64 " runs complete and kept in %s; continue with --resume",
                 r.ndone, r.nlocal, o->output);
        rc = SK_EINTR;
        goto out;
    }
    if (o->summary && (rc = sk__summary(&r, o->summary, err, errlen)) < 0) goto out;
out:
    for (uint64_t i = 0; r.rows && i < r.nlocal; i++) {
        free(r.rows[i].status);
        if (r.rows[i].series) sk_table_fini(r.rows[i].series);
        free(r.rows[i].series);
    }
    free(r.rows);
    free(r.mstore);
    return rc;
}
