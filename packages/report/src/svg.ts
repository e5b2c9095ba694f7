/**
 * One SVG timeline per TX queue (inline, no scripts, no external assets):
 *   lane 1  qdisc backlog (packets) over stopped/frozen bands (DRV_XOFF red, STACK_XOFF orange, FROZEN purple,
 *           UNKNOWN grey = trace gap)
 *   lane 2  inflight bytes, DQL limit observed (dots) vs expected (dashed) — §A.4 dql_completed
 *   lane 3  marks: NAPI polls, drops, watchdog timeouts (net_dev_xmit_timeout)
 * Time axis: milliseconds since the first event of the trace.
 */
import type { Interval, QueueSeries } from '@txreplay/replay';
import { escapeHtml } from './escape.js';

export interface QueueTimelineInput {
  dev: string;
  queue: number;
  /** the plotted window (ns, trace clock) */
  firstNs: bigint;
  lastNs: bigint;
  /** the whole trace: the axis is labelled in ms since traceFirstNs */
  traceFirstNs: bigint;
  traceLastNs: bigint;
  series: QueueSeries | null;
  intervals: Interval[];
  napiPolls: bigint[];
  /** device names the NAPI polls belong to (for the lane label) */
  napiDevs: string[];
  drops: bigint[];
  watchdog: bigint[];
}

const W = 960;
const LEFT = 70;
const RIGHT = 16;
const PLOT_W = W - LEFT - RIGHT;
const LANE1 = { top: 28, h: 120 };
const LANE2 = { top: 178, h: 120 };
const LANE3 = { top: 326, h: 54 };
const H = 410;

const STATE_COLOR: Record<string, string> = {
  DRV_XOFF: '#e5484d',
  STACK_XOFF: '#f5a524',
  FROZEN: '#8e4ec6',
  UNKNOWN: '#9aa0a6',
};

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Compact number for axis labels: 1.5k, 2.3M. */
function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${fmt(+(v / 1e9).toFixed(1))}G`;
  if (a >= 1e6) return `${fmt(+(v / 1e6).toFixed(1))}M`;
  if (a >= 1e3) return `${fmt(+(v / 1e3).toFixed(1))}k`;
  return fmt(+v.toFixed(1));
}

export function renderQueueTimeline(inp: QueueTimelineInput): string {
  const span = inp.lastNs > inp.firstNs ? inp.lastNs - inp.firstNs : 1n;
  const x = (ns: bigint): number => {
    const rel = Number(ns - inp.firstNs) / Number(span);
    return LEFT + Math.max(0, Math.min(1, rel)) * PLOT_W;
  };
  const spanMs = Number(span) / 1e6;
  const offsetMs = Number(inp.firstNs - inp.traceFirstNs) / 1e6;
  const parts: string[] = [];
  const label = `${inp.dev} txq ${inp.queue}`;
  parts.push(
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" ` +
      `aria-label="${escapeHtml(`timeline of ${label}`)}" data-dev="${escapeHtml(inp.dev)}" data-queue="${inp.queue}">`,
  );
  parts.push(
    `<title>${escapeHtml(`${label}: backlog, inflight, DQL limit, stopped intervals, NAPI polls, drops, watchdog`)}</title>`,
  );
  parts.push(`<text x="${LEFT}" y="16" class="lane-title">${escapeHtml(label)}</text>`);

  // time grid + axis labels
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const xi = LEFT + (PLOT_W * i) / ticks;
    parts.push(
      `<line x1="${xi.toFixed(1)}" y1="${LANE1.top}" x2="${xi.toFixed(1)}" y2="${LANE3.top + LANE3.h}" class="grid"/>`,
    );
    parts.push(
      `<text x="${xi.toFixed(1)}" y="${H - 8}" class="axis" text-anchor="middle">${escapeHtml(axisMs(offsetMs + (spanMs * i) / ticks, spanMs))}</text>`,
    );
  }

  // lane 1: stopped bands + backlog
  parts.push(`<g class="bands">`);
  for (const iv of inp.intervals) {
    if (iv.endNs < inp.firstNs || iv.startNs > inp.lastNs) continue;
    const x0 = x(iv.startNs);
    const x1 = Math.max(x(iv.endNs), x0 + 1);
    const color = STATE_COLOR[iv.state] ?? STATE_COLOR.UNKNOWN!;
    const ms = Number(iv.endNs - iv.startNs) / 1e6;
    parts.push(
      `<rect class="band band-${escapeHtml(iv.state.toLowerCase())}" x="${x0.toFixed(1)}" y="${LANE1.top}" width="${(x1 - x0).toFixed(1)}" height="${LANE2.top + LANE2.h - LANE1.top}" fill="${color}" fill-opacity="0.18">` +
        `<title>${escapeHtml(`${iv.state} for ${ms.toFixed(3)} ms`)}</title></rect>`,
    );
    if (iv.endNs > inp.lastNs) {
      const more = Number(iv.endNs - inp.lastNs) / 1e6;
      const tail = iv.endNs >= inp.traceLastNs ? 'until the end of the trace' : `for ${shortNumber(more)} ms more`;
      parts.push(
        `<text x="${LEFT + PLOT_W - 4}" y="${LANE1.top + 24}" class="axis band-note" text-anchor="end">${escapeHtml(`${iv.state} continues ${tail} (+${shortNumber(more)} ms) →`)}</text>`,
      );
    }
  }
  parts.push(`</g>`);
  parts.push(laneFrame(LANE1, 'qdisc backlog (pkts)'));
  parts.push(laneFrame(LANE2, 'inflight / DQL limit (bytes)'));
  parts.push(laneFrame(LANE3, 'events'));

  const s = inp.series;
  if (s && s.tsNs.length > 0) {
    const maxBacklog = Math.max(1, ...s.backlogPackets);
    parts.push(yLabels(LANE1, maxBacklog));
    parts.push(linePath(s.tsNs, s.backlogPackets, x, LANE1, maxBacklog, 'series-backlog', '#0b6bcb', true));
    const dqlVals = [...s.dqlLimitObserved, ...s.dqlLimitExpected].filter((v): v is number => v !== null);
    const max2 = Math.max(1, ...s.inflightBytes, ...dqlVals);
    parts.push(yLabels(LANE2, max2));
    parts.push(linePath(s.tsNs, s.inflightBytes, x, LANE2, max2, 'series-inflight', '#2f9e44', true));
    parts.push(linePath(s.tsNs, s.dqlLimitExpected, x, LANE2, max2, 'series-dql-expected', '#444', false, '5 3'));
    parts.push(dots(s.tsNs, s.dqlLimitObserved, x, LANE2, max2, 'series-dql-observed', '#d9480f'));
  } else {
    parts.push(`<text x="${LEFT + 8}" y="${LANE1.top + 20}" class="axis">no series for this queue</text>`);
  }

  // lane 3: marks (those inside the window)
  const inWindow = (t: bigint): boolean => t >= inp.firstNs && t <= inp.lastNs;
  const rows: [string, bigint[], string, string][] = [
    [
      'marks-napi',
      inp.napiPolls.filter(inWindow),
      '#1971c2',
      `NAPI polls${inp.napiDevs.length ? ` (${inp.napiDevs.join(', ')})` : ''}`,
    ],
    ['marks-drops', inp.drops.filter(inWindow), '#c92a2a', `drops (${inp.dev})`],
    ['marks-watchdog', inp.watchdog.filter(inWindow), '#000', 'watchdog timeout'],
  ];
  rows.forEach(([cls, tss, color, name], r) => {
    const y0 = LANE3.top + 4 + r * 16;
    parts.push(
      `<text x="${LEFT - 6}" y="${y0 + 10}" class="axis" text-anchor="end">${escapeHtml(['napi', 'drops', 'wdog'][r]!)}</text>`,
    );
    parts.push(ticksPath(tss, x, y0, 12, cls, color, `${name}: ${tss.length}`));
  });

  // legend
  const legend: [string, string, string][] = [
    ['#0b6bcb', 'backlog', 'solid'],
    ['#2f9e44', 'inflight', 'solid'],
    ['#444', 'DQL limit expected', 'dash'],
    ['#d9480f', 'DQL limit observed', 'dot'],
    ['#e5484d', 'DRV_XOFF', 'band'],
    ['#f5a524', 'STACK_XOFF', 'band'],
    ['#8e4ec6', 'FROZEN', 'band'],
    ['#9aa0a6', 'trace gap', 'band'],
  ];
  let lx = LEFT + 120;
  for (const [c, name, kind] of legend) {
    if (kind === 'band') parts.push(`<rect x="${lx}" y="8" width="12" height="10" fill="${c}" fill-opacity="0.35"/>`);
    else if (kind === 'dot') parts.push(`<circle cx="${lx + 6}" cy="13" r="3" fill="${c}"/>`);
    else
      parts.push(
        `<line x1="${lx}" y1="13" x2="${lx + 12}" y2="13" stroke="${c}" stroke-width="2"${kind === 'dash' ? ' stroke-dasharray="4 2"' : ''}/>`,
      );
    parts.push(`<text x="${lx + 16}" y="17" class="legend">${escapeHtml(name)}</text>`);
    lx += 24 + name.length * 6.6;
  }
  parts.push(`</svg>`);
  return parts.join('\n');
}

/** Axis label in ms since the trace start, with enough digits to tell ticks of this span apart. */
function axisMs(ms: number, spanMs: number): string {
  const digits = spanMs < 1 ? 4 : spanMs < 10 ? 3 : spanMs < 100 ? 2 : spanMs < 1000 ? 1 : 0;
  return `${ms.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ms`;
}

function laneFrame(lane: { top: number; h: number }, name: string): string {
  return (
    `<rect x="${LEFT}" y="${lane.top}" width="${PLOT_W}" height="${lane.h}" class="frame"/>` +
    `<text x="${LEFT + 4}" y="${lane.top + 12}" class="lane-label">${escapeHtml(name)}</text>`
  );
}

function yLabels(lane: { top: number; h: number }, max: number): string {
  return (
    `<text x="${LEFT - 6}" y="${lane.top + 10}" class="axis" text-anchor="end">${escapeHtml(shortNumber(max))}</text>` +
    `<text x="${LEFT - 6}" y="${lane.top + lane.h}" class="axis" text-anchor="end">0</text>`
  );
}

/**
 * Step line (values hold until the next sample, like a queue's backlog). Long series are reduced to the
 * min and max per pixel column so spikes survive the downsampling.
 */
function linePath(
  ts: bigint[],
  vals: (number | null)[],
  x: (ns: bigint) => number,
  lane: { top: number; h: number },
  max: number,
  cls: string,
  color: string,
  step: boolean,
  dash?: string,
): string {
  const y = (v: number): string => (lane.top + lane.h - (v / max) * (lane.h - 14)).toFixed(1);
  let d = '';
  let col = Number.NaN; // current half-pixel column
  let colMin = 0;
  let colMax = 0;
  let last: number | null = null; // last value drawn (pen height)
  let points = 0;
  const closeColumn = (): void => {
    if (Number.isNaN(col) || last === null || colMin === colMax) return;
    d += `L${col} ${y(colMax)}L${col} ${y(colMin)}L${col} ${y(last)}`;
  };
  for (let i = 0; i < ts.length; i++) {
    const v = vals[i];
    if (v === null || v === undefined) {
      if (!step) {
        closeColumn();
        col = Number.NaN;
        last = null;
      }
      continue;
    }
    const xi = Math.round(x(ts[i]!) * 2) / 2;
    if (xi === col) {
      colMin = Math.min(colMin, v);
      colMax = Math.max(colMax, v);
      last = v;
      continue;
    }
    closeColumn();
    if (last === null) d += `M${xi} ${y(v)}`;
    else if (step) d += `L${xi} ${y(last)}L${xi} ${y(v)}`;
    else d += `L${xi} ${y(v)}`;
    col = xi;
    colMin = v;
    colMax = v;
    last = v;
    points++;
  }
  closeColumn();
  if (!d) return '';
  return `<path class="${cls}" data-points="${points}" d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
}

function dots(
  ts: bigint[],
  vals: (number | null)[],
  x: (ns: bigint) => number,
  lane: { top: number; h: number },
  max: number,
  cls: string,
  color: string,
): string {
  const y = (v: number): number => lane.top + lane.h - (v / max) * (lane.h - 14);
  const seen = new Set<string>();
  let d = '';
  let points = 0;
  for (let i = 0; i < ts.length; i++) {
    const v = vals[i];
    if (v === null || v === undefined) continue;
    const xi = x(ts[i]!).toFixed(0);
    const yi = y(v).toFixed(0);
    const key = `${xi},${yi}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // a dot is a zero-length round-capped segment: one path instead of thousands of <circle>s
    d += `M${xi} ${yi}h0`;
    points++;
  }
  if (!d) return '';
  return `<path class="${cls}" data-points="${points}" d="${d}" stroke="${color}" stroke-width="4" stroke-linecap="round" fill="none"/>`;
}

function ticksPath(
  tss: bigint[],
  x: (ns: bigint) => number,
  y0: number,
  h: number,
  cls: string,
  color: string,
  title: string,
): string {
  const cols = new Set<string>();
  for (const t of tss) cols.add(x(t).toFixed(1));
  let d = '';
  for (const c of cols) d += `M${c} ${y0}v${h}`;
  return `<path class="${cls}" data-count="${tss.length}" d="${d || `M${LEFT} ${y0}`}" stroke="${color}" stroke-width="1"><title>${escapeHtml(title)}</title></path>`;
}
