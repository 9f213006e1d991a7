#!/usr/bin/env bash
# Alternating rounds of two proxy builds at one concurrency (issue 6): this machine's figures
# swing by ±20 % from one 10 s run to the next, so a change is judged by pairs of runs made
# one right after the other, A then B, ROUNDS times. Each round is one `run.sh` with
# TARGETS="direct proxy" (direct measured in the same run, for the ratio).
#
#   Benchmarks/e2e/rounds.sh /tmp/proxy-before .build/release/keycloak-mcp-proxy
#   ROUNDS=8 DURATION=6s CONCURRENCY=64 Benchmarks/e2e/rounds.sh A B
#
# Prints a line per run, then per build the means of direct's and the proxy's calls/s, the
# ratio and the proxy's CPU µs per call, and the mean paired difference of the CPU per call
# (B - A) with its standard error. Needs what run.sh needs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
if [[ $# -ne 2 ]]; then echo "usage: $0 PROXY_A PROXY_B" >&2; exit 2; fi
ROUNDS=${ROUNDS:-6}
export DURATION=${DURATION:-8s} CONCURRENCY=${CONCURRENCY:-64}
OUT=$(mktemp /tmp/rounds.XXXXXX)
echo "rounds in $OUT" >&2

for round in $(seq "$ROUNDS"); do
    for label in A B; do
        if [[ $label == A ]]; then binary=$1; else binary=$2; fi
        table=$(PROXY=$binary TARGETS="direct proxy" "$HERE/run.sh" 2> /dev/null)
        # Columns of run.sh's table: target 3, calls/s 4, CPU µs per call 11 (wrk / nginx / server).
        direct=$(awk -F'|' -v c="$CONCURRENCY" '$2 + 0 == c && $3 ~ /direct/ { gsub(/ /, "", $4); print $4 }' <<< "$table")
        proxy=$(awk -F'|' -v c="$CONCURRENCY" '$2 + 0 == c && $3 ~ /proxy/ { gsub(/ /, "", $4); print $4 }' <<< "$table")
        cpu=$(awk -F'|' -v c="$CONCURRENCY" '$2 + 0 == c && $3 ~ /proxy/ { n = split($11, p, "/"); gsub(/ /, "", p[n]); print p[n] }' <<< "$table")
        echo "$round $label $direct $proxy $cpu" | tee -a "$OUT"
    done
done

awk '
    { direct[$2] += $3; proxy[$2] += $4; ratio[$2] += $4 / $3; cpu[$2] += $5; n[$2]++
      if ($2 == "A") a[$1] = $5; else b[$1] = $5 }
    END {
        split("A B", labels)
        for (i = 1; i <= 2; i++) { l = labels[i]; if (l in n) printf "%s: %d runs, direct %.0f calls/s, proxy %.0f calls/s, %.1f %% of direct, %.1f µs of proxy CPU per call\n",
            l, n[l], direct[l] / n[l], proxy[l] / n[l], 100 * ratio[l] / n[l], cpu[l] / n[l] }
        for (r in a) if (r in b) { d = b[r] - a[r]; sum += d; squares += d * d; pairs++ }
        mean = sum / pairs
        se = pairs > 1 ? sqrt((squares - pairs * mean * mean) / (pairs - 1) / pairs) : 0
        printf "B - A, proxy CPU per call: %+.1f µs (standard error %.1f) over %d pairs\n", mean, se, pairs
    }' "$OUT"
