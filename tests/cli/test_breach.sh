#!/usr/bin/env bash
# Black-box test of leak incidents (hogo breach, APPI Art. 26, Rules Arts. 7-10) through the
# real hogo binary ($HOGO): deadlines over month ends, holidays and the year-end closure,
# reportability on each ground and at the 1,000-person threshold counted from the store, the
# reports' items, the notices, and the audit events of every step. Test layer.
set -u
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
"$HOGO" init >/dev/null
unset HOGO_NOW HOGO_ACTOR
has() { grep -aqF -- "$1" "$scratch/out"; }

# --- deadlines: the day of learning is day 1; weekends, holidays and 12/29-1/3 move on ---
deadline() { # FROM DAY EXPECTED NAME
    run '' breach deadline --from "$1" --day "$2"
    check "$4: day $2 from $1 is $3" all 'exit_is 0' "[ \"\$out\" = \"$3\" ]"
}
deadline 2026-01-31 30 2026-03-02 "over February's end onto a Sunday"
deadline 2025-01-31 30 2025-03-03 "over February's end onto a Saturday"
deadline 2026-03-02 30 2026-03-31 "within a month, a working day"
deadline 2026-04-06 30 2026-05-07 "onto Children's Day, then the substitute holiday"
deadline 2026-07-25 60 2026-09-24 "60 days onto the citizens' holiday and the equinox"
deadline 2026-11-30 30 2027-01-04 "onto the year-end closure"
deadline 2026-04-30 5 2026-05-07 "a preliminary report over Golden Week"
deadline 2026-06-01 1 2026-06-01 "day 1 is the day of learning"
run '' breach deadline --from 2027-12-15 --day 30
check "a deadline beyond the holiday table is refused, not guessed" all 'exit_is 2' 'stderr_has "2024-2027"'
run '' breach deadline --from 2026-02-30 --day 3
check "a date that does not exist is refused" all 'exit_is 2' 'stderr_has "not a calendar date"'

# --- people in the store ---
{
    for i in $(seq 1 1001); do
        printf '{"subject_id":"p%04d","operator":"irp","facts":{"age":30}}\n' "$i"
    done
} >"$scratch/people.jsonl"
"$HOGO" subject import "$scratch/people.jsonl" 2>/dev/null
seq -f 'p%04g' 1 1000 >"$scratch/first1000"
echo p1001 >"$scratch/last"

# --- the 1,000-person threshold ---
run '' breach open --summary "誤送信" --discovered 2026-03-02 --items name,email --cause "宛先の誤り"
b=$out
check "open prints the id alone" all 'exit_is 0' 'stdout_has "^brc-[0-9a-f]{24}$"'
run '' breach affected "$b" --subjects "$scratch/first1000"
check "1,000 people added from the store" all 'exit_is 0' '[ "$out" = 1000 ]'
run '' breach assess "$b"
check "1,000 people without another ground: not reportable" all 'exit_is 0' \
    'stdout_has "\"affected\":1000,\"reportable\":false,\"grounds\":\[\]"'
run '' breach affected "$b" --subjects "$scratch/first1000"
check "adding the same people again adds none" all '[ "$out" = 0 ]'
run '' breach affected "$b" --subjects "$scratch/last"
run '' breach assess "$b"
check "1,001 people: reportable, due dates set" all 'exit_is 0' \
    'stdout_has "\"affected\":1001,\"reportable\":true,\"grounds\":\[\"over_1000_persons\"\]"' \
    'stdout_has "\"preliminary_target\":\"2026-03-04\",\"preliminary_due\":\"2026-03-06\",\"final_due\":\"2026-03-31\""'
run '' breach affected "$b" --subject nobody
check "an unknown person is refused" all 'exit_is 2' 'stderr_has "not found"'

# --- each ground alone ---
assess_ground() { # FLAG GROUND
    run '' breach open --summary s --discovered 2026-04-06 --items name "$1"
    local id=$out
    "$HOGO" breach affected "$id" --subject p0001 >/dev/null
    run '' breach assess "$id"
    check "$2 alone makes it reportable" all 'exit_is 0' "stdout_has \"\\\"reportable\\\":true,\\\"grounds\\\":\\[\\\"$2\\\"\\]\""
}
assess_ground --sensitive sensitive_data
assess_ground --financial financial_harm
assess_ground --wrongful wrongful_act
check "a wrongful act gives 60 days" all 'stdout_has "\"final_due\":\"2026-06-04\""' 'stdout_has "\"final_days\":60"'
run '' breach open --summary s --discovered 2026-04-06 --items name --sensitive --encrypted
e=$out
run '' breach assess "$e"
check "highly encrypted data is not reportable" all 'stdout_has "\"reportable\":false"' 'stdout_has "high encryption"'
run '' breach open --summary s --discovered 2026-04-06 --items no_such_category
check "an unknown data category is refused" all 'exit_is 2'

# --- reports and notices ---
run '' breach report "$b" --stage preliminary
check "preliminary report with the nine items, unknowns under investigation" all 'exit_is 0' \
    'has "\"1_summary\":\"誤送信\""' 'has "\"3_persons\":1001"' 'has "\"4_cause\":\"宛先の誤り\""' \
    'has "\"5_secondary_harm\":\"調査中\""' 'has "\"9_other\":\"調査中\""'
run '' breach report "$b" --stage final --secondary-harm "なし"
check "a final report needs every item" all 'exit_is 2' 'stderr_has "response"'
run '' breach report "$b" --stage final --secondary-harm "なし" --response "個別に通知" --publication "ウェブサイトで公表" \
    --prevention "送信前の二重確認" --other "なし"
check "final report" all 'exit_is 0' 'has "\"stage\":\"final\""' 'has "\"5_secondary_harm\":\"なし\""' \
    'has "\"8_prevention\":\"送信前の二重確認\""'
"$HOGO" breach notify "$b" >"$scratch/notices"
check "one notice per affected person" all '[ "$(wc -l <"$scratch/notices")" -eq 1001 ]' \
    "grep -q '\"subject_id\":\"p0999\"' '$scratch/notices'" \
    "grep -q '第26条第2項' '$scratch/notices'" "grep -q '宛先の誤り' '$scratch/notices'"
run '' breach show "$b"
check "the incident shows its reports and notices" all \
    'stdout_has "\"preliminary_at\":\"[0-9T:-]+Z\""' 'stdout_has "\"final_at\":\"[0-9T:-]+Z\""' \
    'stdout_has "\"notified_at\":\"[0-9T:-]+Z\""'
run '' audit export
check "every step is an audit event" all 'stdout_has "\"action\":\"breach.open\""' \
    'stdout_has "\"action\":\"breach.affected\""' 'stdout_has "\"action\":\"breach.assess\""' \
    'stdout_has "\"action\":\"breach.report_preliminary\""' 'stdout_has "\"action\":\"breach.report_final\""' \
    'stdout_has "\"subject_id\":\"p0999\",\"actor\":\"cli\",\"action\":\"breach.notify\""'
# the incidents as a list: by operator, those without a final report first
run '' breach open --operator rcc --summary "rcc の事案" --discovered 2026-04-06 --items name
rcc_id=$out
run '' breach list --operator rcc
check "list by operator holds only that operator's incidents" \
    all 'exit_is 0' "stdout_has \"\\\"breach_id\\\":\\\"$rcc_id\\\"\"" \
        'python3 -c "import json,sys; d=json.load(open(\"$scratch/out\")); assert len(d)==1 and d[0][\"operator\"]==\"rcc\""'
run "" breach list
check "list of every incident puts those without a final report first" \
    all 'exit_is 0' 'python3 -c "import json,sys; d=json.load(open(\"$scratch/out\")); f=[x[\"final_at\"] is not None for x in d]; assert len(d)>=2 and f==sorted(f) and any(f), [(x[\"final_at\"], x[\"preliminary_due\"], x[\"discovered\"]) for x in d]"'
finish
