#!/usr/bin/env node
/**
 * Generate a large perf-script trace for benchmarks and the bounded-memory test: real captures from
 * ../shared/traces (perf-script.txt of each, by default) repeated one after another, each copy's timestamps shifted
 * past the previous copy's last one and its kernel addresses (`0xffff888…`) retagged per copy, so that copies are
 * separate lifecycles in time order. Usage: node scripts/gen-perf-trace.mjs OUT MEGABYTES [FIXTURE…]
 * Prints one JSON line: { path, bytes, lines, copies }.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.TXREPLAY_SHARED ?? resolve(root, '../shared');
const DEFAULT_FIXTURES = [
  'multiqueue',
  'veth-peer-down',
  'veth-stall-napi-starved',
  'veth-stall-tbf',
  'eth0-normal',
].map((c) => join(shared, 'traces', c, 'perf-script.txt'));

/** A capture cut into constant text and the tokens that change per copy (seconds of a timestamp, an address tag). */
function tokenize(path) {
  const text = readFileSync(path, 'utf8');
  const lines = text.endsWith('\n') ? text : `${text}\n`;
  // `]   900.528054:` (seconds) and `0xffff888` followed by the 3 hex digits that are retagged
  const re = /(\]\s+)(\d+)(\.\d+:)|0xffff888[0-9a-f]{3}/g;
  const parts = [];
  const kinds = []; // 0 text, 1 seconds (number), 2 address tag
  let last = 0;
  let first = null;
  let lastSec = 0;
  for (let m = re.exec(lines); m !== null; m = re.exec(lines)) {
    if (m[2] !== undefined) {
      parts.push(lines.slice(last, m.index) + m[1]);
      kinds.push(0);
      const sec = Number(m[2]);
      first ??= sec;
      lastSec = sec;
      parts.push(sec);
      kinds.push(1);
      parts.push(m[3]);
      kinds.push(0);
    } else {
      parts.push(lines.slice(last, m.index));
      kinds.push(0);
      parts.push('0xffff888');
      kinds.push(2);
    }
    last = m.index + m[0].length;
  }
  parts.push(lines.slice(last));
  kinds.push(0);
  return { parts, kinds, first: first ?? 0, span: lastSec - (first ?? 0) + 1, lines: lines.split('\n').length - 1 };
}

/**
 * Write copies of the fixtures into `out` until it holds at least `bytes`. `addressCycle`: copies retag their addresses
 * with copy % addressCycle (at most 4096, the default): a smaller cycle reuses a copy's skb addresses some copies later,
 * as slab reuse does in a real trace, so skbs freed without a tracepoint (GRO) end there instead of staying live.
 */
export async function generate(out, bytes, fixtures = DEFAULT_FIXTURES, { addressCycle = 4096 } = {}) {
  const caps = fixtures.map(tokenize);
  const ws = createWriteStream(out, { highWaterMark: 8 << 20 });
  let written = 0;
  let lines = 0;
  let sec = 0; // offset of the current copy (seconds past the previous copy)
  let copy = 0;
  while (written < bytes) {
    const c = caps[copy % caps.length];
    const shift = sec - c.first + 1;
    const tag = (copy % Math.min(4096, addressCycle)).toString(16).padStart(3, '0');
    const pieces = new Array(c.parts.length);
    for (let k = 0; k < c.parts.length; k++) {
      const kind = c.kinds[k];
      pieces[k] = kind === 0 ? c.parts[k] : kind === 1 ? String(c.parts[k] + shift) : `0xffff888${tag}`;
    }
    const text = pieces.join('');
    written += Buffer.byteLength(text);
    lines += c.lines;
    sec += c.span + 1;
    copy++;
    if (!ws.write(text)) await new Promise((r) => ws.once('drain', r));
  }
  await new Promise((r, j) => ws.end((e) => (e ? j(e) : r())));
  return { path: out, bytes: written, lines, copies: copy };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [out, mb, ...fixtures] = process.argv.slice(2);
  if (!out || !mb) {
    console.error('usage: gen-perf-trace.mjs OUT MEGABYTES [FIXTURE…]');
    process.exit(2);
  }
  const r = await generate(out, Number(mb) * 1e6, fixtures.length > 0 ? fixtures : undefined);
  console.log(JSON.stringify(r));
}
