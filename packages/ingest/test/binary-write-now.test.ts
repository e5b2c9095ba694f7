/**
 * A binary input written to an Arrow file hands the writer its row builder's own columns (src/io/binary.ts,
 * writeNow: no copy per batch). The file must be the one the copying path writes, byte for byte — the values in
 * null slots too, which are whatever the builder's rows held before (a reader never looks at them, but the bytes
 * are the output) — after a text input and with batches small enough that many are written, the last one partial;
 * the same for the pooled copies written while the next batch is built (what a streamed consumer gets).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ingestAll, ingestToArrow } from '../src/api.js';
import { openTrace } from '../src/io/open.js';
import { writeArrowOutput } from '../src/io/writer.js';
import { summaryMetadata } from '../src/summary.js';
import { EventColumns } from '../src/table/columns.js';
import { TRACES } from './fixtures.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const captured = path.join(repoRoot, 'fixtures/captured');
const either = (p: string): string => (existsSync(p) ? p : `${p}.gz`);
const dir = mkdtempSync(path.join(tmpdir(), 'txreplay-write-now-'));

/**
 * The file ingestToArrow writes, through a copying path (write() only, no writeNow): into pooled buffers given back
 * once written (all-null columns as shared zeros), or (`pooled` false) into fresh ones.
 */
async function copied(inputs: string[], out: string, batchRows: number, pooled: boolean): Promise<void> {
  await writeArrowOutput(
    out,
    {},
    async (write) => ingestAll(await openTrace(inputs, {}), new EventColumns(batchRows), write, { batchRows }, pooled),
    summaryMetadata,
  );
}

describe('binary inputs written without a copy', () => {
  const text = either(path.join(TRACES, 'multiqueue', 'perf-script.txt'));
  for (const binary of [
    either(path.join(TRACES, 'veth-peer-down', 'perf.data')),
    path.join(captured, 'requeue-bulk-tracecmd', 'trace.dat'),
  ]) {
    it(`${path.basename(path.dirname(binary))}/${path.basename(binary)}: the same bytes as the copying path`, async () => {
      const name = path.basename(path.dirname(binary));
      const now = path.join(dir, `${name}-now.arrow`);
      const pooled = path.join(dir, `${name}-pooled.arrow`);
      const fresh = path.join(dir, `${name}-fresh.arrow`);
      const batchRows = 1000;
      const summary = await ingestToArrow([text, binary], now, { batchRows, workers: 0 });
      await copied([text, binary], pooled, batchRows, true);
      await copied([text, binary], fresh, batchRows, false);
      expect(summary.events).toBeGreaterThan(3 * batchRows);
      expect(readFileSync(now).equals(readFileSync(fresh))).toBe(true);
      expect(readFileSync(pooled).equals(readFileSync(fresh))).toBe(true);
    });
  }
});
