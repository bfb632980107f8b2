#!/usr/bin/env bash
# User-space instructions per connection opened, counted by callgrind: the server runs under
# valgrind, its counters start with the connections and are dumped once 90% of N are open
# (docs/performance.md, p); connections are counted by the calls of a function each upgrade
# calls once. Unlike CPU time these counts barely move between runs or with what else the VM
# runs, so a change to the connect path can be judged by a few hundred instructions.
# Kernel time is not in them. Loopback only; every run is bounded.
# Usage: bench/instructions.sh [N] [parley|uws]...   (default: 3000, parley uws)
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
shift $(($# > 0 ? 1 : 0))
servers=("$@")
[ ${#servers[@]} -eq 0 ] && servers=(parley uws)
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)"; exit 2; }
export PARLEY_ACCESS_KEY_ID=AKIDBENCHCOMPARE0001 PARLEY_SECRET_ACCESS_KEY=benchCompareSecretKey0000000000000000000
API=127.0.0.1:29480 CHAT=127.0.0.1:29481
# KEEP=DIR keeps the callgrind dumps there (for callgrind_annotate).
if [ -n "${KEEP:-}" ]; then work=$KEEP; mkdir -p "$work"; rm -f "$work"/cg.*
else work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; fi
# Chat connections established on the server's side (the API's token minting is not counted).
conns() { ss -Htn state established "( sport = :${CHAT##*:} )" | wc -l; }
declare -A per
for server in "${servers[@]}"; do
  data=
  if [ "$server" = uws ]; then
    [ -x bench/.peers/uws_chat_peer ] || { echo "run bench/build-peers.sh first"; exit 2; }
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$server" \
      bench/.peers/uws_chat_peer "${CHAT##*:}" >"$work/$server.log" 2>&1 &
    pid=$! peer=--peer
    sleep 3
  else
    data=$(mktemp -d)
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$server" "${PARLEYD:-build/parleyd}" \
      --threads 1 --data-dir "$data" --api-listen $API --chat-listen $CHAT --log-level warn \
      >"$work/$server.log" 2>&1 &
    pid=$! peer=
    for _ in $(seq 1 300); do curl -fs "http://$API/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  # uWS's peer mints nothing: count from the start of the load. Parley's API mints the tokens
  # first: count from the first chat connection.
  [ "$server" = uws ] && callgrind_control -z "$pid" >/dev/null 2>&1
  timeout 600 build/parley-load idle $peer --api "http://$API" --chat "ws://$CHAT" \
    --connections "$n" --duration 2 --server-pid "$pid" >"$work/$server.load" 2>&1 &
  load=$!
  if [ "$server" != uws ]; then
    for _ in $(seq 1 6000); do [ "$(conns)" -gt 0 ] && break; sleep 0.01; done
    callgrind_control -z "$pid" >/dev/null 2>&1
  fi
  for _ in $(seq 1 6000); do [ "$(conns)" -ge $((n * 9 / 10)) ] && break; sleep 0.01; done
  callgrind_control -d "$pid" >/dev/null 2>&1
  wait $load
  kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
  [ -n "$data" ] && rm -rf "$data"
  dump=$(ls "$work"/cg.$server.* 2>/dev/null | head -1)
  ir=$(sed -nE 's/^(summary|totals): ([0-9]+).*/\2/p' "$dump" | head -1)
  # Connections upgraded in the window: calls of what each upgrade calls once.
  marker='ChatSession::complete_handshake'
  [ "$server" = uws ] && marker='HttpResponse<false>::upgrade<'
  opened=$(callgrind_annotate --threshold=100 --tree=calling "$dump" 2>/dev/null |
    grep -E '^ *[0-9,]+ +\([ 0-9.%]+\) +> ' | grep -F "$marker" | head -1 |
    grep -oE '\([0-9,]+x\)' | tr -d '(,x)')
  opened=${opened:-0}
  if [ -z "$ir" ] || [ $opened -le 0 ]; then echo "$server: no count (see $work)"; continue; fi
  per[$server]=$((ir / opened))
  echo "$server: $ir instructions over $opened connections upgraded: ${per[$server]} per connection"
done
if [ -n "${per[parley]:-}" ] && [ -n "${per[uws]:-}" ]; then
  awk -v p="${per[parley]}" -v u="${per[uws]}" 'BEGIN {printf "Parley / uWS: %.2fx\n", p / u}'
fi
