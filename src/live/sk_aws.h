/* sk_aws.h - AWS EC2 provider client: the EC2 Query API (Version 2016-11-15) over HTTP(S) with
 * libcurl's built-in SigV4 signing, XML responses parsed with libxml2, plain C structs out.
 *
 * Requests are POSTs of `Action=...&Version=2016-11-15&...` (application/x-www-form-urlencoded,
 * RFC 3986 percent-encoding) to https://ec2.REGION.amazonaws.com/ or the configured endpoint_url.
 * Credentials come from the environment or the shared credentials file; they are never printed,
 * logged or copied into an error message.
 *
 * Errors: every call returns 0 or a negative SK_E* code with a one-line message in err, and
 * records the details (kind, HTTP status, AWS error code, attempts) in the handle: read them with
 * sk_aws_last_error(). Throttling (RequestLimitExceeded, Throttling, ...), HTTP 5xx and transport
 * failures are retried with capped exponential backoff and full jitter:
 *     sleep_i = uniform(0, min(cap, base * 2^i))   before attempt i+2 (i = 0, 1, ...)
 * Capacity errors (InsufficientInstanceCapacity, MaxSpotInstanceCountExceeded, ...) come back at
 * once as SK_AWS_ERR_CAPACITY so the caller can move to another zone; auth errors as
 * SK_AWS_ERR_AUTH. A handle is not thread-safe: use one per thread. */
#ifndef SK_AWS_H
#define SK_AWS_H

#include <stddef.h>
#include <stdint.h>

/* ---- credentials ---------------------------------------------------------------------------- */

typedef struct {
    char access_key[128];
    char secret_key[128];
    char session_token[2048]; /* "" when none */
} sk_aws_creds;

/* Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) when both are
 * set, else from the shared credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials),
 * section `profile` (NULL: AWS_PROFILE, else "default"). Returns 0; SK_ECONFIG when none are
 * found or the profile lacks a key (the message names the file and profile, never a secret). */
int sk_aws_creds_load(sk_aws_creds *c, const char *profile, char *err, size_t errlen);
/* The same from one INI file: [profile] sections with aws_access_key_id, aws_secret_access_key,
 * aws_session_token; '#'/';' comments; spaces around '=' ignored. SK_ENOINPUT if unreadable. */
int sk_aws_creds_from_file(sk_aws_creds *c, const char *path, const char *profile, char *err,
                           size_t errlen);

/* ---- client ---------------------------------------------------------------------------------- */

/* Sleep hook for retries (tests record instead of sleeping). */
typedef void (*sk_aws_sleep_fn)(void *ctx, double seconds);

typedef struct {
    const char *region;       /* required, e.g. "us-east-1" */
    const char *endpoint_url; /* NULL/"": https://ec2.REGION.amazonaws.com/ */
    sk_aws_creds creds;
    int max_attempts;         /* total tries per call; <= 0: 5 */
    double backoff_base_s;    /* <= 0: 0.1 */
    double backoff_cap_s;     /* <= 0: 20 */
    uint64_t jitter_seed;     /* seed of the jitter generator (0: a fixed default) */
    sk_aws_sleep_fn sleep_fn; /* NULL: nanosleep */
    void *sleep_ctx;
    long timeout_s;           /* per-request timeout; <= 0: 30 */
} sk_aws_config;

typedef enum {
    SK_AWS_ERR_NONE = 0,
    SK_AWS_ERR_CAPACITY, /* no capacity in the zone / spot limits: try another zone */
    SK_AWS_ERR_AUTH,     /* AuthFailure, SignatureDoesNotMatch, InvalidClientTokenId, ... */
    SK_AWS_ERR_THROTTLE, /* still throttled after the last attempt */
    SK_AWS_ERR_SERVER,   /* HTTP 5xx after the last attempt */
    SK_AWS_ERR_CLIENT,   /* any other AWS error (bad parameter, not found, ...) */
    SK_AWS_ERR_NETWORK,  /* transport failure after the last attempt */
    SK_AWS_ERR_PARSE,    /* body not the expected XML (HTML, garbled, truncated) */
} sk_aws_err_kind;

typedef struct {
    sk_aws_err_kind kind;
    long http_status;  /* 0 when no response */
    char code[96];     /* AWS error code, "" when none */
    char message[256]; /* AWS error message (or a description), never a credential */
    char request_id[96];
    int attempts;      /* attempts made by the last call (1 = no retry) */
} sk_aws_error;

typedef struct sk_aws sk_aws;

/* Open a client (copies cfg). Returns 0; SK_ECONFIG (no region, no credentials); SK_ENOMEM. */
int sk_aws_open(sk_aws **out, const sk_aws_config *cfg, char *err, size_t errlen);
void sk_aws_close(sk_aws *a);
/* Details of the last call's failure (kind NONE after a success). Never NULL. */
const sk_aws_error *sk_aws_last_error(const sk_aws *a);
const char *sk_aws_err_kind_name(sk_aws_err_kind k);
/* Classify an AWS error code: CAPACITY, AUTH, THROTTLE (retryable) or CLIENT. */
sk_aws_err_kind sk_aws_classify(const char *code);

/* Set the options every signed AWS request shares on a libcurl easy handle (CURL *): SigV4
 * ("aws:amz:REGION:SERVICE"), the key pair, timeouts (connect at most 10 s), no signals, the error
 * buffer (CURL_ERROR_SIZE bytes), no 100-continue wait, the user agent. Used by the EC2 client
 * and the S3 checkpoint store (live/sk_ckstore). */
void sk_aws_curl_signed(void *curl, const char *sigv4, const sk_aws_creds *cr, long timeout_s, char *errbuf,
                        const char *agent);

/* ---- request parameters ---------------------------------------------------------------------- */

typedef struct {
    char **kv; /* key0, val0, key1, val1, ... (owned) */
    size_t n, cap;
} sk_aws_params;

void sk_aws_params_init(sk_aws_params *p);
void sk_aws_params_free(sk_aws_params *p);
/* Append key=val (both copied). Returns 0 or SK_ENOMEM. */
int sk_aws_params_add(sk_aws_params *p, const char *key, const char *val);
/* Append with a printf-formatted key, e.g. ("Filter.%d.Name", i). */
int sk_aws_params_addk(sk_aws_params *p, const char *val, const char *keyfmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "Action=A&Version=2016-11-15&k1=v1&..." with RFC 3986 encoding (unreserved A-Z a-z 0-9 - . _ ~
 * kept, every other byte %XX upper-case). malloc'd; NULL on out of memory. */
char *sk_aws_form_encode(const char *action, const sk_aws_params *p);

/* Send one Action with retries; on success *body is the malloc'd XML response (caller frees).
 * Returns 0 or a negative SK_E* code (details in sk_aws_last_error). */
int sk_aws_call(sk_aws *a, const char *action, const sk_aws_params *p, char **body, size_t *len,
                char *err, size_t errlen);

/* ---- EC2 operations -------------------------------------------------------------------------- */

#define SK_AWS_MAX_TAGS 16

typedef struct {
    char key[128];
    char value[256];
} sk_aws_tag;

typedef struct {
    char id[32];
    char type[32];
    char zone[32];
    char state[24];              /* pending running shutting-down terminated stopping stopped */
    char prev_state[24];         /* TerminateInstances only */
    char state_reason_code[64];  /* e.g. Server.SpotInstanceTermination */
    char state_reason_msg[192];
    char lifecycle[16];          /* "spot" or "on-demand" (EC2 omits it for on-demand) */
    char launch_time[40];        /* ISO 8601 as EC2 sends it */
    char spot_request_id[40];
    char image_id[32];
    char private_ip[48];
    int n_tags;
    sk_aws_tag tags[SK_AWS_MAX_TAGS]; /* first SK_AWS_MAX_TAGS tags */
} sk_aws_instance;

typedef struct {
    sk_aws_instance *v;
    size_t n, cap;
    int pages; /* DescribeInstances: pages fetched */
} sk_aws_instances;

void sk_aws_instances_free(sk_aws_instances *l);
/* The value of tag `key`, or NULL. */
const char *sk_aws_instance_tag(const sk_aws_instance *in, const char *key);
/* 1 when EC2 reclaimed this spot instance (state reason Server.SpotInstanceTermination). */
int sk_aws_instance_interrupted(const sk_aws_instance *in);

typedef struct {
    const char *image_id;      /* required */
    const char *instance_type; /* required */
    int count;                 /* MinCount = MaxCount; <= 0: 1 */
    const char *zone;          /* Placement.AvailabilityZone, NULL: any */
    const char *subnet_id, *key_name, *client_token, *user_data_b64; /* optional */
    const char *const *security_group_ids;
    int n_security_groups;
    int spot;                  /* 1: InstanceMarketOptions.MarketType=spot */
    const char *spot_max_price; /* NULL: on-demand price cap */
    const char *spot_interruption; /* NULL: "terminate" */
    const sk_aws_tag *tags;    /* TagSpecification.1 (ResourceType instance) */
    int n_tags;
} sk_aws_run_req;

/* RunInstances: appends the launched instances to out. */
int sk_aws_run_instances(sk_aws *a, const sk_aws_run_req *r, sk_aws_instances *out, char *err,
                         size_t errlen);

typedef struct {
    const char *name;  /* e.g. "tag:synkti-run", "instance-state-name" */
    const char *value; /* Filter.N.Value.1 */
} sk_aws_filter;

/* DescribeInstances with filters and/or ids, following NextToken until the end (max_results per
 * page, 0: EC2's default; ids and MaxResults cannot be combined in EC2). Appends to out. */
int sk_aws_describe_instances(sk_aws *a, const sk_aws_filter *f, int nf, const char *const *ids,
                              int nids, int max_results, sk_aws_instances *out, char *err,
                              size_t errlen);
/* TerminateInstances: appends (id, prev_state, state) of each to out. */
int sk_aws_terminate_instances(sk_aws *a, const char *const *ids, int nids, sk_aws_instances *out,
                               char *err, size_t errlen);
/* CreateTags on resources. */
int sk_aws_create_tags(sk_aws *a, const char *const *ids, int nids, const sk_aws_tag *tags,
                       int ntags, char *err, size_t errlen);

typedef struct {
    char instance_type[32];
    char zone[32];
    char product[48];
    double price;       /* USD per hour */
    char timestamp[40]; /* ISO 8601 */
} sk_aws_spot_price;

/* DescribeSpotPriceHistory for the given types (NULL/0: all), zone (NULL: all), product
 * description (NULL: all), start/end ISO 8601 times (NULL: EC2's default). Follows NextToken.
 * *out is malloc'd (caller frees), *n its length. */
int sk_aws_spot_price_history(sk_aws *a, const char *const *types, int ntypes, const char *zone,
                              const char *product, const char *start, const char *end,
                              sk_aws_spot_price **out, size_t *n, char *err, size_t errlen);

typedef struct {
    char type[32];
    int vcpus;
    int64_t memory_mib;
    int gpus;            /* total GPU count (0: none) */
    char gpu_name[64];   /* manufacturer + name of the first GPU kind, "" */
    int64_t gpu_memory_mib; /* per GPU */
    int spot;            /* "spot" in SupportedUsageClasses */
} sk_aws_instance_type;

/* DescribeInstanceTypes for the given types (NULL/0: all, paginated). Caller frees *out. */
int sk_aws_instance_types(sk_aws *a, const char *const *types, int ntypes,
                          sk_aws_instance_type **out, size_t *n, char *err, size_t errlen);

typedef struct {
    char name[32];
    char zone_id[32];
    char state[24];
    char region[32];
} sk_aws_zone;

/* DescribeAvailabilityZones of the client's region. Caller frees *out. */
int sk_aws_zones(sk_aws *a, sk_aws_zone **out, size_t *n, char *err, size_t errlen);

#endif
