/**
 * /proc/kallsyms (embedded in trace.dat) → `sym+0xoff` for %pS arguments, as libtraceevent's
 * tep_find_function / print_str_arg do: the nearest symbol at or below the address (the last of equal addresses in
 * the text's order).
 *
 * The text is 5+ MB (120k+ lines) and a trace resolves a handful of call sites (the %pS users cache the text per
 * address: 1–13 on the fixtures, 3 on the bench's trace.dat). So it is read in place, as bytes, and indexed by one
 * pass that stores almost nothing: the text's ascending runs (the kernel's own symbols come sorted by address —
 * scripts/kallsyms.c sort_symbols — then each module's) and every MARK_EVERY-th symbol's line of each run. A look-up
 * is a binary search over a run's marks, reading the addresses from the text, then a walk of at most MARK_EVERY
 * lines, per run. Before, the pass filled four columns per symbol (~470 pages faulted in, ~13 µs each on the bench
 * VM), counted the lines first (a native indexOf per line), and answered the first 32 look-ups by a pass over all
 * symbols each — while unoptimized, a boxed number per address half read (~30 ms of the bench's 3 look-ups).
 * A text of more than MAX_RUNS runs (many modules) is sorted once instead (./kallsymsSorted.ts).
 */
import { KallsymsLine } from './kallsymsLine.js';
import { sortedKallsyms, type SymbolLookup } from './kallsymsSorted.js';

export interface Kallsyms {
  resolve(addr: bigint): string | undefined;
  size: number;
}

/** One mark per this many symbols of a run: a look-up walks at most this many lines past the mark it finds. */
const MARK_EVERY = 16;

/** Past this many ascending runs, look-ups by run would cost more than sorting the symbols once. */
const MAX_RUNS = 64;

/** What one pass over the text keeps: line starts of the marks, and where each run's marks begin. */
interface RunIndex {
  /** code symbols (not A/a, address not 0) */
  n: number;
  /** line starts: each run's first symbol, then every MARK_EVERY-th of the run */
  marks: number[];
  /** the index in marks of each run's first mark, then marks.length */
  runs: number[];
}

function indexRuns(text: Uint8Array): RunIndex {
  const line = new KallsymsLine();
  const marks: number[] = [];
  const runs: number[] = [];
  const len = text.length;
  let n = 0;
  let inRun = 0;
  let prevHi = 0;
  let prevLo = 0;
  for (let p = 0; p < len; p = line.eol + 1) {
    if (!line.read(text, p)) continue;
    const { hi, lo } = line;
    if (n === 0 || hi < prevHi || (hi === prevHi && lo < prevLo)) {
      runs.push(marks.length);
      inRun = 0;
    }
    if (inRun % MARK_EVERY === 0) marks.push(p);
    inRun++;
    prevHi = hi;
    prevLo = lo;
    n++;
  }
  runs.push(marks.length);
  return { n, marks, runs };
}

/**
 * The line start of the symbol nearest at or below aHi:aLo in run r (the last of equals), or -1; `line` is left on
 * it. The marks from runs[r] on are ascending (a run), so the last mark at or below is found by a binary search;
 * the symbols after it up to the next mark (or the text's end) are walked.
 */
function nearestInRun(text: Uint8Array, ix: RunIndex, r: number, aHi: number, aLo: number, line: KallsymsLine): number {
  const { marks } = ix;
  let l = ix.runs[r]!;
  let h = ix.runs[r + 1]! - 1;
  line.read(text, marks[l]!);
  if (!line.le(aHi, aLo)) return -1;
  while (l < h) {
    const mid = (l + h + 1) >> 1;
    line.read(text, marks[mid]!);
    if (line.le(aHi, aLo)) l = mid;
    else h = mid - 1;
  }
  // the symbols after the mark found, up to the next mark (of this run, or the next run's first) or the text's end
  const limit = l + 1 < marks.length ? marks[l + 1]! : text.length;
  let best = marks[l]!;
  line.read(text, best);
  for (let p = line.eol + 1; p < limit; p = line.eol + 1) {
    if (!line.read(text, p)) continue;
    if (!line.le(aHi, aLo)) break;
    best = p;
  }
  line.read(text, best);
  return best;
}

/** The line start of the symbol nearest at or below aHi:aLo over all runs (a later run wins a tie), -1 if none. */
function nearestByRuns(text: Uint8Array, ix: RunIndex, aHi: number, aLo: number, line: KallsymsLine): number {
  let best = -1;
  let bestHi = 0;
  let bestLo = 0;
  for (let r = 0; r + 1 < ix.runs.length; r++) {
    const p = nearestInRun(text, ix, r, aHi, aLo, line);
    if (p < 0) continue;
    if (best < 0 || line.hi > bestHi || (line.hi === bestHi && line.lo >= bestLo)) {
      best = p;
      bestHi = line.hi;
      bestLo = line.lo;
    }
  }
  if (best >= 0) line.read(text, best);
  return best;
}

/**
 * The symbols of a /proc/kallsyms text: its UTF-8 bytes, the text, or a getter of the bytes' current view (text kept
 * in WebAssembly memory, whose views are remade once it grows: ../trace-dat/compression.ts Decompressor.kept).
 * `maxRuns`: past this many ascending runs the symbols are sorted once (tests lower it to compare both ways).
 */
export function parseKallsyms(kallsyms: Buffer | string | (() => Buffer), maxRuns = MAX_RUNS): Kallsyms {
  const fixed = typeof kallsyms === 'string' ? Buffer.from(kallsyms, 'utf8') : kallsyms;
  const bytes = typeof fixed === 'function' ? fixed : (): Buffer => fixed;
  const ix = indexRuns(bytes());
  const line = new KallsymsLine();
  const find: SymbolLookup =
    ix.runs.length - 1 > maxRuns
      ? sortedKallsyms(bytes(), ix.n)
      : (text, aHi, aLo, at) => nearestByRuns(text, ix, aHi, aLo, at);
  return {
    size: ix.n,
    resolve(addr) {
      const text = bytes();
      const p = find(text, Number(addr >> 32n), Number(addr & 0xffffffffn), line);
      if (p < 0) return undefined;
      const off = addr - ((BigInt(line.hi) << 32n) | BigInt(line.lo));
      const name = line.name(text);
      return off === 0n ? name : `${name}+0x${off.toString(16)}`;
    },
  };
}
