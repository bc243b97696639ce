#!/usr/bin/env bash
# Stand-in for postgres:17's docker-entrypoint.sh (docker-library/postgres), the part the lab uses:
# on an empty PGDATA, initdb as POSTGRES_USER with POSTGRES_PASSWORD (initdb's own default, trust,
# stays for local and loopback connections), every other host by password (the image appends
# `host all all all scram-sha-256` to pg_hba.conf), listening on every address (the image's
# Dockerfile sets listen_addresses = '*' in the sample config), then exec the command (`postgres`).
# The image has no init scripts of the lab's to run, so its temporary init server is left out.
set -euo pipefail

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") -D "$PGDATA"
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf '\nhost all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
fi
exec "$@"
