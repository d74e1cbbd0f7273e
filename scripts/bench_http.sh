#!/bin/sh
# SPDX-License-Identifier: MIT
# The HTTP part of `make bench`: rapport-server over the bench index, driven
# by wrk with the bench queries (64 connections), next to the same wrk run
# against nginx serving a static 2 KB JSON file on this machine (the
# ceiling for any HTTP server here). Everything listens on 127.0.0.1 and is
# stopped at the end.
set -eu
. scripts/lib.sh
B=${1:-build}
QUERIES=${2:?queries file}
DB=$B/bench/index.db
SECS=${RP_BENCH_SECONDS:-10}
scripts/deps.sh --extra wrk nginx-light
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

summary() {
    # wrk --latency output: "Requests/sec: N" and "50% X", "99% Y".
    awk -v name="$1" '
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = $2 }
        $1 == "99%" { p99 = $2 }
        /Non-2xx/ { bad = $NF }
        END { printf "%-28s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n",
                     name, rps, p50, p99, (bad == "" ? 0 : bad) }' "$2"
}

start_server 20 "$T/srv.log" "$B/rapport-server" --db "$DB" --quiet
wrk -t2 -c64 -d"${SECS}s" --latency -s "$T/queries.lua" \
    "http://127.0.0.1:$PORT" >"$T/wrk-rapport.txt"

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
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
    awk -v p=":$HEXPORT" '$2 ~ p"$" { f = 1 } END { exit !f }' \
        /proc/net/tcp && break
    sleep 0.2
done
if ! kill -0 "$NGX" 2>/dev/null; then
    echo "bench: nginx did not start:"; cat "$T/logs/start.log" "$T/logs/error.log" 2>/dev/null
    exit 1
fi
wrk -t2 -c64 -d"${SECS}s" --latency "http://127.0.0.1:$NPORT/static.json" \
    >"$T/wrk-nginx.txt"

echo "HTTP, wrk -t2 -c64 -d${SECS}s on 127.0.0.1 ($(nproc) cores shared with wrk):"
summary "rapport /v1/search (bench)" "$T/wrk-rapport.txt"
summary "nginx static 2 KB JSON" "$T/wrk-nginx.txt"
