#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/fuzz_*.c) for a while each, adding the new interesting
# inputs they find to fuzz/corpus/<name>/; crashes, leaks and hangs are written to
# fuzz/crashes/. Build layer (developer tool); needs clang-14 with libFuzzer.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 60 seconds, every target;
#                                             0 seconds: only build the targets
#
# The library itself is built with coverage instrumentation (-fsanitize=fuzzer-no-link) and
# ASan/UBSan so libFuzzer sees the parser's branches, not only the harness. Environment:
# JOBS (build parallelism, default 2), BUILD_DIR (default build-fuzz), FUZZ_FLAGS (more
# libFuzzer flags, e.g. "-fork=1 -ignore_timeouts=1" to go on past a known hang).
set -euo pipefail

# Used as the compiler launcher of the fuzz build: warnings stay warnings there (the gcc build
# enforces -Werror; clang warns about things gcc does not, and the fuzzer must still build).
if [ "${1:-}" = --cc-launcher ]; then
    shift
    exec "$@" -Wno-error
fi

root=$(cd "$(dirname "$0")/.." && pwd)
export HOGO_POLICY_PATH="$root/policies" # hogo reads no source tree of its own: name the policies
seconds=${1:-60}
shift || true
build=${BUILD_DIR:-$root/build-fuzz}
jobs=${JOBS:-2}

if ! [[ $seconds =~ ^[0-9]+$ ]]; then
    echo "fuzz.sh: the first argument is a number of seconds, not '$seconds'" >&2
    exit 2
fi
if ! command -v clang-14 >/dev/null; then
    echo "fuzz.sh: clang-14 is needed (apt-get install clang-14)" >&2
    exit 2
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for src in "$root"/fuzz/fuzz_*.c; do
        name=$(basename "$src" .c)
        targets+=("${name#fuzz_}")
    done
fi

CC=clang-14 cmake -S "$root" -B "$build" -DHOGO_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER_LAUNCHER="$root/scripts/fuzz.sh;--cc-launcher" \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
    >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]/#/fuzz_}"

if [ "$seconds" -eq 0 ]; then
    echo "built: ${targets[*]/#/$build/bin/fuzz_}"
    exit 0
fi
mkdir -p "$root/fuzz/crashes"
export HOGO_SOURCE_DIR=$root
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
for t in "${targets[@]}"; do
    corpus=$root/fuzz/corpus/$t
    mkdir -p "$corpus"
    extra=()
    case $t in
    request) extra+=(-max_len=70000 -dict="$root/fuzz/request.dict") ;;
    policy) extra+=(-max_len=40000 -dict="$root/fuzz/policy.dict") ;;
    esac
    for i in "${!extra[@]}"; do
        # a dictionary is optional
        if [[ ${extra[$i]} == -dict=* ]] && ! [ -f "${extra[$i]#-dict=}" ]; then
            unset 'extra[i]'
        fi
    done
    echo "== fuzz_$t for ${seconds}s (corpus $corpus)"
    if ! "$build/bin/fuzz_$t" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$root/fuzz/crashes/$t-" -print_final_stats=1 "${extra[@]}" ${FUZZ_FLAGS:-}; then
        echo "fuzz.sh: fuzz_$t found a problem; the reproducer is in fuzz/crashes/" >&2
        status=1
    fi
done
exit $status
