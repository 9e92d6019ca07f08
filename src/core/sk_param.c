/* sk_param.c - typed parameter values: parse, check, copy, format. */
#include "core/sk_param.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sk_error.h"

const char *sk_ptype_expect(sk_ptype t) {
    switch (t) {
    case SK_PT_INT: return "an integer";
    case SK_PT_FLOAT: return "a number";
    case SK_PT_BOOL: return "true or false";
    case SK_PT_STR: return "a string";
    case SK_PT_PATH: return "a file name";
    }
    return "a value";
}

int sk_param_check(const sk_param_def *d, const sk_value *v, char *why, size_t wlen) {
    double x = d->type == SK_PT_INT ? (double)v->i : v->f;
    if (d->type == SK_PT_FLOAT && !isfinite(v->f)) {
        snprintf(why, wlen, "expected a finite number, got %g", v->f);
        return SK_ECONFIG;
    }
    if (d->type != SK_PT_INT && d->type != SK_PT_FLOAT) return 0;
    if (x >= d->lo && x <= d->hi) return 0;
    char got[48];
    if (d->type == SK_PT_INT) snprintf(got, sizeof got, "%lld", (long long)v->i);
    else snprintf(got, sizeof got, "%.17g", v->f);
    snprintf(why, wlen, "expected %s in [%.10g, %.10g], got %s", sk_ptype_expect(d->type), d->lo, d->hi, got);
    return SK_ECONFIG;
}

int sk_param_parse(const sk_param_def *d, const char *text, sk_value *out, char *why, size_t wlen) {
    *out = (sk_value){0};
    char *end;
    switch (d->type) {
    case SK_PT_INT: {
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (end == text || *end || errno) {
            snprintf(why, wlen, "expected an integer, got '%s'", text);
            return SK_ECONFIG;
        }
        out->i = v;
        return sk_param_check(d, out, why, wlen);
    }
    case SK_PT_FLOAT: {
        errno = 0;
        double f = strtod(text, &end);
        if (end == text || *end || !isfinite(f) || strpbrk(text, "xX") /* hex, also "-0x1p3" */ ||
            (errno == ERANGE && fabs(f) > 1)) {
            snprintf(why, wlen, "expected a finite number, got '%s'", text);
            return SK_ECONFIG;
        }
        out->f = f;
        return sk_param_check(d, out, why, wlen);
    }
    case SK_PT_BOOL: {
        static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
        for (int k = 0; k < 4; k++) {
            if (!strcasecmp(text, yes[k])) { out->i = 1; return 0; }
            if (!strcasecmp(text, no[k])) { out->i = 0; return 0; }
        }
        snprintf(why, wlen, "expected true or false, got '%s'", text);
        return SK_ECONFIG;
    }
    case SK_PT_STR:
    case SK_PT_PATH:
        if (d->type == SK_PT_PATH && !*text) {
            snprintf(why, wlen, "expected a file name, got an empty string");
            return SK_ECONFIG;
        }
        if (!(out->s = strdup(text))) return SK_ENOMEM;
        return 0;
    }
    return SK_EINTERNAL;
}

int sk_value_copy(sk_value *dst, const sk_value *src, sk_ptype t) {
    *dst = *src;
    if (t == SK_PT_STR || t == SK_PT_PATH) {
        dst->s = src->s ? strdup(src->s) : NULL;
        if (src->s && !dst->s) return SK_ENOMEM;
    } else {
        dst->s = NULL;
    }
    return 0;
}

void sk_value_fini(sk_value *v) {
    if (!v) return;
    free(v->s);
    *v = (sk_value){0};
}

/* Plain YAML scalars that need no quotes: start with a letter, digit, '.', '/' or '_', and hold
 * only characters that never start YAML syntax; anything that reads as another type is quoted. */
static int sk__plain_ok(const char *s) {
    if (!*s) return 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
            !strchr("._/-+", c))
            return 0;
    }
    if (strchr("-+.", s[0]) && s[1] == 0) return 0;
    static const char *words[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"};
    for (size_t k = 0; k < sizeof words / sizeof *words; k++)
        if (!strcasecmp(s, words[k])) return 0;
    char *end;
    (void)strtod(s, &end);
    return *end != 0; /* numbers would change type */
}

void sk_value_print(FILE *out, const sk_value *v, sk_ptype t) {
    switch (t) {
    case SK_PT_INT: fprintf(out, "%lld", (long long)v->i); return;
    case SK_PT_FLOAT: {
        char buf[40];
        for (int prec = 15; prec <= 17; prec++) { /* shortest text that reads back exactly */
            snprintf(buf, sizeof buf, "%.*g", prec, v->f);
            if (strtod(buf, NULL) == v->f) break;
        }
        fputs(buf, out);
        if (!strpbrk(buf, ".eEn")) fputs(".0", out); /* stays a float when read back: 3 -> 3.0 */
        return;
    }
    case SK_PT_BOOL: fputs(v->i ? "true" : "false", out); return;
    case SK_PT_STR:
    case SK_PT_PATH: {
        const char *s = v->s ? v->s : "";
        if (sk__plain_ok(s)) { fputs(s, out); return; }
        fputc('"', out);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
            if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
            else if (*p < 0x20 || *p == 0x7f) fprintf(out, "\\x%02x", *p);
            else fputc(*p, out);
        }
        fputc('"', out);
        return;
    }
    }
}

int sk_value_eq(const sk_value *a, const sk_value *b, sk_ptype t) {
    switch (t) {
    case SK_PT_INT:
    case SK_PT_BOOL: return a->i == b->i;
    case SK_PT_FLOAT: return !memcmp(&a->f, &b->f, sizeof a->f);
    case SK_PT_STR:
    case SK_PT_PATH: return !strcmp(a->s ? a->s : "", b->s ? b->s : "");
    }
    return 0;
}

int sk_param_find(const sk_param_def *tbl, size_t n, const char *name) {
    for (size_t k = 0; k < n; k++)
        if (!strcmp(tbl[k].name, name)) return (int)k;
    return -1;
}

int sk_param_list_f64(const char *s, double *out, int cap) {
    int n = 0;
    const char *p = s;
    while (*p == ' ') p++;
    while (*p) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || n == cap || !isfinite(x)) return -1;
        out[n++] = x;
        while (*end == ' ') end++;
        if (*end == ',') end++;
        else if (*end) return -1;
        p = end;
        while (*p == ' ') p++;
    }
    return n;
}
