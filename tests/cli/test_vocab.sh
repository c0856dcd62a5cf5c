#!/usr/bin/env bash
# Black-box tests of `hogo vocab list|show|search` and `hogo policy list`: ids found by id, by
# Japanese or by English name; the four listing formats mean the same everywhere (an empty JSON
# list is "[]"); an unknown id in a request is answered with the id whose Japanese name holds
# the word given. Test layer; run from the repository root with HOGO=<path to hogo>.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

# json_is PYTHON-EXPR: the expression over the parsed stdout (r) is true.
json_is() { python3 -c 'import json,sys; r=json.load(open(sys.argv[2])); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" "$scratch/out" 2>/dev/null; }

run '' vocab search 広告
check "search by a Japanese word finds the purpose" \
    all 'exit_is 0' 'stdout_has "^ad_delivery +purpose +各種サービスの提案・情報提供・広告配信"'
run '' vocab search ADVERTISING --format csv
check "search by an English word, case-insensitively, as CSV with a header" \
    all 'exit_is 0' 'stdout_has "^id,kind,ja$"' 'stdout_has "^ad_delivery,purpose,"'
run '' vocab show sensitive_info --format json
check "show gives the kind and both names" \
    all 'exit_is 0' 'json_is "r[0][\"kind\"]==\"data_category\" and r[0][\"ja\"]==\"要配慮個人情報\""'
run '' vocab show medical_history
check "show names the broader id" all 'exit_is 0' 'stdout_has "broader: sensitive_info"'
run '' vocab show no_such_id
check "show of an unknown id says so and exits 1" all 'exit_is 1' 'stderr_has "no id .no_such_id."'
run '' vocab list form --format jsonl
check "list one kind as JSON lines" \
    all 'exit_is 0' '[ "$(wc -l < "$scratch/out")" -eq 5 ]' 'stdout_has "\"id\":\"anonymized\""'
run '' vocab search zzzzqqq --format json
check "an empty list is [] and exits 1" all 'exit_is 1' '[ "$(cat "$scratch/out")" = "[]" ]'
run '' vocab list --format yaml
check "an unknown --format is hogo's own usage error" \
    all 'exit_is 2' stdout_empty 'stderr_has "json, jsonl, csv or text"'
run '' vocab frobnicate
check "an unknown subcommand is a usage error" all 'exit_is 2' 'stderr_has "list \[KIND\], show ID or search WORD"'

run '{"policy":"irp","action":"use","purpose":"広告配信","data":["name"]}' check --policy irp
check "an unknown id in Japanese is answered with the id of that Japanese name" \
    all 'exit_is 2' "stderr_has \"unknown purpose '広告配信' — did you mean 'ad_delivery'\""
run '{"policy":"irp","action":"use","purpose":"service_operation","data":["病歴"]}' check --policy irp
check "the same for a data category" all 'exit_is 2' "stderr_has \"did you mean 'medical_history'\""

run '' policy list --format json
check "policy list names the five policies with operator and version" \
    all 'exit_is 0' 'json_is "sorted(x[\"id\"] for x in r)==[\"irp\",\"rcc\",\"rea\",\"rkm\",\"rmc\"] and all(x[\"version\"] and x[\"operator\"] for x in r)"'
run '' policy list
check "policy list as text" all 'exit_is 0' 'stdout_has "^irp +株式会社インディードリクルートパートナーズ +2025-04-01"'
run '' policy show irp --format json
check "policy show --format json lists every rule with its clause and quote" \
    all 'exit_is 0' 'json_is "len(r)==57 and r[0][\"clause\"]==\"preamble\" and all(x[\"quote\"] for x in r)"'
run '' policy show rkm --format csv
check "policy show --format csv: a header and one row per rule" \
    all 'exit_is 0' 'stdout_has "^clause,effect,actions,"' '[ "$(grep -c "^" "$scratch/out")" -ge 42 ]'
run '' policy show irp --format yaml
check "policy show with an unknown --format is hogo's usage error" \
    all 'exit_is 2' 'stderr_has "json, jsonl, csv or text"'
finish
