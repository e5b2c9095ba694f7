// AssemblyScript: the one fast path of the text line grammars (perf-script, ftrace/trace-cmd, bpftrace printf),
// compiled to WebAssembly (../src/parse/wasmLines.ts loads it; `pnpm build` compiles it with `asc`). The string
// parser (../src/parse/formats.ts, fields.ts) is the reference: this kernel accepts only lines it decides exactly as
// the reference would — an event line whose event name and field tokens match a slot and template that JavaScript
// learnt from the reference's parse of that event's first line, blank lines and perf call-chain frames — and hands
// every other line back ("bail") to the reference, which also words every error. test/wasm.test.ts and
// test/parallel.test.ts compare the tables, mutated lines included.
//
// Memory is imported and laid out by ../src/parse/wasmLines.ts (no allocation here, no static data); the addresses
// live in a configuration block at CFG. All multi-byte values are little-endian.

import {
  CFG, C_COL, C_COUNTS, C_DICT, C_NCOUNTS, C_NSLOTS, C_OUT, C_RAW, C_SLOTS, C_SOURCE, FORMAT_FTRACE, FORMAT_PERF, RUN_BAIL, RUN_DONE, RUN_FULL,
} from '../src/parse/kernelLayout';
import { TK_EQ, TK_WORD, EV_DQL_STALL_DETECTED, PID_MAX, CPU_MAX, QUEUE_MAX, I32_MIN, I32_MAX } from '../src/parse/fieldKeys';
// column, key and `seen` flag ids, generated from the catalogue (../src/table/catalogue.ts) by `pnpm build`
import {
  N_COLUMNS,
  COL_BUDGET, COL_DEV, COL_EVENT, COL_HANDLE, COL_IFINDEX, COL_LEN, COL_LINE, COL_LOCATION, COL_NAPI, COL_PACKETS,
  COL_PARENT, COL_PTR_HASHED, COL_QUEUE, COL_RC, COL_REASON, COL_SKBADDR, COL_SOURCE, COL_TXQ_STATE, COL_WORK,
  COL_TS_NS, COL_CPU, COL_PID, COL_COMM,
  F_DEV, F_LEN, F_NAPI, F_PACKETS, F_QUEUE, F_RC, F_SKBADDR, F_TXQ_STATE,
  K_BUDGET, K_DEV, K_HANDLE, K_IFINDEX, K_LEN, K_LOCATION, K_NAPI, K_NONE, K_PACKETS, K_PARENT, K_QUEUE,
  K_RC, K_REASON, K_SKBADDR, K_TXQ_STATE, K_WORK,
  REQUIRED_0, REQUIRED_1, REQUIRED_2, REQUIRED_3, REQUIRED_4, REQUIRED_5, REQUIRED_6, REQUIRED_7, REQUIRED_8, REQUIRED_9,
} from '../src/table/catalogueIds';

@external("env", "intern")
declare function intern(col: i32, ptr: i32, len: i32): i32;

// the configuration block (set by JavaScript) and the run() results: ../src/parse/kernelLayout.ts
const C_VALID = C_COL + N_COLUMNS; // validity base addresses

// dictionaries handled here (index into C_DICT) and the column each feeds
const D_COMM = 0;
const D_DEV = 1;
const D_REASON = 3;
const D_LOCATION = 4;

// line results (perfLine, ftraceLine, bpftraceLine): 0 hands the line to JavaScript
const ROW = 1;
const COMMENT = 2;

@inline function cfg(i: i32): i32 {
  return load<i32>(CFG + 4 * i);
}
@inline function out(i: i32, v: i32): void {
  store<i32>(CFG + 4 * (C_OUT + i), v);
}
@inline function isSp(c: i32): bool {
  return c == 32 || c == 9;
}
@inline function isDig(c: i32): bool {
  return <u32>(c - 48) <= 9;
}
@inline function hexVal(c: i32): i32 {
  if (<u32>(c - 48) <= 9) return c - 48;
  const l = c | 0x20;
  if (<u32>(l - 97) <= 5) return l - 87;
  return -1;
}

/** ../src/parse/fields.ts REQUIRED, by event id (tables are not static data here) */
export function required(ev: i32): i32 {
  switch (ev) {
    case 0: return REQUIRED_0;
    case 1: return REQUIRED_1;
    case 2: return REQUIRED_2;
    case 3: return REQUIRED_3;
    case 4: return REQUIRED_4;
    case 5: return REQUIRED_5;
    case 6: return REQUIRED_6;
    case 7: return REQUIRED_7;
    case 8: return REQUIRED_8;
    case 9: return REQUIRED_9;
    default: return 0;
  }
}
/** ../src/parse/fields.ts WANTED, by event id (-1: no early stop) */
export function wanted(ev: i32): i32 {
  switch (ev) {
    case 0: return F_DEV | F_SKBADDR | F_LEN;
    case 1: return F_DEV | F_QUEUE | F_SKBADDR | F_LEN;
    case 2: return F_DEV | F_SKBADDR | F_LEN | F_RC;
    default: return -1;
  }
}

/** Dictionary index of bytes [a, b) in dictionary d (asks JavaScript the first time), or -1 when full. */
function dictGet(d: i32, a: i32, b: i32): i32 {
  const base = CFG + 4 * (C_DICT + 6 * d);
  const table = load<i32>(base);
  const mask = load<i32>(base, 4);
  const store0 = load<i32>(base, 8);
  const len = b - a;
  let h: u32 = 0x811c9dc5 ^ <u32>len;
  for (let i = a; i < b; i++) h = (h ^ <u32>load<u8>(i)) * 0x01000193;
  let s = <i32>(h & <u32>mask);
  for (;;) {
    const e = table + 16 * s;
    const id1 = load<i32>(e, 12); // id + 1, 0 = empty
    if (id1 == 0) break;
    if (load<u32>(e) == h && load<i32>(e, 8) == len) {
      const o = store0 + load<i32>(e, 4);
      let k = 0;
      while (k < len && load<u8>(o + k) == load<u8>(a + k)) k++;
      if (k == len) return id1 - 1;
    }
    s = (s + 1) & mask;
  }
  const count = load<i32>(base, 20);
  const used = load<i32>(base, 16);
  if (count * 2 > mask || used + len > load<i32>(base, 12)) return -1;
  const id = intern(d, a, len);
  memory.copy(store0 + used, a, len);
  const e = table + 16 * s;
  store<u32>(e, h);
  store<i32>(e, used, 4);
  store<i32>(e, len, 8);
  store<i32>(e, id + 1, 12);
  store<i32>(base, used + len, 16);
  store<i32>(base, count + 1, 20);
  return id;
}

let evColumn: i32 = 0;

/** The registered slot whose name is [evA, ec) with ':' and a space (or the end) after it, else -1. */
function slotEndingAt(evA: i32, ec: i32, e: i32): i32 {
  if (ec <= evA || ec >= e || load<u8>(ec) != 58) return -1;
  if (ec + 1 < e && !isSp(load<u8>(ec + 1))) return -1;
  return slotNamed(evA, ec);
}

/** The registered slot whose printed name is exactly [a, b), else -1. */
function slotNamed(a: i32, b: i32): i32 {
  const n = b - a;
  const slots = cfg(C_SLOTS);
  const ns = cfg(C_NSLOTS);
  for (let s = 0; s < ns; s++) {
    const p = slots + 32 * s;
    if (load<i32>(p, 4) != n) continue;
    const name = load<i32>(p);
    let k = 0;
    while (k + 4 <= n && load<u32>(name + k) == load<u32>(a + k)) k += 4;
    while (k < n && load<u8>(name + k) == load<u8>(a + k)) k++;
    if (k == n) return s;
  }
  return -1;
}

/** The first ':' followed by a space or the end, before any space (../src/parse/formats.ts eventColon), else -1. */
function evColon(i: i32, e: i32): i32 {
  for (let j = i; j < e; j++) {
    const c = load<u8>(j);
    if (c == 58 && (j + 1 == e || isSp(load<u8>(j + 1)))) return j;
    if (isSp(c)) return -1;
  }
  return -1;
}

/** The first ` [digits]` from i: the '[' (its ']' in bracketEnd), else -1 (../src/parse/formats.ts findCpuBracket). */
let bracketEnd: i32 = 0;
function cpuBracket(a: i32, i: i32, e: i32): i32 {
  let lb = i;
  for (;;) {
    while (lb < e && load<u8>(lb) != 91) lb++;
    if (lb >= e) return -1;
    let j = lb + 1;
    while (j < e && isDig(load<u8>(j))) j++;
    if (j > lb + 1 && j < e && load<u8>(j) == 93 && lb > a && isSp(load<u8>(lb - 1))) {
      bracketEnd = j;
      return lb;
    }
    lb++;
  }
  return -1;
}

/** Decimal digits [a, b) (1..15 of them, checked by the caller) as i64. */
@inline function digits(a: i32, b: i32): i64 {
  let v: i64 = 0;
  for (let k = a; k < b; k++) v = v * 10 + <i64>(load<u8>(k) - 48);
  return v;
}

/** `secs.frac` in [a, b) (one '.', 1..9 digits each side, 1..9 fraction digits) as ns, or -1. */
function secsDotFrac(a: i32, b: i32): i64 {
  let dot = a;
  while (dot < b && load<u8>(dot) != 46) dot++;
  if (dot >= b || dot == a || dot - a > 9) return -1;
  for (let k = a; k < dot; k++) if (!isDig(load<u8>(k))) return -1;
  const fd = b - dot - 1;
  if (fd < 1 || fd > 9) return -1;
  for (let k = dot + 1; k < b; k++) if (!isDig(load<u8>(k))) return -1;
  let frac = digits(dot + 1, b);
  for (let k = fd; k < 9; k++) frac *= 10;
  const ns = digits(a, dot) * 1000000000 + frac;
  return ns > 9007199254740991 ? -1 : ns;
}

/** The row's event and fields, once the header is stored: 1, or 0 to hand the line to JavaScript. */
function rowTail(r: i32, sp: i32, fieldsA: i32, e: i32): i32 {
  const ev = load<i32>(sp, 12);
  if (ev == EV_DQL_STALL_DETECTED) return 0; // raw text and fields: JavaScript
  store<i32>(cfg(C_COL + COL_EVENT) + 4 * r, load<i32>(sp, 8));
  if (ev < 0) {
    // not modelled: the row keeps the field text in `raw` (../src/parse/fields.ts parseFields), which JavaScript
    // decodes from [rawA, rawB) once the row is made (a JavaScript string cannot be written here)
    let b = e;
    while (b > fieldsA && isSp(load<u8>(b - 1))) b--;
    let a = fieldsA;
    while (a < b && isSp(load<u8>(a))) a++;
    rawA = a;
    rawB = b;
    return ROW;
  }
  return fields(r, ev, sp, fieldsA, e);
}

/** the field text of a row of an event not modelled (rawA < 0: none) */
let rawA: i32 = -1;
let rawB: i32 = 0;

/** The comm [a, b) into row r: false when its dictionary is full. */
function storeComm(r: i32, a: i32, b: i32): bool {
  const comm = dictGet(D_COMM, a, b);
  if (comm < 0) return false;
  store<i32>(cfg(C_COL + COL_COMM) + 4 * r, comm);
  store<u8>(cfg(C_VALID + COL_COMM) + r, 1);
  return true;
}

/**
 * One ftrace / trace-cmd line [a, e) (`comm-pid [cpu] flags secs.frac: event: fields`, ../src/parse/formats.ts parseFtraceLine):
 * 1 when it became row r, 0 to hand it to JavaScript.
 */
function ftraceLine(a: i32, e: i32, r: i32): i32 {
  let i = a;
  while (i < e && isSp(load<u8>(i))) i++;
  if (i == e) return COMMENT; // a blank line
  // `#` comments, and `CPU…` / `cpus=` / `version = ` records: JavaScript
  if (load<u8>(i) == 35 || startsWith(i, e, 0x555043, 3) || startsWith(i, e, 0x73757063, 4) || startsWith(i, e, 0x73726576, 4)) return 0;
  const lb = cpuBracket(a, i, e);
  if (lb < 0) return 0;
  const rb = bracketEnd;
  let pe = lb;
  while (pe > i && isSp(load<u8>(pe - 1))) pe--;
  if (pe > i && load<u8>(pe - 1) == 41) {
    // trace-cmd's `comm-pid (tgid)`: the last '(' of the line before the bracket
    let lp = pe - 1;
    while (lp >= a && load<u8>(lp) != 40) lp--;
    // none in the line: JavaScript's lastIndexOf finds one before the line or none, and leaves pe alone too
    if (lp > i) {
      pe = lp;
      while (pe > i && isSp(load<u8>(pe - 1))) pe--;
    }
  }
  let ps = pe;
  while (ps > i && isDig(load<u8>(ps - 1))) ps--;
  if (ps == pe || ps <= i || load<u8>(ps - 1) != 45 || pe - ps > 15 || rb - lb - 1 > 9) return 0;
  // timestamp: `digits.digits:` right after the bracket, or after a 4- or 5-character flags token
  let tsA = rb + 1;
  while (tsA < e && isSp(load<u8>(tsA))) tsA++;
  let tc = tsColonAt(tsA, e);
  if (tc < 0) {
    const fe = tokEnd(tsA, e);
    if (fe - tsA < 4 || fe - tsA > 5) return 0;
    tsA = fe;
    while (tsA < e && isSp(load<u8>(tsA))) tsA++;
    tc = tsColonAt(tsA, e);
    if (tc < 0) return 0;
  }
  // out of range (kernel pid_t is s32, the cpu column int16): the reference rejects the line with its message
  const pid = digits(ps, pe);
  const cpu = digits(lb + 1, rb);
  if (pid > PID_MAX || cpu > CPU_MAX) return 0;
  store<i32>(cfg(C_COL + COL_PID) + 4 * r, <i32>pid);
  store<u8>(cfg(C_VALID + COL_PID) + r, 1);
  if (ps - 1 > i && !storeComm(r, i, ps - 1)) return 0;
  store<i16>(cfg(C_COL + COL_CPU) + 2 * r, <i16>cpu);
  store<u8>(cfg(C_VALID + COL_CPU) + r, 1);
  const ns = secsDotFrac(tsA, tc);
  if (ns < 0) return 0;
  store<i64>(cfg(C_COL + COL_TS_NS) + 8 * r, ns);
  let evA = tc + 1;
  while (evA < e && isSp(load<u8>(evA))) evA++;
  const ec = evColon(evA, e);
  if (ec <= evA) return 0;
  const slot = slotNamed(evA, ec);
  if (slot < 0) return 0;
  return rowTail(r, cfg(C_SLOTS) + 32 * slot, ec + 1, e);
}

/**
 * The n (3 or 4) bytes at i equal the low bytes of `word` (little-endian): a prefix test that may read past e
 * only when the line is that long. `cpus` and `vers` stand for `cpus=` and `version = ` (JavaScript checks the
 * rest; stopping at the shorter prefix only sends more lines to it).
 */
function startsWith(i: i32, e: i32, word: u32, n: i32): bool {
  if (i + n > e) return false;
  for (let k = 0; k < n; k++) if (<u32>load<u8>(i + k) != ((word >> (8 * k)) & 0xff)) return false;
  return true;
}

/** ../src/parse/formats.ts timestampColon: digits with exactly one '.', then ':': the ':' or -1. */
function tsColonAt(i: i32, e: i32): i32 {
  let j = i;
  let sawDigit = false;
  let sawDot = false;
  while (j < e) {
    const c = load<u8>(j);
    if (isDig(c)) sawDigit = true;
    else if (c == 46 && !sawDot) sawDot = true;
    else break;
    j++;
  }
  if (!sawDigit || !sawDot || j >= e || load<u8>(j) != 58) return -1;
  return j;
}

/** ../src/parse/formats.ts isSysEventToken: `word:word` of [A-Za-z0-9_] with one ':' inside. */
function isSysEventToken(a: i32, b: i32): bool {
  let colon = -1;
  for (let k = a; k < b; k++) {
    const c = <i32>load<u8>(k);
    if (c == 58) {
      if (colon >= 0) return false;
      colon = k;
    } else if (!(isDig(c) || <u32>((c | 0x20) - 97) <= 25 || c == 95)) return false;
  }
  return colon > a && colon < b - 1;
}

/**
 * One bpftrace printf line [a, e) (`ts_ns cpu pid comm… sys:event key=value…`, ../src/parse/formats.ts parseBpftraceLine): 1 when
 * it became row r, 0 to hand it to JavaScript.
 */
function bpftraceLine(a: i32, e: i32, r: i32): i32 {
  let i = a;
  while (i < e && isSp(load<u8>(i))) i++;
  if (i == e) return COMMENT; // a blank line
  if (!isDig(load<u8>(i))) return 0;
  const tsE = tokEnd(i, e);
  if (tsE - i > 18) return 0; // 19-20 digits: JavaScript (BigInt)
  for (let k = i; k < tsE; k++) if (!isDig(load<u8>(k))) return 0;
  let cpuA = tsE;
  while (cpuA < e && isSp(load<u8>(cpuA))) cpuA++;
  const cpuE = tokEnd(cpuA, e);
  let pidA = cpuE;
  while (pidA < e && isSp(load<u8>(pidA))) pidA++;
  const pidE = tokEnd(pidA, e);
  if (cpuE == cpuA || cpuE - cpuA > 9 || pidE == pidA || pidE - pidA > 15) return 0;
  for (let k = cpuA; k < cpuE; k++) if (!isDig(load<u8>(k))) return 0;
  for (let k = pidA; k < pidE; k++) if (!isDig(load<u8>(k))) return 0;
  let commA = pidE;
  while (commA < e && isSp(load<u8>(commA))) commA++;
  // the first `sys:event` token after the comm's first token that ends the line or has a '=' somewhere after it
  let k = commA;
  while (k < e) {
    const te = tokEnd(k, e);
    if (k > commA && isSysEventToken(k, te)) {
      let next = te;
      while (next < e && isSp(load<u8>(next))) next++;
      let eq = false;
      for (let q = next; q < e; q++) {
        if (load<u8>(q) == 61) {
          eq = true;
          break;
        }
      }
      if (next == e || eq) {
        const slot = slotNamed(k, te);
        if (slot < 0) return 0;
        const cpu = digits(cpuA, cpuE);
        const pid = digits(pidA, pidE);
        if (pid > PID_MAX || cpu > CPU_MAX) return 0; // out of range: the reference rejects the line
        store<i64>(cfg(C_COL + COL_TS_NS) + 8 * r, digits(i, tsE));
        store<i16>(cfg(C_COL + COL_CPU) + 2 * r, <i16>cpu);
        store<u8>(cfg(C_VALID + COL_CPU) + r, 1);
        store<i32>(cfg(C_COL + COL_PID) + 4 * r, <i32>pid);
        store<u8>(cfg(C_VALID + COL_PID) + r, 1);
        let ce = k;
        while (ce > commA && isSp(load<u8>(ce - 1))) ce--;
        if (!storeComm(r, commA, ce)) return 0;
        return rowTail(r, cfg(C_SLOTS) + 32 * slot, te, e);
      }
    }
    k = te;
    while (k < e && isSp(load<u8>(k))) k++;
  }
  return 0;
}

/** One perf line [a, e): 1 when it became row r, 0 to hand it to JavaScript. */
function perfLine(a: i32, e: i32, r: i32): i32 {
  let i = a;
  while (i < e && isSp(load<u8>(i))) i++;
  if (i == e) return COMMENT; // a blank line
  const c0 = load<u8>(i);
  if (c0 == 35) return 0;
  if (i > a) {
    // a call-chain frame (an all-hex first token of >= 6 digits followed by a space; ../src/parse/formats.ts
    // isCallchainLine): `perf script -g` prints several per event, so they are passed over here
    // (byte | 0x20) in '0'..'9' or 'a'..'f', exactly as the JavaScript check
    let k = i;
    while (k < e) {
      const l = <i32>load<u8>(k) | 0x20;
      if (!(<u32>(l - 48) <= 9 || <u32>(l - 97) <= 5)) break;
      k++;
    }
    if (k < e && k - i >= 6 && isSp(load<u8>(k))) return COMMENT;
  }
  const lb = cpuBracket(a, i, e);
  if (lb < 0) return 0;
  const rb = bracketEnd;
  let pe = lb;
  while (pe > i && isSp(load<u8>(pe - 1))) pe--;
  let ps = pe;
  while (ps > i && isDig(load<u8>(ps - 1))) ps--;
  if (ps == pe || pe - ps > 15 || rb - lb - 1 > 9) return 0;
  const pidV = digits(ps, pe);
  const cpu = digits(lb + 1, rb);
  if (pidV > PID_MAX || cpu > CPU_MAX) return 0; // out of range: the reference rejects the line
  let pid = <i32>pidV;
  if (ps > i && load<u8>(ps - 1) == 45) {
    ps--;
    pid = -pid;
  }
  let ce = ps;
  // `comm PID/TID [cpu]` (perf script -F pid,tid): the thread group's PID is not part of the comm
  // (../src/parse/formats.ts parsePerfLine)
  if (ce > i && load<u8>(ce - 1) == 47) {
    let gs = ce - 1;
    while (gs > i && isDig(load<u8>(gs - 1))) gs--;
    if (gs < ce - 1 && (gs == i || isSp(load<u8>(gs - 1)))) ce = gs;
  }
  while (ce > i && isSp(load<u8>(ce - 1))) ce--;
  // `secs.frac:` (../src/parse/formats.ts timestampColon, scan.ts parseSecsDotFrac: digits, one '.', 1..9 digits, ':')
  let tsA = rb + 1;
  while (tsA < e && isSp(load<u8>(tsA))) tsA++;
  const tc = tsColonAt(tsA, e);
  if (tc < 0) return 0;
  const ns = secsDotFrac(tsA, tc);
  if (ns < 0) return 0;
  let evA = tc + 1;
  while (evA < e && isSp(load<u8>(evA))) evA++;
  let slot = slotEndingAt(evA, tc + evColumn, e);
  if (slot < 0) {
    const ec = evColon(evA, e);
    if (ec <= evA) return 0;
    slot = slotNamed(evA, ec);
    if (slot < 0) return 0;
  }
  const sp = cfg(C_SLOTS) + 32 * slot;
  const ec = evA + load<i32>(sp, 4);
  evColumn = ec - tc;
  store<i64>(cfg(C_COL + COL_TS_NS) + 8 * r, ns);
  store<i32>(cfg(C_COL + COL_PID) + 4 * r, pid);
  store<u8>(cfg(C_VALID + COL_PID) + r, 1);
  store<i16>(cfg(C_COL + COL_CPU) + 2 * r, <i16>cpu);
  store<u8>(cfg(C_VALID + COL_CPU) + r, 1);
  if (ce > i && !storeComm(r, i, ce)) return 0;
  return rowTail(r, sp, ec + 1, e);
}

/** Token end: the next space or tab, or b. */
@inline function tokEnd(i: i32, b: i32): i32 {
  while (i < b && !isSp(load<u8>(i))) i++;
  return i;
}

let num: i32 = 0;

/**
 * Signed (or unsigned) decimal up to a space or lim, at most 15 digits, within [lo, hi] (the field's kernel type; a
 * value outside goes to the reference, which rejects the line): the end, or -1. Value in `num`.
 */
function decValue(va: i32, lim: i32, signed: bool, lo: i64, hi: i64): i32 {
  let j = va;
  let neg = false;
  if (signed && j < lim && load<u8>(j) == 45) {
    neg = true;
    j++;
  }
  const d0 = j;
  let v: i64 = 0;
  while (j < lim) {
    const c = load<u8>(j);
    if (isSp(c)) break;
    if (!isDig(c)) return -1;
    v = v * 10 + <i64>(c - 48);
    j++;
  }
  if (j == d0 || j - d0 > 15) return -1;
  if (neg) v = -v;
  if (v < lo || v > hi) return -1;
  num = <i32>v;
  return j;
}

let hexV: u64 = 0;

/** Hex digits from j up to a space or lim: the end (-1 on another byte, or past maxDigits digits); value in hexV. */
function hexDigits(j: i32, lim: i32, maxDigits: i32): i32 {
  const d0 = j;
  let v: u64 = 0;
  while (j < lim) {
    const c = load<u8>(j);
    if (isSp(c)) break;
    const h = hexVal(c);
    if (h < 0 || j - d0 >= maxDigits) return -1;
    v = (v << 4) | <u64>h;
    j++;
  }
  hexV = v;
  return j;
}

/** `0x` hex up to 32 significant bits, or a signed decimal: the end, or -1. Value in `num`. */
function num32Value(va: i32, lim: i32): i32 {
  if (lim - va >= 2 && load<u8>(va) == 48 && (load<u8>(va + 1) | 0x20) == 120) {
    // leading zeros may pad it past 8 digits (../src/parse/scan.ts parseHex32); 16 digits stay exact in a u64
    const j = hexDigits(va + 2, lim, 16);
    if (j < 0 || j == va + 2 || hexV > 0xffffffff) return -1;
    num = <i32>hexV;
    return j;
  }
  return decValue(va, lim, true, 0, 0xffffffff);
}

let ptrHashed: bool = false;

/** Pointer into col at row r (`(nil)` or hex): the end, or -1 (anything else goes to JavaScript). */
function ptrValue(va: i32, lim: i32, col: i32, r: i32): i32 {
  let j = va;
  ptrHashed = false;
  if (j < lim && load<u8>(j) == 40) {
    if (va + 5 <= lim && load<u32>(va) == 0x6c696e28 && load<u8>(va + 4) == 41 && (va + 5 == lim || isSp(load<u8>(va + 5)))) {
      store<i64>(cfg(C_COL + col) + 8 * r, 0);
      return va + 5;
    }
    return -1;
  }
  const prefixed = lim - j >= 2 && load<u8>(j) == 48 && (load<u8>(j + 1) | 0x20) == 120;
  if (prefixed) j += 2;
  const d0 = j;
  j = hexDigits(j, lim, 16);
  if (j < 0) return -1;
  const v = hexV;
  const digits = j - d0;
  if (digits <= 0) return -1;
  store<u64>(cfg(C_COL + col) + 8 * r, v);
  // ../src/scan.ts storePtr: 16 digits with the upper half zero is an ftrace-hashed %p (with or without 0x)
  ptrHashed = v != 0 && (v >> 32) == 0 && digits == 16;
  return j;
}

/** The fields [a, b) of row r by the slot's template: 1 when done, 0 to hand the line to JavaScript. */
function fields(r: i32, ev: i32, sp: i32, a: i32, b: i32): i32 {
  while (b > a && isSp(load<u8>(b - 1))) b--;
  while (a < b && isSp(load<u8>(a))) a++;
  const want = wanted(ev);
  const tpl = load<i32>(sp, 16);
  const ntpl = load<i32>(sp, 20);
  let seen = 0;
  let ptrSeen = false;
  let hashed = false;
  let t = 0;
  let i = a;
  while (i < b) {
    while (i < b && isSp(load<u8>(i))) i++;
    if (i >= b) break;
    if (t >= ntpl) return 0;
    // entry: kind u8, key u8, len u16, literal address i32
    const en = tpl + 8 * t;
    const kind = <i32>load<u8>(en);
    const key = <i32>load<u8>(en, 1);
    const n = <i32>load<u16>(en, 2);
    const lit = load<i32>(en, 4);
    if (i + n > b) return 0;
    let k = 0;
    while (k + 4 <= n && load<u32>(lit + k) == load<u32>(i + k)) k += 4;
    while (k < n && load<u8>(lit + k) == load<u8>(i + k)) k++;
    if (k < n) return 0;
    if (kind != TK_EQ && i + n < b && !isSp(load<u8>(i + n))) return 0;
    t++;
    let va: i32;
    let lim = b;
    if (kind == TK_EQ) {
      va = i + n;
      if (key == K_NONE) {
        i = tokEnd(va, b);
        continue;
      }
    } else {
      i += n;
      if (kind == TK_WORD) continue;
      while (i < b && isSp(load<u8>(i))) i++;
      if (i >= b) break;
      va = i;
      lim = i = tokEnd(i, b);
      if (key == K_NONE) continue;
    }
    switch (key) {
      case K_DEV: {
        const vb = tokEnd(va, lim);
        if (vb > va) {
          const id = dictGet(D_DEV, va, vb);
          if (id < 0) return 0;
          store<i32>(cfg(C_COL + COL_DEV) + 4 * r, id);
          store<u8>(cfg(C_VALID + COL_DEV) + r, 1);
          seen |= F_DEV;
        }
        i = vb;
        break;
      }
      case K_REASON:
      case K_LOCATION: {
        const vb = tokEnd(va, lim);
        if (vb > va) {
          const d = key == K_REASON ? D_REASON : D_LOCATION;
          const col = key == K_REASON ? COL_REASON : COL_LOCATION;
          const id = dictGet(d, va, vb);
          if (id < 0) return 0;
          store<i32>(cfg(C_COL + col) + 4 * r, id);
          store<u8>(cfg(C_VALID + col) + r, 1);
        }
        i = vb;
        break;
      }
      case K_SKBADDR:
      case K_NAPI: {
        const col = key == K_NAPI ? COL_NAPI : COL_SKBADDR;
        i = ptrValue(va, lim, col, r);
        if (i < 0) return 0;
        store<u8>(cfg(C_VALID + col) + r, 1);
        if (ptrHashed) hashed = true;
        ptrSeen = true;
        seen |= key == K_NAPI ? F_NAPI : F_SKBADDR;
        break;
      }
      case K_LEN: {
        if (ev == EV_DQL_STALL_DETECTED) return 0;
        i = decValue(va, lim, false, 0, 0xffffffff);
        if (i < 0) return 0;
        store<i32>(cfg(C_COL + COL_LEN) + 4 * r, num);
        store<u8>(cfg(C_VALID + COL_LEN) + r, 1);
        seen |= F_LEN;
        break;
      }
      case K_RC:
      case K_QUEUE:
      case K_IFINDEX:
      case K_PACKETS:
      case K_WORK:
      case K_BUDGET: {
        i = decValue(va, lim, true, key == K_QUEUE ? 0 : I32_MIN, key == K_QUEUE ? QUEUE_MAX : I32_MAX);
        if (i < 0) return 0;
        let col = COL_RC;
        if (key == K_RC) seen |= F_RC;
        else if (key == K_QUEUE) {
          col = COL_QUEUE;
          seen |= F_QUEUE;
        } else if (key == K_IFINDEX) col = COL_IFINDEX;
        else if (key == K_PACKETS) {
          col = COL_PACKETS;
          seen |= F_PACKETS;
        } else if (key == K_WORK) col = COL_WORK;
        else col = COL_BUDGET;
        store<i32>(cfg(C_COL + col) + 4 * r, num);
        store<u8>(cfg(C_VALID + col) + r, 1);
        break;
      }
      case K_HANDLE:
      case K_PARENT:
      case K_TXQ_STATE: {
        i = num32Value(va, lim);
        if (i < 0) return 0;
        const col = key == K_HANDLE ? COL_HANDLE : key == K_PARENT ? COL_PARENT : COL_TXQ_STATE;
        if (key == K_TXQ_STATE) seen |= F_TXQ_STATE;
        store<i32>(cfg(C_COL + col) + 4 * r, num);
        store<u8>(cfg(C_VALID + col) + r, 1);
        break;
      }
      default:
        // driver, now and the rest: the JavaScript parser
        return 0;
    }
    if ((seen & want) == want) break;
  }
  if (ptrSeen) {
    store<u8>(cfg(C_COL + COL_PTR_HASHED) + r, hashed ? 1 : 0);
    store<u8>(cfg(C_VALID + COL_PTR_HASHED) + r, 1);
  }
  if ((required(ev) & ~seen) != 0) return 0;
  return ROW;
}

/** lineEnd() met a control byte (NUL, a C0 control other than a tab or the `\r` of `\r\n`, DEL) */
let controlByte: bool = false;

/**
 * The '\n' ending the line at pos, or end when there is none; controlByte tells whether the line holds a control
 * byte (the reference rejects such a line). Eight bytes per step while none is below 0x20 or DEL (SWAR: a word has
 * a byte < n when (w - n*0x01…) & ~w & 0x80… is non-zero; exact for the first such byte, and a false hit only
 * sends the word to the byte loop).
 */
function lineEnd(pos: i32, end: i32): i32 {
  let nl = pos;
  controlByte = false;
  for (;;) {
    while (nl + 8 <= end) {
      const w = load<u64>(nl);
      const x = w ^ 0x7f7f7f7f7f7f7f7f;
      if ((((w - 0x2020202020202020) & ~w) | ((x - 0x0101010101010101) & ~x)) & 0x8080808080808080) break;
      nl += 8;
    }
    const stop = nl + 8 < end ? nl + 8 : end;
    while (nl < stop) {
      const c = <i32>load<u8>(nl);
      if (c == 10) return nl;
      if ((c < 32 && c != 9 && !(c == 13 && nl + 1 < end && load<u8>(nl + 1) == 10)) || c == 127) controlByte = true;
      nl++;
    }
    if (nl >= end) return end;
  }
  return end;
}

/**
 * Parse the complete lines of [pos, end) into rows from `row`, until a line needs JavaScript (RUN_BAIL: the line is
 * [out.pos, out.lineEnd)), the batch is full (RUN_FULL) or no complete line is left (RUN_DONE). Line numbers continue
 * from `lines`. out: pos (next line start), row (rows so far), events (rows added by this call), comments
 * (blank lines and perf call-chain frames passed over by this call; they take line numbers too).
 */
export function run(pos: i32, end: i32, row: i32, lines: i32, cap: i32, format: i32): i32 {
  const lineCol = cfg(C_COL + COL_LINE);
  const srcCol = cfg(C_COL + COL_SOURCE);
  const source = cfg(C_SOURCE);
  const counts = cfg(C_COUNTS);
  const ncounts = cfg(C_NCOUNTS);
  const evCol = cfg(C_COL + COL_EVENT);
  let events = 0;
  let comments = 0;
  let nraw = 0;
  let status = RUN_DONE;
  while (row < cap) {
    const nl = lineEnd(pos, end);
    if (nl >= end) break;
    let e = nl;
    if (e > pos && load<u8>(e - 1) == 13) e--;
    rawA = -1;
    const made = controlByte ? 0 : format == FORMAT_PERF ? perfLine(pos, e, row) : format == FORMAT_FTRACE ? ftraceLine(pos, e, row) : bpftraceLine(pos, e, row);
    if (made == 0) {
      out(3, nl);
      status = RUN_BAIL;
      break;
    }
    if (made == COMMENT) {
      comments++;
      pos = nl + 1;
      continue;
    }
    store<i32>(lineCol + 4 * row, lines + events + comments + 1);
    store<i32>(srcCol + 4 * row, source);
    const d = load<i32>(evCol + 4 * row);
    if (d >= ncounts) {
      // counted by JavaScript: hand the line over before it becomes a row
      out(3, nl);
      status = RUN_BAIL;
      break;
    }
    store<i32>(counts + 4 * d, load<i32>(counts + 4 * d) + 1);
    if (rawA >= 0) {
      // (row, text start, text end) for JavaScript; the list holds as many entries as a batch has rows
      const en = cfg(C_RAW) + 12 * nraw;
      store<i32>(en, row);
      store<i32>(en, rawA, 4);
      store<i32>(en, rawB, 8);
      nraw++;
    }
    events++;
    row++;
    pos = nl + 1;
  }
  if (status == RUN_DONE && row >= cap) status = RUN_FULL;
  out(0, pos);
  out(1, row);
  out(2, events);
  out(4, comments);
  out(5, nraw);
  return status;
}
