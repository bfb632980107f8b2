#!/usr/bin/env bash
# `make run`: start parleyd in the foreground and print how to reach it.
set -euo pipefail
bin=$1; shift
args=("$@")
data_dir=parley-data api=127.0.0.1:8080 chat=127.0.0.1:8081
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[$i]} in
    --data-dir) data_dir=${args[$((i + 1))]} ;;
    --api-listen) api=${args[$((i + 1))]} ;;
    --chat-listen) chat=${args[$((i + 1))]} ;;
  esac
done

"$bin" "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 100); do
  curl -fs "http://$api/healthz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { wait $pid; exit $?; }
  sleep 0.1
done

key_id=${PARLEY_ACCESS_KEY_ID:-$(sed -n 's/^aws_access_key_id=//p' "$data_dir/credentials" 2>/dev/null)}
secret=${PARLEY_SECRET_ACCESS_KEY:-$(sed -n 's/^aws_secret_access_key=//p' "$data_dir/credentials" 2>/dev/null)}
cat <<MSG

  Parley is running (pid $pid). Stop it with Ctrl-C.

  Control API (AWS SDK / CLI endpoint):  http://$api
  Messaging WebSocket (regionOrUrl):     ws://$chat
  Region:                                us-east-1 (unless --region was given)
  Access key id:                         $key_id
  Secret access key:                     $secret
  Credentials file (AWS CLI format):     $data_dir/credentials

  Try it:
    export AWS_SHARED_CREDENTIALS_FILE=$data_dir/credentials AWS_DEFAULT_REGION=us-east-1
    aws ivschat create-room --name lobby --endpoint-url http://$api

MSG
wait $pid
