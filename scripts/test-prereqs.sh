#!/usr/bin/env bash
# What the test suites need beyond `npm ci`: Debian packages (PostgreSQL's server for the health
# check test, later the real-services suite's tools), installed by test/e2e/prereqs/debian.sh where
# that is possible (Debian, as root or with sudo: CI and the dev machine). Elsewhere it says what
# is missing and each suite that needs it skips with its reason, except under CI=true, where a
# missing prerequisite is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

can_install() {
  command -v dpkg-query >/dev/null && command -v apt-get >/dev/null &&
    { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }
}

if can_install; then
  bash test/e2e/prereqs/debian.sh >/dev/null
elif [ "${CI:-}" = true ]; then
  echo "error: CI=true, but this machine cannot install the test prerequisites (Debian packages; needs root or sudo)" >&2
  exit 1
else
  echo "note: not installing the test prerequisites here (no apt-get as root); suites that need them skip and say why" >&2
fi
