#!/usr/bin/env bash
# Join rate with ?history=100 vs without (docs/performance.md, section h), measured with
# parley-load joins: one node with the embedded defaults, then one node in cluster mode
# (--bus redis, PostgreSQL store; the backfill is read from the Redis stream), rounds
# interleaved (plain, history, plain, history, ...).
# Usage: tools/bench-joins.sh [rounds] [connections]
set -u
cd "$(dirname "$0")/.."
rounds=${1:-3}
connections=${2:-2000}
export PARLEY_ACCESS_KEY_ID=AKIDBENCHJOINS PARLEY_SECRET_ACCESS_KEY=bench-joins-secret-0123456789
run_rounds() {  # $1: label, $2: server pid
  for r in $(seq 1 "$rounds"); do
    for h in 0 100; do
      printf '%s round %s history %-3s ' "$1" "$r" "$h"
      timeout 120 build/parley-load joins --api http://127.0.0.1:28580 --chat ws://127.0.0.1:28581 \
        --connections "$connections" --concurrency 64 --history "$h" --server-pid "$2" | tail -1
    done
  done
}
d=$(mktemp -d)
build/parleyd --api-listen 127.0.0.1:28580 --chat-listen 127.0.0.1:28581 --data-dir "$d" \
  --log-level error --no-console &
p=$!
sleep 1.5
run_rounds embedded $p
kill $p; wait $p; rm -rf "$d"

# Cluster mode: a private PostgreSQL (tests/lib/postgres.sh) and a redis-server, one node.
read -r pgdir pgurl < <(tests/lib/postgres.sh start | tr '\n' ' ')
redis-server --port 26391 --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null &
rp=$!
sleep 0.5
tests/lib/postgres.sh available >/dev/null
/usr/lib/postgresql/15/bin/psql "$pgurl/postgres" -qAtX -c 'CREATE DATABASE bench_joins' >/dev/null
d=$(mktemp -d)
PARLEY_STORE="$pgurl/bench_joins" PARLEY_MASTER_KEY=$(printf 'b2%.0s' $(seq 32)) \
  build/parleyd --api-listen 127.0.0.1:28580 --chat-listen 127.0.0.1:28581 --data-dir "$d" \
  --log-level error --no-console --bus redis://127.0.0.1:26391 &
p=$!
sleep 2
run_rounds cluster $p
kill $p; wait $p; rm -rf "$d"
kill $rp; wait $rp
tests/lib/postgres.sh stop "$pgdir"
