#!/usr/bin/env bash
# Builds Parley's libFuzzer targets (clang, ASan + UBSan) and runs each for a bounded time.
# Not part of the default CMake build, since libFuzzer needs clang.
#   tests/fuzz/run.sh [seconds-per-target] [target ...]
# seconds defaults to 30; targets default to all of: ws_frame_parser control_request api_router
# chat_action. PARLEY_FUZZ_DIR overrides the build/output directory (default build-fuzz),
# PARLEY_FUZZ_JOBS the build parallelism (default 2). Exits non-zero if any target crashed;
# reproduce with <dir>/fuzz/<target>_fuzz <dir>/fuzz/<target>-crash-...
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-30}"
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ws_frame_parser control_request api_router chat_action)
out="${PARLEY_FUZZ_DIR:-$root/build-fuzz}"
jobs="${PARLEY_FUZZ_JOBS:-2}"

if ! command -v clang++ >/dev/null; then
    echo "clang++ not found: apt-get install -y clang" >&2
    exit 1
fi

# The project libraries each target links (static, from CMake), and the system libraries
# those need.
libs_of() {
    case "$1" in
        ws_frame_parser | chat_action) echo "messaging model" ;;
        control_request) echo "model" ;;
        api_router) echo "control chatlog messaging store token auth model" ;;
        *) echo "unknown fuzz target: $1" >&2; exit 2 ;;
    esac
}
system_libs=(-lboost_json -lboost_url -lsqlite3 -lpq -lssl -lcrypto -lspdlog -lfmt -lz -lpthread)

# 1. The libraries, instrumented for libFuzzer's coverage and the sanitizers.
if [ ! -f "$out/build.ninja" ]; then
    CC=clang CXX=clang++ cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DPARLEY_SANITIZE=ON -DPARLEY_WERROR=OFF -DPARLEY_UNIT_ONLY=ON \
        -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
fi
declare -A wanted=()
for t in "${targets[@]}"; do for l in $(libs_of "$t"); do wanted[parley_$l]=1; done; done
cmake --build "$out" -j "$jobs" --target "${!wanted[@]}"

# 2. One binary per target.
mkdir -p "$out/fuzz"
for t in "${targets[@]}"; do
    archives=()
    for l in $(libs_of "$t"); do archives+=("$out/libparley_$l.a"); done
    clang++ -std=c++20 -O1 -g -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -I"$root/src" "$root/tests/fuzz/${t}_fuzz.cpp" "${archives[@]}" "${system_libs[@]}" \
        -o "$out/fuzz/${t}_fuzz"
done

# 3. Run each. New inputs go to the first corpus directory (under $out); the committed seeds
# in tests/fuzz/corpus/<target> are read only. The store of api_router lives on tmpfs.
scratch="$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)/parley-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
failed=()
for t in "${targets[@]}"; do
    mkdir -p "$out/fuzz/corpus/$t"
    echo "=== $t: ${seconds}s"
    PARLEY_FUZZ_SCRATCH="$scratch" "$out/fuzz/${t}_fuzz" \
        "$out/fuzz/corpus/$t" "$root/tests/fuzz/corpus/$t" \
        -dict="$root/tests/fuzz/parley.dict" -max_total_time="$seconds" -max_len=4096 \
        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$out/fuzz/$t-" \
        2>&1 | tee "$out/fuzz/$t.log" | grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|==[0-9]+==|SUMMARY|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb))' || true
    if grep -qE 'ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error:|deadly signal' "$out/fuzz/$t.log"; then
        failed+=("$t")
    fi
done

echo "=== summary (${seconds}s each)"
for t in "${targets[@]}"; do
    log="$out/fuzz/$t.log"
    printf '%-16s %s exec/s, %s runs, %s\n' "$t" \
        "$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")" \
        "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" \
        "$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "crashed: ${failed[*]} (see $out/fuzz/<target>.log and $out/fuzz/<target>-crash-*)" >&2
    exit 1
fi
