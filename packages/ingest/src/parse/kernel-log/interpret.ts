/**
 * Interpretation of a TX ring dump: which side of the ring stopped, in kernel terms, with the numbers quoted.
 *
 * Ring model (Intel terms; the other drivers map onto it in records/txTimeout.ts): the driver writes descriptors at
 * next_to_use and rings the doorbell by writing the tail register (TDT) — igb_tx_map()/ixgbe_tx_map() do
 * `writel(i, tx_ring->tail)` unless netdev_xmit_more() defers it. The NIC fetches and sends descriptors from its head
 * (TDH) up to the tail and writes completion status back (DD bit). NAPI poll — igb_poll() → igb_clean_tx_irq() —
 * reaps completed descriptors and advances next_to_clean. So:
 *  - head ≠ tail: descriptors handed to the NIC are not being fetched/completed → the NIC's DMA engine stalled;
 *  - head = tail but next_to_clean ≠ next_to_use: the NIC fetched everything. With the watched descriptor's DD clear it
 *    never completed them (the Intel hang check runs in the clean routine, which stops at the first descriptor without
 *    DD, so cleaning did run); otherwise the NIC finished and the driver never reaped → completion interrupt lost or
 *    NAPI not scheduled;
 *  - tail ≠ next_to_use: descriptors written but the doorbell (tail write) never happened.
 */
import { sameDevice } from './device.js';
import { eventQueue, timeoutEvents, type RingRecord } from './events.js';
import { bnx2xReading } from './interpretBnx2x.js';
import { ipoibReading } from './interpretIpoib.js';
import { sky2Reading } from './interpretSky2.js';
import { tg3Reading } from './interpretTg3.js';
import { hexOf } from './numbers.js';
import type { KernelRecord, RingReading, TxHangCause } from './types.js';

interface TxHangRepeats {
  /** Timeout events of this device (and queue, when known), this one included: a NETDEV WATCHDOG line and the
   * ndo_tx_timeout dump right after it count once (see events.ts). */
  count: number;
  firstTsBootNs?: bigint;
  lastTsBootNs?: bigint;
  /** Mean time between consecutive ones, from the printk stamps. */
  meanIntervalMs?: number;
  /** Whether the hardware head or the consumer index changed between the dumps (false: no progress at all). */
  progressed?: boolean;
  /**
   * The jiffies stamps of the packets at next_to_clean (buffer_info[].time_stamp), oldest first, when the indexes stayed
   * the same but the packet did not: the ring was rebuilt between dumps and stalled again at the same index.
   */
  rebuiltStamps?: bigint[];
}

export interface TxHangInterpretation {
  cause: TxHangCause;
  /** One or two sentences in kernel terms with the numbers quoted. */
  summary: string;
  /** Descriptors between hardware head and tail (owned by the NIC, not yet done), when both are known and tail ≥ head. */
  pendingOnNic?: number;
  /** Descriptors between next_to_clean and next_to_use (not yet reaped by the driver), when tail ≥ head. */
  unreaped?: number;
  /** Head and next_to_clean both 0 with descriptors posted: the NIC never started on this ring (RingReading.freshRing). */
  freshRing?: boolean;
  /** The hang check fired on an empty ring's stale entry (RingReading.staleEntry). */
  staleEntry?: boolean;
  repeats?: TxHangRepeats;
  /** How long dev_watchdog() saw the queue stopped ("timed out N ms", v6.5+), from the watchdog line of this event. */
  stoppedMs?: number;
  /** What the driver did: resets, recovery levels, EQ recovery, link changes after the dump. */
  recovery: string[];
}

/** Forward distance from a to b on a ring of unknown size; undefined when it would wrap. */
function ahead(from: number, to: number): number | undefined {
  return to >= from ? to - from : undefined;
}

/**
 * How a format's dump names its ring indexes, prints them (hex for the Intel-style dumps, decimal where the driver
 * prints decimal: iwlwifi) and what "the head stopped behind the tail" means for it.
 */
function names(r: RingRecord): {
  head: string;
  tail: string;
  ntu: string;
  ntc: string;
  num: (v: number) => string;
  stopped: string;
} {
  const format = r.kind === 'tx_timeout_dump' ? r.format : 'intel';
  const nic = { num: hexOf, stopped: 'the NIC stopped processing the ring (DMA stall)' };
  switch (format) {
    case 'i40e':
      return { head: 'HWB', tail: 'TAIL', ntu: 'NTU', ntc: 'NTC', ...nic };
    case 'ice':
      // ice_tx_timeout() prints no tail register; classify() uses NTU, the value the driver last wrote to it.
      return { head: 'HW_HEAD', tail: 'NTU', ntu: 'NTU', ntc: 'NTC', ...nic };
    case 'hns3':
      return { head: 'HW_HEAD', tail: 'HW_TAIL', ntu: 'SW_NTU', ntc: 'SW_NTC', ...nic };
    case 'mlx5e':
      return { head: 'head', tail: 'tail', ntu: 'SQ Prod', ntc: 'SQ Cons', ...nic };
    case 'pcnet32':
      return { head: 'head', tail: 'tail', ntu: 'cur_tx', ntc: 'dirty_tx', ...nic };
    case 'bnxt':
      return { head: 'head', tail: 'tail', ntu: 'prod', ntc: 'cons', ...nic };
    case 'mtk_eth':
      return { head: 'dtx', tail: 'ctx', ntu: 'next', ntc: 'fdx', ...nic };
    case 'iwlwifi':
      // the Wi-Fi firmware's scheduler is what takes frames off the queue; iwlwifi prints its pointers in decimal
      return {
        head: 'HW read',
        tail: 'HW write',
        ntu: 'SW write',
        ntc: 'SW read',
        num: String,
        stopped: "the firmware's scheduler stopped taking frames from this queue",
      };
    default:
      return { head: 'TDH', tail: 'TDT', ntu: 'next_to_use', ntc: 'next_to_clean', ...nic };
  }
}

function ddBit(r: RingRecord): string {
  // igb prints desc.status (wb.status), e1000/e1000e next_to_watch.status; E1000_TXD_STAT_DD is bit 0 in both.
  const st = r.fields['desc.status'] ?? r.fields['next_to_watch.status'];
  if (st === undefined) return '';
  return (st & 1n) === 1n
    ? ` The watched descriptor's status ${hexOf(Number(st))} has DD set: the NIC did write it back.`
    : ` The watched descriptor's status ${hexOf(Number(st))} has DD clear: the NIC never wrote it back.`;
}

/**
 * An Intel hang dump of an empty ring (head = tail = next_to_use = next_to_clean, not all 0) whose
 * buffer_info[next_to_clean] still names a packet: the clean routine left a stale entry and the hang check
 * (igc_clean_tx_irq(), igb_clean_tx_irq(): next_to_watch set and time_stamp older than the timeout) fired on it.
 */
function staleEntry(r: RingRecord): string | undefined {
  if (r.kind !== 'tx_hang_dump' || r.hwHead === undefined || r.hwHead === 0) return undefined;
  const { hwHead, hwTail, nextToUse, nextToClean } = r;
  if (hwTail !== hwHead || nextToUse !== hwHead || nextToClean !== hwHead) return undefined;
  if (r.nextToWatch === undefined || r.nextToWatch === 0n) return undefined;
  const age = r.jiffies !== undefined && r.timeStampJiffies !== undefined ? r.jiffies - r.timeStampJiffies : undefined;
  return (
    `TDH = TDT = next_to_use = next_to_clean = ${hexOf(hwHead)}: the ring is empty, yet buffer_info[next_to_clean] ` +
    `still names a packet (next_to_watch set${age !== undefined ? `, time_stamp ${age} jiffies before the check` : ''}): ` +
    "the clean routine left a stale entry and the driver's hang check fired on an empty ring — a false positive, no " +
    'packet is stuck on this ring. It still costs: the driver stops the subqueue when it reports a hang ("we are about ' +
    `to reset", ${r.driver === 'igb' ? 'igb_clean_tx_irq()' : 'igc_clean_tx_irq()'}), so the queue stays stopped until ` +
    'dev_watchdog() or a reset brings it back. Later igc reports a hang only when TDH ≠ tail, which this ring does not meet.'
  );
}

/** The watched descriptor's DD bit is printed and clear (igb desc.status, e1000/e1000e next_to_watch.status). */
function ddClear(r: RingRecord): boolean {
  const st = r.fields['desc.status'] ?? r.fields['next_to_watch.status'];
  return r.kind === 'tx_hang_dump' && st !== undefined && (st & 1n) === 0n;
}

/** Head ≠ tail: descriptors handed to the NIC and not done — a NIC that stopped, or one that never started. */
function headBehindTail(
  r: RingRecord,
  out: RingReading,
  hwHead: number,
  hwTail: number,
  pending: number | undefined,
): RingReading {
  const n = names(r);
  const { nextToClean } = r;
  out.cause = 'dma_stall';
  const count = pending !== undefined ? `${pending} descriptor(s)` : 'descriptors (the ring wrapped)';
  const fresh = r.kind === 'tx_hang_dump' && hwHead === 0 && nextToClean === 0 && pending !== undefined && pending > 0;
  let s = `${n.head} ${n.num(hwHead)} ≠ ${n.tail} ${n.num(hwTail)}: ${count} handed to the NIC were never fetched/completed${fresh ? '.' : ` — ${n.stopped}.`}`;
  if (nextToClean !== undefined && nextToClean !== hwHead) {
    const lag = ahead(nextToClean, hwHead);
    s += ` ${n.ntc} ${n.num(nextToClean)} also trails the head${lag !== undefined ? ` by ${lag}` : ''}: completions the NIC did finish were not reaped either.`;
  }
  if (fresh) {
    out.freshRing = true;
    s += ` ${n.head} and ${n.ntc} are both 0 with ${pending} descriptor(s) posted: nothing on this ring has completed since the driver set it up (${ringSetup(r)} starts head, tail, ${n.ntu} and ${n.ntc} at 0), so the NIC never started fetching on this queue after its last (re)initialisation rather than stopping mid-flow (a ring that wrapped to exactly 0 on both counts is the unlikely alternative).`;
  }
  out.summary = s + ddBit(r);
  return out;
}

function classify(r: RingRecord): RingReading {
  if (r.kind === 'tx_timeout_dump' && r.format === 'ipoib') return ipoibReading(r);
  if (r.kind === 'tx_timeout_dump' && r.format === 'tg3') return tg3Reading(r);
  if (r.kind === 'tx_timeout_dump' && r.format === 'sky2') return sky2Reading(r);
  if (r.kind === 'tx_timeout_dump' && r.format === 'bnx2x_panic') return bnx2xReading(r);
  const n = names(r);
  const { hwHead, nextToUse, nextToClean } = r;
  // ice prints no tail register; the driver writes tail = next_to_use when it rings the doorbell.
  const hwTail = r.hwTail ?? (r.kind === 'tx_timeout_dump' && r.format === 'ice' ? nextToUse : undefined);
  const out: RingReading = {
    cause: 'no_ring_numbers',
    summary: '',
  };
  const unreaped = nextToClean !== undefined && nextToUse !== undefined ? ahead(nextToClean, nextToUse) : undefined;
  if (unreaped !== undefined) out.unreaped = unreaped;
  if (hwHead !== undefined && hwTail !== undefined) {
    const pending = ahead(hwHead, hwTail);
    if (pending !== undefined) out.pendingOnNic = pending;
    if (hwHead !== hwTail) return headBehindTail(r, out, hwHead, hwTail, pending);
    if (nextToUse !== undefined && hwTail !== nextToUse) {
      out.cause = 'doorbell_not_written';
      out.summary = `${n.head} = ${n.tail} = ${n.num(hwTail)} but ${n.ntu} is ${n.num(nextToUse)}: descriptors were written to the ring and the tail register (doorbell) was never advanced to them (xmit_more batching left it behind, or the write was lost).${ddBit(r)}`;
      // hns3 TX push (hns3_tx_push_bd) hands descriptors over through device memory, not the tail register.
      if ((r.fields['tx_push'] ?? 0n) > 0n)
        out.summary += ' With tx_push on, the driver may bypass the tail register, so this reading is uncertain.';
      return out;
    }
    if (nextToUse !== undefined && nextToClean !== undefined && nextToUse !== nextToClean && ddClear(r)) {
      // The Intel hang check runs inside the clean routine (igb_clean_tx_irq(), e1000_clean_tx_irq()), which stops at
      // the first descriptor without DD: completions were being processed, the NIC had not written this one back.
      out.cause = 'dma_stall';
      out.summary = `${n.head} = ${n.tail} = ${n.num(hwTail)}: the NIC fetched every descriptor it was given, but ${n.ntc} ${n.num(nextToClean)} ≠ ${n.ntu} ${n.num(nextToUse)}${unreaped !== undefined ? ` (${unreaped} not done)` : ' (the ring wrapped)'}, and the descriptor the driver waits on has DD clear (status ${hexOf(Number(r.fields['desc.status'] ?? r.fields['next_to_watch.status'] ?? 0n))}): the NIC took the packets and never finished sending them — its TX engine or MAC stalled after the fetch. The driver's hang check runs in its clean routine, which stops at the first descriptor without DD, so completions were being processed: not a lost interrupt.`;
      return out;
    }
    if (nextToUse !== undefined && nextToClean !== undefined && nextToUse !== nextToClean) {
      out.cause = 'completions_not_processed';
      out.summary = `${n.head} = ${n.tail} = ${n.num(hwTail)}: the NIC completed every descriptor it was given, but ${n.ntc} ${n.num(nextToClean)} ≠ ${n.ntu} ${n.num(nextToUse)}: ${unreaped ?? 'some'} completion(s) were never reaped — the TX completion interrupt was lost or NAPI was not scheduled.${ddBit(r)}`;
      return out;
    }
    out.cause = 'pending_unattributed';
    const stale = staleEntry(r);
    if (stale !== undefined) {
      out.staleEntry = true;
      out.summary = stale;
      return out;
    }
    out.summary =
      hwTail === 0 && (nextToUse ?? 0) === 0 && (nextToClean ?? 0) === 0
        ? `${allOf([n.head, n.tail, n.ntc, n.ntu])} are all 0: nothing is outstanding, and a ring at index 0 has most likely carried no packet since it was (re)initialised. The NIC is not what holds this queue: it was left stopped when the ring was rebuilt (XDP/AF_XDP setup, a ring resize, a reset) and never started again.`
        : `${n.head} = ${n.tail} = ${n.num(hwTail)} and nothing is outstanding in the dump: the ring was idle when it was printed; the stall cleared or lies before the driver (queue stopped by flow control/pause frames).`;
    return out;
  }
  if (nextToUse !== undefined && nextToClean !== undefined) {
    out.cause = 'pending_unattributed';
    out.summary =
      nextToUse === nextToClean
        ? `${n.ntc} = ${n.ntu} = ${n.num(nextToUse)}: nothing outstanding on the ring when it was printed.`
        : `${n.ntu} ${n.num(nextToUse)} − ${n.ntc} ${n.num(nextToClean)}: ${unreaped ?? 'some'} descriptor(s) posted and not completed; without a hardware head in the dump a NIC stall and a lost completion interrupt look alike.`;
    return out;
  }
  const since =
    r.kind === 'tx_timeout_dump' && r.sinceLastTransUs !== undefined
      ? ` Last transmit ${r.sinceLastTransUs} µs before.`
      : '';
  out.summary =
    enaMissing(r) ??
    `${driverOf(r)} reported a TX timeout${r.queue !== undefined ? ` on queue ${r.queue}` : ''} without ring indexes.${since}`;
  return out;
}

/**
 * ena's own completion checks, which are not dev_watchdog(): check_missing_comp_in_tx_queue() ("Found a Tx that
 * wasn't completed on time, qid Q, index I": a packet the device had not reported sent within
 * missing_tx_completion_to, 5 s by default) and check_for_missing_completions() ("The number of lost tx completions is
 * above the threshold (N > T)": the driver resets the device).
 */
function enaMissing(r: RingRecord): string | undefined {
  if (r.kind !== 'tx_timeout_dump' || r.driver !== 'ena') return undefined;
  const f = r.fields;
  if (f['qid'] !== undefined && f['index'] !== undefined)
    return (
      `ena's completion check (check_missing_comp_in_tx_queue()) found the packet at index ${f['index']} of TX queue ${f['qid']} ` +
      'not completed within its timeout (missing_tx_completion_to, 5 s by default): the device had not reported it sent, or its completion was not reaped. ' +
      'It is not a NETDEV WATCHDOG and no ring indexes are printed, so it cannot say which.'
    );
  if (f['missed'] !== undefined && f['threshold'] !== undefined)
    return (
      `ena counted ${f['missed']} TX completions missing on one queue, over its threshold of ${f['threshold']} ` +
      '(check_for_missing_completions()), and resets the device.'
    );
  return undefined;
}

/** The function that (re)initialises this driver's TX ring and writes its head and tail registers to 0. */
function ringSetup(r: RingRecord): string {
  switch (r.driver) {
    case 'ixgbe':
      return 'ixgbe_configure_tx_ring()';
    case 'e1000e':
      return 'e1000_configure_tx()';
    case 'e1000':
      return 'e1000_configure_tx()';
    case 'igc':
      return 'igc_configure_tx_ring()';
    default:
      return 'igb_configure_tx_ring()';
  }
}

/** The driver's name; a headerless or generic dump may not have one (replay strips 'unknown'). */
function driverOf(r: RingRecord): string {
  if (r.driver && r.driver !== 'unknown') return r.driver;
  return r.dev !== undefined ? `the driver of ${r.dev}` : 'the driver';
}

function sameQueue(a: { queue?: number }, b: { queue?: number }): boolean {
  return a.queue === undefined || b.queue === undefined || a.queue === b.queue;
}

function repeatsOf(r: RingRecord, all: readonly KernelRecord[]): TxHangRepeats {
  const events = timeoutEvents(all).filter((e) => sameDevice(e.first, r) && sameQueue({ queue: eventQueue(e) }, r));
  const dumps = events.flatMap((e) => e.dumps).filter((d) => sameDevice(d, r) && sameQueue(d, r));
  const stamps = events
    .map((e) => e.first.tsBootNs)
    .filter((t): t is bigint => t !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rep: TxHangRepeats = { count: Math.max(1, events.length) };
  if (stamps.length > 0) {
    rep.firstTsBootNs = stamps[0]!;
    rep.lastTsBootNs = stamps[stamps.length - 1]!;
  }
  if (stamps.length > 1)
    rep.meanIntervalMs = Number((stamps[stamps.length - 1]! - stamps[0]!) / BigInt(stamps.length - 1)) / 1e6;
  // Progress needs the same indexes in at least two dumps; truncated or index-less dumps say nothing.
  const keyed = dumps.filter((d) => d.hwHead !== undefined || d.nextToClean !== undefined);
  if (keyed.length > 1) {
    const key = (d: RingRecord): string => `${d.hwHead}/${d.nextToClean}`;
    rep.progressed = new Set(keyed.map(key)).size > 1;
    const stamps = [
      ...new Set(
        keyed.flatMap((d) =>
          d.kind === 'tx_hang_dump' && d.timeStampJiffies !== undefined ? [d.timeStampJiffies] : [],
        ),
      ),
    ];
    if (!rep.progressed && stamps.length > 1) rep.rebuiltStamps = stamps;
  }
  return rep;
}

function recoveryOf(r: RingRecord, all: readonly KernelRecord[]): string[] {
  const out: string[] = [];
  for (const x of all) {
    if (x.firstLine < r.firstLine) continue;
    if (x.kind === 'tx_recovery' && (sameDevice(x, r) || (x.driver === undefined && x.dev === undefined))) {
      if (x.action === 'eq_recovered')
        out.push(
          `line ${x.firstLine}: mlx5e_health_channel_eq_recover recovered ${x.eqes} EQE(s) on EQ ${hexOf(x.eqn ?? 0)} — an interrupt that was never delivered`,
        );
      else if (x.action === 'recovery_level')
        out.push(
          `line ${x.firstLine}: tx_timeout recovery level ${x.level} on queue ${x.queue} (1 PF reset, 2 core reset, 3 global reset)`,
        );
      else if (x.action === 'recovery_failed') out.push(`line ${x.firstLine}: recovery failed: ${x.text}`);
      else if (x.action === 'eq_dump')
        out.push(
          `line ${x.firstLine}: EQ ${hexOf(x.eqn ?? 0)} checked for missed events (consumer index ${hexOf(x.eqCons ?? 0)}, irqn ${hexOf(x.irqn ?? 0)})`,
        );
      else out.push(`line ${x.firstLine}: reset: ${x.text}`);
    } else if (x.kind === 'link_change' && sameDevice(x, r)) {
      out.push(
        `line ${x.firstLine}: link ${x.up ? 'up' : 'down'}${x.speedMbps !== undefined ? ` ${x.speedMbps} Mbps` : ''}`,
      );
    }
    if (out.length >= 6) break;
  }
  return out;
}

/** "A, B and C" of the distinct names (ice prints NTU where others print a tail). */
function allOf(names: readonly string[]): string {
  const u = [...new Set(names)];
  return u.length > 1 ? `${u.slice(0, -1).join(', ')} and ${u[u.length - 1]}` : (u[0] ?? '');
}

/** A queue under load that stalls shows seconds here; hours mean trans_start has not moved since long before. */
function longStopped(ms: number): string {
  return ms >= 3_600_000
    ? `, ${(ms / 3_600_000).toFixed(1)} h: no packet left this queue for that long — its trans_start was last set then, or never since the queue was created`
    : '';
}

/**
 * Interpret one ring dump. Pass every record of the log as `all` to get repetition (count, interval, whether the
 * ring moved between dumps) and what the driver did afterwards (reset, recovery level, EQ recovery, link flaps).
 */
export function interpretTxHang(record: RingRecord, all: readonly KernelRecord[] = []): TxHangInterpretation {
  const base = classify(record);
  const recovery = recoveryOf(record, all);
  const out: TxHangInterpretation = { ...base, recovery };
  if (record.kind === 'tx_timeout_dump' && record.format === 'iwlwifi') iwlwifiReading(record, out);
  // mlx5e has no hardware head in its dump; an EQ that held unserviced EQEs is the lost-interrupt proof.
  if (out.cause === 'pending_unattributed' && recovery.some((s) => s.includes('EQE(s)'))) {
    out.cause = 'completions_not_processed';
    out.summary +=
      ' The EQ recovery that followed found completion events nobody serviced: the completion interrupt was lost.';
  }
  const paired = timeoutEvents(all).find((e) => e.dumps.includes(record))?.watchdog;
  if (paired?.timedOutMs !== undefined) {
    out.stoppedMs = paired.timedOutMs;
    out.summary += ` dev_watchdog saw the queue stopped for ${paired.timedOutMs} ms (line ${paired.firstLine})${longStopped(paired.timedOutMs)}.`;
  }
  if (all.length > 0) {
    const rep = repeatsOf(record, all);
    out.repeats = rep;
    if (rep.count > 1) {
      const every = rep.meanIntervalMs !== undefined ? ` about every ${Math.round(rep.meanIntervalMs)} ms` : '';
      const moved = out.staleEntry
        ? rep.progressed === false
          ? ' with the same stale entry each time'
          : ''
        : rep.rebuiltStamps
          ? ` with the same ring indexes each time but ${rep.rebuiltStamps.length} different packets waiting at next_to_clean (time_stamp ${rep.rebuiltStamps.map((t) => `0x${t.toString(16)}`).join(', then ')}): the ring was rebuilt between dumps (a reset) and stalled again at the same index`
          : rep.progressed === false
            ? ' with the ring indexes unchanged between dumps (no progress at all)'
            : rep.progressed
              ? ' with the indexes moving between dumps'
              : '';
      out.summary += ` Repeated ${rep.count} times on this device${every}${moved}.`;
    }
  }
  return out;
}

/** iwlwifi's stuck-queue timer and the firmware restart the driver does right after (names() words the ring). */
function iwlwifiReading(r: Extract<RingRecord, { kind: 'tx_timeout_dump' }>, out: TxHangInterpretation): void {
  const stuck = r.sinceLastTransUs !== undefined ? ` for ${r.sinceLastTransUs / 1000} ms` : '';
  out.summary += ` iwl_txq_stuck_timer() found the queue stuck${stuck}`;
  out.summary +=
    r.fields['fw_restart'] !== undefined
      ? ' and the driver restarted the firmware ("Microcode SW error detected. Restarting"): it took the queue for a firmware hang — the frames it held are lost with the restart.'
      : '.';
}
