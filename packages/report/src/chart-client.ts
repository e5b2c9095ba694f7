/**
 * The script the HTML post-mortem runs (inline, admitted by its hash in the page's CSP): one uPlot chart per
 * TX queue, the charts of a device stacked on one shared time axis (zoom by dragging, Ctrl+wheel or the
 * buttons; pan by Shift+wheel or the arrows; all charts of the device follow), hover readouts in each legend,
 * queue-state bands drawn under the series, and every finding's window as a labelled overlay.
 * Untrusted text (device names, finding titles) only ever reaches the page through textContent.
 */
export const CHART_CLIENT = `(() => {
'use strict';
const dataEl = document.getElementById('tl-data');
if (!dataEl || typeof uPlot === 'undefined') return;
const D = JSON.parse(dataEl.textContent);
const STATES = D.states;
const stepped = uPlot.paths.stepped({ align: 1 });
const groups = new Map();
const INT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];
const digits = (incr) => Math.max(0, Math.min(9, -Math.floor(Math.log10(incr) + 1e-9)));
function fmtAxisTime(v, incr) {
  if (incr >= 0.5) return v.toFixed(digits(incr)) + ' s';
  if (incr >= 5e-4) return (v * 1e3).toFixed(digits(incr * 1e3)) + ' ms';
  return (v * 1e6).toFixed(digits(incr * 1e6)) + ' µs';
}
function fmtBytes(v, incr) {
  const a = Math.max(Math.abs(v), incr || 0);
  const [div, unit] = a >= 1e6 ? [1e6, ' MB'] : a >= 1e3 ? [1e3, ' kB'] : [1, ' B'];
  const d = incr ? digits(incr / div) : div === 1 ? 0 : 1;
  return (v / div).toFixed(d) + unit;
}
const dash = (v, f) => (v == null ? '–' : f(v));
function clampRange(g, min, max) {
  let r = Math.max(max - min, 1e-9);
  if (r > g.span) r = g.span;
  min = Math.max(0, Math.min(min, g.span - r));
  return { min, max: min + r };
}
function setX(g, min, max) {
  g.charts[0].setScale('x', clampRange(g, min, max));
}
function syncX(g, src) {
  if (g.syncing) return;
  g.syncing = true;
  const { min, max } = src.scales.x;
  for (const u of g.charts) if (u !== src && (u.scales.x.min !== min || u.scales.x.max !== max)) u.setScale('x', { min, max });
  g.syncing = false;
  if (g.readout) g.readout.textContent = 'showing ' + fmtAxisTime(min, (max - min) / 100) + ' – ' + fmtAxisTime(max, (max - min) / 100);
}
function drawBands(u, bands) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.globalAlpha = 0.22;
  for (const [x0, x1, code] of bands) {
    const a = Math.max(u.valToPos(x0, 'x', true), left);
    const b = Math.min(u.valToPos(x1, 'x', true), left + width);
    if (b < left || a > left + width) continue;
    ctx.fillStyle = STATES[code].color;
    ctx.fillRect(a, top, Math.max(b - a, 1), height);
  }
  ctx.restore();
}
function addWindows(u, wins) {
  u._wins = wins.map((w, k) => {
    const div = document.createElement('div');
    div.className = 'win sev-' + w.severity;
    div.dataset.finding = String(w.n);
    const label = document.createElement('span');
    label.className = 'win-label';
    label.textContent = w.label;
    label.style.top = (k % 3) * 15 + 'px';
    div.appendChild(label);
    u.over.appendChild(div);
    return { w, div };
  });
  placeWindows(u);
}
function placeWindows(u) {
  for (const { w, div } of u._wins || []) {
    const a = u.valToPos(w.x0, 'x');
    const b = u.valToPos(w.x1, 'x');
    const width = u.over.clientWidth;
    const left = Math.max(a, 0);
    const right = Math.min(Math.max(b, a + 2), width);
    div.style.display = right < 0 || left > width ? 'none' : '';
    div.style.left = left + 'px';
    div.style.width = Math.max(right - left, 2) + 'px';
    // the label reads from the window's start and stops at the plot's edge (full text on the finding card)
    div.firstChild.style.maxWidth = Math.max(width - left - 8, 60) + 'px';
  }
}
function seriesOf(q) {
  const s = [{ label: 'time', value: (u, v) => dash(v, (x) => x.toFixed(6) + ' s') }];
  const data = [q.x];
  const add = (opts, values) => {
    s.push(Object.assign({ points: { show: false }, paths: stepped, width: 1.5 }, opts));
    data.push(values);
  };
  add({ label: 'state', scale: 'state', stroke: 'rgba(0,0,0,0)', width: 0, value: (u, v) => dash(v, (c) => STATES[c].name) }, q.state);
  add({ label: 'qdisc backlog', scale: 'pkts', stroke: '#0b6bcb', value: (u, v) => dash(v, (x) => x + ' pkts') }, q.backlog);
  if (q.inflight) add({ label: 'in flight', scale: 'bytes', stroke: '#2f9e44', width: 1.2, value: (u, v) => dash(v, fmtBytes) }, q.inflight);
  if (q.dql) add({ label: 'DQL limit (expected)', scale: 'bytes', stroke: '#444', dash: [5, 3], width: 1.2, value: (u, v) => dash(v, fmtBytes) }, q.dql);
  add({ label: 'qdisc drops', scale: 'drops', stroke: '#c92a2a', width: 1, value: (u, v) => dash(v, (x) => x + ' of ' + q.totalDrops) }, q.drops);
  return { series: s, data };
}
function axesOf(q, last) {
  const axes = [
    { scale: 'x', size: last ? 44 : 26, label: last ? 'time since the first event' : null, labelSize: 16, values: (u, sp, a, f, incr) => sp.map((v) => fmtAxisTime(v, incr)) },
    { scale: 'pkts', label: 'backlog (pkts)', labelSize: 16, size: 56, incrs: INT_INCRS, values: (u, sp) => sp.map((v) => String(v)) },
  ];
  // bytes on the right: the ticks carry the unit (B/kB/MB); a rotated label there is clipped by the canvas
  if (q.inflight || q.dql) axes.push({ scale: 'bytes', side: 1, size: 60, grid: { show: false }, values: (u, sp, a, f, incr) => sp.map((v) => fmtBytes(v, incr)) });
  return axes;
}
const upTo = (u, min, max) => [0, max > 0 ? max * 1.1 : 1];
function queueChart(dev, g, q, i, width) {
  const last = i === dev.queues.length - 1;
  const { series, data } = seriesOf(q);
  const wins = dev.windows.filter((w) => w.queue === null || w.queue === q.queue);
  const hasBytes = !!(q.inflight || q.dql);
  const opts = {
    title: dev.dev + ' txq ' + q.queue,
    width,
    height: (dev.queues.length <= 2 ? 190 : 128) + (last ? 22 : 0),
    series,
    axes: axesOf(q, last),
    padding: [6, hasBytes ? 14 : 34, 0, 0],
    scales: { x: { time: false }, pkts: { range: upTo }, bytes: { range: upTo }, drops: { range: () => [0, Math.max(1, q.totalDrops) * 1.05] }, state: { range: () => [0, 5] } },
    cursor: { sync: { key: dev.id }, drag: { x: true, y: false, setScale: true } },
    legend: { live: true },
    hooks: {
      drawClear: [(u) => drawBands(u, q.bands)],
      setScale: [(u, key) => { if (key === 'x') { syncX(g, u); placeWindows(u); } }],
      setSize: [(u) => placeWindows(u)],
      ready: [(u) => addWindows(u, wins)],
    },
  };
  return new uPlot(opts, data, g.host);
}
function toolbar(g) {
  const bar = document.createElement('div');
  bar.className = 'tl-tools';
  const acts = [['whole trace', () => setX(g, 0, g.span)], ['zoom in', 0.5], ['zoom out', 2], ['◀ pan', -0.5], ['pan ▶', 0.5]];
  for (const [name, act] of acts) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = name;
    b.addEventListener('click', () => {
      if (typeof act === 'function') return act();
      const { min, max } = g.charts[0].scales.x;
      const r = max - min;
      if (name.startsWith('zoom')) { const c = (min + max) / 2; setX(g, c - (r * act) / 2, c + (r * act) / 2); }
      else setX(g, min + r * act, max + r * act);
    });
    bar.appendChild(b);
  }
  g.readout = document.createElement('span');
  g.readout.className = 'tl-range';
  bar.appendChild(g.readout);
  g.host.before(bar);
}
function wheel(g, u) {
  u.over.addEventListener('wheel', (e) => {
    if (!e.ctrlKey && !e.metaKey && !e.shiftKey) return; // a plain wheel scrolls the page
    e.preventDefault();
    const { min, max } = u.scales.x;
    const r = max - min;
    if (e.shiftKey) { const d = (Math.sign(e.deltaY || e.deltaX) * r) / 5; return setX(g, min + d, max + d); }
    const at = u.posToVal(e.offsetX, 'x');
    const f = e.deltaY < 0 ? 0.75 : 1 / 0.75;
    setX(g, at - (at - min) * f, at + (max - at) * f);
  }, { passive: false });
}
for (const dev of D.devices) {
  const host = document.getElementById('tl-' + dev.id);
  if (!host) continue;
  const g = { host, span: Math.max(dev.spanS, 1e-9), charts: [], syncing: false, readout: null };
  groups.set(dev.id, g);
  toolbar(g);
  const width = Math.max(host.clientWidth, 320);
  dev.queues.forEach((q, i) => g.charts.push(queueChart(dev, g, q, i, width)));
  for (const u of g.charts) wheel(g, u);
  if (g.charts.length) setX(g, 0, g.span);
}
for (const a of document.querySelectorAll('a.win-link')) {
  a.addEventListener('click', () => {
    const g = groups.get(a.dataset.dev);
    if (!g || !g.charts.length) return;
    const x0 = Number(a.dataset.x0);
    const x1 = Number(a.dataset.x1);
    const pad = Math.max((x1 - x0) * 0.15, g.span * 1e-4);
    setX(g, x0 - pad, x1 + pad);
    for (const el of document.querySelectorAll('.win.focus')) el.classList.remove('focus');
    for (const el of document.querySelectorAll('.win[data-finding="' + a.dataset.finding + '"]')) el.classList.add('focus');
  });
}
let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const g of groups.values()) for (const u of g.charts) u.setSize({ width: Math.max(g.host.clientWidth, 320), height: u.height });
  }, 100);
});
})();`;
