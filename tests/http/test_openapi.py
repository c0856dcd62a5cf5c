#!/usr/bin/env python3
"""docs/openapi.yaml against hogod: it is a valid OpenAPI 3.1 description (checked by
@seriousme/openapi-schema-validator from npm, tests/openapi), every route of the route table
(`hogod --list-routes`) is documented and every documented operation is a route, and hogod
serves the file byte for byte at /v1/openapi.yaml. Test layer.
"""
import os
import subprocess

from hogod_harness import HOGOD, SOURCE, Daemon, check, finish


def main():
    spec = os.path.join(SOURCE, "docs", "openapi.yaml")
    checker = os.path.join(SOURCE, "tests", "openapi", "check.mjs")
    if not os.path.isdir(os.path.join(SOURCE, "tests", "openapi", "node_modules")):
        check("the npm packages of tests/openapi are installed (run scripts/install-deps.sh)",
              False)
        finish()
    p = subprocess.run(["node", checker, spec], capture_output=True, text=True, timeout=120)
    check("docs/openapi.yaml is a valid OpenAPI 3.1 description", p.returncode == 0,
          p.stderr[-1500:])
    documented = {tuple(l.split(" ", 1)) for l in p.stdout.splitlines() if l.strip()}
    out = subprocess.run([HOGOD, "--list-routes"], capture_output=True, text=True,
                         check=True).stdout
    table = {tuple(l.split()[:2]) for l in out.splitlines() if l.strip()}
    check("every route of the table is documented", table <= documented,
          sorted(table - documented))
    check("every documented operation is a route of the table", documented <= table,
          sorted(documented - table))
    d = Daemon("--access-log", "off")
    try:
        st, h, body = d.request("GET", "/v1/openapi.yaml")
        with open(spec, "rb") as f:
            check("hogod serves docs/openapi.yaml as it is", st == 200 and body == f.read()
                  and h.get("content-type") == "application/yaml")
    finally:
        d.stop()
    finish()


if __name__ == "__main__":
    main()
