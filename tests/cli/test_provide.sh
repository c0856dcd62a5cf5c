#!/usr/bin/env bash
# Black-box test of `hogo provide` and `hogo receive`: a decision on the stored facts and the
# APPI Art. 29 / Art. 30 record written together, a denial audited without a record, the
# operator's own retention for records the law does not require, --apply executing the
# deidentify obligation, and a receipt refused without its confirmation. Test layer.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
unset HOGO_MASTER_KEY HOGO_MASTER_KEY_FILE HOGO_SIGNING_KEY_FILE HOGO_OWN_RETENTION_YEARS
# json_is EXPR: EXPR (Python, over r = the last stdout as JSON) holds.
json_is() { python3 -c 'import json,sys; r=json.load(open(sys.argv[2])); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" "$scratch/out" 2>/dev/null; }
"$HOGO" init >/dev/null 2>&1
"$HOGO" key generate --signing "$scratch/sk" >/dev/null 2>&1
export HOGO_SIGNING_KEY_FILE=$scratch/sk
"$HOGO" subject add u1 --operator irp >/dev/null
"$HOGO" subject set u1 applied_to 6100000000001 >/dev/null

allowed='{"policy":"irp","subject_id":"u1","action":"provide","purpose":"recruitment_selection","data":["name","email"],"service":"recruit_agent","recipient":{"id":"participating_company","corporate_number":"6100000000001"}}'
denied='{"policy":"irp","subject_id":"u1","action":"provide","purpose":"recruitment_selection","data":["name"],"recipient":{"id":"participating_company","corporate_number":"3200000000002"}}'
court='{"policy":"irp","subject_id":"u1","action":"provide","purpose":"legal_response","data":["name","address"],"recipient":{"id":"court"},"basis":"court_order"}'
deid='{"policy":"irp","subject_id":"u1","action":"provide","purpose":"sales_proposal","data":["attributes","service_usage"],"recipient":{"id":"prospective_client"},"form":"deidentified"}'
receive='{"policy":"irp","subject_id":"u1","action":"receive","purpose":"billing_confirmation","data":["prior_application_fact"],"recipient":{"id":"participating_company","corporate_number":"6100000000001"}}'

run "$allowed" provide --recipient-address "東京都千代田区1-1" --recipient-representative "代表 一郎"
check "allowed provision exits 0 with its record id and the Art.29 obligation" \
    all 'exit_is 0' 'json_is "r[\"record_id\"].startswith(\"prov-\") and r[\"record_required\"] and r[\"decision\"][\"decision\"]==\"allow\""'
id=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['record_id'])" "$scratch/out")
run '' ledger show "$id"
check "the record holds recipient, items, address and statutory retention" \
    all 'exit_is 0' 'json_is "r[\"items\"]==[\"name\",\"email\"] and r[\"address\"]==\"東京都千代田区1-1\" and r[\"retention_years\"]==3 and r[\"record_required\"]"'

run "$denied" provide
check "denied provision exits 1 and has no record" \
    all 'exit_is 1' 'json_is "r[\"record_id\"] is None and r[\"decision\"][\"decision\"]==\"deny\""'
run '' ledger list --kind provisions
check "only the allowed provision is in the ledger" \
    json_is 'len(r)==1 and r[0]["id"]=="'"$id"'"'
run '' audit export --out "$scratch/a.jsonl"
check "the denial is an audit event" grep -q '"action":"decision","object":"policy:irp decision:deny' "$scratch/a.jsonl"

run "$court" provide --own-retention 5
check "a court order is recorded without the statutory duty, kept for the operator's 5 years" \
    all 'exit_is 0' 'json_is "r[\"record_required\"]==False and r[\"record_id\"]"'
run '' ledger list --kind provisions
check "the court-order record says record_required false, retention 5" \
    json_is 'any(x["basis"]=="court_order" and x["record_required"]==False and x["retention_years"]==5 for x in r)'
run "$court" provide --own-retention 0
check "a bad --own-retention is refused" all 'exit_is 2' 'stderr_has "1 to 100 years"'

events_before=$("$HOGO" audit export | wc -l)
printf 'name,age,gender,service_usage\nX,34,男性,5\nY,41,女性,3\n' > "$scratch/named.csv"
run "$deid" provide --apply "$scratch/named.csv" --out "$scratch/o0.csv"
check "--apply refuses a column the request does not provide (names for data [attributes, service_usage])" \
    all 'exit_is 2' 'stderr_has "column .name. of"' 'stderr_has "does not provide"' '! [ -e "$scratch/o0.csv" ]' '! [ -e "$scratch/o0.csv.partial" ]'
printf 'memo,age\nx,34\n' > "$scratch/memo.csv"
run "$deid" provide --apply "$scratch/memo.csv" --out "$scratch/o0.csv"
check "--apply refuses a column that names no data category" \
    all 'exit_is 2' 'stderr_has "column .memo. of"' 'stderr_has "names no data category"' '! [ -e "$scratch/o0.csv" ]'
check "a refused --apply records nothing, not even the decision" \
    all '[ "$("$HOGO" audit export | wc -l)" = "$events_before" ]'
printf '年齢,gender,service_usage\n34,男性,5\n41,女性,3\n' > "$scratch/d.csv"
run "$deid" provide --apply "$scratch/d.csv" --out "$scratch/o.csv"
check "--apply executes the deidentify obligation (parts of attributes by id or Japanese name)" \
    all 'exit_is 0' 'grep -q "^年代,gender,service_usage" "$scratch/o.csv"' 'grep -q "30代" "$scratch/o.csv"' '! grep -q "34" "$scratch/o.csv"'
did=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['record_id'])" "$scratch/out")
run '' ledger show "$did"
check "the record names the transformation and the output's hash" \
    all 'stdout_has "\"deidentify\":\\{\"type\":\"deidentify\""' "stdout_has $(b2sum -l 256 "$scratch/o.csv" | cut -c1-64)"
printf 'name,email\nX,x@example.jp\n' > "$scratch/ne.csv"
run "$allowed" provide --apply "$scratch/ne.csv" --out "$scratch/o2.csv"
check "--apply without a deidentify obligation is refused and records nothing" \
    all 'exit_is 2' 'stderr_has "no deidentify obligation"' '! [ -e "$scratch/o2.csv" ]' '! [ -e "$scratch/o2.csv.partial" ]'
run '' ledger list --kind provisions
check "still three provision records" json_is 'len(r)==3'

run "$receive" receive --provider-name "株式会社テスト" --provider-address "東京都" --provider-representative "山田"
check "a receipt without how the data was obtained is refused" \
    all 'exit_is 2' 'stderr_has "acquisition is missing"'
printf '{"provider_name":"株式会社テスト","provider_address":"東京都港区","provider_representative":"山田","acquisition":"本人の同意を得て取得"}' > "$scratch/conf.json"
run "$receive" receive --confirmation "$scratch/conf.json"
check "a confirmed receipt is recorded (Art.30)" \
    all 'exit_is 0' 'json_is "r[\"record_id\"].startswith(\"rcpt-\") and r[\"record_required\"]"'
run '' ledger list --kind receipts
check "the receipt record holds the confirmation" json_is 'len(r)==1 and r[0]["acquisition"]=="本人の同意を得て取得" and r[0]["address"]=="東京都港区"'

# one output contract for check and provide: json indented alike, jsonl one line, text for a person
run "$allowed" check --subject u1
cp "$scratch/out" "$scratch/check.json"
run "$allowed" provide
check "provide's default JSON is indented as check's, and its decision is check's answer" \
    all 'exit_is 0' 'stdout_has "  \"record_id\": \"prov-"' \
    'python3 -c "import json,sys; p=json.load(open(sys.argv[1])); c=json.load(open(sys.argv[2])); sys.exit(0 if p[\"decision\"]==c else 1)" "$scratch/out" "$scratch/check.json"' \
    'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); t=open(sys.argv[1]).read(); sys.exit(0 if t==json.dumps(d,indent=2,ensure_ascii=False)+chr(10) else 1)" "$scratch/out"'
run "$allowed" provide --format jsonl
check "provide --format jsonl writes one line" \
    all 'exit_is 0' '[ "$(wc -l < "$scratch/out")" = 1 ]' 'json_is "r[\"record_id\"].startswith(\"prov-\")"'
run "$allowed" provide --format text
check "provide --format text is Japanese and names the record" \
    all 'exit_is 0' 'stdout_has "許可"' 'stdout_has "記録: prov-"' 'stdout_has "法令上作成が必要な記録"'
run "$denied" provide --format text --lang en
check "provide --format text --lang en says nothing was recorded" \
    all 'exit_is 1' 'stdout_has "Record: none"'
run "$allowed" provide --format yaml
check "provide --format yaml is hogo's own usage error" all 'exit_is 2' 'stderr_has "json, jsonl or text"'
run "$receive" receive --format jsonl --confirmation "$scratch/conf.json"
check "receive takes --format jsonl" all 'exit_is 0' '[ "$(wc -l < "$scratch/out")" = 1 ]'

# a text listing of the records is for a person: Japanese headers and names, ids in JSON only
run '' ledger list --kind provisions --format text
check "ledger list --format text is Japanese: headers, the kind, purpose and items by name" \
    all 'exit_is 0' 'stdout_has "^種別 +記録ID +本人ID"' 'stdout_has "^提供 +prov-"' \
        'stdout_has "氏名、"' '! stdout_has "recruitment_selection"' '! stdout_has "participating_company"'
run '' ledger list --kind provisions --format text --lang en
check "ledger list --format text --lang en keeps the ids" \
    all 'exit_is 0' 'stdout_has "^type +id +subject_id"' 'stdout_has "recruitment_selection"'
run '' ledger list --kind provisions --format csv
check "ledger list --format csv keeps the ids whatever the language" \
    all 'exit_is 0' 'stdout_has "recruitment_selection"' '! stdout_has "種別"'

run "$allowed" provide --subject nobody
check "an unknown subject is refused" all 'exit_is 2' 'stderr_has "nobody"'
run "$receive" provide
check "provide refuses action receive" all 'exit_is 2' 'stderr_has "action"'

run '' audit verify --public-key "$scratch/sk.pub"
check "the audit log verifies" exit_is 0
run '{"policy":"policies/irp.yaml","subject_id":"u1","action":"provide","purpose":"recruitment_selection","data":["name"],"recipient":{"id":"court"}}' provide
check "provide refuses a request whose policy is a file path" \
    all 'exit_is 2' 'stderr_has "not a policy id"'
finish
