#!/usr/bin/env bash
# Startup to ready and idle RSS with $TENANTS tenants configured (default 1,000; issue 20 asks
# for TENANTS=10000):
#   time from exec of `serve` to the first 200 from /readyz, $ROUNDS times;
#   then, in the last round, VmRSS and VmHWM after $IDLE seconds of idle.
# The config is Support/GeneratedConfig.swift's (every section filled in, 100 agents); its
# tenants (sso-N.example.com) need not answer: nothing is sent to them until a call.
#
#   Benchmarks/e2e/startup.sh      # needs: swift build -c release --product keycloak-mcp-proxy
#   TENANTS=10000 Benchmarks/e2e/startup.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PROXY=${PROXY:-$ROOT/.build/release/keycloak-mcp-proxy}
TENANTS=${TENANTS:-1000}
ROUNDS=${ROUNDS:-5}
IDLE=${IDLE:-5}
PORT=${PORT:-18090}
RUN=$(mktemp -d /tmp/startup-bench.XXXXXX)
echo "run directory: $RUN" >&2

PID=""
cleanup() { [[ -n $PID ]] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }; }
trap cleanup EXIT

# The generator, compiled on its own (the Benchmarks package need not be built).
swiftc -O "$HERE/../Support/GeneratedConfig.swift" "$HERE/../GenerateConfig/main.swift" -o "$RUN/generate-config"
"$RUN/generate-config" "$TENANTS" > "$RUN/config.yaml"
echo "config: $TENANTS tenants, $(wc -c < "$RUN/config.yaml") bytes" >&2

kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

echo "| round | exec to /readyz 200 | polls |"
echo "|---|---|---|"
for round in $(seq "$ROUNDS"); do
    start=$(date +%s%N)
    KC_SECRET=benchmark-secret "$PROXY" serve --config "$RUN/config.yaml" --listen "127.0.0.1:$PORT" \
        --log-format json 2> "$RUN/serve-$round.log" &
    PID=$!
    polls=0
    # curl in a tight loop: each poll takes a few ms, which bounds the resolution (see polls).
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz" || true) == 200 ]]; do
        polls=$((polls + 1))
        kill -0 "$PID" 2>/dev/null || { echo "serve exited; see $RUN/serve-$round.log" >&2; exit 1; }
        ((polls < 5000)) || { echo "not ready after 5000 polls" >&2; exit 1; }
    done
    end=$(date +%s%N)
    echo "| $round | $(( (end - start) / 1000000 )) ms | $polls |"
    if ((round < ROUNDS)); then kill "$PID"; wait "$PID" || true; PID=""; fi
done
sleep "$IDLE"
echo
echo "idle after ${IDLE} s, $TENANTS tenants: VmRSS $(( $(kib "$PID" VmRSS) / 1024 )) MiB, VmHWM $(( $(kib "$PID" VmHWM) / 1024 )) MiB, threads $(kib "$PID" Threads)"
# Anonymous (the heap) against file-backed (the binary and libraries) resident memory.
echo "of VmRSS: RssAnon $(( $(kib "$PID" RssAnon) / 1024 )) MiB, RssFile $(( $(kib "$PID" RssFile) / 1024 )) MiB"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
