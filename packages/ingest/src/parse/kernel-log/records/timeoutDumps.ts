/**
 * ndo_tx_timeout dumps of current multi-queue drivers, mapped onto the ring view (hwHead/hwTail/nextToUse/nextToClean):
 *  - i40e_tx_timeout():  "tx_timeout: VSI_seid: %d, Q %d, NTC: 0x%x, HWB: 0x%x, NTU: 0x%x, TAIL: 0x%x, INT: 0x%x"
 *  - ice_tx_timeout():   "tx_timeout: VSI_num: %d, Q %u, NTC: 0x%x, HW_HEAD: 0x%x, NTU: 0x%x, INT: 0x%x"
 *  - mlx5e_tx_timeout() / mlx5e_reporter_tx_timeout(): "TX timeout on queue: %d, SQ: 0x%x, CQ: 0x%x, SQ Cons: 0x%x
 *    SQ Prod: 0x%x[, usecs since last trans: %u]" after "TX timeout detected"
 *  - hns3_get_tx_timeo_queue_info() (hns3_enet.c): "queue state: 0x%lx, delta msecs: %u", "tx_timeout count: %llu,
 *    queue id: %d, SW_NTU: 0x%x, SW_NTC: 0x%x, napi state: %lu", "tx_pkts: …", "seg_pkt_cnt: …", "tx_pause_cnt: …",
 *    "BD_NUM: 0x%x HW_HEAD: 0x%x, HW_TAIL: 0x%x, BD_ERR: 0x%x, INT: 0x%x", "RING_EN: 0x%x, TC: 0x%x, FBD_NUM: …"
 *  - virtnet_tx_timeout() (virtio_net.c): "TX timeout on queue: %u, sq: %s, vq: 0x%x, name: %s, %u usecs ago"
 */
import { sameDevice } from '../device.js';
import { fieldsOf, hex, keyValues, small } from '../numbers.js';
import type { TxTimeoutDumpRecord } from '../types.js';
import type { Cursor } from './cursor.js';
import { build, ring } from './dump.js';

const I40E_RE = /^tx_timeout: VSI_(seid|num): (\d+), Q (\d+), /;

export function matchIntelTimeout(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const rest = c.msgs[i]!.rest;
  const m = I40E_RE.exec(rest);
  if (!m) return null;
  const kv = keyValues(rest);
  kv.set('Q', BigInt(m[3]!));
  const rec = build(c, i, [i], m[1] === 'seid' ? 'i40e' : 'ice', fieldsOf(kv));
  // HWB is i40e's head write-back (i40e_get_head()); ice reads QTX_COMM_HEAD into HW_HEAD.
  ring(rec, {
    queue: 'Q',
    hwHead: m[1] === 'seid' ? 'HWB' : 'HW_HEAD',
    hwTail: 'TAIL',
    nextToUse: 'NTU',
    nextToClean: 'NTC',
  });
  return rec;
}

export const MLX5_HEADER_RE = /^TX timeout detected\s*$/;
export const MLX5_QUEUE_RE =
  /^TX timeout on queue: (\d+), SQ: 0x[0-9a-f]+, CQ: 0x[0-9a-f]+, SQ Cons: 0x[0-9a-f]+ SQ Prod: 0x[0-9a-f]+/;

export function matchMlx5(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const rest = c.msgs[i]!.rest;
  if (!MLX5_QUEUE_RE.test(rest)) return null;
  const idx = [i];
  // "TX timeout detected" from mlx5e_tx_timeout() heads the per-queue lines; it joins the first queue's record.
  const prev = i - 1;
  if (prev >= 0 && !c.used[prev] && MLX5_HEADER_RE.test(c.msgs[prev]!.rest) && sameDevice(c.msgs[prev]!, c.msgs[i]!))
    idx.push(prev);
  const kv = keyValues(rest);
  const rec = build(c, i, idx, 'mlx5e', fieldsOf(kv));
  rec.driver = c.msgs[i]!.driver ?? 'mlx5_core';
  ring(rec, { queue: 'TX timeout on queue', nextToUse: 'SQ Prod', nextToClean: 'SQ Cons' });
  const us = small(kv.get('usecs since last trans'));
  if (us !== undefined) rec.sinceLastTransUs = us;
  return rec;
}

// hns3_get_timeout_queue() may print "DQL info last_cnt: …" (BQL state) and "queue state: …" before the dump.
const HNS3_START_RE =
  /^(?:DQL info last_cnt: \d+|queue state: 0x[0-9a-f]+, delta msecs: \d+|tx_timeout count: \d+, queue id: \d+)/;
const HNS3_PART_RE =
  /^(?:queue state:|tx_timeout count:|tx_pkts:|seg_pkt_cnt:|tx_pause_cnt:|tx_push:|BD_NUM:|RING_EN:)/;

export function matchHns3(c: Cursor, i: number): TxTimeoutDumpRecord | null {
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
  ring(rec, {
    queue: 'queue id',
    hwHead: 'HW_HEAD',
    hwTail: 'HW_TAIL',
    nextToUse: 'SW_NTU',
    nextToClean: 'SW_NTC',
    count: 'tx_timeout count',
  });
  const ms = small(kv.get('delta msecs'));
  if (ms !== undefined) rec.sinceLastTransUs = ms * 1000;
  return rec;
}

const VIRTIO_RE = /^TX timeout on queue: (\d+), sq: (\S+), vq: 0x([0-9a-f]+), name: (\S+), (\d+) usecs ago/;

export function matchVirtio(c: Cursor, i: number): TxTimeoutDumpRecord | null {
  const m = VIRTIO_RE.exec(c.msgs[i]!.rest);
  if (!m) return null;
  const rec = build(c, i, [i], 'virtio_net', { queue: BigInt(m[1]!), vq: hex(m[3]!), usecsAgo: BigInt(m[5]!) });
  rec.driver = c.msgs[i]!.driver ?? 'virtio_net';
  rec.queue = Number(m[1]);
  rec.sinceLastTransUs = Number(m[5]);
  return rec;
}
