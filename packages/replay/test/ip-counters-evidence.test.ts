/**
 * The host's IP and UDP send counters as ENOBUFS evidence (fixtures/captured/ip-counters): IpOutDiscards grown
 * between two snapshots is `ip_out_discards` with the UDP send buffer errors the senders were not told about; the
 * tc snapshot of the same run names the qdisc (its drops equal the discards). One snapshot judges nothing.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnoseFiles } from '../src/diagnose.js';
import { formatVerdict } from '../src/view/text.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = (f: string): string => path.join(root, 'fixtures/captured/ip-counters', f);
const TITLE =
  '622 locally sent IPv4 packet(s) refused below IP of 917 sent (IpOutDiscards); UDP counted 205 send buffer error(s): sockets without IP_RECVERR were told those sends succeeded';

describe('nstat / netstat -s as evidence', () => {
  it('nstat -az before and after (two files): ip_out_discards, 622 of 917, and the 205 UDP sends told success', async () => {
    const r = await diagnoseFiles([captured('tbf-full-nstat-before.txt'), captured('tbf-full-nstat-after.txt')]);
    expect(r.verdict).toBe('warning');
    expect(r.findings.map((f) => [f.kind, f.severity, f.dev, f.title])).toEqual([
      ['ip_out_discards', 'warning', '(IPv4 stack)', TITLE],
    ]);
    expect(formatVerdict(r)).toMatch(
      /^ {2}nstat \(.*tbf-full-nstat-before\.txt:3\), over 2 snapshots: IpOutRequests 919 \(\+917\), IpOutDiscards 622 \(\+622\), UdpOutDatagrams 95 \(\+95\), UdpSndbufErrors 205 \(\+205\)$/m,
    );
  });

  it('netstat -s pasted twice gives the same finding; beside tc -s, the qdisc drops (622) name where', async () => {
    const r = await diagnoseFiles([captured('tbf-full-netstat-s-twice.txt'), captured('tbf-full-tc-after.txt')]);
    expect(r.findings.filter((f) => f.kind === 'ip_out_discards').map((f) => f.title)).toEqual([TITLE]);
    expect(formatVerdict(r)).toMatch(/dropped 622/);
  });

  it('IPv6 the same way (captured: a tbf refused 223 UDP datagrams = Ip6OutDiscards = Udp6SndbufErrors)', async () => {
    const r = await diagnoseFiles([
      captured('tbf-full-ipv6-nstat-before.txt'),
      captured('tbf-full-ipv6-nstat-after.txt'),
    ]);
    // IpOutDiscards stayed 0 in the same snapshots: no IPv4 finding beside the IPv6 one
    expect(r.findings.map((f) => [f.kind, f.dev, f.title])).toEqual([
      [
        'ip_out_discards',
        '(IPv6 stack)',
        '223 locally sent IPv6 packet(s) refused below IP of 301 sent (Ip6OutDiscards); UDP counted 223 send buffer error(s): sockets without IPV6_RECVERR were told those sends succeeded',
      ],
    ]);
  });

  it('one snapshot: totals since boot, no verdict, and the capture that would decide', async () => {
    const r = await diagnoseFiles([captured('tbf-full-nstat-after.txt')]);
    expect([r.verdict, r.findings]).toEqual(['unknown', []]);
    expect(r.coverage.unknownWhy).toMatch(/^the IP and UDP send counters count the packets the stack refused/);
    expect(r.captureAdvice[0]).toMatch(/^beside the IP counters, two qdisc snapshots: tc -s qdisc show; sleep 1/);
  });
});

describe("ping's ENOBUFS line, by which ping printed it", () => {
  const enobufs = (f: string): string => path.join(root, 'fixtures/captured/enobufs-ping', f);
  const pub = (f: string): string => path.join(root, 'fixtures/public', f);

  it('iputils (captured: a pfifo refusing everything; its first error came 19 s and 27 silent retries in)', async () => {
    const r = await diagnoseFiles([enobufs('iputils-refused-by-pfifo.console')]);
    expect(r.verdict).toBe('unknown');
    expect(r.coverage.unknownWhy).toMatch(
      /This is iputils ping: it retries a refused send silently and prints the error only after every send for its linger time \(10 s by default, -W\) was refused/,
    );
  });

  it('busybox (public 28) and netkit (public 29) print it at the first refusal: no such reading', async () => {
    for (const f of ['28-enobufs-ping-sk-wmem-pppoe.console', '29-neigh-overflow-ping-enobufs-2001.console']) {
      const r = await diagnoseFiles([pub(f)]);
      expect(r.coverage.unknownWhy ?? '', f).not.toMatch(/iputils/);
    }
  });

  it('beside a tc snapshot without its device, the advice keeps the DEV placeholder', async () => {
    const r = await diagnoseFiles([enobufs('iputils-refused-by-pfifo-tc.txt')]);
    expect(r.captureAdvice[0]).toMatch(/^take two snapshots: tc -s qdisc show dev DEV; sleep 1/);
  });
});
