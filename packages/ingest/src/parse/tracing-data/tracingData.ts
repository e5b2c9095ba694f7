/**
 * The "tracing data" block shared by perf.data (HEADER_TRACING_DATA, written by
 * tools/perf/util/trace-event-info.c and read by trace-event-read.c) and trace-cmd's trace.dat v6 preamble:
 *
 *   "\x17\x08\x44tracing" version\0 endian(u8: 0 little, 1 big) long_size(u8) page_size(u32)
 *   "header_page\0" u64 size, text      "header_event\0" u64 size, text
 *   u32 count, count × (u64 size, ftrace format file)
 *   u32 systems, systems × (system\0, u32 count, count × (u64 size, format file))
 *   u32 size, /proc/kallsyms      u32 size, printk_formats      (version ≥ 0.6 / 6) u64 size, saved_cmdlines
 *
 * trace.dat v7 keeps the same pieces, each in its own (possibly compressed) section: the readers below take a
 * cursor positioned at the piece.
 */
import type { ByteCursor } from './cursor.js';
import { parseEventFormat, parseFieldLine, type EventFormat } from './eventFormat.js';

export const TRACING_MAGIC = Buffer.from([0x17, 0x08, 0x44, ...Buffer.from('tracing')]);

export interface InitialHeader {
  version: string;
  littleEndian: boolean;
  longSize: number;
  pageSize: number;
}

/** Ring-buffer page header layout (events/header_page): where the commit word and the data start. */
export interface HeaderPage {
  commitOffset: number;
  commitSize: number;
  dataOffset: number;
}

export interface TracingData extends InitialHeader {
  headerPage: HeaderPage;
  /** By common_type. */
  formats: Map<number, EventFormat>;
  kallsyms: string;
  printk: string;
  /** saved_cmdlines: pid → comm. */
  cmdlines: Map<number, string>;
}

export async function readInitialHeader(cur: ByteCursor): Promise<InitialHeader> {
  await cur.need(10, 'tracing magic');
  const magic = cur.bytes(10);
  if (!magic.equals(TRACING_MAGIC)) throw new Error('not a tracing-data block (bad magic)');
  const version = await cur.cstring('tracing version');
  await cur.need(6, 'tracing header');
  const littleEndian = cur.u8() === 0;
  const longSize = cur.u8();
  cur.le = littleEndian;
  const pageSize = cur.u32();
  return { version, littleEndian, longSize, pageSize };
}

function parseHeaderPage(text: string, longSize: number): HeaderPage {
  const hp: HeaderPage = { commitOffset: 8, commitSize: longSize, dataOffset: 8 + longSize };
  for (const line of text.split('\n')) {
    const f = parseFieldLine(line, longSize);
    if (f === null) continue;
    if (f.name === 'commit') {
      hp.commitOffset = f.offset;
      hp.commitSize = f.size;
    } else if (f.name === 'data') hp.dataOffset = f.offset;
  }
  return hp;
}

async function expectTag(cur: ByteCursor, tag: string): Promise<void> {
  const got = await cur.cstring(tag);
  if (got !== tag) throw new Error(`expected "${tag}", found "${got.slice(0, 32)}"`);
}

async function sizedText(cur: ByteCursor, sizeBytes: 4 | 8, what: string): Promise<string> {
  await cur.need(sizeBytes, what);
  const n = sizeBytes === 4 ? cur.u32() : cur.u64n();
  return (await cur.take(n, what)).toString('utf8');
}

export async function readHeaderInfo(cur: ByteCursor, longSize: number): Promise<HeaderPage> {
  await expectTag(cur, 'header_page');
  const page = await sizedText(cur, 8, 'header_page');
  await expectTag(cur, 'header_event');
  const ev = await sizedText(cur, 8, 'header_event');
  // The reader decodes the event header as type_len:5 time_delta:27 (kernel ring_buffer.c since 2.6.31).
  if (!/type_len\s*:\s*5/.test(ev)) throw new Error('unsupported ring-buffer event header (type_len is not 5 bits)');
  return parseHeaderPage(page, longSize);
}

export async function readFtraceFormats(
  cur: ByteCursor,
  longSize: number,
  into: Map<number, EventFormat>,
): Promise<void> {
  await cur.need(4, 'ftrace format count');
  const n = cur.u32();
  for (let i = 0; i < n; i++) {
    const at = cur.position;
    addFormat(into, await sizedText(cur, 8, 'ftrace format'), 'ftrace', longSize, at);
  }
}

export async function readEventFormats(
  cur: ByteCursor,
  longSize: number,
  into: Map<number, EventFormat>,
): Promise<void> {
  await cur.need(4, 'event system count');
  const systems = cur.u32();
  for (let s = 0; s < systems; s++) {
    const system = await cur.cstring('event system');
    await cur.need(4, 'event count');
    const n = cur.u32();
    for (let i = 0; i < n; i++) {
      const at = cur.position;
      addFormat(into, await sizedText(cur, 8, 'event format'), system, longSize, at);
    }
  }
}

/** `at`: where the format's size word starts, in bytes from the start of the tracing data (or v7 section). */
function addFormat(into: Map<number, EventFormat>, text: string, system: string, longSize: number, at: number): void {
  try {
    const f = parseEventFormat(text, system, longSize);
    into.set(f.id, f);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`malformed ${system} event format at offset ${at} of the tracing data: ${why}`);
  }
}

async function readKallsyms(cur: ByteCursor): Promise<string> {
  return sizedText(cur, 4, 'kallsyms');
}
async function readPrintk(cur: ByteCursor): Promise<string> {
  return sizedText(cur, 4, 'printk formats');
}
export async function readCmdlines(cur: ByteCursor): Promise<Map<number, string>> {
  return parseCmdlines(await sizedText(cur, 8, 'saved_cmdlines'));
}

/** saved_cmdlines: `pid comm` per line (kernel/trace/trace.c saved_cmdlines_show). */
function parseCmdlines(text: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const pid = Number(line.slice(0, sp));
    if (Number.isInteger(pid)) m.set(pid, line.slice(sp + 1));
  }
  return m;
}

/** Whole tracing-data block (perf, trace.dat v6): everything up to and including saved_cmdlines. */
export async function readTracingData(cur: ByteCursor): Promise<TracingData> {
  const ih = await readInitialHeader(cur);
  const headerPage = await readHeaderInfo(cur, ih.longSize);
  const formats = new Map<number, EventFormat>();
  await readFtraceFormats(cur, ih.longSize, formats);
  await readEventFormats(cur, ih.longSize, formats);
  const kallsyms = await readKallsyms(cur);
  const printk = await readPrintk(cur);
  // perf writes saved_cmdlines from tracing-data version 0.6 on (trace-event-read.c); trace-cmd v6 always.
  const v = Number.parseFloat(ih.version);
  const cmdlines = v >= 0.6 ? await readCmdlines(cur) : new Map<number, string>();
  return { ...ih, headerPage, formats, kallsyms, printk, cmdlines };
}
