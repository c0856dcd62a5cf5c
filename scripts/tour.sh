#!/usr/bin/env bash
# The tour `make run` gives: real questions asked of the irp policy, answered as text for a
# person (allowed and denied), then one answer as the JSON a program gets; then the same
# through the HTTP service: hogod on a local port with a demo store, walked with curl, stopped.
# Build layer (demonstration).
set -uo pipefail
cd "$(dirname "$0")/.."
hogo=build/bin/hogo
ask() {
  echo "────────────────────────────────────────────────────────────────────────────"
  echo "Q: $1"
  echo "   hogo check --policy irp --format text $2"
  echo
  $hogo check --policy irp --format text "$2"
  echo "   (exit $?: 0 allow, 1 deny)"
  echo
}
$hogo policy check irp
echo
ask "May we send this applicant's résumé to the company they applied to through Recruit Agent?" examples/irp-application.json
ask "May a company the person blocked see their profile in Recruit Direct Scout?" examples/irp-blocked-scout.json
ask "May we put named candidates in a sales proposal to a prospective client?" examples/irp-sales-identified.json
ask "May we give Loyalty Marketing the member's registration data while the Ponta link is being set up?" examples/irp-ponta-linking.json
ask "May we send ads to a 14-year-old whose guardian has not agreed to the policy?" examples/irp-minor.json
ask "May we pass a candidate's medical history to Recruit?" examples/irp-sensitive-to-recruit.json
echo "────────────────────────────────────────────────────────────────────────────"
echo "The same first question as a program asks it (JSON in, JSON out):"
$hogo check --policy irp examples/irp-application.json
echo "────────────────────────────────────────────────────────────────────────────"
echo "The 外部送信一覧 (what the tags and SDKs of rcc's sites send, to whom, for what; example data):"
echo "   hogo policy transmissions rcc"
$hogo policy transmissions rcc

# ---- the service: hogod with a demo store, asked over HTTP with curl ----
hogod=build/bin/hogod
demo=$(mktemp -d "${TMPDIR:-/tmp}/hogo-tour.XXXXXX")
export HOGO_MASTER_KEY_FILE=$demo/master.key HOGO_KEY_STORE=$demo/keys.db
db=$demo/demo.db
pid=
stop_daemon() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$demo"
}
trap stop_daemon EXIT
$hogo key generate "$HOGO_MASTER_KEY_FILE" >/dev/null
$hogo init --db "$db" >/dev/null
key=$($hogo apikey create --db "$db" --operator irp \
      --scopes decide,subjects:read,subjects:write,data:read,data:write,ledger:read,ledger:write,audit:read,policies:read)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$hogod --listen "127.0.0.1:$port" --db "$db" --access-log "$demo/access.log" 2>"$demo/hogod.log" &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/livez" >/dev/null && break; sleep 0.05; done
api="http://127.0.0.1:$port"
step() {
  echo "────────────────────────────────────────────────────────────────────────────"
  echo "$1"
  shift
  echo "   curl $*" | sed "s/$key/\$KEY/"
  curl -s -H "Authorization: Bearer $key" "$@"
  echo
}
echo
echo "════════════════════════════════════════════════════════════════════════════"
echo "The same engine as a service: hogod on $api with a demo store"
echo "(hogo apikey create --db demo.db --operator irp --scopes ... printed the key \$KEY)"
step "Is it ready?" "$api/readyz"
step "Register a person the operator knows:" -X POST "$api/v1/subjects" -d '{"subject_id":"applicant-1"}'
step "Record that they applied to a company (corporate number):" -X PUT "$api/v1/subjects/applicant-1/facts/applied_to" -d '{"value":["6100000000001"]}'
step "The facts decisions will use:" "$api/v1/subjects/applicant-1/facts"
req='{"policy":"irp","subject_id":"applicant-1","action":"provide","purpose":"recruitment_selection","data":["name","work_history"],"service":"recruit_agent","recipient":{"id":"participating_company","corporate_number":"6100000000001"}}'
step "May we send the résumé to that company? (decided on the stored facts, audited)" -X POST "$api/v1/decide" -d "$req"
step "They block the company; ask again:" -X POST "$api/v1/subjects/applicant-1/blocks" -d '{"corporate_number":"6100000000001"}'
step "" -X POST "$api/v1/decide" -d "$req"
step "Unblock, then decide and record the provision (APPI Art. 29) in one step:" -X DELETE "$api/v1/subjects/applicant-1/blocks/6100000000001"
step "" -X POST "$api/v1/provisions" -d "{\"request\":$req,\"recipient\":{\"address\":\"東京都千代田区1-1\"}}"
step "The ledger holds the record:" "$api/v1/ledger?subject_id=applicant-1"
step "A mistake in a request is answered with where it is and how to fix it:" -X POST "$api/v1/decide" -d '{"policy":"irp","action":"use","purpose":"service_operation","data":["nmae"]}'
step "A key never sees another operator's people (404, as for no one):" "$api/v1/subjects/someone-else"
step "The audit log is intact:" -X POST "$api/v1/audit:verify"
step "The 外部送信一覧 is public (no key needed); its JSON, and the page $api/center/transmissions/irp:" -o /dev/null -w '%{http_code} %{content_type}, %{size_download} bytes' "$api/v1/transmissions/irp"
kill -TERM "$pid"
wait "$pid"
echo "────────────────────────────────────────────────────────────────────────────"
echo "hogod stopped (exit $?). Its access log (one JSON line per request, no personal"
echo "values), last three lines:"
tail -n 3 "$demo/access.log"
pid=
