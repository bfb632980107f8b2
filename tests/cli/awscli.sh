#!/usr/bin/env bash
# The Debian AWS CLI (botocore) against a fresh parleyd: the everyday control-plane commands,
# their JSON output, and the exit code / error name the CLI reports for failures.
#   PARLEYD=path/to/parleyd bash tests/cli/awscli.sh
set -euo pipefail

name=awscli stop_signal=TERM
source "$(dirname "$0")/lib/cli_test_env.sh"

export PARLEY_ACCESS_KEY_ID=AKIDPARLEYCLITEST001
export PARLEY_SECRET_ACCESS_KEY=parley-cli-secret-0123456789abcdefghijk
"$parleyd" --data-dir "$work/data" --api-listen "127.0.0.1:$api_port" --chat-listen "127.0.0.1:$chat_port" \
  --log-level warn >"$work/parleyd.log" 2>&1 &
server_pid=$!
for _ in $(seq 200); do
  curl -fs "http://127.0.0.1:$api_port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "parleyd exited:"; cat "$work/parleyd.log"; exit 1; }
  sleep 0.05
done

use_parley_credentials_for_aws_cli

ivschat() { "$aws" --endpoint-url "http://127.0.0.1:$api_port" --output json ivschat "$@"; }

checks=0
# check DESCRIPTION FILE PYTHON-EXPRESSION: the expression sees the file's JSON as `d`.
check() {
  local what=$1 file=$2 expr=$3
  if "$py" -c '
import json, re, sys, datetime
d = json.load(open(sys.argv[1]))
ok = eval("(" + sys.argv[2] + "\n)")
sys.exit(0 if ok else 1)' "$file" "$expr"; then
    echo "ok   $what"; checks=$((checks + 1))
  else
    echo "FAIL $what"; echo "     expected: $expr"; echo "     got: $(cat "$file")"; exit 1
  fi
}
# expect_empty DESCRIPTION FILE: an operation with an empty output structure (the CLI prints
# nothing for it, or {}).
expect_empty() {
  if [ ! -s "$2" ]; then echo "ok   $1 (empty output)"; checks=$((checks + 1)); else check "$1" "$2" 'd == {}'; fi
}
# expect_error DESCRIPTION ERROR-NAME COMMAND...: the CLI must exit 254 and name the error.
expect_error() {
  local what=$1 name=$2; shift 2
  local rc=0
  "$@" >"$work/out" 2>"$work/err" || rc=$?
  if [ "$rc" = 254 ] && grep -q "$name" "$work/err"; then
    echo "ok   $what (exit 254, $name)"; checks=$((checks + 1))
  else
    echo "FAIL $what: exit $rc, stderr: $(cat "$work/err") stdout: $(cat "$work/out")"; exit 1
  fi
}

echo "parleyd on 127.0.0.1:$api_port, AWS CLI $("$aws" --version 2>&1)"

ivschat create-room --name cli-room --tags env=test >"$work/room.json"
check "create-room: ARN, id, defaults, tags" "$work/room.json" '
re.fullmatch(r"arn:aws:ivschat:us-east-1:[0-9]{12}:room/[A-Za-z0-9]{12}", d["arn"]) and d["arn"].endswith("/" + d["id"])
and d["name"] == "cli-room" and d["maximumMessageLength"] == 500 and d["maximumMessageRatePerSecond"] == 10
and d["tags"] == {"env": "test"} and d.get("loggingConfigurationIdentifiers", []) == []
and datetime.datetime.fromisoformat(d["createTime"]) == datetime.datetime.fromisoformat(d["updateTime"])'
room_arn=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["arn"])' "$work/room.json")

ivschat get-room --identifier "$room_arn" >"$work/get.json"
check "get-room returns the same room" "$work/get.json" "d == json.load(open('$work/room.json'))"

before=$(date +%s)
ivschat create-chat-token --room-identifier "$room_arn" --user-id alice --capabilities SEND_MESSAGE DELETE_MESSAGE \
  --session-duration-in-minutes 30 --attributes displayName=Alice >"$work/token.json"
check "create-chat-token: token charset, expiry times" "$work/token.json" "
re.fullmatch(r'[A-Za-z0-9_-]+', d['token'])
and abs(datetime.datetime.fromisoformat(d['sessionExpirationTime']).timestamp() - $before - 30 * 60) <= 3
and datetime.datetime.fromisoformat(d['tokenExpirationTime']) <= datetime.datetime.fromisoformat(d['sessionExpirationTime'])"

ivschat create-room --name other-room >/dev/null
ivschat list-rooms >"$work/list.json"
check "list-rooms holds the room, as a summary" "$work/list.json" "
[r['id'] for r in d['rooms']].count('${room_arn##*/}') == 1 and len(d['rooms']) == 2
and all('maximumMessageLength' not in r for r in d['rooms']) and 'nextToken' not in d"
ivschat list-rooms --name cli-room >"$work/list.json"
check "list-rooms --name filters" "$work/list.json" "[r['arn'] for r in d['rooms']] == ['$room_arn']"
ivschat list-rooms --max-results 1 >"$work/list.json"
check "list-rooms --max-results 1 pages" "$work/list.json" "len(d['rooms']) == 1 and len(d['nextToken']) > 0"

ivschat tag-resource --resource-arn "$room_arn" --tags team=chat,tier=gold >"$work/tag.json"
expect_empty "tag-resource" "$work/tag.json"
ivschat list-tags-for-resource --resource-arn "$room_arn" >"$work/tags.json"
check "list-tags-for-resource after tagging" "$work/tags.json" 'd == {"tags": {"env": "test", "team": "chat", "tier": "gold"}}'
ivschat untag-resource --resource-arn "$room_arn" --tag-keys env tier >"$work/untag.json"
expect_empty "untag-resource" "$work/untag.json"
ivschat list-tags-for-resource --resource-arn "$room_arn" >"$work/tags.json"
check "list-tags-for-resource after untagging" "$work/tags.json" 'd == {"tags": {"team": "chat"}}'

ivschat create-logging-configuration --name cli-logs --destination-configuration 's3={bucketName=parley-chat-logs}' \
  --tags owner=cli >"$work/lc.json"
check "create-logging-configuration" "$work/lc.json" '
re.fullmatch(r"arn:aws:ivschat:us-east-1:[0-9]{12}:logging-configuration/[A-Za-z0-9]{12}", d["arn"])
and d["state"] == "ACTIVE" and d["name"] == "cli-logs"
and d["destinationConfiguration"] == {"s3": {"bucketName": "parley-chat-logs"}} and d["tags"] == {"owner": "cli"}'
lc_arn=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["arn"])' "$work/lc.json")
ivschat get-logging-configuration --identifier "$lc_arn" >"$work/lcget.json"
check "get-logging-configuration" "$work/lcget.json" "d == json.load(open('$work/lc.json'))"
ivschat update-room --identifier "$room_arn" --logging-configuration-identifiers "$lc_arn" >"$work/upd.json"
check "update-room attaches the logging configuration, keeps the rest" "$work/upd.json" "
d['loggingConfigurationIdentifiers'] == ['$lc_arn'] and d['name'] == 'cli-room' and d['tags'] == {'team': 'chat'}"
ivschat list-logging-configurations >"$work/lclist.json"
check "list-logging-configurations" "$work/lclist.json" "[l['arn'] for l in d['loggingConfigurations']] == ['$lc_arn']"
expect_error "delete-logging-configuration while a room uses it" ConflictException \
  ivschat delete-logging-configuration --identifier "$lc_arn"

missing="arn:aws:ivschat:us-east-1:123456789012:room/ZZZZzzzz9999"
expect_error "get-room for an unknown ARN" ResourceNotFoundException ivschat get-room --identifier "$missing"
expect_error "create-chat-token for an unknown room" ResourceNotFoundException \
  ivschat create-chat-token --room-identifier "$missing" --user-id bob
expect_error "create-room --maximum-message-length 501" ValidationException \
  ivschat create-room --maximum-message-length 501
expect_error "create-room with a name outside [a-zA-Z0-9-_]" ValidationException ivschat create-room --name 'bad name'
expect_error "get-room with a bare id" ValidationException ivschat get-room --identifier "${room_arn##*/}"
expect_error "a wrong secret key" InvalidSignatureException \
  env AWS_SECRET_ACCESS_KEY=not-the-secret "$aws" --endpoint-url "http://127.0.0.1:$api_port" ivschat list-rooms
expect_error "an unknown access key" UnrecognizedClientException \
  env AWS_ACCESS_KEY_ID=AKIDNOBODY0000000000 "$aws" --endpoint-url "http://127.0.0.1:$api_port" ivschat list-rooms

ivschat send-event --room-identifier "$room_arn" --event-name app:hello --attributes k=v >"$work/event.json"
check "send-event returns a 12-char id" "$work/event.json" 're.fullmatch(r"[A-Za-z0-9]{12}", d["id"])'
ivschat disconnect-user --room-identifier "$room_arn" --user-id alice >"$work/dc.json"
expect_empty "disconnect-user" "$work/dc.json"
ivschat update-room --identifier "$room_arn" --logging-configuration-identifiers '[]' >"$work/upd.json"
check "update-room with [] clears the logging configurations" "$work/upd.json" 'd.get("loggingConfigurationIdentifiers", []) == []'
ivschat delete-logging-configuration --identifier "$lc_arn"
ivschat delete-room --identifier "$room_arn"
expect_error "get-room after delete-room" ResourceNotFoundException ivschat get-room --identifier "$room_arn"
echo "ok   delete-logging-configuration and delete-room exit 0"; checks=$((checks + 1))

kill -0 "$server_pid" || { echo "FAIL parleyd died"; cat "$work/parleyd.log"; exit 1; }
echo "all $checks checks passed"
