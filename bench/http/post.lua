-- wrk script: POSTs the request in the file named by $HOGO_BENCH_BODY (one JSON document),
-- with the key in $HOGO_BENCH_KEY when set, on every request. Benchmark layer.
local f = assert(io.open(os.getenv("HOGO_BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("HOGO_BENCH_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
