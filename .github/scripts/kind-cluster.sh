#!/usr/bin/env bash
# The kind recipe of docs/kubernetes.md, run as written: a local registry on
# 127.0.0.1:5001, the recipe's own kind.yaml (cut out of docs/kubernetes.md, so this test fails when the
# recipe there stops working), then the registry connected to the cluster as kind's local-registry
# guide does it (hosts.toml on every node, the registry on the `kind` network).
# @see https://kind.sigs.k8s.io/docs/user/local-registry/
#
#   .github/scripts/kind-cluster.sh     needs docker and kind on PATH
set -euo pipefail
cd "$(dirname "$0")/../.."
CLUSTER=dataflow-lab
REGISTRY=kind-registry

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed -n "/^cat > kind.yaml <<'EOF'\$/,/^EOF\$/p" docs/kubernetes.md | sed '1d;$d' >"$work/kind.yaml"
grep -q '^kind: Cluster' "$work/kind.yaml" || {
  echo "docs/kubernetes.md has no kind.yaml recipe any more (cat > kind.yaml <<'EOF' ... EOF)" >&2
  exit 1
}
cat "$work/kind.yaml"

if [ "$(docker inspect -f '{{.State.Running}}' "$REGISTRY" 2>/dev/null || true)" != true ]; then
  docker run -d --restart=always -p 127.0.0.1:5001:5000 --name "$REGISTRY" registry:2
fi
kind create cluster --name "$CLUSTER" --config "$work/kind.yaml" --wait 120s

for node in $(kind get nodes --name "$CLUSTER"); do
  docker exec "$node" mkdir -p /etc/containerd/certs.d/localhost:5001
  printf '[host."http://%s:5000"]\n' "$REGISTRY" |
    docker exec -i "$node" cp /dev/stdin /etc/containerd/certs.d/localhost:5001/hosts.toml
done
if [ "$(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$REGISTRY")" = null ]; then
  docker network connect kind "$REGISTRY"
fi
kubectl cluster-info --context "kind-$CLUSTER"
