/**
 * tg3 (Broadcom Tigon3: BCM57xx, BCM5719/5720) ndo_tx_timeout: tg3_tx_timeout() prints "transmit timed out,
 * resetting", then tg3_dump_state() prints the non-zero register rows ("0x%08x: 0x%08x, 0x%08x, 0x%08x, 0x%08x") and,
 * for each interrupt vector i, two lines (unchanged since tg3_dump_state() came in, 2.6.36):
 *   `%d: Host status block [%08x:%08x:(%04x:%04x:%04x):(%04x:%04x)]` — the status block the NIC DMAs to the host:
 *     status, status_tag, rx_jumbo_consumer, rx_consumer, rx_mini_consumer, idx[0].rx_producer, idx[0].tx_consumer
 *     (the NIC's TX consumer index: descriptors it has sent);
 *   `%d: NAPI info [%08x:%08x:(%04x:%04x:%04x):%04x:(%04x:%04x:%04x:%04x)]` — the driver's view: last_tag,
 *     last_irq_tag, tx_prod (next descriptor the driver fills), tx_cons (next one tg3_tx() reaps), tx_pending (ring
 *     entries in use at most, 511 by default), rx_rcb_ptr and the RX producer-ring indexes.
 * The TX ring has TG3_TX_RING_SIZE = 512 entries. Which vector carries TX queue q: vector q, or q + 1 with TSS
 * (tg3_tx(): `if (tg3_flag(tp, ENABLE_TSS)) index--`), where vector 0 then has no TX ring and prints zeros.
 * One record per dump: the vector with the most descriptors outstanding, with the timeout line and state lines.
 */
import { sameDevice, type DeviceMessage } from '../device.js';
import { hex } from '../numbers.js';
import type { TxTimeoutDumpRecord } from '../types.js';
import type { Cursor } from './cursor.js';
import { build } from './dump.js';

const HEADER_RE = /^transmit timed out, resetting\s*$/;
const STATUS_RE =
  /^(\d+): Host status block \[([0-9a-f]{8}):([0-9a-f]{8}):\([0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4}\):\([0-9a-f]{4}:([0-9a-f]{4})\)\]/;
const NAPI_RE =
  /^(\d+): NAPI info \[([0-9a-f]{8}):([0-9a-f]{8}):\(([0-9a-f]{4}):([0-9a-f]{4}):([0-9a-f]{4})\):[0-9a-f]{4}:\([0-9a-f:]+\)\]/;
const REG_ROW_RE = /^0x[0-9a-f]{8}: 0x[0-9a-f]{8}, 0x[0-9a-f]{8}, 0x[0-9a-f]{8}, 0x[0-9a-f]{8}\s*$/;
/** TG3_TX_RING_SIZE: tx_prod/tx_cons/tx_consumer run modulo this. */
export const TG3_TX_RING_SIZE = 512;
/** Lines of other sources (the register rows, a blogger's `..`, other drivers) tolerated between the state lines. */
const MAX_GAP = 40;

interface Vector {
  status?: bigint;
  statusTag?: bigint;
  hwConsumer?: bigint;
  lastTag?: bigint;
  lastIrqTag?: bigint;
  txProd?: bigint;
  txCons?: bigint;
  txPending?: bigint;
}

/** The per-vector state lines after line `from` of the same device, read into vectors; their line indexes in idx. */
function readState(c: Cursor, from: number, ref: DeviceMessage, idx: number[]): Map<number, Vector> {
  const vectors = new Map<number, Vector>();
  let gap = 0;
  for (let j = from; j < c.lines.length && gap <= MAX_GAP; j++) {
    const m = c.msgs[j]!;
    const mine = sameDevice(m, ref);
    if (c.used[j] || (m.dev !== undefined && !mine)) {
      gap++;
      continue;
    }
    const st = STATUS_RE.exec(m.rest);
    const napi = st ? null : NAPI_RE.exec(m.rest);
    const hit = st ?? napi;
    if (!hit) {
      // register rows and unrelated lines in between are not part of the record and no reason to stop; the
      // device's next other message after the state lines ends the dump
      if (REG_ROW_RE.test(m.rest)) continue;
      if (mine && vectors.size > 0) break;
      gap++;
      continue;
    }
    gap = 0;
    idx.push(j);
    const n = Number(hit[1]);
    const v = vectors.get(n) ?? {};
    vectors.set(n, v);
    if (st) [v.status, v.statusTag, v.hwConsumer] = [hex(st[2]!), hex(st[3]!), hex(st[4]!)];
    else [v.lastTag, v.lastIrqTag, v.txProd, v.txCons, v.txPending] = napi!.slice(2, 7).map((x) => hex(x));
  }
  return vectors;
}

const outstanding = (v: Vector): number =>
  v.txProd !== undefined && v.txCons !== undefined ? Number((v.txProd - v.txCons) & BigInt(TG3_TX_RING_SIZE - 1)) : 0;
const carriesTx = (v: Vector): boolean =>
  (v.txProd ?? 0n) !== 0n || (v.txCons ?? 0n) !== 0n || (v.hwConsumer ?? 0n) !== 0n;

/** The vector that holds the stall: most descriptors outstanding, else the first that carried TX, else vector 0. */
function stalledVector(vectors: Map<number, Vector>): [number, Vector] {
  const all = [...vectors].sort((a, b) => a[0] - b[0]);
  const tx = all.filter(([, v]) => carriesTx(v));
  const pick = tx.reduce<[number, Vector] | undefined>(
    (best, e) => (!best || outstanding(e[1]) > outstanding(best[1]) ? e : best),
    undefined,
  );
  return pick ?? all[0]!;
}

/** tg3_tx_timeout()'s line with the tg3_dump_state() that follows it, or the state lines alone (a cut excerpt). */
export function matchTg3(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const rest = c.msgs[i]!.rest;
  const header = HEADER_RE.test(rest) && c.msgs[i]!.driver === 'tg3';
  if (!header && !(STATUS_RE.test(rest) || NAPI_RE.test(rest))) return null;
  if (!header && c.msgs[i]!.driver !== 'tg3' && c.msgs[i]!.dev === undefined) return null;
  const idx = [i];
  const vectors = readState(c, header ? i + 1 : i, c.msgs[i]!, idx);
  // the header alone (no state lines in the excerpt) is tg3's one-line timeout: the generic matcher's
  if (vectors.size === 0) return null;
  const [vector, v] = stalledVector(vectors);
  const fields: Record<string, bigint> = { vector: BigInt(vector), vectors: BigInt(vectors.size) };
  const put = (k: string, x: bigint | undefined): void => {
    if (x !== undefined) fields[k] = x;
  };
  put('status', v.status);
  put('status_tag', v.statusTag);
  put('tx_consumer', v.hwConsumer);
  put('last_tag', v.lastTag);
  put('last_irq_tag', v.lastIrqTag);
  put('tx_prod', v.txProd);
  put('tx_cons', v.txCons);
  put('tx_pending', v.txPending);
  const rec = build(c, i, idx, 'tg3', fields);
  rec.driver = 'tg3';
  // TSS: vector 0 carries no TX ring, TX queue q is on vector q + 1
  const tss = vector > 0 && !carriesTx(vectors.get(0) ?? {});
  rec.queue = tss ? vector - 1 : vector;
  if (v.hwConsumer !== undefined) rec.hwHead = Number(v.hwConsumer);
  if (v.txProd !== undefined) rec.nextToUse = Number(v.txProd);
  if (v.txCons !== undefined) rec.nextToClean = Number(v.txCons);
  return rec;
}
