/**
 * Large .arrow files are read ahead on a worker thread (arrow-file.ts readAhead): the answers must not
 * change. The threshold is lowered so that the fixture takes that path, with small and large batches.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestToArrow, loadEvents } from '@txreplay/ingest';
import { readAheadTuning, replayArrowFile, replayTable, toJson } from '@txreplay/replay';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { giveSlotMemory, startReadAheadThread, stopReadAheadThread, takeSlotMemory } from '../src/input/read-ahead.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const traces = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces');
const defaultMinRows = readAheadTuning.minRows;
const defaultThread = readAheadTuning.thread;
const defaultSlots = readAheadTuning.slots;
const defaultMaxUnitRows = readAheadTuning.maxUnitRows;

describe('read-ahead of .arrow record batches', () => {
  afterEach(() => {
    readAheadTuning.minRows = defaultMinRows;
    readAheadTuning.thread = defaultThread;
    readAheadTuning.slots = defaultSlots;
    readAheadTuning.maxUnitRows = defaultMaxUnitRows;
  });
  it('gives the same answers as reading each range in place', async () => {
    const input = path.join(traces, 'multiqueue', 'perf-script.txt');
    const { table } = await loadEvents([input]);
    const noSources = (j: string): string => j.replace(/"sources":\[[^\]]*\]/, '');
    const reference = noSources(toJson(replayTable(table, { maxSeriesPoints: 500 })));
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-readahead-'));
    for (const batchRows of [777, 20000]) {
      const arrow = path.join(dir, `x${batchRows}.arrow`);
      await ingestToArrow([input], arrow, { batchRows });
      readAheadTuning.minRows = 0;
      expect(noSources(toJson(await replayArrowFile(arrow, { maxSeriesPoints: 500 })))).toBe(reference);
      // twice in a row: each replay has its own reader thread
      expect(noSources(toJson(await replayArrowFile(arrow, { maxSeriesPoints: 500 })))).toBe(reference);
      // the fewest ranges in flight (the thread one range ahead): slots are reused every other range
      readAheadTuning.slots = 2;
      expect(noSources(toJson(await replayArrowFile(arrow, { maxSeriesPoints: 500 })))).toBe(reference);
      readAheadTuning.slots = defaultSlots;
      // batches longer than a unit are read in runs of 8192 rows (a bitmap and its values each, or merged)
      readAheadTuning.maxUnitRows = 8192;
      expect(noSources(toJson(await replayArrowFile(arrow, { maxSeriesPoints: 500 })))).toBe(reference);
      readAheadTuning.maxUnitRows = defaultMaxUnitRows;
    }
  });
  it("hands a walk's slot memory to the next walk only once its reader thread has exited", async () => {
    const input = path.join(traces, 'multiqueue', 'perf-script.txt');
    const fd = openSync(input, 'r');
    try {
      const worker = startReadAheadThread(fd)!;
      const exited = new Promise((r) => worker.once('exit', r));
      const mem = takeSlotMemory(4096);
      giveSlotMemory(mem, worker);
      stopReadAheadThread(worker, null);
      // the thread may still be writing: the next walk gets fresh memory
      expect(takeSlotMemory(4096)).not.toBe(mem);
      await exited;
      expect(takeSlotMemory(8192)).not.toBe(mem); // another layout: fresh as well
      expect(takeSlotMemory(4096)).toBe(mem);
      expect(takeSlotMemory(4096)).not.toBe(mem); // taken: the next one is fresh
    } finally {
      closeSync(fd);
    }
    // replays that follow each other on reused slots (their threads exited in between) give the same answers
    const { table } = await loadEvents([input]);
    const noSources = (j: string): string => j.replace(/"sources":\[[^\]]*\]/, '');
    const reference = noSources(toJson(replayTable(table, { maxSeriesPoints: 500 })));
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-readahead-'));
    const arrow = path.join(dir, 'x777.arrow');
    await ingestToArrow([input], arrow, { batchRows: 777 });
    readAheadTuning.minRows = 0;
    for (let k = 0; k < 3; k++) {
      expect(noSources(toJson(await replayArrowFile(arrow, { maxSeriesPoints: 500 })))).toBe(reference);
      await sleep(200);
    }
  });
  it('converts times and pointers in the slots exactly as the pass would (every range read on this thread)', async () => {
    // the reader thread and the calling thread run the same conversion; without the thread every range
    // takes the calling thread's path (with a thread, which ranges it takes depends on timing)
    const input = path.join(traces, 'multiqueue', 'perf-script.txt');
    const { table } = await loadEvents([input]);
    const noSources = (j: string): string => j.replace(/"sources":\[[^\]]*\]/, '');
    const reference = noSources(toJson(replayTable(table)));
    const dir = mkdtempSync(path.join(tmpdir(), 'txr-readahead-'));
    const arrow = path.join(dir, 'x777.arrow');
    await ingestToArrow([input], arrow, { batchRows: 777 });
    readAheadTuning.minRows = 0;
    readAheadTuning.thread = false;
    expect(noSources(toJson(await replayArrowFile(arrow)))).toBe(reference);
    // units of 8192 rows of 20000-row batches: conversion over a run that starts inside its batch's bitmap
    const long = path.join(dir, 'x20000.arrow');
    await ingestToArrow([input], long, { batchRows: 20000 });
    readAheadTuning.maxUnitRows = 8192;
    expect(noSources(toJson(await replayArrowFile(long)))).toBe(reference);
  });
});
