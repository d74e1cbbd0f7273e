/* SPDX-License-Identifier: MIT */
/*
 * t.h: the test harness. Each tests/test_<module>.c lists its tests in one
 * table and ends with T_MAIN(table). Every test runs in a forked child with
 * a timeout, so a crash or a hang fails one test, not the run. The runner
 * runs all tests or the ones named on the command line and ends with the
 * line "N passed, N failed"; exit status is non-zero on any failure.
 */
#ifndef RAPPORT_T_H
#define RAPPORT_T_H

#include <dirent.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define T_SKIP_STATUS 77
#define T_TIMEOUT_SECONDS 300

typedef struct t_case {
    const char *name;
    void (*fn)(void);
} t_case;

#define T(fn) {#fn, fn}

#define T_FAIL(...)                                                            \
    do {                                                                       \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);                     \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        exit(1);                                                               \
    } while (0)

/* Ends the current test as skipped, with a reason. */
#define T_SKIP(...)                                                            \
    do {                                                                       \
        fprintf(stderr, "  skip: ");                                           \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        exit(T_SKIP_STATUS);                                                   \
    } while (0)

#define ASSERT(c)                                                              \
    do {                                                                       \
        if (!(c))                                                              \
            T_FAIL("assertion failed: %s", #c);                                \
    } while (0)

#define ASSERT_EQ(a, b)                                                        \
    do {                                                                       \
        intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);                       \
        if (a_ != b_)                                                          \
            T_FAIL("%s == %s: %jd != %jd", #a, #b, a_, b_);                    \
    } while (0)

#define ASSERT_NEAR(a, b, eps)                                                 \
    do {                                                                       \
        double a_ = (double)(a), b_ = (double)(b);                             \
        if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps)))                           \
            T_FAIL("%s ~= %s: %.9g != %.9g", #a, #b, a_, b_);                  \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                    \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                   \
            T_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)",   \
                   b_ ? b_ : "(null)");                                        \
    } while (0)

/* Compares a (pointer, length) byte string with a C string. */
#define ASSERT_MEM_EQ(p, n, s)                                                 \
    do {                                                                       \
        const char *p_ = (const char *)(p), *s_ = (s);                         \
        size_t n_ = (n);                                                       \
        if (n_ != strlen(s_) || memcmp(p_, s_, n_) != 0)                       \
            T_FAIL("%s == %s: \"%.*s\" != \"%s\"", #p, #s, (int)n_, p_, s_);   \
    } while (0)

/* Asserts a librapport call returned 0, naming the error otherwise. */
#define ASSERT_OK(expr)                                                        \
    do {                                                                       \
        int rc_ = (expr);                                                      \
        if (rc_ != 0)                                                          \
            T_FAIL("%s: rc %d (%s)", #expr, rc_, t_strerror(rc_));             \
    } while (0)

/* Each test file provides the message function used by ASSERT_OK. */
#ifndef T_NO_RAPPORT
#include "rapport/error.h"
static inline const char *t_strerror(int rc)
{
    return rp_strerror(rc);
}
#endif

#ifndef T_NO_RAPPORT
#include <errno.h>

#include "rapport/buf.h"
/* Reads a file of the repository (tests run from its root) into out, NUL
 * appended (not counted in out->len); skips the test when the file is not
 * there. The caller frees out with rp_buf_fini. */
static inline void t_repo_file(const char *path, rp_buf *out)
{
    rp_buf_init(out);
    int rc = rp_buf_read_file(out, path);
    if (rc == -ENOENT)
        T_SKIP("%s not found (run from the repository root)", path);
    if (rc != 0 || rp_buf_append(out, "", 1) != 0)
        T_FAIL("%s: %s", path, t_strerror(rc ? rc : RP_ENOMEM));
    out->len--;
}
#endif

/* Returns the shared data directory (env RP_SHARED_DATA, default
 * ../shared/data) if it exists, else NULL. */
static inline const char *t_shared(void)
{
    const char *d = getenv("RP_SHARED_DATA");
    if (d == NULL)
        d = "../shared/data";
    return access(d, R_OK) == 0 ? d : NULL;
}

/* xorshift64: the tests' one deterministic generator; *s must start
 * non-zero. */
static inline uint64_t t_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* Removes path and, for a directory, everything below it. */
/* Forks a child for a test's own use (output flushed first, so nothing
 * buffered is written twice). */
static inline pid_t t_fork(void)
{
    fflush(NULL);
    pid_t pid = fork();
    ASSERT(pid >= 0);
    return pid;
}

/* Waits for child pid and fails the test unless it exited with status 0. */
static inline void t_wait_ok(pid_t pid)
{
    int st;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Waits for child pid and fails the test unless SIGKILL ended it. */
static inline void t_wait_killed(pid_t pid)
{
    int st;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static inline void t_rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    DIR *d = opendir(path);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t n = strlen(path) + strlen(e->d_name) + 2;
        char *sub = malloc(n);
        if (sub == NULL)
            break;
        snprintf(sub, n, "%s/%s", path, e->d_name);
        t_rm_rf(sub);
        free(sub);
    }
    if (d != NULL)
        closedir(d);
    rmdir(path);
}

static int t_run(const t_case *c)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        alarm(T_TIMEOUT_SECONDS);
        c->fn();
        exit(0);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0)
        ;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    fprintf(stderr, "  killed by signal %d%s\n", WTERMSIG(st),
            WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
    return 1;
}

static inline int t_main(const t_case *cases, int argc, char **argv)
{
    int passed = 0, failed = 0, skipped = 0;
    for (const t_case *c = cases; c->name != NULL; c++) {
        int wanted = argc < 2;
        for (int i = 1; i < argc; i++)
            wanted |= strcmp(argv[i], c->name) == 0;
        if (!wanted)
            continue;
        int rc = t_run(c);
        if (rc == 0) {
            passed++;
        } else if (rc == T_SKIP_STATUS) {
            skipped++;
            passed++;
            printf("skip %s\n", c->name);
            continue;
        } else {
            failed++;
        }
        printf("%s %s\n", rc == 0 ? "ok  " : "FAIL", c->name);
    }
    if (skipped)
        printf("%d skipped (counted as passed)\n", skipped);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

#define T_MAIN(cases)                                                          \
    int main(int argc, char **argv)                                            \
    {                                                                          \
        return t_main(cases, argc, argv);                                      \
    }

#endif
