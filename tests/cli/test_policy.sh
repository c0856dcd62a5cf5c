#!/usr/bin/env bash
# Black-box tests of `hogo policy check|show|diff` (docs/policy-language.md): the shipped
# policies pass without warnings; each kind of malformed policy is refused (exit 2) with
# file:line:col and the right message; show describes a policy; diff reports what a revision
# removed and changed. Test layer; run from the repository root with HOGO=<path to hogo>.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh

# --- the shipped policies ----------------------------------------------------------------
for id in irp rcc rea rkm rmc; do
    run '' policy check "$id"
    check "policy check $id passes without warnings" \
        all 'exit_is 0' "stdout_has '^ok: .*policies/$id.yaml'" 'stderr_lacks "warning"'
done
run '' policy check policies/irp.yaml policies/rcc.yaml policies/rea.yaml policies/rkm.yaml policies/rmc.yaml
check "policy check of the five files at once passes" \
    all 'exit_is 0' '[ "$(grep -c "^ok: " "$scratch/out")" -eq 5 ]' 'stderr_lacks "warning"'

# --- malformed policies ------------------------------------------------------------------
# Each variant of tests/cli/data/mini-irp.yaml is written as irp.yaml next to a copy of the
# vocabulary and the policy texts, so that only the change makes it wrong.
mkdir -p "$scratch/p/text"
cp policies/vocabulary.yaml "$scratch/p/"
cp policies/text/*.txt "$scratch/p/text/"
mini=tests/cli/data/mini-irp.yaml

cp "$mini" "$scratch/p/irp.yaml"
run '' policy check "$scratch/p/irp.yaml"
check "the unmodified test policy passes (control)" all 'exit_is 0' 'stderr_lacks "error|warning"'

# variant NAME FROM TO PATTERN: replacing the first FROM by TO in the test policy makes
# `hogo policy check` fail with "irp.yaml:LINE:COL: error: ...PATTERN".
variant() {
    python3 - "$mini" "$scratch/p/irp.yaml" "$2" "$3" <<'PY'
import sys
src, dst, old, new = sys.argv[1:]
s = open(src, encoding="utf-8").read()
if old not in s:
    sys.exit("test data: %r not in %s" % (old, src))
open(dst, "w", encoding="utf-8").write(s.replace(old, new, 1))
PY
    run '' policy check "$scratch/p/irp.yaml"
    want="irp\\.yaml:[0-9]+:[0-9]+: error: .*$4"
    check "$1" all 'exit_is 2' 'stderr_has "$want"'
}

variant "a YAML syntax error is reported with file:line:col" \
    "actions: [use]" "actions: [use" "YAML syntax error"
variant "an unknown key is reported" \
    "        note: mini" "        notes: mini" "unknown key 'notes'"
variant "an unknown top-level key is reported" \
    "source: text/irp.txt" $'source: text/irp.txt\nsauce: 1' "unknown key 'sauce'"
variant "an unknown purpose id suggests the nearest one" \
    "purposes: [fraud_prevention]" "purposes: [fraud_prevnetion]" \
    "unknown purpose 'fraud_prevnetion' — did you mean 'fraud_prevention'"
variant "an unknown data category suggests the nearest one" \
    "data: [payment_info, reservation_info]" "data: [payment_inf, reservation_info]" \
    "did you mean 'payment_info'"
variant "a duplicate clause id is reported" \
    "- id: '3(5)'" "- id: '2(1)'" "duplicate clause id '2\\(1\\)'"
variant "a quote that is not verbatim in the text is reported" \
    "'当社サービスの安全な運営に必要な不正対策'" "'当社サービスの安全な運営に必要な対策'" \
    "quote not found verbatim"
variant "a title that is not verbatim in the text is reported" \
    "title: 'リクルートIDとPonta会員IDの連携による株式会社ロイヤリティマーケティングへの提供'" \
    "title: 'Ponta連携による提供'" "verbatim"
variant "a purpose not usable with the rule's action is reported" \
    "purposes: [fraud_prevention]" "purposes: [recruitment_selection]" \
    "recruitment_selection.*action 'use'"
variant "a forbid that yields to policy is reported" \
    "yields_to: [consent, law]" "yields_to: [policy, law]" "yields to 'policy'"
variant "forms excluding every form are reported" \
    "forms: [identified, deidentified]" "forms: []" "excludes every form"
variant "an unknown effect is reported" \
    "effect: forbid" "effect: deny" "permit, forbid or obligation"
variant "an unknown condition is reported" \
    "{age_at_least: 18}" "{age_over: 18}" "unknown condition 'age_over'"

cp "$mini" "$scratch/p/irp.yaml"
run '' policy check "$scratch/p/irp.yaml" "$scratch/p/none.yaml"
check "policy check goes on after a missing file and exits 2" \
    all 'exit_is 2' 'stdout_has "^ok: "' 'stderr_has "none.yaml"'
run '' policy check nosuchpolicy
check "policy check of an unknown id is exit 2 with the id named" all 'exit_is 2' 'stderr_has "nosuchpolicy"'

# --- show --------------------------------------------------------------------------------
run '' policy show irp
check "policy show irp names clause 3(5) and its recipient by its Japanese name, in Japanese" \
    all 'exit_is 0' 'stdout_has "3\(5\)"' 'stdout_has "株式会社ロイヤリティマーケティング"' \
        'stdout_has "いずれかの条項が提供を認める提供先"' 'stdout_has "次の根拠があれば適用されません"' \
        '! stdout_has "loyalty_marketing"' '! stdout_has "lifted by"' '! stdout_has "permit "'
check "policy show irp quotes the policy in Japanese" \
    stdout_has "ユーザー自身の選択によりリクルートIDにPonta会員IDを連携する場合"
run '' policy show irp --lang en
check "policy show --lang en is the English summary with ids" \
    all 'exit_is 0' 'stdout_has "loyalty_marketing"' 'stdout_has "recipients permitted by some clause"'
HOGO_LANG=en run '' policy show irp
check "policy show follows HOGO_LANG=en" all 'exit_is 0' 'stdout_has "recipients permitted by some clause"'
run '' policy show irp --lang fr
check "policy show --lang fr is hogo's own usage error" all 'exit_is 2' 'stderr_has "ja or en"'
for pol in irp rea rmc rcc rkm; do
    run '' policy show "$pol"
    check "policy show $pol in Japanese names no vocabulary id of a recipient" \
        all 'exit_is 0' \
        "! python3 -c 'import sys,yaml; v=yaml.safe_load(open(\"policies/vocabulary.yaml\")); t=open(sys.argv[1]).read(); sys.exit(0 if any((\"「\"+r+\"」\") in t or (\"・\"+r+chr(10)) in t for r in v[\"recipients\"]) else 1)' \"\$scratch/out\""
done

# --- diff --------------------------------------------------------------------------------
mkdir -p "$scratch/d/text"
cp policies/vocabulary.yaml "$scratch/d/"
cp policies/text/*.txt "$scratch/d/text/"
python3 - policies/irp.yaml "$scratch/d/irp.yaml" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
start = s.index("  - id: '3(6)'")          # remove clause 3(6)
end = s.index("  - id: '", start + 1)
s = s[:start] + s[end:]
old = "purposes: [fraud_prevention]"       # change clause 2(2)
assert old in s
s = s.replace(old, "purposes: [fraud_prevention, fraud_investigation]", 1)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
run '' policy diff policies/irp.yaml "$scratch/d/irp.yaml"
check "policy diff exits 1 when the policies differ" exit_is 1
check "policy diff reports the removed clause 3(6)" stdout_has "removed.*3\(6\)"
check "policy diff reports the changed clause 2(2) and what changed" \
    all 'stdout_has "changed.*2\(2\)"' 'stdout_has "fraud_investigation"'
check "policy diff does not report unchanged clauses" \
    all '! stdout_has "3\(5\)"' '! stdout_has "2\(1\)"'
run '' policy diff "$scratch/d/irp.yaml" policies/irp.yaml
check "policy diff the other way reports clause 3(6) as added" all 'exit_is 1' 'stdout_has "added.*3\(6\)"'
run '' policy diff policies/irp.yaml policies/irp.yaml
check "policy diff of a policy against itself exits 0" exit_is 0
run '' policy diff irp
check "policy diff with one policy is a usage error" all 'exit_is 2' 'stderr_has "old and the new"'

# --- usage -------------------------------------------------------------------------------
run '' policy --help
check "hogo policy --help describes check, show and diff" \
    all 'exit_is 0' 'stdout_has "policy check"' 'stdout_has "policy show"' 'stdout_has "policy diff"'
run '' policy frob
check "an unknown policy subcommand is exit 2" all 'exit_is 2' 'stderr_has "frob"'

finish
