#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: rapport beside SQLite FTS5 and Xapian 1.4 on the shared bench
# corpus, in one run on this machine. Installs the peers' packages and
# builds the peers (make bench-peers), then:
#   1. builds each engine's index and runs the query set as OR, AND and
#      phrase queries, RP_BENCH_RUNS times (default 3), alternating the
#      engines (scripts/bench_engines.sh);
#   2. HTTP: the in-process ceiling, rapport-server under wrk on /v1/search
#      and /healthz, nginx static beside it (scripts/bench_http.sh);
#   3. growth: 25%, 50% and 4x of the corpus, one run each
#      (scripts/bench_growth.sh); RP_BENCH_GROWTH=0 skips it;
# and writes bench/RESULTS.md (scripts/bench_results.sh), printing its
# tables. Budget: 20 minutes on a 2-core machine, which is why growth has
# one run and one timed pass, and Xapian is left out at 4x unless
# RP_BENCH_ENGINES_4X names it; and no growth measurement starts after
# RP_BENCH_START_BY seconds (default 900: one that starts then ends by
# about 17 minutes on a busy machine). Needs the shared bench data; skips
# with a message when it is missing.
set -eu
B=${1:-build}
DATA=${RP_SHARED_DATA:-../shared/data}/bench
RUNS=${RP_BENCH_RUNS:-3}
PASSES=${RP_BENCH_PASSES:-3}
HTTP_RUNS=${RP_BENCH_HTTP_RUNS:-$RUNS}
GROWTH=${RP_BENCH_GROWTH:-1}
GROWTH_PASSES=${RP_BENCH_GROWTH_PASSES:-1}
ENGINES_4X=${RP_BENCH_ENGINES_4X:-rapport fts5}
START_BY=${RP_BENCH_START_BY:-900}
if [ ! -f "$DATA/docs.jsonl.gz" ]; then
    echo "bench: $DATA/docs.jsonl.gz not found; skipping"
    exit 0
fi
HERE=$(dirname "$0")
start=$(date +%s)
"$HERE/deps.sh" --extra libsqlite3-dev libxapian-dev wrk nginx-light g++
${MAKE:-make} --no-print-directory B="$B" bench-peers >/dev/null

OUT=$B/bench/results.txt
mkdir -p "$B/bench"
: >"$OUT"
echo "bench: corpus $DATA/docs.jsonl.gz, $RUNS runs of rapport, fts5 and" \
     "xapian (alternating), $PASSES passes of the queries" >&2
"$HERE/bench_engines.sh" "$B" "$DATA/docs.jsonl.gz" "$DATA/queries.txt" 1x \
    "$RUNS" "$PASSES" "$OUT" rapport fts5 xapian
echo "bench: typo tolerance" >&2
"$HERE/bench_typo.sh" "$B" "$B/bench/1x/rapport.db" "$DATA/queries.txt"
echo "bench: HTTP, $HTTP_RUNS runs" >&2
"$HERE/bench_http.sh" "$B" "$B/bench/1x/rapport.db" "$DATA/queries.txt" \
    "$HTTP_RUNS" "$OUT"
growth="growth skipped (RP_BENCH_GROWTH=0)"
if [ "$GROWTH" != 0 ]; then
    echo "bench: growth (25%, 50%, 4x: $ENGINES_4X)" >&2
    RP_BENCH_DEADLINE=$((start + START_BY)) \
        "$HERE/bench_growth.sh" "$B" "$DATA/docs.jsonl.gz" "$DATA/queries.txt" \
        "$GROWTH_PASSES" "$OUT" "rapport fts5 xapian" "$ENGINES_4X"
    growth="growth at 25%, 50% and 4x: one run, $GROWTH_PASSES timed pass;"
    growth="$growth 4x for $ENGINES_4X only, and no growth measurement"
    growth="$growth started after $START_BY s, to stay within 20 minutes"
fi
secs=$(( $(date +%s) - start ))
echo "bench: phases ended at $secs s" >&2
settings="$RUNS runs at 100% (RP_BENCH_RUNS), $PASSES timed passes of the"
settings="$settings OR and AND queries and $((PASSES * 10)) of the phrase"
settings="$settings queries (RP_BENCH_PASSES), $HTTP_RUNS HTTP runs"
settings="$settings of ${RP_BENCH_SECONDS:-5} s each; $growth"
"$HERE/bench_results.sh" "$OUT" "$secs" "$settings" >bench/RESULTS.md.new
mv bench/RESULTS.md.new bench/RESULTS.md
sed -n '/^## rapport against/,/^<!-- reading: begin/p' bench/RESULTS.md |
    sed '$d'
echo "bench: $secs s; written to bench/RESULTS.md (raw lines in $OUT)"
