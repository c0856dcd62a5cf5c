#!/usr/bin/env bash
# Black-box test of `hogo deid`: anonymize refuses undeclared columns and writes nothing,
# --anonymized writes the table, the items to publish and the recipient notice and records
# the release in the ledger (or writes nothing when it cannot), pseudonymize reads keys
# exactly and refuses exposed ones, apply maps and declares headers. Test layer.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
unset HOGO_MASTER_KEY HOGO_MASTER_KEY_FILE HOGO_SIGNING_KEY_FILE HOGO_OWN_RETENTION_YEARS
json_is() { python3 -c 'import json,sys; r=json.load(open(sys.argv[2])); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" "$scratch/out" 2>/dev/null; }
"$HOGO" init >/dev/null 2>&1

fixtures=$PWD/tests/deid
{
    echo "name,age,sex,disease,memo"
    for i in $(seq 1 40); do
        echo "人$i,$((20 + i % 30)),$([ $((i % 2)) = 0 ] && echo M || echo F),d$((i % 4)),ok"
    done
} > "$scratch/d.csv"
cat > "$scratch/c.yaml" <<EOF
attributes:
  name: identifying
  age: {type: quasi, hierarchy: builtin:age}
  sex: {type: quasi, hierarchy: $fixtures/sex_hierarchy.csv}
  disease: sensitive
models: {k: 4, l_diversity: {attribute: disease, l: 2}}
measure: loss
EOF

run '' deid anonymize --config "$scratch/c.yaml" --output "$scratch/o.csv" "$scratch/d.csv"
check "an undeclared column is refused and nothing is written" \
    all 'exit_is 2' 'stderr_has "column .memo. .* not declared"' '! [ -e "$scratch/o.csv" ]' '! [ -e "$scratch/o.csv.partial" ]'

sed -i 's/^  disease: sensitive$/  disease: sensitive\n  memo: insensitive/' "$scratch/c.yaml"
run '' deid anonymize --config "$scratch/c.yaml" --output "$scratch/o.csv" "$scratch/d.csv"
check "declared, the table is written without the names" \
    all 'exit_is 0' '[ "$(wc -l < "$scratch/o.csv")" = 41 ]' '! grep -q "人" "$scratch/o.csv"'

sed 's/^\(人7,.*\),ok$/\1,連絡は090-1234-5678へ/' "$scratch/d.csv" > "$scratch/d2.csv"
run '' deid anonymize --config "$scratch/c.yaml" --output "$scratch/o2.csv" "$scratch/d2.csv"
check "a phone number in a kept column is refused with its line" \
    all 'exit_is 2' 'stderr_has "memo"' 'stderr_has "d2.csv:8"' 'stderr_has "電話番号"' '! [ -e "$scratch/o2.csv" ]'

anon=(deid anonymize --config "$scratch/c.yaml" --output "$scratch/a.csv" --anonymized
      --recipient prospective_client --recipient-name "株式会社例示" --operator "株式会社提供元"
      --method "暗号化したCSVファイルを送付" --items "$scratch/items.md" --notice "$scratch/notice.md")
run '' "${anon[@]}" "$scratch/d.csv"
check "--anonymized without --data is refused" all 'exit_is 2' 'stderr_has "--data"' '! [ -e "$scratch/a.csv" ]'
run '' "${anon[@]}" --data "age_group,Not A Category" "$scratch/d.csv"
check "a release the ledger refuses writes nothing" \
    all 'exit_is 2' 'stderr_has "Not A Category"' '! [ -e "$scratch/a.csv" ]' '! [ -e "$scratch/items.md" ]' '! [ -e "$scratch/notice.md" ]' '! [ -e "$scratch/a.csv.partial" ]'
run '' "${anon[@]}" --data age_group,gender "$scratch/d.csv"
check "--anonymized writes the table, the items to publish and the notice" \
    all 'exit_is 0' 'stderr_has "提供の記録 prov-"' '[ -s "$scratch/a.csv" ]' \
        'grep -q "匿名加工情報に含まれる個人に関する情報の項目" "$scratch/items.md"' \
        'grep -q "| age |" "$scratch/items.md"' '! grep -q "| name |" "$scratch/items.md"' \
        'grep -q "匿名加工情報です" "$scratch/notice.md"' 'grep -q "株式会社例示" "$scratch/notice.md"' \
        'grep -q "暗号化したCSVファイルを送付" "$scratch/notice.md"' 'grep -q "第45条" "$scratch/notice.md"'
hash=$(b2sum -l 256 "$scratch/a.csv" | cut -c1-64)
run '' ledger list --kind provisions
check "the release is in the ledger with its items, obligations and the table's hash" \
    all 'exit_is 0' 'json_is "len(r)==1 and r[0][\"counterparty\"]==\"prospective_client\" and r[0][\"items\"]==[\"age_group\",\"gender\"] and r[0][\"record_required\"]==False"'
id=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[0]['id'])" "$scratch/out")
run '' ledger show "$id"
check "the record's detail names the form, the obligations and the hash" \
    all 'stdout_has "\"form\": ?\"anonymized\""' 'stdout_has "publish_anonymized_items"' \
        'stdout_has "notify_anonymized_recipient"' "stdout_has $hash"

# keys
head -c 31 /dev/urandom > "$scratch/k"; printf '\n' >> "$scratch/k"; chmod 600 "$scratch/k"
printf 'id,n\nu1,1\nu2,2\n' > "$scratch/p.csv"
run '' deid pseudonymize --key-file "$scratch/k" --recipient acme --pseudonym id --keep n "$scratch/p.csv"
check "a raw 32-byte key ending in a newline byte is accepted" all 'exit_is 0' 'stdout_has "^id,n"'
chmod 644 "$scratch/k"
run '' deid pseudonymize --key-file "$scratch/k" --recipient acme --pseudonym id --keep n "$scratch/p.csv"
check "a world-readable key is refused" all 'exit_is 2' 'stderr_has "chmod 600"'
head -c 32 /dev/zero > "$scratch/z"; chmod 600 "$scratch/z"
run '' deid pseudonymize --key-file "$scratch/z" --recipient acme --pseudonym id --keep n "$scratch/p.csv"
check "an all-zero key is refused" all 'exit_is 2' 'stderr_has "all-zero"'
chmod 600 "$scratch/k"
run '' deid pseudonymize --key-file "$scratch/k" --recipient acme --pseudonym id "$scratch/p.csv"
check "pseudonymize refuses an undeclared column" all 'exit_is 2' 'stderr_has "column .n. .*not declared"'

# apply
printf '年齢,性別,備考\n116,女性,満足\n' > "$scratch/ap.csv"
run '' deid apply --obligation '{"type":"deidentify"}' "$scratch/ap.csv"
check "apply refuses a header that names no category" all 'exit_is 2' 'stderr_has "備考"'
run '' deid apply --obligation '{"type":"deidentify"}' --column 備考=keep "$scratch/ap.csv"
check "declared, it is kept; the age is top-coded" all 'exit_is 0' 'stdout_has "^年代,性別,備考$"' 'stdout_has "^90\+,女性,満足$"'

finish
