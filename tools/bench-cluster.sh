#!/usr/bin/env bash
# Bounded fan-out benchmark (docs/performance.md, section e): the cluster of make cluster
# (3 nodes + nginx + Redis + PostgreSQL) against one node with the local bus, 127.0.0.1 only,
# plus the Redis commands and bytes the cluster run cost. Usage: tools/bench-cluster.sh
set -u
cd "$(dirname "$0")/.."
LB_API=28080 LB_CHAT=28081 REDIS_PORT=26390 scripts/run-cluster.sh build > /tmp/parley-bench-cluster.log 2>&1 &
cpid=$!
for _ in $(seq 1 100); do grep -q "cluster is up" /tmp/parley-bench-cluster.log && break; sleep 0.3; done
export PARLEY_ACCESS_KEY_ID=$(grep -o 'AWS_ACCESS_KEY_ID=[A-Z0-9]*' /tmp/parley-bench-cluster.log | head -1 | cut -d= -f2)
export PARLEY_SECRET_ACCESS_KEY=$(grep -o 'AWS_SECRET_ACCESS_KEY=[A-Za-z0-9]*' /tmp/parley-bench-cluster.log | head -1 | cut -d= -f2)
redis-cli -p 26390 CONFIG RESETSTAT >/dev/null
echo "=== cluster: 1 room x 2000 via nginx"
timeout 200 build/parley-load fanout --api http://127.0.0.1:28080 --chat ws://127.0.0.1:28081 --connections 2000 --rooms 1 --rate 25,50,100 --duration 5
redis-cli -p 26390 INFO commandstats | grep -E "evalsha|publish|set:|subscribe|ping"
redis-cli -p 26390 INFO stats | grep -E "total_net_input_bytes|total_net_output_bytes|total_commands_processed"
echo "=== cluster: 10 rooms x 200 via nginx"
timeout 200 build/parley-load fanout --api http://127.0.0.1:28080 --chat ws://127.0.0.1:28081 --connections 2000 --rooms 10 --rate 50,100 --duration 5
kill -TERM $cpid; wait $cpid
echo "=== single node (local bus)"
d=$(mktemp -d)
build/parleyd --data-dir $d --api-listen 127.0.0.1:28090 --chat-listen 127.0.0.1:28091 --log-level warn &
p=$!
sleep 1
timeout 200 build/parley-load fanout --api http://127.0.0.1:28090 --chat ws://127.0.0.1:28091 --connections 2000 --rooms 1 --rate 25,50,100 --duration 5 --server-pid $p
timeout 200 build/parley-load fanout --api http://127.0.0.1:28090 --chat ws://127.0.0.1:28091 --connections 2000 --rooms 10 --rate 50,100 --duration 5 --server-pid $p
kill $p; wait $p; rm -rf $d
