#!/usr/bin/env python3
"""Example: ask hogod whether a provision may happen, record it, and read the ledger.

    python3 clients/python/example.py http://127.0.0.1:8080 KEY

KEY is an API key with the scopes subjects:write, decide, ledger:write and ledger:read for
operator irp (`hogo apikey create --db DB --operator irp --scopes ...`); the store must know
no subject "example-1" yet. Client layer.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hogo_client import Client, ProblemError  # noqa: E402


def main():
    url, key = sys.argv[1], sys.argv[2]
    with Client(url, key=key) as c:
        c.add_subject("example-1")
        c.set_fact("example-1", "applied_to", ["6100000000001"])
        request = {"policy": "irp", "subject_id": "example-1", "action": "provide",
                   "purpose": "recruitment_selection", "data": ["name", "work_history"],
                   "service": "recruit_agent",
                   "recipient": {"id": "participating_company",
                                 "corporate_number": "6100000000001"}}
        answer = c.decide(request)
        print("decide:", answer["decision"], "by", answer["reasons"][0]["clause"],
              "id", answer["decision_id"])
        recorded = c.provide(request, address="東京都千代田区1-1")
        print("provide:", recorded["decision"]["decision"], "record", recorded["record_id"])
        print("ledger:", len(c.ledger(subject_id="example-1")), "record(s)")
        try:
            c.decide(dict(request, data=["nmae"]))
        except ProblemError as e:
            print("refused:", e.status, e.pointer, e.detail)


if __name__ == "__main__":
    main()
