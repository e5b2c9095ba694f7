import { readFileSync } from 'node:fs';
import { RowColumns } from './dist/rows.js';
import { LineHandler } from './dist/lines.js';
const nb = readFileSync(process.argv[2] ?? '/tmp/bench120.txt');
const buf = new Uint8Array(nb.length); buf.set(nb);
const times = [];
for (let k = 0; k < 6; k++) {
  const cols = new RowColumns();
  let parts = 0;
  const h = new LineHandler(cols, 'perf-script', 'x', false, 0, () => { cols.takeBuffers(); parts++; });
  const t = performance.now();
  const B = 8 << 20;
  let pos = 0;
  while (pos < buf.length) { const end = Math.min(pos + B, buf.length); pos = h.feedLines(buf, pos, end, end >= buf.length); }
  times.push(performance.now() - t);
  if (k === 0) console.log('events', h.events, 'skipped', h.skipped);
}
console.log('ms', times.map((t) => t.toFixed(0)).join(' '), 'min', Math.min(...times).toFixed(0), 'MB/s', (buf.length / 1e3 / Math.min(...times)).toFixed(0));
