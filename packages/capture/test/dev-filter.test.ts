/**
 * `txreplay capture --dev` keeps what diagnosis needs, for real: a veth pair between two namespaces of this
 * package's own (test/netns-veth-cd.sh, `txr-cd-*`), a bounded UDP flood, captures with bpftrace and perf.
 * Checked: the header line at the top parses back to the filter used; the PEER's napi_poll (the veth's TX
 * completion path) is in the trace; the frees kept are exactly the sender's skbs' (the qdisc drops, equal to
 * `tc -s`); a SIGINT in the middle of a flood leaves every event up to the stop (against the sender's own
 * per-sendto() CLOCK_MONOTONIC log); lost events are reported, not hidden.
 *
 * Needs root, python3, ip/tc/taskset and bpftrace and perf: without them these tests FAIL and say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import {
  CAPTURE_HEADER_PREFIX,
  FIELDS_6_18,
  PerfSkbFilter,
  TX_TRACEPOINTS,
  formatCaptureHeader,
  parseCaptureHeader,
  perfRecordArgs,
  which,
  type CaptureFilter,
  type CaptureTool,
  type ParsedCaptureHeader,
} from '@txreplay/capture';
import { cliMain, startCli } from './cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const netns = join(repoRoot, 'packages/capture/test/netns-veth-cd.sh');
const SENDER = 'txr-cd-s0';
const PEER = 'txr-cd-r0';
const TOOLS: CaptureTool[] = ['bpftrace', 'perf'];

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

interface Tc {
  packets: number;
  drops: number;
  requeues: number;
  qlen: number;
}
const tc = (): Tc => (JSON.parse(sh(netns, ['tc-json'])) as Tc[])[0]!;

interface CaptureJson {
  lostEvents: number;
  eventCounts: Record<string, number>;
  stoppedEarly: boolean;
  filter: CaptureFilter;
}

/** Same as `netns burst`, but in the background (resolves with its JSON line). */
function burstAsync(args: string[], env: NodeJS.ProcessEnv): Promise<{ sent: number; ok: number; enobufs: number }> {
  return new Promise((res, rej) => {
    const child = spawn(netns, ['burst', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`burst exited ${code}`))));
  });
}

function onlineCpus(): number[] {
  const cpus: number[] = [];
  for (const part of readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Event lines of a capture file: [tsNs, event, rest] (bpftrace printf or perf script layout). */
function eventLines(text: string, tool: CaptureTool): Array<{ tsNs: number; event: string; line: string }> {
  const out: Array<{ tsNs: number; event: string; line: string }> = [];
  for (const line of text.split('\n')) {
    if (tool === 'bpftrace') {
      const m = /^(\d+) \d+ \d+ .*? ([a-z_0-9]+:[a-z_0-9]+) /.exec(line);
      if (m) out.push({ tsNs: Number(m[1]), event: m[2]!, line });
    } else {
      const m = /\s\d+\s+\[\d+\]\s+(\d+)\.(\d{6}):\s+([a-z_0-9]+:[a-z_0-9]+):/.exec(line);
      if (m) out.push({ tsNs: Number(m[1]) * 1e9 + Number(m[2]) * 1e3, event: m[3]!, line });
    }
  }
  return out;
}

describe('capture header (header.ts): the grammar round-trips', () => {
  const filter: CaptureFilter = {
    tracer: 'bpftrace',
    kernel: '6.18.44-fc-v1272',
    dev: 'vs0',
    ifindex: 4301,
    peer: 'vr0',
    peerIfindex: 4302,
    napiDevs: ['vs0', 'vr0', '(no_device)'],
    frees: 'by-skb',
    events: [...TX_TRACEPOINTS],
    lost: 12,
    stopped: 'signal',
  };

  it('format → parse gives the filter back; the line is one # comment without spaces in values', () => {
    const line = formatCaptureHeader(filter);
    expect(line.startsWith(`${CAPTURE_HEADER_PREFIX} v=1 tracer=bpftrace `)).toBe(true);
    expect(line).toContain(' dev=vs0 ifindex=4301 peer=vr0 peer_ifindex=4302 napi=vs0,vr0,(no_device) frees=by-skb ');
    expect(line).not.toContain('\n');
    expect(parseCaptureHeader(line)).toMatchObject(filter);
    expect(parseCaptureHeader(`${line}\n`)).toMatchObject(filter);
  });

  it('no filter: * and -; odd names are percent-encoded; other lines are not headers; bad headers throw', () => {
    const all: CaptureFilter = {
      ...filter,
      dev: null,
      ifindex: null,
      peer: null,
      peerIfindex: null,
      napiDevs: null,
      frees: 'all',
    };
    const line = formatCaptureHeader(all);
    expect(line).toContain(' dev=* ifindex=* peer=- peer_ifindex=- napi=* frees=all ');
    expect(parseCaptureHeader(line)).toMatchObject(all);
    const odd: CaptureFilter = { ...filter, dev: 'a b,c=%', napiDevs: ['a b,c=%', '-'] };
    const oddLine = formatCaptureHeader(odd);
    expect(oddLine).toContain(' dev=a%20b%2Cc%3D%25 ');
    expect(parseCaptureHeader(oddLine)).toMatchObject(odd);
    expect(parseCaptureHeader('# txpath.bt started ts_ns=1')).toBeNull();
    expect(parseCaptureHeader('123 0 1 x net:net_dev_queue dev=a')).toBeNull();
    expect(() => parseCaptureHeader(`${CAPTURE_HEADER_PREFIX} v=2 tracer=perf`)).toThrow(/version/);
    expect(() => parseCaptureHeader(line.replace('frees=all', 'frees=some'))).toThrow(/frees/);
  });

  it('perf recipe: napi_poll filtered by every NAPI that completes the device (veth peer, backlog)', () => {
    const args = perfRecordArgs({
      fields: FIELDS_6_18,
      dataPath: '/tmp/p.data',
      seconds: 5,
      dev: 'vs0',
      ifindex: 4301,
      napiDevs: ['vs0', 'vr0', '(no_device)'],
    });
    expect(args[args.indexOf('napi:napi_poll') + 2]).toBe(
      'dev_name == "vs0" || dev_name == "vr0" || dev_name == "(no_device)"',
    );
    // skb frees cannot be filtered by perf: recorded unfiltered, narrowed after perf script
    expect(args[args.indexOf('skb:consume_skb') + 1]).toBe('-e');
  });

  it('perf text filter: keeps frees of skbs seen on start_xmit too, counts and keeps PERF_RECORD_LOST lines (ingest reads them)', () => {
    const f = new PerfSkbFilter('vs0');
    const lines = [
      'python3 1 [000]  1.000001:   net:net_dev_start_xmit: dev=vs0 queue_mapping=0 skbaddr=0xffff888100000300 len=42',
      '         python3 15265 [001]  2719.948127: PERF_RECORD_LOST lost 1026',
      'python3 1 [000]  1.000003:   skb:kfree_skb: skbaddr=0xffff888100000300 rx_sk=(nil) protocol=2048 location=x reason: NOT_SPECIFIED',
      'python3 1 [000]  1.000004:   skb:kfree_skb: skbaddr=0xffff888100000300 rx_sk=(nil) protocol=2048 location=x reason: NOT_SPECIFIED',
    ];
    expect(lines.map((l) => f.keep(l))).toEqual([true, true, true, false]);
    expect(f.lost).toBe(1026);
    expect(new PerfSkbFilter(null).keep(lines[3]!)).toBe(true);
  });
});

describe('fixtures/captured/dev-filter-veth: the recorded --dev capture reads back to its ground truth', () => {
  const dir = join(repoRoot, 'fixtures/captured/dev-filter-veth');
  interface FileTruth {
    lines: number;
    comment_lines: number;
    header: string;
    event_counts: Record<string, number>;
    napi_poll_by_dev: Record<string, number>;
    peer_napi_work_sum: number;
    frees_by_location: Record<string, number>;
  }
  const truth = JSON.parse(readFileSync(join(dir, 'ground-truth.json'), 'utf8')) as {
    qdisc_delta: { packets: number; drops: number };
    link_delta: { r0_rx_packets: number };
    files: Record<string, FileTruth>;
  };
  for (const [file, t] of Object.entries(truth.files)) {
    it(`${file}: ingest counts = regex counts; header, peer NAPI work and frees match the kernel counters`, async () => {
      const { summary } = await loadEvents([join(dir, file)]);
      const { _total, ...perEvent } = t.event_counts;
      expect(summary.eventCounts).toEqual(perEvent);
      expect(summary.events).toBe(_total);
      expect(summary.skipped).toBe(0);
      expect(summary.comments).toBe(t.lines - (_total ?? 0)); // header, `#` frame lines, "Attaching…", blank lines
      const header = parseCaptureHeader(t.header);
      expect(header).toMatchObject({ dev: SENDER, peer: PEER, napiDevs: [SENDER, PEER, '(no_device)'], lost: 0 });
      expect(t.napi_poll_by_dev[PEER]).toBeGreaterThan(0);
      expect(t.peer_napi_work_sum).toBe(truth.qdisc_delta.packets);
      expect(t.peer_napi_work_sum).toBe(truth.link_delta.r0_rx_packets);
      expect(t.frees_by_location).toEqual({ 'skb:kfree_skb __dev_queue_xmit': truth.qdisc_delta.drops });
    });
  }
});

describe(`txreplay capture --dev ${SENDER} on a veth (this kernel, for real)`, () => {
  let work = '';
  let setupError: Error | null = null;
  const requireSetup = (): void => {
    if (setupError) throw setupError;
  };
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'txreplay-devfilter-'));
    try {
      const missing: string[] = [];
      if (process.getuid?.() !== 0) missing.push('root');
      for (const bin of ['bpftrace', 'perf', 'ip', 'tc', 'python3', 'taskset', 'renice'])
        if (!which(bin)) missing.push(bin);
      if (!existsSync(cliMain)) missing.push(`${cliMain} (run pnpm build)`);
      if (missing.length) throw new Error(`dev-filter capture tests need: ${missing.join(', ')}`);
      sh(netns, ['up'], { TXR_QDISC: 'pfifo_fast', TXR_TXQUEUELEN: '32', TXR_BACKPRESSURE: '1' });
    } catch (err) {
      setupError = err instanceof Error ? err : new Error(String(err));
    }
  });
  afterAll(() => {
    spawnSync(netns, ['down'], { stdio: 'ignore', timeout: 20_000 });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const tool of TOOLS) {
    it(`${tool}: header, the peer's napi_poll, and the sender's frees (= tc drops) are in the trace`, async () => {
      requireSetup();
      const out = join(work, `flood.${tool}.txt`);
      // 6 s from attach: the burst must fit in the window on a loaded machine too
      const cli = startCli(['--seconds', '6', '--dev', SENDER, '--tool', tool, '-o', out, '--json']);
      await cli.attached;
      const before = tc();
      const burst = JSON.parse(sh(netns, ['burst', '3000', '1000', '1'])) as { sent: number; ok: number };
      for (let i = 0; i < 20 && tc().qlen > 0; i++) await sleep(100);
      const after = tc();
      const { code, stdout, stderr } = await cli.exit;
      expect(code, stderr).toBe(0);
      const result = JSON.parse(stdout) as CaptureJson;
      const text = readFileSync(out, 'utf8');

      // the header is the first line and says what was kept
      const header: ParsedCaptureHeader | null = parseCaptureHeader(text.slice(0, text.indexOf('\n')));
      expect(header).toMatchObject({
        tracer: tool,
        dev: SENDER,
        ifindex: 4351,
        peer: PEER,
        peerIfindex: 4352,
        napiDevs: [SENDER, PEER, '(no_device)'],
        frees: tool === 'bpftrace' ? 'by-skb' : 'by-skb-post',
        lost: result.lostEvents,
        stopped: 'deadline',
      });
      expect(header).toMatchObject(result.filter);
      expect(header?.events).toEqual(expect.arrayContaining(['napi:napi_poll', 'skb:kfree_skb', 'skb:consume_skb']));

      const events = eventLines(text, tool);
      const drops = after.drops - before.drops;
      expect(drops, 'the flood overflowed the qdisc').toBeGreaterThan(0);
      expect(events.filter((e) => e.event === 'net:net_dev_queue')).toHaveLength(burst.sent);
      // the veth's TX completion path: the peer's NAPI (veth_poll) received the packets
      // (bpftrace prints dev=/work=, perf the kernel's "… for device D work N budget B")
      const peerPolls = events.filter(
        (e) => e.event === 'napi:napi_poll' && /(?: dev=| for device )txr-cd-r0 /.test(`${e.line} `),
      );
      expect(peerPolls.length, 'napi_poll of the peer').toBeGreaterThan(0);
      const peerWork = peerPolls.reduce((n, e) => n + Number(/work[= ](\d+)/.exec(e.line)?.[1] ?? 0), 0);
      // every packet the qdisc sent was received by the peer's NAPI (GRO on: veth_poll), inside the capture
      expect(peerWork).toBe(after.packets - before.packets);
      // frees: only the sender's skbs. On a veth the receiver frees a delivered skb without a tracepoint (and the
      // address is forgotten at netif_receive_skb), so what is kept are the qdisc drops, one per tc drop
      const frees = events.filter((e) => e.event === 'skb:kfree_skb' || e.event === 'skb:consume_skb');
      expect(frees).toHaveLength(drops);
      for (const e of frees) expect(e.line).toMatch(/location=__dev_queue_xmit/);
      expect(burst.ok).toBe(after.packets - before.packets);

      // ingest reads the header as a comment and everything else as before
      const { summary } = await loadEvents([out]);
      expect(summary.skipped).toBe(0);
      expect(summary.comments).toBeGreaterThanOrEqual(1);
    });
  }

  for (const tool of TOOLS) {
    it(`${tool}: SIGINT in the middle of a flood keeps every event up to the stop`, async () => {
      requireSetup();
      const out = join(work, `sigint.${tool}.txt`);
      const sendLog = join(work, `sigint.${tool}.sends`);
      const cli = startCli(['--seconds', '60', '--dev', SENDER, '--tool', tool, '-o', out, '--json']);
      await cli.attached;
      // a paced flood (one sendto per >= 100 µs, at most 3 s) that runs on past the SIGINT
      const burst = burstAsync(['30000', '200', '3'], { TXR_SEND_GAP_US: '100', TXR_SEND_LOG: sendLog });
      await sleep(1500);
      const sigintNs = Number(process.hrtime.bigint()); // CLOCK_MONOTONIC, as nsecs and perf -k
      process.kill(cli.pid, 'SIGINT');
      const { code, stdout, stderr } = await cli.exit;
      await burst;
      expect(code, stderr).toBe(0);
      const result = JSON.parse(stdout) as CaptureJson;
      expect(result.stoppedEarly).toBe(true);
      const text = readFileSync(out, 'utf8');
      expect(parseCaptureHeader(text.slice(0, text.indexOf('\n')))).toMatchObject({
        stopped: 'signal',
        lost: result.lostEvents,
      });
      expect(result.lostEvents).toBe(0);
      if (tool === 'bpftrace') {
        // the clean stop: a flush line from every online CPU, then END
        const flushed = [...text.matchAll(/^# txpath\.bt flush cpu=(\d+)/gm)].map((m) => Number(m[1]));
        expect(flushed.sort((a, b) => a - b)).toEqual(onlineCpus());
        expect(text).toMatch(/^# txpath\.bt ended ts_ns=\d+$/m);
      }
      // every sendto() makes one net_dev_queue (also when the qdisc drops it): up to the last recorded one,
      // none may be missing, and the capture must reach the SIGINT
      const sends = readFileSync(sendLog, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ').map(Number) as [number, number]);
      const queued = eventLines(text, tool).filter((e) => e.event === 'net:net_dev_queue');
      const lastNs = queued.at(-1)?.tsNs ?? 0;
      const slackNs = tool === 'perf' ? 1000 : 0; // perf script prints µs
      const surelyBefore = sends.filter(([, end]) => end < lastNs - slackNs).length;
      const maybeBefore = sends.filter(([start]) => start <= lastNs + slackNs).length;
      expect(queued.length).toBeGreaterThanOrEqual(surelyBefore);
      expect(queued.length).toBeLessThanOrEqual(maybeBefore);
      expect(queued.length).toBeGreaterThanOrEqual(sends.filter(([, end]) => end < sigintNs).length);
      expect(queued.length, 'the flood ran on after the stop').toBeLessThan(sends.length);
    });
  }

  it('bpftrace: lost events (a 1-page ring under a flood) are counted, in the result and in the header', async () => {
    requireSetup();
    const out = join(work, 'lossy.txt');
    const cli = startCli(['--seconds', '5', '--dev', SENDER, '--tool', 'bpftrace', '-o', out, '--json'], {
      BPFTRACE_PERF_RB_PAGES: '1',
    });
    await cli.attached;
    sh(netns, ['burst', '20000', '100', '1']);
    const { code, stdout, stderr } = await cli.exit;
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as CaptureJson;
    const text = readFileSync(out, 'utf8');
    const inText = [...text.matchAll(/^Lost (\d+) events/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(inText, 'a one-page ring overflowed').toBeGreaterThan(0);
    expect(result.lostEvents).toBe(inText);
    expect(parseCaptureHeader(text.slice(0, text.indexOf('\n')))?.lost).toBe(inText);
    const { summary } = await loadEvents([out]);
    expect(summary.lostEvents).toBe(inText);
  });
});
