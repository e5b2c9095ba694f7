/**
 * Verdicts on partial evidence: the finding kinds an input cannot support are named ("cannot judge X without Y"),
 * and the rules that need only part of the TX-path tracepoints judge real public excerpts (fixtures/public) the
 * reporters diagnosed by hand (expected.json).
 */
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import { formatVerdict, replayTable, type ReplayResult } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
const publicDir = path.join(repoRoot, 'fixtures', 'public');

interface ExpectedEntry {
  file: string;
  records: { kind: string; tsSec?: number; packets?: number }[];
  stuckSkb?: { queuedTsSec: number; startXmitTsSec: number; stuckUs: number };
  maxPacketsPerDequeue?: number;
  devTxWeight?: number;
  devices: { dev: string; queues: number[] }[];
}

function expected(file: string): ExpectedEntry {
  const all = JSON.parse(readFileSync(path.join(publicDir, 'expected.json'), 'utf8')) as { entries: ExpectedEntry[] };
  return all.entries.find((e) => e.file === file)!;
}

/** A printed seconds stamp (6 decimals) as trace-clock ns. */
const secNs = (s: number): bigint => BigInt(Math.round(s * 1e6)) * 1000n;

/** A shared capture file, gzipped when large. */
function shared(capture: string, base: string): string {
  const p = path.join(traces, capture, base);
  return existsSync(p) ? p : `${p}.gz`;
}

async function replayFile(file: string): Promise<ReplayResult> {
  const { table } = await loadEvents([file]);
  return replayTable(table, {});
}

/** A real capture with some of its lines left out, as a capture with fewer tracepoints would be. */
function filtered(capture: string, keep: (line: string) => boolean): string {
  const lines = readFileSync(path.join(traces, capture, 'perf-script.txt'), 'utf8').split('\n');
  const dir = mkdtempSync(path.join(tmpdir(), 'txr-partial-evidence-'));
  const file = path.join(dir, `${capture}.perf-script.txt`);
  writeFileSync(file, lines.filter(keep).join('\n') + '\n');
  return file;
}

describe('cannot judge X without Y', () => {
  it('full captures (perf script and bpftrace text) can judge every kind: nothing listed, text unchanged', async () => {
    for (const f of ['perf-script.txt', 'bpftrace.txt']) {
      const r = await replayFile(shared('veth-backpressure', f));
      expect(r.coverage.cannotJudge).toEqual([]);
      expect(formatVerdict(r)).not.toContain('cannot judge');
    }
  });

  it('a capture without napi:napi_poll: lost_interrupt, stuck_dma and napi_starvation are not judged, trace-wide', async () => {
    const r = await replayFile(filtered('multiqueue', (l) => !l.includes('napi:napi_poll:')));
    const cj = r.coverage.cannotJudge!;
    for (const kind of ['lost_interrupt', 'stuck_dma', 'napi_starvation'] as const)
      expect(cj).toContainEqual({ kind, dev: null, missing: ['napi:napi_poll'] });
    // the rules that need NAPI polls did not run, so they cannot claim "no NAPI poll ran"
    expect(r.findings.some((f) => f.kind === 'lost_interrupt' || f.kind === 'stuck_dma')).toBe(false);
    // what needs no NAPI poll still holds: the qdisc drops on every txq (ENOBUFS, as with every tracepoint)
    expect(r.findings.filter((f) => f.kind === 'qdisc_drops_enobufs').map((f) => f.queue)).toEqual([3, 1, 2, 0]);
    expect(formatVerdict(r)).toContain('cannot judge lost_interrupt without napi:napi_poll');
  });

  it('NAPI polls only of the per-CPU backlog ((no_device)): eth0 is named, the rest of the trace is judged', async () => {
    const r = await replayFile(filtered('eth0-normal', (l) => !/napi:napi_poll:.* device eth0 /.test(l)));
    expect(r.coverage.signals.napi_poll).toBe(2); // the two (no_device) polls stay
    const cj = r.coverage.cannotJudge!;
    expect(cj).toContainEqual({ kind: 'lost_interrupt', dev: 'eth0', missing: ['napi:napi_poll'] });
    expect(cj.every((c) => c.dev === 'eth0')).toBe(true);
    expect(formatVerdict(r)).toContain('cannot judge lost_interrupt on eth0 without napi:napi_poll');
  });

  it('the JSON carries the list; an excerpt with three tracepoints lists what it lacks ((a or b) groups)', async () => {
    const r = await replayFile(path.join(publicDir, '19-pfifo-fast-nolock-stuck-skb.perf-script'));
    const cj = r.coverage.cannotJudge!;
    expect(cj).toContainEqual({ kind: 'lost_interrupt', dev: null, missing: ['napi:napi_poll'] });
    expect(cj).toContainEqual({ kind: 'stack_xoff_stuck', dev: null, missing: ['skb:consume_skb or skb:kfree_skb'] });
    expect(cj.some((c) => c.kind === 'qdisc_stuck_skb')).toBe(false);
    expect(formatVerdict(r)).toContain(
      'cannot judge doorbell_not_rung without net:net_dev_xmit and (skb:consume_skb or skb:kfree_skb)',
    );
  });
});

describe('partial-evidence rules on real excerpts', () => {
  it('19 (4.19, no qdisc_enqueue tracepoint): the skb stuck 200.27 ms in pfifo_fast on txq 14 is named', async () => {
    const e = expected('19-pfifo-fast-nolock-stuck-skb.perf-script');
    const r = await replayFile(path.join(publicDir, e.file));
    expect(r.verdict).toBe('warning'); // was HEALTHY
    const f = r.findings.find((x) => x.kind === 'qdisc_stuck_skb')!;
    expect(f).toBeDefined();
    expect(f.dev).toBe(e.devices[0]!.dev);
    expect(f.queue).toBe(e.devices[0]!.queues[0]);
    expect(f.startNs).toBe(secNs(e.stuckSkb!.queuedTsSec));
    expect(f.endNs).toBe(secNs(e.stuckSkb!.startXmitTsSec));
    expect(Number(f.endNs - f.startNs) / 1000).toBe(e.stuckSkb!.stuckUs);
    // 200 ms is under the 500 ms stall threshold: a warning; over it, critical
    expect(f.severity).toBe('warning');
    expect(f.explanation).toContain('cannot show');
    const tight = replayTable((await loadEvents([path.join(publicDir, e.file)])).table, { stallNs: 150e6 });
    expect(tight.findings.find((x) => x.kind === 'qdisc_stuck_skb')!.severity).toBe('critical');
  });

  it('24: qdisc_dequeue bulk lists of 1093-1367 packets are oversize_bulk_dequeue, with the counts', async () => {
    const e = expected('24-try-bulk-dequeue-oversize-batches.perf-script');
    const r = await replayFile(path.join(publicDir, e.file));
    const fs = r.findings.filter((x) => x.kind === 'oversize_bulk_dequeue');
    expect(fs).toHaveLength(1);
    const f = fs[0]!;
    const dq = e.records.filter((x) => x.kind === 'qdisc_dequeue');
    expect(f.title).toContain(`${dq.length} qdisc_dequeue call(s)`);
    expect(f.title).toContain(`up to ${e.maxPacketsPerDequeue} packets`);
    expect(f.title).toContain(`dev_tx_weight (${e.devTxWeight})`);
    expect(f.startNs).toBe(secNs(dq[0]!.tsSec!));
    expect(f.endNs).toBe(secNs(dq[dq.length - 1]!.tsSec!));
    expect(r.queues.reduce((s, q) => s + q.dequeued, 0)).toBe(dq.reduce((s, x) => s + x.packets!, 0));
  });

  it('shared captures: no bulk list reaches dev_tx_weight and no skb waits 100 ms with its txq awake', async () => {
    for (const c of ['multiqueue', 'veth-backpressure', 'veth-stall-tbf', 'eth0-normal']) {
      const r = await replayFile(shared(c, 'perf-script.txt'));
      expect(r.findings.filter((f) => f.kind === 'oversize_bulk_dequeue' || f.kind === 'qdisc_stuck_skb')).toEqual([]);
    }
  });

  /**
   * 26 (sun4i-emac, stripped ftrace: rc=16 every ~13 us, skbaddr=(ptrval)) does not ingest in this tree yet (another
   * change makes the stripped form parse); until then the loop is tested on the real rc=16 line of the multiqueue
   * capture, retried as 26 shows it: same skb, one retry every 13 us, nothing else traced.
   */
  function busyLoop(addr: string | null, retries = 6): string {
    const real = readFileSync(path.join(traces, 'multiqueue', 'perf-script.txt'), 'utf8')
      .split('\n')
      .find((l) => l.includes('net:net_dev_xmit:') && l.endsWith(' rc=16'))!;
    const ts = /\s(\d+\.\d{6}):/.exec(real)![1]!;
    const lines = Array.from({ length: retries }, (_, k) => {
      const l = real.replace(ts, (Number(ts) + k * 13e-6).toFixed(6));
      return addr === null ? l.replace(/skbaddr=\S+/, 'skbaddr=(ptrval)') : l;
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-busy-loop-'));
    const file = path.join(dir, 'busy-loop.perf-script.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  it('TX_BUSY loop from net_dev_xmit alone (no qdisc_dequeue): 6 rc=16 on one skb are tx_busy_loop, device-wide', async () => {
    for (const addr of ['real', null]) {
      const r = await replayFile(busyLoop(addr));
      const f = r.findings.find((x) => x.kind === 'tx_busy_loop')!;
      expect(f).toBeDefined();
      expect(f).toMatchObject({ dev: 'vs0', queue: null, severity: 'warning' });
      expect(f.title).toContain('6 times in a row on vs0');
      expect(f.evidence).toHaveLength(6);
      expect(f.explanation).toContain('one every 0.013 ms');
      expect(f.explanation.includes('(ptrval)')).toBe(addr === null);
    }
    // 26's excerpt holds two retries 13 us apart: a spin already (a proper stop waits for a completion and its wake)
    const two = (await replayFile(busyLoop(null, 2))).findings.find((x) => x.kind === 'tx_busy_loop')!;
    expect(two.title).toContain('2 times in a row on vs0');
  });

  it('26 (stripped ftrace pasted in a bug report, skbaddr=(ptrval)): the sun4i-emac NETDEV_TX_BUSY spin is tx_busy_loop on eth0', async () => {
    const r = await replayFile(path.join(publicDir, '26-sun4i-emac-net-tx-busy-loop-stripped.ftrace'));
    const loop = r.findings.find((f) => f.kind === 'tx_busy_loop');
    expect(loop).toMatchObject({ dev: 'eth0', queue: null, severity: 'warning' });
    expect(loop!.explanation).toContain('one every 0.013 ms');
    expect(loop!.explanation).toContain('(ptrval)');
  });

  it('71-72 (tun/tap trace_pipe, kfree_skb reason FULL_RING only): drops by the driver, a warning — no longer healthy', async () => {
    for (const [file, n] of [
      ['71-tun-kfree-skb-full-ring-trace-pipe.ftrace', 5],
      ['72-tap-kfree-skb-full-ring-trace-pipe.ftrace', 4],
    ] as const) {
      const r = await replayFile(path.join(publicDir, file));
      expect(r.verdict, file).toBe('warning');
      const drops = r.findings.filter((f) => f.kind === 'device_tx_drops');
      expect(drops, file).toHaveLength(1);
      expect(drops[0]).toMatchObject({ dev: '(device not traced)', queue: null, severity: 'warning' });
      expect(drops[0]!.title).toBe(`${n} packet(s) dropped by a device driver, not by a qdisc: ${n} FULL_RING`);
      expect(drops[0]!.explanation).toContain('tun_net_xmit()');
      expect(
        r.findings.some((f) => f.kind === 'qdisc_drops_enobufs'),
        file,
      ).toBe(false);
    }
  });

  it('the same rc=16 lines as the capture spaced them (woken by the peer NAPI, ms apart): no busy loop', async () => {
    const r = await replayFile(filtered('multiqueue', (l) => l.includes('net:net_dev_xmit:')));
    expect(r.queues.reduce((n, q) => n + q.txBusy, 0)).toBe(16);
    expect(r.findings.some((f) => f.kind === 'tx_busy_loop')).toBe(false);
  });

  it('NAPI known only by id ((no_device)): a full-budget poll then a wait past netdev_budget_usecs is napi_poll_gap', async () => {
    // the real per-CPU backlog polls of eth0-normal return work < budget: an idle NAPI's gaps are not judged
    const real = readFileSync(path.join(traces, 'eth0-normal', 'perf-script.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('for device (no_device)'));
    expect(real).toHaveLength(2);
    const idle = await replayFile(shared('eth0-normal', 'perf-script.txt'));
    expect(idle.findings.some((f) => f.kind === 'napi_poll_gap')).toBe(false);
    // the same two lines, the first at its full budget (work 64) and the second 20 ms later (8 ms budget at HZ=250)
    const ts2 = /\s(\d+\.\d{6}):/.exec(real[1]!)![1]!;
    const ts1 = /\s(\d+\.\d{6}):/.exec(real[0]!)![1]!;
    const lines = [
      real[0]!.replace(/work \d+ budget/, 'work 64 budget'),
      real[1]!.replace(ts2, (Number(ts1) + 0.02).toFixed(6)),
    ];
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-napi-gap-'));
    const file = path.join(dir, 'napi-gap.perf-script.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = await replayFile(file);
    const f = r.findings.find((x) => x.kind === 'napi_poll_gap')!;
    expect(f).toMatchObject({ dev: '(no_device)', queue: null, severity: 'warning' });
    expect(f.endNs - f.startNs).toBe(20_000_000n);
    expect(f.title).toContain('netdev_budget_usecs 8.000 ms');
    expect(f.explanation).toContain('cannot show');
  });
});
