/**
 * Intel's 700/800-series NICs check what a driver puts on a TX (or RX) queue — Malicious Driver Detection — and
 * disable the queue when a descriptor or packet breaks their rules. i40e_handle_mdd_event() prints `Malicious Driver
 * Detection event 0x02 on TX queue 0 PF number 0x01 VF number 0x00` and, when the PF's own driver sent it, `TX driver
 * issue detected, PF reset issued`; ice prints `Malicious Driver Detection event 7 on TX queue 113 PF# 0 VF# 0`. ESXi's
 * native i40en logs the same words from i40en_HandleMddEvent (the vmkernel envelope takes its tag off; the raw line
 * names the module).
 */
import type { MddEventRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const MDD_RE =
  /^Malicious Driver Detection event (\S+) on (TX|RX) queue (\d+)(?:,? PF(?: number |# ?)(\S+) VF(?: number |# ?)(\S+))?/i;
const PF_RESET_RE = /^(?:TX|RX) driver issue detected, PF reset issued/i;
/** ESXi: `cpu50:66340)i40en: i40en_HandleMddEvent:6829: …` — the module before the function tag */
const VMK_MODULE_RE = /\)(\w+): \w+:\d+: /;

const num = (s: string | undefined): number | undefined =>
  s === undefined ? undefined : s.startsWith('0x') ? parseInt(s.slice(2), 16) : Number(s);

// ice_handle_mdd_event() names whose registers flagged it, ice_mdd_vf_print() the VF with its count
const ON_RE = /^Malicious Driver Detection event \S+ detected on (PF|VF)(?: (\d+))?/i;
const VF_COUNT_RE = /^\d+ (?:Tx|Rx) Malicious Driver Detection events detected on PF \d+ VF (\d+)/i;

export function matchMdd(c: Cursor, i: number): MddEventRecord | null {
  const msg = c.msgs[i]!;
  const m = MDD_RE.exec(msg.rest);
  if (!m) return null;
  const idx = [i];
  let pfReset = false;
  let vfNamed: number | undefined;
  // the lines right after it from the same device: i40e's PF reset, ice's "detected on PF/VF N"
  for (let j = i + 1; j < c.lines.length && j <= i + 4 && !c.used[j]; j++) {
    const rest = c.msgs[j]!.rest;
    const on = ON_RE.exec(rest);
    const count = VF_COUNT_RE.exec(rest);
    if (PF_RESET_RE.test(rest)) pfReset = true;
    else if (on) vfNamed = on[1]!.toUpperCase() === 'VF' && on[2] !== undefined ? Number(on[2]) : vfNamed;
    else if (count) vfNamed = Number(count[1]);
    else break;
    idx.push(j);
  }
  const rec: MddEventRecord = {
    kind: 'mdd_event',
    ...takeSpan(c, idx),
    direction: m[2]!.toUpperCase() === 'TX' ? 'tx' : 'rx',
    queue: Number(m[3]),
    event: m[1]!,
    pfReset,
    text: m[0],
  };
  const driver = msg.driver ?? VMK_MODULE_RE.exec(c.lines[i]!.raw)?.[1];
  if (driver !== undefined) rec.driver = driver;
  if (msg.busId !== undefined) rec.busId = msg.busId;
  if (msg.dev !== undefined) rec.dev = msg.dev;
  const pf = num(m[4]);
  const vf = num(m[5]);
  if (pf !== undefined && !Number.isNaN(pf)) rec.pf = pf;
  if (vf !== undefined && !Number.isNaN(vf)) rec.vf = vf;
  if (vfNamed !== undefined) {
    rec.vf = vfNamed;
    rec.fromVf = true;
  }
  return rec;
}
