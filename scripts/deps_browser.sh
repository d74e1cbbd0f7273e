#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what the browser tests need, only when missing: Debian's
# Chromium and its driver, Node.js with npm (Debian's, when no node is on
# the PATH), and playwright-core, terser (to measure the minified size) and
# axe-core (the accessibility audit) from npm into tests/browser/node_modules
# at the versions pinned in tests/browser/package-lock.json. Playwright's
# own browser download is never used (the tests launch /usr/bin/chromium).
set -eu
extra="chromium chromium-driver"
command -v node >/dev/null 2>&1 || extra="$extra nodejs"
command -v npm >/dev/null 2>&1 || extra="$extra npm"
# shellcheck disable=SC2086 # one word per package
"$(dirname "$0")/deps.sh" --extra $extra
dir="$(dirname "$0")/../tests/browser"
if [ ! -d "$dir/node_modules/playwright-core" ] ||
    [ ! -d "$dir/node_modules/terser" ] ||
    [ ! -f "$dir/node_modules/axe-core/axe.min.js" ]; then
    echo "deps: npm ci in tests/browser" >&2
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit \
        --no-fund --loglevel=error >&2
fi
