#!/usr/bin/env python3
"""hogod's rights routes with a store: a suspension opened, verified and completed over HTTP
makes the next stored-facts decision deny by the policy's rights clause; a disclosure
answers its package; refusals cite their article; an erasure leaves no value of the person
in any route's answer; an import reports its bad lines by number and stores only the good
ones, and only for the key's operator; a breach is assessed with its deadlines. Test layer.
"""
import json

from hogod_harness import (Daemon, check, finish, hogo, make_store, new_key, scratch)

SCOPES = "metrics:read,decide,subjects:read,subjects:write,data:read,data:write,rights:read,rights:write," \
         "breaches:read,breaches:write,subjects:import,ledger:write"
PROVIDE = {"policy": "irp", "action": "provide", "purpose": "recruitment_selection",
           "data": ["name"], "service": "recruit_agent",
           "recipient": {"id": "participating_company", "corporate_number": "6100000000001"}}


def main():
    d = scratch()
    db, env = make_store(d)
    for s in ("s1", "e1"):
        hogo("subject", "add", s, "--operator", "irp", "--db", db, env=env)
        hogo("subject", "set", s, "applied_to", "6100000000001", "--db", db, env=env)
    key = new_key(db, "irp", SCOPES, env)
    other = new_key(db, "rcc", SCOPES, env)
    daemon = Daemon("--db", db, "--access-log", "off", env=env)
    try:
        # a suspension, end to end
        st, doc, _ = daemon.json("POST", "/v1/decide", dict(PROVIDE, subject_id="s1"), key)
        check("before: the provision is allowed", st == 200 and doc["decision"] == "allow", doc)
        st, doc, _ = daemon.json("POST", "/v1/dsr", {"subject_id": "s1", "kind": "suspension",
                                                     "channel": "web"}, key)
        rid = doc.get("request_id") if isinstance(doc, dict) else None
        check("open: 201 with the id", st == 201 and rid and rid.startswith("dsr-"), (st, doc))
        st, doc, _ = daemon.json("POST", f"/v1/dsr/{rid}:complete", None, key)
        check("complete before verification: 400", st == 400, (st, doc))
        st, doc, _ = daemon.json("POST", f"/v1/dsr/{rid}:verify",
                                 {"method": "jpki", "verifier": "窓口"}, key)
        check("verify: recorded", st == 200 and doc["verification"]["method"] == "jpki", doc)
        st, doc, _ = daemon.json("POST", f"/v1/dsr/{rid}:complete", None, key)
        check("complete: the Japanese notice cites clause 7",
              st == 200 and "第7項" in doc["notice"] and "利用を停止" in doc["notice"], doc)
        st, doc, _ = daemon.json("POST", "/v1/decide", dict(PROVIDE, subject_id="s1"), key)
        check("after: denied by clause 7", st == 200 and doc["decision"] == "deny" and
              doc["reasons"][0]["clause"] == "7", doc)
        st, doc, _ = daemon.json("GET", f"/v1/dsr/{rid}", None, key)
        check("the history names the key as actor",
              st == 200 and doc["history"][-1]["actor"].startswith("key:"), doc)
        st, doc, _ = daemon.json("GET", "/v1/dsr?state=completed", None, key)
        check("list by state", st == 200 and [r["id"] for r in doc or []] == [rid], (st, doc))
        st, doc, _ = daemon.json("GET", "/v1/dsr", None, other)
        check("another operator lists none", st == 200 and doc == [], doc)
        st, h, raw = daemon.request("GET", "/metrics", None, key)
        check("metrics count requests by state",
              st == 200 and b'hogod_rights_requests{state="completed"} 1' in raw, raw[-400:])

        # refusal cites its article
        st, doc, _ = daemon.json("POST", "/v1/dsr", {"subject_id": "s1", "kind": "disclosure"},
                                 key)
        r2 = doc["request_id"]
        st, doc, _ = daemon.json("POST", f"/v1/dsr/{r2}:refuse", {"ground": "no_statutory_ground"},
                                 key)
        check("a ground that does not answer the kind: 400 /ground",
              st == 400 and doc.get("pointer") == "/ground", doc)
        st, doc, _ = daemon.json("POST", f"/v1/dsr/{r2}:refuse",
                                 {"ground": "serious_business_hindrance", "reason": "大量"}, key)
        check("refused, citing Art. 33(2)(ii)",
              st == 200 and "APPI Art. 33(2)(ii)" in doc["notice"], doc)

        # disclosure answers the package; erasure leaves nothing readable
        secret = "ひみつ-7731@example.jp"
        st, doc, _ = daemon.json("POST", "/v1/subjects/e1/data",
                                 {"category": "email", "value": secret,
                                  "provenance": {"channel": "direct"}}, key)
        check("an item for e1", st == 201, (st, doc))
        st, doc, _ = daemon.json("POST", "/v1/dsr", {"subject_id": "e1", "kind": "disclosure"},
                                 key)
        r3 = doc["request_id"]
        daemon.json("POST", f"/v1/dsr/{r3}:verify", {"method": "login_session",
                                                     "verifier": "web"}, key)
        st, doc, _ = daemon.json("POST", f"/v1/dsr/{r3}:complete", None, key)
        check("disclosure: the package holds the value",
              st == 200 and doc["package"]["data_items"][0]["value"] == secret, doc)
        st, doc, _ = daemon.json("POST", "/v1/dsr", {"subject_id": "e1", "kind": "erasure"}, key)
        r4 = doc["request_id"]
        daemon.json("POST", f"/v1/dsr/{r4}:verify", {"method": "callback", "verifier": "c"}, key)
        st, doc, _ = daemon.json("POST", f"/v1/dsr/{r4}:complete", None, key)
        check("erasure: the notice says the key is destroyed",
              st == 200 and "暗号鍵を破棄" in doc["notice"], doc)
        st, doc, _ = daemon.json("POST", "/v1/dsr", {"subject_id": "e1", "kind": "disclosure"},
                                 key)
        r5 = doc["request_id"]
        daemon.json("POST", f"/v1/dsr/{r5}:verify", {"method": "callback", "verifier": "c"}, key)
        answers = b""
        for method, path in (("POST", f"/v1/dsr/{r5}:complete"), ("GET", "/v1/subjects/e1"),
                             ("GET", "/v1/subjects/e1/data"), ("GET", "/v1/subjects/e1/data/1"),
                             ("GET", "/v1/subjects/e1/facts"), ("GET", "/v1/dsr"),
                             ("GET", f"/v1/dsr/{r3}")):
            st, h, raw = daemon.request(method, path, None, key)
            answers += raw
        check("after erasure no route answers the value", secret.encode() not in answers)

        # import: bad lines by number, good ones stored, only the key's operator
        body = "\n".join([
            '{"subject_id":"i1","operator":"irp","facts":{"age":30}}',
            '{"subject_id":"i2","operator":"irp","facts":{"age":"old"}}',
            '{"subject_id":"i3","operator":"rcc"}',
            '{"subject_id":"i4","operator":"irp","facts":{"linked_accounts":["ponta"]}}',
            '{"subject_id":"i5","operator":"irp","facts":{"linked_accounts":["no_such"]}}']) + "\n"
        st, h, raw = daemon.request("POST", "/v1/subjects:import", body, key,
                                    {"Content-Type": "application/x-ndjson"})
        doc = json.loads(raw)
        check("import: 422 listing lines 2, 3 and 5 (an id not in the vocabulary)",
              st == 422 and doc["imported"] == 2 and
              [e["line"] for e in doc["errors"]] == [2, 3, 5], doc)
        st, doc, _ = daemon.json("GET", "/v1/subjects/i4/facts", None, key)
        check("an imported person's facts", st == 200 and doc.get("linked_accounts") == ["ponta"],
              doc)
        st, doc, _ = daemon.json("GET", "/v1/subjects/i3", None, other)
        check("a line for another operator stored nothing", st == 404, (st, doc))

        # a breach
        st, doc, _ = daemon.json("POST", "/v1/breaches",
                                 {"summary": "不正アクセス", "discovered": "2026-07-25",
                                  "items": "name,email", "wrongful": True}, key)
        bid = doc["breach_id"]
        st, doc, _ = daemon.json("POST", f"/v1/breaches/{bid}/affected", {"category": "email"},
                                 key)
        check("affected from the store", st == 200 and doc["added"] == 0, doc)
        st, doc, _ = daemon.json("POST", f"/v1/breaches/{bid}/affected", {"subject_id": "s1"},
                                 key)
        st, doc, _ = daemon.json("POST", f"/v1/breaches/{bid}:assess", None, key)
        check("a wrongful act: reportable, final report by day 60 moved off the holidays",
              st == 200 and doc["reportable"] and doc["final_due"] == "2026-09-24", doc)
        st, doc, _ = daemon.json("GET", f"/v1/breaches/{bid}", None, other)
        check("another operator's incident is 404", st == 404, (st, doc))
    finally:
        daemon.stop()
    rc, out, err = hogo("audit", "verify", "--db", db, env=env)
    check("the audit log verifies", rc == 0, out + err)
    finish()


if __name__ == "__main__":
    main()
