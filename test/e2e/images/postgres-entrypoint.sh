#!/usr/bin/env bash
# Stand-in for postgres:17's docker-entrypoint.sh (docker-library/postgres), the part the lab uses:
# the superuser's password from POSTGRES_PASSWORD_FILE (its file_env); on an empty PGDATA, initdb
# as POSTGRES_USER with that password (initdb's own default, trust, stays for local and loopback
# connections), every other host by password (the image appends
# `host all all all scram-sha-256` to pg_hba.conf), listening on every address (the image's
# Dockerfile sets listen_addresses = '*' in the sample config), then exec the command (`postgres`).
# The image has no init scripts of the lab's to run, so its temporary init server is left out.
set -euo pipefail

# file_env 'POSTGRES_PASSWORD': the password from POSTGRES_PASSWORD_FILE; the two are exclusive.
if [ -n "${POSTGRES_PASSWORD:-}" ] && [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  printf >&2 'error: both %s and %s are set (but are exclusive)\n' POSTGRES_PASSWORD POSTGRES_PASSWORD_FILE
  exit 1
fi
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  POSTGRES_PASSWORD="$(<"$POSTGRES_PASSWORD_FILE")"
fi
unset POSTGRES_PASSWORD_FILE

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") -D "$PGDATA"
  printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
  printf '\nhost all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
fi
exec "$@"
