# SPDX-License-Identifier: MIT
# Shell helpers shared by the scripts that run rapport-server (sourced,
# not run).

# begin_run: a temporary directory $T, and a trap that, however the script
# ends, stops $SRV (the server) and $HELPER (a client), then removes $T.
begin_run() {
    T=$(mktemp -d)
    SRV=""
    HELPER=""
    trap end_run EXIT INT TERM
}

end_run() {
    [ -n "$HELPER" ] && kill "$HELPER" 2>/dev/null
    [ -n "$SRV" ] && kill "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
    rm -rf "$T"
}

# make_key FILE: a random 40-character admin key in FILE; prints it.
make_key() {
    head -c 40 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 40 >"$1"
    cat "$1"
}

# stop_server: SIGTERM to $SRV, waits for it and prints its exit status;
# returns 0 when that was 0.
stop_server() {
    kill -TERM "$SRV"
    st=0
    wait "$SRV" || st=$?
    SRV=""
    echo "server stopped with status $st"
    [ "$st" -eq 0 ]
}

# start_server TIMEOUT_TENTHS LOG SERVER-ARGS...: starts rapport-server on
# 127.0.0.1 (any free port) with its standard error in LOG, and waits up to
# TIMEOUT_TENTHS tenths of a second for its listening line. Sets SRV (the
# process id) and PORT; exits the script when the server does not come up.
start_server() {
    tenths=$1
    log=$2
    shift 2
    "$@" --listen 127.0.0.1:0 2>"$log" &
    SRV=$!
    PORT=""
    i=0
    while [ $i -lt "$tenths" ]; do
        PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' \
            "$log" 2>/dev/null || true)
        [ -n "$PORT" ] && return 0
        kill -0 "$SRV" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    echo "rapport-server did not start:"
    cat "$log"
    exit 1
}

# queries_lua QUERIES OUT: a wrk script in OUT whose requests search the
# lines of QUERIES in turn, percent-encoded, 10 hits each.
queries_lua() {
    cat >"$2" <<LUA
local qs, i = {}, 0
for line in io.lines("$1") do
  if #line > 0 then
    qs[#qs + 1] = line:gsub("[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c)) end)
  end
end
request = function()
  i = i % #qs + 1
  return wrk.format("GET", "/v1/search?q=" .. qs[i] .. "&limit=10")
end
LUA
}
