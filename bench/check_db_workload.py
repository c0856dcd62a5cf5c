#!/usr/bin/env python3
"""Writes the stateful workload of `hogo check --db --jsonl` (bench/run.sh, tests/cli/test_check_batch.sh):
every valid scenario request that does not rest on a separate consent, with its inline
"subject" facts replaced by a "subject_id" naming one of N stored subjects of its policy's
operator ("<policy>-<k>"), repeated to the number of lines asked for. Benchmark layer.
usage: check_db_workload.py OUT LINES SUBJECTS_PER_POLICY"""
import glob
import json
import sys

out, lines, per_policy = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
reqs = []
for path in sorted(glob.glob("tests/scenarios/*.jsonl")):
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        case = json.loads(line)
        req = case["request"]
        if case["expect"]["decision"] == "error" or req.get("basis") == "consent":
            continue
        req.pop("subject", None)
        req.pop("subject_id", None)
        reqs.append(req)
with open(out, "w", encoding="utf-8") as f:
    for i in range(lines):
        req = dict(reqs[i % len(reqs)])
        req["subject_id"] = f"{req['policy']}-{i % per_policy}"
        f.write(json.dumps(req, ensure_ascii=False, separators=(",", ":")) + "\n")
