#!/usr/bin/env bash
# Builds the lab runtime's Python environment outside the image, for the tests and the
# real-services suite: a Python 3.10 venv (pyenv's, like the image's 3.10) with exactly
# images/lab-runtime/requirements.lock and pyspark.lock, installed with hashes required.
#
#   scripts/python-env.sh     prints the venv's path as its last line of stdout
#
# The venv is cached under ${XDG_CACHE_HOME:-~/.cache}/dataflow-lab/python/<hash of the locks>, so
# it is built once per lock; a marker file written last tells a complete venv from a half-built one
# (which is rebuilt). pip's download and wheel caches stay in its default place, so a rebuild is
# quick. Progress goes to stderr.
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

# The newest 3.10.x that pyenv has.
shopt -s nullglob
candidates=("$PYENV_VERSIONS"/3.10.*/bin/python3.10)
shopt -u nullglob
[ ${#candidates[@]} -gt 0 ] ||
  fail "pyenv has no Python 3.10 (no $PYENV_VERSIONS/3.10.*/bin/python3.10), and the lab runtime" \
    "is locked for the image's Python 3.10: install it with 'pyenv install 3.10'"
python="$(printf '%s\n' "${candidates[@]}" | sort -V | tail -n 1)"
python_version="$("$python" -c 'import sys; print(sys.version.split()[0])')"

digest="$(cat "$RUNTIME/requirements.lock" "$RUNTIME/pyspark.lock" | sha256sum | cut -c1-16)"
root="${XDG_CACHE_HOME:-$HOME/.cache}/dataflow-lab/python"
venv="$root/$digest"
marker="$venv/.dataflow-lab-complete"
# The marker names the interpreter: a venv of a Python that pyenv has since replaced is rebuilt.
expected="python=$python version=$python_version"

mkdir -p "$root"
# One builder at a time per lock (e.g. two test runs started together).
exec 9>"$venv.lock"
flock 9

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$expected" ] && "$venv/bin/python" -c "" 2>/dev/null; then
  echo "$venv"
  exit 0
fi

echo "Building $venv (Python $python_version, $RUNTIME/requirements.lock + pyspark.lock)" >&2
rm -rf "$venv"
"$python" -m venv "$venv" >&2
export PIP_DISABLE_PIP_VERSION_CHECK=1
pip=("$venv/bin/python" -m pip)
"${pip[@]}" install --require-hashes --no-deps -r "$RUNTIME/requirements.lock" >&2
# PySpark is published as an sdist only (the hash is the sdist's): pip installs it with the venv's
# own setuptools. Then pip check can pass, unlike in the image where pip does not see PySpark.
"${pip[@]}" install --require-hashes --no-deps -r "$RUNTIME/pyspark.lock" >&2
"${pip[@]}" check >&2 || fail "pip check failed in $venv: the locks are not a consistent set"
echo "$expected" >"$marker"
echo "$venv"
