/**
 * Intel TX hang dumps, one multi-line printk each:
 *  - "Detected Tx Unit Hang" from igb_clean_tx_irq() (igb_main.c), ixgbe_clean_tx_irq()/ixgbe_pf_handle_tx_hang()
 *    (ixgbe_main.c, " (XDP)" suffix on XDP rings in 4.15–5.x), e1000_clean_tx_irq() (e1000_main.c), fm10k_clean_tx_irq(),
 *    igc_clean_tx_irq(): `Tx Queue <%d>`, `TDH <%x>`, `TDT <%x>` (ixgbe/fm10k: `TDH, TDT <%x>, <%x>`),
 *    `next_to_use <%x>`, `next_to_clean <%x>`, `buffer_info[next_to_clean]`, `time_stamp <%lx>`,
 *    `next_to_watch <%p|%x>`, `jiffies <%lx>`, `desc.status <%x>` / `next_to_watch.status <%x>`;
 *  - "Detected Hardware Unit Hang:" from e1000_print_hw_hang() (e1000e netdev.c), which adds
 *    `MAC Status`, `PHY Status`, `PHY 1000BASE-T Status`, `PHY Extended Status`, `PCI Status`.
 * The field lines come either as continuation lines (dmesg from /dev/kmsg, journalctl) or each with the header's
 * envelope repeated (syslog, busybox dmesg); both are read.
 */
import { deviceRef } from '../device.js';
import { hex, small } from '../numbers.js';
import type { TxHangDumpRecord } from '../types.js';
import { sameMessage, takeSpan, type Cursor } from './cursor.js';

const HEADER_RE = /^Detected (Tx Unit|Hardware Unit) Hang( \(XDP\))?:?\s*$/;
const FIELD_RE =
  /^\s*([A-Za-z_][\w .\-]*?(?:, ?[A-Za-z_][\w.]*)?)\s*<(?:0x)?([0-9a-fA-F]+)>(?:,\s*<(?:0x)?([0-9a-fA-F]+)>)?\s*$/;
const SUBHEAD_RE = /^\s*(?:tx_)?buffer_info\[next_to_clean\]:?\s*$/;

/** Field names as the drivers print them; `Tx Queue` is the only decimal one (%d / %lu). */
const DECIMAL = new Set(['Tx Queue']);

// The whole dump on one line (flattened paste): `Detected Hardware Unit Hang: TDH <36> TDT <36> …`.
const FLAT_RE = /^Detected (Tx Unit|Hardware Unit) Hang( \(XDP\))?:?\s+(.*<[0-9a-fA-F]+>.*)$/;
const FIELD_G =
  /([A-Za-z_][\w .\-]*?(?:, ?[A-Za-z_][\w.]*)?)\s*<(?:0x)?([0-9a-fA-F]+)>(?:,\s*<(?:0x)?([0-9a-fA-F]+)>)?/g;

function addField(fields: Record<string, bigint>, rawKey: string, v1: string, v2: string | undefined): void {
  const key = rawKey.trim();
  if (v2 !== undefined && key.includes(',')) {
    // `TDH, TDT <93>, <9d>` (ixgbe, fm10k): two registers on one line.
    const [k1, k2] = key.split(',').map((k) => k.trim()) as [string, string];
    fields[k1] = hex(v1);
    fields[k2] = hex(v2);
  } else {
    fields[key] = DECIMAL.has(key) ? BigInt(v1) : hex(v1);
  }
}

export function matchIntelHang(c: Cursor, i: number): TxHangDumpRecord | null {
  const msg = c.msgs[i]!;
  const flat = FLAT_RE.exec(msg.rest);
  if (flat) {
    const fields: Record<string, bigint> = {};
    for (const f of flat[3]!.matchAll(FIELD_G)) addField(fields, f[1]!.replace(/^.*\]:?\s*/, ''), f[2]!, f[3]);
    return finish(
      c,
      i,
      [i],
      flat[1] === 'Tx Unit' ? 'tx_unit_hang' : 'hardware_unit_hang',
      Boolean(flat[2]),
      false,
      fields,
    );
  }
  const h = HEADER_RE.exec(msg.rest);
  if (!h) {
    // A dump whose header was cut away (grep, a trimmed paste) still starts with `Tx Queue` or `TDH`.
    const f = FIELD_RE.exec(c.lines[i]!.message);
    if (!f || !/^(?:Tx Queue|TDH)\b/.test(f[1]!.trim())) return null;
  }
  const idx = h ? [i] : [];
  const fields: Record<string, bigint> = {};
  for (let j = h ? i + 1 : i; j < c.lines.length; j++) {
    if (c.used[j]) break;
    const text = c.lines[j]!.message;
    if (!sameMessage(c, i, j)) break;
    if (SUBHEAD_RE.test(text)) {
      idx.push(j);
      continue;
    }
    const f = FIELD_RE.exec(text);
    if (!f) break;
    idx.push(j);
    addField(fields, f[1]!, f[2]!, f[3]);
  }
  const variant = (h ? h[1] === 'Tx Unit' : fields['Tx Queue'] !== undefined) ? 'tx_unit_hang' : 'hardware_unit_hang';
  return finish(c, i, idx, variant, Boolean(h?.[2]), !h, fields);
}

function finish(
  c: Cursor,
  i: number,
  idx: number[],
  variant: TxHangDumpRecord['variant'],
  xdp: boolean,
  headerless: boolean,
  fields: Record<string, bigint>,
): TxHangDumpRecord {
  const msg = c.msgs[i]!;
  const rec: TxHangDumpRecord = {
    kind: 'tx_hang_dump',
    ...takeSpan(c, idx),
    ...deviceRef(msg),
    driver: msg.driver ?? 'unknown',
    variant,
    fields,
  };
  if (headerless) rec.headerless = true;
  if (xdp) rec.xdp = true;
  const set = <K extends 'queue' | 'hwHead' | 'hwTail' | 'nextToUse' | 'nextToClean'>(k: K, name: string): void => {
    const v = small(fields[name]);
    if (v !== undefined) rec[k] = v;
  };
  set('queue', 'Tx Queue');
  set('hwHead', 'TDH');
  set('hwTail', 'TDT');
  set('nextToUse', 'next_to_use');
  set('nextToClean', 'next_to_clean');
  if (fields['time_stamp'] !== undefined) rec.timeStampJiffies = fields['time_stamp'];
  if (fields['jiffies'] !== undefined) rec.jiffies = fields['jiffies'];
  if (fields['next_to_watch'] !== undefined) rec.nextToWatch = fields['next_to_watch'];
  return rec;
}
