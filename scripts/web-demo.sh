#!/usr/bin/env bash
# The web part of `make run`: a demo store and keys, a demo person of the irp policy with
# realistic facts, stored data and provision records, hogod started with --signin-key, and
# the sign-in address of the privacy center printed (the token is single-use and lives five
# minutes; the command that issues a new one is printed too). In a terminal hogod keeps
# serving until Ctrl-C; otherwise (or with HOGO_RUN_WAIT=0) the pages are fetched once to show
# they answer, and hogod stops. Build layer (demonstration).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
hogo=$root/build/bin/hogo
hogod=$root/build/bin/hogod
export HOGO_POLICY_PATH=$root/policies
demo=$(mktemp -d "${TMPDIR:-/tmp}/hogo-web.XXXXXX")
export HOGO_DB=$demo/demo.db HOGO_MASTER_KEY_FILE=$demo/master.key HOGO_KEY_STORE=$demo/keys.db
export HOGO_ACTOR=demo-setup
pid=
stop_daemon() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$demo"
}
trap stop_daemon EXIT
trap 'exit 0' INT TERM

$hogo key generate "$HOGO_MASTER_KEY_FILE" >/dev/null
$hogo key generate --signing "$demo/audit.key" >/dev/null
# the sign-in key: the operator's login system holds signin.key, hogod signin.key.pub
$hogo key generate --signing "$demo/signin.key" >/dev/null
$hogo init >/dev/null

# ---- the demo person (irp: Indeed Recruit Partners) ----
person=demo-hanako
$hogo subject add $person --operator irp >/dev/null
$hogo subject set $person age 34
$hogo subject set $person services_used recruit_agent,recruit_direct_scout
$hogo subject set $person scout_service true
$hogo subject set $person applied_to 9234567890123
$hogo subject link $person recruit_id
$hogo subject link $person ponta
$hogo subject optout $person ad_delivery
$hogo subject block $person 3200000000002
$hogo subject consent $person --id demo-consent-1 --recipient participating_company \
  --purpose recruitment_selection --data name,contact,work_history --policy irp \
  --policy-version 2025-04-01 --method web_form
$hogo data put $person name '山田 花子' --channel direct --service recruit_agent >/dev/null
$hogo data put $person email 'hanako.yamada@example.jp' --channel direct --service recruit_agent >/dev/null
$hogo data put $person phone '090-0000-0000' --channel direct --service recruit_agent >/dev/null
$hogo data put $person work_history '2018年〜 株式会社サンプル 営業職' --channel direct \
  --service recruit_agent >/dev/null
$hogo data put $person address '東京都千代田区丸の内1-1-1' --channel third_party \
  --source 'Ponta会員情報（株式会社ロイヤリティ マーケティング）' >/dev/null
# a provision to the company she applied to, recorded under APPI Art. 29
$hogo provide --subject $person examples/irp-application-stored.json >/dev/null
# and one to Loyalty Marketing for the Ponta link she made
ponta='{"policy":"irp","action":"provide","purpose":"ponta_registration","data":["name","address"],"recipient":{"id":"loyalty_marketing"}}'
echo "$ponta" > "$demo/ponta.json"
$hogo provide --subject $person "$demo/ponta.json" >/dev/null

# ---- the privacy office (the console): a demo officer, requests in the queue, an incident ----
officer=demo-officer
echo 'demo officer password' | $hogo officer add $officer --operator irp --role admin >/dev/null
$hogo dsr open --subject $person --kind disclosure --channel web >/dev/null
$hogo dsr open --subject $person --kind suspension --channel mail >/dev/null
breach=$($hogo breach open --operator irp --summary 'スカウトメールの誤送信' \
  --discovered "$(date +%F)" --items name,email --cause '宛先の設定誤り')
$hogo breach affected "$breach" --subject $person >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
$hogod --listen "127.0.0.1:$port" --db "$HOGO_DB" --signing-key "$demo/audit.key" \
  --signin-key "$demo/signin.key.pub" --access-log "$demo/access.log" 2>"$demo/hogod.log" &
pid=$!
for _ in $(seq 200); do curl -sf "$base/livez" >/dev/null && break; sleep 0.05; done

issue_console() {
  $hogo signin issue --key "$demo/signin.key" --kind officer --operator irp \
    --subject $officer --ttl 300 --url "$base"
}

issue_center() {
  $hogo signin issue --key "$demo/signin.key" --kind person --operator irp \
    --subject $person --ttl 300 --url "$base"
}

echo
echo "════════════════════════════════════════════════════════════════════════════"
echo "The web pages: hogod on $base, with a demo person ($person, irp)"
wait_here=${HOGO_RUN_WAIT:-}
if [ -z "$wait_here" ]; then
  if [ -t 0 ] && [ -t 1 ]; then wait_here=1; else wait_here=0; fi
fi
if [ "$wait_here" = 0 ]; then
  # not in a terminal: show that the pages answer, then stop
  jar="$demo/cookies"
  status=$(curl -s -o /dev/null -c "$jar" -w '%{http_code}' "$(issue_center)")
  echo "  sign-in with a token: HTTP $status (303 to /center/)"
  for page in /center/ /center/held /center/provided /center/policy; do
    code=$(curl -s -o /dev/null -b "$jar" -w '%{http_code}' "$base$page")
    echo "  GET $page: HTTP $code"
    [ "$code" = 200 ] || { echo "web-demo: $page answered $code; see $demo/hogod.log" >&2; exit 1; }
  done
  ojar="$demo/officer-cookies"
  status=$(curl -s -o /dev/null -c "$ojar" -w '%{http_code}' "$(issue_console)")
  echo "  console sign-in with a token: HTTP $status (303 to /console/)"
  for page in /console/ /console/requests /console/breaches /console/officers; do
    code=$(curl -s -o /dev/null -b "$ojar" -w '%{http_code}' "$base$page")
    echo "  GET $page: HTTP $code"
    [ "$code" = 200 ] || { echo "web-demo: $page answered $code; see $demo/hogod.log" >&2; exit 1; }
  done
fi
echo
echo "Privacy center (the person), single use, valid five minutes:"
echo "  $(issue_center)"
echo
echo "Privacy office console (officer $officer, admin of irp), single use, valid five minutes:"
echo "  $(issue_console)"
echo "  (or sign in at $base/console/signin as $officer with the password 'demo officer password')"
echo
echo "A new sign-in address for the person:"
echo "  HOGO_POLICY_PATH=policies build/bin/hogo signin issue --key $demo/signin.key --kind person \\"
echo "    --operator irp --subject $person --url $base"
echo "and for the officer: the same with --kind officer --subject $officer"
if [ "$wait_here" = 0 ]; then
  echo
  echo "(not a terminal: hogod stops now and the demo store is removed; run 'make run' in a"
  echo " terminal, or with HOGO_RUN_WAIT=1, to keep it serving and open these addresses)"
else
  echo
  echo "hogod keeps serving until Ctrl-C (the demo store in $demo is removed then)."
  wait "$pid" || true
  pid=
fi
