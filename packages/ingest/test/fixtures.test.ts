/**
 * Every shared capture, every format: per-event counts equal ground-truth.json exactly, lost events are
 * counted, the summary adds up, and the per-device facts (rc, queue_mapping, drop reasons) match.
 */
import { describe, expect, it } from 'vitest';
import { TX_EVENTS } from '../src/index.js';
import { groundTruth, histogram, load, traceDirs, tracePath } from './fixtures.js';

const dirs = traceDirs();

describe('shared captures', () => {
  it('has the captures the tests rely on', () => {
    expect(dirs.length).toBeGreaterThanOrEqual(6);
  });

  for (const dir of dirs) {
    const gt = groundTruth(dir);
    describe(dir, () => {
      for (const [file, expected] of Object.entries(gt.event_counts)) {
        it(`${file}: per-event counts equal ground truth`, async () => {
          const { table, summary } = await load(tracePath(dir, file));
          const src = summary.sources[0]!;
          expect(src.skipped, JSON.stringify(src.issues)).toBe(0);
          const got: Record<string, number> = {};
          let total = 0;
          for (const name of TX_EVENTS) {
            const n = src.eventCounts[name] ?? 0;
            if (n > 0 || name in expected) got[name] = n;
            total += n;
          }
          const want = Object.fromEntries(Object.entries(expected).filter(([k]) => !k.startsWith('_')));
          expect(got).toEqual(want);
          expect(total).toBe(expected._total);
          expect(src.lostEvents).toBe(expected._lost_events ?? 0);
          // nothing silently lost: every line is an event, a comment or a counted skip
          expect(src.lines).toBe(src.events + src.skipped + src.comments);
          expect(table.numRows).toBe(src.events);
          const markers = src.eventCounts['txreplay:lost_events'] ?? 0;
          expect(src.events).toBe(total + markers);
          expect(markers > 0).toBe((expected._lost_events ?? 0) > 0);
        });
      }

      it('ftrace net_dev_xmit rc per device equals the README ground truth', async () => {
        const { table } = await load(tracePath(dir, 'ftrace.txt'));
        const dev = table.getChild('dev')!;
        const rc = table.getChild('rc')!;
        const h = histogram(table, 'net:net_dev_xmit', (i) => `${dev.get(i)} rc=${rc.get(i)}`);
        expect(h).toEqual(gt.trace_facts.net_dev_xmit_rc);
      });

      it('perf net_dev_xmit rc per device is within the capture-edge difference of ftrace', async () => {
        const { table, summary } = await load(tracePath(dir, 'perf-script.txt'));
        const dev = table.getChild('dev')!;
        const rc = table.getChild('rc')!;
        const h = histogram(table, 'net:net_dev_xmit', (i) => `${dev.get(i)} rc=${rc.get(i)}`);
        const edge =
          (gt.event_counts['ftrace.txt']!['net:net_dev_xmit'] ?? 0) -
          (summary.sources[0]!.eventCounts['net:net_dev_xmit'] ?? 0);
        expect(edge).toBeGreaterThanOrEqual(0);
        for (const [k, n] of Object.entries(gt.trace_facts.net_dev_xmit_rc)) {
          expect(h[k] ?? 0, k).toBeLessThanOrEqual(n);
          expect(h[k] ?? 0, k).toBeGreaterThanOrEqual(n - edge);
        }
        for (const k of Object.keys(h)) expect(gt.trace_facts.net_dev_xmit_rc).toHaveProperty([k]);
      });

      it('ftrace start_xmit queue_mapping and kfree_skb reasons equal the ground truth', async () => {
        const { table } = await load(tracePath(dir, 'ftrace.txt'));
        const dev = table.getChild('dev')!;
        const queue = table.getChild('queue')!;
        const reason = table.getChild('reason')!;
        if (gt.trace_facts.net_dev_start_xmit_queue_mapping) {
          const h = histogram(table, 'net:net_dev_start_xmit', (i) => `${dev.get(i)} queue_mapping=${queue.get(i)}`);
          expect(h).toEqual(gt.trace_facts.net_dev_start_xmit_queue_mapping);
        }
        if (gt.trace_facts.kfree_skb_reasons) {
          const h = histogram(table, 'skb:kfree_skb', (i) => String(reason.get(i)));
          expect(h).toEqual(gt.trace_facts.kfree_skb_reasons);
        }
      });
    });
  }
});
