"""Helpers shared by the HTTP tests (tests/http/test_*.py): start the real hogod ($HOGOD) on a
free loopback port with given options, send requests with http.client, run the hogo CLI
($HOGO), make a store with keys, and count checks. Test layer; imported, not run.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

HOGOD = os.environ.get("HOGOD", "build/bin/hogod")
HOGO = os.environ.get("HOGO", "build/bin/hogo")
SOURCE = os.environ.get("HOGO_SOURCE_DIR", ".")
# hogo and hogod read no source tree of their own: the tests name the repository's policies
os.environ["HOGO_POLICY_PATH"] = os.path.join(os.path.abspath(SOURCE), "policies")

passed = 0
failed = 0


def check(name, cond, detail=""):
    """Records one check; prints ok/FAIL with detail on failure."""
    global passed, failed
    if cond:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}")
        if detail:
            print(f"     {str(detail)[:600]}")


def finish():
    """Prints the totals and exits 1 when a check failed."""
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def scratch():
    return tempfile.mkdtemp(prefix="hogod-test.")


def hogo(*args, env=None, input=None):
    """Runs the hogo CLI; returns (exit code, stdout text, stderr text)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([HOGO, *args], capture_output=True, env=e, input=input, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Daemon:
    """A hogod process on 127.0.0.1:port, stopped with stop() (SIGTERM)."""

    def __init__(self, *args, env=None, port=None, wait=True):
        self.port = port or free_port()
        self.dir = scratch()
        self.log_path = os.path.join(self.dir, "stderr.log")
        e = dict(os.environ)
        if env:
            e.update(env)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([HOGOD, "--listen", f"127.0.0.1:{self.port}", *args],
                                     stdout=subprocess.DEVNULL, stderr=self.log, env=e)
        if wait:
            self.wait_live()

    def wait_live(self, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hogod exited {self.proc.returncode}: {self.stderr()}")
            try:
                if self.request("GET", "/livez")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("hogod did not answer /livez: " + self.stderr())

    def request(self, method, path, body=None, key=None, headers=None, timeout=30):
        """Returns (status, headers dict (lowercase names), body bytes)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if key is not None:
            h["Authorization"] = f"Bearer {key}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body, ensure_ascii=False).encode()
        elif isinstance(body, str):
            body = body.encode()
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def json(self, method, path, body=None, key=None):
        """Returns (status, parsed JSON body or None, content type)."""
        st, h, data = self.request(method, path, body, key)
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return st, doc, h.get("content-type", "")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def stderr(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def is_problem(status, doc, ctype, want_status, pointer=None):
    """True when the answer is an RFC 9457 problem with the status (and pointer)."""
    return (status == want_status and ctype.startswith("application/problem+json")
            and isinstance(doc, dict) and doc.get("status") == want_status
            and bool(doc.get("detail")) and (pointer is None or doc.get("pointer") == pointer))


def make_store(d):
    """A SQLite store with a master key in directory d; returns (db path, env)."""
    db = os.path.join(d, "hogo.db")
    env = {"HOGO_MASTER_KEY_FILE": os.path.join(d, "master.key"),
           "HOGO_KEY_STORE": os.path.join(d, "keys.db")}
    rc, out, err = hogo("key", "generate", env["HOGO_MASTER_KEY_FILE"], env=env)
    if rc:
        raise RuntimeError("key generate: " + err)
    rc, out, err = hogo("init", "--db", db, env=env)
    if rc:
        raise RuntimeError("init: " + err)
    return db, env


def new_key(db, operator, scopes, env=None, extra=()):
    rc, out, err = hogo("apikey", "create", "--db", db, "--operator", operator, "--scopes",
                        scopes, *extra, env=env)
    if rc:
        raise RuntimeError("apikey create: " + err)
    return out.strip()


def raw_exchange(port, head, body=b"", timeout=30):
    """Sends head (bytes up to the blank line) and body on a fresh socket, keeping on when the
    server stops reading (it may answer early), and returns (status, headers dict, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(head)
            view = memoryview(body)
            while view:
                n = s.send(view[:65536])
                view = view[n:]
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                if b"\r\n\r\n" in data:
                    hdr, _, rest = data.partition(b"\r\n\r\n")
                    m = [l for l in hdr.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                    if m and len(rest) >= int(m[0].split(b":")[1]):
                        break
        except (ConnectionResetError, socket.timeout):
            pass
    finally:
        s.close()
    hdr, _, rest = data.partition(b"\r\n\r\n")
    lines = hdr.split(b"\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for l in lines[1:]:
        k, _, v = l.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers, rest
