#!/usr/bin/env bash
# Black-box test of the audit log's integrity from the command line: the environment cannot
# move the clock of the shipped binary (HOGO_NOW has no effect), verify with the public key
# requires the checkpoints due by the interval and reports the unsealed tail, an empty or
# unreadable export fails, and an anchor file kept outside the database detects a restored
# older copy of it. Test layer.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
unset HOGO_MASTER_KEY HOGO_MASTER_KEY_FILE HOGO_SIGNING_KEY_FILE HOGO_CHECKPOINT_INTERVAL
"$HOGO" init >/dev/null 2>&1
"$HOGO" key generate --signing "$scratch/sk" >/dev/null 2>&1
# last_at: the time of the last audit event, in seconds
last_at() { "$HOGO" audit export | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["event"]["at"]//1000000)'; }

before=$(date +%s)
HOGO_NOW=1000000000000000 "$HOGO" subject add u0 --operator irp >/dev/null 2>&1
at=$(last_at)
check "HOGO_NOW does not move the shipped binary's clock" \
    all '[ "$at" -ge "$before" ]' '[ "$at" -le "$(($(date +%s) + 5))" ]'
HOGO_NOW=99999999999999999999999 "$HOGO" subject add u00 --operator irp >/dev/null 2>&1
at=$(last_at)
check "an extreme HOGO_NOW has no effect either" '[' "$at" -ge "$before" ']'

export HOGO_CHECKPOINT_INTERVAL=5 HOGO_SIGNING_KEY_FILE=$scratch/sk
for i in 1 2 3 4 5 6 7 8 9 10 11; do "$HOGO" subject add "u$i" --operator irp >/dev/null; done
run '' audit verify --public-key "$scratch/sk.pub"
check "verify with the public key passes and reports the unsealed tail" \
    all 'exit_is 0' 'stdout_has "intact"' 'stdout_has "unsealed tail"'
"$HOGO" audit export --out "$scratch/full.jsonl"
grep -v '"checkpoint"' "$scratch/full.jsonl" > "$scratch/nocp.jsonl"
run '' audit verify --export "$scratch/full.jsonl" --public-key "$scratch/sk.pub"
check "the full export verifies" exit_is 0
run '' audit verify --export "$scratch/nocp.jsonl" --public-key "$scratch/sk.pub"
check "an export with its checkpoint lines removed fails" \
    all 'exit_is 1' 'stdout_has "no signed checkpoint"'
: > "$scratch/empty.jsonl"
run '' audit verify --export "$scratch/empty.jsonl" --public-key "$scratch/sk.pub"
check "an empty export fails" all 'exit_is 1' 'stdout_has "no event"'
run '' audit verify --export "$scratch" --public-key "$scratch/sk.pub"
check "a directory given as the export fails" all 'exit_is 2' 'stderr_has "not a regular file"'
run '' audit verify --export /dev/zero --public-key "$scratch/sk.pub"
check "a device given as the export fails at once" all 'exit_is 2' 'stderr_has "not a regular file"'

# the anchor: kept outside the database, it detects a restored older copy
cp "$HOGO_DB" "$scratch/old.db"
for f in "$HOGO_DB"-wal "$HOGO_DB"-shm; do [ -e "$f" ] && cp "$f" "$scratch/old.db${f#$HOGO_DB}"; done
"$HOGO" subject add later --operator irp >/dev/null
run '' audit checkpoint --anchor "$scratch/anchor"
check "checkpoint --anchor writes the anchor" all 'exit_is 0' 'stdout_has "アンカーを"' '[ -s "$scratch/anchor" ]'
run '' audit verify --public-key "$scratch/sk.pub" --anchor "$scratch/anchor"
check "the store reaches its anchor" all 'exit_is 0' 'stdout_has "アンカーまで到達"'
run '' audit verify --db "$scratch/old.db" --public-key "$scratch/sk.pub"
check "the restored older copy alone verifies (the attack)" exit_is 0
run '' audit verify --db "$scratch/old.db" --public-key "$scratch/sk.pub" --anchor "$scratch/anchor"
check "against the anchor the older copy is found behind it" \
    all 'exit_is 1' 'stdout_has "behind its anchor"'
run '' audit verify --anchor "$scratch/anchor"
check "an anchor without the public key is refused" all 'exit_is 2' 'stderr_has "public-key"'
# ids are checked against the vocabulary when stored (with the nearest id), never accepted
# to make every later decision for the person fail
unset HOGO_CHECKPOINT_INTERVAL
run '' subject add v1 --operator irq
check "an unknown operator is refused with the nearest id" all 'exit_is 2' 'stderr_has "did you mean .irp."'
"$HOGO" subject add v1 --operator irp >/dev/null
run '' subject optout v1 ad_deliveryy
check "an unknown opt-out purpose is refused with the nearest id" all 'exit_is 2' 'stderr_has "did you mean .ad_delivery."'
run '' subject link v1 nosuchaccount
check "an unknown linked account is refused" all 'exit_is 2' 'stderr_has "unknown linkable account"'
run '' subject consent v1 --id c9 --recipient nosuch --purpose recruitment_selection --data name --policy irp --policy-version 2025-04-01
check "a consent to an unknown recipient is refused" all 'exit_is 2' 'stderr_has "unknown recipient"'
run '' subject consent v1 --id c9 --recipient participating_company --purpose recruitment_selection --data namex --policy irp --policy-version 2025-04-01
check "a consent over an unknown data category is refused with the nearest id" all 'exit_is 2' 'stderr_has "did you mean .name."'
run '' subject set v1 age 180
check "an age no decision accepts is refused when stored" all 'exit_is 2' 'stderr_has "0-150"'
run '{"policy":"irp","subject_id":"v1","action":"use","purpose":"service_operation","data":["name"]}' check --db "$HOGO_DB" --subject v1
check "after the refusals the person's decisions still work" all '! exit_is 2'
finish
