"""Processes for the interoperability suite: two keycloak-emulator tenants and the proxy binary.

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
from dataclasses import dataclass

import pytest

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
        return self.proc.returncode


@dataclass
class Tenant:
    name: str
    url: str
    base_path: str

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


def start_tenant(name: str, base_path: str) -> tuple[Tenant, Process]:
    users = [f"--user=customers:{user}:{name}-{user}" for user in ("alice", "bob", "break-glass-admin")]
    process = Process(
        [EMULATOR, "--port", "0", "--base-path", base_path, "--realm", "customers",
         f"--client=master:{CLIENT_ID}:{SECRET}", "--sessions", "2", *users]
    )
    match = process.wait_for_line(r"listening on (http://127\.0\.0\.1:\d+)")
    return Tenant(name, match.group(1), base_path), process


@pytest.fixture
def tenants():
    """Two emulated Keycloaks: eu (Keycloak 17+) and us (everything under /auth)."""
    started: list[Process] = []
    try:
        eu, eu_process = start_tenant("eu", "")
        started.append(eu_process)
        us, us_process = start_tenant("us", "/auth")
        started.append(us_process)
        yield {"eu": eu, "us": us}
    finally:
        for process in started:
            process.stop()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def config(tenants, tmp_path) -> pathlib.Path:
    """A config for both tenants with two agents; the audit log is a file."""
    lines = [
        "version: 1",
        "server:",
        '  listen: "127.0.0.1:0"',
        "  audit_log: audit.jsonl",
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
    ]
    path = tmp_path / "config.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


PROXY_ENV = {"INTEROP_KC_SECRET": SECRET}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def http_proxy(config):
    """`keycloak-mcp-proxy serve` on a loopback port; yields the /mcp URL."""
    port = free_port()
    process = Process([PROXY, "serve", "--config", str(config), "--listen", f"127.0.0.1:{port}"], env=PROXY_ENV)
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
        yield base + "/mcp"
    finally:
        status = process.stop()
        # SIGTERM drains and exits cleanly.
        assert status == 0, f"proxy exited with {status}; stderr: {process.stderr[-20:]}"


@pytest.fixture
def anyio_backend():
    return "asyncio"
