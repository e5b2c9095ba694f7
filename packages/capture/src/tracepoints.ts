/**
 * The TX-path tracepoints the capture kit records, and what this kernel offers of them.
 *
 * The field layout of each tracepoint is read from `<tracefs>/events/<sys>/<event>/format` (the same file
 * bpftrace reads for `args->…`), so the generated program only names fields this kernel has:
 * consume_skb gained `location` and kfree_skb `reason`/`rx_sk` only in later kernels, dql_stall_detected
 * exists from 6.9 (spec §H.2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { TX_EVENTS, type TxEventName } from '@txreplay/ingest';

/**
 * The ten TX-path tracepoints, in the order the kit prints them (spec §D.7, §F, §A.5): exactly the events the
 * ingest schema models, so a capture never records something ingest would only keep as raw text.
 */
export const TX_TRACEPOINTS = TX_EVENTS;
export type TxTracepoint = TxEventName;

/** Field names per tracepoint (without the `common_*` header fields). */
export type TracepointFields = Partial<Record<TxTracepoint, readonly string[]>>;

/**
 * The layouts on Linux 6.18 (spec §H.1, checked on `6.18.44-fc-v769`): the reference the shipped
 * `packages/capture/txpath.bt` is generated from.
 */
export const FIELDS_6_18: Required<TracepointFields> = {
  'net:net_dev_queue': ['skbaddr', 'len', 'name'],
  'net:net_dev_start_xmit': [
    'name',
    'queue_mapping',
    'skbaddr',
    'vlan_tagged',
    'vlan_proto',
    'vlan_tci',
    'protocol',
    'ip_summed',
    'len',
    'data_len',
    'network_offset',
    'transport_offset_valid',
    'transport_offset',
    'tx_flags',
    'gso_size',
    'gso_segs',
    'gso_type',
  ],
  'net:net_dev_xmit': ['skbaddr', 'len', 'rc', 'name'],
  'net:net_dev_xmit_timeout': ['name', 'driver', 'queue_index'],
  'qdisc:qdisc_enqueue': ['qdisc', 'txq', 'skbaddr', 'ifindex', 'handle', 'parent'],
  'qdisc:qdisc_dequeue': ['qdisc', 'txq', 'packets', 'skbaddr', 'ifindex', 'handle', 'parent', 'txq_state'],
  'napi:napi_poll': ['napi', 'dev_name', 'work', 'budget'],
  'napi:dql_stall_detected': ['thrs', 'len', 'last_reap', 'hist_head', 'now', 'hist'],
  'skb:consume_skb': ['skbaddr', 'location'],
  'skb:kfree_skb': ['skbaddr', 'location', 'rx_sk', 'protocol', 'reason'],
};

/** Parse the field names out of a tracefs `format` file (`field:unsigned int len;	offset:…`). */
export function parseFormatFields(formatText: string): string[] {
  const fields: string[] = [];
  for (const line of formatText.split('\n')) {
    const m = /^\s*field:([^;]+);/.exec(line);
    if (!m?.[1]) continue;
    // the declaration ends with the name, maybe followed by an array size: `unsigned long hist[4]`
    const decl = m[1].trim().replace(/\[\d*\]$/, '');
    const name = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(decl)?.[1];
    if (name && !name.startsWith('common_')) fields.push(name);
  }
  return fields;
}

/**
 * Drop-reason names by number from kfree_skb's `__print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, …)`.
 * The numbers change between kernels (spec §H.1), so a capture records the table of the kernel it ran on.
 */
export function parseDropReasons(formatText: string): Record<number, string> {
  const reasons: Record<number, string> = {};
  const sym = formatText.indexOf('__print_symbolic(REC->reason');
  if (sym < 0) return reasons;
  const re = /\{\s*(\d+)\s*,\s*"([A-Z0-9_]+)"\s*\}/g;
  for (let m = re.exec(formatText.slice(sym)); m; m = re.exec(formatText.slice(sym))) {
    reasons[Number(m[1])] = m[2] ?? '';
  }
  return reasons;
}

/** Where tracefs is mounted; mounts it at /sys/kernel/tracing when it is not (needs root). */
function findTracefs(): string {
  for (const dir of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) {
    if (existsSync(join(dir, 'events'))) return dir;
  }
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { stdio: 'ignore' });
  } catch {
    // fall through to the error below
  }
  if (existsSync('/sys/kernel/tracing/events')) return '/sys/kernel/tracing';
  throw new Error(
    'tracefs is not mounted and could not be mounted at /sys/kernel/tracing ' +
      '(try: mount -t tracefs nodev /sys/kernel/tracing)',
  );
}

export interface KernelTracepoints {
  tracefs: string;
  /** fields of the tracepoints that exist on this kernel */
  fields: TracepointFields;
  /** the TX tracepoints this kernel does not have (e.g. dql_stall_detected before 6.9) */
  missing: TxTracepoint[];
  /** kfree_skb drop reasons of this kernel, number → name */
  dropReasons: Record<number, string>;
}

/** Read which of the ten tracepoints this kernel has, and their fields. */
export function probeKernelTracepoints(tracefs: string = findTracefs()): KernelTracepoints {
  const fields: TracepointFields = {};
  const missing: TxTracepoint[] = [];
  let dropReasons: Record<number, string> = {};
  for (const tp of TX_TRACEPOINTS) {
    const [sys, name] = tp.split(':') as [string, string];
    const formatPath = join(tracefs, 'events', sys, name, 'format');
    if (!existsSync(formatPath)) {
      missing.push(tp);
      continue;
    }
    const text = readFileSync(formatPath, 'utf8');
    fields[tp] = parseFormatFields(text);
    if (tp === 'skb:kfree_skb') dropReasons = parseDropReasons(text);
  }
  return { tracefs, fields, missing, dropReasons };
}
