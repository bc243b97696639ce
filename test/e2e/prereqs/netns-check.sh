#!/usr/bin/env bash
# Proves that network namespaces work here the way the real-services suite needs them, then removes
# everything it made (also on error or interrupt).
#
#   test/e2e/prereqs/netns-check.sh [--minio]
#
# Layout (like a Docker user network; all addresses on a bridge made here, inside this machine):
#   root ns: bridge dfl-br0 10.213.0.1/24
#   ns dfl-minio: eth0 10.213.0.2/24, lo up, /etc/hosts: localhost, minio, kafka
#   ns dfl-kafka: eth0 10.213.0.3/24, lo up, same /etc/hosts
# `ip netns exec NAME` bind-mounts every file of /etc/netns/NAME/ over /etc/ (ip-netns(8)), so
# writing /etc/netns/NAME/hosts gives the namespace its own host names.
# Checks: an HTTP server in dfl-minio, fetched by name from dfl-kafka and by address from the root
# namespace; a "published" port (Docker's 127.0.0.1:P -> container:9000) reached at 127.0.0.1:P in
# the root namespace, through socat (the suite's choice) and, where iptables exists, through a DNAT
# rule (route_localnet); `nc -z localhost PORT` against a 127.0.0.1-only listener with Docker's hosts
# file (localhost -> ::1 first); capabilities (route_localnet sysctl, raising an rlimit).
# --minio: also run the cached MinIO (minio.sh) in dfl-minio on :9000 and its health check
# `mc ready local` there with an empty MC_CONFIG_DIR, exactly as in the image.
#
# Refuses to start when any of these names exist or 10.213.0.0/24 is already in use, so it never
# touches what it did not make.
set -euo pipefail
source "$(dirname "$0")/common.sh"

with_minio=$(one_flag --minio "$@")

[ "$(id -u)" = 0 ] || die "needs root (ip netns, bridges)"
for tool in ip curl socat python3 nc; do
  command -v "$tool" >/dev/null || die "$tool is missing (run debian.sh)"
done

BRIDGE=dfl-br0
SUBNET=10.213.0
NAMESPACES=(dfl-minio dfl-kafka)
declare -A ADDR=([dfl-minio]=$SUBNET.2 [dfl-kafka]=$SUBNET.3)
PUBLISHED_SOCAT=$(free_port)
PUBLISHED_DNAT=$(free_port)

pids=()
tmpdirs=()
iptables_rules=()
made_bridge=0
made_ns=()
made_etc_netns=0
[ -d /etc/netns ] || made_etc_netns=1

cleanup() {
  local rc=$?
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  for rule in "${iptables_rules[@]}"; do
    # shellcheck disable=SC2086
    iptables -t nat -D $rule
  done
  for ns in "${made_ns[@]}"; do
    # Deleting the host end removes the pair now (a namespace's own teardown is asynchronous).
    ip link del "v$ns" 2>/dev/null
    # Processes still inside would keep the namespace alive: end them by namespace.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    ip netns del "$ns"
    rm -rf "/etc/netns/$ns"
  done
  [ "$made_bridge" = 1 ] && ip link del "$BRIDGE"
  [ "$made_etc_netns" = 1 ] && rmdir /etc/netns 2>/dev/null
  for d in "${tmpdirs[@]}"; do rm -rf "$d"; done
  local left
  left=$(ip -o link show | grep -c 'dfl-' || true)
  log "cleanup: done (links named dfl-* left: $left; namespaces: $(ip netns list | grep -c dfl- || true))"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- refuse to clobber -----------------------------------------------------------------------------
ip link show "$BRIDGE" >/dev/null 2>&1 && die "$BRIDGE exists already"
for ns in "${NAMESPACES[@]}"; do
  ip netns list | grep -qw "$ns" && die "namespace $ns exists already"
done
ip -4 addr show | grep -q "inet $SUBNET\." && die "$SUBNET.0/24 is in use on this machine"

# --- build -------------------------------------------------------------------------------------------
log "bridge $BRIDGE $SUBNET.1/24"
ip link add "$BRIDGE" type bridge
made_bridge=1
ip addr add "$SUBNET.1/24" dev "$BRIDGE"
ip link set "$BRIDGE" up

hosts_file() {
  # Docker's own lines, then the service names.
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
  for n in "${NAMESPACES[@]}"; do printf '%s\t%s\n' "${ADDR[$n]}" "${n#dfl-}"; done
}

for ns in "${NAMESPACES[@]}"; do
  addr=${ADDR[$ns]}
  veth="v${ns}"          # <= 15 characters
  log "namespace $ns: eth0 $addr/24 via $veth on $BRIDGE"
  ip netns add "$ns"
  made_ns+=("$ns")
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip link set "$veth" master "$BRIDGE" up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  # No default route, unlike Docker: a service can reach only 10.213.0.0/24 and its own loopback,
  # so nothing it tries (update checks, DNS) leaves its namespace for the outside.
  mkdir -p "/etc/netns/$ns"
  hosts_file >"/etc/netns/$ns/hosts"
done

# --- servers -----------------------------------------------------------------------------------------
www=$(mktemp -d /tmp/dfl-netns-check.XXXXXX)
tmpdirs+=("$www")
echo "hello from dfl-minio" >"$www/index.html"
ip netns exec dfl-minio python3 -m http.server 9000 --bind 0.0.0.0 --directory "$www" \
  >/dev/null 2>&1 &
http_pid=$!
pids+=("$http_pid")
wait_for "http.server in dfl-minio" 20 ip netns exec dfl-minio curl -fsS http://127.0.0.1:9000/

check() {
  local what=$1
  shift
  local out
  if out=$("$@" 2>&1); then
    log "OK   $what${out:+: $(head -c 120 <<<"$out" | tr '\n' ' ')}"
  else
    log "FAIL $what: $(head -c 300 <<<"$out" | tr '\n' ' ')"
    return 1
  fi
}

check "dfl-kafka resolves minio (its /etc/hosts)" ip netns exec dfl-kafka getent hosts minio
check "dfl-kafka -> http://minio:9000/" ip netns exec dfl-kafka curl -fsS --max-time 5 http://minio:9000/
check "root ns -> http://${ADDR[dfl-minio]}:9000/" curl -fsS --max-time 5 "http://${ADDR[dfl-minio]}:9000/"
check "dfl-minio sees its own hosts file" ip netns exec dfl-minio grep -c minio /etc/hosts
check "root ns /etc/hosts untouched" bash -c '! grep -qw minio /etc/hosts'

# Published port, option 1: socat in the root namespace (a userland proxy, like docker-proxy).
socat "TCP-LISTEN:$PUBLISHED_SOCAT,bind=127.0.0.1,reuseaddr,fork" "TCP:${ADDR[dfl-minio]}:9000" &
pids+=($!)
wait_for "socat" 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PUBLISHED_SOCAT"
check "published via socat: root ns -> http://127.0.0.1:$PUBLISHED_SOCAT/ -> dfl-minio:9000" \
  curl -fsS --max-time 5 "http://127.0.0.1:$PUBLISHED_SOCAT/"

# Published port, option 2: DNAT of 127.0.0.1:P (needs route_localnet on the bridge made here).
if command -v iptables >/dev/null; then
  if sysctl -qw "net.ipv4.conf.$BRIDGE.route_localnet=1" 2>/dev/null; then
    log "OK   sysctl net.ipv4.conf.$BRIDGE.route_localnet=1 (allowed)"
    for rule in \
      "OUTPUT -d 127.0.0.1/32 -p tcp --dport $PUBLISHED_DNAT -j DNAT --to-destination ${ADDR[dfl-minio]}:9000" \
      "POSTROUTING -s 127.0.0.1/32 -d ${ADDR[dfl-minio]}/32 -o $BRIDGE -j SNAT --to-source $SUBNET.1"; do
      # shellcheck disable=SC2086
      iptables -t nat -A $rule
      iptables_rules+=("$rule")
    done
    check "published via iptables DNAT: root ns -> http://127.0.0.1:$PUBLISHED_DNAT/ -> dfl-minio:9000" \
      curl -fsS --max-time 5 "http://127.0.0.1:$PUBLISHED_DNAT/" || true
  else
    log "INFO sysctl route_localnet refused: DNAT of 127.0.0.1 is not possible here"
  fi
else
  log "INFO iptables not installed: DNAT option not tried (socat is the suite's choice anyway)"
fi

# nc -z localhost PORT, as the lab's Kafka health check does, against a 127.0.0.1-only listener,
# with Docker's hosts file (localhost is ::1 first).
ip netns exec dfl-kafka python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 19092)); s.listen(); time.sleep(30)' &
pids+=($!)
wait_for "listener 127.0.0.1:19092 in dfl-kafka" 10 ip netns exec dfl-kafka nc -z 127.0.0.1 19092
check "dfl-kafka: getent ahosts localhost (order)" bash -c \
  "ip netns exec dfl-kafka getent ahosts localhost | awk '\$2 == \"STREAM\" {print \$1}' | tr '\n' ' '"
check "dfl-kafka: nc -z localhost 19092 ($(readlink -f "$(command -v nc)"))" \
  ip netns exec dfl-kafka nc -z localhost 19092

# Capabilities.
if (ulimit -Hn "$(($(ulimit -Hn) + 1))") 2>/dev/null; then
  log "INFO raising the hard RLIMIT_NOFILE is allowed"
else
  log "INFO raising a hard rlimit is refused (CAP_SYS_RESOURCE is not in the bounding set): $(grep CapBnd /proc/self/status | tr -s '\t ' ' ')"
fi
log "INFO soft/hard open files: $(ulimit -Sn)/$(ulimit -Hn); processes: $(ulimit -Su)/$(ulimit -Hu)"

if [ "$with_minio" = 1 ]; then
  eval "$("$E2E_PREREQS_DIR/minio.sh")"
  # MinIO takes the place of the test HTTP server on :9000.
  kill "$http_pid"
  wait "$http_pid" 2>/dev/null || true
  data=$(mktemp -d /tmp/dfl-netns-minio.XXXXXX)
  tmpdirs+=("$data")
  # The image runs `minio server /data --console-address :9001`; root credentials from env.
  ip netns exec dfl-minio env MINIO_ROOT_USER=e2e-root MINIO_ROOT_PASSWORD=e2e-root-password \
    MINIO_UPDATE=off "$MINIO_BIN" server "$data/data" --console-address :9001 >"$data/minio.log" 2>&1 &
  pids+=($!)
  wait_for "MinIO in dfl-minio" 30 ip netns exec dfl-minio curl -fsS http://localhost:9000/minio/health/ready ||
    { cat "$data/minio.log" >&2; exit 1; }
  # As the image's health check: no alias configured, MC_CONFIG_DIR set (image ENV /tmp/.mc).
  mcdir=$(mktemp -d /tmp/dfl-netns-mc.XXXXXX)
  tmpdirs+=("$mcdir")
  check "dfl-minio: MC_CONFIG_DIR=<empty dir> mc ready local (default alias http://localhost:9000)" \
    ip netns exec dfl-minio env MC_CONFIG_DIR="$mcdir" timeout 20 "$MC_BIN" ready local
  check "mc wrote the default config there" bash -c "grep -A1 '\"local\"' '$mcdir/config.json' | tr -s ' \n' ' '"
  check "dfl-kafka -> http://minio:9000/minio/health/live" \
    ip netns exec dfl-kafka curl -fsS -o /dev/null -w '%{http_code}' http://minio:9000/minio/health/live
fi

log "all checks passed"
