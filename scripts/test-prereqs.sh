#!/usr/bin/env bash
# What the test suites need beyond `npm ci`: Debian packages (PostgreSQL's server for the health
# check test, later the real-services suite's tools), installed by test/e2e/prereqs/debian.sh where
# that is possible (Debian, as root: CI and the dev machine). Not Linux or not root, it stops at
# once: the real-services suite cannot run there. As root without apt-get it says what is missing
# and each suite that needs it skips with its reason, except under CI=true, where a missing
# prerequisite is a failure.
set -euo pipefail

# npm test ends with the real-services suite, which makes network and mount namespaces and cgroups:
# say so at once, not after the other suites, nor as a skip.
if [ "$(uname -s)" != Linux ] || [ "$(id -u)" != 0 ]; then
  echo "error: npm test needs Linux and root for its real-services suite (network and mount namespaces, cgroups); this is $(uname -s) as uid $(id -u). Run it as root on Linux (a VM or a privileged container), or the other suites alone: npm run jest, npm run test:registry, npm run test:review, npm run test:engine" >&2
  exit 1
fi
cd "$(dirname "$0")/.."

can_install() {
  command -v dpkg-query >/dev/null && command -v apt-get >/dev/null
}

if can_install; then
  bash test/e2e/prereqs/debian.sh >/dev/null
elif [ "${CI:-}" = true ]; then
  echo "error: CI=true, but this machine cannot install the test prerequisites (Debian packages: no apt-get)" >&2
  exit 1
else
  echo "note: not installing the test prerequisites here (no apt-get); suites that need them skip and say why" >&2
fi
