#!/usr/bin/env bash
# Black-box test of bulk loading (hogo subject import|export) through the real hogo binary
# ($HOGO): malformed files (bad UTF-8, unknown ids, ragged CSV, duplicate subjects, bad JSON)
# lose nothing valid and store nothing invalid, each bad line reported with its number;
# --strict stops at the first; a run killed mid-way resumes without duplicates; export
# writes what import reads. Test layer; runs from the repository root.
set -u
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
"$HOGO" init >/dev/null
unset HOGO_NOW HOGO_ACTOR
count() { "$HOGO" subject list | grep -o '"subject_id"' | wc -l; }

# --- JSON lines with every kind of bad line between good ones ---
{
    echo '{"subject_id":"g1","operator":"irp","facts":{"age":34,"linked_accounts":["ponta"],"opt_outs":["ad_delivery"],"blocked_companies":["7010001008844"]},"consents":[{"id":"c1","recipient":"participating_company","purpose":"recruitment_selection","data":["name","work_history"],"policy":"irp","policy_version":"2025-04-01","method":"web_form"}]}'
    printf '{"subject_id":"b2","operator":"irp","facts":{"age":"\xff\xfe"}}\n'
    echo '{"subject_id":"b3","operator":"irp","facts":{"linked_accounts":["no_such_account"]}}'
    echo '{"subject_id":"b4","operator":"nosuchpolicy"}'
    echo '{"subject_id":"g1","operator":"irp","facts":{"age":40}}'
    echo '{"subject_id":"b6","operator":"irp","facts":{"age":300}}'
    echo '{"subject_id":"b7","operator":"irp","facts":{"blocked_companies":["1234567890123"]}}'
    echo '{"subject_id":"b8","operator":"irp" "facts":{}}'
    echo '{"subject_id":"b9","operator":"irp","facts":{"erased":true}}'
    echo '{"subject_id":"b10","operator":"irp","consents":[{"id":"c1","recipient":"participating_company","purpose":"no_such_purpose","data":["name"],"policy":"irp","policy_version":"2025-04-01"}]}'
    echo '{"subject_id":"b11","operator":"irp","colour":"blue"}'
    echo '{"subject_id":"g2","operator":"rcc","facts":{"age":20,"suspended":false}}'
} >"$scratch/mixed.jsonl"
run '' subject import "$scratch/mixed.jsonl"
check "a file with bad lines exits 2" exit_is 2
for n in 2 3 4 5 6 7 8 9 10 11; do
    check "line $n is reported with its number" stderr_has "mixed.jsonl:$n: "
done
check "bad UTF-8 is named" stderr_has ':2: .*UTF-8'
check "an unknown account is named" stderr_has ':3: .*no_such_account'
check "a duplicate subject is named" stderr_has ':5: .*already exists'
check "a corporate number with a wrong check digit is named" stderr_has ':7: .*check digit'
check "the summary counts" stderr_has '2 imported, 10 bad'
check "only the good lines are stored" all '[ "$(count)" -eq 2 ]'
run '' subject facts g1 --policy irp
check "the first g1 is kept whole, not the duplicate" all 'stdout_has "\"age\":34"' \
    'stdout_has "\"consents\":\[\{\"id\":\"c1\""' 'stdout_has "7010001008844"'
run '' subject show b3
check "nothing of a bad line is stored" exit_is 2
run '' audit export
check "each person imported is one audit event" all \
    '[ "$(grep -c "\"action\":\"subject.import\"" "$scratch/out")" -eq 2 ]'

# --- --strict stops at the first bad line, keeping the good lines before it ---
export HOGO_DB=$scratch/s.db
"$HOGO" init >/dev/null
run '' subject import "$scratch/mixed.jsonl" --strict
check "--strict stops at the first bad line" all 'exit_is 2' 'stderr_has "1 imported, 1 bad"' '[ "$(count)" -eq 1 ]'

# --- CSV: ragged rows, unknown columns, quoting, lists ---
export HOGO_DB=$scratch/c.db
"$HOGO" init >/dev/null
cat >"$scratch/people.csv" <<'CSV'
subject_id,operator,age,linked_accounts,opt_outs,suspended
c1,irp,34,ponta;d_account,ad_delivery,false
c2,irp,20
c3,irp,41,"ponta",,true
c4,irp,abc,,,
c5,irp,50,,,,extra
c6,irp,"unclosed,,,
c1,irp,33,,,
CSV
run '' subject import "$scratch/people.csv"
check "CSV with bad rows exits 2" exit_is 2
check "a short row is ragged" stderr_has 'people.csv:3: .*3 columns, the header 6'
check "a long row is ragged" stderr_has 'people.csv:6: .*7 columns'
check "a bad value is named" stderr_has 'people.csv:5: .*age'
check "an unclosed quote is named" stderr_has 'people.csv:7: .*quote'
check "a duplicate is named" stderr_has 'people.csv:8: .*already exists'
check "the good rows are stored" all '[ "$(count)" -eq 2 ]'
run '' subject facts c1 --policy irp
check "a list cell holds several values" stdout_has '"linked_accounts":\["d_account","ponta"\]'
printf 'subject_id,operator,agee\n' >"$scratch/badhead.csv"
run '' subject import "$scratch/badhead.csv"
check "an unknown column is refused at line 1" all 'exit_is 2' 'stderr_has "badhead.csv:1: .*agee"'
run '' subject import "$scratch/people.txt"
check "other file types are refused" all 'exit_is 2' 'stderr_has "jsonl"'

# --- export writes what import reads ---
run '' subject export
printf '%s\n' "$out" >"$scratch/round.jsonl"
run '' subject export --format csv
printf '%s\n' "$out" >"$scratch/round.csv"
export HOGO_DB=$scratch/r.db
"$HOGO" init >/dev/null
run '' subject import "$scratch/round.jsonl"
check "the JSON export imports cleanly" all 'exit_is 0' '[ "$(count)" -eq 2 ]'
run '' subject facts c1 --policy irp
check "facts survive the round trip" all 'stdout_has "\"linked_accounts\":\[\"d_account\",\"ponta\"\]"' \
    'stdout_has "\"opt_outs\":\[\"ad_delivery\"\]"' 'stdout_has "\"suspended\":false"'
export HOGO_DB=$scratch/r2.db
"$HOGO" init >/dev/null
run '' subject import "$scratch/round.csv"
check "the CSV export imports cleanly" all 'exit_is 0' '[ "$(count)" -eq 2 ]'

# --- a progress bar with rate and estimate on a terminal, none otherwise ---
export HOGO_DB=$scratch/t.db
"$HOGO" init >/dev/null
if command -v script >/dev/null; then
    script -qec "'$HOGO' subject import '$scratch/round.jsonl'" /dev/null >"$scratch/tty" 2>&1
    check "on a terminal: a bar with its rate and the time left" \
        grep -qE '\[#+\] 100% 2 lines, [0-9]+ lines/s, about [0-9]+ s left' "$scratch/tty"
fi
export HOGO_DB=$scratch/t2.db
"$HOGO" init >/dev/null
run '' subject import "$scratch/round.jsonl"
check "not on a terminal: no bar" all 'exit_is 0' '! stderr_has "lines/s"'

# --- a run killed mid-way resumes without duplicates ---
export HOGO_DB=$scratch/k.db
"$HOGO" init >/dev/null
python3 -c "
for i in range(60000):
    print('{\"subject_id\":\"k%06d\",\"operator\":\"irp\",\"facts\":{\"age\":%d,\"linked_accounts\":[\"ponta\"]}}' % (i, 20 + i % 50))
" >"$scratch/big.jsonl"
"$HOGO" subject import "$scratch/big.jsonl" --batch 500 2>/dev/null &
pid=$!
for _ in $(seq 1 200); do
    n=$(python3 -c "
import sqlite3
try:
    print(sqlite3.connect('file:$HOGO_DB?mode=ro', uri=True, timeout=5).execute('SELECT COALESCE(MAX(lines_done),0) FROM import_runs').fetchone()[0])
except Exception:
    print(0)")
    [ "$n" -gt 0 ] && break
    sleep 0.05
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
run '' subject import "$scratch/big.jsonl" --batch 500
check "the second run resumes after the last batch" all 'exit_is 0' 'stderr_has "[1-9][0-9]* done by an earlier run"' \
    'stderr_has " 0 bad"'
check "every person once" all '[ "$(count)" -eq 60000 ]'
run '' subject import "$scratch/big.jsonl"
check "a third run has nothing left to do" all 'exit_is 0' 'stderr_has "0 imported, 0 bad, 60000 done"'
finish
