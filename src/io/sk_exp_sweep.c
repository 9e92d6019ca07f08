/* sk_exp_sweep.c - sweep axes (lists and ranges, from the file and from --set) and the plan
 * expansion: which parameter values run i uses (numbering in core/sk_plan.h). */
#include "io/sk_exp_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_error.h"

/* ---- sweep axes ------------------------------------------------------------------------------ */

/* Digits after the decimal point in a plain decimal literal; -1 for exponent forms. */
static int sk__decimals(const char *s) {
    if (strpbrk(s, "eE")) return -1;
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

/* Expand "a..b" or "a..b:step" (INT or FLOAT) into vals. Returns 1 if `text` is a range (and
 * appended), 0 if not, or a negative error with why set. */
static int sk__range(const sk_param_def *def, const char *text, sk_value **vals, size_t *n, size_t *cap,
                     char *why, size_t wlen) {
    const char *dots = strstr(text, "..");
    if (!dots || (def->type != SK_PT_INT && def->type != SK_PT_FLOAT)) return 0;
    char a[128], b[128], st[128] = "";
    const char *colon = strchr(dots + 2, ':');
    if ((size_t)(dots - text) >= sizeof a || strlen(dots + 2) >= sizeof b) {
        snprintf(why, wlen, "range too long");
        return SK_ECONFIG;
    }
    snprintf(a, sizeof a, "%.*s", (int)(dots - text), text);
    if (colon) {
        snprintf(b, sizeof b, "%.*s", (int)(colon - dots - 2), dots + 2);
        snprintf(st, sizeof st, "%s", colon + 1);
    } else {
        snprintf(b, sizeof b, "%s", dots + 2);
    }
    char *e1, *e2, *e3;
    errno = 0;
    double lo = strtod(a, &e1), hi = strtod(b, &e2), step = *st ? strtod(st, &e3) : 1.0;
    if (e1 == a || *e1 || e2 == b || *e2 || (*st && (e3 == st || *e3)) || errno || !isfinite(lo) ||
        !isfinite(hi) || !isfinite(step)) {
        snprintf(why, wlen, "expected a range FROM..TO or FROM..TO:STEP, got '%s'", text);
        return SK_ECONFIG;
    }
    if (!(step > 0)) {
        snprintf(why, wlen, "range step must be > 0, got '%s'", text);
        return SK_ECONFIG;
    }
    if (hi < lo) {
        snprintf(why, wlen, "empty range '%s' (TO is below FROM)", text);
        return SK_ECONFIG;
    }
    if (def->type == SK_PT_INT && (lo != floor(lo) || hi != floor(hi) || step != floor(step))) {
        snprintf(why, wlen, "integer parameter: range bounds and step must be integers, got '%s'", text);
        return SK_ECONFIG;
    }
    /* integer ranges are counted exactly in int64 (bounds that doubles hold exactly) */
    if (def->type == SK_PT_INT && (fabs(lo) > 0x1p53 || fabs(hi) > 0x1p53)) {
        snprintf(why, wlen, "range '%s' goes outside [%.10g, %.10g]", text, def->lo, def->hi);
        return SK_ECONFIG;
    }
    int64_t ilo = 0, istep = 1;
    if (def->type == SK_PT_INT) {
        ilo = (int64_t)lo;
        istep = step > hi - lo ? (int64_t)(hi - lo) + 1 : (int64_t)step; /* a step past TO: FROM alone */
    }
    if (def->type == SK_PT_FLOAT && !*st) {
        snprintf(why, wlen, "a range over a real parameter needs a step: FROM..TO:STEP, got '%s'", text);
        return SK_ECONFIG;
    }
    double cnt = def->type == SK_PT_INT ? (double)(((int64_t)hi - ilo) / istep + 1)
                                        : floor((hi - lo) / step * (1 + 1e-12) + 1e-9) + 1;
    if (cnt + (double)*n > (double)SK_EXP_MAX_AXIS) {
        snprintf(why, wlen, "range '%s' has %.0f values; a sweep axis takes at most %d", text, cnt, SK_EXP_MAX_AXIS);
        return SK_ECONFIG;
    }
    for (uint64_t k = 0; k < (uint64_t)cnt; k++) {
        if (*n == *cap) {
            size_t nc = *cap ? 2 * *cap : 8;
            sk_value *nv = realloc(*vals, nc * sizeof *nv);
            if (!nv) return SK_ENOMEM;
            *vals = nv;
            *cap = nc;
        }
        sk_value *v = &(*vals)[*n];
        *v = (sk_value){0};
        if (def->type == SK_PT_INT) {
            v->i = ilo + (int64_t)k * istep;
        } else {
            /* lo + k*step, snapped to the decimals written (0.1..0.5:0.2 gives 0.3, not
             * 0.30000000000000004) */
            v->f = lo + (double)k * step;
            int dec = sk__decimals(a) > sk__decimals(st) ? sk__decimals(a) : sk__decimals(st);
            if (dec >= 0 && dec <= 15) {
                double sc = pow(10, dec), x = round(v->f * sc) / sc;
                if (fabs(x - v->f) <= 1e-9 * fmax(1, fabs(v->f))) v->f = x;
            }
        }
        (*n)++;
        int rc = sk_param_check(def, v, why, wlen);
        if (rc < 0) return rc;
    }
    return 1;
}

/* Add one value (or range) text to an axis. */
static int sk__axis_add(sk_axis *ax, size_t *cap, const char *text, char *why, size_t wlen) {
    int rc = sk__range(ax->def, text, &ax->vals, &ax->n, cap, why, wlen);
    if (rc != 0) return rc < 0 ? rc : 0;
    if (ax->n >= SK_EXP_MAX_AXIS) {
        snprintf(why, wlen, "more than %d values; a sweep axis takes at most %d", SK_EXP_MAX_AXIS, SK_EXP_MAX_AXIS);
        return SK_ECONFIG;
    }
    if (ax->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 8;
        sk_value *nv = realloc(ax->vals, nc * sizeof *nv);
        if (!nv) return SK_ENOMEM;
        ax->vals = nv;
        *cap = nc;
    }
    if ((rc = sk_param_parse(ax->def, text, &ax->vals[ax->n], why, wlen)) < 0) return rc;
    ax->n++;
    return 0;
}

void sk_exp__axis_fini(sk_axis *ax, sk_ptype t) {
    (void)t;
    for (size_t i = 0; i < ax->n; i++) sk_value_fini(&ax->vals[i]);
    free(ax->vals);
    free(ax->key);
    memset(ax, 0, sizeof *ax);
}

/* Resolve a sweep key to a parameter of e's kind or of one of e's policies. Canonical key in out. */
static int sk__axis_target(const sk_exp *e, const char *key, sk_axis *ax, char *why, size_t wlen) {
    const char *k = key;
    if (!strncmp(k, "scenario.", 9)) k += 9;
    int i = sk_param_find(e->kind->params, e->kind->nparams, k);
    if (i >= 0 && !strchr(k, '.')) {
        ax->def = &e->kind->params[i];
        ax->pidx = i;
        ax->pol = NULL;
        size_t n = strlen(k) + 10;
        if (!(ax->key = malloc(n))) return SK_ENOMEM;
        snprintf(ax->key, n, "scenario.%s", k);
        return 0;
    }
    k = key;
    if (!strncmp(k, "policies.", 9)) k += 9;
    const char *dot = strchr(k, '.');
    if (dot) {
        for (size_t q = 0; q < e->npol; q++) {
            const sk_policy_def *pd = e->pol[q].def;
            if (strlen(pd->name) != (size_t)(dot - k) || strncmp(pd->name, k, (size_t)(dot - k))) continue;
            int j = sk_param_find(pd->params, pd->nparams, dot + 1);
            if (j < 0) break;
            ax->def = &pd->params[j];
            ax->pidx = j;
            ax->pol = pd;
            size_t n = strlen(k) + 10;
            if (!(ax->key = malloc(n))) return SK_ENOMEM;
            snprintf(ax->key, n, "policies.%s", k);
            return 0;
        }
    }
    snprintf(why, wlen, "not a parameter of scenario kind '%s' nor of a listed policy (write 'PARAM', "
             "'scenario.PARAM' or 'POLICY.PARAM')", e->kind->name);
    return SK_ECONFIG;
}

int sk_exp__axes_from_tree(sk_exp *e, const sk_ytree *t, sk_diag *d) {
    const sk_ynode *sw = sk_exp__ylook(t, "sweep");
    if (!sw) return 0;
    yaml_node_t *n = sw->node;
    if (n->type == YAML_SCALAR_NODE && !*n->data.scalar.value && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return 0; /* "sweep:" with nothing */
    if (n->type != YAML_MAPPING_NODE)
        return sk_exp__err(d, SK_ECONFIG, sw->vline, sw->vcol, "sweep", "expected a mapping of KEY: [values] or KEY: FROM..TO, got %s",
                       sk_exp__ykind(n));
    size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    if (!(e->axes = calloc(np ? np : 1, sizeof *e->axes))) return SK_ENOMEM;
    char why[512];
    yaml_document_t *doc = (yaml_document_t *)&t->doc;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
        const char *key = (const char *)kn->data.scalar.value;
        char path[1100];
        snprintf(path, sizeof path, "sweep.%s", key);
        int kl = (int)kn->start_mark.line + 1, kc = (int)kn->start_mark.column + 1;
        sk_axis *ax = &e->axes[e->naxes];
        int rc = sk__axis_target(e, key, ax, why, sizeof why);
        if (rc < 0) return rc == SK_ENOMEM ? rc : sk_exp__err(d, rc, kl, kc, path, "%s", why);
        e->naxes++;
        for (size_t j = 0; j + 1 < e->naxes; j++)
            if (!strcmp(e->axes[j].key, ax->key))
                return sk_exp__err(d, SK_ECONFIG, kl, kc, path, "the same parameter is swept twice (as '%s')", ax->key);
        size_t cap = 0;
        if (vn->type == YAML_SCALAR_NODE) {
            rc = sk__axis_add(ax, &cap, (const char *)vn->data.scalar.value, why, sizeof why);
            if (rc < 0)
                return rc == SK_ENOMEM ? rc : sk_exp__err(d, rc, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, path, "%s", why);
        } else if (vn->type == YAML_SEQUENCE_NODE) {
            int idx = 0;
            for (yaml_node_item_t *it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++, idx++) {
                yaml_node_t *x = yaml_document_get_node(doc, *it);
                char ipath[1200];
                snprintf(ipath, sizeof ipath, "%s[%d]", path, idx);
                if (x->type != YAML_SCALAR_NODE)
                    return sk_exp__err(d, SK_ECONFIG, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ipath,
                                   "expected %s, got %s", sk_ptype_expect(ax->def->type), sk_exp__ykind(x));
                rc = sk__axis_add(ax, &cap, (const char *)x->data.scalar.value, why, sizeof why);
                if (rc < 0)
                    return rc == SK_ENOMEM ? rc : sk_exp__err(d, rc, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ipath, "%s", why);
            }
        } else {
            return sk_exp__err(d, SK_ECONFIG, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, path,
                           "expected a list of values or a range FROM..TO[:STEP], got a mapping");
        }
        if (ax->n == 0)
            return sk_exp__err(d, SK_ECONFIG, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, path,
                           "empty sweep: give at least one value");
        if (ax->def->type == SK_PT_PATH) /* no ranges: entry j of a list is value j */
            for (size_t j = 0; j < ax->n; j++) {
                rc = sk_exp__resolve_path(e->file, &ax->vals[j], why, sizeof why);
                if (rc == SK_ENOMEM) return rc;
                if (rc < 0 && vn->type == YAML_SEQUENCE_NODE) {
                    yaml_node_t *x = yaml_document_get_node(doc, vn->data.sequence.items.start[j]);
                    char ipath[1200];
                    snprintf(ipath, sizeof ipath, "%s[%zu]", path, j);
                    return sk_exp__err(d, rc, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ipath, "%s", why);
                }
                if (rc < 0) return sk_exp__err(d, rc, (int)vn->start_mark.line + 1, (int)vn->start_mark.column + 1, path, "%s", why);
            }
    }
    return 0;
}

/* --set sweep.KEY=v1,v2 | a..b[:s] | "" (remove). */
int sk_exp__axes_from_sets(sk_exp *e, sk_sets *s, sk_diag *d) {
    for (size_t i = 0; i < s->n; i++) {
        if (strncmp(s->v[i], "sweep.", 6)) continue;
        s->used[i] = 1;
        const char *eq = strchr(s->v[i], '=');
        char key[1024];
        snprintf(key, sizeof key, "%.*s", (int)(eq - s->v[i] - 6), s->v[i] + 6);
        const char *val = eq + 1;
        char why[512], full[1100];
        snprintf(full, sizeof full, "sweep.%s", key);
        sk_axis ax = {0};
        int rc = sk__axis_target(e, key, &ax, why, sizeof why);
        if (rc < 0) return rc == SK_ENOMEM ? rc : sk_exp__set_err(d, full, val, "%s", why);
        size_t j = 0;
        while (j < e->naxes && strcmp(e->axes[j].key, ax.key)) j++;
        if (j == e->naxes) {
            sk_axis *na = realloc(e->axes, (e->naxes + 1) * sizeof *na);
            if (!na) { free(ax.key); return SK_ENOMEM; }
            e->axes = na;
            e->axes[e->naxes++] = ax;
        } else {
            sk_ptype t = e->axes[j].def->type;
            sk_exp__axis_fini(&e->axes[j], t);
            e->axes[j] = ax;
        }
        sk_axis *a = &e->axes[j];
        if (!*val) { /* remove */
            sk_exp__axis_fini(a, a->def->type);
            memmove(a, a + 1, (e->naxes - j - 1) * sizeof *a);
            e->naxes--;
            continue;
        }
        size_t cap = 0;
        char *copy = strdup(val);
        if (!copy) return SK_ENOMEM;
        for (char *tok = copy, *next; tok; tok = next) {
            if ((next = strchr(tok, ','))) *next++ = '\0';
            while (*tok == ' ') tok++;
            if (!*tok) { /* "1,,2" or "1,2,": a value lost to a typo is not dropped silently */
                snprintf(why, sizeof why, "empty value in the list (two commas, or one at an end?)");
                rc = SK_ECONFIG;
                break;
            }
            if ((rc = sk__axis_add(a, &cap, tok, why, sizeof why)) < 0) break;
        }
        free(copy);
        if (rc == 0 && a->n == 0) { snprintf(why, sizeof why, "empty sweep"); rc = SK_ECONFIG; }
        if (rc == 0 && a->def->type == SK_PT_PATH)
            for (size_t k = 0; k < a->n && rc == 0; k++) rc = sk_exp__resolve_path(e->file, &a->vals[k], why, sizeof why);
        if (rc < 0) return rc == SK_ENOMEM ? rc : (d->set ? rc : (sk_exp__set_err(d, full, val, "%s", why), rc));
    }
    return 0;
}

/* ---- plan ------------------------------------------------------------------------------------ */

int sk_run_scratch_init(sk_run_scratch *sc, const sk_exp *e) {
    size_t np = 0;
    for (size_t q = 0; q < e->npol; q++)
        if (e->pol[q].def->nparams > np) np = e->pol[q].def->nparams;
    sc->ns = e->kind->nparams;
    sc->np = np;
    sc->s = calloc(sc->ns + 1, sizeof *sc->s);
    sc->p = calloc(np + 1, sizeof *sc->p);
    if (!sc->s || !sc->p) {
        sk_run_scratch_fini(sc);
        return SK_ENOMEM;
    }
    return 0;
}

void sk_run_scratch_fini(sk_run_scratch *sc) {
    free(sc->s);
    free(sc->p);
    memset(sc, 0, sizeof *sc);
}

void sk_exp_run_at(const sk_exp *e, uint64_t i, sk_run_scratch *sc, sk_run_spec *spec) {
    sk_plan_run pr = sk_plan_at(&e->plan, i);
    spec->index = pr.index;
    spec->replication = pr.replication;
    spec->policy = (size_t)pr.policy;
    spec->point = pr.point;
    spec->world_index = pr.world_index;
    memcpy(sc->s, e->sparams, e->kind->nparams * sizeof *sc->s);
    const sk_policy_use *pu = e->npol ? &e->pol[spec->policy] : NULL;
    if (pu) memcpy(sc->p, pu->params, pu->def->nparams * sizeof *sc->p);
    for (size_t a = 0; a < e->naxes; a++) {
        const sk_axis *ax = &e->axes[a];
        const sk_value *v = &ax->vals[sk_plan_axis_at(&e->plan, spec->point, a)];
        if (!ax->pol) sc->s[ax->pidx] = *v;
        else if (pu && pu->def == ax->pol) sc->p[ax->pidx] = *v;
    }
    spec->sparams = sc->s;
    spec->pparams = pu ? sc->p : NULL;
}
