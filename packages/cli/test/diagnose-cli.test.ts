/**
 * `txreplay diagnose` / `txreplay replay` end to end on real captures, from the built CLI
 * (run `pnpm build` first): verdict text, --json schema, exit codes.
 */
import { afterEach, describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

function txreplay(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(main)) throw new Error(`${main} missing: run pnpm build first`);
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// spawnSync blocks this worker's event loop, and vitest's RPC answers wait behind it: without a turn of the loop
// between tests, a file this long (a minute on a loaded machine) trips vitest's 60 s RPC timeout ("Timeout
// calling onTaskUpdate") although every test passed
afterEach(() => new Promise<void>((resolve) => setTimeout(resolve, 1)));

interface JsonFinding {
  kind: string;
  severity: string;
  dev: string;
  queue: number | null;
  startNs: string;
  endNs: string;
  title: string;
  explanation: string;
  evidence: { tsNs: string; source: string; line: number }[];
  alternatives?: { kind: string; driver: string; title: string }[];
}
interface JsonResult {
  schema: string;
  version: number;
  trace: { events: number; firstNs: string; lastNs: string; lostEvents: number };
  queues: { dev: string; queue: number; txBusy: number; qdiscDrops: number; backlogAtEnd: number }[];
  series: {
    dev: string;
    queue: number;
    tsNs: string[];
    backlogPackets: number[];
    dqlLimitExpected: (number | null)[];
  }[];
  findings: JsonFinding[];
}

describe('txreplay diagnose', () => {
  it('finds the multiqueue lost wake-up, prints a verdict and exits 1 (findings)', () => {
    const r = txreplay('diagnose', path.join(traces, 'multiqueue', 'ftrace.txt'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^PROBLEM: 3 critical/m);
    for (const qi of [1, 2, 3]) expect(r.stdout).toContain(`[CRITICAL] lost_wakeup on vs0 txq ${qi}`);
    expect(r.stdout).toContain('Per-queue timeline:');
    expect(r.stdout).toMatch(/vs0 txq 1 \(qdisc 12:\): .*backlog at end 32/);
  });

  it('says HEALTHY and exits 0 on eth0-normal', () => {
    const r = txreplay('diagnose', path.join(traces, 'eth0-normal', 'perf-script.txt'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^HEALTHY/m);
  });

  it('--json: documented schema, bigint as decimal strings, findings with evidence lines', () => {
    const r = txreplay('diagnose', '--json', path.join(traces, 'veth-stall-tbf', 'ftrace.txt'));
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as JsonResult;
    expect(j.schema).toBe('txreplay.replay');
    expect(j.version).toBe(1);
    expect(j.trace.firstNs).toMatch(/^\d+$/);
    expect(BigInt(j.trace.lastNs) > BigInt(j.trace.firstNs)).toBe(true);
    expect(j.findings.map((f) => [f.kind, f.dev, f.queue])).toEqual([['qdisc_throttled', 'vs0', 0]]);
    const ev = j.findings[0]!.evidence[0]!;
    expect(ev.source.endsWith('ftrace.txt')).toBe(true);
    expect(ev.line).toBeGreaterThan(0);
    const vs0 = j.queues.find((q) => q.dev === 'vs0' && q.queue === 0)!;
    expect(vs0.qdiscDrops).toBe(1330);
    const s = j.series.find((x) => x.dev === 'vs0')!;
    expect(s.tsNs.length).toBeLessThanOrEqual(500); // diagnose thins series; replay gives them whole
    expect(s.tsNs.length).toBe(s.backlogPackets.length);
  });

  it('replay --json gives the full series', () => {
    const r = txreplay('replay', '--json', path.join(traces, 'veth-stall-tbf', 'ftrace.txt'));
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as JsonResult;
    const s = j.series.find((x) => x.dev === 'vs0')!;
    expect(s.tsNs.length).toBeGreaterThan(500);
    const eth = txreplay('replay', '--json', path.join(traces, 'eth0-normal', 'ftrace.txt'));
    expect(eth.status).toBe(0);
    const e = (JSON.parse(eth.stdout) as JsonResult).series.find((x) => x.dev === 'eth0')!;
    // the model's DQL limit is driven by the trace's BQL stream
    expect(e.dqlLimitExpected.some((v) => v !== null && v > 0)).toBe(true);
  });

  it('an ingested .arrow (replayed straight from the file, column by column) gives the same answer as its text', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-arrow-'));
    const arrow = path.join(dir, 'multiqueue.arrow');
    const text = path.join(traces, 'multiqueue', 'perf-script.txt');
    expect(txreplay('ingest', text, '-o', arrow).status).toBe(0);
    const fromArrow = txreplay('diagnose', '--json', arrow);
    const fromText = txreplay('diagnose', '--json', text);
    expect(fromArrow.status).toBe(1);
    const strip = (out: string): unknown => {
      const j = JSON.parse(out) as { trace: { sources: unknown } };
      j.trace.sources = null;
      return j;
    };
    expect(strip(fromArrow.stdout)).toEqual(strip(fromText.stdout));
    // a truncated .arrow (an interrupted writer) is not a trace: exit 3, the file and the reason on stderr
    const cut = path.join(dir, 'cut.arrow');
    const bytes = readFileSync(arrow);
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    const r = txreplay('diagnose', cut);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`${cut}: not a readable Arrow IPC file: no footer (truncated`);
  });

  it('exit codes: 3 for a non-trace, 2 for a bad flag or profile', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-diag-'));
    const junk = path.join(dir, 'junk.bin');
    writeFileSync(junk, Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 8, 9]));
    const nt = txreplay('diagnose', junk);
    expect(nt.status).toBe(3);
    expect(nt.stderr).toContain('junk.bin');
    const bad = txreplay('diagnose', '--hz', 'fast', path.join(traces, 'eth0-normal', 'perf-script.txt'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('hz');
    const prof = path.join(dir, 'p.json');
    writeFileSync(prof, JSON.stringify({ driver: 'igb', ringsize: 256 }));
    const badProf = txreplay('diagnose', '--profile', prof, path.join(traces, 'eth0-normal', 'perf-script.txt'));
    expect(badProf.status).toBe(2);
    expect(badProf.stderr).toContain('ringsize');
  });
});

/**
 * Stalls veth cannot produce, from the model's scenarios (examples/scenarios): simulate → perf-script
 * text → ingest → diagnose. Each fault's start is in the scenario (startOffsetNs 1000 s + startMs).
 */
describe('simulate → perf-script → diagnose round trip', () => {
  const scenarios = path.join(repoRoot, 'examples', 'scenarios');
  const dir = mkdtempSync(path.join(tmpdir(), 'txr-sim-'));
  const simulate = (name: string): string => {
    const out = path.join(dir, `${name}.perf-script.txt`);
    const r = txreplay('simulate', path.join(scenarios, `${name}.json`), '-o', out);
    if (r.status !== 0) throw new Error(`txreplay simulate ${name} failed (${r.status}): ${r.stderr}`);
    return out;
  };
  const diagnoseJson = (file: string, ...flags: string[]): { status: number | null; j: JsonResult } => {
    const r = txreplay('diagnose', '--json', ...flags, file);
    return { status: r.status, j: JSON.parse(r.stdout) as JsonResult };
  };
  const s = (ns: string): number => Number(BigInt(ns)) / 1e9;

  it('igb lost IRQ (fault at 1000.5 s): lost_interrupt on eth0 txq 0 from 1000.5 s, each watchdog timeout blamed on it', () => {
    const { status, j } = diagnoseJson(simulate('igb-lost-irq'), '--driver', 'igb');
    expect(status).toBe(1);
    const li = j.findings.filter((f) => f.kind === 'lost_interrupt').sort((a, b) => s(a.startNs) - s(b.startNs));
    expect(li.length).toBeGreaterThanOrEqual(1);
    expect(li[0]).toMatchObject({ dev: 'eth0', queue: 0, severity: 'critical' });
    expect(s(li[0]!.startNs)).toBeCloseTo(1000.5, 3);
    // the first watchdog (5 s watchdog_timeo after the stop) ends the first stall window
    const wd = j.findings.filter((f) => f.kind === 'watchdog_timeout').sort((a, b) => s(a.endNs) - s(b.endNs));
    expect(wd.length).toBeGreaterThanOrEqual(1);
    expect(wd[0]).toMatchObject({ dev: 'eth0', queue: 0 });
    expect(s(wd[0]!.endNs)).toBeGreaterThan(1005.4);
    expect(s(wd[0]!.endNs)).toBeLessThan(1006.6);
    expect(j.findings.some((f) => f.kind === 'stuck_dma' || f.kind === 'lost_wakeup')).toBe(false);
  });

  it('igb lost IRQ seen through net_dev_xmit + net_dev_xmit_timeout + napi_poll only: still lost_interrupt from 1000.5 s, device-wide', () => {
    const full = readFileSync(simulate('igb-lost-irq'), 'utf8').split('\n');
    const sub = path.join(dir, 'igb-subset.perf-script.txt');
    writeFileSync(
      sub,
      full.filter((l) => /net:net_dev_xmit:|net:net_dev_xmit_timeout:|napi:napi_poll:/.test(l)).join('\n') + '\n',
    );
    const { status, j } = diagnoseJson(sub);
    expect(status).toBe(1);
    const li = j.findings.filter((f) => f.kind === 'lost_interrupt');
    expect(li).toHaveLength(1);
    expect(li[0]).toMatchObject({ dev: 'eth0', queue: null });
    expect(s(li[0]!.startNs)).toBeCloseTo(1000.5, 3);
    expect(j.findings.filter((f) => f.kind === 'watchdog_timeout').length).toBeGreaterThanOrEqual(1);
    expect(
      (JSON.parse(txreplay('diagnose', '--json', sub).stdout) as { captureAdvice: string[] }).captureAdvice.join(' '),
    ).toContain('qdisc:qdisc_dequeue');
  });

  it('macb stuck head (fault at 1001 s): stuck_dma on end0 txq 0 from 1001 s, silent (no watchdog)', () => {
    const { status, j } = diagnoseJson(simulate('macb-stuck-head'), '--driver', 'macb');
    expect(status).toBe(1);
    const sd = j.findings.filter((f) => f.kind === 'stuck_dma');
    expect(sd).toHaveLength(1);
    expect(sd[0]).toMatchObject({ dev: 'end0', queue: 0, severity: 'critical' });
    expect(s(sd[0]!.startNs)).toBeCloseTo(1001.0, 3);
    expect(sd[0]!.endNs).toBe(j.trace.lastNs);
    expect(j.findings.some((f) => f.kind === 'watchdog_timeout' || f.kind === 'lost_interrupt')).toBe(false);
  });

  it('macb stuck head with no driver named: lost_interrupt with the macb reading beside it (both readings)', () => {
    const { j } = diagnoseJson(simulate('macb-stuck-head'));
    const r = j as JsonResult & {
      drivers: { dev: string; driver: string | null; source: string }[];
      findings: (JsonFinding & { alternatives?: { kind: string; driver: string }[] })[];
    };
    expect(r.drivers).toEqual([expect.objectContaining({ dev: 'end0', driver: null, source: 'none' })]);
    const li = r.findings.find((f) => f.kind === 'lost_interrupt')!;
    expect(li.alternatives).toEqual([expect.objectContaining({ kind: 'stuck_dma', driver: 'macb' })]);
    expect(li.explanation).toContain('--driver macb');
    // named: one reading, and the post-mortem says where the driver came from
    const named = diagnoseJson(simulate('macb-stuck-head'), '--driver', 'macb').j as typeof r;
    expect(named.drivers).toEqual([{ dev: 'end0', driver: 'macb', source: 'flag', why: '--driver' }]);
    expect(named.findings.some((f) => (f.alternatives ?? []).length > 0)).toBe(false);
  });

  it("the driver comes from the evidence: the trace's net_dev_xmit_timeout driver=, else a kernel log beside it", () => {
    const trace = simulate('igb-lost-irq');
    const fromTrace = diagnoseJson(trace).j as JsonResult & {
      drivers: { dev: string; driver: string; source: string }[];
    };
    expect(fromTrace.drivers).toEqual([expect.objectContaining({ dev: 'eth0', driver: 'igb', source: 'trace' })]);
    // without the timeout events the trace names no driver: the simulator's own dmesg (igb hang dumps) does
    const hang = path.join(dir, 'igb-tx-hang.perf-script.txt');
    const dmesg = path.join(dir, 'igb-tx-hang.dmesg');
    const sim = txreplay('simulate', path.join(scenarios, 'igb-tx-hang.json'), '-o', hang, '--dmesg', dmesg);
    expect(sim.status).toBe(0);
    const noTimeout = path.join(dir, 'igb-tx-hang.no-timeout.txt');
    writeFileSync(
      noTimeout,
      readFileSync(hang, 'utf8')
        .split('\n')
        .filter((l) => !l.includes('net_dev_xmit_timeout'))
        .join('\n'),
    );
    const r = txreplay('diagnose', '--json', noTimeout, dmesg);
    const j = JSON.parse(r.stdout) as JsonResult & {
      drivers: { dev: string; driver: string; source: string; why: string }[];
    };
    expect(j.drivers).toEqual([expect.objectContaining({ dev: 'eth0', driver: 'igb', source: 'log' })]);
    // the driver's hang dumps and the trace's stuck DMA are one finding, the dump quoted as its evidence
    const sd = j.findings.filter((f) => f.kind === 'stuck_dma');
    expect(sd).toHaveLength(1);
    expect(sd[0]!.explanation).toContain('The kernel log agrees: TDH 0xe8');
  });

  it('igb lost wake-up (no BQL, 64-slot ring, wake skipped from 300 ms): the silent stop reads as a txq blocked with nothing in flight', () => {
    // igb stops its queue itself when the ring is nearly full (no TX_BUSY), and a stopped single-queue qdisc is not
    // dequeued (no qdisc_dequeue event): the evidence is enqueues with no dequeue after the ring drained
    const { status, j } = diagnoseJson(simulate('igb-lost-wakeup'), '--driver', 'igb');
    expect(status).toBe(1);
    const b = j.findings.find((f) => f.kind === 'qdisc_stuck_backlog')!;
    expect(b).toMatchObject({ severity: 'critical', dev: 'eth0', queue: 0 });
    expect(s(b.startNs)).toBeCloseTo(1000.3, 3);
    expect(b.title).toContain('nothing in flight: a lost wake-up or a FROZEN bit');
  });

  it('igb TX_BUSY while awake (300-700 ms): tx_busy_while_awake and the busy loop on one skb', () => {
    const { status, j } = diagnoseJson(simulate('igb-tx-busy-while-awake'), '--driver', 'igb');
    expect(status).toBe(1);
    const a = j.findings.find((f) => f.kind === 'tx_busy_while_awake')!;
    expect(a).toMatchObject({ dev: 'eth0', queue: 0 });
    expect(s(a.startNs)).toBeCloseTo(1000.3, 2);
    expect(s(a.endNs)).toBeLessThan(1000.71);
    expect(j.findings.some((f) => f.kind === 'tx_busy_loop')).toBe(true);
  });

  it('fq_codel over its limit (frozen txq): its drops are NET_XMIT_CN, not ENOBUFS (net_xmit_errno maps only NET_XMIT_DROP)', () => {
    const out = path.join(dir, 'fq-codel-frozen-cn.perf-script.txt');
    const sim = txreplay('simulate', path.join(scenarios, 'fq-codel-frozen-cn.json'), '-o', out);
    expect(sim.status).toBe(0);
    expect(sim.stdout).toMatch(/eth0: sent \d+ pkts, qdisc drops [1-9]\d*, ENOBUFS 0,/); // the model: no ENOBUFS
    // qdisc unknown: the drops of already-enqueued skbs (fq_codel's batch drop) are not called ENOBUFS
    const plain = diagnoseJson(out, '--driver', 'igb').j.findings.find((f) => f.kind === 'qdisc_drops_enobufs')!;
    expect(plain.title).toMatch(/→ ENOBUFS for at most the \d+ refused at enqueue$/);
    expect(plain.explanation).toContain('net_xmit_errno() turns only NET_XMIT_DROP into -ENOBUFS');
    // qdisc known to be fq_codel: none of them is ENOBUFS
    const fq = diagnoseJson(out, '--driver', 'igb', '--qdisc', 'fq_codel').j.findings.find(
      (f) => f.kind === 'qdisc_drops_enobufs',
    )!;
    expect(fq.title).toContain('fq_codel: NET_XMIT_CN or SUCCESS to the senders, not ENOBUFS');
    expect(fq.title).not.toContain('→ ENOBUFS');
    // the frozen txq itself: on a single-queue root, dequeue_skb() returns NULL untraced while the txq is frozen or
    // stopped, so the enqueues after the last traced dequeue (counted in the trace text) are the evidence
    const frozenAt = 1000.2;
    const lines = readFileSync(out, 'utf8').split('\n');
    const tsOf = (l: string): number => Number(/(\d+\.\d+):/.exec(l)?.[1]);
    const lastDequeue = Math.max(...lines.filter((l) => l.includes('qdisc:qdisc_dequeue')).map(tsOf));
    const after = lines.filter((l) => l.includes('qdisc:qdisc_enqueue') && tsOf(l) > lastDequeue).length;
    const blocked = diagnoseJson(out, '--driver', 'igb').j.findings.find((f) => f.kind === 'qdisc_stuck_backlog')!;
    expect(blocked).toMatchObject({ severity: 'critical', dev: 'eth0', queue: 0 });
    expect(blocked!.title).toContain(`blocked for`);
    expect(blocked!.title).toContain(`${after} packet(s) enqueued after the last dequeue, none dequeued`);
    expect(s(blocked!.startNs)).toBeCloseTo(frozenAt, 2);
    expect(blocked!.explanation).toContain('FROZEN bit left set');
  });

  it('frozen queue (fault at 1000.2 s): frozen_queue on eth0 txq 0 from 1000.2 s, drops → ENOBUFS after', () => {
    const { status, j } = diagnoseJson(simulate('frozen-queue-enobufs'));
    expect(status).toBe(1);
    const fz = j.findings.filter((f) => f.kind === 'frozen_queue');
    expect(fz).toHaveLength(1);
    expect(fz[0]).toMatchObject({ dev: 'eth0', queue: 0, severity: 'critical' });
    expect(s(fz[0]!.startNs)).toBeCloseTo(1000.2, 2);
    expect(fz[0]!.endNs).toBe(j.trace.lastNs);
    const dr = j.findings.find((f) => f.kind === 'qdisc_drops_enobufs')!;
    expect(dr).toMatchObject({ dev: 'eth0', queue: 0 });
    expect(s(dr.startNs)).toBeGreaterThan(1000.2);
  });

  it('macb TX error with BQL (6.18): the leaked in-flight bytes hold the queue (dql_limit_collapse) from the error task on', () => {
    const out = path.join(dir, 'macb-tx-error-bql.perf-script.txt');
    const dmesg = path.join(dir, 'macb-tx-error-bql.dmesg');
    const r = txreplay('simulate', path.join(scenarios, 'macb-tx-error-bql.json'), '-o', out, '--dmesg', dmesg);
    expect(r.status).toBe(0);
    // ground truth from the model's driver log: when macb_tx_error_task ran and how many bytes it discarded unreported
    const m =
      /\[\s*([0-9.]+)\] macb \S+ end0: macb_tx_error_task: .*\((\d+) bytes discarded, not reported to BQL\)/.exec(
        readFileSync(dmesg, 'utf8'),
      );
    expect(m).not.toBeNull();
    const taskS = Number(m![1]);
    const { status, j } = diagnoseJson(out, '--driver', 'macb');
    expect(status).toBe(1);
    const c = j.findings.filter((f) => f.kind === 'dql_limit_collapse');
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ dev: 'end0', queue: 0, severity: 'critical' });
    expect(s(c[0]!.startNs)).toBeCloseTo(taskS, 5);
    expect(c[0]!.endNs).toBe(j.trace.lastNs);
    expect((c[0] as JsonFinding & { title: string }).title).toContain(`${m![2]} bytes`);
    // the mechanism is the leak, not a missing completion: no stack_xoff_stuck / lost wake-up / lost interrupt
    expect(j.findings.some((f) => ['stack_xoff_stuck', 'lost_wakeup', 'lost_interrupt'].includes(f.kind))).toBe(false);
    // the evidence names where the unreported skbs were freed (macb_tx_error_task → napi_consume_skb(skb, 0) →
    // completion queue → net_tx_action), not the driver's clean function
    const notes = (f: JsonFinding): string =>
      (f.evidence as unknown as { note: string }[]).map((e) => e.note).join(' | ');
    expect(notes(c[0]!)).toContain('freed at net_tx_action');
    // the same events with the timestamp groups in reverse order (rows out of time order: the whole-table path,
    // which sorts by (ts, line) — events sharing a timestamp keep their order) give the same finding
    const reversed = path.join(dir, 'macb-tx-error-bql.reversed.perf-script.txt');
    const groups: string[][] = [];
    for (const l of readFileSync(out, 'utf8').trimEnd().split('\n')) {
      const ts = /\]\s+(\d+\.\d+):/.exec(l)?.[1];
      const last = groups[groups.length - 1];
      if (last && /\]\s+(\d+\.\d+):/.exec(last[0]!)?.[1] === ts) last.push(l);
      else groups.push([l]);
    }
    writeFileSync(reversed, groups.reverse().flat().join('\n') + '\n');
    const jr = diagnoseJson(reversed, '--driver', 'macb').j;
    const cr = jr.findings.filter((f) => f.kind === 'dql_limit_collapse');
    expect(cr).toHaveLength(1);
    expect([cr[0]!.startNs, cr[0]!.endNs]).toEqual([c[0]!.startNs, c[0]!.endNs]);
    expect(notes(cr[0]!)).toContain('freed at net_tx_action');
  });

  it('igb TX hang (DMA stuck at 1000.5 s, NAPI still polling): stuck_dma from 1000.5 s, not a lost wake-up; the watchdog blames it', () => {
    const { status, j } = diagnoseJson(simulate('igb-tx-hang'), '--driver', 'igb');
    expect(status).toBe(1);
    const sd = j.findings.filter((f) => f.kind === 'stuck_dma');
    expect(sd).toHaveLength(1);
    expect(sd[0]).toMatchObject({ dev: 'eth0', queue: 0, severity: 'critical' });
    expect(s(sd[0]!.startNs)).toBeCloseTo(1000.5, 3);
    expect(j.findings.some((f) => f.kind === 'lost_wakeup' || f.kind === 'lost_interrupt')).toBe(false);
    const wd = j.findings.filter((f) => f.kind === 'watchdog_timeout');
    expect(wd.length).toBeGreaterThanOrEqual(1);
    expect(wd[0]).toMatchObject({ dev: 'eth0', queue: 0 });
    expect((wd[0] as JsonFinding & { title: string }).title).toContain('stuck dma');
  });

  it('per-device profiles: an igb NIC and a macb NIC in one trace, each stall named by its own driver', () => {
    // two simulated machines in one diagnose run; the macb one's pointers are moved so skb/napi addresses stay distinct
    const igb = simulate('igb-lost-irq');
    const macb = path.join(dir, 'macb-moved.perf-script.txt');
    writeFileSync(macb, readFileSync(simulate('macb-stuck-head'), 'utf8').replaceAll('0xffff8881', '0xffff8882'));
    const kinds = (j: JsonResult, dev: string): string[] => [
      ...new Set(
        j.findings
          .filter((f) => f.dev === dev && f.kind !== 'qdisc_drops_enobufs' && f.kind !== 'watchdog_timeout')
          .map((f) => f.kind),
      ),
    ];
    // one global --driver cannot be right for both: macb's "no TX interrupt until transmitted" rule turns the igb lost IRQ into a stuck ring
    const global = diagnoseJson(igb, '--driver', 'macb', macb).j;
    expect(kinds(global, 'eth0')).toEqual(['stuck_dma']);
    const check = (j: JsonResult): void => {
      expect(kinds(j, 'eth0')).toEqual(['lost_interrupt']);
      expect(kinds(j, 'end0')).toEqual(['stuck_dma']);
      const li = j.findings.filter((f) => f.kind === 'lost_interrupt').sort((a, b) => s(a.startNs) - s(b.startNs));
      expect(li[0]).toMatchObject({ dev: 'eth0', queue: 0 });
      expect(s(li[0]!.startNs)).toBeCloseTo(1000.5, 3);
      const sd = j.findings.find((f) => f.kind === 'stuck_dma')!;
      expect(sd).toMatchObject({ dev: 'end0', queue: 0 });
      expect(s(sd.startNs)).toBeCloseTo(1001.0, 3);
      expect(j.findings.some((f) => f.kind === 'watchdog_timeout' && f.dev === 'end0')).toBe(false); // macb: no watchdog
    };
    check(
      diagnoseJson(
        igb,
        '--device-profile',
        'dev=eth0,driver=igb',
        '--device-profile',
        'dev=end0,driver=macb,ring=64',
        macb,
      ).j,
    );
    const profile = path.join(dir, 'two-nics.profile.json');
    writeFileSync(
      profile,
      JSON.stringify({
        hz: 250,
        devices: { eth0: { driver: 'igb', ring: 256 }, end0: { driver: 'macb', rate: '100M' } },
      }),
    );
    check(diagnoseJson(igb, '--profile', profile, macb).j);
    // `txreplay report` takes the same per-device profiles: the stored findings name each stall by its own driver
    const db = path.join(dir, 'two-nics-db');
    const rep = txreplay(
      'report',
      igb,
      macb,
      '--db',
      db,
      '--no-html',
      '--device-profile',
      'dev=eth0,driver=igb',
      '--device-profile',
      'dev=end0,driver=macb,ring=64',
    );
    expect(rep.stderr).not.toMatch(/error/i);
    const stored = txreplay(
      'query',
      "SELECT DISTINCT dev, kind FROM findings WHERE kind IN ('lost_interrupt', 'stuck_dma') ORDER BY dev",
      '--db',
      db,
      '--format',
      'json',
    );
    expect(
      stored.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      { dev: 'end0', kind: 'stuck_dma' },
      { dev: 'eth0', kind: 'lost_interrupt' },
    ]);
    // a device profile without dev= or with an unknown key is a usage error (exit 2)
    expect(txreplay('diagnose', '--device-profile', 'driver=igb', igb).status).toBe(2);
    expect(txreplay('diagnose', '--device-profile', 'dev=eth0,colour=red', igb).status).toBe(2);
  });

  /**
   * One scenario per finding kind (examples/scenarios, packages/replay/README.md "Rule → evidence → real trace →
   * scenario"): the diagnosis names that kind with the severity the rule gives it, on the device, queue and from the
   * time the scenario's fault sets, and no other critical finding.
   */
  const ROUND_TRIPS: {
    scenario: string;
    flags?: string[];
    kind: string;
    severity: string;
    dev: string;
    queue: number | null;
    /** the fault's start (s), or the window's start when the finding's window begins earlier */
    startS: number;
    /** kinds the scenario is allowed to show beside it (consequences of the same fault) */
    also?: string[];
    /** exit status (default 1: findings) */
    status?: number;
  }[] = [
    {
      scenario: 'igb-lost-wakeup-bql',
      flags: ['--driver', 'igb'],
      kind: 'lost_wakeup',
      severity: 'critical',
      dev: 'eth0',
      queue: 0,
      // the stop that stayed began just before the fault (the queue was stopped; its wake at 200.x was the one lost)
      startS: 1000.1995,
      also: ['qdisc_drops_enobufs'],
    },
    {
      scenario: 'veth-peer-down',
      kind: 'peer_down',
      severity: 'critical',
      dev: 'vs0',
      queue: null,
      startS: 1000.3,
    },
    {
      // unres_qlen_bytes (212992) holds 92 skbs of truesize 2304: the first NEIGH_QUEUEFULL 18.4 ms after the fault
      scenario: 'neigh-unresolved',
      flags: ['--driver', 'igb'],
      kind: 'neigh_drops',
      severity: 'warning',
      dev: '(neighbour layer)',
      queue: null,
      startS: 1000.2184,
    },
    {
      // an info finding only: the verdict does not change (exit 0), the lost window is in coverage.unknownNs
      scenario: 'igb-tracer-lost',
      flags: ['--driver', 'igb'],
      kind: 'trace_gap',
      severity: 'info',
      dev: '*',
      queue: null,
      startS: 1000.12,
      status: 0,
    },
    {
      // dql_check_stall runs in dql_completed: the stall is reported when the ring resumes (1000.26 s)
      scenario: 'igb-dql-stall',
      flags: ['--driver', 'igb'],
      kind: 'dql_stall',
      severity: 'warning',
      dev: 'eth0',
      queue: null,
      startS: 1000.26,
    },
    {
      scenario: 'pfifo-fast-nolock-stuck-skb',
      flags: ['--driver', 'igb'],
      kind: 'qdisc_stuck_skb',
      severity: 'warning',
      dev: 'eth0',
      queue: 0,
      startS: 1000.25,
    },
    {
      // the first starved window: ksoftirqd runs 2 ms of every 20 ms, its last poll in the window used the full budget
      scenario: 'veth-backlog-napi-gap',
      kind: 'napi_poll_gap',
      severity: 'warning',
      dev: '(no_device)',
      queue: null,
      startS: 1000.0219,
    },
    {
      // completions reported as 0 bytes from 300 ms: the first STACK_XOFF after it is never cleared while the 10 Mb/s
      // ring drains the 1 MB limit_min lets in flight (still 97 packets in it at the end)
      scenario: 'igb-bql-zero-bytes',
      flags: ['--driver', 'igb'],
      kind: 'stack_xoff_stuck',
      severity: 'critical',
      dev: 'eth0',
      queue: 0,
      startS: 1000.3163,
      also: ['qdisc_drops_enobufs'],
    },
    {
      scenario: 'igb-doorbell-not-rung',
      flags: ['--driver', 'igb'],
      kind: 'doorbell_not_rung',
      severity: 'critical',
      dev: 'eth0',
      queue: 0,
      startS: 1000.3005,
    },
  ];
  for (const t of ROUND_TRIPS) {
    it(`${t.scenario}: diagnosed as ${t.kind} (${t.severity}) from ${t.startS} s, nothing else critical`, () => {
      const { status, j } = diagnoseJson(simulate(t.scenario), ...(t.flags ?? []));
      expect(status).toBe(t.status ?? 1);
      const found = j.findings.filter((f) => f.kind === t.kind);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: t.severity, dev: t.dev, queue: t.queue });
      expect(s(found[0]!.startNs)).toBeCloseTo(t.startS, 3);
      const others = j.findings.filter((f) => f.kind !== t.kind);
      expect(others.filter((f) => !(t.also ?? []).includes(f.kind)).map((f) => f.kind)).toEqual([]);
      expect(others.filter((f) => f.severity === 'critical').map((f) => f.kind)).toEqual([]);
    });
  }

  it('healthy igb: no findings, exit 0', () => {
    const { status, j } = diagnoseJson(simulate('healthy-igb'), '--driver', 'igb');
    expect(j.findings).toEqual([]);
    expect(status).toBe(0);
  });
});
