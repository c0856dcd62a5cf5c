#!/usr/bin/env python3
"""docs/openapi.yaml is a valid OpenAPI 3.1 description, checked by
@seriousme/openapi-schema-validator from npm (tests/openapi/check.mjs), and the operations the
validator reads are the ones PyYAML reads. The npm packages are installed into tests/openapi by
scripts/install-deps.sh; where the npm registry cannot be reached they are missing and this
test says so and is skipped (exit 77), while test_openapi.py still holds the description to
the route table. Test layer.
"""
import os
import subprocess
import sys

from hogod_harness import SOURCE, check, finish
from test_openapi import documented_operations


def main():
    spec = os.path.join(SOURCE, "docs", "openapi.yaml")
    modules = os.path.join(SOURCE, "tests", "openapi", "node_modules",
                           "@seriousme", "openapi-schema-validator")
    if not os.path.isdir(modules):
        print("skipped: the npm packages of tests/openapi are not installed "
              "(scripts/install-deps.sh installs them from the npm registry)")
        sys.exit(77)
    checker = os.path.join(SOURCE, "tests", "openapi", "check.mjs")
    p = subprocess.run(["node", checker, spec], capture_output=True, text=True, timeout=120)
    check("docs/openapi.yaml is a valid OpenAPI 3.1 description", p.returncode == 0,
          p.stderr[-1500:])
    seen = {tuple(l.split(" ", 1)) for l in p.stdout.splitlines() if l.strip()}
    check("the validator and PyYAML read the same operations",
          seen == documented_operations(spec), sorted(seen ^ documented_operations(spec)))
    finish()


if __name__ == "__main__":
    main()
