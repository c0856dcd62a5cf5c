#!/usr/bin/env bash
# Black-box test of policy revisions: a request's "at" selects the version in force then
# (<id>.yaml is current, <id>@<version>.yaml an earlier one), and `hogo policy diff` shows
# what a revision changed. Test layer.
set -u
HOGO=${HOGO:?set HOGO to the hogo binary}
src=${HOGO_SOURCE_DIR:-.}
d=$(mktemp -d /tmp/hogo-versions-XXXXXX)
trap 'rm -rf "$d"' EXIT
pass=0 fail=0
check() { # name condition...
  if eval "$2"; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
mkdir "$d/text"
cp "$src/policies/vocabulary.yaml" "$d/"
cp "$src/policies/irp.yaml" "$d/irp.yaml"
cp "$src/policies/text/irp.txt" "$d/text/"
# the earlier version: the same policy without clause 3(7) (Amazon), in force from 2024-01-01
python3 - "$src/policies/irp.yaml" > "$d/irp@2024-01-01.yaml" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read().replace("version: '2025-04-01'", "version: '2024-01-01'")
i = s.index("  - id: '3(7)'")
j = s.index("  - id:", i + 10)
print(s[:i] + s[j:], end="")
PY
req() { echo '{"policy":"irp","at":"'"$1"'","action":"provide","purpose":"joint_service_operation","data":["name"],"recipient":{"id":"amazon_japan"},"subject":{"linked_accounts":["amazon"]}}'; }
export HOGO_POLICY_PATH=$d
req 2025-06-01T00:00:00+09:00 | "$HOGO" check > "$d/now.json"; now=$?
req 2024-06-01T00:00:00+09:00 | "$HOGO" check > "$d/then.json"; then_=$?
req 2023-06-01T00:00:00+09:00 | "$HOGO" check > "$d/before.json" 2> "$d/before.err"; before=$?
check "the current version permits 3(7)" '[ $now -eq 0 ] && grep -q "\"policy_version\": \"2025-04-01\"" "$d/now.json"'
check "an earlier instant is decided under the earlier version" '[ $then_ -eq 1 ] && grep -q "\"policy_version\": \"2024-01-01\"" "$d/then.json"'
check "an instant before every version is an error at /at" '[ $before -eq 2 ] && grep -q "/at" "$d/before.err" && [ ! -s "$d/before.json" ]'
"$HOGO" policy diff "$d/irp@2024-01-01.yaml" "$d/irp.yaml" > "$d/diff.txt"; rc=$?
check "diff reports the added clause and exits 1" '[ $rc -eq 1 ] && grep -q "added clause \[3(7)\]" "$d/diff.txt"'
"$HOGO" policy check "$d/irp@2024-01-01.yaml" > /dev/null 2> "$d/check.err"; rc=$?
check "an earlier version checks clean" '[ $rc -eq 0 ] && ! grep -q warning "$d/check.err"'
sed -i "s/version: '2024-01-01'/version: '2024-02-01'/" "$d/irp@2024-01-01.yaml"
"$HOGO" policy check "$d/irp@2024-01-01.yaml" > /dev/null 2> "$d/check.err"; rc=$?
check "a version that differs from its file name is an error" '[ $rc -eq 2 ] && grep -q "differs from the file name" "$d/check.err"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
