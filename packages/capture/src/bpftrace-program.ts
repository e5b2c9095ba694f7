/**
 * Generates the capture kit's bpftrace program (`packages/capture/txpath.bt` is its output for Linux 6.18).
 *
 * Output, one line per event (the format of the shared captures, parsed by @txreplay/ingest):
 *   `<ts_ns> <cpu> <tid> <comm> <sys:event> key=value …`
 * framed by `# txpath.bt started ts_ns=N` and `# txpath.bt ended ts_ns=N`. `ts_ns` is bpftrace `nsecs`
 * (ktime_get_ns, CLOCK_MONOTONIC: the clock perf -k CLOCK_MONOTONIC and ftrace trace_clock=mono use).
 *
 * Device filter, positional parameters: `bpftrace txpath.bt [DEV [IFINDEX [PEER [NODEV]]]]`
 *  - net_dev_* carry a device name and are kept when it equals DEV;
 *  - napi_poll is kept for the NAPI that completes DEV's transmits: DEV's own, PEER's (veth: veth_xmit hands
 *    the skb to the peer, whose NAPI receives it; the peer may be in another namespace, napi_poll prints its
 *    name) and, when NODEV is 1, the backlog NAPI (`(no_device)`: veth without peer NAPI, loopback, netif_rx);
 *  - qdisc_* carry only an ifindex and are kept when it equals IFINDEX (all kept when IFINDEX is 0);
 *  - consume_skb/kfree_skb carry no device: an skb is kept when net_dev_queue or net_dev_start_xmit saw
 *    it on DEV (map @txr_skb; the entry is deleted when the skb is freed, queued on another device or received
 *    by any device). A receive ends the skb's life as a TX skb: veth_xmit hands the same skb to the peer, and
 *    on 6.18 the receiver frees it WITHOUT a tracepoint (skb_consume_udp → skb_attempt_defer_free →
 *    kfree_skb_napi_cache, measured: 470 of 470 received skbs, 0 traced frees), so an entry kept past the
 *    receive would only ever match the next, unrelated skb at that address (measured: 498 unix-socket frees
 *    misattributed in a 1329-packet flood). For a veth the TX completion is the peer's receive, which the
 *    peer's napi_poll shows (kept, see above); the frees kept are the drops before it (qdisc, driver);
 *  - dql_stall_detected carries no device either and is always kept (it is rare and always interesting).
 * Fields absent on the running kernel (spec §H.2: consume_skb `location` from ~6.2, kfree_skb `reason`
 * from 5.17, napi_poll `work`/`budget` from ~4.7) are left out of the line rather than invented.
 */
import { TX_TRACEPOINTS, type TracepointFields, type TxTracepoint } from './tracepoints.js';

interface PrintedField {
  /** key printed in the line */
  key: string;
  /** printf conversion */
  fmt: string;
  /** bpftrace expression */
  expr: string;
  /** tracepoint fields the expression needs */
  needs: string[];
}

const f = (key: string, fmt: string, expr: string, needs: string[] = [key]): PrintedField => ({
  key,
  fmt,
  expr,
  needs,
});
const ptr = (key: string): PrintedField => f(key, '0x%llx', `(uint64)args->${key}`);
const str = (key: string, field: string): PrintedField => f(key, '%s', `str(args->${field})`, [field]);

/** What each tracepoint prints, in order; keys follow the kernel's own print fmt (spec §H.1). */
const LINE_FIELDS: Record<TxTracepoint, PrintedField[]> = {
  'net:net_dev_queue': [str('dev', 'name'), ptr('skbaddr'), f('len', '%u', 'args->len')],
  'net:net_dev_start_xmit': [
    str('dev', 'name'),
    f('queue_mapping', '%u', 'args->queue_mapping'),
    ptr('skbaddr'),
    f('protocol', '0x%04x', 'args->protocol'),
    f('ip_summed', '%u', 'args->ip_summed'),
    f('len', '%u', 'args->len'),
    f('data_len', '%u', 'args->data_len'),
    f('network_offset', '%d', 'args->network_offset'),
    f('transport_offset_valid', '%u', 'args->transport_offset_valid'),
    f('transport_offset', '%d', 'args->transport_offset'),
    f('tx_flags', '%u', 'args->tx_flags'),
    f('gso_size', '%u', 'args->gso_size'),
    f('gso_segs', '%u', 'args->gso_segs'),
    f('gso_type', '0x%x', 'args->gso_type'),
  ],
  'net:net_dev_xmit': [str('dev', 'name'), ptr('skbaddr'), f('len', '%u', 'args->len'), f('rc', '%d', 'args->rc')],
  'net:net_dev_xmit_timeout': [
    str('dev', 'name'),
    str('driver', 'driver'),
    f('queue', '%d', 'args->queue_index', ['queue_index']),
  ],
  'qdisc:qdisc_enqueue': [
    f('ifindex', '%d', 'args->ifindex'),
    f('handle', '0x%x', 'args->handle'),
    f('parent', '0x%x', 'args->parent'),
    ptr('qdisc'),
    ptr('txq'),
    ptr('skbaddr'),
  ],
  'qdisc:qdisc_dequeue': [
    f('ifindex', '%d', 'args->ifindex'),
    f('handle', '0x%x', 'args->handle'),
    f('parent', '0x%x', 'args->parent'),
    f('txq_state', '0x%lx', 'args->txq_state'),
    f('packets', '%d', 'args->packets'),
    ptr('qdisc'),
    ptr('txq'),
    ptr('skbaddr'),
  ],
  'napi:napi_poll': [
    ptr('napi'),
    str('dev', 'dev_name'),
    f('work', '%d', 'args->work'),
    f('budget', '%d', 'args->budget'),
  ],
  'napi:dql_stall_detected': [
    f('thrs', '%u', 'args->thrs'),
    f('len', '%u', 'args->len'),
    f('last_reap', '%lu', 'args->last_reap'),
    f('hist_head', '%lu', 'args->hist_head'),
    f('now', '%lu', 'args->now'),
    f('hist', '0x%lx,0x%lx,0x%lx,0x%lx', 'args->hist[0], args->hist[1], args->hist[2], args->hist[3]'),
  ],
  'skb:consume_skb': [ptr('skbaddr'), f('location', '%s', 'ksym(args->location)')],
  'skb:kfree_skb': [
    ptr('skbaddr'),
    f('protocol', '%u', 'args->protocol'),
    // numeric: bpftrace 0.17 cannot print enum names; the number→name table of the capturing kernel is in
    // the capture's .meta.json (and the kernel's kfree_skb format file)
    f('reason', '%u', 'args->reason'),
    f('location', '%s', 'ksym(args->location)'),
  ],
};

/**
 * The tracepoints whose skbs are DEV's: their later consume_skb/kfree_skb are kept. Not net_dev_xmit: it fires
 * after ndo_start_xmit returned, and a driver that drops frees the skb inside and still returns NETDEV_TX_OK,
 * so the free would come first and the entry would go stale; every skb it reports passed
 * net_dev_start_xmit (xmit_one) just before anyway.
 */
const SEEN_ON_DEV: readonly TxTracepoint[] = ['net:net_dev_queue', 'net:net_dev_start_xmit'];

/** How each tracepoint is matched against the device filter (see the header comment). */
function predicate(tp: TxTracepoint, fields: readonly string[], trackSkbs: boolean, gated: boolean): string | null {
  const inner = devicePredicate(tp, fields, trackSkbs);
  if (!gated) return inner;
  // after the flush marker nothing is printed (see FLUSH_MARKER_PID)
  return inner ? `/ @txr_stop == 0 && (${inner.slice(2, -2)}) /` : '/ @txr_stop == 0 /';
}

function devicePredicate(tp: TxTracepoint, fields: readonly string[], trackSkbs: boolean): string | null {
  if (fields.includes('name')) return '/ str($1) == "" || str(args->name) == str($1) /';
  if (fields.includes('dev_name'))
    return (
      '/ str($1) == "" || str(args->dev_name) == str($1) || (str($3) != "" && str(args->dev_name) == str($3)) ||' +
      ' ($4 != 0 && str(args->dev_name) == "(no_device)") /'
    );
  if (fields.includes('ifindex')) return '/ $2 == 0 || args->ifindex == $2 /';
  if (tp.startsWith('skb:') && trackSkbs) return '/ str($1) == "" || @txr_skb[(uint64)args->skbaddr] /';
  return null;
}

export interface ProgramOptions {
  /** fields per tracepoint of the target kernel; tracepoints without an entry are left out */
  fields: TracepointFields;
  /** a comment line naming the kernel the program was generated for */
  generatedFor?: string;
  /**
   * Add the flush marker (FLUSH_MARKER_PID): this kernel has tracepoint:syscalls:sys_enter_kill. Default true.
   */
  flushMarker?: boolean;
}

/**
 * Clean stop. On SIGINT bpftrace 0.17 detaches, runs END and exits; events still unread in a per-CPU ring (the
 * reader had fallen behind: a flood on a loaded host) were then gone, with no "Lost" line (the ring never
 * overflowed). Measured in 1 of 6 plain-SIGINT stops on a 2-CPU host at load ~7: stopped ~1 s into a paced
 * flood, the trace held only the flood's first 0.12 s (667 of 4510 sendto()s; END came 0.83 s after the last
 * event). Why some rings are not read again is not established (epoll readiness is our guess). So the capture
 * stops in two steps: `kill(FLUSH_MARKER_PID, 0)` pinned to each online CPU (ESRCH: no such pid, no signal
 * sent) hits the marker probe on that CPU, which stops all printing (@txr_stop) and prints
 * `# txpath.bt flush cpu=N ts_ns=T` into that CPU's ring, behind everything recorded there before. When the
 * runner has read the flush line of every CPU, every event before the stop is in the output and nothing after
 * it is pending: then SIGINT. PID_MAX_LIMIT is 4194304, so this pid never exists.
 */
export const FLUSH_MARKER_PID = 2147483632;

/** A probe that prints nothing and only drops the skb from @txr_skb. */
function forgetSkbProbe(out: string[], probe: string, pred: string): void {
  out.push('', probe, pred, '{', '  delete(@txr_skb[(uint64)args->skbaddr]);', '}');
}

/** The bpftrace program text for the tracepoints (and fields) given. Pure. */
export function bpftraceProgram(opts: ProgramOptions): string {
  const out: string[] = [];
  const present = TX_TRACEPOINTS.filter((tp) => opts.fields[tp] !== undefined);
  const absent = TX_TRACEPOINTS.filter((tp) => opts.fields[tp] === undefined);
  // skb frees can only be attributed to DEV when net_dev_queue is there to see the skb first
  const trackSkbs = present.includes('net:net_dev_queue') && present.some((tp) => tp.startsWith('skb:'));
  const flush = opts.flushMarker ?? true;
  out.push(
    '#!/usr/bin/env bpftrace',
    '/*',
    ' * txpath.bt: the network TX path (qdisc -> driver -> completion) as one line per event, for txreplay.',
    ' * Generated by `txreplay capture --print-program`; do not edit by hand.',
    ...(opts.generatedFor ? [` * Generated for: ${opts.generatedFor}`] : []),
    ...(absent.length ? [` * Left out (absent on that kernel): ${absent.join(', ')}`] : []),
    ' *',
    ' * Line format: <ts_ns> <cpu> <tid> <comm> <sys:event> key=value ...   (ts_ns = nsecs, CLOCK_MONOTONIC)',
    ' * Usage:   bpftrace txpath.bt [DEV [IFINDEX [PEER [NODEV]]]] > trace.txt   (stop with Ctrl-C, or `timeout -s INT 10 ...`)',
    ' * Filter:  DEV keeps net_dev_* of DEV and the frees of skbs seen on DEV (queue, start_xmit);',
    ' *          napi_poll of DEV, of PEER (veth: the peer NAPI completes DEV\'s transmits) and, NODEV=1, "(no_device)";',
    ' *          IFINDEX keeps qdisc_* of that ifindex (qdisc events carry no name). dql_stall_detected: always.',
    ...(flush
      ? [
          ` * Clean stop: \`taskset -c N kill -0 ${FLUSH_MARKER_PID}\` on every CPU, wait for each "# txpath.bt flush cpu=N",`,
          ' *          then SIGINT: nothing recorded before the marker is left unread in a per-CPU ring.',
        ]
      : []),
    ' * Lost events: raise BPFTRACE_PERF_RB_PAGES (per-CPU ring pages, default 64); bpftrace prints "Lost N events".',
    ' */',
    '',
    'BEGIN',
    '{',
    '  printf("# txpath.bt started ts_ns=%llu\\n", nsecs);',
    '}',
  );
  for (const tp of present) {
    const fields = opts.fields[tp] ?? [];
    const printed = LINE_FIELDS[tp].filter((p) => p.needs.every((n) => fields.includes(n)));
    const fmt = ['%llu %d %d %s', tp, ...printed.map((p) => `${p.key}=${p.fmt}`)].join(' ');
    const args = ['nsecs', 'cpu', 'tid', 'comm', ...printed.map((p) => p.expr)];
    const pred = predicate(tp, fields, trackSkbs, flush);
    out.push('', `tracepoint:${tp}`);
    if (pred) out.push(pred);
    out.push('{');
    // remember the skbs seen on DEV (the predicate above already checked the name)
    if (trackSkbs && SEEN_ON_DEV.includes(tp) && fields.includes('skbaddr'))
      out.push('  if (str($1) != "") { @txr_skb[(uint64)args->skbaddr] = 1; }');
    if (trackSkbs && tp.startsWith('skb:'))
      out.push('  if (str($1) != "") { delete(@txr_skb[(uint64)args->skbaddr]); }');
    out.push(`  printf("${fmt}\\n",`, `    ${args.join(', ')});`, '}');
    if (trackSkbs && tp === 'net:net_dev_queue') {
      // an skb queued on another device: forget it, so a free of a recycled address whose earlier free was
      // untraced (GRO merges, skb_consume_udp) is not attributed to DEV
      forgetSkbProbe(out, `tracepoint:${tp}`, '/ str($1) != "" && str(args->name) != str($1) /');
      // an skb received by any device (the veth peer included: see the header comment) is no longer a TX
      // skb, and its free may be untraced: forget it too. Prints nothing.
      forgetSkbProbe(out, 'tracepoint:net:netif_receive_skb', '/ str($1) != "" /');
    }
  }
  if (flush) {
    out.push(
      '',
      'tracepoint:syscalls:sys_enter_kill',
      `/ args->pid == ${FLUSH_MARKER_PID} && args->sig == 0 /`,
      '{',
      '  @txr_stop = 1;',
      '  printf("# txpath.bt flush cpu=%d ts_ns=%llu\\n", cpu, nsecs);',
      '}',
    );
  }
  out.push('', 'END', '{');
  if (trackSkbs) out.push('  clear(@txr_skb);');
  if (flush) out.push('  clear(@txr_stop);');
  out.push('  printf("# txpath.bt ended ts_ns=%llu\\n", nsecs);', '}', '');
  return out.join('\n');
}
