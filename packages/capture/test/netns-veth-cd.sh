#!/usr/bin/env bash
# Test topologies for @txreplay/capture: scripts/netns-veth.sh (same commands and knobs: up, down, status,
# burst, tc-json, link-json; TXR_QDISC, TXR_TXQUEUELEN, TXR_BACKPRESSURE, TXR_SEND_GAP_US, TXR_SEND_LOG) with
# names of their own, so they never collide with the shared txr-test-* topology other tests use.
#
# TXR_NS_TAG picks one of two independent copies, so test files running in parallel never share one:
#   cd (default): txr-cd-s0 4351 <-> txr-cd-r0 4352, 10.251.83.0/24   (dev-filter.test.ts, the fixture)
#   ck:           txr-ck-s0 4371 <-> txr-ck-r0 4372, 10.251.85.0/24   (capture.test.ts)
set -euo pipefail
case ${TXR_NS_TAG:-cd} in
  cd) export TXR_NS_PREFIX=txr-cd TXR_IFINDEX_BASE=4351 TXR_SUBNET=10.251.83 TXR_MAC_BASE=02:74:78:63:83 ;;
  ck) export TXR_NS_PREFIX=txr-ck TXR_IFINDEX_BASE=4371 TXR_SUBNET=10.251.85 TXR_MAC_BASE=02:74:78:63:85 ;;
  *) echo "netns-veth-cd.sh: TXR_NS_TAG must be cd or ck" >&2; exit 2 ;;
esac
exec "$(cd "$(dirname "$0")/../../.." && pwd)/scripts/netns-veth.sh" "$@"
