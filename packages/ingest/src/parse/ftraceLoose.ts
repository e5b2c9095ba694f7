/**
 * ftrace lines with columns cut away: what people paste after trimming the task, CPU and/or irq-flags columns of
 * tracefs `trace` (kernel/trace/trace_output.c: `comm-pid [cpu] flags ts: event: fields`) or of the latency format
 * (`comm-pid cpuflags ts[us][mark]: event: fields`). Whatever columns are left are kept; the timestamp and the
 * event name are required. The full layouts stay with ./formats.ts parseFtraceLine (and the WebAssembly kernel): this
 * is only tried on lines those do not read.
 *
 *   [002] ..s1.  1838.311662: net_dev_xmit_timeout: …     CPU and flags, no task
 *   [000] 123.456: event: …                                CPU only
 *   kworker/1:2-12 d.s. 123.456: event: …                  task and flags, no CPU
 *   kworker-12 123.456: event: …                           task only
 *   289.902651: net_dev_xmit: …                            nothing but the timestamp
 *   0d.s2    4us+: event: …                                latency format without the task
 */

/** 1 comm, 2 pid, 3 cpu ([cpu] or latency cpu glued to the flags), 4 latency flags, 5 flags, 6 ts, 7 `us`, 8 event */
const LOOSE_RE =
  /^\s*(?:(\S.*?)-(\d+)\s+)?(?:\(\s*[\d-]+\)\s+)?(?:\[(\d+)\]\s+|(\d+)[.A-Za-z][.\w]{3,5}\s+)?(?:([.\w]{4,5})\s+)?(\d+(?:\.\d+)?)(us)?\s*[!#$@*+]?\s*:\s+([\w.-]+(?::[\w.-]+)?):(?:\s+|$)/;

export interface LooseFtrace {
  comm: string | null;
  pid: number | null;
  cpu: number | null;
  /** timestamp text (`secs.frac`, or microseconds when `micros`) */
  ts: string;
  micros: boolean;
  /** index of the event name in the line */
  evA: number;
}

/** The columns of a stripped ftrace line, or null when it is not one. */
export function matchLooseFtrace(s: string): LooseFtrace | null {
  const m = LOOSE_RE.exec(s);
  if (m === null) return null;
  const ts = m[6]!;
  const micros = m[7] !== undefined;
  // seconds always have a fraction (`%5lu.%06lu`); a bare integer is only a latency-format `us` stamp
  if (!micros && ts.indexOf('.') < 0) return null;
  const cpu = m[3] ?? m[4];
  const ev = m[8]!;
  return {
    comm: m[1] === undefined ? null : m[1].trim(),
    pid: m[2] === undefined ? null : Number(m[2]),
    cpu: cpu === undefined ? null : Number(cpu),
    ts,
    micros,
    evA: m[0].lastIndexOf(`${ev}:`),
  };
}
