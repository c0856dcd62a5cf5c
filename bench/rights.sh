#!/usr/bin/env bash
# The rights benchmarks: bulk import of PEOPLE people with 5 facts each, the disclosure
# package of one person with ITEMS items in that store (and its peak memory), and listing
# the overdue requests among REQUESTS. Benchmark layer; bench/run.sh runs it with smaller
# sizes, `bash bench/rights.sh 1000000 100000 1000000` gives the figures of RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export HOGO_POLICY_PATH="$PWD/policies" # hogo reads no source tree of its own: name the policies
people=${1:-100000}
items=${2:-20000}
requests=${3:-1000000}
out=bench/out/rights
rm -rf "$out"
mkdir -p "$out"
export HOGO_DB=$out/people.db HOGO_MASTER_KEY_FILE=$out/master.key HOGO_KEY_STORE=$out/keys.db
build/bin/hogo key generate "$HOGO_MASTER_KEY_FILE" >/dev/null
build/bin/hogo init >/dev/null
python3 - "$people" >"$out/people.jsonl" <<'PY'
import sys
acc = ["ponta", "d_account"]
for i in range(int(sys.argv[1])):
    print('{"subject_id":"u%07d","operator":"irp","facts":{"age":%d,"guardian_consent":true,'
          '"linked_accounts":["%s"],"opt_outs":["ad_delivery"],"scout_service":false}}'
          % (i, 18 + i % 60, acc[i % 2]))
PY
echo "== import of $people people with 5 facts each (CPU time and wall time)"
TIMEFORMAT="cpu %U s user + %S s system, wall %R s"
time build/bin/hogo subject import "$out/people.jsonl" 2>&1 | tail -1
echo "== disclosure of one person with $items items (JSON + HTML to /dev/null)"
build/bin/bench_rights disclose "$HOGO_DB" "$items" >/dev/null 2>&1
time build/bin/bench_rights disclose "$HOGO_DB" "$items"
echo "== overdue requests among $requests"
build/bin/hogo init --db "$out/requests.db" >/dev/null
build/bin/bench_rights overdue "$out/requests.db" "$requests"
