/**
 * kallsyms look-ups (src/parse/tracing-data/kallsyms.ts: by ascending run, marks and a walk; kallsymsSorted.ts: all
 * symbols sorted once) on the fixtures' own /proc/kallsyms texts: both answer as a plain reference does — every code
 * symbol (type not A/a, address not 0) sorted by address with BigInts, the last of equal addresses in the text's
 * order, `sym+0xoff` past it — at symbol addresses, just past and just before them, in the kernel's run and the
 * modules' runs (htb-shaped's text has three runs), and beyond both ends.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceDat } from '../src/parse/trace-dat/index.js';
import { parseKallsyms } from '../src/parse/tracing-data/kallsyms.js';

const CAPTURED = resolve(__dirname, '../../../fixtures/captured');
const FIXTURES = ['htb-shaped', 'tbf-shaped-tracecmd', 'requeue-bulk-tracecmd', 'neigh-queuefull', 'lossy-tracecmd'];

interface RefSymbol {
  addr: bigint;
  name: string;
}

/** The code symbols by address, file order on ties (a stable sort). */
function referenceSymbols(text: string): RefSymbol[] {
  const out: RefSymbol[] = [];
  for (const l of text.split('\n')) {
    const m = /^([0-9a-fA-F]+) ([^\n])(?: ([^\t]*))?/.exec(l);
    if (!m || m[2] === 'A' || m[2] === 'a' || BigInt(`0x${m[1]}`) === 0n) continue;
    out.push({ addr: BigInt(`0x${m[1]}`), name: m[3] ?? '' });
  }
  return out.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}

function referenceResolve(syms: RefSymbol[], a: bigint): string | undefined {
  let l = 0;
  let h = syms.length - 1;
  if (h < 0 || syms[0]!.addr > a) return undefined;
  while (l < h) {
    const mid = (l + h + 1) >> 1;
    if (syms[mid]!.addr <= a) l = mid;
    else h = mid - 1;
  }
  const s = syms[l]!;
  return a === s.addr ? s.name : `${s.name}+0x${(a - s.addr).toString(16)}`;
}

async function kallsymsText(name: string): Promise<string> {
  const reader = readTraceDat(join(CAPTURED, name, 'trace.dat'));
  for await (const _ of reader.batches()) break;
  return reader.kallsymsText?.() ?? '';
}

/** Count of descents of the code symbols' addresses in the text's order, +1: its ascending runs. */
function runs(text: string): number {
  let n = 0;
  let prev = -1n;
  for (const l of text.split('\n')) {
    const m = /^([0-9a-f]+) [^Aa]/.exec(l);
    if (!m || BigInt(`0x${m[1]}`) === 0n) continue;
    if (BigInt(`0x${m[1]}`) < prev || prev < 0n) n++;
    prev = BigInt(`0x${m[1]}`);
  }
  return n;
}

describe('trace.dat kallsyms look-ups', () => {
  for (const name of FIXTURES) {
    it.skipIf(!existsSync(join(CAPTURED, name, 'trace.dat')))(
      `${name}: by run and sorted, as the reference`,
      async () => {
        const text = await kallsymsText(name);
        const ref = referenceSymbols(text);
        expect(ref.length).toBeGreaterThan(100_000);
        // every 37th symbol, every module symbol (the later runs), at, past and before their addresses
        const picked = text.split('\n').filter((l, i) => i % 37 === 0 || l.includes('\t'));
        const addrs = [0n, 1n, 0xffffffffffffffffn, ref[0]!.addr - 1n, ref.at(-1)!.addr + 0x1000n];
        for (const l of picked) {
          const m = /^([0-9a-f]+) /.exec(l);
          if (m) addrs.push(BigInt(`0x${m[1]}`), BigInt(`0x${m[1]}`) + 0x10n, BigInt(`0x${m[1]}`) - 1n);
        }
        expect(addrs.length).toBeGreaterThan(9000);
        const byRun = parseKallsyms(Buffer.from(text));
        const sorted = parseKallsyms(text, 0);
        expect(byRun.size).toBe(ref.length);
        expect(sorted.size).toBe(ref.length);
        const want = addrs.map((a) => referenceResolve(ref, a));
        expect(addrs.map((a) => byRun.resolve(a))).toEqual(want);
        expect(addrs.map((a) => sorted.resolve(a))).toEqual(want);
        if (name === 'htb-shaped') expect(runs(text)).toBe(3);
      },
    );
  }
});
