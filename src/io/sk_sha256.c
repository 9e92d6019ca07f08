/* sk_sha256.c - see sk_sha256.h. */
#include "io/sk_sha256.h"

#include <openssl/evp.h>
#include <stdio.h>

#include "sk_error.h"

int sk_sha256_hex(const void *data, size_t len, char hex[65]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) return SK_EINTERNAL;
    for (unsigned i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}
