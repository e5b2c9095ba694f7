/**
 * trace.dat structure (trace-cmd's Documentation/trace-cmd/trace-cmd.dat.v6.txt / .v7.txt,
 * lib/trace-cmd/trace-input.c): everything but the per-CPU ring-buffer data, which the reader streams.
 *
 * v6: the tracing-data preamble (formats, kallsyms, printk, cmdlines), u32 cpus, then "options  \0"
 *     (u16 id, u32 size, data; id 0 ends), then "flyrecord\0" + cpus × (u64 offset, u64 size).
 * v7: initial header, "compression\0version\0", u64 offset of the first options section; sections
 *     (u16 id, u16 flags (1: compressed), u32 string id, u64 size [, u32 csize, u32 usize]) reached from
 *     options: HEADER_INFO..CMDLINES (16..21) point at their sections, BUFFER (3) describes one instance's
 *     per-CPU data, DONE (0) chains to the next options section.
 */
import type { FileHandle } from 'node:fs/promises';
import { ByteCursor, bufferPull, fileRangePull } from '../tracing-data/cursor.js';
import type { EventFormat } from '../tracing-data/eventFormat.js';
import {
  readCmdlines,
  readEventFormats,
  readFtraceFormats,
  readHeaderInfo,
  readInitialHeader,
  readTracingData,
  type HeaderPage,
} from '../tracing-data/tracingData.js';
import { decompressorFor, type Decompressor } from './compression.js';

export interface CpuData {
  cpu: number;
  offset: number;
  size: number;
}

export interface TraceDatLayout {
  version: number;
  littleEndian: boolean;
  longSize: number;
  pageSize: number;
  compression: string;
  decompress: Decompressor | null;
  headerPage: HeaderPage;
  formats: Map<number, EventFormat>;
  /** /proc/kallsyms text, decompressed on first use (5+ MB: only %pS rendering needs it). */
  kallsyms: () => string;
  /**
   * The same text as its bytes (parsed in place: ../tracing-data/kallsyms.ts): the current view — a zstd file's may
   * lie in WebAssembly memory, remade by each call once that memory has grown (Decompressor.kept).
   */
  kallsymsBytes: () => Buffer;
  cmdlines: Map<number, string>;
  clock?: string;
  uname?: string;
  cpuCount?: number;
  /** Every trace instance with flyrecord data, in file order ('' is the top instance). */
  instances: InstanceData[];
  /**
   * Timestamp options trace-cmd report would apply and this reader does not (OFFSET, TIME_SHIFT, TSC2NSEC:
   * host/guest and TSC captures); the timestamps are then the raw ring-buffer ones.
   */
  unappliedTimeOptions: string[];
  /** DATE option: wall ns = timestamp + dateOffsetNs (trace-cmd's tracecmd_set_ts_offset) */
  dateOffsetNs?: bigint;
}

interface InstanceData {
  name: string;
  /** The clock trace-cmd wrote for it (trace-cmd 3.1 extract -B writes the top instance's clock here). */
  clock: string;
  cpus: CpuData[];
  /** The per-CPU data is in compressed chunks (v7 BUFFER section flagged compressed). */
  chunked: boolean;
}

const OPT = {
  DONE: 0,
  /** `trace-cmd record --date`: "0x<hex>" µs that trace-cmd report adds (×1000) to every timestamp: wall time */
  DATE: 1,
  BUFFER: 3,
  TRACECLOCK: 4,
  UNAME: 5,
  OFFSET: 7,
  CPUCOUNT: 8,
  TIME_SHIFT: 12,
  TSC2NSEC: 14,
  HEADER_INFO: 16,
  FTRACE_EVENTS: 17,
  EVENT_FORMATS: 18,
  KALLSYMS: 19,
  PRINTK: 20,
  CMDLINES: 21,
} as const;
const SECTION_COMPRESSED = 1;
const EMPTY = Buffer.alloc(0);

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(b, got, len - got, pos + got);
    if (bytesRead === 0) throw new Error(`trace.dat truncated: wanted ${len} bytes at ${pos}`);
    got += bytesRead;
  }
  return b;
}

function cstr(b: Buffer, at: number): { s: string; next: number } {
  const z = b.indexOf(0, at);
  const e = z < 0 ? b.length : z;
  return { s: b.toString('utf8', at, e), next: e + 1 };
}

function u64n(b: Buffer, at: number, le: boolean): number {
  return Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
}
function u32(b: Buffer, at: number, le: boolean): number {
  return le ? b.readUInt32LE(at) : b.readUInt32BE(at);
}
function u16(b: Buffer, at: number, le: boolean): number {
  return le ? b.readUInt16LE(at) : b.readUInt16BE(at);
}

interface Section {
  id: number;
  flags: number;
  data: Buffer;
}

async function readSection(fh: FileHandle, offset: number, le: boolean, dec: Decompressor | null): Promise<Section> {
  const h = await readAt(fh, offset, 16);
  const id = u16(h, 0, le);
  const flags = u16(h, 2, le);
  const size = u64n(h, 8, le);
  if (flags & SECTION_COMPRESSED) {
    if (dec === null) throw new Error('trace.dat: compressed section in a file without compression');
    const ch = await readAt(fh, offset + 16, 8);
    const csize = u32(ch, 0, le);
    const usize = u32(ch, 4, le);
    return { id, flags, data: dec(await readAt(fh, offset + 24, csize), usize) };
  }
  return { id, flags, data: await readAt(fh, offset + 16, size) };
}

/** A section read now, decompressed when first asked for (each call's Buffer may be a new view of the bytes). */
async function lazySection(
  fh: FileHandle,
  offset: number,
  le: boolean,
  dec: Decompressor | null,
): Promise<() => Buffer> {
  const h = await readAt(fh, offset, 16);
  const flags = u16(h, 2, le);
  if (!(flags & SECTION_COMPRESSED) || dec === null) {
    const data = await readAt(fh, offset + 16, u64n(h, 8, le));
    return () => data;
  }
  const ch = await readAt(fh, offset + 16, 8);
  let raw: Buffer | undefined = await readAt(fh, offset + 24, u32(ch, 0, le));
  const usize = u32(ch, 4, le);
  const kept = dec.kept;
  if (kept !== undefined) {
    // decoded where the decoder keeps it, not copied out: each call hands out its current view
    let view: (() => Buffer) | undefined;
    return () => {
      view ??= kept(raw!, usize);
      raw = undefined;
      return view();
    };
  }
  let data: Buffer | undefined;
  return () => {
    data ??= dec(raw!, usize);
    return data;
  };
}

function parseBuffer(
  d: Buffer,
  le: boolean,
): { offset: number; name: string; clock: string; pageSize: number; cpus: CpuData[] } {
  const offset = u64n(d, 0, le);
  const name = cstr(d, 8);
  const clock = cstr(d, name.next);
  let p = clock.next;
  const pageSize = u32(d, p, le);
  const n = u32(d, p + 4, le);
  p += 8;
  const cpus: CpuData[] = [];
  for (let i = 0; i < n; i++, p += 20)
    cpus.push({ cpu: u32(d, p, le), offset: u64n(d, p + 4, le), size: u64n(d, p + 12, le) });
  return { offset, name: name.s, clock: clock.s, pageSize, cpus };
}

async function readV7(
  fh: FileHandle,
  cur: ByteCursor,
  base: Pick<TraceDatLayout, 'version' | 'littleEndian' | 'longSize' | 'pageSize'>,
): Promise<TraceDatLayout> {
  const le = base.littleEndian;
  const compression = await cur.cstring('compression name');
  await cur.cstring('compression version');
  await cur.need(8, 'options offset');
  let next = cur.u64n();
  const dec = await decompressorFor(compression);
  const out: TraceDatLayout = {
    ...base,
    compression,
    decompress: dec,
    headerPage: { commitOffset: 8, commitSize: base.longSize, dataOffset: 8 + base.longSize },
    formats: new Map(),
    kallsyms: () => '',
    kallsymsBytes: () => EMPTY,
    cmdlines: new Map(),
    instances: [],
    unappliedTimeOptions: [],
  };
  const seen = new Set<number>();
  while (next !== 0 && !seen.has(next)) {
    seen.add(next);
    const sec = await readSection(fh, next, le, dec);
    next = 0;
    const d = sec.data;
    for (let p = 0; p + 6 <= d.length; ) {
      const id = u16(d, p, le);
      const size = u32(d, p + 2, le);
      const od = d.subarray(p + 6, p + 6 + size);
      p += 6 + size;
      if (id === OPT.DONE) {
        // the next options section, if any
        next = size >= 8 ? u64n(od, 0, le) : 0;
        break;
      }
      await applyV7Option(fh, out, id, od);
    }
  }
  return out;
}

/** One v7 option: the sections it points at (formats, kallsyms, cmdlines, per-instance CPU data) into `out`. */
async function applyV7Option(fh: FileHandle, out: TraceDatLayout, id: number, od: Buffer): Promise<void> {
  const le = out.littleEndian;
  const dec = out.decompress;
  const piece = async (offset: number): Promise<ByteCursor> =>
    new ByteCursor(bufferPull((await readSection(fh, offset, le, dec)).data), le);
  switch (id) {
    case OPT.HEADER_INFO:
      out.headerPage = await readHeaderInfo(await piece(u64n(od, 0, le)), out.longSize);
      return;
    case OPT.FTRACE_EVENTS:
      await readFtraceFormats(await piece(u64n(od, 0, le)), out.longSize, out.formats);
      return;
    case OPT.EVENT_FORMATS:
      await readEventFormats(await piece(u64n(od, 0, le)), out.longSize, out.formats);
      return;
    case OPT.KALLSYMS: {
      const data = await lazySection(fh, u64n(od, 0, le), le, dec);
      // KALLSYMS section: u32 size, then the text.
      const bytes = (): Buffer => {
        const d = data();
        return d.subarray(4, 4 + u32(d, 0, le));
      };
      let text: string | undefined;
      out.kallsyms = () => {
        text ??= bytes().toString('utf8');
        return text;
      };
      out.kallsymsBytes = bytes;
      return;
    }
    case OPT.CMDLINES:
      out.cmdlines = await readCmdlines(await piece(u64n(od, 0, le)));
      return;
    case OPT.BUFFER: {
      const b = parseBuffer(od, le);
      const h = await readAt(fh, b.offset, 4);
      out.instances.push({
        name: b.name,
        clock: b.clock,
        cpus: b.cpus,
        chunked: (u16(h, 2, le) & SECTION_COMPRESSED) !== 0,
      });
      if (b.pageSize > 0) out.pageSize = b.pageSize;
      return;
    }
    default:
      applyInfoOption(out, id, od, le);
  }
}

function applyInfoOption(out: TraceDatLayout, id: number, od: Buffer, le: boolean): void {
  if (id === OPT.TRACECLOCK) {
    // "local global [mono] ...": the selected clock is bracketed.
    const m = /\[(\S+)\]/.exec(cstr(od, 0).s);
    if (m && out.clock === undefined) out.clock = m[1]!;
  } else if (id === OPT.UNAME) out.uname = cstr(od, 0).s;
  else if (id === OPT.CPUCOUNT && od.length >= 4) out.cpuCount = u32(od, 0, le);
  else if (id === OPT.DATE) {
    // trace-input.c: offset = strtoll(buf, NULL, 0); "Convert from micro to nano" offset *= 1000
    const m = /^(-?)(0x[0-9a-f]+|\d+)$/i.exec(cstr(od, 0).s.trim());
    if (m) out.dateOffsetNs = (m[1] ? -1000n : 1000n) * BigInt(m[2]!);
  } else if (id === OPT.OFFSET) out.unappliedTimeOptions.push('OFFSET');
  else if (id === OPT.TIME_SHIFT) out.unappliedTimeOptions.push('TIME_SHIFT');
  else if (id === OPT.TSC2NSEC) out.unappliedTimeOptions.push('TSC2NSEC');
}

async function readV6(fh: FileHandle, fileSize: number): Promise<TraceDatLayout> {
  const cur = new ByteCursor(fileRangePull(fh, 0, fileSize));
  const td = await readTracingData(cur);
  const le = td.littleEndian;
  await cur.need(4, 'cpu count');
  const cpuCount = cur.u32();
  const out: TraceDatLayout = {
    version: 6,
    littleEndian: le,
    longSize: td.longSize,
    pageSize: td.pageSize,
    compression: 'none',
    decompress: null,
    headerPage: td.headerPage,
    formats: td.formats,
    kallsyms: () => td.kallsyms,
    kallsymsBytes: ((): (() => Buffer) => {
      let bytes: Buffer | undefined;
      return () => (bytes ??= Buffer.from(td.kallsyms, 'utf8'));
    })(),
    cmdlines: td.cmdlines,
    cpuCount,
    instances: [],
    unappliedTimeOptions: [],
  };
  const skipped: string[] = [];
  for (;;) {
    await cur.need(10, 'v6 section tag');
    const tag = cur.bytes(10).toString('latin1');
    if (tag === 'options  \0') {
      for (;;) {
        await cur.need(2, 'option id');
        const id = cur.u16();
        if (id === 0) break;
        await cur.need(4, 'option size');
        const od = await cur.take(cur.u32(), 'option');
        // v6 BUFFER options (u64 offset, name) point at other instances' own flyrecord blocks: not read.
        if (id === OPT.BUFFER) skipped.push(cstr(od, 8).s);
        else applyInfoOption(out, id, od, le);
      }
    } else if (tag === 'flyrecord\0') {
      await cur.need(16 * cpuCount, 'flyrecord offsets');
      const cpus: CpuData[] = [];
      for (let c = 0; c < cpuCount; c++) cpus.push({ cpu: c, offset: cur.u64n(), size: cur.u64n() });
      out.instances.push({ name: '', clock: out.clock ?? '', cpus, chunked: false });
      for (const name of skipped) out.instances.push({ name, clock: '', cpus: [], chunked: false });
      return out;
    } else if (tag === 'latency  \0') throw new Error('trace.dat: latency (text) traces are not supported');
    else throw new Error(`trace.dat: unexpected section "${tag.replace(/\0/g, '\\0')}"`);
  }
}

export async function readLayout(fh: FileHandle, fileSize: number): Promise<TraceDatLayout> {
  const cur = new ByteCursor(fileRangePull(fh, 0, fileSize, 4096));
  const ih = await readInitialHeader(cur);
  const version = Number(ih.version);
  if (version === 7)
    return readV7(fh, cur, { version, littleEndian: ih.littleEndian, longSize: ih.longSize, pageSize: ih.pageSize });
  if (version === 6) return readV6(fh, fileSize);
  throw new Error(`trace.dat: file version ${ih.version} not supported (6 and 7 are)`);
}
