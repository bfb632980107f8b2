#!/usr/bin/env bash
# Issue 10's scaling check, taken apart (docs/performance.md, s). Server CPU per delivery on
# 10 rooms x 200 connections at a steady RATE, from the server's own task clock (`perf stat`,
# exact, over 4 s mid-phase), in three set-ups interleaved per round:
#   t1        --threads 1 on CPU 0, load tool on CPU 1 (the one-thread figure);
#   t2-1core  --threads 2, both loops on CPU 0, load tool on CPU 1: what a second loop costs
#             in the code (posts between loops, more wake-ups), with the cores as in t1;
#   t2-shared --threads 2 on CPUs 0-1, load tool on the same two CPUs (the issue's set-up):
#             adds what sharing both cores with the load tool costs on this machine.
# Also per message: the server's context switches, futex calls and epoll_wait calls.
# Usage: bench/threads.sh [ROUNDS] [RATE]   (default 4 rounds, 200 msg/s = 40,000 deliveries/s;
# PARLEYD=BINARY to measure another build than build/parleyd)
# Needs perf (linux-perf). Loopback only; every run is bounded.
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-4} rate=${2:-200}
command -v perf >/dev/null || { echo "needs perf (apt install linux-perf)"; exit 2; }
bin=${PARLEYD:-build/parleyd}
[ -x "$bin" ] && [ -x build/parley-load ] || { echo "build parleyd and parley-load first (make build)"; exit 2; }
export PARLEY_ACCESS_KEY_ID=AKIDBENCHCOMPARE0001 PARLEY_SECRET_ACCESS_KEY=benchCompareSecretKey0000000000000000000
API=127.0.0.1:29480 CHAT=127.0.0.1:29481
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
declare -A sum
run() {  # run NAME THREADS SERVER_CPUS LOAD_CPUS
  local data pid load
  data=$(mktemp -d)
  taskset -c "$3" "$bin" --threads "$2" --data-dir "$data" --api-listen $API \
    --chat-listen $CHAT --log-level warn >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -fs "http://$API/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  timeout 120 taskset -c "$4" build/parley-load fanout --api "http://$API" --chat "ws://$CHAT" \
    --connections 2000 --rooms 10 --rate "$rate" --duration 9 --server-pid "$pid" >/dev/null 2>&1 &
  load=$!
  for _ in $(seq 1 3000); do [ "$(ls /proc/$pid/fd 2>/dev/null | wc -l)" -gt 2000 ] && break; sleep 0.01; done
  sleep 3
  perf stat -x, -e task-clock,context-switches,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait \
    -p "$pid" -o "$stats" -- sleep 4
  wait "$load"
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  rm -rf "$data"
  awk -F, -v n="$1" -v msgs=$((rate * 4)) -v deliveries=$((rate * 200 * 4)) '
    $3 == "task-clock" { us = $1 * 1000 / deliveries }
    $3 == "context-switches" { cs = $1 / msgs }
    $3 ~ /futex/ { fx = $1 / msgs }
    $3 ~ /epoll_wait/ { ew = $1 / msgs }
    END { printf "%s %.2f %.1f %.1f %.1f\n", n, us, cs, fx, ew }' "$stats"
}
echo "10x200 at $rate msg/s ($((rate * 200)) deliveries/s); per setup: server CPU µs per delivery [context switches, futex, epoll_wait per message]"
for r in $(seq "$rounds"); do
  line="round $r:"
  for setup in "t1 1 0 1" "t2-1core 2 0 1" "t2-shared 2 0,1 0,1"; do
    read -r name us cs fx ew < <(run $setup)
    line="$line $name=$us [$cs, $fx, $ew]"
    sum[$name]=$(awk -v a="${sum[$name]:-0}" -v b="$us" 'BEGIN{print a+b}')
  done
  echo "$line"
done
awk -v a="${sum[t1]}" -v b="${sum[t2-1core]}" -v c="${sum[t2-shared]}" -v n="$rounds" 'BEGIN {
  printf "mean µs per delivery: t1 %.2f, t2-1core %.2f (%.2fx), t2-shared %.2f (%.2fx)\n",
    a / n, b / n, b / a, c / n, c / a }'
