/**
 * `tc -s qdisc show` as users paste it: one block per qdisc (its line, then `Sent … (dropped …, overlimits …
 * requeues …)` and `backlog …`), printed by iproute2's tc/tc_qdisc.c print_qdisc() from the kernel's
 * gnet_stats_basic/gnet_stats_queue (struct gnet_stats_queue: qlen, backlog, drops, requeues, overlimits).
 * Counters since the qdisc was created; two snapshots of the same qdisc give what happened between them.
 */
export interface QdiscSnapshot {
  /** 1-based line of the `qdisc …` line in the input */
  line: number;
  /** the qdisc's kind as tc names it: pfifo_fast, mq, fq_codel, htb, tbf, noqueue, … */
  kind: string;
  /** `1:`, `0:`, `8001:` */
  handle: string;
  /** the device: `dev X` on the qdisc line, else the one the pasted tc command names; null: not given */
  dev: string | null;
  /** `root`, or the parent class (`1:11`, `:10`) */
  parent: string;
  sentBytes: number;
  sentPkts: number;
  dropped: number;
  overlimits: number;
  requeues: number;
  /** the backlog line's bytes (tc prints `1056Kb` = 1056 × 1024) and packets; null when the block has none */
  backlogBytes: number | null;
  backlogPkts: number | null;
  /** a shaper's configured rate from the qdisc line (tbf `rate 8bit`, cake `bandwidth 10Mbit`), bits/s; null: none */
  rateBitsPerSec: number | null;
  /** 0 for the first time this qdisc (dev, handle, parent) appears in the input, 1 for the second, … */
  snapshot: number;
  /** the Sent line as printed, for evidence */
  sentText: string;
}

export interface TcStatsRead {
  qdiscs: QdiscSnapshot[];
  /** seconds between snapshots when the paste shows them (`…; sleep 1; tc -s …`); null: not shown */
  intervalSec: number | null;
  /** lines that are neither tc output nor a pasted command */
  skipped: number;
  firstSkipped: { line: number; text: string } | null;
}
