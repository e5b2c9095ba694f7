/**
 * What every snapshot reader (ip -s link, ifconfig, netstat -i, /proc/net/dev, /proc/interrupts) does with a line that is not
 * its output: a shell prompt with the pasted command — whose `sleep N` is the interval between two snapshots — or
 * a line counted as skipped (the first one kept for the note), never guessed at.
 */

/**
 * A line of a mail reply's quote (`> >>> 2: eth0: …`) without its quote marks, the indentation after them kept
 * (the snapshot readers tell a device's lines by it); other lines as they are.
 */
export const unquoteMail = (line: string): string => (line.startsWith('>') ? line.replace(/^(?:>\s?)+/, '') : line);

/** A prompt and the command after it: `$ …`, `# …`, `root@host:~# …`, `[root@host ~]# …` */
export const PROMPT_RE = /^(?:\S*[$#] |\[[^\]]*\][$#] ?)(.*)$/;

export interface SnapshotPasteTally {
  intervalSec: number | null;
  skipped: number;
  firstSkipped: { line: number; text: string } | null;
}

/** A prompt line sets the interval its `sleep N` shows; any other line is counted as skipped. */
export function promptOrSkipped(out: SnapshotPasteTally, raw: string, lineNo: number): void {
  const prompt = PROMPT_RE.exec(raw);
  if (prompt) {
    const sleep = /\bsleep (\d+(?:\.\d+)?)\b/.exec(prompt[1]!);
    if (sleep) out.intervalSec = Number(sleep[1]);
    return;
  }
  out.skipped++;
  out.firstSkipped ??= { line: lineNo, text: raw.slice(0, 120) };
}
