#!/usr/bin/env bash
# Writes services/postgres/hive-metastore-schema.sql: the schema of the lab's catalog (a Hive
# metastore in Spark's own drivers, on the lab's PostgreSQL) for the Hive client Spark 4 carries
# (hive-metastore 2.3.x, which checks the schema's version is 2.3.0).
#
#   scripts/hive-schema.sh           write it
#   scripts/hive-schema.sh --check   fail if the committed file differs from what this writes
#
# Hive ships no 2.3.0 schema for PostgreSQL in one file; its schematool builds one by running the
# 1.2.0 schema and the upgrades to 2.3.0 in turn (upgrade.order.postgres). This does the same, from
# Hive's release tarball pinned by SHA-256, so the PostgreSQL health check can create it once in
# one transaction. Spark's DataNucleus would create the tables itself (autoCreateAll), but it does
# so lazily on PostgreSQL and deadlocks against its own open transaction on the first CREATE TABLE
# (docs/research/governance-2026-12-07.md, 1b).
# @see https://github.com/apache/hive/tree/rel/release-3.1.3/standalone-metastore/src/main/sql/postgres
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=services/postgres/hive-metastore-schema.sql
TARBALL=hive-standalone-metastore-3.1.3-bin.tar.gz
URL="${MAVEN:-https://repo1.maven.org/maven2}/org/apache/hive/hive-standalone-metastore/3.1.3/$TARBALL"
SHA256=83ddf76717eeb789091d845c069a631c25cad561c3d31ec0843a1ddf21f29409
SCRIPTS=apache-hive-metastore-3.1.3-bin/scripts/metastore/upgrade/postgres
# The 1.2.0 schema, then each upgrade up to the version Spark's Hive client verifies.
STEPS=(hive-schema-1.2.0 upgrade-1.2.0-to-2.0.0 upgrade-2.0.0-to-2.1.0 upgrade-2.1.0-to-2.2.0
  upgrade-2.2.0-to-2.3.0)

cache="${XDG_CACHE_HOME:-$HOME/.cache}/dataflow-lab/downloads"
mkdir -p "$cache"
if ! echo "$SHA256  $cache/$TARBALL" | sha256sum -c --status - 2>/dev/null; then
  curl -fsSL --retry 3 "$URL" -o "$cache/$TARBALL.part"
  echo "$SHA256  $cache/$TARBALL.part" | sha256sum -c --quiet -
  mv "$cache/$TARBALL.part" "$cache/$TARBALL"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
members=()
for step in "${STEPS[@]}"; do members+=("$SCRIPTS/$step.postgres.sql"); done
tar -xzf "$cache/$TARBALL" -C "$tmp" "${members[@]}"
{
  echo "-- The Hive metastore's schema 2.3.0 for PostgreSQL, written by scripts/hive-schema.sh from"
  echo "-- Hive 3.1.3's $SCRIPTS/ (in order: ${STEPS[*]})."
  echo "-- Do not edit: run the script."
  for step in "${STEPS[@]}"; do
    echo
    echo "-- ---- $step.postgres.sql"
    cat "$tmp/$SCRIPTS/$step.postgres.sql"
  done
} > "$tmp/schema.sql"

if [ "${1:-}" = "--check" ]; then
  diff -q "$tmp/schema.sql" "$OUT" >/dev/null ||
    { echo "error: $OUT is not what scripts/hive-schema.sh writes: run it" >&2; exit 1; }
else
  cp "$tmp/schema.sql" "$OUT"
fi
