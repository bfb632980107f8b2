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
pg_private_dir=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "-${stop_signal:-TERM}" "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [ -z "$pg_private_dir" ] || "$repo/tests/lib/postgres.sh" stop "$pg_private_dir"
  rm -rf "$work"
}
trap cleanup EXIT

# PARLEY_TEST_STORE=postgres: the same test against a PostgreSQL-backed parleyd, on a fresh
# database in the cluster named by PARLEY_TEST_PG_URL (else in one started here and stopped on
# exit). parleyd reads PARLEY_STORE and PARLEY_MASTER_KEY from the environment.
if [ "${PARLEY_TEST_STORE:-sqlite}" = postgres ]; then
  pg_url=${PARLEY_TEST_PG_URL:-}
  if [ -z "$pg_url" ]; then
    { read -r pg_private_dir; read -r pg_url; } < <("$repo/tests/lib/postgres.sh" start)
    [ -n "$pg_url" ] || { echo "could not start PostgreSQL" >&2; exit 2; }
  fi
  pg_db="cli_${name//[^a-z0-9]/_}_$$"
  /usr/lib/postgresql/15/bin/psql "$pg_url/postgres" -qAtX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $pg_db" >/dev/null
  export PARLEY_STORE="$pg_url/$pg_db"
  export PARLEY_MASTER_KEY=${PARLEY_MASTER_KEY:-$(printf 'c3%.0s' $(seq 32))}
  echo "store: PostgreSQL database $pg_db"
fi

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
