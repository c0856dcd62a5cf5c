#!/usr/bin/env bash
# Deciding on stored facts gives the answers of the same facts written inline. Every kind of
# subject fact of policies/vocabulary.yaml is stored through the CLI (age, guardian consent,
# linked accounts and linkage in progress, services used and requested, applications,
# affiliations, the scout service, company blocks followed to a successor corporation,
# opt-outs, point programs, suspension, stopped provision, contract limits, the name
# publication notice, erasure, and separate consents, one of them withdrawn), for two people
# per policy; then every scenario request of the policy is decided with `hogo check --db
# --jsonl` on the stored facts and with `hogo check --jsonl` on the same facts written inline,
# and the two answers must be the same bytes. Test layer (black box); about 15 s.
set -u
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
export HOGO_DB=$scratch/h.db
unset HOGO_MASTER_KEY HOGO_MASTER_KEY_FILE
"$HOGO" init >/dev/null 2>&1
corp() { # a valid corporate number from 12 digits
    python3 -c '
import sys
base = sys.argv[1]
s = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(base)))
print(str(9 - s % 9) + base)' "$1"
}
# numbers the scenario requests name as recipients, so that these facts decide something:
# the block reaches 3200000000002 (an irp recipient) only as the successor of a blocked company
applied1=9234567890123 applied2=6100000000001 affiliated=5301234567890
old=$(corp 100000000004) new=3200000000002
"$HOGO" corp succeed "$old" "$new" >/dev/null

# every fact the vocabulary defines must be stored below (a new fact makes this test fail)
facts=$(awk '/^subject_facts:/{f=1;next} f&&/^[a-z]/{f=0} f&&/^  [a-z_]+:/{sub(":","",$1); print $1}' policies/vocabulary.yaml | sort | tr '\n' ' ')
covered="affiliated_organizations age applied_to blocked_companies consents contract_limited erased guardian_consent linked_accounts linking_in_progress name_publication_explained opt_outs point_program_services provision_stopped scout_service services_requested services_used suspended "
check "the test stores every subject fact of the vocabulary" [ "$facts" = "$covered" ]

store_open() { # subject policy version
    local s=$1 p=$2 v=$3
    "$HOGO" subject add "$s" --operator "$p" >/dev/null &&
    "$HOGO" subject set "$s" age 34 >/dev/null &&
    "$HOGO" subject set "$s" guardian_consent true >/dev/null &&
    "$HOGO" subject link "$s" ponta >/dev/null &&
    "$HOGO" subject link "$s" d_account >/dev/null &&
    "$HOGO" subject link "$s" amazon --in-progress >/dev/null &&
    "$HOGO" subject set "$s" services_used recruit_agent,suumo,indeed_hire >/dev/null &&
    "$HOGO" subject set "$s" services_requested paid_placement,recruit_direct_scout >/dev/null &&
    "$HOGO" subject set "$s" applied_to "$applied1,$applied2" >/dev/null &&
    "$HOGO" subject set "$s" affiliated_organizations "$affiliated" >/dev/null &&
    "$HOGO" subject set "$s" scout_service true >/dev/null &&
    "$HOGO" subject block "$s" "$old" >/dev/null &&
    "$HOGO" subject optout "$s" ad_delivery >/dev/null &&
    "$HOGO" subject set "$s" point_program_services point_program >/dev/null &&
    "$HOGO" subject set "$s" suspended false >/dev/null &&
    "$HOGO" subject set "$s" provision_stopped false >/dev/null &&
    "$HOGO" subject set "$s" contract_limited false >/dev/null &&
    "$HOGO" subject set "$s" name_publication_explained true >/dev/null &&
    "$HOGO" subject consent "$s" --id c1 --recipient recruit --purpose ad_delivery \
        --data sensitive_info,name --policy "$p" --policy-version "$v" >/dev/null &&
    "$HOGO" subject consent "$s" --id c2 --recipient recruit --purpose ad_delivery \
        --data contact --policy "$p" --policy-version "$v" >/dev/null &&
    "$HOGO" subject withdraw "$s" c2 >/dev/null
}
inline_open='{"age":34,"guardian_consent":true,"linked_accounts":["ponta","d_account"],"linking_in_progress":["amazon"],"services_used":["recruit_agent","suumo","indeed_hire"],"services_requested":["paid_placement","recruit_direct_scout"],"applied_to":["'$applied1'","'$applied2'"],"affiliated_organizations":["'$affiliated'"],"scout_service":true,"blocked_companies":["'$old'","'$new'"],"opt_outs":["ad_delivery"],"point_program_services":["point_program"],"suspended":false,"provision_stopped":false,"contract_limited":false,"name_publication_explained":true,"consents":[{"id":"c1","recipient":"recruit","purpose":"ad_delivery","data":["sensitive_info","name"]}]}'

store_closed() { # subject policy version: a minor without a guardian's agreement, stopped
    local s=$1 p=$2 v=$3
    "$HOGO" subject add "$s" --operator "$p" >/dev/null &&
    "$HOGO" subject set "$s" age 14 >/dev/null &&
    "$HOGO" subject set "$s" guardian_consent false >/dev/null &&
    "$HOGO" subject set "$s" scout_service false >/dev/null &&
    "$HOGO" subject set "$s" applied_to "$applied1" >/dev/null &&
    "$HOGO" subject set "$s" suspended true >/dev/null &&
    "$HOGO" subject set "$s" provision_stopped true >/dev/null &&
    "$HOGO" subject set "$s" contract_limited true >/dev/null &&
    "$HOGO" subject set "$s" name_publication_explained false >/dev/null &&
    "$HOGO" subject set "$s" linked_accounts "" >/dev/null &&
    "$HOGO" subject consent "$s" --id c1 --recipient recruit --purpose service_operation \
        --data name --policy "$p" --policy-version "$v" >/dev/null &&
    "$HOGO" subject erase "$s" >/dev/null
}
inline_closed='{"age":14,"guardian_consent":false,"scout_service":false,"applied_to":["'$applied1'"],"suspended":true,"provision_stopped":true,"contract_limited":true,"name_publication_explained":false,"linked_accounts":[],"erased":true,"consents":[{"id":"c1","recipient":"recruit","purpose":"service_operation","data":["name"]}]}'

ok=1
for p in irp rcc rea rkm rmc; do
    v=$(sed -n "s/^version: '\(.*\)'/\1/p" "policies/$p.yaml")
    store_open "open-$p" "$p" "$v" || { ok=0; echo "storing the facts of open-$p failed"; }
    store_closed "closed-$p" "$p" "$v" || { ok=0; echo "storing the facts of closed-$p failed"; }
done
check "every fact was stored through the CLI" [ "$ok" -eq 1 ]

# the scenario requests, without their own facts, once per subject: stored and inline
python3 - "$scratch" "$inline_open" "$inline_closed" <<'PY'
import glob, json, sys
scratch, facts = sys.argv[1], {"open": json.loads(sys.argv[2]), "closed": json.loads(sys.argv[3])}
stored, inline, bare = (open(f"{scratch}/{n}.jsonl", "w", encoding="utf-8") for n in ("stored", "inline", "bare"))
for path in sorted(glob.glob("tests/scenarios/*.jsonl")):
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.startswith("#"):
            continue
        req = json.loads(line)["request"]
        if not isinstance(req, dict) or "policy" not in req:
            continue
        req.pop("subject", None)
        req.pop("subject_id", None)
        if req.get("basis") == "consent":
            req["consent_id"] = "c1"
        for kind in ("open", "closed"):
            s = dict(req, subject_id=f"{kind}-{req['policy']}")
            i = dict(req, subject=facts[kind])
            stored.write(json.dumps(s, ensure_ascii=False) + "\n")
            inline.write(json.dumps(i, ensure_ascii=False) + "\n")
            bare.write(json.dumps(dict(req), ensure_ascii=False) + "\n")
PY
n=$(wc -l <"$scratch/stored.jsonl")
"$HOGO" check --jsonl <"$scratch/stored.jsonl" >"$scratch/on-stored" 2>/dev/null
env -u HOGO_DB "$HOGO" check --jsonl <"$scratch/inline.jsonl" >"$scratch/on-inline" 2>/dev/null
env -u HOGO_DB "$HOGO" check --jsonl <"$scratch/bare.jsonl" >"$scratch/on-nothing" 2>/dev/null
check "every request was answered both ways ($n each)" \
    [ "$(wc -l <"$scratch/on-stored")" -eq "$n" -a "$(wc -l <"$scratch/on-inline")" -eq "$n" ]
check "stored facts decide exactly as the same facts inline, byte for byte" \
    cmp "$scratch/on-stored" "$scratch/on-inline"
allowed=$(grep -c '"decision":"allow"' "$scratch/on-stored" || true)
denied=$(grep -c '"decision":"deny"' "$scratch/on-stored" || true)
changed=$(paste -d '\n' "$scratch/on-stored" "$scratch/on-nothing" | paste - - | awk -F '\t' '$1 != $2' | wc -l)
echo "     $allowed allowed, $denied denied; the facts changed $changed of $n answers"
check "the answers include allows and denies" [ "$allowed" -gt 50 -a "$denied" -gt 50 ]
check "the stored facts changed answers (they were read)" [ "$changed" -gt 50 ]
consented=$(grep -c '"clause":"3","effect":"permit"' "$scratch/on-stored" || true)
check "a stored separate consent was relied on" [ "$consented" -gt 0 ]
finish
