#!/usr/bin/env python3
"""Two hogod processes on one PostgreSQL store (a throwaway cluster from
scripts/pg-test.sh): both serve decisions on stored facts and provisions at once, one is
killed with SIGKILL mid-load, the other goes on; afterwards every acknowledged record is in
the ledger, every acknowledged decision's audit event (decision_id evt_N) is in the log, and
`hogo audit verify` passes. Skipped (77) when PostgreSQL is not installed. Test layer.
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

from hogod_harness import SOURCE, Daemon, check, finish, hogo, new_key

PROVIDE = {"policy": "irp", "action": "provide", "purpose": "recruitment_selection",
           "data": ["name"], "service": "recruit_agent",
           "recipient": {"id": "participating_company", "corporate_number": "6100000000001"}}


def main():
    pg = subprocess.run(["bash", os.path.join(SOURCE, "scripts", "pg-test.sh"), "start"],
                        capture_output=True, text=True)
    if pg.returncode == 77:
        print("skipped: PostgreSQL is not installed")
        sys.exit(77)
    if pg.returncode:
        check("a throwaway PostgreSQL cluster starts", False, pg.stderr)
        finish()
    conn = "pg:" + pg.stdout.strip()
    cluster = re.search(r"host=(\S+)", conn).group(1)
    env = {"HOGO_MASTER_KEY_FILE": "", "HOGO_MASTER_KEY": ""}
    a = b = None
    try:
        rc, out, err = hogo("init", "--db", conn, env=env)
        check("hogo init on PostgreSQL", rc == 0, err)
        for i in range(10):
            hogo("subject", "add", f"s{i}", "--operator", "irp", "--db", conn, env=env)
            hogo("subject", "set", f"s{i}", "applied_to", "6100000000001", "--db", conn, env=env)
        key = new_key(conn, "irp", "decide,ledger:write,ledger:read,audit:read", env)
        a = Daemon("--db", conn, "--access-log", "off", env=env)
        b = Daemon("--db", conn, "--access-log", "off", env=env)
        acked_records, acked_events, lock = [], [], threading.Lock()
        stop = threading.Event()
        errors = []

        def load(daemon, n):
            j = 0
            while not stop.is_set():
                r = dict(PROVIDE, subject_id=f"s{(n + j) % 10}")
                j += 1
                try:
                    if j % 2:
                        st, h, body = daemon.request("POST", "/v1/provisions", {"request": r},
                                                     key, timeout=10)
                    else:
                        st, h, body = daemon.request("POST", "/v1/decide", r, key, timeout=10)
                except OSError:
                    if daemon is b:
                        return  # killed: what it acknowledged before counts
                    continue
                with lock:
                    if st == 201:
                        acked_records.append(json.loads(body)["record_id"])
                    elif st == 200 and j % 2 == 0:
                        acked_events.append(int(json.loads(body)["decision_id"][4:]))
                    elif st >= 500:
                        errors.append((st, body[:200]))

        threads = [threading.Thread(target=load, args=(d, n)) for n, d in
                   enumerate([a, a, a, b, b, b])]
        [t.start() for t in threads]
        time.sleep(2.0)
        b.proc.send_signal(signal.SIGKILL)
        b.proc.wait()
        time.sleep(1.5)
        stop.set()
        [t.join() for t in threads]
        check("both daemons served and acknowledged writes", len(acked_records) > 20 and
              len(acked_events) > 20, (len(acked_records), len(acked_events)))
        check("no store failures while one daemon was killed", not errors, errors[:3])
        st, doc, _ = a.json("POST", "/v1/audit:verify", key=key)
        check("the surviving daemon verifies the log", st == 200 and doc["intact"], doc)
        a.stop()
        rc, out, _ = hogo("ledger", "list", "--db", conn, env=env)
        have = {r["id"] for r in json.loads(out)}
        missing = [r for r in acked_records if r not in have]
        check(f"all {len(acked_records)} acknowledged records are in the ledger", not missing,
              missing[:3])
        rc, out, _ = hogo("audit", "export", "--db", conn, env=env)
        events = {e["event"]["seq"]: e["event"]["action"] for e in map(json.loads,
                                                                      out.splitlines())
                  if "event" in e}
        lost = [s for s in acked_events if events.get(s) != "decision"]
        check(f"all {len(acked_events)} acknowledged decisions have their audit event",
              not lost, lost[:3])
        rc, out, err = hogo("audit", "verify", "--db", conn, env=env)
        check("hogo audit verify passes", rc == 0, out + err)
    finally:
        for d in (a, b):
            if d:
                d.stop()
        subprocess.run(["bash", os.path.join(SOURCE, "scripts", "pg-test.sh"), "stop", cluster],
                       capture_output=True)
    finish()


if __name__ == "__main__":
    main()
