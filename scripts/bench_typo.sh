#!/bin/sh
# SPDX-License-Identifier: MIT
# The typo part of `make bench`: what typo tolerance costs on the bench
# queries, as typed and with typos (rp-typos --text: one typo in half the
# words of 5+ letters), each without and with tolerance, over the index
# bench_index built. Arguments: BUILD_DIR QUERIES.
set -eu
B=${1:-build}
QUERIES=${2:?queries file}
TYPOS=$B/bench/queries.typos.txt
"$B/rp-typos" --text "$QUERIES" >"$TYPOS"
echo "typo tolerance (3 passes each; compare p50/p99 without and with):"
echo "  queries as typed:"
"$B/bench/bench_query" "$QUERIES" "$B/bench/index.db" 3 | sed -n 1p
RP_BENCH_TYPO=1 "$B/bench/bench_query" "$QUERIES" "$B/bench/index.db" 3 |
    sed -n 1p
echo "  queries with typos:"
"$B/bench/bench_query" "$TYPOS" "$B/bench/index.db" 3 | sed -n 1p
RP_BENCH_TYPO=1 "$B/bench/bench_query" "$TYPOS" "$B/bench/index.db" 3 |
    sed -n 1p
