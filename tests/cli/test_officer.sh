#!/usr/bin/env bash
# Black-box test of `hogo officer`: an officer is added with an operator from the vocabulary
# and a role, the password (read from stdin) is kept only as an Argon2id hash, verify accepts
# the right password and refuses a wrong one, an unknown name and a disabled officer, list
# prints the four formats, set-role/disable/enable/passwd change one officer of the right
# operator only, bad roles, unknown operators, duplicate names and short passwords are refused
# with what to do and change nothing, and every change is an audit event. Test layer.
source "$(dirname "$0")/lib.sh"
db=$scratch/h.db
"$HOGO" init --db "$db" >/dev/null
pw='correct horse battery'

run "$pw" --actor admin-1 officer add sato --db "$db" --operator irp --role handler
check "add" all 'exit_is 0' 'stdout_has "added sato \(irp, handler\)"'
check "the database holds no copy of the password" all '! grep -qaF "$pw" "$db"' 'grep -qa argon2id "$db"'
run "$pw" officer verify sato --db "$db"
check "verify accepts the right password" all 'exit_is 0' 'stdout_has "sato \(irp, handler\)"'
run "wrong password here" officer verify sato --db "$db"
check "verify refuses a wrong password" \
    all 'exit_is 1' 'stderr_has "wrong officer name or password"' 'stdout_empty'
run "$pw" officer verify nobody --db "$db"
check "an unknown name gets the same answer as a wrong password" \
    all 'exit_is 1' 'stderr_has "wrong officer name or password"'

run "$pw" officer add sato --db "$db" --operator rcc --role viewer
check "a name is taken once" all 'exit_is 2' 'stderr_has "exists already"' 'stdout_empty'
run "$pw" officer add tanaka --db "$db" --operator irp --role boss
check "a bad role is refused with the roles" \
    all 'exit_is 2' 'stderr_has "viewer, handler or admin, not .boss."'
run "$pw" officer add tanaka --db "$db" --operator acme --role viewer
check "an operator outside the vocabulary is refused" \
    all 'exit_is 2' 'stderr_has "unknown policy .acme."' 'stdout_empty'
run "short" officer add tanaka --db "$db" --operator irp --role viewer
check "a short password is refused" all 'exit_is 2' 'stderr_has "10 to 1024 characters"'
run "$pw" officer add tanaka --db "$db" --role viewer
check "add without --operator says what is needed" all 'exit_is 2' 'stderr_has "--operator ID"'
run "$pw" officer add "bad name!" --db "$db" --operator irp --role viewer
check "a malformed name is refused" all 'exit_is 2' 'stderr_has "officer name"'
run "" officer list --db "$db" --format jsonl
check "refused adds stored nothing" \
    all 'exit_is 0' '[ "$(wc -l < "$scratch/out")" -eq 1 ]' 'stdout_lacks tanaka'

run "$pw" officer add kimura --db "$db" --operator rcc --role admin
run "" officer list --db "$db"
check "list as JSON (the default) has roles and no password or hash" \
    all 'exit_is 0' 'python3 -c "import json,sys; d=json.load(open(\"$scratch/out\")); assert [o[\"name\"] for o in d]==[\"kimura\",\"sato\"]; assert d[1][\"role\"]==\"handler\" and d[1][\"enabled\"] is True and d[1][\"last_signin_at\"]"' \
        '! stdout_has argon2' '! grep -qF "$pw" "$scratch/out"'
run "" officer list --db "$db" --operator irp --format csv
check "list as CSV, by operator" \
    all 'exit_is 0' 'stdout_has "^name,operator,role,enabled,created_at,last_signin_at$"' \
        'stdout_has "^sato,irp,handler,true,"' 'stdout_lacks kimura'
run "" officer list --db "$db" --format text
check "list as text" all 'exit_is 0' 'stdout_has "^kimura +rcc +admin +true"'
run "" officer list --db "$db" --format xml
check "an unknown format is refused" all 'exit_is 2' 'stderr_has "json, jsonl, csv or text"'

run "" officer set-role sato --db "$db" --role viewer --operator rcc
check "another operator's officer cannot be changed" all 'exit_is 2' 'stderr_has "no officer .sato. of operator rcc"'
run "" officer set-role sato --db "$db" --role viewer --operator irp
check "set-role" all 'exit_is 0' 'stdout_has "sato is now viewer"'
run "" officer list --db "$db" --operator irp --format csv
check "the new role is listed" stdout_has '^sato,irp,viewer,'
run "" officer set-role sato --db "$db" --role root
check "set-role refuses a bad role" all 'exit_is 2' 'stderr_has "not .root."'
run "" officer set-role ghost --db "$db" --role viewer
check "set-role of an unknown officer" all 'exit_is 2' 'stderr_has "no officer .ghost."'

run "" officer disable sato --db "$db"
check "disable" all 'exit_is 0' 'stdout_has "disabled sato"'
run "$pw" officer verify sato --db "$db"
check "a disabled officer's right password is refused, saying why" \
    all 'exit_is 1' 'stderr_has "disabled"' 'stderr_has "hogo officer enable sato"'
run "" officer enable sato --db "$db"
run "$pw" officer verify sato --db "$db"
check "enable lets the officer in again" exit_is 0

run "a new password 2" officer passwd sato --db "$db"
check "passwd" all 'exit_is 0' 'stdout_has "password of sato changed"'
run "$pw" officer verify sato --db "$db"
check "the old password no longer matches" exit_is 1
run "a new password 2" officer verify sato --db "$db"
check "the new one does" exit_is 0

run "" officer frobnicate --db "$db"
check "an unknown subcommand is refused" all 'exit_is 2' 'stderr_has "use add, list"'

run "" audit export --db "$db"
check "every change and sign-in is an audit event, never the password" \
    all 'stdout_has "\"actor\":\"admin-1\",\"action\":\"officer.add\",\"object\":\"officer:sato operator:irp role:handler\""' \
        'stdout_has "officer.set_role"' 'stdout_has "officer.disable"' 'stdout_has "officer.enable"' \
        'stdout_has "officer.passwd"' 'stdout_has "officer.signin\""' \
        'stdout_has "officer.signin_failed\",\"object\":\"officer:sato operator:irp reason:password"' \
        'stdout_has "reason:disabled"' 'stdout_has "reason:unknown_name"' \
        '! grep -qF "$pw" "$scratch/out"' '! stdout_has argon2'
run "" audit verify --db "$db"
check "the audit log verifies" exit_is 0
finish
