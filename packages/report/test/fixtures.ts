/**
 * A realistic replay result for the multiqueue capture (shared/traces/multiqueue: vs0 with 4 TX queues,
 * pfifo limit 32 per queue; queues 1,2,3 stay DRV_XOFF with 32 packets stuck, lost wake-up) and a small
 * event table in the real schema with untrusted strings in comm/dev/location.
 */
import type { ReplayResult, QueueSeries, QueueSummary, Finding } from '@txreplay/replay';
import type { TxEventRow } from '@txreplay/ingest';
import { eventRow } from './helpers.js';

const T0 = 904_604_205_871n;
const MS = 1_000_000n;

function series(queue: number, stuck: boolean): QueueSeries {
  const tsNs: bigint[] = [];
  const backlog: number[] = [];
  const inflight: number[] = [];
  const obs: (number | null)[] = [];
  const exp: (number | null)[] = [];
  for (let i = 0; i <= 200; i++) {
    tsNs.push(T0 + BigInt(i) * 5n * MS);
    const b = stuck ? Math.min(32, Math.floor(i / 3)) : Math.round(8 + 8 * Math.sin(i / 7 + queue));
    backlog.push(b);
    inflight.push(stuck && i > 100 ? 0 : (i * 1500 * (queue + 1)) % 30000);
    obs.push(i % 10 === 0 ? null : 15000 + (i % 5) * 100);
    exp.push(15000 + (i % 5) * 100 + (queue === 2 ? 50 : 0));
  }
  return {
    dev: 'vs0',
    queue,
    tsNs,
    backlogPackets: backlog,
    inflightBytes: inflight,
    dqlLimitObserved: obs,
    dqlLimitExpected: exp,
  };
}

function queue(q: number, stuck: boolean): QueueSummary {
  return {
    dev: 'vs0',
    ifindex: 201,
    queue: q,
    qdiscHandle: 0x10000 + q + 1,
    qdiscParent: 0x10000 + q + 1,
    netDevQueue: 2000,
    enqueued: 2000,
    dequeued: stuck ? 1968 : 2000,
    xmitOk: 1100,
    txBusy: stuck ? 3 : 0,
    requeues: stuck ? 3 : 0,
    xmitOtherRc: 0,
    qdiscDrops: stuck ? 880 : 0,
    completions: 1100,
    bytesSent: 1_100_000,
    stoppedIntervals: stuck
      ? [
          { startNs: T0 + 200n * MS, endNs: T0 + 230n * MS, state: 'DRV_XOFF' },
          { startNs: T0 + 500n * MS, endNs: T0 + 1000n * MS, state: 'DRV_XOFF' },
        ]
      : [{ startNs: T0 + 300n * MS, endNs: T0 + 302n * MS, state: 'DRV_XOFF' }],
    backlogAtEnd: stuck ? 32 : 0,
  };
}

export function multiqueueResult(): ReplayResult {
  const findings: Finding[] = [1, 2, 3].map((q) => ({
    kind: 'lost_wakeup',
    severity: 'critical',
    dev: 'vs0',
    queue: q,
    startNs: T0 + 500n * MS,
    endNs: T0 + 1000n * MS,
    title: `vs0 txq ${q} stopped (DRV_XOFF) for 500 ms with 32 packets queued and no wake`,
    explanation:
      'veth_xmit stopped the queue when the peer ptr_ring was full (netif_tx_stop_queue); veth_poll drained the ring but netif_tx_wake_queue was never called <b>for this queue</b>.',
    evidence: [
      {
        tsNs: T0 + 500n * MS,
        event: 'qdisc:qdisc_dequeue',
        source: 'multiqueue/perf-script.txt',
        line: 1000 + q,
        note: 'txq_state=0x1 (DRV_XOFF)',
      },
      {
        tsNs: T0 + 999n * MS,
        event: 'napi:napi_poll',
        source: 'multiqueue/perf-script.txt',
        line: 29000 + q,
        note: 'work=0: ring empty',
      },
    ],
    nextSteps: ['Check veth_poll wake condition', 'Capture with napi:napi_poll and net:net_dev_xmit'],
  }));
  findings.push({
    kind: 'qdisc_drops_enobufs',
    severity: 'warning',
    dev: 'vs0',
    queue: null,
    startNs: T0 + 500n * MS,
    endNs: T0 + 1000n * MS,
    title: 'pfifo dropped 2640 packets while the txqs were stopped',
    explanation: 'qdisc_drop → ENOBUFS to the sender',
    evidence: [],
    nextSteps: [],
  });
  return {
    trace: {
      sources: ['multiqueue/perf-script.txt'],
      events: 29484,
      firstNs: T0,
      lastNs: T0 + 1000n * MS,
      lostEvents: 0,
      wallClock: null,
    },
    queues: [queue(0, false), queue(1, true), queue(2, true), queue(3, true)],
    series: [series(0, false), series(1, true), series(2, true), series(3, true)],
    findings,
    captureAdvice: ['add skb:consume_skb to see completions'],
    verdict: 'critical',
    coverage: {
      txPathEvents: 29484,
      logRecords: 0,
      signals: { qdisc_dequeue: 9000, net_dev_queue: 8000, net_dev_xmit: 4400, napi_poll: 3000, skb_frees: 5084 },
      missing: [],
      lostEvents: 0,
      unknownNs: 0,
      unknownWhy: null,
    },
  };
}

/** A small TX path: 3 skbs on vs0 queue 1, one dropped, one TX_BUSY then ok, one stuck; hostile strings. */
export function smallEvents(): TxEventRow[] {
  const evil = "x'); DROP TABLE runs; --\t\\N\n<script>alert(1)</script>";
  let line = 0;
  const r = (p: Partial<TxEventRow> & { ts_ns: bigint; event: string }): TxEventRow => eventRow({ ...p, line: ++line });
  return [
    r({ ts_ns: T0, event: 'net:net_dev_queue', dev: 'vs0', skbaddr: 0xffff888012340000n, len: 1042, comm: evil }),
    r({
      ts_ns: T0 + 10n,
      event: 'qdisc:qdisc_enqueue',
      dev: 'vs0',
      ifindex: 201,
      skbaddr: 0xffff888012340000n,
      handle: 0x10002,
      parent: 0x10002,
    }),
    r({
      ts_ns: T0 + 20n,
      event: 'qdisc:qdisc_dequeue',
      dev: 'vs0',
      ifindex: 201,
      skbaddr: 0xffff888012340000n,
      txq_state: 0,
      packets: 1,
      handle: 0x10002,
      parent: 0x10002,
    }),
    r({
      ts_ns: T0 + 30n,
      event: 'net:net_dev_start_xmit',
      dev: 'vs0',
      queue: 1,
      skbaddr: 0xffff888012340000n,
      len: 1042,
    }),
    r({ ts_ns: T0 + 40n, event: 'net:net_dev_xmit', dev: 'vs0', skbaddr: 0xffff888012340000n, len: 1042, rc: 16 }),
    r({
      ts_ns: T0 + 50n,
      event: 'net:net_dev_start_xmit',
      dev: 'vs0',
      queue: 1,
      skbaddr: 0xffff888012340000n,
      len: 1042,
    }),
    r({ ts_ns: T0 + 60n, event: 'net:net_dev_xmit', dev: 'vs0', skbaddr: 0xffff888012340000n, len: 1042, rc: 0 }),
    r({
      ts_ns: T0 + 70n,
      event: 'skb:consume_skb',
      skbaddr: 0xffff888012340000n,
      location: 'veth_xdp_rcv+0x1b2/0x3f0',
    }),
    r({ ts_ns: T0 + 80n, event: 'net:net_dev_queue', dev: evil, skbaddr: 0xffff888012350000n, len: 98 }),
    r({ ts_ns: T0 + 90n, event: 'skb:kfree_skb', skbaddr: 0xffff888012350000n, reason: 'QDISC_DROP', location: evil }),
    // an address above 2^53 and a timestamp above 2^53: exact
    r({
      ts_ns: 9_007_199_254_740_993n,
      event: 'net:net_dev_queue',
      dev: 'vs0',
      skbaddr: 0xffffffffffffffffn,
      len: 60,
      ptr_hashed: true,
    }),
    r({
      ts_ns: 9_007_199_254_740_995n,
      event: 'napi:napi_poll',
      dev: '(no_device)',
      napi: 0xffff88801111aaaan,
      work: 0,
      budget: 64,
      cpu: null,
      pid: null,
      comm: null,
    }),
    r({
      ts_ns: 9_007_199_254_740_997n,
      event: 'napi:dql_stall_detected',
      dev: 'vs0',
      queue: 1,
      stall_len: 4,
      jiffies: 4295000000n,
      raw: 'thrs=4 len=4 last_reap=1 hist=0 0 0 0',
    }),
  ];
}
