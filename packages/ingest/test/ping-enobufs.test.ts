/**
 * An application's ENOBUFS line names the ping that printed it, from the console's other lines: iputils (captured
 * here: fixtures/captured/enobufs-ping, `sendmsg:` and `56(84) bytes of data`) retries refused sends silently and
 * prints the error only after its linger time; busybox (public 28) and netkit (public 29) print it at once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseKernelLog } from '../src/parse/kernel-log/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const enobufsOf = (file: string): { program?: string; call?: string; ping?: string }[] =>
  parseKernelLog(readFileSync(path.join(root, file), 'utf8'))
    .records.filter((r) => r.kind === 'app_enobufs')
    .map((r) => (r.kind === 'app_enobufs' ? { program: r.program, call: r.call, ping: r.ping } : {}));

describe("ping's ENOBUFS line", () => {
  it('iputils 20221126 (sendmsg), three lines', () => {
    expect(enobufsOf('fixtures/captured/enobufs-ping/iputils-refused-by-pfifo.console')).toEqual(
      Array(3).fill({ program: 'ping', call: 'sendmsg', ping: 'iputils' }),
    );
  });

  it('busybox on OpenWrt (public 28: `seq = 0`) and netkit on 2.4.9 (public 29: `56 data bytes`)', () => {
    for (const f of ['28-enobufs-ping-sk-wmem-pppoe.console', '29-neigh-overflow-ping-enobufs-2001.console'])
      expect(enobufsOf(`fixtures/public/${f}`), f).toEqual([{ program: 'ping', call: 'sendto', ping: 'other' }]);
  });
});
