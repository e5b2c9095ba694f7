/**
 * Line layer: recognise and strip the envelope of one kernel-log line (dmesg, syslog, journal, RFC 5424, …),
 * after taking off what pasting into an issue adds (`> ` quoting, `Line 12:`, editor line numbers).
 */
import type { KernelLine, KernelLogShape } from './types.js';
import { isoToEpochUs, MONTH_RE, secsDotFracToNs, WEEKDAY_RE } from './time.js';

/** An envelope taken off one line: everything of KernelLine but the position and continuation flag. */
export type Envelope = Omit<KernelLine, 'lineNo' | 'raw' | 'continuation'>;

export const LEVEL_NAMES: Record<string, number> = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  error: 3,
  warn: 4,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/**
 * Take off paste debris: terminal colour codes, `> ` mail/markdown quoting (nested too), `Line 12:` from grep-like
 * tools, editor gutters `  12 | ` / `12│`. Leading whitespace of what remains is kept: it marks continuation lines.
 */
// `dmesg --color=always` (util-linux): SGR sequences around the stamp, the device prefix and the message.
// biome-ignore lint/complexity/useRegexLiterals: a literal would spell the ESC control character (noControlCharactersInRegex)
const ANSI_CSI_G = new RegExp(String.raw`\u001b\[[0-9;?]*[ -/]*[@-~]`, 'g');

/** The line without terminal colour codes (evidence quotes the line as the user would read it). */
export function withoutColour(line: string): string {
  return line.includes('\u001b') ? line.replace(ANSI_CSI_G, '') : line;
}

export function stripPastePrefix(line: string): string {
  let s = withoutColour(line.endsWith('\r') ? line.slice(0, -1) : line);
  // Fast path: nothing a paste prefix or tag starts with (most lines of a real log).
  if (!/^\s*(?:[>\d]|Line )/.test(s) && !s.includes('</') && !/<(?:i|b|em|strong|code|pre|tt|span|br)\b/.test(s))
    return s;
  for (;;) {
    const before = s;
    s = s.replace(/^\s*>(?: |(?=[>=])|$)/, '');
    s = s.replace(/^\s*Line \d+:\s?/, '');
    // Pages scraped to text keep inline tags: `<i> tx_timeout recovery level 2 …</i>`.
    s = s.replace(/<\/?(?:i|b|em|strong|code|pre|tt|span|br)\b[^>]*>/g, '');
    s = s.replace(/^\s*\d+\s*[|│]\s?/, '');
    if (s === before) return s;
  }
}

// `[  123.456789]` printk time (print_time() in kernel/printk/printk.c), optional caller id `[ T123]` / `[   C28]`.
const PRINTK_TS = String.raw`\[\s*(\d+)\.(\d+)\]`;
const CALLER = String.raw`(?:\[\s*([TC]\d+)\]\s?)?`;
const DMESG_RE = new RegExp(String.raw`^${PRINTK_TS}\s?${CALLER}(.*)$`);
const DMESG_RAW_RE = new RegExp(String.raw`^<(\d{1,3})>${PRINTK_TS}\s?${CALLER}(.*)$`);
// dmesg -d: `[  123.456789 <    0.000123>] msg`; dmesg -e/--reltime: `[  +0.005106] msg`, `[Dec 7 10:11] msg`.
const DMESG_D_RE = /^\[\s*(\d+)\.(\d+)\s*<\s*\d+\.\d+>\]\s?(.*)$/;
const DMESG_REL_RE = new RegExp(String.raw`^\[\s*(?:[+-]\d+\.\d+|${MONTH_RE}\s*\d+ \d\d:\d\d)\]\s?(.*)$`);
// A printk stamp the poster redacted: `[xxxxxx] msg`, `[xxxxx.xxxxxx] msg`, `[...] msg` — a dmesg line without its time.
const DMESG_REDACTED_RE = /^\[\s*(?:[xX]+(?:\.[xX]+)?|\.{3}|…)\]\s?(.*)$/;
// dmesg -T / --ctime: `[Mon Dec  7 10:11:12 2020] msg` (local time, no zone).
const DMESG_T_RE = new RegExp(String.raw`^\[(${WEEKDAY_RE} ${MONTH_RE}\s+\d{1,2} \d\d:\d\d:\d\d \d{4})\]\s?(.*)$`);
// /dev/kmsg: `level,seq,usec,flags[,…];message` (devkmsg_read()), level with facility bits.
const KMSG_RE = /^(\d+),(\d+),(\d+),[-c+][^;]*;(.*)$/;
// RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`.
const RFC5424_RE = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[.*?\])+)(?: (.*))?$/;
// RFC 3164 / journalctl short / short-precise: `Dec  7 10:11:12[.123456] host ident[pid]: msg`, optional `<PRI>`.
// A page that collapsed whitespace gives `Mar 6 17:31:16` (one space) and even `17:31:20ESX01` (none before the host).
const SYSLOG_RE = new RegExp(
  String.raw`^(?:<(\d{1,3})>)?(${MONTH_RE} ( \d|\d\d|\d) \d\d:\d\d:\d\d(?:\.\d+)?)(?: |(?=[A-Za-z]))(\S+) ([^\s:\[]+)(?:\[\d+\])?:(?: ?)(.*)$`,
);
// A syslog stamp straight before the printk stamp, host and tag trimmed off: `Sep 27 06:28:58 [ 1715.840988] msg`.
const SYSLOG_NOHOST_RE = new RegExp(
  String.raw`^(${MONTH_RE} ( \d|\d\d) \d\d:\d\d:\d\d(?:\.\d+)?) (\[\s*\d+\.\d+\].*)$`,
);
// rsyslog high precision / journalctl short-iso[-precise]: `2020-12-07T10:11:12[.123456][+00:00] host ident: msg`.
// A space for the `T` is what log shippers and front ends print from the journal (Home Assistant's host logs:
// `2026-01-19 16:20:20.995 homeassistant kernel: msg`); without a zone the wall time stays a local string.
const ISO = String.raw`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?`;
const SYSLOG_ISO_RE = new RegExp(String.raw`^(?:<(\d{1,3})>)?(${ISO}) (\S+) ([^\s:\[]+)(?:\[\d+\])?:(?: ?)(.*)$`);
// journalctl short-full: `Mon 2020-12-07 10:11:12 UTC host kernel: msg`.
const JOURNAL_FULL_RE = new RegExp(
  String.raw`^(${WEEKDAY_RE} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+) (\S+) ([^\s:\[]+)(?:\[\d+\])?: ?(.*)$`,
);
// journalctl short-monotonic: `[  123.456789] host kernel: msg` (host may be absent in trimmed pastes).
const MONO_TAIL_RE = /^(?:(\S+) )?kernel: ?(.*)$/;
// OpenWrt logread: `Fri Jul 19 05:58:52 2019 kern.warn kernel: [49182.719599] msg`.
const LOGREAD_RE = new RegExp(
  String.raw`^(${WEEKDAY_RE} ${MONTH_RE}\s+\d{1,2} \d\d:\d\d:\d\d \d{4}) (\w+)\.(\w+) ([^\s:\[]+)(?:\[\d+\])?: ?(.*)$`,
);
// talosctl dmesg: `kern:     err: [2024-06-29T10:52:39.030745602Z]: msg`.
const TALOS_RE = new RegExp(String.raw`^(\w+):\s+(\w+): \[(${ISO})\]: ?(.*)$`);
// dmesg -x / --decode: `kern  :warn  : ` before the rest of the line (util-linux print_record()).
const DMESG_X_RE =
  /^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local\d)\s*:(emerg|alert|crit|err|warn|notice|info|debug)\s*: (.*)$/;
// dmesg --time-format=iso: `2020-12-07T10:11:12,123456+00:00 msg` (comma before the fraction, unlike rsyslog);
// util-linux of 2019 printed the zone without its colon (`+0000`, a VirtualBox guest's paste in cilium#7374).
const DMESG_ISO_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d{6}[+-]\d\d:?\d\d) (.*)$/;
// journalctl -o short-unix: `1607335872.123456 host kernel: msg`.
const JOURNAL_UNIX_RE = /^(\d{9,11})\.(\d{6}) (\S+) ([^\s:\[]+)(?:\[\d+\])?: ?(.*)$/;
// ESXi vmkernel.log: `2019-11-08T03:14:22.530Z cpu3:2097575)WARNING: LinNet: netdev_watchdog:3688: msg` — vmklinux
// ("LinNet") runs Linux NIC drivers and their dev_watchdog(); ESXi 7+ writes ` In(182) vmkernel: ` after the stamp.
// The `Module: function:line: ` tag before the message is taken off.
const VMKERNEL_RE =
  /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (?:\w{2}\(\d+\) vmkernel: )?cpu\d+:\d+(?: opID=\S+)?\)(?:(WARNING|ALERT): )?(?:\w+: (?=\w+:\d+: ))?(?:\w+:\d+: )?(.*)$/;
// ESX 4.x forwards vmkernel lines to syslog with the host's uptime (days:hh:mm:ss.ms) before the world:
// `Mar 6 17:31:16 ESX01 vmkernel: 15:07:33:10.284 cpu2:4245)WARNING: LinNet: netdev_watchdog: NETDEV WATCHDOG: …`.
// The `Module: function: ` tag (the function has an underscore, an interface name does not) is taken off.
const VMK_UPTIME_RE =
  /^(\d+):(\d\d):(\d\d):(\d\d)\.(\d{3}) cpu\d+:\d+(?: opID=\S+)?\)(?:(WARNING|ALERT): )?(?:\w+: (?=[a-z]\w*_\w*(?::\d+)?: ))?(?:[a-z]\w*_\w*(?::\d+)?: )?(.*)$/;
// A message that kept a `kernel:` tag but lost the rest of its envelope.
const BARE_KERNEL_RE = /^kernel: ?(.*)$/;
// A journal paste cut to the time of day (date and host removed): `07:37:02 kernel: msg` (zen-kernel#190).
const TIME_KERNEL_RE = /^(\d\d:\d\d:\d\d(?:[.,]\d+)?) (?:(\S+) )?kernel: ?(.*)$/;

/** Inner printk stamp that syslog-style envelopes carry in the message: `[ 123.456789] msg` or `[ 123.4][ C28] msg`. */
const INNER_STAMP_RE = new RegExp(String.raw`^\s*${PRINTK_TS}\s?${CALLER}(.*)$`);

function innerStamp(e: Envelope): Envelope {
  const m = INNER_STAMP_RE.exec(e.message);
  if (!m) return e;
  const out: Envelope = { ...e, tsBootNs: secsDotFracToNs(m[1]!, m[2]!), message: m[4]! };
  if (m[3]) out.caller = m[3];
  return out;
}

/** An ESX 4.x vmkernel line through syslog: its uptime is the host's boot clock, its message the driver's. */
function vmkernelUptime(e: Envelope, v: RegExpExecArray): Envelope {
  const secs = Number(v[1]) * 86_400 + Number(v[2]) * 3_600 + Number(v[3]) * 60 + Number(v[4]);
  const out: Envelope = {
    ...e,
    shape: 'vmkernel',
    ident: 'kernel',
    tsBootNs: BigInt(secs) * 1_000_000_000n + BigInt(v[5]!) * 1_000_000n,
    message: v[7]!,
  };
  return withOpt(out, 'level', v[6] === undefined ? undefined : v[6] === 'WARNING' ? 4 : 1);
}

function levelOfPri(pri: string | undefined): number | undefined {
  return pri === undefined ? undefined : Number(pri) & 7;
}

function withOpt<T extends object>(o: T, k: string, v: unknown): T {
  if (v !== undefined && v !== '') (o as Record<string, unknown>)[k] = v;
  return o;
}

/** One envelope shape: its pattern and how a match becomes an Envelope (null: not this shape after all). */
type EnvelopeShape = readonly [RegExp, (m: RegExpExecArray) => Envelope | null];

function dmesgEnvelope(m: RegExpExecArray): Envelope {
  const rest = m[4]!;
  const mono = MONO_TAIL_RE.exec(rest);
  if (mono) {
    const e: Envelope = {
      shape: 'journal-short-monotonic',
      tsBootNs: secsDotFracToNs(m[1]!, m[2]!),
      ident: 'kernel',
      message: mono[2]!,
    };
    withOpt(e, 'host', mono[1]);
    return withOpt(e, 'caller', m[3]);
  }
  return withOpt(
    { shape: 'dmesg', tsBootNs: secsDotFracToNs(m[1]!, m[2]!), message: rest } as Envelope,
    'caller',
    m[3],
  );
}

/** The printk-stamped shapes: dmesg and its flags, /dev/kmsg, journalctl's monotonic and unix stamps. */
const PRINTK_SHAPES: readonly EnvelopeShape[] = [
  [
    DMESG_X_RE,
    (m) => ({ ...(parseEnvelope(m[2]!) ?? { shape: 'dmesg' as const, message: m[2]! }), level: LEVEL_NAMES[m[1]!]! }),
  ],
  [
    DMESG_ISO_RE,
    (m) => withOpt({ shape: 'dmesg-iso', wall: m[1]!, message: m[2]! } as Envelope, 'wallTimeUs', isoToEpochUs(m[1]!)),
  ],
  [
    JOURNAL_UNIX_RE,
    (m) =>
      innerStamp({
        shape: 'journal-short-unix',
        wall: `${m[1]}.${m[2]}`,
        wallTimeUs: BigInt(m[1]!) * 1_000_000n + BigInt(m[2]!),
        host: m[3]!,
        ident: m[4]!,
        message: m[5]!,
      }),
  ],
  [
    DMESG_RAW_RE,
    (m) =>
      withOpt(
        {
          shape: 'dmesg-raw',
          tsBootNs: secsDotFracToNs(m[2]!, m[3]!),
          level: Number(m[1]) & 7,
          message: m[5]!,
        } as Envelope,
        'caller',
        m[4],
      ),
  ],
  [DMESG_RE, dmesgEnvelope],
  [DMESG_T_RE, (m) => ({ shape: 'dmesg-T', wall: m[1]!.replace(/\s+/g, ' '), message: m[2]! })],
  [DMESG_D_RE, (m) => ({ shape: 'dmesg-delta', tsBootNs: secsDotFracToNs(m[1]!, m[2]!), message: m[3]! })],
  [DMESG_REL_RE, (m) => ({ shape: 'dmesg-delta', message: m[1]! })],
  [DMESG_REDACTED_RE, (m) => ({ shape: 'dmesg', message: m[1]! })],
  [KMSG_RE, (m) => ({ shape: 'kmsg', level: Number(m[1]) & 7, tsBootNs: BigInt(m[3]!) * 1000n, message: m[4]! })],
];

/** The wall-clock shapes: syslog (RFC 3164/5424/3339), ESXi vmkernel.log, journalctl short*, OpenWrt logread, Talos, bare lines. */
const WALL_SHAPES: readonly EnvelopeShape[] = [
  [
    RFC5424_RE,
    (m) => {
      const e: Envelope = { shape: 'rfc5424', level: Number(m[1]) & 7, wall: m[2]!, message: m[8] ?? '' };
      withOpt(e, 'wallTimeUs', isoToEpochUs(m[2]!));
      withOpt(e, 'host', m[3] === '-' ? undefined : m[3]);
      withOpt(e, 'ident', m[4] === '-' ? undefined : m[4]);
      return innerStamp(e);
    },
  ],
  [
    SYSLOG_RE,
    (m) => {
      // journalctl zero-pads the day (`Dec 07`), syslogd space-pads it (`Dec  7`).
      const shape: KernelLogShape = m[3]!.startsWith('0') ? 'journal-short' : 'syslog';
      const e: Envelope = { shape, wall: m[2]!, host: m[4]!, ident: m[5]!, message: m[6]! };
      if (m[5] === 'vmkernel') {
        const v = VMK_UPTIME_RE.exec(m[6]!);
        if (v) return vmkernelUptime(e, v);
      }
      return innerStamp(withOpt(e, 'level', levelOfPri(m[1])));
    },
  ],
  [
    SYSLOG_NOHOST_RE,
    (m) => innerStamp({ shape: m[2]!.startsWith('0') ? 'journal-short' : 'syslog', wall: m[1]!, message: m[3]! }),
  ],
  [
    VMKERNEL_RE,
    (m) => {
      const e: Envelope = { shape: 'vmkernel', wall: m[1]!, ident: 'kernel', message: m[3]! };
      withOpt(e, 'level', m[2] === undefined ? undefined : m[2] === 'WARNING' ? 4 : 1);
      return withOpt(e, 'wallTimeUs', isoToEpochUs(m[1]!));
    },
  ],
  [
    SYSLOG_ISO_RE,
    (m) => {
      // journalctl short-iso prints `+0000`; rsyslog RFC 3339 prints `+00:00` or fractional seconds.
      const shape: KernelLogShape = /[+-]\d{4}$/.test(m[2]!) ? 'journal-short-iso' : 'syslog-iso';
      const e: Envelope = { shape, wall: m[2]!, host: m[3]!, ident: m[4]!, message: m[5]! };
      withOpt(e, 'level', levelOfPri(m[1]));
      return innerStamp(withOpt(e, 'wallTimeUs', isoToEpochUs(m[2]!)));
    },
  ],
  [
    LOGREAD_RE,
    (m) => {
      const e: Envelope = { shape: 'logread', wall: m[1]!.replace(/\s+/g, ' '), ident: m[4]!, message: m[5]! };
      return innerStamp(withOpt(e, 'level', LEVEL_NAMES[m[3]!.toLowerCase()]));
    },
  ],
  [
    JOURNAL_FULL_RE,
    (m) => innerStamp({ shape: 'journal-short-full', wall: m[1]!, host: m[2]!, ident: m[3]!, message: m[4]! }),
  ],
  [
    TALOS_RE,
    (m) => {
      const e: Envelope = { shape: 'talos', wall: m[3]!, message: m[4]! };
      withOpt(e, 'level', LEVEL_NAMES[m[2]!.toLowerCase()]);
      return withOpt(e, 'wallTimeUs', isoToEpochUs(m[3]!));
    },
  ],
  [BARE_KERNEL_RE, (m) => innerStamp({ shape: 'bare', ident: 'kernel', message: m[1]! })],
  [
    TIME_KERNEL_RE,
    (m) => withOpt(innerStamp({ shape: 'syslog', wall: m[1]!, ident: 'kernel', message: m[3]! }), 'host', m[2]),
  ],
];

/**
 * Parse the envelope of one (paste-stripped) line. Null when the line has none of the known envelopes —
 * the caller decides whether that makes it a continuation line or a bare message.
 * Journal JSON lines are handled by parseJournalJson, not here. Shapes are tried in order (PRINTK_SHAPES, then
 * WALL_SHAPES): the first whose pattern matches decides.
 */
export function parseEnvelope(line: string): Envelope | null {
  // Some rsyslog templates put `facility.severity: ` before the stamp: `kern.info: Aug 15 12:22:32 host kernel: …`.
  const fac = /^(?:kern|user|daemon|syslog)\.(\w+): (?=\S)/.exec(line);
  if (fac) {
    const inner = parseEnvelope(line.slice(fac[0].length));
    const lvl = LEVEL_NAMES[fac[1]!.toLowerCase()];
    return inner && lvl !== undefined && inner.level === undefined ? { ...inner, level: lvl } : inner;
  }
  // Qubes OS keeps a VM's console as `[2021-10-20 01:16:33] [   23.160219] msg`: a local wall stamp before the dmesg line.
  const qubes = /^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\] (?=\[)/.exec(line);
  if (qubes) {
    const inner = parseEnvelope(line.slice(qubes[0].length));
    return inner && inner.wall === undefined ? { ...inner, wall: qubes[1]! } : inner;
  }
  const s = line.replace(/^\s+(?=[[<])/, '');
  for (const [re, build] of PRINTK_SHAPES) {
    const m = re.exec(s);
    if (m) return build(m);
  }
  for (const [re, build] of WALL_SHAPES) {
    const m = re.exec(s);
    if (m) return build(m);
  }
  return null;
}
