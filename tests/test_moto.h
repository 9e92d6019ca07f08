/* test_moto.h - a moto server (python3 -m moto.server) and the project's harness in front of it
 * (tests/moto_harness.py proxy: spot reclaims, injected errors), both on free 127.0.0.1 ports,
 * started by the test and stopped by their PIDs at exit. Static helpers for one test program. */
#ifndef TEST_MOTO_H
#define TEST_MOTO_H

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    int port = -1;
    if (!bind(fd, (struct sockaddr *)&a, sizeof a) && !getsockname(fd, (struct sockaddr *)&a, &al))
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static size_t discard(char *p, size_t s, size_t n, void *u) {
    (void)p;
    (void)u;
    return s * n;
}

static int url_up(const char *url) {
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 2L);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    return cc == CURLE_OK;
}

static pid_t moto_pid = -1, proxy_pid = -1;
static char moto_url[64], proxy_url[64];

static void stop_pid(pid_t *pid) {
    if (*pid <= 0) return;
    kill(*pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = -1;
            return;
        }
        nap_ms(50);
    }
    kill(*pid, SIGKILL);
    waitpid(*pid, NULL, 0);
    *pid = -1;
}

static void servers_stop(void) {
    stop_pid(&proxy_pid);
    stop_pid(&moto_pid);
}

/* Start a child (stdout/stderr to /dev/null) and wait up to 60 s for url to answer. */
static int spawn_wait(pid_t *pid, char *const argv[], const char *url) {
    fflush(stdout); /* the child's freopen would flush a copy of the buffer */
    fflush(stderr);
    *pid = fork();
    if (*pid < 0) return -1;
    if (*pid == 0) {
        FILE *f = freopen("/dev/null", "w", stdout);
        f = freopen("/dev/null", "w", stderr);
        (void)f;
        execvp(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < 600; i++) {
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = -1;
            return -1;
        }
        if (url_up(url)) return 0;
        nap_ms(100);
    }
    return -1;
}

static int servers_start(void) {
    const char *src = getenv("SK_TEST_SRC");
    int mp = free_port(), pp = free_port();
    if (!src || mp < 0 || pp < 0) return -1;
    char mps[16], pps[16], script[600], url[128];
    snprintf(mps, sizeof mps, "%d", mp);
    snprintf(pps, sizeof pps, "%d", pp);
    snprintf(moto_url, sizeof moto_url, "http://127.0.0.1:%d/", mp);
    snprintf(proxy_url, sizeof proxy_url, "http://127.0.0.1:%d/", pp);
    snprintf(script, sizeof script, "%s/moto_harness.py", src);
    atexit(servers_stop);
    char *margv[] = {"python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", mps, NULL};
    snprintf(url, sizeof url, "%smoto-api/", moto_url);
    if (spawn_wait(&moto_pid, margv, url)) return -1;
    char *pargv[] = {"python3", script, "proxy", pps, moto_url, NULL};
    snprintf(url, sizeof url, "%smoto-api/", proxy_url);
    return spawn_wait(&proxy_pid, pargv, url);
}

/* POST a control body to the harness (/_harness/PATH). 0 on HTTP 200. */
static int harness(const char *path, const char *body) {
    char url[160];
    snprintf(url, sizeof url, "%s_harness/%s", proxy_url, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: text/plain");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    long st = 0;
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return cc == CURLE_OK && st == 200 ? 0 : -1;
}

#endif
