#!/usr/bin/env bash
# The same parley-load commands against a SQLite-backed and a PostgreSQL-backed parleyd, in
# alternating rounds (so machine noise hits both alike): signed CreateChatToken/s (no store
# access on its path) and signed CreateRoom/s (one store transaction each). PostgreSQL runs
# with its default durability (fsync, synchronous_commit on), like SQLite's synchronous=FULL.
#   tools/bench-stores.sh            DURATION=10 ROUNDS=2 CONNECTIONS=16 BUILD=build
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build} duration=${DURATION:-10} rounds=${ROUNDS:-2} connections=${CONNECTIONS:-16}
export PARLEY_ACCESS_KEY_ID=AKIDBENCHSTORES00001
export PARLEY_SECRET_ACCESS_KEY=benchstoresbenchstoresbenchstores0000000
py=/usr/bin/python3
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

pg_dir= server_pid= work=$(mktemp -d /tmp/parley-bench.XXXXXX)
cleanup() {
  [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
  [ -z "$pg_dir" ] || tests/lib/postgres.sh stop "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT
{ read -r pg_dir; read -r pg_url; } < <(PARLEY_TEST_PG_FSYNC=on tests/lib/postgres.sh start)

run_node() {  # run_node STORE ROUND: start parleyd on STORE, run both scenarios, stop it
  local store=$1 round=$2 api chat
  api=$(free_port) chat=$(free_port)
  local env=()
  if [ "$store" = postgres ]; then
    local db="bench_${round}"
    tests/lib/postgres.sh createdb "$pg_dir" "$db"
    env=(PARLEY_STORE="$pg_url/$db" PARLEY_MASTER_KEY="$(printf 'b7%.0s' $(seq 32))")
  fi
  env "${env[@]}" "$build/parleyd" --data-dir "$work/data-$store-$round" --api-listen "127.0.0.1:$api" \
    --chat-listen "127.0.0.1:$chat" --max-rooms 1000000 --log-level warn >"$work/parleyd-$store-$round.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$api/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
  local args=(--api "http://127.0.0.1:$api" --chat "ws://127.0.0.1:$chat" --duration "$duration"
              --connections "$connections" --server-pid "$server_pid")
  for scenario in tokens rooms; do
    echo "--- $store, round $round: parley-load $scenario ${args[*]}"
    "$build/parley-load" "$scenario" "${args[@]}" | grep -E '^\|' | tail -1
  done
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

echo "| connections | signing | requests | non-200 | req/s | p50 ms | p90 ms | p99 ms | max ms | server CPU % | client CPU % |"
for round in $(seq "$rounds"); do
  run_node sqlite "$round"
  run_node postgres "$round"
done
