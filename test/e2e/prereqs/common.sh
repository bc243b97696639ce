# shellcheck shell=bash
# Shared helpers of the e2e prerequisite scripts (sourced, not run).
#
# Conventions every script follows:
# - progress goes to stderr; stdout carries only `NAME=value` lines (paths), so a caller can
#   `eval "$(test/e2e/prereqs/minio.sh)"`;
# - downloads and builds live under $E2E_CACHE, one directory per pinned version, so a pin change
#   builds a new directory and never reuses a stale one;
# - a build happens in a temporary directory beside its final place and is renamed into place only
#   when complete, so an interrupted run leaves no half install (only a `.tmp.*` directory, which the
#   next run removes);
# - one flock per artifact, so two concurrent runs do not build the same thing twice.

E2E_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/dataflow-lab/e2e"
# shellcheck disable=SC2034 # used by the scripts that source this file
E2E_PREREQS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# with_lock NAME CMD...: run CMD while holding $E2E_CACHE/.lock-NAME.
with_lock() {
  local name=$1
  shift
  mkdir -p "$E2E_CACHE"
  (
    flock 9
    "$@"
  ) 9>"$E2E_CACHE/.lock-$name"
}

# new_tmp_dir FINAL: a fresh temporary directory beside FINAL (same file system, so `mv` is a
# rename), after removing leftovers of interrupted runs.
new_tmp_dir() {
  local final=$1
  rm -rf "$final".tmp.*
  local tmp
  tmp=$(mktemp -d "$final.tmp.XXXXXX")
  # mktemp makes it 0700; the services run as their images' users and must read the install.
  chmod 755 "$tmp"
  echo "$tmp"
}

# commit_dir TMP FINAL: rename TMP to FINAL (FINAL must not exist yet).
commit_dir() {
  mv -T "$1" "$2"
}

# go_tool DIR MODULE VERSION: `go install MODULE@VERSION` into DIR/bin (static, no VCS stamp),
# built beside DIR and renamed into place; nothing to do when the binary is there. Run it under
# with_lock. (MinIO's build, with its release ldflags, is minio.sh's own.)
go_tool() {
  local dir=$1 module=$2 version=$3 tmp
  [ -x "$dir/bin/$(basename "$module")" ] && return
  tmp=$(new_tmp_dir "$dir")
  log "$(basename "$module") $version: go install $module@$version ($(go env GOVERSION))"
  GOBIN="$tmp/bin" CGO_ENABLED=0 GOFLAGS=-buildvcs=false go install "$module@$version" >&2
  commit_dir "$tmp" "$dir"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for DESCRIPTION SECONDS CMD...: retry CMD every 0.5 s until it succeeds or time runs out.
wait_for() {
  local what=$1 secs=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${secs}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
}

# one_flag FLAG ARGS...: each script takes one option at most; prints 1 if ARGS hold FLAG, else 0,
# and refuses anything else (use as `x=$(one_flag --x "$@")`, which set -e stops on a refusal).
one_flag() {
  local flag=$1 found=0
  shift
  for arg in "$@"; do
    [ "$arg" = "$flag" ] || die "unknown argument: $arg"
    found=1
  done
  echo "$found"
}
