#!/usr/bin/env bash
# Runs the benchmarks and prints their figures; `make bench` runs this after building.
# Benchmark layer. The workload is every valid request of the scenario files (all five
# policies); the --jsonl run repeats it to about a million lines.
set -euo pipefail
cd "$(dirname "$0")/.."
export HOGO_POLICY_PATH="$PWD/policies" # hogo reads no source tree of its own: name the policies
out=bench/out
mkdir -p "$out"
python3 - "$out/workload.jsonl" <<'PY'
import json, glob, sys
reqs = []
for path in sorted(glob.glob("tests/scenarios/*.jsonl")):
    for line in open(path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            case = json.loads(line)
            if case["expect"]["decision"] != "error":
                reqs.append(json.dumps(case["request"], ensure_ascii=False, separators=(",", ":")))
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("\n".join(reqs) + "\n")
PY
lines=$(wc -l < "$out/workload.jsonl")
reps=$(( 1000000 / lines + 1 ))
: > "$out/million.jsonl"
for _ in $(seq "$reps"); do cat "$out/workload.jsonl"; done > "$out/million.jsonl"
total=$(wc -l < "$out/million.jsonl")

echo "== machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $(date -u +%Y-%m-%d)"
echo "== in-process (bench_decide)"
taskset -c 0 build/bin/bench_decide "$out/workload.jsonl" 3 2>&1 || build/bin/bench_decide "$out/workload.jsonl" 3

echo "== end to end: hogo check --jsonl, $total requests (JSON in, JSON out)"
for run in 1 2 3; do
  start=$(date +%s.%N)
  taskset -c 0 build/bin/hogo check --jsonl < "$out/million.jsonl" > "$out/responses.jsonl" || true
  end=$(date +%s.%N)
  python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); print(f'run $run: {t:.2f} s, {int(sys.argv[3])/t:,.0f} requests/s')" "$start" "$end" "$total"
done
answered=$(wc -l < "$out/responses.jsonl")
errors=$(grep -c '"error"' "$out/responses.jsonl" || true)
echo "responses: $answered lines, $errors errors"
[ "$answered" -eq "$total" ]

echo "== stateful: hogo check --db --jsonl, durable decisions on stored facts (SQLite)"
# 100 subjects (20 per policy) with facts; every line names one, is decided on its stored
# facts and is an audit event; a batch is committed (fsync) before its lines are answered
db=$out/stateful.db
rm -f "$db" "$db"-wal "$db"-shm "$db".keys
HOGO_DB=$db build/bin/hogo init >/dev/null
for p in irp rcc rea rkm rmc; do
  for k in $(seq 0 19); do HOGO_DB=$db build/bin/hogo subject add "$p-$k" --operator "$p" >/dev/null; done
done
for k in $(seq 0 19); do
  HOGO_DB=$db build/bin/hogo subject set "irp-$k" age $((14 + k)) >/dev/null
  HOGO_DB=$db build/bin/hogo subject set "irp-$k" applied_to 9234567890123 >/dev/null
done
stateful_n=200000
python3 bench/check_db_workload.py "$out/stateful.jsonl" "$stateful_n" 20
for run in 1 2 3; do
  start=$(date +%s.%N)
  taskset -c 0 build/bin/hogo check --db "$db" --jsonl < "$out/stateful.jsonl" > "$out/stateful.out" || true
  end=$(date +%s.%N)
  decided=$(grep -c '^{"decision"' "$out/stateful.out" || true)
  python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); print(f'run $run: {t:.2f} s, {int(sys.argv[3])/t:,.0f} durable decisions/s ({sys.argv[3]} of $stateful_n lines decided)')" "$start" "$end" "$decided"
done
echo "audit verify after the runs: $(HOGO_DB=$db build/bin/hogo audit verify 2>&1 | head -1)"

echo "== de-identification (bench_deid, one core)"
taskset -c 0 build/bin/bench_deid ../shared/data/adult --reps 21

echo "== Japanese free-text scrubber against MeCab alone, same text, same run (bench_scrub, one core)"
taskset -c 0 build/bin/bench_scrub 8 --reps 5 2>&1 || build/bin/bench_scrub 8 --reps 5

echo "== store, ledger and audit (bench_store --quick)"
build/bin/bench_store --quick

echo "== peer: Cedar (WebAssembly) on the same irp requests (bench/peer, optional)"
if command -v node >/dev/null && command -v npm >/dev/null; then
  if (cd bench/peer && npm ci --no-audit --no-fund --loglevel=error); then
    bash bench/peer/run.sh
  else
    echo "skipped: npm ci failed in bench/peer (the npm registry must be reachable)"
  fi
else
  echo "skipped: the Cedar peer benchmark needs node and npm (bench/peer/README.md)"
fi

echo "== HTTP (bench/http/run.sh)"
bash bench/http/run.sh

echo "== rights: import, disclosure, overdue listing (bench/rights.sh)"
bash bench/rights.sh 100000 20000 1000000
