#!/usr/bin/env bash
# Every free-text option of the command line, given text that is not UTF-8, is refused with
# exit 2 and a message saying so, and nothing is stored (the audit log does not grow): one
# check, where the store writes, covers them all, so every JSON hogo emits stays valid.
# Test layer; runs from the repository root with HOGO=<path to hogo>.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db HOGO_MASTER_KEY_FILE=$scratch/mk HOGO_SIGNING_KEY_FILE=$scratch/sk
unset HOGO_MASTER_KEY HOGO_ACTOR HOGO_CHECKPOINT_INTERVAL
"$HOGO" key generate "$HOGO_MASTER_KEY_FILE" >/dev/null
"$HOGO" key generate --signing "$HOGO_SIGNING_KEY_FILE" >/dev/null
"$HOGO" init >/dev/null
"$HOGO" subject add u1 --operator irp >/dev/null
"$HOGO" data put u1 email taro@example.jp >/dev/null
bad=$(printf 'Bad\xff\xfe text')
events() { "$HOGO" audit export | wc -l; }

# refused NAME ARGS...: hogo ARGS (one of them $bad) exits 2, says "not valid UTF-8", stores
# nothing
refused() {
    local name=$1
    shift
    local before
    before=$(events)
    run '' "$@"
    check "$name: not UTF-8 is refused, nothing stored" \
        all 'exit_is 2' 'stderr_has "not valid UTF-8"' '[ "$(events)" = "$before" ]'
}

dsr_id=$("$HOGO" dsr open --subject u1 --kind disclosure 2>/dev/null)
breach_id=$("$HOGO" breach open --summary 誤送信 --discovered 2026-03-02 --items name 2>/dev/null)
check "a request and an incident to work on" all '[ -n "$dsr_id" ]' '[ -n "$breach_id" ]'
refused "subject consent --method" subject consent u1 --id c1 --recipient participating_company \
    --purpose recruitment_selection --data name --policy irp --policy-version 2025-04-01 \
    --method "$bad"
refused "data put --context" data put u1 email x --context "$bad"
refused "data put --source" data put u1 email x --channel third_party --source "$bad"
refused "dsr open --agent-name" dsr open --subject u1 --kind disclosure \
    --agent authorised_agent --agent-name "$bad" --agent-document REF-1
refused "dsr open --agent-document" dsr open --subject u1 --kind disclosure \
    --agent authorised_agent --agent-name 代理人 --agent-document "$bad"
refused "dsr verify --verifier" dsr verify "$dsr_id" --method documents --verifier "$bad"
refused "dsr refuse --reason" dsr refuse "$dsr_id" --ground no_such_data --reason "$bad"
refused "breach open --summary" breach open --summary "$bad" --discovered 2026-03-02 --items name
refused "breach open --cause" breach open --summary 誤送信 --discovered 2026-03-02 --items name \
    --cause "$bad"
for opt in cause secondary-harm response publication prevention other; do
    refused "breach report --$opt" breach report "$breach_id" --stage preliminary --"$opt" "$bad"
done
refused "ledger receipt --provider-name" ledger receipt --subject u1 --items name \
    --provider-name "$bad" --provider-address Tokyo --provider-representative Sato --acquisition web
refused "ledger receipt --provider-address" ledger receipt --subject u1 --items name \
    --provider-name X --provider-address "$bad" --provider-representative Sato --acquisition web
refused "ledger receipt --provider-representative" ledger receipt --subject u1 --items name \
    --provider-name X --provider-address Tokyo --provider-representative "$bad" --acquisition web
refused "ledger receipt --acquisition" ledger receipt --subject u1 --items name \
    --provider-name X --provider-address Tokyo --provider-representative Sato --acquisition "$bad"
allowed='{"policy":"irp","subject_id":"u1","action":"provide","purpose":"recruitment_selection","data":["name"],"service":"recruit_agent","recipient":{"id":"participating_company","corporate_number":"6100000000001"}}'
"$HOGO" subject set u1 applied_to 6100000000001 >/dev/null
for opt in recipient-name recipient-address recipient-representative; do
    before=$(events)
    run "$allowed" provide --"$opt" "$bad"
    check "provide --$opt: not UTF-8 is refused, nothing stored" \
        all 'exit_is 2' 'stderr_has "not valid UTF-8"' '[ "$(events)" = "$before" ]'
done
refused "--actor" --actor "$bad" subject add u2 --operator irp
before=$(events)
rc=0
HOGO_ACTOR=$bad "$HOGO" subject add u3 --operator irp >"$scratch/out" 2>"$scratch/err" || rc=$?
check "HOGO_ACTOR: not UTF-8 is refused, nothing stored" \
    all 'exit_is 2' 'stderr_has "not valid UTF-8"' '[ "$(events)" = "$before" ]'

run '' audit verify --public-key "$scratch/sk.pub"
check "the store is intact after every refusal" all 'exit_is 0' 'stdout_has "intact"'
"$HOGO" audit export >"$scratch/all.jsonl"
check "every line hogo exported is valid JSON" python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line)' "$scratch/all.jsonl"
finish
