/**
 * A TX queue's sysfs files as users paste them (net/core/net-sysfs.c): the BQL state of
 * /sys/class/net/DEV/queues/tx-N/byte_queue_limits/ (limit, inflight, limit_min, limit_max, hold_time and, 6.9+,
 * stall_thrs, stall_cnt, stall_max) and the queue's tx_timeout (dev_watchdog's per-queue count, trans_timeout).
 * Pasted as `grep . /sys/class/net/eth0/queues/tx-* /byte_queue_limits/*` (path:value), `head` (`==> path <==`
 * then the value) or `path value` lines. A queue's file seen again starts its next snapshot, so the same command
 * pasted twice gives what changed between the two.
 */
import { stripPastePrefix } from '../paste.js';

/** One TX queue's files at one moment. */
export interface QueueSysfsSnapshot {
  /** 1-based line of the queue's first file in this snapshot */
  line: number;
  dev: string;
  /** N of tx-N */
  queue: number;
  /** file name (`inflight`, `limit`, `tx_timeout`…) → value; only the decimal ones */
  values: Map<string, number>;
  /** 0 for the queue's first snapshot in the input, 1 for the second, … */
  snapshot: number;
}

export interface QueueSysfsRead {
  snapshots: QueueSysfsSnapshot[];
  /** seconds between snapshots when the paste shows them (`…; sleep 1; grep …`); null: not shown */
  intervalSec: number | null;
  skipped: number;
  firstSkipped: { line: number; text: string } | null;
}

// [/sys/class/net/]DEV/queues/tx-N/[byte_queue_limits/]NAME, then `:value` (grep) or ` value`
const PATH = String.raw`(?:/sys/class/net/)?([^/\s:]+)/queues/tx-(\d+)/(?:byte_queue_limits/)?([a-z_]+)`;
const VALUE_RE = new RegExp(String.raw`^\s*${PATH}(?::|\s+)\s*(\S*)\s*$`);
const HEAD_RE = new RegExp(String.raw`^==> ${PATH} <==$`);
/** byte_queue_limits/* (bql_attribute_*) and the queue's tx_timeout and tx_maxrate: decimal numbers */
const DECIMAL_FILES = new Set([
  'limit',
  'inflight',
  'limit_min',
  'limit_max',
  'hold_time',
  'stall_thrs',
  'stall_cnt',
  'stall_max',
  'tx_timeout',
  'tx_maxrate',
]);
// a shell prompt and the command: `$ grep . /sys/…`, `# for f in …; do …`, `root@host:~# sleep 1; grep …`
const PROMPT_RE = /^(?:\S*[$#] |\[[^\]]*\][$#] ?)(.*)$/;
// the shell's job-control notice after a command put in the background (`./super_netperf 200 … &` → `[1] 198996`)
const JOB_RE = /^\[\d+\]\+?\s+\d+$/;
/**
 * The rest of a command line a mail client wrapped: after a command ending in `|`, `\\` or `&&`, or a sysfs path
 * with no value after it (`grep .` then `/sys/class/net/eth1/queues/tx-* /byte_queue_limits/limit`).
 */
function continuesCommand(command: string, line: string): boolean {
  return /(?:\||\\|&&)\s*$/.test(command) || /^\s*\S*\/queues\/tx-[^\s:]*\s*$/.test(line);
}
/** A line of a mail reply's quote (`> /sys/class/net/…:819432`) without its quote marks; others as they are. */
const unquote = (line: string): string => stripPastePrefix(line, 'quote') ?? line;

/** Reads one paste: lines it does not know are counted (skipped, firstSkipped), never guessed at. */
export function readQueueSysfs(text: string): QueueSysfsRead {
  const out: QueueSysfsRead = { snapshots: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const current = new Map<string, QueueSysfsSnapshot>();
  /** every file name of the queue's current snapshot, decimal or not */
  const names = new Map<QueueSysfsSnapshot, Set<string>>();
  const seen = new Map<string, number>();
  const put = (dev: string, queue: number, name: string, value: string, line: number): void => {
    const key = `${dev}/${queue}`;
    let s = current.get(key);
    // the same file again: the queue's next snapshot
    if (s === undefined || names.get(s)!.has(name)) {
      const snapshot = seen.get(key) ?? 0;
      seen.set(key, snapshot + 1);
      s = { line, dev, queue, values: new Map(), snapshot };
      current.set(key, s);
      names.set(s, new Set());
      out.snapshots.push(s);
    }
    names.get(s)!.add(name);
    // xps_cpus/xps_rxqs are hex masks, traffic_class may be empty: only the decimal files are kept
    if (DECIMAL_FILES.has(name) && /^-?\d+$/.test(value)) s.values.set(name, Number(value));
  };
  const lines = text.split('\n').map((l) => unquote(l.replace(/\r$/, '')));
  // the command line just read: a mail client wraps a long one (`# grep .` / `/sys/…/tx-*/…/limit`, `… |` / `sort …`)
  let command: string | null = null;
  const sawCommand = (cmd: string): void => {
    command = cmd;
    const sleep = /\bsleep (\d+(?:\.\d+)?)\b/.exec(cmd);
    if (sleep) out.intervalSec = Number(sleep[1]);
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') {
      command = null;
      continue;
    }
    const v = VALUE_RE.exec(raw);
    if (v) {
      command = null;
      put(v[1]!, Number(v[2]), v[3]!, v[4]!, i + 1);
      continue;
    }
    const h = HEAD_RE.exec(raw.trim());
    const next = h ? lines[i + 1]?.trim() : undefined;
    if (h && next !== undefined && !next.startsWith('==>')) {
      command = null;
      put(h[1]!, Number(h[2]), h[3]!, next, i + 1);
      i++;
      continue;
    }
    const prompt = PROMPT_RE.exec(raw);
    if (prompt) {
      sawCommand(prompt[1]!);
      continue;
    }
    if (command !== null && continuesCommand(command, raw)) {
      sawCommand(`${command} ${raw.trim()}`);
      continue;
    }
    if (JOB_RE.test(raw.trim())) continue;
    out.skipped++;
    out.firstSkipped ??= { line: i + 1, text: raw.slice(0, 120) };
  }
  return out;
}

/** True when the first lines hold two or more TX-queue sysfs files with their values. */
export function looksLikeQueueSysfs(lines: readonly string[]): boolean {
  let files = 0;
  for (const line of lines.slice(0, 64)) {
    const l = unquote(line);
    if (VALUE_RE.test(l) || HEAD_RE.test(l.trim())) files++;
  }
  return files >= 2;
}
