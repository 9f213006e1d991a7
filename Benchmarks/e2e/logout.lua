-- wrk script: POST the same request on every connection. The target chooses the body:
--   WRK_MODE=direct  Keycloak's logout path itself (no body)
--   WRK_MODE=mcp     JSON-RPC tools/call logout_user, stateless (the proxy)
--   WRK_MODE=peer    the same tools/call in the MCP session WRK_SESSION (mcp-keycloak)
-- WRK_PROTOCOL (mcp, peer) is the MCP-Protocol-Version header, default 2025-06-18. With
-- 2026-07-28 the request is shaped as that revision has it: the version and the client's
-- capabilities in params._meta, Mcp-Method, Mcp-Name and (with a tenant) Mcp-Param-Tenant.
-- WRK_TOKEN (mcp, peer), if set: Authorization: Bearer WRK_TOKEN (the agent's token: a static
-- one from the config, or an access token from its Keycloak).
local mode = os.getenv("WRK_MODE") or "mcp"
local protocol = os.getenv("WRK_PROTOCOL") or "2025-06-18"
local modern = mode == "mcp" and protocol == "2026-07-28"
local user = os.getenv("WRK_USER") or "bench-user-1"
wrk.method = "POST"
if mode == "direct" then
  wrk.headers["Authorization"] = "Bearer bench-access-token"
  wrk.headers["Content-Type"] = "application/json"
else
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json, text/event-stream"
  wrk.headers["MCP-Protocol-Version"] = protocol
  if modern then
    wrk.headers["Mcp-Method"] = "tools/call"
    wrk.headers["Mcp-Name"] = "logout_user"
  end
  if mode == "peer" then wrk.headers["Mcp-Session-Id"] = os.getenv("WRK_SESSION") end
  local token = os.getenv("WRK_TOKEN") or ""
  if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
end

-- Every request gets its own JSON-RPC id: the peer's stateful session routes each response
-- to the request with that id, so concurrent requests sharing an id would wait forever. The
-- proxy does not need it but gets the same bodies, so wrk does the same work for both.
local meta = modern and ('"_meta":{"io.modelcontextprotocol/protocolVersion":"' .. protocol
  .. '","io.modelcontextprotocol/clientCapabilities":{}},') or ""
local body_start = '{"jsonrpc":"2.0","method":"tools/call","params":{' .. meta .. '"name":"logout_user","arguments":{"user_id":"'
  .. user .. '","realm":"customers"'
-- WRK_TENANTS=N (proxy only): the calls go round the tenants bench-0 .. bench-N-1 (the prefix
-- is WRK_TENANT_PREFIX, default "bench-"), so the run also checks that each tenant fetched its
-- token once. Each tenant's prefix is built once here, not per request: wrk shares the machine
-- with what it measures.
local tenants = tonumber(os.getenv("WRK_TENANTS") or "0")
local tenant_prefix = os.getenv("WRK_TENANT_PREFIX") or "bench-"
local prefixes = {}
local headers = {}
if mode == "mcp" and tenants > 0 then
  for t = 0, tenants - 1 do
    prefixes[t] = body_start .. ',"tenant":"' .. tenant_prefix .. t .. '"}},"id":'
    if modern then
      headers[t] = {}
      for name, value in pairs(wrk.headers) do headers[t][name] = value end
      headers[t]["Mcp-Param-Tenant"] = tenant_prefix .. t
    end
  end
else
  tenants = 1
  prefixes[0] = body_start .. '}},"id":'
end
local counter = 0
function request()
  if mode == "direct" then return wrk.format() end
  counter = counter + 1
  local t = counter % tenants
  return wrk.format(nil, nil, headers[t], prefixes[t] .. (tid * 1000000000 + counter) .. '}')
end

-- Count answers that are not 2xx, and (MCP) answers that are tool errors, so a fast run of
-- failures cannot pass for a fast run of logouts. Reported by done().
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
function init(args) bad_status = 0; tool_errors = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad_status = bad_status + 1
  elseif mode ~= "direct" and body and string.find(body, '"isError":true', 1, true) then tool_errors = tool_errors + 1 end
end
function done(summary, latency, requests)
  local bad, errs = 0, 0
  for _, t in ipairs(threads) do bad = bad + t:get("bad_status"); errs = errs + t:get("tool_errors") end
  io.write(string.format("RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d bad_status=%d tool_errors=%d socket_errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), bad, errs,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
