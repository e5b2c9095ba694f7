/**
 * ndo_tx_timeout output of older and single-queue drivers, and the one-line timeouts:
 *  - pcnet32_tx_timeout(): "%s: transmit timed out, status %4.4x, resetting" then " Ring data dump: dirty_tx %d
 *    cur_tx %d%s cur_rx %d." and the descriptor words
 *  - bnxt_dump_tx_sw_state(): "[%d]: tx{fw_ring: %d prod: %x cons: %x}" (hex without 0x)
 *  - ena check_missing_comp_in_tx_queue() / check_for_missing_completions()
 *  - OpenWrt mtk_eth_soc mtk_tx_timeout() PDMA ring indexes
 *  - one-liners: tg3_tx_timeout "transmit timed out, resetting", bnxt_tx_timeout "TX timeout detected, starting reset
 *    task!", r8152 "Tx timeout", ipqess "TX timeout on queue %d", out-of-tree r8168 "Transmit timeout reset Device!",
 *    with the ring rows / `name=value` lines old drivers print after them (sundance tx_timeout()).
 */
import { sameDevice } from '../device.js';
import { hex } from '../numbers.js';
import type { TxTimeoutDumpRecord } from '../types.js';
import type { Cursor } from './cursor.js';
import { build, ring } from './dump.js';
import { MLX5_HEADER_RE, MLX5_QUEUE_RE } from './timeoutDumps.js';

const PCNET_RE = /^transmit timed out, status ([0-9a-f]{4}), resetting/;
const RING_DUMP_RE = /Ring data dump: dirty_tx (\d+) cur_tx (\d+)( \(full\))? cur_rx (\d+)/;
const DESC_WORDS_RE = /^\s*(?:[0-9a-f]{8} [0-9a-f]{4} [0-9a-f]{8} [0-9a-f]{4}\s*)+$/;

export function matchPcnet(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const m = PCNET_RE.exec(c.msgs[i]!.rest);
  if (!m) return null;
  const idx = [i];
  const fields: Record<string, bigint> = { CSR0: hex(m[1]!) };
  let j = i + 1;
  const dump = c.lines[j] && !c.used[j] ? RING_DUMP_RE.exec(c.lines[j]!.message) : null;
  if (dump) {
    idx.push(j);
    fields['dirty_tx'] = BigInt(dump[1]!);
    fields['cur_tx'] = BigInt(dump[2]!);
    fields['cur_rx'] = BigInt(dump[4]!);
    if (dump[3]) fields['tx_full'] = 1n;
    for (j++; j < c.lines.length && !c.used[j] && DESC_WORDS_RE.test(c.lines[j]!.message); j++) idx.push(j);
  }
  const rec = build(c, i, idx, 'pcnet32', fields);
  rec.driver = c.msgs[i]!.driver ?? 'pcnet32';
  ring(rec, { nextToUse: 'cur_tx', nextToClean: 'dirty_tx' });
  return rec;
}

const BNXT_RE = /^\[(\d+)(?:\.(\d+))?\]: tx\{fw_ring: (\d+) prod: ([0-9a-f]+) cons: ([0-9a-f]+)\}/;

export function matchBnxt(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const m = BNXT_RE.exec(c.msgs[i]!.rest);
  if (!m) return null;
  const rec = build(c, i, [i], 'bnxt', {
    napi: BigInt(m[1]!),
    fw_ring: BigInt(m[3]!),
    prod: hex(m[4]!),
    cons: hex(m[5]!),
  });
  rec.driver = c.msgs[i]!.driver ?? 'bnxt_en';
  if (m[2] !== undefined) rec.fields['tx_ring'] = BigInt(m[2]);
  ring(rec, { nextToUse: 'prod', nextToClean: 'cons' });
  return rec;
}

// ena check_missing_comp_in_tx_queue(): a TX descriptor not completed within missing_tx_completion_to.
const ENA_MISSING_RE = /^Found a Tx that wasn't completed on time, qid (\d+), index (\d+)/;
// ena check_for_missing_completions(): too many missing completions on one queue → the driver resets the device.
const ENA_LOST_RE = /^The number of lost tx completions is above the threshold \((\d+) > (\d+)\)/;

export function matchEnaMissing(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const lost = ENA_LOST_RE.exec(c.msgs[i]!.rest);
  if (lost) {
    const rec = build(c, i, [i], 'generic', { missed: BigInt(lost[1]!), threshold: BigInt(lost[2]!) });
    rec.driver = c.msgs[i]!.driver ?? 'ena';
    return rec;
  }
  const m = ENA_MISSING_RE.exec(c.msgs[i]!.rest);
  if (!m) return null;
  const rec = build(c, i, [i], 'generic', { qid: BigInt(m[1]!), index: BigInt(m[2]!) });
  rec.driver = c.msgs[i]!.driver ?? 'ena';
  rec.queue = Number(m[1]);
  return rec;
}

// One-line timeouts without ring numbers. Not the ENA/ethtool counter lines (`tx_timeout: 0`).
// OpenWrt ramips mtk_eth_soc mtk_tx_timeout(): "transmit timed out", then "pdma_cfg:%08x" (older "dma_cfg:") and
// "tx_ring=%d, base=%08x, max=%u, ctx=%u, dtx=%u, fdx=%hu, next=%hu": ctx = TX_CTX_IDX0 (CPU index, the tail the
// driver wrote), dtx = TX_DTX_IDX0 (DMA index, the hardware head), fdx = tx_free_idx (driver's clean index),
// next = tx_next_idx (driver's next free slot).
const MTK_CFG_RE = /^(?:p|q)?dma_cfg:\s*([0-9a-f]+)/;
const MTK_RING_RE = /^(?:tx|rx)_ring=\d+, /;

export function matchMtk(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const first = c.msgs[i]!;
  if (!/^transmit timed out\s*$/.test(first.rest)) return null;
  const next = c.msgs[i + 1];
  if (!next || c.used[i + 1] || !sameDevice(next, first) || !MTK_CFG_RE.test(next.rest)) return null;
  const idx = [i];
  const fields: Record<string, bigint> = {};
  for (let j = i + 1; j < c.lines.length && j <= i + 4; j++) {
    const m = c.msgs[j]!;
    if (c.used[j] || !sameDevice(m, first)) break;
    const cfg = MTK_CFG_RE.exec(m.rest);
    if (cfg) fields['dma_cfg'] = hex(cfg[1]!);
    else if (MTK_RING_RE.test(m.rest)) {
      const side = m.rest.startsWith('tx') ? 'tx' : 'rx';
      for (const kv of m.rest.matchAll(/(\w+)=([0-9a-f]+)/g)) {
        if (kv[1]!.endsWith('_ring')) continue;
        // base/pointers print %08x; ring indexes print %u.
        fields[`${side}_${kv[1]}`] =
          kv[1] === 'base' || /^0\d/.test(kv[2]!) || /[a-f]/.test(kv[2]!) ? hex(kv[2]!) : BigInt(kv[2]!);
      }
    } else break;
    idx.push(j);
  }
  const rec = build(c, i, idx, 'mtk_eth', fields);
  rec.driver = first.driver ?? 'mtk_soc_eth';
  ring(rec, { hwTail: 'tx_ctx', hwHead: 'tx_dtx', nextToClean: 'tx_fdx', nextToUse: 'tx_next' });
  return rec;
}

// A descriptor-ring row: index then hex words (`00 2fcbe000 2fcbe010 00008001(00) …`).
const HEX_ROW_RE = /^\s*[0-9a-f]{2,4}:? (?:[0-9a-f]{8}(?:\([0-9a-f]+\))? ?){2,}/;
// A `name=value name=value` debug row.
const EQ_ROW_RE = /^\s*(?:[A-Za-z_]\w*=[0-9a-fA-Fx]+(?:\([0-9a-f]+\))?\s*)+$/;
const GENERIC_RE = /\b(?:tx|transmit)[ _]?(?:timeout|timed out)\b/i;
const NOT_GENERIC_RE = /^tx_timeout: \d+\s*$|recovery|NETDEV WATCHDOG|^tx_timeout count:/i;

export function matchGeneric(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const rest = c.msgs[i]!.rest;
  if (!GENERIC_RE.test(rest) || NOT_GENERIC_RE.test(rest)) return null;
  if (c.msgs[i]!.driver === undefined && c.msgs[i]!.dev === undefined) return null;
  // mlx5e's "TX timeout detected" belongs to the per-queue line after it (matchMlx5 takes both).
  const next = c.msgs[i + 1];
  if (
    MLX5_HEADER_RE.test(rest) &&
    next &&
    !c.used[i + 1] &&
    MLX5_QUEUE_RE.test(next.rest) &&
    sameDevice(next, c.msgs[i]!)
  )
    return null;
  const idx = [i];
  const fields: Record<string, bigint> = {};
  for (let j = i + 1; j < c.lines.length; j++) {
    const mj = c.msgs[j]!;
    const t = c.lines[j]!.message;
    if (c.used[j] || mj.driver !== undefined || mj.dev !== undefined) break;
    if (HEX_ROW_RE.test(t)) {
      idx.push(j);
      continue;
    }
    if (!EQ_ROW_RE.test(t)) break;
    // sundance tx_timeout(): "TxListPtr=%08x netif_queue_stopped=%d", "cur_tx=%d(%02x) dirty_tx=%d(%02x)", …
    idx.push(j);
    for (const m of t.matchAll(/([A-Za-z_]\w*)=([0-9a-fA-Fx]+)/g)) {
      fields[m[1]!] = /ptr|addr/i.test(m[1]!) || !/^\d+$/.test(m[2]!) ? hex(m[2]!) : BigInt(m[2]!);
    }
  }
  const rec = build(c, i, idx, 'generic', fields);
  ring(rec, { nextToUse: 'cur_tx', nextToClean: 'dirty_tx' });
  const q = /\bqueue:? (\d+)/i.exec(rest);
  if (q) rec.queue = Number(q[1]);
  return rec;
}
