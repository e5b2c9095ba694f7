/**
 * Driver ndo_tx_timeout dumps, each mapped onto the common ring view (hwHead/hwTail/nextToUse/nextToClean):
 *  - i40e_tx_timeout():  "tx_timeout: VSI_seid: %d, Q %d, NTC: 0x%x, HWB: 0x%x, NTU: 0x%x, TAIL: 0x%x, INT: 0x%x"
 *  - ice_tx_timeout():   "tx_timeout: VSI_num: %d, Q %u, NTC: 0x%x, HW_HEAD: 0x%x, NTU: 0x%x, INT: 0x%x"
 *  - mlx5e_tx_timeout() / mlx5e_reporter_tx_timeout(): "TX timeout on queue: %d, SQ: 0x%x, CQ: 0x%x, SQ Cons: 0x%x
 *    SQ Prod: 0x%x[, usecs since last trans: %u]" after "TX timeout detected"
 *  - hns3_get_tx_timeo_queue_info() (hns3_enet.c): "queue state: 0x%lx, delta msecs: %u", "tx_timeout count: %llu,
 *    queue id: %d, SW_NTU: 0x%x, SW_NTC: 0x%x, napi state: %lu", "tx_pkts: …", "seg_pkt_cnt: …", "tx_pause_cnt: …",
 *    "BD_NUM: 0x%x HW_HEAD: 0x%x, HW_TAIL: 0x%x, BD_ERR: 0x%x, INT: 0x%x", "RING_EN: 0x%x, TC: 0x%x, FBD_NUM: …"
 *  - virtnet_tx_timeout() (virtio_net.c): "TX timeout on queue: %u, sq: %s, vq: 0x%x, name: %s, %u usecs ago"
 *  - pcnet32_tx_timeout(): "%s: transmit timed out, status %4.4x, resetting" then " Ring data dump: dirty_tx %d
 *    cur_tx %d%s cur_rx %d." and the descriptor words
 *  - bnxt_dump_tx_sw_state(): "[%d]: tx{fw_ring: %d prod: %x cons: %x}" (hex without 0x)
 *  - one-liners: tg3_tx_timeout "transmit timed out, resetting", bnxt_tx_timeout "TX timeout detected, starting reset
 *    task!", r8152 "Tx timeout", ipqess "TX timeout on queue %d", out-of-tree r8168 "Transmit timeout reset Device!".
 */
import { deviceRef, sameDevice } from '../device.js';
import { fieldsOf, hex, keyValues, small } from '../numbers.js';
import type { TxTimeoutDumpRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

type Fmt = TxTimeoutDumpRecord['format'];

function build(c: Cursor, i: number, idx: number[], format: Fmt, fields: Record<string, bigint>): TxTimeoutDumpRecord {
  const msg = c.msgs[i]!;
  return {
    kind: 'tx_timeout_dump',
    ...takeSpan(c, idx),
    ...deviceRef(msg),
    driver: msg.driver ?? (format === 'generic' ? 'unknown' : format),
    format,
    fields,
  };
}

function ring(rec: TxTimeoutDumpRecord, map: Partial<Record<'queue' | 'hwHead' | 'hwTail' | 'nextToUse' | 'nextToClean' | 'count', string>>): void {
  for (const [k, name] of Object.entries(map) as [keyof typeof map, string][]) {
    const v = small(rec.fields[name]);
    if (v !== undefined) rec[k] = v;
  }
}

const I40E_RE = /^tx_timeout: VSI_(seid|num): (\d+), Q (\d+), /;

function matchIntelTimeout(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const rest = c.msgs[i]!.rest;
  const m = I40E_RE.exec(rest);
  if (!m) return null;
  const kv = keyValues(rest);
  kv.set('Q', BigInt(m[3]!));
  const rec = build(c, i, [i], m[1] === 'seid' ? 'i40e' : 'ice', fieldsOf(kv));
  // HWB is i40e's head write-back (i40e_get_head()); ice reads QTX_COMM_HEAD into HW_HEAD.
  ring(rec, { queue: 'Q', hwHead: m[1] === 'seid' ? 'HWB' : 'HW_HEAD', hwTail: 'TAIL', nextToUse: 'NTU', nextToClean: 'NTC' });
  return rec;
}

const MLX5_HEADER_RE = /^TX timeout detected\s*$/;
const MLX5_QUEUE_RE = /^TX timeout on queue: (\d+), SQ: 0x[0-9a-f]+, CQ: 0x[0-9a-f]+, SQ Cons: 0x[0-9a-f]+ SQ Prod: 0x[0-9a-f]+/;

function matchMlx5(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const rest = c.msgs[i]!.rest;
  if (!MLX5_QUEUE_RE.test(rest)) return null;
  const idx = [i];
  // "TX timeout detected" from mlx5e_tx_timeout() heads the per-queue lines; it joins the first queue's record.
  const prev = i - 1;
  if (prev >= 0 && !c.used[prev] && MLX5_HEADER_RE.test(c.msgs[prev]!.rest) && sameDevice(c.msgs[prev]!, c.msgs[i]!)) idx.push(prev);
  const kv = keyValues(rest);
  const rec = build(c, i, idx, 'mlx5e', fieldsOf(kv));
  rec.driver = c.msgs[i]!.driver ?? 'mlx5_core';
  ring(rec, { queue: 'TX timeout on queue', nextToUse: 'SQ Prod', nextToClean: 'SQ Cons' });
  const us = small(kv.get('usecs since last trans'));
  if (us !== undefined) rec.sinceLastTransUs = us;
  return rec;
}

// hns3_get_timeout_queue() may print "DQL info last_cnt: …" (BQL state) and "queue state: …" before the dump.
const HNS3_START_RE = /^(?:DQL info last_cnt: \d+|queue state: 0x[0-9a-f]+, delta msecs: \d+|tx_timeout count: \d+, queue id: \d+)/;
const HNS3_PART_RE = /^(?:queue state:|tx_timeout count:|tx_pkts:|seg_pkt_cnt:|tx_pause_cnt:|tx_push:|BD_NUM:|RING_EN:)/;

function matchHns3(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const first = c.msgs[i]!;
  if (!HNS3_START_RE.test(first.rest)) return null;
  const idx = [i];
  const kv = keyValues(first.rest);
  // The dump is several netdev_info() lines from one device; up to three lines of other sources may come between
  // two of them (the OOM killer's task list does, in a real hns3 log under memory pressure).
  let others = 0;
  for (let j = i + 1; j < c.lines.length && others <= 3; j++) {
    if (c.used[j]) break;
    const m = c.msgs[j]!;
    const bare = m.driver === undefined && m.dev === undefined && first.driver === undefined && first.dev === undefined;
    if (!sameDevice(m, first) && !bare) {
      others++;
      continue;
    }
    if (!HNS3_PART_RE.test(m.rest)) break;
    if (m.rest.startsWith('tx_timeout count:') && kv.has('tx_timeout count')) break;
    if (m.rest.startsWith('queue state:') && kv.has('queue state')) break;
    idx.push(j);
    others = 0;
    for (const [k, v] of keyValues(m.rest)) kv.set(k, v);
  }
  const rec = build(c, i, idx, 'hns3', fieldsOf(kv));
  rec.driver = first.driver ?? 'hns3';
  ring(rec, { queue: 'queue id', hwHead: 'HW_HEAD', hwTail: 'HW_TAIL', nextToUse: 'SW_NTU', nextToClean: 'SW_NTC', count: 'tx_timeout count' });
  const ms = small(kv.get('delta msecs'));
  if (ms !== undefined) rec.sinceLastTransUs = ms * 1000;
  return rec;
}

const VIRTIO_RE = /^TX timeout on queue: (\d+), sq: (\S+), vq: 0x([0-9a-f]+), name: (\S+), (\d+) usecs ago/;

function matchVirtio(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const m = VIRTIO_RE.exec(c.msgs[i]!.rest);
  if (!m) return null;
  const rec = build(c, i, [i], 'virtio_net', { queue: BigInt(m[1]!), vq: hex(m[3]!), usecsAgo: BigInt(m[5]!) });
  rec.driver = c.msgs[i]!.driver ?? 'virtio_net';
  rec.queue = Number(m[1]);
  rec.sinceLastTransUs = Number(m[5]);
  return rec;
}

const PCNET_RE = /^transmit timed out, status ([0-9a-f]{4}), resetting/;
const RING_DUMP_RE = /Ring data dump: dirty_tx (\d+) cur_tx (\d+)( \(full\))? cur_rx (\d+)/;
const DESC_WORDS_RE = /^\s*(?:[0-9a-f]{8} [0-9a-f]{4} [0-9a-f]{8} [0-9a-f]{4}\s*)+$/;

function matchPcnet(c: Cursor, i: number): TxTimeoutDumpRecord | null {
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

function matchBnxt(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const m = BNXT_RE.exec(c.msgs[i]!.rest);
  if (!m) return null;
  const rec = build(c, i, [i], 'bnxt', { napi: BigInt(m[1]!), fw_ring: BigInt(m[3]!), prod: hex(m[4]!), cons: hex(m[5]!) });
  rec.driver = c.msgs[i]!.driver ?? 'bnxt_en';
  if (m[2] !== undefined) rec.fields['tx_ring'] = BigInt(m[2]);
  ring(rec, { nextToUse: 'prod', nextToClean: 'cons' });
  return rec;
}

// ena check_missing_comp_in_tx_queue(): a TX descriptor not completed within missing_tx_completion_to.
const ENA_MISSING_RE = /^Found a Tx that wasn't completed on time, qid (\d+), index (\d+)/;
// ena check_for_missing_completions(): too many missing completions on one queue → the driver resets the device.
const ENA_LOST_RE = /^The number of lost tx completions is above the threshold \((\d+) > (\d+)\)/;

function matchEnaMissing(c: Cursor, i: number): TxTimeoutDumpRecord | null {
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

function matchMtk(c: Cursor, i: number): TxTimeoutDumpRecord | null {
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
        fields[`${side}_${kv[1]}`] = kv[1] === 'base' || /^0\d/.test(kv[2]!) || /[a-f]/.test(kv[2]!) ? hex(kv[2]!) : BigInt(kv[2]!);
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

function matchGeneric(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const rest = c.msgs[i]!.rest;
  if (!GENERIC_RE.test(rest) || NOT_GENERIC_RE.test(rest)) return null;
  if (c.msgs[i]!.driver === undefined && c.msgs[i]!.dev === undefined) return null;
  // mlx5e's "TX timeout detected" belongs to the per-queue line after it (matchMlx5 takes both).
  const next = c.msgs[i + 1];
  if (MLX5_HEADER_RE.test(rest) && next && !c.used[i + 1] && MLX5_QUEUE_RE.test(next.rest) && sameDevice(next, c.msgs[i]!)) return null;
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

/** Specific dump formats first; the generic one-liner last. */
export const TX_TIMEOUT_MATCHERS = [matchIntelTimeout, matchMlx5, matchHns3, matchVirtio, matchPcnet, matchBnxt, matchEnaMissing, matchMtk, matchGeneric];
