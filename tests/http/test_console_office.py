"""HTTP test of the privacy office's console pages that read the records, against a real hogod
over a SQLite store made by the CLI: the ledger search (each filter, paging, another
operator's officer seeing none of the records), its CSV equal byte for byte to `hogo ledger
export --format csv` for the same filter, the audit page (last checkpoint, unsealed tail, a
verification that finds an edited event), the policy's versions and a revision's clause-level
diff, and the decision explorer (its answer equal to `hogo check --format text`, errors with
their JSON pointer, nothing recorded). Officers sign in with a token of kind officer; where
this hogod cannot sign officers in, the test is skipped (77) saying why. Test layer.
"""
import datetime
import html
import os
import re
import shutil
import sqlite3
import sys
import urllib.parse

from hogod_harness import (SOURCE, Daemon, check, csrf_of, finish, hogo, scratch, signin_key,
                           web_get, web_post, web_signin)

COOKIE = "hogo_console"


def run(*args, env, input=None):
    rc, out, err = hogo(*args, env=env, input=input)
    if rc:
        raise RuntimeError(f"hogo {' '.join(args)}: {err}")
    return out


def policies_with_an_earlier_version(d):
    """The shipped policies, and irp@2024-01-01.yaml: irp without clause 3(7) and with one
    more purpose in 3(1)'s first rule."""
    pol = os.path.join(d, "policies")
    shutil.copytree(os.path.join(SOURCE, "policies"), pol)
    with open(os.path.join(pol, "irp.yaml"), encoding="utf-8") as f:
        s = f.read().replace("version: '2025-04-01'", "version: '2024-01-01'")
    i = s.index("  - id: '3(7)'")
    j = s.index("  - id:", i + 10)
    s = s[:i] + s[j:]
    s = s.replace("purposes: [recruitment_selection]",
                  "purposes: [recruitment_selection, scout_selection]", 1)
    with open(os.path.join(pol, "irp@2024-01-01.yaml"), "w", encoding="utf-8") as f:
        f.write(s)
    return pol


def officer(daemon, key, db, env, name, operator):
    """Signs an officer (viewer) in; None when officers cannot sign in here."""
    hogo("officer", "add", name, "--operator", operator, "--role", "viewer", "--db", db,
         env=env, input=b"correct horse battery staple\n")
    st, sid, _ = web_signin(daemon, key, "officer", operator, name)
    return sid if st == 303 and sid else None


def get(daemon, sid, path):
    return web_get(daemon, path, sid, COOKIE)


def ids_in(page):
    return set(re.findall(rb"(?:prov|rcpt)-[0-9a-f]{20}", page))


def main():
    d = scratch()
    pol = policies_with_an_earlier_version(d)
    db = os.path.join(d, "hogo.db")
    env = {"HOGO_MASTER_KEY_FILE": os.path.join(d, "master.key"),
           "HOGO_SIGNING_KEY_FILE": os.path.join(d, "audit.key"),
           "HOGO_KEY_STORE": os.path.join(d, "keys.db"), "HOGO_POLICY_PATH": pol,
           "HOGO_DB": db}
    run("key", "generate", env["HOGO_MASTER_KEY_FILE"], env=env)
    run("key", "generate", "--signing", env["HOGO_SIGNING_KEY_FILE"], env=env)
    run("init", env=env)
    # the records: two provisions and a receipt of irp, none of rcc
    for cmd in (["subject", "add", "u1", "--operator", "irp"],
                ["subject", "set", "u1", "applied_to", "9234567890123,6100000000001"],
                ["subject", "add", "u2", "--operator", "irp"],
                ["subject", "link", "u2", "ponta", "--in-progress"],
                ["subject", "add", "r1", "--operator", "rcc"]):
        run(*cmd, env=env)
    app = os.path.join(SOURCE, "examples", "irp-application-stored.json")
    a = run("provide", "--subject", "u1", app, env=env)
    ponta = ('{"policy":"irp","subject_id":"u2","action":"provide","purpose":'
             '"ponta_registration","data":["name","birth_date","gender","address"],'
             '"recipient":{"id":"loyalty_marketing"}}')
    b = run("provide", env=env, input=ponta.encode())
    receive = ('{"policy":"irp","subject_id":"u1","action":"receive","purpose":'
               '"billing_confirmation","data":["prior_application_fact"],"recipient":'
               '{"id":"participating_company","corporate_number":"6100000000001"}}')
    r = run("receive", "--provider-name", "株式会社テスト", "--provider-address", "東京都",
            "--provider-representative", "山田", "--acquisition", "本人の応募", env=env,
            input=receive.encode())
    rec = {k: re.search(r'"record_id":\s*"([^"]+)"', v).group(1).encode()
           for k, v in (("A", a), ("B", b), ("R", r))}
    key = signin_key(d)
    daemon = Daemon("--db", db, "--signing-key", env["HOGO_SIGNING_KEY_FILE"], "--signin-key",
                    key + ".pub", env=env)
    try:
        sid = officer(daemon, key, db, env, "irp-viewer", "irp")
        other = officer(daemon, key, db, env, "rcc-viewer", "rcc")
        if not sid or not other:
            print("skip: officers cannot sign in to this hogod (no officer accounts or no "
                  "token sign-in for the console)")
            sys.exit(77)
        ledger(daemon, sid, other, rec, db, env)
        audit(daemon, sid, db, env)
        policies(daemon, sid, other)
        explorer(daemon, sid, other, db, env)
    finally:
        daemon.stop()
        shutil.rmtree(d, ignore_errors=True)
    finish()


def ledger(daemon, sid, other, rec, db, env):
    A, B, R = rec["A"], rec["B"], rec["R"]
    st, h, page = get(daemon, sid, "/console/ledger")
    check("the ledger page lists the operator's three records",
          st == 200 and ids_in(page) == {A, B, R}, (st, page[-400:]))
    check("the ledger page is a web page with its headers",
          "default-src 'none'" in h.get("content-security-policy", "") and
          h.get("content-type", "").startswith("text/html"), h)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    tomorrow, yesterday = today + datetime.timedelta(days=1), today - datetime.timedelta(days=1)
    cases = [("subject=u2", {B}, ["--subject", "u2"]),
             ("subject=u1", {A, R}, ["--subject", "u1"]),
             ("purpose=ponta_registration", {B}, ["--purpose", "ponta_registration"]),
             ("recipient=loyalty_marketing", {B}, ["--recipient", "loyalty_marketing"]),
             ("recipient=9234567890123", {A}, ["--recipient", "9234567890123"]),
             ("recipient=" + urllib.parse.quote("株式会社テスト"), {R},
              ["--recipient", "株式会社テスト"]),
             ("kind=receipt", {R}, ["--kind", "receipts"]),
             ("kind=provision", {A, B}, ["--kind", "provisions"]),
             (f"from={tomorrow}", set(), ["--from", str(tomorrow)]),
             (f"to={yesterday}", set(), ["--to", str(yesterday)]),
             (f"from={today}&to={today}", {A, B, R}, ["--from", str(today), "--to", str(today)]),
             ("subject=u1&kind=provision", {A}, ["--subject", "u1", "--kind", "provisions"]),
             ("", {A, B, R}, [])]
    for q, want, flags in cases:
        st, h, page = get(daemon, sid, "/console/ledger?" + q)
        check(f"search {q or '(all)'}: {len(want)} records", st == 200 and ids_in(page) == want,
              (st, ids_in(page)))
        st, h, csv = get(daemon, sid, "/console/ledger.csv?" + q)
        cli = run("ledger", "export", "--operator", "irp", "--format", "csv", *flags,
                  env=env).encode()
        check(f"CSV of {q or '(all)'} is hogo ledger export's, byte for byte",
              st == 200 and csv == cli and h.get("content-type", "").startswith("text/csv") and
              "attachment" in h.get("content-disposition", ""), (st, csv[:300], cli[:300]))
    con = sqlite3.connect(db)
    reads = dict(con.execute("SELECT action, COUNT(*) FROM audit_events WHERE actor = "
                             "'officer:irp-viewer' GROUP BY action").fetchall())
    con.close()
    check("every search and export is an audit event naming the officer",
          reads.get("ledger.search") == len(cases) + 1 and
          reads.get("ledger.export") == len(cases), reads)
    # paging: two a page, then the rest through the next link
    st, h, page = get(daemon, sid, "/console/ledger?limit=2")
    first = ids_in(page)
    m = re.search(rb'rel="next" href="([^"]+)"', page)
    check("a page of two has two records and a next link", st == 200 and len(first) == 2 and m,
          page[-600:])
    if m:
        st, h, page2 = get(daemon, sid, html.unescape(m.group(1).decode()))
        second = ids_in(page2)
        check("the next page has the rest and no next link",
              st == 200 and second == {A, B, R} - first and b'rel="next"' not in page2,
              (st, second))
    for q, what in (("from=2026-13-01", "a bad date"), ("kind=both", "a bad kind"),
                    ("purpose=nosuch_purpose", "an unknown purpose"), ("limit=0", "limit 0"),
                    ("after=garbage", "a forged cursor")):
        st, h, page = get(daemon, sid, "/console/ledger?" + q)
        check(f"{what} is refused with a page saying so", st == 400 and b"<html" in page,
              (st, page[:200]))
    # another operator's officer sees none of them, however they search
    for q in ("", "subject=u1", "recipient=loyalty_marketing", "kind=receipt"):
        st, h, page = get(daemon, other, "/console/ledger?" + q)
        check(f"another operator's officer sees none of the records ({q or 'all'})",
              st == 200 and not ids_in(page) and "条件に合う記録はありません".encode() in page and
              b"<td>u1</td>" not in page and b"<td>u2</td>" not in page,
              (st, ids_in(page)))
        st, h, csv = get(daemon, other, "/console/ledger.csv?" + q)
        check(f"and exports none ({q or 'all'})",
              st == 200 and csv.count(b"\n") == 1 and csv.startswith(b"type,id,"), csv[:200])


def audit(daemon, sid, db, env):
    run("audit", "checkpoint", env=env)
    run("subject", "add", "u3", "--operator", "irp", env=env)
    st, h, page = get(daemon, sid, "/console/audit")
    con = sqlite3.connect(db)
    last_cp = con.execute("SELECT MAX(seq) FROM checkpoints").fetchone()[0]
    last_ev = con.execute("SELECT MAX(seq) FROM audit_events").fetchone()[0]
    con.close()
    text = html.unescape(re.sub(rb"<[^>]+>", b" ", page).decode())
    check("the audit page names the last checkpoint's event", st == 200 and
          re.search(rf"封印したイベント\s+{last_cp}\b", text), text[-900:])
    check("its signature holds under hogod's public key", "署名あり・有効" in text, text[-900:])
    check("the unsealed tail runs from the next event to the last",
          f"イベント {last_cp + 1} – {last_ev}" in text or
          f"イベント {last_cp + 1} – {last_ev + 1}" in text, text[-900:])
    form = {"csrf": csrf_of(page)}
    st, h, page = web_post(daemon, "/console/audit", form, sid, COOKIE)
    check("verifying now finds the log intact", st == 200 and "改ざんなし".encode() in page and
          "署名も検証済み".encode() in page, (st, page[-800:]))
    st, h, page = web_post(daemon, "/console/audit", {}, sid, COOKIE)
    check("verifying without the form's csrf token: 403", st == 403, st)
    # an edited event is found
    con = sqlite3.connect(db)
    con.execute("UPDATE audit_events SET object = object || ' edited' WHERE seq = 2")
    con.commit()
    con.close()
    st, h, page = web_post(daemon, "/console/audit", form, sid, COOKIE)
    text = html.unescape(re.sub(rb"<[^>]+>", b" ", page).decode())
    check("verifying after an edit names the first bad event",
          st == 200 and "改ざんを検出" in text and re.search(r"最初の不正なイベント\s+2\b", text),
          text[-900:])
    con = sqlite3.connect(db)
    con.execute("UPDATE audit_events SET object = replace(object, ' edited', '') WHERE seq = 2")
    con.commit()
    con.close()


def policies(daemon, sid, other):
    st, h, page = get(daemon, sid, "/console/policies")
    check("the policy page lists both versions, newest first",
          st == 200 and page.find(b"2025-04-01") < page.find(b"2024-01-01") and
          b"irp@2024-01-01.yaml" in page, page[-800:])
    m = re.search(rb'href="(/console/policies/irp/diff\?[^"]+)"', page)
    check("each earlier version links to what the next one changed", m, page[-800:])
    st, h, page = get(daemon, sid, html.unescape(m.group(1).decode()) if m else "/x")
    text = html.unescape(re.sub(rb"<[^>]+>", b" ", page).decode())
    check("the diff names the added clause 3(7) with its quote",
          st == 200 and re.search(r"条項 3\(7\)\s+追加", text) and
          "ユーザー自身の選択によりリクルートIDにAmazonアカウントを連携する場合" in text, text[:1500])
    check("and the changed rule of 3(1) with its purposes before and after",
          re.search(r"条項 3\(1\)\s+変更", text) and
          re.search(r"利用目的\s+recruitment_selection, scout_selection\s+recruitment_selection",
                    text), text[:3000])
    check("and counts the clauses", "追加された条項 1、削除された条項 0、変更された条項 1" in text,
          text[:800])
    st, h, page = get(daemon, sid, "/console/policies/irp/diff?from=2025-04-01&to=2024-01-01")
    text = html.unescape(re.sub(rb"<[^>]+>", b" ", page).decode())
    check("the reverse diff removes 3(7)", st == 200 and re.search(r"条項 3\(7\)\s+削除", text),
          text[:800])
    st, h, page = get(daemon, sid, "/console/policies/irp/diff?from=1999-01-01")
    check("an unknown version: 404", st == 404, st)
    st, h, page = get(daemon, other, "/console/policies/irp/diff")
    check("another operator's officer cannot see irp's revisions: 404", st == 404, st)
    st, h, page = get(daemon, other, "/console/policies")
    check("and sees its own policy's versions only",
          st == 200 and b"rcc.yaml" in page and b"irp" not in page.split(b"<main")[1], st)


def answer_text(page):
    m = re.search(rb'id="answer-text"[^>]*>(.*?)</pre>', page, re.S)
    return html.unescape(m.group(1).decode()) if m else None


def explorer(daemon, sid, other, db, env):
    con = sqlite3.connect(db)
    count = lambda: (con.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0],
                     con.execute("SELECT COUNT(*) FROM provisions").fetchone()[0])
    st, h, page = get(daemon, sid, "/console/explorer")
    csrf = csrf_of(page)
    check("the explorer offers the operator's examples", st == 200 and csrf and
          "応募した企業への提供".encode() in page, st)
    before = count()
    cli_env = {k: v for k, v in env.items() if k != "HOGO_DB"}
    for name in ("irp-application.json", "irp-sales-identified.json", "irp-minor.json",
                 "irp-blocked-scout.json", "irp-ponta-linking.json"):
        path = os.path.join(SOURCE, "examples", name)
        with open(path, encoding="utf-8") as f:
            req = f.read()
        for lang in ("ja", "en"):
            st, h, page = web_post(daemon, "/console/explorer",
                                   {"csrf": csrf, "request": req, "answer_lang": lang}, sid,
                                   COOKIE)
            rc, out, err = hogo("check", "--format", "text", "--lang", lang, path, env=cli_env)
            check(f"explorer answers {name} ({lang}) as hogo check --format text",
                  st == 200 and answer_text(page) == out and out, (st, answer_text(page), out))
    st, h, page = get(daemon, sid, "/console/explorer?example=1")
    check("an example fills the form", st == 200 and "sales_proposal".encode() in page, st)
    bad = [('{"policy":"irp","action":"use","purpose":"sales_propsal","data":["name"]}',
            "/purpose"),
           ('{"policy":"irp","action":"use","purpose":"service_operation","data":["nmae"]}',
            "/data/0"),
           ('{"policy":"rcc","action":"use","purpose":"identity_verification","data":["name"]}',
            "/policy"),
           ('{"policy":"irp","subject_id":"u1","action":"use","purpose":"service_operation",'
            '"data":["name"]}', "/subject_id")]
    for req, where in bad:
        st, h, page = web_post(daemon, "/console/explorer", {"csrf": csrf, "request": req}, sid,
                               COOKIE)
        m = re.search(rb'id="error-where">([^<]*)<', page)
        check(f"a bad request is shown with its JSON pointer {where}",
              st == 400 and m and html.unescape(m.group(1).decode()) == where,
              (st, m and m.group(1)))
    st, h, page = web_post(daemon, "/console/explorer", {"request": "{}"}, sid, COOKIE)
    check("the explorer's form without its csrf token: 403", st == 403, st)
    check("the explorer recorded nothing (no audit event, no record)", count() == before,
          (before, count()))
    # another operator's officer: its own policy only
    st, h, page = get(daemon, other, "/console/explorer")
    ocsrf = csrf_of(page)
    with open(os.path.join(SOURCE, "examples", "irp-application.json"), encoding="utf-8") as f:
        req = f.read()
    st, h, page = web_post(daemon, "/console/explorer", {"csrf": ocsrf, "request": req}, other,
                           COOKIE)
    m = re.search(rb'id="error-where">([^<]*)<', page)
    check("another operator's officer cannot decide under irp", st == 400 and m and
          m.group(1) == b"/policy", st)
    con.close()


if __name__ == "__main__":
    main()
