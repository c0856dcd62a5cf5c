# Helpers shared by the black-box CLI tests (tests/cli/test_*.sh): run the real hogo binary
# ($HOGO) with given stdin and arguments, keep its exit code, stdout and stderr, and count
# checks. Test layer. Sourced, not run; the scripts run from the repository root.

HOGO=${HOGO:-build/bin/hogo}
if ! [ -x "$HOGO" ]; then
    echo "cannot run '$HOGO'; build hogo and set HOGO to its path" >&2
    exit 2
fi
# hogo reads no source tree of its own: the tests name the repository's policies explicitly
export HOGO_POLICY_PATH="$PWD/policies"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hogo-cli-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
passed=0
failed=0

# run STDIN ARGS...: runs hogo with STDIN on its standard input; sets $rc, $out, $err.
run() {
    local input=$1
    shift
    rc=0
    printf '%s' "$input" | "$HOGO" "$@" >"$scratch/out" 2>"$scratch/err" || rc=$?
    out=$(cat "$scratch/out")
    err=$(cat "$scratch/err")
}

# run_file FILE ARGS...: runs hogo with FILE on its standard input; sets $rc, $out, $err.
run_file() {
    local input=$1
    shift
    rc=0
    "$HOGO" "$@" <"$input" >"$scratch/out" 2>"$scratch/err" || rc=$?
    out=$(cat "$scratch/out")
    err=$(cat "$scratch/err")
}

# check NAME CONDITION...: records one check; CONDITION is a command that must succeed.
check() {
    local name=$1
    shift
    if "$@"; then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        echo "     exit $rc; stdout: $(head -c 300 "$scratch/out" | tr '\n' ' ')"
        echo "     stderr: $(head -c 400 "$scratch/err" | tr '\n' ' ')"
        failed=$((failed + 1))
    fi
}

# Conditions over the last run.
exit_is() { [ "$rc" -eq "$1" ]; }
stdout_empty() { ! [ -s "$scratch/out" ]; }
stdout_has() { grep -qE -- "$1" "$scratch/out"; }
stdout_lacks() { ! grep -qE -- "$1" "$scratch/out"; }
stderr_has() { grep -qE -- "$1" "$scratch/err"; }
stderr_lacks() { ! grep -qiE -- "$1" "$scratch/err"; }
all() {
    local c
    for c in "$@"; do
        eval "$c" || return 1
    done
}

# finish: prints the totals and exits non-zero when a check failed.
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
