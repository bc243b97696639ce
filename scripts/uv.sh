#!/usr/bin/env bash
# Installs uv from PyPI, pinned with the hash of every file of its release
# (scripts/uv/requirements.lock, written by `npm run lock` from scripts/uv/requirements.in), into a
# venv cached under ${XDG_CACHE_HOME:-~/.cache}/dataflow-lab/tools/uv-<hash of the lock>.
#
#   scripts/uv.sh     prints the path of the uv binary as its last line of stdout
#
# The wheel carries the binary (--only-binary: no Rust build). One installer at a time (flock); the
# marker, written last, tells a complete install from an interrupted one, which is redone. Progress
# goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=scripts/uv/requirements.lock
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/dataflow-lab/tools"

fail() {
  echo "error: $*" >&2
  exit 1
}

[ -f "$LOCK" ] || fail "$LOCK is missing: run npm run lock"
venv="$TOOLS/uv-$(sha256sum "$LOCK" | cut -c1-16)"
marker="$venv/.dataflow-lab-complete"

mkdir -p "$TOOLS"
exec 8>"$venv.lock"
flock 8
if [ ! -f "$marker" ] || [ ! -x "$venv/bin/uv" ]; then
  command -v python3 >/dev/null || fail "python3 is needed to install uv"
  echo "Installing uv into $venv from $LOCK" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
    --only-binary :all: -r "$LOCK" >&2
  touch "$marker"
fi
echo "$venv/bin/uv"
