// Peer benchmark: decides a sample of the irp scenarios (tests/scenarios/irp.jsonl) with Cedar's
// WebAssembly build, over the irp policy encoded in Cedar (irp.cedar, irp.cedarschema), checks
// Cedar's allow/deny against the scenarios' expected decisions, writes the same requests as a
// hogo workload, and times Cedar per decision with the policies parsed once. Benchmark layer.
// Usage: node cedar_bench.mjs [--out DIR] [--seconds S] [--prepare]   (see run.sh)
// --prepare writes DIR/workload.jsonl and DIR/expected.json and stops before any Cedar call.
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { parse as parseYaml } from 'yaml';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const outDir = resolve(opt('--out', join(repo, 'bench', 'out', 'peer')));
const seconds = Number(opt('--seconds', '8'));
mkdirSync(outDir, { recursive: true });

function fail(what, detail) {
  console.error(`cedar_bench: ${what}`);
  if (detail) console.error(typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2));
  process.exit(1);
}

// ---- entities from the vocabulary: hierarchies as parents ------------------------------------

const vocab = parseYaml(readFileSync(join(repo, 'policies', 'vocabulary.yaml'), 'utf8'));
const list = (x) => (x == null ? [] : Array.isArray(x) ? x : [x]);
const entities = new Map(); // "Type::id" -> EntityJson
const key = (type, id) => `${type}::${id}`;
function addEntity(type, id, parents, attrs = {}) {
  entities.set(key(type, id), { uid: { type, id }, attrs, parents: parents.map((p) => ({ type, id: p })) });
}
for (const [id, d] of Object.entries(vocab.purposes)) addEntity('Purpose', id, list(d.parent));
for (const [id, d] of Object.entries(vocab.data_categories)) addEntity('DataCategory', id, list(d.part_of));
for (const [id, d] of Object.entries(vocab.services)) addEntity('Service', id, list(d.part_of));
for (const [id, d] of Object.entries(vocab.recipient_classes)) addEntity('Recipient', id, list(d.part_of));
for (const [id, d] of Object.entries(vocab.recipients)) addEntity('Recipient', id, list(d.classes));
for (const [id, d] of Object.entries(vocab.institution_types))
  addEntity('InstitutionType', id, list(d.part_of), { qualifies: d.qualifies === true });

// The entities one request needs: the ones it names and all their ancestors (a Cedar caller
// passes the slice of its entity store that a request touches).
function slice(uids) {
  const seen = new Map();
  const stack = [...uids];
  while (stack.length) {
    const [type, id] = stack.pop();
    const k = key(type, id);
    if (seen.has(k)) continue;
    const e = entities.get(k);
    if (!e) fail(`unknown ${type} '${id}' in a scenario request`, 'add it to policies/vocabulary.yaml or drop the scenario');
    seen.set(k, e);
    for (const p of e.parents) stack.push([p.type, p.id]);
  }
  return [...seen.values()];
}

// ---- requests: hogo JSON -> Cedar call ---------------------------------------------------------

const ref = (type, id) => ({ __entity: { type, id } });
const BOOL_FACTS = ['guardian_consent', 'scout_service', 'suspended', 'erased', 'provision_stopped', 'contract_limited'];
const STRING_SETS = ['linked_accounts', 'linking_in_progress', 'applied_to', 'affiliated_organizations', 'blocked_companies'];
const SERVICE_SETS = ['services_used', 'services_requested', 'point_program_services'];

function toCedar(req) {
  const s = req.subject ?? {};
  const subject = {};
  if (typeof s.age === 'number') subject.age = s.age;
  for (const f of BOOL_FACTS) if (typeof s[f] === 'boolean') subject[f] = s[f];
  for (const f of STRING_SETS) if (Array.isArray(s[f])) subject[f] = [...s[f]];
  for (const f of SERVICE_SETS) if (Array.isArray(s[f])) subject[f] = s[f].map((id) => ref('Service', id));
  if (Array.isArray(s.opt_outs)) subject.opt_outs = s.opt_outs.map((id) => ref('Purpose', id));
  const context = {
    purpose: ref('Purpose', req.purpose),
    form: req.form ?? 'identified',
    basis: req.basis ?? 'policy',
    recipient_country: req.recipient?.country ?? 'JP',
    subject,
  };
  const named = [['Purpose', req.purpose], ...req.data.map((d) => ['DataCategory', d])];
  if (req.service) {
    context.service = ref('Service', req.service);
    named.push(['Service', req.service]);
  }
  if (req.recipient?.corporate_number) context.recipient_cn = req.recipient.corporate_number;
  if (req.recipient?.institution_type) {
    context.institution = ref('InstitutionType', req.recipient.institution_type);
    named.push(['InstitutionType', req.recipient.institution_type]);
  }
  const principal = req.action === 'use' ? 'indeed_recruit_partners' : req.recipient.id;
  named.push(['Recipient', principal]);
  const resource = { type: 'Disclosure', id: 'request' };
  const ents = slice(named);
  ents.push({ uid: resource, attrs: {}, parents: req.data.map((d) => ({ type: 'DataCategory', id: d })) });
  return {
    principal: { type: 'Recipient', id: principal },
    action: { type: 'Action', id: req.action },
    resource,
    context,
    entities: ents,
  };
}

// ---- the sample: scenarios decided by the encoded clauses -------------------------------------

const ENCODED = new Set(['preamble', '2(1)', '2(3)', '2(4)', '3', '3(1)', '3(2)', '3(3)', '3(4)', '3(5)',
  '3(6)', '3(7)', '3(8)', '6', '7', '11(1)', '11(3)', 'APPI Art.41(6)']);
const cases = [];
for (const line of readFileSync(join(repo, 'tests', 'scenarios', 'irp.jsonl'), 'utf8').split('\n')) {
  if (!line.trim() || line.startsWith('#')) continue;
  const c = JSON.parse(line);
  const r = c.request;
  const want = c.expect.decision;
  if (want === 'error' || (r.basis ?? 'policy') === 'consent') continue;
  if (r.action !== 'use' && r.action !== 'provide') continue;
  if (!(c.expect.clauses ?? []).every((cl) => ENCODED.has(cl))) continue;
  cases.push({ name: c.name, request: r, want, clauses: c.expect.clauses ?? [] });
}
if (cases.length === 0) fail('no scenario of tests/scenarios/irp.jsonl matched the encoded clauses');
writeFileSync(join(outDir, 'workload.jsonl'),
  cases.map((c) => JSON.stringify(c.request)).join('\n') + '\n');
writeFileSync(join(outDir, 'expected.json'), JSON.stringify(cases.map((c) => c.want)));
if (args.includes('--prepare')) process.exit(0);

// ---- policies: validated against the schema, then parsed once --------------------------------

const schemaText = readFileSync(join(here, 'irp.cedarschema'), 'utf8');
const policyText = readFileSync(join(here, 'irp.cedar'), 'utf8');
const parts = cedar.policySetTextToParts(policyText);
if (parts.type !== 'success') fail('irp.cedar does not parse', parts.errors);
const staticPolicies = {};
for (const p of parts.policies) {
  const m = p.match(/@id\("([^"]+)"\)/);
  if (!m || staticPolicies[m[1]]) fail('every policy in irp.cedar needs its own @id("...")', p);
  staticPolicies[m[1]] = p;
}
const policies = { staticPolicies };
const v = cedar.validate({ schema: schemaText, policies, validationSettings: { mode: 'strict' } });
if (v.type !== 'success') fail('irp.cedar or irp.cedarschema is invalid', v.errors);
if (v.validationErrors.length) fail('irp.cedar does not validate against irp.cedarschema', v.validationErrors);
const pre = cedar.preparsePolicySet('irp', policies);
if (pre.type !== 'success') fail('preparsePolicySet failed', pre.errors);

const calls = cases.map((c) => ({ ...toCedar(c.request), preparsedPolicySetId: 'irp' }));
const plainCalls = cases.map((c) => ({ ...toCedar(c.request), policies }));

// ---- agreement with the scenarios ------------------------------------------------------------

let agree = 0;
let allows = 0;
let cited = 0; // decisions for which Cedar named deciding policies
let citedAgree = 0; // ... and every one of them encodes a clause the scenario expects

const disagreements = [];
calls.forEach((call, i) => {
  const a = cedar.statefulIsAuthorized(call);
  if (a.type !== 'success') fail(`Cedar failed on scenario '${cases[i].name}'`, a.errors);
  if (a.response.diagnostics.errors.length)
    fail(`policy errors on scenario '${cases[i].name}'`, a.response.diagnostics.errors);
  const got = a.response.decision;
  if (got === 'allow') allows++;
  if (got === cases[i].want) agree++;
  else disagreements.push(`  '${cases[i].name}': Cedar ${got} (${a.response.diagnostics.reason.join(', ') || 'no policy'}), expected ${cases[i].want}`);
  const reasons = a.response.diagnostics.reason;
  if (reasons.length) {
    cited++;
    if (reasons.every((r) => cases[i].clauses.some((cl) => r === cl || r.startsWith(cl + ' ')))) citedAgree++;
  }
});
const nAllow = cases.filter((c) => c.want === 'allow').length;
const meanEntities = calls.reduce((n, c) => n + c.entities.length, 0) / calls.length;
console.log(`Cedar ${cedar.getCedarVersion()} (cedar-wasm ${cedar.getCedarSDKVersion?.() ?? '?'}), ` +
  `${Object.keys(staticPolicies).length} policies, ${entities.size} vocabulary entities ` +
  `(${meanEntities.toFixed(1)} passed per request on average)`);
console.log(`sample: ${cases.length} irp scenarios (${nAllow} allow, ${cases.length - nAllow} deny); ` +
  `Cedar agrees with the expected decision on ${agree}/${cases.length}`);
for (const d of disagreements) console.log(d);
console.log(`clauses: where Cedar names the deciding policies (${cited} decisions), they are the ` +
  `scenario's expected clauses in ${citedAgree}/${cited}`);

// ---- timing ----------------------------------------------------------------------------------

const nowNs = process.hrtime.bigint;
function throughput(fn, list, secs) {
  let n = 0;
  const t0 = nowNs();
  const limit = BigInt(Math.round(secs * 1e9));
  let t;
  do {
    for (let k = 0; k < 64; k++) fn(list[n++ % list.length]);
    t = nowNs() - t0;
  } while (t < limit);
  return n / (Number(t) / 1e9);
}
function latencies(fn, list, secs) {
  const lat = [];
  const t0 = nowNs();
  const limit = BigInt(Math.round(secs * 1e9));
  let i = 0;
  while (nowNs() - t0 < limit) {
    const c = list[i++ % list.length];
    const a = nowNs();
    fn(c);
    lat.push(Number(nowNs() - a) / 1e3);
  }
  lat.sort((x, y) => x - y);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))];
  return { samples: lat.length, median_us: q(0.5), p99_us: q(0.99), p999_us: q(0.999) };
}

const stateful = (c) => cedar.statefulIsAuthorized(c);
const plain = (c) => cedar.isAuthorized(c);
throughput(stateful, calls, Math.min(2, seconds / 4)); // warm-up (JIT, wasm tiers, caches)
const tput = throughput(stateful, calls, seconds / 2);
const lat = latencies(stateful, calls, seconds / 2);
throughput(plain, plainCalls, 0.5);
const plainLat = latencies(plain, plainCalls, Math.min(2, seconds / 4));

const result = {
  cedar_version: cedar.getCedarVersion(),
  requests: cases.length, allow_expected: nAllow, agree, cedar_allow: allows, cited, cited_agree: citedAgree,
  entities_per_request: meanEntities,
  stateful: { decisions_per_s: tput, ...lat },
  reparse_each_call: plainLat,
};
writeFileSync(join(outDir, 'cedar.json'), JSON.stringify(result, null, 2));
console.log(`Cedar statefulIsAuthorized (policies parsed once): ${tput.toFixed(0)} decisions/s; ` +
  `median ${lat.median_us.toFixed(1)} µs, p99 ${lat.p99_us.toFixed(1)} µs over ${lat.samples} calls`);
console.log(`Cedar isAuthorized (policy text parsed on every call): median ${plainLat.median_us.toFixed(1)} µs, ` +
  `p99 ${plainLat.p99_us.toFixed(1)} µs`);
