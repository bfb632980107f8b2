#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests: initdb into a temporary directory, pg_ctl on a free
# loopback port, run as an unprivileged user (PostgreSQL refuses to run as root, and CI runs
# as root). Used by scripts/run-tests.sh, the CLI tests and tests/e2e/lib/postgres.mjs.
#
#   postgres.sh start            prints two lines: the directory (for stop/createdb) and
#                                postgresql://parley:<password>@127.0.0.1:<port>
#   postgres.sh createdb DIR DB  creates database DB in the cluster under DIR
#   postgres.sh stop DIR         stops the cluster and removes DIR
#   postgres.sh pause DIR        stops the server, keeping its data (an outage, for tests)
#   postgres.sh resume DIR       starts it again on the same port
#   postgres.sh available        exit 0 when the binaries are installed
#
# Durability settings are off (fsync, synchronous_commit): these clusters are thrown away, and
# the tests check what parleyd acknowledges, not what PostgreSQL survives. PARLEY_TEST_PG_FSYNC=on
# keeps PostgreSQL's defaults (the benchmark uses it).
set -euo pipefail

pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
test_user=parley-test

die() { echo "postgres.sh: $*" >&2; exit 1; }

# Runs a command as the unprivileged cluster owner (or as ourselves when not root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}

pick_owner() {
  owner=$(id -un)
  if [ "$(id -u)" = 0 ]; then
    if ! getent passwd "$test_user" >/dev/null; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$test_user" 2>/dev/null || true
    fi
    if getent passwd "$test_user" >/dev/null; then owner=$test_user; else owner=nobody; fi
  fi
}

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cmd=${1:-}
case "$cmd" in
  available)
    [ -x "$pg_bin/initdb" ] && [ -x "$pg_bin/pg_ctl" ] && [ -x "$pg_bin/psql" ]
    ;;
  start)
    [ -x "$pg_bin/initdb" ] || die "PostgreSQL 15 is not installed ($pg_bin/initdb missing; apt-get install postgresql)"
    pick_owner
    dir=$(mktemp -d /tmp/parley-pg.XXXXXX)
    chmod 0755 "$dir"
    chown "$owner" "$dir" 2>/dev/null || true
    password=parley-test-pw
    printf '%s\n' "$password" >"$dir/pwfile"
    chown "$owner" "$dir/pwfile" 2>/dev/null || true
    if ! as_owner "$pg_bin/initdb" -D "$dir/data" -U parley --pwfile="$dir/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
      cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"
    fi
    fsync=off
    [ "${PARLEY_TEST_PG_FSYNC:-off}" = on ] && fsync=on
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      # In the configuration file rather than on the command line, so resume keeps them.
      as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
port = $port
unix_socket_directories = '$dir'
listen_addresses = '127.0.0.1'
fsync = $fsync
synchronous_commit = $fsync
full_page_writes = $fsync
max_connections = 300
CONF
      if as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start \
          >/dev/null 2>&1; then
        echo "$port" >"$dir/port"
        echo "$dir"
        echo "postgresql://parley:$password@127.0.0.1:$port"
        exit 0
      fi
    done
    tail -20 "$dir/postgres.log" >&2 || true
    rm -rf "$dir"
    die "pg_ctl start failed 5 times"
    ;;
  createdb)
    dir=${2:?dir} db=${3:?database}
    pick_owner
    as_owner "$pg_bin/createdb" -h "$dir" -p "$(cat "$dir/port")" -U parley "$db"
    ;;
  pause)
    dir=${2:?dir}
    pick_owner
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    dir=${2:?dir}
    pick_owner
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start >/dev/null
    ;;
  stop)
    dir=${2:?dir}
    [ -d "$dir" ] || exit 0
    case "$dir" in /tmp/parley-pg.*) ;; *) die "refusing to remove $dir" ;; esac
    pick_owner
    as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    die "usage: postgres.sh start | createdb DIR DB | stop DIR | available"
    ;;
esac
