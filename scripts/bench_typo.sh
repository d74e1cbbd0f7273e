#!/bin/sh
# SPDX-License-Identifier: MIT
# The typo part of `make bench`: what typo tolerance costs on the bench
# queries (OR of their words), as typed and with typos (rp-typos --text:
# one typo in half the words of 5+ letters), each without and with
# tolerance (engine=rapport-typo), 3 passes each. Arguments: BUILD_DIR
# INDEX_DIR QUERIES.
set -eu
B=${1:-build}
DB=${2:?index directory}
QUERIES=${3:?queries file}
TYPOS=$B/bench/queries.typos.txt
"$B/rp-typos" --text "$QUERIES" >"$TYPOS"
for q in "$QUERIES" "$TYPOS"; do
    echo "typo tolerance, queries from $q:"
    "$B/bench/bench_query" "$q" "$DB" 3 or
    RP_BENCH_TYPO=1 "$B/bench/bench_query" "$q" "$DB" 3 or
done
