#!/usr/bin/env bash
# Builds and runs one libFuzzer target for SECONDS seconds, then prints its execution count.
#   Scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags...]
# TARGET is one of: contract entry metrics pem cache (FuzzTesting/Sources/Fuzz<Target>).
# Seeds come from FuzzTesting/Corpus/TARGET (read-only) and tokens from FuzzTesting/Dictionaries/;
# new inputs go to FuzzTesting/.build/corpus/TARGET and crashing inputs to FuzzTesting/.build/artifacts/.
# Exit status: 0 when no crash was found, 1 when one was, 2 on bad usage, 3 when the build failed.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

targets="contract entry metrics pem cache"
if [ $# -lt 2 ] || [[ " $targets " != *" $1 "* ]] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
    echo "usage: $0 TARGET SECONDS [libFuzzer flags...]   (TARGET: $targets)" >&2
    exit 2
fi
target="$1"; seconds="$2"; shift 2
product="Fuzz${target^}"

cd "$root/FuzzTesting" || exit 3
flags=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! swift build "${flags[@]}" --product "$product" >"$log" 2>&1; then
    grep -v "warning: Cannot export local symbol" "$log" | tail -30 >&2
    echo "fuzz: building $product failed" >&2
    exit 3
fi
binary="$(swift build "${flags[@]}" --show-bin-path)/$product"

work=".build/corpus/$target"; artifacts=".build/artifacts"
mkdir -p "$work" "$artifacts" || exit 3
dictionary=()
[ -f "Dictionaries/$target.dict" ] && dictionary=(-dict="Dictionaries/$target.dict")
status=0
# Inputs are small text files; cap them so a run explores breadth, not megabyte inputs.
# Leak detection is off: Swift keeps enum tags in a pointer's spare bits, so LeakSanitizer cannot
# see those references and reports boxes held by live values as "direct leaks".
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" "$binary" "$work" "Corpus/$target" -max_total_time="$seconds" -max_len=16384 -timeout=60 -detect_leaks=0 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" "${dictionary[@]}" "$@" >"$log" 2>&1 || status=$?
executions="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)"
echo "fuzz: $target: ${executions:-?} executions in $seconds s (exit $status)"
if [ "$status" -ne 0 ]; then
    # A crash, hang (-timeout) or memory blow-up (-rss_limit_mb) always leaves its input behind.
    if grep -q "Test unit written to" "$log"; then
        grep -E "ERROR|Fatal error|SUMMARY|Test unit written|deadly" "$log" | head -20 >&2
        echo "fuzz: $target: crash found; input saved under FuzzTesting/$artifacts/" >&2
        exit 1
    fi
    tail -20 "$log" >&2
    echo "fuzz: $target: the fuzzer did not run properly" >&2
    exit 3
fi
