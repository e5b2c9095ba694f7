/**
 * The capture kit, for real: two network namespaces joined by a veth (test/netns-veth-cd.sh: scripts/netns-veth.sh with its own names), a bounded UDP
 * flood that overflows the sender's pfifo_fast, `txreplay capture --dev txr-ck-s0` running meanwhile,
 * and the result read back with @txreplay/ingest and checked against the kernel's own counters
 * (`tc -s qdisc` deltas) and the sender's sendto() results.
 *
 * Needs root, python3, ip/tc and bpftrace or perf: without them these tests FAIL and say what is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import {
  bpftraceProgram,
  countCapture,
  perfRecordArgs,
  PerfSkbFilter,
  FIELDS_6_18,
  TX_TRACEPOINTS,
  parseDropReasons,
  parseFormatFields,
  which,
  type CaptureTool,
} from '@txreplay/capture';
import { cliMain, startCli } from './cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = process.env.TXREPLAY_SHARED ?? resolve(repoRoot, '../shared');
// scripts/netns-veth.sh through this package's wrapper, with its `ck` names (dev-filter.test.ts uses `cd`), so it
// never collides with other tests
const netns = join(repoRoot, 'packages/capture/test/netns-veth-cd.sh');
const NS_ENV = { TXR_NS_TAG: 'ck' };
const SENDER_DEV = 'txr-ck-s0';
const SENDER_IFINDEX = 4371;

const installedTools: CaptureTool[] = (['bpftrace', 'perf'] as const).filter((t) => which(t) !== null);

interface TcStats {
  packets: number;
  drops: number;
  requeues: number;
  backlog: number;
  qlen: number;
}
interface Burst {
  sent: number;
  ok: number;
  enobufs: number;
  other_errors: number;
}
interface CaptureJson {
  out: string;
  metaPath: string;
  lines: number;
  events: number;
  lostEvents: number;
  eventCounts: Record<string, number>;
  started: boolean;
  ended: boolean;
  stoppedEarly: boolean;
  tool: CaptureTool;
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...NS_ENV, ...env }, timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function tcStats(): TcStats {
  const q = (JSON.parse(sh(netns, ['tc-json'])) as TcStats[])[0];
  if (!q) throw new Error(`no qdisc on ${SENDER_DEV}`);
  return q;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fail loudly (never skip) when the machine cannot run a real capture. */
function requireCapturePreconditions(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (run the tests as root)');
  if (installedTools.length === 0) missing.push('bpftrace or perf (apt-get install bpftrace)');
  for (const bin of ['ip', 'tc', 'python3', 'taskset', 'renice']) if (!which(bin)) missing.push(bin);
  if (missing.length) throw new Error(`capture tests need: ${missing.join(', ')}`);
  // the CLI runs from its build: a stale dist would test old code
  const stale: string[] = [];
  const check = (src: string, built: string): void => {
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) stale.push(built);
  };
  check(
    join(repoRoot, 'packages/cli/src/commands/capture.ts'),
    join(repoRoot, 'packages/cli/dist/commands/capture.js'),
  );
  const srcDir = join(repoRoot, 'packages/capture/src');
  for (const f of readdirSync(srcDir)) {
    if (f.endsWith('.ts')) check(join(srcDir, f), join(repoRoot, 'packages/capture/dist', f.replace(/\.ts$/, '.js')));
  }
  if (!existsSync(cliMain)) stale.push(cliMain);
  if (stale.length)
    throw new Error(
      `the CLI build is missing or older than its source (${stale.join(', ')}): run \`pnpm build\` first`,
    );
}

describe('capture kit: program text and recipes', () => {
  it('packages/capture/txpath.bt is exactly the generator output for the Linux 6.18 tracepoint layouts', () => {
    const shipped = readFileSync(join(repoRoot, 'packages/capture/txpath.bt'), 'utf8');
    expect(shipped).toBe(
      bpftraceProgram({ fields: FIELDS_6_18, generatedFor: 'Linux 6.18 tracepoint layouts (spec §H.1)' }),
    );
    // one probe per tracepoint, two that only forget skbs (queued elsewhere, received by a device), and the
    // clean stop's flush marker
    for (const tp of TX_TRACEPOINTS) expect(shipped).toContain(`tracepoint:${tp}\n`);
    expect(shipped.match(/^tracepoint:/gm)).toHaveLength(13);
    expect(shipped).toContain('tracepoint:syscalls:sys_enter_kill\n/ args->pid == 2147483632 && args->sig == 0 /');
    expect(shipped).toContain('tracepoint:net:netif_receive_skb\n/ str($1) != "" /');
  });

  it('leaves out tracepoints and fields an older kernel does not have (spec §H.2)', () => {
    // a 6.1-like kernel: no dql_stall_detected, consume_skb without location, kfree_skb without rx_sk
    const fields = { ...FIELDS_6_18 } as Partial<typeof FIELDS_6_18>;
    delete fields['napi:dql_stall_detected'];
    fields['skb:consume_skb'] = ['skbaddr'];
    fields['skb:kfree_skb'] = ['skbaddr', 'location', 'protocol', 'reason'];
    const text = bpftraceProgram({ fields });
    expect(text).not.toContain('tracepoint:napi:dql_stall_detected');
    expect(text).toContain('Left out (absent on that kernel): napi:dql_stall_detected');
    expect(text).toContain('skb:consume_skb skbaddr=0x%llx\\n"');
    expect(text).toContain('skb:kfree_skb skbaddr=0x%llx protocol=%u reason=%u location=%s\\n"');
    // without net_dev_queue the skb frees cannot be attributed to a device: no skb map at all
    delete fields['net:net_dev_queue'];
    expect(bpftraceProgram({ fields })).not.toContain('@txr_skb');
  });

  it('perf recipe: one -e per tracepoint, device filters where the tracepoint has the field', () => {
    const args = perfRecordArgs({ fields: FIELDS_6_18, dataPath: '/tmp/p.data', seconds: 5, dev: 'vs0', ifindex: 201 });
    expect(args.slice(0, 4)).toEqual(['record', '-a', '-k', 'CLOCK_MONOTONIC']);
    const after = (ev: string): string | undefined => args[args.indexOf(ev) + 2];
    expect(after('net:net_dev_xmit')).toBe('name == "vs0"');
    expect(after('napi:napi_poll')).toBe('dev_name == "vs0"');
    expect(after('qdisc:qdisc_dequeue')).toBe('ifindex == 201');
    expect(args[args.indexOf('skb:kfree_skb') + 1]).not.toBe('--filter'); // no device field to filter on
    expect(args.filter((a) => a === '--filter')).toHaveLength(7); // net_dev_* ×4, qdisc ×2, napi_poll
    expect(args.slice(-7)).toEqual(['-e', 'net:netif_receive_skb', '-o', '/tmp/p.data', '--', 'sleep', '5']);
    // the shell recipe names the same ten tracepoints
    const recipe = readFileSync(join(repoRoot, 'packages/capture/perf-record.sh'), 'utf8');
    for (const tp of TX_TRACEPOINTS) expect(recipe).toContain(tp);
  });

  it('every printf line of the generated program is read by the ingest parser (incl. the two no shared capture has)', async () => {
    // fill each tracepoint's printf format with sample values, as bpftrace would, and read the result back
    const program = bpftraceProgram({ fields: FIELDS_6_18 });
    const formats = [...program.matchAll(/printf\("(%llu %d %d %s [^"]+)\\n",/g)].map((m) => m[1] ?? '');
    expect(formats).toHaveLength(TX_TRACEPOINTS.length);
    const sample: Record<string, string> = {
      '%llu': '1234567890123',
      '%d': '1',
      '%u': '7',
      '%lu': '4300',
      '%s': 'eth0',
      '0x%llx': '0xffff888100000100',
      '0x%lx': '0x1',
      '0x%x': '0x10000',
      '0x%04x': '0x0800',
    };
    const lines = formats.map((fmt, i) => {
      let n = 0;
      return fmt.replace(/0x%0?\d*l*x|%llu|%lu|%d|%u|%s/g, (conv) => {
        n++;
        if (n === 1) return String(1_000_000_000n + BigInt(i)); // ts_ns
        if (n === 4) return 'kworker/u8:2 (x)'; // a comm with spaces
        const value = sample[conv];
        if (value === undefined) throw new Error(`no sample for ${conv}`);
        return value;
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'txreplay-capture-fmt-'));
    try {
      const path = join(dir, 'kit.txt');
      writeFileSync(path, ['# txpath.bt started ts_ns=1', ...lines, '# txpath.bt ended ts_ns=2', ''].join('\n'));
      const { table, summary } = await loadEvents([path]);
      expect(summary.sources[0]?.format).toBe('bpftrace');
      expect(summary.skipped, JSON.stringify(summary.sources[0]?.issues)).toBe(0);
      expect(Object.keys(summary.eventCounts).sort()).toEqual([...TX_TRACEPOINTS].sort());
      const row = (ev: string): Record<string, unknown> => {
        const i = ((table.getChild('event')?.toArray() ?? []) as string[]).indexOf(ev);
        return Object.fromEntries(
          ['comm', 'dev', 'driver', 'queue', 'rc', 'stall_len', 'jiffies'].map((c) => [c, table.getChild(c)?.get(i)]),
        );
      };
      expect(row('net:net_dev_xmit_timeout')).toMatchObject({
        comm: 'kworker/u8:2 (x)',
        dev: 'eth0',
        driver: 'eth0',
        queue: 1,
      });
      expect(row('napi:dql_stall_detected')).toMatchObject({ stall_len: 7, jiffies: 4300n });
      expect(row('net:net_dev_xmit')).toMatchObject({ dev: 'eth0', rc: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('perf --dev post-filter: keeps frees of skbs queued on the device, with their call chains', () => {
    // lines in the layout of fixtures/captured/callchain-ftrace/perf-script-g.txt (perf script -g)
    const text = [
      'python3 30798 [000]  1381.772923:        net:net_dev_queue: dev=vs0 skbaddr=0xffff88810a1e1f00 len=1042',
      '\tffffffff81eb5c2e __dev_queue_xmit+0x50e ([kernel.kallsyms])',
      '',
      'python3 30798 [000]  1381.772925:        net:net_dev_queue: dev=lo skbaddr=0xffff888100000100 len=98',
      '',
      'python3 30798 [000]  1381.772930:            skb:kfree_skb: skbaddr=0xffff88810a1e1f00 rx_sk=(nil) protocol=2048 location=__dev_queue_xmit+0xdd1 reason: QDISC_OVERLIMIT',
      '\tffffffff81e9a1c1 kfree_skb_list_reason+0x1c1 ([kernel.kallsyms])',
      '',
      ' swapper     0 [001]  1381.772940:          skb:consume_skb: skbaddr=0xffff888100000100 location=unix_stream_read_generic+0x12',
      '\tffffffff81e9a000 consume_skb+0x40 ([kernel.kallsyms])',
      '',
      'python3 30798 [000]  1381.772950:        net:net_dev_queue: dev=vs0 skbaddr=0xffff888100000200 len=1042',
      '    napi/vr0  15 [000]  1381.772960:  net:netif_receive_skb: dev=vr0 skbaddr=0xffff888100000200 len=1028',
      '    napi/vr0  15 [000]  1381.772970:          skb:consume_skb: skbaddr=0xffff888100000200 location=skb_defer_free_flush+0x9',
      '\tffffffff81e9a000 consume_skb+0x40 ([kernel.kallsyms])',
    ];
    const f = new PerfSkbFilter('vs0');
    const kept = text.filter((l) => f.keep(l));
    expect(kept.filter((l) => /skb:(kfree|consume)_skb/.test(l))).toEqual([text[5]]); // only vs0's own drop
    expect(kept).toContain(text[6]); // its call chain stays with it
    expect(kept).not.toContain(text[9]); // the dropped free's chain goes with it
    expect(kept.some((l) => l.includes('netif_receive_skb'))).toBe(false); // bookkeeping only
    expect(f.dropped).toBe(2);
  });

  it('reads field layouts and drop reasons from the live tracefs format files', () => {
    const tracefs = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'].find((d) => existsSync(join(d, 'events/net')));
    if (!tracefs) throw new Error('tracefs is not mounted: mount -t tracefs nodev /sys/kernel/tracing (as root)');
    const xmit = readFileSync(join(tracefs, 'events/net/net_dev_xmit/format'), 'utf8');
    expect(parseFormatFields(xmit)).toEqual(['skbaddr', 'len', 'rc', 'name']);
    const kfree = readFileSync(join(tracefs, 'events/skb/kfree_skb/format'), 'utf8');
    const reasons = parseDropReasons(kfree);
    expect(reasons[2]).toBe('NOT_SPECIFIED');
    expect(Object.values(reasons)).toContain('QDISC_DROP');
  });

  it('the independent line counter agrees with the shared captures’ ground truth (bpftrace + perf script)', async () => {
    for (const run of ['eth0-normal', 'veth-stall-tbf']) {
      const truth = JSON.parse(readFileSync(join(shared, 'traces', run, 'ground-truth.json'), 'utf8')) as {
        event_counts: Record<string, Record<string, number>>;
      };
      for (const [file, tool] of [
        ['bpftrace.txt', 'bpftrace'],
        ['perf-script.txt', 'perf'],
      ] as const) {
        const path = join(shared, 'traces', run, file);
        if (!existsSync(path)) continue;
        const counts = await countCapture(path, tool);
        const { _total, ...perEvent } = truth.event_counts[file] ?? {};
        expect(counts.eventCounts, `${run}/${file}`).toEqual(perEvent);
        expect(counts.events).toBe(_total);
      }
    }
  });
});

describe('captured fixtures (fixtures/captured): the ingest parsers reproduce the measured ground truth', () => {
  interface FileTruth {
    format: string;
    lines: number;
    event_counts: Record<string, number>;
    net_dev_xmit_rc: Record<string, number>;
    kfree_skb_reasons: Record<string, number>;
  }
  const fixtures = join(repoRoot, 'fixtures/captured');
  for (const name of ['pfifo-fast-flood', 'callchain-ftrace']) {
    it(`${name}: per-event counts, rc histogram and drop reasons equal ground-truth.json, for every format`, async () => {
      const truth = JSON.parse(readFileSync(join(fixtures, name, 'ground-truth.json'), 'utf8')) as {
        files: Record<string, FileTruth>;
        qdisc_delta: { packets: number; drops: number; requeues: number };
      };
      expect(Object.keys(truth.files).length).toBeGreaterThanOrEqual(2);
      for (const [file, t] of Object.entries(truth.files)) {
        const path = join(fixtures, name, file);
        const { table, summary } = await loadEvents([path]);
        const { _total, ...perEvent } = t.event_counts;
        expect(summary.eventCounts, `${name}/${file}`).toEqual(perEvent);
        expect(summary.events).toBe(_total);
        expect(summary.skipped, `${name}/${file}: ${JSON.stringify(summary.sources[0]?.issues)}`).toBe(0);
        expect(summary.sources[0]?.format).toBe(t.format);
        const events = table.getChild('event')?.toArray() as Array<string | null>;
        const devs = table.getChild('dev')?.toArray() as Array<string | null>;
        const rcs = table.getChild('rc')?.toArray() as Array<number | null>;
        const reasons = table.getChild('reason')?.toArray() as Array<string | null>;
        const meta = existsSync(`${path.replace(/\.gz$/, '')}.meta.json`)
          ? (JSON.parse(readFileSync(`${path.replace(/\.gz$/, '')}.meta.json`, 'utf8')) as {
              drop_reasons: Record<string, string>;
            })
          : null;
        const rcHist: Record<string, number> = {};
        const reasonHist: Record<string, number> = {};
        for (let i = 0; i < events.length; i++) {
          if (events[i] === 'net:net_dev_xmit') {
            const k = `${devs[i]} rc=${rcs[i]}`;
            rcHist[k] = (rcHist[k] ?? 0) + 1;
          }
          if (events[i] === 'skb:kfree_skb') {
            const r = reasons[i] ?? '';
            const k = t.format === 'bpftrace' ? (meta?.drop_reasons[r] ?? r) : r;
            reasonHist[k] = (reasonHist[k] ?? 0) + 1;
          }
        }
        expect(rcHist, `${name}/${file}`).toEqual(t.net_dev_xmit_rc);
        expect(reasonHist, `${name}/${file}`).toEqual(t.kfree_skb_reasons);
        // and the kernel's own counters: rc=0 per packet the qdisc sent, rc=16 per requeue, QDISC_* per drop
        expect(t.net_dev_xmit_rc['txr-test-s0 rc=0']).toBe(truth.qdisc_delta.packets);
        expect(t.net_dev_xmit_rc['txr-test-s0 rc=16'] ?? 0).toBe(truth.qdisc_delta.requeues);
        expect(t.kfree_skb_reasons.QDISC_OVERLIMIT).toBe(truth.qdisc_delta.drops);
      }
    });
  }
});

describe('txreplay capture on this kernel (veth between two namespaces)', () => {
  let work = '';

  // a failed precondition is re-thrown by every test (a throwing beforeAll would only mark them skipped)
  let setupError: Error | null = null;
  const requireSetup = (): void => {
    if (setupError) throw setupError;
  };
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'txreplay-capture-test-'));
    try {
      requireCapturePreconditions();
      sh(netns, ['up'], { TXR_QDISC: 'pfifo_fast', TXR_TXQUEUELEN: '32', TXR_BACKPRESSURE: '1' });
    } catch (err) {
      setupError = err instanceof Error ? err : new Error(String(err));
    }
  });
  afterAll(() => {
    spawnSync(netns, ['down'], { stdio: 'ignore', timeout: 20_000, env: { ...process.env, ...NS_ENV } });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a capture tool (bpftrace or perf) is installed', () => {
    requireSetup();
    expect(installedTools.length, 'install bpftrace (apt-get install bpftrace) or perf').toBeGreaterThan(0);
  });

  for (const tool of installedTools) {
    it(`${tool}: a bounded UDP flood on ${SENDER_DEV} is captured, ingests, and matches the kernel counters`, async () => {
      requireSetup();
      const out = join(work, `flood.${tool}.txt`);
      // 6 s from attach: room for the burst's own start-up on a loaded machine (at load 20 a 3 s window closed
      // before the 3000th datagram)
      const cli = startCli(['--seconds', '6', '--dev', SENDER_DEV, '--tool', tool, '-o', out, '--json']);
      await cli.attached;
      const before = tcStats();
      const burst = JSON.parse(sh(netns, ['burst', '3000', '1000', '1'])) as Burst;
      // let the qdisc drain (the slow NAPI thread empties the veth ring), bounded
      for (let i = 0; i < 20 && tcStats().qlen > 0; i++) await sleep(100);
      const after = tcStats();
      const { code, stdout, stderr } = await cli.exit;
      expect(code, stderr).toBe(0);
      const result = JSON.parse(stdout) as CaptureJson;
      expect(existsSync(out)).toBe(true);
      expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]); // atomic: no temp left
      if (tool === 'bpftrace') expect([result.started, result.ended]).toEqual([true, true]);
      expect(result.lostEvents).toBe(0);

      // the flood really overflowed the qdisc: otherwise nothing below is exercised
      expect(burst.sent).toBe(3000);
      expect(burst.other_errors).toBe(0);
      const drops = after.drops - before.drops;
      const sentPkts = after.packets - before.packets;
      const requeues = after.requeues - before.requeues;
      expect(
        drops,
        'the receiver NAPI kept up: no qdisc drops (see TXR_BACKPRESSURE in netns-veth.sh)',
      ).toBeGreaterThan(0);
      // with IP_RECVERR every qdisc drop of ours is an ENOBUFS (spec §D.3); nothing else is on this wire
      expect(burst.enobufs).toBe(drops);
      expect(burst.ok).toBe(sentPkts);

      // read it back through the real parsers
      const { table, summary } = await loadEvents([out]);
      expect(summary.events).toBe(result.events);
      expect(summary.eventCounts).toEqual(result.eventCounts);
      expect(summary.skipped).toBe(0);
      expect(summary.lines).toBe(summary.events + summary.skipped + summary.comments);

      const col = <T>(name: string): Array<T | null> => (table.getChild(name)?.toArray() as Array<T | null>) ?? [];
      const events = [...col<string>('event')];
      const devs = [...col<string>('dev')];
      const rcs = [...col<number>('rc')];
      const ifindexes = [...col<number>('ifindex')];
      const reasons = [...col<string>('reason')];
      const count = (pred: (i: number) => boolean): number => events.reduce((n, _e, i) => (pred(i) ? n + 1 : n), 0);

      // the --dev filter: only our device, our ifindex
      for (let i = 0; i < events.length; i++) {
        if (events[i]?.startsWith('net:')) expect(devs[i]).toBe(SENDER_DEV);
        if (events[i]?.startsWith('qdisc:')) expect(ifindexes[i]).toBe(SENDER_IFINDEX);
      }
      // every datagram went through dev_queue_xmit on the veth exactly once
      expect(count((i) => events[i] === 'net:net_dev_queue')).toBe(burst.sent);
      // rc histogram vs the qdisc: rc=0 per packet sent, rc=16 (NETDEV_TX_BUSY) per requeue (spec §D.4)
      const rcHist: Record<string, number> = {};
      for (let i = 0; i < events.length; i++) {
        if (events[i] === 'net:net_dev_xmit') rcHist[`rc=${rcs[i]}`] = (rcHist[`rc=${rcs[i]}`] ?? 0) + 1;
      }
      expect(rcHist['rc=0']).toBe(sentPkts);
      expect(rcHist['rc=16'] ?? 0).toBe(requeues);
      expect(Object.keys(rcHist).sort()).toEqual(requeues > 0 ? ['rc=0', 'rc=16'] : ['rc=0']);
      expect(count((i) => events[i] === 'net:net_dev_xmit')).toBeGreaterThanOrEqual(burst.ok);

      // kfree_skb drops by the qdisc: perf prints the reason name, bpftrace the number, which the capture's
      // meta names with this kernel's enum skb_drop_reason table (pfifo_fast drops as QDISC_OVERLIMIT on 6.18)
      const meta = JSON.parse(readFileSync(result.metaPath, 'utf8')) as { drop_reasons: Record<string, string> };
      const reasonName = (r: string | null): string =>
        tool === 'bpftrace' ? (meta.drop_reasons[r ?? ''] ?? '') : (r ?? '');
      const qdiscDrops = count((i) => events[i] === 'skb:kfree_skb' && /^QDISC_/.test(reasonName(reasons[i] ?? null)));
      expect(qdiscDrops).toBe(drops);
      // skb frees are those of skbs queued on the device (in-kernel map for bpftrace, post-filter for perf)
      const queued = new Set<bigint>();
      const skbs = [...col<bigint>('skbaddr')];
      for (let i = 0; i < events.length; i++) {
        const skb = skbs[i];
        if (events[i] === 'net:net_dev_queue' && skb != null) queued.add(skb);
        if ((events[i] === 'skb:kfree_skb' || events[i] === 'skb:consume_skb') && skb != null)
          expect(queued.has(skb)).toBe(true);
      }
    });
  }

  it('Ctrl-C (SIGINT) ends the capture early and keeps what was captured', async () => {
    requireSetup();
    const tool = installedTools[0];
    if (!tool) throw new Error('no capture tool installed');
    const out = join(work, 'interrupted.txt');
    const cli = startCli(['--seconds', '60', '--dev', SENDER_DEV, '--tool', tool, '-o', out, '--json']);
    await cli.attached;
    await sleep(200);
    sh(netns, ['burst', '200', '100', '1']);
    await sleep(300);
    process.kill(cli.pid, 'SIGINT');
    const { code, stdout, stderr } = await cli.exit;
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as CaptureJson;
    expect(result.stoppedEarly).toBe(true);
    expect(result.eventCounts['net:net_dev_queue']).toBe(200);
    if (tool === 'bpftrace') expect(readFileSync(out, 'utf8')).toMatch(/# txpath\.bt ended ts_ns=\d+/);
  });

  it('exits with the tool exit code (6) and one sentence when not root or when no tracer is installed', () => {
    requireSetup();
    const out = join(work, 'never.txt');
    // no tracer in PATH (node itself is called by absolute path)
    const noTool = spawnSync(process.execPath, [cliMain, 'capture', '--seconds', '1', '-o', out], {
      encoding: 'utf8',
      env: { ...process.env, PATH: '/nonexistent' },
    });
    expect(noTool.status).toBe(6);
    expect(noTool.stderr).toMatch(/neither bpftrace nor perf is installed/);
    // not root: drop to nobody with setpriv (util-linux)
    const setpriv = which('setpriv');
    if (!setpriv) throw new Error('setpriv (util-linux) is needed to run the CLI as a non-root user');
    const notRoot = spawnSync(
      setpriv,
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        cliMain,
        'capture',
        '--seconds',
        '1',
        '-o',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(notRoot.status).toBe(6);
    expect(notRoot.stderr).toMatch(/must run as root/);
    expect(existsSync(out)).toBe(false);
  });
});
