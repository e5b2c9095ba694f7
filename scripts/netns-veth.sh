#!/usr/bin/env bash
# Test topology for the capture kit: two network namespaces joined by a veth pair.
#
#   txr-test-snd: txr-test-s0 (ifindex 4201, 10.251.77.1/24)  <== veth ==>  txr-test-rcv: txr-test-r0 (ifindex 4202, 10.251.77.2/24)
#
# Everything is named `txr-test-*` so `down` can only ever remove what `up` made. Traffic stays inside
# these two namespaces: the /24 exists only there, eth0 and the root namespace are never touched.
#
# Usage:
#   scripts/netns-veth.sh up        create (idempotent: an old topology is removed first)
#   scripts/netns-veth.sh down      remove everything this script made
#   scripts/netns-veth.sh status    show links and qdiscs
#   scripts/netns-veth.sh burst COUNT [PAYLOAD_BYTES] [MAX_SECONDS] [PORT]
#                                   send COUNT UDP datagrams s0 -> r0 as fast as possible (bounded by count AND
#                                   time), with IP_RECVERR so qdisc drops come back as ENOBUFS; prints one JSON
#                                   line {"sent":..,"ok":..,"enobufs":..,"other_errors":..,"elapsed_s":..}
#                                   TXR_SEND_GAP_US=N paces the sends; TXR_SEND_LOG=FILE logs "<start_ns> <end_ns>"
#                                   (CLOCK_MONOTONIC) per sendto()
#   scripts/netns-veth.sh tc-json   `tc -s -j qdisc show dev txr-test-s0` (sender side)
#   scripts/netns-veth.sh link-json `ip -s -j link show dev txr-test-s0`
#
# Knobs for `up` (environment):
#   TXR_QDISC       root qdisc of txr-test-s0 (default "pfifo_fast"; e.g. "pfifo limit 32", "tbf rate 1mbit burst 1600 limit 3000")
#   TXR_TXQUEUELEN  txqueuelen of txr-test-s0 (default 32; pfifo_fast's limit per band is txqueuelen)
#   TXR_BACKPRESSURE 1 (default) = make the receiver slow, so the sender's qdisc fills and drops:
#                   GRO on r0 (and TSO off on s0) gives veth a NAPI ring (256 skbs) and, when that ring is full, veth_xmit stops
#                   the txq and returns NETDEV_TX_BUSY (rc=16); the NAPI runs threaded, pinned to CPU 0 at
#                   nice 19, and `burst` runs on CPU 0 too, so the NAPI thread falls behind the sender.
#                   0 = plain veth (the peer's backlog absorbs everything; pfifo_fast then bypasses).
#   TXR_STATIC_NEIGH 1 (default) = permanent neighbours both ways (no ARP during a test); 0 = none
#   TXR_TC          extra `tc` command lines run in the sender namespace after the root qdisc, separated by ';'
#
# Another copy of the topology (for callers that run beside this one: packages/capture/test/netns-veth-cd.sh,
# fixtures/captured/capnet.sh), for every command (environment; the defaults give the txr-test-* one above):
#   TXR_NS_PREFIX    name prefix of namespaces and devices (default txr-test; must start with txr-)
#   TXR_IFINDEX_BASE ifindex of s0; r0 gets the next one (default 4201)
#   TXR_SUBNET       first three octets of the /24 (default 10.251.77): s0 is .1, r0 is .2
#   TXR_MAC_BASE     first five octets of the MACs (default 02:74:78:72:00): s0 ends :01, r0 :02
set -euo pipefail

PREFIX=${TXR_NS_PREFIX:-txr-test}
# `down` deletes namespaces by name: only ever ones named like ours
[[ $PREFIX =~ ^txr-[a-z0-9]{1,8}$ ]] || { echo "netns-veth.sh: TXR_NS_PREFIX must be txr-<1..8 of a-z0-9>" >&2; exit 2; }
NS_S=$PREFIX-snd
NS_R=$PREFIX-rcv
DEV_S=$PREFIX-s0
DEV_R=$PREFIX-r0
IFINDEX_S=${TXR_IFINDEX_BASE:-4201}
IFINDEX_R=$((IFINDEX_S + 1))
IP_S=${TXR_SUBNET:-10.251.77}.1
IP_R=${TXR_SUBNET:-10.251.77}.2
MAC_S=${TXR_MAC_BASE:-02:74:78:72:00}:01
MAC_R=${TXR_MAC_BASE:-02:74:78:72:00}:02
SINK_PORT=9

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "netns-veth.sh: must run as root (ip netns, tc)" >&2
    exit 1
  fi
}

# Set one legacy ethtool feature inside a namespace through SIOCETHTOOL (no ethtool binary needed):
#   py_set_feature NS DEV CMD VALUE   (ETHTOOL_SGRO = 0x2c, ETHTOOL_STSO = 0x1f)
# SIOCETHTOOL = 0x8946 takes struct ifreq { char name[16]; void *data; } -> struct ethtool_value { cmd, data }
py_set_feature() {
  ip netns exec "$1" python3 - "$2" "$3" "$4" <<'EOF'
import array, fcntl, socket, struct, sys
ev = array.array('I', [int(sys.argv[2], 0), int(sys.argv[3], 0)])
addr, _ = ev.buffer_info()
ifr = struct.pack('16sP', sys.argv[1].encode(), addr)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fcntl.ioctl(s.fileno(), 0x8946, ifr)
EOF
}

do_down() {
  local ns
  for ns in $NS_S $NS_R; do
    # only our own names: never a namespace this script did not create
    case "$ns" in "$PREFIX"-*) ;; *) continue ;; esac
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
      # stop anything left running inside (a sink, a sender) before the namespace goes
      ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
      ip netns delete "$ns"
    fi
  done
}

do_up() {
  local qdisc=${TXR_QDISC:-pfifo_fast}
  local txqlen=${TXR_TXQUEUELEN:-32}
  local backpressure=${TXR_BACKPRESSURE:-1}
  do_down
  ip netns add $NS_S
  ip netns add $NS_R
  ip -n $NS_S link add $DEV_S index $IFINDEX_S address $MAC_S type veth \
    peer name $DEV_R netns $NS_R index $IFINDEX_R address $MAC_R
  ip netns exec $NS_S sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip netns exec $NS_R sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n $NS_S addr add $IP_S/24 dev $DEV_S
  ip -n $NS_R addr add $IP_R/24 dev $DEV_R
  ip -n $NS_S link set $DEV_S txqueuelen "$txqlen"
  if [ "${TXR_STATIC_NEIGH:-1}" = 1 ]; then
    # static neighbours: no ARP, so every packet on the wire during a test is one the test sent
    ip -n $NS_S neigh replace $IP_R lladdr $MAC_R dev $DEV_S nud permanent
    ip -n $NS_R neigh replace $IP_S lladdr $MAC_S dev $DEV_R nud permanent
  fi
  # shellcheck disable=SC2086
  tc -n $NS_S qdisc replace dev $DEV_S root $qdisc
  local line lines
  IFS=';' read -ra lines <<< "${TXR_TC:-}"
  for line in "${lines[@]}"; do
    # shellcheck disable=SC2086
    [ -n "${line// }" ] && tc -n $NS_S $line
  done
  ip -n $NS_S link set lo up
  ip -n $NS_R link set lo up
  if [ "$backpressure" = 1 ]; then
    # veth_xmit uses the peer's NAPI ring only for skbs veth_skb_is_eligible_for_gro(): with TSO on the
    # sender that needs rx-udp-gro-forwarding on the peer; with TSO off, GRO on the peer is enough.
    py_set_feature $NS_R $DEV_R 0x2c 1
    py_set_feature $NS_S $DEV_S 0x1f 0
  fi
  ip -n $NS_R link set $DEV_R up
  ip -n $NS_S link set $DEV_S up
  if [ "$backpressure" = 1 ]; then
    ip netns exec $NS_R sh -c "echo 1 > /sys/class/net/$DEV_R/threaded"
    local pid pids="" tries
    # the NAPI kthread may appear a moment after `threaded` is set: wait for it (bounded), else the receiver is
    # not slowed and a test that needs qdisc drops sees none
    for tries in $(seq 1 50); do
      pids=$(pgrep "^napi/${DEV_R:0:10}" || true)
      [ -n "$pids" ] && break
      sleep 0.1
    done
    [ -n "$pids" ] || { echo "netns-veth: no napi/${DEV_R:0:10}* thread after 5 s: cannot slow the receiver" >&2; exit 1; }
    for pid in $pids; do  # comm is cut at 15 chars: napi/txr-test-r
      taskset -p 1 "$pid" >/dev/null
      renice -n 19 -p "$pid" >/dev/null
    done
  fi
  # a sink that drains r0 so datagrams are consumed (consume_skb) rather than dropped as NO_SOCKET
  ip netns exec $NS_R python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(('$IP_R', $SINK_PORT))
s.settimeout(1.0)
end = time.time() + 3600  # bounded: gone after an hour even if nobody runs 'down'
while time.time() < end:
    try: s.recv(65536)
    except socket.timeout: pass
" </dev/null >/dev/null 2>&1 &
  disown || true
}

do_burst() {
  local count=${1:?count} payload=${2:-1000} maxsecs=${3:-2} port=${4:-$SINK_PORT}
  taskset -c 0 ip netns exec $NS_S python3 - "$count" "$payload" "$maxsecs" "$IP_R" "$port" \
    "${TXR_SEND_GAP_US:-0}" "${TXR_SEND_LOG:-}" <<'EOF'
import errno, json, socket, sys, time
count, payload, maxsecs, dst, port = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], int(sys.argv[5])
gap_ns, log_path = int(sys.argv[6]) * 1000, sys.argv[7]
# TXR_SEND_LOG: one line per sendto(), "<start_ns> <end_ns>" in CLOCK_MONOTONIC (bpftrace nsecs, perf -k CLOCK_MONOTONIC)
log = [] if log_path else None
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# IP_RECVERR: without it UDP hides a qdisc drop (ip_send_skb turns -ENOBUFS into 0)
s.setsockopt(socket.IPPROTO_IP, getattr(socket, 'IP_RECVERR', 11), 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 << 20)
buf = b'x' * payload
ok = enobufs = other = sent = 0
t0 = time.monotonic()
deadline = t0 + maxsecs
while sent < count and time.monotonic() < deadline:
    sent += 1
    if log is not None: t_send = time.monotonic_ns()
    try:
        s.sendto(buf, (dst, port)); ok += 1
    except OSError as e:
        if e.errno == errno.ENOBUFS: enobufs += 1
        else: other += 1
    if log is not None: log.append(f"{t_send} {time.monotonic_ns()}")
    if gap_ns:
        # TXR_SEND_GAP_US: pace the flood (busy-wait, bounded by the deadline above)
        until = time.monotonic_ns() + gap_ns
        while time.monotonic_ns() < until: pass
if log is not None:
    with open(log_path, "w") as f: f.write("\n".join(log) + "\n")
print(json.dumps({"sent": sent, "ok": ok, "enobufs": enobufs, "other_errors": other,
                  "elapsed_s": round(time.monotonic() - t0, 6), "payload": payload, "dst": dst, "port": port}))
EOF
}

cmd=${1:-}
shift || true
case "$cmd" in
  up) need_root; do_up ;;
  down) need_root; do_down ;;
  status)
    ip -n $NS_S -d link show $DEV_S 2>/dev/null || echo "no $NS_S"
    ip -n $NS_R -d link show $DEV_R 2>/dev/null || echo "no $NS_R"
    tc -n $NS_S -s qdisc show dev $DEV_S 2>/dev/null || true
    ;;
  burst) need_root; do_burst "$@" ;;
  tc-json) tc -n $NS_S -s -j qdisc show dev $DEV_S ;;
  link-json) ip -n $NS_S -s -j link show dev $DEV_S ;;
  *)
    sed -n '2,38p' "$0" >&2
    exit 2
    ;;
esac
