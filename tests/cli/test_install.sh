#!/usr/bin/env bash
# Installation as a user of libhogo sees it: `cmake --install` into a scratch prefix; the
# umbrella header hogo.h includes every public header; a program built with
# `pkg-config --static` flags links libhogo.a and runs; the bash completion file is installed
# and completes commands. Test layer; run from the repository root with HOGO=<path to hogo>.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/cli/lib.sh
cp examples/irp-application.json "$scratch/"
build=$(cd "$(dirname "$HOGO")/.." && pwd)
prefix="$scratch/prefix"

cmake --install "$build" --prefix "$prefix" >"$scratch/install.log" 2>&1 && rc=0 || rc=$?
check "cmake --install into a scratch prefix" exit_is 0

missing=""
for h in include/hogo/*.h; do
    name=$(basename "$h")
    [ "$name" = hogo.h ] && continue
    grep -q "#include <hogo/$name>" include/hogo/hogo.h || missing="$missing $name"
done
check "hogo.h includes every public header (missing:${missing:- none})" [ -z "$missing" ]

cat >"$scratch/use.c" <<'C'
#include <hogo/hogo.h>
#include <stdio.h>
int main(void)
{
    struct hogo_writer *w = NULL;
    if (hogo_writer_new(false, &w) != 0)
        return 1;
    hogo_writer_free(w);
    printf("%s\n", hogo_version());
    return 0;
}
C
pc=$(dirname "$(find "$prefix" -name hogo.pc | head -1)")
sed -i "s|^prefix=.*|prefix=$prefix|" "$pc/hogo.pc" # as if installed there
flags=$(PKG_CONFIG_PATH="$pc" pkg-config --static --cflags --libs hogo)
libdir=$(PKG_CONFIG_PATH="$pc" pkg-config --variable=libdir hogo)
# a sanitizer build's libhogo.a needs the sanitizer runtime as well
sanitize=""
grep -q '^HOGO_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && sanitize="-fsanitize=address,undefined"
rc=0
cc $sanitize -o "$scratch/use" "$scratch/use.c" $(sed "s|-lhogo|$libdir/libhogo.a|" <<<"$flags") \
    >"$scratch/out" 2>"$scratch/err" || rc=$?
check "a program links libhogo.a with pkg-config --static flags alone" all 'exit_is 0'
rc=0
"$scratch/use" >"$scratch/out" 2>"$scratch/err" || rc=$?
check "and runs" all 'exit_is 0' 'stdout_has "^[0-9]+\.[0-9]+"'

# An installed hogo reads its own data dir, never the source tree: run from a directory outside
# the tree, with no HOGO_POLICY_PATH, and (where a private mount namespace can be had) with the
# tree's policies hidden behind an empty directory, it still answers with the installed policy.
root=$PWD
installed="$prefix/bin/hogo"
found=0
for f in "$installed" "$prefix"/lib*/libhogo.so* "$prefix"/lib*/*/libhogo.so*; do
    [ -f "$f" ] && grep -aqF "$root/policies" "$f" && found=1
done
check "no installed program or library names the source tree's policies" [ "$found" = 0 ]
mkdir -p "$scratch/elsewhere" "$scratch/empty"
ask() {
    (cd "$scratch/elsewhere" && env -u HOGO_POLICY_PATH "$@" check --policy irp \
        "$root/examples/irp-application.json") >"$scratch/out" 2>"$scratch/err"
}
rc=0; ask "$installed" || rc=$?
check "the installed hogo, run outside the tree, answers from its installed policies" \
    all 'exit_is 0' 'stdout_has "\"decision\": ?\"allow\""'
if unshare -rm true 2>/dev/null; then
    rc=0
    (cd "$scratch/elsewhere" && env -u HOGO_POLICY_PATH unshare -rm sh -c \
        'mount --bind "$1" "$2/policies" && exec "$3" check --policy irp "$4"' sh \
        "$scratch/empty" "$root" "$installed" "$scratch/irp-application.json") \
        >"$scratch/out" 2>"$scratch/err" || rc=$?
    check "and does so with the source tree's policies hidden" \
        all 'exit_is 0' 'stdout_has "\"decision\": ?\"allow\""'
else
    echo "ok   (no private mount namespace here: the hidden-tree run is left out)"
fi
rc=0; (cd "$scratch/elsewhere" && env -u HOGO_POLICY_PATH "$(cd "$(dirname "$HOGO")" && pwd)/hogo" check --policy irp \
    "$root/examples/irp-application.json") >"$scratch/out" 2>"$scratch/err" || rc=$?
check "the build tree's hogo, with no installation and no HOGO_POLICY_PATH, finds no policy" \
    all 'exit_is 2' 'stderr_has "HOGO_POLICY_PATH"'

completion="$prefix/share/bash-completion/completions/hogo"
check "the bash completion file is installed" [ -f "$completion" ]
words=$(PATH="$(dirname "$HOGO"):$PATH" bash -c ". '$completion'; COMP_WORDS=(hogo vo); COMP_CWORD=1; _hogo; echo \"\${COMPREPLY[*]}\"")
check "it completes a command" [ "$words" = vocab ]
finish
