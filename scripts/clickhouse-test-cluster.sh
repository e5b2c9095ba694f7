#!/usr/bin/env bash
# Starts/stops a throw-away two-shard ClickHouse cluster on loopback for the tests: two clickhouse-server processes
# (each started by scripts/clickhouse-test-server.sh, with its own dir and ports) whose configs both declare the
# cluster `txreplay_test` = shard 1 (first server) + shard 2 (second server) under <remote_servers>.
#
#   eval "$(scripts/clickhouse-test-cluster.sh start)"   # exports TXREPLAY_CLUSTER_NAME, TXREPLAY_CLUSTER_URLS (shard order)
#   scripts/clickhouse-test-cluster.sh stop              # stops both and removes their dirs
#
# State for `stop` is $TXREPLAY_CLUSTER_STATE (exported by `start`) or ${TMPDIR:-/tmp}/txreplay-clickhouse-test-cluster.current.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
CURRENT_FILE=${TMPDIR:-/tmp}/txreplay-clickhouse-test-cluster.current
CLUSTER=txreplay_test

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"
}

cmd_start() {
  local state ports=() p i
  state=$(mktemp -d "${TMPDIR:-/tmp}/txreplay-clickhouse-cluster.XXXXXX")
  while [ ${#ports[@]} -lt 4 ]; do
    p=$(free_port)
    case " ${ports[*]} " in *" $p "*) ;; *) ports+=("$p") ;; esac
  done
  cat >"$state/remote_servers.xml" <<XML
  <remote_servers>
    <$CLUSTER>
      <shard><replica><host>127.0.0.1</host><port>${ports[1]}</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>${ports[3]}</port></replica></shard>
    </$CLUSTER>
  </remote_servers>
XML
  local urls=""
  for i in 0 1; do
    mkdir -p "$state/node$i"
    if ! TMPDIR="$state/node$i" TXREPLAY_CLICKHOUSE_DIR='' TXREPLAY_CLICKHOUSE_FIXED_HTTP_PORT=${ports[$((i * 2))]} \
      TXREPLAY_CLICKHOUSE_FIXED_TCP_PORT=${ports[$((i * 2 + 1))]} TXREPLAY_CLICKHOUSE_EXTRA_CONFIG="$state/remote_servers.xml" \
      "$here/clickhouse-test-server.sh" start >"$state/node$i.env"; then
      echo "clickhouse-test-cluster: node $i did not start" >&2
      TXREPLAY_CLUSTER_STATE=$state cmd_stop
      exit 1
    fi
    urls="${urls:+$urls,}http://127.0.0.1:${ports[$((i * 2))]}"
  done
  cat >"$state/env" <<ENV
export TXREPLAY_CLUSTER_NAME=$CLUSTER
export TXREPLAY_CLUSTER_URLS=$urls
export TXREPLAY_CLUSTER_STATE=$state
ENV
  echo "$state" >"$CURRENT_FILE"
  cat "$state/env"
}

cmd_stop() {
  local state=${TXREPLAY_CLUSTER_STATE:-}
  if [ -z "$state" ] && [ -f "$CURRENT_FILE" ]; then state=$(cat "$CURRENT_FILE"); fi
  [ -n "$state" ] && [ -d "$state" ] || return 0
  case "$state" in */txreplay-clickhouse-cluster.*) ;; *) echo "clickhouse-test-cluster: refusing to remove $state" >&2; return 1 ;; esac
  local i
  for i in 0 1; do
    if [ -d "$state/node$i" ]; then TMPDIR="$state/node$i" TXREPLAY_CLICKHOUSE_DIR='' "$here/clickhouse-test-server.sh" stop || true; fi
  done
  rm -rf "$state"
  if [ -f "$CURRENT_FILE" ] && [ "$(cat "$CURRENT_FILE")" = "$state" ]; then rm -f "$CURRENT_FILE"; fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
