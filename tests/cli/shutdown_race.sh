#!/usr/bin/env bash
# SIGTERM while the API door is accepting connections, against parleyd built with ASan+UBSan
# (PARLEYD_ASAN). A connection accepted just as the server stopped once left a pending accept,
# owning a socket of an event loop, behind the loops' teardown: a use-after-free that this
# reproduced in about 1 run in 3. The chat door (accepted on the first event loop) is hammered
# the same way. Any sanitizer report, or an exit code other than 0, fails.
set -euo pipefail
name=shutdown stop_signal=KILL
source "$(dirname "$0")/lib/cli_test_env.sh"
bin=${PARLEYD_ASAN:-$repo/build-asan/parleyd}
[ -x "$bin" ] || { echo "sanitizer build not found at $bin" >&2; exit 2; }
export PARLEY_ACCESS_KEY_ID=AKIDPARLEYSHUTDOWN01 PARLEY_SECRET_ACCESS_KEY=parley-shutdown-secret

rounds=25
for round in $(seq "$rounds"); do
  data=$work/data.$round
  "$bin" --data-dir "$data" --api-listen "127.0.0.1:$api_port" --chat-listen "127.0.0.1:$chat_port" \
    --log-level warn >"$work/parleyd.$round.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 200); do
    curl -fs "http://127.0.0.1:$api_port/healthz" >/dev/null 2>&1 && break
    sleep 0.05
  done
  # A fresh connection per request, so accepts are in flight when SIGTERM lands.
  (for _ in $(seq 200); do curl -s -m 1 "http://127.0.0.1:$api_port/healthz" >/dev/null 2>&1 || true; done) &
  hammer=$!
  # The chat door too: each request is refused (no upgrade) after it was accepted and read.
  (for _ in $(seq 200); do curl -s -m 1 "http://127.0.0.1:$chat_port/" >/dev/null 2>&1 || true; done) &
  chat_hammer=$!
  sleep 0.05
  kill -TERM "$server_pid"
  rc=0
  wait "$server_pid" || rc=$?
  server_pid=
  kill "$hammer" "$chat_hammer" 2>/dev/null || true
  wait "$hammer" "$chat_hammer" 2>/dev/null || true
  if [ "$rc" != 0 ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$work/parleyd.$round.log"; then
    echo "round $round: exit $rc"
    tail -40 "$work/parleyd.$round.log"
    exit 1
  fi
done
echo "all $rounds shutdowns under load exited 0 with no sanitizer report"
