#!/usr/bin/env bash
# `make cluster`: a whole Parley cluster on this machine, for trying cluster mode out: one
# PostgreSQL (tests/lib/postgres.sh), one redis-server, three parleyd nodes (each its own data
# directory, one shared store, bus, master key and API credentials) and nginx in front of them.
# Prints the endpoints and credentials; Ctrl-C stops everything and removes the state.
#   scripts/run-cluster.sh BUILD_DIR   (environment: LB_API=8080 LB_CHAT=8081 REDIS_PORT=6390)
set -euo pipefail
build=${1:-build}
bin=$PWD/$build/parleyd
[ -x "$bin" ] || { echo "no $bin: run make build first" >&2; exit 1; }
for tool in redis-server /usr/sbin/nginx; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install redis-server nginx-light" >&2; exit 1; }
done
lb_api=${LB_API:-8080} lb_chat=${LB_CHAT:-8081} redis_port=${REDIS_PORT:-6390}
work=$(mktemp -d /tmp/parley-cluster.XXXXXX)
pids=() pg_dir=

stop_all() {
  trap - INT TERM EXIT
  echo; echo "stopping the cluster"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -z "$pg_dir" ] || tests/lib/postgres.sh stop "$pg_dir" || true
  rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 0' INT TERM

{ read -r pg_dir && read -r pg_url; } < <(tests/lib/postgres.sh start)
echo "PostgreSQL  $pg_url"

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
echo "Redis       redis://127.0.0.1:$redis_port"

tests/lib/postgres.sh createdb "$pg_dir" parley
export PARLEY_STORE=$pg_url/parley
export PARLEY_BUS=redis://127.0.0.1:$redis_port
export PARLEY_MASTER_KEY=$(openssl rand -hex 32)
export PARLEY_ACCESS_KEY_ID=AKPARLEY$(openssl rand -hex 6 | tr a-f A-F)
export PARLEY_SECRET_ACCESS_KEY=$(openssl rand -base64 30 | tr -d '/+=')
upstream_api= upstream_chat=
for i in 1 2 3; do
  api=$((18080 + i)) chat=$((18180 + i))
  "$bin" --data-dir "$work/node$i" --api-listen 127.0.0.1:$api --chat-listen 127.0.0.1:$chat \
    --log-level warn >"$work/node$i.log" 2>&1 &
  pids+=($!)
  upstream_api+="    server 127.0.0.1:$api max_fails=1 fail_timeout=3s;"$'\n'
  upstream_chat+="    server 127.0.0.1:$chat max_fails=1 fail_timeout=3s;"$'\n'
done
for i in 1 2 3; do
  ok=
  for _ in $(seq 1 200); do
    if curl -fs "http://127.0.0.1:$((18080 + i))/readyz" >/dev/null; then ok=1; break; fi
    sleep 0.05
  done
  [ -n "$ok" ] || { echo "node $i did not become ready:"; tail -20 "$work/node$i.log"; exit 1; }
  echo "node $i      http://127.0.0.1:$((18080 + i))  ws://127.0.0.1:$((18180 + i))  (log $work/node$i.log)"
done

mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 65536;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream parley_api {
$upstream_api    keepalive 16;
  }
  upstream parley_chat {
$upstream_chat  }
  server {
    listen 127.0.0.1:$lb_api;
    location / {
      proxy_pass http://parley_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_next_upstream error timeout;
    }
  }
  server {
    listen 127.0.0.1:$lb_chat;
    location / {
      proxy_pass http://parley_chat;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$http_host;
      proxy_read_timeout 3600s;
      proxy_next_upstream error timeout;
    }
  }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)
sleep 0.3
curl -fs "http://127.0.0.1:$lb_api/healthz" >/dev/null || { echo "nginx did not start"; cat "$work/nginx/error.log"; exit 1; }

cat <<INFO

Parley cluster is up (Ctrl-C stops everything and deletes $work):
  API  (nginx)  http://127.0.0.1:$lb_api      region us-east-1
  Chat (nginx)  ws://127.0.0.1:$lb_chat
  AWS_ACCESS_KEY_ID=$PARLEY_ACCESS_KEY_ID
  AWS_SECRET_ACCESS_KEY=$PARLEY_SECRET_ACCESS_KEY
  try:  AWS_ACCESS_KEY_ID=$PARLEY_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$PARLEY_SECRET_ACCESS_KEY \\
        aws ivschat create-room --region us-east-1 --endpoint-url http://127.0.0.1:$lb_api
INFO
wait -n "${pids[@]}" || true
echo "a component exited; see $work" >&2
