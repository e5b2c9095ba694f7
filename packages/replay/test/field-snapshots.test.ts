/**
 * Device snapshots pasted from the field (fixtures/public 56–59, SOURCES.md): what a kernel engineer concludes from
 * each, asserted on what txreplay says. BQL limits grepped on a loaded idpf host (Eric Dumazet, netdev 2025: the
 * command wrapped by the mail client, a background job's `[1] PID`), the same kind of listing quoted in the reply
 * and piped through sort | head; `ip -s -s link` of an oa_tc6 MAC-PHY whose worker thread livelocked (the link was
 * dead, its counters show nothing wrong); `ip -s -s link` whose device lines Gmail wrapped. None of them can show a
 * stopped queue: no verdict, never healthy, and every line read is accounted for.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseFiles } from '../src/diagnose.js';
import type { ReplayResult } from '../src/types.js';
import { formatVerdict } from '../src/view/text.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const pub = (f: string): string => path.join(repoRoot, 'fixtures/public', f);

async function diagnose(file: string): Promise<{ r: ReplayResult; notes: string[] }> {
  const notes: string[] = [];
  const r = await diagnoseFiles([pub(file)], { onNote: (n) => notes.push(n) });
  return { r, notes };
}

/** queue → BQL limit in bytes, from the sysfs summary */
function limits(r: ReplayResult): Map<number, number> {
  return new Map((r.queueSysfs ?? []).map((q) => [q.queue, q.values.find((v) => v.name === 'limit')!.value]));
}

describe('BQL limits grepped on production hosts (netdev, try_bulk_dequeue_skb thread)', () => {
  it('public 56: 32 idpf queues under 200 netperf flows; the wrapped `grep .` and `[1] 198996` are no garbage', async () => {
    const { r, notes } = await diagnose('56-bql-limit-grep-wrapped-command-idpf-netdev.sysfs.txt');
    // every line is the command, its wrapped argument, the job notice or a file: nothing skipped
    expect(notes).toEqual([]);
    const byQueue = limits(r);
    expect(byQueue.size).toBe(32);
    expect(new Set((r.queueSysfs ?? []).map((q) => q.dev))).toEqual(new Set(['eth1']));
    // the largest limit is tx-26's 1.6 MB (~1063 full-size packets): what Eric's mail points at
    expect(Math.max(...byQueue.values())).toBe(1_595_568);
    expect([...byQueue].find(([, v]) => v === 1_595_568)![0]).toBe(26);
    expect(Math.min(...byQueue.values())).toBe(60_588);
    // limits alone, once: nothing in flight is shown, so nothing stuck can be read, and nothing is called healthy
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('unknown');
    expect(r.queueSysfs!.every((q) => !q.bqlStopped && q.snapshots === 1)).toBe(true);
    expect(r.coverage.unknownWhy).toMatch(/one snapshot of 32 TX queue\(s\)' sysfs files/);
    expect(r.captureAdvice.join('\n')).toMatch(/byte_queue_limits\/inflight .*sleep 1; grep \./);
  });

  it("public 57: Jesper's listing quoted (`> `) in the reply, piped through sort | head: read, not refused", async () => {
    const { r, notes } = await diagnose('57-bql-limit-grep-sort-head-quoted-netdev.sysfs.txt');
    // the quoted prose line is named; the wrapped `sort -k2rn -t: | head -n 10` is part of the command
    expect(notes).toEqual([
      expect.stringMatching(/skipped 1 line\(s\) that are not TX queue sysfs output, first at line 1: Our prod/),
    ]);
    const byQueue = limits(r);
    expect([...byQueue.keys()]).toEqual([38, 95, 2, 66, 20, 61, 11, 10, 48, 80]);
    expect(byQueue.get(38)).toBe(819_432);
    expect([r.verdict, r.findings.length]).toEqual(['unknown', 0]);
  });
});

describe('ip -s -s link pasted in netdev mails', () => {
  it('public 58: the oa_tc6 link was dead (worker livelocked), yet its counters show no TX drop or error: no verdict', async () => {
    const { r, notes } = await diagnose('58-ip-s-s-link-oa-tc6-livelock-netdev.ip.txt');
    expect(notes).toEqual([
      expect.stringMatching(/skipped 1 line\(s\) that are not ip -s link output, first at line 1: link stats:/),
    ]);
    const l = r.links![0]!;
    expect([l.dev, l.operstate, l.flags.includes('LOWER_UP'), l.snapshots]).toEqual(['eth1', 'UP', true, 1]);
    const c = Object.fromEntries(l.counters.map((x) => [x.name, x.value]));
    expect(c).toMatchObject({ tx_packets: 8071, tx_bytes: 10_341_438, tx_dropped: 0, tx_errors: 0, tx_carrier: 0 });
    // what the engineer knows from the mail (no SPI clock, nothing sent) is invisible here: a carrier that is up and
    // TX counters that are clean must not read as a healthy link
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('unknown');
    expect(r.coverage.unknownWhy).toMatch(/a stopped TX queue or a qdisc backlog does not show in them/);
    expect(formatVerdict(r)).toMatch(/tc -s qdisc show dev eth1; sleep 1; tc -s qdisc show dev eth1/);
  });

  it('public 59: device lines wrapped by Gmail (`… qdisc noqueue` / `state UP mode DEFAULT …`): state kept', async () => {
    const { r, notes } = await diagnose('59-ip-s-s-link-gmail-wrapped-netns-veth.ip.txt');
    // before: `mode DEFAULT …` and `state UP …` were skipped and veth2's state was unknown
    expect(notes).toEqual([]);
    const veth = r.links!.find((l) => l.dev === 'veth2')!;
    expect([veth.operstate, veth.snapshots]).toEqual(['UP', 1]);
    const c = Object.fromEntries(veth.counters.map((x) => [x.name, x.value]));
    expect(c).toMatchObject({ tx_packets: 13, tx_bytes: 1126, tx_dropped: 0, tx_errors: 0, tx_carrier: 0 });
    expect([r.verdict, r.findings.length]).toEqual(['unknown', 0]);
  });
});
