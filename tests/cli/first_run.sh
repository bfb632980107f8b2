#!/usr/bin/env bash
# What a newcomer meets first, checked as they would meet it: --version and --help, config files
# that reject typos, the `make run` banner (only once the server it started is serving, and with
# the credentials it really uses), one server per data dir, nothing written before both ports are
# bound, a database that cannot be written refused at start, the data dir's mode kept, failed
# authentication logged and counted, and the README's curl example.
#   PARLEYD=path/to/parleyd bash tests/cli/first_run.sh
set -euo pipefail

name=first-run stop_signal=TERM
source "$(dirname "$0")/lib/cli_test_env.sh"
run_server=$repo/scripts/run-server.sh

checks=0
pass() { echo "ok   $1"; checks=$((checks + 1)); }
fail() { echo "FAIL $1"; for f in "$work"/*.log; do [ -e "$f" ] && { echo "--- $f"; tail -15 "$f"; }; done; exit 1; }

pids=()
cleanup_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  cleanup
}
trap cleanup_all EXIT

wait_ready() {  # wait_ready PORT PID: 0 once /healthz answers, 1 if the process exits first
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
wait_exit() {  # wait_exit PID: its exit status, or 124 if it still runs after 10 s
  for _ in $(seq 200); do
    kill -0 "$1" 2>/dev/null || { wait "$1"; return $?; }
    sleep 0.05
  done
  return 124
}
stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
init_data_dir() {  # init_data_dir NAME: $work/NAME holds a database made by one clean start and stop
  mkdir "$work/$1"
  "$parleyd" --data-dir "$work/$1" --api-listen "127.0.0.1:$api_port" --chat-listen "127.0.0.1:$chat_port" \
    >"$work/$1-init.log" 2>&1 &
  local pid=$!; pids+=("$pid")
  wait_ready "$api_port" "$pid" || fail "creating the database in $work/$1"
  stop_pid "$pid"
}

export PARLEY_ACCESS_KEY_ID=AKIDPARLEYFIRSTRUN01
export PARLEY_SECRET_ACCESS_KEY=parley-first-run-secret-0123456789abcdef
ep="http://127.0.0.1:$api_port"

# ---- version, help, config files ----
version=$("$parleyd" --version)
[[ $version =~ ^parleyd\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version prints 'parleyd X.Y.Z' (got '$version')"
pass "--version: $version"

help=$("$parleyd" --help)  # not piped into grep -q: with pipefail, an early exit is a failure
grep -q 'SigV4 credential scopes may name any region' <<<"$help" ||
  fail "--help says any region is accepted in SigV4 scopes"
pass "--help agrees with the verifier on regions"

printf 'api-listen = "127.0.0.1:%s"\nchat-lisen = "127.0.0.1:%s"\n' "$api_port" "$chat_port" >"$work/typo.toml"
set +e; "$parleyd" --config "$work/typo.toml" --data-dir "$work/typo-data" >"$work/typo.log" 2>&1; rc=$?; set -e
[ "$rc" != 0 ] || fail "a config file with an unknown key must not start"
grep -q 'chat-lisen' "$work/typo.log" || fail "the error names the unknown key"
[ ! -e "$work/typo-data" ] || fail "nothing is created for a rejected config"
pass "unknown config key refused (exit $rc): $(head -1 "$work/typo.log")"

printf '[server]\napi-listen = "127.0.0.1:%s"\n' "$api_port" >"$work/section.toml"
set +e; "$parleyd" --config "$work/section.toml" --data-dir "$work/section-data" >"$work/section.log" 2>&1; rc=$?; set -e
[ "$rc" != 0 ] && grep -q 'server' "$work/section.log" || fail "an unknown section is refused and named"
pass "unknown config section refused (exit $rc)"

"$parleyd" --config "$repo/parley.example.toml" --data-dir "$work/example-data" \
  --api-listen "127.0.0.1:$api_port" --chat-listen "127.0.0.1:$chat_port" >"$work/example.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_ready "$api_port" "$pid" || fail "parley.example.toml starts a server"
stop_pid "$pid"
pass "parley.example.toml is accepted as shipped"

# ---- busy port: clear error, non-zero exit, nothing written ----
"$parleyd" --data-dir "$work/first" --api-listen "127.0.0.1:$api_port" --chat-listen "127.0.0.1:$chat_port" \
  --log-level info >"$work/first.log" 2>&1 &
first=$!; pids+=("$first")
wait_ready "$api_port" "$first" || fail "first server starts"
set +e
"$parleyd" --data-dir "$work/second" --api-listen "127.0.0.1:$api_port" --chat-listen "127.0.0.1:$(free_port)" \
  --log-level info >"$work/busy.log" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] || fail "a busy --api-listen port must fail the start"
grep -q "cannot listen on --api-listen 127.0.0.1:$api_port" "$work/busy.log" || fail "the error names the flag and address"
[ ! -e "$work/second" ] || fail "nothing is created in the data dir before both ports are bound"
! grep -q 'parleyd stopped' "$work/busy.log" || fail "no 'parleyd stopped' for a server that never started"
pass "busy port: exit $rc, '$(grep -o 'cannot listen.*' "$work/busy.log" | head -1)', no data dir created"

# ---- one server per data dir ----
set +e
"$parleyd" --data-dir "$work/first" --api-listen "127.0.0.1:$(free_port)" --chat-listen "127.0.0.1:$(free_port)" \
  >"$work/locked.log" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] || fail "a second parleyd on the same data dir must refuse to start"
grep -q "another parleyd (pid $first) is already using --data-dir" "$work/locked.log" || fail "the lock error names the holder"
pass "second server on the same data dir refused: $(grep -o 'another parleyd.*' "$work/locked.log" | cut -c1-80)"

# ---- make run's launcher: no banner for a server that did not start ----
set +e
"$run_server" "$parleyd" --data-dir "$work/run-busy" --api-listen "127.0.0.1:$api_port" \
  --chat-listen "127.0.0.1:$(free_port)" >"$work/run-busy.log" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] || fail "make run exits non-zero when parleyd cannot start"
! grep -q 'Parley is running' "$work/run-busy.log" || fail "no banner when the server did not start"
grep -q 'Address already in use' "$work/run-busy.log" || fail "make run shows parleyd's own error"
pass "make run with a busy port: exit $rc, parleyd's error shown, no banner"
stop_pid "$first"

# banner_of OUTFILE ARGS...: runs the launcher until it prints its banner, leaves it running.
launcher=
banner_of() {
  local out=$1; shift
  "$run_server" "$parleyd" "$@" >"$out" 2>&1 &
  launcher=$!; pids+=("$launcher")
  for _ in $(seq 300); do
    grep -q 'Try it:' "$out" && return 0
    kill -0 "$launcher" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

banner_of "$work/run-env.log" --data-dir "$work/run-env" --api-listen "127.0.0.1:$api_port" \
  --chat-listen "0.0.0.0:$chat_port" --log-level warn || fail "make run banner with env credentials"
grep -q "Access key id: *$PARLEY_ACCESS_KEY_ID" "$work/run-env.log" || fail "banner shows the env access key id"
grep -q 'from PARLEY_ACCESS_KEY_ID / PARLEY_SECRET_ACCESS_KEY' "$work/run-env.log" || fail "banner says where the credentials come from"
! grep -q 'Credentials file' "$work/run-env.log" || fail "banner must not point at a credentials file that does not hold the keys"
grep -q "ws://127.0.0.1:$chat_port" "$work/run-env.log" || fail "a wildcard chat address is shown as a reachable URL"
! grep -q 'ws://0.0.0.0' "$work/run-env.log" || fail "0.0.0.0 is not a client URL"
# Parley Console: the banner names its URL when parleyd serves it (built beside the binary).
if [ -f "$(dirname "$parleyd")/console/index.html" ]; then
  grep -q "Web console .*http://127.0.0.1:$api_port/console/" "$work/run-env.log" || fail "banner shows the console URL"
else
  grep -q "Web console: *not built" "$work/run-env.log" || fail "banner says the console is not built"
fi
stop_pid "$launcher"
pass "make run banner with env credentials, a wildcard chat door and the console URL"

unset PARLEY_ACCESS_KEY_ID PARLEY_SECRET_ACCESS_KEY
banner_of "$work/run-gen.log" --data-dir "$work/run-gen" --api-listen "127.0.0.1:$api_port" \
  --chat-listen "127.0.0.1:$chat_port" --log-level warn --no-console || fail "make run banner with generated credentials"
! grep -q "Web console" "$work/run-gen.log" || fail "no console line in the banner with --no-console"
key=$(sed -n 's/^aws_access_key_id=//p' "$work/run-gen/credentials")
secret=$(sed -n 's/^aws_secret_access_key=//p' "$work/run-gen/credentials")
grep -q "Access key id: *$key" "$work/run-gen.log" && grep -q "Credentials file (AWS CLI format): *$work/run-gen/credentials" "$work/run-gen.log" ||
  fail "banner shows the generated credentials and their file"
grep -q "generated API credentials in .*$key" "$work/run-gen.log" || fail "generated credentials are logged even at --log-level warn"
pass "make run banner with generated credentials (also in the log at --log-level warn)"

# ---- failed authentication: logged with the real operation and counted under it ----
code=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:ivschat" --user "AKIDNOTAKNOWNKEY0001:wrong" \
  -H 'content-type: application/json' -d '{}' "$ep/ListRooms")
[ "$code" = 403 ] || fail "a wrong key gets 403 (got $code)"
sleep 0.2
grep -q 'authentication failed: ListRooms UnrecognizedClientException from 127.0.0.1:[0-9]* (access key id AKIDNOTAKNOWNKEY0001)' "$work/run-gen.log" ||
  fail "the failed authentication is logged with operation, reason, source and key id"
metrics=$(curl -fs "$ep/metrics")
grep -q 'parley_api_requests_total{operation="ListRooms",status="403"} 1' <<<"$metrics" ||
  fail "the failure is counted under ListRooms, not Unknown"
pass "failed authentication logged and counted as ListRooms 403"

# ---- the README's curl example, as written there ----
example=$(sed -n '/^curl -s --aws-sigv4/,/ListRooms$/p' "$repo/README.md")
[ -n "$example" ] || fail "README has the curl --aws-sigv4 example"
example=${example//127.0.0.1:8080/127.0.0.1:$api_port}  # the README names make run's port
out=$(KEY=$key SECRET=$secret bash -c "$example") || fail "README curl example exits 0"
grep -q '"rooms"' <<<"$out" || fail "README curl example answers ListRooms (got: $out)"
pass "README curl --aws-sigv4 example works: $out"
stop_pid "$launcher"

# ---- IPv6 addresses are printed in brackets (where this machine has ::1) ----
if "$py" -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
  banner_of "$work/run-v6.log" --data-dir "$work/run-v6" --api-listen "[::1]:$api_port" \
    --chat-listen "[::]:$chat_port" || fail "make run on IPv6 loopback"
  grep -q "http://\[::1\]:$api_port" "$work/run-v6.log" && grep -q "ws://\[::1\]:$chat_port" "$work/run-v6.log" ||
    fail "IPv6 endpoints are printed in brackets"
  stop_pid "$launcher"
  pass "IPv6 endpoints printed as http://[::1]:port"
else
  echo "skip IPv6 banner check: no ::1 on this machine"
fi

# ---- the data dir keeps the operator's mode; secrets stay 0600 ----
mkdir -m 0750 "$work/moded"
"$parleyd" --data-dir "$work/moded" --api-listen "127.0.0.1:$api_port" --chat-listen "127.0.0.1:$chat_port" \
  >"$work/moded.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_ready "$api_port" "$pid" || fail "server on an operator-made data dir"
stop_pid "$pid"
[ "$(stat -c %a "$work/moded")" = 750 ] || fail "data dir mode 0750 kept (now $(stat -c %a "$work/moded"))"
for f in credentials token-keys; do
  [ "$(stat -c %a "$work/moded/$f")" = 600 ] || fail "$f is 0600"
done
pass "data dir keeps mode 0750; credentials and token-keys are 0600"

# ---- a database that cannot be written is refused at start ----
# As an unprivileged user (root writes through file modes): the data dir is theirs, the
# database file is not.
if id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; then
  chmod 0755 "$work"
  cp "$parleyd" "$work/parleyd-copy"; chmod 0755 "$work/parleyd-copy"
  init_data_dir ro
  chown -R nobody "$work/ro"
  chown root "$work/ro/parley.db"; chmod 0644 "$work/ro/parley.db"
  rm -f "$work/ro/parley.db-wal" "$work/ro/parley.db-shm"
  set +e
  runuser -u nobody -- "$work/parleyd-copy" --data-dir "$work/ro" --api-listen "127.0.0.1:$api_port" \
    --chat-listen "127.0.0.1:$chat_port" >"$work/ro.log" 2>&1 &
  pid=$!; pids+=("$pid")
  wait_exit "$pid"; rc=$?
  set -e
  [ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "a read-only database must fail the start (exit $rc)"
  grep -q 'parleyd cannot start: .*parley.db' "$work/ro.log" || fail "the error names the database"
  ! grep -q ' ready:' "$work/ro.log" || fail "never ready on a read-only database"
  pass "read-only database refused at start: $(grep -o 'cannot start: .*' "$work/ro.log" | cut -c1-110)"

  chown root "$work/ro"; chmod 0755 "$work/ro"; rm -f "$work/ro/parley.lock"
  set +e
  runuser -u nobody -- "$work/parleyd-copy" --data-dir "$work/ro" --api-listen "127.0.0.1:$api_port" \
    --chat-listen "127.0.0.1:$chat_port" >"$work/ro-dir.log" 2>&1
  rc=$?
  set -e
  [ "$rc" != 0 ] && grep -q 'parleyd cannot start: cannot create .*parley.lock' "$work/ro-dir.log" ||
    fail "a read-only data dir is refused with a clear error (exit $rc)"
  pass "read-only data dir refused at start"
else
  echo "skip read-only checks: no 'nobody' user or runuser"
fi

# A file-size limit stands in for a full disk: the start-up write fails, the start fails.
init_data_dir full
set +e
(ulimit -f 1; exec "$parleyd" --data-dir "$work/full" --api-listen "127.0.0.1:$api_port" \
  --chat-listen "127.0.0.1:$chat_port") >"$work/full.log" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "a database that cannot grow fails the start with exit 1 (got $rc)"
grep -q 'parleyd cannot start' "$work/full.log" || fail "the full-disk error is reported"
pass "database that cannot be written (file-size limit) refused at start: $(grep -o 'cannot start: .*' "$work/full.log" | cut -c1-110)"

# ... and at run time: once writes start failing (the WAL cannot grow past the file-size limit),
# /readyz says not ready; /healthz (liveness) stays 200.
export PARLEY_ACCESS_KEY_ID=AKIDPARLEYFIRSTRUN01 PARLEY_SECRET_ACCESS_KEY=parley-first-run-secret-0123456789abcdef
rm -rf "$work/full"; mkdir "$work/full"
(ulimit -f 256; exec "$parleyd" --data-dir "$work/full" --api-listen "127.0.0.1:$api_port" \
  --chat-listen "127.0.0.1:$chat_port") >"$work/full-run.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_ready "$api_port" "$pid" || fail "server under a 256 KiB file-size limit starts"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$ep/readyz")" = 200 ] || fail "/readyz is 200 while writes work"
code=200
for i in $(seq 400); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:ivschat" \
    --user "$PARLEY_ACCESS_KEY_ID:$PARLEY_SECRET_ACCESS_KEY" -H 'content-type: application/json' \
    -d "{\"name\":\"r$i\",\"tags\":{\"pad\":\"$(printf '%0200d' 0)\"}}" "$ep/CreateRoom")
  [ "$code" = 200 ] || break
done
[ "$code" = 500 ] || fail "CreateRoom eventually fails when the database cannot grow (last status $code)"
sleep 1.1  # /readyz probes at most once a second
ready=$(curl -s -w ' %{http_code}' "$ep/readyz")
[ "$ready" = "store unavailable
 503" ] || fail "/readyz reports the store not ready once writes fail (got '$ready')"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$ep/healthz")" = 200 ] || fail "/healthz stays 200"
stop_pid "$pid"
pass "writes failing at run time (after $i CreateRooms): /readyz 503 'store unavailable', /healthz 200"

echo "$checks checks passed"
