#!/usr/bin/env bash
# parley-load (the load tool) and the Node `ws` benchmark peer: options are checked, a target off
# loopback is refused, and a small fan-out against parleyd and against bench/ws_chat_peer.mjs
# delivers every message (lost = 0). Keeps the benchmark tooling of docs/performance.md working.
set -uo pipefail
name=parley_load
source "$(dirname "$0")/lib/cli_test_env.sh"
load=${PARLEY_LOAD:-$(dirname "$parleyd")/parley-load}
[ -x "$load" ] || { echo "parley-load not found at $load" >&2; exit 2; }
fails=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}
expect_usage_error() {  # expect_usage_error TEXT ARGS...: exit 2 and TEXT in the error
  local text=$1 out rc; shift
  out=$("$load" "$@" 2>&1); rc=$?
  [ "$rc" = 2 ] && grep -qF -- "$text" <<<"$out" || { echo "  got rc=$rc: $out"; return 1; }
}
# The fan-out row of one phase has 0 in its "lost" column and delivered something.
delivered_all() {  # delivered_all FILE
  awk -F'|' '/^\| [0-9]/ { rows++; if ($8 + 0 != 0 || $7 + 0 == 0) bad++ } END { exit !(rows > 0 && !bad) }' "$1" ||
    { cat "$1"; return 1; }
}

check "--help lists every command" bash -c "'$load' --help | grep -q fanout && '$load' --help | grep -q wrk-script"
expect_usage_error_connections() { expect_usage_error "--connections" fanout --connections abc; }
check "a bad number names its option" expect_usage_error_connections
expect_usage_error_rate() { expect_usage_error "--rate" fanout --rate 10,x; }
check "a bad rate list is refused" expect_usage_error_rate
expect_usage_error_command() { expect_usage_error "subcommand" ; }
check "no command is a usage error" expect_usage_error_command
off_loopback() { ! "$load" fanout --peer --chat ws://10.9.9.9:80 --connections 4 --duration 1 >/dev/null 2>&1; }
check "a target off loopback is refused" off_loopback

export PARLEY_ACCESS_KEY_ID=AKIDPARLEYLOADTEST01 PARLEY_SECRET_ACCESS_KEY=parleyLoadTestSecret00000000000000000000
"$parleyd" --data-dir "$work/data" --api-listen 127.0.0.1:$api_port --chat-listen 127.0.0.1:$chat_port \
  --log-level warn >"$work/parleyd.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$api_port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
timeout 60 "$load" fanout --api http://127.0.0.1:$api_port --chat ws://127.0.0.1:$chat_port \
  --connections 200 --rooms 2 --rate 20 --duration 1 --server-pid $server_pid >"$work/parley.txt" 2>&1
check "fan-out against parleyd loses nothing" delivered_all "$work/parley.txt"

# --no-catch-up (bench/threads.sh): a tool stopped for 2 s of a 4 s phase skips the sends it
# missed instead of sending them in a burst, so about half the target rate is sent; nothing lost.
deliveries() { curl -fs "http://127.0.0.1:$api_port/metrics" | awk '$1 == "parley_chat_deliveries_total" {print $2}'; }
before=$(deliveries)
timeout 60 "$load" fanout --api http://127.0.0.1:$api_port --chat ws://127.0.0.1:$chat_port \
  --connections 100 --rooms 2 --rate 40 --duration 4 --no-catch-up >"$work/paused.txt" 2>&1 &
paused_pid=$!
# Stopped half a second after its first message arrived (the server counts deliveries).
for _ in $(seq 1 400); do [ "$(deliveries)" -gt "$before" ] && break; sleep 0.05; done
sleep 0.5
pkill -STOP -P $paused_pid; sleep 2; pkill -CONT -P $paused_pid
wait $paused_pid
# Column 4 is sent/s: ~20 of the 40 asked; a burst of the missed sends would make it ~40.
skipped_missed() {
  delivered_all "$work/paused.txt" &&
    awk -F'|' '/^\| [0-9]/ { exit !($4 + 0 > 5 && $4 + 0 < 32) }' "$work/paused.txt" ||
    { cat "$work/paused.txt"; return 1; }
}
check "--no-catch-up: a stopped tool skips the sends it missed" skipped_missed

# joins (issue 12): every join with its ?history=20 backfill arrives, none fails.
timeout 60 "$load" joins --api http://127.0.0.1:$api_port --chat ws://127.0.0.1:$chat_port \
  --connections 200 --history 20 --server-pid $server_pid >"$work/joins.txt" 2>&1
check "joins with ?history=20: all joined" grep -q "200 joined, 0 failed" "$work/joins.txt"

peer_port=$(free_port)
node "$repo/bench/ws_chat_peer.mjs" "$peer_port" >"$work/peer.log" 2>&1 &
peer_pid=$!
for _ in $(seq 1 50); do grep -q listening "$work/peer.log" && break; sleep 0.1; done
timeout 60 "$load" fanout --peer --chat ws://127.0.0.1:$peer_port --connections 200 --rooms 2 \
  --rate 20 --duration 1 --server-pid $peer_pid >"$work/peer.txt" 2>&1
check "fan-out against the ws peer loses nothing" delivered_all "$work/peer.txt"
kill $peer_pid 2>/dev/null; wait $peer_pid 2>/dev/null

echo "$fails failed"
[ "$fails" = 0 ]
