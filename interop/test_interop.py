"""Two MCP clients nobody here wrote drive the built keycloak-mcp-proxy, over stdio and Streamable HTTP:
the official Python SDK 2.3 (2026-07-28: `server/discover` first, `initialize` as its fallback) and
the SDK's latest 1.x release (2025-11-25 through `initialize`). conftest.py has the processes and the
`Agent` that hides which SDK is behind a session."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import anyio
import pytest

from conftest import SDKS, JsonRpcError, connect

pytestmark = pytest.mark.anyio
TIME_LIMIT = 60
TRANSPORTS = ["stdio", "http"]


async def exercise(agent, tenants) -> None:
    """What an incident agent does: look at the tools, log a user out on two tenants, hit refusals."""
    assert agent.server_name == "keycloak-mcp-proxy"

    tools = await agent.list_tools()
    assert [tool["name"] for tool in tools] == ["logout_user", "get_user_sessions", "list_tenants"]
    logout = tools[0]
    assert logout["annotations"]["destructiveHint"] is True
    assert logout["annotations"]["idempotentHint"] is True
    assert logout["inputSchema"]["properties"]["tenant"]["enum"] == ["eu", "us"]

    eu, us = tenants["eu"], tenants["us"]
    assert eu.sessions("eu-alice") == 2 and us.sessions("us-alice") == 2

    result = await agent.call_tool("logout_user", {"tenant": "eu", "username": "alice"})
    assert result["isError"] is False
    assert result["structuredContent"]["status"] == "success"
    assert result["structuredContent"]["user_id"] == "eu-alice"
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
    assert eu.sessions("eu-alice") == 0
    assert us.sessions("us-alice") == 2

    # The original single-Keycloak tool's arguments: user_id and realm.
    result = await agent.call_tool("logout_user", {"tenant": "us", "user_id": "us-alice", "realm": "customers"})
    assert result["isError"] is False
    assert result["structuredContent"]["message"] == "User us-alice logged out from all sessions"
    assert us.sessions("us-alice") == 0

    denied = await agent.call_tool("logout_user", {"tenant": "eu", "username": "bob", "realm": "master"})
    assert denied["isError"] is True
    assert denied["structuredContent"]["error"]["code"] == "policy_denied"
    protected = await agent.call_tool("logout_user", {"tenant": "us", "username": "break-glass-admin"})
    assert protected["isError"] is True
    assert protected["structuredContent"]["error"]["code"] == "protected_user"
    assert eu.sessions("eu-bob") == 2 and us.sessions("us-break-glass-admin") == 2

    with pytest.raises(JsonRpcError) as unknown:
        await agent.call_tool("delete_realm", {})
    assert unknown.value.code == -32602


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("sdk", SDKS)
async def test_incident_agent(sdk, transport, tenants, config, server):
    with anyio.fail_after(TIME_LIMIT):
        async with connect(sdk, server(transport, "incident-bot")) as agent:
            await exercise(agent, tenants)
    if transport == "stdio":
        # The client closed the session, so the proxy it started has exited.
        audit = [json.loads(line) for line in (config.parent / "audit.jsonl").read_text().splitlines()]
        assert len(audit) == 5
        assert {record["agent"] for record in audit} == {"incident-bot"}
    # Last, so that everything above is checked whichever era the client ended in.
    assert agent.protocol_version == SDKS[sdk], f"{sdk} over {transport} ended on {agent.protocol_version}"


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("sdk", SDKS)
async def test_policy_per_agent(sdk, transport, tenants, server):
    with anyio.fail_after(TIME_LIMIT):
        async with connect(sdk, server(transport, "eu-helpdesk")) as agent:
            tools = await agent.list_tools()
            assert [tool["name"] for tool in tools] == ["get_user_sessions", "list_tenants"]
            assert tools[0]["inputSchema"]["properties"]["tenant"]["enum"] == ["eu"]
            sessions = await agent.call_tool("get_user_sessions", {"username": "alice"})
            assert sessions["isError"] is False
            assert sessions["structuredContent"]["count"] == 2
            with pytest.raises(JsonRpcError) as hidden:
                await agent.call_tool("logout_user", {"username": "alice"})
            assert hidden.value.code == -32602
            refused = await agent.call_tool("get_user_sessions", {"tenant": "us", "username": "alice"})
            assert refused["isError"] is True
            assert refused["structuredContent"]["error"]["code"] == "unknown_tenant"
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
