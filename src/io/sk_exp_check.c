/* sk_exp_check.c - validation of every sweep point: the kind's cross-parameter and data checks,
 * positioned at the key (or sweep entry) that gave the offending value. */
#include "io/sk_exp_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_error.h"

/* Where a failed cross-check points for scenario parameter `bad` at sweep point `point`: the sweep
 * entry that gave its value, else its key in the file, else the scenario mapping. The key path goes
 * to path. */
static void sk__check_pos(const sk_exp *e, const sk_ytree *t, size_t bad, uint64_t point, char *path, size_t plen,
                          int *l, int *c) {
    const sk_ynode *sw = sk_exp__ylook(t, "sweep");
    for (size_t a = 0; a < e->naxes; a++) {
        const sk_axis *ax = &e->axes[a];
        if (ax->pol || (size_t)ax->pidx != bad) continue;
        if (!sw || sw->node->type != YAML_MAPPING_NODE) break; /* swept by --set */
        yaml_document_t *doc = (yaml_document_t *)&t->doc;
        for (yaml_node_pair_t *p = sw->node->data.mapping.pairs.start; p < sw->node->data.mapping.pairs.top; p++) {
            yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
            const char *ks = (const char *)kn->data.scalar.value;
            if (strcmp(ks, ax->key) && strcmp(ks, ax->key + 9)) continue; /* "scenario.lps" or "lps" */
            /* a plain list (no ranges) has one entry per value: point at the entry */
            size_t idx = sk_plan_axis_at(&e->plan, point, a), ni = 0;
            int plain = vn->type == YAML_SEQUENCE_NODE;
            for (yaml_node_item_t *it = plain ? vn->data.sequence.items.start : NULL; plain && it < vn->data.sequence.items.top; it++, ni++) {
                yaml_node_t *x = yaml_document_get_node(doc, *it);
                if (x->type != YAML_SCALAR_NODE || strstr((const char *)x->data.scalar.value, "..")) plain = 0;
            }
            if (plain && ni == ax->n) snprintf(path, plen, "sweep.%s[%zu]", ks, idx);
            else snprintf(path, plen, "sweep.%s", ks);
            if (sk_exp__pos(t, path, l, c)) return;
        }
        break;
    }
    snprintf(path, plen, "scenario.%s", e->kind->params[bad].name);
    if (sk_exp__pos(t, path, l, c)) return;
    const sk_ynode *sn = sk_exp__ylook(t, "scenario"); /* a default value: point at "scenario:" */
    *l = sn ? sn->kline : 0;
    *c = sn ? sn->kcol : 0;
}

/* " (at sweep point K=V, ...)" for sweep point `point` into at[0..len) ("" without axes); long
 * values (strings) can fill it: then it ends in "...)" (snprintf returns the untruncated length,
 * so o is kept in bounds). */
static void sk__point_desc(const sk_exp *e, uint64_t point, char *at, size_t len) {
    size_t o = 0;
    at[0] = 0;
    for (size_t a = 0; a < e->naxes && o + 1 < len; a++) {
        int k = snprintf(at + o, len - o, "%s%s=", a ? ", " : " (at sweep point ", e->axes[a].key);
        if (k < 0 || (size_t)k >= len - o) {
            o = len - 1;
            break;
        }
        o += (size_t)k;
        FILE *mf = fmemopen(at + o, len - o, "w");
        if (mf) {
            sk_value_print(mf, &e->axes[a].vals[sk_plan_axis_at(&e->plan, point, a)], e->axes[a].def->type);
            fclose(mf);
            o = strlen(at);
        }
    }
    if (e->naxes && o + 1 < len) snprintf(at + o, len - o, ")");
    else if (e->naxes) memcpy(at + len - 5, "...)", 5);
}

/* The position and key path a note or failure about scenario parameter `bad` (-1: none) of policy
 * `pd` (NULL: none) at sweep point `point` points to. */
static const char *sk__where(const sk_exp *e, const sk_ytree *t, int bad, const sk_policy_def *pd, size_t policy,
                             uint64_t point, char *path, size_t plen, int *l, int *c) {
    if (bad >= 0) sk__check_pos(e, t, (size_t)bad, point, path, plen, l, c);
    else if (pd) snprintf(path, plen, "policies[%zu]", policy), sk_exp__pos(t, path, l, c);
    else sk_exp__pos(t, "scenario", l, c);
    return bad >= 0 || pd ? path : "scenario";
}

/* Append one warning line to e->warnings (the first SK_EXP_MAX_WARNINGS; *nwarn counts all). */
static int sk__warn(sk_exp *e, uint64_t *nwarn, const char *line) {
    if ((*nwarn)++ >= SK_EXP_MAX_WARNINGS) return 0;
    size_t have = e->warnings ? strlen(e->warnings) : 0, add = strlen(line);
    char *w = realloc(e->warnings, have + add + 2);
    if (!w) return SK_ENOMEM;
    memcpy(w + have, line, add);
    memcpy(w + have + add, "\n", 2);
    e->warnings = w;
    return 0;
}

/* Cross-parameter and data checks (the kind's check and check_data hooks) for every sweep point
 * (the first SK_EXP_MAX_CHECKS) and policy, and the kind's notes on degenerate points (warn hook)
 * into e->warnings. check_data fills e->shared, the kind's data cache, which the runs then share.
 * Returns 0 or the first failure as a positioned diagnostic. */
int sk_exp__check_points(sk_exp *e, const sk_ytree *t, sk_diag *d) {
    const sk_scenario_kind *k = e->kind;
    if (!k->check && !k->check_data && !k->warn) return 0;
    char why[512], path[1300], at[600];
    int rc = 0, l, c;
    sk_run_scratch sc;
    if ((rc = sk_run_scratch_init(&sc, e)) < 0) return rc;
    if (k->check_data && !(e->shared = k->shared_new())) {
        sk_run_scratch_fini(&sc);
        return SK_ENOMEM;
    }
    uint64_t npts = e->npoints < SK_EXP_MAX_CHECKS ? e->npoints : SK_EXP_MAX_CHECKS;
    uint64_t Q = e->plan.npolicies, nwarn = 0;
    for (uint64_t p = 0; p < npts * Q && rc == 0; p++) {
        sk_run_spec spec;
        sk_exp_run_at(e, sk_plan_index(&e->plan, p / Q, p % Q, 0), &sc, &spec);
        int bad = -1;
        const sk_policy_def *pd = e->npol ? e->pol[spec.policy].def : NULL;
        if (k->check) rc = k->check(spec.sparams, pd, spec.pparams, &bad, why, sizeof why);
        if (rc == 0 && k->check_data && p % Q == 0) /* scenario data: once per point */
            rc = k->check_data(e->shared, spec.sparams, e->file, &bad, why, sizeof why);
        if (rc == SK_ENOMEM) break;
        if (rc < 0) {
            const char *key = sk__where(e, t, bad, pd, spec.policy, spec.point, path, sizeof path, &l, &c);
            sk__point_desc(e, spec.point, at, sizeof at);
            rc = sk_exp__err(d, rc, l, c, key, "%s%s", why, at);
            break;
        }
        bad = -1;
        if (k->warn && p % Q == 0 && k->warn(spec.sparams, &bad, why, sizeof why) > 0) {
            const char *key = sk__where(e, t, bad, NULL, 0, spec.point, path, sizeof path, &l, &c);
            sk__point_desc(e, spec.point, at, sizeof at);
            char line[2600];
            if (l > 0) snprintf(line, sizeof line, "%s:%d:%d: %s: %s%s", e->file, l, c, key, why, at);
            else snprintf(line, sizeof line, "%s: %s: %s%s", e->file, key, why, at);
            sk_exp__oneline(line);
            rc = sk__warn(e, &nwarn, line);
        }
    }
    if (rc == 0 && nwarn > SK_EXP_MAX_WARNINGS) {
        snprintf(path, sizeof path, "%s: ... and %llu more sweep points with warnings", e->file,
                 (unsigned long long)(nwarn - SK_EXP_MAX_WARNINGS));
        nwarn = 0;
        rc = sk__warn(e, &nwarn, path);
    }
    sk_run_scratch_fini(&sc);
    return rc;
}
