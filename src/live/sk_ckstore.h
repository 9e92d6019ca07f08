/* sk_ckstore.h - where `synkti agent` keeps its checkpoints beyond the instance: a folder, or an S3
 * bucket prefix reached with libcurl's SigV4 (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3").
 *
 * URIs:  dir:PATH or a plain PATH      files PATH/NAME (created atomically, sk_atomic)
 *        s3://BUCKET[/PREFIX]          objects PREFIX/NAME (PUT is atomic for readers: an object
 *                                      is either the old one or the whole new one)
 * Checkpoint objects are named ckpt-<generated, 8 digits>.bin, the agent's local naming; the
 * newest checkpoint is the one with the highest count.
 *
 * S3 endpoint: cfg endpoint_url, else $AWS_ENDPOINT_URL_S3, else $AWS_ENDPOINT_URL (path-style
 * URLs ENDPOINT/BUCKET/KEY, as moto and most S3-compatible servers want), else AWS
 * (https://BUCKET.s3.REGION.amazonaws.com/KEY). Region: cfg, $AWS_REGION, $AWS_DEFAULT_REGION,
 * us-east-1. Credentials: sk_aws_creds_load (environment or shared file); never printed, logged or
 * copied into a message. Every request carries x-amz-content-sha256 (the SHA-256 of the body).
 * 5xx, throttling (SlowDown, ...) and transport failures are retried with capped exponential
 * backoff and full jitter, as in sk_aws.h; other errors come back at once.
 *
 * Errors: 0 (or a count) or a negative SK_E* code with one line in err naming the bucket/key (or
 * file), the HTTP status and S3 error code: SK_ENOENT no such key/file, SK_ECONFIG bad URI,
 * missing credentials or an authentication error, SK_EIO network/server, SK_EDATA garbled reply,
 * SK_ECANTCREAT local file not written. A store is not thread-safe: one per thread. */
#ifndef SK_CKSTORE_H
#define SK_CKSTORE_H

#include <stddef.h>

#include "live/sk_aws.h"

typedef struct sk_ckstore sk_ckstore;

typedef struct {
    const char *uri;          /* dir:PATH, PATH or s3://BUCKET/PREFIX (required) */
    const char *endpoint_url; /* s3: NULL -> environment, then AWS */
    const char *region;       /* s3: NULL -> environment, then us-east-1 */
    const char *profile;      /* shared credentials profile (NULL: $AWS_PROFILE or default) */
    int max_attempts;         /* <= 0: 5 */
    double backoff_base_s;    /* <= 0: 0.1 */
    double backoff_cap_s;     /* <= 0: 20 */
    long timeout_s;           /* per request; <= 0: 60 */
    sk_aws_sleep_fn sleep_fn; /* NULL: nanosleep (tests record instead) */
    void *sleep_ctx;
    int list_page;            /* ListObjectsV2 max-keys; <= 0: the server's default (1000) */
} sk_ckstore_cfg;

/* Open a store. A folder is created when missing (SK_ECANTCREAT if it can't be); an S3 store
 * needs credentials (SK_ECONFIG) but makes no request yet. */
int sk_ckstore_open(sk_ckstore **out, const sk_ckstore_cfg *cfg, char *err, size_t errlen);
/* Close and forget the credentials. NULL is fine. */
void sk_ckstore_close(sk_ckstore *s);
/* 1 for S3, 0 for a folder. */
int sk_ckstore_remote(const sk_ckstore *s);
/* The folder of a dir store ("" for S3). */
const char *sk_ckstore_dir(const sk_ckstore *s);
/* Where `name` lives, for messages and progress lines: "PATH/NAME" or "s3://BUCKET/PREFIX/NAME". */
void sk_ckstore_location(const sk_ckstore *s, const char *name, char *out, size_t len);
/* "ckpt-%08d.bin" of a generated count. */
void sk_ckstore_ckpt_name(int generated, char out[32]);

/* Store the local file `local` as `name` (a dir store copies it atomically; nothing to do when it
 * is already that file). */
int sk_ckstore_put(sk_ckstore *s, const char *local, const char *name, char *err, size_t errlen);
/* Fetch `name` into the local file `local` (written atomically: on error `local` is untouched). */
int sk_ckstore_get(sk_ckstore *s, const char *name, const char *local, char *err, size_t errlen);
/* Remove `name`; removing a missing one is not an error. */
int sk_ckstore_delete(sk_ckstore *s, const char *name, char *err, size_t errlen);
/* Generated counts of the ckpt-<N>.bin objects in the store, highest first (S3: ListObjectsV2 with
 * the prefix, following continuation tokens). Returns how many were written to gens (<= max). */
int sk_ckstore_list(sk_ckstore *s, int *gens, int max, char *err, size_t errlen);
/* The newest checkpoint into local_dir/ckpt-<N>.bin: *gen = N and returns 1; 0 when the store
 * has none. */
int sk_ckstore_get_newest(sk_ckstore *s, const char *local_dir, int *gen, char *err, size_t errlen);
/* Delete every checkpoint older than keep_gen. Returns how many were deleted. */
int sk_ckstore_prune(sk_ckstore *s, int keep_gen, char *err, size_t errlen);
/* Attempts made by the last S3 request (1 = no retry; 0 for a folder). */
int sk_ckstore_attempts(const sk_ckstore *s);

#endif
