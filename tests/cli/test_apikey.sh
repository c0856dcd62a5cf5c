#!/usr/bin/env bash
# Black-box test of `hogo apikey`: create prints the key alone on one line and the store
# keeps only its hash (the key's text is nowhere in the database), list shows ids, operators
# and scopes but no key, revoke ends a key once, bad operators and scopes are refused with
# what to do, and creation and revocation are audit events. Test layer.
source "$(dirname "$0")/lib.sh"
db=$scratch/h.db
"$HOGO" init --db "$db" >/dev/null

run "" apikey create --db "$db" --operator irp --scopes decide,subjects:read
key=$out
check "create prints the key alone on one line" \
    all 'exit_is 0' '[ "$(wc -l < "$scratch/out")" -eq 1 ]' \
        '[[ "$key" =~ ^hogo_[A-Za-z0-9_-]{43}$ ]]'
check "the database holds no copy of the key" \
    all '! grep -qF "$key" "$db"' '! grep -qF "${key#hogo_}" "$db"'
run "" apikey create --db "$db" --operator irp --scopes decide
check "a second key differs" all 'exit_is 0' '[ "$out" != "$key" ]'

run "" apikey list --db "$db"
check "list shows ids, operators and scopes, never a key" \
    all 'exit_is 0' 'stdout_has "\"operator\":\"irp\""' 'stdout_has "\"scopes\":\[\"decide\",\"subjects:read\"\]"' \
        '! grep -qF "$key" "$scratch/out"' 'stdout_has "\"revoked_at\":null"'
id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["key_id"])' < "$scratch/out")

run "" apikey list --db "$db" --operator rcc
check "list by operator shows only that operator's keys" all 'exit_is 0' '[ "$out" = "[]" ]'

run "" apikey revoke "$id" --db "$db" --operator rcc
check "another operator cannot revoke the key" all 'exit_is 2' 'stderr_has "no unrevoked key"'
run "" apikey revoke "$id" --db "$db"
check "revoke" all 'exit_is 0' 'stdout_has "revoked $id"'
run "" apikey revoke "$id" --db "$db"
check "a key is revoked once" all 'exit_is 2' 'stderr_has "hogo apikey list"'
run "" apikey list --db "$db"
check "the revocation is listed" all 'exit_is 0' '! stdout_has "\"key_id\":\"'"$id"'\"[^}]*\"revoked_at\":null"'

run "" apikey create --db "$db" --operator irp --scopes decide,subjects:raed
check "an unknown scope is refused with the list" \
    all 'exit_is 2' 'stderr_has "unknown scope .subjects:raed."' 'stderr_has "subjects:read"' 'stdout_empty'
run "" apikey create --db "$db" --operator IRP! --scopes decide
check "a malformed operator is refused" all 'exit_is 2' 'stdout_empty'
run "" apikey create --db "$db" --scopes decide
check "create without --operator says what is needed" all 'exit_is 2' 'stderr_has "--operator ID"'
run "" apikey create --db "$db" --operator irp --scopes decide --expires-days 0
check "--expires-days takes 1 or more" all 'exit_is 2' 'stderr_has "expires-days"'

run "" audit export --db "$db"
check "creation and revocation are audit events without the key" \
    all 'stdout_has "apikey.create"' 'stdout_has "apikey.revoke"' '! grep -qF "$key" "$scratch/out"'
run "" audit verify --db "$db"
check "the audit log verifies" exit_is 0
finish
