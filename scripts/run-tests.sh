#!/usr/bin/env bash
# Runs every test suite and ends with one summary line: "N passed, N failed".
#   unit   - GoogleTest binaries through ctest (release build)
#   asan   - the same unit tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   e2e    - Node tests with the official @aws-sdk/client-ivschat and amazon-ivs-chat-messaging
#   cli    - shell tests with the Debian awscli, restart persistence
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} asan=${2:-build-asan}
passed=0 failed=0
logdir=$(mktemp -d /tmp/parley-tests.XXXXXX)

count_ctest() {  # adds ctest's totals from its log
  local log=$1 line total fails
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  fails=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  passed=$((passed + total - fails)); failed=$((failed + fails))
}

echo "== unit tests ($build)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 120 2>&1 | tee "$logdir/unit.log" | grep -E 'tests passed|Failed|\*\*\*' || true
count_ctest "$logdir/unit.log"

echo "== unit tests under ASan+UBSan ($asan)"
if cmake -S . -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPARLEY_SANITIZE=ON -DPARLEY_UNIT_ONLY=ON >"$logdir/asan-configure.log" 2>&1 &&
   cmake --build "$asan" -j "$(nproc)" >"$logdir/asan-build.log" 2>&1; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$asan" --output-on-failure -j "$(nproc)" --timeout 300 2>&1 | tee "$logdir/asan.log" | grep -E 'tests passed|Failed|\*\*\*|ERROR: AddressSanitizer|runtime error' || true
  count_ctest "$logdir/asan.log"
else
  echo "sanitizer build failed:"; tail -40 "$logdir/asan-build.log"; failed=$((failed + 1))
fi

echo "== end-to-end tests with the official clients (node $(node --version))"
PARLEYD="$PWD/$build/parleyd" PARLEY_LOAD="$PWD/$build/parley-load" \
  node --test --test-concurrency=1 tests/e2e/ >"$logdir/e2e.log" 2>&1
grep -E '^not ok|^# (tests|pass|fail)' "$logdir/e2e.log" || true
e2e_pass=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$logdir/e2e.log" | tail -1)
e2e_fail=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$logdir/e2e.log" | tail -1)
if [ -z "$e2e_pass" ]; then echo "e2e runner produced no summary:"; tail -40 "$logdir/e2e.log"; failed=$((failed + 1)); fi
if [ "${e2e_fail:-0}" != 0 ]; then grep -B2 -A30 '^not ok' "$logdir/e2e.log" | head -150; fi
passed=$((passed + ${e2e_pass:-0})); failed=$((failed + ${e2e_fail:-0}))

echo "== shell tests"
for t in tests/cli/*.sh; do
  [ -e "$t" ] || continue
  if PARLEYD="$PWD/$build/parleyd" bash "$t" >"$logdir/$(basename "$t").log" 2>&1; then
    echo "ok   $t"; passed=$((passed + 1))
  else
    echo "FAIL $t"; tail -30 "$logdir/$(basename "$t").log"; failed=$((failed + 1))
  fi
done

echo "logs: $logdir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
