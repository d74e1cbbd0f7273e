#!/bin/sh
# SPDX-License-Identifier: MIT
# One job of `make bench`: how cost grows with the collection. Makes the
# first 25% and 50% of the corpus's lines and the corpus four times over
# (each copy's ids prefixed "rN-", so every id is new) as gzip files in a
# temporary directory (never in the repository; removed at the end), then
# runs bench_engines.sh on each, once, with PASSES timed passes. The 100%
# figures come from the main runs. The engines at 4x are ENGINES_4X
# (Xapian's build is the slowest part of the whole benchmark). Usage:
#   bench_growth.sh BUILD DOCS.jsonl.gz QUERIES PASSES OUT "ENGINES" "ENGINES_4X"
set -eu
B=$1 DOCS=$2 QUERIES=$3 PASSES=$4 OUT=$5 ENGINES=$6 ENGINES_4X=$7
HERE=$(dirname "$0")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM

lines=$(gzip -dc "$DOCS" | wc -l)
for pct in 25 50; do
    gzip -dc "$DOCS" | head -n $((lines * pct / 100)) | gzip -1 >"$T/$pct.jsonl.gz"
done
for size in 25 50 4x; do
    if [ "$size" = 4x ]; then
        set -- $ENGINES_4X
        name=4x
        # Past the deadline (see bench_engines.sh) nothing runs at 4x, so
        # the file is not made either.
        if [ "$(date +%s)" -lt "${RP_BENCH_DEADLINE:-9999999999}" ]; then
            for k in 1 2 3 4; do
                gzip -dc "$DOCS" | sed "s/^{\"id\": \"/&r$k-/"
            done | gzip -1 >"$T/4x.jsonl.gz"
        fi
    else
        set -- $ENGINES
        name=$size%
    fi
    "$HERE/bench_engines.sh" "$B" "$T/$size.jsonl.gz" "$QUERIES" "$name" 1 \
        "$PASSES" "$OUT" "$@"
    rm -rf "$B/bench/$name"
done
