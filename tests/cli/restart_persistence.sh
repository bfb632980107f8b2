#!/usr/bin/env bash
# Durability across restarts, driven by the Debian AWS CLI: whatever parleyd answered before a
# kill -9 is there after it; SIGTERM exits 0 and the next start is clean; a chat token minted
# before a restart still opens a WebSocket after it.
#   PARLEYD=path/to/parleyd bash tests/cli/restart_persistence.sh
set -euo pipefail

name=restart stop_signal=KILL
source "$(dirname "$0")/lib/cli_test_env.sh"
data=$work/data

export PARLEY_ACCESS_KEY_ID=AKIDPARLEYRESTART001
export PARLEY_SECRET_ACCESS_KEY=parley-restart-secret-0123456789abcdefg
use_parley_credentials_for_aws_cli

starts=0
start_server() {  # same data dir and ports every time
  starts=$((starts + 1))
  "$parleyd" --data-dir "$data" --api-listen "127.0.0.1:$api_port" --chat-listen "127.0.0.1:$chat_port" \
    --log-level info >"$work/parleyd.$starts.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    if curl -fs "http://127.0.0.1:$api_port/healthz" >/dev/null 2>&1; then
      echo "parleyd start #$starts (pid $server_pid) ready on 127.0.0.1:$api_port"
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "FAIL parleyd exited at start #$starts:"; cat "$work/parleyd.$starts.log"; exit 1; }
    sleep 0.05
  done
  echo "FAIL parleyd start #$starts never became ready"; cat "$work/parleyd.$starts.log"; exit 1
}

ivschat() { "$aws" --endpoint-url "http://127.0.0.1:$api_port" --output json ivschat "$@"; }
json_field() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

checks=0
pass() { echo "ok   $1"; checks=$((checks + 1)); }
fail() { echo "FAIL $1"; for f in "$work"/parleyd.*.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }

# same_json DESCRIPTION EXPECTED-FILE ACTUAL-FILE: equal as JSON values.
same_json() {
  if "$py" -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)' "$2" "$3"; then
    pass "$1"
  else
    echo "     before: $(cat "$2")"; echo "     after:  $(cat "$3")"; fail "$1"
  fi
}

# ws_opens DESCRIPTION TOKEN: a WebSocket upgrade with the token as sub-protocol gets 101.
ws_opens() {
  local out
  if out=$(cd "$repo" && timeout 20 node -e '
const WebSocket = require("ws");
const ws = new WebSocket(process.argv[1], process.argv[2]);
ws.on("upgrade", (res) => console.log("handshake", res.statusCode));
ws.on("open", () => { console.log("open"); ws.close(1000); });
ws.on("close", () => process.exit(0));
ws.on("unexpected-response", (req, res) => { console.log("handshake", res.statusCode); process.exit(1); });
ws.on("error", (e) => { console.log("error", e.message); process.exit(1); });
' "ws://127.0.0.1:$chat_port" "$2" 2>&1) && grep -q 'handshake 101' <<<"$out" && grep -q '^open' <<<"$out"; then
    pass "$1 (101)"
  else
    echo "     $out"; fail "$1"
  fi
}

# ws_refused DESCRIPTION TOKEN: the upgrade is refused (a token is single-use, spec 1.2).
ws_refused() {
  local out
  out=$(cd "$repo" && timeout 20 node -e '
const WebSocket = require("ws");
const ws = new WebSocket(process.argv[1], process.argv[2]);
ws.on("open", () => { console.log("open"); ws.close(1000); });
ws.on("close", () => process.exit(0));
ws.on("unexpected-response", (req, res) => { console.log("handshake", res.statusCode); process.exit(0); });
ws.on("error", (e) => { console.log("error", e.message); process.exit(0); });
' "ws://127.0.0.1:$chat_port" "$2" 2>&1) || true
  if grep -qE '^handshake 4[0-9][0-9]' <<<"$out"; then
    pass "$1 ($out)"
  else
    echo "     $out"; fail "$1"
  fi
}

# snapshot DIR: everything the control plane reports, one file per read.
snapshot() {
  local dir=$1
  mkdir -p "$dir"
  for name in room1 room2; do ivschat get-room --identifier "${arn[$name]}" >"$dir/$name.json"; done
  for name in lc1 lc2; do
    ivschat get-logging-configuration --identifier "${arn[$name]}" >"$dir/$name.json"
    ivschat list-tags-for-resource --resource-arn "${arn[$name]}" >"$dir/$name.tags.json"
  done
  ivschat list-tags-for-resource --resource-arn "${arn[room1]}" >"$dir/room1.tags.json"
  ivschat list-rooms >"$dir/rooms.json"
  ivschat list-logging-configurations >"$dir/lcs.json"
}
compare_snapshots() {  # LABEL BEFORE-DIR AFTER-DIR [FILE-TO-SKIP...]
  local label=$1 before=$2 after=$3 f name
  shift 3
  for f in "$work/$before"/*.json; do
    name=$(basename "$f" .json)
    [[ " $* " == *" $name "* ]] && continue
    same_json "$label: $name reads back the same" "$f" "$work/$after/$name.json"
  done
}

declare -A arn
start_server

ivschat create-logging-configuration --name s3-logs --destination-configuration 's3={bucketName=parley-logs}' \
  --tags owner=ops >"$work/lc1.json"
arn[lc1]=$(json_field "$work/lc1.json" arn)
ivschat create-logging-configuration --name firehose-logs \
  --destination-configuration 'firehose={deliveryStreamName=parley-stream}' >"$work/lc2.json"
arn[lc2]=$(json_field "$work/lc2.json" arn)
ivschat create-room --name persistent-room --maximum-message-length 300 --maximum-message-rate-per-second 20 \
  --message-review-handler 'uri=arn:aws:lambda:us-east-1:123456789012:function:review,fallbackResult=DENY' \
  --logging-configuration-identifiers "${arn[lc2]}" "${arn[lc1]}" --tags env=prod,team=chat >"$work/room1.json"
arn[room1]=$(json_field "$work/room1.json" arn)
ivschat create-room >"$work/room2.json"
arn[room2]=$(json_field "$work/room2.json" arn)
ivschat update-room --identifier "${arn[room2]}" --name renamed-room --maximum-message-length 42 >/dev/null
ivschat create-room --name short-lived >"$work/room3.json"
arn[room3]=$(json_field "$work/room3.json" arn)
ivschat delete-room --identifier "${arn[room3]}"
ivschat tag-resource --resource-arn "${arn[lc2]}" --tags stream=yes >/dev/null
ivschat tag-resource --resource-arn "${arn[room1]}" --tags added=later >/dev/null
ivschat untag-resource --resource-arn "${arn[room1]}" --tag-keys team >/dev/null
ivschat create-chat-token --room-identifier "${arn[room1]}" --user-id carol >"$work/token1.json"
token1=$(json_field "$work/token1.json" token)
ivschat create-chat-token --room-identifier "${arn[room1]}" --user-id erin >"$work/used.json"
used_token=$(json_field "$work/used.json" token)
ws_opens "a fresh token opens a WebSocket" "$used_token"
snapshot "$work/before"

"$py" - "$work/before" "${arn[room1]}" "${arn[room2]}" "${arn[lc1]}" "${arn[lc2]}" <<'EOF' && pass "state before the crash is as created" || fail "state before the crash"
import json, sys
d, room1, room2, lc1, lc2 = sys.argv[1:]
r1 = json.load(open(f"{d}/room1.json"))
r2 = json.load(open(f"{d}/room2.json"))
assert r1["name"] == "persistent-room" and r1["maximumMessageLength"] == 300 and r1["maximumMessageRatePerSecond"] == 20, r1
assert r1["messageReviewHandler"] == {"uri": "arn:aws:lambda:us-east-1:123456789012:function:review", "fallbackResult": "DENY"}, r1
assert r1["loggingConfigurationIdentifiers"] == [lc2, lc1], r1
assert r1["tags"] == {"env": "prod", "added": "later"}, r1
assert r2["name"] == "renamed-room" and r2["maximumMessageLength"] == 42 and r2["updateTime"] > r2["createTime"], r2
rooms = json.load(open(f"{d}/rooms.json"))["rooms"]
assert sorted(r["arn"] for r in rooms) == sorted([room1, room2]), rooms
assert json.load(open(f"{d}/lc2.tags.json")) == {"tags": {"stream": "yes"}}
EOF

# 1. Two more writes, then kill -9 right after the last answer: nothing acknowledged may be lost.
ivschat update-room --identifier "${arn[room2]}" --maximum-message-rate-per-second 55 >"$work/room2.final.json"
ivschat create-room --name last-word --tags at=crash >"$work/room5.json"
{ kill -KILL "$server_pid"; wait "$server_pid"; } 2>/dev/null || true
pass "parleyd killed with SIGKILL right after the last answer"
arn[room5]=$(json_field "$work/room5.json" arn)
start_server
snapshot "$work/after-kill"
compare_snapshots "after kill -9" before after-kill room2 rooms
same_json "after kill -9: the last update-room reads back as answered" "$work/room2.final.json" "$work/after-kill/room2.json"
ivschat get-room --identifier "${arn[room5]}" >"$work/room5.after.json"
same_json "after kill -9: the last create-room reads back as answered" "$work/room5.json" "$work/room5.after.json"
"$py" -c '
import json, sys
rooms = {r["arn"]: r for r in json.load(open(sys.argv[1]))["rooms"]}
assert sorted(rooms) == sorted([sys.argv[2], sys.argv[3], sys.argv[4]]), rooms
assert rooms[sys.argv[3]]["tags"] == {"at": "crash"}
' "$work/after-kill/rooms.json" "${arn[room1]}" "${arn[room5]}" "${arn[room2]}" && pass "after kill -9: list-rooms holds exactly the live rooms" || fail "list-rooms after kill -9: $(cat "$work/after-kill/rooms.json")"
rc=0
ivschat get-room --identifier "${arn[room3]}" >/dev/null 2>"$work/err" || rc=$?
[ "$rc" = 254 ] && grep -q ResourceNotFoundException "$work/err" && pass "the deleted room stays deleted" || fail "deleted room: exit $rc $(cat "$work/err")"
ws_opens "a token minted before the crash opens a WebSocket after it" "$token1"
ws_refused "a token used before the crash is refused after it" "$used_token"

# The restarted server keeps working: writes after the restart also survive the next one.
ivschat create-room --name after-restart >"$work/room4.json"
arn[room4]=$(json_field "$work/room4.json" arn)
ivschat create-chat-token --room-identifier "${arn[room4]}" --user-id dave >"$work/token2.json"
token2=$(json_field "$work/token2.json" token)
ivschat get-room --identifier "${arn[room4]}" >"$work/room4.before.json"
snapshot "$work/before-term"

# 2. SIGTERM: exit status 0, then a clean restart with everything still there.
kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
[ "$rc" = 0 ] && pass "SIGTERM: parleyd exits with status 0" || fail "SIGTERM exit status $rc"
start_server
if grep -qiE 'recover|unclean|corrupt' "$work/parleyd.$starts.log"; then
  fail "clean restart logs recovery: $(grep -iE 'recover|unclean|corrupt' "$work/parleyd.$starts.log")"
fi
pass "restart after SIGTERM is clean"
snapshot "$work/after-term"
compare_snapshots "after SIGTERM" before-term after-term
ivschat get-room --identifier "${arn[room4]}" >"$work/room4.after.json"
same_json "a room created after the first restart survives the second" "$work/room4.before.json" "$work/room4.after.json"
ws_opens "a token minted before a clean restart opens a WebSocket after it" "$token2"
ws_refused "a token used before a clean restart is refused after it" "$token1"

kill -TERM "$server_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
[ "$rc" = 0 ] && pass "final SIGTERM exits 0" || fail "final SIGTERM exit status $rc"
echo "all $checks checks passed"
