/**
 * A text trace replayed from plain column buffers (src/text-replay.ts: what diagnoseFiles does for inputs small
 * enough to hold, loading no apache-arrow) gives the result of the Arrow table path (diagnoseFilesWithEvents, which
 * replays loadEvents' table) on every shared text capture: in one batch or many, and with rows out of time order
 * (two files, the later one first: the whole-table fallback on the same buffers).
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnoseFiles, diagnoseFilesWithEvents, toJson, type DiagnoseOptions } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
const TEXT_TRACE = /^(perf-script\.txt|ftrace\.txt|bpftrace\.txt|bpftrace\.json)(\.gz)?$/;
const inputs = readdirSync(traces, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(path.join(traces, d.name))
      .filter((f) => TEXT_TRACE.test(f))
      .map((f) => path.join(d.name, f)),
  );

/** Both paths on the same files: the plain-buffer one (diagnoseFiles, never streamed) and the table one. */
async function bothPaths(files: string[], opts: DiagnoseOptions): Promise<{ plain: string; table: string }> {
  const held = { ...opts, streamMinBytes: Number.POSITIVE_INFINITY };
  const plain = toJson(await diagnoseFiles(files, held), { series: true });
  const table = toJson((await diagnoseFilesWithEvents(files, held)).result, { series: true });
  return { plain, table };
}

describe('replay from plain buffers', () => {
  it('finds the shared text captures', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(20);
  });

  it.each(inputs)('%s: the same JSON as the Arrow table path', async (rel) => {
    const file = path.join(traces, rel);
    const one = await bothPaths([file], {});
    expect(one.plain).toBe(one.table);
    const many = await bothPaths([file], { load: { batchRows: 1024 } });
    expect(many.plain).toBe(many.table);
    expect(many.plain).toBe(one.plain);
  });

  it('rows out of time order (the later capture first) take the sorted path alike', async () => {
    const files = [
      path.join(traces, 'veth-peer-down/perf-script.txt'),
      path.join(traces, 'eth0-normal/perf-script.txt'),
    ];
    const { plain, table } = await bothPaths(files, {});
    expect(plain).toBe(table);
    expect(JSON.parse(plain).trace.sources).toEqual(files);
  });
});
