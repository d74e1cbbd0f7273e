#!/bin/sh
# SPDX-License-Identifier: MIT
# Slow clients against rapport-server on loopback: slowhttptest (Debian's)
# runs slow headers (Slowloris), slow body (R-U-Dead-Yet, on the write
# route) and slow read, each for SECONDS (30) with 1,000 connections from
# 127.0.0.1, while a probe asks GET /healthz every 0.5 s from another
# address (127.0.0.2, as another visitor would) and from the attacker's own
# (127.0.0.1). Passes when every probe from 127.0.0.2 answers 200 within
# 1 s. Prints, per mode, the probes' count, failures, median and slowest
# time, and slowhttptest's own verdict. The server and the tools started
# here are stopped at the end.
#
#   scripts/slow_clients.sh [BUILD_DIR] [SECONDS]
set -eu
. scripts/lib.sh
B=${1:-build}
SECS=${2:-30}
scripts/deps.sh --extra slowhttptest curl
OUT=$B/reliability
mkdir -p "$OUT"
begin_run

"$B/rapport-index" --db "$T/db" corpus/docs/ >/dev/null
make_key "$T/key" >/dev/null
start_server 100 "$T/srv.log" "$B/rapport-server" --db "$T/db" --quiet \
    --admin-key-file "$T/key"
U=http://127.0.0.1:$PORT

# probe FROM FILE: until the attack ends, GET /healthz from address FROM
# every 0.5 s; one line per probe: status and seconds.
probe() {
    while kill -0 "$HELPER" 2>/dev/null; do
        r=$(curl -s -o /dev/null --interface "$1" --max-time 5 \
            -w '%{http_code} %{time_total}' "$U/healthz") || true
        echo "${r:-000 5}" >>"$2"
        sleep 0.5
    done
}

report() {
    sort -k2 -n "$2" | awk -v name="$1" '
        { n++; t[n] = $2; if ($1 != "200" || $2 > 1) bad++ }
        END { printf "  %-34s %3d probes, %d failed or over 1 s, " \
                     "median %.4f s, slowest %.4f s\n",
                     name, n, bad, t[int((n + 1) / 2)], t[n] }'
}

fail=0
run() {
    mode=$1
    shift
    slowhttptest "$@" -c 1000 -r 200 -l "$SECS" -p 3 >"$OUT/slow-$mode.txt" 2>&1 &
    HELPER=$!
    sleep 2 # let the connections pile up first
    : >"$T/other.txt"
    : >"$T/same.txt"
    probe 127.0.0.2 "$T/other.txt" &
    P1=$!
    probe 127.0.0.1 "$T/same.txt" &
    P2=$!
    wait "$HELPER" || true
    HELPER=""
    wait "$P1" "$P2" || true
    verdict=$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/slow-$mode.txt" |
        grep -a "service available" | tail -1 |
        sed 's/.*service available: *//')
    held=$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/slow-$mode.txt" |
        grep -a "connected:" | sort -k2 -n | tail -1 | awk '{ print $2 }')
    echo "$mode (1,000 connections tried, at most ${held:-?} held open, ${SECS} s;" \
        "slowhttptest's own probe from 127.0.0.1: service available ${verdict:-?}):"
    report "healthz from 127.0.0.2" "$T/other.txt"
    report "healthz from 127.0.0.1 (attacker's)" "$T/same.txt"
    awk '$1 != "200" || $2 > 1 { bad++ } END { exit bad > 0 }' \
        "$T/other.txt" || fail=1
}

run slow-headers -H -i 5 -u "$U/v1/search?q=grief"
run slow-body -B -i 5 -s 8192 -t PUT -f application/json -u "$U/v1/documents"
run slow-read -X -k 10 -n 5 -u "$U/v1/search?q=grief+sleep+panic&limit=100&highlight=1"
if kill -0 "$SRV" 2>/dev/null; then
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$U/healthz" || echo 000)
    echo "after the attacks: /healthz $code"
    [ "$code" = 200 ] || fail=1
else
    echo "slow: the server died"
    fail=1
fi
stop_server || fail=1
[ "$fail" -eq 0 ]
