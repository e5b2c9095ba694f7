/**
 * What `sar -n DEV,EDEV` says about a TX path (fixtures/captured/sar-net, our veth): a device that sent nothing
 * while it kept receiving is `tx_silent` (a shaper held every packet here; the tc snapshots beside it say so), and
 * txdrop/s above zero is `device_tx_drops` at sar's own wall times. The rates never make a verdict healthy.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseFiles } from '../src/diagnose.js';
import { formatVerdict } from '../src/view/text.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = (f: string): string => path.join(root, 'fixtures/captured/sar-net', f);

describe('sar -n DEV,EDEV as evidence', () => {
  it('the shaper holds every packet while RX goes on: tx_silent over the 5 silent seconds, at sar’s times', async () => {
    const r = await diagnoseFiles([captured('veth-tbf-held-rx-alive.sar.txt')]);
    expect(r.verdict).toBe('warning');
    expect(r.findings.map((f) => [f.kind, f.severity, f.dev, f.logWall])).toEqual([
      ['tx_silent', 'warning', 'vs9', { first: '18:46:45', last: '18:46:50' }],
    ]);
    expect(r.findings[0]!.title).toBe(
      'vs9 sent nothing for 5 s (18:46:45–18:46:50, 5 intervals) while it received 41–49 packets/s; it sent 59 packets/s just before',
    );
    expect(r.findings[0]!.evidence.map((e) => e.line)).toEqual([37, 45, 53, 61, 69]);
    const text = formatVerdict(r);
    expect(text).toMatch(/tx_silent on vs9, 18:46:45 → 18:46:50 \(sar's local time; it gives no zone\)/);
    expect(text).toMatch(
      /^ {2}vs9 \(.*:5\), 9 interval\(s\) of 1 s, 18:46:41 → 18:46:50: TX 0–75\.25 packets\/s, RX 1–49 packets\/s, TX dropped ≈0, TX errors ≈0$/m,
    );
  });

  it('beside the two tc snapshots of the same seconds, the cause shows: the shaper (qdisc_throttled)', async () => {
    const r = await diagnoseFiles([
      captured('veth-tbf-held-rx-alive.sar.txt'),
      captured('veth-tbf-tc-before.txt'),
      captured('veth-tbf-tc-after.txt'),
    ]);
    expect(r.findings.map((f) => f.kind).sort()).toEqual(['qdisc_throttled', 'tx_silent']);
  });

  it('the peer goes down: device_tx_drops from txdrop/s, and no tx_silent (nothing was received either)', async () => {
    const r = await diagnoseFiles([captured('veth-peer-down.sar.txt')]);
    expect(r.findings.map((f) => [f.kind, f.dev, f.logWall])).toEqual([
      ['device_tx_drops', 'vs9', { first: '18:46:58', last: '18:47:04' }],
    ]);
    expect(r.findings[0]!.title).toBe(
      'vs9: the device dropped ≈7 and failed ≈0 packet(s) in 6 of 9 interval(s) between 18:46:58 and 18:47:04 against ≈15 sent (sar: txdrop/s up to 2)',
    );
  });

  it('a device whose TX kept moving gives no finding and no healthy verdict: the rates cannot show a stopped queue', async () => {
    // the shaper capture cut before the shaper: the first four intervals only (and the header lines around them)
    const lines = readFileSync(captured('veth-tbf-held-rx-alive.sar.txt'), 'utf8').split('\n').slice(0, 34);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'txr-sar-')), 'before-shaper.sar.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await diagnoseFiles([file]);
    expect([r.verdict, r.findings]).toEqual(['unknown', []]);
    expect(r.coverage.unknownWhy).toMatch(/^sar's rates \(from \/proc\/net\/dev\)/);
  });
});
