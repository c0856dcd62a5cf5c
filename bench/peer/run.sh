#!/usr/bin/env bash
# Peer benchmark: Cedar's WebAssembly build against hogo on the same irp requests, in one run.
# Benchmark layer. Needs node and npm (installs the pinned packages with `npm ci` when
# node_modules is missing) and a built build/bin/bench_decide and build/bin/hogo (`make bench`
# builds them; HOGO_BUILD=DIR picks another build directory). PEER_SECONDS sets Cedar's timing
# budget (default 8: 2 s warm-up, 4 s throughput, 4 s latency, plus 2.5 s with re-parsing).
set -euo pipefail
peer="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$peer/../.." && pwd)"
export HOGO_POLICY_PATH="$root/policies" # hogo reads no source tree of its own: name the policies
build="${HOGO_BUILD:-$root/build}"
out="$root/bench/out/peer"
seconds="${PEER_SECONDS:-8}"
mkdir -p "$out"

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "peer benchmark: '$tool' not found; install Node.js 20 or later"; exit 1; }
done
for bin in bench_decide hogo; do
  [ -x "$build/bin/$bin" ] || { echo "peer benchmark: '$build/bin/$bin' is missing; run 'make bench' first or set HOGO_BUILD"; exit 1; }
done
if [ ! -d "$peer/node_modules/@cedar-policy/cedar-wasm" ] || [ ! -d "$peer/node_modules/yaml" ]; then
  (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error)
fi

# one core, like the other figures; run unpinned where taskset is missing
pin() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }

echo "== peer: Cedar $(node -p "require('$peer/node_modules/@cedar-policy/cedar-wasm/package.json').version") (WebAssembly, Node.js $(node --version)) and hogo, irp requests, one core"
# Cedar first writes the sample as a hogo workload and times itself; hogo is timed before and
# after it, so drift in the machine's load shows up as a gap between the two hogo runs.
node "$peer/cedar_bench.mjs" --out "$out" --prepare
cd "$root"
pin "$build/bin/bench_decide" "$out/workload.jsonl" 2 > "$out/hogo-1.txt"
pin node "$peer/cedar_bench.mjs" --out "$out" --seconds "$seconds"
pin "$build/bin/bench_decide" "$out/workload.jsonl" 2 > "$out/hogo-2.txt"
"$build/bin/hogo" check --policy irp --jsonl < "$out/workload.jsonl" > "$out/hogo-responses.jsonl" || true

node - "$out" <<'JS'
const fs = require('fs');
const dir = process.argv[2];
const cedar = JSON.parse(fs.readFileSync(`${dir}/cedar.json`, 'utf8'));
const expected = JSON.parse(fs.readFileSync(`${dir}/expected.json`, 'utf8'));
const responses = fs.readFileSync(`${dir}/hogo-responses.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const hogoAgree = responses.filter((r, i) => r.decision === expected[i]).length;
function hogo(file) {
  const t = fs.readFileSync(`${dir}/${file}`, 'utf8');
  const num = (re) => { const m = t.match(re); if (!m) throw new Error(`${file}: no match for ${re}`); return Number(m[1]); };
  return {
    dps: num(/decisions\/s \(1 core\): (\d+)/),
    median_us: num(/median (-?[\d.]+) ns/) / 1e3,
    p99_us: num(/p99 (-?[\d.]+) ns/) / 1e3,
    read_us: num(/request parse \(yajl streaming\): ([\d.]+) us/) + num(/decide \+ write response: ([\d.]+) us/),
  };
}
const h1 = hogo('hogo-1.txt'), h2 = hogo('hogo-2.txt');
const mean = (k) => (h1[k] + h2[k]) / 2;
const h = { dps: mean('dps'), median_us: mean('median_us'), p99_us: mean('p99_us'), read_us: mean('read_us') };
const c = cedar.stateful;
const us = (x) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3)) + ' µs';
const int = (x) => Math.round(x).toLocaleString('en-US');
const ratio = (x) => (x < 100 ? x.toFixed(1) : int(x)) + '×';
console.log(`hogo agrees with the expected decision on ${hogoAgree}/${expected.length}; ` +
  `Cedar on ${cedar.agree}/${cedar.requests}`);
console.log(`hogo runs (before / after Cedar): median ${us(h1.median_us)} / ${us(h2.median_us)}, ` +
  `${int(h1.dps)} / ${int(h2.dps)} decisions/s`);
console.log('');
console.log(`| ${cedar.requests} irp requests, one core | Cedar ${cedar.cedar_version} (wasm, policies parsed once) | hogo \`hogo_decide()\` | ratio Cedar / hogo |`);
console.log('|---|---|---|---|');
console.log(`| median latency per decision | ${us(c.median_us)} | ${us(h.median_us)} | ${ratio(c.median_us / h.median_us)} |`);
console.log(`| p99 latency | ${us(c.p99_us)} | ${us(h.p99_us)} | ${ratio(c.p99_us / h.p99_us)} |`);
console.log(`| decisions/s | ${int(c.decisions_per_s)} | ${int(h.dps)} | ${ratio(h.dps / c.decisions_per_s)} (time per decision) |`);
console.log(`| mean time per decision with the request read (Cedar: every call converts its JSON input; hogo: yajl parse + decide + JSON response) | ${us(1e6 / c.decisions_per_s)} | ${us(h.read_us)} | ${ratio(1e6 / c.decisions_per_s / h.read_us)} |`);
console.log('');
console.log(`Cedar isAuthorized with the policy text parsed on every call: median ${us(cedar.reparse_each_call.median_us)}.`);
JS
