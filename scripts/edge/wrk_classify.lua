-- wrk script for the runtime benchmarks (runtime/bench): POSTs single-text classify
-- requests, cycling through the bodies in $SLM_WRK_BODIES (one JSON body a line), and prints
-- one JSON line of results at the end. With SLM_WRK_BODIES empty it sends wrk's plain GET
-- to the URL given (a bare round trip).
local requests = {}
local n = 0

function init(args)
  local path = os.getenv("SLM_WRK_BODIES")
  if path == nil or path == "" then
    return
  end
  for line in io.lines(path) do
    n = n + 1
    requests[n] = wrk.format("POST", "/v1/classify", {["Content-Type"] = "application/json"}, line)
  end
end

local i = 0
function request()
  if n == 0 then
    return wrk.format(nil, nil)
  end
  i = i % n + 1
  return requests[i]
end

local non2xx = 0
function response(status, headers, body)
  if status ~= 200 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, req)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
