/* sk_imds.h - an EC2 instance-metadata emulator (IMDSv2) on 127.0.0.1, one per local instance.
 *
 * Answers like the real service (docs.aws.amazon.com, "Use IMDSv2", "Spot Instance interruption
 * notices", "EC2 instance rebalance recommendations"):
 *   PUT /latest/api/token        header X-aws-ec2-metadata-token-ttl-seconds: 1..21600 -> a token
 *                                (400 when the header is missing or out of range)
 *   GET /latest/meta-data/...    needs header X-aws-ec2-metadata-token with an unexpired token
 *                                (401 otherwise): instance-id, placement/availability-zone,
 *                                instance-type, instance-life-cycle (spot | on-demand),
 *                                spot/instance-action (404 until a notice, then
 *                                {"action": "terminate", "time": "YYYY-MM-DDTHH:MM:SSZ"}),
 *                                events/recommendations/rebalance (404 until raised, then
 *                                {"noticeTime": "..."}); anything else 404.
 * The server runs in libmicrohttpd's own thread; the owner raises the notice and the rebalance
 * recommendation from any thread. Reads no files. Errors: SK_E* codes with one line in err. */
#ifndef SK_IMDS_H
#define SK_IMDS_H

#include <stddef.h>

typedef struct sk_imds sk_imds;

typedef struct sk_imds_cfg {
    const char *instance_id;   /* "i-local-..." */
    const char *zone;          /* placement/availability-zone */
    const char *instance_type; /* instance-type */
    int spot;                  /* instance-life-cycle: 1 spot, 0 on-demand */
} sk_imds_cfg;

/* Start a server on 127.0.0.1:port (0 = a free port chosen by the kernel). SK_EIO when the
 * socket can't be bound, SK_ENOMEM. */
int sk_imds_start(sk_imds **out, const sk_imds_cfg *cfg, int port, char *err, size_t errlen);
/* The bound port and "http://127.0.0.1:PORT" (valid until stop). */
int sk_imds_port(const sk_imds *s);
const char *sk_imds_url(const sk_imds *s);
/* Raise the spot interruption notice: instance-action answers with a time notice_s seconds from
 * now (UTC, whole seconds, rounded down so the instance never sees a later deadline than the
 * real one). Raising it again keeps the first notice. Thread-safe. */
void sk_imds_notice(sk_imds *s, double notice_s);
/* Raise the rebalance recommendation (noticeTime = now). Thread-safe. */
void sk_imds_rebalance(sk_imds *s);
/* Wall-clock (epoch seconds) deadline of the notice; 0 when none was raised. */
double sk_imds_notice_time(sk_imds *s);
/* Counters: tokens issued, GET requests answered 200 (thread-safe reads). */
long sk_imds_tokens_issued(sk_imds *s);
long sk_imds_gets_ok(sk_imds *s);
/* Stop the server (joins its thread) and free. NULL is fine. */
void sk_imds_stop(sk_imds *s);

/* Format epoch seconds (floored) as "YYYY-MM-DDTHH:MM:SSZ"; parse it back (-1 on a bad string). */
void sk_imds_iso8601(double epoch, char out[32]);
double sk_imds_parse_iso8601(const char *s);

#endif
