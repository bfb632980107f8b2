#!/usr/bin/env bash
# `make run`: start parleyd in the foreground and, once it is really serving, print how to reach
# it. If it cannot start, its own error is what the user sees, and the exit status is non-zero.
set -uo pipefail
bin=$1; shift
args=("$@")
data_dir=parley-data api=127.0.0.1:8080 chat=127.0.0.1:8081 region=us-east-1
api_scheme=http chat_scheme=ws  # https / wss with --tls-cert or the per-door flags
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[$i]} in
    --data-dir) data_dir=${args[$((i + 1))]} ;;
    --api-listen) api=${args[$((i + 1))]} ;;
    --chat-listen) chat=${args[$((i + 1))]} ;;
    --region) region=${args[$((i + 1))]} ;;
    --tls-cert) api_scheme=https chat_scheme=wss ;;
    --api-tls-cert) api_scheme=https ;;
    --chat-tls-cert) chat_scheme=wss ;;
    --config)  # TLS keys in a config file count too (flags later on the line still win)
      cfg=${args[$((i + 1))]}
      grep -Eq '^[[:space:]]*tls-cert[[:space:]]*=' "$cfg" 2>/dev/null && api_scheme=https chat_scheme=wss
      grep -Eq '^[[:space:]]*api-tls-cert[[:space:]]*=' "$cfg" 2>/dev/null && api_scheme=https
      grep -Eq '^[[:space:]]*chat-tls-cert[[:space:]]*=' "$cfg" 2>/dev/null && chat_scheme=wss
      ;;
  esac
done

# How a client on this machine reaches HOST:PORT: a wildcard address becomes loopback, an IPv6
# address gets brackets.
client_url() {  # client_url SCHEME HOST:PORT
  local host=${2%:*} port=${2##*:}
  host=${host#[}; host=${host%]}
  case $host in
    0.0.0.0) host=127.0.0.1 ;;
    ::) host=::1 ;;
  esac
  [[ $host == *:* ]] && host="[$host]"
  echo "$1://$host:$port"
}
api_url=$(client_url $api_scheme "$api")
chat_url=$(client_url $chat_scheme "$chat")

"$bin" "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 0' INT TERM

ready=
for _ in $(seq 1 600); do
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid"; status=$?
    echo >&2
    echo "make run: parleyd did not start (exit status $status); its error is above." >&2
    exit $(( status == 0 ? 1 : status ))
  fi
  # A /healthz answer alone could come from another instance on that port: parleyd writes its
  # pid into the data dir's lock file only after it has bound both ports itself.
  if [ "$(cat "$data_dir/parley.lock" 2>/dev/null)" = "$pid" ] &&
     curl -fsk "$api_url/healthz" >/dev/null 2>&1; then
    ready=1; break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "make run: parleyd (pid $pid) is not ready after 60 s; stopping it." >&2
  kill -TERM "$pid"; wait "$pid"; exit 1
fi

if [ -n "${PARLEY_ACCESS_KEY_ID:-}" ] && [ -n "${PARLEY_SECRET_ACCESS_KEY:-}" ]; then
  key_id=$PARLEY_ACCESS_KEY_ID
  secret="(from PARLEY_SECRET_ACCESS_KEY)"
  creds_line="  Credentials:                           from PARLEY_ACCESS_KEY_ID / PARLEY_SECRET_ACCESS_KEY"
  try_env="export AWS_ACCESS_KEY_ID=\$PARLEY_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=\$PARLEY_SECRET_ACCESS_KEY AWS_DEFAULT_REGION=$region"
else
  key_id=$(sed -n 's/^aws_access_key_id=//p' "$data_dir/credentials" 2>/dev/null)
  secret=$(sed -n 's/^aws_secret_access_key=//p' "$data_dir/credentials" 2>/dev/null)
  creds_line="  Credentials file (AWS CLI format):     $data_dir/credentials"
  try_env="export AWS_SHARED_CREDENTIALS_FILE=$data_dir/credentials AWS_DEFAULT_REGION=$region"
fi
wildcard_note=
for hp in "$api" "$chat"; do
  case ${hp%:*} in
    0.0.0.0|::|"[::]") wildcard_note="  (listening on every address: from another machine use this machine's name or address)" ;;
  esac
done

# Parley Console: parleyd answers /console/ with 200 when it is on and built, 503 when its files
# are missing, and not at all when --no-console (or console = false in --config) turned it off.
console_line=
case $(curl -s -o /dev/null -w '%{http_code}' "$api_url/console/" 2>/dev/null) in
  200) console_line="  Web console (sign in with the key):    $api_url/console/" ;;
  503) console_line="  Web console:                           not built (make build puts it in build/console)" ;;
esac

cat <<MSG

  Parley is running (pid $pid). Stop it with Ctrl-C.

${console_line:+$console_line
}  Control API (AWS SDK / CLI endpoint):  $api_url
  Messaging WebSocket (regionOrUrl):     $chat_url${wildcard_note:+
$wildcard_note}
  Region:                                $region
  Access key id:                         $key_id
  Secret access key:                     $secret
$creds_line

  Try it:
    $try_env
    aws ivschat create-room --name lobby --endpoint-url $api_url

MSG
wait "$pid"
