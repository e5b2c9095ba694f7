/**
 * Byte-level fast path of the line parsers (./formats.ts) and the field parser (./fields.ts) for the common
 * shapes: perf script, ftrace/trace-cmd with a `[CPU]` column, and bpftrace printf lines. A line is read
 * straight from the chunk bytes; numbers, pointers and timestamps are parsed without creating strings, and
 * string columns go through ByteDict (a repeated comm/dev/location allocates nothing).
 *
 * Exactness: the fast path accepts a line only when it yields exactly what the string parser would. Anything
 * unusual — `#` headers (kernel release), latency format, `CPU…`/`cpus=` records, JSON, a field that does not
 * parse, a missing required field — returns FALLBACK and the caller runs the string parser on that line,
 * which produces the row or the error message. Dictionary strings are interned in the same order as the string
 * parser interns them (comm after the event name check, event before the fields), so the dictionaries are
 * identical too.
 */
import { ByteDict, bPtr, bSecsDotFrac, bU64Dec, bUDec, decodeSlice } from './bytes.js';
import { StringDictionary, type RowColumns } from '../table/rows.js';
import { canonicalEvent, eventId, REQUIRED, WANTED, WORD_KEY_LIST } from './fields.js';
import { EV_DQL_STALL_DETECTED, TK_EQ, TK_WORD, TK_WORDKEY } from './fieldKeys.js';
import {
  F_DEV,
  F_DRIVER,
  F_JIFFIES,
  F_LEN,
  F_NAPI,
  F_PACKETS,
  F_QUEUE,
  F_RC,
  F_SKBADDR,
  F_STALL_LEN,
  F_TXQ_STATE,
  K_BUDGET,
  K_DEV,
  K_DRIVER,
  K_HANDLE,
  K_IFINDEX,
  K_JIFFIES,
  K_LEN,
  K_LOCATION,
  K_NAPI,
  K_NET_COOKIE,
  K_NONE,
  K_PACKETS,
  K_PARENT,
  K_QUEUE,
  K_RC,
  K_REASON,
  K_SKBADDR,
  K_TXQ_STATE,
  K_WORK,
} from '../table/catalogueIds.js';
import { keyIdOf, textKeys } from '../table/catalogue.js';
import { LineKind } from './formats.js';
import { Ptr, storePtr } from './scan.js';
import type { TraceFormat } from '../table/schema.js';

/** The fast path cannot decide this line: run the string parser. */
export const FALLBACK = -1;

function ascii(k: string): Uint8Array {
  return Uint8Array.from(k, (c) => c.charCodeAt(0));
}

function sameBytes(buf: Uint8Array, a: number, k: Uint8Array): boolean {
  for (let i = 0; i < k.length; i++) if (buf[a + i] !== k[i]) return false;
  return true;
}

/**
 * Byte strings by length and first byte (at most a few per slot), so that most tokens (vlan_*, gso_*, `dequeue`,
 * `on`) are rejected by one array load.
 */
class ByteKeyTable {
  private static readonly MAX_LEN = 31;
  /** by length * 128 + first byte (a dense array: a sparse one would be a hash table) */
  private readonly slots: ([Uint8Array, number][] | null)[] = new Array<[Uint8Array, number][] | null>(32 * 128).fill(
    null,
  );
  add(key: string, id: number): void {
    const k = ascii(key);
    if (k.length === 0 || k.length > ByteKeyTable.MAX_LEN)
      throw new Error(`fast.ts: key '${key}' is longer than ${ByteKeyTable.MAX_LEN}`);
    (this.slots[k.length * 128 + (k[0]! & 127)] ??= []).push([k, id]);
  }
  /** the id of buf[a, b), or K_NONE */
  get(buf: Uint8Array, a: number, b: number): number {
    const n = b - a;
    if (n > ByteKeyTable.MAX_LEN || n <= 0) return K_NONE;
    const cands = this.slots[n * 128 + (buf[a]! & 127)]!;
    if (cands === null) return K_NONE;
    for (let j = 0; j < cands.length; j++) if (sameBytes(buf, a, cands[j]![0])) return cands[j]![1];
    return K_NONE;
  }
}

/** The catalogue's text keys (fields.ts KEYS) with the key id of the column each feeds (synonyms share one). */
const KEY_IDS = new ByteKeyTable();
for (const [key, col] of textKeys()) KEY_IDS.add(key, keyIdOf(col));
function keyId(buf: Uint8Array, a: number, b: number): number {
  return KEY_IDS.get(buf, a, b);
}
/** fields.ts WORD_KEY_LIST (`reason:` with its colon) */
const WORD_KEYS = new ByteKeyTable();
for (const k of WORD_KEY_LIST) WORD_KEYS.add(k, 1);
function isWordKey(buf: Uint8Array, a: number, b: number): boolean {
  return WORD_KEYS.get(buf, a, b) !== K_NONE;
}

const CPU = ascii('CPU');
const CPUS_EQ = ascii('cpus=');
const VERSION_EQ = ascii('version = ');
function startsWithBytes(buf: Uint8Array, i: number, e: number, k: Uint8Array): boolean {
  return e - i >= k.length && sameBytes(buf, i, k);
}

function isSp(c: number): boolean {
  return c === 32 || c === 9;
}
function isDig(c: number): boolean {
  return c >= 48 && c <= 57;
}
function skipSp(buf: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = buf[i]!;
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}
/** skipSp for the column padding of perf/ftrace output: four spaces per load while they last. */
function skipPad(dv: DataView<ArrayBufferLike>, buf: Uint8Array, i: number, e: number): number {
  while (i + 4 <= e && dv.getInt32(i, true) === 0x20202020) i += 4;
  return skipSp(buf, i, e);
}
function tokEnd(buf: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = buf[i]!;
    if (c === 32 || c === 9) break;
    i++;
  }
  return i;
}
/** formats.ts timestampColon over bytes. */
function tsColon(buf: Uint8Array, i: number, e: number): number {
  let j = i;
  let sawDigit = false;
  let sawDot = false;
  while (j < e) {
    const c = buf[j]!;
    if (c >= 48 && c <= 57) sawDigit = true;
    else if (c === 46 && !sawDot) sawDot = true;
    else break;
    j++;
  }
  if (!sawDigit || !sawDot || j >= e || buf[j] !== 58) return -1;
  return j;
}
/**
 * tsColon + bSecsDotFrac in one pass (perf lines): `secs.frac:` with 1..9 fraction digits into exact ns halves;
 * the index of the ':' or -1 (the caller falls back to the string parser, which then fails the same way).
 */
function secsDotFracColon(buf: Uint8Array, i: number, e: number, out32: Uint32Array, r: number): number {
  let j = i;
  let secs = 0;
  let c = 0;
  while (j < e) {
    c = buf[j]!;
    if (c < 48 || c > 57) break;
    secs = secs * 10 + (c - 48);
    j++;
  }
  if (j === i || j >= e || c !== 46) return -1;
  const fa = ++j;
  let frac = 0;
  while (j < e) {
    c = buf[j]!;
    if (c < 48 || c > 57) break;
    frac = frac * 10 + (c - 48);
    j++;
  }
  const fd = j - fa;
  if (fd < 1 || fd > 9 || j >= e || c !== 58) return -1;
  for (let k = fd; k < 9; k++) frac *= 10;
  const ns = secs * 1e9 + frac;
  if (ns <= Number.MAX_SAFE_INTEGER) {
    {
      // exact below 2^53; `%` on doubles is a slow fmod call
      const hi = Math.floor(ns * 2.3283064365386963e-10); // exact: 2^-32
      out32[2 * r] = ns - hi * 4294967296;
      out32[2 * r + 1] = hi;
    }
  } else {
    const v = BigInt(secs) * 1_000_000_000n + BigInt(frac);
    out32[2 * r] = Number(v & 0xffffffffn);
    out32[2 * r + 1] = Number(v >> 32n);
  }
  return j;
}

/** formats.ts eventColon over bytes. */
function evColon(buf: Uint8Array, i: number, e: number): number {
  for (let j = i; j < e; j++) {
    const c = buf[j]!;
    if (c === 58 && (j + 1 === e || isSp(buf[j + 1]!))) return j;
    if (c === 32 || c === 9) return -1;
  }
  return -1;
}

/** Fast line parser: LineKind, or FALLBACK. */
export type FastLineParser = (buf: Uint8Array, a: number, e: number, r: number) => number;

/** Per-output-columns fast parser state: byte caches in front of the column dictionaries. */
export class FastParser {
  private readonly comm: ByteDict;
  private readonly dev: ByteDict;
  private readonly driver: ByteDict;
  private readonly reason: ByteDict;
  private readonly location: ByteDict;
  /** printed event name → slot; slot → canonical dictionary index and event id */
  private readonly printed = new StringDictionary();
  /** by name length: slots of the printed names of that length, and each slot's bytes */
  private readonly slotsByLen: number[][] = [];
  private readonly slotBytes: Uint8Array[] = [];
  /** each slot's bytes as little-endian int32 words (the tail of fewer than 4 bytes is compared bytewise) */
  private readonly slotWords: Int32Array[] = [];
  private readonly evDictIdx: number[] = [];
  private readonly evIds: number[] = [];
  /** per slot: the field tokens of the first line with that event name (./fast.ts learnTemplate) */
  private readonly templates: (readonly TplEntry[])[] = [];
  /** slots with an event dictionary index and a template, in the order they got them (./wasmLines.ts) */
  readonly readySlots: number[] = [];

  /** A ready slot: its printed name's bytes, event dictionary index, event id and template. */
  slotInfo(slot: number): { name: Uint8Array; dictIdx: number; evId: number; tpl: readonly TemplateToken[] } {
    return {
      name: this.slotBytes[slot]!,
      dictIdx: this.evDictIdx[slot]!,
      evId: this.evIds[slot]!,
      tpl: this.templates[slot]!,
    };
  }
  private bracketEnd = 0;
  /** a DataView over the buffer being parsed (four-byte key compares) */
  private dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private dvBuf: Uint8Array | null = null;
  readonly parseLine: FastLineParser;

  constructor(
    private readonly cols: RowColumns,
    format: TraceFormat,
  ) {
    this.comm = new ByteDict(cols.dicts.comm);
    this.dev = new ByteDict(cols.dicts.dev);
    this.driver = new ByteDict(cols.dicts.driver);
    this.reason = new ByteDict(cols.dicts.reason);
    this.location = new ByteDict(cols.dicts.location);
    switch (format) {
      case 'perf-script':
        this.parseLine = (buf, a, e, r) => this.perf(this.bind(buf), a, e, r);
        break;
      case 'ftrace':
      case 'trace-cmd':
        this.parseLine = (buf, a, e, r) => this.ftrace(this.bind(buf), a, e, r);
        break;
      case 'bpftrace':
        this.parseLine = (buf, a, e, r) => this.bpftrace(this.bind(buf), a, e, r);
        break;
      default:
        this.parseLine = () => FALLBACK;
    }
  }

  private bind(buf: Uint8Array): Uint8Array {
    if (buf !== this.dvBuf) {
      this.dvBuf = buf;
      this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return buf;
  }

  /** formats.ts findCpuBracket over bytes: index of '[' of ` [digits]`, ']' in bracketEnd; -1 if none. */
  private cpuBracket(buf: Uint8Array, a: number, from: number, e: number): number {
    const dv = this.dv;
    let k = from;
    for (;;) {
      // four bytes per step while no '[' is among them (SWAR zero-byte test on word ^ '[[[['); the bracket is a
      // few words away, a native indexOf call costs more than it saves
      let lb = k;
      while (lb + 4 <= e) {
        const x = dv.getInt32(lb, true) ^ 0x5b5b5b5b;
        if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
        lb += 4;
      }
      while (lb < e && buf[lb] !== 91) lb++;
      if (lb >= e) return -1;
      let j = lb + 1;
      while (j < e && isDig(buf[j]!)) j++;
      if (j > lb + 1 && j < e && buf[j] === 93 && lb > a && isSp(buf[lb - 1]!)) {
        this.bracketEnd = j;
        return lb;
      }
      k = lb + 1;
    }
  }

  /**
   * Slot of the printed event name buf[a, b): few names exist, so a list per length compared from the end
   * (where `qdisc_enqueue`/`qdisc_dequeue`, `net_dev_xmit`/`…_timeout` differ) beats hashing.
   */
  private eventSlot(buf: Uint8Array, a: number, b: number): number {
    const n = b - a;
    const list = this.slotsByLen[n];
    if (list !== undefined) {
      for (let k = 0; k < list.length; k++) {
        const slot = list[k]!;
        const bytes = this.slotBytes[slot]!;
        let i = n - 1;
        while (i >= 0 && bytes[i] === buf[a + i]) i--;
        if (i < 0) return slot;
      }
    }
    const slot = this.printed.intern(decodeSlice(buf, a, b));
    const bytes = buf.slice(a, b);
    this.slotBytes[slot] = bytes;
    this.slotWords[slot] = Int32Array.from({ length: bytes.length >> 2 }, (_, w) =>
      new DataView(bytes.buffer, bytes.byteOffset).getInt32(4 * w, true),
    );
    (this.slotsByLen[n] ??= []).push(slot);
    return slot;
  }

  /** formats.ts finishEvent: event name, then the fields. */
  private finish(buf: Uint8Array, r: number, evA: number, evB: number, fieldsA: number, e: number): number {
    return this.finishSlot(buf, r, this.eventSlot(buf, evA, evB), fieldsA, e);
  }

  /**
   * A known printed event name at evA, ended by ':' and a space (or the line end) — what evColon would find,
   * since a known name holds no space and no ':' before a space: its slot (end in evEnd), or -1.
   */
  private knownEvent(buf: Uint8Array, evA: number, e: number): number {
    const slots = this.slotBytes;
    const dv = this.dv;
    for (let s = 0; s < slots.length; s++) {
      const bytes = slots[s]!;
      const n = bytes.length;
      const ec = evA + n;
      if (ec >= e || buf[ec] !== 58) continue;
      if (ec + 1 < e && buf[ec + 1] !== 32 && buf[ec + 1] !== 9) continue;
      // four bytes per compare, then the tail
      const words = this.slotWords[s]!;
      let w = 0;
      while (w < words.length && dv.getInt32(evA + 4 * w, true) === words[w]) w++;
      if (w < words.length) continue;
      let k = 4 * w;
      while (k < n && bytes[k] === buf[evA + k]) k++;
      if (k === n) {
        this.evEnd = ec;
        return s;
      }
    }
    return -1;
  }

  private evEnd = 0;
  /** perf: where the previous line's event name ended, relative to its timestamp's ':' */
  private evColumn = 0;

  /**
   * knownEvent for one candidate end: the slot of the known name of that length that buf[evA, ec) is, when
   * buf[ec] is its ':' followed by a space or the line end; else -1.
   */
  private eventEndingAt(buf: Uint8Array, evA: number, ec: number, e: number): number {
    if (ec <= evA || ec >= e || buf[ec] !== 58) return -1;
    if (ec + 1 < e && buf[ec + 1] !== 32 && buf[ec + 1] !== 9) return -1;
    const list = this.slotsByLen[ec - evA];
    if (list === undefined) return -1;
    const dv = this.dv;
    for (let k = 0; k < list.length; k++) {
      const s = list[k]!;
      const words = this.slotWords[s]!;
      let w = 0;
      while (w < words.length && dv.getInt32(evA + 4 * w, true) === words[w]) w++;
      if (w < words.length) continue;
      const bytes = this.slotBytes[s]!;
      let j = 4 * w;
      while (j < bytes.length && bytes[j] === buf[evA + j]) j++;
      if (j === bytes.length) {
        this.evEnd = ec;
        return s;
      }
    }
    return -1;
  }

  private finishSlot(buf: Uint8Array, r: number, slot: number, fieldsA: number, e: number): number {
    let dictIdx = this.evDictIdx[slot];
    if (dictIdx === undefined) {
      const name = canonicalEvent(this.printed.values[slot]!);
      dictIdx = this.cols.dicts.event.intern(name);
      this.evDictIdx[slot] = dictIdx;
      this.evIds[slot] = eventId(name);
    }
    const cols = this.cols;
    cols.values.event[r] = dictIdx;
    let tpl = this.templates[slot];
    if (tpl === undefined) {
      tpl = this.templates[slot] = learnTemplate(buf, fieldsA, e);
      this.readySlots.push(slot);
    }
    return this.fields(buf, r, this.evIds[slot]!, fieldsA, e, tpl);
  }

  /**
   * The previous perf line's bytes up to and including its cpu '[', and what they gave. Consecutive lines of one
   * task share them (comm, pid, padding): a few word compares then replace the bracket scan, the pid and the
   * comm lookup. Exact: identical bytes before the bracket give the identical bracket, pid and comm (the call
   * chain and `#` checks end inside them too); the cpu digits and ']' are still checked on the line itself.
   */
  private pfx = new Uint8Array(64);
  private pfxWords = new Int32Array(16);
  private pfxLen = 0;
  /** comm start, relative to the line start */
  private pfxCommAt = 0;
  private pfxPid = 0;
  /** comm dictionary index, -1 for an empty comm */
  private pfxComm = -1;

  private samePrefix(buf: Uint8Array, a: number, e: number): boolean {
    const n = this.pfxLen;
    if (n === 0 || a + n >= e) return false;
    const dv = this.dv;
    const words = this.pfxWords;
    const nw = n >> 2;
    for (let k = 0; k < nw; k++) if (dv.getInt32(a + 4 * k, true) !== words[k]) return false;
    const p = this.pfx;
    for (let k = nw * 4; k < n; k++) if (buf[a + k] !== p[k]) return false;
    return true;
  }

  private savePrefix(buf: Uint8Array, a: number, lb: number, commAt: number, pid: number, comm: number): void {
    const n = lb + 1 - a;
    if (n > this.pfx.length) {
      this.pfx = new Uint8Array(n * 2);
      this.pfxWords = new Int32Array((n * 2) >> 2);
    }
    this.pfx.set(buf.subarray(a, lb + 1));
    const dv = this.dv;
    for (let k = 0; k < n >> 2; k++) this.pfxWords[k] = dv.getInt32(a + 4 * k, true);
    this.pfxLen = n;
    this.pfxCommAt = commAt - a;
    this.pfxPid = pid;
    this.pfxComm = comm;
  }

  private perf(buf: Uint8Array, a: number, e: number, r: number): number {
    let i: number;
    let lb: number;
    let rb = -1;
    let pid = 0;
    let comm = -1;
    let ce = -1; // comm end when the comm is still to be looked up
    if (this.samePrefix(buf, a, e)) {
      lb = a + this.pfxLen - 1;
      let j = lb + 1;
      while (j < e && isDig(buf[j]!)) j++;
      if (j > lb + 1 && j < e && buf[j] === 93) {
        rb = j;
        i = a + this.pfxCommAt;
        pid = this.pfxPid;
        comm = this.pfxComm;
      }
    }
    if (rb < 0) {
      i = skipSp(buf, a, e);
      if (i === e) return LineKind.Comment;
      if (buf[i] === 35) return FALLBACK; // `#` header: the string parser reads the kernel release
      if (i > a) {
        // perf -g call-chain line (formats.ts isCallchainLine: an all-hex first token of >= 6 digits, more
        // follows); scanning while hex stops at the first byte of a comm instead of walking the whole token
        let k = i;
        for (; k < e; k++) {
          const c = buf[k]! | 0x20;
          if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) break;
        }
        if (k < e && k - i >= 6 && isSp(buf[k]!)) return LineKind.Comment;
      }
      lb = this.cpuBracket(buf, a, i, e);
      if (lb < 0) return FALLBACK;
      rb = this.bracketEnd;
      let pe = lb;
      while (pe > i && isSp(buf[pe - 1]!)) pe--;
      let ps = pe;
      while (ps > i && isDig(buf[ps - 1]!)) ps--;
      if (ps === pe) return FALLBACK;
      pid = bUDec(buf, ps, pe);
      if (ps > i && buf[ps - 1] === 45) {
        ps--;
        pid = -pid;
      }
      ce = ps;
      while (ce > i && isSp(buf[ce - 1]!)) ce--;
    }
    const dv = this.dv;
    const tsA = skipPad(dv, buf, rb + 1, e);
    const cols = this.cols;
    const tc = secsDotFracColon(buf, tsA, e, cols.halves.ts_ns, r);
    if (tc < 0) return FALLBACK;
    const evA = skipPad(dv, buf, tc + 1, e);
    // perf right-aligns event names in a fixed-width column: the name most likely ends where the previous
    // line's did, relative to the timestamp's colon
    let slot = this.eventEndingAt(buf, evA, tc + this.evColumn, e);
    if (slot < 0) slot = this.knownEvent(buf, evA, e);
    let ec = this.evEnd;
    if (slot < 0) {
      ec = evColon(buf, evA, e);
      if (ec < 0 || ec === evA) return FALLBACK;
      slot = this.eventSlot(buf, evA, ec);
    }
    this.evColumn = ec - tc;
    cols.values.pid[r] = pid;
    cols.valid.pid[r] = 1;
    cols.values.cpu[r] = bUDec(buf, lb! + 1, rb);
    cols.valid.cpu[r] = 1;
    if (ce >= 0) {
      // looked up here, after the timestamp and event checks, as the string parser interns it
      comm = ce > i! ? this.comm.get(buf, i!, ce) : -1;
      this.savePrefix(buf, a, lb!, i!, pid, comm);
    }
    if (comm >= 0) {
      cols.values.comm[r] = comm;
      cols.valid.comm[r] = 1;
    }
    return this.finishSlot(buf, r, slot, ec + 1, e);
  }

  private ftrace(buf: Uint8Array, a: number, e: number, r: number): number {
    const i = skipSp(buf, a, e);
    if (i === e) return LineKind.Comment;
    const c0 = buf[i]!;
    if (c0 === 35) return LineKind.Comment;
    // `CPU:N [LOST…]`, `CPU N is empty`, `cpus=N`, `version = …`: rare records, string parser
    if (
      startsWithBytes(buf, i, e, CPU) ||
      startsWithBytes(buf, i, e, CPUS_EQ) ||
      startsWithBytes(buf, i, e, VERSION_EQ)
    )
      return FALLBACK;
    const lb = this.cpuBracket(buf, a, i, e);
    if (lb < 0) return FALLBACK; // latency format or not an event line
    const rb = this.bracketEnd;
    let pe = lb;
    while (pe > i && isSp(buf[pe - 1]!)) pe--;
    if (pe > i && buf[pe - 1] === 41 /* ) */) {
      const lp = buf.lastIndexOf(40, pe - 1);
      if (lp > i) {
        pe = lp;
        while (pe > i && isSp(buf[pe - 1]!)) pe--;
      }
    }
    let ps = pe;
    while (ps > i && isDig(buf[ps - 1]!)) ps--;
    if (ps === pe || ps <= i || buf[ps - 1] !== 45) return FALLBACK;
    const cols = this.cols;
    cols.values.pid[r] = bUDec(buf, ps, pe);
    cols.valid.pid[r] = 1;
    let tsA = skipSp(buf, rb + 1, e);
    let tc = tsColon(buf, tsA, e);
    if (tc < 0) {
      const fe = tokEnd(buf, tsA, e);
      if (fe - tsA < 4 || fe - tsA > 5) return FALLBACK;
      tsA = skipSp(buf, fe, e);
      tc = tsColon(buf, tsA, e);
      if (tc < 0) return FALLBACK;
    }
    // comm is interned before the timestamp is checked, as the string parser does
    if (ps - 1 > i) {
      cols.values.comm[r] = this.comm.get(buf, i, ps - 1);
      cols.valid.comm[r] = 1;
    }
    cols.values.cpu[r] = bUDec(buf, lb + 1, rb);
    cols.valid.cpu[r] = 1;
    if (!bSecsDotFrac(buf, tsA, tc, cols.halves.ts_ns, r)) return FALLBACK;
    const evA = skipSp(buf, tc + 1, e);
    const ec = evColon(buf, evA, e);
    if (ec < 0 || ec === evA) return FALLBACK;
    return this.finish(buf, r, evA, ec, ec + 1, e);
  }

  private bpftrace(buf: Uint8Array, a: number, e: number, r: number): number {
    const i = skipSp(buf, a, e);
    if (i === e) return LineKind.Comment;
    const c0 = buf[i]!;
    if (c0 === 35) return LineKind.Comment;
    if (!isDig(c0)) return FALLBACK; // `Attaching…`, `Lost N events`, or an error: string parser
    const cols = this.cols;
    const tsE = tokEnd(buf, i, e);
    if (!bU64Dec(buf, i, tsE, cols.halves.ts_ns, r)) return FALLBACK;
    const cpuA = skipSp(buf, tsE, e);
    const cpuE = tokEnd(buf, cpuA, e);
    const cpu = bUDec(buf, cpuA, cpuE);
    if (cpu !== cpu) return FALLBACK;
    const pidA = skipSp(buf, cpuE, e);
    const pidE = tokEnd(buf, pidA, e);
    const pid = bUDec(buf, pidA, pidE);
    if (pid !== pid) return FALLBACK;
    cols.values.cpu[r] = cpu;
    cols.valid.cpu[r] = 1;
    cols.values.pid[r] = pid;
    cols.valid.pid[r] = 1;
    const commA = skipSp(buf, pidE, e);
    let k = commA;
    while (k < e) {
      const te = tokEnd(buf, k, e);
      if (k > commA && isSysEventToken(buf, k, te)) {
        const next = skipSp(buf, te, e);
        let eq = false;
        if (next < e) {
          const q = buf.indexOf(61, next);
          eq = q >= 0 && q < e;
        }
        if (next === e || eq) {
          let ce = k;
          while (ce > commA && isSp(buf[ce - 1]!)) ce--;
          cols.values.comm[r] = this.comm.get(buf, commA, ce);
          cols.valid.comm[r] = 1;
          return this.finish(buf, r, k, te, te, e);
        }
      }
      k = skipSp(buf, te, e);
    }
    return FALLBACK;
  }

  /** generalToken results: where the value starts and may end, and where the scan goes on after a skipped token */
  private tokValue = 0;
  private tokLimit = 0;
  private tokNext = 0;

  /**
   * The key of the token at i by the general rules (kept out of `fields` so that its hot helpers stay small
   * enough to be inlined): a `key=` form keyEq knows, else the key part up to the first '=' (or the end of a
   * bare word; a word key's value is the next token). K_NONE: skip the token, go on at tokNext.
   */
  private generalToken(buf: Uint8Array, i: number, b: number): number {
    const kq = keyEq(this.dv, buf, i, b);
    if (kq >> 5 !== K_NONE) {
      this.tokValue = i + (kq & 31);
      this.tokLimit = b;
      return kq >> 5;
    }
    const ta = i;
    let c = 0;
    while (i < b) {
      c = buf[i]!;
      if (c === 61 || c === 32 || c === 9) break;
      i++;
    }
    let ka: number, kb: number;
    if (i < b && c === 61) {
      ka = ta;
      kb = i;
      this.tokValue = ++i;
      while (i < b) {
        c = buf[i]!;
        if (c === 32 || c === 9) break;
        i++;
      }
      this.tokLimit = i;
    } else {
      const te = i;
      this.tokNext = te;
      if (!isWordKey(buf, ta, te)) return K_NONE;
      while (i < b && isSp(buf[i]!)) i++;
      if (i >= b) {
        this.tokNext = b; // a word key without a value ends the fields
        return K_NONE;
      }
      this.tokValue = i;
      while (i < b && !isSp(buf[i]!)) i++;
      this.tokLimit = i;
      ka = ta;
      kb = buf[te - 1] === 58 ? te - 1 : te;
    }
    this.tokNext = i;
    return keyId(buf, ka, kb);
  }

  /**
   * fields.ts parseFields over bytes; FALLBACK on any error (the string parser words the message). Values are
   * parsed in the same pass that finds their end (a space, a tab or the end of the fields).
   */
  private fields(buf: Uint8Array, r: number, ev: number, a: number, b: number, tpl: readonly TplEntry[]): number {
    const cols = this.cols;
    while (b > a && isSp(buf[b - 1]!)) b--;
    while (a < b && isSp(buf[a]!)) a++;
    const valid = cols.valid;
    if (ev < 0 || ev === EV_DQL_STALL_DETECTED) {
      cols.raw[r] = decodeSlice(buf, a, b);
      valid.raw[r] = 1;
      if (ev < 0) return LineKind.Event;
    }
    const wanted = WANTED[ev] ?? -1;
    let seen = 0;
    let ptrSeen = false;
    let hashed = false;
    let i = a;
    const dv = this.dv;
    let t = 0;
    while (i < b) {
      let c = buf[i]!;
      while (c === 32 || c === 9) {
        if (++i >= b) break;
        c = buf[i]!;
      }
      if (i >= b) break;
      // value [va, lim): lim is the end of the fields for `key=` tokens (the value parsers stop at a space)
      let key = K_NONE;
      let va = 0;
      let lim = b;
      let known = false;
      if (t < tpl.length) {
        // the token this event's first line had here (TplEntry): a few word compares name it
        const en = tpl[t]!;
        if (matchEntry(dv, buf, i, b, en)) {
          t++;
          known = true;
          key = en.key;
          if (en.kind === TK_EQ) {
            va = i + en.len;
            if (key === K_NONE) {
              i = tokEnd(buf, va, b);
              continue;
            }
          } else {
            i += en.len;
            if (en.kind === TK_WORD) continue;
            while (i < b && isSp(buf[i]!)) i++;
            if (i >= b) break;
            va = i;
            lim = i = tokEnd(buf, i, b);
            if (key === K_NONE) continue;
          }
        } else t = tpl.length; // this line differs from the template: the general rules from here on
      }
      if (!known) {
        key = this.generalToken(buf, i, b);
        if (key === K_NONE) {
          i = this.tokNext;
          continue;
        }
        va = this.tokValue;
        lim = this.tokLimit;
      }
      switch (key) {
        case K_DEV: {
          const vb = tokEnd(buf, va, lim);
          // `for device  work 1` (empty name): fields.ts reads it
          if (vb - va === 4 && buf[va] === 119 && buf[va + 1] === 111 && buf[va + 2] === 114 && buf[va + 3] === 107)
            return FALLBACK;
          if (vb > va) {
            cols.values.dev[r] = this.dev.get(buf, va, vb);
            valid.dev[r] = 1;
            seen |= F_DEV;
          }
          i = vb;
          break;
        }
        case K_SKBADDR: {
          i = this.ptrValue(buf, va, lim, cols.halves.skbaddr, r);
          if (i < 0) return FALLBACK;
          const k = this.ptrKind;
          if (k !== Ptr.Unknown) valid.skbaddr[r] = 1;
          if (k === Ptr.Hashed || k === Ptr.Unknown) hashed = true;
          ptrSeen = true;
          seen |= F_SKBADDR;
          break;
        }
        case K_NAPI: {
          i = this.ptrValue(buf, va, lim, cols.halves.napi, r);
          if (i < 0) return FALLBACK;
          const k = this.ptrKind;
          if (k !== Ptr.Unknown) valid.napi[r] = 1;
          if (k === Ptr.Hashed || k === Ptr.Unknown) hashed = true;
          ptrSeen = true;
          seen |= F_NAPI;
          break;
        }
        // mirrored by wasm/lines.ts (AssemblyScript: the WASM kernel cannot import TS modules), keep both in step
        case K_LEN:
        case K_RC:
        case K_QUEUE:
        case K_IFINDEX:
        case K_PACKETS:
        case K_WORK:
        case K_BUDGET: {
          // one decValue call site for every decimal key, so that V8 inlines it here
          i = this.decValue(buf, va, lim, key !== K_LEN);
          if (i < 0) return FALLBACK;
          const v = this.num;
          if (key === K_LEN) {
            if (v > 0xffffffff) return FALLBACK;
            if (ev === EV_DQL_STALL_DETECTED) {
              cols.values.stall_len[r] = v;
              valid.stall_len[r] = 1;
              seen |= F_STALL_LEN;
            } else {
              cols.values.len[r] = v;
              valid.len[r] = 1;
              seen |= F_LEN;
            }
          } else if (key === K_RC) {
            cols.values.rc[r] = v;
            valid.rc[r] = 1;
            seen |= F_RC;
          } else if (key === K_QUEUE) {
            cols.values.queue[r] = v;
            valid.queue[r] = 1;
            seen |= F_QUEUE;
          } else if (key === K_IFINDEX) {
            cols.values.ifindex[r] = v;
            valid.ifindex[r] = 1;
          } else if (key === K_PACKETS) {
            cols.values.packets[r] = v;
            valid.packets[r] = 1;
            seen |= F_PACKETS;
          } else if (key === K_WORK) {
            cols.values.work[r] = v;
            valid.work[r] = 1;
          } else {
            cols.values.budget[r] = v;
            valid.budget[r] = 1;
          }
          break;
        }
        case K_HANDLE:
        case K_PARENT:
        case K_TXQ_STATE: {
          i = this.num32Value(buf, va, lim);
          if (i < 0) return FALLBACK;
          const v = this.num;
          if (key === K_HANDLE) {
            cols.values.handle[r] = v;
            valid.handle[r] = 1;
          } else if (key === K_PARENT) {
            cols.values.parent[r] = v;
            valid.parent[r] = 1;
          } else {
            cols.values.txq_state[r] = v;
            valid.txq_state[r] = 1;
            seen |= F_TXQ_STATE;
          }
          break;
        }
        case K_DRIVER: {
          const vb = tokEnd(buf, va, lim);
          cols.values.driver[r] = this.driver.get(buf, va, vb);
          valid.driver[r] = 1;
          seen |= F_DRIVER;
          i = vb;
          break;
        }
        case K_REASON: {
          const vb = tokEnd(buf, va, lim);
          if (vb > va) {
            cols.values.reason[r] = this.reason.get(buf, va, vb);
            valid.reason[r] = 1;
          }
          i = vb;
          break;
        }
        case K_LOCATION: {
          const vb = tokEnd(buf, va, lim);
          if (vb > va) {
            cols.values.location[r] = this.location.get(buf, va, vb);
            valid.location[r] = 1;
          }
          i = vb;
          break;
        }
        case K_NET_COOKIE: {
          const vb = tokEnd(buf, va, lim);
          if (!bU64Dec(buf, va, vb, cols.halves.net_cookie, r)) return FALLBACK;
          valid.net_cookie[r] = 1;
          i = vb;
          break;
        }
        case K_JIFFIES: {
          const vb = tokEnd(buf, va, lim);
          if (ev === EV_DQL_STALL_DETECTED) {
            if (!bU64Dec(buf, va, vb, cols.halves.jiffies, r)) return FALLBACK;
            valid.jiffies[r] = 1;
            seen |= F_JIFFIES;
          }
          i = vb;
          break;
        }
        default:
          i = tokEnd(buf, va, lim);
          break;
      }
      if ((seen & wanted) === wanted) break;
    }
    if (ptrSeen) {
      cols.values.ptr_hashed[r] = hashed ? 1 : 0;
      valid.ptr_hashed[r] = 1;
    }
    if (((REQUIRED[ev] ?? 0) & ~seen) !== 0) return FALLBACK; // missing field: the string parser words it
    return LineKind.Event;
  }

  /** value of the last decValue/num32Value call */
  private num = 0;
  /** kind of the last ptrValue call */
  private ptrKind: Ptr = Ptr.Invalid;

  /**
   * Decimal value from va up to a space/tab or lim (bytes.ts bDec / bUDec in the same pass that finds the end):
   * the end index, or -1 when the string parser would reject it. The value is in `num`.
   */
  private decValue(buf: Uint8Array, va: number, lim: number, signed: boolean): number {
    let j = va;
    const neg = signed && j < lim && buf[j] === 45;
    if (neg) j++;
    const d0 = j;
    let v = 0;
    for (; j < lim; j++) {
      const c = buf[j]!;
      if (c === 32 || c === 9) break;
      const d = c - 48;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    if (j === d0) return -1;
    this.num = neg ? -v : v;
    return j;
  }

  /** bytes.ts bNum32 (`0x…` hex up to 32 bits, or signed decimal) fused with finding the end; value in `num`. */
  private num32Value(buf: Uint8Array, va: number, lim: number): number {
    if (lim - va >= 2 && buf[va] === 48 && (buf[va + 1]! | 0x20) === 120) {
      let j = va + 2;
      let v = 0;
      for (; j < lim; j++) {
        const c = buf[j]!;
        if (c === 32 || c === 9) break;
        const h = HEX_VAL[c]!;
        if (h < 0) return -1;
        v = v * 16 + h;
      }
      // bHex32: leading zeros are allowed, more than 8 significant digits are not (v is exact below 2^53)
      if (j === va + 2 || v > 0xffffffff) return -1;
      this.num = v;
      return j;
    }
    return this.decValue(buf, va, lim, true);
  }

  /** ptrValue for a value in parentheses: `(nil)`, `(null)`, `(ptrval)` (rare; kept out of the inlined path). */
  private ptrParen(buf: Uint8Array, va: number, lim: number, out32: Uint32Array, r: number): number {
    // `(nil)` (a qdisc_dequeue that found no packet): one word compare
    if (
      va + 5 <= lim &&
      this.dv.getInt32(va, true) === P_NIL &&
      buf[va + 4] === 41 &&
      (va + 5 === lim || isSp(buf[va + 5]!))
    ) {
      out32[2 * r] = 0;
      out32[2 * r + 1] = 0;
      this.ptrKind = Ptr.Null;
      return va + 5;
    }
    const vb = tokEnd(buf, va, lim);
    const k = bPtr(buf, va, vb, out32, r);
    if (k === Ptr.Invalid) return -1;
    this.ptrKind = k;
    return vb;
  }

  /**
   * Pointer (bytes.ts bPtr) fused with finding the end: halves into out32[2r], out32[2r+1], the kind in
   * `ptrKind`; the end index or -1 (Ptr.Invalid). `(nil)`, `(ptrval)` etc. take the general bPtr.
   */
  private ptrValue(buf: Uint8Array, va: number, lim: number, out32: Uint32Array, r: number): number {
    let j = va;
    if (j < lim && buf[j] === 40) return this.ptrParen(buf, va, lim, out32, r);
    const prefixed = lim - j >= 2 && buf[j] === 48 && (buf[j + 1]! | 0x20) === 120;
    if (prefixed) j += 2;
    const d0 = j;
    let lo = 0;
    let hi = 0;
    for (; j < lim; j++) {
      const c = buf[j]!;
      if (c === 32 || c === 9) break;
      const h = HEX_VAL[c]!;
      if (h < 0) return -1;
      // shift the 64-bit value left by one digit: the top digit of `lo` moves into `hi`
      hi = hi * 16 + (lo >>> 28);
      lo = (((lo & 0x0fffffff) << 4) | h) >>> 0;
    }
    const digits = j - d0;
    if (digits <= 0 || digits > 16) return -1;
    this.ptrKind = storePtr(lo, hi, prefixed, digits, out32, r);
    return j;
  }
}

/** byte → hex digit value, -1 for non-hex bytes */
const HEX_VAL = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX_VAL[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VAL[97 + c] = 10 + c;
  HEX_VAL[65 + c] = 10 + c;
}

/**
 * `key id * 32 + key length` (with its '=') of the `key=` token at i; K_NONE when the token is not one of the
 * known `key=` forms (the caller then runs the general token rules). The first four bytes are read as one
 * little-endian int32 and switched on: one load and compare instead of scanning to the '=' and comparing again.
 */
function keyEq(dv: DataView<ArrayBufferLike>, buf: Uint8Array, i: number, b: number): number {
  if (i + 4 > b) {
    // `rc=` with a one-byte value at the end of the line
    if (i + 3 <= b && buf[i] === 114 && buf[i + 1] === 99 && buf[i + 2] === 61) {
      return K_RC * 32 + 3;
    }
    return K_NONE;
  }
  const w = dv.getInt32(i, true);
  if ((w & 0xffffff) === P_RC) {
    return K_RC * 32 + 3;
  }
  let k: Uint8Array;
  let id: number;
  switch (w) {
    case P_DEV:
      return K_DEV * 32 + 4;
    case P_LEN:
      return K_LEN * 32 + 4;
    case P_NOW:
      return K_JIFFIES * 32 + 4;
    case P_SKBA:
      (k = KE_SKBADDR), (id = K_SKBADDR);
      break;
    case P_NAPI:
      (k = KE_NAPI), (id = K_NAPI);
      break;
    case P_QUEU:
      if (restIs(buf, i, b, KE_QUEUE)) {
        return K_QUEUE * 32 + KE_QUEUE.length;
      }
      if (restIs(buf, i, b, KE_QUEUE_MAPPING)) {
        return K_QUEUE * 32 + KE_QUEUE_MAPPING.length;
      }
      (k = KE_QUEUE_INDEX), (id = K_QUEUE);
      break;
    case P_HAND:
      (k = KE_HANDLE), (id = K_HANDLE);
      break;
    case P_PARE:
      (k = KE_PARENT), (id = K_PARENT);
      break;
    case P_TXQ_:
      (k = KE_TXQ), (id = K_TXQ_STATE);
      break;
    case P_PACK:
      (k = KE_PACKETS), (id = K_PACKETS);
      break;
    case P_IFIN:
      (k = KE_IFINDEX), (id = K_IFINDEX);
      break;
    case P_LOCA:
      (k = KE_LOCATION), (id = K_LOCATION);
      break;
    case P_REAS:
      (k = KE_REASON), (id = K_REASON);
      break;
    case P_WORK:
      (k = KE_WORK), (id = K_WORK);
      break;
    case P_BUDG:
      (k = KE_BUDGET), (id = K_BUDGET);
      break;
    case P_DEVI:
      (k = KE_DEVICE), (id = K_DEV);
      break;
    case P_DRIV:
      (k = KE_DRIVER), (id = K_DRIVER);
      break;
    case P_STRU:
      (k = KE_STRUCT), (id = K_NAPI);
      break;
    default:
      return K_NONE;
  }
  if (!restIs(buf, i, b, k)) return K_NONE;
  return id * 32 + k.length;
}

/**
 * One field token of a template: its literal bytes (`key=` with the '=', or the bare word), their little-endian
 * int32 words, and what the general token rules made of it. A line whose token at this position has the same
 * literal (a bare word also followed by a space or the end) gets the same key from the general rules: the
 * literal holds no '=', space or tab before its end, so their scan stops exactly where the literal ends.
 */
/** A template token as ./wasmLines.ts copies it (TplEntry's public part). */
export interface TemplateToken {
  readonly kind: number;
  readonly key: number;
  readonly bytes: Uint8Array;
}

interface TplEntry {
  kind: number;
  key: number;
  len: number;
  bytes: Uint8Array;
  words: Int32Array;
}

function tplEntry(kind: number, key: number, bytes: Uint8Array): TplEntry {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = Int32Array.from({ length: bytes.length >> 2 }, (_, w) => dv.getInt32(4 * w, true));
  return { kind, key, len: bytes.length, bytes, words };
}

/** Template of the fields buf[a, b) (at most 64 tokens), tokenized by the general rules of FastParser.fields. */
function learnTemplate(buf: Uint8Array, a: number, b: number): TplEntry[] {
  while (b > a && isSp(buf[b - 1]!)) b--;
  const out: TplEntry[] = [];
  let i = a;
  while (i < b && out.length < 64) {
    i = skipSp(buf, i, b);
    if (i >= b) break;
    const ta = i;
    while (i < b && buf[i] !== 61 && !isSp(buf[i]!)) i++;
    if (i < b && buf[i] === 61) {
      out.push(tplEntry(TK_EQ, keyId(buf, ta, i), buf.slice(ta, i + 1)));
      i = tokEnd(buf, i + 1, b);
    } else if (isWordKey(buf, ta, i)) {
      const kb = buf[i - 1] === 58 ? i - 1 : i;
      out.push(tplEntry(TK_WORDKEY, keyId(buf, ta, kb), buf.slice(ta, i)));
      i = tokEnd(buf, skipSp(buf, i, b), b);
    } else out.push(tplEntry(TK_WORD, K_NONE, buf.slice(ta, i)));
  }
  return out;
}

/** The token at i (within the fields end b) is en's literal (a word also ends at a space, a tab or b). */
function matchEntry(dv: DataView<ArrayBufferLike>, buf: Uint8Array, i: number, b: number, en: TplEntry): boolean {
  const n = en.len;
  if (i + n > b) return false;
  const words = en.words;
  for (let k = 0; k < words.length; k++) if (dv.getInt32(i + 4 * k, true) !== words[k]) return false;
  const lit = en.bytes;
  for (let k = words.length * 4; k < n; k++) if (buf[i + k] !== lit[k]) return false;
  if (en.kind !== TK_EQ && i + n < b) {
    const c = buf[i + n]!;
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** buf[i, i + k.length) equals k (a key with its '='), within the fields end b. */
function restIs(buf: Uint8Array, i: number, b: number, k: Uint8Array): boolean {
  const n = k.length;
  if (i + n > b) return false;
  for (let j = 4; j < n; j++) if (buf[i + j] !== k[j]) return false;
  return true;
}

/** little-endian int32 of the first four ASCII bytes of s */
function le32(s: string): number {
  return s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24);
}
const P_RC = le32('rc=\0') & 0xffffff;
const P_DEV = le32('dev=');
const P_NIL = le32('(nil');
const P_LEN = le32('len=');
const P_NOW = le32('now=');
const P_SKBA = le32('skba');
const P_NAPI = le32('napi');
const P_QUEU = le32('queu');
const P_HAND = le32('hand');
const P_PARE = le32('pare');
const P_TXQ_ = le32('txq_');
const P_PACK = le32('pack');
const P_IFIN = le32('ifin');
const P_LOCA = le32('loca');
const P_REAS = le32('reas');
const P_WORK = le32('work');
const P_BUDG = le32('budg');
const P_DEVI = le32('devi');
const P_DRIV = le32('driv');
const P_STRU = le32('stru');
const KE_SKBADDR = ascii('skbaddr=');
const KE_NAPI = ascii('napi=');
const KE_QUEUE = ascii('queue=');
const KE_QUEUE_MAPPING = ascii('queue_mapping=');
const KE_QUEUE_INDEX = ascii('queue_index=');
const KE_HANDLE = ascii('handle=');
const KE_PARENT = ascii('parent=');
const KE_TXQ = ascii('txq_state=');
const KE_PACKETS = ascii('packets=');
const KE_IFINDEX = ascii('ifindex=');
const KE_LOCATION = ascii('location=');
const KE_REASON = ascii('reason=');
const KE_WORK = ascii('work=');
const KE_BUDGET = ascii('budget=');
const KE_DEVICE = ascii('device=');
const KE_DRIVER = ascii('driver=');
const KE_STRUCT = ascii('struct=');
// keyEq only speeds up the keys of the common tracepoints (any other key takes the general rules and keyId); what
// it knows must agree with the catalogue
for (const [key, col] of textKeys()) {
  const t = ascii(`${key}=1 `);
  const kq = keyEq(new DataView(t.buffer), t, 0, t.length);
  if (kq >> 5 !== K_NONE && (kq >> 5 !== keyIdOf(col) || (kq & 31) !== key.length + 1))
    throw new Error(`fast.ts keyEq misreads ${key}=`);
}

/** formats.ts isSysEventToken over bytes. */
function isSysEventToken(buf: Uint8Array, a: number, b: number): boolean {
  let colon = -1;
  for (let k = a; k < b; k++) {
    const c = buf[k]!;
    if (c === 58) {
      if (colon >= 0) return false;
      colon = k;
    } else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return false;
  }
  return colon > a && colon < b - 1;
}
