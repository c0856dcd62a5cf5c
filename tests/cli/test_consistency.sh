#!/usr/bin/env bash
# One command line: every command answers an unknown option with hogo's own message (never
# getopt's) and exit 2; every HOGO_* variable the program reads is documented by
# `hogo help environment` and hogo(1); --actor names who acts in the audit log, as HOGO_ACTOR does.
# Test layer; run from the repository root with HOGO=<path to hogo>.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

commands=$("$HOGO" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
check "hogo --help lists the commands" [ -n "$commands" ]
for c in $commands; do
    run '' "$c" --no-such-option
    check "$c: an unknown option gets hogo's own message and exit 2" \
        all 'exit_is 2' 'stderr_has "^hogo: "' 'stderr_lacks "unrecognized option|invalid option"'
done
run '' check --policy
check "an option missing its value: hogo's own message, exit 2" \
    all 'exit_is 2' 'stderr_has "^hogo: check: .*--policy"' 'stderr_lacks "requires an argument"'

run '' help environment
check "hogo help environment runs" exit_is 0
undocumented=""
for v in $(grep -rhoE 'getenv\("HOGO_[A-Z_]+"\)' lib cli | grep -oE 'HOGO_[A-Z_]+' | sort -u); do
    grep -q "^  $v " "$scratch/out" || undocumented="$undocumented $v"
done
check "every HOGO_* variable read is documented (undocumented:${undocumented:- none})" \
    [ -z "$undocumented" ]
unread=""
for v in $(grep -oE '^  HOGO_[A-Z_]+' "$scratch/out"); do
    grep -rq "getenv(\"$v\")" lib cli || unread="$unread $v"
done
check "every documented variable is read by the program (not read:${unread:- none})" \
    [ -z "$unread" ]
not_in_man=""
for v in $(grep -oE '^  HOGO_[A-Z_]+' "$scratch/out"); do
    sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' docs/man/hogo.1 | grep -q "$v" || not_in_man="$not_in_man $v"
done
check "the man page's ENVIRONMENT documents every variable (missing:${not_in_man:- none})" \
    [ -z "$not_in_man" ]

python3 -c 'import sys
for i in range(2000): print("{\"policy\":\"irp\",\"action\":\"use\",\"purpose\":\"service_operation\",\"data\":[\"name\"]}")' >"$scratch/many.jsonl"
run_file "$scratch/many.jsonl" check --policy irp --jsonl
check "a long run into a file or pipe prints no progress line (only a terminal gets one)" \
    all 'exit_is 0' '[ "$(wc -l < "$scratch/out")" -eq 2000 ]' '! [ -s "$scratch/err" ]'

export HOGO_DB="$scratch/a.db" HOGO_MASTER_KEY_FILE="$scratch/m.key" HOGO_SIGNING_KEY_FILE="$scratch/s.key"
"$HOGO" key generate "$scratch/m.key" >/dev/null
"$HOGO" key generate --signing "$scratch/s.key" >/dev/null
"$HOGO" init >/dev/null
run '' --actor officer-7 subject add u1 --operator irp
check "--actor before the command" exit_is 0
HOGO_ACTOR=batch-job "$HOGO" subject add u2 --operator irp >/dev/null
run '' audit export
check "the audit log names the actor given by --actor, and by HOGO_ACTOR" \
    all 'exit_is 0' 'stdout_has "\"actor\":\"officer-7\",\"action\":\"subject.add\""' \
    'stdout_has "\"actor\":\"batch-job\",\"action\":\"subject.add\""'
run '' --actor
check "--actor without a name is a usage error" all 'exit_is 2' 'stderr_has "--actor needs a name"'
finish
