/**
 * Progress on stderr, one helper for every command: shown only when stderr is a terminal (stdout stays the
 * result; a pipe or a log file gets nothing), redrawn in place at most every 100 ms, and ended with a newline
 * before anything else is printed.
 */
import { isTerminal } from './stdio.js';

type Stream = { isTTY?: boolean; write(s: string): boolean };

let shown = false;
let lastDraw = 0;

export interface Progress {
  /** `done` of `total` (null: unknown), in the unit given to progress() */
  update(done: number, total: number | null): void;
  /** ends the line if anything was drawn */
  end(): void;
}

/**
 * A progress line `label done / total unit`, values divided by `scale` (1e6 with "MB"). Quiet (no-op) when
 * `stream` is not a terminal.
 */
export function progress(label: string, unit = '', scale = 1, stream: Stream = process.stderr): Progress {
  const quiet = stream.isTTY !== true;
  const fmt = (v: number): string => (scale === 1 ? String(v) : (v / scale).toFixed(1));
  return {
    update(done, total) {
      if (quiet) return;
      const now = Date.now();
      if (shown && now - lastDraw < 100 && done !== total) return;
      lastDraw = now;
      shown = true;
      stream.write(`\r${label} ${fmt(done)}${total === null ? '' : ` / ${fmt(total)}`}${unit ? ` ${unit}` : ''}`);
    },
    end: () => endProgress(stream),
  };
}

/**
 * A free-text progress line (bulk: files done, stored, failed), with the same rules as progress(): only on a
 * terminal, at most every 100 ms, cleared to the end of the line when redrawn, ended with a newline.
 */
export function statusLine(stream: Stream = process.stderr): {
  update(text: string, force?: boolean): void;
  end(): void;
} {
  const quiet = stream.isTTY !== true;
  return {
    update(text, force = false) {
      if (quiet) return;
      const now = Date.now();
      if (shown && now - lastDraw < 100 && !force) return;
      lastDraw = now;
      shown = true;
      stream.write(`\r${text}\x1b[K`);
    },
    end: () => endProgress(stream),
  };
}

/**
 * Reading progress (bytes) for the loaders' onProgress; undefined when stderr is not a terminal (known without making
 * process.stderr: ./stdio.ts).
 */
export function readProgress(): ((bytesRead: number, totalBytes: number | null) => void) | undefined {
  if (!isTerminal(2)) return undefined;
  const p = progress('reading', 'MB', 1e6);
  return (read, total) => p.update(read, total);
}

/** End the progress line, if one was drawn (on `stream`, process.stderr by default: made only then). */
export function endProgress(stream?: Stream): void {
  if (shown) (stream ?? process.stderr).write('\n');
  shown = false;
}
