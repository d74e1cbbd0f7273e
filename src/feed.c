/* SPDX-License-Identifier: MIT */
/*
 * feed: corpus input. Files are read as streams (src/instream.c), which
 * inflate gzip and pass plain files through unchanged, so compressed and
 * plain input share one path. JSON Lines are split as they stream in;
 * .json files and standard input in JSON form are read whole and split by
 * the JSON module.
 */
#include "rapport/feed.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rapport/buf.h"
#include "rapport/json.h"
#include "internal.h"

#define CHUNK (1u << 20)

typedef struct feeder {
    rp_batch *b;
    const char *file;
    rp_feed_progress_cb progress;
    void *ctx;
    uint64_t *docs;
    rp_error *err;
} feeder;

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* 1: JSON Lines, 2: JSON, 0: neither. */
static int file_kind(const char *name)
{
    char base[4096];
    snprintf(base, sizeof base, "%s", name);
    if (has_suffix(base, ".gz"))
        base[strlen(base) - 3] = '\0';
    if (has_suffix(base, ".jsonl") || has_suffix(base, ".ndjson"))
        return 1;
    if (has_suffix(base, ".json"))
        return 2;
    return 0;
}

static int add_line(feeder *f, const char *p, size_t len, long line)
{
    while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == ' ' ||
                       p[len - 1] == '\t'))
        len--;
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i == len)
        return 0;
    int rc = rp_batch_add_json(f->b, p, len, f->file, line);
    if (rc == 0)
        ++*f->docs;
    return rc;
}

static int on_elem(void *ctx, const char *elem, size_t len, long line)
{
    feeder *f = ctx;
    int rc = rp_batch_add_json(f->b, elem, len, f->file, line);
    if (rc == 0)
        ++*f->docs;
    return rc;
}

static int feed_stream(feeder *f, rp__instream *in, int kind,
                       uint64_t total)
{
    rp_buf buf = RP_BUF_INIT;
    int rc = 0;
    long line = 1;
    size_t start = 0; /* unconsumed bytes begin here (JSON Lines) */
    for (;;) {
        if ((rc = rp_buf_reserve(&buf, CHUNK)) != 0)
            break;
        size_t n;
        if ((rc = rp__instream_read(in, buf.data + buf.len, CHUNK, &n,
                                    f->err)) != 0 ||
            n == 0)
            break;
        size_t scan = buf.len;
        buf.len += n;
        if (f->progress)
            f->progress(f->ctx, f->file, rp__instream_offset(in), total);
        if (kind == 2)
            continue;
        /* Hand over complete lines, then keep the partial tail. */
        const unsigned char *nl;
        while (rc == 0 &&
               (nl = memchr(buf.data + scan, '\n', buf.len - scan)) != NULL) {
            size_t i = (size_t)(nl - buf.data);
            rc = add_line(f, (const char *)buf.data + start, i - start, line);
            line++;
            start = scan = i + 1;
        }
        if (rc != 0)
            break;
        memmove(buf.data, buf.data + start, buf.len - start);
        buf.len -= start;
        start = 0;
    }
    if (rc == 0 && kind == 1 && buf.len > 0)
        rc = add_line(f, (const char *)buf.data, buf.len, line);
    if (rc == 0 && kind == 2) {
        size_t i = 0;
        while (i < buf.len && (buf.data[i] == ' ' || buf.data[i] == '\n' ||
                               buf.data[i] == '\r' || buf.data[i] == '\t'))
            i++;
        if (i < buf.len) {
            rp_error jerr;
            rp_error_clear(&jerr);
            rc = rp_json_elements((const char *)buf.data, buf.len, on_elem, f,
                                  &jerr);
            if (rc != 0 && jerr.code != 0)
                rp_error_set(f->err, rc, jerr.offset, "%s: byte %zu: %s",
                             f->file, jerr.offset, jerr.msg);
        }
    }
    rp_buf_fini(&buf);
    return rc;
}

static int feed_file(feeder *f, const char *path, int kind)
{
    struct stat st;
    uint64_t total = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
    rp__instream *in;
    f->file = path;
    int rc = rp__instream_open(path, &in, f->err);
    if (rc == 0)
        rc = feed_stream(f, in, kind, total);
    rp__instream_close(in);
    return rc;
}

/* Splits a buffer held in memory: JSON Lines, or one JSON text. */
static int feed_buffer(feeder *f, const unsigned char *data, size_t len,
                       int jsonl)
{
    int rc = 0;
    if (!jsonl) {
        size_t i = 0;
        while (i < len && (data[i] == ' ' || data[i] == '\n' ||
                           data[i] == '\r' || data[i] == '\t'))
            i++;
        if (i == len)
            return 0;
        rp_error jerr;
        rp_error_clear(&jerr);
        rc = rp_json_elements((const char *)data, len, on_elem, f, &jerr);
        if (rc != 0 && jerr.code != 0)
            rp_error_set(f->err, rc, jerr.offset, "%s: byte %zu: %s",
                         f->file, jerr.offset, jerr.msg);
        return rc;
    }
    long line = 1;
    size_t start = 0;
    for (size_t i = 0; i <= len && rc == 0; i++) {
        if (i < len && data[i] != '\n')
            continue;
        rc = add_line(f, (const char *)data + start, i - start, line);
        line++;
        start = i + 1;
    }
    return rc;
}

static int feed_stdin(feeder *f)
{
    f->file = "<stdin>";
    rp_buf buf = RP_BUF_INIT;
    int rc = 0;
    size_t n;
    do {
        if ((rc = rp_buf_reserve(&buf, CHUNK)) != 0)
            break;
        n = fread(buf.data + buf.len, 1, CHUNK, stdin);
        buf.len += n;
    } while (n > 0);
    if (rc == 0 && ferror(stdin))
        rc = rp_error_set(f->err, -EIO, 0, "<stdin>: read error");
    /* The first non-blank byte chooses the format. */
    size_t first = 0;
    while (first < buf.len &&
           (buf.data[first] == ' ' || buf.data[first] == '\n' ||
            buf.data[first] == '\r' || buf.data[first] == '\t'))
        first++;
    if (rc == 0)
        rc = feed_buffer(f, buf.data, buf.len,
                         !(first < buf.len && buf.data[first] == '['));
    rp_buf_fini(&buf);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int feed_any(feeder *f, const char *path, int top);

static int feed_dir(feeder *f, const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return rp_error_set(f->err, -errno, 0, "%s: %s", path,
                            strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (rp__grow((void **)&names, &cap, n + 1, sizeof *names) != 0) {
            rc = RP_ENOMEM;
            break;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        if ((names[n] = malloc(len)) == NULL) {
            rc = RP_ENOMEM;
            break;
        }
        snprintf(names[n++], len, "%s/%s", path, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = feed_any(f, names[i], 0);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int feed_any(feeder *f, const char *path, int top)
{
    if (strcmp(path, "-") == 0 && top)
        return feed_stdin(f);
    struct stat st;
    if (stat(path, &st) != 0)
        return rp_error_set(f->err, -errno, 0, "%s: %s", path,
                            strerror(errno));
    if (S_ISDIR(st.st_mode))
        return feed_dir(f, path);
    int kind = file_kind(path);
    if (kind == 0) {
        if (!top)
            return 0; /* directories may hold other files */
        return rp_error_set(f->err, RP_EINVAL, 0,
                            "%s: not a .jsonl, .ndjson or .json file "
                            "(optionally .gz)",
                            path);
    }
    return feed_file(f, path, kind);
}

int rp_feed_memory(rp_batch *b, const char *data, size_t len, int jsonl,
                   const char *name, uint64_t *docs, rp_error *err)
{
    feeder f = {b, name ? name : "input", NULL, NULL, docs, err};
    return feed_buffer(&f, (const unsigned char *)data, len, jsonl);
}

int rp_feed_path(rp_batch *b, const char *path, rp_feed_progress_cb progress,
                 void *ctx, uint64_t *docs, rp_error *err)
{
    feeder f = {b, path, progress, ctx, docs, err};
    return feed_any(&f, path, 1);
}
