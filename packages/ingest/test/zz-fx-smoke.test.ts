import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { parseKernelLog, looksLikeKernelLog } from '../src/parse/kernel-log/index.js';
const dir = '/work/wt/corpus/fixtures/public';
it('fx', () => {
  const exp = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8'));
  for (const e of exp.entries) {
    const text = readFileSync(`${dir}/${e.file}`, 'utf8');
    const { records } = parseKernelLog(text);
    const mine: Record<string, number> = {};
    for (const r of records) { const k = r.kind === 'tx_recovery' ? `rec:${r.action}` : r.kind === 'link_change' ? (r.up ? 'link_up' : 'link_down') : r.kind; mine[k] = (mine[k] ?? 0) + 1; }
    const ek: Record<string, number> = {};
    for (const r of e.records ?? []) ek[r.kind] = (ek[r.kind] ?? 0) + 1;
    const g = looksLikeKernelLog(text.split('\n').slice(0, 30));
    console.log(`${e.file} [${e.format}] guess=${g?.shape}/${g?.confidence}\n   exp ${JSON.stringify(ek)}\n   got ${JSON.stringify(mine)}`);
  }
});
