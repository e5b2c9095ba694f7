/**
 * The streamed lifecycle derivation (packet-stream.ts: a reorder window, closed lifecycles spilled to a file) gives
 * the `packets` rows of the whole-table derivation (packets.ts derivePackets) on real captures in every text format,
 * with a window and spill chunks small enough that both are crossed many times; a stream more out of order than its
 * window gives up (the caller then derives from the written file).
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { RecordBatch } from 'apache-arrow';
import { loadEvents } from '@txreplay/ingest';
import { derivePackets } from '../src/packets.js';
import { PacketStream } from '../src/packet-stream.js';
import { packetRows, tsvChunks } from '../src/run-rows.js';
import { WallClockFormatter } from '../src/tsv.js';
import { SHARED, tempDir } from './helpers.js';

const K = ['0123456789abcdef0123456789abcdef', 'host', '6.8.0', ''];
const clock = new WallClockFormatter(true);
const offsetNs = 1_765_000_000_000_000_000n;
const wall = (ns: bigint): string => clock.format(ns + offsetNs);
/** the same wall clock for the streamed side */
const pw = { clock, offsetNs };
const lines = (chunks: Iterable<Buffer>): string[] =>
  [...chunks]
    .map((b) => b.toString())
    .join('')
    .split('\n')
    .filter((l) => l !== '')
    .sort();

/** Derive both ways; null when the stream gave up. `openCap`: open lifecycles before the idle ones are written out. */
async function both(capture: string, file: string, windowRows: number, openCap?: number) {
  const { table } = await loadEvents([path.join(SHARED, 'traces', capture, file)], { batchRows: 4096 });
  const whole = derivePackets(table);
  const spillFile = path.join(tempDir('txreplay-spill-'), 'packets.spill');
  const stream = new PacketStream(spillFile, { windowRows, chunkRows: 1000, openCap });
  for (const b of table.batches as RecordBatch[]) stream.push(b);
  // the idle lifecycles' file, there until the stream ends
  const evicted = existsSync(`${spillFile}.open`);
  return { whole, streamed: stream.finish(), stream, evicted, spillFile };
}

const CAPTURES = ['multiqueue', 'veth-stall-tbf', 'veth-peer-down', 'eth0-normal'].flatMap((c) =>
  ['perf-script.txt', 'ftrace.txt', 'bpftrace.txt'].map((f) => [c, f] as const),
);

describe.each(CAPTURES)('%s %s', (capture, file) => {
  it('streamed lifecycles (window 64, 1000-row spill chunks) = the whole-table ones', async () => {
    const { whole, streamed } = await both(capture, file, 64);
    expect(streamed).not.toBeNull();
    expect(streamed!.count).toBe(whole.length);
    const expected = lines(tsvChunks(packetRows(K, whole, wall)));
    expect(lines(streamed!.tsv(K, pw))).toEqual(expected);
    // read back again (a retried write): the same rows
    expect(lines(streamed!.tsv(K, pw))).toEqual(expected);
    // time in whole seconds (DateTime: servers before 20.1)
    const seconds = (ns: bigint): string => new WallClockFormatter(false).format(ns + offsetNs);
    const secondsRows = lines(tsvChunks(packetRows(K, whole, seconds)));
    expect(lines(streamed!.tsv(K, { clock: new WallClockFormatter(false), offsetNs }))).toEqual(secondsRows);
  });
});

// eth0-normal aside: its skbs are freed as they go (never more than two open and idle at once)
const IDLE = CAPTURES.filter(([c]) => c !== 'eth0-normal');

describe.each(IDLE)('%s %s, idle open lifecycles written out from 2 open', (capture, file) => {
  it('streamed lifecycles = the whole-table ones (each idle one read back when its address comes back)', async () => {
    const { whole, streamed, evicted, spillFile } = await both(capture, file, 64, 2);
    expect(evicted).toBe(true);
    expect(streamed!.count).toBe(whole.length);
    expect(lines(streamed!.tsv(K, pw))).toEqual(lines(tsvChunks(packetRows(K, whole, wall))));
    expect(existsSync(`${spillFile}.open`)).toBe(false);
  });
});

it('bpftrace out of order by more than 64 candidates: a window of 64 gives up, the default one streams', async () => {
  // bpftrace prints each CPU's buffer in turn: this capture's candidates are out of order across a few hundred rows
  const small = await both('veth-stall-napi-starved', 'bpftrace.txt', 64);
  expect(small.streamed).toBeNull();
  expect(small.stream.abandoned).toBe(true);
  const { whole, streamed } = await both('veth-stall-napi-starved', 'bpftrace.txt', 65536);
  expect(streamed!.count).toBe(whole.length);
  expect(lines(streamed!.tsv(K, pw))).toEqual(lines(tsvChunks(packetRows(K, whole, wall))));
});

it('a stream out of time order beyond its window gives up', async () => {
  const { table } = await loadEvents([path.join(SHARED, 'traces', 'multiqueue', 'perf-script.txt')], {
    batchRows: 4096,
  });
  const stream = new PacketStream(path.join(tempDir('txreplay-spill-'), 'packets.spill'), { windowRows: 64 });
  for (const b of [...(table.batches as RecordBatch[])].reverse()) stream.push(b);
  expect(stream.finish()).toBeNull();
  expect(stream.abandoned).toBe(true);
});
