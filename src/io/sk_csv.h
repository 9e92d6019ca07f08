/* sk_csv.h - the CSV reader shared by the data loaders (libcsv does the parsing; this adds
 * physical line numbers for messages and hands each row's fields to a callback), and two small
 * helpers: one-line error formatting and reading a whole file. */
#ifndef SK_CSV_H
#define SK_CSV_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

enum { SK_CSV_MAXF = 64, SK_CSV_FLEN = 256 }; /* 64: Vidur's profiles have 58 columns */

typedef struct sk_csv_rd {
    const char *path;
    char *err;
    size_t errlen;
    int rc;                            /* first error, or 0 */
    int64_t line;                      /* 1-based line of the row being read */
    int after_cr;                      /* the last row ended in '\r' */
    int nf;                            /* fields in the row so far */
    char f[SK_CSV_MAXF][SK_CSV_FLEN];  /* the fields, NUL-terminated */
    int (*row)(struct sk_csv_rd *rd);  /* called for each non-empty row; returns 0 or an SK_E* code */
    void *ctx;
} sk_csv_rd;

/* Read rd->path with libcsv, calling rd->row for every non-empty row (fields in rd->f[0..nf),
 * its line in rd->line). Returns 0; SK_ENOINPUT; SK_ENOMEM; SK_EDATA (CSV syntax, with the line)
 * or the first error a row callback returned. */
int sk_csv_read(sk_csv_rd *rd);

/* Write s as one CSV field: as it is, or in double quotes (inner quotes doubled) when it holds a
 * comma, a quote or a line break (RFC 4180). */
void sk_csv_put_str(FILE *f, const char *s);

/* Format an error into err (one line: control characters become spaces) and return code. */
int sk_errf(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Read a whole file into a malloc'd, NUL-terminated buffer. Returns 0; SK_ENOINPUT (message names
 * the file and the reason); SK_ENOMEM. *buf is NULL on error. */
int sk_file_slurp(const char *path, char **buf, size_t *len, char *err, size_t errlen);

#endif
