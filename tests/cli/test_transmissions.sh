#!/usr/bin/env bash
# Black-box tests of the 外部送信一覧 (docs/transmissions.md) through `hogo policy check` and
# `hogo policy transmissions`: the shipped lists pass; a list with an unknown recipient,
# purpose or data id fails (exit 2) with file:line:col and the nearest id, whether it is
# checked with its policy or given alone; the listing's four formats and two languages carry
# the list's content. Test layer; run from the repository root with HOGO=<path to hogo>.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
export HOGO_POLICY_PATH="$PWD/policies"

# --- the shipped lists -------------------------------------------------------------------
for id in irp rcc rea rkm rmc; do
    run '' policy check "$id"
    check "policy check $id also checks its list of transmissions" \
        all 'exit_is 0' "stdout_has '^ok: .*policies/transmissions/$id.yaml — external transmissions of policy $id'" \
        'stdout_has "example data"' 'stderr_lacks "warning|error"'
done
run '' policy check policies/transmissions/irp.yaml
check "a list given alone is checked as a list" \
    all 'exit_is 0' "stdout_has '^ok: policies/transmissions/irp.yaml — .* 3 sites or apps, 10 transmissions, 6 recipients \(2 with an opt-out\)'"

# --- a broken list, checked with its policy and alone -------------------------------------
# The policy folder is copied so that only the list differs.
mkdir -p "$scratch/p/transmissions"
cp -r policies/vocabulary.yaml policies/irp.yaml policies/text "$scratch/p/"
list=policies/transmissions/irp.yaml

# broken FROM TO: writes the shipped irp list with the first FROM replaced by TO; prints the
# line:col where TO starts.
broken() {
    python3 - "$list" "$scratch/p/transmissions/irp.yaml" "$1" "$2" <<'PY'
import sys
src, dst, old, new = sys.argv[1:]
s = open(src, encoding="utf-8").read()
at = s.find(old)
if at < 0:
    sys.exit("test data: %r not in %s" % (old, src))
open(dst, "w", encoding="utf-8").write(s[:at] + new + s[at + len(old):])
line = s.count("\n", 0, at) + 1
col = at - (s.rfind("\n", 0, at) + 1) + 1
print("%d:%d" % (line, col))
PY
}

cp "$list" "$scratch/p/transmissions/irp.yaml"
run '' policy check "$scratch/p/irp.yaml"
check "the copied policy and list pass (control)" all 'exit_is 0' 'stderr_lacks "error|warning"'

# expect_refused NAME FROM TO SKIP MESSAGE (a regular expression without single quotes): the list with FROM replaced by TO fails both ways
# with "irp.yaml:LINE:COL: error: MESSAGE", LINE:COL being where the wrong id stands: SKIP
# characters after the start of TO.
expect_refused() {
    local name=$1 from=$2 to=$3 skip=$4 message=$5 at
    at=$(broken "$from" "$to")
    local line=${at%%:*} col=$((${at##*:} + skip))
    run '' policy check "$scratch/p/irp.yaml"
    check "$name: policy check of the policy exits 2 at $line:$col" \
        all 'exit_is 2' "stderr_has 'transmissions/irp.yaml:$line:$col: error: $message'" \
        "stderr_has 'list of external transmissions of policy .irp. has errors'"
    run '' policy check "$scratch/p/transmissions/irp.yaml"
    check "$name: policy check of the list alone exits 2" \
        all 'exit_is 2' "stderr_has 'transmissions/irp.yaml:$line:$col: error: $message'"
}

expect_refused "unknown recipient" "recipient: google" "recipient: gooogle" 11 \
    "unknown recipient .gooogle. — did you mean .google.\\?"
expect_refused "unknown partner" "recipient: sample_analytics" "recipient: sample_analitics" 11 \
    "unknown recipient .sample_analitics. — did you mean .sample_analytics.\\?"
expect_refused "unknown purpose" "purposes: [custom_audience_ads]" "purposes: [custom_audiense_ads]" 11 \
    "unknown purpose .custom_audiense_ads. — did you mean .custom_audience_ads.\\?"
expect_refused "unknown data category" "data: [cookie, behavior_history]" "data: [cookies, behavior_history]" 7 \
    "unknown data category .cookies. — did you mean .cookie.\\?"
expect_refused "a class as recipient" "recipient: line" "recipient: ad_platform" 11 \
    ".ad_platform. is a class of recipients"

# a purpose the policy does not state is a warning when the list is checked with its policy
at=$(broken "purposes: [custom_audience_ads]" "purposes: [data_sale]")
at="${at%%:*}:$((${at##*:} + 11))"
run '' policy check "$scratch/p/irp.yaml"
check "a purpose no clause of the policy permits is a warning at $at" \
    all 'exit_is 0' "stderr_has 'transmissions/irp.yaml:$at: warning: purpose .data_sale. is not one policy .irp. states'" \
    'stdout_has "every id in the vocabulary \(with warnings\)"'

# nothing is printed as ok for a broken list, and the policy's own line still is
broken "recipient: google" "recipient: gooogle" >/dev/null
run '' policy check "$scratch/p/irp.yaml"
check "a broken list: the policy is ok, the list is not" \
    all 'exit_is 2' "stdout_has '^ok: .*/irp.yaml — policy irp'" 'stdout_lacks "external transmissions"'
run '' policy transmissions "$scratch/p/irp.yaml"
check "a broken list is not listed" all 'exit_is 2' 'stdout_empty' "stderr_has 'did you mean'"

# --- the listing ---------------------------------------------------------------------------
run '' policy transmissions irp
check "text is Japanese by default, with the example notice" \
    all 'exit_is 0' 'stdout_has "^サイト・アプリ +ツール +送信先 +送信される情報 +利用目的 +オプトアウト"' \
    'stdout_has "リクルートエージェントのアプリ（例） +位置情報解析SDK +サンプル位置情報解析株式会社（例） +位置情報、広告識別子（AAID・IDFA）"' \
    'stdout_has "https://sample-location-insights.example/opt-out"' 'stdout_has "例示データ"'
[ "$(grep -c '^[^ ].*  Google  ' "$scratch/out")" -eq 3 ] && google3=yes || google3=no
check "text: one row per transmission (Google on three sites)" [ "$google3" = yes ]
run '' policy transmissions irp --lang en
check "--lang en writes English" \
    all 'exit_is 0' 'stdout_has "^site or app +tool +recipient +data sent +purposes +opt-out"' \
    'stdout_has "Recruit Agent app \(example\) +location analytics SDK +Sample Location Insights K.K. \(example\)"' \
    'stdout_has "example data"' 'stdout_lacks "送信先"'
run '' policy transmissions irp --format csv
check "csv: a header and one row per transmission, ids joined" \
    all 'exit_is 0' '[ "$(wc -l < "$scratch/out")" -eq 11 ]' \
    'stdout_has "^site,site_kind,tool,recipient,recipient_name,data,purposes,opt_out_url$"' \
    'stdout_has "^recruit_agent_app,app,位置情報解析SDK,sample_location_insights,サンプル位置情報解析株式会社（例）,\"location,ad_identifier\",preference_analysis,https://sample-location-insights.example/opt-out$"'
run '' policy transmissions irp --format json
check "json: an array of ten transmissions with names and ids" \
    all 'exit_is 0' "python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 10, len(rows)
loc = [r for r in rows if r[\"recipient\"] == \"sample_location_insights\"][0]
assert loc[\"site\"] == \"recruit_agent_app\" and loc[\"site_kind\"] == \"app\"
assert [d[\"id\"] for d in loc[\"data\"]] == [\"location\", \"ad_identifier\"]
assert loc[\"data\"][0][\"ja\"] == \"位置情報\"
assert loc[\"opt_out_url\"] == \"https://sample-location-insights.example/opt-out\"
assert all(r[\"opt_out_url\"] is None for r in rows if r[\"recipient\"] == \"google\")
' $scratch/out"
run '' policy transmissions rea --format jsonl
check "jsonl: one object per line" \
    all 'exit_is 0' '[ "$(wc -l < "$scratch/out")" -eq 7 ]' \
    "python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' $scratch/out"
run '' policy transmissions policies/transmissions/rkm.yaml --format csv
check "a list file is listed too" all 'exit_is 0' 'stdout_has "^rkm_web,web,広告効果計測タグ,sample_ad_measurement"'

# --- bad arguments ---------------------------------------------------------------------------
run '' policy transmissions irp --format xml
check "an unknown format is exit 2" all 'exit_is 2' "stderr_has 'json, jsonl, csv or text'"
run '' policy transmissions irp --lang fr
check "an unknown language is exit 2" all 'exit_is 2' "stderr_has '--lang is ja or en'"
run '' policy transmissions
check "no policy is exit 2" all 'exit_is 2' "stderr_has 'name one policy'"
mkdir -p "$scratch/q/text"
cp policies/vocabulary.yaml policies/rcc.yaml "$scratch/q/"
cp policies/text/rcc.txt "$scratch/q/text/"
run '' policy transmissions "$scratch/q/rcc.yaml"
check "a policy without a list says where to write it" \
    all 'exit_is 2' "stderr_has 'has no list of external transmissions; write .*transmissions/rcc.yaml'"

finish
