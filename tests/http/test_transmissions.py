#!/usr/bin/env python3
"""The 外部送信一覧 over HTTP (docs/transmissions.md): GET /v1/transmissions/{policy_id}
answers the policy's list as JSON to anyone (no key, a foreign operator's key, a bad key), with
the same content `hogo policy transmissions` lists; an unserved policy or one without a list is
a 404 problem; a list with an error stops hogod from starting (file:line:col), and SIGHUP picks
up a revised list while a broken one leaves the old list serving. Test layer.
"""
import json
import os
import shutil
import signal
import time

from hogod_harness import (SOURCE, Daemon, check, finish, hogo, is_problem, make_store,
                           new_key, scratch)

POLICIES = os.path.join(SOURCE, "policies")


def copy_policies():
    """A private copy of the policies folder (vocabulary, texts, policies, lists)."""
    d = os.path.join(scratch(), "policies")
    shutil.copytree(POLICIES, d)
    return d


def main():
    env = {"HOGO_POLICY_PATH": POLICIES}
    d = Daemon("--access-log", "off", env=env)
    try:
        st, doc, ctype = d.json("GET", "/v1/transmissions/irp")
        check("the list is served as JSON", st == 200 and ctype.startswith("application/json"),
              (st, ctype))
        doc = doc or {}
        check("it names its policy, operator, revision and that it is example data",
              doc.get("policy") == "irp" and doc.get("revised") == "2025-04-01"
              and doc.get("example") is True
              and (doc.get("operator") or {}).get("ja") == "株式会社インディードリクルートパートナーズ",
              {k: doc.get(k) for k in ("policy", "revised", "example", "operator")})
        sites = doc.get("sites") or []
        check("three sites and apps, ten transmissions",
              len(sites) == 3 and sum(len(s.get("transmissions", [])) for s in sites) == 10,
              [(s.get("id"), len(s.get("transmissions", []))) for s in sites])
        app = [s for s in sites if s.get("id") == "recruit_agent_app"]
        loc = [t for s in app for t in s["transmissions"]
               if t.get("recipient") == "sample_location_insights"]
        check("a transmission carries its tool, recipient name, data and purposes",
              app and app[0].get("kind") == "app" and loc
              and loc[0]["tool"]["ja"] == "位置情報解析SDK"
              and loc[0]["recipient_name"]["ja"] == "サンプル位置情報解析株式会社（例）"
              and [x["id"] for x in loc[0]["data"]] == ["location", "ad_identifier"]
              and loc[0]["data"][0]["ja"] == "位置情報"
              and [x["id"] for x in loc[0]["purposes"]] == ["preference_analysis"],
              loc)
        partners = {p.get("id"): p for p in doc.get("partners") or []}
        oo = (partners.get("sample_location_insights") or {}).get("opt_out") or {}
        check("a partner with its own opt-out has its id and address",
              oo.get("id") == "sample_location_insights"
              and oo.get("url") == "https://sample-location-insights.example/opt-out",
              partners.get("sample_location_insights"))
        check("a partner without one says null",
              "google" in partners and partners["google"].get("opt_out") is None
              and partners["google"].get("in_vocabulary") is True, partners.get("google"))
        # the same content as the CLI's listing
        rc, out, err = hogo("policy", "transmissions", "irp", "--format", "json", env=env)
        rows = json.loads(out) if rc == 0 else []
        served = [(s["id"], t["recipient"], [x["id"] for x in t["data"]],
                   [x["id"] for x in t["purposes"]]) for s in sites for t in s["transmissions"]]
        listed = [(r["site"], r["recipient"], [x["id"] for x in r["data"]],
                   [x["id"] for x in r["purposes"]]) for r in rows]
        check("hogod serves what hogo policy transmissions lists", served == listed and served,
              (served[:2], listed[:2], err))
        for pid in ("rcc", "rea", "rmc", "rkm"):
            st, doc, _ = d.json("GET", f"/v1/transmissions/{pid}")
            check(f"{pid}'s list is served", st == 200 and doc.get("policy") == pid, st)
        st, doc, ctype = d.json("GET", "/v1/transmissions/nosuch")
        check("an unserved policy is a 404 problem", is_problem(st, doc, ctype, 404)
              and "not served" in doc.get("detail", ""), (st, doc))
    finally:
        d.stop()

    # with a store every other route needs a key; this one needs none, and a key of another
    # operator (or a bad one) does not change the answer
    sdir = scratch()
    db, senv = make_store(sdir)
    senv = dict(senv, HOGO_POLICY_PATH=POLICIES)
    rcc_key = new_key(db, "rcc", "policies:read", senv)
    d = Daemon("--db", db, "--access-log", "off", env=senv)
    try:
        answers = [d.request("GET", "/v1/transmissions/irp", key=k) for k in
                   (None, rcc_key, "hogo_bad")]
        check("with a store: public, the same for no key, another operator's and a bad key",
              all(a[0] == 200 for a in answers) and answers[0][2] == answers[1][2] == answers[2][2],
              [a[0] for a in answers])
        st, _, _ = d.request("GET", "/v1/policies/irp")
        check("control: a keyed route still wants a key", st == 401, st)
    finally:
        d.stop()

    # a policy without a list
    pdir = copy_policies()
    os.remove(os.path.join(pdir, "transmissions", "rkm.yaml"))
    d = Daemon("--access-log", "off", env={"HOGO_POLICY_PATH": pdir})
    try:
        st, doc, ctype = d.json("GET", "/v1/transmissions/rkm")
        check("a policy without a list is a 404 problem saying where to write it",
              is_problem(st, doc, ctype, 404) and "transmissions/rkm.yaml" in doc.get("detail", ""),
              (st, doc))
        st, _, _ = d.request("GET", "/v1/transmissions/irp")
        check("the other lists are served", st == 200, st)
        # a revised list is served after SIGHUP
        path = os.path.join(pdir, "transmissions", "irp.yaml")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("revised: '2025-04-01'", "revised: '2026-01-15'"))
        d.signal(signal.SIGHUP)
        revised = None
        for _ in range(100):
            st, doc, _ = d.json("GET", "/v1/transmissions/irp")
            revised = (doc or {}).get("revised")
            if revised == "2026-01-15":
                break
            time.sleep(0.05)
        check("SIGHUP serves the revised list", revised == "2026-01-15", revised)
        # a broken list on reload: the old set keeps serving
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("recipient: google", "recipient: gogle"))
        d.signal(signal.SIGHUP)
        time.sleep(1)
        st, doc, _ = d.json("GET", "/v1/transmissions/irp")
        check("a broken list on reload leaves the old one serving",
              st == 200 and (doc or {}).get("revised") == "2026-01-15", (st, doc))
        check("and the failure is logged with file:line:col",
              "transmissions/irp.yaml:" in d.stderr() and "gogle" in d.stderr(), d.stderr()[-400:])
    finally:
        d.stop()

    # a broken list stops hogod from starting
    d = Daemon("--access-log", "off", env={"HOGO_POLICY_PATH": pdir}, wait=False)
    try:
        code = d.proc.wait(30)
        log = d.stderr()
        check("hogod does not start with a broken list", code != 0, code)
        check("it says where: file:line:col and the nearest id",
              "transmissions/irp.yaml:" in log and "did you mean 'google'" in log, log[-400:])
    finally:
        d.stop()
    finish()


if __name__ == "__main__":
    main()
