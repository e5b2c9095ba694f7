/**
 * The front door on the whole public corpus (fixtures/public): every kernel-log excerpt — stamped or pasted bare —
 * is accepted as a log, every trace excerpt as a trace, bpftrace map outputs as aggregates, `tc -s qdisc show`,
 * `ethtool -S`, `ip -s link`, TX-queue sysfs listings, /proc/interrupts, ifconfig and netstat -i as counters (they were refused before); a ping console with
 * only ENOBUFS lines is a log too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openTraceInput } from '../src/index.js';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/public');
const expected = JSON.parse(readFileSync(path.join(corpus, 'expected.json'), 'utf8')) as {
  entries: { file: string; format: string }[];
};
const formatOf = new Map(expected.entries.map((e) => [e.file, e.format]));

/** What each excerpt is, from expected.json's format (files it does not list are the bpftrace map outputs). */
function want(file: string): 'text' | 'log' | 'aggregates' | 'counters' {
  const f = formatOf.get(file);
  if (f === undefined) return 'aggregates';
  if (/perf|ftrace/.test(f)) return 'text';
  if (/tc-stats|ethtool-stats|ip-link|queue-sysfs|interrupts|ifconfig|netstat-i/.test(f)) return 'counters';
  return 'log';
}

describe('openTraceInput on every public excerpt', () => {
  for (const file of readdirSync(corpus).filter((f) => /^\d\d-/.test(f))) {
    it(`${file} → ${want(file)}`, async () => {
      expect((await openTraceInput(path.join(corpus, file))).kind).toBe(want(file));
    });
  }
});
