#!/usr/bin/env bash
# Builds or installs the peer reviewers of the k8s stack's objects, cached like the e2e
# prerequisites (test/e2e/prereqs/common.sh: one directory per version, renamed into place, one lock):
# - kube-score, built from the Go module proxy;
# - checkov, from PyPI into a venv, installed from test/review/requirements.lock (every
#   dependency pinned with its hashes; `npm run lock` regenerates it).
# stdout: KUBE_SCORE=<path> and CHECKOV=<path>. Without Go it says what is missing and exits 3 (the suite skips, saying so), except under CI=true, where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=test/e2e/prereqs/common.sh
source test/e2e/prereqs/common.sh

KUBE_SCORE_MODULE=github.com/zegl/kube-score/cmd/kube-score
KUBE_SCORE_VERSION=v1.20.0
CHECKOV_LOCK=test/review/requirements.lock

missing() {
  if [ "${CI:-}" = true ]; then
    die "CI=true, but $*"
  fi
  log "SKIP: $*"
  exit 3
}

KUBE_SCORE_DIR="$E2E_CACHE/kube-score-$KUBE_SCORE_VERSION"

# One venv per content of the lock: a changed lock installs a new one. Built in place (a venv's
# scripts name their interpreter by its path, so it cannot be renamed into place); the marker,
# written last, tells a complete venv from an interrupted one, which is built again.
CHECKOV_DIR="$E2E_CACHE/checkov-$(sha256sum "$CHECKOV_LOCK" | cut -c1-16)"
install_checkov() {
  [ -f "$CHECKOV_DIR/.complete" ] && return
  local python
  # The interpreter of the lab's own venv (pyenv's Python of the image's minor version).
  python="$(bash scripts/python-env.sh | tail -n 1)/bin/python"
  rm -rf "$CHECKOV_DIR"
  log "checkov: a venv from $CHECKOV_LOCK ($("$python" --version))"
  "$python" -m venv "$CHECKOV_DIR" >&2
  "$CHECKOV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
    --no-deps -r "$CHECKOV_LOCK" >&2
  touch "$CHECKOV_DIR/.complete"
}

if [ ! -x "$KUBE_SCORE_DIR/bin/kube-score" ]; then
  command -v go >/dev/null || missing "Go is not installed, so kube-score cannot be built"
  with_lock kube-score go_tool "$KUBE_SCORE_DIR" "$KUBE_SCORE_MODULE" "$KUBE_SCORE_VERSION"
fi
with_lock checkov install_checkov
echo "KUBE_SCORE=$KUBE_SCORE_DIR/bin/kube-score"
echo "CHECKOV=$CHECKOV_DIR/bin/checkov"
