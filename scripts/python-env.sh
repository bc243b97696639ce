#!/usr/bin/env bash
# Builds the lab runtime's Python environment outside the image, for the tests and the
# real-services suite: a venv of pyenv's Python at the image's minor version (PYTHON_VERSION in
# scripts/lock.sh) with exactly images/lab-runtime/requirements.lock and pyspark.lock, installed
# with hashes required by the locked uv (scripts/uv.sh), then checked by the venv's own pip (`pip
# check`, as the image does). uv installs the very files the image's `pip install` does (byte for
# byte, but for the installer's records and the console scripts' wrappers), about 2.5 times as
# fast: docs/testing.md has the measurements.
#
#   scripts/python-env.sh     prints the venv's path as its last line of stdout
#
# The venv is cached under ${XDG_CACHE_HOME:-~/.cache}/dataflow-lab/python/<hash of the locks>, so
# it is built once per lock; a marker file written last tells a complete venv from a half-built one
# (which is rebuilt). uv's cache stays in its default place (~/.cache/uv, or UV_CACHE_DIR), so a
# rebuild is quick; the venv holds copies of its files, not links into that cache. The venv's file
# list is kept beside the marker, and a venv that something has written into since it was built (a
# service run as root, say) is refused: a suite passing on it could hide what the image lacks, as
# Prefect's UI build, left in the package by a root run, once hid that the image's user cannot
# write there. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIME=images/lab-runtime
PYENV_VERSIONS="${PYENV_ROOT:-$HOME/.pyenv}/versions"

fail() {
  echo "error: $*" >&2
  exit 1
}

for lock in requirements.lock pyspark.lock; do
  [ -f "$RUNTIME/$lock" ] || fail "$RUNTIME/$lock is missing: run npm run lock"
done

# The image's Python minor version, as the locks were resolved for it.
minor="$(sed -n 's/^PYTHON_VERSION=\([0-9][0-9.]*\)$/\1/p' scripts/lock.sh)"
[ -n "$minor" ] || fail "scripts/lock.sh has no PYTHON_VERSION=<major.minor> line"

# The newest patch release of it that pyenv has.
shopt -s nullglob
candidates=("$PYENV_VERSIONS/$minor".*/bin/"python$minor")
shopt -u nullglob
[ ${#candidates[@]} -gt 0 ] ||
  fail "pyenv has no Python $minor (no $PYENV_VERSIONS/$minor.*/bin/python$minor), and the lab" \
    "runtime is locked for the image's Python $minor: install it with 'pyenv install $minor'"
python="$(printf '%s\n' "${candidates[@]}" | sort -V | tail -n 1)"
python_version="$("$python" -c 'import sys; print(sys.version.split()[0])')"

digest="$(cat "$RUNTIME/requirements.lock" "$RUNTIME/pyspark.lock" | sha256sum | cut -c1-16)"
root="${XDG_CACHE_HOME:-$HOME/.cache}/dataflow-lab/python"
venv="$root/$digest"
marker="$venv/.dataflow-lab-complete"
files="$venv/.dataflow-lab-files"
# The marker names the interpreter: a venv of a Python that pyenv has since replaced is rebuilt.
expected="python=$python version=$python_version"

# Every file and link of the venv with its size; bytecode is left out (Python writes it on import).
file_list() {
  (cd "$venv" && find . \( -name __pycache__ -prune \) -o \( -type f -o -type l \) \
    -not -name '*.pyc' -not -name '.dataflow-lab-*' -printf '%p %s\n' | LC_ALL=C sort)
}

mkdir -p "$root"
# One builder at a time per lock (e.g. two test runs started together).
exec 9>"$venv.lock"
flock 9

# (A venv built before the file list was kept has none: it is rebuilt.)
if [ -f "$marker" ] && [ -f "$files" ] && [ "$(cat "$marker")" = "$expected" ] &&
  "$venv/bin/python" -c "" 2>/dev/null; then
  changed="$(file_list | diff "$files" - | grep '^[<>]' | head -n 5 || true)"
  [ -z "$changed" ] || fail "$venv has changed since it was built (< built, > now; first 5):
$changed
Something wrote into the lab runtime's environment, which the image's services cannot do; find
what, then remove $venv to rebuild it."
  echo "$venv"
  exit 0
fi

uv="$(bash scripts/uv.sh | tail -n 1)"
echo "Building $venv (Python $python_version, $RUNTIME/requirements.lock + pyspark.lock)" >&2
rm -rf "$venv"
# The standard library's venv, with the pip that Python bundles, as the image's Python has one.
"$python" -m venv "$venv" >&2
# Bytecode compiled at install, as pip does; files copied out of uv's cache, so that nothing written
# into the venv can reach the cache (or another venv).
install=("$uv" pip install --no-config --python "$venv/bin/python" --require-hashes --no-deps
  --compile-bytecode --link-mode=copy)
"${install[@]}" -r "$RUNTIME/requirements.lock" >&2
# PySpark is published as an sdist only (the hash is the sdist's): it is built with the locked
# setuptools that requirements.lock installed, as the image does.
"${install[@]}" --no-build-isolation -r "$RUNTIME/pyspark.lock" >&2
PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip check >&2 ||
  fail "pip check failed in $venv: the locks are not a consistent set"
file_list >"$files"
echo "$expected" >"$marker"
echo "$venv"
