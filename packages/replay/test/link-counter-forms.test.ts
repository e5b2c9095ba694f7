/**
 * What `ifconfig`, `netstat -i` and /proc/net/dev say about a TX path, read by the same rules as `ip -s link`: our veth whose
 * peer went down (fixtures/captured/link-counters: the 300 datagrams sent after it are in no counter, the noop
 * qdisc took them), and public one-snapshot `ifconfig` and `netstat -i` pastes (fixtures/public 62–65): never healthy
 * alone.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseFiles } from '../src/diagnose.js';
import { formatVerdict } from '../src/view/text.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = (f: string): string => path.join(root, 'fixtures/captured/link-counters', f);
const pub = (f: string): string => path.join(root, 'fixtures/public', f);

describe('ifconfig and /proc/net/dev as evidence', () => {
  it('ifconfig twice around the peer going down: carrier lost (RUNNING gone) is peer_down with the 2 drops', async () => {
    const r = await diagnoseFiles([captured('veth-peer-down-ifconfig.txt')]);
    expect(r.findings.map((f) => [f.kind, f.severity, f.dev])).toEqual([['peer_down', 'warning', 'vs8']]);
    expect(r.findings[0]!.title).toMatch(
      /vs8: carrier lost between two snapshots .*2 packets dropped by the device, 0 sent/,
    );
    expect(r.links!.map((l) => [l.dev, l.snapshots, l.flags.includes('NO-CARRIER')])).toEqual([['vs8', 2, true]]);
    expect(formatVerdict(r)).toMatch(
      /^Links \(ip -s link, ifconfig, netstat -i, \/proc\/net\/dev, sysfs statistics: TX\):$/m,
    );
  });

  it('/proc/net/dev of the same moments has no carrier: the 2 drops read as the device dropping, lo left out', async () => {
    const r = await diagnoseFiles([captured('veth-peer-down-proc-net-dev.txt')]);
    expect(r.findings.map((f) => [f.kind, f.dev])).toEqual([['device_tx_drops', 'vs8']]);
    expect(r.links!.map((l) => l.dev)).toEqual(['vs8']);
  });

  it('public 62 and 63, one snapshot each with RX errors and a clean TX: no verdict, never healthy', async () => {
    for (const f of [
      '62-ifconfig-em1-rx-errors-unindented-blog.ifconfig.txt',
      '63-ifconfig-old-format-bond-slave-no-name-osnexus.ifconfig.txt',
      '64-netstat-i-nag-met-column-cut-header.netstat.txt',
      '65-netstat-i-flags-bru-tutorial.netstat.txt',
    ]) {
      const r = await diagnoseFiles([pub(f)]);
      expect(r.verdict, f).toBe('unknown');
      expect(r.findings, f).toEqual([]);
      expect(r.coverage.unknownWhy, f).toMatch(
        /link counters \(`ip -s link`, `ifconfig`, `netstat -i`, \/proc\/net\/dev, sysfs statistics\/\)/,
      );
    }
  });

  it('netstat -i twice around the peer going down: U without R is the carrier lost, peer_down with the 2 drops', async () => {
    const r = await diagnoseFiles([captured('veth-peer-down-netstat-i.txt')]);
    expect(r.findings.map((f) => [f.kind, f.severity, f.dev])).toEqual([['peer_down', 'warning', 'vs9']]);
    expect(r.findings[0]!.title).toBe(
      'vs9: carrier lost between two snapshots (<BROADCAST,MULTICAST,UP,NO-CARRIER>); 2 packets dropped by the device, 0 sent',
    );
    // netstat -i shows no operstate and no bytes: the lines say neither rather than `state ?`
    expect(formatVerdict(r)).toMatch(
      /^ {2}vs9 <BROADCAST,MULTICAST,UP,NO-CARRIER> \(.*:5\), over 2 snapshots: packets 307 \(\+0\), dropped 2 \(\+2\), errors 0 \(\+0\)$/m,
    );
    expect(r.links!.map((l) => l.dev)).toEqual(['vs9']);
  });

  it("a device's sysfs files twice (carrier, operstate, statistics/tx_*): carrier 0 is peer_down with the 2 drops", async () => {
    const r = await diagnoseFiles([captured('veth-peer-down-sysfs-statistics.txt')]);
    expect(r.findings.map((f) => [f.kind, f.dev, f.title])).toEqual([
      [
        'peer_down',
        'vs9',
        'vs9: carrier lost between two snapshots (<NO-CARRIER> state DOWN); 2 packets dropped by the device, 0 sent',
      ],
    ]);
  });
});
