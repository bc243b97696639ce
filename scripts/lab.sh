#!/usr/bin/env bash
# Runs the Pulumi CLI for this lab with a local file backend (no Pulumi account needed).
#
#   scripts/lab.sh up [stack] [pulumi up flags]   create/select the stack (default dev) and deploy
#   scripts/lab.sh destroy [stack]                remove the lab (data volumes/PVCs/buckets are kept)
#   scripts/lab.sh urls [stack]                   what to open
#   scripts/lab.sh credentials [stack]            every login (decrypted)
#   scripts/lab.sh pulumi <pulumi args>           any Pulumi command on this backend (npm run pulumi --)
#
# State lives in $DATAFLOW_LAB_HOME (default ~/.dataflow-lab); its secrets are encrypted with a
# passphrase generated there on first use, unless PULUMI_CONFIG_PASSPHRASE(_FILE) is already set.
set -euo pipefail

command="${1:-up}"
if [ "$command" = pulumi ]; then
  shift
else
  stack="${2:-dev}"
  shift $(($# > 2 ? 2 : $#))
fi
cd "$(dirname "$0")/.."

fail() {
  echo "error: $*" >&2
  exit 1
}
command -v pulumi >/dev/null || fail "the Pulumi CLI is not installed: https://www.pulumi.com/docs/install/"
command -v node >/dev/null || fail "Node.js 22 or later is not installed"
[ -d node_modules ] || npm ci

home="${DATAFLOW_LAB_HOME:-$HOME/.dataflow-lab}"
mkdir -p "$home/state"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$home/state}"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  passphrase="$home/passphrase"
  if [ ! -s "$passphrase" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 >"$passphrase")
    echo "Generated $passphrase: it decrypts the lab's credentials in the state; keep it." >&2
  fi
  export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase"
fi

# Health checks' start_interval needs Docker API 1.44 (Engine 25+); podman's compatible API is
# 1.41, and the provider refuses such a container. Turned off once, visibly, where the host is older.
# Without a docker CLI (podman alone), the API's own /version answers on its socket.
docker_api() {
  local host=${DOCKER_HOST:-unix:///var/run/docker.sock}
  if command -v docker >/dev/null; then
    docker version --format '{{.Server.APIVersion}}' 2>/dev/null
  elif [[ $host == unix://* ]] && command -v curl >/dev/null; then
    curl -sf --unix-socket "${host#unix://}" http://d/version |
      sed -n 's/.*"ApiVersion": *"\([^"]*\)".*/\1/p'
  fi
}

health_start_interval() {
  local api
  api=$(docker_api) || return 0
  [ -n "$api" ] || return 0
  if [ "$(printf '%s\n1.44\n' "$api" | sort -V | head -n1)" != 1.44 ] &&
    [ "$(pulumi config get --path docker.healthStartInterval --stack "$stack" 2>/dev/null)" != false ]; then
    echo "Docker API $api is older than 1.44: setting docker.healthStartInterval false" >&2
    pulumi config set --path docker.healthStartInterval false --stack "$stack"
  fi
}

case "$command" in
  up)
    pulumi stack select --create "$stack" --secrets-provider passphrase
    # Any stack whose target is Docker (the dev stack, or one of your own), not only "dev".
    if [ "$(pulumi config get target --stack "$stack" 2>/dev/null)" != kubernetes ]; then
      health_start_interval
      # Before anything changes: the config valid, the Docker API there, its host big enough.
      node -r ts-node/register/transpile-only scripts/preflight/main.ts "$stack" ||
        fail "the $stack stack was not deployed: fix what preflight says above (nothing was changed)"
    fi
    pulumi up --stack "$stack" "$@"
    ;;
  destroy) pulumi destroy --stack "$stack" "$@" ;;
  urls) pulumi stack output urls --stack "$stack" --json ;;
  credentials) pulumi stack output credentials --stack "$stack" --show-secrets --json ;;
  pulumi) pulumi "$@" ;;
  *) fail "unknown command '$command' (up, destroy, urls, credentials, pulumi)" ;;
esac
