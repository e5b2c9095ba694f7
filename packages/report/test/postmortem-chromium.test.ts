/**
 * The HTML post-mortem in real Chromium (Debian's /usr/bin/chromium, installed by .ci/run; driven by
 * playwright-core over its DevTools pipe): the bundled example's stall window is on the first screen and
 * labelled with its finding, the series are the device's (no DQL or in-flight line on veth), the drops readout
 * equals the queue table, the finding link zooms, the CSP lets the inlined code run and nothing else; hostile
 * strings stay text.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvents } from '@txreplay/ingest';
import { replayTable } from '@txreplay/replay';
import { writePostMortem } from '@txreplay/report';
import { HOSTILE, hostileResult } from './hostile.js';
import { REPO_ROOT, tempDir } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const VIEW = { width: 1280, height: 900 };

async function open(browser: Browser, file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: VIEW });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('.uplot');
  return { page, errors, requests };
}

describe('post-mortem in headless Chromium', () => {
  const dir = tempDir('txreplay-pm-chromium-', true); // kept: the screenshot is looked at
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (the HTML report check needs a real browser)`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the bundled example’s lost wake-up on the first screen, labelled, with the device’s series only', async () => {
    const { table } = await loadEvents([path.join(REPO_ROOT, 'examples/multiqueue.perf-script.txt.gz')]);
    const result = replayTable(table, { maxSeriesPoints: 2000 }); // as `txreplay report` replays
    const file = path.join(dir, 'multiqueue.html');
    await writePostMortem(result, { html: file, title: 'multiqueue (bundled example)', events: table });
    const { page, errors, requests } = await open(browser, file);

    expect(await page.textContent('#verdict')).toMatch(/^PROBLEM: 3 critical.*Worst: lost wake-up: txq 3 stopped/);
    const firstScreen = await page.$$eval(
      '.first .win[data-finding="1"]',
      (els, h) =>
        els.map((el) => {
          const r = el.getBoundingClientRect();
          const plot = el.parentElement!.getBoundingClientRect();
          return {
            top: r.top,
            bottom: r.bottom,
            share: r.width / plot.width,
            label: el.textContent ?? '',
            visible: r.top < h && r.bottom > 0,
          };
        }),
      VIEW.height,
    );
    // finding #1 (txq 3 stopped 7.28 s of an 11.56 s trace) is marked on its queue's chart, on screen
    expect(firstScreen).toHaveLength(1);
    expect(firstScreen[0]!.visible).toBe(true);
    expect(firstScreen[0]!.bottom).toBeLessThanOrEqual(VIEW.height);
    expect(firstScreen[0]!.share).toBeGreaterThan(0.55);
    expect(firstScreen[0]!.label).toMatch(/^#1 lost wake-up: txq 3 stopped \(DRV_XOFF\) for 7280\.3 ms/);
    // and really painted: the canvas under the window carries the DRV_XOFF band (red over white)
    const px = await page.$eval('.first .win[data-finding="1"]', (el) => {
      const over = el.parentElement!;
      const canvas = over.parentElement!.querySelector('canvas')!;
      const c = canvas.getBoundingClientRect();
      const w = el.getBoundingClientRect();
      const sx = canvas.width / c.width;
      const x = (w.left + w.width / 2 - c.left) * sx;
      const y = (w.top + w.height * 0.2 - c.top) * (canvas.height / c.height);
      return [...canvas.getContext('2d')!.getImageData(Math.round(x), Math.round(y), 1, 1).data];
    });
    expect(px[0]! - px[1]!).toBeGreaterThan(15);

    // veth: no DQL limit, no in-flight bytes; the drops readout at the end equals the queue table
    const legends = await page.$$eval('.first .u-legend', (els) =>
      els.map((el) => [...el.querySelectorAll('.u-label')].map((l) => l.textContent)),
    );
    expect(legends).toHaveLength(4);
    for (const l of legends) expect(l).toEqual(['time', 'state', 'qdisc backlog', 'qdisc drops']);
    const q3 = result.queues.find((q) => q.dev === 'vs0' && q.queue === 3)!;
    const over = (await page.$$('.first .u-over'))[3]!;
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
    const readout = await page.$$eval('.first .u-legend', (els) => els[3]!.textContent ?? '');
    expect(readout).toContain(`${q3.qdiscDrops} of ${q3.qdiscDrops}`);
    expect(readout).toContain('stopped by the driver (DRV_XOFF)');
    expect(readout).toContain('32 pkts');

    const shot = path.join(dir, 'first-screen.png');
    await page.screenshot({ path: shot });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    process.stdout.write(`post-mortem first screen: ${shot}\n`);

    // a finding's link zooms its device's charts to its window: #7 lasts ~19 ms, then fills most of the plot
    const link = page.locator('#finding-7 a.win-link');
    await link.click();
    const zoomed = await page.$eval('.first .win[data-finding="7"]', (el) => {
      return el.getBoundingClientRect().width / el.parentElement!.getBoundingClientRect().width;
    });
    expect(zoomed).toBeGreaterThan(0.5);
    expect(await page.textContent('.first .tl-range')).not.toContain('0 s – 12 s');

    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    await page.close();
  });

  it('keeps hostile strings as text and runs no injected script', async () => {
    const file = path.join(dir, 'hostile.html');
    await writePostMortem(hostileResult(), { html: file });
    const { page, errors } = await open(browser, file);
    expect(await page.$$('img, iframe')).toHaveLength(0);
    expect(await page.$$eval('script', (els) => els.length)).toBe(3); // data, uPlot, chart script
    const text = (await page.textContent('body')) ?? '';
    expect(text).toContain(`stuck ${HOSTILE.dev}`);
    expect(text).toContain(HOSTILE.note);
    // the chart titles come from device names: text too
    const titles = await page.$$eval('.u-title', (els) => els.map((e) => e.textContent));
    expect(titles).toContain(`${HOSTILE.dev} txq 1`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
