/**
 * Requeues counted as the kernel counts them (§D.4): when NETDEV_TX_BUSY cuts a bulk dequeue short,
 * dev_requeue_skb() puts the refused skb and the rest of the list back and counts each, so `tc -s` requeues can be
 * far above the number of rc=16 returns. Real capture (fixtures/captured/requeue-bulk-tracecmd, 4 senders on a veth
 * with a slow peer NAPI): tc says 176 requeues for 29 BUSY returns; the shared captures keep requeues = BUSY
 * returns because their BUSY never cut a bulk list.
 */
import { readFileSync } from 'node:fs';
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
