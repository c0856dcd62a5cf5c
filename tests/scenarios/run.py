#!/usr/bin/env python3
"""Black-box scenario runner: feeds each request of a scenario file to the real `hogo check`
and compares the decision, exit code, cited clauses and obligation types with the expected ones.

Test layer. A scenario file (tests/scenarios/<policy>.jsonl) holds one JSON object per line:
  {"name": "...", "seed": "<the seed sentence that justifies the expectation>",
   "request": {...decision request...},
   "expect": {"decision": "allow"|"deny"|"error", "exit": 0|1|2,
              "clauses": ["3(1)", ...], "obligations": ["record_provision", ...]}}
`clauses` is compared as a set with the clauses cited in `reasons`; `obligations` as a set of
obligation types; an optional `retention_from` ("creation" or "last_provision") with that of the
record_provision obligation. Prints one line per failure and a closing "N passed, N failed" line.
"""
import json
import subprocess
import sys


def main():
    hogo, path = sys.argv[1], sys.argv[2]
    passed = failed = 0
    with open(path, encoding="utf-8") as f:
        lines = [(n, l) for n, l in enumerate(f, 1) if l.strip() and not l.startswith("#")]
    for lineno, line in lines:
        case = json.loads(line)
        req = case["request"]
        exp = case["expect"]
        proc = subprocess.run([hogo, "check", "--policy", req.get("policy", "")],
                              input=json.dumps(req, ensure_ascii=False).encode(),
                              capture_output=True, timeout=30)
        problems = []
        want_exit = exp.get("exit", {"allow": 0, "deny": 1, "error": 2}[exp["decision"]])
        if proc.returncode != want_exit:
            problems.append(f"exit {proc.returncode}, expected {want_exit}")
        if exp["decision"] == "error":
            if proc.stdout.strip():
                problems.append("an error must print no decision")
            if not proc.stderr.strip():
                problems.append("an error must explain itself on stderr")
        else:
            try:
                resp = json.loads(proc.stdout)
            except ValueError:
                resp = {}
                problems.append("stdout is not JSON: " + proc.stdout.decode(errors="replace")[:200]
                                + proc.stderr.decode(errors="replace")[:300])
            if resp:
                if resp.get("decision") != exp["decision"]:
                    problems.append(f"decision {resp.get('decision')}, expected {exp['decision']}")
                cited = {r.get("clause") for r in resp.get("reasons", [])}
                if "clauses" in exp and cited != set(exp["clauses"]):
                    problems.append(f"clauses {sorted(cited)}, expected {sorted(exp['clauses'])}")
                types = {o.get("type") for o in resp.get("obligations", [])}
                if "obligations" in exp and types != set(exp["obligations"]):
                    problems.append(f"obligations {sorted(types)}, expected {sorted(exp['obligations'])}")
                if "retention_from" in exp:
                    rec = [o for o in resp.get("obligations", []) if o.get("type") == "record_provision"]
                    got = rec[0].get("retention_from") if rec else None
                    if got != exp["retention_from"]:
                        problems.append(f"record retention_from {got}, expected {exp['retention_from']}")
        if problems:
            failed += 1
            print(f"FAIL {path}:{lineno} {case.get('name', '')}: " + "; ".join(problems))
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
