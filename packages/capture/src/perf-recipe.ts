/**
 * The perf side of the capture kit: `perf record` arguments for the TX tracepoints (the same recipe as
 * `packages/capture/perf-record.sh`). Pure.
 *
 * `-k CLOCK_MONOTONIC` puts perf on the clock bpftrace `nsecs` and ftrace `trace_clock=mono` use, so captures
 * of the same run line up. perf can filter only on a tracepoint's own fields: net_dev_* (`name`) and qdisc_*
 * (`ifindex`) are filtered by device, napi_poll (`dev_name`) by the NAPIs that complete the device's transmits
 * (its own, its veth peer's, `(no_device)` = backlog; devices.ts completionNapi). A perf filter cannot follow
 * skbs: consume_skb/kfree_skb carry no device and are recorded UNFILTERED, then `txreplay capture` keeps only
 * the frees of skbs seen on the device (skb-filter.ts), which is what the bpftrace program does in the kernel.
 */
import { TX_TRACEPOINTS, type TracepointFields } from './tracepoints.js';

export interface PerfRecordOptions {
  fields: TracepointFields;
  dataPath: string;
  seconds: number;
  dev?: string;
  ifindex?: number;
  /** napi_poll dev_name values to keep under `dev` (default: `dev` only) */
  napiDevs?: readonly string[];
  /** `-g --kernel-callchains`: record kernel call chains (perf script then prints them under each event) */
  callGraph?: boolean;
  /** per-CPU ring buffer pages (`-m`, a power of two); more pages, fewer lost events */
  mmapPages?: number;
}

/** The perf tracepoint filter for one event under a device filter, or null when it cannot be filtered. */
function perfFilter(fields: readonly string[], opts: PerfRecordOptions): string | null {
  const { dev, ifindex } = opts;
  if (dev !== undefined && fields.includes('name')) return `name == "${dev}"`;
  if (dev !== undefined && fields.includes('dev_name'))
    return (opts.napiDevs ?? [dev]).map((n) => `dev_name == "${n}"`).join(' || ');
  if (ifindex !== undefined && fields.includes('ifindex')) return `ifindex == ${ifindex}`;
  return null;
}

/** `perf record …` arguments (without the leading `perf`). */
export function perfRecordArgs(opts: PerfRecordOptions): string[] {
  const args = ['record', '-a', '-k', 'CLOCK_MONOTONIC', '-m', String(opts.mmapPages ?? 1024)];
  // kernel stacks only: the TX path is in the kernel, and user frames (`0 [unknown] ([unknown])`) only add bulk
  if (opts.callGraph) args.push('-g', '--kernel-callchains');
  for (const tp of TX_TRACEPOINTS) {
    const fields = opts.fields[tp];
    if (!fields) continue;
    // one -e per event: a --filter applies to the -e right before it
    args.push('-e', tp);
    const filter = perfFilter(fields, opts);
    if (filter) args.push('--filter', filter);
  }
  // with a device filter: receptions, so the skb post-filter can forget skbs that became RX skbs (skb-filter.ts)
  if (opts.dev !== undefined && (opts.fields['skb:consume_skb'] ?? opts.fields['skb:kfree_skb']))
    args.push('-e', 'net:netif_receive_skb');
  args.push('-o', opts.dataPath, '--', 'sleep', String(opts.seconds));
  return args;
}
