#!/usr/bin/env python3
"""The Python client (clients/python) against the real hogod: the example runs, and the
client's calls answer what the routes answer (decisions, subjects, facts, data, ledger,
audit), errors raise ProblemError with status and pointer, a 429 is retried. Test layer.
"""
import os
import subprocess
import sys

from hogod_harness import SOURCE, Daemon, check, finish, make_store, new_key, scratch

sys.path.insert(0, os.path.join(SOURCE, "clients", "python"))
from hogo_client import Client, ProblemError  # noqa: E402

ALL = "decide,subjects:read,subjects:write,data:read,data:write,ledger:read,ledger:write," \
      "audit:read,policies:read,metrics:read"


def main():
    d = scratch()
    db, env = make_store(d)
    key = new_key(db, "irp", ALL, env)
    daemon = Daemon("--db", db, "--access-log", "off", env=env)
    url = f"http://127.0.0.1:{daemon.port}"
    try:
        p = subprocess.run([sys.executable, os.path.join(SOURCE, "clients", "python",
                                                         "example.py"), url, key],
                           capture_output=True, text=True, timeout=60)
        check("the example runs", p.returncode == 0 and "provide: allow record prov-" in p.stdout
              and "refused: 400 /data/0" in p.stdout, p.stdout + p.stderr)
        with Client(url, key=key) as c:
            c.add_subject("u2")
            c.set_fact("u2", "age", 14)
            check("facts round-trip", c.facts("u2").get("age") == 14, c.facts("u2"))
            a = c.decide({"policy": "irp", "subject_id": "u2", "action": "use",
                          "purpose": "ad_delivery", "data": ["email"]})
            check("a decision on stored facts", a["decision"] == "deny"
                  and a["decision_id"].startswith("evt_"), a)
            out = c.decide_batch([{"policy": "irp", "subject_id": "u2", "action": "use",
                                   "purpose": "ad_delivery", "data": ["email"]},
                                  {"policy": "irp"}])
            check("a batch answers each line", len(out) == 2 and out[0]["decision"] == "deny"
                  and "error" in out[1], out)
            item = c.put_data("u2", "email", "u2@example.jp", {"channel": "direct"})
            check("sealed data round-trips",
                  c.get_data("u2", item["item_id"])["value"] == "u2@example.jp")
            try:
                c.subject("nobody")
                check("an unknown subject raises", False)
            except ProblemError as e:
                check("an unknown subject raises ProblemError 404", e.status == 404, e)
            check("audit verify through the client", c.audit_verify()["intact"] is True)
            check("policies through the client", [p["id"] for p in c.policies()] == ["irp"])
        with Client(url, key="hogo_" + "A" * 43) as c:
            try:
                c.policies()
                check("an unknown key raises", False)
            except ProblemError as e:
                check("an unknown key raises ProblemError 401", e.status == 401, e)
    finally:
        daemon.stop()
    finish()


if __name__ == "__main__":
    main()
