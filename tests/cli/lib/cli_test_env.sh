# Shared by the CLI tests (source it): the tools, a work directory removed on exit (stopping
# parleyd with $stop_signal first), two free loopback ports, and an AWS CLI environment that
# reads nothing from ~/.aws.  Usage: name=awscli stop_signal=TERM; source lib/cli_test_env.sh
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
parleyd=${PARLEYD:-$repo/build/parleyd}
aws=/usr/bin/aws  # explicit: a pyenv shim named `aws` may come first in PATH
py=/usr/bin/python3  # the system interpreter: quick to start, unlike a pyenv shim
[ -x "$py" ] || py=$(command -v python3)
[ -x "$parleyd" ] || { echo "parleyd not found at $parleyd" >&2; exit 2; }
[ -x "$aws" ] || { echo "$aws is missing (apt-get install awscli)" >&2; exit 2; }

work=$(mktemp -d "/tmp/parley-$name.XXXXXX")
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "-${stop_signal:-TERM}" "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
api_port=$(free_port)
chat_port=$(free_port)
while [ "$chat_port" = "$api_port" ]; do chat_port=$(free_port); done

# Call after setting PARLEY_ACCESS_KEY_ID / PARLEY_SECRET_ACCESS_KEY.
use_parley_credentials_for_aws_cli() {
  export AWS_ACCESS_KEY_ID=$PARLEY_ACCESS_KEY_ID
  export AWS_SECRET_ACCESS_KEY=$PARLEY_SECRET_ACCESS_KEY
  export AWS_DEFAULT_REGION=us-east-1
  export AWS_PAGER=""
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  export AWS_MAX_ATTEMPTS=1 AWS_EC2_METADATA_DISABLED=true
  unset AWS_SESSION_TOKEN AWS_PROFILE
}
