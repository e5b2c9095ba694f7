/**
 * sky2 (Marvell Yukon 2) ndo_tx_timeout: sky2_tx_timeout() prints "tx timeout" and
 *   `transmit ring %u .. %u report=%u done=%u` — sky2->tx_cons (next list element the driver reaps), sky2->tx_prod
 *   (next one it fills), the status unit's TX report index (STAT_TXA1_RIDX/STAT_TXA2_RIDX: how far the NIC has told
 *   the host it sent) and the TX queue's done index (Q_DONE: how far its DMA has gone).
 * The 2.6.1x driver printed with PFX "sky2 " and the bare interface name ("sky2 eth0: …") and added its own verdict
 * on an unprefixed line: "status burst pending (irq moderation?)" (report ≠ done), "status report lost?"
 * (report ≠ tx_cons) or "hardware hung? flushing"; later ones print through netdev_printk() and restart the port.
 */
import type { TxTimeoutDumpRecord } from '../types.js';
import type { Cursor } from './cursor.js';
import { build } from './dump.js';

const RING_RE = /^(?:sky2 )?(?:(\w[\w.-]*): )?transmit ring (\d+) \.\. (\d+) report=(\d+) done=(\d+)\s*$/;
const HEADER_RE = /^(?:sky2 )?(?:(\w[\w.-]*): )?tx timeout\s*$/;
const VERDICT_RE =
  /^(?:sky2 )?(status burst pending \(irq moderation\?\)|status report lost\?|hardware hung\? flushing)\s*$/;

/** The interface a sky2 line names: the netdev_printk() prefix, or the 2.6.1x "sky2 eth0: " one in the message. */
const devOf = (c: Cursor, i: number, m: RegExpExecArray): string | undefined => c.msgs[i]!.dev ?? m[1];

export function matchSky2(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  let at = i;
  const head = HEADER_RE.exec(c.msgs[i]!.rest);
  if (head) at = i + 1;
  const m = at < c.lines.length && !c.used[at] ? RING_RE.exec(c.msgs[at]!.rest) : null;
  if (!m) return null;
  const msg = c.msgs[at]!;
  if (msg.driver !== undefined && msg.driver !== 'sky2') return null;
  const dev = devOf(c, at, m);
  if (head && (devOf(c, i, head) !== dev || (c.msgs[i]!.driver ?? 'sky2') !== 'sky2')) return null;
  const idx = head ? [i, at] : [at];
  const verdict = at + 1 < c.lines.length && !c.used[at + 1] ? VERDICT_RE.exec(c.msgs[at + 1]!.rest) : null;
  if (verdict) idx.push(at + 1);
  const rec = build(c, at, idx, 'sky2', {
    tx_cons: BigInt(m[2]!),
    tx_prod: BigInt(m[3]!),
    report: BigInt(m[4]!),
    done: BigInt(m[5]!),
  });
  rec.driver = 'sky2';
  if (dev !== undefined) rec.dev = dev;
  rec.nextToClean = Number(m[2]);
  rec.nextToUse = Number(m[3]);
  rec.hwHead = Number(m[5]);
  if (verdict) rec.driverVerdict = verdict[1]!;
  return rec;
}
