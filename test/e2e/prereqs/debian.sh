#!/usr/bin/env bash
# Installs the Debian packages the real-services e2e suite needs; skips what is installed.
#
#   test/e2e/prereqs/debian.sh [--smoke]
#
# --smoke: also prove PostgreSQL starts (initdb + pg_ctl as user postgres, on a free loopback port,
# `select version()`, stop) and headless Chromium takes a screenshot of a local page.
# Runs `apt-get update` once, and only when something is missing. Non-interactive (CI=true, no
# stdin). Needs root (or sudo). stdout: PG_BIN=<dir of initdb/pg_ctl>, CHROMIUM=<path>, NC=<path>.
#
# What and why:
# - postgresql: the `postgres` user and the clients the image's health check runs (psql,
#   pg_isready). Debian bookworm ships 15; the server the suite runs is the image's release, 17.11
#   (prereqs/postgres.sh). initdb/pg_ctl live in /usr/lib/postgresql/<major>/bin and refuse to run as root (use
#   `runuser -u postgres --`). The package also creates a cluster "<major>/main" for port 5432; on
#   this kind of machine it exists and is down (no init system starts it). The suite should run its
#   own initdb'd cluster rather than rely on it.
# - iproute2: `ip netns`, veth, bridge (network namespaces per service).
# - nftables: `nft`, which enforces the k8s stack's NetworkPolicies in each service's namespace
#   (test/e2e/networkPolicy.ts).
# - chromium + fonts-liberation: headless screenshots (no recommends: fonts are the one that matters).
# - curl: HTTP health checks (the MinIO image's check is curl too).
# - ncat: `nc -z host port` for test/e2e/prereqs/netns-check.sh's listener checks.
# - procps: ps/pgrep/pkill for process bookkeeping.
# - socat: forwards a "published" port from the root namespace to a service's namespace
#   (see netns-check.sh).
# - tini: the lab runtime's init for JupyterHub and the Prefect worker (/usr/bin/tini, as in
#   apache/spark's image).
# - openjdk-17-jdk-headless, maven: Kafka (kafka.sh) and Spark need Java 17; kafka.sh uses mvn;
#   javac and jar build the SQL endpoint's login class as the image does (test/e2e/installs.ts).
#   Usually preinstalled on this kind of machine; listed so a bare machine gets them too.
# - shellcheck: checks the workflows' run: steps through actionlint (scripts/workflow-lint.sh, in
#   npm run lint) and the scripts they call.
# - podman, runc: the real-engine suite's Docker API (test/engine/podman.sh); runc because crun
#   fails on this kernel's hybrid cgroups. zstd: unpacks the prebuilt Pulumi CLI and plugins
#   (../shared/tools/pulumi/install.sh) on machines that have no Pulumi install of their own.
# Not from Debian: Go (bookworm's golang is 1.19; MinIO's go.mod needs 1.24) comes with the machine.
set -euo pipefail
source "$(dirname "$0")/common.sh"

smoke=$(one_flag --smoke "$@")

PACKAGES=(postgresql iproute2 nftables chromium fonts-liberation curl ncat procps socat
  openjdk-17-jdk-headless maven tini shellcheck podman runc zstd)

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo -n "$@"
  else
    die "not root and no sudo: cannot run $*"
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  log "all installed: ${PACKAGES[*]}"
else
  log "missing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get update"
  as_root apt-get update -q </dev/null >&2
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null >&2
  for p in "${missing[@]}"; do
    installed "$p" || die "$p did not install"
  done
fi

pg_major=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -n | tail -1)
PG_BIN="/usr/lib/postgresql/$pg_major/bin"
[ -x "$PG_BIN/initdb" ] || die "no initdb in $PG_BIN"
log "postgresql: $("$PG_BIN/postgres" --version) ($PG_BIN)"
log "chromium: $(chromium --version 2>/dev/null | head -1)"
log "nc: $(readlink -f "$(command -v nc)") ($(nc --version 2>&1 | head -1))"
log "curl: $(curl --version | head -1 | cut -d' ' -f1-2); ip: $(ip -V); socat: $(socat -V | grep -m1 'socat version' | cut -d' ' -f2-3)"
log "java: $(java -version 2>&1 | head -1); mvn: $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g')"

smoke_test() {
  local work port
  work=$(mktemp -d /tmp/dfl-debian-smoke.XXXXXX)
  chmod 755 "$work"
  # shellcheck disable=SC2064
  trap "runuser -u postgres -- '$PG_BIN/pg_ctl' -D '$work/pg' stop -m immediate >/dev/null 2>&1 || true; rm -rf '$work'" EXIT
  port=$(free_port)
  mkdir "$work/pg" "$work/sock"
  chown postgres: "$work/pg" "$work/sock"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$work/pg" -U postgres --auth=trust >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$work/pg" -l "$work/pg/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $work/sock" start >/dev/null
  log "smoke: $(psql -h 127.0.0.1 -p "$port" -U postgres -Atc 'select version()' | cut -d, -f1)"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$work/pg" -w stop >/dev/null
  log "smoke: PostgreSQL started on 127.0.0.1:$port and stopped"

  echo '<h1>DataFlow Lab e2e</h1><p>chromium headless ok</p>' >"$work/page.html"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/chromium" --window-size=600,300 \
    --screenshot="$work/shot.png" "file://$work/page.html" >/dev/null 2>&1
  [ -s "$work/shot.png" ] || die "chromium wrote no screenshot"
  log "smoke: chromium screenshot: $(head -c 24 "$work/shot.png" | od -An -tx1 | tr -d ' \n' | cut -c1-16) (PNG), $(stat -c %s "$work/shot.png") bytes"
  log "smoke: OK"
}

if [ "$smoke" = 1 ]; then
  (smoke_test)
fi

echo "PG_BIN=$PG_BIN"
echo "CHROMIUM=$(command -v chromium)"
echo "NC=$(command -v nc)"
