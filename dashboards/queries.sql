-- txreplay dashboard queries (plain SQL, the same text as the panels of txreplay.json).
-- Run them with `txreplay query` (embedded store or --clickhouse-url) or in clickhouse-client after replacing
-- the Grafana ClickHouse datasource macro $__timeFilter(col) with e.g. `col >= toDateTime('2025-01-01 00:00:00')
-- AND col <= toDateTime('2026-01-01 00:00:00')`.
-- Only complete runs count: a run is complete when its `runs` row exists (written last).
-- Written for ClickHouse 18.16 and later (no window functions, no DateTime64 functions, no query parameters).
-- `time` columns are wall clock (UTC): the trace clock (CLOCK_MONOTONIC) plus runs.wall_offset_ns.

-- name: stalls_per_device
-- title: Stalls per host / device (stopped TX queue intervals)
-- panel: table
SELECT host, dev, count() AS stalls, uniqExact(queue) AS queues, round(sum(duration_ns) / 1e6, 3) AS stopped_ms, round(max(duration_ns) / 1e6, 3) AS longest_ms
FROM queue_intervals
-- ALL, not ANY: newer servers make ANY INNER JOIN pick one row per key on both sides (runs has one row per run)
ALL INNER JOIN (SELECT run_id, host FROM runs WHERE complete = 1) AS r USING (run_id)
WHERE $__timeFilter(start_time)
GROUP BY host, dev
ORDER BY stopped_ms DESC, host, dev;

-- name: queue_state_timeline
-- title: Queue state timeline (DRV_XOFF / STACK_XOFF / FROZEN / trace gaps)
-- panel: table
SELECT start_time AS time, end_time, dev, queue, state, round(duration_ns / 1e6, 3) AS ms
FROM queue_intervals
WHERE $__timeFilter(start_time) AND run_id IN (SELECT run_id FROM runs WHERE complete = 1)
ORDER BY time, dev, queue;

-- name: drops_per_second
-- title: Drops per second (kfree_skb of TX packets; qdisc drops become ENOBUFS at the sender)
-- panel: timeseries
SELECT toDateTime(toUInt32(time), 'UTC') AS t, dev, drop_reason, count() AS drops
FROM packets
WHERE fate = 'dropped' AND $__timeFilter(time) AND run_id IN (SELECT run_id FROM runs WHERE complete = 1)
GROUP BY t, dev, drop_reason
ORDER BY t, dev, drop_reason;

-- name: enobufs_findings
-- title: ENOBUFS / qdisc drop findings
-- panel: table
SELECT start_time AS time, dev, queue, severity, title
FROM findings
WHERE kind IN ('qdisc_drops_enobufs', 'qdisc_throttled', 'qdisc_stuck_backlog') AND $__timeFilter(start_time)
  AND run_id IN (SELECT run_id FROM runs WHERE complete = 1)
ORDER BY time;

-- name: napi_gaps
-- title: NAPI poll gaps per device (longest time without a poll)
-- panel: table
SELECT dev, sum(run_polls) AS polls, round(max(run_max_gap_ns) / 1e6, 3) AS max_gap_ms, round(sum(run_span_ns) / greatest(sum(run_polls) - count(), 1) / 1e6, 3) AS mean_gap_ms
FROM
(
  SELECT run_id, dev, count() AS run_polls, arrayReduce('max', arrayDifference(arraySort(groupArray(ts_ns)))) AS run_max_gap_ns,
         max(ts_ns) - min(ts_ns) AS run_span_ns
  FROM events
  WHERE event = 'napi:napi_poll' AND $__timeFilter(time) AND run_id IN (SELECT run_id FROM runs WHERE complete = 1)
  GROUP BY run_id, dev
)
GROUP BY dev
ORDER BY max_gap_ms DESC, dev;

-- name: dql_limit
-- title: DQL limit observed vs expected (bytes)
-- panel: timeseries
SELECT time, concat(dev, ' txq ', toString(queue)) AS txq, dql_limit_observed AS observed, dql_limit_expected AS expected
FROM series
WHERE $__timeFilter(time) AND (dql_limit_observed IS NOT NULL OR dql_limit_expected IS NOT NULL)
  AND run_id IN (SELECT run_id FROM runs WHERE complete = 1)
ORDER BY time, txq;

-- name: backlog_inflight
-- title: Qdisc backlog and inflight bytes per TX queue
-- panel: timeseries
SELECT time, concat(dev, ' txq ', toString(queue)) AS txq, backlog_packets, inflight_bytes
FROM series
WHERE $__timeFilter(time) AND run_id IN (SELECT run_id FROM runs WHERE complete = 1)
ORDER BY time, txq;

-- name: findings
-- title: Findings
-- panel: table
SELECT start_time AS time, run_id, ordinal, severity, kind, dev, queue, title
FROM findings
WHERE $__timeFilter(start_time) AND run_id IN (SELECT run_id FROM runs WHERE complete = 1)
ORDER BY run_id, ordinal;

-- name: runs
-- title: Runs
-- panel: table
SELECT last_time AS time, run_id, host, kernel, format, events, packets, findings, verdict
FROM runs
WHERE complete = 1 AND $__timeFilter(last_time)
ORDER BY time DESC;
