#!/usr/bin/env bash
# Parley against uWebSockets and Node `ws`, side by side in one run (docs/performance.md, g).
# Every server runs pinned to CPU 0 (parleyd with --threads 1), the load tool pinned to CPU 1.
# Servers are interleaved per scenario: Parley, uWS, ws, Parley again. Loopback only; every run
# is bounded. Usage: bench/compare.sh [OUT_DIR]   (build/ and bench/build-peers.sh first)
# Environment: RATES_10x200 / RATES_1x2000 (aggregate msg/s per phase), DURATION (s per phase),
# IDLE (connections for the memory run), SERVERS (default "parley uws ws parley"; a server named
# more than once is reported as the median of its runs). `parley2` is parleyd --threads 2 on
# CPUs 0-1 with the load tool on the same two CPUs (issue 10's scaling check, against `parley`).
# SCENARIOS (default "10x200 1x2000 idle") picks the runs made for each server: e.g.
# SCENARIOS=10x200 SERVERS="parley parley2 parley2 parley ..." repeats the scaling check alone.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d /tmp/parley-compare.XXXXXX)}
mkdir -p "$out"
RATES_10x200=${RATES_10x200:-100,200,400,600,800,1000}
RATES_1x2000=${RATES_1x2000:-10,20,40,60,80,100}
DURATION=${DURATION:-5}
IDLE=${IDLE:-10000}
SERVERS=${SERVERS:-parley uws ws parley}
SCENARIOS=${SCENARIOS:-10x200 1x2000 idle}
load=build/parley-load
[ -x build/parleyd ] && [ -x "$load" ] || { echo "build parleyd and parley-load first (make build)"; exit 2; }
[ -x bench/.peers/uws_chat_peer ] || { echo "run bench/build-peers.sh first"; exit 2; }
export PARLEY_ACCESS_KEY_ID=AKIDBENCHCOMPARE0001 PARLEY_SECRET_ACCESS_KEY=benchCompareSecretKey0000000000000000000
# Below the ephemeral port range (32768-60999 here), which the load tool's 10,000 client sockets
# draw from: a listener there can find its port taken by a client connection.
API=127.0.0.1:29080 CHAT=127.0.0.1:29081

start_server() {  # start_server NAME: sets pid, peer_flag
  case $1 in
    parley | parley2)
      local threads=1 cpus=0
      [ "$1" = parley2 ] && threads=2 cpus=0,1
      data=$(mktemp -d)
      taskset -c $cpus build/parleyd --threads $threads --data-dir "$data" --api-listen $API \
        --chat-listen $CHAT --log-level warn >"$out/server.log" 2>&1 &
      pid=$! peer_flag=
      for _ in $(seq 1 100); do curl -fs "http://$API/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
      curl -fs "http://$API/readyz" >/dev/null 2>&1 || { echo "parleyd did not start:"; cat "$out/server.log"; } ;;
    uws)
      taskset -c 0 bench/.peers/uws_chat_peer "${CHAT##*:}" >"$out/server.log" 2>&1 &
      pid=$! peer_flag=--peer; sleep 0.5 ;;
    ws)
      taskset -c 0 node bench/ws_chat_peer.mjs "${CHAT##*:}" >"$out/server.log" 2>&1 &
      pid=$! peer_flag=--peer; sleep 1 ;;
  esac
}
stop_server() {
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  [ -n "${data:-}" ] && rm -rf "$data"; data=
}

n=0
for server in $SERVERS; do
  n=$((n + 1))
  load_cpus=1; [ "$server" = parley2 ] && load_cpus=0,1
  for scenario in $SCENARIOS; do
    [ "$scenario" = idle ] && continue
    rooms=${scenario%x*} per=${scenario#*x}
    rates=RATES_$scenario
    start_server "$server"
    echo "== $n $server fanout $scenario (rates ${!rates} msg/s, ${DURATION}s each)"
    timeout 600 taskset -c "$load_cpus" "$load" fanout $peer_flag --api "http://$API" --chat "ws://$CHAT" \
      --connections $((rooms * per)) --rooms "$rooms" --rate "${!rates}" --duration "$DURATION" \
      --server-pid "$pid" >"$out/$n-$server-fanout-$scenario.txt" 2>&1
    grep -E '^\| [0-9]|^opened|^open CPU' "$out/$n-$server-fanout-$scenario.txt"
    stop_server
  done
  case " $SCENARIOS " in *" idle "*) ;; *) continue ;; esac
  start_server "$server"
  echo "== $n $server idle $IDLE"
  timeout 600 taskset -c "$load_cpus" "$load" idle $peer_flag --api "http://$API" --chat "ws://$CHAT" \
    --connections "$IDLE" --duration 5 --server-pid "$pid" >"$out/$n-$server-idle.txt" 2>&1
  grep -E '^\| [0-9]|^opened|^open CPU' "$out/$n-$server-idle.txt"
  stop_server
done
node bench/report.mjs "$out" | tee "$out/report.md"
echo "raw output: $out"
