#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian/Ubuntu packages rapport needs to build and test, only
# when one is missing. Safe to run repeatedly; prints nothing when all is
# present. Uses sudo when not run as root.
set -eu
PKGS="gcc libc6-dev make pkg-config liblmdb-dev libstemmer-dev libcjson-dev \
libmicrohttpd-dev libutf8proc-dev libstreamvbyte-dev libroaring-dev libisal-dev \
zlib1g-dev"
if [ "${1:-}" = "--extra" ]; then
    shift
    PKGS="$PKGS $*"
fi
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done" >&2
