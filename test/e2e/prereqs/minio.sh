#!/usr/bin/env bash
# Builds the lab's MinIO server and the mc client from source through the Go module proxy, cached.
#
#   test/e2e/prereqs/minio.sh [--smoke]
#
# stdout: MINIO_BIN=<path> and MC_BIN=<path> (eval-able); progress on stderr.
# --smoke: also start the server on loopback and prove it works (health, mc alias/mb/ready/pipe/cat).
#
# Pins (verified; see README.md in this directory):
# - MinIO RELEASE.2025-04-22T22-12-26Z is commit 0d7408fc9969caf07de6a8c3a84f9fbb10a6739e (annotated
#   tag f19c534b; committer date 2025-04-22T22:12:26Z, hence the pseudo-version below, which the Go
#   module proxy serves). go.mod: go 1.24.0, no replace directives.
# - mc RELEASE.2025-04-16T18-13-26Z is commit b00526b153a31b36767991a4f5ce2cced435ee8e (committer date
#   2025-04-16T18:13:26Z). It is the newest mc release tagged before the MinIO release (tag created
#   2025-04-22T21:46Z; the next is RELEASE.2025-05-21T01-59-54Z); the MinIO image's Dockerfile.release
#   downloads "the latest mc" at build time, so this is the one that image most likely carries.
# - Both are built like their Makefiles' `build` target: CGO_ENABLED=0, -tags kqueue, -trimpath and
#   the ldflags of buildscripts/gen-ldflags.go (with MINIO_RELEASE=RELEASE), so `--version` prints the
#   release, as the released binaries do.
#
# Running the server: set MINIO_UPDATE=off (a release build otherwise asks dl.min.io for updates,
# cmd/server-main.go:853-860), and note that CI=true puts MinIO in CI/CD mode (cmd/common-main.go:100).
set -euo pipefail
source "$(dirname "$0")/common.sh"

MINIO_RELEASE=RELEASE.2025-04-22T22-12-26Z
MINIO_COMMIT=0d7408fc9969caf07de6a8c3a84f9fbb10a6739e
MINIO_MODVER=v0.0.0-20250422221226-0d7408fc9969
MC_RELEASE=RELEASE.2025-04-16T18-13-26Z
MC_COMMIT=b00526b153a31b36767991a4f5ce2cced435ee8e
MC_MODVER=v0.0.0-20250416181326-b00526b153a3

smoke=$(one_flag --smoke "$@")

command -v go >/dev/null || die "go is not installed"

# release_ldflags MODULE RELEASE COMMIT: what buildscripts/gen-ldflags.go prints for a release.
release_ldflags() {
  local module=$1 release=$2 commit=$3
  local tag_time=${release#RELEASE.}                 # 2025-04-22T22-12-26Z
  local version="${tag_time:0:10}T${tag_time:11:2}:${tag_time:14:2}:${tag_time:17:2}Z"
  printf '%s' "-s -w -X $module/cmd.Version=$version -X $module/cmd.CopyrightYear=${tag_time:0:4}" \
    " -X $module/cmd.ReleaseTag=$release -X $module/cmd.CommitID=$commit" \
    " -X $module/cmd.ShortCommitID=${commit:0:12}"
}

# build NAME MODULE MODVER RELEASE COMMIT: go install MODULE@MODVER into $E2E_CACHE/NAME-RELEASE/bin.
build() {
  local name=$1 module=$2 modver=$3 release=$4 commit=$5
  local final="$E2E_CACHE/$name-$release"
  if [ -x "$final/bin/$name" ]; then
    log "$name $release: cached in $final"
    return
  fi
  local tmp
  tmp=$(new_tmp_dir "$final")
  log "$name $release: go install $module@$modver ($(go env GOVERSION)) ..."
  local start=$SECONDS
  GOBIN="$tmp/bin" CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
    go install -trimpath -tags kqueue -ldflags "$(release_ldflags "$module" "$release" "$commit")" \
    "$module@$modver" >&2
  # The module version the binary was built from, as Go recorded it.
  local built
  built=$(go version -m "$tmp/bin/$name" | awk '$1 == "mod" { print $3; exit }')
  [ "$built" = "$modver" ] || die "$name: built $built, expected $modver"
  printf 'release=%s\ncommit=%s\nmodule=%s@%s\ngo=%s\nbuild_seconds=%s\n' \
    "$release" "$commit" "$module" "$modver" "$(go env GOVERSION)" "$((SECONDS - start))" \
    >"$tmp/BUILD-INFO"
  commit_dir "$tmp" "$final"
  log "$name $release: built in $((SECONDS - start))s, $(du -h "$final/bin/$name" | cut -f1)"
}

with_lock minio build minio github.com/minio/minio "$MINIO_MODVER" "$MINIO_RELEASE" "$MINIO_COMMIT"
with_lock mc build mc github.com/minio/mc "$MC_MODVER" "$MC_RELEASE" "$MC_COMMIT"

MINIO_BIN="$E2E_CACHE/minio-$MINIO_RELEASE/bin/minio"
MC_BIN="$E2E_CACHE/mc-$MC_RELEASE/bin/mc"

smoke_test() {
  local work pid api console
  work=$(mktemp -d /tmp/dfl-minio-smoke.XXXXXX)
  pid=
  # shellcheck disable=SC2064
  trap "[ -n \"\${pid:-}\" ] && kill \${pid:-} 2>/dev/null; wait 2>/dev/null; rm -rf '$work'" EXIT
  api=$(free_port)
  console=$(free_port)
  export MINIO_ROOT_USER=e2e-root MINIO_ROOT_PASSWORD=e2e-root-password MINIO_UPDATE=off
  # The image sets MC_CONFIG_DIR=/tmp/.mc; here a private one, so no user config leaks in.
  export MC_CONFIG_DIR="$work/.mc"
  log "smoke: $("$MINIO_BIN" --version | head -1)"
  log "smoke: $("$MC_BIN" --version | head -1)"
  log "smoke: minio server $work/data --address 127.0.0.1:$api --console-address 127.0.0.1:$console"
  "$MINIO_BIN" server "$work/data" --address "127.0.0.1:$api" \
    --console-address "127.0.0.1:$console" >"$work/minio.log" 2>&1 &
  pid=$!
  wait_for "MinIO ready" 30 curl -fsS "http://127.0.0.1:$api/minio/health/ready" ||
    { cat "$work/minio.log" >&2; return 1; }
  log "smoke: GET /minio/health/ready -> $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$api/minio/health/ready")"
  wait_for "MinIO console" 30 curl -fsS -o /dev/null "http://127.0.0.1:$console/" ||
    { cat "$work/minio.log" >&2; return 1; }
  log "smoke: console GET / -> HTTP $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$console/")"
  # mc's built-in alias "local" (cmd/config-v10.go loadDefaults) is http://localhost:9000 with no keys.
  log "smoke: default alias: $("$MC_BIN" alias list local --json | tr -d '\n ' )"
  "$MC_BIN" alias set lab "http://127.0.0.1:$api" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >&2
  "$MC_BIN" mb lab/lakehouse >&2
  "$MC_BIN" mb --ignore-existing lab/lakehouse lab/mlflow >&2
  echo "hello from the e2e smoke test" | "$MC_BIN" pipe lab/lakehouse/hello.txt >&2
  [ "$("$MC_BIN" cat lab/lakehouse/hello.txt)" = "hello from the e2e smoke test" ] ||
    die "object round trip failed"
  "$MC_BIN" ls lab >&2
  # The image's health check is `mc ready local`; MC_HOST_local points "local" at this server
  # (checked before the config file, cmd/config.go expandAlias). mc ready needs no credentials.
  MC_HOST_local="http://127.0.0.1:$api" timeout 20 "$MC_BIN" ready local >&2
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  # `mc ready` retries every 5 s until healthy (cmd/ready-main.go): with the server gone it does not
  # fail, it hangs until a timeout ends it.
  local rc=0
  MC_HOST_local="http://127.0.0.1:$api" timeout 3 "$MC_BIN" ready local >/dev/null 2>&1 || rc=$?
  log "smoke: mc ready local with the server stopped: exit $rc (124 = killed by timeout)"
  log "smoke: OK"
}

if [ "$smoke" = 1 ]; then
  (smoke_test)
fi

echo "MINIO_BIN=$MINIO_BIN"
echo "MC_BIN=$MC_BIN"
