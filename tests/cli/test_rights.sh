#!/usr/bin/env bash
# Black-box test of rights requests (hogo dsr) through the real hogo binary ($HOGO): every
# kind, the state machine, agents, identity verification, every refusal ground, every effect,
# the notices, deadlines and the overdue queue, and that after an erasure no command shows a
# value of the person. Test layer; runs from the repository root.
set -u
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
"$HOGO" init >/dev/null
"$HOGO" key generate "$scratch/mk" >/dev/null
export HOGO_MASTER_KEY_FILE=$scratch/mk
unset HOGO_NOW HOGO_ACTOR

printf '%s' '{"policy":"irp","action":"provide","purpose":"recruitment_selection","data":["name","contact","work_history"],"service":"recruit_agent","recipient":{"id":"participating_company","corporate_number":"9234567890123"}}' >"$scratch/provide.json"
printf '%s' '{"policy":"irp","action":"use","purpose":"service_operation","data":["name"],"service":"recruit_agent"}' >"$scratch/use.json"

# person P with facts that let a provision and a use through
person() {
    "$HOGO" subject add "$1" --operator irp >/dev/null
    "$HOGO" subject set "$1" age "${2:-34}" >/dev/null
    "$HOGO" subject set "$1" applied_to 9234567890123 >/dev/null
}
# open SUBJECT KIND [ARGS...]: opens a request, its id in $id
open_req() {
    local s=$1 k=$2
    shift 2
    run '' dsr open --subject "$s" --kind "$k" "$@"
    id=$out
}
# has TEXT / has_re REGEX: the last run's stdout holds it (as text even if not UTF-8)
has() { grep -aqF -- "$1" "$scratch/out"; }
has_re() { grep -aqE -- "$1" "$scratch/out"; }
verify() { "$HOGO" dsr verify "$1" --method "${2:-login_session}" --verifier clerk >/dev/null; }

# --- every kind opens, and open prints the id alone on one line ---
person k1
for kind in disclosure provision_records correction deletion suspension erasure cessation purpose_notice; do
    open_req k1 "$kind"
    check "open $kind prints the id alone" all 'exit_is 0' \
        '[ "$(wc -l <"$scratch/out")" -eq 1 ]' 'stdout_has "^dsr-[0-9a-f]{24}$"'
done
run '' dsr open --subject k1 --kind deletion_of_everything
check "an unknown kind is refused with the list" all 'exit_is 2' 'stderr_has "purpose_notice"' 'stdout_empty'
run '' dsr open --subject nobody --kind disclosure
check "an unknown subject is refused" all 'exit_is 2' 'stderr_has "not found"'
run '' dsr list --subject k1 --state received
check "the list is JSON" python3 -c "import json,sys; json.loads(sys.argv[1])" "$out"
check "the eight requests are listed as received" all '[ "$(grep -o "\"state\":\"received\"" "$scratch/out" | wc -l)" -eq 8 ]'

# --- the state machine ---
open_req k1 suspension
sm=$id
run '' dsr complete "$sm"
check "a request cannot be completed before identity is verified" all 'exit_is 2' 'stderr_has "verify it first"'
run '' dsr verify "$sm" --method fax --verifier clerk
check "an unknown verification method is refused" all 'exit_is 2' 'stderr_has "callback"'
run '' dsr verify "$sm" --method documents --verifier clerk --pending --actor officer_a
check "documents requested: identity pending" exit_is 0
run '' dsr show "$sm"
check "state identity_pending" stdout_has '"state":"identity_pending"'
run '' dsr verify "$sm" --method documents --verifier suzuki --actor officer_a
check "verified" exit_is 0
run '' dsr show "$sm"
check "verification recorded with method, verifier and time" \
    stdout_has '"verification":\{"method":"documents","verifier":"suzuki","at":"[0-9T:-]+Z"\}'
run '' dsr withdraw "$sm" --actor officer_b
check "withdrawn" exit_is 0
run '' dsr complete "$sm"
check "a withdrawn request stays closed" all 'exit_is 2' 'stderr_has "withdrawn"'
run '' dsr show "$sm"
check "history names every transition" \
    stdout_has '"history":\[\{"from":null,"to":"received".*"to":"identity_pending".*"to":"verified".*"to":"withdrawn"'
run '' audit export
check "every transition is an audit event naming its actor" all \
    'stdout_has "\"actor\":\"officer_a\",\"action\":\"dsr.identity_pending\""' \
    'stdout_has "\"actor\":\"officer_a\",\"action\":\"dsr.verified\""' \
    'stdout_has "\"actor\":\"officer_b\",\"action\":\"dsr.withdrawn\""'

# --- agents (APPI Art. 37, Cabinet Order Art. 13) ---
open_req k1 disclosure --agent legal_representative --agent-name "山田花子" --represents minor
check "an adult has no legal representative as a minor" all 'exit_is 2' 'stderr_has "not a minor"'
person m1 14
open_req m1 disclosure --agent legal_representative --agent-name "山田花子" --represents minor
check "a minor's legal representative may ask" exit_is 0
run '' dsr show "$id"
check "the agent is recorded" stdout_has '"agent":"legal_representative","agent_name":"山田花子","represents":"minor"'
open_req k1 disclosure --agent legal_representative --agent-name "後見人" --represents ward
check "a ward's legal representative may ask" exit_is 0
open_req k1 disclosure --agent legal_representative --agent-name X
check "a legal representative says whom it represents" all 'exit_is 2' 'stderr_has "ward"'
open_req k1 erasure --agent authorised_agent --agent-name "弁護士 佐藤"
check "an authorised agent needs its document" all 'exit_is 2' 'stderr_has "委任状"'
open_req k1 erasure --agent authorised_agent --agent-name "弁護士 佐藤" --agent-document POA-2026-001
check "an authorised agent with its document may ask" exit_is 0
open_req k1 erasure --agent friend --agent-name X
check "other agents are refused" all 'exit_is 2' 'stderr_has "authorised_agent"'
open_req k1 erasure --agent authorised_agent
check "an agent needs a name" all 'exit_is 2' 'stderr_has "agent-name"'

# --- every refusal ground, cited in the notice ---
run '' dsr grounds
grounds=$(grep -o '"ground":"[a-z_]*","article":"[^"]*","kinds":"[^"]*"' "$scratch/out")
check "ten grounds are listed" all '[ "$(printf "%s\n" "$grounds" | wc -l)" -eq 10 ]'
while IFS= read -r g; do
    name=$(printf '%s' "$g" | sed 's/"ground":"\([a-z_]*\)".*/\1/')
    article=$(printf '%s' "$g" | sed 's/.*"article":"\([^"]*\)".*/\1/')
    kinds=$(printf '%s' "$g" | sed 's/.*"kinds":"\([^"]*\)"/\1/')
    kind=${kinds%% *}
    [ "$kind" = "*" ] && kind=disclosure
    open_req k1 "$kind"
    run '' dsr refuse "$id" --ground "$name" --reason "補足の説明"
    check "refuse on $name" all 'exit_is 0' 'stdout_has "第36条"' "has \"根拠: $article\"" \
        'stdout_has "補足: 補足の説明"'
    run '' dsr show "$id"
    check "refused on $name is stored" all 'stdout_has "\"state\":\"refused\""' "stdout_has \"\\\"ground\\\":\\\"$name\\\"\""
done < <(printf '%s\n' "$grounds")
open_req k1 suspension
run '' dsr refuse "$id" --ground harm_to_person_or_others
check "a disclosure ground does not answer a suspension" all 'exit_is 2' 'stderr_has "does not answer"'
run '' dsr refuse "$id" --ground because
check "a ground the APPI does not know is refused" all 'exit_is 2' 'stderr_has "Art. 33"'

# --- effects ---
# suspension: every later decision denies, citing the rights clause
person s1
run_file "$scratch/provide.json" provide --subject s1 -
check "before suspension a provision is allowed" exit_is 0
open_req s1 suspension; verify "$id"
susp=$id
run '' dsr complete "$id"
check "suspension completed, the notice cites clause 7" all 'exit_is 0' 'stdout_has "第7項「ユーザー本人または代理人は"' 'stdout_has "利用を停止しました"'
run_file "$scratch/provide.json" provide --format jsonl --subject s1 -
check "after suspension a provision is denied by clause 7" all 'exit_is 1' 'stdout_has "\"clause\":\"7\""'
run '' audit export
check "the denial's audit event names the suspension request" has "decision:deny facts:stored request:$susp"
run_file "$scratch/use.json" check --subject s1 -
check "after suspension a use is denied by clause 7" all 'exit_is 1' 'stdout_has "\"clause\": \"7\""'
# cessation: provision stops, use goes on
person c1
open_req c1 cessation; verify "$id" callback
run '' dsr complete "$id"
check "cessation completed" all 'exit_is 0' 'stdout_has "第三者への提供を停止"'
run_file "$scratch/provide.json" provide --format jsonl --subject c1 -
check "after cessation a provision is denied" all 'exit_is 1' 'stdout_has "\"clause\":\"7\""'
run_file "$scratch/use.json" check --subject c1 -
check "after cessation a use is still allowed" exit_is 0
# correction: a new version, the old one kept sealed and linked in the audit trail
person r1
"$HOGO" data put r1 email old@example.jp >/dev/null
open_req r1 correction --item 1; verify "$id"
run '' dsr complete "$id"
check "a correction needs the new value" all 'exit_is 2' 'stderr_has "--value"'
run '' dsr complete "$id" --value new@example.jp
check "correction completed" all 'exit_is 0' 'stdout_has "訂正しました"'
run '' data list r1
check "the corrected item replaces the old one" all 'stdout_has "\"item_id\":2,\"category\":\"email\""' '! stdout_has "\"item_id\":1,"'
run '' data get r1 2
check "the new value reads back" stdout_has 'new@example.jp'
run '' audit export
check "the audit trail links the old version to the new" has_re 'old_item\\":1,\\"new_item\\":2'
check "the request never holds the value" all '! grep -q "new@example.jp" <("$HOGO" dsr list --subject r1)'
# addition
open_req r1 correction --category phone; verify "$id"
run '' dsr complete "$id" --value 03-1234-5678
check "addition completed" all 'exit_is 0' 'stdout_has "追加しました"'
# deletion
open_req r1 deletion --category phone; verify "$id"
run '' dsr complete "$id"
check "deletion completed" all 'exit_is 0' 'stdout_has "（1件）を削除"'
run '' data list r1
check "the deleted category is gone" all '! stdout_has "phone"'
# purpose notice from the policy file
open_req r1 purpose_notice; verify "$id"
run '' dsr complete "$id"
check "purpose notice lists the policy's purpose clauses" all 'exit_is 0' 'stdout_has "第2\(1\)項"' \
    'stdout_has "当社サービスの改善・新規開発"'
# disclosure package: JSON and HTML, method recorded
open_req r1 disclosure --method paper; verify "$id"
run '' dsr complete "$id" --out "$scratch/d.json" --html "$scratch/d.html"
check "disclosure completed on paper" all 'exit_is 0' 'stdout_has "書面の交付"'
check "the JSON package opens the values" grep -q '"category":"email","value":"new@example.jp"' "$scratch/d.json"
check "the JSON package is valid JSON" python3 -c "import json,sys; json.load(open('$scratch/d.json'))"
check "the HTML report is Japanese, self-contained and holds the value" all \
    "grep -q '<html lang=\"ja\">' '$scratch/d.html'" "grep -q 'new@example.jp' '$scratch/d.html'" \
    "! grep -qiE '<(script|link)|src=' '$scratch/d.html'" "grep -q '@media print' '$scratch/d.html'"
run '' audit export
check "the method is in the audit trail" has_re 'method\\":\\"paper'
open_req r1 provision_records; verify "$id"
run '' dsr complete "$id" --out "$scratch/r.json"
check "provision records disclosed (Art. 33(5))" all 'exit_is 0' "grep -q '\"provisions\":\\[' '$scratch/r.json'" \
    "! grep -q 'new@example.jp' '$scratch/r.json'"
open_req r1 disclosure; verify "$id"
run '' dsr complete "$id"
check "a disclosure needs somewhere to write" all 'exit_is 2' 'stderr_has "--out"'

# --- erasure: the key destroyed, records kept and said so; then no command shows a value ---
person e1
run_file "$scratch/provide.json" provide --subject e1 -
secrets=()
for i in 1 2 3 4 5; do
    v="secret-$RANDOM$RANDOM-$i@example.jp"
    secrets+=("$v")
    "$HOGO" data put e1 email "$v" >/dev/null
done
open_req e1 erasure; verify "$id" jpki
run '' dsr complete "$id"
check "erasure completed, says which records are kept" all 'exit_is 0' 'stdout_has "暗号鍵を破棄"' \
    'stdout_has "第29条）1件"'
open_req e1 disclosure; verify "$id"
"$HOGO" dsr complete "$id" --out "$scratch/e.json" --html "$scratch/e.html" >"$scratch/e.out" 2>&1
outs=$scratch/all-outputs
: >"$outs"
for cmd in "subject show e1" "subject disclose e1" "subject facts e1" "data list e1" \
    "data get e1 1" "data get e1 3" "dsr list --subject e1" "audit export" "ledger export" \
    "subject export" "subject export --format csv" "subject list"; do
    # shellcheck disable=SC2086
    "$HOGO" $cmd >>"$outs" 2>&1
done
cat "$scratch/e.json" "$scratch/e.html" "$scratch/e.out" >>"$outs"
leaked=0
for v in "${secrets[@]}"; do grep -qF "$v" "$outs" && leaked=1; done
check "after erasure no command shows any value of the person" all '[ "$leaked" -eq 0 ]'
check "the erased person's provision record is kept" grep -q '"subject_id":"e1"' <("$HOGO" ledger export)

# --- deadlines and the overdue queue ---
run '' dsr config --due-days 0
check "due days are 1-365" all 'exit_is 2' 'stderr_has "遅滞なく"'
run '' dsr config --due-days 5 --kind disclosure
check "due days per kind" exit_is 0
person d1
"$HOGO" dsr open --subject d1 --kind disclosure >"$scratch/d5"
"$HOGO" dsr open --subject d1 --kind erasure >"$scratch/d10"
run '' dsr show "$(cat "$scratch/d5")"
due=$(printf '%s' "$out" | python3 -c 'import json,sys,datetime as d; r=json.load(sys.stdin); f="%Y-%m-%dT%H:%M:%SZ"; print((d.datetime.strptime(r["due_at"],f)-d.datetime.strptime(r["received_at"],f)).days)')
check "due five days after receipt" all '[ "$due" = 5 ]'
# age the two requests: move their dates back in the database itself
age() { # DAYS: both requests received DAYS days ago
    python3 - "$HOGO_DB" "$1" "$(cat "$scratch/d5")" "$(cat "$scratch/d10")" <<'PY'
import sqlite3, sys
db, days, ids = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
c = sqlite3.connect(db)
shift = days * 86400 * 1000000
for i in ids:
    c.execute("UPDATE dsr_requests SET received_at = received_at - ?, due_at = due_at - ?"
              " WHERE request_id = ?", (shift, shift, i))
c.commit()
PY
}
age 6
run '' dsr list --overdue --subject d1
check "after six days the disclosure is overdue, the erasure not" all \
    "stdout_has \"$(cat "$scratch/d5")\"" "! stdout_has \"$(cat "$scratch/d10")\""
age 5
run '' dsr list --overdue --subject d1
check "after eleven days both are flagged (Art. 39)" all "stdout_has \"$(cat "$scratch/d10")\"" \
    'stdout_has "\"art39_risk\":true"'
run '' dsr counts
check "counts by state" stdout_has '"refused":1[0-9]'
finish
