#!/usr/bin/env bash
# Black-box tests of `hogo check` (docs/decision.md): exit codes 0 allow / 1 deny / 2 bad
# input, every kind of bad request rejected with its JSON pointer and a hint on stderr and
# nothing on stdout, --format text, --jsonl, HOGO_POLICY_PATH, --max-request, --help and
# --version. Test layer; run from the repository root with HOGO=<path to hogo>.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

# json_is PYTHON-EXPR: the expression over the parsed stdout (r) is true.
json_is() {
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$scratch/out" "$1" 2>/dev/null
}

# jsonl_is PYTHON-EXPR: the expression over the parsed stdout lines (rs) is true.
jsonl_is() {
    python3 -c 'import json,sys; rs=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$scratch/out" "$1" 2>/dev/null
}

# rejected POINTER PATTERN: exit 2, nothing on stdout, "hogo: POINTER: ..." on stderr with
# PATTERN (what is wrong and what to do) in it.
rejected() {
    exit_is 2 && stdout_empty && stderr_has "^hogo: $1: " && stderr_has "$2"
}

# bad NAME POINTER PATTERN REQUEST: REQUEST under --policy irp is rejected at POINTER.
bad() {
    run "$4" check --policy irp
    check "$1" rejected "$2" "$3"
}

use='"policy":"irp","action":"use","purpose":"service_operation"'
spec_example='{"policy":"irp","at":"2026-11-25T10:00:00+09:00","action":"provide",
 "purpose":"recruitment_selection","data":["name","contact","work_history"],
 "service":"recruit_agent","recipient":{"id":"participating_company",
 "corporate_number":"9234567890123","country":"JP"},"form":"identified","basis":"policy",
 "subject":{"age":34,"applied_to":["9234567890123"],"blocked_companies":[]}}'
opted_out='{"policy":"irp","action":"use","purpose":"ad_delivery","data":["cookie"],"subject":{"opt_outs":["ad_delivery"]}}'
provide='"policy":"irp","action":"provide","purpose":"recruitment_selection","data":["name"]'

# --- exit codes and the response ---------------------------------------------------------
run "$spec_example" check --policy irp
check "allow exits 0" exit_is 0
check "allow answers the decision.md example with clause 3(1) and an Art.29 record" \
    json_is 'r["decision"]=="allow" and r["policy"]=="irp" and r["policy_version"]=="2025-04-01" and r["reasons"][0]["clause"]=="3(1)" and r["reasons"][0]["effect"]=="permit" and any(o["type"]=="record_provision" and o["retention_years"]==3 for o in r["obligations"])'
check "allow prints nothing on stderr" test -z "$err"

run "$opted_out" check --policy irp
check "deny exits 1" exit_is 1
check "deny names the forbidding clause" \
    json_is 'r["decision"]=="deny" and r["reasons"] and r["reasons"][0]["effect"]=="forbid" and r["reasons"][0]["quote"]'

run '{'"$use"',"data":["name","email"],"subject":{"age":14}}' check --policy irp
check "deny of an under-16 person cites the preamble and asks for guardian consent" \
    all 'exit_is 1' 'json_is "r[\"reasons\"][0][\"clause\"]==\"preamble\" and any(o[\"type\"]==\"guardian_consent_required\" for o in r[\"obligations\"])"'

printf '%s' "$spec_example" >"$scratch/request.json"
run '' check --policy irp "$scratch/request.json"
check "a request file argument is read instead of stdin" all 'exit_is 0' 'json_is "r[\"decision\"]==\"allow\""'

run "$spec_example" check
check "without --policy the request's own policy is used" all 'exit_is 0' 'json_is "r[\"policy\"]==\"irp\""'

run "$spec_example" check --policy policies/irp.yaml
check "--policy takes a policy file" all 'exit_is 0' 'json_is "r[\"decision\"]==\"allow\""'

# --- bad requests: exit 2, the pointer and a hint on stderr, nothing on stdout -----------
bad "not JSON is rejected" "/" "not valid JSON" 'policy: irp'
check "a JSON syntax error is one line saying how to fix it" \
    all '[ "$(wc -l <"$scratch/err")" -eq 1 ]' 'stderr_has "not valid JSON.*fix the JSON syntax"'
bad "truncated JSON is rejected where the value is missing" "/action" "not valid JSON" '{"policy":"irp","action":'
bad "an empty request is rejected" "/" "empty.*JSON object" ''
bad "a JSON array is rejected" "/" "object" '[1,2]'
bad "invalid UTF-8 is rejected" "/data/0" "UTF-8" "$(printf '{%s,"data":["na\xffme"]}' "$use")"
bad "Shift_JIS text (not UTF-8) is rejected" "/consent_id" "UTF-8" \
    "$(printf '{%s,"data":["name"],"consent_id":"\x8e\x81\x96\xbc"}' "$use")"
bad "a lone high surrogate escape is rejected at its value" "/service" "surrogate" \
    '{'"$use"',"data":["name"],"service":"\ud800"}'
bad "a lone low surrogate escape is rejected at its value" "/data/0" "surrogate" \
    '{'"$use"',"data":["\udc00"]}'
bad "data of the wrong type is rejected" "/data" "wrong type.*array of data category ids" \
    '{'"$use"',"data":"name"}'
bad "an age of the wrong type is rejected" "/subject/age" "wrong type.*integer" \
    '{'"$use"',"data":["name"],"subject":{"age":"34"}}'
bad "a boolean fact of the wrong type is rejected" "/subject/guardian_consent" "wrong type" \
    '{'"$use"',"data":["name"],"subject":{"guardian_consent":"yes"}}'
bad "a policy id of the wrong type is rejected" "/policy" "wrong type" \
    '{"policy":1,"action":"use","purpose":"service_operation","data":["name"]}'
bad "an unknown data category suggests the nearest one" "/data/1" "unknown data category 'nmae'.*did you mean 'name'" \
    '{'"$use"',"data":["email","nmae"]}'
bad "an unknown purpose suggests the nearest one" "/purpose" "unknown purpose.*did you mean 'service_operation'" \
    '{"policy":"irp","action":"use","purpose":"service_operaton","data":["name"]}'
bad "an unknown action suggests the nearest one" "/action" "did you mean 'provide'" \
    '{"policy":"irp","action":"provid","purpose":"recruitment_selection","data":["name"]}'
bad "an unknown recipient suggests the nearest one" "/recipient/id" "did you mean 'loyalty_marketing'" \
    '{'"$provide"',"recipient":{"id":"loyalty_marketting"}}'
bad "an unknown subject fact is rejected" "/subject/linked_acounts" "linked_acounts" \
    '{'"$use"',"data":["name"],"subject":{"linked_acounts":["ponta"]}}'
bad "empty data is rejected" "/data" "empty.*list the data categories" '{'"$use"',"data":[]}'
bad "a missing action is rejected" "/action" "no \"action\"" \
    '{"policy":"irp","purpose":"service_operation","data":["name"]}'
bad "an invalid corporate number check digit is rejected" "/recipient/corporate_number" "corporate number.*check digit" \
    '{'"$provide"',"recipient":{"id":"participating_company","corporate_number":"1234567890123"}}'
bad "a corporate number of the wrong length is rejected" "/recipient/corporate_number" "13 digits" \
    '{'"$provide"',"recipient":{"id":"participating_company","corporate_number":"923456789012"}}'
bad "basis consent without consent_id is rejected" "/consent_id" "consent_id" \
    '{'"$use"',"data":["name"],"basis":"consent"}'
bad "basis consent naming a consent the subject has not given is rejected" "/consent_id" "subject.consents" \
    '{'"$use"',"data":["name"],"basis":"consent","consent_id":"c9","subject":{"consents":[{"id":"c1","recipient":"recruit","purpose":"service_operation","data":["name"]}]}}'
bad "a purpose used with the wrong action is rejected" "/purpose" "not used with action 'use'.*pick a purpose" \
    '{"policy":"irp","action":"use","purpose":"recruitment_selection","data":["name"]}'
bad "provide without a recipient is rejected" "/recipient" "needs a \"recipient\"" '{'"$provide"'}'
bad "outsource without a recipient is rejected" "/recipient" "needs a \"recipient\"" \
    '{"policy":"irp","action":"outsource","purpose":"outsourced_processing","data":["name"]}'
bad "a request for another policy than --policy is rejected" "/policy" "'rcc'.*--policy" \
    '{"policy":"rcc","action":"use","purpose":"service_operation","data":["name"]}'
deep40=$(printf '[%.0s' {1..40})$(printf ']%.0s' {1..40})
bad "a request nested 40 levels deep (in data) is rejected" "/data/0" "." \
    '{'"$use"',"data":'"$deep40"'}'
bad "a request nested 40 levels deep (in consents) is rejected" "/subject/consents/0" "." \
    '{'"$use"',"data":["name"],"subject":{"consents":'"$deep40"'}}'

# 70 KiB: over the default 64 KiB limit, accepted when the limit is raised
python3 -c 'import sys; sys.stdout.write("{\"policy\":\"irp\",\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"]" + " " * (70 * 1024) + "}")' >"$scratch/big.json"
run_file "$scratch/big.json" check --policy irp
check "a 70 KiB request is over the 64 KiB limit" rejected "/" "over the limit.*--max-request"
run_file "$scratch/big.json" check --policy irp --max-request 100000
check "--max-request 100000 accepts the 70 KiB request" all 'exit_is 0' 'json_is "r[\"decision\"]==\"allow\""'
run '{'"$use"',"data":["name","email","phone","address"]}' check --policy irp --max-request 64
check "--max-request 64 rejects a 100-byte request" rejected "/" "over the limit.*--max-request"
run '{'"$use"',"data":["name"]}' check --policy irp --max-request nope
check "a --max-request that is not a number is a usage error" all 'exit_is 2' stdout_empty 'stderr_has "max-request"'

# --- --format text -----------------------------------------------------------------------
run '{'"$use"',"data":["name"]}' check --policy irp --format text
check "--format text shows the clause and its Japanese quote" \
    all 'exit_is 0' 'stdout_has "2\(1\)"' 'stdout_has "「ユーザーが利用する当社サービス（利用登録手続き中の当社サービスを含みます）の運営およびそれに伴うユーザーとのやりとり・情報提供」"'
run "$opted_out" check --policy irp --format text
check "--format text keeps the deny exit code and speaks Japanese" \
    all 'exit_is 1' 'stdout_has "^不可"' 'stdout_has "この条項により認められません"' \
    'stdout_has "解除されるのは「法令に基づく場合」"'
check "Japanese text shows no internal ids" \
    all 'stdout_lacks "police_investigation"' 'stdout_lacks "lifted only by basis"'
run "$opted_out" check --policy irp --format text --lang en
check "--lang en writes English text" all 'exit_is 1' 'stdout_has "^DENY"'
run "$opted_out" check --policy irp --format text --lang fr
check "an unknown --lang is a usage error" all 'exit_is 2' stdout_empty 'stderr_has "ja or en"'
run '{"policy":"irp","action":"provide","purpose":"sales_proposal","data":["name"],"recipient":{"id":"prospective_client"}}' check --policy irp --format text
check "what is missing is a sentence, and the duties are in the statute's terms" \
    all 'exit_is 1' 'stdout_has "加工した上でなければ扱えません"'
run '{"policy":"irp","action":"provide","purpose":"ponta_registration","data":["name"],"recipient":{"id":"loyalty_marketing"},"subject":{"linked_accounts":["ponta"]}}' check --policy irp --format text
check "a continuing provision's record duty says so, in the statute's terms" \
    all 'exit_is 0' 'stdout_has "第三者提供に係る記録の作成（法第29条）、保存期間3年（最後に提供した日から起算）"' \
    'stdout_has "一括して記録できます"'
run '{'"$use"',"data":["name"]}' check --policy irp --format yaml
check "an unknown --format is a usage error" all 'exit_is 2' stdout_empty 'stderr_has "json, jsonl or text"'

# --- --jsonl -----------------------------------------------------------------------------
lines='{'"$use"',"data":["name"]}
not json
'"$opted_out"'

{'"$use"',"data":["nmae"]}
{"policy":"irp","action":"use","purpose":"service_operation","data":["email"],"service":"\ud800"}
'"$(printf '%s' "$spec_example" | tr -d '\n')"'
'
run "$lines" check --policy irp --jsonl
check "--jsonl exits 2 when a line was bad" exit_is 2
check "--jsonl answers every non-blank line, one line each" jsonl_is 'len(rs)==6'
check "--jsonl answers in order, a bad line with {\"error\"} on its line" \
    jsonl_is 'rs[0]["decision"]=="allow" and "error" in rs[1] and rs[2]["decision"]=="deny" and "error" in rs[3] and "error" in rs[4] and rs[5]["decision"]=="allow"'
check "--jsonl errors carry the pointer and the suggestion" \
    jsonl_is 'rs[1]["error"]["where"]=="/" and rs[3]["error"]["where"]=="/data/0" and "did you mean" in rs[3]["error"]["message"]'
run '{'"$use"',"data":["name"]}
'"$opted_out"'
' check --policy irp --jsonl
check "--jsonl exits 0 when no line was bad, even with a deny" \
    all 'exit_is 0' 'jsonl_is "len(rs)==2 and rs[0][\"decision\"]==\"allow\" and rs[1][\"decision\"]==\"deny\""'
run '{"policy":"rcc","action":"use","purpose":"service_operation","data":["name"]}
{'"$use"',"data":["name"]}
' check --jsonl
check "--jsonl without --policy answers each line under its own policy" \
    all 'exit_is 0' 'jsonl_is "[r[\"policy\"] for r in rs]==[\"rcc\",\"irp\"]"'
python3 -c '
import json
base = {"policy": "irp", "action": "use", "purpose": "service_operation", "data": ["name"]}
for i in range(2000):
    print(json.dumps(dict(base, data=["name", "email"][: 1 + i % 2])) if i != 1234 else "{")
' >"$scratch/many.jsonl"
run_file "$scratch/many.jsonl" check --policy irp --jsonl
check "--jsonl keeps order over 2000 lines with one bad line in the middle" \
    all 'exit_is 2' 'jsonl_is "len(rs)==2000 and all((\"error\" in r) == (i == 1234) for i, r in enumerate(rs))"'

# --- HOGO_POLICY_PATH --------------------------------------------------------------------
mkdir -p "$scratch/pp/text"
cp policies/vocabulary.yaml "$scratch/pp/"
cp policies/text/*.txt "$scratch/pp/text/"
sed "s/^version: '2025-04-01'/version: '2025-05-01'/" policies/irp.yaml >"$scratch/pp/irp.yaml"
run '{'"$use"',"data":["name"]}' check --policy irp
check "without HOGO_POLICY_PATH the shipped irp answers" json_is 'r["policy_version"]=="2025-04-01"'
rc=0
printf '%s' '{'"$use"',"data":["name"]}' | HOGO_POLICY_PATH="$scratch/pp" "$HOGO" check --policy irp \
    >"$scratch/out" 2>"$scratch/err" || rc=$?
check "HOGO_POLICY_PATH: the copy in its directory is picked up first" \
    all 'exit_is 0' 'json_is "r[\"policy_version\"]==\"2025-05-01\""'
rc=0
printf '%s' '{'"$use"',"data":["name"]}' | HOGO_POLICY_PATH="$scratch/none:$scratch/pp" "$HOGO" check \
    >"$scratch/out" 2>"$scratch/err" || rc=$?
check "HOGO_POLICY_PATH: each directory is searched in turn, also for the request's own policy" \
    all 'exit_is 0' 'json_is "r[\"policy_version\"]==\"2025-05-01\""'
run '{'"$use"',"data":["name"]}' check --policy nosuchpolicy
check "an unknown --policy id is exit 2 with a message" all 'exit_is 2' stdout_empty 'stderr_has "nosuchpolicy"'

# --- --help and --version ----------------------------------------------------------------
run '' --help
check "hogo --help lists the commands" all 'exit_is 0' 'stdout_has "^usage: hogo"' 'stdout_has "check"' 'stdout_has "policy"'
run '' check --help
check "hogo check --help describes check and its exit status" \
    all 'exit_is 0' 'stdout_has "usage: hogo check"' 'stdout_has "--jsonl"' 'stdout_has "--max-request"' 'stdout_has "exit status"'
run '' help check
check "hogo help check is hogo check --help" all 'exit_is 0' 'stdout_has "usage: hogo check"'
run '' --version
check "hogo --version prints the version" all 'exit_is 0' 'stdout_has "^hogo [0-9]+\.[0-9]+\.[0-9]+"'
run '' frobnicate
check "an unknown command is exit 2 with a hint" all 'exit_is 2' stdout_empty 'stderr_has "hogo --help"'
run '' check --policy irp a.json b.json
check "two request files are a usage error" all 'exit_is 2' stdout_empty

# Without --policy the vocabulary and the policy ids come from $HOGO_POLICY_PATH, then the
# shipped policies: a vocabulary.yaml in the working folder is never read, and an unknown
# id is answered with the ids the vocabulary names, not a list written into the program.
mkdir -p "$scratch/mine" "$scratch/cwd"
hogo_abs=$(cd "$(dirname "$HOGO")" && pwd)/$(basename "$HOGO")
sed 's/^policies:$/policies:\n  zzz_company:\n    ja: 架空の会社\n    en: a policy named only in this vocabulary/' \
    policies/vocabulary.yaml >"$scratch/mine/vocabulary.yaml"
printf 'this is not a vocabulary\n' >"$scratch/cwd/vocabulary.yaml"
req_zzz='{"policy":"zzz_company","action":"use","purpose":"ad_delivery","data":["name"]}'
run "$req_zzz" check
check "an unknown policy id names the shipped vocabulary's policies" \
    all 'exit_is 2' 'stderr_has "name one of rcc rea rmc rkm irp"'
rc=0; (cd "$scratch/cwd" && HOGO_POLICY_PATH="$scratch/mine" "$hogo_abs" check <<<"$req_zzz") \
    >"$scratch/out" 2>"$scratch/err" || rc=$?
err=$(cat "$scratch/err")
check "the vocabulary of \$HOGO_POLICY_PATH is used, and its extra policy id is listed" \
    all 'exit_is 2' 'stderr_has "could not be loaded; name one of .*zzz_company"'
rc=0; (cd "$scratch/cwd" && "$hogo_abs" check "$OLDPWD/examples/irp-application.json") \
    >"$scratch/out" 2>"$scratch/err" || rc=$?
check "a vocabulary.yaml in the working folder is not read" all 'exit_is 0'

# --- an escaped NUL (\u0000) in any id, key or text is refused where it stands -------------
bad "NUL inside an id is refused, not read as the id before it" "/basis" "NUL character" \
    '{"policy":"irp","action":"provide","purpose":"legal_response","data":["name"],"recipient":{"id":"court"},"basis":"court_order\u0000x"}'
bad "NUL at the end of a fact name is refused" "/subject/age" "NUL character" \
    '{'"$provide"',"recipient":{"id":"court"},"subject":{"age\u0000":3}}'
bad "NUL in a request key is refused" "/action" "NUL character" \
    '{"policy":"irp","action\u0000":"use","purpose":"service_operation","data":["name"]}'
bad "NUL in a data category is refused" "/data/0" "NUL character" \
    '{'"$use"',"data":["name\u0000"]}'
bad "NUL in a free-text id is refused" "/subject_id" "NUL character" \
    '{'"$use"',"data":["name"],"subject_id":"u\u00001"}'

# --- a request names its policy by id; a file is only ever given on the command line ------
run '{"policy":"policies/irp.yaml","action":"use","purpose":"service_operation","data":["name"]}' check
check "a request's policy that is a file path is refused, not read" \
    rejected "/policy" "not a policy id"
run '{"policy":"/dev/zero","action":"use","purpose":"service_operation","data":["name"]}' check
check "a request's policy /dev/zero is refused at once" rejected "/policy" "not a policy id"
run '{"policy":"irp","action":"use","purpose":"service_operation","data":["name"]}' check --policy /dev/zero
check "--policy /dev/zero is refused as not a regular file" \
    all 'exit_is 2' 'stderr_has "not a regular file"'

finish
