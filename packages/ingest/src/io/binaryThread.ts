/**
 * A perf.data / trace.dat read in a worker thread (./binaryWorker.ts): the worker decodes (zstd, ring pages,
 * round queue, column plans) into its own columns while this thread remaps their dictionary indices into the
 * output's (./remap.ts), builds the record batches and hands them on — decoding and Arrow encoding overlap, and
 * this thread loads apache-arrow while the worker has started reading.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RecordBatch } from 'apache-arrow';
import { StrictParseError, type ParseIssue, type SourceSummary } from '../parse/errors.js';
import type { BinaryReaderStats } from '../parse/tracing-data/types.js';
import type { BatchBuffers, EventColumns } from '../table/columns.js';
import type { WallClock } from '../parse/wallClock.js';
import { buffersOf } from '../table/rows.js';
import type { BinaryFormat, BinaryIngestOptions } from './binary.js';
import { binaryWarnings } from './binaryWarnings.js';
import { DictRemap } from './remap.js';

export interface BinaryWorkerInit {
  path: string;
  format: BinaryFormat;
  batchRows: number;
  /** batch buffers are SharedArrayBuffers given back after writing (rows.ts BufferPool) */
  sharedBuffers: boolean;
  strict: boolean;
  direct: boolean;
}

interface PartsMessage {
  kind: 'parts';
  /** full record batches' buffers, worker-local dictionary indices */
  parts: BatchBuffers[];
  /** per DICT_COLUMN_NAMES entry: strings the worker added since its previous message */
  newStrings: string[][];
}

interface EndMessage extends Omit<PartsMessage, 'kind'> {
  kind: 'end';
  lines: number;
  events: number;
  skipped: number;
  lostEvents: number;
  issues: ParseIssue[];
  /** per worker-local event index */
  countsByEvent: number[];
  stats: BinaryReaderStats;
  kernel: string | null;
  /** the file's own wall clock (perf.data clock data, trace.dat --date): bigints clone through postMessage */
  wallClock: WallClock | null;
}

interface ErrorMessage {
  kind: 'error';
  /** the reader failed: a damaged file */
  damaged: boolean;
  message: string;
  /** a strict-mode parse error */
  issue: ParseIssue | null;
}

export type BinaryWorkerMessage = PartsMessage | EndMessage | ErrorMessage;

/** The answer to a parts message: room for one more, and the written batches' buffers back. */
export interface BinaryWorkerReply {
  recycle: SharedArrayBuffer[];
}

/** The compiled worker script next to this module, or null when running from TypeScript sources (tests). */
export function binaryWorkerScript(): URL | null {
  const url = new URL('./binaryWorker.js', import.meta.url);
  return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
}

/** The worker's messages in order, as promises (a worker error or exit rejects the one awaited). */
class Inbox {
  private readonly queue: BinaryWorkerMessage[] = [];
  private waiter: { resolve: (m: BinaryWorkerMessage) => void; reject: (e: unknown) => void } | null = null;
  private failed: unknown = null;

  constructor(w: Worker, signal: AbortSignal | undefined) {
    w.on('message', (m: BinaryWorkerMessage) => {
      if (this.waiter !== null) this.take().resolve(m);
      else this.queue.push(m);
    });
    w.on('error', (e) => this.fail(e));
    w.on('exit', (code) => this.fail(new Error(`ingest binary worker exited with code ${code}`)));
    signal?.addEventListener('abort', () => this.fail(signal.reason ?? new Error('aborted')), { once: true });
  }

  private take(): { resolve: (m: BinaryWorkerMessage) => void; reject: (e: unknown) => void } {
    const w = this.waiter!;
    this.waiter = null;
    return w;
  }

  private fail(e: unknown): void {
    this.failed ??= e;
    if (this.waiter !== null) this.take().reject(this.failed);
  }

  next(): Promise<BinaryWorkerMessage> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    if (this.failed !== null) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }
}

/** Read `path` in a binary worker into the output's `cols` dictionaries, batches to onBatch in order. */
export async function ingestBinaryInWorker(
  path: string,
  format: BinaryFormat,
  cols: EventColumns,
  onBatch: (b: RecordBatch) => Promise<void>,
  opts: BinaryIngestOptions,
  script: URL,
  damaged: (e: Error) => Error,
): Promise<SourceSummary> {
  const sourceIdx = cols.dicts.source.intern(path);
  // rows of earlier inputs still in the output's columns go first (the worker's batches bypass them)
  if (cols.length > 0) await onBatch(cols.flush());
  const reuse = opts.reuseBatchBuffers === true;
  const init: BinaryWorkerInit = {
    path,
    format,
    batchRows: cols.capacity,
    sharedBuffers: reuse,
    strict: opts.strict === true,
    direct: opts.direct !== false,
  };
  // workers inherit the parent's flags, but `--input-type` (node -e) is refused for a file worker
  const execArgv = process.execArgv.some((a) => a.startsWith('--input-type')) ? [] : undefined;
  const w = new Worker(script, { workerData: init, execArgv });
  const inbox = new Inbox(w, opts.signal);
  const remap = new DictRemap(cols, sourceIdx);
  try {
    for (;;) {
      const m = await inbox.next();
      if (m.kind === 'error') {
        if (m.issue !== null) throw new StrictParseError(m.issue);
        throw m.damaged ? damaged(new Error(m.message)) : new Error(`ingest binary worker failed: ${m.message}`);
      }
      remap.add(m.newStrings);
      const recycle: SharedArrayBuffer[] = [];
      for (const p of m.parts) {
        remap.apply(p);
        await onBatch(cols.batchOf(p));
        if (reuse) for (const b of buffersOf(p)) if (b instanceof SharedArrayBuffer) recycle.push(b);
      }
      if (m.kind === 'end') return summaryOf(path, format, cols, m, remap);
      const reply: BinaryWorkerReply = { recycle };
      w.postMessage(reply);
    }
  } finally {
    // not awaited: nothing of the worker's is used after this
    void w.terminate().catch(() => undefined);
  }
}

function summaryOf(
  path: string,
  format: BinaryFormat,
  cols: EventColumns,
  m: EndMessage,
  remap: DictRemap,
): SourceSummary {
  const counts: number[] = [];
  remap.foldEventCounts(m.countsByEvent, counts);
  const eventCounts: Record<string, number> = {};
  counts.forEach((n, idx) => {
    if (n) eventCounts[cols.dicts.event.values[idx] as string] = n;
  });
  return {
    path,
    format: format === 'perf-data' ? 'perf-script' : 'trace-cmd',
    kernel: m.kernel,
    wallClock: m.wallClock,
    lines: m.lines,
    events: m.events,
    skipped: m.skipped,
    comments: 0,
    lostEvents: m.lostEvents,
    issues: [...binaryWarnings(path, format, m.stats, m.events), ...m.issues],
    eventCounts,
  };
}
