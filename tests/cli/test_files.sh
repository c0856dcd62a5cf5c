#!/usr/bin/env bash
# Black-box test of the files hogo writes and reads: outputs land through a temporary file
# created exclusively in the target's folder (a planted symlink is never followed, a device or
# pipe is written in place and never replaced by a regular file, a symlink target is refused),
# keys and databases are private (0600) and a key readable by others is refused, an existing
# public key is never overwritten, and an in-memory database cannot be initialised. Test layer.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
unset HOGO_MASTER_KEY HOGO_MASTER_KEY_FILE HOGO_SIGNING_KEY_FILE HOGO_OWN_RETENTION_YEARS
mode_of() { stat -c %a "$1"; }
# no_temp_left DIR: no temporary output file remains in DIR
no_temp_left() { ! ls -a "$1" | grep -qE '\.tmp$'; }

run '' init
check "init creates the database" exit_is 0
check "the database is readable by its owner only" [ "$(mode_of "$HOGO_DB")" = 600 ]
run '' init --db :memory:
check "init :memory: is refused (the store would vanish)" all 'exit_is 2' 'stderr_has "in-memory"'

run '' key generate "$scratch/mk"
check "a master key is created 0600" all 'exit_is 0' '[ "$(mode_of "$scratch/mk")" = 600 ]'
run '' init --master-key "$scratch/mk"
check "init run again with the master key binds it to the store made without" exit_is 0
"$HOGO" key generate --signing "$scratch/sk" >/dev/null 2>&1
check "a signing key is created 0600" [ "$(mode_of "$scratch/sk")" = 600 ]
export HOGO_SIGNING_KEY_FILE=$scratch/sk
pub_before=$(cat "$scratch/sk.pub")
run '' key generate --signing "$scratch/sk2"
cp "$scratch/sk.pub" "$scratch/sk2.pub"
rm -f "$scratch/sk2"
run '' key generate --signing "$scratch/sk2"
check "key generate --signing refuses to overwrite an existing .pub (and writes no key)" \
    all 'exit_is 2' 'stderr_has "refusing to overwrite"' '[ "$(cat "$scratch/sk2.pub")" = "$pub_before" ]' '! [ -e "$scratch/sk2" ]'
cp "$scratch/mk" "$scratch/mk-open"
chmod 640 "$scratch/mk-open"
"$HOGO" subject add u1 --operator irp >/dev/null 2>&1
run '' data put u1 contact x --master-key "$scratch/mk-open"
check "a master key readable by the group is refused with the fix" \
    all 'exit_is 2' 'stderr_has "chmod 600"'
run '' data put u1 contact x --master-key "$scratch/mk"
check "the key store is readable by its owner only" \
    all 'exit_is 0' '[ "$(mode_of "$HOGO_DB.keys")" = 600 ]'

# planted names: a symlink where an old writer put its temporary file, and a symlink target
echo precious > "$scratch/victim"
ln -s "$scratch/victim" "$scratch/ledger.csv.partial"
run '' ledger export --out "$scratch/ledger.csv"
check "ledger export does not write through a planted .partial symlink" \
    all 'exit_is 0' '[ "$(cat "$scratch/victim")" = precious ]' '[ -f "$scratch/ledger.csv" ]'
ln -s "$scratch/victim" "$scratch/link.jsonl"
run '' audit export --out "$scratch/link.jsonl"
check "audit export refuses a symlink target" \
    all '! exit_is 0' 'stderr_has "symbolic link"' '[ "$(cat "$scratch/victim")" = precious ]' '[ -L "$scratch/link.jsonl" ]'
run '' audit export --out "$scratch/nofolder/a.jsonl"
check "an output in a missing folder is refused" all '! exit_is 0' 'stderr_has "folder"'
check "no temporary file is left behind" no_temp_left "$scratch"

# a pipe (and a device such as /dev/null) is written in place, never replaced
mkfifo "$scratch/fifo"
cat "$scratch/fifo" > "$scratch/from-fifo" &
reader=$!
run '' audit export --out "$scratch/fifo"
wait "$reader"
check "audit export to a FIFO writes into the pipe and leaves it a pipe" \
    all 'exit_is 0' '[ -p "$scratch/fifo" ]' 'grep -q "\"seq\"" "$scratch/from-fifo"'
cat "$scratch/fifo" > "$scratch/from-fifo2" &
reader=$!
run '' ledger export --out "$scratch/fifo"
wait "$reader"
check "ledger export to a FIFO leaves it a pipe" all 'exit_is 0' '[ -p "$scratch/fifo" ]'
if [ "$(id -u)" = 0 ]; then
    mknod -m 666 "$scratch/null" c 1 3
    run '' audit export --out "$scratch/null"
    check "an export to a character device (a private /dev/null) keeps the device" \
        all 'exit_is 0' '[ -c "$scratch/null" ]'
    printf '年齢,gender,service_usage\n34,男性,5\n' > "$scratch/d.csv"
    "$HOGO" subject set u1 applied_to 6100000000001 >/dev/null 2>&1
    deid='{"policy":"irp","subject_id":"u1","action":"provide","purpose":"sales_proposal","data":["attributes","service_usage"],"recipient":{"id":"prospective_client"},"form":"deidentified"}'
    run "$deid" provide --apply "$scratch/d.csv" --out "$scratch/null"
    check "provide --apply --out a device keeps the device" all 'exit_is 0' '[ -c "$scratch/null" ]'
    run '' deid scrub --output "$scratch/null" /dev/stdin
    check "deid --output a device keeps the device" all '[ -c "$scratch/null" ]'
fi
printf '年齢,gender,service_usage\n34,男性,5\n' > "$scratch/d.csv"
"$HOGO" subject set u1 applied_to 6100000000001 >/dev/null 2>&1
deid='{"policy":"irp","subject_id":"u1","action":"provide","purpose":"sales_proposal","data":["attributes","service_usage"],"recipient":{"id":"prospective_client"},"form":"deidentified"}'
ln -s "$scratch/victim" "$scratch/o.csv.partial"
run "$deid" provide --apply "$scratch/d.csv" --out "$scratch/o.csv"
check "provide --apply does not write through a planted .partial symlink" \
    all 'exit_is 0' '[ "$(cat "$scratch/victim")" = precious ]' 'grep -q 30代 "$scratch/o.csv"'
check "the provided output is private" [ "$(mode_of "$scratch/o.csv")" = 600 ]
cat "$scratch/fifo" > "$scratch/from-fifo3" &
reader=$!
run "$deid" provide --apply "$scratch/d.csv" --out "$scratch/fifo"
wait "$reader"
check "provide --apply --out a FIFO writes into the pipe and leaves it a pipe" \
    all 'exit_is 0' '[ -p "$scratch/fifo" ]' 'grep -q 30代 "$scratch/from-fifo3"'
ln -s "$scratch/victim" "$scratch/scrubbed.txt"
run '山田太郎の電話は03-1234-5678' deid scrub --output "$scratch/scrubbed.txt"
check "deid refuses a symlink output" all '! exit_is 0' '[ "$(cat "$scratch/victim")" = precious ]'
check "no temporary file is left behind at the end" no_temp_left "$scratch"
# free text is valid UTF-8 without control characters, so every JSON hogo emits is valid
allowed='{"policy":"irp","subject_id":"u1","action":"provide","purpose":"recruitment_selection","data":["name","email"],"service":"recruit_agent","recipient":{"id":"participating_company","corporate_number":"6100000000001"}}'
before=$("$HOGO" ledger list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
run "$allowed" provide --recipient-name "$(printf 'Bad\xff\xfe Name')"
check "a recipient name that is not UTF-8 is refused, nothing recorded" \
    all 'exit_is 2' 'stderr_has "not valid UTF-8"' \
    '[ "$("$HOGO" ledger list | python3 -c "import json,sys; print(len(json.load(sys.stdin)))")" = "$before" ]'
run "$allowed" provide --recipient-address "$(printf 'Tokyo\001')"
check "a control character in an address is refused" all 'exit_is 2' 'stderr_has "control character"'
run '' ledger receipt --subject u1 --items name --provider-name "$(printf '\xc3\x28')" --provider-address Tokyo --provider-representative Sato --acquisition web
check "a receipt's provider name that is not UTF-8 is refused" all 'exit_is 2' 'stderr_has "not valid UTF-8"'
run '' ledger list
check "the ledger's JSON stays valid" all 'exit_is 0' 'python3 -c "import json; json.load(open(\"$scratch/out\"))"'
finish
