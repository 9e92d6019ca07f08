/* sk_csv.c - see sk_csv.h. */
#include "io/sk_csv.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_error.h"

int sk_errf(char *err, size_t errlen, int code, const char *fmt, ...) {
    if (!err || !errlen) return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    for (char *p = err; *p; p++)
        if ((unsigned char)*p < 0x20) *p = ' ';
    return code;
}

int sk_file_slurp(const char *path, char **buf, size_t *len, char *err, size_t errlen) {
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return sk_errf(err, errlen, SK_ENOINPUT, "%s: cannot open: %s", path, strerror(errno));
    int rc = 0;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b) {
        rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    for (;;) {
        if (cap - n < 2) {
            char *nb = cap > SIZE_MAX / 2 ? NULL : realloc(b, cap * 2);
            if (!nb) {
                rc = sk_errf(err, errlen, SK_ENOMEM, "%s: out of memory (file of %zu bytes)", path, n);
                goto done;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) rc = sk_errf(err, errlen, SK_ENOINPUT, "%s: cannot read: %s", path, strerror(errno));
done:
    fclose(f);
    if (rc < 0) {
        free(b);
        return rc;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

/* ---- CSV plumbing shared by the probe and window readers -------------------------------------- */

/* libcsv hands over fields (cb1) and row ends (cb2). With CSV_REPALL_NL every line terminator
 * outside a record is reported as an empty row too, which is what lets us count physical lines:
 * a row ending in '\n' or '\r' ends a line, except the '\n' of a "\r\n" pair. (A newline inside a
 * quoted field is not counted; neither file type quotes.) */

static void sk__csv_field(void *s, size_t len, void *data) {
    sk_csv_rd *rd = data;
    if (rd->rc) return;
    if (rd->nf >= SK_CSV_MAXF) {
        rd->rc = sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: more than %d fields", rd->path, (long long)rd->line,
                         SK_CSV_MAXF);
        return;
    }
    if (len >= SK_CSV_FLEN) {
        rd->rc = sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: field %d: longer than %d bytes", rd->path,
                         (long long)rd->line, rd->nf + 1, SK_CSV_FLEN - 1);
        return;
    }
    if (len) memcpy(rd->f[rd->nf], s, len);
    rd->f[rd->nf][len] = '\0';
    rd->nf++;
}

static void sk__csv_row(int c, void *data) {
    sk_csv_rd *rd = data;
    if (!rd->rc && rd->nf > 0) {
        int r = rd->row(rd);
        if (r < 0) rd->rc = r;
    }
    rd->nf = 0;
    if (c == '\n') {
        if (!rd->after_cr) rd->line++;
        rd->after_cr = 0;
    } else if (c == '\r') {
        rd->line++;
        rd->after_cr = 1;
    } else {
        rd->after_cr = 0;
    }
}

/* Read path with libcsv, calling rd->row for every non-empty row. Returns 0; SK_ENOINPUT;
 * SK_ENOMEM; SK_EDATA (CSV syntax) or the first error a row callback returned. */
int sk_csv_read(sk_csv_rd *rd) {
    char *buf;
    size_t len;
    int rc = sk_file_slurp(rd->path, &buf, &len, rd->err, rd->errlen);
    if (rc < 0) return rc;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
        free(buf);
        return sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s: out of memory", rd->path);
    }
    rd->line = 1;
    rd->after_cr = 0;
    rd->nf = 0;
    rd->rc = 0;
    size_t used = csv_parse(&p, buf, len, sk__csv_field, sk__csv_row, rd);
    if (!rd->rc && used != len)
        rd->rc = csv_error(&p) == CSV_ENOMEM
                     ? sk_errf(rd->err, rd->errlen, SK_ENOMEM, "%s:%lld: out of memory", rd->path, (long long)rd->line)
                     : sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: CSV syntax: %s", rd->path, (long long)rd->line,
                               csv_strerror(csv_error(&p)));
    if (csv_fini(&p, sk__csv_field, sk__csv_row, rd) != 0 && !rd->rc)
        rd->rc = sk_errf(rd->err, rd->errlen, SK_EDATA, "%s:%lld: CSV syntax: %s", rd->path, (long long)rd->line,
                         csv_strerror(csv_error(&p)));
    csv_free(&p);
    free(buf);
    return rd->rc;
}


void sk_csv_put_str(FILE *f, const char *s) {
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"') putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}
