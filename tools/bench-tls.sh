#!/usr/bin/env bash
# docs/performance.md (g): the same fan-out and idle commands against a fresh parleyd with a
# plain chat door or with TLS on it (a test CA and certificate made here with openssl).
#   tools/bench-tls.sh plain|tls      (from the repository root, after building)
set -u
mode=$1
B=${BENCH_DIR:-/tmp/parley-bench-tls}
mkdir -p "$B"
if [ ! -f "$B/srv.pem" ]; then
  (cd "$B" &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=BenchCA &&
    printf 'subjectAltName=IP:127.0.0.1\n' > ext.cnf &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key -out srv.csr -subj /CN=bench &&
    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf) 2>/dev/null
fi
api=$((30000 + RANDOM % 2000)); chat=$((api + 1))
data=$(mktemp -d "$B/data.XXXX")
extra=()
scheme=ws
if [ "$mode" = tls ]; then extra=(--chat-tls-cert $B/srv.pem --chat-tls-key $B/srv.key); scheme=wss; fi
export PARLEY_ACCESS_KEY_ID=AKIDBENCH00000000001 PARLEY_SECRET_ACCESS_KEY=bench-secret-key-0123456789abcdefghijkl
ulimit -n 65536 2>/dev/null
build/parleyd --data-dir $data --api-listen 127.0.0.1:$api --chat-listen 127.0.0.1:$chat --log-level warn --max-connections 100000 "${extra[@]}" &
SP=$!
sleep 1
A="--api http://127.0.0.1:$api --chat $scheme://127.0.0.1:$chat --ca $B/ca.pem"
SRC="--source-addresses 127.0.0.2-127.0.0.9"
echo "== $mode fanout"
build/parley-load fanout $A --connections 2000 --rate 25,50,100 --duration 5 $SRC --server-pid $SP 2>&1 | tail -12
kill -TERM $SP; wait $SP
rm -rf $data; data=$(mktemp -d "$B/data.XXXX")
build/parleyd --data-dir $data --api-listen 127.0.0.1:$api --chat-listen 127.0.0.1:$chat --log-level warn --max-connections 100000 "${extra[@]}" &
SP=$!
sleep 1
echo "== $mode idle"
build/parley-load idle $A --connections 10000 --duration 15 $SRC --server-pid $SP 2>&1 | tail -12
kill -TERM $SP; wait $SP
rm -rf $data
