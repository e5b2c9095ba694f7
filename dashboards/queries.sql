-- txreplay dashboard queries: the panels of txreplay.json (ClickHouse 20.1+: DateTime64 time, millisecond filters)
-- and txreplay-clickhouse18.json (the same SQL with $__timeFilter/$__timeInterval in whole seconds, for 18.16).
-- Generated into the dashboards by packages/report/src/fleet/grafana.ts (`node dashboards/build-dashboard.mjs`).
-- Grafana ClickHouse datasource macros: $__timeFilter_ms(col), $__timeInterval_ms(col); dashboard variables
-- ${host:singlequote}, ${run:singlequote} (complete runs only: a run is complete when its `runs` row exists),
-- ${dev:singlequote}, ${queue:csv}. Run them with `txreplay query` after replacing those (see README "Dashboards").
-- host, kernel and driver_profile are on every table (no join with runs). `time` columns are wall clock (UTC).
-- Headers: -- name, -- title, -- panel (table | timeseries | barchart), -- unit (default), -- units (col=unit, …).

-- name: stalls_per_device
-- title: Stalls per host / device (stopped TX queue intervals)
-- panel: table
-- units: stalls=short, queues=short, stopped_ms=ms, longest_ms=ms
SELECT host, dev, count() AS stalls, uniqExact(queue) AS queues, round(sum(duration_ns) / 1e6, 3) AS stopped_ms, round(max(duration_ns) / 1e6, 3) AS longest_ms
FROM queue_intervals
WHERE $__timeFilter_ms(start_time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
  AND dev IN (${dev:singlequote}) AND queue IN (${queue:csv})
GROUP BY host, dev
ORDER BY stopped_ms DESC, host, dev;

-- name: stalls_by_host_driver_kernel
-- title: Fleet: which hosts, drivers and kernels stall most
-- panel: table
-- units: runs=short, stalls=short, stopped_ms=ms, longest_ms=ms
SELECT host, driver_profile AS driver, kernel, uniqExact(run_id) AS runs, count() AS stalls, round(sum(duration_ns) / 1e6, 3) AS stopped_ms, round(max(duration_ns) / 1e6, 3) AS longest_ms
FROM queue_intervals
WHERE $__timeFilter_ms(start_time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
  AND dev IN (${dev:singlequote}) AND queue IN (${queue:csv})
GROUP BY host, driver, kernel
ORDER BY stopped_ms DESC, host, driver, kernel;

-- name: time_to_watchdog
-- title: Fleet: time from the stall to the watchdog timeout (ndo_tx_timeout)
-- panel: table
-- units: timeouts=short, p50_ms=ms, p90_ms=ms, max_ms=ms
SELECT host, kernel, count() AS timeouts, round(quantileExact(0.5)(end_ns - start_ns) / 1e6, 3) AS p50_ms,
       round(quantileExact(0.9)(end_ns - start_ns) / 1e6, 3) AS p90_ms, round(max(end_ns - start_ns) / 1e6, 3) AS max_ms
FROM findings
WHERE kind = 'watchdog_timeout' AND $__timeFilter_ms(start_time) AND host IN (${host:singlequote})
  AND run_id IN (${run:singlequote}) AND dev IN (${dev:singlequote})
GROUP BY host, kernel
ORDER BY timeouts DESC, host, kernel;

-- name: enobufs_per_host
-- title: Fleet: qdisc drops per host (each one an ENOBUFS/NET_XMIT_DROP at the sender)
-- panel: barchart
-- unit: short
SELECT host, count() AS drops
FROM packets
WHERE fate = 'dropped' AND $__timeFilter_ms(time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
  AND dev IN (${dev:singlequote}) AND queue IN (${queue:csv})
GROUP BY host
ORDER BY drops DESC, host;

-- name: verdicts_over_time
-- title: Fleet: run verdicts over time
-- panel: timeseries
-- unit: short
SELECT $__timeInterval_ms(first_time) AS time, verdict, count() AS runs
FROM runs
WHERE complete = 1 AND $__timeFilter_ms(first_time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
GROUP BY time, verdict
ORDER BY time, verdict;

-- name: queue_state_timeline
-- title: Queue state timeline (DRV_XOFF / STACK_XOFF / FROZEN / trace gaps)
-- panel: table
-- units: ms=ms
SELECT start_time AS time, end_time, host, dev, queue, state, round(duration_ns / 1e6, 3) AS ms
FROM queue_intervals
WHERE $__timeFilter_ms(start_time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
  AND dev IN (${dev:singlequote}) AND queue IN (${queue:csv})
ORDER BY time, host, dev, queue;

-- name: drops_per_second
-- title: Drops per interval (kfree_skb of TX packets; qdisc drops become ENOBUFS at the sender)
-- panel: timeseries
-- unit: short
SELECT $__timeInterval_ms(time) AS t, concat(host, ' ', dev, ' ', drop_reason) AS series, count() AS drops
FROM packets
WHERE fate = 'dropped' AND $__timeFilter_ms(time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
  AND dev IN (${dev:singlequote}) AND queue IN (${queue:csv})
GROUP BY t, series
ORDER BY t, series;

-- name: enobufs_findings
-- title: ENOBUFS / qdisc drop findings
-- panel: table
SELECT start_time AS time, host, dev, queue, severity, title
FROM findings
WHERE kind IN ('qdisc_drops_enobufs', 'qdisc_throttled', 'qdisc_stuck_backlog') AND $__timeFilter_ms(start_time)
  AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
ORDER BY time;

-- name: napi_gaps
-- title: NAPI poll gaps per host / device (longest time without a poll)
-- panel: table
-- (no device filter: a NAPI instance of veth polls as "(no_device)", not as the TX device)
-- units: polls=short, max_gap_ms=ms, mean_gap_ms=ms
SELECT host, dev, sum(run_polls) AS polls, round(max(run_max_gap_ns) / 1e6, 3) AS max_gap_ms, round(sum(run_span_ns) / greatest(sum(run_polls) - count(), 1) / 1e6, 3) AS mean_gap_ms
FROM
(
  SELECT run_id, host, dev, count() AS run_polls, arrayReduce('max', arrayDifference(arraySort(groupArray(ts_ns)))) AS run_max_gap_ns,
         max(ts_ns) - min(ts_ns) AS run_span_ns
  FROM events
  WHERE event = 'napi:napi_poll' AND $__timeFilter_ms(time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
  GROUP BY run_id, host, dev
)
GROUP BY host, dev
ORDER BY max_gap_ms DESC, host, dev;

-- name: dql_limit
-- title: DQL limit observed vs expected
-- panel: timeseries
-- unit: decbytes
SELECT time, concat(host, ' ', dev, ' txq ', toString(queue)) AS txq, dql_limit_observed AS observed, dql_limit_expected AS expected
FROM series
WHERE $__timeFilter_ms(time) AND (dql_limit_observed IS NOT NULL OR dql_limit_expected IS NOT NULL)
  AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote}) AND dev IN (${dev:singlequote}) AND queue IN (${queue:csv})
ORDER BY time, txq;

-- name: backlog_inflight
-- title: Qdisc backlog (packets) and inflight (bytes) per TX queue
-- panel: timeseries
-- unit: short
-- units: inflight_bytes=decbytes, backlog_packets=short
SELECT time, concat(host, ' ', dev, ' txq ', toString(queue)) AS txq, backlog_packets, inflight_bytes
FROM series
WHERE $__timeFilter_ms(time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
  AND dev IN (${dev:singlequote}) AND queue IN (${queue:csv})
ORDER BY time, txq;

-- name: findings
-- title: Findings
-- panel: table
SELECT start_time AS time, host, run_id, ordinal, severity, kind, dev, queue, title
FROM findings
WHERE $__timeFilter_ms(start_time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
ORDER BY run_id, ordinal;

-- name: runs
-- title: Runs
-- panel: table
-- units: events=short, packets=short, findings=short
SELECT last_time AS time, run_id, host, kernel, driver_profile AS driver, format, events, packets, findings, verdict
FROM runs
WHERE complete = 1 AND $__timeFilter_ms(last_time) AND host IN (${host:singlequote}) AND run_id IN (${run:singlequote})
ORDER BY time DESC;
