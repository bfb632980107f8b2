#!/usr/bin/env bash
# Builds the WebSocket frame-parser fuzzer with libFuzzer + ASan + UBSan and runs it for a
# bounded time. Not part of the CMake build.
#   tests/fuzz/run.sh [seconds]        (default 60; PARLEY_FUZZ_DIR overrides the output dir)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-60}"
out="${PARLEY_FUZZ_DIR:-$root/build-fuzz}"
corpus="$out/ws_frame_parser_corpus"
mkdir -p "$out" "$corpus"

if ! command -v clang++ >/dev/null; then
    echo "clang++ not found: apt-get install -y clang" >&2
    exit 1
fi

clang++ -std=c++20 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$root/src" \
    "$root/tests/fuzz/ws_frame_parser_fuzz.cpp" \
    "$root/src/messaging/ws_frame_parser.cpp" \
    "$root/src/messaging/ws_frame_encoder.cpp" \
    "$root/src/messaging/utf8_validator.cpp" \
    -o "$out/ws_frame_parser_fuzz"

# Seeds: two selector bytes (split seed, cap index) then frames. RFC 6455 §5.7 "Hello", the
# fragmented form with a ping between the fragments, and a close with code 1000.
if [ -z "$(ls -A "$corpus")" ]; then
    printf '\x07\x05\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58' >"$corpus/hello"
    printf '\x03\x05\x01\x83\x37\xfa\x21\x3d\x7f\x9f\x4d\x89\x80\x00\x00\x00\x00\x80\x82\x37\xfa\x21\x3d\x5b\x95' >"$corpus/fragmented"
    printf '\x01\x04\x88\x82\x00\x00\x00\x00\x03\xe8' >"$corpus/close"
fi

"$out/ws_frame_parser_fuzz" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$out/"
