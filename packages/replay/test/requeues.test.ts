/**
 * Requeues counted as the kernel counts them (§D.4): when NETDEV_TX_BUSY cuts a bulk dequeue short,
 * dev_requeue_skb() puts the refused skb and the rest of the list back and counts each, so `tc -s` requeues can be
 * far above the number of rc=16 returns. Real capture (fixtures/captured/requeue-bulk-tracecmd, 4 senders on a veth
 * with a slow peer NAPI): tc says 176 requeues for 29 BUSY returns; the shared captures keep requeues = BUSY
 * returns because their BUSY never cut a bulk list.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEvents } from '@txreplay/ingest';
import { replayTable } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = path.join(repoRoot, 'fixtures/captured/requeue-bulk-tracecmd');
const truth = JSON.parse(readFileSync(path.join(dir, 'ground-truth.json'), 'utf8')) as {
  qdisc_delta: { requeues: number; drops: number };
  files: Record<string, { net_dev_xmit_rc: Record<string, number> }>;
};

describe('requeues = tc -s requeues on a real bulk-dequeue capture', () => {
  for (const file of ['perf-script.txt.gz', 'tracecmd-report.txt.gz']) {
    it(file, async () => {
      const { table } = await loadEvents([path.join(dir, file)]);
      const r = replayTable(table);
      const q = r.queues.find((x) => x.dev === 'txr-cap-s0' && x.queue === 0)!;
      expect(q.txBusy).toBe(truth.files[file]!.net_dev_xmit_rc['txr-cap-s0 rc=16']);
      expect(q.txBusy).toBe(29);
      expect(q.requeues).toBe(truth.qdisc_delta.requeues);
      expect(q.requeues).toBe(176);
      expect(q.qdiscDrops).toBe(truth.qdisc_delta.drops);
    });
  }
});

describe('requeues with no rc=16 event: the driver stopped the txq mid-list (igb_maybe_stop_tx)', () => {
  it('igb-lost-wakeup-bql: every bulk rest dev_hard_start_xmit handed back is counted, as the model counts it', async () => {
    const { PerfScriptWriter, Simulator, parseScenario, perfScriptContextFor } = await import('@txreplay/model');
    const scenarioFile = path.join(repoRoot, 'examples/scenarios/igb-lost-wakeup-bql.json');
    const scenario = parseScenario(readFileSync(scenarioFile, 'utf8'), scenarioFile);
    const chunks: string[] = [];
    let writer: InstanceType<typeof PerfScriptWriter> | null = null;
    const sim = new Simulator(scenario, { onEvent: (ev) => writer!.consumer(ev) });
    writer = new PerfScriptWriter(perfScriptContextFor(scenario, sim.tasks));
    const truth = sim.run();
    for (const c of writer.drainChunks()) chunks.push(c);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'txr-requeue-')), 'igb-lost-wakeup-bql.perf-script.txt');
    writeFileSync(file, chunks.join(''));
    const { table } = await loadEvents([file]);
    const q = replayTable(table).queues.find((x) => x.dev === 'eth0' && x.queue === 0)!;
    const model = truth.devices[0]!;
    expect(q.txBusy).toBe(0); // no net_dev_xmit rc=16 at all: every requeue is a bulk rest
    expect(model.requeues).toBeGreaterThan(6000);
    // within one packet of the model (0 before bulk rests were counted; 6380 of the model's 6381 now): the one
    // packet is not yet explained, and the test says so rather than hide it
    expect(Math.abs(q.requeues - model.requeues)).toBeLessThanOrEqual(1);
    expect(Math.abs(q.backlogAtEnd - (q.enqueued - model.sentPackets))).toBeLessThanOrEqual(1);
  });
});
