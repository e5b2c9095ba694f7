/**
 * What users bring from production, end to end through the built CLI: kernel logs alone, logs beside a trace,
 * inputs that hold nothing to judge (verdict UNKNOWN, exit 7, never HEALTHY), and driver names the model does not
 * know. Real data: public excerpts in fixtures/public and the shared captures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
const corpus = path.join(repoRoot, 'fixtures/public');

function txreplay(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(main)) throw new Error(`${main} missing: run pnpm build first`);
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
afterEach(() => new Promise<void>((resolve) => setTimeout(resolve, 1)));

interface JsonResult {
  verdict: string;
  coverage: { txPathEvents: number; logRecords: number; unknownWhy: string | null; signals: Record<string, number> };
  trace: { sources: string[]; events: number };
  findings: {
    kind: string;
    dev: string;
    queue: number | null;
    title: string;
    evidence: { source: string; line: number }[];
  }[];
}
const json = (stdout: string): JsonResult => JSON.parse(stdout) as JsonResult;

describe('kernel logs as evidence', () => {
  it('a syslog of repeated NETDEV WATCHDOG lines alone: critical watchdog_timeout on eth0 txq 3, exit 1', () => {
    const file = path.join(corpus, '11-mtk-soc-eth-timed-out-ms-logread.syslog');
    const r = txreplay('diagnose', file, '--json');
    expect(r.status).toBe(1);
    const j = json(r.stdout);
    expect(j.verdict).toBe('critical');
    expect(j.coverage.logRecords).toBe(5);
    expect(j.findings.map((f) => [f.kind, f.dev, f.queue])).toEqual([['watchdog_timeout', 'eth0', 3]]);
    expect(j.findings[0]!.title).toMatch(/timed out 5 time\(s\).*3705740 ms/);
    expect(j.findings[0]!.evidence[0]!.source).toBe(file);
  });

  it("an ESXi vmkernel.log: vmklinux's watchdog on vmnic1, and advice ESXi can follow (no tracepoints there)", () => {
    const r = txreplay('diagnose', path.join(corpus, '77-esxi-vmkernel-linnet-watchdog-aqtion.log'), '--json');
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as JsonResult & { captureAdvice: string[] };
    expect(j.findings.map((f) => [f.kind, f.dev, f.queue])).toEqual([['watchdog_timeout', 'vmnic1', null]]);
    expect(j.captureAdvice.join(' ')).toMatch(/esxcli network nic stats get/);
    expect(j.captureAdvice.join(' ')).not.toMatch(/txreplay capture/);
  });

  it('an igb hang dump in dmesg: the text names the cause with the ring numbers', () => {
    const r = txreplay('diagnose', path.join(corpus, '02-e1000e-hw-unit-hang.dmesg'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/PROBLEM: 1 critical/);
    expect(r.stdout).toMatch(/stuck_dma on eth0/);
    expect(r.stdout).toMatch(/0x13.*0x88|0x88.*0x13/s);
  });

  it("a syslog without printk stamps: the finding is placed at the log's own local stamps, as written", () => {
    const r = txreplay('diagnose', path.join(corpus, '40-via-rhine-2.4.9-transmit-timed-out.syslog'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/times are the log's local wall time as written/);
    expect(r.stdout).toMatch(/watchdog_timeout on eth0, Aug 28 13:45:05 → Aug 28 13:45:33 \(the log's local time/);
    expect(r.stdout).toMatch(/every 28\.0 s on average/);
    expect(r.stdout).not.toMatch(/does not give on any clock/);
    const md = txreplay('diagnose', path.join(corpus, '40-via-rhine-2.4.9-transmit-timed-out.syslog'), '--json');
    expect(JSON.parse(md.stdout).findings[0].logWall).toEqual({ first: 'Aug 28 13:45:05', last: 'Aug 28 13:45:33' });
  });

  it('tc -s qdisc show pasted twice (public 25): read as counters, judged, exit 1; ingest refuses it in one sentence', () => {
    const file = path.join(corpus, '25-try-bulk-dequeue-requeues.tc.txt');
    const r = txreplay('diagnose', file);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/WARNING: 0 critical, 1 warning/);
    expect(r.stdout).toMatch(/ring_backpressure on eth1, between counter snapshots/);
    expect(r.stdout).toMatch(/eth1 mq 1: root .*over 2 snapshots \(1 s apart\): \+123512969 pkt/);
    const ingest = txreplay('ingest', file, '-o', path.join(mkdtempSync(path.join(tmpdir(), 'txr-tc-')), 'x.arrow'));
    expect(ingest.status).toBe(3);
    expect(ingest.stderr).toMatch(/is `tc -s qdisc show` output \(qdisc counters, no events\)/);
    const one = txreplay('diagnose', path.join(corpus, '52-tc-mq-fq-codel-one-snapshot-openwrt.tc.txt'));
    expect(one.status).toBe(7);
    expect(one.stdout).toMatch(/UNKNOWN: the input holds one `tc -s qdisc show` snapshot/);
  });

  it('a trace and a kernel log in one call: both read, the log adds its finding beside the trace', () => {
    const trace = path.join(traces, 'eth0-normal/perf-script.txt');
    const log = path.join(corpus, '35-igb-queue5-watchdog-3.14.syslog');
    const alone = json(txreplay('diagnose', trace, '--json').stdout);
    const r = txreplay('diagnose', trace, log, '--json');
    expect(r.status).toBe(1);
    const j = json(r.stdout);
    expect(j.trace.sources).toEqual([...alone.trace.sources, log]);
    expect(j.trace.events).toBe(alone.trace.events);
    expect(j.findings).toHaveLength(alone.findings.length + 1);
    expect(j.findings.some((f) => f.kind === 'watchdog_timeout' && f.dev === 'eth2' && f.queue === 5)).toBe(true);
  });

  it("report stores a kernel log alone as a run with no events, and one beside a trace in the trace's run", () => {
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'txr-ev-db-')), 'store');
    const log = path.join(corpus, '35-igb-queue5-watchdog-3.14.syslog');
    const alone = txreplay('report', log, '--db', db, '--json');
    expect(alone.status, alone.stderr).toBe(1);
    const a = JSON.parse(alone.stdout) as JsonResult & { stored: { runId: string; events: number; status: string } };
    expect(a.stored).toMatchObject({ events: 0, status: 'written' });
    expect(a.findings.map((f) => [f.kind, f.dev, f.queue])).toEqual([['watchdog_timeout', 'eth2', 5]]);
    // again: the same content is the same run
    expect(txreplay('report', log, '--db', db).stdout).toMatch(`already stored run ${a.stored.runId}: 0 events`);
    const trace = path.join(traces, 'eth0-normal/perf-script.txt');
    const both = txreplay('report', trace, log, '--db', db, '--json');
    const b = JSON.parse(both.stdout) as JsonResult & { stored: { runId: string; events: number } };
    expect(b.stored.runId).not.toBe(a.stored.runId);
    expect(b.stored.events).toBe(b.trace.events);
    const q = txreplay(
      'query',
      'SELECT format, events, findings FROM runs ORDER BY events',
      '--db',
      db,
      '--format',
      'tsv',
    );
    expect(q.stdout.trim().split('\n').slice(1)).toEqual([
      'kernel-log\t0\t1',
      `perf-script,kernel-log\t${b.trace.events}\t1`,
    ]);
    const k = txreplay(
      'query',
      `SELECT kind, dev, queue FROM findings WHERE run_id = '${b.stored.runId}'`,
      '--db',
      db,
      '--format',
      'tsv',
    );
    expect(k.stdout.trim().split('\n').slice(1)).toEqual(['watchdog_timeout\teth2\t5']);
  });

  it("a TX queue's sysfs files pasted (this machine's idle eth0, twice): read, no verdict (exit 7), not refused", () => {
    const file = path.join(repoRoot, 'fixtures/captured/queue-sysfs/eth0-virtio-net-grep.txt');
    const r = txreplay('diagnose', file);
    expect(r.status).toBe(7);
    expect(r.stdout).toMatch(/^TX queues \(sysfs byte_queue_limits, tx_timeout\):$/m);
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'txr-sysfs-')), 'x.arrow');
    const link = path.join(traces, 'veth-peer-down/link-after-vs0.txt');
    for (const [input, what] of [
      [file, "TX queues' sysfs output"],
      [link, '`ip -s link` output'],
      [path.join(repoRoot, 'fixtures/captured/link-counters/veth-peer-down-ifconfig.txt'), '`ifconfig` output'],
      [path.join(repoRoot, 'fixtures/captured/link-counters/veth-peer-down-proc-net-dev.txt'), '/proc/net/dev output'],
      [path.join(repoRoot, 'fixtures/captured/link-counters/veth-peer-down-netstat-i.txt'), '`netstat -i` output'],
      [path.join(repoRoot, 'fixtures/captured/sar-net/veth-peer-down.sar.txt'), '`sar -n DEV`/`EDEV` output'],
      [
        path.join(repoRoot, 'fixtures/captured/link-counters/veth-peer-down-sysfs-statistics.txt'),
        "a device's sysfs statistics/ output",
      ],
      [
        path.join(repoRoot, 'fixtures/captured/ip-counters/tbf-full-netstat-s-twice.txt'),
        '`nstat` or `netstat -s` output',
      ],
    ] as const) {
      const ingest = txreplay('ingest', input, '-o', out);
      expect([ingest.status, ingest.stderr.includes(what), existsSync(out)]).toEqual([3, true, false]);
    }
    expect(r.stdout).toMatch(
      /eth0 txq 0 \(.*:2\), over 2 snapshots \(1 s apart\): tx_timeout 0 \(\+0\), .*limit 3617 \(\+0\)/,
    );
  });

  it("/proc/interrupts pasted (this machine's, twice 5 s apart): read, no verdict (exit 7), refused by ingest", () => {
    const file = path.join(repoRoot, 'fixtures/captured/interrupts/this-vm-virtio-sleep5.txt');
    const r = txreplay('diagnose', file);
    expect(r.status).toBe(7);
    expect(r.stdout).toMatch(/^NIC queues' interrupts \(\/proc\/interrupts\):$/m);
    expect(r.stdout).toMatch(/IRQ 39 virtio2-output\.0 \(virtio2 queue 0, TX; .*:17\): \d+, fired 1 time\(s\)/);
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'txr-irq-')), 'x.arrow');
    const ingest = txreplay('ingest', file, '-o', out);
    expect([
      ingest.status,
      ingest.stderr.includes('/proc/interrupts output (interrupt counts'),
      existsSync(out),
    ]).toEqual([3, true, false]);
  });

  it('a streamed trace (over 64 MB) with a log beside it is its own run, not the trace alone stored again', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-ev-big-'));
    const big = path.join(dir, 'big.perf-script.txt');
    // 70 MB (70e6 bytes): over the 64 MiB (67.1e6) at which report streams; 66 MB stayed below it
    const gen = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/gen-perf-trace.mjs'), big, '70'], {
      encoding: 'utf8',
    });
    expect(gen.status, gen.stderr).toBe(0);
    const db = path.join(dir, 'store');
    const log = path.join(corpus, '35-igb-queue5-watchdog-3.14.syslog');
    // run from outside the repository, as a user does (the streamed path loads chDB after its parse child)
    const aloneRun = spawnSync(process.execPath, [main, 'report', big, '--db', db, '--json'], {
      encoding: 'utf8',
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect([0, 1], aloneRun.stderr).toContain(aloneRun.status); // the verdict's exit code, not a failure
    const alone = { stdout: aloneRun.stdout };
    const both = txreplay('report', big, log, '--db', db, '--json');
    const [a, b] = [alone, both].map(
      (r) => (JSON.parse(r.stdout) as { stored: { runId: string; status: string } }).stored,
    );
    expect([a!.status, b!.status]).toEqual(['written', 'written']);
    expect(b!.runId).not.toBe(a!.runId);
  });

  it('report stores ifconfig, /proc/interrupts and sar pastes as runs with no events, each under its own format', () => {
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'txr-ev-db-')), 'store');
    const ifconfig = path.join(repoRoot, 'fixtures/captured/link-counters/veth-peer-down-ifconfig.txt');
    const irqs = path.join(repoRoot, 'fixtures/captured/interrupts/this-vm-virtio-sleep5.txt');
    // a finding (the carrier lost) exits 1 as diagnose does; the interrupts alone judge nothing (exit 7)
    expect(txreplay('report', ifconfig, '--db', db).status).toBe(1);
    expect(txreplay('report', irqs, '--db', db).status).toBe(7);
    // sar's finding keeps sar's own wall times as written
    const sar = path.join(repoRoot, 'fixtures/captured/sar-net/veth-tbf-held-rx-alive.sar.txt');
    expect(txreplay('report', sar, '--db', db).status).toBe(1);
    const q = txreplay(
      'query',
      'SELECT format, events, findings FROM runs ORDER BY format',
      '--db',
      db,
      '--format',
      'tsv',
    );
    expect(q.stdout.trim().split('\n').slice(1)).toEqual(['ifconfig\t0\t1', 'interrupts\t0\t0', 'sar-net\t0\t1']);
    const k = txreplay('query', 'SELECT kind, dev FROM findings ORDER BY kind', '--db', db, '--format', 'tsv');
    expect(k.stdout.trim().split('\n').slice(1)).toEqual(['peer_down\tvs8', 'tx_silent\tvs9']);
  });

  it('ingest refuses a kernel log with a sentence that says where it belongs (exit 3)', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'txr-ev-')), 'x.arrow');
    const r = txreplay('ingest', path.join(corpus, '07-ethoc-watchdog-openrisc.dmesg'), '-o', out);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/kernel log .*diagnose/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('ENOBUFS at an application (fixtures/public 28-29)', () => {
  it('a ping console with only "No buffer space available": verdict unknown, the three layers it cannot tell apart named', () => {
    const r = txreplay('diagnose', path.join(corpus, '28-enobufs-ping-sk-wmem-pppoe.console'), '--json');
    expect(r.status).toBe(7);
    const j = json(r.stdout);
    expect(j.verdict).toBe('unknown');
    expect(j.coverage.unknownWhy).toMatch(
      /an application saw ENOBUFS \(1 .*qdisc.*neighbour layer.*socket send buffer/,
    );
  });

  it('a log whose records show no TX-queue failure (fixture 43 without its EQ recovery) is no verdict, not HEALTHY', () => {
    const lines = readFileSync(path.join(corpus, '43-mlx5-cmd-eq-recovered-dmesg-T.dmesg'), 'utf8').split('\n');
    // the IOMMU faults and the link lines are records; none is a TX-queue failure
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'txr-ev-')), 'no-eq.dmesg');
    writeFileSync(file, `${lines.filter((l) => !/mlx5_cmd_eq_recover/.test(l)).join('\n')}\n`);
    const r = txreplay('diagnose', file, '--json');
    expect(r.status).toBe(7);
    expect(json(r.stdout).coverage.unknownWhy).toMatch(/show no TX-queue failure, and a log alone cannot show/);
  });

  it("fixture 43 whole: the command EQ's event found by polling, VT-d blocking the MSI — a lost-interrupt warning", () => {
    const r = txreplay('diagnose', path.join(corpus, '43-mlx5-cmd-eq-recovered-dmesg-T.dmesg'), '--json');
    expect(r.status).toBe(1);
    expect(json(r.stdout).findings.map((f) => f.kind)).toEqual(['lost_interrupt']);
  });

  it('the same beside "neighbour table overflow": the neighbour layer, a warning', () => {
    const r = txreplay('diagnose', path.join(corpus, '29-neigh-overflow-ping-enobufs-2001.console'), '--json');
    expect(r.status).toBe(1);
    expect(json(r.stdout).findings.map((f) => f.kind)).toEqual(['neigh_table_overflow']);
  });
});

describe('verdict on too little evidence', () => {
  it('a trace with no TX-path event is UNKNOWN (exit 7), not HEALTHY', () => {
    const ftrace = readFileSync(path.join(traces, 'eth0-normal/ftrace.txt'), 'utf8').split('\n');
    const header = ftrace.filter((l) => l.startsWith('#'));
    // a real line of the capture whose event is renamed to one of no TX-path tracepoint
    const line = ftrace.find((l) => / net_dev_xmit: /.test(l))!.replace(' net_dev_xmit: ', ' softirq_entry: ');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'txr-ev-')), 'no-tx.ftrace.txt');
    const body = [...header, line];
    writeFileSync(file, body.join('\n') + '\n');
    const r = txreplay('diagnose', file, '--json');
    expect(r.status).toBe(7);
    const j = json(r.stdout);
    expect(j.verdict).toBe('unknown');
    expect(j.coverage.txPathEvents).toBe(0);
    expect(j.coverage.unknownWhy).toMatch(/no TX-path event/);
    expect(txreplay('diagnose', file).stdout).toMatch(/^UNKNOWN: /m);
    // `report` stores the run with its verdict, UNKNOWN, never as a healthy run, and exits 7 as diagnose does
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'txr-ev-db-')), 'store');
    const stored = txreplay('report', file, '--db', db);
    expect(stored.status).toBe(7);
    const q = txreplay('query', 'SELECT verdict, findings FROM runs', '--db', db, '--format', 'tsv');
    expect(q.status).toBe(0);
    expect(q.stdout).toMatch(/^UNKNOWN: the input holds no TX-path event/m);
    expect(q.stdout).not.toMatch(/HEALTHY/);
  });

  it('a real healthy capture stays HEALTHY (exit 0) with its signals counted', () => {
    const r = txreplay('diagnose', path.join(traces, 'eth0-normal/perf-script.txt'), '--json');
    const j = json(r.stdout);
    expect(r.status).toBe(0);
    expect(j.verdict).toBe('healthy');
    expect(j.findings).toEqual([]);
    expect(j.coverage.txPathEvents).toBeGreaterThan(0);
    expect(j.coverage.signals.net_dev_xmit).toBeGreaterThan(0);
  });
});

describe('driver profiles', () => {
  it('an unknown --driver is refused with the known list (exit 2)', () => {
    const r = txreplay('diagnose', path.join(traces, 'eth0-normal/perf-script.txt'), '--driver', 'nosuch');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown driver "nosuch" \(known: igb, macb, virtio_net, veth, generic/);
  });
});

describe('bpftrace aggregates (maps, hist, lhist, stats)', () => {
  const captured = path.join(repoRoot, 'fixtures/captured/bpftrace-aggregates');
  interface AggJson extends JsonResult {
    aggregates?: { map: string; kind: string; total: number; devices: string[]; keys: number }[];
  }

  for (const file of ['maps.json', 'maps.txt']) {
    it(`${file} alone: summarised per map and device, verdict unknown (exit 7), never "0 events, HEALTHY"`, () => {
      const r = txreplay('diagnose', path.join(captured, file), '--json');
      expect(r.status).toBe(7);
      const j = json(r.stdout) as AggJson;
      expect(j.verdict).toBe('unknown');
      expect(j.coverage.unknownWhy).toMatch(/only bpftrace aggregates \(8 map\(s\), 8 entries\)/);
      const by = new Map((j.aggregates ?? []).map((a) => [a.map, a]));
      expect(by.get('@xmit')).toMatchObject({ kind: 'value', total: 400, devices: ['lo'] });
      expect(by.get('@napi')).toMatchObject({ total: 200, devices: ['(no_device)'] });
      expect(by.get('@qlen')).toMatchObject({ kind: 'hist', total: 400, devices: ['lo'] });
      expect(by.get('@work')).toMatchObject({ kind: 'stats', total: 200, devices: [] });
      const text = txreplay('diagnose', path.join(captured, file));
      expect(text.stdout).toContain('UNKNOWN: the input holds only bpftrace aggregates');
      expect(text.stdout).toMatch(/@xmit \(value, .*\): 1 key\(s\), total 400, devices lo/);
      expect(text.stdout).not.toMatch(/HEALTHY/);
    });
  }

  it('maps beside a trace: the trace keeps its own verdict, the maps ride along', () => {
    const trace = path.join(traces, 'eth0-normal/perf-script.txt');
    const alone = json(txreplay('diagnose', trace, '--json').stdout);
    const r = txreplay('diagnose', trace, path.join(captured, 'maps.json'), '--json');
    const j = json(r.stdout) as AggJson;
    expect(j.verdict).toBe(alone.verdict);
    expect(j.trace.events).toBe(alone.trace.events);
    expect(j.aggregates).toHaveLength(8);
  });

  it('ingest refuses maps in one sentence (exit 3): they are counts, not events', () => {
    const r = txreplay(
      'ingest',
      path.join(captured, 'maps.json'),
      '-o',
      path.join(mkdtempSync(path.join(tmpdir(), 'txr-agg-')), 'x.arrow'),
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/holds bpftrace maps \(counts without timestamps\), not trace events/);
  });
});

describe('wall time: from the trace itself or a zoned kernel log, else said to be unknown', () => {
  it('an RFC 3339 syslog with printk stamps gives the wall clock (wall stamp minus printk time)', () => {
    const log = path.join(corpus, '23-hns3-tx-timeout-oom-rfc3339.syslog');
    const r = txreplay('diagnose', log, '--json');
    const w = (JSON.parse(r.stdout) as { trace: { wallClock: { offsetNs: string; source: string } | null } }).trace
      .wallClock;
    // first record: 2024-09-19T16:27:10.009659+08:00 at [19184251.374925]
    expect(w).toEqual({
      offsetNs: (
        BigInt(Date.UTC(2024, 8, 19, 8, 27, 10)) * 1_000_000n +
        9_659_000n -
        19_184_251_374_925_000n
      ).toString(),
      source: `kernel log ${log}`,
    });
    expect(txreplay('diagnose', log).stdout).toContain(
      `wall time 2024-09-19 08:27:10.009 → 08:27:10.708 UTC (kernel log ${log})`,
    );
  });

  it('the perf.data clock data beside the trace; a dmesg -T (local time, no zone) and trace.dat without --date: unknown', () => {
    const perf = txreplay('diagnose', path.join(traces, 'eth0-normal', 'perf.data'));
    expect(perf.stdout).toMatch(
      /^wall time 2026-11-22 01:50:\d\d\.\d{3} → 01:5\d:\d\d\.\d{3} UTC \(perf\.data clock data\)$/m,
    );
    for (const f of [
      path.join(corpus, '43-mlx5-cmd-eq-recovered-dmesg-T.dmesg'),
      path.join(repoRoot, 'fixtures/captured/htb-shaped/trace.dat'),
    ]) {
      const r = txreplay('diagnose', f, '--json');
      expect((JSON.parse(r.stdout) as { trace: { wallClock: unknown } }).trace.wallClock).toBeNull();
    }
    // the dmesg -T stamps are quoted as written, said to be local; the trace.dat has no wall time at all
    expect(txreplay('diagnose', path.join(corpus, '43-mlx5-cmd-eq-recovered-dmesg-T.dmesg')).stdout).toContain(
      "times are the log's local wall time as written (it gives no zone)",
    );
    expect(txreplay('diagnose', path.join(repoRoot, 'fixtures/captured/htb-shaped/trace.dat')).stdout).toContain(
      'wall time unknown (the trace carries no wall clock)',
    );
  });
});
