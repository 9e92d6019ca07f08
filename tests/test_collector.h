/* test_collector.h - a report collector for the agent tests: a libmicrohttpd server on 127.0.0.1
 * that appends every POST body to one buffer, a line per request (`synkti agent --report URL`),
 * and counts requests that are not POST /report. Static helpers for one test program. */
#ifndef TEST_COLLECTOR_H
#define TEST_COLLECTOR_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

typedef struct {
    pthread_mutex_t mu;
    char buf[1 << 16];
    size_t n;
    int bad; /* requests other than POST /report */
} collector_t;

static enum MHD_Result collect(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *up, size_t *upsz, void **con_cls) {
    (void)version;
    static int marker;
    collector_t *k = cls;
    if (!*con_cls) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upsz) {
        pthread_mutex_lock(&k->mu);
        if (strcmp(method, "POST") || strcmp(url, "/report")) k->bad++;
        else if (k->n + *upsz + 2 < sizeof k->buf) memcpy(k->buf + k->n, up, *upsz), k->n += *upsz, k->buf[k->n] = 0;
        pthread_mutex_unlock(&k->mu);
        *upsz = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&k->mu);
    if (k->n + 2 < sizeof k->buf) k->buf[k->n++] = '\n', k->buf[k->n] = 0;
    pthread_mutex_unlock(&k->mu);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, 204, r);
    MHD_destroy_response(r);
    return ret;
}

/* Serve k on 127.0.0.1:port (0: any free port; a busy port is tried again for up to 10 s). The
 * daemon, or NULL. The URL to give the agent: http://127.0.0.1:<collector_port(d)>/report. */
static inline struct MHD_Daemon *collector_on(int port, collector_t *k) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 200; i++) {
        struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, collect, k,
                                                MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
        if (d) return d;
        struct timespec w = {0, 50 * 1000 * 1000};
        nanosleep(&w, NULL);
    }
    return NULL;
}
static inline unsigned collector_port(struct MHD_Daemon *d) { return (unsigned)MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port; }

#endif
