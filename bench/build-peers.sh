#!/usr/bin/env bash
# Builds the benchmark peers of bench/compare.sh into bench/.peers/ (ignored by git):
#   uws_chat_peer - bench/uws_chat_peer.cpp on uWebSockets + uSockets, fetched here at the
#                   commits below (never vendored in this repository);
#   ws            - the npm `ws` package the e2e tests already install (node_modules/).
# Sources: UWS_GIT / USOCKETS_GIT may name a local clone or mirror instead of GitHub.
set -euo pipefail
cd "$(dirname "$0")/.."
UWS_GIT=${UWS_GIT:-https://github.com/uNetworking/uWebSockets.git}
USOCKETS_GIT=${USOCKETS_GIT:-https://github.com/uNetworking/uSockets.git}
UWS_COMMIT=66dcff3dd48f0c19dd1703426365d062039321d0       # 2026-08-18 "Run fragment test in CI"
USOCKETS_COMMIT=86097c490263ab662d62e8e7b541390bdec7d149  # 2026-04-13, uWS's submodule pin
out=bench/.peers
mkdir -p "$out"

fetch() {  # fetch URL COMMIT DIR
  if [ ! -d "$3/.git" ]; then git clone --quiet --no-checkout "$1" "$3"; fi
  git -C "$3" checkout --quiet --force "$2"
}
fetch "$UWS_GIT" "$UWS_COMMIT" "$out/uWebSockets"
fetch "$USOCKETS_GIT" "$USOCKETS_COMMIT" "$out/uSockets"

# uSockets without TLS (the comparison runs with TLS off), epoll, -O3 as its own Makefile does.
objs=()
for src in "$out"/uSockets/src/*.c "$out"/uSockets/src/eventing/epoll_kqueue.c "$out"/uSockets/src/crypto/openssl.c; do
  obj="$out/obj/$(basename "${src%.c}").o"
  mkdir -p "$out/obj"
  cc -O3 -DLIBUS_NO_SSL -std=c11 -I"$out/uSockets/src" -c "$src" -o "$obj"
  objs+=("$obj")
done
c++ -O3 -std=c++20 -DUWS_NO_ZLIB -DLIBUS_NO_SSL -I"$out/uWebSockets/src" -I"$out/uSockets/src" \
  bench/uws_chat_peer.cpp "${objs[@]}" -o "$out/uws_chat_peer"
[ -d node_modules/ws ] || npm ci --no-audit --no-fund --loglevel=error
echo "built $out/uws_chat_peer (uWebSockets $UWS_COMMIT, uSockets $USOCKETS_COMMIT); ws $(node -p 'require("./node_modules/ws/package.json").version')"
