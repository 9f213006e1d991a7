"""A person says yes before a logout (DESIGN.md section 8), through clients nobody here wrote.

The eu tenant has `confirm: [logout_user]` and the proxy a `server.state_key_file`. The official
Python SDK 2.3 `Client`, given an `elicitation_callback`, declares elicitation, gets the proxy's
`input_required` result, asks its callback (the "person") and retries with the answer and the
`requestState`; the SDK's own driver (mcp/client/_input_required.py) does the round trip. A
client that cannot ask (the 1.x SDK, a 2.3 client without the callback) is refused with
`confirmation_required` and nothing is sent.

The emulator keeps no request log a test could read, so "nothing before the yes" is shown from
inside the callback: while the person is being asked, the user's sessions are read from the
emulator's admin API (still all there) and the proxy's count of admin API calls to the tenant is
read from /metrics (only the reads the question needs). "Once" is shown by the same count after
the yes and by the audit log.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import re
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp.types import CallToolResult, ElicitRequest, ElicitRequestFormParams, ElicitResult, InputRequiredResult

from conftest import RunningProxy, Tenant, connect, http_server, serve_http, write_config

pytestmark = pytest.mark.anyio
TIME_LIMIT = 60
QUESTION = "Log out alice (id eu-alice) from 2 sessions on tenant eu, realm customers?"
# Each admin API call to a tenant, as the proxy counts them (a histogram's observations).
UPSTREAM = re.compile(r'^keycloak_mcp_proxy_upstream_request_duration_seconds_count\{[^}]*tenant="eu"[^}]*\} (\d+)', re.M)


def write_confirm_config(directory: pathlib.Path, tenants: dict[str, Tenant], key: str) -> pathlib.Path:
    """Both tenants, eu with `confirm: [logout_user]`; the state key file beside the config."""
    directory.mkdir(exist_ok=True)
    (directory / "state.key").write_text(key + "\n")
    return write_config(
        directory / "config.yaml", tenants,
        server=["  state_key_file: state.key"],
        tenant_lines={"eu": ["    confirm: [logout_user]"]},
    )


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def confirm_config(tenants, tmp_path) -> pathlib.Path:
    return write_confirm_config(tmp_path / "proxy", tenants, new_key())


@pytest.fixture
def proxy(confirm_config) -> Iterator[RunningProxy]:
    with serve_http(confirm_config) as running:
        yield running


def upstream_calls(proxy: RunningProxy) -> int:
    """How many admin API calls the proxy made to the eu tenant."""
    with urllib.request.urlopen(proxy.url.removesuffix("/mcp") + "/metrics", timeout=10) as reply:
        text = reply.read().decode()
    match = UPSTREAM.search(text)
    return int(match.group(1)) if match else 0


def audit(config: pathlib.Path, count: int) -> list[dict[str, Any]]:
    """The audit log's records once it has `count` of them (it is written in the background)."""
    path = config.parent / "audit.jsonl"
    deadline = time.monotonic() + 10
    while True:
        records = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
        if len(records) >= count or time.monotonic() > deadline:
            return records
        time.sleep(0.05)


def error_code(result: dict[str, Any]) -> str:
    assert result["isError"] is True, result
    return result["structuredContent"]["error"]["code"]


class Person:
    """The elicitation callback: answers every question with `answer`, and notes what it was asked
    and what the emulator and the proxy showed while it was being asked."""

    def __init__(self, answer: ElicitResult, tenant: Tenant, proxy: RunningProxy):
        self.answer = answer
        self.tenant = tenant
        self.proxy = proxy
        self.asked: list[ElicitRequestFormParams] = []
        self.sessions_meanwhile: list[int] = []
        self.upstream_meanwhile: list[int] = []

    async def __call__(self, context, params) -> ElicitResult:
        self.asked.append(params)
        self.sessions_meanwhile.append(await anyio.to_thread.run_sync(self.tenant.sessions, "eu-alice"))
        self.upstream_meanwhile.append(await anyio.to_thread.run_sync(upstream_calls, self.proxy))
        return self.answer


class ToolCalls:
    """The JSON-RPC bodies of the `tools/call` requests the client sent (an httpx2 request hook)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def on_request(self, request) -> None:
        try:
            body = json.loads(request.content)
        except Exception:  # a streamed or empty body, or not JSON: not a tools/call
            return
        if isinstance(body, dict) and body.get("method") == "tools/call":
            self.sent.append(body["params"])


def assert_the_question(params: Any) -> None:
    assert isinstance(params, ElicitRequestFormParams), params
    assert params.message == QUESTION
    schema = params.requested_schema
    assert schema["type"] == "object"
    assert schema["properties"]["confirm"]["type"] == "boolean"
    assert schema.get("required") == ["confirm"]


async def test_yes_logs_the_user_out_once_after_it(tenants, confirm_config, proxy):
    eu = tenants["eu"]
    assert eu.sessions("eu-alice") == 2
    before = upstream_calls(proxy)
    person = Person(ElicitResult(action="accept", content={"confirm": True}), eu, proxy)
    calls = ToolCalls()
    server = {**http_server(proxy.url, "incident-bot"), "event_hooks": {"request": [calls.on_request]}}
    with anyio.fail_after(TIME_LIMIT):
        async with connect("mcp-2.3", server, elicitation_callback=person) as agent:
            assert agent.protocol_version == "2026-07-28"
            # Listed first, so that the call carries the tool's Mcp-Param-* headers at once
            # (unlisted, it is refused with a header mismatch and sent again after a listing).
            await agent.list_tools()
            result = await agent.call_tool("logout_user", {"tenant": "eu", "username": "alice"})

    # On the wire: the call declaring elicitation, then its retry with the answer and the state.
    assert len(calls.sent) == 2, calls.sent
    first, retry = calls.sent
    capabilities = [value for key, value in first["_meta"].items() if key.endswith("clientCapabilities")]
    assert capabilities and "elicitation" in capabilities[0], first["_meta"]
    assert "requestState" not in first and "inputResponses" not in first
    assert retry["arguments"] == first["arguments"]
    assert retry["inputResponses"] == {"confirm": {"action": "accept", "content": {"confirm": True}}}
    assert isinstance(retry["requestState"], str) and retry["requestState"]

    # Asked once, naming the user; while asked, the sessions were all there and the proxy had sent
    # only the reads the question needs (the user by name, then their sessions).
    assert len(person.asked) == 1
    assert_the_question(person.asked[0])
    assert "alice" in person.asked[0].message and "eu-alice" in person.asked[0].message
    assert person.sessions_meanwhile == [2]
    assert person.upstream_meanwhile == [before + 2]

    assert result["isError"] is False, result
    assert result["structuredContent"]["status"] == "success"
    assert result["structuredContent"]["user_id"] == "eu-alice"
    assert eu.sessions("eu-alice") == 0
    assert tenants["us"].sessions("us-alice") == 2
    # After the yes: the user looked up again and one logout.
    assert upstream_calls(proxy) == before + 4

    records = audit(confirm_config, 2)
    assert [(r["confirmation"], r["outcome"]) for r in records] == [("required", "pending"), ("confirmed", "ok")], records
    assert records[0]["confirmation_id"] == records[1]["confirmation_id"]
    assert [r["user_id"] for r in records] == ["eu-alice", "eu-alice"]


@pytest.mark.parametrize(
    "answer",
    [
        ElicitResult(action="decline"),
        ElicitResult(action="cancel"),
        ElicitResult(action="accept", content={"confirm": False}),
    ],
    ids=["decline", "cancel", "accept-false"],
)
async def test_no_leaves_the_sessions(answer, tenants, confirm_config, proxy):
    eu = tenants["eu"]
    before = upstream_calls(proxy)
    person = Person(answer, eu, proxy)
    with anyio.fail_after(TIME_LIMIT):
        async with connect("mcp-2.3", http_server(proxy.url, "incident-bot"), elicitation_callback=person) as agent:
            result = await agent.call_tool("logout_user", {"tenant": "eu", "username": "alice"})

    assert len(person.asked) == 1
    assert_the_question(person.asked[0])
    assert error_code(result) == "confirmation_declined"
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
    assert person.sessions_meanwhile == [2]
    assert eu.sessions("eu-alice") == 2
    # The retry sent nothing.
    assert upstream_calls(proxy) == before + 2
    records = audit(confirm_config, 2)
    assert [r["confirmation"] for r in records] == ["required", "declined"], records
    assert records[0]["confirmation_id"] == records[1]["confirmation_id"]


@pytest.mark.parametrize(
    ("sdk", "why"),
    [("mcp-1.x", "before 2026-07-28"), ("mcp-2.3-without-elicitation", "did not declare form elicitation")],
    ids=["mcp-1.x", "mcp-2.3-without-elicitation"],
)
async def test_a_client_that_cannot_ask_is_refused(sdk, why, tenants, confirm_config, proxy):
    eu, us = tenants["eu"], tenants["us"]
    before = upstream_calls(proxy)
    with anyio.fail_after(TIME_LIMIT):
        async with connect(sdk.removesuffix("-without-elicitation"), http_server(proxy.url, "incident-bot")) as agent:
            refused = await agent.call_tool("logout_user", {"tenant": "eu", "username": "alice"})
            assert error_code(refused) == "confirmation_required"
            # The message names why, and what still works.
            assert why in refused["structuredContent"]["error"]["message"]
            assert "dry_run" in refused["structuredContent"]["error"]["message"]
            assert eu.sessions("eu-alice") == 2
            assert upstream_calls(proxy) == before, "something was sent for a refused call"

            # A dry run is never asked.
            dry = await agent.call_tool("logout_user", {"tenant": "eu", "username": "alice", "dry_run": True})
            assert dry["isError"] is False, dry
            assert dry["structuredContent"]["status"] == "dry_run"
            assert dry["structuredContent"]["sessions"] == 2

            # The us tenant has no confirm: its logout runs as before.
            done = await agent.call_tool("logout_user", {"tenant": "us", "username": "alice"})
            assert done["isError"] is False, done
            assert done["structuredContent"]["status"] == "success"
    assert eu.sessions("eu-alice") == 2
    assert us.sessions("us-alice") == 0
    records = audit(confirm_config, 3)
    assert [r["confirmation"] for r in records] == ["required", "not_needed", "not_needed"], records


async def test_the_question_and_its_state_on_the_wire(tenants, confirm_config, proxy, tmp_path):
    """Driven by hand (`allow_input_required=True`): the result's shape, a state refused with
    other arguments, then answered on a second proxy with the same state key (a replica), and
    refused once used, and by a proxy with another key."""
    eu = tenants["eu"]
    arguments = {"tenant": "eu", "username": "alice"}
    yes = {"confirm": ElicitResult(action="accept", content={"confirm": True})}
    person = Person(ElicitResult(action="decline"), eu, proxy)
    key = (confirm_config.parent / "state.key").read_text().removesuffix("\n")
    replica_config = write_confirm_config(tmp_path / "replica", tenants, key)
    stranger_config = write_confirm_config(tmp_path / "stranger", tenants, new_key())

    with anyio.fail_after(TIME_LIMIT):
        async with connect("mcp-2.3", http_server(proxy.url, "incident-bot"), elicitation_callback=person) as agent:
            # The session sends the Mcp-Param-* headers of the tools it has listed.
            await agent.list_tools()
            session = agent.client.session
            asked = await session.call_tool("logout_user", arguments, allow_input_required=True)
            assert isinstance(asked, InputRequiredResult), asked
            assert asked.result_type == "input_required"
            assert list(asked.input_requests) == ["confirm"]
            request = asked.input_requests["confirm"]
            assert isinstance(request, ElicitRequest)
            assert request.method == "elicitation/create"
            assert_the_question(request.params)
            state = asked.request_state
            assert state
            assert eu.sessions("eu-alice") == 2

            # The state with other arguments (bob), or with its signature changed: refused, nothing sent.
            sent = upstream_calls(proxy)
            other = await session.call_tool(
                "logout_user", {"tenant": "eu", "username": "bob"}, input_responses=yes, request_state=state
            )
            assert isinstance(other, CallToolResult)
            assert other.is_error and other.structured_content["error"]["code"] == "confirmation_invalid"
            claims, signature = state.split(".")
            forged = claims + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
            changed = await session.call_tool(
                "logout_user", arguments, input_responses=yes, request_state=forged
            )
            assert changed.is_error and changed.structured_content["error"]["code"] == "confirmation_invalid"
            assert upstream_calls(proxy) == sent
            assert eu.sessions("eu-bob") == 2 and eu.sessions("eu-alice") == 2

        # A proxy with another key does not take it.
        with serve_http(stranger_config) as stranger:
            async with connect("mcp-2.3", http_server(stranger.url, "incident-bot"), elicitation_callback=person) as agent:
                await agent.list_tools()
                refused = await agent.client.session.call_tool(
                    "logout_user", arguments, input_responses=yes, request_state=state
                )
                assert refused.is_error and refused.structured_content["error"]["code"] == "confirmation_invalid"
        assert eu.sessions("eu-alice") == 2

        # A replica with the same key takes the yes; the state is used up there.
        with serve_http(replica_config) as replica:
            async with connect("mcp-2.3", http_server(replica.url, "incident-bot"), elicitation_callback=person) as agent:
                await agent.list_tools()
                done = await agent.client.session.call_tool(
                    "logout_user", arguments, input_responses=yes, request_state=state
                )
                assert isinstance(done, CallToolResult)
                assert not done.is_error, done
                assert done.structured_content["status"] == "success"
                assert eu.sessions("eu-alice") == 0
                again = await agent.client.session.call_tool(
                    "logout_user", arguments, input_responses=yes, request_state=state
                )
                assert again.is_error and again.structured_content["error"]["code"] == "confirmation_invalid"
                assert "used already" in again.structured_content["error"]["message"]
    assert person.asked == [], "the callback is not called when the loop is driven by hand"
