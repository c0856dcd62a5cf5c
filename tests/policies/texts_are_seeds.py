#!/usr/bin/env python3
"""The policy texts are the seeds: every policies/text/*.txt equals, byte for byte, the published
policy it stands for, so a quote checked against it is the policy's own words (a text edited to
make a quote fit, or to mend a word the seed breaks across lines, fails here).

Test layer. tests/policies/seeds.sha256 records the SHA-256 of each seed as published with the
text that must equal it; when HOGO_SEEDS_DIR names a directory holding the seed files, they are
compared byte for byte as well. Every text in policies/text must be listed.
Usage: texts_are_seeds.py [POLICY_TEXT_DIR]
"""
import hashlib
import os
import sys


def main():
    text_dir = sys.argv[1] if len(sys.argv) > 1 else "policies/text"
    here = os.path.dirname(os.path.abspath(__file__))
    seeds_dir = os.environ.get("HOGO_SEEDS_DIR")
    problems, listed = [], set()
    with open(os.path.join(here, "seeds.sha256"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            digest, seed, text = line.split()
            listed.add(text)
            path = os.path.join(text_dir, text)
            if not os.path.exists(path):
                problems.append(f"{path} is missing (seed {seed})")
                continue
            with open(path, "rb") as t:
                body = t.read()
            if hashlib.sha256(body).hexdigest() != digest:
                problems.append(f"{path} differs from the published policy {seed} (SHA-256 "
                                f"{hashlib.sha256(body).hexdigest()[:16]}…, expected {digest[:16]}…): "
                                f"restore the seed's exact bytes")
            if seeds_dir:
                with open(os.path.join(seeds_dir, seed), "rb") as s:
                    if s.read() != body:
                        problems.append(f"{path} differs from {os.path.join(seeds_dir, seed)}")
    for name in sorted(os.listdir(text_dir)):
        if name.endswith(".txt") and name not in listed:
            problems.append(f"{os.path.join(text_dir, name)} has no seed in seeds.sha256")
    for p in problems:
        print("FAIL " + p)
    print(f"{len(listed)} policy texts checked against their seeds, {len(problems)} problems")
    return 1 if problems or not listed else 0


if __name__ == "__main__":
    sys.exit(main())
