#!/usr/bin/env bash
# `make deb` (issue 11): builds the Debian package with CPack from the build directory of
# $PARLEYD, checks its metadata and contents (dpkg-deb -I / -c), runs the packaged binary
# (extracted with dpkg-deb -x) with the packaged /etc/parley/parley.toml on free ports, and
# checks the systemd unit (systemd-analyze verify and security --offline, plus its keys).
#   PARLEYD=build/parleyd bash tests/cli/deb_package.sh
set -euo pipefail

name=deb-package stop_signal=TERM
source "$(dirname "$0")/lib/cli_test_env.sh"
build_dir=$(cd "$(dirname "$parleyd")" && pwd)

checks=0
pass() { echo "ok   $1"; checks=$((checks + 1)); }
fail() { echo "FAIL $1"; for f in "$work"/*.log; do [ -e "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done; exit 1; }

for tool in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install cmake dpkg-dev)"
done
[ -f "$build_dir/CPackConfig.cmake" ] || fail "no CPackConfig.cmake in $build_dir (configure with cmake first)"

# The package goes to the work directory, not into the build tree.
(cd "$build_dir" && cpack -G DEB -B "$work/pkg") >"$work/cpack.log" 2>&1 || fail "cpack -G DEB builds the package"
deb=$(ls "$work"/pkg/parleyd_*.deb)
version=$(sed -n 's/.*kParleyVersion = "\([0-9.]*\)".*/\1/p' "$repo/src/model/version.hpp")
[ "$(basename "$deb")" = "parleyd_${version}_$(dpkg --print-architecture).deb" ] || fail "package file name $(basename "$deb")"
pass "cpack builds $(basename "$deb")"

info=$(dpkg-deb -I "$deb")
grep -q "^ Package: parleyd$" <<<"$info" || fail "package name"
grep -q "^ Version: $version$" <<<"$info" || fail "package version is $version"
# dpkg-shlibdeps found the shared libraries the binary really links.
for lib in libssl3 libsqlite3-0 libpq5 libhiredis libspdlog libc6; do
  grep -q "^ Depends: .*$lib" <<<"$info" || fail "Depends names $lib: $(grep Depends <<<"$info")"
done
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = "/etc/parley/parley.toml" ] ||
  fail "/etc/parley/parley.toml is the package's conffile"
pass "dpkg-deb -I: name, version, shlibdeps Depends, conffile"

contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/parleyd ./usr/lib/systemd/system/parleyd.service ./etc/parley/parley.toml; do
  grep -q " $path$" <<<"$contents" || fail "package contains $path"
done
grep -q "^-rwxr-xr-x root/root .* ./usr/bin/parleyd$" <<<"$contents" || fail "parleyd is executable, owned by root"
pass "dpkg-deb -c: /usr/bin/parleyd, the systemd unit, /etc/parley/parley.toml"

root=$work/root
dpkg-deb -x "$deb" "$root"
packaged=$root/usr/bin/parleyd
[ "$("$packaged" --version)" = "parleyd $version" ] || fail "packaged parleyd --version"
pass "packaged parleyd --version says $version"

# The packaged config as installed, on free ports and a scratch data dir (the service passes
# --data-dir /var/lib/parley; flags win over the file).
data=$work/data
PARLEY_ACCESS_KEY_ID=AKIDDEBTEST000000001 PARLEY_SECRET_ACCESS_KEY=deb-test-secret-key-0123456789abcdefghij \
  "$packaged" --config "$root/etc/parley/parley.toml" --data-dir "$data" \
  --api-listen "127.0.0.1:$api_port" --chat-listen "127.0.0.1:$chat_port" >"$work/server.log" 2>&1 &
server_pid=$!
ready=
for _ in $(seq 200); do
  curl -fs "http://127.0.0.1:$api_port/readyz" >/dev/null 2>&1 && { ready=1; break; }
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$ready" ] || fail "packaged parleyd starts with the packaged /etc/parley/parley.toml"
grep -q "ready" "$work/server.log" || fail "startup banner"
kill -TERM "$server_pid"; wait "$server_pid" || fail "packaged parleyd stops cleanly on SIGTERM"
server_pid=
pass "packaged parleyd serves /readyz with the packaged config and stops cleanly"

unit=$root/usr/lib/systemd/system/parleyd.service
# The keys that make it a hardened service with its state in /var/lib/parley.
for key in "ExecStart=/usr/bin/parleyd --config /etc/parley/parley.toml --data-dir /var/lib/parley" \
    "ExecReload=/bin/kill -HUP \$MAINPID" "DynamicUser=yes" "StateDirectory=parley" \
    "ProtectSystem=strict" "ProtectHome=yes" "NoNewPrivileges=yes" "PrivateTmp=yes" \
    "PrivateDevices=yes" "CapabilityBoundingSet=" "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" \
    "SystemCallFilter=@system-service" "WantedBy=multi-user.target"; do
  grep -qxF "$key" "$unit" || fail "unit has $key"
done
grep -q '^data-dir = "/var/lib/parley"$' "$root/etc/parley/parley.toml" || fail "the packaged config's data-dir is the StateDirectory"
pass "unit keys: DynamicUser, StateDirectory, hardening, ExecReload=SIGHUP"

if command -v systemd-analyze >/dev/null; then
  # verify resolves ExecStart on this machine, where the package is not installed: check a copy
  # that points at the extracted binary (the path itself is checked above).
  sed "s|^ExecStart=/usr/bin/parleyd|ExecStart=$packaged|" "$unit" >"$work/parleyd.service"
  if ! out=$(systemd-analyze verify "$work/parleyd.service" 2>&1); then
    echo "$out"; fail "systemd-analyze verify parleyd.service"
  fi
  [ -z "$out" ] || { echo "$out"; fail "systemd-analyze verify has no warnings"; }
  pass "systemd-analyze verify: no errors or warnings"
  exposure=$(systemd-analyze security --offline=yes "$work/parleyd.service" 2>&1 | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
  [ -n "$exposure" ] || fail "systemd-analyze security --offline gives an exposure level"
  awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure level $exposure <= 2.0"
  pass "systemd-analyze security --offline: exposure $exposure (<= 2.0)"
else
  echo "skip systemd-analyze: not installed (apt-get install systemd); the unit's keys were checked above"
fi

echo "$checks checks passed"
