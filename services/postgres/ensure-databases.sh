#!/bin/bash
# Health check of the lab's PostgreSQL, run by Docker's healthcheck and Kubernetes' readiness probe.
#
# Healthy means: the server accepts TCP connections (so the socket-only server of the first init
# never counts) and every consumer's role and database exist with the current password. Whatever is
# missing is created here, not in /docker-entrypoint-initdb.d, because init scripts run only on an
# empty data directory: a service enabled later, or a rotated password, must work too.
#
# Input (environment): POSTGRES_USER, POSTGRES_PASSWORD_FILE, LAB_DATABASES ("mlflow prefect …"),
# LAB_DB_PASSWORD_DIR (a file per database holding its password, named after it) and optionally
# LAB_DB_EXTENSIONS_<NAME> ("pg_trgm …") per database, and LAB_DB_SCHEMA_DIR (a file `<name>.sql`
# per database whose consumer does not create its own tables: the schema, applied while the
# database has none). Passwords come from files, never the environment, where anyone who may
# inspect the container would read them.
set -euo pipefail

PGPASSWORD=$(<"$POSTGRES_PASSWORD_FILE")
export PGHOST=127.0.0.1 PGPORT="${PGPORT:-5432}" PGUSER="${POSTGRES_USER:-postgres}" PGPASSWORD
pg_isready -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" || exit 1

# Skip the catalog work when nothing changed since the last successful run of this container.
state="${LAB_STATE_FILE:-/tmp/dataflow-lab-databases.sha256}"
for db in $LAB_DATABASES; do
  [ -s "$LAB_DB_PASSWORD_DIR/$db" ] || { echo "no password for $db in $LAB_DB_PASSWORD_DIR" >&2; exit 1; }
done
password() { cat "$LAB_DB_PASSWORD_DIR/$1"; }
schema_file() {
  local file="${LAB_DB_SCHEMA_DIR:-/nonexistent}/$1.sql"
  if [ -f "$file" ]; then echo "$file"; fi
}
wanted=$(for db in $LAB_DATABASES; do
  ext_var="LAB_DB_EXTENSIONS_${db^^}"
  printf '%s:%s:%s\n' "$db" "$(password "$db")" "${!ext_var:-}"
  schema_file "$db" | xargs -r cat
done | sha256sum | cut -d' ' -f1)
if [ -f "$state" ] && [ "$(cat "$state")" = "$wanted" ]; then
  exit 0
fi

for db in $LAB_DATABASES; do
  ext_var="LAB_DB_EXTENSIONS_${db^^}"
  # The password reaches psql through its environment, never its command line.
  LAB_PW="$(password "$db")" psql -v ON_ERROR_STOP=1 -q -d postgres -v name="$db" <<'SQL'
\getenv pw LAB_PW
SELECT format('CREATE ROLE %I LOGIN', :'name')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" WITH LOGIN PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
-- Each consumer sees only its own database.
REVOKE CONNECT ON DATABASE :"name" FROM PUBLIC;
SQL
  for ext in ${!ext_var:-}; do
    psql -v ON_ERROR_STOP=1 -q -d "$db" -c "CREATE EXTENSION IF NOT EXISTS \"$ext\""
  done
  schema=$(schema_file "$db")
  if [ -n "$schema" ] &&
    [ "$(psql -tAq -d "$db" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ]; then
    # As the consumer's role, so its tables are its own; in one transaction, so a schema that
    # fails halfway leaves the database empty for the next check to try again.
    psql -v ON_ERROR_STOP=1 -q -1 -d "$db" -c "SET ROLE \"$db\"" -f "$schema" > /dev/null
  fi
done

echo "$wanted" > "$state"
