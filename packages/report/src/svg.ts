/**
 * The static timeline of one device (inline SVG, no scripts): the Markdown post-mortem's picture and the HTML
 * report's no-script fallback. All TX queues of the device on one shared time axis (seconds since the trace's
 * first event, round ticks, none clipped); per queue a state strip (stopped by BQL / by the driver / frozen /
 * trace gap) over the qdisc backlog (packets, round y ticks); every finding's window shaded and labelled with
 * the finding.
 */
import type { DeviceChartData, QueueChartData, WindowMark } from './chart-data.js';
import { STATES } from './chart-data.js';
import { escapeHtml } from './escape.js';
import { niceCeil, niceTicks, timeLabel } from './ticks.js';

const W = 960;
const LEFT = 64;
const RIGHT = 28;
const PLOT_W = W - LEFT - RIGHT;
const TOP = 40;
const STRIP = 12;
const PLOT_H = 58;
const LANE = STRIP + PLOT_H + 22;
const AXIS = 34;
const SEV_COLOR: Record<string, string> = { critical: '#c92a2a', warning: '#e67700', info: '#5f6b76' };

const f1 = (v: number): string => v.toFixed(1);

export function renderDeviceSvg(d: DeviceChartData): string {
  const H = TOP + d.queues.length * LANE + AXIS;
  const span = d.spanS > 0 ? d.spanS : 1;
  const x = (s: number): number => LEFT + (Math.max(0, Math.min(span, s)) / span) * PLOT_W;
  const parts: string[] = [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" ` +
      `aria-label="${escapeHtml(`timeline of ${d.dev}`)}" data-dev="${escapeHtml(d.dev)}" font-family="system-ui,sans-serif" font-size="11">`,
    `<title>${escapeHtml(`${d.dev}: queue state and qdisc backlog per TX queue, finding windows`)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${LEFT}" y="16" font-weight="700" font-size="13" fill="#1d2125">${escapeHtml(d.dev)}</text>`,
    legend(),
  ];
  const xt = niceTicks(0, span, 8);
  const bottom = TOP + d.queues.length * LANE;
  for (const t of xt.ticks) {
    const xi = x(t);
    const anchor = xi > W - RIGHT - 24 ? 'end' : xi < LEFT + 24 ? 'start' : 'middle';
    parts.push(
      `<line x1="${f1(xi)}" y1="${TOP}" x2="${f1(xi)}" y2="${bottom}" stroke="#eef1f4"/>` +
        `<text class="tick-x" x="${f1(xi)}" y="${bottom + 14}" text-anchor="${anchor}" fill="#5f6b76">${escapeHtml(timeLabel(t, xt.step))}</text>`,
    );
  }
  parts.push(
    `<text x="${LEFT + PLOT_W / 2}" y="${bottom + 29}" text-anchor="middle" fill="#5f6b76">time since the first event</text>`,
  );
  d.queues.forEach((q, i) => parts.push(queueLane(d, q, TOP + i * LANE, x)));
  // labels of windows on the same lane stack in rows, so none hides another
  const perLane = new Map<string, number>();
  for (const w of d.windows) {
    const lane = String(w.queue);
    const k = perLane.get(lane) ?? 0;
    perLane.set(lane, k + 1);
    parts.push(windowMark(d, w, k, x));
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function legend(): string {
  const items: string[] = [];
  let lx = LEFT + 140;
  const add = (mark: string, name: string): void => {
    items.push(
      `${mark.replace(/X0/g, String(lx))}<text x="${lx + 16}" y="17" fill="#1d2125">${escapeHtml(name)}</text>`,
    );
    lx += 26 + name.length * 6;
  };
  add(`<line x1="X0" y1="13" x2="${lx + 12}" y2="13" stroke="#0b6bcb" stroke-width="2"/>`, 'qdisc backlog');
  for (const s of STATES.slice(1)) add(`<rect x="X0" y="8" width="12" height="10" fill="${s.color}"/>`, s.name);
  return items.join('');
}

function queueLane(d: DeviceChartData, q: QueueChartData, top: number, x: (s: number) => number): string {
  const parts: string[] = [`<g class="lane" data-queue="${q.queue}">`];
  parts.push(
    `<text x="${LEFT - 6}" y="${top + 10}" text-anchor="end" font-weight="600" fill="#1d2125">txq ${q.queue}</text>`,
  );
  parts.push(`<rect x="${LEFT}" y="${top}" width="${PLOT_W}" height="${STRIP}" fill="#f1f8f3"/>`);
  for (const [x0, x1, code] of q.bands) {
    const a = x(x0);
    parts.push(
      `<rect class="band" x="${f1(a)}" y="${top}" width="${f1(Math.max(x(x1) - a, 0.5))}" height="${STRIP}" fill="${STATES[code]?.color ?? '#9aa0a6'}"/>`,
    );
  }
  const py = top + STRIP + 4;
  const maxB = niceCeil(Math.max(0, ...q.backlog));
  const y = (v: number): number => py + PLOT_H - (v / maxB) * PLOT_H;
  parts.push(`<rect x="${LEFT}" y="${py}" width="${PLOT_W}" height="${PLOT_H}" fill="none" stroke="#d8dee4"/>`);
  const yt = niceTicks(0, maxB, 2);
  for (const t of yt.ticks) {
    parts.push(
      `<text x="${LEFT - 6}" y="${f1(y(t) + 4)}" text-anchor="end" fill="#5f6b76">${t}${t === yt.ticks.at(-1) ? ' pkts' : ''}</text>`,
    );
  }
  let path = '';
  let last: number | null = null;
  q.x.forEach((s, i) => {
    const xi = f1(x(s));
    const v = q.backlog[i]!;
    path += last === null ? `M${xi} ${f1(y(v))}` : `H${xi}V${f1(y(v))}`;
    last = v;
  });
  if (path) path += `H${f1(x(d.spanS))}`;
  parts.push(`<path class="series-backlog" d="${path}" fill="none" stroke="#0b6bcb" stroke-width="1.5"/>`);
  parts.push('</g>');
  return parts.join('');
}

function windowMark(d: DeviceChartData, w: WindowMark, k: number, x: (s: number) => number): string {
  const lanes = w.queue === null ? d.queues.map((_, i) => i) : [d.queues.findIndex((q) => q.queue === w.queue)];
  const i0 = Math.min(...lanes);
  if (i0 < 0) return '';
  const top = TOP + i0 * LANE;
  const h = (Math.max(...lanes) - i0 + 1) * LANE - 20;
  const a = x(w.x0);
  const b = Math.max(x(w.x1), a + 2);
  const color = SEV_COLOR[w.severity] ?? SEV_COLOR.info!;
  // the label reads from the window's start; past the plot's right edge it ends at the window's end instead
  const chars = Math.floor((W - RIGHT - a) / 6.2);
  const fits = chars >= 24;
  const text = truncate(w.label, fits ? chars : Math.floor((b - LEFT) / 6.2));
  const ly = top + STRIP + 14 + (k % 4) * 13;
  return (
    `<g class="window" data-finding="${w.n}"><rect x="${f1(a)}" y="${top}" width="${f1(b - a)}" height="${h}" fill="${color}" fill-opacity="0.08" stroke="${color}" stroke-dasharray="4 2"/>` +
    `<text class="window-label" x="${f1(fits ? a + 4 : b - 4)}" y="${ly}" text-anchor="${fits ? 'start' : 'end'}" fill="${color}" font-weight="600">${escapeHtml(text)}</text></g>`
  );
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(1, n - 1))}…`;
}
