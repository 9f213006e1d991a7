"""Processes for the interoperability suite: two keycloak-emulator tenants, the proxy binary, and
the two MCP clients that drive it (the Python SDK 2.3 in this venv, the 1.x SDK through a bridge).

Every process runs on loopback, is bounded in time, and is stopped at the end of its test.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import pytest
from anyio.abc import Process as ChildProcess
from anyio.streams.buffered import BufferedByteReceiveStream
from mcp import Client, MCPError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

ROOT = pathlib.Path(__file__).resolve().parent.parent
SECRET = "interop-proxy-s3cret"
CLIENT_ID = "keycloak-mcp-proxy"
TOKENS = {
    "incident-bot": "interop-incident-bot-token-0123456789",
    "eu-helpdesk": "interop-eu-helpdesk-token-0123456789",
}
START_TIMEOUT = 30.0


def bin_dir() -> pathlib.Path:
    """Where `swift build` put the binaries (PROXY_BIN_DIR overrides)."""
    if "PROXY_BIN_DIR" in os.environ:
        return pathlib.Path(os.environ["PROXY_BIN_DIR"])
    out = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    return pathlib.Path(out.stdout.strip())


BIN_DIR = bin_dir()
PROXY = str(BIN_DIR / "keycloak-mcp-proxy")
EMULATOR = str(BIN_DIR / "keycloak-emulator")


class Process:
    """A child process whose output is collected in the background; killed on stop()."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None):
        self.args = args
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PATH": "/usr/bin:/bin", **(env or {})},
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @staticmethod
    def _pump(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, timeout: float = START_TIMEOUT) -> re.Match:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            for line in list(self.stdout):
                match = regex.search(line)
                if match:
                    return match
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"{self.args[0]}: no line matching {pattern!r}; stderr: {self.stderr[-20:]}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        # Its output to the end, once the pipes close.
        for thread in self._threads:
            thread.join(timeout=5)
        return self.proc.returncode


@dataclass
class Tenant:
    name: str
    url: str
    base_path: str
    # The emulator behind it, for its output (and its banner's lines).
    process: Process | None = field(default=None, repr=False, compare=False)

    def sessions(self, user_id: str, realm: str = "customers") -> int:
        """Online sessions of a user, asked of the emulator directly with the proxy's client."""
        form = f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={SECRET}".encode()
        token_url = f"{self.url}{self.base_path}/realms/master/protocol/openid-connect/token"
        with urllib.request.urlopen(urllib.request.Request(token_url, data=form), timeout=10) as reply:
            token = json.load(reply)["access_token"]
        sessions_url = f"{self.url}{self.base_path}/admin/realms/{realm}/users/{user_id}/sessions"
        request = urllib.request.Request(sessions_url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as reply:
            return len(json.load(reply))


def start_tenant(name: str, base_path: str, *extra: str) -> tuple[Tenant, Process]:
    """One emulator; `extra` are more of its options (say `--agent-client=…`)."""
    users = [f"--user=customers:{user}:{name}-{user}" for user in ("alice", "bob", "break-glass-admin")]
    process = Process(
        [EMULATOR, "--port", "0", "--base-path", base_path, "--realm", "customers",
         f"--client=master:{CLIENT_ID}:{SECRET}", "--sessions", "2", *users, *extra]
    )
    match = process.wait_for_line(r"listening on (http://127\.0\.0\.1:\d+)")
    return Tenant(name, match.group(1), base_path, process), process


@contextmanager
def running_tenants(extra: dict[str, Sequence[str]] | None = None) -> Iterator[dict[str, Tenant]]:
    """Two emulated Keycloaks: eu (Keycloak 17+) and us (everything under /auth); `extra`: more
    options for a tenant's emulator, by tenant name."""
    extra = extra or {}
    started: list[Process] = []
    try:
        eu, eu_process = start_tenant("eu", "", *extra.get("eu", ()))
        started.append(eu_process)
        us, us_process = start_tenant("us", "/auth", *extra.get("us", ()))
        started.append(us_process)
        yield {"eu": eu, "us": us}
    finally:
        for process in started:
            process.stop()


@pytest.fixture
def tenants():
    with running_tenants() as started:
        yield started


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def write_config(
    path: pathlib.Path,
    tenants: dict[str, Tenant],
    server: Sequence[str] = (),
    agents: Sequence[str] = (),
    tenant_lines: dict[str, Sequence[str]] | None = None,
) -> pathlib.Path:
    """A config for `tenants` with two agents (static tokens); the audit log is audit.jsonl beside
    it. `server` and `agents`: more lines of those sections, indented as they go there;
    `tenant_lines`: more lines of a tenant's section, by tenant name (say `    confirm: [...]`)."""
    lines = [
        "version: 1",
        "server:",
        '  listen: "127.0.0.1:0"',
        "  audit_log: audit.jsonl",
        *server,
        "default_tenant: eu",
        "tenants:",
    ]
    for tenant in tenants.values():
        lines += [
            f"  {tenant.name}:",
            f'    url: "{tenant.url}"',
            f'    base_path: "{tenant.base_path}"',
            "    auth:",
            f"      client_id: {CLIENT_ID}",
            "      client_secret: ${INTEROP_KC_SECRET}",
            "    default_realm: customers",
            "    denied_realms: [master]",
            "    protected_users: [break-glass-admin]",
            *(tenant_lines or {}).get(tenant.name, ()),
        ]
    lines += [
        "agents:",
        "  incident-bot:",
        f'    token_sha256: "{sha256(TOKENS["incident-bot"])}"',
        "  eu-helpdesk:",
        f'    token_sha256: "{sha256(TOKENS["eu-helpdesk"])}"',
        "    tools: [get_user_sessions, list_tenants]",
        "    tenants:",
        "      eu: {}",
        *agents,
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def config(tenants, tmp_path) -> pathlib.Path:
    """A config for both tenants with two agents; the audit log is a file."""
    return write_config(tmp_path / "config.yaml", tenants)


PROXY_ENV = {"INTEROP_KC_SECRET": SECRET}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningProxy:
    url: str  # its /mcp
    process: Process


@contextmanager
def serve_http(config: pathlib.Path, port: int | None = None, *options: str) -> Iterator[RunningProxy]:
    """`keycloak-mcp-proxy serve` on a loopback port (`port`, or a free one), ready; `options`:
    more of its options (say `--log-level=trace`). It must exit cleanly when stopped."""
    port = port or free_port()
    process = Process(
        [PROXY, "serve", "--config", str(config), "--listen", f"127.0.0.1:{port}", *options], env=PROXY_ENV
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as reply:
                if reply.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline or process.proc.poll() is not None:
            process.stop()
            raise RuntimeError(f"proxy did not become ready; stderr: {process.stderr[-20:]}")
        time.sleep(0.05)
    try:
        yield RunningProxy(base + "/mcp", process)
    except BaseException:
        process.stop()
        raise
    status = process.stop()
    # SIGTERM drains and exits cleanly.
    assert status == 0, f"proxy exited with {status}; stderr: {process.stderr[-20:]}"


@pytest.fixture
def http_proxy(config):
    """`keycloak-mcp-proxy serve` on a loopback port; yields the /mcp URL."""
    with serve_http(config) as proxy:
        yield proxy.url


@pytest.fixture
def anyio_backend():
    return "asyncio"


# --- The clients ------------------------------------------------------------------------------
#
# Both SDKs are the package `mcp`, so each has a venv: 2.3 is this one; 1.x is interop/.venv-mcp1
# (see requirements-1x.txt), driven through mcp1_bridge.py. A test sees either through `Agent`:
# results in wire form (camelCase dicts, as the SDK parsed them), JSON-RPC errors as JsonRpcError.

MCP1_PYTHON = os.environ.get("MCP1_PYTHON", str(ROOT / "interop" / ".venv-mcp1" / "bin" / "python"))
MCP1_BRIDGE = str(ROOT / "interop" / "mcp1_bridge.py")
BRIDGE_STOP_TIMEOUT = 15.0

# The protocol version each client ends on with this proxy (DESIGN.md section 3): 2.3 probes
# `server/discover` and stays on 2026-07-28; 1.x only knows `initialize`.
SDKS = {"mcp-2.3": "2026-07-28", "mcp-1.x": "2025-11-25"}


class JsonRpcError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def wire(model: Any) -> Any:
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


def stdio_server(config: pathlib.Path, agent: str) -> dict[str, Any]:
    """How a client starts the proxy on stdio for `agent` (the README's `serve --stdio`)."""
    return {"command": PROXY, "args": ["serve", "--config", str(config), "--stdio", "--agent", agent], "env": PROXY_ENV}


def http_server(url: str, agent: str) -> dict[str, Any]:
    return {"url": url, "headers": {"Authorization": f"Bearer {TOKENS[agent]}"}}


@pytest.fixture
def server(request, config):
    """server(transport, agent): what a client is given to reach the proxy as `agent`.

    "stdio": the client starts the proxy itself; "http": the `http_proxy` fixture serves it.
    """

    def spec(transport: str, agent: str) -> dict[str, Any]:
        if transport == "stdio":
            return stdio_server(config, agent)
        return http_server(request.getfixturevalue("http_proxy"), agent)

    return spec


class Agent:
    """An MCP client session, the same to a test whichever SDK is behind it."""

    protocol_version: str
    server_name: str | None

    async def list_tools(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


class Mcp2Agent(Agent):
    """The SDK 2.3 `Client` in its default `mode="auto"`: `server/discover`, else `initialize`."""

    def __init__(self, client: Client):
        self.client = client
        self.protocol_version = client.protocol_version
        self.server_name = client.server_info.name if client.server_info else None

    async def list_tools(self) -> list[dict[str, Any]]:
        return [wire(tool) for tool in (await self.client.list_tools()).tools]

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        try:
            return wire(await self.client.call_tool(name, arguments))
        except MCPError as error:
            raise JsonRpcError(error.error.code, error.error.message) from error


class Mcp1Agent(Agent):
    """The SDK 1.x `ClientSession` in mcp1_bridge.py, one JSON request and answer a line."""

    def __init__(self, process: ChildProcess):
        self.process = process
        self.replies = BufferedByteReceiveStream(process.stdout)

    async def request(self, message: dict[str, Any]) -> Any:
        await self.process.stdin.send((json.dumps(message) + "\n").encode())
        try:
            line = await self.replies.receive_until(b"\n", 16 * 1024 * 1024)
        except (anyio.EndOfStream, anyio.IncompleteRead):
            status = await self.process.wait()
            raise RuntimeError(f"the 1.x bridge exited with {status} (its traceback is in the captured stderr)")
        reply = json.loads(line)
        if "error" in reply:
            raise JsonRpcError(reply["error"]["code"], reply["error"]["message"])
        return reply["result"]

    async def list_tools(self) -> list[dict[str, Any]]:
        return (await self.request({"method": "tools/list"}))["tools"]

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return await self.request({"method": "tools/call", "params": {"name": name, "arguments": arguments}})


@asynccontextmanager
async def connect(sdk: str, server: dict[str, Any], **client_options: Any) -> AsyncIterator[Agent]:
    """A connected session of `sdk` (a key of SDKS) with the proxy that `server` describes.
    `client_options`: more arguments of the 2.3 `Client` (say `elicitation_callback`)."""
    if sdk == "mcp-2.3":
        async with AsyncExitStack() as stack:
            if "url" in server:
                # `auth`: an httpx2.Auth such as the SDK's OAuth providers, instead of `headers`;
                # `event_hooks`: httpx2's, to watch every request (the auth flow's too).
                http = await stack.enter_async_context(
                    create_mcp_http_client(headers=server.get("headers"), auth=server.get("auth"))
                )
                if "event_hooks" in server:
                    http.event_hooks = server["event_hooks"]
                transport = streamable_http_client(server["url"], http_client=http)
            else:
                params = StdioServerParameters(command=server["command"], args=server["args"], env=server["env"])
                transport = stdio_client(params)
            client = await stack.enter_async_context(Client(transport, mode="auto", **client_options))
            yield Mcp2Agent(client)
        return
    assert sdk == "mcp-1.x", sdk
    assert not client_options, f"the 1.x bridge takes no client options: {sorted(client_options)}"
    if not os.access(MCP1_PYTHON, os.X_OK):
        pytest.fail(f"no python for the 1.x SDK at {MCP1_PYTHON}: make the venv as .ci/run does")
    # The bridge's standard error (and, on stdio, the proxy's) is the test's: pytest captures it.
    process = await anyio.open_process([MCP1_PYTHON, MCP1_BRIDGE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None)
    try:
        agent = Mcp1Agent(process)
        initialized = await agent.request(server)
        # The 1.x ClientSession keeps no negotiated version: it is what `initialize` returned.
        agent.protocol_version = initialized["protocolVersion"]
        agent.server_name = initialized["serverInfo"]["name"]
        yield agent
        # End of input: the bridge closes its session (on stdio, its proxy too) and exits.
        await process.stdin.aclose()
        with anyio.fail_after(BRIDGE_STOP_TIMEOUT):
            status = await process.wait()
        assert status == 0, f"the 1.x bridge exited with {status}"
    finally:
        if process.returncode is None:
            process.kill()
            with anyio.CancelScope(shield=True):
                await process.wait()
