/**
 * The WebAssembly line kernel (../../wasm/lines.ts, compiled to dist/lines.wasm by `pnpm build`), the one fast path
 * of the perf-script, ftrace/trace-cmd and bpftrace printf grammars, and the memory it shares with this thread's
 * row columns. The input is read (or copied) into `input`, and the row columns (RowColumns with `arena`) live in
 * the same memory, so the kernel writes rows where takeBuffers() reads them. Every line the kernel does not accept
 * — comments, headers, unknown event names, a field token other than its event's template, `(ptrval)`, a value out
 * of its kernel type's range, a control byte, a dictionary string it cannot store — goes back to the string parser
 * (./lines.ts LineHandler, ./formats.ts), the reference; the event names and templates the reference's parses give
 * (./template.ts) are registered with the kernel as they appear.
 *
 * bpftrace `-f json`, `perf trace` and pasted lines use the string parser alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TemplateToken } from './template.js';
import {
  CFG,
  C_COL,
  C_COUNTS,
  C_DICT,
  C_NCOUNTS,
  C_NSLOTS,
  C_OUT,
  C_RAW,
  C_SLOTS,
  C_SOURCE,
  FORMAT_BPFTRACE,
  FORMAT_FTRACE,
  FORMAT_PERF,
} from './kernelLayout.js';
import { columnArenaBytes, type ColumnArena, type DictColumn, type RowColumns } from '../table/rows.js';
import { COLUMNS } from '../table/catalogue.js';
import type { TraceFormat } from '../table/schema.js';

// The WebAssembly JS API as used here (the project compiles against ES2022 + Node types, which do not declare it).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const C_VALID = C_COL + COLUMNS.length;
if (CFG + 4 * (C_VALID + COLUMNS.length) > 65536)
  throw new Error('WebAssembly line kernel: too many columns for its configuration block');

export { RUN_BAIL as WASM_BAIL, RUN_FULL as WASM_FULL } from './kernelLayout.js';

const MAX_SLOTS = 64;
const SLOT_NAME_BYTES = 128;
const MAX_TEMPLATE = 64;
const MAX_COUNTS = 1024;
const DICT_SLOTS = 1 << 14;
const DICT_STORE = 1 << 18;
/** dictionaries the kernel looks up (its D_* order) */
const DICTS: readonly (DictColumn | null)[] = ['comm', 'dev', null, 'reason', 'location'];

interface Exports {
  run(pos: number, end: number, row: number, lines: number, cap: number, format: number): number;
}

/** The kernel's code for a format (../../wasm/lines.ts FORMAT_*), or -1 when it has no parser for it. */
function kernelFormat(format: TraceFormat): number {
  switch (format) {
    case 'perf-script':
      return FORMAT_PERF;
    case 'ftrace':
    case 'trace-cmd':
      return FORMAT_FTRACE;
    case 'bpftrace':
      return FORMAT_BPFTRACE;
    default:
      return -1;
  }
}

let compiled: object | null | undefined;

/**
 * The compiled kernel next to this module (dist/lines.wasm), or, running from the TypeScript sources (the tests),
 * the built one in ../../dist; null when it is not built (the string parser then parses every line).
 */
function kernelModule(): object | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  for (const rel of ['../lines.wasm', '../../dist/lines.wasm']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) {
      compiled = new Wasm.Module(readFileSync(url));
      break;
    }
  }
  return compiled;
}

/**
 * The kernel parses `format` here: it is built, has a parser for the format, and TXREPLAY_INGEST_WASM=0 does not
 * turn it off (A/B runs, and a way out should it ever misbehave).
 */
export function wasmKernelEnabled(format: TraceFormat): boolean {
  return process.env.TXREPLAY_INGEST_WASM !== '0' && kernelFormat(format) >= 0 && kernelModule() !== null;
}

/**
 * One thread's kernel instance: its memory (never grown, so views into it stay valid), the input region, an arena
 * for RowColumns, the event names and templates registered by learn(), and the per-event counts.
 */
export class WasmLineKernel {
  readonly memory: WasmMemory;
  /** the input region: read the bytes to parse here */
  readonly input: Uint8Array;
  readonly arena: ColumnArena;
  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly exports: Exports;
  private cols: RowColumns | null = null;
  private nextFree: number;
  private readonly end: number;
  private readonly decoder = new TextDecoder('utf-8');
  /** ../wasm/lines.ts FORMAT_* */
  private readonly format: number;

  constructor(format: TraceFormat, capacity: number, inputBytes: number) {
    const module = kernelModule();
    if (module === null) throw new Error('the WebAssembly line kernel is not built (dist/lines.wasm)');
    this.format = kernelFormat(format);
    if (this.format < 0) throw new Error(`the WebAssembly line kernel has no parser for ${format}`);
    // layout: [0, 64 KiB) configuration; slots and templates; counts; dictionaries; input; columns
    const columnBytes = columnArenaBytes(capacity);
    const fixed =
      65536 +
      MAX_SLOTS * (32 + SLOT_NAME_BYTES + MAX_TEMPLATE * 8 + MAX_TEMPLATE * 64) +
      MAX_COUNTS * 4 +
      12 * capacity +
      DICTS.length * (DICT_SLOTS * 16 + DICT_STORE);
    const total = fixed + inputBytes + columnBytes + 65536;
    this.memory = new Wasm.Memory({ initial: Math.ceil(total / 65536) });
    this.end = this.memory.buffer.byteLength;
    this.u8 = new Uint8Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.nextFree = 65536;
    const instance = new Wasm.Instance(module, {
      env: { memory: this.memory, intern: (d: number, ptr: number, len: number) => this.intern(d, ptr, len) },
    });
    this.exports = instance.exports as unknown as Exports;
    this.setCfg(C_SLOTS, this.alloc(MAX_SLOTS * 32));
    this.setCfg(C_NSLOTS, 0);
    this.setCfg(C_COUNTS, this.alloc(MAX_COUNTS * 4));
    this.setCfg(C_NCOUNTS, MAX_COUNTS);
    DICTS.forEach((_, d) => {
      const base = C_DICT + 6 * d;
      this.setCfg(base, this.alloc(DICT_SLOTS * 16));
      this.setCfg(base + 1, DICT_SLOTS - 1);
      this.setCfg(base + 2, this.alloc(DICT_STORE));
      this.setCfg(base + 3, DICT_STORE);
      this.setCfg(base + 4, 0);
      this.setCfg(base + 5, 0);
    });
    this.setCfg(C_RAW, this.alloc(12 * capacity));
    const inputAt = this.alloc(inputBytes);
    this.input = new Uint8Array(this.memory.buffer, inputAt, inputBytes);
    this.arena = (bytes: number) => ({ buffer: this.memory.buffer, byteOffset: this.alloc(bytes) });
  }

  private setCfg(i: number, v: number): void {
    this.i32[(CFG >> 2) + i] = v;
  }
  private cfg(i: number): number {
    return this.i32[(CFG >> 2) + i]!;
  }

  /** 8-byte aligned bytes of the memory (never grown: views into it must stay valid). */
  private alloc(bytes: number): number {
    const at = this.nextFree;
    this.nextFree = (at + bytes + 7) & ~7;
    if (this.nextFree > this.end) throw new Error('WebAssembly line kernel: memory layout too small');
    return at;
  }

  /** Tell the kernel where the columns are (RowColumns built with `arena`) and whose dictionaries to use. */
  attach(cols: RowColumns, sourceIdx: number): void {
    this.cols = cols;
    COLUMNS.forEach((name, c) => {
      const a = name === 'raw' ? null : cols.values[name];
      if (a !== null && a.buffer !== this.memory.buffer)
        throw new Error('WebAssembly line kernel: columns are not in its memory');
      this.setCfg(C_COL + c, a === null ? 0 : a.byteOffset);
    });
    cols.validList.forEach((v, c) => this.setCfg(C_VALID + c, v.byteOffset));
    this.setCfg(C_SOURCE, sourceIdx);
  }

  /** The kernel met a string of dictionary d it has not seen: this thread's dictionary index for it. */
  private intern(d: number, ptr: number, len: number): number {
    const name = DICTS[d];
    if (name === null || name === undefined || this.cols === null)
      throw new Error(`WebAssembly line kernel: no dictionary ${d}`);
    return this.cols.dicts[name].intern(this.decoder.decode(this.u8.subarray(ptr, ptr + len)));
  }

  /**
   * Register the printed event name `name` (its event dictionary index and event id) with the field template of
   * its first line the reference accepted (./template.ts): later lines of that name that match it are the kernel's.
   * False when the kernel has no room for it (its lines then stay with the reference).
   */
  learn(name: Uint8Array, dictIdx: number, evId: number, tpl: readonly TemplateToken[]): boolean {
    const n = this.cfg(C_NSLOTS);
    if (n >= MAX_SLOTS || name.length > SLOT_NAME_BYTES || tpl.length > MAX_TEMPLATE) return false;
    const p = this.cfg(C_SLOTS) + 32 * n;
    const at = this.alloc(name.length);
    this.u8.set(name, at);
    const table = this.alloc(8 * Math.max(1, tpl.length));
    tpl.forEach((t, k) => {
      const lit = this.alloc(t.bytes.length);
      this.u8.set(t.bytes, lit);
      const en = table + 8 * k;
      this.u8[en] = t.kind;
      this.u8[en + 1] = t.key;
      this.u8[en + 2] = t.bytes.length & 0xff;
      this.u8[en + 3] = t.bytes.length >> 8;
      this.i32[(en + 4) >> 2] = lit;
    });
    const q = p >> 2;
    this.i32[q] = at;
    this.i32[q + 1] = name.length;
    this.i32[q + 2] = dictIdx;
    this.i32[q + 3] = evId;
    this.i32[q + 4] = table;
    this.i32[q + 5] = tpl.length;
    this.setCfg(C_NSLOTS, n + 1);
    return true;
  }

  /** ../wasm/lines.ts run(): parse lines of input[pos, end) into rows from `row`. */
  run(pos: number, end: number, row: number, lines: number): number {
    const cols = this.cols!;
    return this.exports.run(
      this.input.byteOffset + pos,
      this.input.byteOffset + end,
      row,
      lines,
      cols.capacity,
      this.format,
    );
  }

  /** run() outputs: the next line start (input-relative), rows so far, rows added, the bailed line's end, comments */
  get outPos(): number {
    return this.cfg(C_OUT) - this.input.byteOffset;
  }
  get outRow(): number {
    return this.cfg(C_OUT + 1);
  }
  get outEvents(): number {
    return this.cfg(C_OUT + 2);
  }
  get outLineEnd(): number {
    return this.cfg(C_OUT + 3) - this.input.byteOffset;
  }
  get outComments(): number {
    return this.cfg(C_OUT + 4);
  }

  /** The `raw` text of the rows of events not modelled that the last run() made (decoded here: a JS string). */
  fillRaw(cols: RowColumns): void {
    const n = this.cfg(C_OUT + 5);
    const base = this.cfg(C_RAW) >> 2;
    for (let k = 0; k < n; k++) {
      const row = this.i32[base + 3 * k]!;
      cols.raw[row] = this.decoder.decode(this.u8.subarray(this.i32[base + 3 * k + 1]!, this.i32[base + 3 * k + 2]!));
      cols.valid.raw[row] = 1;
    }
  }

  /** Add the kernel's per-event counts into `into` (by event dictionary index) and clear them. */
  foldCounts(into: number[], nEvents: number): void {
    const base = this.cfg(C_COUNTS) >> 2;
    const n = Math.min(nEvents, MAX_COUNTS);
    for (let d = 0; d < n; d++) {
      const k = this.i32[base + d]!;
      if (k !== 0) {
        into[d] = (into[d] ?? 0) + k;
        this.i32[base + d] = 0;
      }
    }
  }
}
