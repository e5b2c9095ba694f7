/**
 * The record batch headers the replay reader decodes itself (ipc-header.ts) are apache-arrow's, field for field, on
 * an ingested capture (every batch of it); the other messages of the file (schema, dictionaries) are told apart; an
 * offset outside the message throws.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { Message, type RecordBatch } from 'apache-arrow/ipc/metadata/message';
import { ingestToArrow } from '@txreplay/ingest';
import { decodeRecordBatchHeader } from '../src/input/ipc-header.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');

/** the flatbuffer of the message at `offset` (after the continuation marker and length) */
function messageAt(bytes: Buffer, offset: number, metaLength: number): Uint8Array {
  const meta = new Uint8Array(bytes.buffer, bytes.byteOffset + offset, metaLength);
  return meta.subarray(bytes.readUInt32LE(offset) === 0xffffffff ? 8 : 4);
}

describe('record batch headers (ipc-header.ts)', () => {
  it('equal apache-arrow Message.decode for every batch of an ingested capture', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-ipch-'));
    const file = path.join(dir, 'mq.arrow');
    await ingestToArrow([path.join(traces, 'multiqueue', 'perf-script.txt')], file, { batchRows: 4096 });
    const bytes = readFileSync(file);
    const footerLen = bytes.readInt32LE(bytes.length - 10);
    const footer = Footer.decode(bytes.subarray(bytes.length - 10 - footerLen, bytes.length - 10));
    let batches = 0;
    for (const block of footer.recordBatches()) {
      const fb = messageAt(bytes, block.offset, block.metaDataLength);
      const mine = decodeRecordBatchHeader(fb);
      const theirs = Message.decode(fb).header() as RecordBatch;
      if (mine === null || mine === 'other') throw new Error(`batch at ${block.offset}: ${String(mine)}`);
      expect(mine.length).toBe(theirs.length);
      expect([...mine.nodes]).toEqual(theirs.nodes.flatMap((n) => [n.length, n.nullCount]));
      expect([...mine.buffers]).toEqual(theirs.buffers.flatMap((b) => [b.offset, b.length]));
      expect(mine.compressed).toBe(false);
      batches++;
    }
    expect(batches).toBeGreaterThan(5);
    for (const block of footer.dictionaryBatches())
      expect(decodeRecordBatchHeader(messageAt(bytes, block.offset, block.metaDataLength))).toBe('other');

    // a message cut short: its offsets point outside it
    const first = [...footer.recordBatches()][0]!;
    const whole = messageAt(bytes, first.offset, first.metaDataLength);
    expect(() => decodeRecordBatchHeader(whole.subarray(0, 24))).toThrow(/outside the message/);
  });
});
