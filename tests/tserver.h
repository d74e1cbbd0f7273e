/* SPDX-License-Identifier: MIT */
/*
 * tserver.h: helpers for the tests that run rapport-server and
 * rapport-index as processes (test_e2e.c, test_reliability.c): a mkdtemp
 * directory per test, children that die with the test (PR_SET_PDEATHSIG
 * and an atexit handler that also removes the directory), starting a
 * server on an ephemeral loopback port and reading its port from the
 * "listening on" line, stopping it, and one-shot requests. Test code only;
 * every helper fails the test on error.
 */
#ifndef RAPPORT_TSERVER_H
#define RAPPORT_TSERVER_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "http_client.h"
#include "rapport/buf.h"
#include "t.h"

#define MAX_CHILDREN 8
#define IO_TIMEOUT_MS 5000 /* per ordinary request */
#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 5000

/* Per test process state, so that the atexit handler can clean up after
 * an assertion that ends a test early. Each test runs in its own forked
 * process (t.h), so this starts zeroed for every test. */
typedef struct e2e_state {
    char root[64];            /* the test's mkdtemp directory, or "" */
    pid_t pids[MAX_CHILDREN]; /* children still running; 0 = free slot */
    int registered;           /* cleanup() is registered with atexit */
} e2e_state;

static e2e_state g;

/* A running (or exited) rapport-server. */
typedef struct server {
    pid_t pid;     /* 0 once reaped */
    uint16_t port; /* from the "listening on" line */
    char log[128]; /* file holding the server's standard error */
    int status;    /* wait status once it exited */
} server;

/* ---- process and file helpers ------------------------------------------ */

static inline void cleanup(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (g.pids[i] > 0) {
            kill(g.pids[i], SIGKILL);
            waitpid(g.pids[i], NULL, 0);
            g.pids[i] = 0;
        }
    }
    /* RP_E2E_KEEP=1 keeps the directory (logs, index) for a post-mortem. */
    if (g.root[0] != '\0' && getenv("RP_E2E_KEEP") == NULL)
        t_rm_rf(g.root);
    else if (g.root[0] != '\0')
        fprintf(stderr, "  kept %s\n", g.root);
    g.root[0] = '\0';
}

static inline void remember(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (g.pids[i] == 0) {
            g.pids[i] = pid;
            return;
        }
    kill(pid, SIGKILL);
    T_FAIL("more than %d children", MAX_CHILDREN);
}

static inline void forget(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (g.pids[i] == pid)
            g.pids[i] = 0;
}

static inline void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Creates the test's temporary directory and registers the cleanup. */
static inline void setup(void)
{
    if (!g.registered) {
        atexit(cleanup);
        g.registered = 1;
    }
    snprintf(g.root, sizeof g.root, "/tmp/rapport-e2e-XXXXXX");
    if (mkdtemp(g.root) == NULL) {
        g.root[0] = '\0';
        T_FAIL("mkdtemp: %s", strerror(errno));
    }
}

/* out = <root>/name. */
static inline void path_in(char *out, size_t cap, const char *name)
{
    if ((size_t)snprintf(out, cap, "%s/%s", g.root, name) >= cap)
        T_FAIL("path too long: %s/%s", g.root, name);
}

static inline const char *build_dir(void)
{
    const char *b = getenv("RP_BUILD");
    return b != NULL && *b != '\0' ? b : "build";
}

/* out = <build>/name; skips the test when that binary is missing. */
static inline void binary(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", build_dir(), name);
    if (access(out, X_OK) != 0)
        T_SKIP("%s is missing (run make first, or set RP_BUILD)", out);
}

static inline void need_binaries(void)
{
    char p[256];
    binary(p, sizeof p, "rapport-server");
    binary(p, sizeof p, "rapport-index");
}

static inline void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        T_FAIL("cannot write %s", path);
}

/* Reads a whole file into a new NUL-terminated buffer; NULL if it cannot
 * be read. */
static inline char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    rp_buf b = RP_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (rp_buf_append(&b, chunk, n) != 0)
            T_FAIL("out of memory reading %s", path);
    fclose(f);
    if (rp_buf_append(&b, "", 1) != 0)
        T_FAIL("out of memory reading %s", path);
    *len = b.len - 1;
    return (char *)b.data;
}

/* Creates <root>/name as an empty directory for an index. */
static inline void make_db(char *out, size_t cap, const char *name)
{
    path_in(out, cap, name);
    if (mkdir(out, 0700) != 0)
        T_FAIL("mkdir %s: %s", out, strerror(errno));
}

/* A deterministic admin key of len bytes of [A-Za-z0-9]. */
static inline void make_key(char *key, size_t len, uint64_t seed)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "0123456789";
    for (size_t i = 0; i < len; i++)
        key[i] = abc[t_rand(&seed) % (sizeof abc - 1)];
    key[len] = '\0';
}

/* Forks a child that dies with this process, with stdin and stdout on
 * /dev/null and stderr into log, and execs argv. */
static inline pid_t spawn(const char *const *argv, const char *log)
{
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        T_FAIL("fork: %s", strerror(errno));
    if (pid == 0) {
        /* SIGKILL when the test process ends, however it ends; the check
         * covers a parent that died before prctl ran. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int nul = open("/dev/null", O_RDWR);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (nul < 0 || fd < 0)
            _exit(127);
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(fd, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    remember(pid);
    return pid;
}

/* ---- the server --------------------------------------------------------- */

/* Starts rapport-server with args (NULL-terminated; --listen is added)
 * and its stderr in <root>/logname, then waits for the listening line.
 * Standard error goes to a file rather than a pipe so that the access log
 * can never fill a pipe buffer and stall the server while a test is busy
 * elsewhere. Returns 0 when it listens, 1 when it exited first (then
 * s->status holds its wait status). */
static inline int start_server(server *s, const char *logname,
                               const char *const *args)
{
    char bin[256];
    binary(bin, sizeof bin, "rapport-server");
    const char *argv[32];
    size_t n = 0;
    argv[n++] = bin;
    for (size_t i = 0; args[i] != NULL && n < 28; i++)
        argv[n++] = args[i];
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n] = NULL;
    memset(s, 0, sizeof *s);
    path_in(s->log, sizeof s->log, logname);
    /* Emptied here, not only in the child: a restart must not read the
     * last run's listening line. */
    write_file(s->log, "", 0);
    s->pid = spawn(argv, s->log);
    static const char mark[] = "listening on http://127.0.0.1:";
    double deadline = hc_now_ms() + START_TIMEOUT_MS;
    for (;;) {
        size_t len;
        char *text = read_file(s->log, &len);
        const char *p = text ? strstr(text, mark) : NULL;
        if (p != NULL && strchr(p, '\n') != NULL) {
            long port = strtol(p + sizeof mark - 1, NULL, 10);
            free(text);
            if (port <= 0 || port > 65535)
                T_FAIL("bad port in the listening line");
            s->port = (uint16_t)port;
            return 0;
        }
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            free(text);
            forget(s->pid);
            s->pid = 0;
            s->status = st;
            return 1;
        }
        if (hc_now_ms() > deadline)
            T_FAIL("rapport-server did not start within %d ms; stderr: %s",
                   START_TIMEOUT_MS, text ? text : "(none)");
        free(text);
        sleep_ms(10);
    }
}

/* Starts a server that must come up. */
static inline void start_ok(server *s, const char *logname,
                            const char *const *args)
{
    if (start_server(s, logname, args) != 0) {
        size_t len;
        char *text = read_file(s->log, &len);
        T_FAIL("rapport-server exited at start (status %d): %s", s->status,
               text ? text : "(no stderr)");
    }
}

/* Sends SIGTERM and waits up to timeout_ms. Returns the wait status, or
 * -1 when the server had to be killed with SIGKILL. */
static inline int stop_server(server *s, int timeout_ms)
{
    if (s->pid == 0)
        return s->status;
    kill(s->pid, SIGTERM);
    double deadline = hc_now_ms() + timeout_ms;
    int st = 0;
    for (;;) {
        pid_t w = waitpid(s->pid, &st, WNOHANG);
        if (w == s->pid)
            break;
        if (hc_now_ms() > deadline) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
            forget(s->pid);
            s->pid = 0;
            return -1;
        }
        sleep_ms(5);
    }
    forget(s->pid);
    s->pid = 0;
    s->status = st;
    return st;
}

/* Stops s and fails unless it exits 0 within STOP_TIMEOUT_MS. */
static inline void stop_ok(server *s)
{
    int st = stop_server(s, STOP_TIMEOUT_MS);
    if (st == -1)
        T_FAIL("rapport-server ignored SIGTERM for %d ms", STOP_TIMEOUT_MS);
    if (!WIFEXITED(st))
        T_FAIL("rapport-server died of signal %d", WTERMSIG(st));
    ASSERT_EQ(WEXITSTATUS(st), 0);
}

/* ---- requests ----------------------------------------------------------- */

/* Sends one well-formed request with "Connection: close" and reads the
 * whole answer. headers: extra header lines, each ending in CRLF, or NULL.
 * body: sent with a Content-Length when not NULL. */
static inline void request(const server *s, const char *method,
                           const char *target, const char *headers,
                           const char *body, size_t body_len, hc_resp *out)
{
    rp_buf b = RP_BUF_INIT;
    int rc = rp_buf_printf(&b,
                           "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                           "Connection: close\r\n%s",
                           method, target, (unsigned)s->port,
                           headers ? headers : "");
    if (rc == 0 && body != NULL)
        rc = rp_buf_printf(&b, "Content-Length: %zu\r\n", body_len);
    if (rc == 0)
        rc = rp_buf_puts(&b, "\r\n");
    if (rc == 0 && body != NULL)
        rc = rp_buf_append(&b, body, body_len);
    if (rc != 0)
        T_FAIL("out of memory");
    rc = hc_exchange(s->port, b.data, b.len, IO_TIMEOUT_MS, 1, out);
    rp_buf_fini(&b);
    if (rc != 0)
        T_FAIL("%s %.60s: connect: %s", method, target, strerror(-rc));
    if (out->status == 0)
        T_FAIL("%s %.60s: no HTTP response (%zu bytes, %s)", method, target,
               out->raw_len, out->timed_out ? "timed out" : "closed");
}

/* Does header name of r have exactly the value v? */
static inline int header_is(const hc_resp *r, const char *name, const char *v)
{
    size_t len;
    const char *h = hc_header(r, name, &len);
    return h != NULL && len == strlen(v) && strncasecmp(h, v, len) == 0;
}

#endif
