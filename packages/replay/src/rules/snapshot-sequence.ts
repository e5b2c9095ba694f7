/**
 * Counter snapshots (tc -s, ethtool -S, ip -s link, TX-queue sysfs, /proc/interrupts) of several inputs as one
 * sequence: `tc-before.txt tc-after.txt` are two snapshots of the same qdisc, as two blocks of one paste are.
 */
import type { Finding } from '../types.js';

/**
 * Every input's blocks in the order given, each with its input; `snapshot` counts a key's appearances across all
 * of them (each input numbers its own from 0).
 */
export function inSequence<T extends { snapshot: number }>(
  inputs: readonly { blocks: readonly T[]; source: string }[],
  keyOf: (block: T) => string,
): (T & { source: string })[] {
  const seen = new Map<string, number>();
  return inputs.flatMap(({ blocks, source }) =>
    blocks.map((b) => {
      const key = keyOf(b);
      const snapshot = seen.get(key) ?? 0;
      seen.set(key, snapshot + 1);
      return { ...b, snapshot, source };
    }),
  );
}

/** Snapshots of several inputs as one sequence, with the interval their pastes give. */
export interface Snapshots<T> {
  snapshots: (T & { source: string })[];
  intervalSec: number | null;
}

/**
 * Several inputs' snapshots as one sequence per key (inSequence: each input numbers its own from 0), e.g. the
 * device of `ethtool -S` and `ip -s link`, the queue of the sysfs files.
 */
export function combineSnapshots<T extends { snapshot: number }>(
  reads: readonly { read: { snapshots: readonly T[]; intervalSec: number | null }; source: string }[],
  keyOf: (s: T) => string,
): Snapshots<T> {
  const snapshots = inSequence(
    reads.map(({ read, source }) => ({ blocks: read.snapshots, source })),
    keyOf,
  );
  return { snapshots, intervalSec: intervalOf(reads) };
}

/** The sequence split per key, each list in input order. */
export function perKey<T>(items: readonly T[], keyOf: (t: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const s of items) {
    const key = keyOf(s);
    const list = m.get(key);
    if (list) list.push(s);
    else m.set(key, [s]);
  }
  return [...m.values()];
}

/** Counters `names` of the last snapshot, each with its change since the first when `compared` (two or more). */
export function lastWithDelta(
  first: ReadonlyMap<string, number>,
  last: ReadonlyMap<string, number>,
  names: Iterable<string>,
  compared: boolean,
): { name: string; value: number; delta?: number }[] {
  return [...names].map((name) => {
    const value = last.get(name)!;
    return { name, value, ...(compared && first.has(name) ? { delta: value - first.get(name)! } : {}) };
  });
}

/** The interval between snapshots holds only when one input gave it (its pasted `sleep N`). */
export const intervalOf = (inputs: readonly { read: { intervalSec: number | null } }[]): number | null =>
  inputs.length === 1 ? inputs[0]!.read.intervalSec : null;

/** A device as counters name it: the pasted command's, else said to be unknown. */
export const devName = (s: { dev: string | null }): string => s.dev ?? '(device not given)';

/** A finding read from counter snapshots: each snapshot a piece of evidence with no time (counters carry none). */
export function snapshotFinding<S extends { source: string; line: number }>(
  snaps: readonly S[],
  event: string,
  noteOf: (s: S) => string,
  at: Pick<Finding, 'kind' | 'severity' | 'dev' | 'queue'>,
  text: Pick<Finding, 'title' | 'explanation' | 'nextSteps'>,
): Finding {
  const evidence = snaps.map((x) => ({ tsNs: 0n, event, source: x.source, line: x.line, note: noteOf(x) }));
  return { ...at, startNs: 0n, endNs: 0n, evidence, ...text };
}
