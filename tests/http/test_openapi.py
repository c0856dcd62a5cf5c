#!/usr/bin/env python3
"""docs/openapi.yaml against hogod: every API route of the route table
(`hogod --list-routes`; the web pages' routes, of scopes web, center and console:ROLE, are
HTML for browsers and not described there) is documented and every documented operation is a route, and hogod
serves the file byte for byte at /v1/openapi.yaml. Test layer.
"""
import os
import subprocess

import yaml

from hogod_harness import HOGOD, SOURCE, Daemon, check, finish, is_web_scope


def documented_operations(spec):
    """Every operation of the description as ("METHOD", "/path"), read with PyYAML."""
    with open(spec, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    return {(m.upper(), path) for path, item in (doc.get("paths") or {}).items()
            for m in ("get", "put", "post", "delete", "patch", "head", "options") if m in item}


def main():
    spec = os.path.join(SOURCE, "docs", "openapi.yaml")
    documented = documented_operations(spec)
    out = subprocess.run([HOGOD, "--list-routes"], capture_output=True, text=True,
                         check=True).stdout
    # the web pages (scopes "web", "center", "console:ROLE": HTML for browsers) are not part
    # of the API description; test_isolation and the web tests hold them
    table = {tuple(l.split()[:2]) for l in out.splitlines()
             if l.strip() and not is_web_scope(l.split()[2])}
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
