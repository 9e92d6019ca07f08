/* sk_error.c - the error table behind sk_error.h. */
#include "sk_error.h"

#include <stdarg.h>
#include <stdlib.h>

static const struct {
    int code, exitc;
    const char *name, *msg;
} sk__errtab[] = {
#define SK__ERR_ROW(name, code, exitc, msg) {code, exitc, #name, msg},
    SK_ERRNO_MAP(SK__ERR_ROW)
#undef SK__ERR_ROW
};
#define SK__NERR (sizeof sk__errtab / sizeof sk__errtab[0])

static int sk__err_index(int err) {
    for (size_t i = 0; i < SK__NERR; i++)
        if (sk__errtab[i].code == err) return (int)i;
    return -1;
}

const char *sk_err_name(int err) {
    int i = sk__err_index(err);
    return i < 0 ? "EUNKNOWN" : sk__errtab[i].name;
}

const char *sk_strerror(int err) {
    int i = sk__err_index(err);
    return i < 0 ? "unknown error" : sk__errtab[i].msg;
}

int sk_exit_code(int err) {
    int i = sk__err_index(err);
    return i < 0 ? 70 : sk__errtab[i].exitc;
}

/* In ascending order of exit code, each code once (out of memory shares 70 with internal error). */
void sk_print_exit_codes(FILE *out) {
    for (int code = 0; code < 256; code++)
        for (size_t i = 0; i < SK__NERR; i++)
            if (sk__errtab[i].exitc == code && sk__errtab[i].code != SK_ENOMEM)
                fprintf(out, "  %3d  %s\n", sk__errtab[i].exitc, sk__errtab[i].msg);
}

void sk_die(const char *loc, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "synkti: internal error at %s: ", loc);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
