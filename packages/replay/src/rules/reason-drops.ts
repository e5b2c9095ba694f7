/**
 * kfree_skb drops counted per reason outside the qdisc (neighbour layer, device drivers): the reasons by count, the
 * rows of the first and last drop, and one evidence pair per reason.
 */
import type { Evidence } from '../types.js';
import type { NeighDrops } from '../observe/records.js';

export interface ReasonDrops {
  reasons: [reason: string, drops: NeighDrops][];
  total: number;
  firstRow: number;
  lastRow: number;
}

export function reasonDrops(byReason: ReadonlyMap<string, NeighDrops>): ReasonDrops {
  const reasons = [...byReason.entries()].sort((a, b) => b[1].count - a[1].count);
  return {
    reasons,
    total: reasons.reduce((n, [, d]) => n + d.count, 0),
    firstRow: Math.min(...reasons.map(([, d]) => d.firstRow)),
    lastRow: Math.max(...reasons.map(([, d]) => d.lastRow)),
  };
}

/** The first and last kfree_skb of each reason. */
export function reasonEvidence(rd: ReasonDrops, ev: (row: number, note: string) => Evidence): Evidence[] {
  return rd.reasons.flatMap(([r, d]) => [
    ev(d.firstRow, `first kfree_skb reason ${r}`),
    ...(d.lastRow !== d.firstRow ? [ev(d.lastRow, `last ${r}`)] : []),
  ]);
}
