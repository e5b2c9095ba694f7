/**
 * The readers produce records in batches (one async step per batch, not per record: async-generator steps
 * dominate otherwise); per-record iteration flattens them.
 */
import type { EventFormat } from './eventFormat.js';
import type { Kallsyms } from './kallsyms.js';
import type { BinaryReaderStats, BinaryTraceMeta, BinaryTraceReader, BinaryTraceRecord } from './types.js';

export const BATCH = 4096;

function flatten(batches: AsyncIterator<BinaryTraceRecord[]>): AsyncIterator<BinaryTraceRecord> {
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

/**
 * The BinaryTraceReader face of a reader (perf.data, trace.dat) over its batch generator `run`: batches() and
 * per-record iteration each start it once. `meta` and `kallsyms` are read when asked (the headers come first).
 */
export function batchReader(
  stats: BinaryReaderStats,
  meta: () => BinaryTraceMeta | undefined,
  formats: ReadonlyMap<string, EventFormat>,
  kallsyms: () => Kallsyms | undefined,
  run: () => AsyncGenerator<BinaryTraceRecord[]>,
): BinaryTraceReader {
  return {
    stats,
    get meta() {
      return meta();
    },
    formats,
    get kallsyms() {
      return kallsyms();
    },
    batches: () => run(),
    [Symbol.asyncIterator]: () => flatten(run()),
  };
}
