/**
 * The HTML post-mortem: one self-contained file (uPlot and the chart script inlined, no network asset, a CSP
 * admitting only those scripts and the one style block by hash; every trace string HTML-escaped).
 * First screen: the verdict and the worst findings beside the timeline of the worst finding's device.
 * Then every finding (each links to its window on the timeline), the other devices' timelines, the queue table.
 */
import type { Finding, QueueSummary, ReplayResult } from '@txreplay/replay';
import { CHART_CLIENT } from './chart-client.js';
import { type DeviceChartData, STATES } from './chart-data.js';
import { escapeHtml } from './escape.js';
import { CSS } from './html-css.js';
import { renderDeviceSvg } from './svg.js';
import type { TimelineModel } from './timeline-model.js';
import { cspHash, uplotAssets } from './uplot-assets.js';
import { QUEUE_COLS, defaultTitle, findingWhen, severityOf, traceFacts, when } from './report-text.js';
import { rankFindings, verdictOf } from './verdict.js';
import { evidenceSections } from './evidence-sections.js';

/** JSON inside <script type="application/json">: `<` escaped so no text can close the element. */
const jsonForScript = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

function head(title: string, css: string, scripts: string[]): string {
  const csp =
    `default-src 'none'; script-src ${scripts.map(cspHash).join(' ')}; style-src ${cspHash(css)}; ` +
    `base-uri 'none'; form-action 'none'`;
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    // scripts and styles only by hash: the page opens offline and cannot run trace content
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">\n` +
    `<title>${escapeHtml(title)}</title><style>${css}</style></head><body>`
  );
}

function deviceSection(d: DeviceChartData, model: TimelineModel, heading: string): string {
  const ifx = model.ifindexOf.get(d.dev);
  const attrs = ifx === undefined ? '' : ` <span class="attr">ifindex ${escapeHtml(ifx)}</span>`;
  const notes = [...d.notes];
  if (d.columns !== null) notes.push(`long series drawn as first/min/max/last per column (${d.columns} columns)`);
  return (
    `<section class="tl-device" id="tl-sec-${d.id}" data-dev="${escapeHtml(d.dev)}">` +
    `<h2>${escapeHtml(heading)} <code>${escapeHtml(d.dev)}</code>${attrs}</h2>` +
    `<p class="meta">${escapeHtml(`${d.queues.length} TX queue(s), one time axis. Drag to zoom, Ctrl+wheel zooms, Shift+wheel pans, double-click resets.`)}` +
    `${notes.map((n) => `<br>${escapeHtml(n)}`).join('')}</p>` +
    `<div class="tl-host" id="tl-${d.id}"></div>` +
    `<noscript>${renderDeviceSvg(d)}</noscript></section>`
  );
}

function findingHtml(result: ReplayResult, f: Finding, n: number, model: TimelineModel): string {
  const where = `${f.dev}${f.queue === null ? '' : ` txq ${f.queue}`}`;
  const ev = f.evidence
    .map(
      (e) =>
        `<tr><td><code>${escapeHtml(e.source)}:${escapeHtml(e.line)}</code></td><td>${escapeHtml(when(result, e.tsNs))}</td>` +
        `<td><code>${escapeHtml(e.event)}</code></td><td>${escapeHtml(e.note)}</td></tr>`,
    )
    .join('');
  return (
    `<div class="finding" id="finding-${n}" data-kind="${escapeHtml(f.kind)}">` +
    `<h3><span class="badge ${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span>#${n} ${escapeHtml(f.title)}</h3>` +
    `<p class="meta"><code>${escapeHtml(f.kind)}</code> · ${escapeHtml(where)} · ${escapeHtml(findingWhen(result, f))}` +
    `${windowLink(f, n, model)}</p>` +
    `<p>${escapeHtml(f.explanation)}</p>` +
    (ev ? `<table><tr><th>source:line</th><th>when</th><th>event</th><th>note</th></tr>${ev}</table>` : '') +
    (f.nextSteps.length
      ? `<strong>Next steps</strong><ul class="steps">${f.nextSteps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>`
      : '') +
    `</div>`
  );
}

/** A link to the finding's window: jumps to the device's timeline and zooms it there. */
function windowLink(f: Finding, n: number, model: TimelineModel): string {
  const d = model.devices.find((x) => x.dev === f.dev);
  const w = d?.windows.find((x) => x.n === n);
  if (!d || !w) return ' · no timeline (no TX-queue events of this device)';
  return (
    ` · <a class="win-link" href="#tl-sec-${d.id}" data-dev="${d.id}" data-finding="${n}" ` +
    `data-x0="${w.x0}" data-x1="${w.x1}">show on the timeline</a>`
  );
}

function queueTableHtml(queues: QueueSummary[]): string {
  if (queues.length === 0) return '<p>No TX queues seen.</p>';
  const headRow = QUEUE_COLS.map(([h]) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = queues
    .map(
      (q) =>
        `<tr>${QUEUE_COLS.map(([, f], i) => `<td${i > 1 ? ' class="num"' : ''}>${escapeHtml(f(q))}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><tr>${headRow}</tr>${rows}</table>`;
}

function summaryHtml(result: ReplayResult, ranked: Finding[], model: TimelineModel): string {
  const top = ranked.slice(0, 5).map((f) => {
    const n = model.numberOf.get(f)!;
    return `<li><span class="badge ${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span><a href="#finding-${n}">#${n} ${escapeHtml(f.title)}</a>${windowLink(f, n, model)}</li>`;
  });
  const more = ranked.length > 5 ? `<p class="meta">and ${ranked.length - 5} more below</p>` : '';
  return (
    `<div class="summary"><div class="verdict ${severityOf(result)}" id="verdict">${escapeHtml(verdictOf(result))}</div>` +
    (top.length ? `<ol class="top">${top.join('')}</ol>${more}` : '<p>No findings.</p>') +
    `</div>`
  );
}

export function renderHtml(result: ReplayResult, model: TimelineModel, title?: string): string {
  const t = title ?? defaultTitle(result);
  const ranked = rankFindings(result.findings);
  const ua = uplotAssets();
  const css = `${ua.css}\n${CSS}`;
  const [first, ...rest] = model.devices;
  const out: string[] = [head(t, css, [ua.js, CHART_CLIENT])];
  out.push(`<h1>${escapeHtml(t)}</h1><p class="meta">${traceFacts(result, escapeHtml)}</p>`);
  out.push(`<div class="first">${summaryHtml(result, ranked, model)}`);
  out.push(first ? deviceSection(first, model, 'Timeline of') : '<p>No TX queue to draw.</p>', '</div>');
  out.push(`<h2>Findings (${ranked.length})</h2>`);
  if (ranked.length === 0) out.push('<p>No findings.</p>');
  ranked.forEach((f, i) => out.push(findingHtml(result, f, i + 1, model)));
  for (const d of rest) out.push(deviceSection(d, model, 'Timeline of'));
  out.push(`<h2>Queues</h2>`, queueTableHtml(result.queues));
  for (const sec of evidenceSections(result))
    out.push(
      `<h2>${escapeHtml(sec.heading)}</h2><ul>${sec.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`,
    );
  if (result.captureAdvice.length > 0) {
    out.push(
      `<h2>Capture advice</h2><ul>${result.captureAdvice.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>`,
    );
  }
  out.push(`<p class="meta">Generated by txreplay.</p>`);
  const data = { states: STATES, devices: model.devices };
  out.push(`<script type="application/json" id="tl-data">${jsonForScript(data)}</script>`);
  out.push(`<script>${ua.js}</script>`, `<script>${CHART_CLIENT}</script>`, '</body></html>');
  return out.join('\n');
}
