/**
 * The wall clock a trace carries about itself: one pair (wall time, trace-clock time) read at the same moment, so
 * `wall = ts_ns + (wallNs - traceNs)`. Only what the trace says — never the file's mtime (perf's `# captured on`
 * line is exactly that, the perf.data mtime in local time without a zone, so it is not used). Sources:
 *  - perf.data HEADER_CLOCK_DATA (`perf record -k <clock>`: write_clock_data() in tools/perf/util/header.c stores
 *    gettimeofday() and clock_gettime(clockid) taken back to back);
 *  - `perf script --header`: the same feature printed by print_clock_data() as
 *    `# reference time: <date> = <sec>.<usec> (TOD) = <sec>.<nsec> (<clock>)`;
 *  - our capture header (`# txreplay-capture: … wall_ns=<n> mono_ns=<n>`, packages/capture/src/header.ts);
 *  - trace.dat TRACECMD_OPTION_DATE (`trace-cmd record --date`): the offset trace-cmd adds to every timestamp.
 * A trace without any of these has no wall time: null, shown as "wall time unknown".
 */

type WallClockSource = 'perf.data clock data' | 'perf script header' | 'txreplay capture header' | 'trace.dat date';

export interface WallClock {
  /** wall clock (CLOCK_REALTIME), ns since the epoch, at the moment the trace clock read traceNs */
  wallNs: bigint;
  /** the trace clock at that moment, ns (the clock of the ts_ns column) */
  traceNs: bigint;
  source: WallClockSource;
}

const REFERENCE_TIME_RE = /^#\s*reference time:.*=\s*(\d+)\.(\d{6})\s*\(TOD\)\s*=\s*(\d+)\.(\d{9})\s*\(/;
const CAPTURE_PAIR_RE = /\swall_ns=(\d+)\s(?:.*\s)?mono_ns=(\d+)(?:\s|$)/;

/** The wall clock named in a text trace's leading comment lines, or null. */
export function wallClockOfLines(lines: readonly string[]): WallClock | null {
  for (const line of lines) {
    if (!line.startsWith('#')) continue;
    const ref = REFERENCE_TIME_RE.exec(line);
    if (ref) {
      return {
        wallNs: BigInt(ref[1]!) * 1_000_000_000n + BigInt(ref[2]!) * 1000n,
        traceNs: BigInt(ref[3]!) * 1_000_000_000n + BigInt(ref[4]!),
        source: 'perf script header',
      };
    }
    if (line.startsWith('# txreplay-capture:')) {
      const m = CAPTURE_PAIR_RE.exec(line);
      if (m) return { wallNs: BigInt(m[1]!), traceNs: BigInt(m[2]!), source: 'txreplay capture header' };
    }
  }
  return null;
}

/** The schema metadata value (META.wallClock): JSON with decimal strings, '' when unknown. */
export function wallClockMetaValue(w: WallClock | null | undefined): string {
  if (!w) return '';
  return JSON.stringify({ wall_ns: w.wallNs.toString(), trace_ns: w.traceNs.toString(), source: w.source });
}

/** Read META.wallClock back (an Arrow file written by `txreplay ingest`); null when absent or unreadable. */
export function wallClockFromMeta(value: string | undefined): WallClock | null {
  if (!value) return null;
  try {
    const o = JSON.parse(value) as { wall_ns?: unknown; trace_ns?: unknown; source?: unknown };
    if (typeof o.wall_ns !== 'string' || typeof o.trace_ns !== 'string' || typeof o.source !== 'string') return null;
    if (!/^-?\d+$/.test(o.wall_ns) || !/^-?\d+$/.test(o.trace_ns)) return null;
    return { wallNs: BigInt(o.wall_ns), traceNs: BigInt(o.trace_ns), source: o.source as WallClockSource };
  } catch {
    return null;
  }
}
