/**
 * Real captures (shared/traces): per-queue TX_BUSY / requeue / drop counts against the ground truth
 * (tc -s deltas, the trace's own facts) and every finding asserted by kind, device, queue and window.
 * perf-script and ftrace of every capture (ftrace has hashed pointers: lifecycles must still match).
 */
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import { replayTable, type Finding, type ReplayResult } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared');
const traces = path.join(shared, 'traces');

interface GroundTruth {
  meta: { flood_start_mono_s: number };
  event_counts: Record<string, Record<string, number>>;
  trace_facts: {
    net_dev_xmit_rc: Record<string, number>;
    kfree_skb_reasons: Record<string, number>;
    time_span_s: [number, number];
  };
  qdisc_delta: Record<string, Record<string, { drops: number; requeues: number; qlen_after: number }>>;
}

function gt(capture: string): GroundTruth {
  return JSON.parse(readFileSync(path.join(traces, capture, 'ground-truth.json'), 'utf8')) as GroundTruth;
}

function file(capture: string, base: string): string {
  const p = path.join(traces, capture, base);
  if (existsSync(p)) return p;
  if (existsSync(p + '.gz')) return p + '.gz';
  throw new Error(`missing capture file ${p}(.gz): set TXREPLAY_SHARED to the shared material`);
}

const cache = new Map<string, ReplayResult>();
async function run(capture: string, fmt: string): Promise<ReplayResult> {
  const key = `${capture}/${fmt}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { table } = await loadEvents([file(capture, fmt)]);
  const r = replayTable(table, {});
  cache.set(key, r);
  return r;
}

/** Edge margin: perf and ftrace start/stop at slightly different times (README "clocks"); ftrace is the truth source. */
function margin(g: GroundTruth, fmt: string, event: string): number {
  const a = g.event_counts['ftrace.txt']?.[event] ?? 0;
  const b = g.event_counts[fmt]?.[event] ?? 0;
  return Math.abs(a - b);
}

const q = (r: ReplayResult, dev: string, queue: number) => {
  const s = r.queues.find((x) => x.dev === dev && x.queue === queue);
  if (!s) throw new Error(`no queue ${dev}/${queue}`);
  return s;
};
const of = (r: ReplayResult, kind: string): Finding[] => r.findings.filter((f) => f.kind === kind);
const sec = (ns: bigint): number => Number(ns) / 1e9;

const FORMATS = ['perf-script.txt', 'ftrace.txt'];

describe.each(FORMATS)('real captures, %s', (fmt) => {
  it('veth-backpressure: 11 TX_BUSY/requeues, 14033 drops; ring backpressure + ENOBUFS + starved NAPI, no fault', async () => {
    const g = gt('veth-backpressure');
    const r = await run('veth-backpressure', fmt);
    const s = q(r, 'vs0', 0);
    const tc = g.qdisc_delta.vs0!['pfifo 1: parent=root']!;
    expect(s.txBusy).toBe(g.trace_facts.net_dev_xmit_rc['vs0 rc=16']);
    expect(s.requeues).toBe(tc.requeues);
    expect(Math.abs(s.qdiscDrops - tc.drops)).toBeLessThanOrEqual(margin(g, fmt, 'skb:kfree_skb'));
    expect(s.stoppedIntervals.filter((i) => i.state === 'DRV_XOFF')).toHaveLength(11);
    expect(s.backlogAtEnd).toBe(0);
    const flood = g.meta.flood_start_mono_s;
    const [rb] = of(r, 'ring_backpressure');
    expect(rb).toMatchObject({ dev: 'vs0', queue: 0, severity: 'info' });
    expect(sec(rb!.startNs)).toBeGreaterThan(flood);
    expect(sec(rb!.endNs)).toBeLessThan(flood + 1.1); // the sender ran 1.000 s
    const [drops] = of(r, 'qdisc_drops_enobufs');
    expect(drops).toMatchObject({ dev: 'vs0', queue: 0 });
    expect(sec(drops!.startNs)).toBeGreaterThan(flood);
    expect(sec(drops!.endNs)).toBeLessThan(flood + 1.1);
    expect(of(r, 'napi_starvation').map((f) => [f.dev, f.queue])).toEqual([['vs0', 0]]);
    expect(r.findings.filter((f) => f.severity === 'critical')).toEqual([]);
    expect(of(r, 'lost_wakeup')).toEqual([]);
    // NAPI cadence: vr0's instance polled 20 times, 14 of them at work == budget (ftrace ground truth)
    const vr0 = r.napi!.filter((n) => n.dev === 'vr0');
    expect(vr0).toHaveLength(1);
    expect(Math.abs(vr0[0]!.polls - 20)).toBeLessThanOrEqual(margin(g, fmt, 'napi:napi_poll'));
    expect(Math.abs(vr0[0]!.fullPolls - 14)).toBeLessThanOrEqual(margin(g, fmt, 'napi:napi_poll'));
    if (fmt === 'perf-script.txt') expect(vr0[0]!.napi).toMatch(/^0xffff8/);
    expect(vr0[0]!.maxGapNs).toBeGreaterThan(100e6); // the 114 ms starvation gap
  });

  it('veth-stall-napi-starved: 1 TX_BUSY, 5576 drops behind one 120 ms stop, starved NAPI named', async () => {
    const g = gt('veth-stall-napi-starved');
    const r = await run('veth-stall-napi-starved', fmt);
    const s = q(r, 'vs0', 0);
    const tc = g.qdisc_delta.vs0!['pfifo 1: parent=root']!;
    expect(s.txBusy).toBe(1);
    expect(s.requeues).toBe(tc.requeues);
    expect(Math.abs(s.qdiscDrops - tc.drops)).toBeLessThanOrEqual(margin(g, fmt, 'skb:kfree_skb'));
    const [stop] = s.stoppedIntervals.filter((i) => i.state === 'DRV_XOFF');
    expect(sec(stop!.endNs - stop!.startNs)).toBeCloseTo(0.1205, 2); // README: longest DRV_XOFF 0.120502 s
    const [st] = of(r, 'napi_starvation');
    expect(st).toMatchObject({ dev: 'vs0', queue: 0, severity: 'warning' });
    expect(st!.startNs).toBe(stop!.startNs);
    expect(of(r, 'ring_backpressure').map((f) => [f.dev, f.queue])).toEqual([['vs0', 0]]);
    expect(of(r, 'qdisc_drops_enobufs').map((f) => [f.dev, f.queue])).toEqual([['vs0', 0]]);
    expect(r.findings.filter((f) => f.severity === 'critical')).toEqual([]);
  });

  it('veth-peer-down: 2906 NET_XMIT_DROP → peer_down on vs0', async () => {
    const g = gt('veth-peer-down');
    const r = await run('veth-peer-down', fmt);
    const s = q(r, 'vs0', 0);
    expect(s.xmitOtherRc).toBe(g.trace_facts.net_dev_xmit_rc['vs0 rc=1']);
    expect(s.txBusy).toBe(1);
    // the trace shows 2846 QDISC_DROPs (one a 70-byte IPv6 packet at 889.960, after tc was sampled): tc says 2845
    expect(s.qdiscDrops).toBe(g.trace_facts.kfree_skb_reasons.QDISC_DROP);
    expect(Math.abs(s.qdiscDrops - g.qdisc_delta.vs0!['pfifo 1: parent=root']!.drops)).toBeLessThanOrEqual(1);
    const [pd] = of(r, 'peer_down');
    expect(pd).toMatchObject({ dev: 'vs0', queue: null, severity: 'critical' });
    const flood = g.meta.flood_start_mono_s;
    expect(sec(pd!.startNs)).toBeGreaterThan(flood);
    expect(sec(pd!.endNs)).toBeLessThan(flood + 0.7);
    expect(pd!.evidence[0]!.event).toBe('net:net_dev_xmit');
    expect(of(r, 'lost_wakeup')).toEqual([]);
  });

  it('veth-stall-tbf: 1330 enqueue drops with the txq running → qdisc_throttled, not a driver issue', async () => {
    const g = gt('veth-stall-tbf');
    const r = await run('veth-stall-tbf', fmt);
    const s = q(r, 'vs0', 0);
    const tc = g.qdisc_delta.vs0!['tbf 1: parent=root']!;
    expect(s.txBusy).toBe(0);
    expect(s.requeues).toBe(tc.requeues);
    expect(Math.abs(s.qdiscDrops - tc.drops)).toBeLessThanOrEqual(margin(g, fmt, 'skb:kfree_skb'));
    expect(s.stoppedIntervals.filter((i) => i.state !== 'UNKNOWN')).toEqual([]);
    const [th] = of(r, 'qdisc_throttled');
    expect(th).toMatchObject({ dev: 'vs0', queue: 0, severity: 'warning' });
    expect(sec(th!.startNs)).toBeGreaterThan(g.meta.flood_start_mono_s);
    expect(r.findings.map((f) => f.kind)).toEqual(['qdisc_throttled']);
  });

  it('multiqueue: lost wake-up found unaided on txq 1, 2, 3 from their last stop, 32 packets stuck each', async () => {
    const g = gt('multiqueue');
    const r = await run('multiqueue', fmt);
    const children: Record<number, string> = {
      0: 'pfifo 11: parent=1:1',
      1: 'pfifo 12: parent=1:2',
      2: 'pfifo 13: parent=1:3',
      3: 'pfifo 14: parent=1:4',
    };
    const busy: Record<number, number> = { 0: 13, 1: 1, 2: 1, 3: 1 }; // txq-state-vs0.json xmit_returned_TX_BUSY_per_txq
    for (const [qi, child] of Object.entries(children)) {
      const s = q(r, 'vs0', Number(qi));
      const tc = g.qdisc_delta.vs0![child]!;
      expect(s.txBusy).toBe(busy[Number(qi)]);
      expect(s.requeues).toBe(tc.requeues);
      expect(s.qdiscDrops).toBe(tc.drops);
      expect(s.backlogAtEnd).toBe(tc.qlen_after);
    }
    const lw = of(r, 'lost_wakeup').sort((a, b) => (a.queue ?? 0) - (b.queue ?? 0));
    expect(lw.map((f) => [f.dev, f.queue, f.severity])).toEqual([
      ['vs0', 1, 'critical'],
      ['vs0', 2, 'critical'],
      ['vs0', 3, 'critical'],
    ]);
    // the last stop of each queue: its only NETDEV_TX_BUSY, ~195 ms into the flood (sender first_enobufs 0.195 s)
    const expectStart: Record<number, number> = { 1: 904.81706, 2: 904.81749, 3: 904.80408 };
    for (const f of lw) {
      expect(sec(f.startNs)).toBeCloseTo(expectStart[f.queue!]!, 4);
      expect(f.endNs).toBe(r.trace.lastNs);
      expect(f.evidence[0]!.event).toBe('net:net_dev_xmit');
      expect(f.title).toContain('32 packet(s) stuck');
    }
    expect(of(r, 'lost_wakeup').some((f) => f.queue === 0)).toBe(false);
    expect(of(r, 'ring_backpressure').map((f) => f.queue)).toEqual([0]);
  });

  it('eth0-normal: healthy, no findings', async () => {
    const g = gt('eth0-normal');
    const r = await run('eth0-normal', fmt);
    expect(r.findings).toEqual([]);
    const s = q(r, 'eth0', 0);
    expect(Math.abs(s.xmitOk - g.trace_facts.net_dev_xmit_rc['eth0 rc=0']!)).toBeLessThanOrEqual(
      margin(g, fmt, 'net:net_dev_xmit'),
    );
    expect(s.txBusy).toBe(0);
    expect(s.qdiscDrops).toBe(0);
  });
});

describe('same-named devices in different network namespaces (fixtures/captured/same-name-netns)', () => {
  it('eth0 of two namespaces: qdisc events stay apart by ifindex, and the shared name is said', async () => {
    const { readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const { loadEvents } = await import('@txreplay/ingest');
    const { replayTable } = await import('@txreplay/replay');
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const file = path.join(root, 'fixtures/captured/same-name-netns/perf-script.txt');
    const text = readFileSync(file, 'utf8');
    const enq = (ifi: number) =>
      text.split('\n').filter((l) => l.includes('qdisc_enqueue') && l.includes(`ifindex=${ifi} `)).length;
    const r = replayTable((await loadEvents([file])).table);
    const q = r.queues.filter((x) => x.dev === 'eth0').map((x) => [x.ifindex, x.enqueued]);
    expect(q).toEqual([
      [4401, enq(4401)],
      [4411, enq(4411)],
    ]);
    expect(enq(4401)).toBe(103);
    expect(r.coverage.sharedNames).toEqual([{ dev: 'eth0', netCookies: [], ifindexes: [4401, 4411] }]);
    expect(r.queues.some((x) => x.dev.startsWith('ifindex:'))).toBe(false);
  });
});

describe('net_cookie on net_dev_xmit_timeout (fixtures/public 46, kernel 6.18+)', () => {
  it('each timeout names its namespace; one name in two namespaces is said (the excerpt with eth4 renamed eth0)', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const { loadEvents } = await import('@txreplay/ingest');
    const { replayTable } = await import('@txreplay/replay');
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const real = path.join(root, 'fixtures/public/46-net-dev-xmit-timeout-virtio-netns-cpu-flags.ftrace');
    const r = replayTable((await loadEvents([real])).table);
    expect(r.findings.map((f) => [f.dev, f.netCookie])).toEqual([
      ['eth0', '3'],
      ['eth4', '4100'],
      ['eth0', '3'],
      ['eth4', '4100'],
      ['eth0', '3'],
    ]);
    expect(r.coverage.sharedNames).toBeUndefined();
    const renamed = path.join(mkdtempSync(path.join(tmpdir(), 'txr-cookie-')), 'same-name.ftrace');
    writeFileSync(renamed, readFileSync(real, 'utf8').replaceAll('dev=eth4', 'dev=eth0'));
    const s = replayTable((await loadEvents([renamed])).table);
    expect(s.coverage.sharedNames).toEqual([{ dev: 'eth0', netCookies: ['3', '4100'], ifindexes: [] }]);
    expect(s.findings.filter((f) => f.title.includes('(netns cookie 4100)'))).toHaveLength(2);
  });
});
