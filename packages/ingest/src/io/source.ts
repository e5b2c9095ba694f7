/**
 * One text input → rows. Streams the (possibly gzip-compressed) bytes, cuts them into blocks of whole lines,
 * sniffs the format from the first lines and parses every line from its bytes (./lines.ts). Inputs larger than
 * one block are parsed by worker threads (./pool.ts), block by block, and the rows are written in file order;
 * smaller inputs (and runs without the compiled worker script) are parsed in this thread. Both paths produce
 * the identical table (test/parallel.test.ts). Accounting stays exact: lines = events + skipped + comments.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { RecordBatch } from 'apache-arrow';
import { BufferPool, DICT_COLUMN_NAMES, buffersOf, type EventColumns } from '../table/columns.js';
import { NotATraceError, StrictParseError, type ParseIssue, type SourceSummary } from '../parse/errors.js';
import { LineHandler, MAX_ISSUES, parserFor } from '../parse/lines.js';
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
import { wasmKernelEnabled } from '../parse/wasmLines.js';

/** Lines used to sniff the format. */
const SNIFF_LINES = 200;
/** Bytes read before deciding (binary/HTML check and sniffing). */
const SNIFF_BYTES = 64 * 1024;

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
  /** false: string parser only (the reference the byte fast path is tested against) */
  fastPath?: boolean;
  /**
   * true when onBatch is done with a batch once it returns (it writes it, keeps nothing): the batch's buffers
   * are then reused for later batches (rows.ts BufferPool). Never set it for a consumer that keeps batches.
   */
  reuseBatchBuffers?: boolean;
}

/** Bytes per block of whole lines handed to a parse worker (and the in-thread parser). */
const BLOCK_BYTES = 4 << 20;
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
): AsyncGenerator<Uint8Array> {
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
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
  const text = new TextDecoder('utf-8').decode(withoutBom(head), { stream: true });
  const sniffed = detectTrace(text.split('\n', SNIFF_LINES));
  if (forced !== null) return { format: forced, prefix: sniffed?.prefix ?? 'none' };
  if (sniffed !== null) return sniffed;
  if (text.trim() === '') throw new NotATraceError(path, `${path} is empty.`);
  throw new NotATraceError(
    path,
    `${path} does not look like a trace: none of its first lines is a perf script, perf trace, ftrace, trace-cmd or bpftrace event.`,
  );
}

/**
 * The format and compression of a regular file, from its first bytes (gunzipped when they are gzip): what
 * ./open.ts openTrace decides once, so that the reader does not sniff again.
 */
export async function sniffTextFile(
  path: string,
  forced: TraceFormat | null,
): Promise<{ format: TraceFormat; gzip: boolean }> {
  const info = { gzip: false };
  const chunks = inputChunks(path, () => {}, undefined, info)[Symbol.asyncIterator]();
  try {
    const { head } = await readHead(chunks);
    return { format: traceOfHead(path, head, forced).format, gzip: info.gzip };
  } finally {
    await chunks.return?.(undefined);
  }
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

/** The first bytes of a regular file, gunzipped when it is gzip (binary magic behind a .gz). */
export async function headBytesOf(path: string): Promise<Uint8Array> {
  const chunks = inputChunks(path, () => {}, undefined, { gzip: false })[Symbol.asyncIterator]();
  try {
    return (await readHead(chunks)).head;
  } finally {
    await chunks.return?.(undefined);
  }
}

/** The first lines of a regular file (gunzipped), for the kernel-log detector. */
export async function headLinesOf(path: string): Promise<string[]> {
  const chunks = inputChunks(path, () => {}, undefined, { gzip: false })[Symbol.asyncIterator]();
  try {
    const { head } = await readHead(chunks);
    return new TextDecoder('utf-8').decode(withoutBom(head), { stream: true }).split('\n', SNIFF_LINES);
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
export async function ingestTextSource(
  path: string,
  cols: EventColumns,
  onBatch: (b: RecordBatch) => void | Promise<void>,
  opts: SourceOptions,
): Promise<SourceSummary> {
  const sourceIdx = cols.dicts.source.intern(opts.sourceName ?? path);
  let rawBytes = 0;
  const onRaw = (n: number): void => {
    rawBytes += n;
  };
  const input = { gzip: false };
  const chunks = inputChunks(path, onRaw, opts.signal, input)[Symbol.asyncIterator]();
  try {
    const { head: raw, headLen } = await readHead(chunks);
    if (opts.signal?.aborted) throw abortError(opts.signal);
    const { format, prefix } = traceOfHead(path, raw, opts.format ?? null);
    const head = withoutBom(raw);
    parserFor(format); // rejects 'arrow'
    const job: SourceJob = { path, format, prefix, cols, sourceIdx, onBatch, opts };
    const blockBytes = opts.blockBytes ?? BLOCK_BYTES;
    const nWorkers = opts.workers ?? defaultWorkerCount();
    // by default workers start only for big regular files: each costs a start-up and its own JIT warm-up
    // (~0.5 CPU-second together on the bench machine), which a smaller input does not pay back
    const explicit = opts.workers !== undefined || workerCountFromEnv() !== null;
    const gzip = input.gzip;
    const size = opts.totalBytes ?? null;
    const dataStart = headLen - head.length; // 3 after a byte order mark
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
    if (script !== null && regular && big) {
      // a regular file: workers read their own byte ranges (no copy through this thread)
      await chunks.return?.(undefined);
      let start = dataStart;
      const next = async (): Promise<Omit<BlockRequest, 'seq'> | null> => {
        if (start >= size) return null;
        const end = Math.min(start + blockBytes, size);
        const req = { buf: null, final: end >= size, range: { path, start, end, atLineStart: start === dataStart } };
        start = end;
        return req;
      };
      return await parseInWorkers(job, next, () => Math.min(start, size), script, nWorkers);
    }
    if (regular) {
      // a regular file in this thread: one reused read buffer, no stream chunks to join
      await chunks.return?.(undefined);
      let readPos = dataStart;
      const blocks = fileBlocks(path, dataStart, blockBytes, (p) => void (readPos = p));
      return await parseInThread(job, blocks, () => readPos);
    }
    const blocks = blocksOf(head, chunks, blockBytes);
    const first = await blocks.next();
    if (first.done) throw new Error('unreachable: blocksOf yields at least one block');
    // gzip/stdin/pipes (size unknown; gunzip already runs on the libuv pool): workers when asked for, or when the
    // WebAssembly kernel parses the format and the input is more than one block (a 120 MB perf-script .gz: 0.79–0.88 s
    // with 2 workers against 1.37–1.59 s in this thread)
    if (script === null || first.value.final || !(explicit || wasmKernelEnabled(format))) {
      const all = async function* (): AsyncGenerator<{ buf: Uint8Array; len: number; final: boolean }> {
        yield { ...first.value, len: first.value.buf.length };
        for await (const b of blocks) yield { ...b, len: b.buf.length };
      };
      return await parseInThread(job, all(), () => rawBytes);
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
    return await parseInWorkers(job, next, () => rawBytes, script, nWorkers);
  } finally {
    await chunks.return?.(undefined);
  }
}

function summaryOf(
  path: string,
  format: TraceFormat,
  cols: EventColumns,
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
interface SourceJob {
  /** as given by the user */
  path: string;
  format: TraceFormat;
  /** the paste prefix every line carries (sniffed), cut before parsing */
  prefix: PastePrefix;
  cols: EventColumns;
  /** `path` in the `source` dictionary */
  sourceIdx: number;
  onBatch: (b: RecordBatch) => void | Promise<void>;
  opts: SourceOptions;
}

async function parseInThread(
  job: SourceJob,
  blocks: AsyncIterable<{ buf: Uint8Array; len: number; final: boolean }>,
  rawBytes: () => number,
): Promise<SourceSummary> {
  const { path, format, prefix, cols, sourceIdx, onBatch, opts } = job;
  const pending: { batch: RecordBatch; buffers: ArrayBufferLike[] }[] = [];
  const pool = opts.reuseBatchBuffers === true ? new BufferPool() : undefined;
  const handler = new LineHandler(
    cols,
    format,
    path,
    opts.strict ?? false,
    sourceIdx,
    () => {
      const b = cols.takeBuffers(pool);
      pending.push({ batch: cols.batchOf(b), buffers: pool === undefined ? [] : buffersOf(b) });
    },
    prefix,
  );
  if (opts.fastPath === false) handler.disableFastPath();
  for await (const block of blocks) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    handler.feedLines(block.buf, 0, block.len, block.final);
    while (pending.length > 0) {
      const p = pending.shift()!;
      await onBatch(p.batch);
      for (const buf of p.buffers) pool?.give(buf);
    }
    opts.onProgress?.(rawBytes(), opts.totalBytes ?? null);
    if (block.final) break;
  }
  return summaryOf(path, format, cols, handler, handler.kernel, handler.issues, handler.countsByEvent);
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
): AsyncGenerator<{ buf: Uint8Array; len: number; final: boolean }> {
  const fh = await open(path, 'r');
  try {
    let buf = new Uint8Array(blockBytes);
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

async function parseInWorkers(
  job: SourceJob,
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
  const counts = { lines: 0, events: 0, skipped: 0, comments: 0, lostEvents: 0 };
  let kernel: string | null = null;
  const issues: ParseIssue[] = [];
  const countsByEvent: number[] = [];
  let lastTsLo = 0;
  let lastTsHi = 0;
  // per worker, per dictionary column: worker-local index → index in the output dictionary
  const remaps: number[][][] = Array.from({ length: nWorkers }, () => DICT_COLUMN_NAMES.map(() => []));
  const identities: boolean[][] = Array.from({ length: nWorkers }, () => DICT_COLUMN_NAMES.map(() => true));
  const EVENT_D = DICT_COLUMN_NAMES.indexOf('event');
  const TS_C = COLUMNS.indexOf('ts_ns');
  const LINE_C = COLUMNS.indexOf('line');
  const DICT_C = DICT_COLUMN_NAMES.map((name) => COLUMNS.indexOf(name));

  const consume = async (res: BlockResult): Promise<void> => {
    const remap = remaps[res.worker]!;
    const identity = identities[res.worker]!;
    DICT_COLUMN_NAMES.forEach((name, d) => {
      const m = remap[d]!;
      const add = res.newStrings[d]!;
      for (const s of add) m.push(name === 'source' ? sourceIdx : cols.dicts[name].intern(s));
      // a worker whose strings got the same indices here needs no remap pass (often the first worker's)
      if (add.length > 0) identity[d] = m.every((g, local) => g === local);
    });
    if (res.skipped > 0 && opts.strict) {
      const first = res.issues[0]!;
      throw new StrictParseError({ ...first, line: first.line + counts.lines });
    }
    // lost-events markers before the block's first event take the previous block's last event time
    for (const o of res.lostBeforeEvent) {
      let row = o;
      for (const p of res.parts) {
        if (row < p.n) {
          const ts = p.values[TS_C] as BigInt64Array;
          const ts32 = new Uint32Array(ts.buffer, ts.byteOffset, 2 * p.n);
          ts32[2 * row] = lastTsLo;
          ts32[2 * row + 1] = lastTsHi;
          break;
        }
        row -= p.n;
      }
    }
    for (const p of res.parts) {
      const n = p.n;
      const line = p.values[LINE_C] as Uint32Array;
      const lineBase = counts.lines;
      for (let i = 0; i < n; i++) line[i] = line[i]! + lineBase;
      for (let d = 0; d < DICT_C.length; d++) {
        if (p.nullCounts[DICT_C[d]!] === n || identity[d]) continue; // all null, or same indices: nothing to remap
        const idx = p.values[DICT_C[d]!] as Int32Array;
        const map = remap[d]!;
        for (let i = 0; i < n; i++) idx[i] = map[idx[i]!]!;
      }
      await onBatch(cols.batchOf(p));
      // written: the buffers go back to the worker that filled them
      if (opts.reuseBatchBuffers === true)
        pool.recycle(
          res.worker,
          buffersOf(p).filter((b): b is SharedArrayBuffer => b instanceof SharedArrayBuffer),
        );
    }
    for (const issue of res.issues) {
      if (issues.length >= MAX_ISSUES) break;
      issues.push({ ...issue, line: issue.line + counts.lines });
    }
    res.countsByEvent.forEach((n, local) => {
      if (n) {
        const g = remap[EVENT_D]![local]!;
        countsByEvent[g] = (countsByEvent[g] ?? 0) + n;
      }
    });
    if (kernel === null && res.kernel !== null) kernel = res.kernel;
    if (res.sawEvent) {
      lastTsLo = res.lastTsLo;
      lastTsHi = res.lastTsHi;
    }
    counts.lines += res.lines;
    counts.events += res.events;
    counts.skipped += res.skipped;
    counts.comments += res.comments;
    counts.lostEvents += res.lostEvents;
  };

  const inflight: Promise<BlockResult>[] = [];
  const maxInflight = nWorkers * INFLIGHT_PER_WORKER;
  try {
    let seq = 0;
    for (;;) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const req = await next();
      if (req === null) break;
      const p = pool.submit({ ...req, seq: seq++ });
      p.catch(() => undefined); // rejections are handled where the block is consumed, in order
      inflight.push(p);
      while (inflight.length >= maxInflight) await consume(await (inflight.shift() as Promise<BlockResult>));
      opts.onProgress?.(rawBytes(), opts.totalBytes ?? null);
      if (req.final) break;
    }
    while (inflight.length > 0) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      await consume(await (inflight.shift() as Promise<BlockResult>));
    }
  } finally {
    pool.close();
  }
  opts.onProgress?.(rawBytes(), opts.totalBytes ?? null);
  return summaryOf(path, format, cols, counts, kernel, issues, countsByEvent);
}
