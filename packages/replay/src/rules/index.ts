/**
 * Findings: where the observed TX path parts from what the kernel rules say must happen
 * (docs/kernel-tx-path.md §I). One finding kind per file; each rule declares the evidence it needs. The
 * lists below fix the order rules run in, which is the order findings come out (replay.ts sorts them by
 * severity and time, stably): per device, per queue, its long stops (the first stop rule that applies
 * classifies each), then the queue rules, then the device rules; trace gaps last.
 */
import type { Finding } from '../types.js';
import { K } from '../observe/kinds.js';
import type { Observed } from '../observe/records.js';
import {
  deviceCtx,
  FindingSink,
  StallFindings,
  stopFacts,
  type DeviceRule,
  type FindingOptions,
  type QueueCtx,
  type QueueRule,
  type StopRule,
} from './context.js';
import { frozenQueue } from './frozen-queue.js';
import { bqlInflightLeak, dqlLimitCollapsed } from './dql-limit-collapse.js';
import { stackXoffStuck } from './stack-xoff-stuck.js';
import { lostWakeup } from './lost-wakeup.js';
import { lostInterruptDuringStop, lostInterruptInflight } from './lost-interrupt.js';
import { macbHeadStuck, ringNotDraining, ringNotDrainingInflight } from './stuck-dma.js';
import { napiStarvedDuringBackpressure, peerNapiNotDraining } from './napi-starvation.js';
import { ringBackpressure } from './ring-backpressure.js';
import { txBusyWhileAwake } from './tx-busy-while-awake.js';
import { txBusyLoop } from './tx-busy-loop.js';
import { qdiscThrottled } from './qdisc-throttled.js';
import { qdiscDropsEnobufs } from './qdisc-drops-enobufs.js';
import { qdiscStuckBacklog } from './qdisc-stuck-backlog.js';
import { doorbellNotRung } from './doorbell-not-rung.js';
import { watchdogTimeoutOnQueue, watchdogTimeoutUnseenQueue } from './watchdog-timeout.js';
import { peerDown } from './peer-down.js';
import { dqlStall } from './dql-stall.js';
import { traceGaps } from './trace-gap.js';
import { neighDrops } from './neigh-drops.js';

export type { FindingOptions } from './context.js';

/** How a long stop is classified by what the completion side did meanwhile (§I.1, §I.2, §I.4, §I.5, §I.7). */
const STOP_RULES: readonly StopRule[] = [
  frozenQueue,
  bqlInflightLeak,
  stackXoffStuck,
  lostWakeup,
  macbHeadStuck,
  lostInterruptDuringStop,
  ringNotDraining,
  peerNapiNotDraining,
];

const QUEUE_RULES: readonly QueueRule[] = [
  dqlLimitCollapsed,
  ringBackpressure,
  napiStarvedDuringBackpressure,
  txBusyWhileAwake,
  txBusyLoop,
  qdiscThrottled,
  qdiscDropsEnobufs,
  qdiscStuckBacklog,
  doorbellNotRung,
  lostInterruptInflight,
  ringNotDrainingInflight,
  watchdogTimeoutOnQueue,
];

const DEVICE_RULES: readonly DeviceRule[] = [watchdogTimeoutUnseenQueue, peerDown, dqlStall];

export function makeFindings(o: Observed, opt: FindingOptions): Finding[] {
  const sink = new FindingSink(o);
  for (const d of o.devices) {
    if (d.name === 'lo' && !opt.includeLoopback) continue;
    const dc = deviceCtx(o, opt, d, sink);
    for (const q of [...d.queues.values()].sort((a, b) => a.queue - b.queue)) {
      const c: QueueCtx = { ...dc, q, stallFindings: new StallFindings(sink.out) };
      for (const iv of q.intervals) {
        const s = stopFacts(c, iv);
        if (s) STOP_RULES.find((r) => r.when(c, s))?.report(c, s);
      }
      for (const r of QUEUE_RULES) r.run(c);
    }
    for (const r of DEVICE_RULES) r.run(dc);
  }
  // without net_dev_start_xmit (queue_mapping) and qdisc events, the TX queue of a transmit is unknown:
  // say so (device-wide findings) rather than pretend everything happened on txq 0
  if (o.kindCounts[K.startXmit] === 0 && o.kindCounts[K.dequeue] === 0 && o.kindCounts[K.enqueue] === 0) {
    for (const f of sink.out) if (f.kind !== 'watchdog_timeout') f.queue = null;
  }

  neighDrops(o, sink);
  traceGaps(o, sink);
  return sink.out;
}
