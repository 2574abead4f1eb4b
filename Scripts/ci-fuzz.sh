#!/usr/bin/env bash
# CI step: runs every fuzz target for SECONDS (default 30) with Scripts/fuzz.sh.
# Exits non-zero only when a target crashed (its input is kept under FuzzTesting/.build/artifacts/).
# Needs only the Swift toolchain (its libFuzzer runtime); installs nothing. When the toolchain has no
# libFuzzer, or a target does not build, it says so and skips (set CI_FUZZ_STRICT=1 to fail instead).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-30}"
strict="${CI_FUZZ_STRICT:-0}"

crashed=()
skipped=()
for target in contract entry metrics pem cache; do
    "$root/Scripts/fuzz.sh" "$target" "$seconds"
    case $? in
        0) ;;
        1) crashed+=("$target") ;;
        *) skipped+=("$target") ;;
    esac
done

if [ ${#skipped[@]} -gt 0 ]; then
    echo "ci-fuzz: WARNING: not fuzzed (build failed or toolchain lacks -sanitize=fuzzer): ${skipped[*]}" >&2
    [ "$strict" = 1 ] && exit 1
fi
if [ ${#crashed[@]} -gt 0 ]; then
    echo "ci-fuzz: CRASH in: ${crashed[*]} (inputs in FuzzTesting/.build/artifacts/; add them to Tests/ReliabilityTests/Regressions/)" >&2
    exit 1
fi
echo "ci-fuzz: no crashes"
