#!/usr/bin/env python3
"""hogod's operations: HTTPS with --tls-cert/--tls-key, the YAML config file (every key a
flag, flags win, a bad key or value reported with file:line:col), systemd readiness through
$NOTIFY_SOCKET, the connection cap, /readyz, and options refused with a clear message.
Test layer.
"""
import http.client
import json
import os
import socket
import ssl
import subprocess
import time

from hogod_harness import HOGOD, Daemon, check, finish, free_port, scratch


def main():
    d = scratch()
    # TLS
    cert, key = os.path.join(d, "tls.crt"), os.path.join(d, "tls.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    port = free_port()
    p = subprocess.Popen([HOGOD, "--listen", f"127.0.0.1:{port}", "--tls-cert", cert,
                          "--tls-key", key, "--access-log", "off"],
                         stderr=subprocess.PIPE)
    ctx = ssl.create_default_context(cafile=cert)
    body = None
    for _ in range(100):
        try:
            c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
            c.request("POST", "/v1/decide", json.dumps(
                {"policy": "irp", "action": "use", "purpose": "ad_delivery", "data": ["email"],
                 "subject": {"age": 14}}))
            r = c.getresponse()
            body = (r.status, json.loads(r.read()))
            break
        except (OSError, ssl.SSLError):
            time.sleep(0.05)
    check("HTTPS with --tls-cert/--tls-key answers a decision",
          body and body[0] == 200 and body[1]["decision"] == "deny", body)
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        plain = s.recv(100)
    except OSError:
        plain = b""
    s.close()
    check("plain HTTP is not answered on the TLS port", not plain.startswith(b"HTTP/1.1 200"),
          plain)
    p.terminate()
    p.wait(30)

    # config file: keys are the flags; flags win; bad keys and values are placed
    cfg = os.path.join(d, "hogod.yaml")
    port = free_port()
    with open(cfg, "w") as f:
        f.write(f"listen: 127.0.0.1:{free_port()}\npolicy: [irp]\ntimeout: 3\n"
                "access-log: off\nmax-request: 300\n")
    daemon = Daemon("--config", cfg, port=port)  # --listen from the command line wins
    st, doc, _ = daemon.json("GET", "/v1/policies")
    check("the config file's policy list is served", st == 200 and
          [x["id"] for x in doc] == ["irp"], doc)
    st, doc, _ = daemon.json("POST", "/v1/decide", {"policy": "irp", "action": "use",
                                                    "purpose": "ad_delivery",
                                                    "data": ["email"] * 40})
    check("the config file's max-request applies (413)", st == 413, (st, doc))
    st, doc, _ = daemon.json("GET", "/readyz")
    check("/readyz: ready with one policy", st == 200 and doc["policies"] == 1, doc)
    daemon.stop()
    for text, want in (("listen: 127.0.0.1:1\nthreds: 2\n", "hogod.yaml:2:1: unknown key 'threds'"),
                       ("listen: 127.0.0.1:1\ntimeout: soon\n", "hogod.yaml:2:10: 'soon' is not a whole number"),
                       ("listen: [1\n", "hogod.yaml:3:2: YAML syntax error")):
        with open(cfg, "w") as f:
            f.write(text)
        r = subprocess.run([HOGOD, "--config", cfg], capture_output=True, text=True, timeout=30)
        check(f"a bad config is refused with its place: {want}",
              r.returncode == 2 and want in r.stderr, r.stderr)
    r = subprocess.run([HOGOD, "--listen", "127.0.0.1:1", "--policy", "nope"],
                       capture_output=True, text=True, timeout=30)
    check("an unknown policy is refused at start", r.returncode == 2 and "nope" in r.stderr,
          r.stderr)
    r = subprocess.run([HOGOD, "--db", "x.db"], capture_output=True, text=True, timeout=30)
    check("--listen is required", r.returncode == 2 and "--listen" in r.stderr, r.stderr)

    # systemd readiness: READY=1 on $NOTIFY_SOCKET once serving, STOPPING=1 on SIGTERM
    sock_path = os.path.join(d, "notify.sock")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(sock_path)
    ns.settimeout(30)
    daemon = Daemon("--access-log", "off", env={"NOTIFY_SOCKET": sock_path}, wait=False)
    msg = ns.recv(256)
    st, _, _ = daemon.request("GET", "/livez")
    check("READY=1 is sent once hogod serves", msg == b"READY=1" and st == 200, msg)

    # connection cap: beyond --max-connections a connection is closed at once
    daemon.stop()
    msgs = []
    ns.settimeout(2)
    try:
        while True:
            msgs.append(ns.recv(256))
    except OSError:
        pass
    check("STOPPING=1 is sent on SIGTERM", b"STOPPING=1" in msgs, msgs)
    ns.close()
    daemon = Daemon("--access-log", "off", "--max-connections", "3", "--threads", "1")
    held = [socket.create_connection(("127.0.0.1", daemon.port)) for _ in range(3)]
    time.sleep(0.2)
    extra = socket.create_connection(("127.0.0.1", daemon.port), timeout=5)
    try:
        extra.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        got = extra.recv(100)
    except OSError:
        got = b""
    check("a connection over --max-connections is closed unanswered", got == b"", got)
    for s in held + [extra]:
        s.close()
    time.sleep(0.3)
    st, _, _ = daemon.request("GET", "/livez")
    check("served again once connections are free", st == 200)
    daemon.stop()
    finish()


if __name__ == "__main__":
    main()
