/**
 * Link changes, driver resets / recovery steps, and neighbour table overflow.
 *  - Link: Intel "NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX/TX" (igb_watchdog_task, e1000e_print_link_info,
 *    ixgbe_watchdog_link_is_up "NIC Link is Up 10 Gbps, Flow Control: …"), "NIC Link is Down"; phylib
 *    phy_print_status() "Link is Up - 1Gbps/Full - flow control rx/tx", "Link is Down"; tg3_link_report() "Link is up at
 *    1000 Mbps, full duplex", "Link is down"; r8169/mlx5 "link up"/"Link down".
 *  - Recovery: i40e/ice "tx_timeout recovery level %d, txqueue %d" (older "hung_queue %d"), i40e "tx_timeout recovery
 *    unsuccessful"; mlx5e_health_channel_eq_recover() "Recover(ed) %d eqes on EQ 0x%x"; mlx5e "failed recovering from
 *    a tx_timeout"; ixgbe/fm10k "tx hang %d detected on queue %d, resetting adapter|interface"; e1000e "Reset adapter
 *    unexpectedly"; stmmac "Reset adapter."; "initiating reset due to tx timeout"; ixgbe "initiating reset to clear Tx work
 *    after link loss" (a reset for a link that dropped with TX work queued, not for a hang); ena "Trigger reset is on"; Realtek
 *    out-of-tree r8125/r8168 "Device reseting!".
 *  - neigh_alloc(): "neighbour: %s: neighbor table overflow!" (older "Neighbour table overflow.").
 */
import { deviceRef, sameDevice } from '../device.js';
import type { AppEnobufsRecord, LinkChangeRecord, NeighOverflowRecord, TxRecoveryRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const INTEL_LINK_RE =
  /^(?:[\w-]+: )?(?:(\S+) )?NIC Link is (Up|Down)(?: (\d+) (Mbps|Gbps))?,?(?: (Full|Half) Duplex)?(?:,? Flow Control: ([\w/]+))?/;
const PHY_LINK_RE = /^Link is (Up|Down)(?: - (\d+)(Mbps|Gbps)\/(Full|Half)(?: - flow control (\S+))?)?/;
const SIMPLE_LINK_RE = /^link (up|down)\b/i;
// tg3_link_report(): "Link is up at %d Mbps, %s duplex", "Link is down"
const TG3_LINK_RE = /^Link is (up|down)(?: at (\d+) Mbps, (full|half) duplex)?/;

export function matchLink(c: Cursor, i: number): LinkChangeRecord | null {
  const msg = c.msgs[i]!;
  let up: boolean;
  let dev = msg.dev;
  let speed: string | undefined;
  let unit: string | undefined;
  let duplex: string | undefined;
  let flow: string | undefined;
  let m: RegExpExecArray | null;
  if ((m = INTEL_LINK_RE.exec(msg.rest))) {
    // igb/e1000e of 2.6–3.x print "igb: eth0 NIC Link is Up …" with the name inside the message.
    dev = m[1] ?? dev;
    up = m[2] === 'Up';
    [speed, unit, duplex, flow] = [m[3], m[4], m[5], m[6]];
  } else if ((m = PHY_LINK_RE.exec(msg.rest))) {
    up = m[1] === 'Up';
    [speed, unit, duplex, flow] = [m[2], m[3], m[4], m[5]];
  } else if ((m = TG3_LINK_RE.exec(msg.rest))) {
    up = m[1] === 'up';
    [speed, unit, duplex] = [m[2], 'Mbps', m[3]];
  } else if ((m = SIMPLE_LINK_RE.exec(msg.rest)) && (msg.dev !== undefined || msg.driver !== undefined)) {
    up = m[1]!.toLowerCase() === 'up';
  } else {
    return null;
  }
  if (dev === undefined) return null;
  const rec: LinkChangeRecord = { kind: 'link_change', ...takeSpan(c, [i]), ...deviceRef(msg), dev, up };
  if (speed !== undefined) rec.speedMbps = Number(speed) * (unit === 'Gbps' ? 1000 : 1);
  if (duplex !== undefined) rec.duplex = duplex.toLowerCase() === 'full' ? 'full' : 'half';
  if (flow !== undefined) rec.flowControl = flow;
  return rec;
}

const LEVEL_RE = /^tx_timeout recovery level (\d+)(?:, (?:txqueue|hung_queue) (\d+))?/;
// mlx5e_health_channel_eq_recover() ("Recover" before 5.3) and mlx5_cmd_eq_recover() ("Recovered %d EQEs on cmd_eq").
const EQ_RE = /^Recover(?:ed)? (\d+) eqes on (?:EQ 0x([0-9a-f]+)|(cmd_eq))/i;
// mlx5e_health_channel_eq_recover() prints the EQ state first: "EQ 0x%x: Cons = 0x%x, irqn = 0x%x".
const EQ_DUMP_RE = /^EQ 0x([0-9a-f]+): Cons = 0x([0-9a-f]+), irqn = 0x([0-9a-f]+)/;
// rtl8169_cleanup()/rtl_reset_work(): waiting for the TX FIFO / config to drain gave up (rtl_loop_wait_high()).
const RTL_FIFO_RE = /^rtl_(?:txcfg|rxtx|npq)_empty_cond == 0 \(loop: \d+, delay: \d+\)/;
const FAILED_RE = /^(?:tx_timeout recovery unsuccessful|.*failed recovering from a tx_timeout)/;
const HANG_RESET_RE = /^tx hang (\d+) detected on queue (\d+), resetting/;
// ixgbe_watchdog_flush_tx() (ixgbe_main.c; txgbe/ngbe copy it): carrier off and a TX ring still holds descriptors — the
// MAC stops DMA without a link, so the work would never complete; ixgbe_reset_subtask() then prints "Reset adapter".
const LINK_LOSS_RE = /^initiating reset to clear Tx work after link loss/i;
// e1000e/igb/stmmac "Reset adapter", ixgbe/hns "initiating reset due to tx timeout", ena "Trigger reset is on" /
// hclge "received reset request|event" and "Reset done", via-rhine
// rhine_tx_timeout() → "reset finished after %d microseconds", Realtek's out-of-tree r8125/r8168 reset task after
// "Transmit timeout reset Device!" → "Device reseting!" (sic).
const RESET_RE =
  /^(?:Reset adapter\b|initiating reset due to tx timeout|Trigger reset is on|resetting (?:the )?(?:adapter|interface|device)\b|received reset (?:request|event)\b|Reset done\b|reset finished after \d+ microseconds|Device reset?ting!)/i;

export function matchRecovery(c: Cursor, i: number): TxRecoveryRecord | null {
  const msg = c.msgs[i]!;
  const rest = msg.rest;
  let m: RegExpExecArray | null;
  const base = (): TxRecoveryRecord => ({
    kind: 'tx_recovery',
    action: 'reset',
    ...takeSpan(c, [i]),
    ...deviceRef(msg),
    text: rest,
  });
  if ((m = LEVEL_RE.exec(rest))) {
    const r: TxRecoveryRecord = { ...base(), action: 'recovery_level', level: Number(m[1]) };
    if (m[2] !== undefined) r.queue = Number(m[2]);
    return r;
  }
  if ((m = EQ_RE.exec(rest))) {
    const r: TxRecoveryRecord = { ...base(), action: 'eq_recovered', eqes: Number(m[1]) };
    if (m[2] !== undefined) r.eqn = parseInt(m[2], 16);
    return r;
  }
  if ((m = EQ_DUMP_RE.exec(rest)))
    return {
      ...base(),
      action: 'eq_dump',
      eqn: parseInt(m[1]!, 16),
      eqCons: parseInt(m[2]!, 16),
      irqn: parseInt(m[3]!, 16),
    };
  if (RTL_FIFO_RE.test(rest)) {
    // txcfg and rxtx waits of one reset come back to back: one record.
    const idx = [i];
    for (let j = i + 1; j < c.lines.length && idx.length < 3; j++) {
      if (c.used[j] || !RTL_FIFO_RE.test(c.msgs[j]!.rest) || !sameDevice(c.msgs[j]!, msg)) break;
      const a = c.lines[i]!.tsBootNs;
      const b = c.lines[j]!.tsBootNs;
      if (a !== undefined && b !== undefined && b - a > 100_000_000n) break;
      if (c.msgs[j]!.rest.startsWith(rest.slice(0, 12))) break;
      idx.push(j);
    }
    return {
      kind: 'tx_recovery',
      action: 'reset',
      ...takeSpan(c, idx),
      ...deviceRef(msg),
      text: idx.map((k) => c.msgs[k]!.rest).join(' / '),
    };
  }
  if (FAILED_RE.test(rest)) return { ...base(), action: 'recovery_failed' };
  if ((m = HANG_RESET_RE.exec(rest))) return { ...base(), action: 'reset', count: Number(m[1]), queue: Number(m[2]) };
  if (LINK_LOSS_RE.test(rest) && (msg.driver !== undefined || msg.dev !== undefined))
    return { ...base(), reason: 'link_loss' };
  if (RESET_RE.test(rest) && (msg.driver !== undefined || msg.dev !== undefined)) return base();
  return null;
}

const NEIGH_RE = /^(?:neighbour: )?(?:(\w+): )?[Nn]eighbou?r table overflow/;

export function matchNeigh(c: Cursor, i: number): NeighOverflowRecord | null {
  const m = NEIGH_RE.exec(c.lines[i]!.message.trim());
  if (!m) return null;
  const rec: NeighOverflowRecord = { kind: 'neigh_table_overflow', ...takeSpan(c, [i]) };
  if (m[1] !== undefined) rec.table = m[1];
  return rec;
}

/** `ping: sendto: No buffer space available`, `iperf3: error - … No buffer space available`, `ENOBUFS`. */
const ENOBUFS_RE = /^(?:([\w.-]+): )?(?:(\w+): )?(?:.*?)(?:No buffer space available|\bENOBUFS\b)/;

export function matchAppEnobufs(c: Cursor, i: number): AppEnobufsRecord | null {
  const m = ENOBUFS_RE.exec(c.lines[i]!.message.trim());
  if (!m) return null;
  const rec: AppEnobufsRecord = { kind: 'app_enobufs', ...takeSpan(c, [i]) };
  if (m[1] !== undefined) rec.program = m[1];
  if (m[2] !== undefined) rec.call = m[2];
  if (rec.program === 'ping') {
    const flavor = pingOf(c, rec.call);
    if (flavor !== null) rec.ping = flavor;
  }
  return rec;
}

/** Which ping the pasted console shows: iputils, busybox and netkit print their replies and header differently. */
function pingOf(c: Cursor, call: string | undefined): 'iputils' | 'other' | null {
  // iputils since 20200821 sends with sendmsg(); busybox and older iputils with sendto()
  if (call === 'sendmsg') return 'iputils';
  for (const l of c.lines) {
    const t = l.message;
    if (/\bicmp_seq=\d|\) \d+\(\d+\) bytes of data/.test(t)) return 'iputils';
    if (/\bseq ?= ?\d|\): \d+ data bytes/.test(t)) return 'other';
  }
  return null;
}
