/* sk_exp.c - experiment files: the loader. It runs the passes in order (YAML text, schema, values
 * and --set overrides, sweep axes, plan, checks, resolved text) and owns the sk_exp it fills.
 * The passes live in sk_exp_yaml.c, sk_exp_schema.c, sk_exp_sets.c, sk_exp_sweep.c,
 * sk_exp_check.c and sk_exp_resolve.c; their shared declarations in sk_exp_int.h. */
#include "io/sk_exp_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/sk_trace.h"
#include "sk_error.h"

/* ---- small value checks --------------------------------------------------------------------------------- */

/* A seed: decimal digits only, 0 .. 2^64-1. Returns 0 or SK_ECONFIG. */
static int sk__parse_seed(const char *text, uint64_t *out) {
    char *end;
    if (*text < '0' || *text > '9') return SK_ECONFIG;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (*end || errno) return SK_ECONFIG;
    *out = v;
    return 0;
}

/* A PATH value must name a readable file (absolute, relative to the experiment file's folder or
 * the working directory, or found on the trace search path). The value stays as written, so the
 * resolved configuration, its sha256 and /summary do not depend on where the data lives; runs
 * resolve it again (sk_trace_find with the experiment file). */
int sk_exp__resolve_path(const char *expfile, sk_value *v, char *why, size_t wlen) {
    char found[4096];
    int rc = sk_trace_find(v->s, expfile, found, sizeof found);
    if (rc == SK_ENOMEM) return rc;
    if (rc < 0) {
        snprintf(why, wlen, "data file '%s' not found (looked next to the experiment file, in the working "
                 "directory and on the trace search path: $SYNKTI_TRACES, ../shared/traces, traces/data)", v->s);
        return SK_ENOINPUT;
    }
    return 0;
}

static int sk__name_ok(const char *s) {
    if (!*s || strlen(s) > 200) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.", *p)))
            return 0;
    return s[0] != '.';
}

/* ---- load ------------------------------------------------------------------------------------ */

void sk_exp_fini(sk_exp *e) {
    if (!e) return;
    if (e->kind && e->sparams)
        for (size_t i = 0; i < e->kind->nparams; i++) sk_value_fini(&e->sparams[i]);
    free(e->sparams);
    for (size_t q = 0; q < e->npol; q++) {
        if (e->pol[q].params)
            for (size_t i = 0; i < e->pol[q].def->nparams; i++) sk_value_fini(&e->pol[q].params[i]);
        free(e->pol[q].params);
    }
    free(e->pol);
    for (size_t a = 0; a < e->naxes; a++) sk_exp__axis_fini(&e->axes[a], e->axes[a].def ? e->axes[a].def->type : SK_PT_INT);
    free(e->axes);
    free(e->axis_len);
    if (e->shared) e->kind->shared_free(e->shared);
    free(e->file);
    free(e->name);
    free(e->output);
    free(e->resolved);
    free(e->warnings);
    memset(e, 0, sizeof *e);
}

/* A quoted scalar is a string in YAML: refused where a number or a boolean is expected, so that
 * `lps: "16"` is the type error it is. (Sweep entries are not checked: a range may be quoted.) */
static int sk__quoted_value(const sk_ytree *t, const char *path, const sk_param_def *p, char *why, size_t wlen) {
    if (p->type == SK_PT_STR || p->type == SK_PT_PATH) return 0;
    const sk_ynode *yn = sk_exp__ylook(t, path);
    if (!yn || !yn->node || yn->node->type != YAML_SCALAR_NODE) return 0;
    yaml_scalar_style_t st = yn->node->data.scalar.style;
    if (st != YAML_SINGLE_QUOTED_SCALAR_STYLE && st != YAML_DOUBLE_QUOTED_SCALAR_STYLE) return 0;
    snprintf(why, wlen, "expected %s, got a quoted string (write it without quotes)", sk_ptype_expect(p->type));
    return SK_ECONFIG;
}

/* Fill a parameter vector from defaults, the libcyaml slots (file), then --set; check each.
 * `base` is the key path prefix ("scenario" or "policies[2].params"); `setbase` the --set prefix
 * ("scenario" or "policies.NAME"). */
static int sk__params(sk_exp *e, const sk_ytree *t, sk_diag *d, sk_sets *sets, const sk_param_def *defs, size_t n,
                      void **slots, const size_t *slot_of, const char *base, const char *setbase, sk_value *out) {
    char why[512], path[1200], skey[1200];
    for (size_t i = 0; i < n; i++) {
        const sk_param_def *p = &defs[i];
        snprintf(path, sizeof path, "%s.%s", base, p->name);
        snprintf(skey, sizeof skey, "%s.%s", setbase, p->name);
        int l, c, rc;
        sk_exp__pos(t, path, &l, &c);
        const char *sv = sk_exp__set_get(sets, skey);
        void *slot = slots ? slots[slot_of ? slot_of[i] : i] : NULL;
        if (sv) {
            if ((rc = sk_param_parse(p, sv, &out[i], why, sizeof why)) < 0)
                return rc == SK_ENOMEM ? rc : sk_exp__set_err(d, skey, sv, "%s", why);
            l = 0;
        } else if (slot) {
            if ((rc = sk__quoted_value(t, path, p, why, sizeof why)) < 0 ||
                (rc = sk_param_parse(p, (const char *)slot, &out[i], why, sizeof why)) < 0)
                return rc == SK_ENOMEM ? rc : sk_exp__err(d, rc, l, c, path, "%s", why);
        } else if (p->def) {
            if ((rc = sk_param_parse(p, p->def, &out[i], why, sizeof why)) < 0)
                sk_die(SK_LOC, "default '%s' of %s does not parse: %s", p->def, p->name, why);
            l = 0;
        } else {
            /* a required scenario parameter may be given by a sweep axis alone: its first value
             * becomes the base value once the axes are read (sk__fill_from_axes) */
            char sw1[1300], sw2[1300];
            snprintf(sw1, sizeof sw1, "sweep.%s", p->name);
            snprintf(sw2, sizeof sw2, "sweep.scenario.%s", p->name);
            if (!strcmp(base, "scenario") && (sk_exp__ylook(t, sw1) || sk_exp__ylook(t, sw2) || sk_exp__set_peek(sets, sw1) || sk_exp__set_peek(sets, sw2)))
                continue;
            sk_exp__pos(t, base, &l, &c);
            return sk_exp__err(d, SK_ECONFIG, l, c, path, "missing: required (%s, %s)", sk_ptype_expect(p->type), p->help);
        }
        if (p->type == SK_PT_PATH && (rc = sk_exp__resolve_path(e->file, &out[i], why, sizeof why)) < 0) {
            if (rc == SK_ENOMEM) return rc;
            if (sv) return sk_exp__set_err(d, skey, sv, "%s", why), rc;
            return sk_exp__err(d, rc, l, c, path, "%s", why);
        }
    }
    return 0;
}

static int sk__load(sk_exp *e, const sk_scenario_kind *const *kinds, sk_diag *d, const char *text, size_t len,
                    sk_sets *sets) {
    sk_ytree t;
    sk_schema sch;
    int have_schema = 0;
    sk_y_top *y = NULL;
    cyaml_config_t cfg = {0};
    sk_cylog lg = {.n = 0};
    char why[512];
    int rc = sk_exp__ytree_load(&t, d, text, len);
    if (rc < 0) goto out;

    /* the kind decides the schema */
    const char *kname = sk_exp__set_get(sets, "scenario.kind");
    const sk_ynode *sn = sk_exp__ylook(&t, "scenario"), *kn = sk_exp__ylook(&t, "scenario.kind");
    if (!kname) {
        if (!sn) { rc = sk_exp__err(d, SK_ECONFIG, 1, 1, "scenario", "missing: required (a mapping with kind: and its parameters)"); goto out; }
        if (sn->node->type != YAML_MAPPING_NODE) {
            rc = sk_exp__err(d, SK_ECONFIG, sn->vline, sn->vcol, "scenario", "expected a mapping with kind: and its parameters, got %s", sk_exp__ykind(sn->node));
            goto out;
        }
        if (!kn) { rc = sk_exp__err(d, SK_ECONFIG, sn->vline, sn->vcol, "scenario.kind", "missing: required (one of: phold)"); goto out; }
        if (kn->node->type != YAML_SCALAR_NODE) {
            rc = sk_exp__err(d, SK_ECONFIG, kn->vline, kn->vcol, "scenario.kind", "expected a name, got %s", sk_exp__ykind(kn->node));
            goto out;
        }
        kname = (const char *)kn->node->data.scalar.value;
    }
    for (size_t i = 0; kinds[i] && !e->kind; i++)
        if (!strcmp(kinds[i]->name, kname)) e->kind = kinds[i];
    if (!e->kind) {
        char known[256] = "";
        size_t o = 0;
        for (size_t i = 0; kinds[i] && o < sizeof known; i++)
            o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", i ? ", " : "", kinds[i]->name);
        if (sk_exp__set_get(sets, "scenario.kind")) rc = sk_exp__set_err(d, "scenario.kind", kname, "unknown scenario kind (known: %s)", known);
        else rc = sk_exp__err(d, SK_ECONFIG, kn->vline, kn->vcol, "scenario.kind", "unknown scenario kind '%s' (known: %s)", kname, known);
        goto out;
    }

    /* policies: a list of mappings; say so plainly before libcyaml does */
    const sk_ynode *pn = sk_exp__ylook(&t, "policies");
    if (pn) {
        if (pn->node->type != YAML_SEQUENCE_NODE) {
            rc = sk_exp__err(d, SK_ECONFIG, pn->vline, pn->vcol, "policies", "expected a list of {name: ..., params: {...}}, got %s", sk_exp__ykind(pn->node));
            goto out;
        }
        if (pn->node->data.sequence.items.top == pn->node->data.sequence.items.start) {
            rc = sk_exp__err(d, SK_ECONFIG, pn->vline, pn->vcol, "policies", "empty list: name at least one policy, or leave the key out for the default");
            goto out;
        }
        int q = 0;
        for (yaml_node_item_t *it = pn->node->data.sequence.items.start; it < pn->node->data.sequence.items.top; it++, q++) {
            yaml_node_t *x = yaml_document_get_node(&t.doc, *it);
            if (x->type == YAML_MAPPING_NODE) continue;
            char ip[64];
            snprintf(ip, sizeof ip, "policies[%d]", q);
            if (x->type == YAML_SCALAR_NODE)
                rc = sk_exp__err(d, SK_ECONFIG, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ip,
                             "expected a mapping, got '%s' (write '- name: %s')", x->data.scalar.value, x->data.scalar.value);
            else
                rc = sk_exp__err(d, SK_ECONFIG, (int)x->start_mark.line + 1, (int)x->start_mark.column + 1, ip,
                             "expected a mapping {name: ..., params: {...}}, got %s", sk_exp__ykind(x));
            goto out;
        }
    }

    if ((rc = sk_exp__schema_init(&sch, e->kind)) < 0) goto out;
    have_schema = 1;
    cfg.log_fn = sk_exp__cylog;
    cfg.log_ctx = &lg;
    cfg.mem_fn = cyaml_mem;
    cfg.log_level = CYAML_LOG_ERROR;
    cfg.flags = CYAML_CFG_NO_ALIAS;
    cyaml_err_t ce = cyaml_load_data((const uint8_t *)text, len, &cfg, &sch.top, (cyaml_data_t **)&y, NULL);
    if (ce == CYAML_ERR_OOM) { rc = SK_ENOMEM; goto out; }
    if (ce != CYAML_OK) {
        if (!lg.n) snprintf(lg.buf, sizeof lg.buf, "Load: %s\n", cyaml_strerror(ce)), lg.n = 1;
        rc = sk_exp__cyaml_diag(d, &t, &lg, e->kind);
        goto out;
    }
    if (!y) { rc = sk_exp__err(d, SK_ECONFIG, 1, 1, NULL, "empty file"); goto out; }

    /* top-level scalars */
    int l, c;
    const char *sv;
    if ((sv = sk_exp__set_get(sets, "name"))) {
        if (!sk__name_ok(sv)) { rc = sk_exp__set_err(d, "name", sv, "expected letters, digits, '-', '_' or '.' (not first), at most 200"); goto out; }
        e->name = strdup(sv);
    } else if (y->name) {
        sk_exp__pos(&t, "name", &l, &c);
        if (!sk__name_ok(y->name)) { rc = sk_exp__err(d, SK_ECONFIG, l, c, "name", "expected letters, digits, '-', '_' or '.' (not first), at most 200 bytes, got '%s'", y->name); goto out; }
        e->name = strdup(y->name);
    } else {
        rc = sk_exp__err(d, SK_ECONFIG, 1, 1, "name", "missing: required (names the experiment and its default output file)");
        goto out;
    }
    if (!e->name) { rc = SK_ENOMEM; goto out; }

    static const sk_param_def reps_def = {"replications", SK_PT_INT, "1", 1, 1e6, "replications"};
    sk_value v;
    if ((sv = sk_exp__set_get(sets, "seed"))) {
        if (sk__parse_seed(sv, &e->seed) < 0) { rc = sk_exp__set_err(d, "seed", sv, "expected an integer in [0, 18446744073709551615]"); goto out; }
    } else if (y->seed) {
        sk_exp__pos(&t, "seed", &l, &c);
        if (sk__parse_seed(y->seed, &e->seed) < 0) {
            rc = sk_exp__err(d, SK_ECONFIG, l, c, "seed", "expected an integer in [0, 18446744073709551615], got '%s'", y->seed);
            goto out;
        }
    } else {
        e->seed = 1;
    }
    if ((sv = sk_exp__set_get(sets, "replications"))) {
        if ((rc = sk_param_parse(&reps_def, sv, &v, why, sizeof why)) < 0) { rc = sk_exp__set_err(d, "replications", sv, "%s", why); goto out; }
        e->replications = v.i;
    } else if (y->replications) {
        sk_exp__pos(&t, "replications", &l, &c);
        if ((rc = sk_param_parse(&reps_def, y->replications, &v, why, sizeof why)) < 0) { rc = sk_exp__err(d, rc, l, c, "replications", "%s", why); goto out; }
        e->replications = v.i;
    } else {
        e->replications = 1;
    }
    const char *out = (sv = sk_exp__set_get(sets, "output")) ? sv : y->output;
    if (out && !*out) {
        if (sv) rc = sk_exp__set_err(d, "output", sv, "expected a file name");
        else { sk_exp__pos(&t, "output", &l, &c); rc = sk_exp__err(d, SK_ECONFIG, l, c, "output", "expected a file name, got an empty string"); }
        goto out;
    }
    if (out) e->output = strdup(out);
    else if ((e->output = malloc(strlen(e->name) + 4))) sprintf(e->output, "%s.h5", e->name);
    if (!e->output) { rc = SK_ENOMEM; goto out; }

    static const sk_param_def series_def = {"series", SK_PT_BOOL, "false", 0, 0, "per-run time series"};
    if ((sv = sk_exp__set_get(sets, "series"))) {
        if ((rc = sk_param_parse(&series_def, sv, &v, why, sizeof why)) < 0) { rc = sk_exp__set_err(d, "series", sv, "%s", why); goto out; }
        e->series = (int)v.i;
    } else if (y->series) { /* libcyaml's BOOL reads any word but a few as true */
        sk_exp__pos(&t, "series", &l, &c);
        if ((rc = sk_param_parse(&series_def, y->series, &v, why, sizeof why)) < 0) { rc = sk_exp__err(d, rc, l, c, "series", "%s", why); goto out; }
        e->series = (int)v.i;
    } else {
        e->series = 0;
    }

    /* scenario parameters */
    if (!(e->sparams = calloc(e->kind->nparams + 1, sizeof *e->sparams))) { rc = SK_ENOMEM; goto out; }
    size_t *sl = calloc(e->kind->nparams + 1, sizeof *sl);
    if (!sl) { rc = SK_ENOMEM; goto out; }
    for (size_t i = 0; i < e->kind->nparams; i++) sl[i] = 1 + i;
    rc = sk__params(e, &t, d, sets, e->kind->params, e->kind->nparams, y->scenario, sl, "scenario", "scenario", e->sparams);
    free(sl);
    if (rc < 0) goto out;

    /* policies */
    const char *pset = sk_exp__set_get(sets, "policies");
    if (e->kind->npolicies == 0) {
        if (y->policies || pset) {
            sk_exp__pos(&t, "policies", &l, &c);
            if (pset) rc = sk_exp__set_err(d, "policies", pset, "scenario kind '%s' takes no policies", e->kind->name);
            else rc = sk_exp__err(d, SK_ECONFIG, l, c, "policies", "scenario kind '%s' takes no policies", e->kind->name);
            goto out;
        }
    } else {
        char *names[256];
        size_t nn = 0;
        char *pcopy = NULL;
        if (pset) {
            if (!(pcopy = strdup(pset))) { rc = SK_ENOMEM; goto out; }
            for (char *save = NULL, *tok = strtok_r(pcopy, ",", &save); tok && nn < 256; tok = strtok_r(NULL, ",", &save)) names[nn++] = tok;
        } else if (y->policies) {
            for (unsigned q = 0; q < y->policies_count && nn < 256; q++) names[nn++] = y->policies[q].name;
        } else {
            names[nn++] = (char *)e->kind->policies[0]->name;
        }
        if (nn == 0 || (y->policies && y->policies_count > 256)) {
            sk_exp__pos(&t, "policies", &l, &c);
            free(pcopy);
            if (pset) rc = sk_exp__set_err(d, "policies", pset, "expected 1 to 256 policy names");
            else rc = sk_exp__err(d, SK_ECONFIG, l, c, "policies", "expected 1 to 256 policies, got %u", y->policies_count);
            goto out;
        }
        if (!(e->pol = calloc(nn, sizeof *e->pol))) { free(pcopy); rc = SK_ENOMEM; goto out; }
        for (size_t q = 0; q < nn && rc == 0; q++) {
            char path[64], base[1100], setbase[1100];
            snprintf(path, sizeof path, "policies[%zu]", q);
            if (!names[q]) {
                sk_exp__pos(&t, path, &l, &c);
                rc = sk_exp__err(d, SK_ECONFIG, l, c, path, "missing: name");
                break;
            }
            const sk_policy_def *pd = sk_scenario_policy(e->kind, names[q]);
            if (!pd) {
                char known[512] = "";
                size_t o = 0;
                for (size_t k = 0; k < e->kind->npolicies && o < sizeof known; k++)
                    o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", k ? ", " : "", e->kind->policies[k]->name);
                snprintf(base, sizeof base, "%s.name", path);
                sk_exp__pos(&t, base, &l, &c);
                if (pset) rc = sk_exp__set_err(d, "policies", pset, "unknown policy '%s' for scenario kind '%s' (known: %s)", names[q], e->kind->name, known);
                else rc = sk_exp__err(d, SK_ECONFIG, l, c, base, "unknown policy '%s' for scenario kind '%s' (known: %s)", names[q], e->kind->name, known);
                break;
            }
            for (size_t k = 0; k < q; k++)
                if (e->pol[k].def == pd) {
                    snprintf(base, sizeof base, "%s.name", path);
                    sk_exp__pos(&t, base, &l, &c);
                    rc = pset ? sk_exp__set_err(d, "policies", pset, "policy '%s' listed twice", pd->name)
                              : sk_exp__err(d, SK_ECONFIG, l, c, base, "policy '%s' listed twice (sweep its parameters instead)", pd->name);
                }
            if (rc < 0) break;
            e->pol[q].def = pd;
            e->npol = q + 1;
            if (!(e->pol[q].params = calloc(pd->nparams + 1, sizeof(sk_value)))) { rc = SK_ENOMEM; break; }
            void **slots = (!pset && y->policies) ? y->policies[q].params : NULL;
            /* params given that this policy does not take */
            if (slots)
                for (size_t j = 0; j < sch.npp && rc == 0; j++)
                    if (slots[j] && sk_param_find(pd->params, pd->nparams, sch.pp_def[j]->name) < 0) {
                        snprintf(base, sizeof base, "%s.params.%s", path, sch.pp_def[j]->name);
                        const sk_ynode *yn = sk_exp__ylook(&t, base);
                        rc = sk_exp__err(d, SK_ECONFIG, yn ? yn->kline : 0, yn ? yn->kcol : 0, base, "not a parameter of policy '%s'", pd->name);
                    }
            if (rc < 0) break;
            size_t slot_of[64];
            for (size_t j = 0; j < pd->nparams && j < 64; j++) {
                size_t m = 0;
                while (m < sch.npp && strcmp(sch.pp_def[m]->name, pd->params[j].name)) m++;
                slot_of[j] = m;
            }
            snprintf(base, sizeof base, "%s.params", path);
            snprintf(setbase, sizeof setbase, "policies.%s", pd->name);
            rc = sk__params(e, &t, d, sets, pd->params, pd->nparams, slots, slot_of, base, setbase, e->pol[q].params);
        }
        free(pcopy);
        if (rc < 0) goto out;
    }

    /* sweep */
    if ((rc = sk_exp__axes_from_tree(e, &t, d)) < 0) goto out;
    if ((rc = sk_exp__axes_from_sets(e, sets, d)) < 0) goto out;
    /* required scenario parameters given only as sweep axes take the axis's first value */
    for (size_t i = 0; i < e->kind->nparams; i++) {
        const sk_param_def *p = &e->kind->params[i];
        if (p->def || ((p->type == SK_PT_STR || p->type == SK_PT_PATH) && e->sparams[i].s)) continue;
        if (p->type != SK_PT_STR && p->type != SK_PT_PATH) continue; /* numbers always have defaults */
        size_t a = 0;
        while (a < e->naxes && !(e->axes[a].pol == NULL && e->axes[a].pidx == (int)i)) a++;
        if (a == e->naxes) {
            sk_exp__pos(&t, "scenario", &l, &c);
            rc = sk_exp__err(d, SK_ECONFIG, l, c, "scenario", "missing: %s (required: %s, %s)", p->name, sk_ptype_expect(p->type), p->help);
            goto out;
        }
        if ((rc = sk_value_copy(&e->sparams[i], &e->axes[a].vals[0], p->type)) < 0) goto out;
    }
    e->npoints = 1;
    for (size_t a = 0; a < e->naxes; a++) {
        if (e->npoints > SK_EXP_MAX_RUNS / e->axes[a].n) {
            sk_exp__pos(&t, "sweep", &l, &c);
            rc = sk_exp__err(d, SK_ECONFIG, l, c, "sweep", "more than %llu sweep points; split the experiment", SK_EXP_MAX_RUNS);
            goto out;
        }
        e->npoints *= e->axes[a].n;
    }
    uint64_t per = (uint64_t)e->replications * (e->npol ? e->npol : 1);
    if (e->npoints > SK_EXP_MAX_RUNS / per) {
        const char *at = sk_exp__ylook(&t, "sweep") ? "sweep" : sk_exp__ylook(&t, "replications") ? "replications" : "policies";
        sk_exp__pos(&t, at, &l, &c);
        rc = sk_exp__err(d, SK_ECONFIG, l, c, at, "%llu sweep points x %zu policies x %lld replications is more than %llu runs; split the experiment",
                     (unsigned long long)e->npoints, e->npol ? e->npol : 1, (long long)e->replications, SK_EXP_MAX_RUNS);
        goto out;
    }
    if (e->naxes && !(e->axis_len = malloc(e->naxes * sizeof *e->axis_len))) { rc = SK_ENOMEM; goto out; }
    for (size_t a = 0; a < e->naxes; a++) e->axis_len[a] = e->axes[a].n;
    sk_plan_init(&e->plan, e->axis_len, e->naxes, e->npol, (uint64_t)e->replications);
    e->nruns = e->plan.nruns;

    /* unknown --set keys */
    for (size_t i = 0; i < sets->n; i++)
        if (!sets->used[i]) {
            const char *eq = strchr(sets->v[i], '=');
            char key[256];
            snprintf(key, sizeof key, "%.*s", (int)(eq - sets->v[i]), sets->v[i]);
            rc = sk_exp__set_err(d, key, eq + 1, "unknown key '%s' (keys: name, seed, replications, output, series, scenario.kind, scenario.PARAM, policies, policies.NAME.PARAM, sweep.KEY)", key);
            goto out;
        }

    /* cross-parameter and data checks, for every sweep point */
    if ((rc = sk_exp__check_points(e, &t, d)) < 0) goto out;
    rc = sk_exp__resolve_text(e);

out:
    if (y) cyaml_free(&cfg, &sch.top, y, 0);
    if (have_schema) sk_exp__schema_fini(&sch);
    sk_exp__ytree_fini(&t);
    return rc;
}

int sk_exp_load_text_from(sk_exp *e, const sk_scenario_kind *const *kinds, const char *path, const char *text,
                          size_t len, const char *const *sets, size_t nsets, char *err, size_t errlen) {
    memset(e, 0, sizeof *e);
    sk_diag d = {.file = path, .buf = err, .len = errlen};
    if (err && errlen) err[0] = 0;
    sk_sets s = {.v = sets, .n = nsets, .used = calloc(nsets + 1, 1)};
    if (!s.used) return SK_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < nsets; i++)
        if (!strchr(sets[i], '=') || sets[i][0] == '=') { /* a command line error, not a config one */
            if (err && errlen) snprintf(err, errlen, "--set %s: expected KEY.PATH=VALUE", sets[i]), sk_exp__oneline(err);
            d.set = 1;
            rc = SK_EUSAGE;
            break;
        }
    if (rc == 0 && !(e->file = strdup(path))) rc = SK_ENOMEM;
    if (rc == 0) rc = sk__load(e, kinds, &d, text, len, &s);
    free(s.used);
    if (rc < 0) {
        if (rc == SK_ENOMEM && !d.set) sk_exp__err(&d, rc, 0, 0, NULL, "out of memory");
        if (!d.set) sk_exp__err(&d, rc, 0, 0, NULL, "%s", sk_strerror(rc));
        sk_exp_fini(e);
    }
    return rc;
}

int sk_exp_load_from(sk_exp *e, const sk_scenario_kind *const *kinds, const char *path, const char *const *sets,
                     size_t nsets, char *err, size_t errlen) {
    memset(e, 0, sizeof *e);
    sk_diag d = {.file = path, .buf = err, .len = errlen};
    FILE *f = fopen(path, "rb");
    if (!f) return sk_exp__err(&d, errno == ENOENT ? SK_ENOINPUT : SK_ENOINPUT, 0, 0, NULL, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= SK_EXP_MAX_FILE) { rc = sk_exp__err(&d, SK_ECONFIG, 0, 0, NULL, "larger than %u MiB; not an experiment file?", SK_EXP_MAX_FILE >> 20); break; }
            cap = cap ? 2 * cap : 65536;
            char *nb = realloc(buf, cap + 1);
            if (!nb) { rc = SK_ENOMEM; break; }
            buf = nb;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0) {
            if (ferror(f)) rc = sk_exp__err(&d, SK_ENOINPUT, 0, 0, NULL, "read error: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    if (rc == 0) rc = sk_exp_load_text_from(e, kinds, path, buf ? buf : "", len, sets, nsets, err, errlen);
    free(buf);
    return rc;
}
