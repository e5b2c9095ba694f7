/**
 * stdout and stderr without node's stream objects where that changes nothing. process.stdout (or stderr) is made on
 * first use: for a pipe it loads node's net and stream modules and opens a libuv handle, for a file a write stream —
 * a few ms and ~130 page faults of a small `diagnose` (README "Start-up"), to write one result. A pipe, a socket (what
 * node's child_process gives a child as its stdout) or a file is known not to be a terminal from fstat alone, and a
 * result written to it with write(2) is what the stream writes (synchronous for files and, on Linux, pipes and
 * sockets); anything else — a terminal, /dev/null, an error — goes through the stream as before.
 */
import { fstatSync, writeSync, type Stats } from 'node:fs';

type Fd = 1 | 2;

const streamOf = (fd: Fd): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

function statOf(fd: Fd): Stats | null {
  try {
    return fstatSync(fd);
  } catch {
    return null;
  }
}

/** fd 1 or 2 is a terminal (the stream's isTTY): only a character device can be one, so a pipe or a file is not. */
export function isTerminal(fd: Fd): boolean {
  const st = statOf(fd);
  if (st !== null && !st.isCharacterDevice()) return false;
  return streamOf(fd).isTTY === true;
}

/** A stream-like view of fd 1 or 2 for colourOn/progress: its isTTY, found without making the stream. */
export const terminalOf = (fd: Fd): { isTTY: boolean } => ({ isTTY: isTerminal(fd) });

/**
 * Write `text` (UTF-8) to stdout: with write(2) when stdout is a pipe, a socket or a regular file and nothing else has written
 * to it through process.stdout (the caller's to know: the command's one result), else through process.stdout. A
 * write(2) that fails (a full non-blocking pipe: EAGAIN; a closed reader: EPIPE) hands the rest to the stream,
 * which reports it as it always did.
 */
export function writeResult(text: string): void {
  const st = statOf(1);
  if (st === null || !(st.isFIFO() || st.isSocket() || st.isFile())) {
    process.stdout.write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(1, bytes, at, bytes.length - at);
  } catch {
    process.stdout.write(bytes.subarray(at));
  }
}
