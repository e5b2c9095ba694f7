/**
 * §I.8 DQL limit collapse and §I.11 doorbell never rung, on small perf-script texts written line by
 * line in the real capture layout. The expectations come from the kernel rules, not from replay:
 * the collapse window from the model's exact kernel DQL (lib/dynamic_queue_limits.c, golden-tested in
 * packages/model) fed with the same byte stream; the doorbell window from how the text was built.
 * (The BQL *leak* variant of §I.8 is tested on the model's macb TX-error scenario in
 * packages/cli/test/diagnose-cli.test.ts.)
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEvents } from '@txreplay/ingest';
import { Dql, kernelBehaviour } from '@txreplay/model';
import { replayTable, type Finding, type ReplayResult } from '@txreplay/replay';

const dir = mkdtempSync(path.join(tmpdir(), 'txr-bql-'));

/** One perf-script line: `comm pid [cpu] sec.usec: event: fields` (layout of the real captures). */
function line(comm: string, pid: number, cpu: number, tUs: number, event: string, fields: string): string {
  const sec = `${Math.floor(tUs / 1e6)}.${String(tUs % 1e6).padStart(6, '0')}`;
  return `${comm.padStart(16)} ${String(pid).padStart(5)} [${String(cpu).padStart(3, '0')}] ${sec.padStart(12)}: ${event.padStart(24)}: ${fields}`;
}
const skbHex = (k: number): string => `0xffff888103${(k % 4096).toString(16).padStart(4, '0')}00`;
const napiStruct = '0xffff8881024e1ac0';

interface Ev {
  tUs: number;
  seq: number;
  text: string;
}
async function replayText(
  name: string,
  evs: Ev[],
  driver?: string,
): Promise<{ findings: Finding[]; lastNs: bigint; result: ReplayResult }> {
  evs.sort((a, b) => a.tUs - b.tUs || a.seq - b.seq);
  const file = path.join(dir, name);
  writeFileSync(file, evs.map((e) => e.text).join('\n') + '\n');
  const { table } = await loadEvents([file], { strict: true });
  const r = replayTable(table, driver ? { profile: { driver, kernel: '6.18' } } : {});
  return { findings: r.findings, lastNs: r.trace.lastNs, result: r };
}
const us2ns = (tUs: number): bigint => BigInt(tUs) * 1000n;

function transmit(evs: Ev[], k: number, tUs: number, len: number, seq: number): void {
  const skb = skbHex(k);
  evs.push({ tUs, seq, text: line('iperf3', 4242, 0, tUs, 'net:net_dev_queue', `dev=eth0 skbaddr=${skb} len=${len}`) });
  evs.push({
    tUs,
    seq: seq + 1,
    text: line(
      'iperf3',
      4242,
      0,
      tUs,
      'net:net_dev_start_xmit',
      `dev=eth0 queue_mapping=0 skbaddr=${skb} vlan_tagged=0 vlan_proto=0x0000 vlan_tci=0x0000 protocol=0x0800 ip_summed=3 len=${len} data_len=0 network_offset=14 transport_offset_valid=1 transport_offset=34 tx_flags=0 gso_size=0 gso_segs=0 gso_type=0`,
    ),
  });
  evs.push({
    tUs,
    seq: seq + 2,
    text: line('iperf3', 4242, 0, tUs, 'net:net_dev_xmit', `dev=eth0 skbaddr=${skb} len=${len} rc=0`),
  });
}
/** igb_clean_tx_irq frees one transmitted skb, then its NAPI poll returns (one clean pass = one dql_completed). */
function complete(evs: Ev[], k: number, tUs: number, seq: number): void {
  evs.push({
    tUs,
    seq,
    text: line('swapper', 0, 1, tUs, 'skb:consume_skb', `skbaddr=${skbHex(k)} location=igb_clean_tx_irq+0x1a4`),
  });
  evs.push({
    tUs,
    seq: seq + 1,
    text: line(
      'swapper',
      0,
      1,
      tUs,
      'napi:napi_poll',
      `napi poll on napi struct ${napiStruct} for device eth0 work 1 budget 64`,
    ),
  });
}

describe('§I.8 DQL limit collapse (kernel DQL on the observed stream)', () => {
  // 1500-byte packets every 100 µs; the driver frees each one 850 µs after sending it, one per clean pass:
  // ~8 packets always in flight, one completed at a time, for 2 s
  const N = 20000;
  const t0 = 2_000_000_000; // µs
  const evs: Ev[] = [];
  for (let k = 0; k < N; k++) {
    transmit(evs, k, t0 + k * 100, 1500, 10 * k);
    complete(evs, k, t0 + k * 100 + 850, 10 * k + 5);
  }

  /** What lib/dynamic_queue_limits.c does with this stream: the run of packets after which limit == min_limit and avail < 0. */
  function kernelCollapseRun(): { firstUs: number; lastUs: number; packets: number; stops: number; stoppedUs: number } {
    const dql = new Dql(kernelBehaviour('6.18'));
    const HZ = 250;
    const jiffiesAt = (tUs: number): number => Math.floor(tUs / 4000) >>> 0;
    dql.init(HZ, jiffiesAt(t0)); // netdev_init_one_queue: dql_init(&q->dql, HZ) (§A.2)
    const stream: { tUs: number; queued: boolean }[] = [];
    for (let k = 0; k < N; k++)
      stream.push({ tUs: t0 + k * 100, queued: true }, { tUs: t0 + k * 100 + 850, queued: false });
    stream.sort((a, b) => a.tUs - b.tUs || (a.queued ? -1 : 1));
    let best = { firstUs: 0, lastUs: 0, packets: 0 };
    let cur = { firstUs: 0, lastUs: 0, packets: 0 };
    // §B: netdev_tx_sent_queue sets STACK_XOFF when dql_avail() < 0; netdev_tx_completed_queue clears it once ≥ 0
    let stops = 0;
    let stoppedUs = 0;
    let xoffSince = -1;
    for (const s of stream) {
      if (!s.queued) {
        dql.completed(1500, jiffiesAt(s.tUs));
        if (xoffSince >= 0 && dql.avail() >= 0) {
          stoppedUs += s.tUs - xoffSince;
          xoffSince = -1;
        }
        continue;
      }
      dql.queued(1500, jiffiesAt(s.tUs));
      if (xoffSince < 0 && dql.avail() < 0) {
        xoffSince = s.tUs;
        stops++;
      }
      if (dql.limit === dql.minLimit && dql.avail() < 0) {
        if (cur.packets === 0) cur.firstUs = s.tUs;
        cur.lastUs = s.tUs;
        cur.packets++;
        if (cur.packets > best.packets) best = { ...cur };
      } else cur = { firstUs: 0, lastUs: 0, packets: 0 };
    }
    return { ...best, stops, stoppedUs };
  }

  it('igb (a BQL driver): dql_limit_collapse on eth0 txq 0 over exactly the kernel DQL run', async () => {
    const run = kernelCollapseRun();
    expect(run.packets).toBeGreaterThan(N - 20); // the kernel never leaves min_limit here
    const { findings, result } = await replayText('collapse.perf-script.txt', [...evs], 'igb');
    // expected BQL stops (kernel DQL) vs observed (no qdisc_dequeue in this text: none seen)
    expect(result.queues.find((x) => x.dev === 'eth0' && x.queue === 0)!.bql).toEqual({
      expectedStops: run.stops,
      expectedStoppedNs: run.stoppedUs * 1000,
      observedStops: 0,
      observedStoppedNs: 0,
    });
    expect(run.stops).toBe(1); // over the limit from the first packet until the final drain
    const c = findings.filter((f) => f.kind === 'dql_limit_collapse');
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ severity: 'warning', dev: 'eth0', queue: 0 });
    expect(c[0]!.startNs).toBe(us2ns(run.firstUs));
    expect(c[0]!.endNs).toBe(us2ns(run.lastUs));
    expect(c[0]!.title).toContain(`${run.packets} packets`);
    expect(c[0]!.evidence.map((e) => e.line).length).toBe(2);
    // nothing else is wrong with this queue: every packet completed
    expect(findings.map((f) => f.kind)).toEqual(['dql_limit_collapse']);
  });

  it('without BQL evidence (no STACK_XOFF seen, driver unknown) the same stream is not called a collapse', async () => {
    const { findings } = await replayText('collapse-nodriver.perf-script.txt', [...evs]);
    expect(findings.filter((f) => f.kind === 'dql_limit_collapse')).toEqual([]);
  });
});

describe('§I.11 doorbell never rung', () => {
  const t0 = 3_000_000_000; // µs
  const build = (finalSpreadUs: number): { evs: Ev[]; burstFirstUs: number; endUs: number } => {
    const evs: Ev[] = [];
    let seq = 0;
    // 0.5 s of healthy traffic: one packet per ms through pfifo_fast, freed 30 µs later by the TX clean
    for (let k = 0; k < 500; k++) {
      const t = t0 + k * 1000;
      const skb = skbHex(k);
      evs.push({
        tUs: t,
        seq: seq++,
        text: line(
          'ping',
          3111,
          0,
          t,
          'qdisc:qdisc_enqueue',
          `enqueue ifindex=2 qdisc handle=0x10000 parent=0xFFFFFFFF skbaddr=${skb}`,
        ),
      });
      evs.push({
        tUs: t,
        seq: seq++,
        text: line(
          'ping',
          3111,
          0,
          t,
          'qdisc:qdisc_dequeue',
          `dequeue ifindex=2 qdisc handle=0x10000 parent=0xFFFFFFFF txq_state=0x0 packets=1 skbaddr=${skb}`,
        ),
      });
      transmit(evs, k, t, 1000, seq);
      seq += 3;
      complete(evs, k, t + 30, seq);
      seq += 2;
    }
    // the final qdisc run: four skbs dequeued as one bulk (packets=4) and handed to the driver back to back
    // (xmit_more on all but the last); the queue is awake. Nothing is ever freed, nothing sent after.
    const T = t0 + 500_000;
    for (let j = 0; j < 4; j++) {
      const skb = skbHex(1000 + j);
      evs.push({
        tUs: T - 4 + j,
        seq: seq++,
        text: line(
          'ping',
          3111,
          0,
          T - 4 + j,
          'qdisc:qdisc_enqueue',
          `enqueue ifindex=2 qdisc handle=0x10000 parent=0xFFFFFFFF skbaddr=${skb}`,
        ),
      });
    }
    evs.push({
      tUs: T,
      seq: seq++,
      text: line(
        'ping',
        3111,
        0,
        T,
        'qdisc:qdisc_dequeue',
        `dequeue ifindex=2 qdisc handle=0x10000 parent=0xFFFFFFFF txq_state=0x0 packets=4 skbaddr=${skbHex(1000)}`,
      ),
    });
    for (let j = 0; j < 4; j++) {
      transmit(evs, 1000 + j, T + 1 + j * finalSpreadUs, 1000, seq);
      seq += 3;
    }
    // RX keeps the NAPI instance polling (work 1 = one RX packet), TX cleans find nothing
    const endUs = T + 2_000_000;
    for (let t = T + 100_000; t <= endUs; t += 100_000)
      evs.push({
        tUs: t,
        seq: seq++,
        text: line(
          'swapper',
          0,
          1,
          t,
          'napi:napi_poll',
          `napi poll on napi struct ${napiStruct} for device eth0 work 1 budget 64`,
        ),
      });
    return { evs, burstFirstUs: T + 1, endUs };
  };

  it('one back-to-back burst never completed, queue awake, nothing after: doorbell_not_rung from its first packet', async () => {
    const { evs, burstFirstUs, endUs } = build(1);
    const { findings, lastNs } = await replayText('doorbell.perf-script.txt', evs, 'igb');
    expect(lastNs).toBe(us2ns(endUs));
    const d = findings.filter((f) => f.kind === 'doorbell_not_rung');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ severity: 'critical', dev: 'eth0', queue: 0 });
    expect(d[0]!.startNs).toBe(us2ns(burstFirstUs));
    expect(d[0]!.endNs).toBe(us2ns(endUs));
    expect(d[0]!.title).toContain('last 4 packets');
    expect(d[0]!.evidence.map((e) => e.tsNs)).toEqual([us2ns(burstFirstUs), us2ns(burstFirstUs + 3)]);
    expect(
      findings.some((f) => f.kind === 'lost_interrupt' || f.kind === 'stuck_dma' || f.kind === 'lost_wakeup'),
    ).toBe(false);
  });

  it('the same four packets spread over 300 ms (a flow, not one doorbell batch) stay a stuck ring, not a doorbell', async () => {
    const { evs, burstFirstUs } = build(100_000);
    const { findings } = await replayText('spread.perf-script.txt', evs, 'igb');
    expect(findings.some((f) => f.kind === 'doorbell_not_rung')).toBe(false);
    const s = findings.filter((f) => f.kind === 'stuck_dma');
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ dev: 'eth0', queue: 0 });
    expect(s[0]!.startNs).toBe(us2ns(burstFirstUs));
  });
});
