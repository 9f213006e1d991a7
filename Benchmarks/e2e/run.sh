#!/usr/bin/env bash
# End-to-end load, all on 127.0.0.1, in one run (issues 6 and 20). One nginx serves two upstreams:
# "instant" answers at once, "2ms" answers a logout after 2 ms as a real Keycloak does (nginx's
# echo module, echo_sleep). Rows ($TARGETS):
#   direct      wrk -> nginx's logout path, instant                  (the floor of the machine)
#   proxy       wrk -> keycloak-mcp-proxy serve -> nginx, instant     (tools/call logout_user)
#   direct-2ms  wrk -> nginx's logout path, after 2 ms
#   proxy-2ms   wrk -> keycloak-mcp-proxy serve -> nginx, after 2 ms  (the same proxy process;
#               its tenants bench-2ms-N point at the 2 ms upstream)
# and, when asked for in TARGETS:
#   proxy-2026, proxy-2026-2ms   the proxy rows with MCP 2026-07-28 requests (the version and
#               client capabilities in params._meta; Mcp-Method, Mcp-Name, Mcp-Param-Tenant)
#   floor       wrk -> e2e-floor -> nginx, instant: the proxy's library stack (Hummingbird in,
#               AsyncHTTPClient out, NIO's event loops as Swift's global executor, as `serve`
#               has them since 752a06f) with nothing of the proxy between
#               (cd Benchmarks && swift build -c release --product e2e-floor;
#               FLOOR_EXECUTOR=dispatch: Swift's default executor instead)
#   relay       wrk -> nginx's proxy_pass -> nginx's logout path: a C reverse proxy, no MCP
#   peer        wrk -> mcp-keycloak 1.2.2 (TRANSPORT=http) -> nginx, instant (see setup-peer.sh)
# The instant rows run at each concurrency of $CONCURRENCY, the 2 ms rows at each of
# $SLOW_CONCURRENCY; at each concurrency the rows are interleaved so they see the same machine.
# Prints a Markdown table and the figures of issue 20 (added p50 at c=1 and the ratio to direct
# at c=8 on the 2 ms upstream), and leaves every log in $RUN (printed at the start).
#
#   Benchmarks/e2e/run.sh          # needs: swift build -c release --product keycloak-mcp-proxy
#   DURATION=10s CONCURRENCY="1 16 64" SLOW_CONCURRENCY="1 8" Benchmarks/e2e/run.sh
#   TARGETS=proxy CONCURRENCY=64 DURATION=300s Benchmarks/e2e/run.sh   # RSS over 5 minutes
#
# Needs wrk, nginx and its echo module: apt-get install -y wrk nginx libnginx-mod-http-echo.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PROXY=${PROXY:-$ROOT/.build/release/keycloak-mcp-proxy}
PEER=${PEER:-/tmp/peer-venv/bin/mcp-keycloak}
FLOOR=${FLOOR:-$ROOT/Benchmarks/.build/release/e2e-floor}
# The floor runs on the executor the proxy runs on: NIO's loops (e2e-floor reads FLOOR_EXECUTOR).
export FLOOR_EXECUTOR=${FLOOR_EXECUTOR:-nio}
DURATION=${DURATION:-10s}
CONCURRENCY=${CONCURRENCY:-1 16 64}
SLOW_CONCURRENCY=${SLOW_CONCURRENCY:-1 8}
TARGETS=${TARGETS:-direct proxy direct-2ms proxy-2ms}
UPSTREAM_PORT=${UPSTREAM_PORT:-18080}
PROXY_PORT=${PROXY_PORT:-18081}
PEER_PORT=${PEER_PORT:-18082}
FLOOR_PORT=${FLOOR_PORT:-18083}
RELAY_PORT=${RELAY_PORT:-18084}
SLOW_PORT=${SLOW_PORT:-18088}
RUN=$(mktemp -d /tmp/e2e-bench.XXXXXX)
echo "run directory: $RUN" >&2

# PIDS, cleanup on exit, wait_for, proxy_config.
source "$HERE/lib.sh"

has() { [[ " $TARGETS " == *" $1 "* ]]; }
for port in "$UPSTREAM_PORT" "$PROXY_PORT" "$PEER_PORT" "$FLOOR_PORT" "$RELAY_PORT" "$SLOW_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use" >&2; exit 1; fi
done

# --- the upstreams: nginx ----------------------------------------------------------------------
# TOKEN_LIFETIME (expires_in, seconds; Keycloak's default 300) shorter than the run makes the
# token count check refreshes too: the proxy refreshes after 85 % of a lifetime.
TOKEN_LIFETIME=${TOKEN_LIFETIME:-300}
sed -e "s#@RUN@#$RUN#g" -e "s#@PORT@#$UPSTREAM_PORT#g" -e "s#@SLOW_PORT@#$SLOW_PORT#g" -e "s#@RELAY_PORT@#$RELAY_PORT#g" \
    -e "s#@LIFETIME@#$TOKEN_LIFETIME#g" "$HERE/nginx.conf.in" > "$RUN/nginx.conf"
nginx -c "$RUN/nginx.conf" -p "$RUN" &
NGINX_PID=$!
PIDS+=($NGINX_PID)
wait_for "http://127.0.0.1:$UPSTREAM_PORT/" 404
wait_for "http://127.0.0.1:$SLOW_PORT/" 404
UPSTREAM=http://127.0.0.1:$UPSTREAM_PORT
SLOW_UPSTREAM=http://127.0.0.1:$SLOW_PORT

# --- the proxy: $PROXY_TENANTS tenants on each upstream, anonymous (no agents: loopback only) --
# The calls go round the tenants, so the token count checks one fetch per tenant.
PROXY_TENANTS=${PROXY_TENANTS:-4}
if has proxy || has proxy-2ms || has proxy-2026 || has proxy-2026-2ms; then
    {
        proxy_config "$PROXY_TENANTS" "$UPSTREAM" "$PROXY_PORT" "$RUN/audit.jsonl"
        if has proxy-2ms || has proxy-2026-2ms; then proxy_tenants "$PROXY_TENANTS" "$SLOW_UPSTREAM" bench-2ms-; fi
    } > "$RUN/proxy.yaml"
    BENCH_SECRET=bench-secret "$PROXY" serve --config "$RUN/proxy.yaml" --log-format json 2> "$RUN/proxy.log" &
    PROXY_PID=$!
    PIDS+=($PROXY_PID)
    wait_for "http://127.0.0.1:$PROXY_PORT/readyz" 200
fi

# --- the floor: the proxy's library stack with nothing of the proxy in between ----------------
if has floor; then
    "$FLOOR" "$FLOOR_PORT" "$UPSTREAM/admin/realms/customers/users/bench-user-1/logout" > "$RUN/floor.log" 2>&1 &
    FLOOR_PID=$!
    PIDS+=($FLOOR_PID)
    wait_for "http://127.0.0.1:$FLOOR_PORT/mcp" 404   # GET: only POST is routed
fi

# --- the peer: mcp-keycloak 1.2.2 over Streamable HTTP (stateful: it needs a session) --------
if has peer; then
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

LOGOUT_PATH=/admin/realms/customers/users/bench-user-1/logout
url_of() {
    case $1 in
        direct) echo "$UPSTREAM$LOGOUT_PATH" ;;
        direct-2ms) echo "$SLOW_UPSTREAM$LOGOUT_PATH" ;;
        proxy | proxy-2ms | proxy-2026 | proxy-2026-2ms) echo "http://127.0.0.1:$PROXY_PORT/mcp" ;;
        floor) echo "http://127.0.0.1:$FLOOR_PORT/mcp" ;;
        peer) echo "http://127.0.0.1:$PEER_PORT/mcp" ;;
        relay) echo "http://127.0.0.1:$RELAY_PORT$LOGOUT_PATH" ;;
    esac
}
mode_of() { case $1 in direct | direct-2ms | relay) echo direct ;; proxy | proxy-2ms | proxy-2026 | proxy-2026-2ms | floor) echo mcp ;; peer) echo peer ;; esac; }
# The MCP revision of a row's requests.
protocol_of() { case $1 in *-2026*) echo 2026-07-28 ;; *) echo 2025-06-18 ;; esac; }
# The proxy's tenants for a row: the calls go round bench-N (instant) or bench-2ms-N (2 ms).
tenants_of() { case $1 in proxy | proxy-2026) echo "$PROXY_TENANTS bench-" ;; proxy-2ms | proxy-2026-2ms) echo "$PROXY_TENANTS bench-2ms-" ;; *) echo "0 -" ;; esac; }
server_of() {
    case $1 in
        proxy | proxy-2ms | proxy-2026 | proxy-2026-2ms) echo "${PROXY_PID:-}" ;;
        floor) echo "${FLOOR_PID:-}" ;;
        peer) echo "${PEER_PID:-}" ;;
    esac
}

# One wrk run; prints its RESULT line, and leaves wrk's user + system CPU seconds in
# $RUN/wrk-$1-c$2-$3.cpu. Bounded by wrk's -d and by timeout(1).
load() { # target connections duration
    local threads=1
    (($2 > 1)) && threads=2
    local seconds=${3%s}
    local TIMEFORMAT='%U %S'
    local tenants
    read -r -a tenants <<< "$(tenants_of "$1")"
    { time WRK_MODE=$(mode_of "$1") WRK_PROTOCOL=$(protocol_of "$1") WRK_TENANTS=${tenants[0]} WRK_TENANT_PREFIX=${tenants[1]} \
        timeout $((seconds + 30)) wrk -t"$threads" -c"$2" -d"$3" --timeout 10s --latency \
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
if [[ -n ${PROXY_PID:-} ]]; then
    while kill -0 "$PROXY_PID" 2>/dev/null; do
        echo "$(($(date +%s) - START)) $(kib "$PROXY_PID" VmRSS)" >> "$RUN/proxy-rss.txt"
        sleep 1
    done &
    PIDS+=($!)
fi
{
    echo "| concurrency | target | calls/s | p50 | p99 | non-2xx | tool errors | socket errors | server CPU | CPU µs per call: wrk / nginx / server | proxy VmHWM / VmRSS |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
} | tee "$RUN/results.md"
row() { # target concurrency
    local target=$1 c=$2 server before nginx_before t0 line cpu="-" server_ticks=0 per_call rss=""
    server=$(server_of "$target")
    # The server's CPU over the row, in % of one core (nginx is the nginx column).
    before=$([[ -n $server ]] && ticks "$server" || echo 0); nginx_before=$(nginx_ticks); t0=$(date +%s%N)
    line=$(load "$target" "$c" "$DURATION")
    if [[ -n $server ]]; then
        server_ticks=$(($(ticks "$server") - before))
        cpu="$(( server_ticks * 100 * 1000000000 / TICK / ($(date +%s%N) - t0) )) %"
    fi
    # Each process's CPU over the row divided by the calls answered: what a call costs the
    # machine that all three share (nginx is the whole server on the direct rows, relay and
    # upstream both on the relay row).
    per_call=$(awk -v calls="$(field requests "$line")" -v wrk="$(cat "$RUN/wrk-$target-c$c-$DURATION.cpu")" \
        -v nginx="$(( $(nginx_ticks) - nginx_before ))" -v server="$server_ticks" -v tick="$TICK" \
        -v has_server="${server:+1}" 'BEGIN {
            if (calls <= 0) { print "-"; exit }
            split(wrk, w, " ")
            printf "%.1f / %.1f / %s", (w[1] + w[2]) * 1e6 / calls, nginx * 1e6 / tick / calls, has_server ? sprintf("%.1f", server * 1e6 / tick / calls) : "-"
        }')
    [[ $target != proxy* ]] || rss="$(( $(kib "$PROXY_PID" VmHWM) / 1024 )) / $(( $(kib "$PROXY_PID" VmRSS) / 1024 )) MiB"
    printf '| %s | %s | %s | %s µs | %s µs | %s | %s | %s | %s | %s | %s |\n' "$c" "$target" \
        "$(field rps "$line")" "$(field p50_us "$line")" "$(field p99_us "$line")" \
        "$(field bad_status "$line")" "$(field tool_errors "$line")" "$(field socket_errors "$line")" "$cpu" "$per_call" "$rss" | tee -a "$RUN/results.md"
}
for c in $CONCURRENCY; do
    for target in $TARGETS; do if [[ $target != *-2ms ]]; then row "$target" "$c"; fi; done
done
for c in $SLOW_CONCURRENCY; do
    for target in $TARGETS; do if [[ $target == *-2ms ]]; then row "$target" "$c"; fi; done
done
END=$(date +%s)

# Token fetches: nginx logs every token request with the port it came in on; the proxy has no
# /auth prefix, the peer has.
tokens() { awk -v port="$1" -v prefix="$2" '$2 == port && index($4, prefix "/realms/") == 1' "$RUN/token-requests.log" 2> /dev/null | wc -l; }
# The 2 ms upstream's figures of issue 20, from the table: p50 added at c=1, calls/s ratio at c=8.
value() { awk -F'|' -v c="$1" -v t="$2" -v col="$3" '$2 + 0 == c && $3 == " " t " " { gsub(/[ µs]/, "", $col); print $col }' "$RUN/results.md"; }
{
    echo
    echo "token requests seen by the upstreams over the whole run ($((END - START)) s measured + warm-up; token lifetime $TOKEN_LIFETIME s):"
    echo "proxy: $(tokens "$UPSTREAM_PORT" "") to the instant upstream ($PROXY_TENANTS tenants), $(tokens "$SLOW_PORT" "") to the 2 ms one$( (has proxy-2ms || has proxy-2026-2ms) && echo " ($PROXY_TENANTS tenants)"); peer (one Keycloak): $(tokens "$UPSTREAM_PORT" /auth)"
    echo "token requests, seconds since the first: $(awk 'NR == 1 { t0 = $1 } { printf "%.1f ", $1 - t0 }' "$RUN/token-requests.log" 2> /dev/null)"
    if [[ -n ${PROXY_PID:-} ]]; then
        echo "proxy /metrics: $(curl -s "http://127.0.0.1:$PROXY_PORT/metrics" | grep '^keycloak_mcp_proxy_token_fetches_total' | tr '\n' ' ')"
        echo "proxy audit records: $(wc -l < "$RUN/audit.jsonl"); with outcome other than ok: $(grep -vc '"outcome":"ok"' "$RUN/audit.jsonl" || true)"
        echo "proxy peak RSS (VmHWM): $(( $(kib "$PROXY_PID" VmHWM) / 1024 )) MiB; VmRSS once a second in $RUN/proxy-rss.txt"
    fi
    if [[ -n ${PEER_PID:-} ]]; then echo "peer peak RSS (VmHWM): $(( $(kib "$PEER_PID" VmHWM) / 1024 )) MiB"; fi
    for c in $SLOW_CONCURRENCY; do
        for row in proxy-2ms proxy-2026-2ms; do
            d=$(value "$c" direct-2ms 4); p=$(value "$c" "$row" 4); d50=$(value "$c" direct-2ms 5); p50=$(value "$c" "$row" 5)
            [[ -n $d && -n $p ]] && awk -v c="$c" -v row="$row" -v d="$d" -v p="$p" -v d50="$d50" -v p50="$p50" 'BEGIN {
                printf "2 ms upstream, c=%d: %s %.0f calls/s = %.3f of direct-2ms (%.0f); p50 added %d µs\n", c, row, p, p / d, d, p50 - d50 }'
        done
    done
    echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u +%FT%TZ)"
} | tee -a "$RUN/results.md"

# Optional: PERF_AT=64 adds one more run at that concurrency (not in the table: sampling slows
# it) under `perf record -e cpu-clock -g` (hardware counters are not available on these VMs),
# through the proxy (PERF_TARGET=proxy, or proxy-2ms, or floor), and writes the heaviest
# symbols, callers included, to $RUN/perf-report.txt.
PERF_TARGET=${PERF_TARGET:-proxy}
if [[ -n ${PERF_AT:-} && -n $(server_of "$PERF_TARGET") ]]; then
    perf record -q -F 999 -e cpu-clock -g -p "$(server_of "$PERF_TARGET")" -o "$RUN/perf.data" -- sleep 8 2> "$RUN/perf-record.log" &
    perf_pid=$!
    load "$PERF_TARGET" "$PERF_AT" 10s > "$RUN/perf-load.txt"
    wait "$perf_pid" || true
    perf report -i "$RUN/perf.data" --children --sort symbol --stdio 2> /dev/null | swift demangle --simplified > "$RUN/perf-report.txt" || true
    perf report -i "$RUN/perf.data" --no-children --sort dso --stdio -g none 2> /dev/null | grep -v '^#' | grep -v '^$' | head -15 > "$RUN/perf-dso.txt" || true
    echo
    echo "perf of $PERF_TARGET at concurrency $PERF_AT: $(cat "$RUN/perf-load.txt"); report in $RUN/perf-report.txt"
fi
