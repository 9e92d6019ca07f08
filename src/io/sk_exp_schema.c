/* sk_exp_schema.c - experiment files, pass 2: the libcyaml schema built from the scenario kind's
 * and its policies' parameter tables (types, unknown and missing keys), and libcyaml's log turned
 * into one positioned diagnostic. */
#include "io/sk_exp_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_error.h"

/* ---- pass 2: libcyaml schema built from the kind's tables ------------------------------------ */

/* Every parameter is read as text (its slot holds a char *) and parsed by sk_param_parse, so the
 * file and --set accept the same values. */
static void sk__field_for(cyaml_schema_field_t *f, const sk_param_def *p, size_t slot, const cyaml_schema_value_t *str) {
    memset(f, 0, sizeof *f);
    f->key = p->name;
    f->data_offset = (uint32_t)(slot * sizeof(void *));
    f->value = *str;
    f->value.flags |= CYAML_FLAG_OPTIONAL;
}

void sk_exp__schema_fini(sk_schema *s) {
    free(s->scn_f);
    free(s->pp_f);
    free(s->pp_def);
}

int sk_exp__schema_init(sk_schema *s, const sk_scenario_kind *k) {
    memset(s, 0, sizeof *s);
    s->str_value = (cyaml_schema_value_t){CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED)};
    s->scn_f = calloc(k->nparams + 2, sizeof *s->scn_f);
    size_t cap = 0;
    for (size_t q = 0; q < k->npolicies; q++) cap += k->policies[q]->nparams;
    s->pp_f = calloc(cap + 1, sizeof *s->pp_f);
    s->pp_def = calloc(cap + 1, sizeof *s->pp_def);
    if (!s->scn_f || !s->pp_f || !s->pp_def) {
        sk_exp__schema_fini(s);
        return SK_ENOMEM;
    }
    s->scn_f[0] = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("kind", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                                               sk_y_top, name, 0, CYAML_UNLIMITED);
    s->scn_f[0].data_offset = 0;
    for (size_t i = 0; i < k->nparams; i++) sk__field_for(&s->scn_f[1 + i], &k->params[i], 1 + i, &s->str_value);
    for (size_t q = 0; q < k->npolicies; q++)
        for (size_t i = 0; i < k->policies[q]->nparams; i++) {
            const sk_param_def *p = &k->policies[q]->params[i];
            size_t j = 0;
            while (j < s->npp && strcmp(s->pp_def[j]->name, p->name)) j++;
            if (j < s->npp) {
                if (s->pp_def[j]->type != p->type)
                    sk_die(SK_LOC, "policy parameter '%s' has two types in kind '%s'", p->name, k->name);
                continue;
            }
            s->pp_def[s->npp] = p;
            sk__field_for(&s->pp_f[s->npp], p, s->npp, &s->str_value);
            s->npp++;
        }
    s->pol_f[0] = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                                               sk_y_pol, name, 0, CYAML_UNLIMITED);
    s->pol_f[1] = (cyaml_schema_field_t){.key = "params",
                                         .data_offset = offsetof(sk_y_pol, params),
                                         .value = {.type = CYAML_MAPPING,
                                                   .flags = CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                                   .data_size = (uint32_t)((s->npp ? s->npp : 1) * sizeof(void *)),
                                                   .mapping = {.fields = s->pp_f}}};
    s->pol_entry = (cyaml_schema_value_t){CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sk_y_pol, s->pol_f)};
    cyaml_schema_field_t *f = s->top_f;
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                        name, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("seed", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                        seed, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("replications", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                                        sk_y_top, replications, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("output", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                        output, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_STRING_PTR("series", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                        series, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t){.key = "scenario", .data_offset = offsetof(sk_y_top, scenario),
                                  .value = {.type = CYAML_MAPPING, .flags = CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
                                            .data_size = (uint32_t)((k->nparams + 1) * sizeof(void *)),
                                            .mapping = {.fields = s->scn_f}}};
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_SEQUENCE("policies", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, sk_y_top,
                                                      policies, &s->pol_entry, 0, CYAML_UNLIMITED);
    *f++ = (cyaml_schema_field_t)CYAML_FIELD_IGNORE("sweep", CYAML_FLAG_OPTIONAL);
    *f = (cyaml_schema_field_t)CYAML_FIELD_END;
    s->top = (cyaml_schema_value_t){CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, sk_y_top, s->top_f)};
    return 0;
}

void sk_exp__cylog(cyaml_log_t level, void *ctx, const char *fmt, va_list args) {
    sk_cylog *l = ctx;
    if (level < CYAML_LOG_ERROR || l->n >= sizeof l->buf - 1) return;
    int k = vsnprintf(l->buf + l->n, sizeof l->buf - l->n, fmt, args);
    if (k > 0) l->n += (size_t)k;
    if (l->n > sizeof l->buf - 1) l->n = sizeof l->buf - 1;
}

/* Turn libcyaml's log ("Load: MSG\nLoad: Backtrace:\n  in mapping field 'k' (line: L, column: C)
 * ...") into one diagnostic with our key path and the most precise position we know. */
int sk_exp__cyaml_diag(sk_diag *d, const sk_ytree *t, const sk_cylog *lg, const sk_scenario_kind *k) {
    char msg[512] = "", path[2800] = "";
    int line = 0, col = 0;
    const char *p = lg->buf;
    const char *nl = strchr(p, '\n');
    if (!strncmp(p, "Load: ", 6)) p += 6;
    snprintf(msg, sizeof msg, "%.*s", (int)((nl ? nl : p + strlen(p)) - p), p);
    /* backtrace: innermost first */
    const char *fields[16];
    size_t flen[16], nf = 0;
    for (const char *q = strstr(lg->buf, "  in "); q; q = strstr(q + 1, "  in ")) {
        unsigned long l2 = 0, c2 = 0;
        const char *lp = strstr(q, "(line: ");
        if (lp && sscanf(lp, "(line: %lu, column: %lu)", &l2, &c2) == 2 && !line) {
            line = (int)l2;
            col = (int)c2;
        }
        if (!strncmp(q, "  in mapping field '", 20) && nf < 16) {
            const char *s = q + 20, *e = strchr(s, '\'');
            if (e) { fields[nf] = s; flen[nf] = (size_t)(e - s); nf++; }
        } else if (!strncmp(q, "  in sequence entry '", 21) && nf < 16) {
            const char *s = q + 21 - 1, *e = strchr(q + 21, '\'');
            if (e) { fields[nf] = s; flen[nf] = (size_t)(e - s) + 1; nf++; } /* "'N" marker */
        }
    }
    size_t o = 0;
    for (size_t i = nf; i-- > 0;) {
        if (fields[i][0] == '\'') /* libcyaml counts entries from 1 in its backtrace */
            o += (size_t)snprintf(path + o, sizeof path - o, "[%ld]", strtol(fields[i] + 1, NULL, 10) - 1);
        else o += (size_t)snprintf(path + o, sizeof path - o, "%s%.*s", o ? "." : "", (int)flen[i], fields[i]);
        if (o >= sizeof path) o = sizeof path - 1;
    }
    char better[4096];
    const char *m = msg;
    if (!strncmp(msg, "Unexpected key: ", 16)) {
        const char *key = msg + 16;
        char full[2800];
        snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", key);
        const sk_ynode *yn = sk_exp__ylook(t, full);
        if (yn) { line = yn->kline; col = yn->kcol; }
        snprintf(path, sizeof path, "%s", full);
        if (!strcmp(full, key))
            m = "unknown key (expected name, seed, replications, output, series, scenario, policies, sweep)";
        else if (!strncmp(full, "scenario.", 9)) {
            size_t o2 = (size_t)snprintf(better, sizeof better, "not a parameter of scenario kind '%s' (it takes: kind", k->name);
            for (size_t i = 0; i < k->nparams && o2 < sizeof better; i++)
                o2 += (size_t)snprintf(better + o2, sizeof better - o2, ", %s", k->params[i].name);
            if (o2 < sizeof better) snprintf(better + o2, sizeof better - o2, ")");
            m = better;
        } else if (strstr(full, ".params."))
            m = "not a parameter of any policy of this scenario kind";
        else if (!strncmp(full, "policies[", 9))
            m = "unknown key (a policy entry has: name, params)";
        else
            m = "unknown key";
    } else if (!strncmp(msg, "Expecting ", 10)) {
        const sk_ynode *yn = sk_exp__ylook(t, path);
        if (yn) {
            line = yn->vline;
            col = yn->vcol;
        }
        const char *want = strstr(msg, "MAPPING") == msg + 10 ? "a mapping"
                         : strstr(msg, "SEQUENCE") == msg + 10 ? "a sequence" : "a scalar value";
        snprintf(better, sizeof better, "expected %s, got %s", want, yn ? sk_exp__ykind(yn->node) : "something else");
        m = better;
    }
    if (*path) {
        const sk_ynode *yn = sk_exp__ylook(t, path);
        if (yn && strncmp(msg, "Unexpected key", 14)) { line = yn->vline; col = yn->vcol; }
    }
    return sk_exp__err(d, SK_ECONFIG, line, col, path, "%s", m);
}
