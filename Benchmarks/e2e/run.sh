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
#   floor-2ms   the same floor (a second process, FLOOR_2MS_PORT) -> nginx, after 2 ms: what the
#               library stack alone adds to direct-2ms, against which the proxy-2ms figures read
#   relay       wrk -> nginx's proxy_pass -> nginx's logout path: a C reverse proxy, no MCP
#   peer        wrk -> mcp-keycloak 1.2.2 (TRANSPORT=http) -> nginx, instant (see setup-peer.sh)
#   proxy-token wrk -> a second keycloak-mcp-proxy serve (PROXY_AUTH_PORT) -> nginx, instant: the
#               proxy row's tenants, but with agents, so each call carries a bearer token; this
#               row sends token-bot's static token (agents.token-bot.token)
#   proxy-oauth the same proxy process, with oauth-bot's access token from an OAuth issuer (the
#               project's keycloak-emulator on ISSUER_PORT, realm agents, client bench-bot,
#               fetched once by client_credentials, valid for an hour): the proxy checks its
#               RS256 signature, issuer, expiry and audience on every call, with keys fetched once
#               at start (issue 23: validation must cost microseconds, not a round trip). Prints
#               the ratio proxy-oauth / proxy-token per concurrency and the second proxy's
#               access_tokens_total (all ok) and jwks_fetches_total (one fetch) from /metrics.
#               (swift build -c release --product keycloak-emulator; EMULATOR=... elsewhere)
#   proxy-traced a third keycloak-mcp-proxy serve (PROXY_TRACED_PORT) -> nginx, instant: the proxy
#               row's tenants with a telemetry section, sample_ratio 1.0 (TRACED_RATIO), exporting every call's
#               spans over OTLP/HTTP to the keycloak-emulator on COLLECTOR_PORT (its POST
#               /v1/traces takes and drops each batch). Prints the ratio proxy-traced / proxy per
#               concurrency (run both) and the traced proxy's spans_dropped_total (issue 25:
#               off costs nothing, on costs little).
# The instant rows run at each concurrency of $CONCURRENCY, the 2 ms rows at each of
# $SLOW_CONCURRENCY; at each concurrency the rows are interleaved so they see the same machine.
# Prints a Markdown table and the figures of issue 20 (added p50 at c=1 and the ratio to direct
# at c=8 on the 2 ms upstream), and leaves every log in $RUN (printed at the start).
#
#   Benchmarks/e2e/run.sh          # needs: swift build -c release --product keycloak-mcp-proxy
#   DURATION=10s CONCURRENCY="1 16 64" SLOW_CONCURRENCY="1 8" Benchmarks/e2e/run.sh
#   TARGETS=proxy CONCURRENCY=64 DURATION=300s Benchmarks/e2e/run.sh   # RSS over 5 minutes
#   TARGETS="proxy-token proxy-oauth" CONCURRENCY=64 Benchmarks/e2e/run.sh   # OAuth's cost
#   TARGETS="proxy proxy-traced" CONCURRENCY="1 64" Benchmarks/e2e/run.sh     # tracing's cost
#
# Needs wrk, nginx and its echo module: apt-get install -y wrk nginx libnginx-mod-http-echo.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PROXY=${PROXY:-$ROOT/.build/release/keycloak-mcp-proxy}
PEER=${PEER:-/tmp/peer-venv/bin/mcp-keycloak}
FLOOR=${FLOOR:-$ROOT/Benchmarks/.build/release/e2e-floor}
EMULATOR=${EMULATOR:-$ROOT/.build/release/keycloak-emulator}
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
FLOOR_2MS_PORT=${FLOOR_2MS_PORT:-18091}
RELAY_PORT=${RELAY_PORT:-18084}
PROXY_AUTH_PORT=${PROXY_AUTH_PORT:-18085}
ISSUER_PORT=${ISSUER_PORT:-18086}
SLOW_PORT=${SLOW_PORT:-18088}
PROXY_TRACED_PORT=${PROXY_TRACED_PORT:-18087}
COLLECTOR_PORT=${COLLECTOR_PORT:-18089}
RUN=$(mktemp -d /tmp/e2e-bench.XXXXXX)
echo "run directory: $RUN" >&2

# PIDS, cleanup on exit, wait_for, proxy_config.
source "$HERE/lib.sh"

has() { [[ " $TARGETS " == *" $1 "* ]]; }
for port in "$UPSTREAM_PORT" "$PROXY_PORT" "$PEER_PORT" "$FLOOR_PORT" "$FLOOR_2MS_PORT" "$RELAY_PORT" "$SLOW_PORT" "$PROXY_AUTH_PORT" "$ISSUER_PORT" \
    "$PROXY_TRACED_PORT" "$COLLECTOR_PORT"; do
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

# --- the proxy with agents: a static token (proxy-token) and an OAuth issuer (proxy-oauth) ------
# The issuer is the emulator, on loopback: realm agents, whose client bench-bot gets tokens with
# the second proxy's public_url in aud. One access token serves the whole run (lifespan 1 h).
if has proxy-token || has proxy-oauth; then
    ISSUER=http://127.0.0.1:$ISSUER_PORT/realms/agents
    "$EMULATOR" --host 127.0.0.1 --port "$ISSUER_PORT" --realm agents --token-lifespan 3600s \
        --agent-client "agents:bench-bot:bench-agent-secret;audience=http://127.0.0.1:$PROXY_AUTH_PORT/mcp" > "$RUN/emulator.log" 2>&1 &
    ISSUER_PID=$!
    PIDS+=($ISSUER_PID)
    wait_for "$ISSUER/.well-known/openid-configuration" 200
    ACCESS_TOKEN=$(curl -s -m 10 -d grant_type=client_credentials -d client_id=bench-bot -d client_secret=bench-agent-secret \
        "$ISSUER/protocol/openid-connect/token" | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')
    [[ -n $ACCESS_TOKEN ]] || { echo "the issuer $ISSUER gave bench-bot no access token" >&2; exit 1; }
    export BENCH_AGENT_TOKEN=${BENCH_AGENT_TOKEN:-bench-agent-static-token-0123456789}
    proxy_auth_config "$PROXY_TENANTS" "$UPSTREAM" "$PROXY_AUTH_PORT" "$RUN/audit-auth.jsonl" "$ISSUER" > "$RUN/proxy-auth.yaml"
    BENCH_SECRET=bench-secret "$PROXY" serve --config "$RUN/proxy-auth.yaml" --log-format json 2> "$RUN/proxy-auth.log" &
    PROXY_AUTH_PID=$!
    PIDS+=($PROXY_AUTH_PID)
    wait_for "http://127.0.0.1:$PROXY_AUTH_PORT/readyz" 200
    # Ready for OAuth agents once the issuer's keys are in: a tools/list with the access token.
    wait_for "http://127.0.0.1:$PROXY_AUTH_PORT/mcp" 200 -H "Authorization: Bearer $ACCESS_TOKEN" \
        -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H 'MCP-Protocol-Version: 2025-06-18' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
fi

# --- the proxy with tracing on: every call's spans to a collector on loopback ------------------
if has proxy-traced; then
    "$EMULATOR" --host 127.0.0.1 --port "$COLLECTOR_PORT" > "$RUN/collector.log" 2>&1 &
    COLLECTOR_PID=$!
    PIDS+=($COLLECTOR_PID)
    wait_for "http://127.0.0.1:$COLLECTOR_PORT/v1/traces" 200 -X POST -H 'Content-Type: application/x-protobuf' --data-binary ''
    {
        proxy_config "$PROXY_TENANTS" "$UPSTREAM" "$PROXY_TRACED_PORT" "$RUN/audit-traced.jsonl"
        printf 'telemetry:\n  otlp_endpoint: "http://127.0.0.1:%s"\n  sample_ratio: %s\n' "$COLLECTOR_PORT" "${TRACED_RATIO:-1.0}"
    } > "$RUN/proxy-traced.yaml"
    BENCH_SECRET=bench-secret "$PROXY" serve --config "$RUN/proxy-traced.yaml" --log-format json 2> "$RUN/proxy-traced.log" &
    PROXY_TRACED_PID=$!
    PIDS+=($PROXY_TRACED_PID)
    wait_for "http://127.0.0.1:$PROXY_TRACED_PORT/readyz" 200
fi

# --- the floor: the proxy's library stack with nothing of the proxy in between ----------------
if has floor; then
    "$FLOOR" "$FLOOR_PORT" "$UPSTREAM/admin/realms/customers/users/bench-user-1/logout" > "$RUN/floor.log" 2>&1 &
    FLOOR_PID=$!
    PIDS+=($FLOOR_PID)
    wait_for "http://127.0.0.1:$FLOOR_PORT/mcp" 404   # GET: only POST is routed
fi
if has floor-2ms; then
    "$FLOOR" "$FLOOR_2MS_PORT" "$SLOW_UPSTREAM/admin/realms/customers/users/bench-user-1/logout" > "$RUN/floor-2ms.log" 2>&1 &
    FLOOR_2MS_PID=$!
    PIDS+=($FLOOR_2MS_PID)
    wait_for "http://127.0.0.1:$FLOOR_2MS_PORT/mcp" 404
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
        floor-2ms) echo "http://127.0.0.1:$FLOOR_2MS_PORT/mcp" ;;
        peer) echo "http://127.0.0.1:$PEER_PORT/mcp" ;;
        relay) echo "http://127.0.0.1:$RELAY_PORT$LOGOUT_PATH" ;;
        proxy-token | proxy-oauth) echo "http://127.0.0.1:$PROXY_AUTH_PORT/mcp" ;;
        proxy-traced) echo "http://127.0.0.1:$PROXY_TRACED_PORT/mcp" ;;
    esac
}
mode_of() { case $1 in direct | direct-2ms | relay) echo direct ;; proxy | proxy-2ms | proxy-2026 | proxy-2026-2ms | proxy-token | proxy-oauth | proxy-traced | floor | floor-2ms) echo mcp ;; peer) echo peer ;; esac; }
# The MCP revision of a row's requests.
protocol_of() { case $1 in *-2026*) echo 2026-07-28 ;; *) echo 2025-06-18 ;; esac; }
# The proxy's tenants for a row: the calls go round bench-N (instant) or bench-2ms-N (2 ms).
tenants_of() { case $1 in proxy | proxy-2026 | proxy-token | proxy-oauth | proxy-traced) echo "$PROXY_TENANTS bench-" ;; proxy-2ms | proxy-2026-2ms) echo "$PROXY_TENANTS bench-2ms-" ;; *) echo "0 -" ;; esac; }
server_of() {
    case $1 in
        proxy | proxy-2ms | proxy-2026 | proxy-2026-2ms) echo "${PROXY_PID:-}" ;;
        floor) echo "${FLOOR_PID:-}" ;;
        floor-2ms) echo "${FLOOR_2MS_PID:-}" ;;
        peer) echo "${PEER_PID:-}" ;;
        proxy-token | proxy-oauth) echo "${PROXY_AUTH_PID:-}" ;;
        proxy-traced) echo "${PROXY_TRACED_PID:-}" ;;
    esac
}
# The agent's bearer token of a row (none: anonymous).
token_of() { case $1 in proxy-token) echo "$BENCH_AGENT_TOKEN" ;; proxy-oauth) echo "$ACCESS_TOKEN" ;; esac; }

# One wrk run; prints its RESULT line, and leaves wrk's user + system CPU seconds in
# $RUN/wrk-$1-c$2-$3.cpu. Bounded by wrk's -d and by timeout(1).
load() { # target connections duration
    local threads=1
    (($2 > 1)) && threads=2
    local seconds=${3%s}
    local TIMEFORMAT='%U %S'
    local tenants
    read -r -a tenants <<< "$(tenants_of "$1")"
    { time WRK_MODE=$(mode_of "$1") WRK_PROTOCOL=$(protocol_of "$1") WRK_TOKEN=$(token_of "$1") WRK_TENANTS=${tenants[0]} WRK_TENANT_PREFIX=${tenants[1]} \
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
# Each proxy's RSS once a second for the whole measured run (seconds since START, KiB): shows
# whether it grows between steps and within one.
sample_rss() { # pid file
    while kill -0 "$1" 2>/dev/null; do
        echo "$(($(date +%s) - START)) $(kib "$1" VmRSS)" >> "$2"
        sleep 1
    done
}
if [[ -n ${PROXY_PID:-} ]]; then sample_rss "$PROXY_PID" "$RUN/proxy-rss.txt" & PIDS+=($!); fi
if [[ -n ${PROXY_AUTH_PID:-} ]]; then sample_rss "$PROXY_AUTH_PID" "$RUN/proxy-auth-rss.txt" & PIDS+=($!); fi
if [[ -n ${PROXY_TRACED_PID:-} ]]; then sample_rss "$PROXY_TRACED_PID" "$RUN/proxy-traced-rss.txt" & PIDS+=($!); fi
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
    # The row's own proxy process: proxy-token and proxy-oauth have the second one.
    [[ $target != proxy* ]] || rss="$(( $(kib "$server" VmHWM) / 1024 )) / $(( $(kib "$server" VmRSS) / 1024 )) MiB"
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
    echo "proxy: $(tokens "$UPSTREAM_PORT" "") to the instant upstream ($PROXY_TENANTS tenants$([[ -n ${PROXY_PID:-} && -n ${PROXY_AUTH_PID:-} ]] && echo " in each of the two proxy processes")), $(tokens "$SLOW_PORT" "") to the 2 ms one$( (has proxy-2ms || has proxy-2026-2ms) && echo " ($PROXY_TENANTS tenants)"); peer (one Keycloak): $(tokens "$UPSTREAM_PORT" /auth)"
    echo "token requests, seconds since the first: $(awk 'NR == 1 { t0 = $1 } { printf "%.1f ", $1 - t0 }' "$RUN/token-requests.log" 2> /dev/null)"
    if [[ -n ${PROXY_PID:-} ]]; then
        echo "proxy /metrics: $(curl -s "http://127.0.0.1:$PROXY_PORT/metrics" | grep '^keycloak_mcp_proxy_token_fetches_total' | tr '\n' ' ')"
        echo "proxy audit records: $(wc -l < "$RUN/audit.jsonl"); with outcome other than ok: $(grep -vc '"outcome":"ok"' "$RUN/audit.jsonl" || true)"
        echo "proxy peak RSS (VmHWM): $(( $(kib "$PROXY_PID" VmHWM) / 1024 )) MiB; VmRSS once a second in $RUN/proxy-rss.txt"
    fi
    if [[ -n ${PROXY_AUTH_PID:-} ]]; then
        echo "second proxy (agents) /metrics:"
        curl -s -m 5 "http://127.0.0.1:$PROXY_AUTH_PORT/metrics" \
            | grep -E '^keycloak_mcp_proxy_(access_tokens|jwks_fetches|token_fetches)_total' | sed 's/^/    /' || true
        echo "second proxy audit records: $(wc -l < "$RUN/audit-auth.jsonl"): token-bot $(grep -c '"agent":"token-bot"' "$RUN/audit-auth.jsonl" || true), oauth-bot $(grep -c '"agent":"oauth-bot"' "$RUN/audit-auth.jsonl" || true); with outcome other than ok: $(grep -vc '"outcome":"ok"' "$RUN/audit-auth.jsonl" || true)"
        echo "second proxy peak RSS (VmHWM): $(( $(kib "$PROXY_AUTH_PID" VmHWM) / 1024 )) MiB; VmRSS once a second in $RUN/proxy-auth-rss.txt"
    fi
    if [[ -n ${PROXY_TRACED_PID:-} ]]; then
        dropped=$(curl -s -m 5 "http://127.0.0.1:$PROXY_TRACED_PORT/metrics" | awk '$1 == "keycloak_mcp_proxy_spans_dropped_total" { print $2 }')
        echo "traced proxy: spans dropped ${dropped:-0} (keycloak_mcp_proxy_spans_dropped_total); audit records $(wc -l < "$RUN/audit-traced.jsonl"), with a trace_id $(grep -c '"trace_id"' "$RUN/audit-traced.jsonl" || true); peak RSS (VmHWM) $(( $(kib "$PROXY_TRACED_PID" VmHWM) / 1024 )) MiB"
    fi
    if [[ -n ${PEER_PID:-} ]]; then echo "peer peak RSS (VmHWM): $(( $(kib "$PEER_PID" VmHWM) / 1024 )) MiB"; fi
    for c in $SLOW_CONCURRENCY; do
        for row in floor-2ms proxy-2ms proxy-2026-2ms; do
            d=$(value "$c" direct-2ms 4); p=$(value "$c" "$row" 4); d50=$(value "$c" direct-2ms 5); p50=$(value "$c" "$row" 5)
            [[ -n $d && -n $p ]] && awk -v c="$c" -v row="$row" -v d="$d" -v p="$p" -v d50="$d50" -v p50="$p50" 'BEGIN {
                printf "2 ms upstream, c=%d: %s %.0f calls/s = %.3f of direct-2ms (%.0f); p50 added %d µs\n", c, row, p, p / d, d, p50 - d50 }'
        done
    done
    # Issue 23: what validating an access token on every call costs, against a static token.
    for c in $CONCURRENCY; do
        t=$(value "$c" proxy-token 4); o=$(value "$c" proxy-oauth 4); t50=$(value "$c" proxy-token 5); o50=$(value "$c" proxy-oauth 5)
        [[ -n $t && -n $o ]] && awk -v c="$c" -v t="$t" -v o="$o" -v t50="$t50" -v o50="$o50" 'BEGIN {
            printf "OAuth vs static token, c=%d: proxy-oauth %.0f calls/s = %.3f of proxy-token (%.0f); p50 %+d µs\n", c, o, o / t, t, o50 - t50 }'
    done
    # Issue 25: tracing on (every span exported) against off.
    for c in $CONCURRENCY; do
        p=$(value "$c" proxy 4); t=$(value "$c" proxy-traced 4); p50=$(value "$c" proxy 5); t50=$(value "$c" proxy-traced 5)
        [[ -n $p && -n $t ]] && awk -v c="$c" -v p="$p" -v t="$t" -v p50="$p50" -v t50="$t50" 'BEGIN {
            printf "tracing on vs off, c=%d: proxy-traced %.0f calls/s = %.3f of proxy (%.0f); p50 %+d µs\n", c, t, t / p, p, t50 - p50 }'
    done
    echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u +%FT%TZ)"
} | tee -a "$RUN/results.md"

# Optional: PERF_AT=64 adds one more run at that concurrency (not in the table: sampling slows
# it) under `perf record -e cpu-clock -g` (hardware counters are not available on these VMs),
# through the proxy (PERF_TARGET=proxy, or proxy-2ms, proxy-oauth, proxy-traced, or floor), and writes the
# heaviest symbols, callers included, to $RUN/perf-report.txt.
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
