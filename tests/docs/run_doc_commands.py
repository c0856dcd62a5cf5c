#!/usr/bin/env python3
"""Runs every command the documentation shows, so README.md and docs/ cannot drift from the
program: each fenced ```sh (bash, shell, console) block of README.md and docs/**/*.md runs as
a script in a scratch directory that holds the examples and policies, with `hogo` (and
build/bin/hogo) being the hogo under test, and every command must exit 0 or 1 (allow/deny,
found/not found); 2 and above (bad usage, errors) fail the block.

Test layer. A block whose lines start with "$ " runs those lines only (the rest is output);
otherwise every line runs. The blocks of one file run in order in one shell, so a block may
rely on what an earlier block of the same file set up, and every file starts with a store
prepared the way README.md's store section does it (HOGO_DB, the master and signing keys, an
initialised store, subject u1 of policy irp). A block that cannot run here (it needs a service, root, or is the
build itself) opts out with a marker on the line just above its fence, giving the reason:
    <!-- docs-test: skip: needs a PostgreSQL server -->
Usage: run_doc_commands.py REPO_ROOT HOGO
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(sh|bash|shell|console)\s*$")
SKIP = re.compile(r"^<!--\s*docs-test:\s*skip:\s*(\S.*?)\s*-->\s*$")


def blocks(path):
    """(first line number, skip reason or None, lines) of each shell block of a file."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if FENCE.match(lines[i]):
            start = i + 1
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            m = SKIP.match(lines[j].strip()) if j >= 0 else None
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            yield start, (m.group(1) if m else None), body
        i += 1


def commands(body):
    """The commands of a block: $-lines when it shows a session, else every line; a line
    ending in a backslash goes on on the next."""
    prompted = [l[2:] for l in body if l.startswith("$ ")]
    lines = prompted if prompted else [l for l in body if l.strip() and not l.lstrip().startswith("#")]
    out, acc = [], ""
    for l in lines:
        if l.rstrip().endswith("\\"):
            acc += l.rstrip()[:-1] + " "
            continue
        out.append(acc + l)
        acc = ""
    if acc:
        out.append(acc)
    return out


PREPARE = """export HOGO_DB=$PWD/prepared.db HOGO_MASTER_KEY_FILE=$PWD/prepared-master.key \\
  HOGO_SIGNING_KEY_FILE=$PWD/prepared-audit.key
{ hogo key generate "$HOGO_MASTER_KEY_FILE" && hogo key generate --signing "$HOGO_SIGNING_KEY_FILE" \\
  && hogo init && hogo subject add u1 --operator irp; } >prepare.log 2>&1 || { echo 'cannot prepare a store'; cat prepare.log; exit 1; }
"""


def script(cmds, where=""):
    parts = []
    for n, c in enumerate(cmds, 1):
        quoted = c.replace("'", "'\\''")
        # the command on a line of its own, so that a trailing comment ends with the line
        parts.append(f"{{ {c}\n}} </dev/null >>out.log 2>&1; s=$?\n"
                     f"if [ $s -gt 1 ]; then echo '{where}command {n} exited '$s': {quoted}'; "
                     f"tail -5 out.log; exit 1; fi")
    return "\n".join(parts) + "\n"


def main():
    root, hogo = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    docs = [os.path.join(root, "README.md")] + sorted(
        glob.glob(os.path.join(root, "docs", "**", "*.md"), recursive=True))
    ran = skipped = failed = 0
    for path in docs:
        rel = os.path.relpath(path, root)
        parts, count = [], 0
        for line, skip, body in blocks(path):
            if skip:
                skipped += 1
                print(f"skip {rel}:{line}: {skip}")
                continue
            cmds = commands(body)
            if cmds:
                parts.append(script(cmds, f"{rel}:{line}: "))
                count += 1
        if not parts:
            continue
        work = tempfile.mkdtemp(prefix="hogo-docs-")
        try:
            for name in ("examples", "policies", "scripts", "tests", "docs", "bench"):
                if os.path.exists(os.path.join(root, name)):
                    os.symlink(os.path.join(root, name), os.path.join(work, name))
            os.makedirs(os.path.join(work, "build", "bin"))
            for prog in sorted(glob.glob(os.path.join(os.path.dirname(hogo), "hogo*"))):
                os.symlink(prog, os.path.join(work, "build", "bin", os.path.basename(prog)))
            env = {k: v for k, v in os.environ.items() if not k.startswith("HOGO_")}
            env["PATH"] = os.path.join(work, "build", "bin") + os.pathsep + env.get("PATH", "")
            # hogo reads no source tree of its own: as the README says, a build tree names
            # its policies
            env["HOGO_POLICY_PATH"] = os.path.join(work, "policies")
            proc = subprocess.run(["bash", "-c", "set -u\n" + PREPARE + "\n".join(parts)],
                                  cwd=work, env=env, capture_output=True, text=True,
                                  timeout=600)
            ran += count
            if proc.returncode != 0:
                failed += 1
                print(f"FAIL {proc.stdout.strip()} {proc.stderr.strip()}")
            else:
                print(f"ok   {rel}: {count} blocks")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{ran} blocks ran, {skipped} skipped, {failed} failed")
    return 1 if failed or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
