"""The official MCP Python SDK drives the built keycloak-mcp-proxy over stdio and Streamable HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import anyio
import pytest
from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from conftest import PROXY, PROXY_ENV, TOKENS

pytestmark = pytest.mark.anyio
TIME_LIMIT = 60


async def exercise(session: ClientSession, tenants) -> None:
    """What an incident agent does: discover, log a user out on two tenants, hit a refusal."""
    initialized = await session.initialize()
    assert initialized.server_info.name == "keycloak-mcp-proxy"

    tools = (await session.list_tools()).tools
    assert [tool.name for tool in tools] == ["logout_user", "get_user_sessions", "list_tenants"]
    logout = tools[0]
    assert logout.annotations.destructive_hint is True
    assert logout.annotations.idempotent_hint is True
    assert logout.input_schema["properties"]["tenant"]["enum"] == ["eu", "us"]

    eu, us = tenants["eu"], tenants["us"]
    assert eu.sessions("eu-alice") == 2 and us.sessions("us-alice") == 2

    result = await session.call_tool("logout_user", {"tenant": "eu", "username": "alice"})
    assert result.is_error is False
    assert result.structured_content["status"] == "success"
    assert result.structured_content["user_id"] == "eu-alice"
    assert json.loads(result.content[0].text) == result.structured_content
    assert eu.sessions("eu-alice") == 0
    assert us.sessions("us-alice") == 2

    # The original single-Keycloak tool's arguments: user_id and realm.
    result = await session.call_tool("logout_user", {"tenant": "us", "user_id": "us-alice", "realm": "customers"})
    assert result.is_error is False
    assert result.structured_content["message"] == "User us-alice logged out from all sessions"
    assert us.sessions("us-alice") == 0

    denied = await session.call_tool("logout_user", {"tenant": "eu", "username": "bob", "realm": "master"})
    assert denied.is_error is True
    assert denied.structured_content["error"]["code"] == "policy_denied"
    protected = await session.call_tool("logout_user", {"tenant": "us", "username": "break-glass-admin"})
    assert protected.is_error is True
    assert protected.structured_content["error"]["code"] == "protected_user"
    assert eu.sessions("eu-bob") == 2 and us.sessions("us-break-glass-admin") == 2

    with pytest.raises(MCPError) as unknown:
        await session.call_tool("delete_realm", {})
    assert unknown.value.error.code == -32602


async def test_stdio(tenants, config):
    params = StdioServerParameters(
        command=PROXY, args=["serve", "--config", str(config), "--stdio", "--agent", "incident-bot"], env=PROXY_ENV
    )
    with anyio.fail_after(TIME_LIMIT):
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await exercise(session, tenants)
    audit = [json.loads(line) for line in (config.parent / "audit.jsonl").read_text().splitlines()]
    assert len(audit) == 5
    assert {record["agent"] for record in audit} == {"incident-bot"}


async def test_http(tenants, http_proxy):
    with anyio.fail_after(TIME_LIMIT):
        headers = {"Authorization": f"Bearer {TOKENS['incident-bot']}"}
        async with create_mcp_http_client(headers=headers) as http:
            async with streamable_http_client(http_proxy, http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    await exercise(session, tenants)


async def test_http_policy_per_agent(tenants, http_proxy):
    with anyio.fail_after(TIME_LIMIT):
        headers = {"Authorization": f"Bearer {TOKENS['eu-helpdesk']}"}
        async with create_mcp_http_client(headers=headers) as http:
            async with streamable_http_client(http_proxy, http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    tools = (await session.list_tools()).tools
                    assert [tool.name for tool in tools] == ["get_user_sessions", "list_tenants"]
                    assert tools[0].input_schema["properties"]["tenant"]["enum"] == ["eu"]
                    sessions = await session.call_tool("get_user_sessions", {"username": "alice"})
                    assert sessions.structured_content["count"] == 2
                    with pytest.raises(MCPError) as hidden:
                        await session.call_tool("logout_user", {"username": "alice"})
                    assert hidden.value.error.code == -32602
                    refused = await session.call_tool("get_user_sessions", {"tenant": "us", "username": "alice"})
                    assert refused.is_error is True
                    assert refused.structured_content["error"]["code"] == "unknown_tenant"
    assert tenants["eu"].sessions("eu-alice") == 2


def test_http_refuses_unknown_callers(http_proxy):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    for token in (None, "not-a-known-token-0123456789"):
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(http_proxy, data=body, headers=headers), timeout=10)
        assert refused.value.code == 401
        assert refused.value.headers["WWW-Authenticate"].startswith("Bearer")
        assert b"incident-bot" not in refused.value.read()
