#!/usr/bin/env bash
# Issue 10's scaling check (docs/performance.md, s and t): server CPU per delivery on 10 rooms x
# 200 connections at a steady RATE, in four set-ups measured in turns:
#   t1        --threads 1 on CPU 0, load tool on CPU 1 (the one-thread figure);
#   t2-1core  --threads 2, both loops on CPU 0, load tool on CPU 1: what a second loop costs
#             in the code, with the cores as in t1;
#   t2-shared --threads 2 on CPUs 0-1, load tool on the same two CPUs (the issue's set-up):
#             adds what sharing both cores with the load tool costs on this machine;
#   t2-spread as t2-shared with --room-affinity 0: each connection stays on the loop that
#             accepted it, so every room has members on both loops (what a room's home saves).
# The four servers and their load tools run for the whole script; only one pair works at a time:
# the others' load tools are stopped (SIGSTOP; `parley-load --no-catch-up` skips the missed sends
# when continued). Each round gives every set-up one WINDOW of seconds, in a rotating order, so
# the machine's slow and fast phases (this VM's swing by tens of percent over seconds) fall on
# all four alike; a round's ratios compare windows seconds apart.
# Measured exactly from the kernel: CPU from /proc/PID/task/*/schedstat (time on CPU, and run
# slices, about the context switches), deliveries from the server's /metrics.
# Usage: bench/threads.sh [ROUNDS] [RATE] [WINDOW]   (default 10 rounds, 200 msg/s = 40,000
# deliveries/s, 3 s windows; PARLEYD=BINARY to measure another build than build/parleyd).
# Loopback only; bounded: the load tools stop by themselves after the rounds' time.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
rounds=${1:-10} rate=${2:-200} window=${3:-3}
settle=1  # after a load tool continues: its stall's backlog is read before measuring
bin=${PARLEYD:-build/parleyd}
[ -x "$bin" ] && [ -x build/parley-load ] || { echo "build parleyd and parley-load first (make build)"; exit 2; }
export PARLEY_ACCESS_KEY_ID=AKIDBENCHCOMPARE0001 PARLEY_SECRET_ACCESS_KEY=benchCompareSecretKey0000000000000000000
names=(t1 t2-1core t2-shared t2-spread) threads=(1 2 2 2) affinity=(1000 1000 1000 0)
server_cpus=(0 0 0,1 0,1) load_cpus=(1 1 0,1 0,1)
declare -a server load data api us slices
cleanup() {
  for i in 0 1 2 3; do
    [ -n "${load[$i]:-}" ] && kill -CONT "${load[$i]}" 2>/dev/null && kill -TERM "${load[$i]}" 2>/dev/null
    [ -n "${server[$i]:-}" ] && kill -TERM "${server[$i]}" 2>/dev/null
  done
  wait 2>/dev/null
  for i in 0 1 2 3; do [ -n "${data[$i]:-}" ] && rm -rf "${data[$i]}"; done
}
trap cleanup EXIT

# Time on CPU (ns) and run slices, summed over the server's threads.
cpu_of() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ns += $1; slices += $3} END {printf "%.0f %.0f\n", ns, slices}'; }
deliveries_of() { curl -fs "http://$1/metrics" | awk '$1 == "parley_chat_deliveries_total" {print $2}'; }

# Long enough for every round; the tools stop by themselves after it.
duration=$((rounds * 4 * (window + settle + 1) + 60))
for i in 0 1 2 3; do
  data[$i]=$(mktemp -d)
  api[$i]=127.0.0.1:$((29480 + 2 * i))
  chat=127.0.0.1:$((29481 + 2 * i))
  taskset -c "${server_cpus[$i]}" "$bin" --threads "${threads[$i]}" --data-dir "${data[$i]}" \
    --room-affinity "${affinity[$i]}" --api-listen "${api[$i]}" --chat-listen "$chat" --log-level warn >/dev/null 2>&1 &
  server[$i]=$!
  for _ in $(seq 1 100); do curl -fs "http://${api[$i]}/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  taskset -c "${load_cpus[$i]}" build/parley-load fanout --api "http://${api[$i]}" --chat "ws://$chat" \
    --connections 2000 --rooms 10 --rate "$rate" --duration "$duration" --no-catch-up >/dev/null 2>&1 &
  load[$i]=$!
  # Connected and sending, then stopped until its turn.
  for _ in $(seq 1 3000); do
    [ "$(deliveries_of "${api[$i]}")" -gt 0 ] 2>/dev/null && break
    kill -0 "${load[$i]}" 2>/dev/null || { echo "${names[$i]}: the load tool ended early"; exit 1; }
    sleep 0.05
  done
  kill -STOP "${load[$i]}"
done

echo "10x200 at $rate msg/s ($((rate * 200)) deliveries/s), $rounds rounds of ${window} s windows;"
echo "per set-up: server CPU µs per delivery [run slices per message]; per round: ÷ t1"
all=() ratios=()  # per set-up: every round's µs per delivery, and its ratio to t1's
for r in $(seq "$rounds"); do
  us=() slices=()
  line="round $r:"
  for k in 0 1 2 3; do
    i=$(((k + r) % 4))
    kill -CONT "${load[$i]}"
    sleep "$settle"
    d0=$(deliveries_of "${api[$i]}"); read -r ns0 sl0 < <(cpu_of "${server[$i]}")
    sleep "$window"
    read -r ns1 sl1 < <(cpu_of "${server[$i]}"); d1=$(deliveries_of "${api[$i]}")
    kill -STOP "${load[$i]}"
    read -r "us[$i]" "slices[$i]" < <(awk -v ns=$((ns1 - ns0)) -v sl=$((sl1 - sl0)) -v d=$((d1 - d0)) \
      'BEGIN { if (d <= 0) { print "nan nan"; exit } printf "%.3f %.1f\n", ns / 1000 / d, sl * 200 / d }')
  done
  tail=""
  for i in 0 1 2 3; do
    line="$line ${names[$i]}=${us[$i]} [${slices[$i]}]"
    all[$i]="${all[$i]:-} ${us[$i]}"
    [ "$i" = 0 ] && continue
    q=$(awk -v a="${us[0]}" -v b="${us[$i]}" 'BEGIN{printf "%.2f", b / a}')
    ratios[$i]="${ratios[$i]:-} $q"
    tail="$tail${tail:+, }${names[$i]} ${q}x"
  done
  echo "$line  ($tail)"
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
mean() { tr ' ' '\n' | grep . | awk '{s += $1} END {print s / NR}'; }
summary() {  # summary mean|median: each set-up's figure, and its ratio to t1's
  local out="" first="" v
  for i in 0 1 2 3; do
    v=$("$1" <<<"${all[$i]}")
    if [ "$i" = 0 ]; then first=$v out=$(printf "t1 %.2f" "$v"); continue; fi
    out="$out, $(awk -v n="${names[$i]}" -v a="$first" -v b="$v" 'BEGIN{printf "%s %.2f (%.2fx)", n, b, b / a}')"
  done
  echo "$1 µs per delivery: $out"
}
summary mean
summary median
echo "median of the rounds' ratios: $(for i in 1 2 3; do printf "%s%s %sx" "${sep:-}" "${names[$i]}" "$(median <<<"${ratios[$i]}")"; sep=", "; done)"
