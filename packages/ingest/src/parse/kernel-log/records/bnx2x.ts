/**
 * bnx2x (Broadcom/QLogic/Marvell NetXtreme II 10G, BCM57710–57840) crash dump: bnx2x_panic() → bnx2x_panic_dump()
 * prints, behind BNX2X_ERR's `[function:line(dev)]` tag, "begin crash dump -----------------", per fastpath the RX and
 * the TX indexes of each class of service —
 *   `fp%d: tx_pkt_prod(0x%x)  tx_pkt_cons(0x%x)  tx_bd_prod(0x%x)  tx_bd_cons(0x%x)  *tx_cons_sb(0x%x)`
 * (packets the driver posted, packets it reaped, the same in buffer descriptors, and the packet consumer the chip last
 * wrote into the fastpath's status block) — and "end crash dump". A panic comes from the driver's own checks, most
 * often bnx2x_stats_update(): "storm stats were not updated for %d times" then "driver assert": the chip's firmware
 * (its storm processors) stopped answering. Classes of service that are not in use print all zeros.
 * Mail clients wrap these long lines: a message continues over the envelope-less lines after it.
 */
import { deviceRef } from '../device.js';
import { small } from '../numbers.js';
import type { TxTimeoutDumpRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const TAG_RE = /\[bnx2x_(\w+):\d+\(([\w.-]+)\)\]/;
const TRIGGER_RE =
  /\[bnx2x_(?:stats_update|panic_dump):\d+\(([\w.-]+)\)\]\s*(?:storm stats were not updated for (\d+) times|begin crash dump)/;
const TX_RE =
  /fp(\d+): tx_pkt_prod\(0x([0-9a-f]+)\)\s+tx_pkt_cons\(0x([0-9a-f]+)\)\s+tx_bd_prod\(0x([0-9a-f]+)\)\s+tx_bd_cons\(0x([0-9a-f]+)\)\s+\*tx_cons_sb\(0x([0-9a-f]+)\)/;
/** Lines of one dump may be separated by the unprefixed SM[…]/INDEX[…] rows and other noise. */
const MAX_GAP = 80;
/** The 16-bit packet indexes of the fastpath. */
const U16 = 0x10000;

/** Line i's message with the envelope-less lines that continue it (a mail client's wrap), and their indexes. */
function joined(c: Cursor, i: number): { text: string; idx: number[] } {
  const idx = [i];
  let text = c.lines[i]!.message.trim();
  for (let j = i + 1; j < c.lines.length && j <= i + 6 && c.lines[j]!.continuation && !c.used[j]; j++) {
    text += ` ${c.lines[j]!.message.trim()}`;
    idx.push(j);
  }
  return { text, idx };
}

interface TxIndexes {
  fp: number;
  prod: number;
  cons: number;
  sb: number;
  bdProd: number;
  bdCons: number;
}

const posted = (q: TxIndexes): number => (q.prod - q.cons + U16) % U16;

/** The dump's TX lines of `dev` from line `from` on, with the indexes of the lines taken. */
function readDump(c: Cursor, from: number, dev: string, idx: number[]): { queues: TxIndexes[]; asserted: boolean } {
  const queues: TxIndexes[] = [];
  let asserted = false;
  let gap = 0;
  for (let j = from; j < c.lines.length && gap <= MAX_GAP; j++) {
    if (c.used[j] || c.lines[j]!.continuation) continue;
    const { text, idx: taken } = joined(c, j);
    const tag = TAG_RE.exec(text);
    if (!tag || tag[2] !== dev) {
      gap++;
      continue;
    }
    gap = 0;
    idx.push(...taken);
    if (/\]\s*driver assert/.test(text)) asserted = true;
    const tx = TX_RE.exec(text);
    if (tx) {
      const [fp, prod, cons, bdProd, bdCons, sb] = tx
        .slice(1)
        .map((x, k) => (k === 0 ? Number(x) : Number.parseInt(x, 16)));
      // an unused class of service prints zeros
      if (prod || cons || sb || bdProd || bdCons)
        queues.push({ fp: fp!, prod: prod!, cons: cons!, sb: sb!, bdProd: bdProd!, bdCons: bdCons! });
    }
    if (/end crash dump/.test(text)) break;
  }
  return { queues, asserted };
}

export function matchBnx2xPanic(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  if (c.lines[i]!.continuation) return null;
  const head = joined(c, i);
  const m = TRIGGER_RE.exec(head.text);
  if (!m) return null;
  const dev = m[1]!;
  const idx = [...head.idx];
  const { queues, asserted } = readDump(c, head.idx[head.idx.length - 1]! + 1, dev, idx);
  if (queues.length === 0 && m[2] === undefined) return null;
  const stuck = queues.filter((q) => posted(q) > 0);
  const fields: Record<string, bigint> = {
    tx_queues: BigInt(queues.length),
    tx_queues_stuck: BigInt(stuck.length),
    // queues where the chip had reported completions the driver had not reaped yet
    tx_queues_unreaped: BigInt(queues.filter((q) => q.sb !== q.cons).length),
  };
  if (stuck.length > 0) {
    fields['posted_min'] = BigInt(Math.min(...stuck.map(posted)));
    fields['posted_max'] = BigInt(Math.max(...stuck.map(posted)));
  }
  if (m[2] !== undefined) fields['storm_stats_missed'] = BigInt(m[2]);
  if (asserted) fields['driver_assert'] = 1n;
  const worst = queues.reduce<TxIndexes | undefined>((w, q) => (!w || posted(q) > posted(w) ? q : w), undefined);
  const rec: TxTimeoutDumpRecord = {
    kind: 'tx_timeout_dump',
    ...takeSpan(c, idx),
    ...deviceRef(c.msgs[i]!),
    dev,
    driver: 'bnx2x',
    format: 'bnx2x_panic',
    fields,
  };
  if (worst) {
    Object.assign(fields, {
      fp: BigInt(worst.fp),
      tx_pkt_prod: BigInt(worst.prod),
      tx_pkt_cons: BigInt(worst.cons),
      tx_cons_sb: BigInt(worst.sb),
      tx_bd_prod: BigInt(worst.bdProd),
      tx_bd_cons: BigInt(worst.bdCons),
    });
    rec.nextToUse = worst.prod;
    rec.nextToClean = worst.cons;
    rec.hwHead = worst.sb;
    // one stuck ring names its queue; the chip stopping on every ring is not one queue's
    if (Number(fields['tx_queues_stuck']) === 1) rec.queue = small(BigInt(worst.fp))!;
  }
  return rec;
}
