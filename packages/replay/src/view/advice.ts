/**
 * Capture advice: what the trace lacks, and what each missing tracepoint would let replay tell (§D.7).
 */
import { K } from '../observe/kinds.js';
import type { Observed } from '../observe/records.js';

/** What the trace lacks, and what each missing tracepoint would let replay tell (§D.7). */
export function captureAdvice(obs: Observed): string[] {
  const c = obs.kindCounts;
  const out: string[] = [];
  const miss = (kind: number, tp: string, why: string): void => {
    if (c[kind] === 0) out.push(`capture ${tp}: ${why}`);
  };
  miss(
    K.dequeue,
    'qdisc:qdisc_dequeue',
    'txq_state samples (DRV_XOFF/STACK_XOFF/FROZEN) show when queues are stopped and how long; without it stops are inferred only from NETDEV_TX_BUSY',
  );
  miss(K.enqueue, 'qdisc:qdisc_enqueue', 'qdisc backlog (packets waiting behind a stopped queue)');
  miss(K.kfree, 'skb:kfree_skb', 'drop reasons (QDISC_DROP → ENOBUFS) and their queue');
  miss(
    K.consume,
    'skb:consume_skb',
    'TX completions per skb: in-flight bytes, time in the driver, the BQL completion stream',
  );
  miss(K.netDevQueue, 'net:net_dev_queue', 'per-packet lifecycle start and qdisc drop attribution');
  miss(K.startXmit, 'net:net_dev_start_xmit', 'the TX queue of each transmit (queue_mapping)');
  miss(K.xmit, 'net:net_dev_xmit', 'driver return codes (NETDEV_TX_BUSY, NET_XMIT_DROP) and BQL bytes queued');
  miss(
    K.napiPoll,
    'napi:napi_poll',
    'NAPI cadence: tells a lost interrupt (no polls) from a stuck ring (polls, no completions)',
  );
  if (out.length > 0) out.push(exactCommand(obs, out));
  if (obs.numericReasons.size > 0) {
    const parts = [...obs.numericReasons].map(
      ([num, r]) =>
        `${num}: ${r.frees} frees, ${r.asQdiscDrop} read as qdisc drops${num === '64' ? ' (64 = QDISC_DROP on 6.18)' : ''}`,
    );
    out.push(
      `kfree_skb reasons are numbers here (bpftrace): ${parts.join('; ')}. The enum skb_drop_reason numbering changes between kernels (§H.1), so a numbered free counts as a qdisc drop only when it freed an skb after net_dev_queue and before any qdisc_enqueue (§D.2: refused at enqueue); drops from inside a qdisc are missed. Print the symbolic reason in the bpftrace script to count them all`,
    );
  }
  if (obs.hashedPointers)
    out.push(
      'ftrace printed hashed pointers: lifecycles match within this file only; set /proc/sys/kernel/kptr_restrict or use the no_hash_pointers boot option to join with other captures',
    );
  if (obs.lostEvents > 0)
    out.push(
      `the tracer lost ${obs.lostEvents} events: use larger buffers (perf -m, BPFTRACE_PERF_RB_PAGES) or fewer tracepoints`,
    );
  return out;
}

/**
 * The command that records everything listed as missing, for the device the trace is about (the one with the most
 * net_dev_xmit events, lo aside), as `txreplay capture` (bpftrace or perf on all ten TX-path tracepoints, §D.7) and as
 * the plain perf command for a host without txreplay.
 */
function exactCommand(obs: Observed, missing: readonly string[]): string {
  const senders = obs.devices.filter((d) => d.name !== 'lo' && d.xmitEvents > 0);
  const dev =
    senders.reduce<(typeof senders)[number] | null>((a, d) => (a && a.xmitEvents >= d.xmitEvents ? a : d), null)
      ?.name ?? 'DEV';
  const tps = missing.map((m) => /^capture (\S+):/.exec(m)?.[1]).filter((t): t is string => t !== undefined);
  const perf = [
    'net:net_dev_queue',
    'net:net_dev_start_xmit',
    'net:net_dev_xmit',
    'net:net_dev_xmit_timeout',
    'qdisc:qdisc_enqueue',
    'qdisc:qdisc_dequeue',
    'napi:napi_poll',
    'skb:kfree_skb',
    'skb:consume_skb',
  ]
    .map((t) => `-e ${t}`)
    .join(' ');
  return `to record the ${tps.length} missing tracepoint(s) (${tps.join(', ')}) with the rest through the next stall: \`txreplay capture --dev ${dev} --seconds 60 -o trace.txt\` (or without txreplay: \`perf record -a ${perf} -- sleep 60\` then \`perf script > trace.txt\`)`;
}

/** A 53-bit pointer key back to kernel hex: canonical kernel addresses have bits 53..63 set like bit 52. */
export function pointerHex(key: number): string {
  let v = BigInt(key);
  if (key >= 2 ** 52) v |= 0xffe0000000000000n;
  return `0x${v.toString(16)}`;
}
