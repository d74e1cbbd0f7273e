#!/bin/sh
# SPDX-License-Identifier: MIT
# One job of `make bench`: builds the index of each engine from a corpus
# and runs the query set in each mode (or, and, phrase), RUNS times,
# alternating the engines (run 1: rapport fts5 xapian, run 2: fts5 xapian
# rapport, ...), so a slow spell of this shared machine does not fall on
# one engine. Appends the programs' result lines, tagged with the size and
# the run, to OUT. Usage:
#   bench_engines.sh BUILD DOCS.jsonl.gz QUERIES SIZE RUNS PASSES OUT ENGINES...
# PASSES: timed passes over the query set for or and and; phrase queries
# (about a tenth of the lines) get ten times as many. The indexes are left
# in BUILD/bench/SIZE/ENGINE.db. When RP_BENCH_DEADLINE (seconds since
# the epoch) has passed, an engine is not started: a line "result ...
# cmd=skipped" says so, and the report shows it.
set -eu
B=$1 DOCS=$2 QUERIES=$3 SIZE=$4 RUNS=$5 PASSES=$6 OUT=$7
shift 7
DIR=$B/bench/$SIZE
mkdir -p "$DIR"

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT INT TERM

# Runs a program; on success appends its result line, tagged, to OUT.
# RUN is the first argument.
measure() {
    r=$1
    shift
    if ! "$@" >"$LOG" 2>&1; then
        echo "bench: failed: $*" >&2
        cat "$LOG" >&2
        exit 1
    fi
    sed -n "s/^result /result size=$SIZE run=$r /p" "$LOG" >>"$OUT"
}

one() { # ENGINE RUN
    db=$DIR/$1.db
    rm -rf "$db"
    case $1 in
    rapport) measure "$2" "$B/bench/bench_index" "$DOCS" "$db" ;;
    *) measure "$2" "$B/bench/peers/$1" build "$DOCS" "$db" ;;
    esac
    for mode in or and phrase; do
        p=$PASSES
        [ "$mode" = phrase ] && p=$((PASSES * 10))
        case $1 in
        rapport) measure "$2" "$B/bench/bench_query" "$QUERIES" "$db" "$p" \
            "$mode" ;;
        *) measure "$2" "$B/bench/peers/$1" query "$db" "$QUERIES" "$mode" \
            "$p" ;;
        esac
    done
}

n=$#
for r in $(seq 1 "$RUNS"); do
    # Rotate the engine list by r - 1.
    i=0
    while [ $i -lt $n ]; do
        k=$(( (i + r - 1) % n + 1 ))
        eval "e=\${$k}"
        if [ "$(date +%s)" -ge "${RP_BENCH_DEADLINE:-9999999999}" ]; then
            echo "  [$SIZE run $r/$RUNS] $e: skipped, time budget spent" >&2
            echo "result size=$SIZE run=$r engine=$e cmd=skipped" >>"$OUT"
        else
            echo "  [$SIZE run $r/$RUNS] $e" >&2
            one "$e" "$r"
        fi
        i=$((i + 1))
    done
done
