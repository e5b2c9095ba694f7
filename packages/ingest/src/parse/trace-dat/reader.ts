/**
 * trace.dat reader (trace-cmd file versions 6 and 7, optionally zstd/zlib-compressed): streams each CPU's
 * ring-buffer pages, decodes the events by the embedded formats, and merges the CPUs by timestamp (lowest CPU
 * first on ties, as trace-cmd's tracecmd_read_next_data does). Memory: one page (or one compressed chunk)
 * per CPU.
 */
import type { Readable } from 'node:stream';
import { ByteCursor, fileRangePull } from '../tracing-data/cursor.js';
import { BATCH, batchReader } from '../tracing-data/batches.js';
import type { EventFormat } from '../tracing-data/eventFormat.js';
import { openBinaryInput, type BinaryInput, type OpenedFile } from '../tracing-data/input.js';
import { parseKallsyms, type Kallsyms } from '../tracing-data/kallsyms.js';
import { bump, emptyStats, skipAt } from '../tracing-data/types.js';
import type { BinaryReaderStats, BinaryTraceMeta, BinaryTraceReader, RecordSink } from '../tracing-data/types.js';
import { CpuStream, FormatTable } from './cpuStream.js';
import { CpuMerge } from './merge.js';
import { readLayout, type CpuData, type TraceDatLayout } from './layout.js';
import type { PageStats } from './ringBuffer.js';

/** The pages of one CPU, in order, a run of whole pages at a time (a decompressed chunk, or what one read brought). */
async function* cpuPages(
  file: OpenedFile,
  lay: TraceDatLayout,
  chunked: boolean,
  c: CpuData,
  stats: BinaryReaderStats,
  reuse: boolean,
): AsyncGenerator<Buffer> {
  const le = lay.littleEndian;
  const ps = lay.pageSize;
  if (c.size === 0) return;
  // Compressed data is self-delimiting (chunk count and sizes); trace-cmd 3.1's recorded size for it comes
  // out 4 bytes short of the chunks (seen on its own files), so only plain data is bounded by the size.
  const end = chunked ? file.size : c.offset + c.size;
  // reads of 256 KiB of compressed chunks (each read is an await) or of 256 pages
  const cur = new ByteCursor(fileRangePull(file.fh, c.offset, end, chunked ? 1 << 18 : Math.max(ps, 256 * ps)), le);
  if (!chunked) {
    while (await cur.ensure(ps)) yield cur.bytes(cur.available - (cur.available % ps));
    // a file cut inside a page: the whole pages before it were read
    if (cur.available > 0) skipAt(stats, 'truncated page', c.offset + cur.position);
    return;
  }
  // v7 compressed: u32 chunk count, then (u32 compressed size, u32 uncompressed size, data) per chunk.
  const dec = lay.decompress;
  if (dec === null) throw new Error('trace.dat: chunked CPU data without a compression algorithm');
  // the CPU's previous chunk, decoded into again once its pages are handed out (the consumer asks for the next
  // run only then: CpuStream.fill), when the sink copies what it keeps
  let spare: Buffer | undefined;
  await cur.need(4, 'chunk count');
  const chunks = cur.u32();
  for (let i = 0; i < chunks; i++) {
    const at = c.offset + cur.position;
    // a file cut inside the chunks: the chunks before the cut were read
    if (!(await cur.ensure(8))) return skipAt(stats, 'truncated chunk', at);
    const csize = cur.u32();
    const usize = cur.u32();
    if (!(await cur.ensure(csize))) return skipAt(stats, 'truncated chunk', at);
    const pages = dec(cur.bytes(csize), usize, spare);
    // a chunk decoded into fresh memory of its own (the first, or one larger than the spare) is the next spare
    if (reuse && pages.byteOffset === 0 && pages.buffer.byteLength === pages.length && pages.buffer !== spare?.buffer)
      spare = pages;
    // a partial page at the end of a chunk is not read (trace-cmd writes whole pages)
    if (pages.length >= ps) yield pages.subarray(0, pages.length - (pages.length % ps));
  }
}

export interface TraceDatOptions {
  /**
   * Which trace instance to read ('' = the top one). Default: the top instance if it holds data, else the first
   * instance that does (`trace-cmd extract -B name` files hold only the named one).
   */
  instance?: string;
  /** false: leave `fields` empty and hand the raw payload over (record.payload); default true. */
  decode?: boolean;
  /**
   * The sink copies what it keeps (the row builder): a CPU's compressed chunks are decoded into the memory of its
   * previous one, whose pages are all handed out by then. Default false.
   */
  reuseChunks?: boolean;
}

/** The instance to read: the one asked for, else the top one if it holds data, else the first that does. */
function pickInstance(lay: TraceDatLayout, opts: TraceDatOptions): TraceDatLayout['instances'][number] {
  const withData = lay.instances.filter((i) => i.cpus.some((c) => c.size > 0));
  const inst =
    opts.instance !== undefined
      ? lay.instances.find((i) => i.name === opts.instance)
      : (withData.find((i) => i.name === '') ?? withData[0] ?? lay.instances[0]);
  if (inst === undefined) throw new Error(`trace.dat: no trace instance "${opts.instance ?? ''}" in the file`);
  return inst;
}

function traceMeta(lay: TraceDatLayout, inst: TraceDatLayout['instances'][number]): BinaryTraceMeta {
  const meta: BinaryTraceMeta = {
    format: 'trace-dat',
    variant: String(lay.version),
    littleEndian: lay.littleEndian,
    compression: lay.compression,
    instance: inst.name,
  };
  const clock = inst.clock !== '' ? inst.clock : lay.clock;
  if (clock !== undefined) meta.clock = clock;
  if (lay.cpuCount !== undefined) meta.cpus = lay.cpuCount;
  // the timestamps stay raw (as for OFFSET): the DATE offset becomes the wall clock of trace time 0
  if (lay.dateOffsetNs !== undefined)
    meta.wallClock = { wallNs: lay.dateOffsetNs, traceNs: 0n, source: 'trace.dat date' };
  if (lay.uname !== undefined) {
    meta.osRelease = lay.uname.split(' ')[2] ?? lay.uname;
    meta.hostname = lay.uname.split(' ')[1] ?? '';
  }
  return meta;
}

/** The CPUs' records merged by timestamp (./merge.ts), a pause for the consumer every BATCH records or so. */
async function* mergeCpus(cpus: CpuStream[], stats: BinaryReaderStats, merge: CpuMerge): AsyncGenerator<void> {
  for (const c of cpus) await c.fill();
  for (let used = merge.run(); used !== undefined; used = merge.run()) {
    if (merge.emitted >= BATCH) {
      foldCounts(merge.table, stats);
      merge.emitted = 0;
      yield;
    }
    await used.fill();
  }
  foldCounts(merge.table, stats);
  yield;
}

/** stats.events complete up to the records handed out so far. */
function foldCounts(table: FormatTable, stats: BinaryReaderStats): void {
  table.counts.forEach((n, i) => {
    if (n > 0) bump(stats.events, table.list[i]!.event, n);
    table.counts[i] = 0;
  });
}

export function readTraceDat(
  input: string | Readable | AsyncIterable<Uint8Array>,
  opts: TraceDatOptions = {},
): BinaryTraceReader {
  const stats = emptyStats();
  let meta: BinaryTraceMeta | undefined;
  const formats = new Map<string, EventFormat>();
  let kallsymsText: () => string = () => '';
  let kallsymsBytes: (() => Buffer) | undefined;
  let kallsyms: Kallsyms | undefined;
  async function* run(sink: RecordSink): AsyncGenerator<void> {
    const opened = await openBinaryInput(input as BinaryInput, 16);
    const file = await opened.file();
    try {
      const lay = await readLayout(file.fh, file.size);
      for (const f of lay.formats.values()) formats.set(f.event, f);
      kallsymsText = lay.kallsyms;
      kallsymsBytes = lay.kallsymsBytes;
      const inst = pickInstance(lay, opts);
      meta = traceMeta(lay, inst);
      for (const i of lay.instances) if (i !== inst && i.cpus.length > 0) bump(stats.skipped, `instance "${i.name}"`);
      for (const o of lay.unappliedTimeOptions) bump(stats.skipped, `option ${o} (timestamps not adjusted)`);
      // libtraceevent tep_data_comm_from_pid: pid 0 is "<idle>", unknown pids "<...>".
      const comm = (pid: number): string => (pid === 0 ? '<idle>' : (lay.cmdlines.get(pid) ?? '<...>'));
      const ps: PageStats = { padding: 0, timeExtend: 0, timeStamp: 0 };
      const table = new FormatTable(lay.formats);
      const cpus = inst.cpus.map(
        (c) =>
          new CpuStream(
            c.cpu,
            cpuPages(file, lay, inst.chunked, c, stats, opts.reuseChunks === true),
            lay,
            stats,
            ps,
            table,
          ),
      );
      yield* mergeCpus(cpus, stats, new CpuMerge(cpus, stats, table, lay.littleEndian, comm, sink));
      stats.bytes = file.size;
      stats.handled.padding = ps.padding;
      stats.handled['time extend'] = ps.timeExtend;
      stats.handled['time stamp'] = ps.timeStamp;
    } finally {
      await file.close();
    }
  }
  const lazyKallsyms = (): Kallsyms | undefined => {
    if (kallsyms === undefined && kallsymsBytes !== undefined) {
      // the bytes, not the text: a 5+ MB string is not made for the few symbols a trace resolves
      if (kallsymsBytes().length > 0) kallsyms = parseKallsyms(kallsymsBytes);
    }
    return kallsyms;
  };
  const reader = batchReader(stats, () => meta, formats, lazyKallsyms, run, opts.decode ?? true);
  reader.kallsymsText = () => kallsymsText();
  return reader;
}
