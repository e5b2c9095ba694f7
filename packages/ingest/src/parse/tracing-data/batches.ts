/**
 * The readers produce records in batches (one async step per batch, not per record: async-generator steps
 * dominate otherwise); per-record iteration flattens them.
 */
import type { BinaryTraceRecord } from './types.js';

export const BATCH = 4096;

export function flatten(batches: AsyncIterator<BinaryTraceRecord[]>): AsyncIterator<BinaryTraceRecord> {
  let cur: BinaryTraceRecord[] = [];
  let i = 0;
  return {
    async next(): Promise<IteratorResult<BinaryTraceRecord>> {
      while (i >= cur.length) {
        const r = await batches.next();
        if (r.done === true) return { done: true, value: undefined };
        cur = r.value;
        i = 0;
      }
      return { done: false, value: cur[i++]! };
    },
    async return(): Promise<IteratorResult<BinaryTraceRecord>> {
      await batches.return?.(undefined);
      return { done: true, value: undefined };
    },
  };
}
