-- wrk script: POST one JSON-RPC request (MCP_BODY), or requests taken in turn from the file MCP_BODIES (one
-- per line; each wrk thread walks the list on its own), with extra headers (MCP_HEADERS, "name: value" lines).
wrk.method = "POST"
wrk.body = os.getenv("MCP_BODY")
local bodies = {}
if os.getenv("MCP_BODIES") then
  for line in io.lines(os.getenv("MCP_BODIES")) do bodies[#bodies + 1] = line end
end
local n = 0
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
for line in string.gmatch(os.getenv("MCP_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

if #bodies > 0 then
  request = function()
    n = n % #bodies + 1
    return wrk.format(nil, nil, nil, bodies[n])
  end
end

done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
  -- MCP_HISTOGRAM set: the latency at every 0.1 percentile too, so runs can be merged into one distribution.
  if os.getenv("MCP_HISTOGRAM") then
    local points = {}
    for i = 1, 1000 do points[i] = latency:percentile(i / 10) end
    io.write("HISTOGRAM " .. table.concat(points, " ") .. "\n")
  end
end
