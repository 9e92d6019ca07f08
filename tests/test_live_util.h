/* test_live_util.h - what the live-mode tests share: sleeping, files, child processes started
 * with their output in a log (stdin /dev/null: a test never waits on a terminal), exit codes, and a
 * read-only journal query. Static helpers for one test program. */
#ifndef TEST_LIVE_UTIL_H
#define TEST_LIVE_UTIL_H

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static inline double lt_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static inline void nap(double s) {
    struct timespec d = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&d, NULL);
}
/* The whole file, NUL-terminated (malloc'd), or NULL. */
static inline char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0) n = 0;
    char *b = malloc((size_t)n + 1);
    if (b && n > 0 && fread(b, 1, (size_t)n, f) != (size_t)n) n = 0;
    if (b) b[n] = 0;
    fclose(f);
    return b;
}
/* Both files exist, are not empty and hold the same text. */
static inline int same_file(const char *a, const char *b) {
    char *x = slurp(a), *y = slurp(b);
    int same = x && y && !strcmp(x, y) && strlen(x) > 0;
    free(x), free(y);
    return same;
}
static inline void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (f) fputs(text, f), fclose(f);
}
/* Start argv with stdout and stderr to log and stdin from /dev/null; its PID or -1. */
static inline pid_t spawn(char *const argv[], const char *log) {
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return e ? -1 : pid;
}
static inline int status_code(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }
/* The exit code of pid (128 + signal when killed), -1 when it is not our child. */
static inline int wait_exit(pid_t pid) {
    int st;
    if (pid <= 0 || waitpid(pid, &st, 0) != pid) return -1;
    return status_code(st);
}
/* The same, giving up after timeout_s: then SIGKILL, reap, -1. */
static inline int wait_exit_for(pid_t pid, double timeout_s) {
    for (double end = lt_now() + timeout_s; lt_now() < end; nap(0.05)) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) return status_code(st);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}
/* The first column of the first row of sql on the journal (read-only), or -1. */
static inline int q_int(const char *db, const char *sql) {
    sqlite3 *d = NULL;
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK && sqlite3_busy_timeout(d, 2000) == SQLITE_OK &&
        sqlite3_prepare_v2(d, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(d);
    return v;
}

#endif
