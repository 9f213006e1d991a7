# Shared by the e2e scripts (sourced, not run): stopping what a script started, waiting for a
# server, and the proxy's benchmark config.

# Processes the script started; `cleanup` (on EXIT) stops them by pid, newest first.
PIDS=()
cleanup() {
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

# Waits until $1 answers with HTTP status $2, at most 20 s: a GET, or what curl arguments after
# $2 make it (headers, -d for a POST).
wait_for() { # url status [curl-args...]
    for _ in $(seq 200); do
        [[ $(curl -s -m 1 -o /dev/null -w '%{http_code}' "${@:3}" "$1" || true) == "$2" ]] && return 0
        sleep 0.1
    done
    echo "no $2 from $1" >&2
    exit 1
}

# The proxy's config on stdout: $1 tenants bench-0 .. bench-N-1, all on upstream $2, listening on
# 127.0.0.1:$3, auditing to $4, anonymous (no agents: loopback only). Each pool and limit is
# raised so that 64 concurrent calls are neither queued nor refused even on one tenant (the
# defaults, 8 connections / 32 in flight / 8 queued, would answer tenant_overloaded). $6, if
# given, is more of `server:` (lines indented by two spaces).
proxy_config() { # tenants upstream port audit-file [idle-timeout] [server-lines]
    printf 'version: 1\nserver:\n  listen: "127.0.0.1:%s"\n  audit_log: "%s"\n%sdefault_tenant: bench-0\ntenants:\n' \
        "$3" "$4" "${6:+$6$'\n'}"
    proxy_tenants "$1" "$2" bench- "${5:-60s}"
}

# proxy_config's config with agents, so not anonymous: token-bot signs in with the static token
# ${BENCH_AGENT_TOKEN} (from the proxy's environment), oauth-bot with access tokens that issuer
# $5 gave client bench-bot, whose aud must name http://127.0.0.1:$3/mcp (server.public_url).
# Both may call every tool on every tenant.
proxy_auth_config() { # tenants upstream port audit-file issuer
    proxy_config "$1" "$2" "$3" "$4" 60s "$(printf '  public_url: "http://127.0.0.1:%s/mcp"\n  oauth:\n    issuers:\n      - issuer: "%s"' "$3" "$5")"
    cat <<EOF
agents:
  token-bot:
    token: "\${BENCH_AGENT_TOKEN}"
  oauth-bot:
    oauth: { issuer: "$5", client_id: bench-bot }
EOF
}

# More tenants for proxy_config's `tenants:`: $1 tenants ${3}0 .. ${3}N-1 on upstream $2.
proxy_tenants() { # tenants upstream name-prefix [idle-timeout]
    for ((i = 0; i < $1; i++)); do
        cat <<EOF
  $3$i:
    url: "$2"
    auth: { realm: master, client_id: keycloak-mcp-proxy, client_secret: "\${BENCH_SECRET}" }
    default_realm: customers
    pool: { max_connections: 32, idle_timeout: ${4:-60s} }
    limits: { max_in_flight: 128, max_queued: 128 }
EOF
    done
}
