/* SPDX-License-Identifier: MIT */
/*
 * tokenize: turns UTF-8 text into normalised word tokens and pushes them to
 * a callback. It is the hot path of indexing, so ASCII letters and digits
 * are classified by a const table and lower-cased inline; only non-ASCII
 * code points reach utf8proc (the only user of utf8proc.h in the library).
 * All working state lives in one struct on the stack: nothing is allocated.
 */
#include "rapport/tokenize.h"

#include <string.h>

#include <utf8proc.h>

#include "rapport/error.h"
#include "rapport/utf8.h"

#define MAX_PARTS 8 /* parts of one hyphenated compound */

/*
 * Code points one part may collect before normalisation ends. Past this the
 * part is too long: every code point encodes to at least one byte, and once
 * combining marks are stripped the only composition left is Hangul jamo to
 * a syllable (at most three code points to one), so more than three times
 * RP_TERM_MAX_BYTES code points can never fit in RP_TERM_MAX_BYTES bytes.
 */
#define PART_CPS (3 * RP_TERM_MAX_BYTES)

/* Room for the decomposition of one code point. The longest in Unicode is
 * 18 (U+FDFA); a longer one is treated as too long rather than trusted. */
#define DECOMP_CPS 32

/* NFKD, full case folding and mark removal, one code point at a time; the
 * token is then composed back (NFKC) with utf8proc_normalize_utf32. */
#define NORM_OPTS                                                              \
    ((utf8proc_option_t)(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |                \
                         UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK))

/*
 * What a code point is to the scanner. The order matters: kinds below
 * K_MARK never start a word, and K_HIGH (in the ASCII table only) means
 * "a byte >= 0x80: decode and ask utf8proc".
 */
enum {
    K_SEP,    /* separates words */
    K_APOS,   /* U+0027, U+2019, U+02BC */
    K_HYPHEN, /* U+002D, U+2010, U+2011 */
    K_DOT,    /* '.' */
    K_COMMA,  /* ',' */
    K_MARK,   /* M*: part of a word, removed by normalisation */
    K_LETTER, /* L* outside the CJK scripts */
    K_DIGIT,  /* Nd */
    K_NUMBER, /* Nl, No outside the CJK scripts */
    K_CJK,    /* L* or N* of Han, Hiragana, Katakana or Hangul */
    K_HIGH
};

#define S K_SEP
#define A K_APOS
#define H K_HYPHEN
#define D K_DOT
#define C K_COMMA
#define L K_LETTER
#define G K_DIGIT
#define X K_HIGH
/* The kind of every byte; bytes >= 0x80 are K_HIGH. */
/* clang-format off */
static const unsigned char ascii_kind[256] = {
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 0x00 */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 0x10 */
    S, S, S, S, S, S, S, A, S, S, S, S, C, H, D, S, /* 0x20  !"#$%&'()*+,-./ */
    G, G, G, G, G, G, G, G, G, G, S, S, S, S, S, S, /* 0x30 0-9 :;<=>? */
    S, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* 0x40 @A-O */
    L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S, /* 0x50 P-Z [\]^_ */
    S, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* 0x60 `a-o */
    L, L, L, L, L, L, L, L, L, L, L, S, S, S, S, S, /* 0x70 p-z {|}~ DEL */
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, /* 0x80 */
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, /* 0xf0 */
};
/* clang-format on */
#undef S
#undef A
#undef H
#undef D
#undef C
#undef L
#undef G
#undef X

/*
 * Blocks of the scripts whose letters are tokens on their own. utf8proc has
 * no script property, so these are block ranges (Unicode 15); only code
 * points of category L* or N* are looked up, so punctuation inside the
 * blocks (U+30FB, U+FF65, ...) still separates.
 */
static const struct cjk_range {
    int32_t lo, hi;
} cjk_ranges[] = {
    {0x1100, 0x11ff},   /* Hangul Jamo */
    {0x3005, 0x3007},   /* ideographic iteration mark, closing mark, zero */
    {0x3021, 0x3029},   /* Hangzhou numerals */
    {0x3031, 0x3035},   /* kana repeat marks */
    {0x3038, 0x303c},   /* more Hangzhou numerals, masu mark */
    {0x3040, 0x30ff},   /* Hiragana, Katakana */
    {0x3130, 0x318f},   /* Hangul Compatibility Jamo */
    {0x31f0, 0x31ff},   /* Katakana Phonetic Extensions */
    {0x3400, 0x4dbf},   /* CJK Unified Ideographs Extension A */
    {0x4e00, 0x9fff},   /* CJK Unified Ideographs */
    {0xa960, 0xa97f},   /* Hangul Jamo Extended-A */
    {0xac00, 0xd7ff},   /* Hangul Syllables, Hangul Jamo Extended-B */
    {0xf900, 0xfaff},   /* CJK Compatibility Ideographs */
    {0xff66, 0xffdc},   /* half-width Katakana and Hangul */
    {0x1aff0, 0x1b16f}, /* Kana Extended-A/B, Kana Supplement, small kana */
    {0x20000, 0x323af}, /* CJK Extensions B..H, compatibility supplement */
};

static int is_cjk(int32_t cp)
{
    if (cp < 0x1100)
        return 0;
    size_t lo = 0, hi = sizeof cjk_ranges / sizeof cjk_ranges[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < cjk_ranges[mid].lo)
            hi = mid;
        else if (cp > cjk_ranges[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Kinds of a non-ASCII code point, from its Unicode category. */
static int classify_high(int32_t cp)
{
    switch (cp) {
    case 0x2019: /* right single quotation mark */
    case 0x02bc: /* modifier letter apostrophe (category Lm) */
        return K_APOS;
    case 0x2010: /* hyphen */
    case 0x2011: /* non-breaking hyphen */
        return K_HYPHEN;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return is_cjk(cp) ? K_CJK : K_LETTER;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return K_MARK;
    case UTF8PROC_CATEGORY_ND:
        return K_DIGIT;
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return is_cjk(cp) ? K_CJK : K_NUMBER;
    default:
        return K_SEP;
    }
}

/* Decodes the multi-byte sequence at p; the text was validated first, so
 * the lead byte is C2..F4 and its continuation bytes are present. */
static size_t decode_valid(const unsigned char *p, int32_t *cp)
{
    if (p[0] < 0xe0) {
        *cp = ((int32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
        return 2;
    }
    if (p[0] < 0xf0) {
        *cp = ((int32_t)(p[0] & 0x0f) << 12) | ((p[1] & 0x3f) << 6) |
              (p[2] & 0x3f);
        return 3;
    }
    *cp = ((int32_t)(p[0] & 0x07) << 18) | ((p[1] & 0x3f) << 12) |
          ((p[2] & 0x3f) << 6) | (p[3] & 0x3f);
    return 4;
}

/* Conjoining Hangul: which jamo may follow which within one syllable
 * (Unicode grapheme cluster rules GB6..GB8). */
enum { HJ_NONE, HJ_L, HJ_V, HJ_T, HJ_LV, HJ_LVT };

static int hangul_type(int32_t cp)
{
    if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0xa960 && cp <= 0xa97c))
        return HJ_L;
    if ((cp >= 0x1160 && cp <= 0x11a7) || (cp >= 0xd7b0 && cp <= 0xd7c6))
        return HJ_V;
    if ((cp >= 0x11a8 && cp <= 0x11ff) || (cp >= 0xd7cb && cp <= 0xd7fb))
        return HJ_T;
    if (cp >= 0xac00 && cp <= 0xd7a3)
        return (cp - 0xac00) % 28 == 0 ? HJ_LV : HJ_LVT;
    return HJ_NONE;
}

static int hangul_follows(int prev, int next)
{
    switch (prev) {
    case HJ_L:
        return next == HJ_L || next == HJ_V || next == HJ_LV || next == HJ_LVT;
    case HJ_V:
    case HJ_LV:
        return next == HJ_V || next == HJ_T;
    case HJ_T:
    case HJ_LVT:
        return next == HJ_T;
    default:
        return 0;
    }
}

/* One part of a word (a whole word is a compound of one part). */
typedef struct part {
    size_t start, end;     /* byte span in the text */
    size_t off;            /* offset of its normalised bytes in term[] */
    size_t len;            /* normalised bytes stored, <= RP_TERM_MAX_BYTES */
    unsigned char toolong; /* normalised form exceeds RP_TERM_MAX_BYTES */
    unsigned char digits;  /* every letter or number in it is Nd */
} part;

/* The scanner's state for one rp_tokenize call. */
typedef struct scanner {
    const unsigned char *s; /* the text, validated */
    size_t len;             /* its length in bytes */
    rp_token_cb cb;
    void *ctx;
    rp_pos pos;      /* next position to hand out */
    int cpmode;      /* the current part collects code points in cps[] */
    int compose;     /* cps[] holds non-ASCII code points: compose it */
    int32_t pending; /* '\'' or '.' to write before the next output */
    size_t ncp;      /* code points in cps[] */
    part parts[MAX_PARTS];
    char term[MAX_PARTS * RP_TERM_MAX_BYTES]; /* parts, back to back */
    int32_t cps[PART_CPS];                    /* the current part, NFKD */
} scanner;

/* The kind of the code point at s[i], with the code point and its length;
 * past the end of the text it is a separator. */
static int classify(const scanner *sc, size_t i, int32_t *cp, size_t *n)
{
    if (i >= sc->len) {
        *cp = 0;
        *n = 0;
        return K_SEP;
    }
    unsigned char b = sc->s[i];
    if (b < 0x80) {
        *cp = b;
        *n = 1;
        return ascii_kind[b];
    }
    *n = decode_valid(sc->s + i, cp);
    return classify_high(*cp);
}

static int peek(const scanner *sc, size_t i)
{
    int32_t cp;
    size_t n;
    return classify(sc, i, &cp, &n);
}

static int is_base(int kind)
{
    return kind == K_LETTER || kind == K_DIGIT || kind == K_NUMBER;
}

static void part_begin(scanner *sc, part *pt, size_t start, size_t off)
{
    pt->start = start;
    pt->end = start;
    pt->off = off;
    pt->len = 0;
    pt->toolong = 0;
    pt->digits = 1;
    sc->cpmode = 0;
    sc->compose = 0;
    sc->ncp = 0;
    sc->pending = 0;
}

static void push_cp(scanner *sc, part *pt, int32_t cp)
{
    if (pt->toolong)
        return;
    if (sc->ncp == PART_CPS) {
        pt->toolong = 1;
        return;
    }
    sc->cps[sc->ncp++] = cp;
}

/* Moves the part's ASCII bytes so far into cps[], before the first code
 * point that needs normalising. */
static void enter_cpmode(scanner *sc, part *pt)
{
    const unsigned char *b = (const unsigned char *)sc->term + pt->off;
    for (size_t i = 0; i < pt->len; i++)
        sc->cps[i] = b[i];
    sc->ncp = pt->len;
    sc->cpmode = 1;
}

/* Appends one code point of output to the part, in either mode. */
static void put_raw(scanner *sc, part *pt, int32_t c)
{
    if (sc->cpmode) {
        push_cp(sc, pt, c);
    } else if (pt->len < RP_TERM_MAX_BYTES) {
        sc->term[pt->off + pt->len++] = (char)c;
    } else {
        pt->toolong = 1;
    }
}

/*
 * Writes out a pending apostrophe or decimal point before the next letter
 * or digit of output, or drops it if nothing precedes it. Keeping them
 * pending until then matters because a letter can normalise to nothing
 * (U+FE76 becomes a space and a mark): "C'" + U+FE76 must give "c", not
 * "c'".
 */
static void flush_pending(scanner *sc, part *pt)
{
    if (sc->cpmode ? sc->ncp > 0 : pt->len > 0)
        put_raw(sc, pt, sc->pending);
    sc->pending = 0;
}

/* Appends a letter or digit of output (ASCII already lower-cased). */
static void put_char(scanner *sc, part *pt, int32_t c)
{
    if (sc->pending)
        flush_pending(sc, pt);
    put_raw(sc, pt, c);
}

/* Appends the normalised form of a non-ASCII letter or number. Only letters
 * and numbers of the result are kept: a compatibility decomposition may
 * bring spaces or punctuation ("(1)" for U+2474, spaces for U+FDFA), and
 * this filter also drops the marks of a decomposition. */
static void put_normalised(scanner *sc, part *pt, int32_t cp)
{
    if (!sc->cpmode)
        enter_cpmode(sc, pt);
    if (pt->toolong)
        return;
    utf8proc_int32_t out[DECOMP_CPS];
    int boundclass = 0;
    utf8proc_ssize_t n =
        utf8proc_decompose_char(cp, out, DECOMP_CPS, NORM_OPTS, &boundclass);
    if (n < 0)
        return; /* not reached: cp is a valid, assigned code point */
    if (n > DECOMP_CPS) {
        pt->toolong = 1;
        return;
    }
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        int32_t c = out[i];
        if (c < 0x80) {
            int k = ascii_kind[c];
            if (k == K_LETTER)
                put_char(sc, pt, c | 0x20);
            else if (k == K_DIGIT)
                put_char(sc, pt, c);
        } else if (classify_high(c) >= K_LETTER) {
            /* A letter or number (U+02BC, an apostrophe here, is not). */
            sc->compose = 1;
            put_char(sc, pt, c);
        }
    }
}

/* Ends the current part at byte end and, if it collected code points,
 * composes them and encodes the result into term[]. No canonical reordering
 * is needed first: every code point with a non-zero combining class is a
 * mark, and marks are gone. */
static void part_end(scanner *sc, part *pt, size_t end)
{
    pt->end = end;
    if (!sc->cpmode)
        return;
    sc->cpmode = 0;
    pt->len = 0;
    if (pt->toolong)
        return;
    utf8proc_ssize_t n = (utf8proc_ssize_t)sc->ncp;
    if (sc->compose)
        n = utf8proc_normalize_utf32(sc->cps, n, UTF8PROC_COMPOSE);
    char *dst = sc->term + pt->off;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        char enc[4];
        size_t k = rp_utf8_encode(sc->cps[i], enc);
        if (pt->len + k > RP_TERM_MAX_BYTES) {
            pt->toolong = 1;
            pt->len = 0;
            return;
        }
        memcpy(dst + pt->len, enc, k);
        pt->len += k;
    }
}

static int emit(scanner *sc, size_t off, size_t len, rp_pos pos, size_t start,
                size_t end, unsigned flags)
{
    rp_token tok;
    tok.term = sc->term + off;
    tok.term_len = len;
    tok.pos = pos;
    tok.start = start;
    tok.end = end;
    tok.flags = flags;
    return sc->cb(sc->ctx, &tok);
}

/*
 * Hands out positions for a word of nparts parts and emits its tokens. A
 * part normalised to nothing (only combining marks, or a letter such as
 * U+FE70 whose compatibility form is a space and a mark) is dropped as if
 * it were not there: it takes no position, and a compound left with one
 * part is a plain word. Every other part takes a position, emitted or not
 * (too long). sc->pos advances before each callback, so on an early stop
 * it is one past the last position handed out.
 */
static int emit_word(scanner *sc, int nparts)
{
    part *p = sc->parts;
    int kept = 0;
    if (nparts == 1) /* the common case: nothing to compact */
        kept = p->len > 0 || p->toolong;
    for (int k = 0; k < nparts && nparts > 1; k++) {
        if (p[k].len == 0 && !p[k].toolong)
            continue; /* an empty part stores no bytes: term[] stays packed */
        p[kept++] = p[k];
    }
    if (kept == 0)
        return 0;
    if (kept == 1) {
        rp_pos pos = sc->pos++;
        if (p->toolong)
            return 0;
        return emit(sc, p->off, p->len, pos, p->start, p->end,
                    p->digits ? RP_TOK_NUMBER : 0);
    }
    rp_pos first = sc->pos;
    int joinable = 1, digits = 1;
    size_t total = 0;
    for (int k = 0; k < kept; k++) {
        rp_pos pos = sc->pos++;
        if (p[k].toolong) {
            joinable = 0;
            continue;
        }
        total += p[k].len;
        digits &= p[k].digits;
        int rc = emit(sc, p[k].off, p[k].len, pos, p[k].start, p[k].end,
                      RP_TOK_PART | (p[k].digits ? RP_TOK_NUMBER : 0));
        if (rc != 0)
            return rc;
    }
    if (!joinable || total > RP_TERM_MAX_BYTES)
        return 0;
    /* The parts' bytes sit back to back in term[], so the join is the
     * bytes from the first part's on. */
    return emit(sc, p[0].off, total, first, p[0].start, p[kept - 1].end,
                RP_TOK_JOINED | (digits ? RP_TOK_NUMBER : 0));
}

/* Scans the word that starts at *at (a letter, number or mark), emits it
 * and moves *at past it. */
static int scan_word(scanner *sc, size_t *at)
{
    const unsigned char *s = sc->s;
    size_t len = sc->len, i = *at;
    int nparts = 1, last = K_SEP; /* kind of the last letter or number */
    part *pt = &sc->parts[0];

    part_begin(sc, pt, i, 0);
    for (;;) {
        if (!sc->cpmode) {
            /* The hot loop: ASCII letters and digits, lower-cased
             * straight into term[]. OR-ing 0x20 lower-cases A-Z and
             * leaves a-z and 0-9 as they are. */
            if (sc->pending && i < len &&
                (ascii_kind[s[i]] == K_LETTER || ascii_kind[s[i]] == K_DIGIT))
                flush_pending(sc, pt);
            char *dst = sc->term + pt->off;
            size_t n = pt->len, j = i;
            int alpha = 0;
            while (j < len) {
                unsigned char c = s[j];
                int k = ascii_kind[c];
                if (k != K_LETTER && k != K_DIGIT)
                    break;
                if (n < RP_TERM_MAX_BYTES)
                    dst[n++] = (char)(c | 0x20);
                else
                    pt->toolong = 1;
                alpha |= k == K_LETTER;
                j++;
            }
            if (j > i) {
                last = ascii_kind[s[j - 1]];
                if (alpha)
                    pt->digits = 0;
                pt->len = n;
                i = j;
            }
        }
        int32_t cp;
        size_t n;
        int k = classify(sc, i, &cp, &n);
        if (is_base(k)) {
            if (cp < 0x80)
                put_char(sc, pt, k == K_LETTER ? cp | 0x20 : cp);
            else
                put_normalised(sc, pt, cp);
            if (k != K_DIGIT)
                pt->digits = 0;
            last = k;
        } else if (k == K_MARK) {
            /* Stripped by normalisation; the mark belongs to the letter
             * before it, so `last` stays. */
        } else if (k == K_APOS && last == K_LETTER &&
                   peek(sc, i + n) == K_LETTER) {
            sc->pending = '\'';
        } else if ((k == K_DOT || k == K_COMMA) && last == K_DIGIT &&
                   peek(sc, i + n) == K_DIGIT) {
            if (k == K_DOT)
                sc->pending = '.';
        } else if (k == K_HYPHEN && nparts < MAX_PARTS && is_base(last) &&
                   is_base(peek(sc, i + n))) {
            part_end(sc, pt, i);
            part *next = &sc->parts[nparts++];
            part_begin(sc, next, i + n, pt->off + pt->len);
            pt = next;
            last = K_SEP;
        } else {
            break; /* a separator, a CJK letter, or the end of the text */
        }
        i += n;
    }
    part_end(sc, pt, i);
    *at = i;
    return emit_word(sc, nparts);
}

/* Scans one Han, Kana or Hangul code point cp (n bytes at *at) with the
 * combining marks after it and, for Hangul, the conjoining jamo that
 * continue its syllable; emits it as one token. */
static int scan_cjk(scanner *sc, size_t *at, int32_t cp, size_t n)
{
    size_t i = *at + n;
    part *pt = &sc->parts[0];
    int ht = hangul_type(cp);

    part_begin(sc, pt, *at, 0);
    put_normalised(sc, pt, cp);
    for (;;) {
        int32_t c;
        size_t m;
        int k = classify(sc, i, &c, &m);
        if (k == K_MARK) {
            i += m;
            continue;
        }
        if (k == K_CJK && ht != HJ_NONE && hangul_follows(ht, hangul_type(c))) {
            ht = hangul_type(c);
            put_normalised(sc, pt, c);
            i += m;
            continue;
        }
        break;
    }
    pt->digits = 0;
    part_end(sc, pt, i);
    *at = i;
    return emit_word(sc, 1);
}

int rp_tokenize(const char *text, size_t len, rp_pos base, rp_token_cb cb,
                void *ctx, rp_pos *next_pos)
{
    if (next_pos != NULL)
        *next_pos = base;
    if (len == 0)
        return 0;
    if (rp_utf8_validate(text, len, NULL) != 0)
        return RP_EUTF8;

    scanner sc;
    sc.s = (const unsigned char *)text;
    sc.len = len;
    sc.cb = cb;
    sc.ctx = ctx;
    sc.pos = base;
    sc.cpmode = 0;
    sc.compose = 0;
    sc.ncp = 0;
    sc.pending = 0;

    const unsigned char *s = sc.s;
    size_t i = 0;
    int rc = 0;
    while (i < len) {
        int k = ascii_kind[s[i]];
        if (k < K_MARK) {
            i++; /* ASCII punctuation, space or control */
            continue;
        }
        if (k == K_HIGH) {
            int32_t cp;
            size_t n = decode_valid(s + i, &cp);
            k = classify_high(cp);
            if (k < K_MARK) {
                i += n;
                continue;
            }
            if (k == K_CJK) {
                rc = scan_cjk(&sc, &i, cp, n);
                if (rc != 0)
                    break;
                continue;
            }
        }
        rc = scan_word(&sc, &i);
        if (rc != 0)
            break;
    }
    if (next_pos != NULL)
        *next_pos = sc.pos;
    return rc;
}
