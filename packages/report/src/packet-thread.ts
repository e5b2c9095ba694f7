/**
 * The lifecycles of a streamed `report` derived on a thread of their own (packet-worker.ts) while the main thread
 * parses: on the main thread the derivation (reorder window, skb table, spill) took more of its time than the
 * parse's own work, and the parse workers waited for it (a 1 GB perf script: ~4.8 s of ~7 s, load 6). Each batch
 * goes over as Arrow IPC bytes of the 11 columns the derivation reads (a copy: ingest reuses the batch's buffers
 * once its consumer returns), at most MAX_IN_FLIGHT ahead of the thread; the spill file it writes is read back here.
 * Run from TypeScript sources (tests) there is no compiled worker: the same derivation on the calling thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import { PacketSpill } from './packet-spill.js';
import { PacketStream, spilledPackets, type SpilledLifecycles, type StreamedPackets } from './packet-stream.js';
import type { FromPacketThread, PacketThreadInit, ToPacketThread } from './packet-worker.js';

/** the columns packets.ts CandidateReader reads */
const COLUMNS = ['event', 'ts_ns', 'line', 'skbaddr', 'dev', 'queue', 'len', 'rc', 'reason', 'location', 'source'];
/** batches sent and not yet derived before the parse waits (each ~3.5 MB of columns at 65,536 rows) */
const MAX_IN_FLIGHT = 4;

export interface PacketDerivation {
  /** one more batch in stream order (copied; a promise when the parse must wait for the thread) */
  push(batch: RecordBatch): void | Promise<void>;
  /** the stream ended: its spill file's layout, or null when they came out of order beyond the window */
  finish(): Promise<SpilledLifecycles | null>;
  /** end the thread early (a failed parse) */
  stop(): void;
}

export type PacketTuning = Omit<PacketThreadInit, 'spillFile'>;

/** The lifecycles of the batches pushed, spilled to `spillFile`: on a thread when the compiled worker is there. */
export function startPacketDerivation(spillFile: string, tuning: PacketTuning = {}): PacketDerivation {
  const script = new URL('./packet-worker.js', import.meta.url);
  if (script.protocol === 'file:' && existsSync(fileURLToPath(script)))
    return new PacketThread(script, { spillFile, ...tuning });
  const stream = new PacketStream(spillFile, tuning);
  return { push: (b) => stream.push(b), finish: async () => stream.finishSpill(), stop: () => undefined };
}

/** The lifecycles of a complete spill file (`spilled`: its layout, from PacketDerivation.finish), read back here. */
export function packetsOfSpill(spillFile: string, spilled: SpilledLifecycles): StreamedPackets {
  const spill = new PacketSpill(spillFile, undefined, spilled.index);
  return spilledPackets(spill, spilled.baseNs, spilled.strings);
}

class PacketThread implements PacketDerivation {
  private readonly worker: Worker;
  private inFlight = 0;
  /** the columns' places in the stream's schema (the same for every batch) */
  private columns: number[] | null = null;
  private failed: Error | null = null;
  /** the push waiting for an ack, and the finish waiting for the answer */
  private wake: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private done: { resolve: (s: SpilledLifecycles | null) => void; reject: (e: Error) => void } | null = null;

  constructor(script: URL, init: PacketThreadInit) {
    this.worker = new Worker(script, { workerData: init });
    this.worker.on('message', (m: FromPacketThread) => this.answer(m));
    this.worker.on('error', (e: Error) => this.fail(e));
    this.worker.on('exit', () => this.fail(new Error('the lifecycle thread exited')));
  }

  private answer(m: FromPacketThread): void {
    if (m.type === 'error') this.fail(new Error(`deriving the lifecycles: ${m.message}`));
    else if (m.type === 'ack') {
      this.inFlight--;
      const w = this.wake;
      this.wake = null;
      w?.resolve();
    } else {
      const d = this.done;
      this.done = null;
      d?.resolve(m.spilled);
    }
  }

  private fail(e: Error): void {
    this.failed ??= e;
    this.wake?.reject(this.failed);
    this.done?.reject(this.failed);
    this.wake = this.done = null;
  }

  push(batch: RecordBatch): void | Promise<void> {
    if (this.failed) throw this.failed;
    // selectAt: select by name (apache-arrow 21) gives a batch its IPC writer cannot read
    this.columns ??= COLUMNS.map((name) => batch.schema.fields.findIndex((f) => f.name === name));
    const bytes = tableToIPC(new Table(batch.selectAt(this.columns) as RecordBatch), 'stream');
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    this.post({ type: 'batch', bytes }, whole ? [bytes.buffer as ArrayBuffer] : []);
    if (++this.inFlight < MAX_IN_FLIGHT) return;
    return new Promise((resolve, reject) => {
      this.wake = { resolve, reject };
    });
  }

  private post(m: ToPacketThread, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  async finish(): Promise<SpilledLifecycles | null> {
    if (this.failed) throw this.failed;
    const spilled = await new Promise<SpilledLifecycles | null>((resolve, reject) => {
      this.done = { resolve, reject };
      this.post({ type: 'finish' });
    });
    this.stop();
    return spilled;
  }

  stop(): void {
    this.worker.removeAllListeners('exit');
    void this.worker.terminate();
  }
}
