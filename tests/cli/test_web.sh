#!/usr/bin/env bash
# The privacy center over HTTP, with curl against a real hogod and a real SQLite store:
# `hogo signin issue` and its errors; signing in with a token (303 and the cookie's
# attributes), a token used twice, expired, signed with another key, of the wrong kind or
# naming a person of another operator; every page 200 with the security headers, no inline
# script or style, Japanese by default and English kept by the session; values shown only when
# asked and escaped; a person of another operator never sees the first one's data; sign-out
# refused without the csrf token or from another site, and done with it. Test layer.
. "$(dirname "$0")/lib.sh"
HOGOD=${HOGOD:-$(dirname "$HOGO")/hogod}
if ! [ -x "$HOGOD" ] || ! command -v curl >/dev/null; then
    echo "skipped: needs hogod ($HOGOD) and curl"
    exit 77
fi
export HOGO_POLICY_PATH=$PWD/policies
export HOGO_DB=$scratch/web.db HOGO_MASTER_KEY_FILE=$scratch/master.key \
    HOGO_KEY_STORE=$scratch/keys.db
"$HOGO" key generate "$HOGO_MASTER_KEY_FILE" >/dev/null
"$HOGO" key generate --signing "$scratch/signin.key" >/dev/null
"$HOGO" key generate --signing "$scratch/other.key" >/dev/null
"$HOGO" init >/dev/null
"$HOGO" subject add u-irp --operator irp
"$HOGO" subject link u-irp ponta
"$HOGO" subject optout u-irp ad_delivery
"$HOGO" subject set u-irp applied_to 9234567890123
"$HOGO" data put u-irp email 'secret-irp@example.jp' --channel direct --service recruit_agent >/dev/null
"$HOGO" data put u-irp name '<script>alert(1)</script>山田' --channel third_party --source Ponta >/dev/null
"$HOGO" provide --subject u-irp examples/irp-application-stored.json >/dev/null
"$HOGO" subject add u-rcc --operator rcc

# ---- the issuer ----
run "" signin issue --kind person --operator irp --subject u-irp
check "signin issue without --key is refused" all 'exit_is 2' 'stderr_has "--key FILE is required"'
run "" signin issue --key "$scratch/signin.key" --kind person --operator irp --subject u-irp --ttl 601
check "a token longer than ten minutes is refused" all 'exit_is 2' 'stderr_has "1 to 600"'
run "" signin issue --key "$scratch/signin.key" --kind guest --operator irp --subject u-irp
check "an unknown kind is refused" all 'exit_is 2' 'stderr_has "person or officer"'
run "" signin issue --key "$scratch/signin.key" --kind person --operator irp --subject u-irp
check "a token is printed" all 'exit_is 0' 'stdout_has "^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"'

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$HOGOD" --listen "127.0.0.1:$port" --db "$HOGO_DB" --signin-key "$scratch/signin.key.pub" \
    --access-log off 2>"$scratch/hogod.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 200); do curl -sf "$base/livez" >/dev/null && break; sleep 0.05; done

token() { # KIND OPERATOR SUBJECT [KEY] [TTL]
    "$HOGO" signin issue --key "${4:-$scratch/signin.key}" --kind "$1" --operator "$2" \
        --subject "$3" --ttl "${5:-300}"
}
# get PATH [CURL ARGS...]: sets $code, and the answer's headers and body in files
get() {
    local path=$1
    shift
    code=$(curl -s -D "$scratch/h" -o "$scratch/out" -w '%{http_code}' "$@" "$base$path")
    rc=0
}
header_has() { grep -qiE -- "$1" "$scratch/h"; }
code_is() { [ "$code" = "$1" ]; }
secure_headers() {
    header_has "^Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" &&
        header_has '^X-Content-Type-Options: nosniff' && header_has '^Referrer-Policy: no-referrer' &&
        header_has '^Cache-Control: no-store'
}
no_inline() { ! grep -qiE '<script|<style|[[:space:]]style=|[[:space:]]on[a-z]+=' "$scratch/out"; }
signin() { # KIND OPERATOR SUBJECT: prints the session cookie
    get "/center/signin?token=$(token "$@")"
    sed -n 's/^Set-Cookie: \(hogo_center=[^;]*\);.*/\1/ip' "$scratch/h" | tr -d '\r'
}

# ---- signing in ----
tok=$(token person irp u-irp)
get "/center/signin?token=$tok"
check "a person signs in: 303 to /center/" all 'code_is 303' 'header_has "^Location: /center/"' secure_headers
check "the session cookie is HttpOnly, SameSite=Strict, Path=/center/, Max-Age 8 h, not Secure without TLS" \
    all 'header_has "^Set-Cookie: hogo_center=[A-Za-z0-9_-]{43}; Path=/center/; Max-Age=28800; HttpOnly; SameSite=Strict"' \
    '! header_has "Secure"'
cookie=$(sed -n 's/^Set-Cookie: \(hogo_center=[^;]*\);.*/\1/ip' "$scratch/h" | tr -d '\r')
get "/center/signin?token=$tok"
check "a token is good once" all 'code_is 403' 'stdout_has "すでに使用"' '! header_has "^Set-Cookie"'
get "/center/signin?token=$(token person irp u-irp "$scratch/other.key")"
check "a token of another key is refused" all 'code_is 403' '! header_has "^Set-Cookie"'
get "/center/signin?token=$(token officer irp u-irp)"
check "an officer's token does not open the center" all 'code_is 403' 'stdout_has "別の画面用"'
get "/center/signin?token=$(token person rcc u-irp)"
check "a token naming a person of another operator is refused" all 'code_is 403' '! header_has "^Set-Cookie"'
get "/center/signin?token=v1.abc.def"
check "a malformed token is refused with a page" all 'code_is 403' 'stdout_has "<html lang=\"ja\">"' secure_headers
expiring=$(token person irp u-irp "$scratch/signin.key" 1)
sleep 2
get "/center/signin?token=$expiring"
check "an expired token is refused" all 'code_is 403' 'stdout_has "有効期限"'

# ---- the pages ----
for page in /center/ /center/held /center/provided /center/policy; do
    get "$page" -b "$cookie"
    check "GET $page: 200, the headers, no inline script or style, Japanese" \
        all 'code_is 200' secure_headers no_inline 'stdout_has "<html lang=\"ja\">"' \
        'stdout_has "<main id=\"main\""' 'stdout_has "href=\"#main\""' \
        'stdout_has "<link rel=\"stylesheet\" href=\"/center/static/hogo.css\">"'
done
get /center/held -b "$cookie"
check "what is held: categories and provenance, no values unless asked" \
    all 'stdout_has "メールアドレス"' 'stdout_has "第三者から（取得元: Ponta）"' \
    '! stdout_has "secret-irp@example.jp"' 'stdout_has "Ponta会員ID"'
get "/center/held?values=1" -b "$cookie"
check "values when asked, escaped" all 'code_is 200' 'stdout_has "secret-irp@example.jp"' \
    'stdout_has "&lt;script&gt;alert\(1\)&lt;/script&gt;山田"' no_inline
run "" audit export
check "showing the values was an audited disclosure" all 'stdout_has "subject.disclose"'
get /center/provided -b "$cookie"
check "the provision record is listed with its recipient and corporate number" \
    all 'stdout_has "当社サービスに参加している企業・学校・団体等"' 'stdout_has "9234567890123"'
get /center/policy -b "$cookie"
check "the policy has clause anchors and says what a purpose means for this person" \
    all 'stdout_has "id=\"clause-3-5\""' 'stdout_has "href=\"#clause-3-5\""' \
    'stdout_has "Ponta会員ID を連携しているため"' 'stdout_has "停止中"' \
    'stdout_has "dアカウント を連携した場合に限り"'
get "/center/?lang=en" -b "$cookie"
check "?lang=en switches to English" all 'code_is 200' 'stdout_has "<html lang=\"en\">"' \
    'stdout_has "Privacy Center"'
get /center/held -b "$cookie"
check "the language is kept by the session" all 'stdout_has "<html lang=\"en\">"' \
    'stdout_has "What we hold about you"'
get /center/static/hogo.css
check "the stylesheet is served" all 'code_is 200' 'header_has "^Content-Type: text/css"' secure_headers
cp "$scratch/out" "$scratch/center.css"
get /console/static/hogo.css
check "the same bytes under /console/" all 'code_is 200' 'cmp -s "$scratch/out" "$scratch/center.css"'
get /center/nowhere -b "$cookie"
check "an unknown page is a 404 page" all 'code_is 404' 'stdout_has "<h1>"' secure_headers

# ---- another operator's person ----
other=$(signin person rcc u-rcc)
for page in /center/ /center/held /center/provided "/center/held?values=1"; do
    get "$page" -b "$other"
    check "a person of rcc sees nothing of irp's person on $page" \
        all 'code_is 200' '! stdout_has "u-irp"' '! stdout_has "secret-irp"' '! stdout_has "9234567890123"'
done
get /center/
check "no session: 401 page" all 'code_is 401' 'stdout_has "サインインが必要です"' secure_headers

# ---- sign-out: a form with the csrf token, from this site ----
get /center/ -b "$cookie"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$scratch/out" | head -1)
check "the page's sign-out form carries the csrf token" test -n "$csrf"
get /center/signout -b "$cookie" -X POST -d ''
check "sign-out without the csrf token: 403" all 'code_is 403' secure_headers
get /center/signout -b "$cookie" -X POST -d "csrf=AAAA$csrf"
check "sign-out with a wrong token: 403" code_is 403
get /center/signout -b "$cookie" -X POST -d "csrf=$csrf" -H 'Origin: http://evil.example'
check "sign-out from another site's page: 403" code_is 403
get /center/signout -b "$cookie" -X POST -d "csrf=$csrf" -H 'Origin: null'
check "sign-out with Origin: null and no Sec-Fetch-Site: 403" code_is 403
get /center/signout -b "$cookie" -X POST -d "csrf=$csrf" -H "Origin: $base" -H 'Sec-Fetch-Site: cross-site'
check "sign-out a browser says is cross-site: 403" code_is 403
get /center/ -b "$cookie"
check "the session survived the refused attempts" code_is 200
# what a browser sends under Referrer-Policy: no-referrer; the form urlencoded (each byte of
# the token percent-encoded, among other fields), decoded by the post processor
encoded=$(printf '%s' "$csrf" | od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g')
get /center/signout -b "$cookie" -X POST -d "x=1+2&csrf=$encoded&y=%E3%81%82" \
    -H 'Origin: null' -H 'Sec-Fetch-Site: same-origin'
check "sign-out with the token: 303, the cookie cleared" \
    all 'code_is 303' 'header_has "^Location: /center/signed-out"' \
    'header_has "^Set-Cookie: hogo_center=; Path=/center/; Max-Age=0"'
get /center/ -b "$cookie"
check "after sign-out the session is gone" code_is 401
run "" audit verify
check "the audit log verifies after all of it" exit_is 0
finish
