#!/usr/bin/env bash
# Runs every test suite and ends with one summary line: "N passed, N failed".
#   unit   - GoogleTest binaries through ctest (release build)
#   asan   - the same unit tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   e2e    - Node tests with the official @aws-sdk/client-ivschat and amazon-ivs-chat-messaging
#   cli    - shell tests with the Debian awscli, restart persistence
#   postgres - the control-plane SDK suite and the AWS CLI suite again, unchanged, against a
#            PostgreSQL-backed parleyd (PARLEY_TEST_STORE=postgres)
# One real PostgreSQL 15 (tests/lib/postgres.sh) serves the whole run: the PostgreSQL store's
# unit tests, the cluster e2e tests and the postgres pass each make their own databases in it.
# The Redis bus tests start their own redis-server (unit: tests/unit/bus_redis_bus_test.cpp;
# e2e: tests/e2e/cluster_chat.test.mjs, which also starts nginx in front of three nodes), each
# on a free loopback port, and stop it afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} asan=${2:-build-asan}
passed=0 failed=0 skipped=0
# Each section's heading says when it started, so a slow suite is easy to find.
section() { printf '== %s  [%dm%02ds]\n' "$1" $((SECONDS / 60)) $((SECONDS % 60)); }
logdir=$(mktemp -d /tmp/parley-tests.XXXXXX)

pg_dir=
trap '[ -z "$pg_dir" ] || tests/lib/postgres.sh stop "$pg_dir"' EXIT
if tests/lib/postgres.sh available; then
  if { read -r pg_dir && read -r PARLEY_TEST_PG_URL; } < <(tests/lib/postgres.sh start 2>"$logdir/postgres.log"); then
    export PARLEY_TEST_PG_URL
    echo "== PostgreSQL for this run: $pg_dir (port ${PARLEY_TEST_PG_URL##*:})"
  else
    echo "PostgreSQL did not start:"; cat "$logdir/postgres.log"; failed=$((failed + 1)); pg_dir=
  fi
else
  echo "PostgreSQL 15 is not installed (apt-get install postgresql): its tests will fail"; failed=$((failed + 1))
fi

count_ctest() {  # adds ctest's totals from its log (skipped tests count as skipped, not passed)
  local log=$1 line total fails skips
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  fails=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
  skips=$(grep -c '(Skipped)' "$log" || true)
  passed=$((passed + total - fails - skips)); failed=$((failed + fails)); skipped=$((skipped + skips))
}

# Ninja's "[n/N]" lines, shown every tenth step, so a long build visibly progresses.
progress() {  # progress LABEL (plain bash: awk and sed would hold lines back in their buffers)
  local line n t
  while IFS= read -r line; do
    [[ $line =~ ^\[([0-9]+)/([0-9]+)\] ]] || continue
    n=${BASH_REMATCH[1]} t=${BASH_REMATCH[2]}
    if (( n % 10 == 0 || n == t )); then printf '  %s: %d/%d\n' "$1" "$n" "$t"; fi
  done
}

section "unit tests ($build)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 120 2>&1 | tee "$logdir/unit.log" | grep -E 'tests passed|Failed|\*\*\*' || true
count_ctest "$logdir/unit.log"

section "unit tests under ASan+UBSan ($asan)"
if cmake -S . -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPARLEY_SANITIZE=ON -DPARLEY_UNIT_ONLY=OFF >"$logdir/asan-configure.log" 2>&1 &&
   cmake --build "$asan" -j "$(nproc)" 2>&1 | tee "$logdir/asan-build.log" | progress "sanitizer build"; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$asan" --output-on-failure -j "$(nproc)" --timeout 300 2>&1 | tee "$logdir/asan.log" | grep -E 'tests passed|Failed|\*\*\*|ERROR: AddressSanitizer|runtime error' || true
  count_ctest "$logdir/asan.log"
else
  echo "sanitizer build failed:"; tail -40 "$logdir/asan-build.log"; failed=$((failed + 1))
fi

run_node_tests() {  # run_node_tests NAME PARLEYD FILES...: node's test runner, totals added
  local name=$1 bin=$2; shift 2
  PARLEYD="$bin" PARLEY_LOAD="$PWD/$build/parley-load" \
    node --test --test-concurrency=1 "$@" >"$logdir/$name.log" 2>&1
  grep -E '^not ok|^# (tests|pass|fail)' "$logdir/$name.log" || true
  local p f s
  p=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$logdir/$name.log" | tail -1)
  f=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$logdir/$name.log" | tail -1)
  s=$(sed -nE 's/^# skipped ([0-9]+)$/\1/p' "$logdir/$name.log" | tail -1)
  skipped=$((skipped + ${s:-0}))
  if [ -z "$p" ]; then echo "$name: no summary from the test runner:"; tail -40 "$logdir/$name.log"; failed=$((failed + 1)); fi
  if [ "${f:-0}" != 0 ]; then grep -B2 -A30 '^not ok' "$logdir/$name.log" | head -150; fi
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}

section "end-to-end tests with the official clients (node $(node --version))"
run_node_tests e2e "$PWD/$build/parleyd" tests/e2e/

# The same clients against parleyd built with ASan+UBSan: memory errors under real traffic fail.
# Timing-sensitive files (load, session expiry, review budget) stay on the release build.
section "end-to-end tests against the sanitizer build"
if [ -x "$asan/parleyd" ]; then
  ASAN_OPTIONS=detect_leaks=1 run_node_tests e2e-asan "$PWD/$asan/parleyd" \
    tests/e2e/smoke.test.mjs tests/e2e/control_plane.test.mjs tests/e2e/messaging.test.mjs \
    tests/e2e/messaging_robustness.test.mjs tests/e2e/chat_logging.test.mjs \
    tests/e2e/edge_hardening.test.mjs \
    tests/e2e/chatlog_destinations_s3.test.mjs tests/e2e/chatlog_destinations_logs_firehose.test.mjs \
    tests/e2e/tls.test.mjs tests/e2e/history.test.mjs tests/e2e/presence.test.mjs \
    tests/e2e/messaging_room_affinity.test.mjs
  # Parley Console in Chromium against the sanitizer build, with the console built beside the
  # release binary (the sanitizer build directory has none of its own).
  ASAN_OPTIONS=detect_leaks=1 PARLEY_CONSOLE_DIR="$PWD/$build/console" \
    run_node_tests e2e-asan-console "$PWD/$asan/parleyd" tests/e2e/console.test.mjs
else
  echo "no $asan/parleyd"; failed=$((failed + 1))
fi

section "shell tests"
for t in tests/cli/*.sh; do
  [ -e "$t" ] || continue
  if PARLEYD="$PWD/$build/parleyd" PARLEYD_ASAN="$PWD/$asan/parleyd" bash "$t" >"$logdir/$(basename "$t").log" 2>&1; then
    echo "ok   $t"; passed=$((passed + 1))
  else
    echo "FAIL $t"; tail -30 "$logdir/$(basename "$t").log"; failed=$((failed + 1))
  fi
done

section "the control-plane suites again, against PostgreSQL"
PARLEY_TEST_STORE=postgres run_node_tests e2e-postgres "$PWD/$build/parleyd" tests/e2e/control_plane.test.mjs
if PARLEY_TEST_STORE=postgres PARLEYD="$PWD/$build/parleyd" bash tests/cli/awscli.sh >"$logdir/awscli-postgres.log" 2>&1; then
  echo "ok   tests/cli/awscli.sh (PostgreSQL)"; passed=$((passed + 1))
else
  echo "FAIL tests/cli/awscli.sh (PostgreSQL)"; tail -30 "$logdir/awscli-postgres.log"; failed=$((failed + 1))
fi

echo "logs: $logdir"
printf 'total time %dm%02ds\n' $((SECONDS / 60)) $((SECONDS % 60))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
