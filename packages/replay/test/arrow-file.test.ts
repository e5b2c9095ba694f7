/**
 * Damaged .arrow inputs end promptly with a clear error naming the file (or, when only values are
 * damaged, with an answer) — never handed to apache-arrow's reader, which can loop forever on them.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestToArrow, NotATraceError } from '@txreplay/ingest';
import { CorruptArrowFileError, replayArrowFile } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

describe('damaged .arrow files', () => {
  it('truncated, damaged footer, damaged values: clear errors or an answer, each within the test timeout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-arrowbad-'));
    const good = path.join(dir, 'mq.arrow');
    await ingestToArrow([path.join(traces, 'multiqueue', 'perf-script.txt')], good, { batchRows: 4096 });
    const bytes = readFileSync(good);

    const truncated = path.join(dir, 'truncated.arrow');
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    const e1 = await replayArrowFile(truncated).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(CorruptArrowFileError);
    expect((e1 as Error).message).toContain(truncated);
    expect((e1 as Error).message).toContain('truncated');

    // every 97th byte of the footer flipped (the footer is the flatbuffer before the last 10 bytes)
    const footerLen = bytes.readInt32LE(bytes.length - 10);
    const badFooter = Buffer.from(bytes);
    for (let i = bytes.length - 10 - footerLen; i < bytes.length - 10; i += 97) badFooter[i]! ^= 0xff;
    const f2 = path.join(dir, 'bad-footer.arrow');
    writeFileSync(f2, badFooter);
    const e2 = await replayArrowFile(f2).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(NotATraceError);
    expect((e2 as Error).message).toContain(f2);

    // values damaged inside the record batch bodies (metadata intact): the pass still ends
    const badValues = Buffer.from(bytes);
    for (let i = 4096; i < bytes.length - 10 - footerLen - 4096; i += 1009) badValues[i]! ^= 0x5a;
    const f3 = path.join(dir, 'bad-values.arrow');
    writeFileSync(f3, badValues);
    const r3 = await replayArrowFile(f3).catch((e: unknown) => e);
    expect(r3 instanceof NotATraceError || (typeof r3 === 'object' && r3 !== null && 'findings' in r3)).toBe(true);
  });
});
