# Sourced by scripts/demo, scripts/test and .ci/run: makes sure the system libyaml that the
# package links (pkg-config yaml-0.1, Debian's libyaml-dev) and pkg-config are installed,
# installing them with apt-get when they are not, and saying so. Never a bundled copy (Yams).
ensure_libyaml() {
    local need=()
    command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
    pkg-config --exists yaml-0.1 2>/dev/null || need+=(libyaml-dev)
    [ ${#need[@]} -eq 0 ] && return 0
    echo "keycloak-mcp-proxy needs ${need[*]} (the system libyaml); installing with apt-get..." >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "run as root, or install ${need[*]} yourself (apt-get install -y ${need[*]})" >&2; return 1; }
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null 2>&1 || { echo "no apt-get here: install ${need[*]} (libyaml 0.2 with its pkg-config file) yourself" >&2; return 1; }
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" apt-get install -y -q "${need[@]}" >&2
    pkg-config --exists yaml-0.1 || { echo "libyaml-dev was installed but pkg-config still finds no yaml-0.1" >&2; return 1; }
    echo "installed ${need[*]}; libyaml $(pkg-config --modversion yaml-0.1)" >&2
}
