#!/bin/sh
# SPDX-License-Identifier: MIT
# Load and soak test of rapport-server on 127.0.0.1:
#
# 1. load: wrk, 256 connections for LOAD_SECONDS (60), on the bench query
#    mix (../shared/data/bench/queries.txt), while one client writes a
#    batch of 5 documents every 0.2 s (PUT, replacing 100 ids in turn).
#    Passes with no socket error, no non-2xx answer and every write 200;
#    prints requests/s, p50, p99 and the writes.
# 2. soak: the same for SOAK_SECONDS (300) at 64 connections, sampling the
#    server's resident memory every 10 s into BUILD_DIR/reliability/rss.txt
#    (seconds, VmRSS, RssAnon, RssFile in kB); prints the first, last and
#    largest VmRSS after the first minute, and RssAnon's first and last.
#
# The index is BUILD_DIR/reliability/bench.db, built once from
# ../shared/data/bench/docs.jsonl.gz (or corpus/docs when that is absent).
# Every process started here is stopped at the end.
#
#   scripts/load_test.sh [BUILD_DIR] [LOAD_SECONDS] [SOAK_SECONDS]
# (0 seconds skips that part)
set -eu
. scripts/lib.sh
B=${1:-build}
LOAD=${2:-60}
SOAK=${3:-300}
SHARED=${RP_SHARED_DATA:-../shared/data}
scripts/deps.sh --extra wrk curl
OUT=$B/reliability
DB=$OUT/bench.db
mkdir -p "$OUT"
begin_run

if [ -f "$SHARED/bench/docs.jsonl.gz" ]; then
    SRC=$SHARED/bench/docs.jsonl.gz
    QUERIES=$SHARED/bench/queries.txt
else
    echo "load: $SHARED/bench not found; using corpus/docs"
    SRC=corpus/docs/
    QUERIES=$T/queries.txt
    printf '%s\n' grief anxiety "panic attack" sleep trauma couples \
        "after a loss" depression >"$QUERIES"
fi
if [ ! -f "$DB/data.mdb" ]; then
    echo "load: indexing $SRC into $DB"
    "$B/rapport-index" --db "$DB" "$SRC" | tail -3
fi

queries_lua "$QUERIES" "$T/queries.lua"

KEY=$(make_key "$T/key")
# One address may hold all of wrk's connections here.
start_server 100 "$T/srv.log" "$B/rapport-server" --db "$DB" --quiet \
    --admin-key-file "$T/key" --per-ip-limit 512
U=http://127.0.0.1:$PORT

# The writer: until killed, a batch of 5 documents every 0.2 s; one line
# per write (the status) in the file given.
writer() {
    k=0
    while :; do
        body=""
        for j in 0 1 2 3 4; do
            id=$(( (k * 5 + j) % 100 ))
            body="$body{\"id\":\"load-$id\",\"title\":\"Load note $k\",\"body\":\"Written during the load test, batch $k: sleep, worry, grief.\"}
"
        done
        code=$(printf '%s' "$body" | curl -s -o /dev/null -w '%{http_code}' \
            --max-time 30 -X PUT -H "Authorization: Bearer $KEY" \
            -H 'Content-Type: application/x-ndjson' --data-binary @- \
            "$U/v1/documents") || code=000
        echo "$code" >>"$1"
        k=$((k + 1))
        sleep 0.2
    done
}

summary() {
    awk -v name="$1" '
        /Requests\/sec/ { rps = $2 }
        /requests in/ { n = $1 }
        $1 == "50%" { p50 = $2 }
        $1 == "99%" { p99 = $2 }
        /Socket errors/ { sock = $0; sub(/^ *Socket errors: */, "", sock) }
        /Non-2xx/ { bad = $NF }
        END { printf "%s: %s requests, %s req/s, p50 %s, p99 %s, " \
                     "non-2xx %s, socket errors %s\n", name, n, rps, p50,
                     p99, (bad == "" ? 0 : bad), (sock == "" ? "none" : sock) }' "$2"
}

writes() {
    total=$(wc -l <"$1")
    ok=$(grep -c '^200$' "$1" || true)
    echo "writes: $total batches of 5 documents, $ok answered 200"
    [ "$total" -gt 0 ] && [ "$ok" -eq "$total" ]
}

fail=0
# 1. load
if [ "$LOAD" -gt 0 ]; then
    writer "$T/w1.txt" &
    HELPER=$!
    wrk -t2 -c256 -d"${LOAD}s" --timeout 10s --latency -s "$T/queries.lua" \
        "$U" >"$OUT/wrk-load.txt"
    kill "$HELPER"; wait "$HELPER" 2>/dev/null || true; HELPER=""
    summary "load (256 connections, ${LOAD} s)" "$OUT/wrk-load.txt"
    writes "$T/w1.txt" || fail=1
    if grep -q "Socket errors\|Non-2xx" "$OUT/wrk-load.txt"; then fail=1; fi
fi

# 2. soak
if [ "$SOAK" -gt 0 ]; then
    : >"$OUT/rss.txt"
    writer "$T/w2.txt" &
    HELPER=$!
    wrk -t2 -c64 -d"${SOAK}s" --timeout 10s --latency -s "$T/queries.lua" \
        "$U" >"$OUT/wrk-soak.txt" &
    WRK=$!
    t=0
    while kill -0 "$WRK" 2>/dev/null; do
        # VmRSS, and its parts: the heap and stacks (RssAnon), and the
        # index's pages mapped from the file (RssFile), which grow with
        # the part of the index read, not with leaks.
        awk -v t="$t" '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 }
            /^RssFile/ { f = $2 } END { print t, r, a, f }' \
            "/proc/$SRV/status" >>"$OUT/rss.txt"
        sleep 10
        t=$((t + 10))
    done
    wait "$WRK" || true
    kill "$HELPER"; wait "$HELPER" 2>/dev/null || true; HELPER=""
    summary "soak (64 connections, ${SOAK} s)" "$OUT/wrk-soak.txt"
    writes "$T/w2.txt" || fail=1
    if grep -q "Socket errors\|Non-2xx" "$OUT/wrk-soak.txt"; then fail=1; fi
    awk '$1 >= 60 { if (first == "") { first = $2; fa = $3 }
                    last = $2; la = $3; if ($2 > max) max = $2 }
         END { printf "resident memory after the first minute: first %d kB, " \
                      "last %d kB, largest %d kB; of it heap and stacks " \
                      "(RssAnon) first %d kB, last %d kB (samples: %s)\n",
                      first, last, max, fa, la, FILENAME }' "$OUT/rss.txt"
fi
stop_server || fail=1
[ "$fail" -eq 0 ]
