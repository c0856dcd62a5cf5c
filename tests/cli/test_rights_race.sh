#!/usr/bin/env bash
# Black-box race test: provisions of a person's data run without pause in other processes
# while a suspension of that person is completed. Once the completion is acknowledged no
# provision may go through: every provision record of the person comes before the
# suspension's completion in the audit log, and every provision started after the
# acknowledgement is denied. Test layer; runs from the repository root.
set -u
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
"$HOGO" init >/dev/null
unset HOGO_NOW HOGO_ACTOR HOGO_MASTER_KEY_FILE
printf '%s' '{"policy":"irp","action":"provide","purpose":"recruitment_selection","data":["name","contact","work_history"],"service":"recruit_agent","recipient":{"id":"participating_company","corporate_number":"9234567890123"}}' >"$scratch/provide.json"
"$HOGO" subject add s1 --operator irp
"$HOGO" subject set s1 age 34
"$HOGO" subject set s1 applied_to 9234567890123

# two writers provide in a loop until told to stop; each logs "start-ns exit-status"
provider() {
    while ! [ -e "$scratch/stop" ]; do
        local t0 rc=0
        t0=$(date +%s%N)
        "$HOGO" provide --subject s1 "$scratch/provide.json" >/dev/null 2>&1 || rc=$?
        echo "$t0 $rc" >>"$scratch/log.$1"
    done
}
provider a &
pa=$!
provider b &
pb=$!
sleep 1
id=$("$HOGO" dsr open --subject s1 --kind suspension)
"$HOGO" dsr verify "$id" --method callback --verifier clerk
"$HOGO" dsr complete "$id" >/dev/null
acked=$(date +%s%N)
sleep 1
touch "$scratch/stop"
wait "$pa" "$pb"

run '' audit export
done_seq=$(grep -a '"action":"dsr.completed"' "$scratch/out" | sed 's/.*"seq":\([0-9]*\).*/\1/')
last_record=$(grep -a '"subject_id":"s1"' "$scratch/out" | grep -a '"action":"provision.record"' |
    tail -1 | sed 's/.*"seq":\([0-9]*\).*/\1/')
allowed_before=$(cat "$scratch"/log.* | awk -v t="$acked" '$1 < t && $2 == 0' | wc -l)
after=$(cat "$scratch"/log.* | awk -v t="$acked" '$1 > t' | wc -l)
allowed_after=$(cat "$scratch"/log.* | awk -v t="$acked" '$1 > t && $2 == 0' | wc -l)
check "provisions went through before the suspension ($allowed_before)" all '[ "$allowed_before" -gt 0 ]'
check "provisions were tried after the acknowledgement ($after)" all '[ "$after" -gt 0 ]'
check "none started after the acknowledgement was allowed" all '[ "$allowed_after" -eq 0 ]'
check "every provision record comes before the completion (record $last_record < $done_seq)" \
    all '[ -n "$done_seq" ] && [ -n "$last_record" ] && [ "$last_record" -lt "$done_seq" ]'
run '' audit verify
check "the audit chain is whole" exit_is 0
finish
