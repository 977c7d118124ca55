-- Requests a random path from the file named by the PATHS environment
-- variable (one path per line), and reports latency percentiles as JSON.
local paths = {}
local file = assert(io.open(os.getenv("PATHS"), "r"))
for line in file:lines() do
  if #line > 0 then paths[#paths + 1] = line end
end
file:close()

math.randomseed(os.time())

-- An API key to send, when TOKEN is set.
local token = os.getenv("TOKEN")
if token and #token > 0 then
  wrk.headers["Authorization"] = "Bearer " .. token
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT {\"requests\": %d, \"rps\": %.1f, \"p50_ms\": %.2f, \"p95_ms\": %.2f, \"p99_ms\": %.2f, \"errors\": %d, \"non2xx\": %d}\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
