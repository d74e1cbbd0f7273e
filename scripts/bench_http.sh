#!/bin/sh
# SPDX-License-Identifier: MIT
# One job of `make bench`: HTTP. RUNS rounds of: the /v1/search handler in
# process (bench_api: the ceiling, cores / mean latency), then
# rapport-server over the bench index driven by wrk (64 connections) with
# the bench queries on /v1/search and on /healthz, and the same wrk against
# nginx serving a static 2 KB JSON file (the ceiling of any HTTP server on
# this machine). Everything listens on 127.0.0.1 and is stopped at the
# end; the server runs with --quiet (no access log, so no query text is
# logged anywhere). Appends result lines to OUT. Usage:
#   bench_http.sh BUILD DBDIR QUERIES RUNS OUT
# RP_BENCH_SECONDS: seconds of each wrk run (default 5).
set -eu
. scripts/lib.sh
B=$1 DB=$2 QUERIES=$3 RUNS=$4 OUT=$5
SECS=${RP_BENCH_SECONDS:-5}
T=$(mktemp -d)
SRV=""
NGX=""
cleanup() {
    [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
    [ -n "$NGX" ] && kill "$NGX" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

# wrk script: each request takes the next query, percent-encoded.
queries_lua "$QUERIES" "$T/queries.lua"

# CPU time (user + system, in clock ticks) of process $1 so far.
ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
HZ=$(getconf CLK_TCK)

# wrk --latency output to a result line: "Requests/sec: N", "50% X",
# "99% Y" with units us, ms or s; then the CPU seconds the server (or
# nginx) used over the run, as cores busy.
wrk_result() { # TARGET RUN FILE CPU_TICKS
    awk -v target="$1" -v run="$2" -v secs="$SECS" -v ticks="$4" -v hz="$HZ" '
        function ms(v) {
            if (v ~ /us$/) return v * 0.001
            if (v ~ /ms$/) return v + 0
            if (v ~ /s$/) return v * 1000
            return v + 0
        }
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx/ { bad = $NF }
        END { printf "result size=1x run=%s engine=%s cmd=http target=%s " \
                     "connections=64 seconds=%s rps=%.0f p50_ms=%.3f " \
                     "p99_ms=%.3f non2xx=%d server_cores=%.2f\n", run,
                     (target == "static" ? "nginx" : "rapport"), target,
                     secs, rps, p50, p99, bad, ticks / hz / secs }' "$3"
}

start_server 50 "$T/srv.log" "$B/rapport-server" --db "$DB" --quiet

mkdir -p "$T/www" "$T/logs"
head -c 2048 /dev/zero | tr '\0' 'x' |
    awk '{ printf "{\"pad\":\"%s\"}", substr($0, 1, 2036) }' >"$T/www/static.json"
NPORT=$((PORT + 1))
cat >"$T/nginx.conf" <<NGINX
worker_processes 2;
pid $T/nginx.pid;
error_log $T/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T;
  uwsgi_temp_path $T; scgi_temp_path $T;
  server {
    listen 127.0.0.1:$NPORT;
    location / { root $T/www; default_type application/json; }
  }
}
NGINX
nginx -p "$T" -c "$T/nginx.conf" -g "daemon off;" 2>"$T/logs/start.log" &
NGX=$!
# Wait until nginx listens (local address column of /proc/net/tcp, port
# in hex).
HEXPORT=$(printf '%04X' "$NPORT")
for _ in $(seq 1 25); do
    awk -v p=":$HEXPORT" '$2 ~ p"$" { f = 1 } END { exit !f }' \
        /proc/net/tcp && break
    sleep 0.2
done
if ! kill -0 "$NGX" 2>/dev/null; then
    echo "bench: nginx did not start:"; cat "$T/logs/start.log" "$T/logs/error.log" 2>/dev/null
    exit 1
fi

for r in $(seq 1 "$RUNS"); do
    echo "  [http run $r/$RUNS] in process, search, healthz, nginx static" >&2
    # In process, one pass over the queries after a warm-up, once a round
    # (the report takes the median, as of the wrk figures; the server is
    # idle meanwhile).
    "$B/bench/bench_api" "$QUERIES" "$DB" 2 >"$T/api.txt"
    sed -n "s/^result /result size=1x run=$r /p" "$T/api.txt" >>"$OUT"
    t0=$(ticks "$SRV")
    wrk -t2 -c64 -d"${SECS}s" --latency -s "$T/queries.lua" \
        "http://127.0.0.1:$PORT" >"$T/wrk.txt"
    t1=$(ticks "$SRV")
    wrk_result search "$r" "$T/wrk.txt" $((t1 - t0)) >>"$OUT"
    wrk -t2 -c64 -d"${SECS}s" --latency "http://127.0.0.1:$PORT/healthz" \
        >"$T/wrk.txt"
    t0=$(ticks "$SRV")
    wrk_result healthz "$r" "$T/wrk.txt" $((t0 - t1)) >>"$OUT"
    # nginx's two workers are the master's children.
    n0=0
    for w in $(pgrep -P "$NGX"); do n0=$((n0 + $(ticks "$w"))); done
    wrk -t2 -c64 -d"${SECS}s" --latency \
        "http://127.0.0.1:$NPORT/static.json" >"$T/wrk.txt"
    n1=0
    for w in $(pgrep -P "$NGX"); do n1=$((n1 + $(ticks "$w"))); done
    wrk_result static "$r" "$T/wrk.txt" $((n1 - n0)) >>"$OUT"
done
