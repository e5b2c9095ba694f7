/**
 * One text input → rows. Streams the (possibly gzip-compressed) bytes, cuts them into blocks of whole lines,
 * sniffs the format from the first lines and parses every line from its bytes (./lines.ts). Inputs larger than
 * one block are parsed by worker threads (./pool.ts), block by block, and the rows are written in file order;
 * smaller inputs (and runs without the compiled worker script) are parsed in this thread. Both paths produce
 * the identical table (test/parallel.test.ts). Accounting stays exact: lines = events + skipped + comments.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
// no apache-arrow here: the batch type is the caller's (BatchColumns), so a small diagnose parses without loading it
import { BufferPool, DICT_COLUMN_NAMES, buffersOf } from '../table/rows.js';
import { NotATraceError, StrictParseError, type ParseIssue, type SourceSummary } from '../parse/errors.js';
import { LineHandler, MAX_ISSUES, parserFor } from '../parse/lines.js';
import { RowColumns } from '../table/rows.js';
import type { BatchColumns } from '../table/plain.js';
import { DictRemap, newStringsSince } from './remap.js';
import { leased } from './lease.js';
import {
  ParsePool,
  defaultWorkerCount,
  parseWorkerScript,
  workerCountFromEnv,
  type BlockRequest,
  type BlockResult,
} from './pool.js';
import { COLUMNS, type TraceFormat } from '../table/schema.js';
import { detectTrace, notATraceReason } from '../parse/sniff.js';
import type { PastePrefix } from '../parse/paste.js';
import { WasmLineKernel, wasmKernelEnabled } from '../parse/wasmLines.js';

/** Lines used to sniff the format. */
const SNIFF_LINES = 200;
/** Bytes read before deciding (binary/HTML check and sniffing). */
const SNIFF_BYTES = 64 * 1024;
/**
 * Read size of the streams opened only for a head (sniffing, the front door): a 1 MiB read (the parse's size) made
 * a small trace's whole text be read and decoded again by every look at its head.
 */
const HEAD_READ_BYTES = 256 * 1024;

export interface SourceOptions {
  format?: TraceFormat;
  strict?: boolean;
  signal?: AbortSignal;
  /** bytes consumed (raw, before gunzip) and the file size (null for stdin) */
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  totalBytes?: number | null;
  /** parse worker threads for inputs larger than one block (0 = this thread; default: defaultWorkerCount()) */
  workers?: number;
  /** bytes per block (default BLOCK_BYTES) */
  blockBytes?: number;
  /** the name the `source` column and the summary give the input (default: its path) */
  sourceName?: string;
  /** false: string parser only (the reference the WebAssembly kernel is tested against) */
  fastPath?: boolean;
  /**
   * true when onBatch is done with a batch once it returns (it writes it, keeps nothing): the batch's buffers
   * are then reused for later batches (rows.ts BufferPool). Never set it for a consumer that keeps batches.
   */
  reuseBatchBuffers?: boolean;
  /**
   * The input is a regular file that is not gzip (openTrace's transport 'file'): its stream serves only the head
   * (the parse reads the file by offset), so it reads HEAD_READ_BYTES, not a parse-sized 1 MiB — which node's read
   * stream also copied into a buffer of the bytes read: ~230 page faults of a 0.5 MB trace's diagnose.
   */
  headOnlyStream?: boolean;
}

/** Bytes per block of whole lines handed to a parse worker (and the in-thread parser). */
const BLOCK_BYTES = 4 << 20;
/** the calling thread's kernel input region: a block of a stream is cut after its last newline, so may be longer */
const THREAD_INPUT_BYTES = BLOCK_BYTES + (2 << 20);
/** Regular files at least this big use parse workers by default (smaller: the calling thread is as fast). */
const MIN_PARALLEL_BYTES = 128 << 20;
/** formats the WebAssembly kernel parses in the workers (./wasmLines.ts): its warm-up is paid back much sooner */
const MIN_PARALLEL_BYTES_WASM = 16 << 20;
/** Blocks submitted but not yet written, per worker: bounds memory independently of the input size. */
const INFLIGHT_PER_WORKER = 2;

export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('ingest aborted');
  e.name = 'AbortError';
  return e;
}

/** Raw byte chunks of a file or stdin ('-'), gunzipped when the data starts with the gzip magic. */
async function* inputChunks(
  path: string,
  onRaw: (n: number) => void,
  signal: AbortSignal | undefined,
  info: { gzip: boolean },
  readBytes = 1 << 20,
): AsyncGenerator<Uint8Array> {
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: readBytes });
  // an abort (Ctrl-C) must also end a read that is waiting for data (a quiet stdin pipe)
  const onAbort = (): void => void raw.destroy(abortError(signal as AbortSignal));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    yield* chunksOf(raw, onRaw, info);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function* chunksOf(
  raw: Readable,
  onRaw: (n: number) => void,
  info: { gzip: boolean },
): AsyncGenerator<Uint8Array> {
  const it = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  onRaw(head.length);
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      onRaw(n.value.length);
      yield n.value;
    }
  };
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    info.gzip = true;
    // loaded here: most inputs are not gzipped, and start-up is what a small diagnose waits for
    const [{ Readable }, { createGunzip }] = await Promise.all([import('node:stream'), import('node:zlib')]);
    const gunzip = Readable.from(rest()).pipe(createGunzip({ chunkSize: 1 << 20 }));
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } else {
    yield* rest();
  }
}

/** The first SNIFF_BYTES (or all) of an input's bytes. */
async function readHead(chunks: AsyncIterator<Uint8Array>): Promise<{ head: Uint8Array; headLen: number }> {
  const headList: Uint8Array[] = [];
  let headLen = 0;
  while (headLen < SNIFF_BYTES) {
    const n = await chunks.next();
    if (n.done) break;
    headList.push(n.value);
    headLen += n.value.length;
  }
  const head: Uint8Array = headList.length === 1 ? headList[0]! : Buffer.concat(headList);
  return { head, headLen };
}

/** A UTF-8 byte order mark is not part of the first line (TextDecoder drops it too). */
function withoutBom(head: Uint8Array): Uint8Array {
  return head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
}

/**
 * The first SNIFF_LINES lines of a head. Only as many bytes as those lines need are decoded (64 KiB, more only
 * when its lines are long): a head may be a whole 1 MiB read, and decoding it all for 200 lines cost a small
 * trace's diagnose more than its parse.
 */
export function headLines(head: Uint8Array): string[] {
  const bytes = withoutBom(head);
  for (let n = SNIFF_BYTES; ; n *= 4) {
    const cut = bytes.subarray(0, Math.min(n, bytes.length));
    const lines = new TextDecoder('utf-8').decode(cut, { stream: true }).split('\n', SNIFF_LINES + 1);
    if (lines.length > SNIFF_LINES || cut.length === bytes.length) return lines.slice(0, SNIFF_LINES);
  }
}

/**
 * The text format of an input from its head — `forced`, or sniffed from the first lines — and the paste prefix its
 * event lines carry (sniffed also when the format is forced: it is a property of the paste, not of the format).
 * NotATraceError when the head is not a trace (empty, binary, HTML, no recognizable line).
 */
function traceOfHead(
  path: string,
  head: Uint8Array,
  forced: TraceFormat | null,
): { format: TraceFormat; prefix: PastePrefix } {
  const reason = notATraceReason(head);
  if (reason !== null) throw new NotATraceError(path, `${path} ${reason}.`);
  const lines = headLines(head);
  const sniffed = detectTrace(lines);
  if (forced !== null) return { format: forced, prefix: sniffed?.prefix ?? 'none' };
  if (sniffed !== null) return sniffed;
  if (withoutBom(head).every((b) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09))
    throw new NotATraceError(path, `${path} is empty.`);
  throw new NotATraceError(
    path,
    `${path} does not look like a trace: none of its first lines is a perf script, perf trace, ftrace, trace-cmd or bpftrace event.`,
  );
}

/**
 * The text format of a regular file from its head (already gunzipped, ./open.ts headBytesOf): what openTrace
 * decides once, so that the reader does not sniff again. NotATraceError when the head is not a trace.
 */
export function sniffTextHead(path: string, head: Uint8Array, forced: TraceFormat | null): TraceFormat {
  return traceOfHead(path, head, forced).format;
}

/**
 * The whole text of an input (gunzipped when it is gzip), for the small inputs read whole: kernel logs. Refuses
 * more than `maxBytes` rather than hold an unbounded input in memory.
 */
export async function readWholeText(path: string, maxBytes = 256 * 1024 * 1024): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of inputChunks(path, () => {}, undefined, { gzip: false })) {
    total += chunk.length;
    if (total > maxBytes)
      throw new NotATraceError(
        path,
        `${path} is a kernel log larger than ${maxBytes >> 20} MiB: cut it to the hours around the stall.`,
      );
    parts.push(chunk);
  }
  return new TextDecoder('utf-8').decode(withoutBom(Buffer.concat(parts)));
}

/** The first bytes of a regular file, gunzipped when it is gzip (binary magic behind a .gz; the text's head). */
export async function headBytesOf(path: string): Promise<Uint8Array> {
  const chunks = inputChunks(path, () => {}, undefined, { gzip: false }, HEAD_READ_BYTES)[Symbol.asyncIterator]();
  try {
    return (await readHead(chunks)).head;
  } finally {
    await chunks.return?.(undefined);
  }
}

/** Blocks of whole lines (each a fresh buffer, transferable); the last one may end without `\n`. */
async function* blocksOf(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
  blockBytes: number,
): AsyncGenerator<{ buf: Uint8Array; final: boolean }> {
  let parts: Uint8Array[] = first.length > 0 ? [first] : [];
  let total = first.length;
  let done = false;
  let need = blockBytes;
  const concat = (list: Uint8Array[], n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let p = 0;
    for (const c of list) {
      out.set(c, p);
      p += c.length;
    }
    return out;
  };
  for (;;) {
    while (!done && total < need) {
      const n = await rest.next();
      if (n.done) done = true;
      else if (n.value.length > 0) {
        parts.push(n.value);
        total += n.value.length;
      }
    }
    if (done) {
      yield { buf: concat(parts, total), final: true };
      return;
    }
    // cut after the last newline; with none (one huge line) keep reading
    let cut = -1;
    let j = parts.length - 1;
    for (; j >= 0; j--) {
      cut = parts[j]!.lastIndexOf(10);
      if (cut >= 0) break;
    }
    if (cut < 0) {
      need = total + 1;
      continue;
    }
    need = blockBytes;
    const head = parts.slice(0, j);
    head.push(parts[j]!.subarray(0, cut + 1));
    let headLen = 0;
    for (const h of head) headLen += h.length;
    const tail = parts[j]!.subarray(cut + 1);
    const after = parts.slice(j + 1);
    parts = tail.length > 0 ? [tail, ...after] : after;
    total -= headLen;
    yield { buf: concat(head, headLen), final: false };
  }
}

/**
 * Parse one input into `cols`, pushing full batches to `onBatch`. `path` is the path as given by the user
 * (written into the `source` column and issues).
 */
export async function ingestTextSource<B>(
  path: string,
  cols: BatchColumns<B>,
  onBatch: (b: B) => void | Promise<void>,
  opts: SourceOptions,
): Promise<SourceSummary> {
  const sourceIdx = cols.dicts.source.intern(opts.sourceName ?? path);
  let rawBytes = 0;
  const onRaw = (n: number): void => {
    rawBytes += n;
  };
  const input = { gzip: false };
  const readBytes = opts.headOnlyStream === true ? HEAD_READ_BYTES : undefined;
  const chunks = inputChunks(path, onRaw, opts.signal, input, readBytes)[Symbol.asyncIterator]();
  try {
    const { head: raw, headLen } = await readHead(chunks);
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const { format, prefix } = traceOfHead(path, raw, opts.format ?? null);
    const head = withoutBom(raw);
    parserFor(format); // rejects 'arrow'
    const job: SourceJob<B> = { path, format, prefix, cols, sourceIdx, onBatch, opts };
    const plan = await planOf(job, input.gzip, headLen - head.length);
    if (plan.regular) {
      // a regular file: read by offset (the stream opened for the head is not needed any more)
      await chunks.return?.(undefined);
      return await parseRegularFile(job, plan);
    }
    return await parseStream(job, plan, blocksOf(head, chunks, plan.blockBytes), () => rawBytes);
  } finally {
    await chunks.return?.(undefined);
  }
}

/** How an input is read and parsed: decided once from its head, its kind and the options. */
interface ParsePlan {
  blockBytes: number;
  nWorkers: number;
  /** the worker script, or null (no workers asked for, or running from the TypeScript sources) */
  script: URL | null;
  /** workers were asked for (opts.workers or TXREPLAY_INGEST_WORKERS), not just allowed */
  explicit: boolean;
  /** a regular file, read by offset (else a stream: gzip, stdin, a pipe) */
  regular: boolean;
  /** a regular file big enough for workers */
  big: boolean;
  /** where the data starts (3 after a byte order mark) */
  dataStart: number;
  size: number;
}

async function planOf<B>(job: SourceJob<B>, gzip: boolean, dataStart: number): Promise<ParsePlan> {
  const { path, format, opts } = job;
  const blockBytes = opts.blockBytes ?? BLOCK_BYTES;
  const nWorkers = opts.workers ?? defaultWorkerCount();
  // by default workers start only for big regular files: each costs a start-up and its own JIT warm-up
  // (~0.5 CPU-second together on the bench machine), which a smaller input does not pay back
  const explicit = opts.workers !== undefined || workerCountFromEnv() !== null;
  const size = opts.totalBytes ?? null;
  const script = nWorkers > 0 ? parseWorkerScript() : null;
  // only a regular file can be re-read by offset: a named pipe (`<(perf script)`), a device or stdin has to
  // go on as the stream it is
  const regular =
    path !== '-' &&
    !gzip &&
    (await stat(path).then(
      (st) => st.isFile(),
      () => false,
    ));
  const minParallel = wasmKernelEnabled(format) ? MIN_PARALLEL_BYTES_WASM : MIN_PARALLEL_BYTES;
  const big = size !== null && size - dataStart > blockBytes && (explicit || size >= minParallel);
  return { blockBytes, nWorkers, script, explicit, regular, big, dataStart, size: size ?? 0 };
}

/** A regular file: workers read their own byte ranges (no copy through this thread), or this thread reads it. */
async function parseRegularFile<B>(job: SourceJob<B>, plan: ParsePlan): Promise<SourceSummary> {
  const { path } = job;
  const { blockBytes, dataStart, size, script } = plan;
  if (script !== null && plan.big) {
    let start = dataStart;
    const next = async (): Promise<Omit<BlockRequest, 'seq'> | null> => {
      if (start >= size) return null;
      const end = Math.min(start + blockBytes, size);
      const req = { buf: null, final: end >= size, range: { path, start, end, atLineStart: start === dataStart } };
      start = end;
      return req;
    };
    return await parseInWorkers(job, next, () => Math.min(start, size), script, plan.nWorkers);
  }
  // this thread: one reused read buffer (the kernel's input region), no stream chunks to join
  let readPos = dataStart;
  const blocks = (into: Uint8Array | null) => fileBlocks(path, dataStart, blockBytes, (p) => void (readPos = p), into);
  return await parseInThread(job, blocks, () => readPos);
}

/**
 * gzip/stdin/pipes (size unknown; gunzip already runs on the libuv pool): workers when asked for, or when the
 * WebAssembly kernel parses the format and the input is more than one block (a 120 MB perf-script .gz: 0.79–0.88 s
 * with 2 workers against 1.37–1.59 s in this thread); else this thread.
 */
async function parseStream<B>(
  job: SourceJob<B>,
  plan: ParsePlan,
  blocks: AsyncGenerator<{ buf: Uint8Array; final: boolean }>,
  rawBytes: () => number,
): Promise<SourceSummary> {
  const first = await blocks.next();
  if (first.done) throw new Error('unreachable: blocksOf yields at least one block');
  const script = plan.script;
  if (script === null || first.value.final || !(plan.explicit || wasmKernelEnabled(job.format))) {
    const all = async function* (): AsyncGenerator<{ buf: Uint8Array; len: number; final: boolean }> {
      yield { ...first.value, len: first.value.buf.length };
      for await (const b of blocks) yield { ...b, len: b.buf.length };
    };
    return await parseInThread(job, all, rawBytes);
  }
  let pendingFirst: { buf: Uint8Array; final: boolean } | null = first.value;
  let ended = false;
  const next = async (): Promise<Omit<BlockRequest, 'seq'> | null> => {
    if (pendingFirst !== null) {
      const b = pendingFirst;
      pendingFirst = null;
      ended = b.final;
      return { buf: b.buf, final: b.final, range: null };
    }
    if (ended) return null;
    const n = await blocks.next();
    if (n.done) return null;
    ended = n.value.final;
    return { buf: n.value.buf, final: n.value.final, range: null };
  };
  return await parseInWorkers(job, next, rawBytes, script, plan.nWorkers);
}

function summaryOf(
  path: string,
  format: TraceFormat,
  cols: RowColumns,
  counts: { lines: number; events: number; skipped: number; comments: number; lostEvents: number },
  kernel: string | null,
  issues: ParseIssue[],
  countsByEvent: number[],
): SourceSummary {
  const eventCounts: Record<string, number> = {};
  countsByEvent.forEach((n, idx) => {
    if (n) eventCounts[cols.dicts.event.values[idx] as string] = n;
  });
  const { lines, events, skipped, comments, lostEvents } = counts;
  return { path, format, kernel, lines, events, skipped, comments, lostEvents, issues, eventCounts };
}

/** One input being parsed, as both parse paths (this thread, workers) take it. */
interface SourceJob<B> {
  /** as given by the user */
  path: string;
  format: TraceFormat;
  /** the paste prefix every line carries (sniffed), cut before parsing */
  prefix: PastePrefix;
  cols: BatchColumns<B>;
  /** `path` in the `source` dictionary */
  sourceIdx: number;
  onBatch: (b: B) => void | Promise<void>;
  opts: SourceOptions;
}

/**
 * The calling thread's parser for one input. With the WebAssembly kernel (its format, no paste prefix, fastPath not
 * false) it parses into columns in the kernel's memory, with their own dictionaries, whose batches are remapped into
 * the output's dictionaries (./remap.ts, as a worker's are); `input` is the kernel's input region, where blocks are
 * read. Without it, the string parser writes straight into the output's columns.
 */
class ThreadParser<B> {
  readonly handler: LineHandler;
  readonly input: Uint8Array | null;
  /** batches ready for onBatch, with the pooled buffers to give back once it returned */
  readonly pending: { batch: B; buffers: ArrayBufferLike[] }[] = [];
  private readonly local: RowColumns | null;
  private readonly remap: DictRemap;
  private readonly sent = DICT_COLUMN_NAMES.map(() => 0);
  private readonly pool: BufferPool | undefined;

  constructor(private readonly job: SourceJob<B>) {
    const { path, format, prefix, cols, sourceIdx, opts } = job;
    this.pool = opts.reuseBatchBuffers === true ? new BufferPool() : undefined;
    const useKernel = opts.fastPath !== false && prefix === 'none' && wasmKernelEnabled(format);
    const wasm = useKernel ? new WasmLineKernel(format, cols.capacity, THREAD_INPUT_BYTES) : null;
    this.local = wasm === null ? null : new RowColumns(cols.capacity, wasm.arena);
    this.input = wasm?.input ?? null;
    this.remap = new DictRemap(cols, sourceIdx);
    const into = this.local ?? cols;
    const localSource = this.local === null ? sourceIdx : this.local.dicts.source.intern(path);
    const strict = opts.strict ?? false;
    this.handler = new LineHandler(into, format, path, strict, localSource, () => this.take(), prefix);
    if (wasm !== null) this.handler.attachWasm(wasm);
  }

  /** The full (or, at the end, partial) batch of the columns parsed into, as a batch of the output. */
  take(): void {
    const cols = this.job.cols;
    const local = this.local;
    const b = (local ?? cols).takeBuffers(this.pool);
    if (local !== null) {
      this.remap.add(newStringsSince(local.dicts, this.sent));
      this.remap.apply(b);
    }
    this.pending.push({ batch: cols.batchOf(b), buffers: this.pool === undefined ? [] : buffersOf(b) });
  }

  /** Hand the pending batches to onBatch in order; their buffers go back to the pool once it returned. */
  async drain(): Promise<void> {
    const pool = this.pool;
    while (this.pending.length > 0) {
      const p = this.pending.shift()!;
      if (pool === undefined) await this.job.onBatch(p.batch);
      else await leased(p.batch, this.job.onBatch, () => p.buffers.forEach((buf) => pool.give(buf)));
    }
  }

  /** The input's summary (the kernel's last partial batch is handed on first: the output's columns hold none of it). */
  async finish(): Promise<SourceSummary> {
    const { path, format, cols } = this.job;
    const h = this.handler;
    let countsByEvent = h.countsByEvent;
    if (this.local !== null) {
      if (this.local.length > 0) this.take();
      this.remap.add(newStringsSince(this.local.dicts, this.sent));
      countsByEvent = [];
      this.remap.foldEventCounts(h.countsByEvent, countsByEvent);
    }
    await this.drain();
    return summaryOf(path, format, cols, h, h.kernel, h.issues, countsByEvent);
  }
}

async function parseInThread<B>(
  job: SourceJob<B>,
  blocks: (input: Uint8Array | null) => AsyncIterable<{ buf: Uint8Array; len: number; final: boolean }>,
  rawBytes: () => number,
): Promise<SourceSummary> {
  const { cols, onBatch, opts } = job;
  const parser = new ThreadParser(job);
  // rows of earlier inputs still in the output's columns go first (the kernel's batches bypass them)
  if (parser.input !== null && cols.length > 0) await onBatch(cols.flush());
  for await (const block of blocks(parser.input)) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    // a block of a stream: into the kernel's input region when it fits
    let buf = block.buf;
    if (parser.input !== null && buf !== parser.input && block.len <= parser.input.length) {
      parser.input.set(buf.subarray(0, block.len));
      buf = parser.input;
    }
    parser.handler.feedLines(buf, 0, block.len, block.final);
    await parser.drain();
    opts.onProgress?.(rawBytes(), opts.totalBytes ?? null);
    if (block.final) break;
  }
  return await parser.finish();
}

/**
 * Blocks of whole lines of a regular file read into ONE reused buffer (each block is consumed before the next
 * read): [0, len) of `buf`; the last block may end without `\n` (final).
 */
async function* fileBlocks(
  path: string,
  start: number,
  blockBytes: number,
  onRead: (pos: number) => void,
  /** read into this buffer (the WebAssembly kernel's input region) rather than a new one */
  into: Uint8Array | null,
): AsyncGenerator<{ buf: Uint8Array; len: number; final: boolean }> {
  const fh = await open(path, 'r');
  try {
    let buf = into ?? new Uint8Array(blockBytes);
    let have = 0;
    let pos = start;
    for (;;) {
      if (have === buf.length) {
        // a line longer than the buffer
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, have, buf.length - have, pos);
      pos += bytesRead;
      have += bytesRead;
      onRead(pos);
      if (bytesRead === 0) {
        yield { buf, len: have, final: true };
        return;
      }
      const nl = Buffer.from(buf.buffer, buf.byteOffset, have).lastIndexOf(10);
      if (nl < 0) continue;
      yield { buf, len: nl + 1, final: false };
      buf.copyWithin(0, nl + 1, have);
      have -= nl + 1;
    }
  } finally {
    await fh.close();
  }
}

/** Output-side state of one input parsed by workers: what consume() accumulates, block by block in file order. */
interface WorkerTotals {
  counts: { lines: number; events: number; skipped: number; comments: number; lostEvents: number };
  kernel: string | null;
  issues: ParseIssue[];
  countsByEvent: number[];
  /** the last event time of the blocks consumed so far (halves) */
  lastTsLo: number;
  lastTsHi: number;
}

const TS_C = COLUMNS.indexOf('ts_ns');
const LINE_C = COLUMNS.indexOf('line');

/** Lost-events markers before a block's first event take the previous block's last event time. */
function stampLostBeforeEvent(res: BlockResult, t: WorkerTotals): void {
  for (const o of res.lostBeforeEvent) {
    let row = o;
    for (const p of res.parts) {
      if (row < p.n) {
        const ts = p.values[TS_C] as BigInt64Array;
        const ts32 = new Uint32Array(ts.buffer, ts.byteOffset, 2 * p.n);
        ts32[2 * row] = t.lastTsLo;
        ts32[2 * row + 1] = t.lastTsHi;
        break;
      }
      row -= p.n;
    }
  }
}

/** A block's counts, issues (line numbers made file-relative) and last event time added to the input's totals. */
function addBlockTotals(res: BlockResult, t: WorkerTotals, remap: DictRemap): void {
  for (const issue of res.issues) {
    if (t.issues.length >= MAX_ISSUES) break;
    t.issues.push({ ...issue, line: issue.line + t.counts.lines });
  }
  remap.foldEventCounts(res.countsByEvent, t.countsByEvent);
  if (t.kernel === null && res.kernel !== null) t.kernel = res.kernel;
  if (res.sawEvent) {
    t.lastTsLo = res.lastTsLo;
    t.lastTsHi = res.lastTsHi;
  }
  t.counts.lines += res.lines;
  t.counts.events += res.events;
  t.counts.skipped += res.skipped;
  t.counts.comments += res.comments;
  t.counts.lostEvents += res.lostEvents;
}

/**
 * Parse an input with worker threads: `next` gives the blocks (byte ranges of a regular file, or blocks of a
 * stream), at most INFLIGHT_PER_WORKER per worker are in flight, and the answers are consumed strictly in block
 * order (dictionary indices remapped per worker, line numbers made file-relative, batches written).
 */
async function parseInWorkers<B>(
  job: SourceJob<B>,
  next: () => Promise<Omit<BlockRequest, 'seq'> | null>,
  rawBytes: () => number,
  script: URL,
  nWorkers: number,
): Promise<SourceSummary> {
  const { path, format, prefix, cols, sourceIdx, onBatch, opts } = job;
  const pool = new ParsePool(script, nWorkers, {
    format,
    prefix,
    path,
    batchRows: cols.capacity,
    sharedBuffers: opts.reuseBatchBuffers === true,
  });
  const t: WorkerTotals = {
    counts: { lines: 0, events: 0, skipped: 0, comments: 0, lostEvents: 0 },
    kernel: null,
    issues: [],
    countsByEvent: [],
    lastTsLo: 0,
    lastTsHi: 0,
  };
  const remaps = Array.from({ length: nWorkers }, () => new DictRemap(cols, sourceIdx));
  // rows of earlier inputs still in the output's columns go first (the workers' batches bypass them)
  if (cols.length > 0) await onBatch(cols.flush());

  const consume = async (res: BlockResult): Promise<void> => {
    const remap = remaps[res.worker]!;
    remap.add(res.newStrings);
    if (res.skipped > 0 && opts.strict) {
      const first = res.issues[0]!;
      throw new StrictParseError({ ...first, line: first.line + t.counts.lines });
    }
    stampLostBeforeEvent(res, t);
    for (const p of res.parts) {
      const line = p.values[LINE_C] as Uint32Array;
      const lineBase = t.counts.lines;
      for (let i = 0; i < p.n; i++) line[i] = line[i]! + lineBase;
      remap.apply(p);
      if (opts.reuseBatchBuffers !== true) {
        await onBatch(cols.batchOf(p));
        continue;
      }
      // written (or let go by a consumer that kept the batch: ./lease.ts): the buffers go back to the worker that
      // filled them
      const shared = buffersOf(p).filter((b): b is SharedArrayBuffer => b instanceof SharedArrayBuffer);
      await leased(cols.batchOf(p), onBatch, () => pool.recycle(res.worker, shared));
    }
    addBlockTotals(res, t, remap);
  };
  try {
    await submitInOrder(
      pool,
      next,
      consume,
      nWorkers * INFLIGHT_PER_WORKER,
      () => opts.onProgress?.(rawBytes(), opts.totalBytes ?? null),
      opts.signal,
    );
  } finally {
    pool.close();
  }
  opts.onProgress?.(rawBytes(), opts.totalBytes ?? null);
  return summaryOf(path, format, cols, t.counts, t.kernel, t.issues, t.countsByEvent);
}

/** Submit the blocks `next` gives, at most maxInflight at a time, and consume the answers in submission order. */
async function submitInOrder(
  pool: ParsePool,
  next: () => Promise<Omit<BlockRequest, 'seq'> | null>,
  consume: (res: BlockResult) => Promise<void>,
  maxInflight: number,
  onSubmitted: () => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const inflight: Promise<BlockResult>[] = [];
  let seq = 0;
  for (;;) {
    if (signal?.aborted) throw abortError(signal);
    const req = await next();
    if (req === null) break;
    const p = pool.submit({ ...req, seq: seq++ });
    p.catch(() => undefined); // rejections are handled where the block is consumed, in order
    inflight.push(p);
    while (inflight.length >= maxInflight) await consume(await (inflight.shift() as Promise<BlockResult>));
    onSubmitted();
    if (req.final) break;
  }
  while (inflight.length > 0) {
    if (signal?.aborted) throw abortError(signal);
    await consume(await (inflight.shift() as Promise<BlockResult>));
  }
}
