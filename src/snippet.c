/* SPDX-License-Identifier: MIT */
/*
 * snippet: the term set a query highlights, and the excerpt of a stored
 * text shown under a search hit. The text is analysed once; its words
 * become "atoms" (the pieces an excerpt may start or end at) and the
 * matched words a list the window search slides over, so the cost stays
 * linear in the text. It owns only the term set's arrays and per-call
 * scratch, and never touches the index.
 */
#include "rapport/snippet.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rapport/error.h"
#include "internal.h"

#define NONE SIZE_MAX
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, written where the text is cut */
#define DEFAULT_CHARS 180

/* ---- term set ---------------------------------------------------------- */

/* Orders terms as memcmp does, a proper prefix first. */
static int cmp_term(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* Binary search of the sorted index: sets *at to the first position whose
 * term is not below t, and returns whether the term there is t. */
static int find_at(const rp_termset *s, const char *t, size_t len, size_t *at)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_term(s->bytes + s->off[mid], s->len[mid], t, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < s->n &&
           cmp_term(s->bytes + s->off[lo], s->len[lo], t, len) == 0;
}

/* The index of t in s (a dense id 0..n-1), or NONE. */
static size_t term_id(const rp_termset *s, const char *t, size_t len)
{
    size_t at;
    if (s == NULL || s->n == 0)
        return NONE;
    return find_at(s, t, len, &at) ? at : NONE;
}


/* Adds one term unless present. The bytes are appended; the index entry
 * is inserted at its sorted place, shifting the entries after it. */
static int add_term(rp_termset *s, const char *t, size_t len)
{
    size_t at;
    if (find_at(s, t, len, &at))
        return 0;
    if (len > SIZE_MAX - s->used)
        return RP_ENOMEM;
    if (rp__grow((void **)&s->bytes, &s->bytes_cap, s->used + len, 1) != 0)
        return RP_ENOMEM;
    /* off and len share cap: grow both before recording the new cap (a
     * larger off alone is harmless). */
    size_t cap_off = s->cap, cap_len = s->cap;
    if (rp__grow((void **)&s->off, &cap_off, s->n + 1, sizeof *s->off) != 0 ||
        rp__grow((void **)&s->len, &cap_len, s->n + 1, sizeof *s->len) != 0)
        return RP_ENOMEM;
    assert(cap_off == cap_len);
    s->cap = cap_off;
    memcpy(s->bytes + s->used, t, len);
    memmove(s->off + at + 1, s->off + at, (s->n - at) * sizeof *s->off);
    memmove(s->len + at + 1, s->len + at, (s->n - at) * sizeof *s->len);
    s->off[at] = s->used;
    s->len[at] = len;
    s->used += len;
    s->n++;
    return 0;
}

void rp_termset_init(rp_termset *s)
{
    memset(s, 0, sizeof *s);
}

void rp_termset_fini(rp_termset *s)
{
    if (s == NULL)
        return;
    free(s->bytes);
    free(s->off);
    free(s->len);
    memset(s, 0, sizeof *s);
}

int rp_termset_has(const rp_termset *s, const char *term, size_t len)
{
    return term_id(s, term, len) != NONE;
}

typedef struct adder {
    rp_termset *s;
    int skip_joined; /* leave out JOINED tokens, as a search phrase does */
    size_t limit;    /* tokens to take at most */
    size_t seen;     /* tokens so far */
} adder;

static int on_add(void *ctx, const rp_token *tok)
{
    adder *a = ctx;
    if (a->seen++ >= a->limit)
        return 0;
    if (a->skip_joined && (tok->flags & RP_TOK_JOINED))
        return 0;
    return add_term(a->s, tok->term, tok->term_len);
}

int rp_termset_add_text(rp_termset *s, rp_analyzer *an, const char *text,
                        size_t len)
{
    adder a = {s, 0, SIZE_MAX, 0};
    return rp_analyze(an, text, len, 0, on_add, &a, NULL);
}

/* Adds the leaves under qn, skipping what the search engine would not
 * match: NOT subtrees and prefix words (whose terms are only known from
 * the index's dictionary). A word keeps all its tokens (a compound's parts
 * and joined form); a phrase only its parts, as src/search.c builds it. */
static int add_node(rp_termset *s, rp_analyzer *an, const char *text,
                    const rp_qnode *qn)
{
    if (qn->occur == RP_OCCUR_NOT)
        return 0;
    if (qn->kind == RP_Q_BOOL) {
        for (size_t i = 0; i < qn->nkids; i++) {
            int rc = add_node(s, an, text, qn->kids[i]);
            if (rc != 0)
                return rc;
        }
        return 0;
    }
    if (qn->kind == RP_Q_WORD && qn->prefix)
        return 0;
    /* src/search.c keeps the first RP_QUERY_MAX_NODES tokens of a leaf;
     * the terms it drops match nothing, so they are not marked either. */
    adder a = {s, qn->kind == RP_Q_PHRASE, RP_QUERY_MAX_NODES, 0};
    return rp_analyze(an, text + qn->off, qn->len, 0, on_add, &a, NULL);
}

int rp_termset_add_query(rp_termset *s, rp_analyzer *an, const rp_query *q)
{
    return add_node(s, an, rp_query_text(q), rp_query_root(q));
}

/* ---- snippet ----------------------------------------------------------- */

/* A word of the text as the index sees it: one token, or a whole
 * hyphenated compound (its parts and joined form merged into one span). */
typedef struct unit {
    size_t start, end; /* byte span in the text */
    size_t atom;       /* the atom holding it */
    int matched;       /* some term of it is in the set: it gets marked */
} unit;

/* One matched term of a unit; at is the unit index while the text is
 * analysed, then the atom index. */
typedef struct occ {
    size_t at;
    size_t term; /* the term's id in the set */
} occ;

/*
 * The pieces an excerpt is made of: it starts at an atom's start and ends
 * at an atom's end. A run of non-whitespace is one atom, split before each
 * unit after its first, so leading punctuation stays with the word after
 * it and trailing punctuation with the word before, and text without
 * spaces (Han, or "a/b") can still be cut between words. An atom holds at
 * most one unit. Atoms never contain ASCII whitespace; between two atoms
 * there is either nothing or one whitespace run, shown as one space.
 */
typedef struct atom {
    size_t start, end;   /* byte span */
    size_t dstart, dend; /* span in shown code points, a whitespace run
                            counted as one */
    size_t unit;         /* the unit in it, or NONE */
} atom;

typedef struct scan {
    const rp_termset *terms; /* may be NULL */
    unit *units;
    size_t nunits, capunits;
    occ *occs;
    size_t noccs, capoccs;
    atom *atoms;
    size_t natoms, capatoms;
} scan;

static void scan_fini(scan *sc)
{
    free(sc->units);
    free(sc->occs);
    free(sc->atoms);
}

static int push_unit(scan *sc, size_t start, size_t end, int matched)
{
    if (rp__grow((void **)&sc->units, &sc->capunits, sc->nunits + 1,
                 sizeof *sc->units) != 0)
        return RP_ENOMEM;
    sc->units[sc->nunits++] = (unit){start, end, NONE, matched};
    return 0;
}

static int on_token(void *ctx, const rp_token *tok)
{
    scan *sc = ctx;
    size_t id = term_id(sc->terms, tok->term, tok->term_len);
    size_t u = sc->nunits;
    int matched = id != NONE, rc;
    if (tok->flags & RP_TOK_JOINED) {
        /* The joined token comes after the compound's parts and spans
         * them all: fold the parts' units into one, so a match on any of
         * them marks the compound once. */
        while (u > 0 && sc->units[u - 1].start >= tok->start)
            u--;
        for (size_t k = u; k < sc->nunits; k++)
            matched |= sc->units[k].matched;
        for (size_t k = sc->noccs; k > 0 && sc->occs[k - 1].at >= u; k--)
            sc->occs[k - 1].at = u;
        sc->nunits = u;
    }
    rc = push_unit(sc, tok->start, tok->end, matched);
    if (rc != 0 || id == NONE)
        return rc;
    if (rp__grow((void **)&sc->occs, &sc->capoccs, sc->noccs + 1,
                 sizeof *sc->occs) != 0)
        return RP_ENOMEM;
    sc->occs[sc->noccs++] = (occ){u, id};
    return 0;
}

/* The whitespace an excerpt collapses: ASCII space, tab, CR and LF. */
static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int open_atom(scan *sc, size_t start, size_t d)
{
    if (rp__grow((void **)&sc->atoms, &sc->capatoms, sc->natoms + 1,
                 sizeof *sc->atoms) != 0)
        return RP_ENOMEM;
    sc->atoms[sc->natoms++] = (atom){start, start, d, d, NONE};
    return 0;
}

/* Cuts the text into atoms in one pass, counting shown code points, and
 * links each unit to its atom. */
static int build_atoms(scan *sc, const char *text, size_t len)
{
    size_t d = 0, u = 0;
    int open = 0;
    for (size_t p = 0; p < len;) {
        unsigned char c = (unsigned char)text[p];
        if (is_space(c)) {
            if (open) {
                sc->atoms[sc->natoms - 1].end = p;
                sc->atoms[sc->natoms - 1].dend = d;
                open = 0;
            }
            while (p < len && is_space((unsigned char)text[p]))
                p++;
            d++;
            continue;
        }
        /* Units are sorted, disjoint and free of whitespace, so the walk
         * meets each one's first byte. */
        assert(u == sc->nunits || sc->units[u].start >= p);
        int at_unit = u < sc->nunits && sc->units[u].start == p;
        if (!open || (at_unit && sc->atoms[sc->natoms - 1].unit != NONE)) {
            if (open) {
                sc->atoms[sc->natoms - 1].end = p;
                sc->atoms[sc->natoms - 1].dend = d;
            }
            int rc = open_atom(sc, p, d);
            if (rc != 0)
                return rc;
            open = 1;
        }
        if (at_unit) {
            sc->atoms[sc->natoms - 1].unit = u;
            sc->units[u].atom = sc->natoms - 1;
            u++;
        }
        if ((c & 0xC0) != 0x80)
            d++;
        p++;
    }
    if (open) {
        sc->atoms[sc->natoms - 1].end = len;
        sc->atoms[sc->natoms - 1].dend = d;
    }
    for (size_t k = 0; k < sc->noccs; k++)
        sc->occs[k].at = sc->units[sc->occs[k].at].atom;
    return 0;
}

/* Shown code points of atoms i..j, the whitespace between them included. */
static size_t span(const scan *sc, size_t i, size_t j)
{
    return sc->atoms[j].dend - sc->atoms[i].dstart;
}

/*
 * Picks the atoms [*i0, *j0] from the first to the last match of the best
 * window: for each matched atom as the left edge, the matches that fit in
 * max_chars after it (two pointers over the match list, each moving only
 * forward, with a count per term for the distinct total). The most
 * distinct terms win; ties go to the earliest. Returns 0, or RP_ENOMEM.
 */
static int best_window(const scan *sc, size_t max_chars, size_t *i0, size_t *j0)
{
    size_t *cnt = calloc(sc->terms->n, sizeof *cnt);
    if (cnt == NULL)
        return RP_ENOMEM;
    size_t a = 0, b = 0, distinct = 0, best = 0;
    while (a < sc->noccs) {
        size_t i = sc->occs[a].at;
        while (b < sc->noccs && (sc->occs[b].at == i ||
                                 span(sc, i, sc->occs[b].at) <= max_chars)) {
            if (cnt[sc->occs[b].term]++ == 0)
                distinct++;
            b++;
        }
        if (distinct > best) {
            best = distinct;
            *i0 = i;
            *j0 = sc->occs[b - 1].at;
        }
        for (; a < sc->noccs && sc->occs[a].at == i; a++)
            if (--cnt[sc->occs[a].term] == 0)
                distinct--;
    }
    free(cnt);
    return 0;
}

/* Appends s[0..n) with & < > " ' escaped, copying the runs between. */
static void put_escaped(rp_buf *out, const char *s, size_t n, int *rc)
{
    size_t run = 0;
    for (size_t k = 0; k < n; k++) {
        const char *ent;
        switch (s[k]) {
        case '&':
            ent = "&amp;";
            break;
        case '<':
            ent = "&lt;";
            break;
        case '>':
            ent = "&gt;";
            break;
        case '"':
            ent = "&quot;";
            break;
        case '\'':
            ent = "&#39;";
            break;
        default:
            continue;
        }
        rp_buf_append_rc(out, s + run, k - run, rc);
        rp_buf_append_rc(out, ent, strlen(ent), rc);
        run = k + 1;
    }
    rp_buf_append_rc(out, s + run, n - run, rc);
}

/* Appends atom a up to byte end, its unit wrapped in the markers if it
 * matched (the close marker still written when end cuts the unit). */
static void put_atom(const scan *sc, const char *text, const atom *a,
                     size_t end, const char *open, const char *close,
                     rp_buf *out, int *rc)
{
    size_t p = a->start;
    const unit *u = a->unit == NONE ? NULL : &sc->units[a->unit];
    if (u != NULL && u->matched && u->start < end) {
        size_t ue = u->end < end ? u->end : end;
        put_escaped(out, text + p, u->start - p, rc);
        rp_buf_append_rc(out, open, strlen(open), rc);
        put_escaped(out, text + u->start, ue - u->start, rc);
        rp_buf_append_rc(out, close, strlen(close), rc);
        p = ue;
    }
    put_escaped(out, text + p, end - p, rc);
}

/* The byte just after the first max_chars code points from start: where a
 * single atom too long for the window is cut. */
static size_t cut_after(const char *text, size_t start, size_t end,
                        size_t max_chars)
{
    size_t p = start, chars = 0;
    while (p < end) {
        if (((unsigned char)text[p] & 0xC0) != 0x80 && chars++ == max_chars)
            break;
        p++;
    }
    return p;
}

int rp_snippet(rp_analyzer *an, const rp_termset *terms, const char *text,
               size_t len, const rp_snippet_opts *opts, rp_buf *out)
{
    size_t max_chars =
        opts && opts->max_chars ? opts->max_chars : DEFAULT_CHARS;
    const char *open = opts && opts->open ? opts->open : "<mark>";
    const char *close = opts && opts->close ? opts->close : "</mark>";
    if (len == 0)
        return 0;
    scan sc = {0};
    sc.terms = terms;
    int rc = rp_analyze(an, text, len, 0, on_token, &sc, NULL);
    if (rc == 0)
        rc = build_atoms(&sc, text, len);
    if (rc != 0 || sc.natoms == 0) {
        scan_fini(&sc);
        return rc;
    }
    /* Without a match the excerpt starts at the text's first word. */
    size_t i = 0, j = 0;
    if (sc.noccs > 0)
        rc = best_window(&sc, max_chars, &i, &j);
    if (rc != 0) {
        scan_fini(&sc);
        return rc;
    }
    /* Context around the matches: up to a quarter of the spare room
     * before the first (a lead-in, without pushing later text out), then
     * as much after the last as fits, then, if the text ended first, more
     * before. */
    size_t used = span(&sc, i, j), cut = 0;
    if (used <= max_chars) {
        size_t lead = (max_chars - used) / 4;
        while (i > 0 && span(&sc, i - 1, j) - used <= lead)
            i--;
        while (j + 1 < sc.natoms && span(&sc, i, j + 1) <= max_chars)
            j++;
        while (i > 0 && span(&sc, i - 1, j) <= max_chars)
            i--;
    } else {
        /* Only a single atom can overflow (a window always fits when it
         * holds two): it is cut inside, at a code point boundary. */
        assert(i == j);
        cut = cut_after(text, sc.atoms[i].start, sc.atoms[i].end, max_chars);
    }
    size_t saved = out->len;
    if (i > 0)
        rp_buf_append_rc(out, ELLIPSIS, sizeof ELLIPSIS - 1, &rc);
    for (size_t k = i; k <= j; k++) {
        const atom *a = &sc.atoms[k];
        if (k > i && a->start > sc.atoms[k - 1].end)
            rp_buf_append_rc(out, " ", 1, &rc);
        put_atom(&sc, text, a, k == j && cut ? cut : a->end, open, close, out,
                 &rc);
    }
    if (j + 1 < sc.natoms || cut)
        rp_buf_append_rc(out, ELLIPSIS, sizeof ELLIPSIS - 1, &rc);
    if (rc != 0)
        out->len = saved;
    scan_fini(&sc);
    return rc;
}
