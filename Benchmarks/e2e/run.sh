#!/usr/bin/env bash
# End-to-end load, all on 127.0.0.1, in one run (issue 6):
#   direct  wrk -> nginx's logout path                           (the floor)
#   proxy   wrk -> keycloak-mcp-proxy serve -> nginx            (tools/call logout_user)
#   peer    wrk -> mcp-keycloak 1.2.2 (TRANSPORT=http) -> nginx (tools/call logout_user)
#   floor   wrk -> e2e-floor -> nginx: the proxy's HTTP stack (SwiftNIO both sides), no proxy logic
#           (when built: cd Benchmarks && swift build -c release --product e2e-floor)
#   bytes   wrk -> e2e-floor with FLOOR_STACK=bytes -> nginx: SwiftNIO on raw bytes, no HTTP codec,
#           the least any NIO relay can do (TARGETS=...)
#   pipelined  bytes, each event loop's calls pipelined on one upstream connection, flushed once
#           per turn of the loop: what batching the upstream side could save (TARGETS=...)
#   relay   wrk -> nginx's proxy_pass -> nginx's logout path: a C reverse proxy, no MCP (TARGETS=...)
#   proxy-pipelined  the proxy with pool.pipeline: $PIPELINE_DEPTH (default 8) in each tenant: the
#           logouts of one turn of an event loop pipelined on one connection (TARGETS=...)
# at each concurrency in $CONCURRENCY, the targets interleaved so they see the same
# machine. Prints a Markdown table and leaves every log in $RUN (printed at the start).
#
#   Benchmarks/e2e/run.sh                      # needs: swift build -c release --product keycloak-mcp-proxy
#   DURATION=10s CONCURRENCY="1 16 64" Benchmarks/e2e/run.sh   # DURATION in seconds, with the s
#
# Needs wrk and nginx (apt-get install -y wrk nginx) and the peer in a venv (see setup-peer.sh).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PROXY=${PROXY:-$ROOT/.build/release/keycloak-mcp-proxy}
PEER=${PEER:-/tmp/peer-venv/bin/mcp-keycloak}
FLOOR=${FLOOR:-$ROOT/Benchmarks/.build/release/e2e-floor}
DURATION=${DURATION:-10s}
CONCURRENCY=${CONCURRENCY:-1 16 64}
UPSTREAM_PORT=${UPSTREAM_PORT:-18080}
PROXY_PORT=${PROXY_PORT:-18081}
PEER_PORT=${PEER_PORT:-18082}
# The floor row's stack comes from FLOOR_STACK (hummingbird, or NIO's codec by default); the
# bytes and pipelined stacks are rows of their own.
if [[ ${FLOOR_STACK:-} == bytes || ${FLOOR_STACK:-} == pipelined ]]; then
    echo "FLOOR_STACK=$FLOOR_STACK: add the $FLOOR_STACK target to TARGETS instead" >&2; exit 1
fi
if [[ -x $FLOOR ]]; then TARGETS=${TARGETS:-direct floor proxy peer}; else TARGETS=${TARGETS:-direct proxy peer}; fi
FLOOR_PORT=${FLOOR_PORT:-18083}
RELAY_PORT=${RELAY_PORT:-18084}
BYTES_PORT=${BYTES_PORT:-18085}
PIPELINED_PORT=${PIPELINED_PORT:-18086}
PROXY_PIPELINED_PORT=${PROXY_PIPELINED_PORT:-18087}
PIPELINE_DEPTH=${PIPELINE_DEPTH:-8}
RUN=$(mktemp -d /tmp/e2e-bench.XXXXXX)
echo "run directory: $RUN" >&2

# PIDS, cleanup on exit, wait_for, proxy_config.
source "$HERE/lib.sh"

for port in "$UPSTREAM_PORT" "$PROXY_PORT" "$PEER_PORT" "$FLOOR_PORT" "$RELAY_PORT" "$BYTES_PORT" "$PIPELINED_PORT" "$PROXY_PIPELINED_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use" >&2; exit 1; fi
done

# --- the upstream: nginx ---------------------------------------------------------------------
# TOKEN_LIFETIME (expires_in, seconds; Keycloak's default 300) shorter than the run makes the
# token count check refreshes too: the proxy refreshes after 85 % of a lifetime.
TOKEN_LIFETIME=${TOKEN_LIFETIME:-300}
sed -e "s#@RUN@#$RUN#g" -e "s#@PORT@#$UPSTREAM_PORT#g" -e "s#@RELAY_PORT@#$RELAY_PORT#g" -e "s#@LIFETIME@#$TOKEN_LIFETIME#g" "$HERE/nginx.conf.in" > "$RUN/nginx.conf"
nginx -c "$RUN/nginx.conf" -p "$RUN" &
NGINX_PID=$!
PIDS+=($NGINX_PID)
wait_for "http://127.0.0.1:$UPSTREAM_PORT/" 404
UPSTREAM=http://127.0.0.1:$UPSTREAM_PORT

# --- the proxy: $PROXY_TENANTS tenants on nginx, anonymous (no agents: loopback only) ---------
# The calls go round the tenants, so the token count checks one fetch per tenant.
PROXY_TENANTS=${PROXY_TENANTS:-4}
export WRK_TENANTS=$PROXY_TENANTS
proxy_config "$PROXY_TENANTS" "$UPSTREAM" "$PROXY_PORT" "$RUN/audit.jsonl" > "$RUN/proxy.yaml"
if [[ " $TARGETS " == *" proxy "* ]]; then
    BENCH_SECRET=bench-secret "$PROXY" serve --config "$RUN/proxy.yaml" --log-format json 2> "$RUN/proxy.log" &
    PROXY_PID=$!
    PIDS+=($PROXY_PID)
    wait_for "http://127.0.0.1:$PROXY_PORT/readyz" 200
fi
# The same proxy and tenants, each pool pipelining up to $PIPELINE_DEPTH logouts per connection.
if [[ " $TARGETS " == *" proxy-pipelined "* ]]; then
    PIPELINE=$PIPELINE_DEPTH proxy_config "$PROXY_TENANTS" "$UPSTREAM" "$PROXY_PIPELINED_PORT" "$RUN/audit-pipelined.jsonl" > "$RUN/proxy-pipelined.yaml"
    BENCH_SECRET=bench-secret "$PROXY" serve --config "$RUN/proxy-pipelined.yaml" --log-format json 2> "$RUN/proxy-pipelined.log" &
    PROXY_PIPELINED_PID=$!
    PIDS+=($PROXY_PIPELINED_PID)
    wait_for "http://127.0.0.1:$PROXY_PIPELINED_PORT/readyz" 200
fi

# --- the floor: the proxy's HTTP stack with nothing of the proxy in between ------------------
if [[ " $TARGETS " == *" floor "* ]]; then
    "$FLOOR" "$FLOOR_PORT" "$UPSTREAM/admin/realms/customers/users/bench-user-1/logout" > "$RUN/floor.log" 2>&1 &
    FLOOR_PID=$!
    PIDS+=($FLOOR_PID)
    wait_for "http://127.0.0.1:$FLOOR_PORT/mcp" 404   # GET: only POST is routed
fi
if [[ " $TARGETS " == *" bytes "* ]]; then
    FLOOR_STACK=bytes "$FLOOR" "$BYTES_PORT" "$UPSTREAM/admin/realms/customers/users/bench-user-1/logout" > "$RUN/bytes.log" 2>&1 &
    BYTES_PID=$!
    PIDS+=($BYTES_PID)
    wait_for "http://127.0.0.1:$BYTES_PORT/" 200   # it answers any request
fi
if [[ " $TARGETS " == *" pipelined "* ]]; then
    FLOOR_STACK=pipelined "$FLOOR" "$PIPELINED_PORT" "$UPSTREAM/admin/realms/customers/users/bench-user-1/logout" > "$RUN/pipelined.log" 2>&1 &
    PIPELINED_PID=$!
    PIDS+=($PIPELINED_PID)
    wait_for "http://127.0.0.1:$PIPELINED_PORT/" 200
fi

# --- the peer: mcp-keycloak 1.2.2 over Streamable HTTP (stateful: it needs a session) --------
if [[ " $TARGETS " == *" peer "* ]]; then
    # It reads SERVER_URL etc. from the environment (and a .env in its working directory: $RUN
    # has none); it always puts /auth before Keycloak's paths and uses the password grant.
    (cd "$RUN" && exec env TRANSPORT=http PORT="$PEER_PORT" SERVER_URL="$UPSTREAM" USERNAME=admin PASSWORD=admin \
        REALM_NAME=master "$PEER" > "$RUN/peer.log" 2>&1) &
    PEER_PID=$!
    PIDS+=($PEER_PID)
    wait_for "http://127.0.0.1:$PEER_PORT/mcp" 406   # GET without Accept: text/event-stream
    MCP_HEADERS=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
    curl -s -D "$RUN/peer-init.headers" -o /dev/null "${MCP_HEADERS[@]}" "http://127.0.0.1:$PEER_PORT/mcp" \
        -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}'
    SESSION=$(awk -F': ' 'tolower($1) == "mcp-session-id" { sub("\r", "", $2); print $2 }' "$RUN/peer-init.headers")
    [[ -n $SESSION ]] || { echo "the peer gave no session id" >&2; exit 1; }
    curl -s -o /dev/null "${MCP_HEADERS[@]}" -H "Mcp-Session-Id: $SESSION" -H 'MCP-Protocol-Version: 2025-06-18' \
        "http://127.0.0.1:$PEER_PORT/mcp" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    export WRK_SESSION=$SESSION
fi

url_of() {
    case $1 in
        direct) echo "$UPSTREAM/admin/realms/customers/users/bench-user-1/logout" ;;
        proxy) echo "http://127.0.0.1:$PROXY_PORT/mcp" ;;
        proxy-pipelined) echo "http://127.0.0.1:$PROXY_PIPELINED_PORT/mcp" ;;
        floor) echo "http://127.0.0.1:$FLOOR_PORT/mcp" ;;
        bytes) echo "http://127.0.0.1:$BYTES_PORT/mcp" ;;
        pipelined) echo "http://127.0.0.1:$PIPELINED_PORT/mcp" ;;
        peer) echo "http://127.0.0.1:$PEER_PORT/mcp" ;;
        relay) echo "http://127.0.0.1:$RELAY_PORT/admin/realms/customers/users/bench-user-1/logout" ;;
    esac
}
mode_of() { case $1 in direct | relay) echo direct ;; proxy | proxy-pipelined | floor | bytes | pipelined) echo mcp ;; peer) echo peer ;; esac; }

# One wrk run; prints its RESULT line, and leaves wrk's user + system CPU seconds in
# $RUN/wrk-$1-c$2-$3.cpu. Bounded by wrk's -d and by timeout(1).
load() { # target connections duration
    local threads=1
    (($2 > 1)) && threads=2
    local seconds=${3%s}
    local TIMEFORMAT='%U %S'
    { time WRK_MODE=$(mode_of "$1") timeout $((seconds + 30)) wrk -t"$threads" -c"$2" -d"$3" --timeout 10s --latency \
        -s "$HERE/logout.lua" "$(url_of "$1")" > "$RUN/wrk-$1-c$2-$3.txt" 2>&1 || true; } 2> "$RUN/wrk-$1-c$2-$3.cpu"
    grep '^RESULT' "$RUN/wrk-$1-c$2-$3.txt" || echo "RESULT failed: see $RUN/wrk-$1-c$2-$3.txt"
}
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<< "$2"; }
# utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15; the name, field
# 2, may hold spaces, so count from the closing parenthesis).
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
TICK=$(getconf CLK_TCK)
# nginx's CPU is its workers' (the master only starts them).
nginx_ticks() { local sum=0; for pid in $(pgrep -P "$NGINX_PID"); do sum=$((sum + $(ticks "$pid"))); done; echo "$sum"; }
kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; } # pid field: kB from /proc

# Warm-up (not reported): the first calls fetch the tokens and open the connections.
for target in $TARGETS; do load "$target" 4 2s > /dev/null; done

START=$(date +%s)
# The proxy's RSS once a second for the whole measured run (seconds since START, KiB): shows
# whether it grows between steps and within one.
for pid_file in "${PROXY_PID:-}:proxy-rss.txt" "${PROXY_PIPELINED_PID:-}:proxy-pipelined-rss.txt"; do
    pid=${pid_file%%:*}
    [[ -n $pid ]] || continue
    while kill -0 "$pid" 2>/dev/null; do
        echo "$(($(date +%s) - START)) $(kib "$pid" VmRSS)" >> "$RUN/${pid_file#*:}"
        sleep 1
    done &
    PIDS+=($!)
done
{
    echo "| concurrency | target | calls/s | p50 | p99 | non-2xx | tool errors | socket errors | server CPU | CPU µs per call: wrk / nginx / server | proxy VmHWM / VmRSS |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
} | tee "$RUN/results.md"
for c in $CONCURRENCY; do
    for target in $TARGETS; do
        # The server's CPU over the run, in % of one core (nginx for direct and relay is not counted:
        # it is the nginx column).
        server=""
        [[ $target == proxy ]] && server=$PROXY_PID
        [[ $target == proxy-pipelined ]] && server=$PROXY_PIPELINED_PID
        [[ $target == peer ]] && server=$PEER_PID
        [[ $target == floor ]] && server=$FLOOR_PID
        [[ $target == bytes ]] && server=$BYTES_PID
        [[ $target == pipelined ]] && server=$PIPELINED_PID
        before=$([[ -n $server ]] && ticks "$server" || echo 0); nginx_before=$(nginx_ticks); t0=$(date +%s%N)
        line=$(load "$target" "$c" "$DURATION")
        cpu="-"; server_ticks=0
        if [[ -n $server ]]; then
            server_ticks=$(($(ticks "$server") - before))
            cpu="$(( server_ticks * 100 * 1000000000 / TICK / ($(date +%s%N) - t0) )) %"
        fi
        # Each process's CPU over the row divided by the calls answered: what a call costs the
        # machine that all three share (nginx is the whole server on the direct row, relay and
        # upstream both on the relay row).
        per_call=$(awk -v calls="$(field requests "$line")" -v wrk="$(cat "$RUN/wrk-$target-c$c-$DURATION.cpu")" \
            -v nginx="$(( $(nginx_ticks) - nginx_before ))" -v server="$server_ticks" -v tick="$TICK" \
            -v has_server="${server:+1}" 'BEGIN {
                if (calls <= 0) { print "-"; exit }
                split(wrk, w, " ")
                printf "%.1f / %.1f / %s", (w[1] + w[2]) * 1e6 / calls, nginx * 1e6 / tick / calls, has_server ? sprintf("%.1f", server * 1e6 / tick / calls) : "-"
            }')
        rss=""
        [[ $target == proxy ]] && rss="$(( $(kib "$PROXY_PID" VmHWM) / 1024 )) / $(( $(kib "$PROXY_PID" VmRSS) / 1024 )) MiB"
        [[ $target == proxy-pipelined ]] && rss="$(( $(kib "$PROXY_PIPELINED_PID" VmHWM) / 1024 )) / $(( $(kib "$PROXY_PIPELINED_PID" VmRSS) / 1024 )) MiB"
        printf '| %s | %s | %s | %s µs | %s µs | %s | %s | %s | %s | %s | %s |\n' "$c" "$target" \
            "$(field rps "$line")" "$(field p50_us "$line")" "$(field p99_us "$line")" \
            "$(field bad_status "$line")" "$(field tool_errors "$line")" "$(field socket_errors "$line")" "$cpu" "$per_call" "$rss" | tee -a "$RUN/results.md"
    done
done
END=$(date +%s)

# Token fetches: nginx logs every token request; the proxy has no /auth prefix, the peer has.
tokens_proxy=$(grep -c ' /realms/' "$RUN/token-requests.log" || true)
tokens_peer=$(grep -c ' /auth/realms/' "$RUN/token-requests.log" || true)
{
    echo
    echo "token requests seen by the upstream over the whole run ($((END - START)) s measured + warm-up; token lifetime $TOKEN_LIFETIME s):"
    echo "proxy ($PROXY_TENANTS tenants${PROXY_PIPELINED_PID:+, and as many for proxy-pipelined}): $tokens_proxy; peer (one Keycloak): $tokens_peer"
    echo "token requests, seconds since the first: $(awk 'NR == 1 { t0 = $1 } { printf "%.1f ", $1 - t0 }' "$RUN/token-requests.log")"
    if [[ -n ${PROXY_PID:-} ]]; then
        echo "proxy /metrics: $(curl -s "http://127.0.0.1:$PROXY_PORT/metrics" | grep '^keycloak_mcp_proxy_token_fetches_total' | tr '\n' ' ')"
        echo "proxy audit records: $(wc -l < "$RUN/audit.jsonl"); with outcome other than ok: $(grep -vc '"outcome":"ok"' "$RUN/audit.jsonl" || true)"
        echo "proxy peak RSS (VmHWM): $(( $(kib "$PROXY_PID" VmHWM) / 1024 )) MiB; VmRSS once a second in $RUN/proxy-rss.txt"
    fi
    if [[ -n ${PROXY_PIPELINED_PID:-} ]]; then
        echo "proxy-pipelined /metrics: $(curl -s "http://127.0.0.1:$PROXY_PIPELINED_PORT/metrics" | grep '^keycloak_mcp_proxy_token_fetches_total' | tr '\n' ' ')"
        echo "proxy-pipelined audit records: $(wc -l < "$RUN/audit-pipelined.jsonl"); with outcome other than ok: $(grep -vc '"outcome":"ok"' "$RUN/audit-pipelined.jsonl" || true)"
        echo "proxy-pipelined peak RSS (VmHWM): $(( $(kib "$PROXY_PIPELINED_PID" VmHWM) / 1024 )) MiB; VmRSS once a second in $RUN/proxy-pipelined-rss.txt"
    fi
    if [[ -n ${PEER_PID:-} ]]; then echo "peer peak RSS (VmHWM): $(( $(kib "$PEER_PID" VmHWM) / 1024 )) MiB"; fi
    echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u +%FT%TZ)"
} | tee -a "$RUN/results.md"

# Optional: PERF_AT=64 adds one more run at that concurrency (not in the table: sampling slows
# it) under `perf record -e cpu-clock -g` (hardware counters are not available on these VMs),
# through the proxy, or through the floor with PERF_TARGET=floor (or bytes, or pipelined), and writes the heaviest
# symbols, callers included, to $RUN/perf-report.txt.
PERF_TARGET=${PERF_TARGET:-proxy}
perf_pid_of() { case $1 in proxy) echo "${PROXY_PID:-}" ;; proxy-pipelined) echo "${PROXY_PIPELINED_PID:-}" ;; floor) echo "${FLOOR_PID:-}" ;; bytes) echo "${BYTES_PID:-}" ;; pipelined) echo "${PIPELINED_PID:-}" ;; esac; }
if [[ -n ${PERF_AT:-} && -n $(perf_pid_of "$PERF_TARGET") ]]; then
    perf record -q -F 999 -e cpu-clock -g -p "$(perf_pid_of "$PERF_TARGET")" -o "$RUN/perf.data" -- sleep 8 2> "$RUN/perf-record.log" &
    perf_pid=$!
    load "$PERF_TARGET" "$PERF_AT" 10s > "$RUN/perf-load.txt"
    wait "$perf_pid" || true
    perf report -i "$RUN/perf.data" --children --sort symbol --stdio 2> /dev/null | swift demangle --simplified > "$RUN/perf-report.txt" || true
    perf report -i "$RUN/perf.data" --no-children --sort dso --stdio 2> /dev/null | grep -v '^#' | grep -v '^$' | head -15 > "$RUN/perf-dso.txt" || true
    echo
    echo "perf of $PERF_TARGET at concurrency $PERF_AT: $(cat "$RUN/perf-load.txt"); report in $RUN/perf-report.txt"
fi
