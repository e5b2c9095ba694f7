/**
 * Shaping is not a driver stall (issue: HTB and TBF with real ground truth). Real captures on this kernel
 * (fixtures/captured/htb-shaped: htb rate 5mbit, same run through bpftrace, perf and trace-cmd;
 * tbf-shaped-tracecmd: tbf, trace.dat): the qdisc withholds packets while the txq is awake and drops at enqueue
 * (`qdisc_throttled`), and nothing blames the driver — in particular not a lost interrupt for transmits whose frees
 * the trace cannot show (a veth peer delivering to a socket frees them with no tracepoint).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEvents } from '@txreplay/ingest';
import { replayTable } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = path.join(repoRoot, 'fixtures/captured');
const truth = (dir: string): { qdisc_delta: { drops: number; requeues: number; packets: number } } =>
  JSON.parse(readFileSync(path.join(captured, dir, 'ground-truth.json'), 'utf8'));

const CASES: [dir: string, file: string][] = [
  ['htb-shaped', 'bpftrace.txt.gz'],
  ['htb-shaped', 'perf-script.txt.gz'],
  ['htb-shaped', 'tracecmd-report.txt.gz'],
  ['tbf-shaped-tracecmd', 'trace.dat'],
];

describe('shaped qdiscs (htb, tbf): throttling, not a driver fault', () => {
  for (const [dir, file] of CASES) {
    it(`${dir}/${file}`, async () => {
      const { table } = await loadEvents([path.join(captured, dir, file)]);
      const r = replayTable(table);
      const t = truth(dir).qdisc_delta;
      expect(r.findings.map((f) => [f.kind, f.severity, f.dev, f.queue])).toEqual([
        ['qdisc_throttled', 'warning', 'txr-cap-s0', 0],
      ]);
      expect(r.verdict).toBe('warning');
      const q = r.queues.find((x) => x.dev === 'txr-cap-s0' && x.queue === 0)!;
      expect(q.qdiscDrops).toBe(t.drops);
      expect(q.requeues).toBe(t.requeues);
    });
  }
});
