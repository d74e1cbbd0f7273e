/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tokenize: feeds arbitrary bytes to rp_tokenize and aborts when a
 * token breaks the contract: bad term length or UTF-8, stray punctuation in
 * a term, spans out of range or out of order, a joined token that is not
 * its parts joined, callbacks on invalid input, a run that differs from the
 * same run again, or an early stop that does not stop.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rapport/error.h"
#include "rapport/tokenize.h"
#include "rapport/utf8.h"

const char *const fuzz_shared_seeds[] = {"badinput/blns.txt",
                                         "badinput/UTF-8-test.txt", NULL};

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c))                                                              \
            abort();                                                           \
    } while (0)

#define STOP_RC 12345
#define RECENT 8 /* parts remembered for checking a joined token */

typedef struct seen_part {
    char term[RP_TERM_MAX_BYTES];
    size_t len;
    rp_pos pos;
    size_t start, end;
} seen_part;

typedef struct run {
    size_t size; /* input length */
    rp_pos base;
    size_t mark_at; /* note the hash after this call (1-based) */
    size_t stop_at; /* return STOP_RC from this call; 0 = never */
    size_t calls;
    uint64_t hash;    /* of every token so far */
    uint64_t hash_at; /* hash after call number mark_at */
    size_t words;     /* non-joined tokens */
    rp_pos last_pos;  /* of the last non-joined token */
    size_t last_end;  /* of the last non-joined token */
    rp_pos max_pos;
    seen_part parts[RECENT];
    size_t nparts; /* parts remembered, at most RECENT */
} run;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdu;
}

static void check_term(const rp_token *t)
{
    CHECK(t->term != NULL);
    CHECK(t->term_len >= 1 && t->term_len <= RP_TERM_MAX_BYTES);
    CHECK(rp_utf8_validate(t->term, t->term_len, NULL) == 0);
    for (size_t i = 0; i < t->term_len; i++) {
        unsigned char c = (unsigned char)t->term[i];
        if (c >= 0x80)
            continue;
        CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'' ||
              c == '.');
        if (t->flags & RP_TOK_NUMBER)
            CHECK(c != '\'' && !(c >= 'a' && c <= 'z'));
    }
    /* Apostrophes and decimal points only ever sit inside a term. */
    unsigned char first = (unsigned char)t->term[0];
    unsigned char last = (unsigned char)t->term[t->term_len - 1];
    CHECK(first != '\'' && first != '.' && last != '\'' && last != '.');
}

/* A joined token is the recent parts from its position on, joined. */
static void check_joined(const run *r, const rp_token *t)
{
    size_t k = r->nparts;
    while (k > 0 && r->parts[k - 1].pos > t->pos)
        k--;
    CHECK(k > 0 && r->parts[k - 1].pos == t->pos);
    k--;
    CHECK(r->nparts - k >= 2);
    CHECK(t->start == r->parts[k].start);
    CHECK(t->end == r->parts[r->nparts - 1].end);
    size_t off = 0;
    for (size_t i = k; i < r->nparts; i++) {
        const seen_part *p = &r->parts[i];
        CHECK(off + p->len <= t->term_len);
        CHECK(memcmp(t->term + off, p->term, p->len) == 0);
        off += p->len;
    }
    CHECK(off == t->term_len);
}

static int on_token(void *ctx, const rp_token *t)
{
    run *r = ctx;
    r->calls++;
    check_term(t);
    CHECK(t->start < t->end && t->end <= r->size);
    CHECK(t->pos >= r->base);
    CHECK((t->flags &
           ~(unsigned)(RP_TOK_PART | RP_TOK_JOINED | RP_TOK_NUMBER)) == 0);
    CHECK(!((t->flags & RP_TOK_PART) && (t->flags & RP_TOK_JOINED)));
    if (t->flags & RP_TOK_JOINED) {
        check_joined(r, t);
    } else {
        if (r->words > 0)
            CHECK(t->pos > r->last_pos && t->start >= r->last_end);
        r->words++;
        r->last_pos = t->pos;
        r->last_end = t->end;
        if (t->flags & RP_TOK_PART) {
            if (r->nparts == RECENT) {
                memmove(r->parts, r->parts + 1,
                        (RECENT - 1) * sizeof r->parts[0]);
                r->nparts--;
            }
            seen_part *p = &r->parts[r->nparts++];
            memcpy(p->term, t->term, t->term_len);
            p->len = t->term_len;
            p->pos = t->pos;
            p->start = t->start;
            p->end = t->end;
        } else {
            r->nparts = 0;
        }
    }
    if (t->pos > r->max_pos)
        r->max_pos = t->pos;
    r->hash = mix(r->hash, t->pos);
    r->hash = mix(r->hash, ((uint64_t)t->start << 32) ^ t->end);
    r->hash = mix(r->hash, t->flags);
    for (size_t i = 0; i < t->term_len; i++)
        r->hash = mix(r->hash, (unsigned char)t->term[i]);
    if (r->calls == r->mark_at)
        r->hash_at = r->hash;
    return r->calls == r->stop_at ? STOP_RC : 0;
}

static void run_init(run *r, size_t size, rp_pos base, size_t mark_at,
                     size_t stop_at)
{
    memset(r, 0, sizeof *r);
    r->size = size;
    r->base = base;
    r->mark_at = mark_at;
    r->stop_at = stop_at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    rp_pos base = (rp_pos)(size % 1000);
    size_t k = size % 5 + 1; /* where the second run stops */
    int valid = rp_utf8_validate(text, size, NULL) == 0;
    static run a, b; /* large; static keeps them off the fuzzer's stack */

    run_init(&a, size, base, k, 0);
    rp_pos next = 0;
    int rc = rp_tokenize(text, size, base, on_token, &a, &next);
    if (!valid) {
        CHECK(rc == RP_EUTF8 && a.calls == 0 && next == base);
        return 0;
    }
    CHECK(rc == 0);
    CHECK(next >= base && next - base >= a.words);
    CHECK(a.calls == 0 || next > a.max_pos);

    /* The same text again gives the same tokens, and a callback that
     * returns non-zero at call k stops the run there with its value. */
    run_init(&b, size, base, 0, k);
    rp_pos next_b = 0;
    rc = rp_tokenize(text, size, base, on_token, &b, &next_b);
    if (a.calls >= k) {
        CHECK(rc == STOP_RC && b.calls == k && b.hash == a.hash_at);
        CHECK(next_b <= next && next_b > b.max_pos);
    } else {
        CHECK(rc == 0 && b.calls == a.calls && b.hash == a.hash);
        CHECK(next_b == next);
    }
    return 0;
}
