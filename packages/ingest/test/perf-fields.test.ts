/**
 * `perf script -F …` field lists people paste (fixtures/captured/perf-script-fields: one real capture printed four
 * ways): `comm PID/TID [cpu]`, no comm column, and `ip sym` after the trace fields all read to the same events as
 * the default columns — the task id as pid, the comm where printed, every tracepoint field equal.
 */
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { load } from './fixtures.js';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/captured/perf-script-fields');
const COLUMNS = ['ts_ns', 'cpu', 'pid', 'event', 'dev', 'skbaddr', 'len', 'rc', 'queue', 'reason'];

function rows(t: Table, cols: readonly string[]): string[] {
  const vectors = cols.map((c) => t.getChild(c));
  const out: string[] = [];
  for (let i = 0; i < t.numRows; i++) out.push(vectors.map((v) => String(v?.get(i) ?? '')).join('|'));
  return out;
}

describe('perf script -F field lists', () => {
  it('PID/TID, no comm, and trailing ip/sym read to the same 600 events as the default columns', async () => {
    const base = (await load(join(dir, 'comm-tid-cpu-time-event-trace.txt'))).table;
    expect(base.numRows).toBe(600);
    const present = COLUMNS.filter((c) => base.getChild(c) !== null);
    expect(present).toContain('skbaddr');
    const want = rows(base, present);
    for (const f of [
      'comm-pid-tid-cpu-time-event-trace.txt',
      'tid-cpu-time-event-trace.txt',
      'comm-tid-cpu-time-event-trace-ip-sym.txt',
    ]) {
      const { table, summary } = await load(join(dir, f));
      expect(summary.sources[0]?.format, f).toBe('perf-script');
      expect(rows(table, present), f).toEqual(want);
      expect(summary.skipped, f).toBe(0);
    }
    // the comm is kept where it is printed, without the thread group's PID
    const pidTid = (await load(join(dir, 'comm-pid-tid-cpu-time-event-trace.txt'))).table;
    expect(rows(pidTid, ['comm'])).toEqual(rows(base, ['comm']));
    expect(String(base.getChild('comm')!.get(0))).toBe('kworker/u8:1-ip');
    const noComm = (await load(join(dir, 'tid-cpu-time-event-trace.txt'))).table;
    expect(noComm.getChild('comm')!.get(0)).toBeNull();
  });
});
