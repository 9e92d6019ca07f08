/* sk_exp_sets.c - `--set KEY.PATH=VALUE` overrides: lookup (the last one wins, each use is
 * marked so unknown keys can be refused) and their diagnostics. */
#include "io/sk_exp_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_error.h"

/* ---- --set overrides ------------------------------------------------------------------------- */

/* Value of the last --set for `key`, or NULL. Marks every --set of that key used. */
const char *sk_exp__set_get(sk_sets *s, const char *key) {
    const char *val = NULL;
    size_t kl = strlen(key);
    for (size_t i = 0; i < s->n; i++) {
        if (!strncmp(s->v[i], key, kl) && s->v[i][kl] == '=') {
            val = s->v[i] + kl + 1;
            s->used[i] = 1;
        }
    }
    return val;
}

/* 1 if some --set names `key` (without marking it used). */
int sk_exp__set_peek(const sk_sets *s, const char *key) {
    size_t kl = strlen(key);
    for (size_t i = 0; i < s->n; i++)
        if (!strncmp(s->v[i], key, kl) && s->v[i][kl] == '=') return 1;
    return 0;
}

int sk_exp__set_err(sk_diag *d, const char *key, const char *val, const char *fmt, ...) {
    if (d->set || !d->buf || !d->len) return SK_ECONFIG;
    d->set = 1;
    int n = snprintf(d->buf, d->len, "--set %s=%s: ", key, val);
    va_list ap;
    va_start(ap, fmt);
    sk_exp__vfinish(d, n, fmt, ap);
    va_end(ap);
    return SK_ECONFIG;
}
