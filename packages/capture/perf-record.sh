#!/usr/bin/env bash
# perf recipe for txreplay: record the network TX-path tracepoints system-wide, then write the default
# `perf script` text that `txreplay ingest` reads.
#
# Usage (as root):
#   packages/capture/perf-record.sh SECONDS OUT.txt [DEV [IFINDEX [PEER]]]
# Environment:
#   PERF_MMAP_PAGES   per-CPU ring buffer pages (-m, power of two; default 1024 = 4 MiB/CPU): fewer lost events
#   PERF_CALL_GRAPH=1 also record kernel call chains (-g --kernel-callchains): perf script prints them under each event
#   KEEP_PERF_DATA=PATH keep the binary perf.data there (default: removed after conversion)
#
# Only the tracepoints this kernel has are recorded (e.g. napi:dql_stall_detected exists from 6.9 on).
# With DEV, net_dev_* are filtered by device name and qdisc_* by IFINDEX (qdisc events carry only an ifindex;
# find it with `ip -j link show dev DEV` in the device's namespace). napi_poll keeps DEV and, with PEER (a veth:
# the peer's NAPI completes DEV's transmits; its name is the link with ifindex /sys/class/net/DEV/iflink),
# PEER and the backlog NAPI "(no_device)". consume_skb/kfree_skb carry no device and are recorded UNFILTERED
# (a perf filter cannot follow an skb; `txreplay capture --tool perf --dev` narrows them afterwards).
# Timestamps are CLOCK_MONOTONIC (-k), like bpftrace nsecs. Lost events: `PERF_RECORD_LOST lost N` lines
# (--show-lost-events); ingest does not read them, so they are counted, reported on stderr and left out.
set -euo pipefail

secs=${1:?usage: perf-record.sh SECONDS OUT.txt [DEV [IFINDEX [PEER]]]}
out=${2:?usage: perf-record.sh SECONDS OUT.txt [DEV [IFINDEX [PEER]]]}
dev=${3:-}
ifindex=${4:-}
peer=${5:-}

TRACEPOINTS=(
  net:net_dev_queue net:net_dev_start_xmit net:net_dev_xmit net:net_dev_xmit_timeout
  qdisc:qdisc_enqueue qdisc:qdisc_dequeue
  napi:napi_poll napi:dql_stall_detected
  skb:consume_skb skb:kfree_skb
)

tracefs=/sys/kernel/tracing
[ -d $tracefs/events ] || mount -t tracefs nodev $tracefs 2>/dev/null || tracefs=/sys/kernel/debug/tracing
[ -d $tracefs/events ] || { echo "perf-record.sh: tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)" >&2; exit 1; }

args=(record -a -k CLOCK_MONOTONIC -m "${PERF_MMAP_PAGES:-1024}")
[ "${PERF_CALL_GRAPH:-0}" = 1 ] && args+=(-g --kernel-callchains)
for tp in "${TRACEPOINTS[@]}"; do
  fmt=$tracefs/events/${tp%%:*}/${tp#*:}/format
  if [ ! -e "$fmt" ]; then
    echo "perf-record.sh: $tp does not exist on this kernel ($(uname -r)); left out" >&2
    continue
  fi
  # one -e per event: a --filter applies to the -e right before it
  args+=(-e "$tp")
  if [ -n "$dev" ] && grep -q 'field:__data_loc char\[\] name;' "$fmt"; then
    args+=(--filter "name == \"$dev\"")
  elif [ -n "$dev" ] && grep -q 'field:__data_loc char\[\] dev_name;' "$fmt"; then
    if [ -n "$peer" ]; then
      args+=(--filter "dev_name == \"$dev\" || dev_name == \"$peer\" || dev_name == \"(no_device)\"")
    else
      args+=(--filter "dev_name == \"$dev\"")
    fi
  elif [ -n "$ifindex" ] && grep -q 'field:int ifindex;' "$fmt"; then
    args+=(--filter "ifindex == $ifindex")
  fi
done

data=${KEEP_PERF_DATA:-$(mktemp /tmp/txreplay-perf.XXXXXX.data)}
tmp="$out.tmp.$$"
trap 'rm -f "$tmp" "$tmp.raw"; [ -n "${KEEP_PERF_DATA:-}" ] || rm -f "$data"' EXIT

# Ctrl-C during the recording ends `sleep` early; perf then writes what it has and we still convert it
perf "${args[@]}" -o "$data" -- sleep "$secs" || true
perf script --show-lost-events -i "$data" > "$tmp.raw"
lost=$(awk '/ PERF_RECORD_LOST lost [0-9]+$/ { n += $NF } END { print n + 0 }' "$tmp.raw")
grep -v ' PERF_RECORD_LOST lost [0-9]*$' "$tmp.raw" > "$tmp" || true
rm -f "$tmp.raw"
mv "$tmp" "$out"
echo "perf-record.sh: wrote $out ($(wc -l < "$out") lines, $lost events lost)" >&2
