#!/usr/bin/env bash
# What one logout_user call costs the proxy process, counted rather than timed: malloc calls,
# system calls and context switches per call, over CALLS calls on one keep-alive connection
# after WARMUP calls (tokens fetched, connections open). Mallocs repeat exactly from run to run for
# the same binary (system calls to within 0.2), where wall-clock figures on this VM swing by 20 %.
#
#   nginx (the same upstream as run.sh) <- keycloak-mcp-proxy serve <- one client (Python's
#   http.client), answers checked; perf stat counts on the proxy's pid while it runs.
#
#   Benchmarks/e2e/per-call.sh             # needs: swift build -c release --product keycloak-mcp-proxy
#   CALLS=20000 PROXY=/tmp/proxy-before Benchmarks/e2e/per-call.sh
#   EXTRA_EVENTS=probe_libswift_Concurrency:swift_task_switch Benchmarks/e2e/per-call.sh
#                                            # also counts uprobes you added, e.g. with
#                                            # perf probe -x $(swift's lib)/libswift_Concurrency.so swift_task_switch
#   TARGET=floor Benchmarks/e2e/per-call.sh  # the same count for run.sh's floor (e2e-floor, built
#                                            # in Benchmarks/), which answers /mcp with a fixed result
#
# Needs nginx and perf (apt-get install -y nginx linux-perf). malloc is counted through a uprobe
# on libc's malloc (`perf probe -x LIBC malloc`, added here when missing; root only).
# valgrind (callgrind) would count instructions too, but valgrind 3.19 stops with an internal
# SIGSEGV on this binary before main.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PROXY=${PROXY:-$ROOT/.build/release/keycloak-mcp-proxy}
FLOOR=${FLOOR:-$ROOT/Benchmarks/.build/release/e2e-floor}
# The floor runs on the executor the proxy runs on: NIO's loops (FLOOR_EXECUTOR=dispatch: Swift's default).
export FLOOR_EXECUTOR=${FLOOR_EXECUTOR:-nio}
TARGET=${TARGET:-proxy}
CALLS=${CALLS:-10000}
WARMUP=${WARMUP:-500}
UPSTREAM_PORT=${UPSTREAM_PORT:-18180}
PROXY_PORT=${PROXY_PORT:-18181}
RELAY_PORT=${RELAY_PORT:-18184}   # nginx's relay server (run.sh's relay row), unused here
SLOW_PORT=${SLOW_PORT:-18188}     # nginx's 2 ms upstream (run.sh's -2ms rows), unused here
RUN=$(mktemp -d /tmp/per-call-bench.XXXXXX)
echo "run directory: $RUN" >&2

# PIDS, cleanup on exit, wait_for, proxy_config.
source "$HERE/lib.sh"

LIBC=$(ldd "$([[ $TARGET == floor ]] && echo "$FLOOR" || echo "$PROXY")" | awk '/libc\.so\.6/ { print $3 }')
perf probe -l 2>/dev/null | grep -q 'probe_libc:malloc ' || perf probe -q -x "$LIBC" malloc

sed -e "s#@RUN@#$RUN#g" -e "s#@PORT@#$UPSTREAM_PORT#g" -e "s#@SLOW_PORT@#$SLOW_PORT#g" -e "s#@RELAY_PORT@#$RELAY_PORT#g" -e "s#@LIFETIME@#3600#g" "$HERE/nginx.conf.in" > "$RUN/nginx.conf"
nginx -c "$RUN/nginx.conf" -p "$RUN" &
PIDS+=($!)
wait_for "http://127.0.0.1:$UPSTREAM_PORT/" 404

if [[ $TARGET == floor ]]; then
    "$FLOOR" "$PROXY_PORT" "http://127.0.0.1:$UPSTREAM_PORT/admin/realms/customers/users/bench-user-1/logout" > "$RUN/floor.log" 2>&1 &
    PROXY_PID=$!
    PIDS+=($PROXY_PID)
    wait_for "http://127.0.0.1:$PROXY_PORT/mcp" 404   # GET: only POST is routed
else
    # run.sh's tenant settings, two tenants; the calls alternate between them.
    proxy_config 2 "http://127.0.0.1:$UPSTREAM_PORT" "$PROXY_PORT" "$RUN/audit.jsonl" 600s > "$RUN/proxy.yaml"
    BENCH_SECRET=bench-secret "$PROXY" serve --config "$RUN/proxy.yaml" --log-format json 2> "$RUN/proxy.log" &
    PROXY_PID=$!
    PIDS+=($PROXY_PID)
    wait_for "http://127.0.0.1:$PROXY_PORT/readyz" 200
fi

# The client waits on a fifo between the warm-up and the measured calls, so that perf counts
# exactly those.
mkfifo "$RUN/go" "$RUN/ready"
python3 - "$PROXY_PORT" "$WARMUP" "$CALLS" "$RUN" <<'EOF' &
import http.client, json, sys
port, warmup, calls, run = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
           "MCP-Protocol-Version": "2025-06-18"}
def call(n):
    body = json.dumps({"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {"name": "logout_user",
        "arguments": {"user_id": "bench-user-1", "realm": "customers", "tenant": f"bench-{n % 2}"}}})
    connection.request("POST", "/mcp", body, headers)
    response = connection.getresponse()
    text = response.read()
    if response.status != 200 or b'"isError":false' not in text:
        sys.exit(f"call {n}: {response.status} {text[:200]!r}")
for n in range(warmup): call(n)
open(f"{run}/ready", "w").close()
open(f"{run}/go").read()
for n in range(warmup, warmup + calls): call(n)
EOF
CLIENT=$!
PIDS+=($CLIENT)
cat "$RUN/ready" > /dev/null
EXTRA_EVENTS=${EXTRA_EVENTS:-}
perf stat -x, -e probe_libc:malloc,raw_syscalls:sys_enter,context-switches,task-clock${EXTRA_EVENTS:+,$EXTRA_EVENTS} -p "$PROXY_PID" -o "$RUN/perf-stat.csv" &
PERF=$!
# MALLOC_STACKS=1: also where each malloc came from, callers included, in $RUN/malloc-stacks.txt.
if [[ -n ${MALLOC_STACKS:-} ]]; then
    perf record -q -e probe_libc:malloc -g -p "$PROXY_PID" -o "$RUN/malloc.data" 2> /dev/null &
    RECORD=$!
fi
sleep 0.5   # perf attaches
echo go > "$RUN/go"
wait "$CLIENT"
kill -INT "$PERF"
wait "$PERF" || true
if [[ -n ${RECORD:-} ]]; then
    kill -INT "$RECORD"; wait "$RECORD" || true
    perf report -i "$RUN/malloc.data" --children --sort symbol --stdio -g caller,0.5,callee,function,percent 2> /dev/null \
        | swift demangle --simplified > "$RUN/malloc-stacks.txt" || true
fi

count() { awk -F, -v e="$1" '$3 == e { print $1 }' "$RUN/perf-stat.csv"; }
per() { awk -v n="$1" -v c="$CALLS" 'BEGIN { printf "%.1f", n / c }'; }
echo "$TARGET, calls: $CALLS after $WARMUP warm-up calls; audit records: $(cat "$RUN/audit.jsonl" 2> /dev/null | wc -l)"
echo "per call: malloc $(per "$(count probe_libc:malloc)"), system calls $(per "$(count raw_syscalls:sys_enter)"), context switches $(per "$(count context-switches)"), CPU $(per "$(awk -F, '$3 == "task-clock" { print $1 * 1000 }' "$RUN/perf-stat.csv")") µs"
for event in ${EXTRA_EVENTS//,/ }; do echo "per call: $event $(per "$(count "$event")")"; done
