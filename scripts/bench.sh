#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: builds the bench corpus into an index and runs the query set.
# Needs the shared bench data; skips with a message when it is missing.
set -eu
B=${1:-build}
DATA=${RP_SHARED_DATA:-../shared/data}/bench
if [ ! -f "$DATA/docs.jsonl.gz" ]; then
    echo "bench: $DATA/docs.jsonl.gz not found; skipping"
    exit 0
fi
mkdir -p "$B/bench"
echo "corpus: $DATA/docs.jsonl.gz ($(wc -c <"$DATA/docs.jsonl.gz") bytes)"
echo "machine: $(nproc) cores, $(uname -m)"
"$B/bench/bench_index" "$DATA/docs.jsonl.gz" "$B/bench/index.db"
"$B/bench/bench_query" "$DATA/queries.txt" "$B/bench/index.db" 3
"$(dirname "$0")/bench_typo.sh" "$B" "$DATA/queries.txt"
"$(dirname "$0")/bench_http.sh" "$B" "$DATA/queries.txt"
