/**
 * The readers run into a RecordSink (types.ts), one async step per few thousand records (async-generator steps
 * dominate otherwise). batches() and per-record iteration are that sink collecting plain objects: decoded
 * fields, or the raw payload with `decode: false`.
 */
import { decodeFields, type EventFormat } from './eventFormat.js';
import type { Kallsyms } from './kallsyms.js';
import { NO_FIELDS } from './types.js';
import type {
  BinaryReaderStats,
  BinaryTraceMeta,
  BinaryTraceReader,
  BinaryTraceRecord,
  LostWindow,
  RecordSink,
} from './types.js';

/** Records a reader emits before it pauses for its consumer. */
export const BATCH = 4096;

/** A sink that makes the records objects. */
class CollectSink implements RecordSink {
  out: BinaryTraceRecord[] = [];
  constructor(private readonly decode: boolean) {}

  event(
    fmt: EventFormat,
    buf: Buffer,
    start: number,
    end: number,
    le: boolean,
    tsHi: number,
    tsLo: number,
    cpu: number,
    pid: number,
    tid: number | undefined,
    comm: string,
  ): void {
    const decode = this.decode;
    this.out.push({
      kind: 'event',
      tsNs: (BigInt(tsHi >>> 0) << 32n) | BigInt(tsLo >>> 0),
      cpu,
      pid,
      tid,
      comm,
      event: fmt.event,
      fields: decode ? decodeFields(fmt, buf, start, end, le) : NO_FIELDS,
      payload: decode ? undefined : { fmt, buf, start, end, littleEndian: le },
    });
  }

  lost(w: LostWindow): void {
    this.out.push(w);
  }
}

async function* collect(run: (sink: RecordSink) => AsyncGenerator<void>, decode: boolean) {
  const sink = new CollectSink(decode);
  for await (const _ of run(sink)) {
    if (sink.out.length === 0) continue;
    yield sink.out;
    sink.out = [];
  }
  if (sink.out.length > 0) yield sink.out;
}

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
 * The BinaryTraceReader face of a reader (perf.data, trace.dat) over its sink-driven `run`: pump(), batches()
 * and per-record iteration each start it once. `meta` and `kallsyms` are read when asked (the headers come first).
 */
export function batchReader(
  stats: BinaryReaderStats,
  meta: () => BinaryTraceMeta | undefined,
  formats: ReadonlyMap<string, EventFormat>,
  kallsyms: () => Kallsyms | undefined,
  run: (sink: RecordSink) => AsyncGenerator<void>,
  decode: boolean,
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
    pump: (sink) => run(sink),
    batches: () => collect(run, decode),
    [Symbol.asyncIterator]: () => flatten(collect(run, decode)),
  };
}
