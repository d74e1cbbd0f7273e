#!/bin/sh
# SPDX-License-Identifier: MIT
# Browser tests (tests/browser/run.js) as one entry of tests/run.sh: skips
# with a message, and a "0 passed, 0 failed" line, when Chromium, Node.js
# or an npm package (playwright-core, terser, axe-core) is missing (`make
# test` installs them through scripts/deps_browser.sh).
dir=$(dirname "$0")
skip() {
    echo "SKIP browser tests: $1 (make test installs it)"
    echo "0 passed, 0 failed"
    exit 0
}
[ -x /usr/bin/chromium ] || skip "/usr/bin/chromium is missing"
command -v node >/dev/null 2>&1 || skip "node is missing"
[ -d "$dir/node_modules/playwright-core" ] || skip "playwright-core is missing"
[ -d "$dir/node_modules/terser" ] || skip "terser is missing"
[ -f "$dir/node_modules/axe-core/axe.min.js" ] || skip "axe-core is missing"
exec node "$dir/run.js"
