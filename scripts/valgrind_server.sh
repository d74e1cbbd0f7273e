#!/bin/sh
# SPDX-License-Identifier: MIT
# rapport-server under valgrind --leak-check=full: indexes corpus/docs into
# a temporary index, starts the server on 127.0.0.1 (any free port), sends
# a mix of requests (health, stats, searches with filters, facets and
# highlights, match, suggest, documents, related, specialists for an
# article, a write, a delete, and bad requests), stops it with SIGTERM and
# fails unless valgrind saw no error and nothing definitely lost. Bounded:
# the server gets 120 s to start and 60 s to stop. Prints a summary line;
# the full report stays in $B/reliability/valgrind.log. The map is 1 GiB:
# valgrind cannot reserve the default 64 GiB of address space.
#
#   scripts/valgrind_server.sh [BUILD_DIR]
set -eu
. scripts/lib.sh
B=${1:-build}
scripts/deps.sh --extra valgrind curl
OUT=$B/reliability
mkdir -p "$OUT"
begin_run

"$B/rapport-index" --db "$T/db" --vocabulary corpus/vocabulary.json \
    corpus/docs/ >/dev/null
KEY=$(make_key "$T/key")
LOG=$OUT/valgrind.log
start_server 1200 "$T/srv.err" valgrind --leak-check=full \
    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite \
    --error-exitcode=99 --log-file="$LOG" \
    "$B/rapport-server" --db "$T/db" --threads 2 --map-size 1G \
    --admin-key-file "$T/key" --crisis corpus/crisis.json
U=http://127.0.0.1:$PORT
n=0
bad=0
# req EXPECTED_STATUS curl-args...: counts answers that differ.
req() {
    want=$1
    shift
    got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "$@") || got=000
    n=$((n + 1))
    if [ "$got" != "$want" ]; then
        bad=$((bad + 1))
        echo "valgrind: $* answered $got, wanted $want"
    fi
}
AUTH="Authorization: Bearer $KEY"
for round in 1 2 3; do
    req 200 "$U/healthz"
    req 200 "$U/v1/stats"
    req 200 "$U/v1/search?q=grief+after+a+loss&highlight=1"
    req 200 "$U/v1/search?q=anxiety&type=specialist&languages=spanish,catalan&online=true&facets=concerns,languages"
    req 200 "$U/v1/search?q=%22panic+attack%22+OR+sleep*&fee_max=120"
    req 200 "$U/v1/search?q=i+want+to+end+my+life"
    req 200 "$U/v1/match?q=my+partner+shuts+down+when+we+argue&facets=languages"
    req 200 "$U/v1/suggest?q=panic+att"
    req 200 "$U/v1/documents/art-when-a-parent-dies"
    req 200 "$U/v1/documents/art-when-a-parent-dies/related?limit=3"
    req 200 "$U/v1/articles/art-when-a-parent-dies/specialists?limit=3"
    req 200 -X PUT -H "$AUTH" -H 'Content-Type: application/x-ndjson' \
        --data-binary "{\"id\":\"vg-$round\",\"title\":\"Valgrind note $round\",\"body\":\"Sleep and worry.\"}" \
        "$U/v1/documents"
    req 200 -X DELETE -H "$AUTH" "$U/v1/documents/vg-$round"
    req 400 "$U/v1/search?q=(unbalanced"
    req 400 -X PUT -H "$AUTH" -H 'Content-Type: application/json' \
        --data-binary '{"id":"bad id"}' "$U/v1/documents"
    req 404 "$U/v1/documents/no-such-document"
    req 401 -X PUT -H 'Content-Type: application/json' --data-binary '{}' \
        "$U/v1/documents"
done
kill -TERM "$SRV"
st=0
i=0
while kill -0 "$SRV" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
wait "$SRV" || st=$?
SRV=""
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$LOG" | tail -1)
definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$LOG" | tail -1)
indirect=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$LOG" | tail -1)
grep -q "All heap blocks were freed" "$LOG" && definite=0 && indirect=0
echo "valgrind: $n requests ($bad unexpected answers); exit status $st;" \
    "errors ${errors:-?}; definitely lost ${definite:-?} bytes," \
    "indirectly lost ${indirect:-?} bytes (report: $LOG)"
[ "$bad" -eq 0 ] && [ "$st" -eq 0 ] && [ "${errors:-1}" = 0 ] && [ "${definite:-1}" = 0 ]
