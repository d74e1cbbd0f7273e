#!/bin/sh
# SPDX-License-Identifier: MIT
# eval_typos.sh BUILD_DIR: the misspelled run of `make eval`, after
# eval.sh has built BUILD_DIR/eval/NAME.db for each collection. For each
# collection, rp-typos gives every word of 5+ letters one typo with
# probability one half (seeded: RP_TYPO_SEED, default 1), and the queries
# are run clean and misspelled, each without and with typo tolerance
# (rapport-search --typo). Prints nDCG@10 for the four runs and the share
# of the clean figure the misspelled run keeps with typo tolerance (goal:
# 95% on every collection). See docs/relevance.md.
set -u

B=${1:-build}
DATA=${RP_SHARED_DATA:-../shared/data}/relevance
OUT=$B/eval
SEED=${RP_TYPO_SEED:-1}
COLLECTIONS="nfcorpus scifact med cisi cran"

die() {
    echo "eval_typos: $*" >&2
    exit 1
}

if [ ! -d "$DATA" ]; then
    echo "eval_typos: shared data not found at $DATA; skipping"
    exit 0
fi
for bin in rapport-search rp-eval rp-typos; do
    [ -x "$B/$bin" ] || die "$B/$bin is not built (run make first)"
done

# ndcg NAME QUERIES [--typo]: nDCG@10 of one run.
ndcg() {
    name=$1
    queries=$2
    shift 2
    "$B/rapport-search" --db "$OUT/$name.db" --queries "$queries" \
        --limit 100 --format trec --tag rapport "$@" \
        >"$OUT/$name.typo.trec" 2>>"$OUT/$name.typo.log" ||
        die "$name: rapport-search failed (see $OUT/$name.typo.log)"
    "$B/rp-eval" "$DATA/$name/qrels.tsv" "$OUT/$name.typo.trec" \
        2>>"$OUT/$name.typo.log" |
        awk '$1 == "ndcg@10" { print $2; ok = 1 } END { exit !ok }' ||
        die "$name: rp-eval failed (see $OUT/$name.typo.log)"
}

FMT='%-12s %-7s  %-11s  %-10s  %-11s  %s\n'
echo
echo "misspelled queries (seed $SEED): nDCG@10"
# shellcheck disable=SC2059 # the format is ours
printf "$FMT" collection clean "clean+typo" misspelled "missp.+typo" \
    "kept (goal 95%)"
for name in $COLLECTIONS; do
    [ -d "$OUT/$name.db" ] || die "$name: $OUT/$name.db missing (run eval.sh)"
    : >"$OUT/$name.typo.log"
    typos=$OUT/$name.typos.jsonl
    "$B/rp-typos" "$DATA/$name/queries.jsonl" --seed "$SEED" >"$typos" \
        2>>"$OUT/$name.typo.log" || die "$name: rp-typos failed"
    clean=$(ndcg "$name" "$DATA/$name/queries.jsonl") || exit 1
    clean_t=$(ndcg "$name" "$DATA/$name/queries.jsonl" --typo) || exit 1
    miss=$(ndcg "$name" "$typos") || exit 1
    miss_t=$(ndcg "$name" "$typos" --typo) || exit 1
    kept=$(echo "$miss_t $clean" | awk '{ printf "%.1f%%", 100 * $1 / $2 }')
    # shellcheck disable=SC2059
    printf "$FMT" "$name" "$clean" "$clean_t" "$miss" "$miss_t" "$kept"
done
