/**
 * Post-mortem rendering without a browser: the HTML's CSP admits exactly its inlined scripts and style, the
 * Markdown reads without entity escapes and renders safely in a CommonMark renderer (markdown-it, GFM tables),
 * the static SVG timelines have round, unclipped ticks, and a million points stay a few thousand per queue.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplayResult } from '@txreplay/replay';
import { renderHtml, writePostMortem } from '@txreplay/report';
import { multiqueueResult, smallEvents } from './fixtures.js';
import { deviceFacts } from '../src/device-facts.js';
import { HOSTILE, hostileResult } from './hostile.js';
import { buildEventTable, tempDir } from './helpers.js';

const sha = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** Inline <script> bodies that run (not the JSON data block) and the <style> bodies of a page. */
function inlineCode(html: string): { scripts: string[]; styles: string[]; csp: string } {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
  return { scripts, styles, csp: csp.replace(/&#39;/g, "'") };
}

describe('post-mortem HTML and Markdown', () => {
  const dir = tempDir('txreplay-pm-');
  const html = path.join(dir, 'report.html');
  const md = path.join(dir, 'report.md');
  let written: string[] = [];

  beforeAll(async () => {
    written = await writePostMortem(multiqueueResult(), {
      html,
      md,
      title: 'multiqueue lost wake-up',
      events: buildEventTable(smallEvents()),
    });
  });

  it('is self-contained: inline uPlot and chart script admitted by hash only, no network URL', () => {
    const text = readFileSync(html, 'utf8');
    const { scripts, styles, csp } = inlineCode(text);
    expect(scripts).toHaveLength(2); // uPlot, the chart script
    expect(scripts[0]).toContain('uPlot (v1.6.32)');
    expect(styles).toHaveLength(1);
    expect(csp).toBe(
      `default-src 'none'; script-src ${scripts.map(sha).join(' ')}; style-src ${sha(styles[0]!)}; ` +
        `base-uri 'none'; form-action 'none'`,
    );
    expect(csp).not.toContain('unsafe');
    expect(text).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(text).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(text).not.toMatch(/@import/i);
    expect(text).toContain(
      'PROBLEM: 3 critical, 1 warning, 0 info finding(s). Worst: vs0 txq 1 stopped (DRV_XOFF) for 500 ms with 32 packets queued and no wake',
    );
    expect(text).toContain('multiqueue/perf-script.txt:1001');
    expect(text).toContain('&lt;b&gt;for this queue&lt;/b&gt;'); // the explanation's markup is text
    expect(text.endsWith('</html>\n')).toBe(true);
  });

  it('writes the Markdown with one SVG timeline per device beside it, each file ending in a newline', () => {
    expect(written.map((f) => path.basename(f))).toEqual(['report.html', 'report.d-vs0.svg', 'report.md']);
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/^# multiqueue lost wake-up\n/);
    expect(text).toContain('![timeline of vs0](report.d-vs0.svg)');
    expect(text).toContain(
      '> **Verdict:** PROBLEM: 3 critical, 1 warning, 0 info finding(s). Worst: vs0 txq 1 stopped (DRV_XOFF)',
    );
    expect(text).toContain('| `multiqueue/perf-script.txt:1001` |');
    expect(text.match(/^### \d+\. \[CRITICAL\]/gm)).toHaveLength(3);
    for (const f of written) expect(readFileSync(f, 'utf8').endsWith('\n')).toBe(true);
  });

  it('draws the static SVG with round time ticks inside the picture and every finding window labelled', () => {
    const svg = readFileSync(path.join(dir, 'report.d-vs0.svg'), 'utf8');
    const ticks = [...svg.matchAll(/class="tick-x" x="([\d.]+)"[^>]*text-anchor="(\w+)"[^>]*>([^<]*)</g)];
    // the fixture spans 1 s: 200 ms steps, the last tick on the right edge, right-aligned
    expect(ticks.map((t) => t[3])).toEqual(['0 ms', '200 ms', '400 ms', '600 ms', '800 ms', '1000 ms']);
    expect(ticks.map((t) => t[2])).toEqual(['start', 'middle', 'middle', 'middle', 'middle', 'end']);
    for (const [, x, anchor] of ticks) {
      // a label 40 px wide fits: centred ones away from the edges, the last one right-aligned
      const xi = Number(x);
      const [lo, hi] = anchor === 'middle' ? [xi - 20, xi + 20] : anchor === 'end' ? [xi - 40, xi] : [xi, xi + 40];
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(960);
    }
    const labels = [...svg.matchAll(/class="window-label"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(labels).toHaveLength(4);
    expect(labels[0]).toMatch(/^#1 vs0 txq 1 stopped \(DRV_XOFF\)/);
  });
});

describe('hostile trace strings', () => {
  const md = new MarkdownIt({ html: true, linkify: true }); // raw HTML on: the worst case a reader's renderer may be

  it('Markdown: no entity escapes, and a CommonMark renderer shows every string literally', async () => {
    const text = await renderMarkdownOf(hostileResult());
    // entities appear only where the hostile strings hold them, backslash-escaped to stay literal
    expect(text.replace(/\\&(amp|#39);/g, '')).not.toMatch(/&#39;|&quot;|&lt;|&gt;|&amp;/);
    const out = md.render(text);
    expect(out).not.toMatch(/<script|<iframe/i);
    // the only images are the timelines written beside the file
    for (const m of out.matchAll(/<img src="([^"]*)"/g)) expect(m[1]).toMatch(/^hostile\.d-[\w-]+\.svg$/);
    expect(out).not.toMatch(/href="javascript:/i);
    // the title, the note (in a table cell with pipes) and the file name come back as text
    const plain = out.replace(/<[^>]+>/g, '');
    const fromEntities = (s: string): string =>
      s
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
    expect(fromEntities(plain)).toContain(`stuck ${HOSTILE.dev}`);
    expect(fromEntities(plain)).toContain(HOSTILE.note);
    expect(fromEntities(plain)).toContain(`/tmp/${HOSTILE.file}.txt:1001`);
    // the evidence table keeps its 4 columns in every row, pipes and backticks notwithstanding
    const rows = [...out.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1]!.match(/<t[dh][ >]/g) ?? []).length);
    expect(rows.length).toBeGreaterThan(2);
    expect(new Set(rows.slice(0, 3))).toEqual(new Set([4]));
  });

  it('HTML: every string escaped as text', () => {
    const text = renderHtml(hostileResult());
    expect(text).not.toContain('<img src=x');
    expect(text).not.toContain('<script>alert(');
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // the JSON data block cannot be closed by a device name
    const data = /<script type="application\/json" id="tl-data">([\s\S]*?)<\/script>/.exec(text)![1]!;
    expect(data).not.toContain('<');
    expect((JSON.parse(data) as { devices: { dev: string }[] }).devices.map((d) => d.dev)).toContain(HOSTILE.dev);
  });
});

describe('a million points', () => {
  it('keeps at most 6000 points a queue and the one-sample spike survives (min/max per column)', () => {
    const r = multiqueueResult();
    const s = r.series[0]!;
    const n = 1_000_000;
    const t0 = r.trace.firstNs;
    const step = (r.trace.lastNs - t0) / BigInt(n);
    s.tsNs = Array.from({ length: n }, (_, i) => t0 + BigInt(i) * step);
    s.backlogPackets = Array.from({ length: n }, (_, i) => (i === 654_321 ? 999 : i % 7));
    s.inflightBytes = new Array<number>(n).fill(1500);
    s.dqlLimitObserved = new Array<number | null>(n).fill(null);
    s.dqlLimitExpected = new Array<number | null>(n).fill(30000);
    const t = performance.now();
    const text = renderHtml(r);
    const ms = performance.now() - t;
    const data = JSON.parse(/id="tl-data">([\s\S]*?)<\/script>/.exec(text)![1]!) as {
      devices: { queues: { queue: number; x: number[]; backlog: number[] }[] }[];
    };
    const q0 = data.devices[0]!.queues.find((q) => q.queue === s.queue)!;
    expect(q0.x.length).toBeLessThanOrEqual(6000);
    expect(Math.max(...q0.backlog)).toBe(999);
    process.stdout.write(
      `1 M points: rendered in ${ms.toFixed(0)} ms, ${q0.x.length} points kept, ${text.length} bytes\n`,
    );
  });
});

/** Through the writer: what a user gets on disk. */
async function renderMarkdownOf(r: ReplayResult): Promise<string> {
  const file = path.join(tempDir('txreplay-md-'), 'hostile.md');
  await writePostMortem(r, { md: file });
  return readFileSync(file, 'utf8');
}

describe('series a device has (driver profile facts from @txreplay/model)', () => {
  it('veth (given or inferred): no DQL, no in-flight; igb: DQL; lo: no DQL but its own completions', () => {
    const napiDevs = ['vr0'];
    expect(deviceFacts('vs0', { napiDevs })).toEqual({
      dev: 'vs0',
      driver: 'veth',
      driverFrom: 'inferred',
      bql: false,
      completedByPeer: true,
    });
    expect(deviceFacts('vr0', { napiDevs })).toMatchObject({ driver: null, bql: null, completedByPeer: false });
    expect(deviceFacts('eth0', { napiDevs, defaultDriver: 'igb' })).toMatchObject({
      bql: true,
      completedByPeer: false,
    });
    expect(deviceFacts('eth0', { napiDevs, drivers: { eth0: 'veth' } })).toMatchObject({
      driverFrom: 'given',
      bql: false,
    });
    expect(deviceFacts('lo', { napiDevs })).toMatchObject({ driver: 'loopback', bql: false, completedByPeer: false });
  });

  it('the HTML data leaves out the DQL and in-flight series of a veth, keeps them for igb', () => {
    const data = (html: string) =>
      JSON.parse(/id="tl-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
        devices: { notes: string[]; queues: { dql: unknown; inflight: unknown }[] }[];
      };
    const veth = data(renderHtml(multiqueueResult(), undefined, { profile: { driver: 'veth' } })).devices[0]!;
    expect(veth.queues.every((q) => q.dql === null && q.inflight === null)).toBe(true);
    expect(veth.notes[0]).toMatch(/^no DQL limit: veth \(as given\)/);
    const igb = data(renderHtml(multiqueueResult(), undefined, { profile: { driver: 'igb' } })).devices[0]!;
    expect(igb.queues.every((q) => Array.isArray(q.dql) && Array.isArray(q.inflight))).toBe(true);
  });
});

describe('evidence sections of the post-mortem (real inputs)', () => {
  it('a partial capture lists every kind it could not judge; a lossy one its unknown time; veth-backpressure the ENOBUFS layers', async () => {
    const { diagnoseFiles } = await import('@txreplay/replay');
    const repoRoot = path.resolve(import.meta.dirname, '../../..');
    const shared = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
    const md = new MarkdownIt();
    const partial = await diagnoseFiles([
      path.join(repoRoot, 'fixtures/public/27-docker-veth-ping-old-format.perf-trace'),
    ]);
    const partialMd = await renderMarkdownOf(partial);
    const notJudged = partialMd.slice(partialMd.indexOf('## Not judged'));
    const items = md.render(notJudged.slice(0, notJudged.indexOf('\n## ', 3))).match(/<li>/g) ?? [];
    expect(items.length).toBe(partial.coverage.cannotJudge!.length);
    expect(partial.coverage.cannotJudge!.length).toBeGreaterThan(0);

    const lossy = await diagnoseFiles([path.join(repoRoot, 'fixtures/captured/lossy-perf/perf-script.txt.gz')]);
    expect(await renderMarkdownOf(lossy)).toMatch(
      /## Unknown time\n\n- the tracer lost \d+ event\(s\): [\d.]+ ms of the trace is unknown/,
    );

    const vb = await diagnoseFiles([path.join(shared, 'veth-backpressure/perf-script.txt.gz')]);
    const html = renderHtml(vb);
    expect(html).toContain('<h2>Where an ENOBUFS came from</h2>');
    expect(html).toMatch(/<li>qdisc \(NET_XMIT_DROP\): shown \(14033 packet\(s\)\)/);
  });

  it('the snapshots given beside a trace (tc -s, ip -s link of veth-peer-down) are sections of their own, as diagnose prints them', async () => {
    const { diagnoseFiles, formatVerdict } = await import('@txreplay/replay');
    const repoRoot = path.resolve(import.meta.dirname, '../../..');
    const t = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces/veth-peer-down');
    const r = await diagnoseFiles(
      ['tc-before-vs0.txt', 'tc-after-vs0.txt', 'link-before-vs0.txt', 'link-after-vs0.txt'].map((f) =>
        path.join(t, f),
      ),
    );
    const md = await renderMarkdownOf(r);
    expect(md).toMatch(
      /## qdisc counters \(tc -s qdisc show\)\n\n- \(device not given\) pfifo 1: root .*\+2845 dropped/,
    );
    expect(md).toMatch(
      /## Links \(ip -s link, ifconfig, netstat -i, \/proc\/net\/dev, sysfs statistics: TX\)\n\n- vs0 \\<NO-CARRIER,BROADCAST,MULTICAST,UP\\> state DOWN .*dropped 2907 \(\+2907\)/,
    );
    // the same lines as the text verdict
    const linkLine = formatVerdict(r)
      .split('\n')
      .find((l) => l.startsWith('  vs0 <NO-CARRIER'))!
      .trim();
    expect(renderHtml(r)).toContain(`<li>${linkLine.replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</li>`);
  });
});
