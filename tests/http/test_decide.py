#!/usr/bin/env python3
"""POST /v1/decide and /v1/decide:batch on a stateless hogod: the answers are byte for byte
`hogo check --jsonl`'s plus "decision_id" for every example and scenario request; bad
bodies (not JSON, wrong types, a 10 MB body, 10,000-deep nesting, invalid UTF-8, a slow
client) get the right 4xx as problem+json and the daemon keeps serving. Test layer.
"""
import json
import os
import re
import socket
import time

from hogod_harness import Daemon, SOURCE, check, finish, hogo, is_problem, raw_exchange

ID_RE = re.compile(rb',"decision_id":"(dec_[0-9a-f]{32})"}\n$')


def requests():
    """Every request of the examples and the scenario files, as compact JSON lines."""
    out = []
    ex = os.path.join(SOURCE, "examples")
    for name in sorted(os.listdir(ex)):
        if name.endswith(".json"):
            with open(os.path.join(ex, name), encoding="utf-8") as f:
                out.append(json.dumps(json.load(f), ensure_ascii=False))
    sc = os.path.join(SOURCE, "tests", "scenarios")
    for name in sorted(os.listdir(sc)):
        if name.endswith(".jsonl"):
            with open(os.path.join(sc, name), encoding="utf-8") as f:
                for line in f:
                    if line.strip() and not line.startswith("#"):
                        out.append(json.dumps(json.loads(line)["request"], ensure_ascii=False))
    return out


def main():
    d = Daemon("--timeout", "2", "--request-seconds", "3")
    try:
        reqs = requests()
        rc, cli_out, _ = hogo("check", "--jsonl", input="\n".join(reqs).encode() + b"\n")
        cli_lines = cli_out.encode().split(b"\n")[:-1] if cli_out else []
        check("the CLI answered every request", len(cli_lines) == len(reqs),
              f"{len(cli_lines)} lines for {len(reqs)} requests")
        same = 0
        ids = set()
        first_bad = None
        for req, want in zip(reqs, cli_lines):
            st, h, body = d.request("POST", "/v1/decide", req)
            if want.startswith(b'{"error"'):
                doc = json.loads(body)
                werr = json.loads(want)["error"]
                ok = (st in (400, 404, 413) and doc.get("pointer") == (werr["where"] or None)
                      and h["content-type"] == "application/problem+json")
            else:
                m = ID_RE.search(body)
                ok = st == 200 and m is not None and body[:m.start()] + b"}" == want
                if m:
                    ids.add(m.group(1))
            same += ok
            if not ok and first_bad is None:
                first_bad = (req, st, body[:400], want[:400])
        check(f"HTTP answers equal hogo check's for all {len(reqs)} requests",
              same == len(reqs), first_bad)
        check("every decision has its own decision_id",
              len(ids) == sum(1 for w in cli_lines if not w.startswith(b'{"error"')))

        # batch: one line out per line in, in order, errors in place
        batch = "\n".join(reqs[:20] + ["not json", reqs[0]]) + "\n"
        st, h, body = d.request("POST", "/v1/decide:batch", batch)
        lines = body.split(b"\n")[:-1]
        rc, cli_b, _ = hogo("check", "--jsonl", input=batch.encode())
        want = cli_b.encode().split(b"\n")[:-1]
        stripped = [ID_RE.sub(b"}\n", l + b"\n")[:-1] for l in lines]
        check("decide:batch answers line for line as hogo check --jsonl",
              st == 200 and h["content-type"] == "application/x-ndjson" and stripped == want,
              (st, stripped[:2], want[:2]))

        # a batch larger than one chunk streams every answer, in order
        big = (reqs * (2000 // len(reqs) + 1))[:2000]
        st, h, body = d.request("POST", "/v1/decide:batch", "\n".join(big) + "\n")
        rc, cli_big, _ = hogo("check", "--jsonl", input=("\n".join(big) + "\n").encode())
        got = [ID_RE.sub(b"}\n", l + b"\n")[:-1] for l in body.split(b"\n")[:-1]]
        check("a 2,000-line batch is answered line for line, chunked",
              st == 200 and h.get("transfer-encoding") == "chunked"
              and got == cli_big.encode().split(b"\n")[:-1], (st, len(got)))

        # bad bodies
        st, doc, ct = d.json("POST", "/v1/decide", "this is not json")
        check("not JSON: 400 problem+json", is_problem(st, doc, ct, 400), (st, doc))
        st, doc, ct = d.json("POST", "/v1/decide", {"policy": "irp", "action": 7,
                                                    "purpose": "x", "data": ["name"]})
        check("wrong type: 400 with the pointer /action", is_problem(st, doc, ct, 400, "/action"),
              (st, doc))
        st, doc, ct = d.json("POST", "/v1/decide", {"policy": "irp", "action": "use",
                                                    "purpose": "service_operation",
                                                    "data": ["name", "nmae"]})
        check("unknown category: 400 with the pointer /data/1",
              is_problem(st, doc, ct, 400, "/data/1"), (st, doc))
        big = b"{" + b" " * (10 * 1024 * 1024) + b"}"
        st, h, body = raw_exchange(d.port, b"POST /v1/decide HTTP/1.1\r\nHost: x\r\n"
                                   b"Content-Length: %d\r\n\r\n" % len(big), big)
        check("a 10 MB body (with its length): 413", st == 413 and
              h.get("content-type") == "application/problem+json", (st, body[:200]))
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(big[i:i + 65536]), big[i:i + 65536])
                           for i in range(0, len(big), 65536)) + b"0\r\n\r\n"
        st, h, body = raw_exchange(d.port, b"POST /v1/decide HTTP/1.1\r\nHost: x\r\n"
                                   b"Transfer-Encoding: chunked\r\n\r\n", chunked)
        check("a 10 MB body (chunked, no length): 413", st == 413, (st, body[:200]))
        st, doc, ct = d.json("POST", "/v1/decide", b"[" * 10000 + b"]" * 10000)
        check("10,000-deep nesting: 400", is_problem(st, doc, ct, 400), (st, doc))
        st, doc, ct = d.json("POST", "/v1/decide",
                             b'{"policy":"irp","action":"use","purpose":"\xff\xfe","data":[]}')
        check("invalid UTF-8: 400", is_problem(st, doc, ct, 400), (st, doc))
        st, doc, ct = d.json("POST", "/v1/decide", {"policy": "nope", "action": "use",
                                                    "purpose": "service_operation",
                                                    "data": ["name"]})
        check("an unknown policy: 4xx naming /policy",
              st in (400, 404) and doc.get("pointer") == "/policy", (st, doc))
        st, doc, ct = d.json("POST", "/v1/decide", {"policy": "irp", "subject_id": "u1",
                                                    "action": "use",
                                                    "purpose": "service_operation",
                                                    "data": ["name"]})
        check("subject_id without a store: 400 naming /subject_id",
              is_problem(st, doc, ct, 400, "/subject_id"), (st, doc))
        st, h, body = d.request("GET", "/v1/decide")
        check("GET on a POST route: 405 with Allow: POST",
              st == 405 and h.get("allow") == "POST", (st, h))
        st, doc, ct = d.json("GET", "/v1/subjects")
        check("a store route on a stateless daemon: 404", is_problem(st, doc, ct, 404), (st, doc))

        # a slow client is cut off after --timeout and does not stop others
        s = socket.create_connection(("127.0.0.1", d.port))
        s.sendall(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        st, _, _ = d.request("GET", "/livez")
        check("served while a slow client holds a connection", st == 200)
        s.settimeout(10)
        t0 = time.time()
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        waited = time.time() - t0
        check("the slow client is disconnected after the timeout",
              waited < 9 and (data == b"" or b" 408 " in data[:20]), (waited, data[:100]))
        s.close()
        # a body trickling in, each byte within --timeout, is cut at --request-seconds
        s = socket.create_connection(("127.0.0.1", d.port))
        s.sendall(b"POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        t0 = time.time()
        closed = False
        try:
            while time.time() - t0 < 10:
                s.sendall(b" ")
                time.sleep(0.5)
        except OSError:
            closed = True
        check("a trickling body is cut after --request-seconds",
              closed and time.time() - t0 < 6, time.time() - t0)
        s.close()
        st, doc, _ = d.json("GET", "/livez")
        check("the daemon still serves after the bad bodies", st == 200)
        st, _, body = d.request("GET", "/metrics")
        check("metrics count decisions by policy and outcome",
              st == 200 and b'hogod_decisions_total{policy="irp",decision="deny"}' in body)
        check("metrics hold no subject ids or request values", b"u1" not in body)
    finally:
        rc = d.stop()
    check("SIGTERM stops the daemon cleanly", rc == 0, d.stderr()[-500:])
    log = d.stderr()
    access = [json.loads(l) for l in log.splitlines() if l.startswith('{"time"')]
    check("one JSON access-log line per request", len(access) >= len(reqs) + 14,
          len(access))
    check("the access log holds routes, not request values",
          all(a["route"].startswith("/") or a["route"] == "-" for a in access)
          and "u1" not in log)
    finish()


if __name__ == "__main__":
    main()
