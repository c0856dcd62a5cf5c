#!/usr/bin/env bash
# Black-box test of stateful decisions: `hogo check --db DB --subject ID` decides on the facts
# the store holds (facts, blocks followed through successors, separate consents), and every
# such decision is an audit event. Test layer.
set -u
HOGO=${HOGO:?set HOGO to the hogo binary}
dir=$(mktemp -d /tmp/hogo-stateful-XXXXXX)
trap 'rm -rf "$dir"' EXIT
export HOGO_DB=$dir/h.db
pass=0 fail=0
expect() { # name want-exit want-stdout-regex command...
  local name=$1 want=$2 re=$3
  shift 3
  "$@" >"$dir/out" 2>"$dir/err"
  local got=$?
  if [ "$got" -eq "$want" ] && grep -Eq -- "$re" "$dir/out" "$dir/err"; then
    pass=$((pass + 1)); echo "ok   $name"
  else
    fail=$((fail + 1)); echo "FAIL $name: exit $got (wanted $want), output:"; head -c 600 "$dir/out" "$dir/err"; echo
  fi
}
req() { # file json
  printf '%s\n' "$2" > "$dir/$1"
}
old=9234567890123
new=$(python3 -c '
base="100000000001"
s=sum(int(d)*(1 if i%2==0 else 2) for i,d in enumerate(reversed(base)))
print(str(9 - s % 9) + base)')

"$HOGO" init >/dev/null
"$HOGO" subject add u1 --operator irp >/dev/null
"$HOGO" subject set u1 age 34 >/dev/null
"$HOGO" subject set u1 applied_to "$old,$new" >/dev/null
"$HOGO" subject set u1 scout_service true >/dev/null

req apply.json '{"policy":"irp","action":"provide","purpose":"recruitment_selection","data":["name","work_history"],"service":"recruit_agent","recipient":{"id":"participating_company","corporate_number":"'$old'"},"subject_id":"u1"}'
req apply-new.json '{"policy":"irp","action":"provide","purpose":"recruitment_selection","data":["name"],"service":"recruit_agent","recipient":{"id":"participating_company","corporate_number":"'$new'"}}'
req stateless.json '{"policy":"irp","action":"use","purpose":"service_operation","data":["name"]}'
req both.json '{"policy":"irp","action":"use","purpose":"service_operation","data":["name"],"subject_id":"u1","subject":{"age":3}}'
req consent.json '{"policy":"irp","action":"provide","purpose":"ad_delivery","data":["medical_history"],"recipient":{"id":"recruit"},"basis":"consent","consent_id":"c1","subject_id":"u1"}'

expect "stored applied_to permits 3(1)" 0 '"clause": "3\(1\)"' "$HOGO" check --policy irp --db "$HOGO_DB" "$dir/apply.json"
expect "--subject names the stored facts" 0 '"decision": "allow"' "$HOGO" check --policy irp --subject u1 "$dir/apply-new.json"
"$HOGO" subject block u1 "$old" >/dev/null
expect "a stored company block forbids (11(3))" 1 '"clause": "11\(3\)"' "$HOGO" check --policy irp "$dir/apply.json"
"$HOGO" corp succeed "$old" "$new" >/dev/null
expect "the block follows the successor corporation" 1 '"clause": "11\(3\)"' "$HOGO" check --policy irp --subject u1 "$dir/apply-new.json"
expect "an unknown subject is refused" 2 'u2|not found|no subject' "$HOGO" check --policy irp --subject u2 "$dir/stateless.json"
expect "facts from both the request and the store are refused" 2 '/subject' "$HOGO" check --policy irp "$dir/both.json"
expect "a stored consent must exist for basis consent" 2 '/consent_id' "$HOGO" check --policy irp "$dir/consent.json"
"$HOGO" subject consent u1 --id c1 --recipient recruit --purpose ad_delivery --data sensitive_info \
  --policy irp --policy-version 2025-04-01 >/dev/null
expect "a stored separate consent lifts 11(1)" 0 '"clause": "3"' "$HOGO" check --policy irp "$dir/consent.json"
sed 's/,"subject_id":"u1"//' "$dir/consent.json" > "$dir/consent-nosubject.json"
expect "a stored consent counts when --subject names the person" 0 '"clause": "3"' "$HOGO" check --subject u1 "$dir/consent-nosubject.json"
expect "provide --subject relies on a stored consent too" 0 '"record_id"' "$HOGO" provide --subject u1 "$dir/consent-nosubject.json"
expect "without a store a consent basis needs the request's own consents" 2 'not among subject.consents' env -u HOGO_DB "$HOGO" check --policy irp "$dir/consent-nosubject.json"
"$HOGO" subject withdraw u1 c1 >/dev/null
expect "a withdrawn consent no longer counts" 2 '/consent_id' "$HOGO" check --policy irp "$dir/consent.json"
expect "stateless requests are decided and audited too" 0 '"decision": "allow"' "$HOGO" check --policy irp "$dir/stateless.json"
unset HOGO_DB
expect "subject_id without a store is an error" 2 'no store was given' "$HOGO" check --policy irp "$dir/apply.json"
expect "decisions are audit events and the log is intact" 0 'intact' "$HOGO" audit verify --db "$dir/h.db"
n=$("$HOGO" audit export --db "$dir/h.db" 2>/dev/null | grep -c '"decision"' || true)
if [ "$n" -ge 6 ]; then pass=$((pass + 1)); echo "ok   $n decision events exported"; else fail=$((fail + 1)); echo "FAIL only $n decision events"; fi
if "$HOGO" audit export --db "$dir/h.db" 2>/dev/null | grep -q 'medical_history.*value\|山田'; then
  fail=$((fail + 1)); echo "FAIL personal values in the audit log"; else pass=$((pass + 1)); echo "ok   no personal values in the audit log"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
