/**
 * The CLI's output helpers: colour only on a terminal and never with NO_COLOR, progress silent off a terminal,
 * and the one table printer keeping 64-bit values exact.
 */
import { describe, expect, it } from 'vitest';
import { colourOn, paint, terminalSafe, verdictStyle } from '../src/colour.js';
import { endProgress, progress, statusLine } from '../src/progress.js';
import { formatTable, isNumericType } from '../src/table.js';

function stream(isTTY: boolean): { isTTY: boolean; written: string[]; write(s: string): boolean } {
  const written: string[] = [];
  return { isTTY, written, write: (s: string) => written.push(s) > 0 };
}

describe('colour', () => {
  it('is on for a terminal, off for a pipe, off with NO_COLOR, forced with FORCE_COLOR', () => {
    expect(colourOn({ isTTY: true }, {})).toBe(true);
    expect(colourOn({ isTTY: false }, {})).toBe(false);
    expect(colourOn({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourOn({ isTTY: true }, { NO_COLOR: '' })).toBe(true); // no-color.org: set and not empty
    expect(colourOn({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colourOn({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(paint({ isTTY: true }, 'red', 'PROBLEM', {})).toBe('\x1b[31mPROBLEM\x1b[0m');
    expect(paint({ isTTY: false }, 'red', 'PROBLEM', {})).toBe('PROBLEM');
    expect(verdictStyle('PROBLEM: 3 critical, 5 warning, 1 info finding(s)')).toBe('red');
    expect(verdictStyle('UNKNOWN: no TX-path event: no verdict')).toBe('yellow');
    expect(verdictStyle('HEALTHY: no divergence between the trace and the model')).toBe('green');
  });
});

describe('terminal text', () => {
  it('shows control characters of trace strings as \\xHH, keeps newlines and tabs', () => {
    expect(terminalSafe('vs0\x1b[2J\x1b]0;pwned\x07 txq 1\n\tnext')).toBe(
      'vs0\\x1b[2J\\x1b]0;pwned\\x07 txq 1\n\tnext',
    );
    expect(terminalSafe('eth0\u009b31m')).toBe('eth0\\x9b31m');
  });
});

describe('progress', () => {
  it('writes nothing when the stream is not a terminal', () => {
    const s = stream(false);
    const p = progress('writing events', '', 1, s);
    p.update(10, 100);
    p.update(100, 100);
    p.end();
    expect(s.written).toEqual([]);
  });

  it('draws in place on a terminal and ends the line once', () => {
    const s = stream(true);
    const p = progress('reading', 'MB', 1e6, s);
    p.update(1_500_000, 3_000_000);
    p.update(3_000_000, 3_000_000); // the last value is always drawn
    p.end();
    endProgress(s); // a second end adds nothing
    expect(s.written).toEqual(['\rreading 1.5 / 3.0 MB', '\rreading 3.0 / 3.0 MB', '\n']);
  });

  it('a free-text status line (bulk): silent off a terminal; on one, cleared to the line end and ended once', () => {
    const off = stream(false);
    const quiet = statusLine(off);
    quiet.update('3/16 files', true);
    quiet.end();
    expect(off.written).toEqual([]);
    const s = stream(true);
    const line = statusLine(s);
    line.update('3/16 files', true);
    line.update('16/16 files', true);
    line.end();
    expect(s.written).toEqual(['\r3/16 files\x1b[K', '\r16/16 files\x1b[K', '\n']);
  });
});

describe('table', () => {
  it('aligns numbers right and text left, keeps 64-bit values exact and shows control characters', () => {
    const cols = [
      { name: 'dev', numeric: isNumericType('LowCardinality(String)') },
      { name: 'skbaddr', numeric: isNumericType('UInt64') },
      { name: 'rc', numeric: isNumericType('Nullable(Int32)') },
    ];
    const text = formatTable(cols, [
      ['eth0', '18446744073709551615', '-16'],
      ['a\tb\n', '9007199254740993', 'NULL'],
    ]);
    expect(text).toBe(
      [
        'dev                  skbaddr    rc',
        '------  --------------------  ----',
        'eth0    18446744073709551615   -16',
        'a\\tb\\n      9007199254740993  NULL',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });
});
