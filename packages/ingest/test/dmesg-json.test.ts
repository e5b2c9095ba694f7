/**
 * `dmesg -J` and `dmesg -J -x` (util-linux 2.38) are kernel logs: read message for message, with the same time since
 * boot and level as `dmesg -r` of the same kernel buffer, taken at the same moment on this machine
 * (fixtures/captured/dmesg-json). They were refused ("does not look like a trace").
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openTraceInput } from '../src/index.js';
import { looksLikeKernelLog, readKernelLines } from '../src/parse/kernel-log/index.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/captured/dmesg-json');
const file = (f: string): string => path.join(dir, f);
const lines = (f: string) => readKernelLines(readFileSync(file(f), 'utf8'));

describe('dmesg -J', () => {
  const raw = lines('this-vm-dmesg-r.txt');

  for (const f of ['this-vm-dmesg-J.json', 'this-vm-dmesg-J-x.json']) {
    it(`${f}: the same messages, times and levels as dmesg -r, each at its "msg" line`, () => {
      const json = lines(f);
      expect(json).toHaveLength(18);
      expect(json.map((l) => [l.message, l.tsBootNs, l.level])).toEqual(
        raw.map((l) => [l.message, l.tsBootNs, l.level]),
      );
      expect(json.every((l) => l.shape === 'dmesg-json' && !l.continuation)).toBe(true);
      const text = readFileSync(file(f), 'utf8').split('\n');
      expect(json.every((l) => text[l.lineNo - 1]!.trimStart().startsWith('"msg"'))).toBe(true);
      expect(looksLikeKernelLog(text.slice(0, 50))).toEqual({ shape: 'dmesg-json', confidence: 1 });
    });
  }

  it('the front door takes it for a kernel log', async () => {
    expect(await openTraceInput(file('this-vm-dmesg-J.json'))).toMatchObject({ kind: 'log' });
    expect(await openTraceInput(file('this-vm-dmesg-J-x.json'))).toMatchObject({ kind: 'log' });
  });
});
