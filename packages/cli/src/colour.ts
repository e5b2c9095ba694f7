/**
 * Colour for the CLI's terminal output, one helper: on only when the stream is a terminal, NO_COLOR is unset
 * or empty (no-color.org) and TERM is not "dumb"; FORCE_COLOR=1 turns it on for a pipe. Never in files,
 * pipes or JSON.
 */
type Stream = { isTTY?: boolean };

const SGR = { red: 31, yellow: 33, green: 32, grey: 90, bold: 1 } as const;
export type Style = keyof typeof SGR;

export function colourOn(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** `text` in `style` when colour is on for `stream`, else unchanged. */
export function paint(stream: Stream, style: Style, text: string, env: NodeJS.ProcessEnv = process.env): string {
  return colourOn(stream, env) ? `\x1b[${SGR[style]}m${text}\x1b[0m` : text;
}

/** The verdict line's colour: PROBLEM red, WARNING and UNKNOWN yellow, HEALTHY green. */
export function verdictStyle(line: string): Style | null {
  if (/^PROBLEM/.test(line)) return 'red';
  if (/^(WARNING|UNKNOWN)/.test(line)) return 'yellow';
  if (/^HEALTHY/.test(line)) return 'green';
  return null;
}

/**
 * Text from a trace (device names, comm, log lines) made safe for a terminal: C0/C1 control characters other
 * than newline and tab are shown as \xHH, so an ESC in a device name cannot recolour, move or retitle it.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
