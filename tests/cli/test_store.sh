#!/usr/bin/env bash
# Black-box test of the storage commands (init, subject, corp, data, ledger, audit, key) run
# through the real hogo binary ($HOGO). Test layer; meant to live in tests/cli/.
set -u
HOGO=${HOGO:?set HOGO to the hogo binary}
dir=$(mktemp -d /tmp/hogo-cli-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
pass=0
fail=0
check() { # name expected-exit command...
  local name=$1 want=$2
  shift 2
  "$@" >out.txt 2>err.txt
  local got=$?
  if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $name: exit $got, wanted $want"; cat err.txt; fi
}
contains() { # name file text
  if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $1: '$3' not in $2:"; cat "$2"; fi
}
export HOGO_DB=$dir/h.db
check "data before init is refused" 2 "$HOGO" subject list
check "init" 0 "$HOGO" init
check "master key" 0 "$HOGO" key generate mk
check "signing key" 0 "$HOGO" key generate --signing sk
check "no overwrite of a key" 2 "$HOGO" key generate mk
export HOGO_MASTER_KEY_FILE=$dir/mk HOGO_SIGNING_KEY_FILE=$dir/sk
check "subject add" 0 "$HOGO" subject add u1 --operator irp
check "subject add twice" 2 "$HOGO" subject add u1 --operator irp
check "set age" 0 "$HOGO" subject set u1 age 34
check "bad fact" 2 "$HOGO" subject set u1 agee 34
contains "bad fact message" err.txt "unknown subject fact 'agee'"
check "link" 0 "$HOGO" subject link u1 ponta
check "block" 0 "$HOGO" subject block u1 7010001008844
check "bad corporate number" 2 "$HOGO" subject block u1 1234567890123
check "succeed" 0 "$HOGO" corp succeed 7010001008844 9234567890123
check "optout" 0 "$HOGO" subject optout u1 ad_delivery
check "consent" 0 "$HOGO" subject consent u1 --id c1 --recipient participating_company \
  --purpose recruitment_selection --data name,work_history --policy irp --policy-version 2025-04-01
check "facts" 0 "$HOGO" subject facts u1 --policy irp
contains "facts json" out.txt '"blocked_companies":["7010001008844","9234567890123"]'
contains "facts consent" out.txt '"consents":[{"id":"c1"'
check "data put" 0 "$HOGO" data put u1 email taro@example.jp --service recruit_agent
check "data get" 0 "$HOGO" data get u1 1
contains "data value" out.txt "taro@example.jp"
check "receipt missing representative" 2 "$HOGO" ledger receipt --subject u1 \
  --provider-name X --provider-address Tokyo --acquisition web --items name
check "receipt" 0 "$HOGO" ledger receipt --subject u1 --provider-name X \
  --provider-address Tokyo --provider-representative Sato --acquisition web --items name
check "ledger csv" 0 "$HOGO" ledger export --format csv --subject u1
contains "ledger csv header" out.txt "type,id,subject_id,date,"
check "disclose (APPI Art.33)" 0 "$HOGO" subject disclose u1
contains "disclosure opens the value" out.txt '"category":"email","value":"taro@example.jp"'
contains "disclosure has the receipt record (Art.33(5))" out.txt '"receipts":[{"type":"receipt"'
contains "disclosure has the consent history" out.txt '"consents":[{"id":"c1","recipient":"participating_company"'
contains "disclosure has the facts" out.txt '"age":34'
check "disclose without the master key is refused" 2 env HOGO_MASTER_KEY_FILE= "$HOGO" subject disclose u1
contains "no master key message" err.txt "no master key"
check "disclose an unknown subject" 2 "$HOGO" subject disclose nobody
"$HOGO" audit export >ev.jsonl
contains "the disclosure is an audit event" ev.jsonl '"action":"subject.disclose"'
contains "each value read in the disclosure is an audit event" ev.jsonl '"action":"data.read","object":"item:1 category:email","detail":"{\"for\":\"disclosure\"}"'
check "purge keeps records in retention" 0 "$HOGO" ledger purge
contains "nothing purged" out.txt "purged 0 records"
check "checkpoint" 0 "$HOGO" audit checkpoint
check "verify" 0 "$HOGO" audit verify --public-key sk.pub
check "export" 0 "$HOGO" audit export --out a.jsonl
if grep -q "taro" a.jsonl; then fail=$((fail + 1)); echo "FAIL: a personal value is in the audit log"; else pass=$((pass + 1)); fi
check "verify export" 0 "$HOGO" audit verify --export a.jsonl --public-key sk.pub
check "wrong master key" 2 env HOGO_MASTER_KEY=$(printf '%064d' 0) HOGO_MASTER_KEY_FILE= "$HOGO" data get u1 1
check "rotate" 0 "$HOGO" key generate mk2
check "rotate" 0 "$HOGO" key rotate --new-key mk2
check "old key refused" 2 "$HOGO" data get u1 1
check "new key works" 0 "$HOGO" data get u1 1 --master-key mk2
cp h.db backup.db # a backup of the database file (the key store h.db.keys is not in it)
check "backup readable before erasure" 0 env HOGO_KEY_STORE=$dir/h.db.keys "$HOGO" data get u1 1 --master-key mk2 --db backup.db
check "erase" 0 "$HOGO" subject erase u1
check "erased data gone" 2 "$HOGO" data get u1 1 --master-key mk2
check "the backup's copy is unreadable after erasure" 2 env HOGO_KEY_STORE=$dir/h.db.keys "$HOGO" data get u1 1 --master-key mk2 --db backup.db
contains "no key for the backup's copy" err.txt "no data key"
check "disclose after erasure" 0 "$HOGO" subject disclose u1 --master-key mk2
contains "erased subject discloses no data" out.txt '"erased":true'
contains "erased subject has no items" out.txt '"data_items":[]'
check "subject for a value from stdin" 0 "$HOGO" subject add u2 --operator irp --master-key mk2
printf 'line one\nline two' >value.txt
check "data put from stdin" 0 sh -c '"$0" data put u2 address - --master-key mk2 <value.txt' "$HOGO"
item=$(cat out.txt)
check "data get of the stdin value" 0 "$HOGO" data get u2 "$item" --master-key mk2
cp out.txt got.txt
{ cat value.txt; echo; } >expected.txt # data get ends the value with a line feed
check "the stdin value is kept byte for byte" 0 cmp got.txt expected.txt
head -c $((2 * 1024 * 1024 + 1)) /dev/zero | tr '\0' a >big.txt
check "a value over 2 MiB on stdin is refused" 2 sh -c '"$0" data put u2 address - --master-key mk2 <big.txt' "$HOGO"
contains "the limit is named" err.txt "over 2 MiB"

if command -v sqlite3 >/dev/null; then
  sqlite3 h.db "UPDATE audit_events SET action = 'x' WHERE seq = 3"
  check "tampering found" 1 "$HOGO" audit verify --public-key sk.pub
  contains "first bad event" out.txt "最初の不整合はイベント 3"
  check "tampering found (English)" 1 env HOGO_LANG=en "$HOGO" audit verify --public-key sk.pub
  contains "first bad event (English)" out.txt "first bad event 3"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
