/**
 * `ethtool -S DEV` as users paste it: `NIC statistics:` then one `name: value` per line (the driver's
 * get_ethtool_stats strings: igb's tx_timeout_count and tx_restart_queue, ixgbe's tx_busy, mlx5's
 * tx_queue_stopped/tx_queue_wake, ena's tx_timeout…). Counters since the driver loaded; the same device pasted
 * twice gives what happened between the two.
 */

export interface NicStatsSnapshot {
  /** 1-based line of `NIC statistics:` */
  line: number;
  /** from the pasted command (`ethtool -S eth0`), else null */
  dev: string | null;
  /** counter name → value, in the driver's order */
  stats: Map<string, number>;
  /** 0 for the device's first block in the input, 1 for the second, … */
  snapshot: number;
}

export interface NicStatsRead {
  snapshots: NicStatsSnapshot[];
  /** seconds between snapshots when the paste shows them (`…; sleep 1; ethtool -S …`); null: not shown */
  intervalSec: number | null;
  skipped: number;
  firstSkipped: { line: number; text: string } | null;
}

const HEADER_RE = /^\s*NIC statistics:\s*$/;
// indented as ethtool prints it, or flush left where a paste lost the indent (a GitHub issue outside a code block)
const STAT_RE = /^\s*([A-Za-z0-9_.[\]\-: ]+?):\s+(-?\d+)\s*$/;
// the command as pasted, with or without its shell prompt: `$ ethtool -S eth0`, `sudo ethtool -S eno2`
const PROMPT_RE = /^(?:\S*[$#] ?|\[[^\]]*\][$#] ?)?((?:sudo )?ethtool\b.*|.*;\s*(?:sudo )?ethtool\b.*)$/;

/** Read every `NIC statistics:` block of a paste. */
export function readNicStats(text: string): NicStatsRead {
  const out: NicStatsRead = { snapshots: [], intervalSec: null, skipped: 0, firstSkipped: null };
  const seen = new Map<string, number>();
  let commandDev: string | null = null;
  let cur: NicStatsSnapshot | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const prompt = PROMPT_RE.exec(raw);
    if (prompt) {
      cur = null;
      commandDev = /\bethtool\s+(?:-S|--statistics)\s+([^\s;|&]+)/.exec(prompt[1]!)?.[1] ?? commandDev;
      const sleep = /\bsleep (\d+(?:\.\d+)?)\b/.exec(prompt[1]!);
      if (sleep) out.intervalSec = Number(sleep[1]);
      continue;
    }
    if (HEADER_RE.test(raw)) {
      const key = commandDev ?? '';
      const snapshot = seen.get(key) ?? 0;
      seen.set(key, snapshot + 1);
      cur = { line: i + 1, dev: commandDev, stats: new Map(), snapshot };
      out.snapshots.push(cur);
      continue;
    }
    const stat = cur ? STAT_RE.exec(raw) : null;
    if (stat && cur) {
      cur.stats.set(stat[1]!.trim(), Number(stat[2]));
      continue;
    }
    out.skipped++;
    out.firstSkipped ??= { line: i + 1, text: raw.slice(0, 120) };
  }
  return out;
}

/** True when the first lines hold `NIC statistics:` followed by `name: value` lines. */
export function looksLikeNicStats(lines: readonly string[]): boolean {
  for (let i = 0; i < lines.length; i++) {
    if (!HEADER_RE.test(lines[i]!)) continue;
    let stats = 0;
    for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) if (STAT_RE.test(lines[j]!)) stats++;
    return stats >= 2;
  }
  return false;
}
