#!/usr/bin/env bash
# The person's controls in the privacy center, end to end with curl against a real hogod over
# a store made by the CLI: each control changes the stored fact and writes its audit event,
# and the next decision on the stored facts changes (a withdrawn consent, a stopped purpose,
# a blocked company); a rights request started in the center is completed by the privacy
# office (CLI) and its package downloaded as an attachment; another operator's person cannot
# touch this person's data; a POST without or with a wrong CSRF token is refused (403) and
# changes nothing. Test layer.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
HOGOD=${HOGOD:-build/bin/hogod}
command -v curl >/dev/null || { echo "skip: curl is not installed"; exit 77; }
[ -x "$HOGOD" ] || { echo "skip: hogod is not built"; exit 77; }

export HOGO_POLICY_PATH=$PWD/policies
export HOGO_DB=$scratch/hogo.db HOGO_MASTER_KEY_FILE=$scratch/master.key
export HOGO_SIGNING_KEY_FILE=$scratch/audit.key HOGO_ACTOR=test
"$HOGO" key generate "$scratch/master.key" >/dev/null
"$HOGO" key generate --signing "$scratch/audit.key" >/dev/null
"$HOGO" key generate --signing "$scratch/signin.key" >/dev/null
"$HOGO" init >/dev/null
"$HOGO" subject add u1 --operator irp
"$HOGO" subject add u2 --operator rcc
"$HOGO" subject set u1 scout_service true
"$HOGO" subject link u1 ponta
"$HOGO" subject consent u1 --id c-sales --recipient participating_company \
    --purpose sales_proposal --data name,work_history --policy irp --policy-version 2025-04-01
"$HOGO" corp name 9234567890123 "株式会社サンプル商事"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
"$HOGOD" --listen "127.0.0.1:$port" --db "$HOGO_DB" --master-key "$HOGO_MASTER_KEY_FILE" \
    --signin-key "$scratch/signin.key.pub" >"$scratch/hogod.log" 2>&1 &
hogod_pid=$!
trap 'kill $hogod_pid 2>/dev/null; wait $hogod_pid 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "$base/livez" && break; sleep 0.1; done

# signin OPERATOR SUBJECT JAR: a person's session in the cookie jar JAR
signin() {
    local url
    url=$("$HOGO" signin issue --key "$scratch/signin.key" --kind person --operator "$1" \
        --subject "$2" --url "$base")
    curl -s -o /dev/null -c "$3" "$url"
}
# get JAR PATH: the page into $scratch/out, its status into $rc, its headers into $scratch/hdr
get() {
    rc=$(curl -s -b "$1" -D "$scratch/hdr" -o "$scratch/out" -w '%{http_code}' "$base$2")
}
# csrf JAR: the session's form token, from a page
csrf() {
    curl -s -b "$1" "$base/center/" | grep -o 'name="csrf" value="[^"]*"' | head -1 |
        sed 's/.*value="//; s/"$//'
}
# post JAR PATH TOKEN FIELD...: a form POST with the csrf field TOKEN ("" for none)
post() {
    local jar=$1 path=$2 token=$3
    shift 3
    local args=()
    [ -n "$token" ] && args+=(--data-urlencode "csrf=$token")
    for f in "$@"; do args+=(--data-urlencode "$f"); done
    [ ${#args[@]} -eq 0 ] && args+=(--data "")
    rc=$(curl -s -b "$jar" -D "$scratch/hdr" -o "$scratch/out" -w '%{http_code}' "${args[@]}" \
        "$base$path")
}
# decide REQUEST_JSON: the decision on u1's stored facts into $scratch/decision
decide() {
    printf '%s' "$1" >"$scratch/req.json"
    "$HOGO" check --subject u1 "$scratch/req.json" >"$scratch/decision" 2>&1
    dec=$?
}
events() { "$HOGO" audit export 2>/dev/null | grep -c -- "$1"; }
header_has() { grep -qiE -- "$1" "$scratch/hdr"; }
facts_have() { "$HOGO" subject facts u1 | grep -qE -- "$1"; }
facts_lack() { ! "$HOGO" subject facts u1 | grep -qE -- "$1"; }

J1=$scratch/j1 J2=$scratch/j2
signin irp u1 "$J1"
signin rcc u2 "$J2"
T1=$(csrf "$J1")
T2=$(csrf "$J2")
check "the person's session has a csrf token" test -n "$T1"

# ---- every page answers, in Japanese by default and English with the switch ----
for p in accounts consents opt-outs blocks requests; do
    get "$J1" /center/$p
    check "GET /center/$p: 200, Japanese" all "[ $rc -eq 200 ]" "stdout_has '<html lang=\"ja\"'"
    check "GET /center/$p: security headers" all "header_has \"content-security-policy: default-src 'none'\"" \
        "header_has 'cache-control: no-store'"
done
get "$J1" /center/accounts
check "linked accounts: Ponta is linked, with what linking means under irp's clause 3(5)" \
    all "stdout_has 'Ponta会員ID'" "stdout_has '連携しています'" "stdout_has '3\(5\)'" \
    "stdout_has 'ユーザー自身の選択によりリクルートIDにPonta会員IDを連携する場合'"
check "linked accounts: Amazon and d アカウント as irp names them, and Indeed" \
    all "stdout_has 'Amazonアカウント'" "stdout_has 'dアカウント'" "stdout_has '<h2>Indeed</h2>'"
get "$J1" /center/opt-outs
check "opt-outs offer the ad purposes irp's policy names (custom audiences), not rcc's (behavioural targeting)" \
    all "stdout_has 'ユーザーリストと当社が保有するメールアドレス'" "stdout_lacks '行動ターゲティング広告'" \
    "stdout_has 'メールマガジン・ダイレクトメール'" "stdout_has 'オプトアウトのページ'"
get "$J2" /center/opt-outs
check "and to rcc's person those rcc's policy names" \
    all "stdout_has '行動ターゲティング広告'" "stdout_lacks 'ユーザーリストと当社が保有するメールアドレス'"
get "$J1" "/center/consents?lang=en"
check "the English switch" all "[ $rc -eq 200 ]" "stdout_has '<html lang=\"en\"'" "stdout_has 'Withdraw consent'"
post "$J1" /center/opt-outs "$T1" purpose=ad_delivery change=stop
get "$J1" /center/opt-outs
check "the language stays English in the session, flash in English" \
    all "stdout_has '<html lang=\"en\"'" "stdout_has 'Stopped\.'"
post "$J1" /center/opt-outs "$T1" purpose=ad_delivery change=resume
get "$J1" "/center/opt-outs?lang=ja"

# ---- CSRF: missing or wrong token: 403, nothing changed ----
before=$(events subject.fact)
post "$J1" /center/opt-outs "" purpose=own_group_newsletter change=stop
check "opt-out without a csrf token: 403" test "$rc" -eq 403
post "$J1" /center/blocks "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" corporate_number=9234567890123
check "block with a wrong csrf token: 403" test "$rc" -eq 403
post "$J1" /center/consents/withdraw "" consent=c-sales
check "withdraw without a csrf token: 403" test "$rc" -eq 403
post "$J1" /center/requests "" kind=disclosure
check "rights request without a csrf token: 403" test "$rc" -eq 403
check "after the refused POSTs nothing changed" all "facts_lack own_group_newsletter" \
    "facts_lack 9234567890123" "facts_have c-sales" "[ $(events subject.fact) -eq $before ]" \
    "[ \$(\"$HOGO\" dsr list --subject u1 | grep -c dsr-) -eq 0 ]"

# ---- a consent withdrawn: the next decision changes ----
sales='{"policy":"irp","action":"provide","purpose":"sales_proposal","data":["name","work_history"],"recipient":{"id":"participating_company","corporate_number":"3200000000002"},"basis":"consent","consent_id":"c-sales"}'
decide "$sales"
check "with the consent a sales proposal with names is allowed" test "$dec" -eq 0
post "$J2" /center/consents/withdraw "$T2" consent=c-sales
check "another operator's person cannot withdraw this person's consent" \
    all "[ $rc -eq 303 ]" "facts_have c-sales"
post "$J1" /center/consents/withdraw "$T1" consent=c-sales
check "withdraw: 303 back to the consents page" all "[ $rc -eq 303 ]" "header_has 'location: /center/consents'"
get "$J1" /center/consents
check "the flash says it in Japanese, and the consent shows as withdrawn" \
    all "stdout_has '同意を撤回しました。'" "stdout_has '撤回済み'"
check "withdraw: the stored consent is gone from the facts, its audit event written" \
    all "facts_lack c-sales" "[ $(events '\"action\":\"subject.withdraw\"') -ge 1 ]"
decide "$sales"
check "after the withdrawal the same provision is no longer allowed: the consent is not the person's any more" \
    all "[ $dec -eq 2 ]" "grep -q \"consent 'c-sales' is not among subject.consents\" $scratch/decision"

# ---- an opt-out: the next decision changes ----
news='{"policy":"irp","action":"use","purpose":"own_group_newsletter","data":["email"]}'
decide "$news"
check "the newsletter is allowed before the opt-out" test "$dec" -eq 0
post "$J1" /center/opt-outs "$T1" purpose=own_group_newsletter change=stop
check "opt-out: 303" test "$rc" -eq 303
check "opt-out: the fact and its audit event" \
    all "facts_have own_group_newsletter" "[ $(events 'fact:opt_outs value:own_group_newsletter') -ge 1 ]"
decide "$news"
check "after the opt-out the newsletter is denied by clause 7" \
    all "[ $dec -eq 1 ]" "grep -q '\"clause\": *\"7\"' $scratch/decision"
post "$J1" /center/opt-outs "$T1" purpose=no_such_purpose change=stop
get "$J1" /center/opt-outs
check "an unknown purpose is refused with a message, nothing stored" \
    all "stdout_has '変更できませんでした'" "facts_lack no_such_purpose"
post "$J1" /center/opt-outs "$T1" purpose=own_group_newsletter change=resume
decide "$news"
check "resumed: the newsletter is allowed again" all "[ $dec -eq 0 ]" "facts_lack own_group_newsletter"

# ---- a company block: found by name, then a scout provision to it is denied ----
scout='{"policy":"irp","action":"provide","purpose":"scout_selection","data":["work_history"],"service":"recruit_direct_scout","form":"deidentified","recipient":{"id":"participating_company","corporate_number":"9234567890123"}}'
decide "$scout"
check "before the block the scout provision is allowed" test "$dec" -eq 0
get "$J1" "/center/blocks?q=%E3%82%B5%E3%83%B3%E3%83%97%E3%83%AB"
check "the company is found by part of its name" \
    all "[ $rc -eq 200 ]" "stdout_has '株式会社サンプル商事'" "stdout_has '9234567890123'"
get "$J1" "/center/blocks?q=9234"
check "and by the beginning of its 法人番号" stdout_has '株式会社サンプル商事'
post "$J1" /center/blocks "$T1" corporate_number=9234567890123
check "block: 303, the fact and its audit event" \
    all "[ $rc -eq 303 ]" "facts_have 9234567890123" \
    "[ $(events 'fact:blocked_companies value:9234567890123') -ge 1 ]"
decide "$scout"
check "after the block the scout provision is denied by clause 11(3)" \
    all "[ $dec -eq 1 ]" "grep -q '11(3)' $scratch/decision"
post "$J1" /center/blocks "$T1" corporate_number=1234567890123
get "$J1" /center/blocks
check "a wrong 法人番号 is refused with a message" all "stdout_has '変更できませんでした'" \
    "stdout_has '株式会社サンプル商事'"
post "$J1" /center/blocks/remove "$T1" corporate_number=9234567890123
decide "$scout"
check "unblocked: allowed again" all "[ $dec -eq 0 ]" "facts_lack 9234567890123"

# ---- unlinking an account ----
post "$J2" /center/accounts/unlink "$T2" account=ponta
check "another operator's person cannot unlink this person's account" facts_have ponta
post "$J1" /center/accounts/unlink "$T1" account=ponta
check "unlink: the fact and its audit event" \
    all "[ $rc -eq 303 ]" "facts_lack ponta" "[ $(events 'fact:linked_accounts value:ponta') -ge 2 ]"

# ---- a rights request: start, follow, complete (privacy office), download ----
post "$J1" /center/requests "$T1" kind=disclosure
loc=$(grep -i '^location:' "$scratch/hdr" | tr -d '\r' | sed 's/^[Ll]ocation: //')
id=${loc##*/}
check "request: 303 to its page" all "[ $rc -eq 303 ]" "[[ '$id' == dsr-* ]]"
check "request: opened by the person over the web, an audit event" \
    all "\"$HOGO\" dsr show $id | grep -q '\"channel\":\"web\"'" \
    "\"$HOGO\" dsr show $id | grep -q '\"actor\":\"person:u1\"'"
get "$J1" "/center/requests/$id"
check "the request's page: received, with its due date" \
    all "[ $rc -eq 200 ]" "stdout_has '受付済み'" "stdout_has '回答期限'"
get "$J1" "/center/requests/$id/package"
check "no download before completion (409)" test "$rc" -eq 409
get "$J2" "/center/requests/$id"
check "another operator's person: the request is not found" test "$rc" -eq 404
"$HOGO" dsr verify "$id" --method login_session --verifier "窓口" --actor privacy-office >/dev/null
"$HOGO" dsr complete "$id" --actor privacy-office --out "$scratch/office.json" >/dev/null
get "$J1" "/center/requests/$id"
check "completed: the page says so and offers the download" \
    all "stdout_has '完了'" "stdout_has '/center/requests/$id/package'"
get "$J1" "/center/requests/$id/package"
check "the package: an attachment of JSON about this person" \
    all "[ $rc -eq 200 ]" "header_has 'content-disposition: attachment; filename=\"$id.json\"'" \
    "header_has 'content-type: application/json'" \
    "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if \"u1\" in json.dumps(d) else 1)' $scratch/out"
get "$J2" "/center/requests/$id/package"
check "another operator's person cannot download it" all "[ $rc -eq 404 ]" "stdout_lacks c-sales"
post "$J2" "/center/requests/$id/withdraw" "$T2"
check "nor withdraw it" all "[ $rc -eq 404 ]" "\"$HOGO\" dsr show $id | grep -q '\"state\":\"completed\"'"
post "$J1" /center/requests "$T1" kind=suspension
id2=$(grep -i '^location:' "$scratch/hdr" | tr -d '\r' | sed 's/.*\///')
post "$J1" "/center/requests/$id2/withdraw" "$T1"
check "the person withdraws an open request" \
    all "[ $rc -eq 303 ]" "\"$HOGO\" dsr show $id2 | grep -q '\"state\":\"withdrawn\"'"

# ---- the audit log is intact after all of it ----
run "" audit verify --public-key "$scratch/audit.key.pub"
check "audit verify" exit_is 0
finish
