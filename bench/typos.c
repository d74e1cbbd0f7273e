/* SPDX-License-Identifier: MIT */
/*
 * rp-typos: writes a misspelled copy of a query file, for measuring typo
 * tolerance (make eval). Reads JSON lines {"_id" or "id", "text" or
 * "query"} and writes {"_id", "text"} lines in which every word of five or
 * more ASCII letters, with probability one half, gets exactly one typo:
 * a letter inserted, deleted or substituted, or two adjacent different
 * letters swapped, chosen uniformly. The generator is seeded from --seed
 * and the query's line number, so a run is reproducible and one query's
 * typos do not depend on the others. --text reads and writes plain lines
 * (one query each) instead of JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/buf.h"
#include "rapport/json.h"

/* splitmix64: small, well mixed, and the same everywhere. */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char random_letter(uint64_t *s, char not)
{
    char c;
    do
        c = (char)('a' + next(s) % 26);
    while (c == not);
    return c;
}

/* Appends word w[0..n) to out with one typo. */
static int typo(rp_buf *out, const char *w, size_t n, uint64_t *s)
{
    char t[64 + 1];
    if (n > 64)
        return rp_buf_append(out, w, n); /* not a word anyone types */
    memcpy(t, w, n);
    size_t len = n;
    for (;;) {
        unsigned op = (unsigned)(next(s) % 4);
        size_t i = (size_t)(next(s) % n);
        if (op == 0) { /* insert before i */
            memmove(t + i + 1, t + i, n - i);
            t[i] = random_letter(s, 0);
            len = n + 1;
        } else if (op == 1) { /* delete i */
            memmove(t + i, t + i + 1, n - i - 1);
            len = n - 1;
        } else if (op == 2) { /* substitute i */
            t[i] = random_letter(s, t[i]);
        } else { /* swap i and i + 1, which must differ */
            if (i + 1 >= n || t[i] == t[i + 1])
                continue;
            char c = t[i];
            t[i] = t[i + 1];
            t[i + 1] = c;
        }
        return rp_buf_append(out, t, len);
    }
}

static int misspell(const char *text, size_t len, uint64_t seed,
                    rp_buf *out)
{
    uint64_t s = seed;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && is_letter(text[j]))
            j++;
        int rc;
        if (j == i) {
            rc = rp_buf_append(out, text + i, 1);
            j = i + 1;
        } else if (j - i >= 5 && next(&s) % 2 == 0) {
            rc = typo(out, text + i, j - i, &s);
        } else {
            rc = rp_buf_append(out, text + i, j - i);
        }
        if (rc != 0)
            return rc;
        i = j;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    const char *path = NULL;
    int plain = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--text") == 0)
            plain = 1;
        else if (argv[i][0] != '-' && path == NULL)
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (path == NULL) {
        fprintf(stderr,
                "usage: rp-typos QUERIES.jsonl [--seed N] [--text] > OUT\n");
        return 2;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    int status = 0;
    rp_buf id = RP_BUF_INIT, text = RP_BUF_INIT, out = RP_BUF_INIT;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        id.len = text.len = out.len = 0;
        rp_error err;
        rp_error_clear(&err);
        if (n == 1 && line[0] == '\n')
            continue;
        uint64_t s = seed * 0x100000001b3u + (uint64_t)lineno;
        int rc;
        if (plain) {
            size_t len = strcspn(line, "\r\n");
            rc = misspell(line, len, s, &out);
            rc = rc ? rc : rp_buf_append(&out, "\n", 1);
            if (rc == 0)
                fwrite(out.data, 1, out.len, stdout);
            else
                fprintf(stderr, "rp-typos: %s\n", rp_strerror(rc));
            if (rc != 0) {
                status = 1;
                break;
            }
            continue;
        }
        rc = rp_json_decode_query(line, (size_t)n, &id, &text, &err);
        if (rc == 0) {
            rc = rp_buf_append(&out, "{\"_id\":", 7);
            rc = rc ? rc : rp_json_put_string(&out, (char *)id.data, id.len);
            rc = rc ? rc : rp_buf_append(&out, ",\"text\":", 8);
            rp_buf typed = RP_BUF_INIT;
            rc = rc ? rc : misspell((char *)text.data, text.len, s, &typed);
            rc = rc ? rc : rp_json_put_string(&out, (char *)typed.data,
                                              typed.len);
            rp_buf_fini(&typed);
            rc = rc ? rc : rp_buf_append(&out, "}\n", 2);
        }
        if (rc != 0) {
            fprintf(stderr, "rp-typos: %s:%ld: %s\n", path, lineno,
                    err.code ? err.msg : rp_strerror(rc));
            status = 1;
            break;
        }
        fwrite(out.data, 1, out.len, stdout);
    }
    free(line);
    rp_buf_fini(&id);
    rp_buf_fini(&text);
    rp_buf_fini(&out);
    fclose(f);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("rp-typos: stdout");
        status = 1;
    }
    return status;
}
