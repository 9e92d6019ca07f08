/* sk_runner.c - parallel execution of an experiment plan into one HDF5 results file, streamed in
 * run order (sim/sk_runner.h; the MPI side is sk_runner_mpi.c, the shared internals sk_runner_int.h). */
#include "sim/sk_runner.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/sk_results.h"
#include "io/sk_results_stream.h"
#include "sim/sk_runner_int.h"
#include "sk_config.h"
#include "sk_error.h"

#define SK_RUNNER_BATCH 4096 /* rows handed to the stream at a time */

double sk_runner__now(void) {
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

/* Cut s in place to at most w bytes, at a UTF-8 character boundary. */
static void sk__cut(char *s, size_t w) {
    if (strlen(s) <= w) return;
    while (w > 0 && ((unsigned char)s[w] & 0xC0) == 0x80) w--;
    s[w] = 0;
}

/* ---- summary columns -------------------------------------------------------------------------- */

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

static size_t sk__slen(const char *s) { return s ? strlen(s) : 0; }

/* The widest value a string parameter takes in this plan: its resolved value and every value of
 * the sweep axes over it. pol == NULL: the scenario's parameter i; else policy use q's. */
static size_t sk__param_width(const sk_exp *e, const sk_policy_use *pu, size_t i) {
    size_t w = sk__slen(pu ? pu->params[i].s : e->sparams[i].s);
    for (size_t a = 0; a < e->naxes; a++) {
        const sk_axis *ax = &e->axes[a];
        if ((size_t)ax->pidx != i || (pu ? ax->pol != pu->def : ax->pol != NULL)) continue;
        for (size_t j = 0; j < ax->n; j++)
            if (sk__slen(ax->vals[j].s) > w) w = sk__slen(ax->vals[j].s);
    }
    return w;
}

/* The /summary columns (t: no rows) and, when width is not NULL, each string column's width. */
static int sk__columns(const sk_exp *e, sk_table *t, size_t *width) {
    const sk_scenario_kind *k = e->kind;
    int rc = 0;
    sk_table_init(t);
    static const char *fixed[] = {"run", "point", "replication", "world_index"};
    for (size_t c = 0; c < 4 && rc >= 0; c++) rc = sk_table_add_col(t, fixed[c], SK_TABLE_I64);
    if (rc >= 0 && (rc = sk_table_add_col(t, "policy", SK_TABLE_STR)) >= 0 && width) {
        width[rc] = 0;
        for (size_t q = 0; q < e->npol; q++)
            if (strlen(e->pol[q].def->name) > width[rc]) width[rc] = strlen(e->pol[q].def->name);
    }
    for (size_t i = 0; i < k->nparams && rc >= 0; i++)
        if ((rc = sk_table_add_col(t, k->params[i].name, sk__coltype(k->params[i].type))) >= 0 && width)
            width[rc] = sk__param_width(e, NULL, i);
    for (size_t q = 0; q < e->npol && rc >= 0; q++)
        for (size_t j = 0; j < e->pol[q].def->nparams && rc >= 0; j++) {
            char name[256];
            snprintf(name, sizeof name, "%s.%s", e->pol[q].def->name, e->pol[q].def->params[j].name);
            if ((rc = sk_table_add_col(t, name, sk__coltype(e->pol[q].def->params[j].type))) >= 0 && width)
                width[rc] = sk__param_width(e, &e->pol[q], j);
        }
    if (rc >= 0 && (rc = sk_table_add_col(t, "status", SK_TABLE_STR)) >= 0 && width) width[rc] = SK_RUNNER_STATUS_WIDTH;
    for (size_t m = 0; m < k->nmetrics && rc >= 0; m++)
        if ((rc = sk_table_add_col(t, k->metrics[m].name, k->metrics[m].type)) >= 0 && width)
            width[rc] = SK_RUNNER_STATUS_WIDTH;
    if (rc < 0) sk_table_fini(t);
    return rc < 0 ? rc : 0;
}

/* Append row's values to r->batch (every column, in order). */
static int sk__push_row(sk_runner *r, const sk_row *row) {
    const sk_exp *e = r->e;
    const sk_scenario_kind *k = e->kind;
    sk_table *t = &r->batch;
    sk_run_spec s;
    sk_exp_run_at(e, sk_plan_shard_run(r->o->shard_k, r->o->shard_n, row->pos), &r->sc, &s);
    size_t c = 0;
    int rc = sk_table_push_i64(t, c++, (int64_t)s.index);
    if (rc >= 0) rc = sk_table_push_i64(t, c++, (int64_t)s.point);
    if (rc >= 0) rc = sk_table_push_i64(t, c++, (int64_t)s.replication);
    if (rc >= 0) rc = sk_table_push_i64(t, c++, (int64_t)s.world_index);
    if (rc >= 0) rc = sk_table_push_str(t, c++, e->npol ? e->pol[s.policy].def->name : "");
    for (size_t i = 0; i < k->nparams && rc >= 0; i++) rc = sk__push_value(t, c++, &s.sparams[i], k->params[i].type);
    for (size_t q = 0; q < e->npol && rc >= 0; q++)
        for (size_t j = 0; j < e->pol[q].def->nparams && rc >= 0; j++, c++) {
            const sk_param_def *pd = &e->pol[q].def->params[j];
            rc = q == s.policy ? sk__push_value(t, c, &s.pparams[j], pd->type) : sk__push_missing(t, c, pd->type);
        }
    if (rc >= 0) rc = sk_table_push_str(t, c++, row->status ? row->status : "ok");
    for (size_t m = 0; m < k->nmetrics && rc >= 0; m++, c++) {
        const sk_value *v = &row->m[m];
        switch (k->metrics[m].type) {
        case SK_TABLE_I64: rc = sk_table_push_i64(t, c, v->i); break;
        case SK_TABLE_U64: rc = sk_table_push_u64(t, c, (uint64_t)v->i); break;
        case SK_TABLE_F64: rc = sk_table_push_f64(t, c, v->f); break;
        default: rc = sk_table_push_str(t, c, v->s ? v->s : ""); break;
        }
    }
    return rc < 0 ? rc : 0;
}

/* ---- the end-of-run table, summed in run order ------------------------------------------------- */

/* Count one row (position pos) into the group sums: status NULL = ok, m its metrics. */
static void sk__count(sk_runner *r, uint64_t pos, int failed, const sk_value *m) {
    const sk_exp *e = r->e;
    const sk_scenario_kind *k = e->kind;
    sk_plan_run pr = sk_plan_at(&e->plan, sk_plan_shard_run(r->o->shard_k, r->o->shard_n, pos));
    uint64_t g = 0;
    for (size_t a = 0; a < e->naxes; a++)
        if (r->sel[a]) g = g * e->axes[a].n + sk_plan_axis_at(&e->plan, pr.point, a);
    if (r->by_policy) g = g * e->plan.npolicies + pr.policy;
    if (failed) {
        r->cnt[2 * g + 1]++;
        return;
    }
    r->cnt[2 * g]++;
    for (size_t i = 0; i < r->nm; i++) {
        double x = k->metrics[i].type == SK_TABLE_F64 ? m[i].f : (double)m[i].i;
        r->sum[g * (r->nm + 1) + i] += x;
    }
}

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

/* The end-of-run table (sk_runner_table) from the group sums. */
static int sk__table(const sk_runner *r, sk_runner_table *out) {
    const sk_exp *e = r->e;
    const sk_scenario_kind *k = e->kind;
    const uint64_t Q = e->plan.npolicies;
    const size_t na = e->naxes, nm = r->nm;
    memset(out, 0, sizeof *out);
    if (!(out->sel = calloc(na + 1, 1))) return SK_ENOMEM;
    memcpy(out->sel, r->sel, na + 1);
    out->by_policy = r->by_policy;
    size_t nrow = 0;
    for (uint64_t g = 0; g < r->ngroups; g++) nrow += r->cnt[2 * g] || r->cnt[2 * g + 1];
    out->g = calloc(nrow + 1, sizeof *out->g);
    out->vstore = calloc(nrow * (na + 1) + 1, sizeof *out->vstore);
    out->mstore = calloc(nrow * (nm + 1) + 1, sizeof *out->mstore);
    if (!out->g || !out->vstore || !out->mstore) {
        sk_runner_table_fini(out);
        return SK_ENOMEM;
    }
    for (uint64_t g = 0; g < r->ngroups; g++) {
        uint64_t n = r->cnt[2 * g], nf = r->cnt[2 * g + 1];
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
            mean[m] = k->metrics[m].mean && n ? r->sum[g * (nm + 1) + m] / (double)n : NAN;
        gr->val = val;
        gr->mean = mean;
        gr->runs = n + nf;
        gr->failed = nf;
    }
    return 0;
}

/* ---- progress ------------------------------------------------------------------------------ */

static void sk__notify(const sk_runner *r, sk_runner_event ev) {
    if (!r->o->notify) return;
    sk_runner_status st = {
        .event = ev,
        .done = r->ndone,
        .resumed = r->nresumed,
        .total = r->nlocal,
        .remote = r->nremote,
        .elapsed = sk_runner__now() - r->t0,
        .output = r->o->output,
    };
    r->o->notify(r->o->notify_user, &st);
}

/* ---- rows: execute, free, serialise ------------------------------------------------------------ */

static sk_row *sk__row_new(size_t nm, uint64_t pos) {
    sk_row *row = calloc(1, sizeof *row + (nm + 1) * sizeof(sk_value));
    if (!row) return NULL;
    row->m = (sk_value *)(row + 1);
    row->pos = pos;
    return row;
}

void sk_runner__row_free(const sk_runner *r, sk_row *row) {
    if (!row) return;
    free(row->status);
    for (size_t m = 0; m < r->nm; m++)
        if (r->e->kind->metrics[m].type == SK_TABLE_STR) free(row->m[m].s);
    if (row->series) sk_table_fini(row->series);
    free(row->series);
    free(row);
}

uint64_t sk_runner__take(sk_runner *r, uint64_t *pos, uint64_t max) {
    uint64_t n = 0;
    while (n < max && r->cursor < r->nlocal) {
        uint64_t p = r->cursor++;
        if (r->resumed && (r->resumed[p >> 3] >> (p & 7) & 1)) continue;
        pos[n++] = p;
    }
    return n;
}

sk_row *sk_runner__exec(sk_runner *r, sk_run_scratch *sc, sk_value *mv, uint64_t pos, const volatile sig_atomic_t *stop,
                        int *fatal) {
    const sk_exp *e = r->e;
    const size_t nm = r->nm;
    sk_row *row = sk__row_new(nm, pos);
    if (!row) {
        *fatal = SK_ENOMEM;
        return NULL;
    }
    int run_rc;
    sk_table *ser = NULL;
    char msg[512];
    msg[0] = 0;
    if (!sc || !mv) {
        run_rc = SK_ENOMEM;
    } else {
        sk_run_spec s;
        sk_exp_run_at(e, sk_plan_shard_run(r->o->shard_k, r->o->shard_n, pos), sc, &s);
        sk_run_ctx ctx = {
            .master_seed = e->seed,
            .run_index = s.index,
            .world_index = s.world_index,
            .params = s.sparams,
            .policy = e->npol ? e->pol[s.policy].def : NULL,
            .policy_params = s.pparams,
            .stop = stop,
            .shared = r->shared,
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
    if (run_rc == SK_EINTR) { /* abandoned; runs again on --resume */
        free(row);
        return NULL;
    }
    if (mv) memcpy(row->m, mv, nm * sizeof *mv);
    for (size_t m = 0; m < nm; m++)
        if (e->kind->metrics[m].type == SK_TABLE_STR) {
            row->m[m].s = strdup(mv && mv[m].s ? mv[m].s : "");
            if (row->m[m].s) sk__cut(row->m[m].s, SK_RUNNER_STATUS_WIDTH);
        }
    if (run_rc < 0) {
        char b[600];
        snprintf(b, sizeof b, "%s: %s", sk_err_name(run_rc), msg[0] ? msg : sk_strerror(run_rc));
        sk__cut(b, SK_RUNNER_STATUS_WIDTH);
        row->status = strdup(b);
        if (!row->status) row->status = strdup("ENOMEM");
        for (size_t m = 0; m < nm; m++)
            if (e->kind->metrics[m].type == SK_TABLE_F64) row->m[m].f = NAN;
    }
    row->series = ser;
    return row;
}

/* byte buffer helpers for pack/unpack */
static int sk__put(unsigned char **buf, size_t *len, size_t *cap, const void *p, size_t n) {
    if (*len + n > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < *len + n) nc *= 2;
        unsigned char *b = realloc(*buf, nc);
        if (!b) return SK_ENOMEM;
        *buf = b;
        *cap = nc;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return 0;
}

static int sk__put_str(unsigned char **buf, size_t *len, size_t *cap, const char *s) {
    uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;
    int rc = sk__put(buf, len, cap, &n, sizeof n);
    return rc || !s ? rc : sk__put(buf, len, cap, s, n);
}

static int sk__get(const unsigned char *buf, size_t len, size_t *off, void *p, size_t n) {
    if (len - *off < n) return -1;
    memcpy(p, buf + *off, n);
    *off += n;
    return 0;
}

/* a string written by sk__put_str: *s malloc'd (NULL when NULL was written); -1 on bad bytes */
static int sk__get_str(const unsigned char *buf, size_t len, size_t *off, char **s) {
    uint32_t n;
    *s = NULL;
    if (sk__get(buf, len, off, &n, sizeof n)) return -1;
    if (n == UINT32_MAX) return 0;
    if (len - *off < n || !(*s = malloc((size_t)n + 1))) return -1;
    memcpy(*s, buf + *off, n);
    (*s)[n] = 0;
    *off += n;
    return 0;
}

int sk_runner__pack(const sk_runner *r, const sk_row *row, unsigned char **buf, size_t *len, size_t *cap) {
    const sk_scenario_kind *k = r->e->kind;
    int rc = sk__put(buf, len, cap, &row->pos, sizeof row->pos);
    if (!rc) rc = sk__put_str(buf, len, cap, row->status);
    for (size_t m = 0; m < r->nm && !rc; m++) {
        switch (k->metrics[m].type) {
        case SK_TABLE_F64: rc = sk__put(buf, len, cap, &row->m[m].f, 8); break;
        case SK_TABLE_STR: rc = sk__put_str(buf, len, cap, row->m[m].s ? row->m[m].s : ""); break;
        default: rc = sk__put(buf, len, cap, &row->m[m].i, 8); break;
        }
    }
    uint8_t has = row->series != NULL;
    if (!rc) rc = sk__put(buf, len, cap, &has, 1);
    if (!rc && has) {
        const sk_table *t = row->series;
        uint32_t nc = (uint32_t)t->ncols;
        rc = sk__put(buf, len, cap, &nc, sizeof nc);
        for (size_t c = 0; c < t->ncols && !rc; c++) {
            const sk_table_col *col = &t->cols[c];
            uint8_t ty = (uint8_t)col->type;
            uint64_t n = col->n;
            rc = sk__put_str(buf, len, cap, col->name);
            if (!rc) rc = sk__put(buf, len, cap, &ty, 1);
            if (!rc) rc = sk__put(buf, len, cap, &n, 8);
            if (col->type == SK_TABLE_STR)
                for (size_t i = 0; i < col->n && !rc; i++) rc = sk__put_str(buf, len, cap, col->v.str[i]);
            else if (!rc && n)
                rc = sk__put(buf, len, cap, col->v.any, 8 * col->n);
        }
    }
    return rc;
}

sk_row *sk_runner__unpack(const sk_runner *r, const unsigned char *buf, size_t len, size_t *off) {
    const sk_scenario_kind *k = r->e->kind;
    uint64_t pos;
    if (sk__get(buf, len, off, &pos, 8) || pos >= r->nlocal) return NULL;
    sk_row *row = sk__row_new(r->nm, pos);
    if (!row) return NULL;
    int bad = sk__get_str(buf, len, off, &row->status);
    for (size_t m = 0; m < r->nm && !bad; m++) {
        switch (k->metrics[m].type) {
        case SK_TABLE_F64: bad = sk__get(buf, len, off, &row->m[m].f, 8); break;
        case SK_TABLE_STR: bad = sk__get_str(buf, len, off, &row->m[m].s); break;
        default: bad = sk__get(buf, len, off, &row->m[m].i, 8); break;
        }
    }
    uint8_t has = 0;
    if (!bad) bad = sk__get(buf, len, off, &has, 1);
    if (!bad && has) {
        uint32_t nc;
        if (!(row->series = malloc(sizeof *row->series))) bad = -1;
        else sk_table_init(row->series);
        if (!bad) bad = sk__get(buf, len, off, &nc, sizeof nc);
        for (uint32_t c = 0; c < nc && !bad; c++) {
            char *name;
            uint8_t ty;
            uint64_t n;
            if (sk__get_str(buf, len, off, &name) || !name) { bad = -1; break; }
            bad = sk__get(buf, len, off, &ty, 1) || sk__get(buf, len, off, &n, 8) || ty > SK_TABLE_STR ? -1 : 0;
            int col = bad ? -1 : sk_table_add_col(row->series, name, (sk_table_type)ty);
            free(name);
            if (col < 0) { bad = -1; break; }
            for (uint64_t i = 0; i < n && !bad; i++) {
                if (ty == SK_TABLE_STR) {
                    char *s;
                    bad = sk__get_str(buf, len, off, &s) || !s || sk_table_push_str(row->series, (size_t)col, s) < 0;
                    free(s);
                } else {
                    uint64_t v;
                    bad = sk__get(buf, len, off, &v, 8);
                    if (!bad) {
                        double d;
                        memcpy(&d, &v, 8);
                        bad = (ty == SK_TABLE_F64 ? sk_table_push_f64(row->series, (size_t)col, d)
                               : ty == SK_TABLE_U64 ? sk_table_push_u64(row->series, (size_t)col, v)
                                                    : sk_table_push_i64(row->series, (size_t)col, (int64_t)v)) < 0;
                    }
                }
            }
        }
    }
    if (bad) {
        sk_runner__row_free(r, row);
        return NULL;
    }
    return row;
}

/* ---- the results file: window, stream, commits --------------------------------------------------- */

static int sk__set_write_error(sk_runner *r, int rc, const char *msg) {
    if (r->write_rc >= 0) {
        snprintf(r->werr, sizeof r->werr, "%s", msg);
#pragma omp atomic write
        r->write_rc = rc;
    }
    return rc;
}

/* Hand the batched rows to the stream and start a new batch. */
static int sk__drain_batch(sk_runner *r) {
    char err[512];
    int rc = 0;
    if (sk_table_nrows(&r->batch) > 0 && (rc = sk_results_stream_append(r->st, &r->batch, err, sizeof err)) < 0)
        return sk__set_write_error(r, rc, err);
    sk_table_fini(&r->batch);
    if ((rc = sk__columns(r->e, &r->batch, NULL)) < 0) return sk__set_write_error(r, rc, "out of memory");
    return 0;
}

static int sk__open_stream(sk_runner *r, const char *append_from, char *err, size_t errlen) {
    sk_results_stream_cfg cfg = {
        .path = r->o->output,
        .meta = &r->meta,
        .columns = &r->cols,
        .str_width = r->width,
        .chunk_rows = SK_RUNNER_BATCH,
        .append_from = append_from,
    };
    return sk_results_stream_open(&r->st, &cfg, err, errlen);
}

/* Write the rows so far and rename the file into place; reopen (appending to it) unless last. */
static int sk__commit(sk_runner *r, int last) {
    char err[1024];
    int rc = sk__drain_batch(r);
    if (rc < 0) return rc;
    rc = sk_results_stream_commit(r->st, err, sizeof err);
    r->st = NULL;
    if (rc < 0) return sk__set_write_error(r, rc, err);
    r->committed = r->next;
    r->last_write = sk_runner__now();
    if (!last && (rc = sk__open_stream(r, r->o->output, err, sizeof err)) < 0) return sk__set_write_error(r, rc, err);
    return 0;
}

/* Append one row in run order: its values, its series, its share of the end-of-run table. */
static int sk__emit(sk_runner *r, sk_row *row) {
    char err[512];
    int rc = sk__push_row(r, row);
    if (rc < 0) return sk__set_write_error(r, rc, "building the summary rows: out of memory");
    if (row->series) {
        char id[24];
        snprintf(id, sizeof id, "%" PRIu64, sk_plan_shard_run(r->o->shard_k, r->o->shard_n, row->pos));
        if ((rc = sk_results_stream_series(r->st, id, row->series, err, sizeof err)) < 0) return sk__set_write_error(r, rc, err);
    }
    sk__count(r, row->pos, row->status != NULL, row->m);
    if (sk_table_nrows(&r->batch) >= SK_RUNNER_BATCH) return sk__drain_batch(r);
    return 0;
}

/* Put a finished row into the reorder window (growing it to reach row->pos). */
static int sk__win_put(sk_runner *r, sk_row *row) {
    while (row->pos - r->next >= r->wcap) {
        uint64_t nc = r->wcap ? 2 * r->wcap : 64;
        sk_row **w = calloc(nc, sizeof *w);
        if (!w) return SK_ENOMEM;
        for (uint64_t p = r->next; p < r->next + r->wcap; p++)
            if (r->win[p & (r->wcap - 1)]) w[p & (nc - 1)] = r->win[p & (r->wcap - 1)];
        free(r->win);
        r->win = w;
        r->wcap = nc;
    }
    r->win[row->pos & (r->wcap - 1)] = row;
    if (++r->nwin > r->maxwin) r->maxwin = r->nwin;
    return 0;
}

/* Append the rows that now continue the written prefix. */
static void sk__flush(sk_runner *r) {
    while (r->wcap && r->write_rc >= 0) {
        sk_row **slot = &r->win[r->next & (r->wcap - 1)];
        sk_row *row = *slot;
        if (!row) break;
        *slot = NULL;
        r->nwin--;
        sk__emit(r, row);
        sk_runner__row_free(r, row);
        r->next++;
    }
}

void sk_runner__deliver(sk_runner *r, sk_row *row) {
    if (r->write_rc < 0) {
        sk_runner__row_free(r, row);
        return;
    }
    r->ndone++;
    if (row->status) r->nfailed++;
    if (sk__win_put(r, row) < 0) {
        sk_runner__row_free(r, row);
        sk__set_write_error(r, SK_ENOMEM, "out of memory for the reorder window");
        return;
    }
    sk__flush(r);
    sk__notify(r, SK_RUNNER_RUN);
    const sk_runner_opts *o = r->o;
    if (o->checkpoint_secs > 0 && r->next > r->committed && r->ndone < r->nlocal &&
        sk_runner__now() - r->last_write >= o->checkpoint_secs)
        sk__commit(r, 0);
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

#define SK_RESUME_BLOCK 65536 /* rows read back at a time */

/* The columns of a file written by synkti run for this kind: run, status and each metric. */
static int sk__resume_cols(const sk_runner *r, const sk_table *t, int *crun, int *cstat, int *mcol, char *err, size_t errlen) {
    const sk_exp *e = r->e;
    *crun = sk_table_find(t, "run");
    *cstat = sk_table_find(t, "status");
    if (*crun < 0 || *cstat < 0 || t->cols[*crun].type != SK_TABLE_I64 || t->cols[*cstat].type != SK_TABLE_STR) {
        snprintf(err, errlen, "%s: no run/status columns: not written by synkti run", r->o->output);
        return SK_EDATA;
    }
    for (size_t m = 0; m < r->nm; m++) {
        mcol[m] = sk_table_find(t, e->kind->metrics[m].name);
        if (mcol[m] < 0 || t->cols[mcol[m]].type != e->kind->metrics[m].type) {
            snprintf(err, errlen, "%s: metric column '%s' missing or of another type", r->o->output, e->kind->metrics[m].name);
            return SK_EDATA;
        }
    }
    return 0;
}

/* Row i of t as a finished row at position pos (status cut to the column width). */
static sk_row *sk__row_from(const sk_runner *r, const sk_table *t, int64_t i, int cstat, const int *mcol, uint64_t pos) {
    sk_row *row = sk__row_new(r->nm, pos);
    if (!row) return NULL;
    const char *st = t->cols[cstat].v.str[i];
    if (strcmp(st, "ok")) {
        if (!(row->status = strdup(st))) goto fail;
        sk__cut(row->status, SK_RUNNER_STATUS_WIDTH);
    }
    for (size_t m = 0; m < r->nm; m++) {
        const sk_table_col *col = &t->cols[mcol[m]];
        switch (col->type) {
        case SK_TABLE_I64: row->m[m].i = col->v.i64[i]; break;
        case SK_TABLE_U64: row->m[m].i = (int64_t)col->v.u64[i]; break;
        case SK_TABLE_F64: row->m[m].f = col->v.f64[i]; break;
        default:
            if (!(row->m[m].s = strdup(col->v.str[i]))) goto fail;
            sk__cut(row->m[m].s, SK_RUNNER_STATUS_WIDTH);
            break;
        }
    }
    return row;
fail:
    sk_runner__row_free(r, row);
    return NULL;
}

/* Read the output file back (--resume). A file that holds exactly the first runs of this shard in
 * run order - what this runner writes - is continued in place: the stream copies it
 * (append_from) and the dispenser starts after it. Any other set of runs (another writer, a
 * merged file, a shard's file resumed as the whole run) is read into the reorder window and the
 * file is rewritten with the new runs in between. On success the stream is open. */
static int sk__resume(sk_runner *r, char *err, size_t errlen) {
    struct stat st;
    if (stat(r->o->output, &st) != 0) return 0; /* nothing to resume: start fresh */
    const sk_exp *e = r->e;
    sk_results_reader *rd = NULL;
    int rc = sk_results_reader_open(&rd, r->o->output, err, errlen);
    if (rc < 0) return rc;
    const sk_results_meta *meta = sk_results_reader_meta(rd);
    if (strcmp(meta->config_sha256, e->sha256)) {
        snprintf(err, errlen,
                 "%s: written by another configuration (config sha256 %.12s..., this one %.12s...); "
                 "--resume continues only the same experiment: remove the file or choose another output",
                 r->o->output, meta->config_sha256, e->sha256);
        sk_results_reader_close(rd);
        return SK_ECONFIG;
    }
    int64_t nrows = sk_results_reader_rows(rd);
    int crun, cstat, mcol[r->nm + 1];
    int prefix = !e->series; /* series are read back per run: always the general path */
    /* pass 1: check the columns and the shard; is it a prefix? */
    for (int64_t first = 0; first < nrows || first == 0; first += SK_RESUME_BLOCK) {
        sk_table t;
        if ((rc = sk_results_reader_read(rd, first, SK_RESUME_BLOCK, &t, err, errlen)) < 0) goto out;
        rc = sk__resume_cols(r, &t, &crun, &cstat, mcol, err, errlen);
        for (int64_t i = 0; rc == 0 && i < sk_table_nrows(&t); i++) {
            int64_t run = t.cols[crun].v.i64[i];
            if (run < 0 || (uint64_t)run >= e->nruns) { prefix = 0; continue; }
            /* the file is rewritten with this shard's runs only: another shard's would be lost */
            if ((uint64_t)run % r->o->shard_n != r->o->shard_k) {
                snprintf(err, errlen,
                         "%s: holds run %" PRId64 ", which is not in shard %" PRIu64 "/%" PRIu64
                         "; --resume with the shard layout that wrote it (or without --shard), or choose another output",
                         r->o->output, run, r->o->shard_k, r->o->shard_n);
                rc = SK_ECONFIG;
            }
            if ((uint64_t)run != sk_plan_shard_run(r->o->shard_k, r->o->shard_n, (uint64_t)(first + i))) prefix = 0;
        }
        sk_table_fini(&t);
        if (rc < 0) goto out;
        if (nrows == 0) break;
    }
    if (prefix) {
        char oerr[1024];
        if (sk__open_stream(r, r->o->output, oerr, sizeof oerr) < 0) prefix = 0; /* e.g. a status too wide: rewrite */
    }
    if (!prefix && !(r->resumed = calloc((size_t)(r->nlocal + 7) / 8 + 1, 1))) {
        rc = SK_ENOMEM;
        goto out;
    }
    /* pass 2: count the prefix into the table, or fill the window */
    for (int64_t first = 0; first < nrows; first += SK_RESUME_BLOCK) {
        sk_table t;
        if ((rc = sk_results_reader_read(rd, first, SK_RESUME_BLOCK, &t, err, errlen)) < 0) goto out;
        for (int64_t i = 0; rc == 0 && i < sk_table_nrows(&t); i++) {
            int64_t run = t.cols[crun].v.i64[i];
            if (run < 0 || (uint64_t)run >= e->nruns) continue;
            uint64_t pos = (uint64_t)run / r->o->shard_n;
            if (!prefix && (r->resumed[pos >> 3] >> (pos & 7) & 1)) continue;
            sk_row *row = sk__row_from(r, &t, i, cstat, mcol, pos);
            if (!row) { rc = SK_ENOMEM; break; }
            if (e->series && !row->status) {
                char id[24];
                snprintf(id, sizeof id, "%" PRId64, run);
                if (!(row->series = malloc(sizeof *row->series))) rc = SK_ENOMEM;
                else if ((rc = sk_results_read_series(r->o->output, id, row->series, err, errlen)) < 0) {
                    free(row->series);
                    row->series = NULL;
                    sk_runner__row_free(r, row);
                    if (rc != SK_ENOENT) break;
                    rc = 0; /* no series stored for it: run it again */
                    continue;
                }
            }
            r->ndone++;
            r->nresumed++;
            if (row->status) r->nfailed++;
            if (prefix) {
                sk__count(r, pos, row->status != NULL, row->m);
                sk_runner__row_free(r, row);
            } else {
                r->resumed[pos >> 3] |= (unsigned char)(1u << (pos & 7));
                if ((rc = sk__win_put(r, row)) < 0) sk_runner__row_free(r, row);
            }
        }
        sk_table_fini(&t);
        if (rc < 0) goto out;
    }
    if (prefix) r->cursor = r->next = r->committed = (uint64_t)nrows;
out:
    sk_results_reader_close(rd);
    if (rc < 0 && r->st) {
        sk_results_stream_abort(r->st);
        r->st = NULL;
    }
    return rc;
}

/* ---- setup and end --------------------------------------------------------------------------- */

int sk_runner__setup(sk_runner *r, char *err, size_t errlen) {
    const sk_exp *e = r->e;
    const sk_runner_opts *o = r->o;
    int rc;
    r->meta = (sk_results_meta){
        .tool_version = SK_VERSION,
        .git_sha = (char *)SK_GIT_SHA,
        .command_line = (char *)(o->command_line ? o->command_line : ""),
        .config_yaml = e->resolved,
        .config_sha256 = (char *)e->sha256,
        .master_seed = e->seed,
    };
    sk_table_init(&r->batch);
    sk_table_init(&r->cols);
    size_t ncols = 8 + e->kind->nparams + e->kind->nmetrics;
    for (size_t q = 0; q < e->npol; q++) ncols += e->pol[q].def->nparams;
    if (!(r->width = calloc(ncols, sizeof *r->width)) || sk_run_scratch_init(&r->sc, e) < 0 ||
        sk__columns(e, &r->cols, r->width) < 0 || sk__columns(e, &r->batch, NULL) < 0) {
        snprintf(err, errlen, "out of memory");
        return SK_ENOMEM;
    }
    if ((rc = sk__prepare_dir(o->output, err, errlen)) < 0) return rc;
    sk_results_stream_clean(o->output);
    if (o->resume && (rc = sk__resume(r, err, errlen)) < 0) return rc;
    if (!r->st && (rc = sk__open_stream(r, NULL, err, errlen)) < 0) return rc;
    sk__flush(r); /* resumed rows that continue the prefix */
    if (r->write_rc < 0) {
        snprintf(err, errlen, "%s", r->werr);
        return r->write_rc;
    }
    r->t0 = r->last_write = sk_runner__now();
    return 0;
}

int sk_runner__finish(sk_runner *r, uint64_t *nfailed, sk_runner_table *table, char *err, size_t errlen) {
    if (r->write_rc < 0) {
        snprintf(err, errlen, "%s", r->werr);
        return r->write_rc;
    }
    int stopped = r->next < r->nlocal;
    sk__notify(r, SK_RUNNER_END);
    if (sk__commit(r, 1) < 0) {
        snprintf(err, errlen, "%s", r->werr);
        return r->write_rc;
    }
    *nfailed = r->nfailed;
    if (stopped) {
        snprintf(err, errlen, "interrupted: %" PRIu64 " of %" PRIu64 " runs complete and kept in %s; continue with --resume",
                 r->next, r->nlocal, r->o->output);
        return SK_EINTR;
    }
    int rc;
    if (table && (rc = sk__table(r, table)) < 0) {
        snprintf(err, errlen, "building the end-of-run table: %s", sk_strerror(rc));
        return rc;
    }
    return 0;
}

void sk_runner__fini(sk_runner *r) {
    sk_results_stream_abort(r->st);
    r->st = NULL;
    for (uint64_t p = r->next; r->win && p < r->next + r->wcap; p++) sk_runner__row_free(r, r->win[p & (r->wcap - 1)]);
    free(r->win);
    free(r->resumed);
    free(r->width);
    free(r->sel);
    free(r->sum);
    free(r->cnt);
    sk_table_fini(&r->cols);
    sk_table_fini(&r->batch);
    if (r->sc.s || r->sc.p) sk_run_scratch_fini(&r->sc);
    memset(r, 0, sizeof *r);
}

/* ---- run ------------------------------------------------------------------------------------- */

/* The groups of the end-of-run table (from --by) and their sums. */
static int sk__groups(sk_runner *r, char *err, size_t errlen) {
    const sk_exp *e = r->e;
    if (!(r->sel = calloc(e->naxes + 1, 1))) return SK_ENOMEM;
    int rc = sk__parse_by(e, r->o->by, r->sel, &r->by_policy, err, errlen);
    if (rc < 0) return rc;
    r->ngroups = r->by_policy ? e->plan.npolicies : 1;
    for (size_t a = 0; a < e->naxes; a++)
        if (r->sel[a]) r->ngroups *= e->axes[a].n;
    r->sum = calloc(r->ngroups * (r->nm + 1), sizeof *r->sum);
    r->cnt = calloc(2 * r->ngroups, sizeof *r->cnt);
    if (!r->sum || !r->cnt) {
        snprintf(err, errlen, "out of memory for the end-of-run table");
        return SK_ENOMEM;
    }
    return 0;
}

/* One process: OpenMP threads take runs in order and deliver them. */
static void sk__run_local(sk_runner *r) {
    const sk_runner_opts *o = r->o;
#pragma omp parallel num_threads(o->threads)
    {
        sk_run_scratch sc;
        int ok = sk_run_scratch_init(&sc, r->e) == 0;
        sk_value *mv = calloc(r->nm + 1, sizeof *mv);
        for (;;) {
            uint64_t pos;
            int wrc, got = 0;
#pragma omp atomic read
            wrc = r->write_rc;
            if (*o->stop || wrc < 0) break;
#pragma omp critical(sk_runner_take)
            got = (int)sk_runner__take(r, &pos, 1);
            if (!got) break;
            int fatal = 0;
            sk_row *row = sk_runner__exec(r, ok ? &sc : NULL, mv, pos, o->stop, &fatal);
#pragma omp critical(sk_runner)
            {
                if (row) sk_runner__deliver(r, row);
                else if (fatal) sk__set_write_error(r, fatal, "out of memory");
            }
        }
        free(mv);
        if (ok) sk_run_scratch_fini(&sc);
    }
}

int sk_runner_run(const sk_exp *e, const sk_runner_opts *o, uint64_t *nfailed, sk_runner_table *table,
                  char *err, size_t errlen) {
    sk_runner r = {.e = e, .o = o, .nm = e->kind->nmetrics};
    int rc = 0;
    void *own_shared = NULL;
    *nfailed = 0;
    if (table) memset(table, 0, sizeof *table);
    if (o->shard_n < 1 || o->shard_k >= o->shard_n) {
        snprintf(err, errlen, "shard %" PRIu64 "/%" PRIu64 ": expected K/N with 0 <= K < N", o->shard_k, o->shard_n);
        return SK_EUSAGE;
    }
    r.nlocal = sk_plan_shard_size(e->plan.nruns, o->shard_k, o->shard_n);
    if ((rc = sk__groups(&r, err, errlen)) < 0) goto out;
    r.shared = e->shared;
    if (!r.shared && e->kind->shared_new && !(r.shared = own_shared = e->kind->shared_new())) {
        rc = SK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
#if SK_HAVE_MPI
    if (o->mpi) {
        rc = sk_runner__mpi(&r, nfailed, table, err, errlen);
        goto out;
    }
#endif
    if ((rc = sk_runner__setup(&r, err, errlen)) < 0) goto out;
    sk__notify(&r, SK_RUNNER_START);
    sk__run_local(&r);
    rc = sk_runner__finish(&r, nfailed, table, err, errlen);
out:
    if (own_shared) e->kind->shared_free(own_shared);
    sk_runner__fini(&r);
    return rc;
}
