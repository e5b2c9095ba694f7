/**
 * /proc/interrupts as users paste it (kernel/irq/proc.c show_interrupts): a `CPU0 CPU1 …` header, then per IRQ
 * `NN:` the count on each CPU (kstat_irqs_cpu: how often the handler ran there), the irq chip, hwirq and flow, and
 * the action names request_irq() was given. Also pasted as `grep eth0 /proc/interrupts` (no header), quoted in a
 * mail, or twice around a `sleep N`. Only the interrupts of a NIC's queues are kept (./names.ts); the others
 * (timers, disks, NMI/LOC rows) are recognised and counted. An IRQ seen again starts its next snapshot.
 */
import { stripPastePrefix } from '../paste.js';
import { PROMPT_RE } from '../snapshot-paste.js';
import { nicIrqOfName, type NicIrq } from './names.js';

/** One NIC interrupt at one moment. */
export interface IrqSnapshot extends NicIrq {
  /** 1-based line */
  line: number;
  /** the IRQ number as printed */
  irq: string;
  /** the action name (`eth0-TxRx-3`) */
  name: string;
  /** the count on each CPU column, in order */
  perCpu: number[];
  /** their sum: how often the handler ran since boot */
  total: number;
  /** 0 for the IRQ's first snapshot in the input, 1 for the second, … */
  snapshot: number;
}

export interface InterruptsRead {
  snapshots: IrqSnapshot[];
  /** seconds between snapshots when the paste shows them (`…; sleep 5; cat /proc/interrupts`); null: not shown */
  intervalSec: number | null;
  /** interrupt rows of other devices (timers, disks, NMI, LOC…): read, not kept */
  otherIrqs: number;
  skipped: number;
  firstSkipped: { line: number; text: string } | null;
}

const HEADER_RE = /^\s*CPU\d+(?:\s+CPU\d+)*\s*$/;
// `  45:` a number, or an architecture row (`NMI:`, `LOC:`, `IPI0:`, `Err:`), then the counts
const ROW_RE = /^\s*(\d+|[A-Z][A-Za-z]{1,3}\d?):((?:\s+\d+)+)(?:\s+(.*))?$/;
// `watch -n 5 cat /proc/interrupts` puts `Every 5.0s: cat /proc/interrupts   host: date` above each screen
const WATCH_RE = /^Every (\d+(?:\.\d+)?)s: /;
const unquote = (line: string): string => stripPastePrefix(line, 'quote') ?? line;

/** The action names: the last word, and the words before it that end in a comma (`eth0, eth1` share the IRQ). */
function actionNames(tail: string): string[] {
  const words = tail.trim().split(/\s+/);
  const names = [words[words.length - 1]!];
  for (let i = words.length - 2; i >= 1 && words[i]!.endsWith(','); i--) names.unshift(words[i]!.slice(0, -1));
  return names;
}

/** A row's counts: as many as the header has CPUs, else every number before the chip's name. */
function splitCounts(counts: string, tail: string | undefined, cpus: number | null): [number[], string] {
  const words = counts.trim().split(/\s+/);
  const n = cpus !== null && cpus < words.length ? cpus : words.length;
  const rest = [...words.slice(n), tail ?? ''].join(' ').trim();
  return [words.slice(0, n).map(Number), rest];
}

/** Reads one paste: lines it does not know are counted (skipped, firstSkipped), never guessed at. */
export function readInterrupts(text: string): InterruptsRead {
  const out: InterruptsRead = { snapshots: [], intervalSec: null, otherIrqs: 0, skipped: 0, firstSkipped: null };
  const seen = new Map<string, number>();
  let cpus: number | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = unquote(lines[i]!.replace(/\r$/, ''));
    if (raw.trim() === '') continue;
    if (HEADER_RE.test(raw)) {
      cpus = raw.trim().split(/\s+/).length;
      continue;
    }
    const row = ROW_RE.exec(raw);
    if (row) {
      const [perCpu, rest] = splitCounts(row[2]!, row[3], cpus);
      const names = /^\d+$/.test(row[1]!) && rest !== '' ? actionNames(rest) : [];
      // an IRQ two devices share cannot be told apart: kept only when one name is a NIC's
      const nics = names.map((n) => ({ name: n, nic: nicIrqOfName(n) })).filter((x) => x.nic !== null);
      if (nics.length !== 1) {
        out.otherIrqs++;
        continue;
      }
      const { name, nic } = nics[0]!;
      const key = `${row[1]}/${name}`;
      const snapshot = seen.get(key) ?? 0;
      seen.set(key, snapshot + 1);
      const total = perCpu.reduce((a, b) => a + b, 0);
      out.snapshots.push({ ...nic!, line: i + 1, irq: row[1]!, name, perCpu, total, snapshot });
      continue;
    }
    const command = PROMPT_RE.exec(raw)?.[1] ?? null;
    const watch = WATCH_RE.exec(raw.trim());
    if (command !== null || watch) {
      const sleep = watch ?? /\bsleep (\d+(?:\.\d+)?)\b/.exec(command ?? '');
      if (sleep) out.intervalSec = Number(sleep[1]);
      continue;
    }
    out.skipped++;
    out.firstSkipped ??= { line: i + 1, text: raw.slice(0, 120) };
  }
  return out;
}

/**
 * True when the first lines are /proc/interrupts: its `CPU0 …` header before an interrupt row, or (grepped for a
 * device) two rows naming a NIC's queues.
 */
export function looksLikeInterrupts(lines: readonly string[]): boolean {
  let header = false;
  let nicRows = 0;
  for (const line of lines.slice(0, 64)) {
    const l = unquote(line);
    if (HEADER_RE.test(l)) {
      header = true;
      continue;
    }
    const row = ROW_RE.exec(l);
    if (!row) continue;
    if (header) return true;
    if (row[3] !== undefined && actionNames(row[3]).some((n) => nicIrqOfName(n) !== null)) nicRows++;
  }
  return nicRows >= 2;
}
