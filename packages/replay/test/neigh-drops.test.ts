/**
 * Where the packets went when no TX queue lost them: a real capture (fixtures/captured/neigh-queuefull) of UDP to
 * an on-link address nobody answers, with a tiny unres_qlen_bytes. The sender saw 200 sends succeed and 0 errors;
 * the neighbour layer dropped 199 (NEIGH_QUEUEFULL) + 1 (NEIGH_FAILED); the qdisc only sent the 3 ARP requests.
 * A correct post-mortem names the neighbour layer, says these are not ENOBUFS, and blames no TX queue.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEvents } from '@txreplay/ingest';
import { replayTable } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = path.join(repoRoot, 'fixtures/captured/neigh-queuefull');
const truth = JSON.parse(readFileSync(path.join(dir, 'ground-truth.json'), 'utf8')) as {
  sender: { ok: number; enobufs: number };
  qdisc_delta: { drops: number; packets: number };
  files: Record<string, { kfree_skb_reasons: Record<string, number> }>;
};

describe('drops in the neighbour layer (real capture)', () => {
  it('trace.dat: one neigh_drops finding with the reason counts, no TX-queue finding', async () => {
    const { table } = await loadEvents([path.join(dir, 'trace.dat')]);
    const r = replayTable(table);
    const reasons = truth.files['tracecmd-report.txt']!.kfree_skb_reasons;
    expect(r.findings.map((f) => [f.kind, f.severity, f.dev])).toEqual([
      ['neigh_drops', 'warning', '(neighbour layer)'],
    ]);
    const f = r.findings[0]!;
    expect(f.title).toContain(`${reasons.NEIGH_QUEUEFULL} NEIGH_QUEUEFULL`);
    expect(f.title).toContain(`${reasons.NEIGH_FAILED} NEIGH_FAILED`);
    expect(f.title).toMatch(/^200 packet/);
    expect(f.explanation).toMatch(/None of these is an ENOBUFS/);
    // the sender saw no error at all, and the qdisc dropped nothing
    expect(truth.sender.enobufs).toBe(0);
    expect(r.queues.reduce((n, q) => n + q.qdiscDrops, 0)).toBe(truth.qdisc_delta.drops);
  });
});
