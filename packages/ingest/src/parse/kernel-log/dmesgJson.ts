/**
 * util-linux `dmesg -J` (2.38+, dmesg.c print_record in JSON mode): `{ "dmesg": [ { "pri": 4, "time": 12.345678,
 * "msg": "…" }, … ] }`, pretty-printed one field per line; `-x` gives `"fac": "kern", "pri": "warn"`, caller ids
 * add `"caller": "T123"`. Read line by line, so every message keeps the number of its `"msg"` line: the entry's
 * time since boot (printk's stamp, as `[ 12.345678]`) and level become the envelope of that line.
 */
import type { Envelope } from './envelope.js';
import { LEVEL_NAMES } from './envelope.js';
import { secsDotFracToNs } from './time.js';
import type { SourceRow } from './unwrap.js';

const OPEN_RE = /^\s*"dmesg"\s*:\s*\[\s*$/;
const STRUCTURE_RE = /^\s*(?:\{|\},?\s*\{?|\],?)\s*$/;
const PRI_RE = /^\s*"pri"\s*:\s*(?:(\d+)|"([a-z]+)")\s*,?\s*$/;
const TIME_RE = /^\s*"time"\s*:\s*(\d+)\.(\d+)\s*,?\s*$/;
const OTHER_RE = /^\s*"(?:fac|caller|time_usec)"\s*:\s*[^,]*,?\s*$/;
const MSG_RE = /^\s*"msg"\s*:\s*("(?:[^"\\]|\\.)*")\s*,?\s*$/;

/** True when the rows open as `dmesg -J` does: `{` then `"dmesg": [`. */
function opensAsDmesgJson(rows: readonly string[]): boolean {
  const firstTwo = rows.filter((r) => r.trim() !== '').slice(0, 2);
  return firstTwo.length === 2 && firstTwo[0]!.trim() === '{' && OPEN_RE.test(firstTwo[1]!);
}

/**
 * The messages of a `dmesg -J` paste as source rows with their envelopes (shape `dmesg-json`), or null when the
 * rows are not one. A line that fits none of its fields stays a row of its own (counted by the reader as it is).
 */
export function dmesgJsonRows(rows: readonly string[]): SourceRow[] | null {
  if (!opensAsDmesgJson(rows)) return null;
  const out: SourceRow[] = [];
  let level: number | undefined;
  let tsBootNs: bigint | undefined;
  rows.forEach((raw, k) => {
    if (raw.trim() === '' || STRUCTURE_RE.test(raw) || OPEN_RE.test(raw) || OTHER_RE.test(raw)) return;
    const pri = PRI_RE.exec(raw);
    if (pri) {
      // a plain pri is facility << 3 | level (dmesg prints LOG_PRI… of the record); -x names the level
      level = pri[1] !== undefined ? Number(pri[1]) & 7 : LEVEL_NAMES[pri[2]!];
      return;
    }
    const time = TIME_RE.exec(raw);
    if (time) {
      tsBootNs = secsDotFracToNs(time[1]!, time[2]!);
      return;
    }
    const msg = MSG_RE.exec(raw);
    if (msg) {
      const message = JSON.parse(msg[1]!) as string;
      const env: Envelope = { shape: 'dmesg-json', message };
      if (tsBootNs !== undefined) env.tsBootNs = tsBootNs;
      if (level !== undefined) env.level = level;
      out.push({ lineNo: k + 1, raw, text: message, env });
      level = undefined;
      tsBootNs = undefined;
      return;
    }
    out.push({ lineNo: k + 1, raw, text: raw, env: null });
  });
  return out;
}
