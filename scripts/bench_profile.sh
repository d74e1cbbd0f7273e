#!/bin/sh
# SPDX-License-Identifier: MIT
# Where rapport's time goes, by instruction counts (valgrind --tool=callgrind:
# repeatable on a noisy machine, unlike wall time). Not part of `make bench`
# (it takes minutes); run it by hand after `make bench`:
#   scripts/bench_profile.sh [BUILD [DOCS_SUBSET]]
# Profiles (1) the build of the first DOCS_SUBSET documents (default 20000)
# of the bench corpus with one worker thread, and (2) one pass of the query
# set in each mode (or, and, phrase) over the whole bench index left by
# `make bench` in BUILD/bench/1x/rapport.db, and prints the top functions by
# exclusive and by inclusive instruction count. Output files in
# BUILD/bench/profile/.
set -eu
B=${1:-build}
SUBSET=${2:-20000}
DATA=${RP_SHARED_DATA:-../shared/data}/bench
P=$B/bench/profile
"$(dirname "$0")/deps.sh" --extra valgrind
mkdir -p "$P"
# valgrind cannot map LMDB's default 64 GiB.
export RP_BENCH_MAP_MB=4096
gzip -dc "$DATA/docs.jsonl.gz" | head -n "$SUBSET" | gzip -1 >"$P/subset.jsonl.gz"

top() { # NAME
    echo "== $1: top functions, exclusive (self) instructions"
    callgrind_annotate --threshold=100 "$P/$1.out" 2>/dev/null |
        sed -n '/^Ir/,$p' | sed -n '3,17p'
    echo "== $1: top functions, inclusive instructions"
    callgrind_annotate --inclusive=yes --threshold=100 "$P/$1.out" \
        2>/dev/null | sed -n '/^Ir/,$p' | sed -n '3,22p'
}

valgrind --tool=callgrind --callgrind-out-file="$P/build.out" \
    "$B/bench/bench_index" "$P/subset.jsonl.gz" "$P/subset.db" 1 \
    >"$P/build.txt" 2>"$P/build.log" || { cat "$P/build.log"; exit 1; }
top build
for mode in or and phrase; do
    valgrind --tool=callgrind --callgrind-out-file="$P/$mode.out" \
        "$B/bench/bench_query" "$DATA/queries.txt" "$B/bench/1x/rapport.db" \
        1 "$mode" >"$P/$mode.txt" 2>"$P/$mode.log" ||
        { cat "$P/$mode.log"; exit 1; }
    top "$mode"
done
rm -rf "$P/subset.db" "$P/subset.jsonl.gz"
