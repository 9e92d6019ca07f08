/* sk_opts.c - the table-driven option parser behind every synkti command. */
#include "cli/sk_opts.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sk_error.h"

static void sk_opt__default(char *buf, size_t n, const sk_opt *o, const void *base) {
    const char *p = (const char *)base + o->off;
    switch (o->kind) {
    case SK_OPT_U64: snprintf(buf, n, "%" PRIu64, *(const uint64_t *)p); break;
    case SK_OPT_INT: snprintf(buf, n, "%d", *(const int *)p); break;
    case SK_OPT_DBL: snprintf(buf, n, "%g", *(const double *)p); break;
    case SK_OPT_STR: snprintf(buf, n, "%s", *(const char *const *)p ? *(const char *const *)p : ""); break;
    case SK_OPT_FLAG: buf[0] = 0; break;
    }
}

void sk_opts_help(FILE *out, const char *usage, const sk_opt *tbl, const void *defaults) {
    fputs(usage, out);
    if (!tbl || !tbl[0].name) return;
    fputs("\nOptions:\n", out);
    for (const sk_opt *o = tbl; o->name; o++) {
        char lhs[64], def[64];
        snprintf(lhs, sizeof lhs, "%c%c%s--%s%s%s", o->shortc ? '-' : ' ', o->shortc ? o->shortc : ' ',
                 o->shortc ? ", " : "  ", o->name, o->metavar ? " " : "", o->metavar ? o->metavar : "");
        sk_opt__default(def, sizeof def, o, defaults);
        fprintf(out, "  %-28s %s", lhs, o->help);
        if (def[0]) fprintf(out, " (default %s)", def);
        fputc('\n', out);
    }
    fprintf(out, "  %-28s %s\n", "-h,  --help", "show this help");
}

static int sk_opt__set(const char *cmd, const sk_opt *o, void *dst, const char *val) {
    char *p = (char *)dst + o->off, *end = NULL;
    errno = 0;
    switch (o->kind) {
    case SK_OPT_U64:
    case SK_OPT_INT: {
        if (val[0] == '-') goto bad;
        unsigned long long v = strtoull(val, &end, 0);
        if (errno || end == val || *end || (double)v < o->lo || (double)v > o->hi) goto bad;
        if (o->kind == SK_OPT_U64) *(uint64_t *)p = v;
        else *(int *)p = (int)v;
        return 0;
    }
    case SK_OPT_DBL: {
        double v = strtod(val, &end);
        if (errno || end == val || *end || !(v >= o->lo && v <= o->hi)) goto bad;
        *(double *)p = v;
        return 0;
    }
    case SK_OPT_STR: *(const char **)p = val; return 0;
    case SK_OPT_FLAG: *(int *)p = 1; return 0;
    }
bad:
    if (o->kind == SK_OPT_DBL)
        fprintf(stderr, "synkti %s: --%s: expected a number in [%g, %g], got '%s'\n", cmd, o->name, o->lo, o->hi, val);
    else
        fprintf(stderr, "synkti %s: --%s: expected an integer in [%.0f, %.0f], got '%s'\n", cmd, o->name, o->lo, o->hi, val);
    return SK_EUSAGE;
}

int sk_opts_parse(const char *cmd, const char *usage, const sk_opt *tbl, void *dst, int argc,
                  char **argv, int *npos) {
    int np = 0, only_pos = 0;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == 0) { argv[np++] = a; continue; }
        if (!strcmp(a, "--")) { only_pos = 1; continue; }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            sk_opts_help(stdout, usage, tbl, dst);
            return 1;
        }
        const sk_opt *o = NULL;
        const char *val = NULL;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            for (const sk_opt *t = tbl; t && t->name; t++)
                if (strlen(t->name) == len && !strncmp(t->name, name, len)) { o = t; break; }
            if (eq) val = eq + 1;
        } else {
            for (const sk_opt *t = tbl; t && t->name; t++)
                if (t->shortc == a[1]) { o = t; break; }
            if (o && a[2]) { /* -j2: attached value; flags take none */
                if (o->kind == SK_OPT_FLAG) o = NULL;
                else val = a + 2;
            }
        }
        if (!o) {
            fprintf(stderr, "synkti %s: unknown option '%s' (see 'synkti %s --help')\n", cmd, a, cmd);
            return SK_EUSAGE;
        }
        if (o->kind == SK_OPT_FLAG) {
            if (val) {
                fprintf(stderr, "synkti %s: --%s takes no value\n", cmd, o->name);
                return SK_EUSAGE;
            }
            *(int *)((char *)dst + o->off) = 1;
            continue;
        }
        if (!val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "synkti %s: --%s needs a value (%s)\n", cmd, o->name, o->metavar ? o->metavar : "VALUE");
                return SK_EUSAGE;
            }
            val = argv[++i];
        }
        int rc = sk_opt__set(cmd, o, dst, val);
        if (rc < 0) return rc;
    }
    *npos = np;
    return 0;
}
