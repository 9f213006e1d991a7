"""An agent signs in with OAuth (DESIGN.md section 7): the official Python SDK 2.3 client with its
client-credentials provider, given only the proxy's /mcp URL and a client id and secret, finds the
proxy's protected resource metadata from the 401, discovers the issuer (a realm of the eu tenant's
emulator), gets a token there and logs a user out on the eu tenant.

The agent's token must never travel further than the proxy: the tenant is called with the proxy's
own admin token. The emulator records no request headers that a test could read, so this is shown
by its effects: the logout succeeds although the agent's client holds no admin role in that
emulator (the same token sent to its admin API is refused), and the token appears in no output of
the emulators or the proxy, nor in the audit log."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

import anyio
import httpx2
import pytest
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken
from mcp.shared.exceptions import MCPDeprecationWarning

from conftest import connect, free_port, running_tenants, serve_http, write_config

pytestmark = pytest.mark.anyio
TIME_LIMIT = 60

AGENT = "oauth-bot"
AGENT_CLIENT = "oauth-bot-client"
AGENT_SECRET = "interop-oauth-bot-s3cret"
AGENT_REALM = "agents"
SCOPES = {
    "logout_user": "keycloak-mcp:logout",
    "get_user_sessions": "keycloak-mcp:read",
    "list_tenants": "keycloak-mcp:read",
}


class MemoryStorage:
    """The SDK's TokenStorage, in memory: the test reads the token the provider got from it."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class Exchange:
    """Every HTTP request the client sent (its auth flow's too) and the answer's status."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, int, dict[str, str], str]] = []

    async def on_response(self, response: httpx2.Response) -> None:
        request = response.request
        try:
            body = request.content.decode(errors="replace")
        except Exception:  # a streamed body
            body = "<stream>"
        headers = {name: value for name, value in response.headers.items() if name.lower() == "www-authenticate"}
        self.sent.append((request.method, str(request.url), response.status_code, headers, body))

    def __str__(self) -> str:
        return "\n".join(
            f"  {method} {url} -> {status} {headers or ''} {body[:300]}"
            for method, url, status, headers, body in self.sent
        )


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture
def oauth_setup(tmp_path):
    """The proxy's port chosen first (public_url is what the agent's tokens are for), then both tenants
    with the agent's client in realm `agents` of eu, then the proxy configured for that issuer."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}/mcp"
    agent_client = (
        f"--agent-client={AGENT_REALM}:{AGENT_CLIENT}:{AGENT_SECRET}"
        f";scope=keycloak-mcp:read keycloak-mcp:logout;audience={public_url}"
    )
    with running_tenants({"eu": [agent_client, "--log-level=trace"], "us": ["--log-level=trace"]}) as tenants:
        issuer = tenants["eu"].process.wait_for_line(rf"agent {AGENT_CLIENT}: issuer (\S+)").group(1)
        assert issuer == f"{tenants['eu'].url}/realms/{AGENT_REALM}"
        server = [
            f'  public_url: "{public_url}"',
            "  oauth:",
            "    issuers:",
            f'      - issuer: "{issuer}"',
            "    scopes:",
            *(f'      {tool}: "{scope}"' for tool, scope in SCOPES.items()),
        ]
        agents = [
            f"  {AGENT}:",
            "    oauth:",
            f'      issuer: "{issuer}"',
            f"      client_id: {AGENT_CLIENT}",
            "    tools: [logout_user, get_user_sessions]",
        ]
        config = write_config(tmp_path / "config.yaml", tenants, server=server, agents=agents)
        with serve_http(config, port, "--log-level=trace") as proxy:
            assert proxy.url == public_url
            yield {"tenants": tenants, "issuer": issuer, "proxy": proxy, "config": config}


@pytest.mark.parametrize("pin_issuer", [False, True], ids=["discovered-issuer", "pinned-issuer"])
async def test_agent_signs_in_with_client_credentials(oauth_setup, pin_issuer):
    tenants, issuer, proxy = oauth_setup["tenants"], oauth_setup["issuer"], oauth_setup["proxy"]
    eu, us = tenants["eu"], tenants["us"]
    assert eu.sessions("eu-alice") == 2 and us.sessions("us-alice") == 2

    storage = MemoryStorage()
    if pin_issuer:
        provider = ClientCredentialsOAuthProvider(
            proxy.url, storage, client_id=AGENT_CLIENT, client_secret=AGENT_SECRET, issuer=issuer
        )
    else:
        # Only the URL and the client's credentials: which server gets them is what discovery says
        # (deprecated in the SDK, which would rather be told the issuer too).
        with pytest.warns(MCPDeprecationWarning, match="issuer"):
            provider = ClientCredentialsOAuthProvider(
                proxy.url, storage, client_id=AGENT_CLIENT, client_secret=AGENT_SECRET
            )
    exchange = Exchange()
    server = {"url": proxy.url, "auth": provider, "event_hooks": {"response": [exchange.on_response]}}

    with anyio.fail_after(TIME_LIMIT):
        try:
            async with connect("mcp-2.3", server) as agent:
                tools = [tool["name"] for tool in await agent.list_tools()]
                result = await agent.call_tool("logout_user", {"tenant": "eu", "username": "alice"})
        except BaseException as error:
            raise AssertionError(f"the OAuth client failed ({error!r}); requests sent:\n{exchange}") from error

    assert tools == ["logout_user", "get_user_sessions"], exchange
    assert result["isError"] is False, result
    assert result["structuredContent"]["status"] == "success"
    assert result["structuredContent"]["user_id"] == "eu-alice"
    assert eu.sessions("eu-alice") == 0
    assert us.sessions("us-alice") == 2 and eu.sessions("eu-bob") == 2

    # How the client got there: a 401 naming the metadata, the metadata, the issuer's discovery,
    # a token from the issuer, the retried request.
    first = exchange.sent[0]
    metadata_url = f"{proxy.url.removesuffix('/mcp')}/.well-known/oauth-protected-resource/mcp"
    assert (first[0], first[1], first[2]) == ("POST", proxy.url, 401), exchange
    challenge = first[3]["www-authenticate"]
    assert challenge.startswith("Bearer "), challenge
    assert f'resource_metadata="{metadata_url}"' in challenge, challenge
    assert 'scope="keycloak-mcp:logout keycloak-mcp:read"' in challenge, challenge
    assert ("GET", metadata_url, 200) in [sent[:3] for sent in exchange.sent], exchange
    token_requests = [sent for sent in exchange.sent if sent[1] == f"{issuer}/protocol/openid-connect/token"]
    assert [sent[2] for sent in token_requests] == [200], exchange
    discovered = [sent for sent in exchange.sent if sent[0] == "GET" and sent[1].startswith(eu.url + "/")]
    assert discovered and discovered[-1][2] == 200 and "/.well-known/" in discovered[-1][1], exchange
    assert all(sent[2] == 200 or sent[1] != proxy.url for sent in exchange.sent[1:]), exchange

    with urllib.request.urlopen(metadata_url, timeout=10) as reply:
        metadata = json.load(reply)
    assert metadata["resource"] == proxy.url
    assert metadata["authorization_servers"] == [issuer]
    assert metadata["scopes_supported"] == ["keycloak-mcp:logout", "keycloak-mcp:read"]

    assert storage.tokens is not None
    token = storage.tokens.access_token
    token_claims = claims(token)
    assert token_claims["iss"] == issuer
    assert token_claims["azp"] == AGENT_CLIENT
    assert proxy.url in ([token_claims["aud"]] if isinstance(token_claims["aud"], str) else token_claims["aud"])

    # Stopped, so that its audit log and output are complete.
    proxy.process.stop()

    # The audit record: the agent and the token's azp, never the token.
    audit_text = (oauth_setup["config"].parent / "audit.jsonl").read_text()
    audit = [json.loads(line) for line in audit_text.splitlines()]
    assert [record["tool"] for record in audit] == ["logout_user"], audit
    record = audit[0]
    assert record["agent"] == AGENT
    assert record["token_azp"] == AGENT_CLIENT
    assert record["token_sub"] == token_claims["sub"]
    if "jti" in token_claims:
        assert record["token_jti"] == token_claims["jti"]

    # The token (or its payload or signature) in no output of the proxy or the emulators, nor in the audit log.
    _, payload, signature = token.split(".")
    outputs = {
        "audit log": audit_text,
        "proxy stdout": "\n".join(proxy.process.stdout),
        "proxy stderr": "\n".join(proxy.process.stderr),
    }
    for tenant in (eu, us):
        outputs[f"{tenant.name} emulator stdout"] = "\n".join(tenant.process.stdout)
        outputs[f"{tenant.name} emulator stderr"] = "\n".join(tenant.process.stderr)
    assert outputs["proxy stderr"], "the proxy logged nothing at trace level"
    for where, text in outputs.items():
        for part in (token, payload, signature):
            assert part not in text, f"the agent's token is in the {where}"

    # The same token, presented to the tenant's admin API as a passthrough would, is refused:
    # the logout above went out with another token (the proxy's own).
    sessions_url = f"{eu.url}{eu.base_path}/admin/realms/customers/users/eu-bob/sessions"
    request = urllib.request.Request(sessions_url, headers={"Authorization": f"Bearer {token}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
