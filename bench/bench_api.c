/* SPDX-License-Identifier: MIT */
/*
 * bench_api: the server's /v1/search handler in process, without HTTP:
 * each query line, as typed (the request wrk sends in
 * scripts/bench_http.sh: q=LINE&limit=10, with stored fields and
 * snippets), goes through srv_handle on one thread. One untimed warm-up
 * pass, then timed passes. The mean latency gives the ceiling an HTTP
 * server on this machine could reach: cores / mean. Prints one result
 * line (bench/harness.h). Usage:
 *   bench_api QUERIES DBDIR [PASSES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../server/server.h"
#include "harness.h"

#define MAX_LINES 100000

/* Answers one search; returns the HTTP status. */
static int search(srv *s, const char *q)
{
    srv_param params[] = {{"q", q}, {"limit", "10"}};
    srv_request req = {"GET", "/v1/search", params, 2, NULL, NULL, NULL,
                       "", 0};
    srv_response resp;
    srv_response_init(&resp);
    srv_handle(s, &req, &resp);
    int status = resp.status;
    srv_response_fini(&resp);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_api QUERIES DBDIR [PASSES]\n");
        return 2;
    }
    int passes = argc > 3 ? atoi(argv[3]) : 3;
    FILE *f = fopen(argv[1], "r");
    if (f == NULL || passes < 1) {
        perror(argv[1]);
        return 1;
    }
    char(*lines)[1024] = malloc(MAX_LINES * sizeof *lines);
    size_t n = 0;
    while (lines && n < MAX_LINES && fgets(lines[n], sizeof lines[n], f)) {
        lines[n][strcspn(lines[n], "\r\n")] = '\0';
        if (lines[n][0] != '\0')
            n++;
    }
    fclose(f);
    double *lat = malloc((n ? n : 1) * passes * sizeof *lat);
    srv_opts o;
    memset(&o, 0, sizeof o);
    o.db = argv[2];
    o.quiet = 1;
    srv *s;
    rp_error err;
    rp_error_clear(&err);
    if (lines == NULL || lat == NULL || n == 0 ||
        srv_open(&o, &s, &err) != 0) {
        fprintf(stderr, "bench_api: no queries or no index: %s\n", err.msg);
        return 1;
    }
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += search(s, lines[i]) != 200;
    double t0 = bh_now();
    for (int p = 0; p < passes; p++)
        for (size_t i = 0; i < n; i++) {
            double t = bh_now();
            bad += search(s, lines[i]) != 200;
            lat[p * n + i] = (bh_now() - t) * 1e3;
        }
    double secs = bh_now() - t0;
    size_t m = n * passes;
    double sum = 0;
    for (size_t i = 0; i < m; i++)
        sum += lat[i];
    bh_sort(lat, m);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double mean = sum / m;
    printf("result engine=rapport cmd=api route=/v1/search queries=%zu "
           "passes=%d p50_ms=%.3f p99_ms=%.3f mean_ms=%.4f qps=%.0f "
           "cores=%ld ceiling_rps=%.0f non200=%zu rss_mb=%.0f\n",
           n, passes, bh_pct(lat, m, 0.50), bh_pct(lat, m, 0.99), mean,
           m / secs, cores, cores * 1e3 / mean, bad, bh_peak_rss_mb());
    srv_close(s);
    free(lat);
    free(lines);
    return 0;
}
