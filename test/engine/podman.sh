#!/usr/bin/env bash
# A Docker API for the real-engine suite, served by podman (this machine has no Docker daemon).
#
#   test/engine/podman.sh start DIR   start `podman system service` on DIR/podman.sock; prints
#                                     DOCKER_HOST=unix://DIR/podman.sock and CONTAINERS_CONF=...
#   test/engine/podman.sh stop DIR    stop it (the containers it started are the suite's to remove)
#
# podman comes from Debian (test/e2e/prereqs/debian.sh). Its configuration here is its own file
# (CONTAINERS_CONF), not /etc: crun fails on this kernel's hybrid cgroups, so runc with the cgroupfs
# manager; raising rlimits is not allowed in this sandbox, so no default ulimits; no journald, so
# events go to a file. Without systemd podman runs no health check by itself: the suite triggers
# them (`podman healthcheck run`) while `pulumi up` waits for healthy containers.
set -euo pipefail

command=${1:?start or stop}
dir=${2:?directory for the socket}
mkdir -p "$dir"
conf="$dir/containers.conf"

case "$command" in
  start)
    command -v podman >/dev/null || { echo "podman is not installed" >&2; exit 1; }
    cat >"$conf" <<'CONF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
CONF
    export CONTAINERS_CONF="$conf"
    rm -f "$dir/podman.sock"
    setsid podman system service --time=0 "unix://$dir/podman.sock" >"$dir/service.log" 2>&1 &
    echo $! >"$dir/service.pid"
    for _ in $(seq 1 100); do
      if curl -sf --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null; then
        echo "DOCKER_HOST=unix://$dir/podman.sock"
        echo "CONTAINERS_CONF=$conf"
        exit 0
      fi
      sleep 0.2
    done
    echo "podman's API did not answer on $dir/podman.sock:" >&2
    cat "$dir/service.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/service.pid" ]; then
      kill "$(cat "$dir/service.pid")" 2>/dev/null || true
      rm -f "$dir/service.pid"
    fi
    ;;
  *)
    echo "unknown command '$command' (start, stop)" >&2
    exit 1
    ;;
esac
