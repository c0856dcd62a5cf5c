"""HTTP test of the privacy office's console (/console/) with curl against a real hogod and a
store made by the CLI: password sign-in (a wrong password or a disabled officer refused,
slowed, logged and audited), the token sign-in of kind officer, the queue of the officer's
operator only with overdue requests first, a handler verifying and completing a request
(the same audit events as the CLI, the actor officer:NAME), a viewer refused every action with
403 and nothing changed, another operator's officer answered 404, a POST without the csrf
token refused, an admin's role change and disabling taking effect on the next request, and
breaches recorded, assessed and reported. Test layer. Skipped (77) without curl.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hogod_harness import (Daemon, check, finish, hogo, make_store, scratch,  # noqa: E402
                           signin_key, signin_token)

if not shutil.which("curl"):
    print("skipped: curl is not installed")
    sys.exit(77)

d = scratch()
db, env = make_store(d)


def cli(*args, input=None):
    rc, out, err = hogo(*args, "--db", db, env=env, input=input)
    if rc:
        raise RuntimeError(f"{args}: {err}")
    return out.strip()


for who, op in (("u1", "irp"), ("u2", "irp"), ("r1", "rcc")):
    cli("subject", "add", who, "--operator", op)
for name, op, role in (("hana", "irp", "handler"), ("vera", "irp", "viewer"),
                       ("adam", "irp", "admin"), ("otto", "rcc", "admin"),
                       ("sleepy", "irp", "handler")):
    cli("officer", "add", name, "--operator", op, "--role", role,
        input=f"{name} password 123\n".encode())
cli("officer", "disable", "sleepy")
first = cli("dsr", "open", "--subject", "u1", "--kind", "disclosure", "--channel", "web")
late = cli("dsr", "open", "--subject", "u2", "--kind", "suspension")
theirs = cli("dsr", "open", "--subject", "r1", "--kind", "disclosure")
# the second request came in 20 days ago: past its due date and the 10 days of Art. 39
with sqlite3.connect(db) as conn:
    past = (int(time.time()) - 20 * 86400) * 1000000
    conn.execute("UPDATE dsr_requests SET received_at = ?, due_at = ? WHERE request_id = ?",
                 (past, past + 10 * 86400 * 1000000, late))

skey = signin_key(d)
daemon = Daemon("--db", db, "--signin-key", skey + ".pub", env=env)
base = f"http://127.0.0.1:{daemon.port}"
jars = {}


def curl(who, method, path, form=None, csrf=True, origin=True):
    """One request as officer `who` (cookie jar per officer); returns (status, body text,
    seconds taken). csrf=True adds the session's token taken from the console's home page."""
    jar = jars.setdefault(who, os.path.join(d, f"{who}.jar"))
    args = ["curl", "-s", "-o", os.path.join(d, "body"), "-w", "%{http_code} %{time_total}",
            "-b", jar, "-c", jar, "-X", method]
    if method == "POST":
        fields = dict(form or {})
        if csrf is True:
            fields["csrf"] = token_of(who)
        elif csrf:
            fields["csrf"] = csrf
        for k, v in fields.items():
            args += ["--data-urlencode", f"{k}={v}"]
        if not fields:
            args += ["-d", ""]
        if origin:
            args += ["-H", f"Origin: {base}"]
    p = subprocess.run(args + [base + path], capture_output=True, text=True, timeout=60)
    status, took = p.stdout.split()
    with open(os.path.join(d, "body"), encoding="utf-8", errors="replace") as f:
        return int(status), f.read(), float(took)


def token_of(who):
    st, body, _ = curl(who, "GET", "/console/")
    m = re.search(r'name="csrf" value="([^"]+)"', body)
    return m.group(1) if m else ""


def state(rid):
    return json.loads(cli("dsr", "show", rid))["state"]


try:
    # ---- signing in ----
    st, body, _ = curl("hana", "GET", "/console/signin")
    check("the sign-in page has a labelled name and password form",
          st == 200 and '<label for="name">' in body and 'type="password"' in body and
          'lang="ja"' in body, (st, body[:300]))
    st, body, took = curl("hana", "POST", "/console/signin",
                          {"name": "hana", "password": "not the password"}, csrf=False)
    check("a wrong password is refused (401), slowed by a second, the page says so",
          st == 401 and took >= 1.0 and "パスワードが違います" in body, (st, took))
    st, body, took = curl("ghost", "POST", "/console/signin",
                          {"name": "ghost", "password": "ghost password 123"}, csrf=False)
    check("an unknown name gets the same answer", st == 401 and "パスワードが違います" in body, st)
    st, body, _ = curl("sleepy", "POST", "/console/signin",
                       {"name": "sleepy", "password": "sleepy password 123"}, csrf=False)
    check("a disabled officer is refused", st == 401 and "無効" in body, (st, body[-400:]))
    st, body, _ = curl("hana", "POST", "/console/signin",
                       {"name": "hana", "password": "hana password 123"}, csrf=False,
                       origin=False)
    check("the right password starts a session (303 to the console)", st == 303, st)
    jar = open(jars["hana"]).read()
    check("the session cookie is HttpOnly, for /console/ only",
          "#HttpOnly_127.0.0.1" in jar and "/console/" in jar and "hogo_console" in jar, jar)
    st, body, _ = curl("hana", "POST", "/console/signin",
                       {"name": "hana", "password": "hana password 123"}, csrf=False,
                       origin=False)
    for who in ("vera", "adam", "otto"):
        st, _, _ = curl(who, "POST", "/console/signin",
                        {"name": who, "password": f"{who} password 123"}, csrf=False)
        check(f"{who} signs in", st == 303, st)
    tok = signin_token(skey, "officer", "irp", "hana")
    st, _, _ = curl("hana-token", "GET", "/console/signin?token=" + tok)
    check("a sign-in token of kind officer starts a session", st == 303, st)
    st, _, _ = curl("hana-token2", "GET", "/console/signin?token=" + tok)
    check("the same token works once", st == 403, st)
    tok = signin_token(skey, "officer", "rcc", "hana")
    st, _, _ = curl("mixed", "GET", "/console/signin?token=" + tok)
    check("a token naming another operator than the officer's is refused", st == 403, st)
    log = daemon.stderr()
    check("failed sign-ins are logged by hogod", log.count("officer sign-in failed") >= 3, log[-500:])
    audit = cli("audit", "export")
    check("failed sign-ins are audit events",
          "officer.signin_failed" in audit and "reason:password" in audit and
          "reason:unknown_name" in audit and "reason:disabled" in audit,
          [l[:200] for l in audit.splitlines() if "signin" in l])
    check("sign-ins are audit events with their method",
          "method:password" in audit and "method:token" in audit)

    # ---- the queue ----
    st, body, _ = curl("vera", "GET", "/console/requests")
    check("the queue lists the operator's open requests, overdue first",
          st == 200 and late in body and first in body and body.index(late) < body.index(first)
          and "期限超過" in body, (st, body[-800:]))
    check("the queue never shows another operator's request", theirs not in body)
    st, body, _ = curl("otto", "GET", "/console/requests")
    check("the other operator's queue has only its own", theirs in body and first not in body)
    st, body, _ = curl("otto", "GET", f"/console/requests/{first}")
    check("another operator's officer gets 404 for the request", st == 404, st)
    check("the console's 404 page is the console's, linking back to its home, never the path",
          "プライバシー管理コンソール" in body and "プライバシーセンター" not in body
          and 'href="/console/"' in body and first not in body, body[:1200])
    st, _, _ = curl("otto", "POST", f"/console/requests/{first}/verify",
                    {"method": "callback", "verifier": "otto"})
    check("and cannot act on it (404), nothing changed", st == 404 and state(first) == "received",
          st)

    # ---- a viewer reads, never acts ----
    st, body, _ = curl("vera", "GET", f"/console/requests/{first}")
    check("a viewer sees the request without action forms",
          st == 200 and "/verify" not in body and "閲覧者" in body, st)
    for move, form in (("verify", {"method": "callback", "verifier": "v"}), ("start", {}),
                       ("complete", {}), ("refuse", {"ground": "no_such_data"}),
                       ("withdraw", {})):
        st, _, _ = curl("vera", "POST", f"/console/requests/{first}/{move}", form)
        check(f"a viewer's {move} is 403 and changes nothing",
              st == 403 and state(first) == "received", (st, state(first)))

    # ---- CSRF ----
    st, _, _ = curl("hana", "POST", f"/console/requests/{first}/verify",
                    {"method": "callback", "verifier": "h"}, csrf=False)
    check("a POST without the csrf token is 403, nothing changed",
          st == 403 and state(first) == "received", st)
    st, _, _ = curl("hana", "POST", f"/console/requests/{first}/verify",
                    {"method": "callback", "verifier": "h"}, csrf="A" * 43)
    check("a POST with a wrong csrf token is 403", st == 403 and state(first) == "received", st)

    # ---- a handler works the request ----
    st, body, _ = curl("hana", "GET", f"/console/requests/{first}")
    check("a handler sees the verification form with its methods",
          st == 200 and f"/console/requests/{first}/verify" in body and
          'value="jpki"' in body and "/refuse" in body and "/withdraw" in body, st)
    st, _, _ = curl("hana", "POST", f"/console/requests/{first}/verify",
                    {"method": "callback", "verifier": "窓口 hana"})
    check("verify: 303 and the request is verified", st == 303 and state(first) == "verified",
          (st, state(first)))
    st, _, _ = curl("hana", "POST", f"/console/requests/{first}/verify",
                    {"method": "callback", "verifier": "again"})
    check("a move the state does not allow is refused (400)", st == 400, st)
    st, _, _ = curl("hana", "POST", f"/console/requests/{first}/complete", {})
    check("complete: 303 and the request is completed", st == 303 and state(first) == "completed",
          (st, state(first)))
    st, body, _ = curl("hana", "GET", f"/console/requests/{first}")
    check("the request page shows the notice and the history with the officer",
          "本人への通知" in body and "officer:hana" in body and "完了" in body)
    shown = json.loads(cli("dsr", "show", first))
    check("the history names the officer as actor",
          [h["actor"] for h in shown["history"]][-3:] == ["officer:hana"] * 3, shown["history"])
    audit = cli("audit", "export")
    check("the moves are the CLI's audit events with the officer as actor",
          re.search(r'"actor":"officer:hana","action":"dsr.verified"', audit) and
          re.search(r'"actor":"officer:hana","action":"dsr.completed"', audit))
    st, _, _ = curl("hana", "POST", f"/console/requests/{late}/refuse",
                    {"ground": "content_is_true"})
    check("a ground the request's kind does not allow is refused, nothing changed",
          st == 400 and state(late) == "received", st)
    st, _, _ = curl("hana", "POST", f"/console/requests/{late}/refuse",
                    {"ground": "identity_not_verified", "reason": "書類が届きませんでした"})
    check("refuse on an APPI ground", st == 303 and state(late) == "refused", st)
    st, body, _ = curl("hana", "GET", "/console/requests?show=closed")
    check("the closed requests are listed apart", first in body and late in body)

    # ---- breaches ----
    st, _, _ = curl("vera", "POST", "/console/breaches",
                    {"summary": "s", "discovered": "2026-04-06", "items": "name"})
    check("a viewer cannot record an incident (403)", st == 403, st)
    st, body, _ = curl("hana", "POST", "/console/breaches",
                       {"summary": "メール誤送信", "discovered": "2026-04-06",
                        "items": "name,email", "wrongful": "1"})
    m = re.search(r"brc-[0-9a-z]+", open(jars["hana"]).read() + body)
    st2, page, _ = curl("hana", "GET", "/console/breaches")
    ids = re.findall(r'href="/console/breaches/(brc-[0-9a-z]+)"', page)
    check("a handler records an incident; it is listed", st == 303 and len(ids) == 1, (st, ids))
    brc = ids[0] if ids else "none"
    st, _, _ = curl("otto", "GET", f"/console/breaches/{brc}")
    check("another operator's officer gets 404 for the incident", st == 404, st)
    st, _, _ = curl("hana", "POST", f"/console/breaches/{brc}/affected", {"subject": "u1"})
    st2, _, _ = curl("hana", "POST", f"/console/breaches/{brc}/assess", {})
    st3, _, _ = curl("hana", "POST", f"/console/breaches/{brc}/report",
                     {"stage": "preliminary"})
    shown = json.loads(cli("breach", "show", brc))
    check("affected, assess and report go through hogo_breach_*",
          (st, st2, st3) == (303, 303, 303) and shown["affected"] == 1 and
          shown["reportable"] is True and shown["preliminary_at"], (st, st2, st3, shown))
    st, page, _ = curl("vera", "GET", f"/console/breaches/{brc}")
    check("the incident page shows its deadlines (wrongful act: final in 60 days)",
          st == 200 and shown["final_due"] in page and "報告済み" in page, st)

    # ---- officers ----
    st, _, _ = curl("hana", "GET", "/console/officers")
    check("a handler cannot manage officers (403)", st == 403, st)
    st, body, _ = curl("adam", "GET", "/console/officers")
    check("an admin sees the operator's officers only",
          st == 200 and "hana" in body and "vera" in body and "otto" not in body, st)
    st, _, _ = curl("adam", "POST", "/console/officers/otto/disable", {})
    check("an admin cannot touch another operator's officer (404)", st == 404, st)
    st, _, _ = curl("adam", "POST", "/console/officers/hana/role", {"role": "viewer"})
    check("an admin lowers hana to viewer", st == 303, st)
    st, _, _ = curl("hana", "POST", f"/console/breaches/{brc}/assess", {})
    check("the new role applies to hana's session at once (403)", st == 403, st)
    st, _, _ = curl("adam", "POST", "/console/officers/hana/disable", {})
    st2, _, _ = curl("hana", "GET", "/console/")
    check("disabling hana ends her session (401)", st == 303 and st2 == 401, (st, st2))
    st, _, _ = curl("adam", "POST", "/console/officers/adam/disable", {})
    check("an admin cannot disable themself", st == 400, st)
    st, _, _ = curl("adam", "POST", "/console/officers",
                    {"name": "neo", "role": "handler", "password": "neo password 123"})
    listed = json.loads(cli("officer", "list", "--operator", "irp"))
    neo = [o for o in listed if o["name"] == "neo"]
    check("an admin adds an officer to their own operator",
          st == 303 and neo and neo[0]["role"] == "handler", (st, listed))
    audit = cli("audit", "export")
    check("the admin's changes are audit events with the admin as actor",
          re.search(r'"actor":"officer:adam","action":"officer.set_role"', audit) and
          re.search(r'"actor":"officer:adam","action":"officer.disable"', audit) and
          re.search(r'"actor":"officer:adam","action":"officer.add"', audit))
    st, _, _ = curl("vera", "POST", "/console/signout", {})
    st2, _, _ = curl("vera", "GET", "/console/")
    check("sign-out ends the session", st == 303 and st2 == 401, (st, st2))
finally:
    daemon.stop()
finish()
