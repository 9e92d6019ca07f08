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
    double t0, last_write;
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
        sk_exp_run_at(e, sk_plan_shard_run(r->o->shard_k, r->o->shard_n, pos), &sc, &s);
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
                snprintf(ids[ns], sizeof ids[ns], "%" PRIu64, sk_plan_shard_run(r->o->shard_k, r->o->shard_n, pos));
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

/* Remove "<output>.tmp.<pid>" and "<output>.tmp.<pid>.<suffix>" files left by processes that no
 * longer exist (a kill -9 during a write). Files of live processes, and temporary names that carry
 * no pid, are left alone. */
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
        if ((*end && *end != '.') || end == de->d_name + bl + 5 || pid <= 0 || pid == (long)getpid()) continue;
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

/* ---- progress ------------------------------------------------------------------------------ */

static void sk__notify(const sk_runner *r, sk_runner_event ev) {
    if (!r->o->notify) return;
    sk_runner_status st = {
        .event = ev,
        .done = r->ndone,
        .resumed = r->nresumed,
        .total = r->nlocal,
        .elapsed = sk__now() - r->t0,
        .output = r->o->output,
    };
    r->o->notify(r->o->notify_user, &st);
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

void sk_runner_table_fini(sk_runner_table *t) {
    if (!t) return;
    free(t->sel);
    free(t->g);
    free(t->vstore);
    free(t->mstore);
    memset(t, 0, sizeof *t);
}

/* The end-of-run table (sk_runner_table): per group, runs, failed runs and metric means. */
static int sk__table(const sk_runner *r, sk_runner_table *out) {
    const sk_exp *e = r->e;
    const sk_scenario_kind *k = e->kind;
    const uint64_t Q = e->plan.npolicies;
    const size_t na = e->naxes, nm = k->nmetrics;
    char err[8];
    memset(out, 0, sizeof *out);
    if (!(out->sel = calloc(na + 1, 1))) return SK_ENOMEM;
    int rc = sk__parse_by(e, r->o->by, out->sel, &out->by_policy, err, sizeof err);
    if (rc < 0) goto fail;
    uint64_t ng = out->by_policy ? Q : 1;
    for (size_t a = 0; a < na; a++)
        if (out->sel[a]) ng *= e->axes[a].n;
    double *sum = calloc(ng * (nm + 1), sizeof *sum);
    uint64_t *cnt = calloc(2 * ng, sizeof *cnt);
    if (!sum || !cnt) {
        free(sum);
        free(cnt);
        rc = SK_ENOMEM;
        goto fail;
    }
    for (uint64_t pos = 0; pos < r->nlocal; pos++) {
        const sk_row *row = &r->rows[pos];
        if (!row->done) continue;
        sk_plan_run pr = sk_plan_at(&e->plan, sk_plan_shard_run(r->o->shard_k, r->o->shard_n, pos));
        uint64_t g = 0;
        for (size_t a = 0; a < na; a++)
            if (out->sel[a]) g = g * e->axes[a].n + sk_plan_axis_at(&e->plan, pr.point, a);
        if (out->by_policy) g = g * Q + pr.policy;
        if (row->status) { cnt[2 * g + 1]++; continue; }
        cnt[2 * g]++;
        for (size_t m = 0; m < nm; m++) {
            double x = k->metrics[m].type == SK_TABLE_F64 ? row->m[m].f : (double)row->m[m].i;
            sum[g * (nm + 1) + m] += x;
        }
    }
    size_t nrow = 0;
    for (uint64_t g = 0; g < ng; g++) nrow += cnt[2 * g] || cnt[2 * g + 1];
    out->g = calloc(nrow + 1, sizeof *out->g);
    out->vstore = calloc(nrow * (na + 1) + 1, sizeof *out->vstore);
    out->mstore = calloc(nrow * (nm + 1) + 1, sizeof *out->mstore);
    if (!out->g || !out->vstore || !out->mstore) {
        free(sum);
        free(cnt);
        rc = SK_ENOMEM;
        goto fail;
    }
    for (uint64_t g = 0; g < ng; g++) {
        uint64_t n = cnt[2 * g], nf = cnt[2 * g + 1];
        if (!n && !nf) continue;
        sk_runner_group *gr = &out->g[out->ngroups];
        size_t *val = out->vstore + out->ngroups * (na + 1);
        double *mean = out->mstore + out->ngroups * (nm + 1);
        out->ngroups++;
        uint64_t rest = g;
        if (out->by_policy) { gr->policy = (size_t)(rest % Q); rest /= Q; }
        for (size_t a = na; a-- > 0;)
            if (out->sel[a]) { val[a] = (size_t)(rest % e->axes[a].n); rest /= e->axes[a].n; }
        for (size_t m = 0; m < nm; m++)
            mean[m] = k->metrics[m].mean && n ? sum[g * (nm + 1) + m] / (double)n : NAN;
        gr->val = val;
        gr->mean = mean;
        gr->runs = n + nf;
        gr->failed = nf;
    }
    free(sum);
    free(cnt);
    return 0;
fail:
    sk_runner_table_fini(out);
    return rc;
}

/* ---- run ------------------------------------------------------------------------------------- */

int sk_runner_run(const sk_exp *e, const sk_runner_opts *o, uint64_t *nfailed, sk_runner_table *table,
                  char *err, size_t errlen) {
    sk_runner r = {.e = e, .o = o};
    int rc = 0;
    void *own_shared = NULL;
    *nfailed = 0;
    if (table) memset(table, 0, sizeof *table);
    if (o->shard_n < 1 || o->shard_k >= o->shard_n) {
        snprintf(err, errlen, "shard %" PRIu64 "/%" PRIu64 ": expected K/N with 0 <= K < N", o->shard_k, o->shard_n);
        return SK_EUSAGE;
    }
    {
        unsigned char sel[e->naxes + 1];
        int bp;
        if ((rc = sk__parse_by(e, o->by, sel, &bp, err, errlen)) < 0) return rc;
    }
    r.nlocal = sk_plan_shard_size(e->plan.nruns, o->shard_k, o->shard_n);
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

    void *shared = e->shared;
    if (!shared && e->kind->shared_new && !(shared = own_shared = e->kind->shared_new())) {
        rc = SK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    r.t0 = r.last_write = sk__now();
    sk__notify(&r, SK_RUNNER_START);
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
                sk_exp_run_at(e, sk_plan_shard_run(o->shard_k, o->shard_n, (uint64_t)pos), &sc, &s);
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
                sk__notify(&r, SK_RUNNER_RUN);
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
    if (own_shared) e->kind->shared_free(own_shared);
    if (r.write_rc < 0) {
        rc = r.write_rc;
        goto out;
    }
    stopped = r.ndone < r.nlocal;
    sk__notify(&r, SK_RUNNER_END);
    if ((rc = sk__write(&r, err, errlen)) < 0) goto out;
    *nfailed = r.nfailed;
    if (stopped) {
        snprintf(err, errlen, "interrupted: %" PRIu64 " of %" PRIu64 " runs complete and kept in %s; continue with --resume",
                 r.ndone, r.nlocal, o->output);
        rc = SK_EINTR;
        goto out;
    }
    if (table && (rc = sk__table(&r, table)) < 0) {
        snprintf(err, errlen, "building the end-of-run table: %s", sk_strerror(rc));
        goto out;
    }
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
