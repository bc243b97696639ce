#!/bin/bash
# Health check of the lab's PostgreSQL, run by Docker's healthcheck and Kubernetes' readiness probe.
#
# Healthy means: the server accepts TCP connections (so the socket-only server of the first init
# never counts) and every consumer's role and database exist with the current password. Whatever is
# missing is created here, not in /docker-entrypoint-initdb.d, because init scripts run only on an
# empty data directory: a service enabled later, or a rotated password, must work too.
#
# Input (environment): POSTGRES_USER, POSTGRES_PASSWORD, LAB_DATABASES ("mlflow prefect …"),
# LAB_DB_PASSWORD_<NAME> and optionally LAB_DB_EXTENSIONS_<NAME> ("pg_trgm …") per database.
set -euo pipefail

export PGHOST=127.0.0.1 PGPORT="${PGPORT:-5432}" PGUSER="${POSTGRES_USER:-postgres}" PGPASSWORD="$POSTGRES_PASSWORD"
pg_isready -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" || exit 1

# Skip the catalog work when nothing changed since the last successful run of this container.
state="${LAB_STATE_FILE:-/tmp/dataflow-lab-databases.sha256}"
wanted=$(for db in $LAB_DATABASES; do
  upper=${db^^}
  pw_var="LAB_DB_PASSWORD_${upper}"
  ext_var="LAB_DB_EXTENSIONS_${upper}"
  printf '%s:%s:%s\n' "$db" "${!pw_var}" "${!ext_var:-}"
done | sha256sum | cut -d' ' -f1)
if [ -f "$state" ] && [ "$(cat "$state")" = "$wanted" ]; then
  exit 0
fi

for db in $LAB_DATABASES; do
  upper=${db^^}
  pw_var="LAB_DB_PASSWORD_${upper}"
  ext_var="LAB_DB_EXTENSIONS_${upper}"
  # The password reaches psql through its environment, never its command line.
  LAB_PW="${!pw_var}" psql -v ON_ERROR_STOP=1 -q -d postgres -v name="$db" <<'SQL'
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
done

echo "$wanted" > "$state"
