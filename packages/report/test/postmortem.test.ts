/**
 * Post-mortem rendering: self-contained HTML opened in headless Chromium (Debian's /usr/bin/chromium),
 * Markdown variant, escaping of hostile trace strings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { writePostMortem, renderHtml } from '@txreplay/report';
import type { ReplayResult } from '@txreplay/replay';
import { loadEvents } from '@txreplay/ingest';
import { replayTable } from '@txreplay/replay';
import { SHARED, buildEventTable, tempDir } from './helpers.js';
import { multiqueueResult, smallEvents } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const EVIL = '<img src=x onerror=alert(1)>"\'&';

function hostile(): ReplayResult {
  const r = multiqueueResult();
  r.queues[1]!.dev = EVIL;
  r.series[1]!.dev = EVIL;
  r.findings[0]!.dev = EVIL;
  r.findings[0]!.title = `stuck ${EVIL}`;
  r.findings[0]!.evidence[0]!.source = `/tmp/${EVIL}.txt`;
  r.findings[0]!.evidence[0]!.note = 'comm=<script>alert(2)</script>';
  return r;
}

describe('post-mortem HTML and Markdown', () => {
  const dir = tempDir('txreplay-pm-', true); // kept: the screenshot is looked at
  const html = path.join(dir, 'report.html');
  const md = path.join(dir, 'report.md');

  beforeAll(async () => {
    await writePostMortem(multiqueueResult(), {
      html,
      md,
      title: 'multiqueue lost wake-up',
      events: buildEventTable(smallEvents()),
    });
  });

  it('is self-contained: no scripts, no network URLs, verdict and evidence source:line present', () => {
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(text).not.toMatch(/@import|url\(/i);
    expect(text).toContain(
      'PROBLEM: 3 critical, 1 warning, 0 info finding(s). Worst: vs0 txq 1 stopped (DRV_XOFF) for 500 ms with 32 packets queued and no wake',
    );
    expect(text).toContain('multiqueue/perf-script.txt:1001');
    // the explanation's markup is text, not HTML
    expect(text).toContain('&lt;b&gt;for this queue&lt;/b&gt;');
    expect((text.match(/<svg class="timeline"/g) ?? []).length).toBe(4);
  });

  it('escapes hostile trace strings in HTML and Markdown', () => {
    const text = renderHtml(hostile());
    expect(text).not.toContain('<img src=x');
    expect(text).not.toContain('<script>alert(2)');
    expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
  });

  it('writes a Markdown report with the verdict, findings and evidence', () => {
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/^# multiqueue lost wake-up/);
    expect(text).toContain(
      '> **Verdict:** PROBLEM: 3 critical, 1 warning, 0 info finding(s). Worst: vs0 txq 1 stopped (DRV\\_XOFF)',
    );
    expect(text).toContain('| multiqueue/perf-script.txt:1001 |');
    expect(text.match(/^### \d+\. \[CRITICAL\]/gm)).toHaveLength(3);
  });

  describe('in headless Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      if (!existsSync(CHROMIUM)) {
        throw new Error(
          `${CHROMIUM} is missing: apt-get install chromium (the HTML report check needs a real browser)`,
        );
      }
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('opens the multiqueue post-mortem without console errors, draws data for each queue, and screenshots', async () => {
      // the real capture: vs0 with 4 TX queues, queues 1..3 stopped for good (lost wake-up)
      const { table } = await loadEvents([path.join(SHARED, 'traces/multiqueue/perf-script.txt')]);
      const real = replayTable(table, { maxSeriesPoints: 2000 });
      const realHtml = path.join(dir, 'multiqueue.html');
      await writePostMortem(real, { html: realHtml, title: 'multiqueue (shared capture)', events: table });
      const vs0 = real.queues
        .filter((q) => q.dev === 'vs0')
        .map((q) => q.queue)
        .sort();
      expect(vs0).toEqual([0, 1, 2, 3]);
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(realHtml).href);
      expect(await page.textContent('#verdict')).toMatch(/^PROBLEM: 3 critical/);
      const svgs = await page.$$eval('svg.timeline', (els) =>
        els.map((el) => {
          const box = el.getBoundingClientRect();
          const path = (cls: string): number => {
            const p = el.querySelector(`path.${cls}`) as unknown as { getTotalLength(): number } | null;
            return p ? p.getTotalLength() : 0;
          };
          return {
            queue: el.getAttribute('data-queue'),
            dev: el.getAttribute('data-dev'),
            width: box.width,
            backlogLen: path('series-backlog'),
            inflightLen: path('series-inflight'),
            dqlExpectedLen: path('series-dql-expected'),
            dqlObserved: Number(el.querySelector('path.series-dql-observed')?.getAttribute('data-points') ?? 0),
            bands: el.querySelectorAll('rect.band-drv_xoff').length,
            napi: Number(el.querySelector('path.marks-napi')?.getAttribute('data-count') ?? 0),
          };
        }),
      );
      // one timeline per TX queue of the capture, each with drawn data
      expect(svgs.map((s) => `${s.dev}#${s.queue}`).sort()).toEqual(
        real.queues.map((q) => `${q.dev}#${q.queue}`).sort(),
      );
      for (const s of svgs) expect(s.backlogLen + s.inflightLen).toBeGreaterThan(0);
      const onVs0 = svgs.filter((s) => s.dev === 'vs0');
      expect(onVs0.map((s) => Number(s.queue))).toEqual([0, 1, 2, 3]);
      for (const s of onVs0) {
        expect(s.width).toBeGreaterThan(500);
        expect(s.backlogLen).toBeGreaterThan(100); // a drawn line, in CSS pixels
        expect(s.inflightLen).toBeGreaterThan(0);
        expect(s.napi).toBeGreaterThan(100); // vr0's NAPI polls (veth: the peer's NAPI drains the ring)
        expect(s.bands).toBeGreaterThan(0); // every vs0 queue was stopped at least once
      }
      // the three stuck queues end inside a DRV_XOFF band that reaches the end of the trace
      for (const q of [1, 2, 3]) {
        const stuck = real.queues.find((x) => x.dev === 'vs0' && x.queue === q)!;
        expect(stuck.backlogAtEnd).toBe(32);
      }
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      const shot = path.join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      process.stdout.write(`post-mortem screenshot: ${shot}\n`);
      await page.close();
    });
  });
});
