/**
 * The post-mortem a person reads and shares: one self-contained HTML file (inline CSS + SVG, no scripts,
 * no network assets; every trace string HTML-escaped) and a Markdown variant.
 * Order: verdict → findings with evidence (source:line) → per-queue timelines → queue table → capture advice.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Table } from 'apache-arrow';
import type { Finding, QueueSummary, ReplayResult } from '@txreplay/replay';
import { escapeHtml, escapeMarkdown } from './escape.js';
import { renderQueueTimeline } from './svg.js';
import { emptyMarks, marksFromEvents, type TimelineMarks } from './timeline.js';
import { rankFindings, verdictOf } from './verdict.js';

export interface PostMortemOptions {
  /** write a self-contained HTML report to this path */
  html?: string;
  /** write a Markdown report to this path */
  md?: string;
  /** title shown at the top (defaults to the trace sources) */
  title?: string;
  /** the event table, when the caller has it: adds NAPI polls, drops and watchdog marks to the timelines */
  events?: Table;
}

function msBetween(a: bigint, b: bigint): string {
  return (Number(b - a) / 1e6).toFixed(3);
}

/** Trace-relative time in ms, and the absolute stamp in seconds (as perf/ftrace print it). */
function when(result: ReplayResult, ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `+${msBetween(result.trace.firstNs, ns)} ms (${s}.${frac})`;
}

function defaultTitle(result: ReplayResult): string {
  return `txreplay post-mortem: ${result.trace.sources.join(', ') || 'trace'}`;
}

function severityOf(result: ReplayResult): 'critical' | 'warning' | 'ok' {
  if (result.findings.some((f) => f.severity === 'critical')) return 'critical';
  if (result.findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}

/** Queues worth a timeline: every queue in the result, and any (dev, queue) only findings mention. */
function timelineQueues(result: ReplayResult): { dev: string; queue: number }[] {
  const seen = new Map<string, { dev: string; queue: number }>();
  const add = (dev: string, queue: number): void => {
    const k = `${dev}#${queue}`;
    if (!seen.has(k)) seen.set(k, { dev, queue });
  };
  for (const q of result.queues) add(q.dev, q.queue);
  for (const s of result.series) add(s.dev, s.queue);
  return [...seen.values()].sort((a, b) => (a.dev < b.dev ? -1 : a.dev > b.dev ? 1 : a.queue - b.queue));
}

const CSS = `
:root{--fg:#1d2125;--muted:#5f6b76;--line:#d8dee4;--crit:#c92a2a;--warn:#e67700;--ok:#2b8a3e;--bg:#fff}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px 32px;max-width:1080px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}
.meta{color:var(--muted);font-size:13px}
.verdict{border-left:6px solid var(--ok);background:#f1f8f3;padding:12px 16px;margin:16px 0;font-size:16px;font-weight:600}
.verdict.critical{border-color:var(--crit);background:#fdf0f0}.verdict.warning{border-color:var(--warn);background:#fff6e8}
.finding{border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin:12px 0}
.badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 6px;border-radius:3px;color:#fff;margin-right:6px;vertical-align:1px}
.badge.critical{background:var(--crit)}.badge.warning{background:var(--warn)}.badge.info{background:#5f6b76}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:0 3px;border-radius:3px}
.timeline{display:block;margin:8px 0 20px;max-width:100%;height:auto;border:1px solid var(--line);border-radius:4px;background:#fff}
.timeline .grid{stroke:#eef1f4;stroke-width:1}.timeline .frame{fill:none;stroke:#c9d1d9}
.timeline text{font:11px system-ui,sans-serif;fill:#5f6b76}.timeline .lane-title{font-weight:700;fill:#1d2125;font-size:12px}
.timeline .lane-label{fill:#8b949e}.timeline .legend{fill:#1d2125}
ul.steps{margin:4px 0 0 18px;padding:0}
`;

export function renderHtml(result: ReplayResult, title?: string, marks: TimelineMarks = emptyMarks()): string {
  const t = title ?? defaultTitle(result);
  const sev = severityOf(result);
  const ranked = rankFindings(result.findings);
  const out: string[] = [];
  out.push('<!DOCTYPE html>');
  out.push('<html lang="en"><head><meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  // no scripts, no remote anything: the report must open offline and cannot run trace content
  out.push(
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
  );
  out.push(`<title>${escapeHtml(t)}</title><style>${CSS}</style></head><body>`);
  out.push(`<h1>${escapeHtml(t)}</h1>`);
  const tr = result.trace;
  out.push(
    `<p class="meta">${escapeHtml(tr.events)} events, ${escapeHtml(msBetween(tr.firstNs, tr.lastNs))} ms of trace ` +
      `(${escapeHtml(tr.firstNs)} … ${escapeHtml(tr.lastNs)} ns)${tr.lostEvents ? `, <strong>${escapeHtml(tr.lostEvents)} events lost by the tracer</strong>` : ''}` +
      ` · sources: ${tr.sources.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')}</p>`,
  );
  out.push(`<div class="verdict ${sev}" id="verdict">${escapeHtml(verdictOf(result))}</div>`);

  out.push(`<h2>Findings (${ranked.length})</h2>`);
  if (ranked.length === 0) out.push('<p>No findings.</p>');
  ranked.forEach((f, i) => out.push(findingHtml(result, f, i)));

  out.push(`<h2>Queue timelines</h2>`);
  out.push(
    `<p class="meta">Per TX queue: qdisc backlog over stopped/frozen bands; inflight bytes with the DQL limit the kernel had ` +
      `(dots, observed) against the limit dql_completed() would compute (dashed, expected); NAPI polls, drops and watchdog ` +
      `timeouts below. Time is ms since the first event.</p>`,
  );
  const napiDevs = [...marks.napiPolls.keys()].sort();
  const allPolls = napiDevs.flatMap((d) => marks.napiPolls.get(d) ?? []);
  for (const { dev, queue } of timelineQueues(result)) {
    const q = result.queues.find((x) => x.dev === dev && x.queue === queue);
    const series = result.series.find((s) => s.dev === dev && s.queue === queue) ?? null;
    const win = queueWindow(tr.firstNs, tr.lastNs, series);
    out.push(
      renderQueueTimeline({
        dev,
        queue,
        firstNs: win.firstNs,
        lastNs: win.lastNs,
        traceFirstNs: tr.firstNs,
        traceLastNs: tr.lastNs,
        series,
        intervals: q?.stoppedIntervals ?? [],
        napiPolls: marks.napiPolls.get(dev) ?? allPolls,
        napiDevs: marks.napiPolls.has(dev) ? [dev] : napiDevs,
        drops: marks.drops.get(dev) ?? [],
        watchdog: marks.watchdog.get(`${dev}#${queue}`) ?? [],
      }),
    );
  }

  out.push(`<h2>Queues</h2>`);
  out.push(queueTableHtml(result.queues));

  if (result.captureAdvice.length > 0) {
    out.push(`<h2>Capture advice</h2><ul>`);
    for (const a of result.captureAdvice) out.push(`<li>${escapeHtml(a)}</li>`);
    out.push(`</ul>`);
  }
  out.push(`<p class="meta">Generated by txreplay.</p>`);
  out.push('</body></html>');
  return out.join('\n');
}

/**
 * The part of the trace where this queue was busy: its series' span, padded by 3 %. A flood of a few
 * hundred ms inside a capture of many seconds would otherwise be a sliver; intervals that go on past the
 * window are drawn to its edge and labelled.
 */
function queueWindow(
  firstNs: bigint,
  lastNs: bigint,
  series: { tsNs: bigint[] } | null,
): { firstNs: bigint; lastNs: bigint } {
  const ts = series?.tsNs ?? [];
  if (ts.length < 2) return { firstNs, lastNs };
  let lo = ts[0]!;
  let hi = ts[0]!;
  for (const t of ts) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (hi <= lo) return { firstNs, lastNs };
  const pad = (hi - lo) / 33n;
  lo = lo - pad < firstNs ? firstNs : lo - pad;
  hi = hi + pad > lastNs ? lastNs : hi + pad;
  return { firstNs: lo, lastNs: hi };
}

function findingHtml(result: ReplayResult, f: Finding, i: number): string {
  const where = `${f.dev}${f.queue === null ? '' : ` txq ${f.queue}`}`;
  const ev = f.evidence
    .map(
      (e) =>
        `<tr><td><code>${escapeHtml(e.source)}:${escapeHtml(e.line)}</code></td><td>${escapeHtml(when(result, e.tsNs))}</td>` +
        `<td><code>${escapeHtml(e.event)}</code></td><td>${escapeHtml(e.note)}</td></tr>`,
    )
    .join('');
  return (
    `<div class="finding" id="finding-${i + 1}" data-kind="${escapeHtml(f.kind)}">` +
    `<h3><span class="badge ${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span>${escapeHtml(f.title)}</h3>` +
    `<p class="meta"><code>${escapeHtml(f.kind)}</code> · ${escapeHtml(where)} · ${escapeHtml(when(result, f.startNs))} → ` +
    `${escapeHtml(when(result, f.endNs))} (${escapeHtml(msBetween(f.startNs, f.endNs))} ms)</p>` +
    `<p>${escapeHtml(f.explanation)}</p>` +
    (ev ? `<table><tr><th>source:line</th><th>when</th><th>event</th><th>note</th></tr>${ev}</table>` : '') +
    (f.nextSteps.length
      ? `<strong>Next steps</strong><ul class="steps">${f.nextSteps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`
      : '') +
    `</div>`
  );
}

const QUEUE_COLS: [string, (q: QueueSummary) => string | number][] = [
  ['dev', (q) => q.dev],
  ['txq', (q) => q.queue],
  ['queued', (q) => q.netDevQueue],
  ['enq', (q) => q.enqueued],
  ['deq', (q) => q.dequeued],
  ['xmit ok', (q) => q.xmitOk],
  ['TX_BUSY', (q) => q.txBusy],
  ['requeues', (q) => q.requeues],
  ['qdisc drops', (q) => q.qdiscDrops],
  ['completions', (q) => q.completions],
  ['stopped', (q) => q.stoppedIntervals.length],
  ['backlog at end', (q) => q.backlogAtEnd],
];

function queueTableHtml(queues: QueueSummary[]): string {
  if (queues.length === 0) return '<p>No TX queues seen.</p>';
  const head = QUEUE_COLS.map(([h]) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = queues
    .map(
      (q) =>
        `<tr>${QUEUE_COLS.map(([, f], i) => `<td${i > 1 ? ' class="num"' : ''}>${escapeHtml(f(q))}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><tr>${head}</tr>${rows}</table>`;
}

export function renderMarkdown(result: ReplayResult, title?: string): string {
  const t = title ?? defaultTitle(result);
  const tr = result.trace;
  const out: string[] = [];
  out.push(`# ${escapeMarkdown(t)}`, '');
  out.push(
    `${tr.events} events, ${msBetween(tr.firstNs, tr.lastNs)} ms of trace (${tr.firstNs} … ${tr.lastNs} ns)` +
      `${tr.lostEvents ? `, **${tr.lostEvents} events lost by the tracer**` : ''}. Sources: ${tr.sources.map((s) => `\`${s.replace(/`/g, "'")}\``).join(', ')}`,
    '',
  );
  out.push(`> **Verdict:** ${escapeMarkdown(verdictOf(result))}`, '');
  const ranked = rankFindings(result.findings);
  out.push(`## Findings (${ranked.length})`, '');
  if (ranked.length === 0) out.push('No findings.', '');
  ranked.forEach((f, i) => {
    out.push(`### ${i + 1}. [${f.severity.toUpperCase()}] ${escapeMarkdown(f.title)}`, '');
    out.push(
      `\`${f.kind}\` · ${escapeMarkdown(f.dev)}${f.queue === null ? '' : ` txq ${f.queue}`} · ${when(result, f.startNs)} → ${when(result, f.endNs)} (${msBetween(f.startNs, f.endNs)} ms)`,
      '',
    );
    out.push(escapeMarkdown(f.explanation), '');
    if (f.evidence.length) {
      out.push('| source:line | when | event | note |', '|---|---|---|---|');
      for (const e of f.evidence) {
        out.push(
          `| ${escapeMarkdown(`${e.source}:${e.line}`)} | ${when(result, e.tsNs)} | ${escapeMarkdown(e.event)} | ${escapeMarkdown(e.note)} |`,
        );
      }
      out.push('');
    }
    if (f.nextSteps.length) {
      out.push('Next steps:', '');
      for (const s of f.nextSteps) out.push(`- ${escapeMarkdown(s)}`);
      out.push('');
    }
  });
  out.push('## Queues', '');
  if (result.queues.length) {
    out.push(
      `| ${QUEUE_COLS.map(([h]) => h).join(' | ')} |`,
      `|${QUEUE_COLS.map((_, i) => (i > 1 ? '---:' : '---')).join('|')}|`,
    );
    for (const q of result.queues) {
      out.push(`| ${QUEUE_COLS.map(([, f]) => escapeMarkdown(f(q))).join(' | ')} |`);
    }
    out.push('');
    out.push('Stopped intervals:', '');
    for (const q of result.queues) {
      for (const iv of q.stoppedIntervals) {
        out.push(
          `- ${escapeMarkdown(q.dev)} txq ${q.queue}: ${escapeMarkdown(iv.state)} ${when(result, iv.startNs)} for ${msBetween(iv.startNs, iv.endNs)} ms`,
        );
      }
    }
    out.push('');
  } else out.push('No TX queues seen.', '');
  if (result.captureAdvice.length) {
    out.push('## Capture advice', '');
    for (const a of result.captureAdvice) out.push(`- ${escapeMarkdown(a)}`);
    out.push('');
  }
  out.push('_Timelines are in the HTML report (`--html`)._', '');
  return out.join('\n');
}

/** Write atomically: temp file + rename, so an interrupted run never leaves half a report. */
function writeAtomic(file: string, text: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export async function writePostMortem(result: ReplayResult, opts: PostMortemOptions): Promise<void> {
  if (!opts.html && !opts.md) throw new Error('writePostMortem: give html and/or md output paths');
  if (opts.html) {
    const marks = opts.events ? marksFromEvents(opts.events) : emptyMarks();
    writeAtomic(opts.html, renderHtml(result, opts.title, marks));
  }
  if (opts.md) writeAtomic(opts.md, renderMarkdown(result, opts.title));
}
