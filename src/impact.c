/* SPDX-License-Identifier: MIT */
/*
 * impact: the score frontier of a block of postings (see the header for
 * why a frontier bounds every posting's score). The builder keeps the
 * frontier sorted by decreasing wtf; on it wlen decreases too, since a
 * point with both more wtf and less wlen than another would dominate it.
 * Reducing it merges two neighbours a (more wtf) and b into (a.wtf,
 * b.wlen), which dominates both, choosing the pair whose merge raises a
 * typical score least (k1 1.2, b 0.75 and the mean wlen of the postings
 * added: only the choice depends on them, never the validity).
 */
#include "rapport/impact.h"

#include <math.h>
#include <string.h>

#include "rapport/buf.h"

static void schema_weights(float weight[RP_NFIELDS])
{
    for (int f = 0; f < RP_NFIELDS; f++)
        weight[f] = rp_schema_weight(f);
}

void rp_impact_builder_init(rp_impact_builder *b)
{
    b->n = 0;
    b->lensum = 0;
    b->count = 0;
    schema_weights(b->weight);
}

/* The weighted sum of v exactly as the scorer computes it: each product
 * in float (a float weight times an integer), summed in double, in field
 * order. Any other rounding could put a posting above its frontier. */
static double weigh(const float weight[RP_NFIELDS],
                    const uint16_t v[RP_NFIELDS])
{
    double w = 0;
    for (int f = 0; f < RP_NFIELDS; f++)
        w += weight[f] * v[f];
    return w;
}

double rp_impact_weigh(const uint16_t v[RP_NFIELDS])
{
    float weight[RP_NFIELDS];
    schema_weights(weight);
    return weigh(weight, v);
}

/* A typical BM25 tf factor, used only to choose which points to merge. */
static double typical(double wtf, double wlen, double avg)
{
    return wtf / (wtf + 1.2 * (0.25 + 0.75 * wlen / avg));
}

/* Merges the two neighbours whose merge costs least; n must be >= 2. */
static void merge_one(double *wtf, double *wlen, size_t *n, double avg)
{
    size_t best = 0;
    double least = HUGE_VAL;
    for (size_t i = 0; i + 1 < *n; i++) {
        double a = typical(wtf[i], wlen[i], avg);
        double b = typical(wtf[i + 1], wlen[i + 1], avg);
        double cost = typical(wtf[i], wlen[i + 1], avg) - (a > b ? a : b);
        if (cost < least) {
            least = cost;
            best = i;
        }
    }
    wlen[best] = wlen[best + 1];
    memmove(wtf + best + 1, wtf + best + 2, (*n - best - 2) * sizeof *wtf);
    memmove(wlen + best + 1, wlen + best + 2, (*n - best - 2) * sizeof *wlen);
    --*n;
}

static double mean_len(const rp_impact_builder *b)
{
    double avg = b->count ? b->lensum / (double)b->count : 1;
    return avg > 0 ? avg : 1;
}

void rp_impact_add(rp_impact_builder *b, const uint16_t tf[RP_NFIELDS],
                   const uint16_t len[RP_NFIELDS])
{
    double w = weigh(b->weight, tf), l = weigh(b->weight, len);
    b->lensum += l;
    b->count++;
    /* Points with more wtf come first: find where w goes. */
    size_t at = 0;
    while (at < b->n && b->wtf[at] > w)
        at++;
    /* Dominated by a point with at least as much wtf and no more wlen?
     * Among those (before at, or equal wtf at at) the last has the least
     * wlen. */
    if (at > 0 && b->wlen[at - 1] <= l)
        return;
    if (at < b->n && b->wtf[at] == w && b->wlen[at] <= l)
        return;
    /* Drop the points it dominates: from at on, wtf <= w; they are the
     * ones with wlen >= l, which come first since wlen decreases. */
    size_t end = at;
    while (end < b->n && b->wlen[end] >= l)
        end++;
    size_t keep = b->n - end;
    memmove(b->wtf + at + 1, b->wtf + end, keep * sizeof *b->wtf);
    memmove(b->wlen + at + 1, b->wlen + end, keep * sizeof *b->wlen);
    b->wtf[at] = w;
    b->wlen[at] = l;
    b->n = at + 1 + keep;
    if (b->n == RP_IMPACT_BUILD)
        merge_one(b->wtf, b->wlen, &b->n, mean_len(b));
}

void rp_impact_finish(const rp_impact_builder *b, rp_impacts *out)
{
    double wtf[RP_IMPACT_BUILD], wlen[RP_IMPACT_BUILD];
    size_t n = b->n;
    memcpy(wtf, b->wtf, n * sizeof *wtf);
    memcpy(wlen, b->wlen, n * sizeof *wlen);
    double avg = mean_len(b);
    while (n > RP_IMPACTS_MAX)
        merge_one(wtf, wlen, &n, avg);
    out->n = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        /* Scaling by 16 is exact in binary, so the rounding is outwards
         * by construction. */
        double up = ceil(wtf[i] * RP_IMPACT_SCALE);
        double down = floor(wlen[i] * RP_IMPACT_SCALE);
        out->wtf[i] = up >= 4294967295.0 ? UINT32_MAX : (uint32_t)up;
        out->wlen[i] = down >= 4294967295.0 ? UINT32_MAX : (uint32_t)down;
    }
}

int rp_impacts_put(rp_buf *out, const rp_impacts *imp)
{
    int rc = 0;
    rp_buf_put_varint_rc(out, imp->n, &rc);
    for (uint32_t i = 0; i < imp->n; i++) {
        rp_buf_put_varint_rc(out, imp->wtf[i], &rc);
        rp_buf_put_varint_rc(out, imp->wlen[i], &rc);
    }
    return rc;
}

size_t rp_impacts_get(const unsigned char *p, const unsigned char *end,
                      rp_impacts *imp)
{
    const unsigned char *start = p;
    uint32_t n;
    size_t k = rp_varint_get32(p, end, &n);
    if (k == 0 || n > RP_IMPACTS_MAX)
        return 0;
    p += k;
    imp->n = n;
    for (uint32_t i = 0; i < n; i++) {
        if ((k = rp_varint_get32(p, end, &imp->wtf[i])) == 0)
            return 0;
        p += k;
        if ((k = rp_varint_get32(p, end, &imp->wlen[i])) == 0)
            return 0;
        p += k;
    }
    return (size_t)(p - start);
}
