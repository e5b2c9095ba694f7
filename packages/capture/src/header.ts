/**
 * The capture header: one comment line at the top of every trace `txreplay capture` writes, recording the
 * capture's own filter so a reader knows what the trace CANNOT show (a `--dev` capture has no other device's
 * events; frees are only those of the device's skbs; lost events). Pure, no imports: this file is the
 * grammar's single definition and may be moved as-is into @txreplay/ingest (which must not depend on capture).
 *
 * Grammar (v=1), one line, ASCII:
 *   line   = "# txreplay-capture:" 1*(" " pair)
 *   pair   = key "=" value
 *   key    = [a-z_]+
 *   value  = item *("," item)         a list; a scalar is a one-item list
 *   item   = 1*( [A-Za-z0-9._:()/@+-] | "%" HEX HEX )   percent-encoded byte for anything else (",", "=", "%", space)
 * Keys (all written by formatCaptureHeader, in this order; unknown keys are kept by parseCaptureHeader):
 *   v=1                         grammar version
 *   tracer=bpftrace|perf
 *   kernel=<release>
 *   dev=<name>|*                --dev, or * = every device (no filter)
 *   ifindex=<n>|*               qdisc_* kept for this ifindex (qdisc events carry no name), * = all
 *   peer=<name>|-               veth peer of dev (its NAPI completes dev's transmits), - = none
 *   peer_ifindex=<n>|-          the peer's ifindex in its own namespace
 *   napi=<dev_name>,…|*         napi_poll kept for these dev_name values ("(no_device)" = backlog NAPI), * = all
 *   frees=all|by-skb|by-skb-post  consume_skb/kfree_skb: all; only skbs seen on dev's net_dev_queue/start_xmit/xmit
 *                               (bpftrace, in the kernel); the same decided after recording (perf, from text)
 *   events=<sys:event>,…        tracepoints recorded
 *   lost=<n>                    events the tracer reported lost (bpftrace "Lost N events", perf PERF_RECORD_LOST)
 *   stopped=deadline|signal     --seconds ran out, or SIGINT/SIGTERM (Ctrl-C) stopped the capture early
 *   wall_ns=<n> mono_ns=<n>     CLOCK_REALTIME and CLOCK_MONOTONIC (the trace's clock: perf -k CLOCK_MONOTONIC,
 *                               bpftrace nsecs) read together at the start: the trace's own wall clock (optional;
 *                               read by @txreplay/ingest parse/wallClock.ts)
 */

export const CAPTURE_HEADER_PREFIX = '# txreplay-capture:';
const CAPTURE_HEADER_VERSION = 1;

type FreesFilter = 'all' | 'by-skb' | 'by-skb-post';

/** What a capture recorded and filtered; `null` = no filter (`*`) or none (`-`), as the key's doc says. */
export interface CaptureFilter {
  tracer: 'bpftrace' | 'perf';
  kernel: string;
  dev: string | null;
  ifindex: number | null;
  peer: string | null;
  peerIfindex: number | null;
  /** napi_poll dev_name values kept; null = all */
  napiDevs: string[] | null;
  frees: FreesFilter;
  events: string[];
  lost: number;
  stopped: 'deadline' | 'signal';
  /** the wall clock and the trace clock read together (ns), when the capture took them */
  clock?: { wallNs: bigint; monoNs: bigint };
}

export interface ParsedCaptureHeader extends CaptureFilter {
  version: number;
  /** every key=value of the line, decoded (also keys this version does not know) */
  fields: Record<string, string[]>;
}

const PLAIN = /^[A-Za-z0-9._:()/@+-]$/;

function encodeItem(s: string): string {
  let out = '';
  for (const ch of s) {
    if (PLAIN.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  // a lone "-" would read as "none"
  return out === '-' ? '%2D' : out;
}

function decodeItem(s: string): string {
  return decodeURIComponent(s);
}

const list = (items: readonly string[]): string => items.map(encodeItem).join(',');

/** The header line (without newline) for a capture's filter. */
export function formatCaptureHeader(f: CaptureFilter): string {
  const pairs: Array<[string, string]> = [
    ['v', String(CAPTURE_HEADER_VERSION)],
    ['tracer', f.tracer],
    ['kernel', encodeItem(f.kernel)],
    ['dev', f.dev === null ? '*' : encodeItem(f.dev)],
    ['ifindex', f.ifindex === null ? '*' : String(f.ifindex)],
    ['peer', f.peer === null ? '-' : encodeItem(f.peer)],
    ['peer_ifindex', f.peerIfindex === null ? '-' : String(f.peerIfindex)],
    ['napi', f.napiDevs === null ? '*' : list(f.napiDevs)],
    ['frees', f.frees],
    ['events', list(f.events)],
    ['lost', String(f.lost)],
    ['stopped', f.stopped],
    ...(f.clock
      ? ([
          ['wall_ns', String(f.clock.wallNs)],
          ['mono_ns', String(f.clock.monoNs)],
        ] as Array<[string, string]>)
      : []),
  ];
  return `${CAPTURE_HEADER_PREFIX} ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
}

const intOrNull = (v: string | undefined, none: string): number | null => {
  if (v === undefined || v === none) return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`capture header: not a count: ${v}`);
  return n;
};

/**
 * Parse a header line; null when the line is not a capture header. Throws on a header that breaks the
 * grammar (a reader should say so rather than guess what the capture filtered).
 */
export function parseCaptureHeader(line: string): ParsedCaptureHeader | null {
  const text = line.replace(/\r?\n$/, '');
  if (!text.startsWith(`${CAPTURE_HEADER_PREFIX} `)) return null;
  const fields: Record<string, string[]> = {};
  const raw: Record<string, string> = {};
  for (const tok of text.slice(CAPTURE_HEADER_PREFIX.length).trim().split(/ +/)) {
    const m = /^([a-z_]+)=(\S+)$/.exec(tok);
    if (!m?.[1] || m[2] === undefined) throw new Error(`capture header: bad pair ${JSON.stringify(tok)}`);
    raw[m[1]] = m[2];
    fields[m[1]] = m[2].split(',').map(decodeItem);
  }
  const one = (k: string): string | undefined => (raw[k] === undefined ? undefined : decodeItem(raw[k]!));
  const version = intOrNull(raw.v, '') ?? 0;
  if (version !== CAPTURE_HEADER_VERSION) throw new Error(`capture header: unknown version v=${raw.v ?? '(none)'}`);
  const tracer = raw.tracer;
  if (tracer !== 'bpftrace' && tracer !== 'perf') throw new Error(`capture header: bad tracer=${tracer ?? ''}`);
  const frees = raw.frees;
  if (frees !== 'all' && frees !== 'by-skb' && frees !== 'by-skb-post')
    throw new Error(`capture header: bad frees=${frees ?? ''}`);
  const stopped = raw.stopped;
  if (stopped !== 'deadline' && stopped !== 'signal') throw new Error(`capture header: bad stopped=${stopped ?? ''}`);
  const dev = one('dev');
  const peer = one('peer');
  return {
    version,
    tracer,
    kernel: one('kernel') ?? '',
    dev: dev === undefined || raw.dev === '*' ? null : dev,
    ifindex: intOrNull(raw.ifindex, '*'),
    peer: peer === undefined || raw.peer === '-' ? null : peer,
    peerIfindex: intOrNull(raw.peer_ifindex, '-'),
    napiDevs: raw.napi === undefined || raw.napi === '*' ? null : (fields.napi ?? []),
    frees,
    events: fields.events ?? [],
    lost: intOrNull(raw.lost, '') ?? 0,
    stopped,
    ...(raw.wall_ns !== undefined && raw.mono_ns !== undefined && /^\d+$/.test(raw.wall_ns) && /^\d+$/.test(raw.mono_ns)
      ? { clock: { wallNs: BigInt(raw.wall_ns), monoNs: BigInt(raw.mono_ns) } }
      : {}),
    fields,
  };
}
