/* sk_sha256.h - SHA-256 as lowercase hex (OpenSSL's libcrypto does the work; kept in its own
 * file because OpenSSL's headers define macros, such as sk_value, that clash with ours). */
#ifndef SK_SHA256_H
#define SK_SHA256_H

#include <stddef.h>

/* Write the 64 hex digits and a NUL into hex[65]. Returns 0 or SK_EINTERNAL. */
int sk_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
