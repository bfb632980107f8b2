#!/usr/bin/env bash
# Server CPU per connection opened, interleaved: each round opens N idle connections (token
# verified on each, as `parley-load idle` does) to every given parleyd binary in turn and then
# to the uWebSockets peer, one fresh server each, server on CPU 0, load tool on CPU 1
# (docs/performance.md, o). The VM's speed drifts by tens of percent within minutes, so compare
# figures of one round, or means over rounds, never across separate invocations.
# Usage: bench/connects.sh ROUNDS [N] [PARLEYD...]   (default: 5 rounds, 10000, build/parleyd)
# Loopback only; every run is bounded.
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5} n=${2:-10000}
shift $(($# > 2 ? 2 : $#))
servers=("$@")
[ ${#servers[@]} -eq 0 ] && servers=(build/parleyd)
[ -x bench/.peers/uws_chat_peer ] || { echo "run bench/build-peers.sh first"; exit 2; }
export PARLEY_ACCESS_KEY_ID=AKIDBENCHCOMPARE0001 PARLEY_SECRET_ACCESS_KEY=benchCompareSecretKey0000000000000000000
API=127.0.0.1:29280 CHAT=127.0.0.1:29281
declare -A sum
for r in $(seq "$rounds"); do
  line="round $r:"
  for bin in "${servers[@]}" uws; do
    data=
    if [ "$bin" = uws ]; then
      taskset -c 0 bench/.peers/uws_chat_peer "${CHAT##*:}" >/dev/null 2>&1 &
      pid=$! peer=--peer
      sleep 0.5
    else
      data=$(mktemp -d)
      taskset -c 0 "$bin" --threads 1 --data-dir "$data" --api-listen $API --chat-listen $CHAT \
        --log-level warn >/dev/null 2>&1 &
      pid=$! peer=
      for _ in $(seq 1 100); do curl -fs "http://$API/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    us=$(timeout 300 taskset -c 1 build/parley-load idle $peer --api "http://$API" --chat "ws://$CHAT" \
      --connections "$n" --duration 1 --server-pid "$pid" 2>&1 |
      sed -nE 's/^open CPU: server ([0-9.]+) µs.*/\1/p')
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    [ -n "$data" ] && rm -rf "$data"
    line="$line $bin=${us:-?}"
    sum[$bin]=$(awk -v a="${sum[$bin]:-0}" -v b="${us:-0}" 'BEGIN{print a+b}')
  done
  echo "$line"
done
uws_mean=$(awk -v s="${sum[uws]}" -v r="$rounds" 'BEGIN{print s/r}')
for bin in "${servers[@]}" uws; do
  awk -v s="${sum[$bin]}" -v r="$rounds" -v u="$uws_mean" -v b="$bin" \
    'BEGIN{m=s/r; printf "%s: %.1f µs server CPU per connection opened (connects/s per core %.2fx uWS)\n", b, m, u/m}'
done
