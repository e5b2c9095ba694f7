/**
 * The layout both sides of the WebAssembly line kernel share: ./wasmLines.ts (JavaScript, which lays out the memory)
 * and ../../wasm/lines.ts (AssemblyScript, which imports this file: plain numeric constants only). The configuration
 * block is i32 slots from byte CFG up to the first page; the column and validity base addresses follow C_COL.
 */
export const CFG = 4096;
/** slot table: per slot 8 i32 (nameOff, nameLen, dictIdx, evId, tplOff, tplCount, unused…) */
export const C_SLOTS = 0;
export const C_NSLOTS = 1;
/** per event dictionary index: events counted (i32) */
export const C_COUNTS = 2;
export const C_NCOUNTS = 3;
/** 5 dictionaries: table base, mask, store base, store cap, store used, count (6 i32 each) */
export const C_DICT = 4;
export const C_SOURCE = 34;
/** rows of events not modelled made by one run(): (row, field text start, end) as 3 i32 each, batch rows of them */
export const C_RAW = 35;
/**
 * run() outputs: next line start, rows so far, rows added, the bailed line's end, comments passed over, entries in
 * the C_RAW list
 */
export const C_OUT = 40;
/** column base addresses (catalogue order, COL_*), then the validity base addresses */
export const C_COL = 48;

/** the formats the kernel parses */
export const FORMAT_PERF = 0;
export const FORMAT_FTRACE = 1;
export const FORMAT_BPFTRACE = 2;

/** run() results: no complete line left, the batch is full, a line needs the string parser */
export const RUN_DONE = 0;
export const RUN_FULL = 1;
export const RUN_BAIL = 2;
