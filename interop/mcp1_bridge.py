"""The MCP Python SDK 1.x (the 2025-11-25 `initialize` client) as a line-oriented JSON bridge.

The 1.x and 2.x SDKs are both the package `mcp`, so the suite's 2.x venv cannot import this one:
conftest.py runs this script with interop/.venv-mcp1's python (MCP1_PYTHON) and talks to it
through standard input and output, one JSON object a line.

- First line in: the server, `{"url": ..., "headers": {...}}` for Streamable HTTP or
  `{"command": ..., "args": [...], "env": {...}}` for stdio. The bridge connects, runs
  `ClientSession.initialize()` and answers `{"result": <the InitializeResult>}`.
- Then each line in is `{"method": "tools/list"}` or
  `{"method": "tools/call", "params": {"name": ..., "arguments": {...}}}`, answered with
  `{"result": ...}` (the SDK's parsed result, in wire form: camelCase, no nulls) or
  `{"error": {"code": ..., "message": ...}}` for a JSON-RPC error.
- End of input closes the session (and, on stdio, the server). Anything else that goes wrong is
  raised: the traceback goes to standard error and the bridge exits non-zero.

Uses the standard library, `anyio` and `mcp` only: no test code from the 2.x venv.
"""

from __future__ import annotations

import json
import sys
from contextlib import AsyncExitStack
from typing import Any

import anyio
from mcp import ClientSession, McpError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

def wire(model: Any) -> Any:
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)


async def connect(stack: AsyncExitStack, server: dict[str, Any]) -> ClientSession:
    if "url" in server:
        http = await stack.enter_async_context(create_mcp_http_client(headers=server.get("headers")))
        read, write, _ = await stack.enter_async_context(streamable_http_client(server["url"], http_client=http))
    else:
        params = StdioServerParameters(command=server["command"], args=server["args"], env=server.get("env"))
        read, write = await stack.enter_async_context(stdio_client(params))
    return await stack.enter_async_context(ClientSession(read, write))


async def answer(session: ClientSession, request: dict[str, Any]) -> dict[str, Any]:
    method, params = request["method"], request.get("params", {})
    try:
        if method == "tools/list":
            return {"result": wire(await session.list_tools())}
        if method == "tools/call":
            return {"result": wire(await session.call_tool(params["name"], params.get("arguments")))}
    except McpError as error:
        return {"error": {"code": error.error.code, "message": error.error.message}}
    raise ValueError(f"the bridge does not know {method!r}")


def send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def main() -> None:
    lines = anyio.wrap_file(sys.stdin)
    first = await lines.readline()
    if not first:
        return
    async with AsyncExitStack() as stack:
        session = await connect(stack, json.loads(first))
        # 1.x keeps no negotiated version on the session: it is the InitializeResult's protocolVersion.
        send({"result": wire(await session.initialize())})
        while line := await lines.readline():
            send(await answer(session, json.loads(line)))


if __name__ == "__main__":
    anyio.run(main)
