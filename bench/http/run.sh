#!/usr/bin/env bash
# HTTP benchmarks of hogod with wrk (keep-alive, 64 connections, 2 threads), in one run:
# a canned-answer libmicrohttpd server (bench/http/canned_http.c) as the baseline, stateless
# POST /v1/decide (access log off and on), resident memory before and after 1,000,000
# requests, and POST /v1/decide on stored facts (SQLite) with every decision durable.
# Benchmark layer; `make bench` runs it. Prints one line per figure.
set -euo pipefail
cd "$(dirname "$0")/../.."
export HOGO_POLICY_PATH="$PWD/policies" # hogo reads no source tree of its own: name the policies
bin=build/bin
out=bench/out/http
mkdir -p "$out"
dur=${HOGO_BENCH_SECONDS:-10}
threads=${HOGO_BENCH_THREADS:-2}
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
python3 -c 'import json,sys; print(json.dumps(json.load(open("examples/irp-application.json")),ensure_ascii=False,separators=(",",":")))' > "$out/request.json"
export HOGO_BENCH_BODY=$out/request.json
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
wait_up() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/livez" && return 0; sleep 0.05; done; return 1; }
# commit_figures PORT KEY: "COMMITS CALLS" from /metrics
commit_figures() {
  curl -s -H "Authorization: Bearer $2" "http://127.0.0.1:$1/metrics" |
    awk '/^hogod_store_commits_total/{c=$2} /^hogod_store_commit_calls_total/{n=$2} END{print c, n}'
}
# commit_size BEFORE AFTER: the mean commit size between two commit_figures
commit_size() {
  python3 -c 'import sys; c0,n0,c1,n1=map(int,sys.argv[1:]); print(f"store commits during the run: {c1-c0:,}, calls {n1-n0:,}, mean commit size {(n1-n0)/max(1,c1-c0):.1f}")' $1 $2
}
# run_wrk NAME PORT SCRIPT SECONDS: prints "NAME: N req/s, p50 X, p99 Y" and keeps wrk's text
run_wrk() {
  wrk -t2 -c64 -d"$4s" --latency -s "$3" "http://127.0.0.1:$2/v1/decide" > "$out/$1.txt"
  python3 - "$out/$1.txt" "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def lat(p):
    m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", t)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
n = re.search(r"(\d+) requests in", t).group(1)
print(f"{sys.argv[2]}: {rps:,.0f} requests/s, p50 {lat(50):.3f} ms, p99 {lat(99):.3f} ms, "
      f"{n} requests, non-2xx {errs.group(1) if errs else 0}")
PY
}
rss() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
rounds=${HOGO_BENCH_ROUNDS:-3}
echo "== wrk -t2 -c64 -d${dur}s, keep-alive; servers with $threads threads; $rounds interleaved rounds, medians"
for r in $(seq "$rounds"); do
  p=$(port); $bin/canned_http "$p" "$threads" & pids+=($!); wait_up "$p" || true
  run_wrk "canned-$r" "$p" bench/http/post.lua "$dur"
  kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  p=$(port); $bin/hogod --listen "127.0.0.1:$p" --threads "$threads" --access-log off 2>/dev/null & pids+=($!); wait_up "$p"
  run_wrk "hogod-$r" "$p" bench/http/post.lua "$dur"
  kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  p=$(port); $bin/hogod --listen "127.0.0.1:$p" --threads "$threads" --access-log "$out/access.log" 2>/dev/null & pids+=($!); wait_up "$p"
  run_wrk "hogod-logged-$r" "$p" bench/http/post.lua "$dur"
  kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  rm -f "$out/access.log"
done
python3 - "$out" "$rounds" <<'PY'
import re, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
def fig(name):
    t = open(f"{out}/{name}.txt").read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    m = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", t)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    return rps, p99
for kind in ("canned", "hogod", "hogod-logged"):
    figs = [fig(f"{kind}-{r}") for r in range(1, n + 1)]
    print(f"median {kind}: {statistics.median(f[0] for f in figs):,.0f} requests/s, "
          f"p99 {statistics.median(f[1] for f in figs):.2f} ms")
ratios = [fig(f"hogod-{r}")[0] / fig(f"canned-{r}")[0] for r in range(1, n + 1)]
logged = [fig(f"hogod-logged-{r}")[0] / fig(f"canned-{r}")[0] for r in range(1, n + 1)]
print("ratio hogod/canned per round: " + ", ".join(f"{x:.2f}" for x in ratios) +
      f"; median {statistics.median(ratios):.2f} (access log off), "
      f"{statistics.median(logged):.2f} (access log on)")
PY

echo "== resident memory over 1,000,000 stateless requests"
p=$(port); $bin/hogod --listen "127.0.0.1:$p" --threads "$threads" --access-log off 2>/dev/null & pid=$!; pids+=($pid); wait_up "$p"
wrk -t2 -c64 -d2s -s bench/http/post.lua "http://127.0.0.1:$p/v1/decide" > /dev/null
before=$(rss "$pid")
done_n=0
while [ "$done_n" -lt 1000000 ]; do
  wrk -t2 -c64 -d10s -s bench/http/post.lua "http://127.0.0.1:$p/v1/decide" > "$out/rss.txt"
  done_n=$(( done_n + $(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$out/rss.txt") ))
done
after=$(rss "$pid")
python3 -c "import sys; b,a,n=map(int,sys.argv[1:]); print(f'RSS {b} kB after warm-up, {a} kB after {n:,} more requests: {100*(a-b)/b:+.1f} %')" "$before" "$after" "$done_n"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true

echo "== POST /v1/decide on stored facts, SQLite, every decision a durable audit event"
subjects=${HOGO_BENCH_SUBJECTS:-1000000}
work=$(mktemp -d "${TMPDIR:-/tmp}/hogod-bench.XXXXXX")
export HOGO_MASTER_KEY_FILE=$work/master.key HOGO_KEY_STORE=$work/keys.db
$bin/hogo key generate "$HOGO_MASTER_KEY_FILE" > /dev/null
$bin/hogo init --db "$work/db" > /dev/null
key=$($bin/hogo apikey create --db "$work/db" --operator irp --scopes decide,subjects:write,metrics:read)
python3 - "$work/people.jsonl" "$subjects" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write('{"subject_id":"s%d","operator":"irp","facts":{"applied_to":["6100000000001"]}}\n' % i)
PY
$bin/hogo subject import "$work/people.jsonl" --db "$work/db" > /dev/null
p=$(port); $bin/hogod --listen "127.0.0.1:$p" --threads 64 --db "$work/db" --access-log off 2>/dev/null & pid=$!; pids+=($pid); wait_up "$p"
export HOGO_BENCH_KEY=$key HOGO_BENCH_SUBJECTS=$subjects
before=$(commit_figures "$p" "$key")
run_wrk "hogod-stateful-sqlite-$subjects-subjects" "$p" bench/http/stateful.lua "$dur"
commit_size "$before" "$(commit_figures "$p" "$key")"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
$bin/hogo audit verify --db "$work/db"
rm -rf "$work"

echo "== POST /v1/decide on stored facts, PostgreSQL (throwaway cluster, fsync on)"
if pgconn=$(bash scripts/pg-test.sh start 2>/dev/null); then
  pgdir=$(sed -n 's/^host=\([^ ]*\).*/\1/p' <<< "$pgconn")
  db="pg:$pgconn"
  unset HOGO_MASTER_KEY_FILE HOGO_KEY_STORE
  $bin/hogo init --db "$db" > /dev/null
  key=$($bin/hogo apikey create --db "$db" --operator irp --scopes decide,subjects:write,metrics:read)
  p=$(port); $bin/hogod --listen "127.0.0.1:$p" --threads 64 --db "$db" --access-log off 2>/dev/null & pid=$!; pids+=($pid); wait_up "$p"
  pgsubjects=${HOGO_BENCH_PG_SUBJECTS:-2000}
  python3 - "$p" "$key" "$pgsubjects" <<'PY'
import http.client, json, sys
port, key, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port)
h = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
for i in range(n):
    c.request("POST", "/v1/subjects", json.dumps({"subject_id": f"s{i}"}), h); c.getresponse().read()
    c.request("PUT", f"/v1/subjects/s{i}/facts/applied_to", json.dumps({"value": ["6100000000001"]}), h); c.getresponse().read()
PY
  export HOGO_BENCH_KEY=$key HOGO_BENCH_SUBJECTS=$pgsubjects
  before=$(commit_figures "$p" "$key")
  run_wrk "hogod-stateful-postgresql-$pgsubjects-subjects" "$p" bench/http/stateful.lua "$dur"
  commit_size "$before" "$(commit_figures "$p" "$key")"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  $bin/hogo audit verify --db "$db"
  bash scripts/pg-test.sh stop "$pgdir"
else
  echo "skipped: no PostgreSQL (scripts/pg-test.sh)"
fi
