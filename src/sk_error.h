/* sk_error.h - error codes (one X-macro table), exit codes, and die() for broken invariants.
 *
 * Every fallible function in Synkti returns 0 (or a non-negative count) on success and one of the
 * negative SK_E* codes below on failure. Each code maps to one process exit code (the sysexits.h
 * convention, documented in `synkti help`), so the CLI turns any error into its exit status with
 * sk_exit_code(). sk_die() is only for broken internal invariants: it prints where and aborts. */
#ifndef SK_ERROR_H
#define SK_ERROR_H

#include <stdio.h>

/*        name        code  exit  message */
#define SK_ERRNO_MAP(X)                                                        \
    X(OK,          0,    0,  "success")                                        \
    X(EUSAGE,     -1,   64,  "command line usage error")                       \
    X(EDATA,      -2,   65,  "bad input data")                                 \
    X(ENOINPUT,   -3,   66,  "cannot open input")                              \
    X(EINTERNAL,  -4,   70,  "internal software error")                        \
    X(ENOMEM,     -5,   70,  "out of memory")                                  \
    X(ECANTCREAT, -6,   73,  "cannot create output")                           \
    X(EIO,        -7,   74,  "input/output error")                             \
    X(EINTR,      -8,   75,  "interrupted; completed work kept, resumable")    \
    X(ECONFIG,    -9,   78,  "configuration error")                            \
    X(ENOENT,    -10,    1,  "no such item")                                   \
    X(ENOTSUP,   -11,   69,  "not supported by this build")

enum {
#define SK__ERR_ENUM(name, code, exitc, msg) SK_##name = (code),
    SK_ERRNO_MAP(SK__ERR_ENUM)
#undef SK__ERR_ENUM
};

/* Name ("EDATA") and message of an error code; "unknown error" for codes not in the table. */
const char *sk_err_name(int err);
const char *sk_strerror(int err);
/* Process exit status for an error code (0 for SK_OK, 70 for codes not in the table). */
int sk_exit_code(int err);
/* Print the exit-code table (used by `synkti help`). */
void sk_print_exit_codes(FILE *out);

/* Source location for sk_die(): file:line. */
#define SK_STR_(x) #x
#define SK_STR(x) SK_STR_(x)
#define SK_LOC __FILE__ ":" SK_STR(__LINE__)

/* Report a broken invariant at `loc` and abort(). Never returns. */
_Noreturn void sk_die(const char *loc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#if defined(__GNUC__)
#define SK_LIKELY(x) __builtin_expect(!!(x), 1)
#define SK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SK_LIKELY(x) (x)
#define SK_UNLIKELY(x) (x)
#endif

#endif
