#!/usr/bin/env bash
# Regenerates the lab's lock files from what the lab asks for (`npm run lock`).
#
#   scripts/lock.sh           write the locks
#   scripts/lock.sh --check   regenerate into a temporary folder; fail if a committed lock differs
#   scripts/lock.sh --upgrade write the locks from the newest releases that requirements.in allows
#
# Python (images/lab-runtime): requirements.in is resolved for the image's interpreter (CPython
# 3.12 on Debian bookworm, glibc 2.36, x86_64) by a pinned uv, with hashes, into
#   requirements.lock  every wheel: installed first, with `pip install --require-hashes --no-deps`
#   pyspark.lock       PySpark (an sdist: it carries Spark's jars and scripts) and Py4J of the same
#                      resolution, installed next without build isolation, with the locked
#                      setuptools
# The locks in the repository are uv's preferences, so a rerun keeps every version that still
# satisfies requirements.in: an unchanged input gives unchanged locks.
#
# test/review/requirements.in (checkov, for the tests) is resolved the same way into its
# requirements.lock, and scripts/uv/requirements.in (uv itself) into its requirements.lock, with the
# hash of every file of the release.
#
# uv is installed from PyPI by scripts/uv.sh, from scripts/uv/requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIME=images/lab-runtime
REVIEW=test/review
UV_TOOL=scripts/uv
# The image's Python (python:3.12.14-slim-bookworm). scripts/python-env.sh reads this line.
PYTHON_VERSION=3.12
# Debian bookworm has glibc 2.36: wheels tagged up to manylinux_2_36 install there, and no newer
# ones. (manylinux_2_28 would also be safe, but would make uv ignore wheels built for 2.29-2.36.)
PYTHON_PLATFORM=x86_64-manylinux_2_36
# Locked apart from the wheels: PySpark is built from its sdist once they are installed.
SPARK_PACKAGES=(pyspark py4j)

fail() {
  echo "error: $*" >&2
  exit 1
}

uv_bin() {
  bash scripts/uv.sh | tail -n 1
}

# Resolves images/lab-runtime/requirements.in into requirements.lock and pyspark.lock in $1.
lock_python() {
  local out="$1" uv work="$WORK/python"
  uv="$(uv_bin)"
  mkdir -p "$work"

  # uv prefers the pins of the output file it is given: seed it with both committed locks, unless
  # upgrading.
  : >"$work/all.lock"
  if ! $UPGRADE; then
    for lock in "$RUNTIME/requirements.lock" "$RUNTIME/pyspark.lock"; do
      if [ -f "$lock" ]; then cat "$lock" >>"$work/all.lock"; fi
    done
  fi

  # The image has no compiler: every package must have a wheel for it (--only-binary), except
  # PySpark, which is published as an sdist only (pure Python and jars: nothing to compile).
  "$uv" pip compile "$RUNTIME/requirements.in" \
    --output-file "$work/all.lock" \
    --generate-hashes \
    --python-version "$PYTHON_VERSION" \
    --python-platform "$PYTHON_PLATFORM" \
    --only-binary :all: --no-binary pyspark \
    --custom-compile-command "npm run lock" \
    --no-config \
    --quiet

  # Split the one resolution into the image's lock and PySpark's.
  "$(dirname "$uv")/python" - "$work/all.lock" "$out/requirements.lock" "$out/pyspark.lock" \
    "${SPARK_PACKAGES[@]}" <<'PY'
import re
import sys

source, main_path, spark_path, *spark_names = sys.argv[1:]


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


header, entries = [], []
with open(source) as f:
    for line in f:
        if not entries and line.startswith("#"):
            header.append(line)
        elif line.strip() == "":
            continue
        elif line[0] in " \t":
            if not entries:
                sys.exit(f"lock.sh: unexpected line before the first requirement: {line!r}")
            entries[-1][1].append(line)
        elif line.startswith("#"):
            sys.exit(f"lock.sh: unexpected comment between requirements: {line!r}")
        else:
            name = normalize(re.match(r"[A-Za-z0-9._-]+", line).group(0))
            entries.append((name, [line]))

spark = {normalize(n) for n in spark_names}
found = {name for name, _ in entries if name in spark}
if found != spark:
    sys.exit(f"lock.sh: the resolution lacks {sorted(spark - found)}")

notes = {
    main_path: (
        "# The lab runtime image installs this with `pip install --require-hashes --no-deps`,\n"
        "# then pyspark.lock (PySpark's sdist, built with this lock's setuptools).\n"
    ),
    spark_path: (
        "# PySpark and Py4J of the resolution in requirements.lock. Install after it, with\n"
        "# --no-build-isolation: PySpark is an sdist, built with requirements.lock's setuptools.\n"
    ),
}
for path, keep in ((main_path, lambda n: n not in spark), (spark_path, lambda n: n in spark)):
    with open(path, "w") as f:
        f.writelines(header)
        f.write(notes[path])
        for name, lines in entries:
            if keep(name):
                f.writelines(lines)
PY
}

# Resolves test/review/requirements.in (checkov, a peer reviewer of the k8s stack's objects) into
# $1/requirements.lock for the test machine's Python (the same minor, on glibc up to 2.36), with
# hashes; scripts/review-tools.sh installs it with --require-hashes --no-deps.
lock_review() {
  local out="$1" uv
  uv="$(uv_bin)"
  mkdir -p "$out"
  if ! $UPGRADE && [ -f "$REVIEW/requirements.lock" ]; then
    cp "$REVIEW/requirements.lock" "$out/requirements.lock"
  fi
  "$uv" pip compile "$REVIEW/requirements.in" \
    --output-file "$out/requirements.lock" \
    --generate-hashes \
    --python-version "$PYTHON_VERSION" \
    --python-platform "$PYTHON_PLATFORM" \
    --only-binary :all: \
    --custom-compile-command "npm run lock" \
    --no-config \
    --quiet
}

# Resolves scripts/uv/requirements.in (uv, pinned there) into $1/requirements.lock with the hash of
# every file of the release, whatever the platform: scripts/uv.sh installs the wheel of the machine
# it runs on.
lock_uv() {
  local out="$1" uv
  uv="$(uv_bin)"
  mkdir -p "$out"
  if ! $UPGRADE && [ -f "$UV_TOOL/requirements.lock" ]; then
    cp "$UV_TOOL/requirements.lock" "$out/requirements.lock"
  fi
  "$uv" pip compile "$UV_TOOL/requirements.in" \
    --output-file "$out/requirements.lock" \
    --generate-hashes \
    --custom-compile-command "npm run lock" \
    --no-config \
    --quiet
}

# Resolves images/lab-runtime/proxy/package.json (JupyterHub's proxy) into
# $1/proxy/package-lock.json: npm's lockfile v3 with an integrity hash for every package, which the
# image installs with `npm ci`. npm runs on a copy of the folder, so --check can compare; the
# committed lock is its starting point, so an unchanged package.json gives an unchanged lock.
# Registry URLs are left out of the lock (as in the root package-lock.json) whatever ~/.npmrc says.
lock_proxy() {
  local out="$1" work="$WORK/proxy"
  command -v npm >/dev/null || fail "npm is needed to lock $RUNTIME/proxy"
  mkdir -p "$work" "$out/proxy"
  cp "$RUNTIME/proxy/package.json" "$work/"
  if [ -f "$RUNTIME/proxy/package-lock.json" ]; then cp "$RUNTIME/proxy/package-lock.json" "$work/"; fi
  (cd "$work" && npm install --package-lock-only --ignore-scripts --omit-lockfile-registry-resolved \
    --no-audit --no-fund --loglevel=error >&2)
  cp "$work/package-lock.json" "$out/proxy/package-lock.json"
}

main() {
  local check=false
  UPGRADE=false
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  case "${1:-}" in
    "") ;;
    --check) check=true ;;
    --upgrade) UPGRADE=true ;;
    *) fail "usage: scripts/lock.sh [--check | --upgrade]" ;;
  esac

  if ! $check; then
    lock_python "$RUNTIME"
    echo "Wrote $RUNTIME/requirements.lock and $RUNTIME/pyspark.lock" >&2
    lock_proxy "$RUNTIME"
    echo "Wrote $RUNTIME/proxy/package-lock.json" >&2
    lock_review "$REVIEW"
    echo "Wrote $REVIEW/requirements.lock" >&2
    lock_uv "$UV_TOOL"
    echo "Wrote $UV_TOOL/requirements.lock" >&2
    return
  fi

  local out="$WORK/check" stale=()
  mkdir -p "$out"
  lock_python "$out"
  lock_proxy "$out"
  lock_review "$out/review"
  lock_uv "$out/uv"
  for lock in requirements.lock pyspark.lock proxy/package-lock.json; do
    if ! diff -u "$RUNTIME/$lock" "$out/$lock" >"$out/$lock.diff" 2>&1; then
      stale+=("$RUNTIME/$lock")
      head -n 40 "$out/$lock.diff" >&2
    fi
  done
  if ! diff -u "$REVIEW/requirements.lock" "$out/review/requirements.lock" >"$out/review.diff" 2>&1; then
    stale+=("$REVIEW/requirements.lock")
    head -n 40 "$out/review.diff" >&2
  fi
  if ! diff -u "$UV_TOOL/requirements.lock" "$out/uv/requirements.lock" >"$out/uv.diff" 2>&1; then
    stale+=("$UV_TOOL/requirements.lock")
    head -n 40 "$out/uv.diff" >&2
  fi
  if [ ${#stale[@]} -gt 0 ]; then
    fail "${stale[*]} out of date with what it is locked from (requirements.in, proxy/package.json or scripts/uv/requirements.in): run npm run lock"
  fi
  echo "The locks are up to date." >&2
}

main "$@"
