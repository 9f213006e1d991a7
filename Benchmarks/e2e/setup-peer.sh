#!/usr/bin/env bash
# The peer for run.sh: PyPI mcp-keycloak 1.2.2 in a venv under /tmp (never in the repository).
# mcp-keycloak 1.2.2 asks for mcp>=1.12.3 and imports mcp.server.fastmcp, which mcp 2.x
# removed: an unpinned install gets mcp 2.x and fails at import, so mcp is pinned to the
# last 1.x release.
set -euo pipefail
VENV=${VENV:-/tmp/peer-venv}
PYTHON=${PYTHON:-/root/.pyenv/versions/3.12.1/bin/python3.12}
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet "mcp-keycloak==1.2.2" "mcp[cli]==1.30.0"
"$VENV/bin/python" -c 'import mcp_keycloak.main' && echo "peer ready: $VENV/bin/mcp-keycloak"
