/**
 * `sar -n DEV,EDEV` read as per-interval link rates: our veth captures (fixtures/captured/sar-net: a shaper that
 * held every packet while RX went on; a peer that went down), and the layouts sysstat prints elsewhere — 12-hour
 * times with AM/PM, a decimal comma, `Average:` rows and a `LINUX RESTART` line — as small texts in sar's layout.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openTraceInput } from '../src/index.js';
import { readSarNet } from '../src/parse/sar-net/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = (f: string): string => path.join(root, 'fixtures/captured/sar-net', f);
const text = (f: string): string => readFileSync(f, 'utf8');

describe('sar -n DEV,EDEV', () => {
  it('the shaper capture: 9 one-second intervals per device, DEV and EDEV rows of an interval merged into one', () => {
    const r = readSarNet(text(captured('veth-tbf-held-rx-alive.sar.txt')));
    expect([r.kernel, r.host, r.date, r.skipped, r.restarts]).toEqual(['6.18.44-fc-v1272', 'vm', '12/06/26', 0, []]);
    const vs9 = r.rows.filter((x) => x.dev === 'vs9');
    expect(vs9.length).toBe(9);
    expect(vs9.map((x) => x.rates.get('txpck/s'))).toEqual([2, 0.99, 75.25, 59, 0, 0, 0, 0, 0]);
    expect(vs9.map((x) => x.rates.get('rxpck/s'))).toEqual([1, 1.98, 47.52, 49, 48, 47.52, 49, 47, 41]);
    // the EDEV columns joined the DEV row of the same interval; its line is the DEV row's
    expect([vs9[4]!.line, vs9[4]!.start, vs9[4]!.end, vs9[4]!.intervalSec, vs9[4]!.rates.get('txdrop/s')]).toEqual([
      37,
      '18:46:45',
      '18:46:46',
      1,
      0,
    ]);
    expect(vs9[0]!.rates.size).toBe(17);
  });

  it('the peer-down capture: txdrop/s 2 in the interval of the change, then about 1 per second', () => {
    const r = readSarNet(text(captured('veth-peer-down.sar.txt')));
    const vs9 = r.rows.filter((x) => x.dev === 'vs9');
    expect(vs9.map((x) => x.rates.get('txdrop/s'))).toEqual([0, 0, 0, 2, 1, 1, 0.98, 1, 1]);
  });

  it('12-hour times across noon, a decimal comma, Average rows, a restart, and a line that is not sar', () => {
    const paste = [
      'Linux 5.15.0-91-generic (web1) \t01/12/2024 \t_x86_64_\t(8 CPU)',
      '',
      '11:50:01 AM     IFACE   rxpck/s   txpck/s    rxkB/s    txkB/s   rxcmp/s   txcmp/s  rxmcst/s   %ifutil',
      '12:00:01 PM      eth0   1523,40    987,10    211,03    150,77      0,00      0,00      0,00      0,17',
      '12:00:01 PM     LINUX RESTART\t(8 CPU)',
      'Average:         eth0   1523,40    987,10    211,03    150,77      0,00      0,00      0,00      0,17',
      'some note',
    ].join('\n');
    const r = readSarNet(paste);
    expect(r.rows.map((x) => [x.dev, x.start, x.end, x.intervalSec, x.rates.get('txpck/s')])).toEqual([
      ['eth0', '11:50:01 AM', '12:00:01 PM', 600, 987.1],
    ]);
    expect([r.restarts, r.skipped, r.firstSkipped]).toEqual([[5], 1, { line: 7, text: 'some note' }]);
  });

  it('the front door: a counters input of its own kind (it was refused as "not a trace")', async () => {
    for (const f of ['veth-tbf-held-rx-alive.sar.txt', 'veth-peer-down.sar.txt'])
      expect(await openTraceInput(captured(f)), f).toMatchObject({ kind: 'counters', counters: 'sar-net' });
  });
});
