/**
 * The sources' content hashes (the run id's input, write.ts hashSources) computed on another thread. A streamed
 * `report` starts it when the parse ends, so the sha256 of the text — ~2.5 s of CPU per GB, which the writer paid
 * serially before its first insert — runs on the core the replay leaves idle.
 */
import { Worker } from 'node:worker_threads';
import type { SourceHash } from './encode-run.js';

/** The worker's code: stream each file through sha256 (the same bytes and digest as hashSources). */
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { createReadStream } = require('node:fs');
(async () => {
  const out = [];
  for (const p of workerData) {
    const h = createHash('sha256');
    let bytes = 0;
    for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) {
      h.update(chunk);
      bytes += chunk.length;
    }
    out.push({ path: p, sha256: h.digest('hex'), bytes });
  }
  parentPort.postMessage(out);
})().catch((e) => parentPort.postMessage({ error: String(e && e.message ? e.message : e) }));
`;

/** sha256 of each file of `paths` (regular files), on a worker thread. */
export function hashFilesOnThread(paths: readonly string[]): Promise<SourceHash[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(HASH_WORKER, { eval: true, workerData: [...paths] });
    w.once('message', (m: SourceHash[] | { error: string }) => {
      void w.terminate();
      if ('error' in m) reject(new Error(`hashing the trace: ${m.error}`));
      else resolve(m);
    });
    w.once('error', reject);
  });
}
