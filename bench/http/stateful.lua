-- wrk script: POST /v1/decide on stored facts, each request naming one of $HOGO_BENCH_SUBJECTS
-- subjects s0..sN-1 at random, with the key in $HOGO_BENCH_KEY. Benchmark layer.
local n = tonumber(os.getenv("HOGO_BENCH_SUBJECTS") or "1000")
local key = os.getenv("HOGO_BENCH_KEY")
local head = '{"policy":"irp","subject_id":"s'
local tail = '","action":"provide","purpose":"recruitment_selection","data":["name"],' ..
  '"service":"recruit_agent","recipient":{"id":"participating_company",' ..
  '"corporate_number":"6100000000001"}}'
request = function()
  local body = head .. math.random(0, n - 1) .. tail
  return wrk.format("POST", "/v1/decide", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key}, body)
end
