#!/bin/sh
# SPDX-License-Identifier: MIT
# eval.sh BUILD_DIR: `make eval`. Indexes each relevance collection in
# shared data with BUILD_DIR/rapport-index, runs its queries through
# BUILD_DIR/rapport-search, scores the run with BUILD_DIR/rp-eval (nDCG@10,
# MAP@100, Recall@100 as trec_eval computes them) and prints one table with
# the best peer engine's nDCG@10 beside ours. Work files go under
# BUILD_DIR/eval/; nothing else is written. See docs/eval.md.
set -u

B=${1:-build}
DATA=${RP_SHARED_DATA:-../shared/data}/relevance
OUT=$B/eval

# The collections, in table order, and the best nDCG@10 of SQLite FTS5 and
# Xapian measured on this machine with the same data (from the issue that
# set up this evaluation).
COLLECTIONS="nfcorpus scifact med cisi cran"
peer() {
    case $1 in
    nfcorpus) echo 0.327 ;;
    scifact) echo 0.687 ;;
    med) echo 0.690 ;;
    cisi) echo 0.361 ;;
    cran) echo 0.362 ;;
    *) echo - ;;
    esac
}

die() {
    echo "eval: $*" >&2
    exit 1
}

# Prints the last lines of a collection's log, then fails naming it.
fail() {
    if [ -s "$OUT/$1.log" ]; then
        echo "eval: --- last lines of $OUT/$1.log ---" >&2
        tail -n 20 "$OUT/$1.log" >&2
    fi
    die "$1: $2"
}

if [ ! -d "$DATA" ]; then
    echo "eval: shared data not found at $DATA; skipping"
    exit 0
fi
for bin in rapport-index rapport-search rp-eval; do
    [ -x "$B/$bin" ] || die "$B/$bin is not built (run make first)"
done
mkdir -p "$OUT" || die "cannot create $OUT"
RESULTS=$OUT/results.tsv
: >"$RESULTS" || die "cannot write $RESULTS"

# One format for the header, the rows (printed by awk) and the mean row.
FMT='%-12s %5s  %-7s  %-7s  %-7s  %-6s  %s\n'
# shellcheck disable=SC2059 # the format is ours, shared with awk below
printf "$FMT" collection docs queries nDCG@10 MAP@100 R@100 "peer nDCG@10"

for name in $COLLECTIONS; do
    dir=$DATA/$name
    for f in corpus.jsonl queries.jsonl qrels.tsv; do
        [ -r "$dir/$f" ] || die "$name: $dir/$f is missing"
    done
    db=$OUT/$name.db
    run=$OUT/$name.trec
    log=$OUT/$name.log
    rm -rf "$db" || die "$name: cannot remove $db"
    : >"$log"

    if ! "$B/rapport-index" --db "$db" "$dir/corpus.jsonl" >>"$log" 2>&1
    then
        fail "$name" "rapport-index failed"
    fi
    # RP_SEARCH_ARGS passes extra options (e.g. "--k1 0.9 --b 0.4") for
    # parameter sweeps.
    # shellcheck disable=SC2086 # word splitting of the options is wanted
    if ! "$B/rapport-search" --db "$db" --queries "$dir/queries.jsonl" \
        --limit 100 --format trec --tag rapport ${RP_SEARCH_ARGS:-} \
        >"$run" 2>>"$log"; then
        fail "$name" "rapport-search failed"
    fi
    if ! line=$("$B/rp-eval" "$dir/qrels.tsv" "$run" 2>>"$log"); then
        fail "$name" "rp-eval failed"
    fi

    # rp-eval prints "ndcg@10 X  map@100 X  recall@100 X  queries N".
    docs=$(awk 'NF > 0 { n++ } END { print n + 0 }' "$dir/corpus.jsonl")
    row=$(printf '%s\n' "$line" | awk -v name="$name" -v docs="$docs" \
        -v peer="$(peer "$name")" '
        $1 == "ndcg@10" && $3 == "map@100" && $5 == "recall@100" &&
        $7 == "queries" {
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
                name, docs, $8, $2, $4, $6, peer
            ok = 1
        }
        END { exit !ok }') || fail "$name" "unexpected rp-eval output: $line"
    printf '%s\n' "$row" >>"$RESULTS"
    printf '%s\n' "$row" | awk -F '\t' -v fmt="$FMT" \
        '{ printf fmt, $1, $2, $3, $4, $5, $6, $7 }'
done

# The mean row is the unweighted mean over collections (each collection
# counts once, whatever its number of queries).
awk -F '\t' -v fmt="$FMT" '
    { n++; nd += $4; ap += $5; r += $6; pe += $7 }
    END {
        if (n == 0)
            exit 1
        printf fmt, "mean", "", "", sprintf("%.4f", nd / n),
            sprintf("%.4f", ap / n), sprintf("%.4f", r / n),
            sprintf("%.3f", pe / n)
    }' "$RESULTS" || die "no results in $RESULTS"
