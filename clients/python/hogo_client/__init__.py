"""A small client for hogod, the hogo HTTP service (docs/openapi.yaml), on the Python
standard library only. Client layer.

    from hogo_client import Client, ProblemError
    c = Client("http://127.0.0.1:8080", key="hogo_...")
    answer = c.decide({"policy": "irp", "action": "use", ...})
    if answer["decision"] == "allow": ...

Every method returns the parsed JSON answer; an error answer (4xx/5xx, RFC 9457 problem)
raises ProblemError with its status, detail and JSON pointer. A 429 is retried after its
Retry-After (up to `retries` times). A Client keeps one connection and is not thread-safe:
use one per thread.
"""
import http.client
import json
import time
import urllib.parse

__all__ = ["Client", "ProblemError"]


class ProblemError(Exception):
    """hogod refused a request: status, detail (what is wrong and how to fix it), pointer
    (where in the request body, or None) and the whole problem document."""

    def __init__(self, status, problem):
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {}
        self.detail = self.problem.get("detail", str(problem))
        self.pointer = self.problem.get("pointer")
        where = f" at {self.pointer}" if self.pointer else ""
        super().__init__(f"{status}{where}: {self.detail}")


class Client:
    """A connection to one hogod. base_url: "http://host:port" or "https://...";
    key: an API key (None for a stateless hogod); timeout in seconds."""

    def __init__(self, base_url, key=None, timeout=30.0, retries=3):
        u = urllib.parse.urlsplit(base_url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError(f"base_url must be http://host:port or https://..., not {base_url!r}")
        self._https = u.scheme == "https"
        self._host = u.hostname
        self._port = u.port or (443 if self._https else 80)
        self._key = key
        self._timeout = timeout
        self._retries = retries
        self._conn = None

    def close(self):
        if self._conn:
            self._conn.close()
            self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _connection(self):
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self._timeout)
        return self._conn

    def request(self, method, path, body=None, query=None, raw=False, content_type=None):
        """Sends one request; returns the parsed JSON answer (text when raw; None for 204)."""
        if query:
            q = {k: v for k, v in query.items() if v is not None}
            if q:
                path += "?" + urllib.parse.urlencode(q)
        headers = {"Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        data = None
        if body is not None:
            if isinstance(body, (bytes, str)):
                data = body.encode() if isinstance(body, str) else body
                headers["Content-Type"] = content_type or "application/octet-stream"
            else:
                data = json.dumps(body, ensure_ascii=False).encode()
                headers["Content-Type"] = "application/json"
        for attempt in range(self._retries + 1):
            try:
                conn = self._connection()
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
            except (http.client.HTTPException, ConnectionError):
                self.close()  # a keep-alive connection the server closed: once more, anew
                if attempt == self._retries:
                    raise
                continue
            if resp.status == 429 and attempt < self._retries:
                time.sleep(float(resp.getheader("Retry-After", "1")))
                continue
            break
        if resp.status >= 400:
            try:
                problem = json.loads(payload)
            except ValueError:
                problem = payload.decode(errors="replace")
            raise ProblemError(resp.status, problem)
        if resp.status == 204 or not payload:
            return None
        if raw:
            return payload.decode()
        return json.loads(payload)

    # ---- decisions ----
    def decide(self, request):
        """One decision (docs/decision.md): hogo check's answer plus decision_id."""
        return self.request("POST", "/v1/decide", request)

    def decide_batch(self, requests):
        """Many decisions in one call; returns one answer (or {"error": ...}) per request."""
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in requests)
        text = self.request("POST", "/v1/decide:batch", body, raw=True,
                            content_type="application/x-ndjson")
        return [json.loads(line) for line in (text or "").splitlines() if line]

    # ---- subjects ----
    def add_subject(self, subject_id):
        return self.request("POST", "/v1/subjects", {"subject_id": subject_id})

    def subjects(self):
        return self.request("GET", "/v1/subjects")

    def subject(self, subject_id):
        return self.request("GET", f"/v1/subjects/{_seg(subject_id)}")

    def facts(self, subject_id):
        return self.request("GET", f"/v1/subjects/{_seg(subject_id)}/facts")

    def set_fact(self, subject_id, fact, value):
        return self.request("PUT", f"/v1/subjects/{_seg(subject_id)}/facts/{_seg(fact)}",
                            {"value": value})

    def unset_fact(self, subject_id, fact):
        return self.request("DELETE", f"/v1/subjects/{_seg(subject_id)}/facts/{_seg(fact)}")

    def opt_out(self, subject_id, purpose):
        return self.request("POST", f"/v1/subjects/{_seg(subject_id)}/opt-outs",
                            {"purpose": purpose})

    def block(self, subject_id, corporate_number):
        return self.request("POST", f"/v1/subjects/{_seg(subject_id)}/blocks",
                            {"corporate_number": corporate_number})

    def consent(self, subject_id, consent_id, recipient, purpose, data, **extra):
        body = dict(consent_id=consent_id, recipient=recipient, purpose=purpose, data=data)
        body.update(extra)
        return self.request("POST", f"/v1/subjects/{_seg(subject_id)}/consents", body)

    def withdraw(self, subject_id, consent_id):
        return self.request("DELETE",
                            f"/v1/subjects/{_seg(subject_id)}/consents/{_seg(consent_id)}")

    def erase(self, subject_id):
        return self.request("POST", f"/v1/subjects/{_seg(subject_id)}:erase")

    # ---- data, ledger, audit, policies ----
    def put_data(self, subject_id, category, value, provenance):
        return self.request("POST", f"/v1/subjects/{_seg(subject_id)}/data",
                            {"category": category, "value": value, "provenance": provenance})

    def get_data(self, subject_id, item_id):
        return self.request("GET", f"/v1/subjects/{_seg(subject_id)}/data/{int(item_id)}")

    def provide(self, request, **recipient):
        body = {"request": request}
        if recipient:
            body["recipient"] = recipient
        return self.request("POST", "/v1/provisions", body)

    def receive(self, request, provider, acquisition):
        return self.request("POST", "/v1/receipts", {"request": request, "provider": provider,
                                                     "acquisition": acquisition})

    def ledger(self, **filters):
        return self.request("GET", "/v1/ledger", query=filters)

    def audit_verify(self):
        return self.request("POST", "/v1/audit:verify")

    def policies(self):
        return self.request("GET", "/v1/policies")


def _seg(s):
    return urllib.parse.quote(str(s), safe="")
