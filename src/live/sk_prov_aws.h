/* sk_prov_aws.h - the AWS EC2 provider behind the live controller: the sk_provider table
 * (live/sk_provider.h) over the EC2 Query API client (live/sk_aws). One provider serves one run.
 *
 *   launch     (req->run_id NULL or the provider's run id, else SK_EUSAGE)
 *              RunInstances, count 1, Placement.AvailabilityZone = the zone, spot through
 *              InstanceMarketOptions, ClientToken = the request's token, tags synkti:run-id,
 *              synkti:job, synkti:token (the token again: moto does not honour ClientToken and
 *              sk_aws does not parse clientToken, so the tag is what reconciliation reads) and
 *              Name; UserData = base64 of the rendered script (sk_prov_aws_user_data).
 *              Idempotent on the token: a token already in the cached view (launched here or seen
 *              by a refresh) returns that instance without a call; before this provider's first
 *              refresh (a restarted controller) a DescribeInstances by tag:synkti:token runs
 *              first. Capacity errors return SK_PV_CAPACITY with err = "CODE: message".
 *   terminate  TerminateInstances (0 also when already terminated; SK_ENOENT unknown id).
 *   refresh    DescribeInstances, filter tag:synkti:run-id = RUN, paginated; at most once per
 *              describe_min_interval_s wall seconds (sooner returns 0 and keeps the cached view).
 *              An instance this provider launched that DescribeInstances does not list yet (EC2 is
 *              eventually consistent) stays in the view for launch_grace_s.
 *   list       the cached view (terminated instances included).
 *   states     pending, running, shutting-down, terminated; stopping -> shutting-down, stopped ->
 *              terminated. reason = EC2's state reason code once shutting down; notice = 1 when it
 *              is Server.SpotInstanceTermination (EC2's mark of a spot reclaim; sticky per id).
 *   adopt, interrupt, set_capacity: NULL (nothing to re-attach; EC2 decides interruptions and
 *              capacity).
 *
 * Threads: launch() may run on several threads at once; every call takes an sk_aws handle from a
 * small pool under the provider's mutex (one handle per concurrent caller; handles are reused and
 * closed with the provider). The cached view and the health counters share that mutex.
 * Credentials: the environment or the shared credentials file (sk_aws_creds_load), never printed. */
#ifndef SK_PROV_AWS_H
#define SK_PROV_AWS_H

#include <stddef.h>

#include "live/sk_provider.h"

typedef struct sk_prov_aws_cfg {
    const char *region;        /* required, e.g. "us-east-1" */
    const char *endpoint_url;  /* NULL/"": https://ec2.REGION.amazonaws.com/ */
    const char *profile;       /* shared credentials profile; NULL: AWS_PROFILE, else "default" */
    const char *run_id;        /* required: the run's tag value (synkti:run-id) */
    const char *image_id;      /* required: the AMI */
    const char *key_name, *subnet_id;       /* optional (NULL) */
    const char *const *security_group_ids;  /* optional */
    int n_security_groups;
    const char *spot_max_price; /* optional, USD/h as text; NULL: EC2's cap (on-demand price) */
    const char *user_data;      /* optional shell-script prefix; NULL: "#!/bin/sh\n" */
    const char *agent_bin;      /* the command the script execs; NULL: "synkti" */
    double describe_min_interval_s; /* refresh rate limit in wall seconds; <= 0: 5 */
    int describe_page_size;     /* DescribeInstances MaxResults; <= 0: 100 (EC2 allows 5..1000) */
    double launch_grace_s;      /* keep an unlisted just-launched instance; <= 0: 120 */
    const char *spot_product;   /* DescribeSpotPriceHistory product; NULL: "Linux/UNIX" */
    /* client tuning, 0 = sk_aws's defaults (5 attempts, backoff 0.1 s .. 20 s, 30 s timeout) */
    int max_attempts;
    double backoff_base_s, backoff_cap_s;
    long timeout_s;
} sk_prov_aws_cfg;

/* Fill *out with the EC2 provider (name "aws"). Loads the credentials and opens the first client
 * handle; makes no call. Returns 0; SK_ECONFIG (no region/run_id/image_id, no credentials);
 * SK_ENOMEM. On failure *out is zeroed. Release with out->close(out->self). */
int sk_prov_aws_open(sk_provider *out, const sk_prov_aws_cfg *cfg, char *err, size_t errlen);

/* Health of the provider, for the controller's /providers route. Counters are EC2 actions (a
 * paginated DescribeInstances counts once; the retries of one action count in `retries`). */
typedef struct sk_prov_aws_stats {
    long calls;          /* EC2 actions sent */
    long errors;         /* actions that failed (capacity errors included) */
    long capacity;       /* of which capacity errors */
    long retries;        /* extra HTTP attempts (throttling, 5xx, transport) */
    long launches;       /* instances launched (RunInstances that succeeded) */
    long refreshes;      /* DescribeInstances refreshes that succeeded */
    long refresh_cached; /* refreshes answered from the cache (rate limit) */
    int instances;       /* instances in the cached view */
    int last_pages;      /* pages of the last refresh */
    double last_ok_at;   /* UNIX seconds of the last successful action, 0 none */
    double last_error_at;/* UNIX seconds of the last failed action, 0 none */
    char last_kind[16];  /* sk_aws_err_kind_name of the last failure, "" none */
    char last_code[96];  /* its AWS code, "" none */
    char last_error[256];/* its one-line message (never a credential), "" none */
} sk_prov_aws_stats;

/* Copy the health counters. Returns 0; SK_EUSAGE when p is not an "aws" provider. */
int sk_prov_aws_health(const sk_provider *p, sk_prov_aws_stats *out);

/* Current spot price (USD/h) of instance_type in each of zones[0..nzones): one
 * DescribeSpotPriceHistory (product spot_product, StartTime now, so EC2 answers the current price
 * per zone), newest row per zone. usd_h[i] = -1 where EC2 has no price for zones[i]. Returns the
 * number of zones with a price (>= 0) or SK_E* (err says why). */
int sk_prov_aws_spot_prices(const sk_provider *p, const char *instance_type,
                            const char *const *zones, int nzones, double *usd_h, char *err,
                            size_t errlen);

/* The user-data script: prefix (NULL: "#!/bin/sh\n"; a newline is added when it lacks one), then
 * `exec AGENT agent 'ARG'...\n`: AGENT (NULL: "synkti") as given, so it may be a path or words of
 * the operator's; every argument single-quoted (' as '\''). malloc'd; NULL on out of memory. */
char *sk_prov_aws_user_data(const char *prefix, const char *agent_bin, int argc, char *const *argv);

/* Standard base64 (RFC 4648, '=' padding) of n bytes, NUL-terminated, malloc'd; NULL on OOM. */
char *sk_prov_aws_base64(const void *data, size_t n);

#endif
