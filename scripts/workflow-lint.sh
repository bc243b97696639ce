#!/usr/bin/env bash
# Lints the GitHub workflows: actionlint (built from the Go module proxy, cached), which checks every
# `run:` step with shellcheck, and shellcheck on the scripts the workflows call.
#
#   scripts/workflow-lint.sh               .github/workflows/*.yml and .github/scripts/*.sh
#   scripts/workflow-lint.sh FILE.yml...   only these workflow files (test/workflows.test.ts feeds
#                                          it broken ones, to prove a broken workflow fails)
#
# actionlint is built once per version into the test cache, like the e2e prerequisites
# (test/e2e/prereqs/common.sh: a temporary directory renamed into place, one lock). Without Go, or
# without shellcheck, it skips with its reason, except under CI=true, where either is a failure
# (scripts/test-prereqs.sh installs shellcheck; Go comes with the machine).
set -euo pipefail

ACTIONLINT_MODULE=github.com/rhysd/actionlint/cmd/actionlint
ACTIONLINT_VERSION=v1.7.12

# Paths given are relative to where the caller stands.
files=()
for f in "$@"; do
  files+=("$(realpath "$f")")
done
cd "$(dirname "$0")/.."
# shellcheck source=test/e2e/prereqs/common.sh
source test/e2e/prereqs/common.sh

missing() {
  if [ "${CI:-}" = true ]; then
    die "CI=true, but $*"
  fi
  log "SKIP: $* (the workflows were not linted)"
  exit 0
}

ACTIONLINT_DIR="$E2E_CACHE/actionlint-$ACTIONLINT_VERSION"
ACTIONLINT="$ACTIONLINT_DIR/bin/actionlint"

if [ ! -x "$ACTIONLINT" ]; then
  command -v go >/dev/null || missing "Go is not installed, so actionlint cannot be built"
  with_lock actionlint go_tool "$ACTIONLINT_DIR" "$ACTIONLINT_MODULE" "$ACTIONLINT_VERSION"
fi
shellcheck=$(command -v shellcheck) ||
  missing "shellcheck is not installed (apt-get install shellcheck), so run: steps would go unchecked"

if [ ${#files[@]} -eq 0 ]; then
  shopt -s nullglob
  files=(.github/workflows/*.yml .github/workflows/*.yaml)
  scripts=(.github/scripts/*.sh scripts/workflow-lint.sh)
  shopt -u nullglob
  [ ${#files[@]} -gt 0 ] || die "no workflows in .github/workflows"
  "$shellcheck" --external-sources "${scripts[@]}"
fi
# -pyflakes= : no run: step is Python, and a pyflakes on PATH must not change the verdict.
"$ACTIONLINT" -no-color -shellcheck="$shellcheck" -pyflakes= "${files[@]}"
log "actionlint $ACTIONLINT_VERSION and shellcheck: ${#files[@]} workflow(s) clean"
