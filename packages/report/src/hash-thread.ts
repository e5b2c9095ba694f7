/**
 * The sources' content hashes (the run id's input, write.ts hashSources) computed on another thread. A streamed
 * `report` starts it when the parse ends, so the sha256 of the text — ~2.5 s of CPU per GB, which the writer paid
 * serially before its first insert — runs on the core the replay leaves idle.
 */
import { Worker } from 'node:worker_threads';
import type { SourceHash } from './encode-run.js';

/**
 * The worker's code: each file through sha256 (the same bytes and digest as hashSources), read into one reused
 * buffer — a stream's fresh 1 MiB chunk per read left tens of MiB of garbage in the thread on a 3 GB trace.
 */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
try {
  const buf = Buffer.allocUnsafe(1 << 20);
  const out = [];
  for (const p of workerData) {
    const fd = openSync(p, 'r');
    try {
      const h = createHash('sha256');
      let bytes = 0;
      for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; bytes += n) h.update(buf.subarray(0, n));
      out.push({ path: p, sha256: h.digest('hex'), bytes });
    } finally {
      closeSync(fd);
    }
  }
  parentPort.postMessage(out);
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message ? e.message : e) });
}
`;

/** sha256 of each file of `paths` (regular files), on a worker thread. */
export function hashFilesOnThread(paths: readonly string[]): Promise<SourceHash[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(HASH_WORKER, { eval: true, workerData: [...paths] });
    w.once('message', (m: SourceHash[] | { error: string }) => {
      // answered once the thread is gone (its memory with it)
      void w.terminate().finally(() => {
        if ('error' in m) reject(new Error(`hashing the trace: ${m.error}`));
        else resolve(m);
      });
    });
    w.once('error', reject);
  });
}
