/* sk_imds.c - IMDSv2 emulator for the local provider (see sk_imds.h), on libmicrohttpd. Tokens are
 * 32 hex characters from getrandom(); up to SK_IMDS_TOKENS live at once (the oldest is replaced).
 * Reads no files. */
#define _GNU_SOURCE
#include "live/sk_imds.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "sk_error.h"

#define SK_IMDS_TOKENS 64

typedef struct {
    char tok[33];
    double expires; /* monotonic seconds */
} sk_imds_tok;

struct sk_imds {
    struct MHD_Daemon *d;
    pthread_mutex_t mu;
    char id[64], zone[64], type[64];
    int spot, port;
    char url[48];
    sk_imds_tok toks[SK_IMDS_TOKENS];
    int ntok, next_tok;
    double notice_epoch, rebalance_epoch; /* 0 = not raised */
    long issued, gets_ok;
};

static double sk_imds_mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double sk_imds_wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sk_imds_iso8601(double epoch, char out[32]) {
    time_t t = (time_t)epoch;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double sk_imds_parse_iso8601(const char *s) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *e = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!e || (*e != 'Z' && *e != '\0')) return -1;
    return (double)timegm(&tm);
}

static enum MHD_Result sk_imds_reply(struct MHD_Connection *c, unsigned code, const char *body, const char *ctype) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Server", "EC2ws");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static const char sk_imds_401[] =
    "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<html><head><title>401 - Unauthorized</title></head>"
    "<body><h1>401 - Unauthorized</h1></body></html>\n";
static const char sk_imds_404[] =
    "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<html><head><title>404 - Not Found</title></head>"
    "<body><h1>404 - Not Found</h1></body></html>\n";

/* Issue a token valid for ttl seconds (caller holds mu). */
static void sk_imds_new_token(sk_imds *s, long ttl, char out[33]) {
    unsigned char b[16] = {0};
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            /* no entropy source: fall back to clock bits (tokens are local-only) */
            unsigned long long t = (unsigned long long)(sk_imds_mono() * 1e9) ^ (unsigned long long)s->issued;
            for (size_t i = 0; i < sizeof b; i++) b[i] ^= (unsigned char)(t >> (8 * (i % 8)));
            break;
        }
        got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) out[2 * i] = hex[b[i] >> 4], out[2 * i + 1] = hex[b[i] & 15];
    out[32] = '\0';
    double now = sk_imds_mono();
    int slot = -1;
    for (int i = 0; i < s->ntok; i++)
        if (s->toks[i].expires <= now) {
            slot = i;
            break;
        }
    if (slot < 0 && s->ntok < SK_IMDS_TOKENS) slot = s->ntok++;
    if (slot < 0) slot = s->next_tok, s->next_tok = (s->next_tok + 1) % SK_IMDS_TOKENS;
    memcpy(s->toks[slot].tok, out, 33);
    s->toks[slot].expires = now + (double)ttl;
    s->issued++;
}

static int sk_imds_valid(sk_imds *s, const char *tok) {
    if (!tok || strlen(tok) != 32) return 0;
    double now = sk_imds_mono();
    for (int i = 0; i < s->ntok; i++)
        if (s->toks[i].expires > now && !strcmp(s->toks[i].tok, tok)) return 1;
    return 0;
}

static enum MHD_Result sk_imds_handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                      const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version, (void)upload;
    static int first_call_marker;
    sk_imds *s = cls;
    if (!*con_cls) { /* headers only: answer once the (ignored) body is in */
        *con_cls = &first_call_marker;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (!strcmp(method, "PUT")) {
        if (strcmp(url, "/latest/api/token")) return sk_imds_reply(c, 404, sk_imds_404, "text/html");
        const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-aws-ec2-metadata-token-ttl-seconds");
        char *end = NULL;
        long ttl = h ? strtol(h, &end, 10) : 0;
        if (!h || !*h || *end || ttl < 1 || ttl > 21600)
            return sk_imds_reply(c, 400, "Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be 1..21600\n",
                                 "text/plain");
        char tok[33];
        pthread_mutex_lock(&s->mu);
        sk_imds_new_token(s, ttl, tok);
        pthread_mutex_unlock(&s->mu);
        struct MHD_Response *r = MHD_create_response_from_buffer(32, tok, MHD_RESPMEM_MUST_COPY);
        if (!r) return MHD_NO;
        char ttls[24];
        snprintf(ttls, sizeof ttls, "%ld", ttl);
        MHD_add_response_header(r, "X-aws-ec2-metadata-token-ttl-seconds", ttls);
        MHD_add_response_header(r, "Content-Type", "text/plain");
        enum MHD_Result ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) return sk_imds_reply(c, 405, "Method Not Allowed\n", "text/plain");
    const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-aws-ec2-metadata-token");
    char body[256];
    const char *ctype = "text/plain";
    int found = 1;
    pthread_mutex_lock(&s->mu);
    if (!sk_imds_valid(s, tok)) {
        pthread_mutex_unlock(&s->mu);
        return sk_imds_reply(c, 401, sk_imds_401, "text/html");
    }
    const char *p = !strncmp(url, "/latest/meta-data/", 18) ? url + 18 : NULL;
    if (!p) found = 0;
    else if (!strcmp(p, "instance-id")) snprintf(body, sizeof body, "%s", s->id);
    else if (!strcmp(p, "placement/availability-zone")) snprintf(body, sizeof body, "%s", s->zone);
    else if (!strcmp(p, "instance-type")) snprintf(body, sizeof body, "%s", s->type);
    else if (!strcmp(p, "instance-life-cycle")) snprintf(body, sizeof body, "%s", s->spot ? "spot" : "on-demand");
    else if (!strcmp(p, "spot/instance-action") && s->notice_epoch > 0) {
        char t[32];
        sk_imds_iso8601(s->notice_epoch, t);
        snprintf(body, sizeof body, "{\"action\": \"terminate\", \"time\": \"%s\"}", t);
        ctype = "application/json";
    } else if (!strcmp(p, "events/recommendations/rebalance") && s->rebalance_epoch > 0) {
        char t[32];
        sk_imds_iso8601(s->rebalance_epoch, t);
        snprintf(body, sizeof body, "{\"noticeTime\": \"%s\"}", t);
        ctype = "application/json";
    } else found = 0;
    if (found) s->gets_ok++;
    pthread_mutex_unlock(&s->mu);
    return found ? sk_imds_reply(c, 200, body, ctype) : sk_imds_reply(c, 404, sk_imds_404, "text/html");
}

int sk_imds_start(sk_imds **out, const sk_imds_cfg *cfg, int port, char *err, size_t errlen) {
    *out = NULL;
    if (port < 0 || port > 65535) {
        if (err) snprintf(err, errlen, "imds: port %d out of range", port);
        return SK_EUSAGE;
    }
    sk_imds *s = calloc(1, sizeof *s);
    if (!s) {
        if (err) snprintf(err, errlen, "imds: out of memory");
        return SK_ENOMEM;
    }
    pthread_mutex_init(&s->mu, NULL);
    snprintf(s->id, sizeof s->id, "%s", cfg && cfg->instance_id ? cfg->instance_id : "i-local");
    snprintf(s->zone, sizeof s->zone, "%s", cfg && cfg->zone ? cfg->zone : "local-1a");
    snprintf(s->type, sizeof s->type, "%s", cfg && cfg->instance_type ? cfg->instance_type : "local.cpu");
    s->spot = cfg ? cfg->spot : 1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, sk_imds_handle, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)10, MHD_OPTION_END);
    if (!s->d) {
        if (err) snprintf(err, errlen, "imds: cannot listen on 127.0.0.1:%d", port);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return SK_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : port;
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
    *out = s;
    return 0;
}

int sk_imds_port(const sk_imds *s) { return s->port; }
const char *sk_imds_url(const sk_imds *s) { return s->url; }

void sk_imds_notice(sk_imds *s, double notice_s) {
    pthread_mutex_lock(&s->mu);
    if (s->notice_epoch <= 0) s->notice_epoch = sk_imds_wall() + (notice_s > 0 ? notice_s : 0);
    pthread_mutex_unlock(&s->mu);
}

void sk_imds_rebalance(sk_imds *s) {
    pthread_mutex_lock(&s->mu);
    if (s->rebalance_epoch <= 0) s->rebalance_epoch = sk_imds_wall();
    pthread_mutex_unlock(&s->mu);
}

double sk_imds_notice_time(sk_imds *s) {
    pthread_mutex_lock(&s->mu);
    double t = s->notice_epoch;
    pthread_mutex_unlock(&s->mu);
    return t;
}

long sk_imds_tokens_issued(sk_imds *s) {
    pthread_mutex_lock(&s->mu);
    long n = s->issued;
    pthread_mutex_unlock(&s->mu);
    return n;
}

long sk_imds_gets_ok(sk_imds *s) {
    pthread_mutex_lock(&s->mu);
    long n = s->gets_ok;
    pthread_mutex_unlock(&s->mu);
    return n;
}

void sk_imds_stop(sk_imds *s) {
    if (!s) return;
    MHD_stop_daemon(s->d);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
