#!/usr/bin/env python3
"""hogod with a store: decisions on stored facts equal `hogo check --db --jsonl` byte for
byte (plus decision_id) and their decision_id finds the audit event; concurrent decisions
and provisions are all durable and the log verifies; the per-key rate limit answers 429 with
Retry-After; SIGHUP with a broken policy keeps the old policies serving and is reported;
SIGTERM under load loses no acknowledged record. Test layer.
"""
import json
import os
import re
import shutil
import signal
import threading
import time

from hogod_harness import (SOURCE, Daemon, check, finish, hogo, make_store, new_key, scratch)

ALL = "decide,subjects:read,subjects:write,data:read,data:write,ledger:read,ledger:write," \
      "audit:read,policies:read,metrics:read"
ID_RE = re.compile(rb',"decision_id":"evt_([0-9]+)"}\n$')
PROVIDE = {"policy": "irp", "action": "provide", "purpose": "recruitment_selection",
           "data": ["name"], "service": "recruit_agent",
           "recipient": {"id": "participating_company", "corporate_number": "6100000000001"}}


def events(db, env):
    rc, out, _ = hogo("audit", "export", "--db", db, env=env)
    return {e["event"]["seq"]: e["event"] for e in map(json.loads, out.splitlines())
            if "event" in e}


def record_ids(db, env):
    """The ids of every record in the ledger (one hogo ledger list)."""
    rc, out, _ = hogo("ledger", "list", "--db", db, env=env)
    return {r["id"] for r in json.loads(out)}


def main():
    d = scratch()
    db, env = make_store(d)
    for i in range(20):
        hogo("subject", "add", f"s{i}", "--operator", "irp", "--db", db, env=env)
        hogo("subject", "set", f"s{i}", "applied_to", "6100000000001", "--db", db, env=env)
        hogo("subject", "set", f"s{i}", "age", str(12 + i), "--db", db, env=env)
    key = new_key(db, "irp", ALL, env)
    # a policy folder of our own, to break and mend for SIGHUP
    pol = os.path.join(d, "policies")
    shutil.copytree(os.path.join(SOURCE, "policies"), pol)
    daemon = Daemon("--db", db, "--policy", os.path.join(pol, "irp.yaml"), "--rate-limit",
                    "200", "--rate-burst", "300", env=env)
    try:
        reqs = [dict(PROVIDE, subject_id=f"s{i}") for i in range(20)]
        reqs += [{"policy": "irp", "subject_id": f"s{i}", "action": "use",
                  "purpose": "ad_delivery", "data": ["email"]} for i in range(5)]
        lines = "\n".join(json.dumps(r) for r in reqs) + "\n"
        for r in reqs:
            st, h, body = daemon.request("POST", "/v1/decide", r, key)
            m = ID_RE.search(body)
            rc, cli, _ = hogo("check", "--db", db, "--jsonl", env=env, input=json.dumps(r).encode())
            ok = st == 200 and m and body[:m.start()] + b"}\n" == cli.encode()
            if not ok:
                break
        check("stored-facts decisions equal hogo check --db --jsonl", ok, (st, body[:300], cli[:300]))
        ev = events(db, env)
        seq = int(m.group(1))
        check("decision_id finds the decision's audit event",
              ev.get(seq, {}).get("action") == "decision"
              and ev[seq]["subject_id"] == reqs[-1]["subject_id"], ev.get(seq))
        st, h, body = daemon.request("POST", "/v1/decide:batch", lines, key)
        out = body.split(b"\n")[:-1]
        seqs = [int(ID_RE.search(l + b"\n").group(1)) for l in out if ID_RE.search(l + b"\n")]
        ev = events(db, env)
        check("a stored-facts batch answers every line with an event each",
              st == 200 and len(seqs) == len(reqs) and all(ev[s]["action"] == "decision"
                                                           for s in seqs), (st, body[:300]))

        big = (reqs * 50)[:1200]
        st, h, body = daemon.request("POST", "/v1/decide:batch",
                                     "\n".join(json.dumps(r) for r in big) + "\n", key)
        out = body.split(b"\n")[:-1]
        seqs = [int(ID_RE.search(l + b"\n").group(1)) for l in out if ID_RE.search(l + b"\n")]
        ev = events(db, env)
        check("a 1,200-line stored-facts batch: every line decided, each its own event",
              st == 200 and len(seqs) == 1200 and len(set(seqs)) == 1200
              and all(ev[s]["action"] == "decision" for s in seqs), (st, len(seqs)))

        # concurrency: 8 threads x 40 decisions and provisions
        results, lock = [], threading.Lock()

        def worker(n):
            for j in range(40):
                r = dict(PROVIDE, subject_id=f"s{(n * 40 + j) % 20}")
                st = 429
                while st == 429:  # over the key's rate: wait as told
                    if j % 2:
                        st, h, b = daemon.request("POST", "/v1/provisions", {"request": r}, key)
                        rid = json.loads(b).get("record_id") if st == 201 else None
                    else:
                        st, h, b = daemon.request("POST", "/v1/decide", r, key)
                        rid = None
                    if st == 429:
                        time.sleep(0.05)
                with lock:
                    results.append((st, rid, b))

        ts = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        check("320 concurrent decisions and provisions all answered",
              len(results) == 320 and all(s in (200, 201) for s, _, _ in results),
              [s for s, _, _ in results if s not in (200, 201)][:5])
        rids = [r for _, r, _ in results if r]
        have = record_ids(db, env)
        check("their records are in the ledger", rids and all(r in have for r in rids),
              (len(rids), [r for r in rids if r not in have][:3]))
        st, doc, _ = daemon.json("POST", "/v1/audit:verify", key=key)
        check("POST /v1/audit:verify: intact", st == 200 and doc["intact"] is True, doc)
        st, _, body = daemon.request("GET", "/metrics", key=key)
        check("metrics count store commits", st == 200 and
              re.search(rb"hogod_store_commits_total [1-9]", body) and re.search(rb"hogod_store_commit_calls_total [1-9]", body), body[-600:])

        # rate limit: a burst far over 200/s with burst 300 is cut with 429 + Retry-After
        time.sleep(1.6)
        codes, ra = [], None
        for _ in range(1000):
            st, h, _ = daemon.request("GET", "/v1/policies", key=key)
            codes.append(st)
            if st == 429:
                ra = h.get("retry-after")
                break
        check("over its rate a key gets 429 with Retry-After",
              429 in codes and ra and ra.isdigit(), (codes[-3:], ra))

        # SIGHUP with a broken policy: old set keeps serving, failure reported
        with open(os.path.join(pol, "irp.yaml"), "a", encoding="utf-8") as f:
            f.write("\n  - this is: [not valid\n")
        daemon.signal(signal.SIGHUP)
        time.sleep(1.0)
        st, doc, _ = daemon.json("POST", "/v1/decide", dict(PROVIDE, subject_id="s1"), key)
        check("after a broken reload the old policies keep serving", st == 200, (st, doc))
        check("the broken reload is reported with file:line:col",
              re.search(r'"event":"reload".*irp\.yaml:\d+:\d+', daemon.stderr()),
              daemon.stderr()[-600:])
        time.sleep(1.1)  # past the rate limit
        st, _, body = daemon.request("GET", "/metrics", key=key)
        check("the failed reload is counted",
              b'hogod_policy_reloads_total{outcome="failed"} 1' in body)
        shutil.copy(os.path.join(SOURCE, "policies", "irp.yaml"), os.path.join(pol, "irp.yaml"))
        daemon.signal(signal.SIGHUP)
        time.sleep(1.0)
        st, _, body = daemon.request("GET", "/metrics", key=key)
        check("a mended policy reloads", b'hogod_policy_reloads_total{outcome="ok"} 1' in body)

        # SIGTERM under load: every acknowledged record is there afterwards
        acked, stop = [], threading.Event()

        def loader(n):
            j = 0
            while not stop.is_set():
                r = dict(PROVIDE, subject_id=f"s{(n + j) % 20}")
                j += 1
                try:
                    st, h, b = daemon.request("POST", "/v1/provisions", {"request": r}, key,
                                              timeout=10)
                except OSError:
                    return
                if st == 201:
                    with lock:
                        acked.append(json.loads(b)["record_id"])
                elif st == 429:
                    time.sleep(0.05)

        ts = [threading.Thread(target=loader, args=(n,)) for n in range(6)]
        [t.start() for t in ts]
        time.sleep(1.0)
        daemon.signal(signal.SIGTERM)
        rc = daemon.proc.wait(60)
        stop.set()
        [t.join() for t in ts]
        check("SIGTERM under load drains and exits 0", rc == 0, daemon.stderr()[-400:])
        have = record_ids(db, env)
        missing = [r for r in acked if r not in have]
        check(f"all {len(acked)} acknowledged records survive the SIGTERM",
              acked and not missing, missing[:3])
    finally:
        daemon.stop()
    rc, out, err = hogo("audit", "verify", "--db", db, env=env)
    check("hogo audit verify passes afterwards", rc == 0, out + err)
    finish()


if __name__ == "__main__":
    main()
