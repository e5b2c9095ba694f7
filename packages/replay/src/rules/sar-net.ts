/**
 * What `sar -n DEV,EDEV` says about a device's TX side (pure). sysstat's rates come from /proc/net/dev, so they
 * count what the driver sent and dropped, per interval and at the host's wall time — often the only history left
 * after an incident (sa files). Two readings: packets the device dropped or failed (txdrop/s, txerr/s, txcarr/s,
 * txfifo/s above 0: the same counters as `ip -s link`), and a device that sent nothing for several intervals while
 * it kept receiving after it had been sending: a host that receives answers something (TCP ACKs, ARP replies), so
 * its TX path held them — a stopped queue, a qdisc that does not dequeue, or a ring the NIC stopped reading. The
 * rates cannot tell those apart, and an idle device is never called healthy by them.
 */
import type { SarNetRead, SarNetRow } from '@txreplay/ingest/plain';
import type { Finding, SarNetSummary } from '../types.js';
import { perKey } from './snapshot-sequence.js';

type Row = SarNetRow & { source: string };

/** EDEV's TX failure columns: tx_dropped, tx_errors, tx_carrier_errors, tx_fifo_errors as rates */
const TX_FAILED = ['txdrop/s', 'txerr/s', 'txcarr/s', 'txfifo/s'];
/** the columns an evidence line quotes: what the TX side did, and that packets kept arriving */
const NOTE_COLUMNS = ['txpck/s', 'rxpck/s', ...TX_FAILED];
/** intervals in a row with nothing sent and something received before it is called silent */
const SILENT_INTERVALS = 2;

/** Every input's rows, per device in input order; the loopback device carries no NIC's TX path. */
export function sarNetDevices(reads: readonly { read: SarNetRead; source: string }[]): Row[][] {
  const rows = reads.flatMap(({ read, source }) => read.rows.map((r) => ({ ...r, source })));
  return perKey(rows, (r) => r.dev).filter((list) => list[0]!.dev !== 'lo');
}

const rate = (r: Row, name: string): number => r.rates.get(name) ?? 0;
const failed = (r: Row): number => TX_FAILED.reduce((n, c) => n + rate(r, c), 0);
/** packets over the interval from a rate (sar prints rates rounded to 2 decimals: a count, not exact) */
const packets = (r: Row, names: readonly string[]): number => names.reduce((n, c) => n + rate(r, c) * r.intervalSec, 0);
const range = (xs: readonly number[]): string => {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
};

/** Per device: its intervals, the TX and RX packet rates' ranges, and the packets its TX dropped or failed. */
export function summarizeSarNet(devices: readonly Row[][]): SarNetSummary[] {
  return devices.map((list) => {
    const has = (c: string): boolean => list.some((r) => r.rates.has(c));
    return {
      source: list[0]!.source,
      line: list[0]!.line,
      dev: list[0]!.dev,
      intervals: list.length,
      first: list[0]!.start,
      last: list[list.length - 1]!.end,
      intervalSec: list[0]!.intervalSec,
      txPacketsPerSec: has('txpck/s') ? range(list.map((r) => rate(r, 'txpck/s'))) : null,
      rxPacketsPerSec: has('rxpck/s') ? range(list.map((r) => rate(r, 'rxpck/s'))) : null,
      txDropped: has('txdrop/s') ? Math.round(list.reduce((n, r) => n + packets(r, ['txdrop/s']), 0)) : null,
      txFailed: has('txerr/s')
        ? Math.round(list.reduce((n, r) => n + packets(r, ['txerr/s', 'txcarr/s', 'txfifo/s']), 0))
        : null,
    };
  });
}

const evidence = (r: Row): Finding['evidence'][number] => ({
  tsNs: 0n,
  event: 'sar:net',
  source: r.source,
  line: r.line,
  note: `${r.dev} ${r.start}–${r.end}: ${NOTE_COLUMNS.filter((c) => r.rates.has(c))
    .map((c) => `${c} ${r.rates.get(c)}`)
    .join(' ')}`,
});

function finding(
  list: readonly Row[],
  kind: Finding['kind'],
  text: Pick<Finding, 'title' | 'explanation' | 'nextSteps'>,
): Finding {
  return {
    kind,
    severity: 'warning',
    dev: list[0]!.dev,
    queue: null,
    startNs: 0n,
    endNs: 0n,
    logWall: { first: list[0]!.start, last: list[list.length - 1]!.end },
    evidence: list.map(evidence),
    ...text,
  };
}

/** The intervals in which the device dropped or failed packets, as one finding. */
function dropsFinding(list: readonly Row[]): Finding | null {
  const hit = list.filter((r) => failed(r) > 0);
  if (hit.length === 0) return null;
  const dropped = Math.round(hit.reduce((n, r) => n + packets(r, ['txdrop/s']), 0));
  const errors = Math.round(hit.reduce((n, r) => n + packets(r, ['txerr/s', 'txcarr/s', 'txfifo/s']), 0));
  const sent = Math.round(hit.reduce((n, r) => n + packets(r, ['txpck/s']), 0));
  const dev = list[0]!.dev;
  return finding(hit, 'device_tx_drops', {
    title: `${dev}: the device dropped ≈${dropped} and failed ≈${errors} packet(s) in ${hit.length} of ${list.length} interval(s) between ${hit[0]!.start} and ${hit[hit.length - 1]!.end} against ≈${sent} sent (sar: txdrop/s up to ${Math.max(...hit.map((r) => rate(r, 'txdrop/s')))})`,
    explanation:
      "sar's txdrop/s is tx_dropped per second: packets the driver freed after the qdisc handed them over (ndo_start_xmit returned NETDEV_TX_OK without sending: no descriptor or DMA mapping, a veth whose peer is down or whose ring is full); txerr/s, txcarr/s and txfifo/s are what the hardware reported. The qdisc counted them as sent, so tc's drops do not show them and the sender saw no error. Counts here are rates times the interval, as sar rounded them.",
    nextSteps: [
      `ethtool -S ${dev} twice (the driver's own counters name the cause); ip -s link show ${dev} for the carrier`,
      `dmesg or the journal around ${hit[0]!.start} for link changes and NETDEV WATCHDOG`,
    ],
  });
}

/** The longest run of intervals with nothing sent while packets arrived, after the device had sent. */
function silentRun(list: readonly Row[]): Row[] {
  let best: Row[] = [];
  let run: Row[] = [];
  let sentBefore = false;
  for (const r of list) {
    const silent = rate(r, 'txpck/s') === 0 && rate(r, 'rxpck/s') > 0;
    if (silent && sentBefore) run.push(r);
    else run = [];
    if (run.length > best.length) best = [...run];
    if (rate(r, 'txpck/s') > 0) sentBefore = true;
  }
  return best.length >= SILENT_INTERVALS ? best : [];
}

function silentFinding(list: readonly Row[]): Finding | null {
  if (!list.some((r) => r.rates.has('txpck/s') && r.rates.has('rxpck/s'))) return null;
  const run = silentRun(list);
  if (run.length === 0) return null;
  const dev = list[0]!.dev;
  const before = list[list.indexOf(run[0]!) - 1];
  const seconds = run.reduce((n, r) => n + r.intervalSec, 0);
  const sentBefore =
    before && rate(before, 'txpck/s') > 0 ? `; it sent ${rate(before, 'txpck/s')} packets/s just before` : '';
  return finding(run, 'tx_silent', {
    title: `${dev} sent nothing for ${seconds} s (${run[0]!.start}–${run[run.length - 1]!.end}, ${run.length} intervals) while it received ${range(run.map((r) => rate(r, 'rxpck/s')))} packets/s${sentBefore}`,
    explanation:
      "A host that keeps receiving answers something (TCP ACKs, ARP replies), so packets were offered to this device and none left it: its TX path held them — a queue the driver stopped and never woke (netif_tx_stop_queue without netif_tx_wake_queue: a lost TX interrupt, a ring the NIC stopped reading), BQL holding it (inflight over limit), or a qdisc that does not dequeue (a shaper, a stuck backlog, a noop qdisc after the carrier went). sar's rates come from /proc/net/dev and cannot tell these apart; a receive-only application (a multicast listener) would look the same.",
    nextSteps: [
      `dmesg or the journal between ${run[0]!.start} and ${run[run.length - 1]!.end} for NETDEV WATCHDOG or a driver's TX hang`,
      `while it happens: tc -s qdisc show dev ${dev} twice (a backlog Sent does not drain) and grep . /sys/class/net/${dev}/queues/tx-*/byte_queue_limits/inflight twice (bytes that do not complete)`,
    ],
  });
}

/** Per device, what its TX side shows over the intervals. */
export function findingsFromSarNet(devices: readonly Row[][]): Finding[] {
  return devices.flatMap((list) => [silentFinding(list), dropsFinding(list)].filter((f): f is Finding => f !== null));
}
