/**
 * Streamed diagnose (text traces replayed in step with ingest, never held whole) gives the result of the
 * in-memory path on every shared capture and text format, and its memory stays bounded on a large generated
 * trace. Memory is measured on a child process (its peak RSS), from the built packages (run `pnpm build` first);
 * no times are asserted.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openArrowFile, diagnoseFiles, toJson } from '@txreplay/replay';
import { streamEvents } from '@txreplay/ingest';
import { SpillFile } from '../src/input/spill.js';
import { StreamPass, type StreamWindow } from '../src/stream-pass.js';
import { replayObserved } from '../src/replay.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
const TRACE_FILE = /^(perf-script\.txt|ftrace\.txt|bpftrace\.txt|bpftrace\.json|perf\.data)(\.gz)?$/;
const inputs = readdirSync(traces, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(path.join(traces, d.name))
      .filter((f) => TRACE_FILE.test(f))
      .map((f) => path.join(d.name, f)),
  );

describe('streamed diagnose', () => {
  it('finds the shared captures', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(25);
  });

  it.each(inputs)('%s: the same JSON as the in-memory path', async (rel) => {
    const file = path.join(traces, rel);
    const whole = toJson(await diagnoseFiles([file], { streamMinBytes: Number.POSITIVE_INFINITY }), { series: true });
    const streamed = toJson(await diagnoseFiles([file], { streamMinBytes: 0 }), { series: true });
    expect(streamed).toBe(whole);
    // small batches: the pass runs on a window of them (or gives up and replays the written file)
    const small = await diagnoseFiles([file], { streamMinBytes: 0, load: { batchRows: 2048 } });
    expect(toJson(small, { series: true })).toBe(whole);
  });

  /** Stream `rel` through a pass with `window`, its per-event lists spilled 8 values at a time: the JSON, batches. */
  async function steppedJson(rel: string, window: StreamWindow, batchRows: number): Promise<[string, number]> {
    const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-streamed-'));
    try {
      // the per-event lists keep 8 values in memory, the rest in the spill file (input/spill.ts)
      const spill = new SpillFile(path.join(dir, 'lists.spill'), 8);
      const pass = new StreamPass({ ...window, spill });
      const out = path.join(dir, 'events.arrow');
      await streamEvents([path.join(traces, rel)], out, (b) => pass.push(b), { batchRows });
      const obs = pass.finish(openArrowFile(out)!);
      expect(obs).not.toBeNull();
      const stepped = toJson(replayObserved(obs!, pass.src.metadata), { series: true });
      expect(spill.bytes).toBeGreaterThan(0);
      spill.close();
      pass.src.close();
      return [stepped, pass.src.numBatches];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.each(['veth-peer-down/perf-script.txt', 'veth-stall-napi-starved/perf-script.txt', 'veth-peer-down/ftrace.txt'])(
    '%s: the pass runs in step with the parse, on a window of small batches, to the same result',
    async (rel) => {
      // batches are observed 8192 rows behind the parse and dropped once they lie 4096 rows behind the pass: the
      // findings read those rows back from the written file
      const [stepped, batches] = await steppedJson(rel, { aheadRows: 8192, backRows: 4096 }, 512);
      expect(batches).toBeGreaterThan(8);
      const whole = await diagnoseFiles([path.join(traces, rel)], { streamMinBytes: Number.POSITIVE_INFINITY });
      expect(stepped).toBe(toJson(whole, { series: true }));
    },
  );

  it.each(['multiqueue/perf-script.txt', 'eth0-normal/perf-script.txt', 'veth-stall-tbf/ftrace.txt'])(
    '%s: lists spilled to a file give the same result',
    async (rel) => {
      const [stepped] = await steppedJson(rel, {}, 512);
      const whole = await diagnoseFiles([path.join(traces, rel)], { streamMinBytes: Number.POSITIVE_INFINITY });
      expect(stepped).toBe(toJson(whole, { series: true }));
    },
  );

  it('peak RSS stays under 512 MB on a generated ~300 MB perf-script trace', () => {
    const dist = path.join(repoRoot, 'packages/replay/dist/index.js');
    if (!existsSync(dist)) throw new Error(`${dist} missing: run pnpm build first`);
    const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-streamed-rss-'));
    try {
      const big = path.join(dir, 'big.perf-script.txt');
      const gen = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/gen-perf-trace.mjs'), big, '300'], {
        encoding: 'utf8',
      });
      expect(gen.status, gen.stderr).toBe(0);
      const code = `const { diagnoseFiles } = await import(${JSON.stringify(dist)});
const r = await diagnoseFiles([process.argv[1]]);
console.log(JSON.stringify({ events: r.trace.events, maxRssKb: process.resourceUsage().maxRSS }));`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', code, big], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const { events, maxRssKb } = JSON.parse(run.stdout.trim()) as { events: number; maxRssKb: number };
      expect(events).toBeGreaterThan(1_500_000);
      console.log(`streamed diagnose of ${events} events: peak RSS ${(maxRssKb / 1024).toFixed(0)} MB`);
      expect(maxRssKb / 1024).toBeLessThan(512);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
