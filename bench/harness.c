/* SPDX-License-Identifier: MIT */
/*
 * harness: timing, corpus reading, the query-line rule and the result
 * lines shared by bench_index, bench_query, bench_api and the peer
 * harnesses (see harness.h). The peers read the corpus through here, so
 * their JSON parsing (cJSON) and gzip reading (zlib) are the same code.
 */
#include "harness.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

double bh_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

double bh_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024.0;
}

double bh_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

uint64_t bh_gz_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char t[4];
    uint64_t n = 0;
    if (f == NULL)
        return 0;
    if (fseek(f, -4, SEEK_END) == 0 && fread(t, 1, 4, f) == 4)
        n = t[0] | (uint64_t)t[1] << 8 | (uint64_t)t[2] << 16 |
            (uint64_t)t[3] << 24;
    fclose(f);
    return n;
}

uint64_t bh_disk_bytes(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return (uint64_t)st.st_size;
    uint64_t sum = 0;
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        sum += bh_disk_bytes(sub);
    }
    if (d)
        closedir(d);
    return sum;
}

struct bh_corpus {
    gzFile gz;
    char *buf;     /* read buffer */
    size_t len;    /* bytes held */
    size_t cap;    /* bytes allocated */
    size_t start;  /* where the next line begins */
    int eof;
    uint64_t line; /* line number of the last line returned */
    cJSON *json;   /* the last document */
};

bh_corpus *bh_corpus_open(const char *path)
{
    bh_corpus *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->gz = gzopen(path, "rb");
    c->cap = 1 << 20;
    c->buf = malloc(c->cap);
    if (c->gz == NULL || c->buf == NULL) {
        perror(path);
        bh_corpus_close(c);
        return NULL;
    }
    gzbuffer(c->gz, 1 << 18);
    return c;
}

/* The next line (NUL-terminated in place), or NULL at the end. */
static char *next_line(bh_corpus *c, size_t *len)
{
    for (;;) {
        char *nl = memchr(c->buf + c->start, '\n', c->len - c->start);
        if (nl != NULL || (c->eof && c->start < c->len)) {
            char *line = c->buf + c->start;
            size_t n = nl ? (size_t)(nl - line) : c->len - c->start;
            line[n] = '\0';
            c->start += n + (nl != NULL);
            *len = n;
            return line;
        }
        if (c->eof)
            return NULL;
        /* Move the partial line to the front, grow if it fills the
         * buffer, then read more. */
        memmove(c->buf, c->buf + c->start, c->len - c->start);
        c->len -= c->start;
        c->start = 0;
        if (c->len + 1 >= c->cap) {
            char *p = realloc(c->buf, c->cap * 2);
            if (p == NULL)
                return NULL;
            c->buf = p;
            c->cap *= 2;
        }
        int got = gzread(c->gz, c->buf + c->len,
                         (unsigned)(c->cap - 1 - c->len));
        if (got < 0)
            return NULL;
        if (got == 0)
            c->eof = 1;
        c->len += (size_t)got;
    }
}

static const char *member(const cJSON *o, const char *name, size_t *len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v))
        return NULL;
    *len = strlen(v->valuestring);
    return v->valuestring;
}

int bh_corpus_next(bh_corpus *c, bh_doc *out)
{
    size_t len;
    char *line;
    do {
        line = next_line(c, &len);
        c->line++;
    } while (line != NULL && len == 0);
    if (line == NULL) {
        int err;
        gzerror(c->gz, &err);
        if (err != Z_OK && err != Z_BUF_ERROR) {
            fprintf(stderr, "corpus: read error near line %llu\n",
                    (unsigned long long)c->line);
            return -1;
        }
        return 0;
    }
    cJSON_Delete(c->json);
    c->json = cJSON_ParseWithLength(line, len);
    size_t id_len;
    memset(out, 0, sizeof *out);
    out->id = c->json ? member(c->json, "id", &id_len) : NULL;
    out->title = c->json ? member(c->json, "title", &out->title_len) : NULL;
    out->text = c->json ? member(c->json, "text", &out->text_len) : NULL;
    if (out->id == NULL || out->title == NULL || out->text == NULL) {
        fprintf(stderr, "corpus: line %llu: not a {id, title, text} "
                "object\n", (unsigned long long)c->line);
        return -1;
    }
    out->line = line;
    out->line_len = len;
    return 1;
}

void bh_corpus_close(bh_corpus *c)
{
    if (c == NULL)
        return;
    if (c->gz)
        gzclose(c->gz);
    cJSON_Delete(c->json);
    free(c->buf);
    free(c);
}

static const char *const mode_names[] = {"or", "and", "phrase"};

int bh_mode_parse(const char *name, bh_mode *out)
{
    for (int m = BH_OR; m <= BH_PHRASE; m++)
        if (strcmp(name, mode_names[m]) == 0) {
            *out = (bh_mode)m;
            return 0;
        }
    return -1;
}

const char *bh_mode_name(bh_mode m)
{
    return mode_names[m];
}

/* Splits s[0..len) into words (see harness.h), appending to q. */
static int add_words(bh_query *q, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && !isalnum((unsigned char)s[i]))
            i++;
        size_t j = i;
        while (j < len && isalnum((unsigned char)s[j]))
            j++;
        if (j > i && q->nwords < BH_MAX_WORDS) {
            char *w = malloc(j - i + 1);
            if (w == NULL)
                return -1;
            for (size_t k = i; k < j; k++)
                w[k - i] = (char)tolower((unsigned char)s[k]);
            w[j - i] = '\0';
            q->words[q->nwords++] = w;
        }
        i = j;
    }
    return 0;
}

long bh_queries_load(const char *path, bh_mode m, bh_query **out)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    size_t n = 0, cap = 1024;
    bh_query *qs = malloc(cap * sizeof *qs);
    char line[4096];
    while (qs && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        const char *q1 = memchr(line, '"', len);
        const char *q2 = q1 ? memchr(q1 + 1, '"', len - (q1 + 1 - line))
                            : NULL;
        if (n == cap) {
            bh_query *p = realloc(qs, 2 * cap * sizeof *qs);
            if (p == NULL)
                break;
            qs = p;
            cap *= 2;
        }
        bh_query *q = &qs[n];
        memset(q, 0, sizeof *q);
        int rc;
        if (m == BH_PHRASE)
            rc = q2 ? add_words(q, q1 + 1, (size_t)(q2 - q1 - 1)) : 0;
        else
            rc = add_words(q, line, len);
        if (rc != 0) {
            n++;
            break;
        }
        if (q->nwords > 0)
            n++;
    }
    fclose(f);
    if (qs == NULL) {
        perror("queries");
        return -1;
    }
    *out = qs;
    return (long)n;
}

void bh_queries_free(bh_query *qs, long n)
{
    for (long i = 0; qs && i < n; i++)
        for (size_t w = 0; w < qs[i].nwords; w++)
            free(qs[i].words[w]);
    free(qs);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bh_sort(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
}

double bh_pct(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)(p * (n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

void bh_print_build(const char *engine, uint64_t docs, double secs,
                    uint64_t in_bytes, uint64_t bytes,
                    uint64_t bytes_nostore, const char *nostore_rule,
                    const bh_part *parts, size_t nparts)
{
    printf("result engine=%s cmd=build docs=%llu secs=%.3f docs_s=%.0f "
           "mb_s=%.2f in_bytes=%llu rss_mb=%.0f cpu_s=%.2f bytes=%llu "
           "bytes_nostore=%llu nostore=%s",
           engine, (unsigned long long)docs, secs, docs / secs,
           in_bytes / 1e6 / secs, (unsigned long long)in_bytes,
           bh_peak_rss_mb(), bh_cpu_s(), (unsigned long long)bytes,
           (unsigned long long)bytes_nostore, nostore_rule);
    for (size_t i = 0; i < nparts; i++)
        printf(" %s=%llu", parts[i].name,
               (unsigned long long)parts[i].bytes);
    printf("\n");
}

void bh_print_query(const char *engine, bh_mode m, double *lat, size_t n,
                    size_t nq, int passes, double secs, uint64_t hits)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += lat[i];
    bh_sort(lat, n);
    printf("result engine=%s cmd=query mode=%s queries=%zu passes=%d "
           "p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f mean_ms=%.4f qps=%.0f "
           "rss_mb=%.0f hits=%llu\n",
           engine, bh_mode_name(m), nq, passes, bh_pct(lat, n, 0.50),
           bh_pct(lat, n, 0.95), bh_pct(lat, n, 0.99), n ? sum / n : 0,
           n / secs, bh_peak_rss_mb(), (unsigned long long)hits);
}
