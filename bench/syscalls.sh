#!/usr/bin/env bash
# System calls (and context switches) per delivery or per connection opened, counted with
# `perf stat` on the server's syscall tracepoints (docs/performance.md, m). Counts do not depend
# on what else the machine runs, unlike CPU times. Loopback only; every run is bounded.
# Usage: bench/syscalls.sh parley|uws fanout RATE [WINDOW_S]   (10 rooms x 200, RATE msg/s)
#        bench/syscalls.sh parley|uws connects [N]             (idle run opening N connections)
# Server pinned to CPU 0, load tool to CPU 1, as in bench/compare.sh. PARLEYD overrides the
# server binary (an A/B of two builds).
set -uo pipefail
cd "$(dirname "$0")/.."
server=${1:?parley or uws} what=${2:?fanout or connects}
export PARLEY_ACCESS_KEY_ID=AKIDBENCHCOMPARE0001 PARLEY_SECRET_ACCESS_KEY=benchCompareSecretKey0000000000000000000
API=127.0.0.1:29180 CHAT=127.0.0.1:29181
command -v perf >/dev/null || { echo "needs perf (apt-get install linux-perf)"; exit 2; }
data=
case $server in
  parley)
    data=$(mktemp -d)
    taskset -c 0 "${PARLEYD:-build/parleyd}" --threads 1 --data-dir "$data" --api-listen $API \
      --chat-listen $CHAT --log-level warn >/tmp/syscalls-server.log 2>&1 &
    pid=$! peer=
    for _ in $(seq 1 100); do curl -fs "http://$API/readyz" >/dev/null 2>&1 && break; sleep 0.1; done ;;
  uws)
    taskset -c 0 bench/.peers/uws_chat_peer "${CHAT##*:}" >/tmp/syscalls-server.log 2>&1 &
    pid=$! peer=--peer; sleep 0.5 ;;
  *) echo "unknown server $server"; exit 2 ;;
esac
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; [ -n "$data" ] && rm -rf "$data"' EXIT
out=$(mktemp)
stat=$(mktemp)
events='syscalls:sys_enter_*,context-switches'
# Waits until the server holds more than $1 descriptors (its connections are open).
wait_fds() { for _ in $(seq 1 3000); do [ "$(ls /proc/$pid/fd | wc -l)" -gt "$1" ] && return; sleep 0.01; done; }
if [ "$what" = fanout ]; then
  rate=${3:?RATE msg/s} win=${4:-5}
  timeout 300 taskset -c 1 build/parley-load fanout $peer --api "http://$API" --chat "ws://$CHAT" \
    --connections 2000 --rooms 10 --rate "$rate" --duration $((win + 4)) --server-pid $pid >"$out" 2>&1 &
  load=$!
  wait_fds 2000
  sleep 2.5  # into the phase (1 s pause after the opening)
  perf stat -x, -e "$events" -p $pid -- sleep "$win" 2>"$stat"
  wait $load
  grep -E '^\| [0-9]' "$out"
  per=$(grep -E '^\| [0-9]' "$out" | head -1 | awk -F'|' '{print $7}')
  per=$(awk -v d="$per" -v w="$win" 'BEGIN {print d * w}')
  unit=delivery
else
  n=${3:-10000}
  timeout 300 taskset -c 1 build/parley-load idle $peer --api "http://$API" --chat "ws://$CHAT" \
    --connections "$n" --duration 1 --server-pid $pid >"$out" 2>&1 &
  load=$!
  wait_fds 300  # past the token minting's API connections: the chat connections are opening
  perf stat -x, -e "$events" -p $pid -- sleep 0.7 2>"$stat"
  wait $load
  grep -E '^open' "$out"
  # One 101 response each: uSockets sends it with sendto, Parley with sendmsg.
  per=$(grep -E ',syscalls:sys_enter_(sendto|sendmsg),' "$stat" | cut -d, -f1 | awk '{s += $1} END {print s + 0}')
  unit=connection
fi
echo "$server $what: per $unit over $per"
awk -F, -v d="$per" -v u="$unit" '$1+0>0 {printf "%-36s %9d  %.4f per %s\n", $3, $1, $1/d, u}' "$stat" | sort -k2 -nr
rm -f "$out" "$stat"
