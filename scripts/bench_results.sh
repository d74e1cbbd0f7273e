#!/bin/sh
# SPDX-License-Identifier: MIT
# One job of `make bench`: writes bench/RESULTS.md from a run's result
# lines: date, commit, machine, package versions, the tables
# (scripts/bench_report.awk) and the raw lines. The hand-written reading
# between the "reading" markers of the previous RESULTS.md is kept, with
# the date and commit of the run it was written for, so a new run does
# not silently pass off an old reading as its own. Usage:
#   bench_results.sh RESULTS.txt SECONDS SETTINGS >bench/RESULTS.md.new
set -eu
RES=$1 SECS=$2 SETTINGS=$3
HERE=$(dirname "$0")
OLD=bench/RESULTS.md

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src include bench scripts server indexer Makefile \
    2>/dev/null || commit="$commit (with uncommitted changes)"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)

echo "# Benchmark results"
echo
echo "Written by \`make bench\` (scripts/bench.sh); docs/benchmarks.md says"
echo "what each figure is and how it is measured."
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $commit"
echo "- machine: $(nproc) cores, $cpu, $mem memory, Linux $(uname -r);"
echo "  a shared VM on which other builds and tests ran at the same time"
echo "- settings: $SETTINGS"
echo "- whole \`make bench\` (scripts/bench.sh, after the build): $SECS s"
echo "- packages: $(dpkg-query -W -f '${Package} ${Version}, ' \
    libsqlite3-0 libxapian30 liblmdb0 libmicrohttpd12 wrk nginx-light \
    2>/dev/null | sed 's/, $//')"
echo
awk -f "$HERE/bench_report.awk" "$RES"
echo
if [ -f "$OLD" ] && grep -q '^<!-- reading: begin' "$OLD"; then
    sed -n '/^<!-- reading: begin/,/^<!-- reading: end/p' "$OLD"
else
    echo "<!-- reading: begin (hand-written after a run; kept by bench_results.sh) -->"
    echo "## Reading"
    echo
    echo "Not written yet for this run."
    echo "<!-- reading: end -->"
fi
echo
echo "## Raw result lines"
echo
echo '```'
cat "$RES"
echo '```'
