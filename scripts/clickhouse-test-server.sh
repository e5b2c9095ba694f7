#!/usr/bin/env bash
# Starts/stops a throw-away ClickHouse server (Debian's clickhouse-server, 18.16 on bookworm) for the tests.
#
#   eval "$(scripts/clickhouse-test-server.sh start)"   # prints export lines (URL, ports, pid file, binary, dir)
#   scripts/clickhouse-test-server.sh stop              # kills it and removes its temp dir
#   scripts/clickhouse-test-server.sh restart           # same dir and ports (used after a test SIGKILLs the server)
#
# Optional environment for `start` (scripts/clickhouse-test-cluster.sh uses them): TXREPLAY_CLICKHOUSE_FIXED_HTTP_PORT and
# TXREPLAY_CLICKHOUSE_FIXED_TCP_PORT (fixed ports instead of free ones), TXREPLAY_CLICKHOUSE_EXTRA_CONFIG (a file whose
# XML is inserted into the server's <yandex> config, e.g. <remote_servers>).
#
# The server runs as a background process with its own config and data directory under a temp dir, listens on
# 127.0.0.1 only, on free ports. It is never the system service. State for `stop` is found through
# $TXREPLAY_CLICKHOUSE_DIR (exported by `start`) or the file /tmp/txreplay-clickhouse-test-server.current.
set -euo pipefail

CURRENT_FILE=${TMPDIR:-/tmp}/txreplay-clickhouse-test-server.current

find_server_bin() {
  local b
  for b in "${CLICKHOUSE_SERVER_BIN:-}" "$(command -v clickhouse-server 2>/dev/null || true)" /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
    if [ -n "$b" ] && [ -x "$b" ]; then echo "$b"; return 0; fi
  done
  echo "clickhouse-test-server: clickhouse-server not found (apt-get install clickhouse-server clickhouse-client)" >&2
  return 1
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})"
}

write_config() {
  local dir=$1 http=$2 tcp=$3
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/log" "$dir/format_schemas"
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$dir/log/server.log</log>
    <errorlog>$dir/log/server.err.log</errorlog>
    <size>100M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>50</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
$(if [ -n "${TXREPLAY_CLICKHOUSE_EXTRA_CONFIG:-}" ]; then cat "$TXREPLAY_CLICKHOUSE_EXTRA_CONFIG"; fi)
</yandex>
XML
  cat >"$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <!-- a user with a password, for the tests of credentials (never printed by txreplay) -->
    <txreplay_test>
      <password>$TEST_PASSWORD</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </txreplay_test>
  </users>
  <quotas>
    <default>
      <interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval>
    </default>
  </quotas>
</yandex>
XML
}

launch() {
  # Start the server in the background on an existing dir/config and wait for /ping.
  local dir=$1 bin=$2 http=$3
  # 18.16 writes no pid file when not daemonized, so the script records the pid itself ($! is the
  # server: the subshell execs it).
  (cd "$dir" && exec setsid "$bin" --config-file="$dir/config.xml" </dev/null >>"$dir/log/stdout.log" 2>&1) &
  echo $! >"$dir/server.pid"
  local i
  for i in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$http/ping" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "clickhouse-test-server: server did not answer /ping on 127.0.0.1:$http within 30 s; log tail:" >&2
  tail -n 20 "$dir/log/server.err.log" "$dir/log/stdout.log" >&2 2>/dev/null || true
  return 1
}

cmd_start() {
  local bin dir http tcp
  bin=$(find_server_bin)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/txreplay-clickhouse.XXXXXX")
  http=${TXREPLAY_CLICKHOUSE_FIXED_HTTP_PORT:-$(free_port)}
  tcp=${TXREPLAY_CLICKHOUSE_FIXED_TCP_PORT:-$(free_port)}
  while [ "$tcp" = "$http" ]; do tcp=$(free_port); done
  TEST_PASSWORD="pw-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  write_config "$dir" "$http" "$tcp"
  cat >"$dir/env" <<ENV
export TXREPLAY_CLICKHOUSE_URL=http://127.0.0.1:$http
export TXREPLAY_CLICKHOUSE_TCP_PORT=$tcp
export TXREPLAY_CLICKHOUSE_DIR=$dir
export TXREPLAY_CLICKHOUSE_PID_FILE=$dir/server.pid
export TXREPLAY_CLICKHOUSE_SERVER_BIN=$bin
export TXREPLAY_CLICKHOUSE_TEST_USER=txreplay_test
export TXREPLAY_CLICKHOUSE_TEST_PASSWORD=$TEST_PASSWORD
ENV
  if ! launch "$dir" "$bin" "$http"; then
    cmd_stop_dir "$dir"
    exit 1
  fi
  echo "$dir" >"$CURRENT_FILE"
  cat "$dir/env"
}

kill_dir_server() {
  local dir=$1 pid i
  [ -f "$dir/server.pid" ] || return 0
  pid=$(cat "$dir/server.pid" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/server.pid"
}

cmd_stop_dir() {
  local dir=$1
  case "$dir" in */txreplay-clickhouse.*) ;; *) echo "clickhouse-test-server: refusing to remove $dir" >&2; return 1 ;; esac
  kill_dir_server "$dir"
  rm -rf "$dir"
}

current_dir() {
  if [ -n "${TXREPLAY_CLICKHOUSE_DIR:-}" ]; then echo "$TXREPLAY_CLICKHOUSE_DIR"; return; fi
  if [ -f "$CURRENT_FILE" ]; then cat "$CURRENT_FILE"; return; fi
  echo ""
}

cmd_stop() {
  local dir
  dir=$(current_dir)
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  cmd_stop_dir "$dir"
  if [ -f "$CURRENT_FILE" ] && [ "$(cat "$CURRENT_FILE")" = "$dir" ]; then rm -f "$CURRENT_FILE"; fi
}

cmd_restart() {
  # Restart on the same data dir and ports (after a crash or SIGKILL): the data written before survives.
  local dir
  dir=$(current_dir)
  [ -n "$dir" ] && [ -f "$dir/env" ] || { echo "clickhouse-test-server: no server dir to restart" >&2; exit 1; }
  # shellcheck disable=SC1091
  . "$dir/env"
  kill_dir_server "$dir"
  launch "$dir" "$TXREPLAY_CLICKHOUSE_SERVER_BIN" "${TXREPLAY_CLICKHOUSE_URL##*:}"
  cat "$dir/env"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_restart ;;
  *) echo "usage: $0 start|stop|restart" >&2; exit 2 ;;
esac
