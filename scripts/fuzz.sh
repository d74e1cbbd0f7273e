#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs each libFuzzer target built by `make fuzz` for a bounded time, one
# after another (the machine is shared), and prints one line per target:
# executions, seconds, corpus size, and whether it crashed.
#
#   scripts/fuzz.sh BUILD_DIR SECONDS [TARGET...]
#
# Each target starts from a work corpus under BUILD_DIR/fuzz/corpus/<name>,
# seeded with tests/fuzz/corpus/<name> and the shared bad inputs
# (../shared/data/badinput, or RP_SHARED_DATA): JSONTestSuite and the
# naughty strings for the JSON and document targets, the naughty strings
# and Markus Kuhn's UTF-8 stress test (one file per line) for the
# tokenizer and the query parser, and the naughty strings as query values
# for the API target. Crash inputs land in BUILD_DIR/fuzz/crashes/<name>/;
# copy them into tests/fuzz/corpus/<name>/ so `make test` replays them.
set -u
B=${1:?build dir}
SECS=${2:?seconds per target}
shift 2
SHARED=${RP_SHARED_DATA:-../shared/data}
BAD=$SHARED/badinput
TARGETS=${*:-$(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')}

# One seed file per line of a text file (skipping comments and blanks),
# named prefix-N, into dir.
split_lines() {
    [ -f "$1" ] || return 0
    awk -v dir="$2" -v pre="$3" -v tmpl="${4:-%s}" '
        /^#/ || /^$/ { next }
        { n++; f = sprintf("%s/%s-%05d", dir, pre, n);
          printf(tmpl, $0) > f; close(f) }' "$1"
}

seed() {
    name=$1 dir=$2
    mkdir -p "$dir"
    cp -n tests/fuzz/corpus/"$name"/* "$dir"/ 2>/dev/null
    case $name in
    json|doc)
        [ -d "$BAD/jsontestsuite" ] && cp -n "$BAD"/jsontestsuite/* "$dir"/
        [ -d "$BAD/jsontestsuite_transform" ] &&
            cp -n "$BAD"/jsontestsuite_transform/* "$dir"/
        split_lines "$BAD/blns.txt" "$dir" blns '"%s"' ;;
    tokenize|query)
        split_lines "$BAD/blns.txt" "$dir" blns
        split_lines "$BAD/UTF-8-test.txt" "$dir" utf8 ;;
    http)
        split_lines "$BAD/blns.txt" "$dir" blns 'GET\n/v1/search\nq=%s' ;;
    esac
    return 0
}

total=0
for t in $TARGETS; do
    name=${t#fuzz_}
    bin=$B/fuzz/$t
    [ -x "$bin" ] || { echo "$t: not built (make fuzz)"; exit 1; }
    work=$B/fuzz/corpus/$name
    crashes=$B/fuzz/crashes/$name
    mkdir -p "$crashes"
    seed "$name" "$work"
    log=$B/fuzz/$t.log
    # -rss_limit_mb: the machine is shared; -timeout: a hang is a finding.
    "$bin" -max_total_time="$SECS" -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=1024 -max_len=65536 -artifact_prefix="$crashes/" \
        "$work" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    files=$(ls "$work" | wc -l)
    found=$(ls "$crashes" | wc -l)
    printf '%-14s %12s executions in %ss, corpus %s files, exit %s, %s crash inputs\n' \
        "$t" "${execs:-?}" "$SECS" "$files" "$rc" "$found"
    [ "$rc" -eq 0 ] || total=$((total + 1))
done
[ "$total" -eq 0 ]
