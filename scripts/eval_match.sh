#!/bin/sh
# SPDX-License-Identifier: MIT
# eval_match.sh BUILD_DIR: the specialist-matching part of `make eval`.
# Indexes corpus/docs with corpus/vocabulary.json, runs every judged query
# of corpus/eval/match.jsonl through `rapport-search --match` and scores
# the ranking of specialists with rp-eval against the grades written in
# the judgement file (2 = a strong fit, 1 = a reasonable fit). Prints
# nDCG@5 (the target) and Recall@20. Work files go under
# BUILD_DIR/eval/match*; the filters of judgement lines are not applied
# yet (every query is ranked over all specialists).
set -u

B=${1:-build}
OUT=$B/eval
JUDGED=corpus/eval/match.jsonl

die() {
    echo "eval-match: $*" >&2
    exit 1
}

for bin in rapport-index rapport-search rp-eval; do
    [ -x "$B/$bin" ] || die "$B/$bin is not built (run make first)"
done
[ -r "$JUDGED" ] || die "$JUDGED is missing"
mkdir -p "$OUT" || die "cannot create $OUT"
db=$OUT/match.db
log=$OUT/match.log
qrels=$OUT/match.qrels
run=$OUT/match.trec
rm -rf "$db" || die "cannot remove $db"
: >"$log" || die "cannot write $log"

"$B/rapport-index" --db "$db" --vocabulary corpus/vocabulary.json \
    corpus/docs >>"$log" 2>&1 || die "rapport-index failed (see $log)"

# Judgement lines are one JSON object each, written by us with one key
# order: "id" first, then "specialists" as an object of id: grade. awk
# reads those two fields only; a line it cannot read fails the run.
awk '
    {
        if (!match($0, /"id": *"[^"]*"/)) { bad = NR; exit 1 }
        id = substr($0, RSTART, RLENGTH)
        sub(/^"id": *"/, "", id); sub(/"$/, "", id)
        if (!match($0, /"specialists": *\{[^}]*\}/)) { bad = NR; exit 1 }
        obj = substr($0, RSTART, RLENGTH)
        sub(/^"specialists": *\{/, "", obj); sub(/\}$/, "", obj)
        n = split(obj, pairs, ",")
        for (i = 1; i <= n; i++) {
            if (!match(pairs[i], /"[^"]+": *[0-9]+/)) { bad = NR; exit 1 }
            p = pairs[i]
            gsub(/[" ]/, "", p)
            split(p, kv, ":")
            printf "%s\t0\t%s\t%s\n", id, kv[1], kv[2]
        }
    }
    END { if (bad) { print "line " bad " unreadable" > "/dev/stderr"; exit 1 } }
' "$JUDGED" >"$qrels" 2>>"$log" || die "cannot read $JUDGED (see $log)"

"$B/rapport-search" --db "$db" --match --queries "$JUDGED" --limit 100 \
    --format trec --tag rapport >"$run" 2>>"$log" ||
    die "rapport-search --match failed (see $log)"
line=$("$B/rp-eval" --cutoffs 5,100,20 "$qrels" "$run" 2>>"$log") ||
    die "rp-eval failed (see $log)"
# rp-eval prints "ndcg@5 X  map@100 X  recall@20 X  queries N".
printf '%s\n' "$line" | awk '
    $1 == "ndcg@5" && $5 == "recall@20" {
        printf "specialist matching (%s judged queries): nDCG@5 %s  Recall@20 %s  (target nDCG@5 0.80)\n", $8, $2, $6
        ok = 1
    }
    END { exit !ok }' || die "unexpected rp-eval output: $line"
