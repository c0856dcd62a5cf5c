#!/usr/bin/env bash
# The layers of lib/ are kept: scripts/include-graph.sh --check passes on the tree, and fails,
# naming the include, on copies of the tree where a module includes a header of a higher
# layer or a sibling's internal header. Test layer; runs from the repository root.
set -u
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hogo-layers.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

if out=$(bash scripts/include-graph.sh --check 2>&1); then ok; else fail "the tree breaks its layers: $out"; fi
grep -q '^ledger   -> .*decide' <<<"$out" && ok || fail "the graph lacks ledger -> decide: $out"

# copy FILE LINE: a copy of scripts/ and lib/ in which LINE is added to lib/FILE
copy_with() {
    rm -rf "$scratch/t" && mkdir -p "$scratch/t" && cp -r scripts lib "$scratch/t/"
    printf '%s\n' "$2" >>"$scratch/t/lib/$1"
}
copy_with store/store.c '#include "audit/audit-int.h"'
if err=$(bash "$scratch/t/scripts/include-graph.sh" --check 2>&1); then
    fail "store including audit was not refused"
else
    grep -q "lib/store/store.c:.*store includes audit/audit-int.h, a higher layer's header" <<<"$err" && ok ||
        fail "wrong message for an upward include: $err"
fi
copy_with decide/explain.c '#include "deid/deid_int.h"'
if err=$(bash "$scratch/t/scripts/include-graph.sh" --check 2>&1); then
    fail "decide including deid (a sibling) was not refused"
else
    grep -q "decide includes deid/deid_int.h, a sibling's header" <<<"$err" && ok ||
        fail "wrong message for a sideways include: $err"
fi
mkdir -p "$scratch/t/lib/newmod" && copy_with common/json.c '' && mkdir -p "$scratch/t/lib/newmod" &&
    echo '#include "common/json.h"' >"$scratch/t/lib/newmod/a.c"
if err=$(bash "$scratch/t/scripts/include-graph.sh" --check 2>&1); then
    fail "a module without a layer was not refused"
else
    grep -q "lib/newmod has no layer" <<<"$err" && ok || fail "wrong message for a new module: $err"
fi
echo "layers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
