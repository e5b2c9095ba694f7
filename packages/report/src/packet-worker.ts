/**
 * The derivation thread of a streamed `report` (packet-thread.ts): the per-skb lifecycles of the record batches
 * it is sent (PacketStream: the reorder window, the lifecycle machine, the spill file), off the main thread, which
 * parses and replays beside it. Each batch comes as Arrow IPC bytes of the columns the derivation reads; each is
 * acknowledged once derived (the sender's back-pressure); `finish` answers with the spill file's layout.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { PacketStream, type SpilledLifecycles } from './packet-stream.js';

/** What the thread is started with. */
export interface PacketThreadInit {
  spillFile: string;
  windowRows?: number;
  chunkRows?: number;
}

/** To the thread: a batch's columns, or the end of the stream. */
export type ToPacketThread = { type: 'batch'; bytes: Uint8Array } | { type: 'finish' };

/** From the thread: a batch derived, the stream's lifecycles (null: out of order beyond the window), or its error. */
export type FromPacketThread =
  | { type: 'ack' }
  | { type: 'done'; spilled: SpilledLifecycles | null }
  | { type: 'error'; message: string };

const port = parentPort;
if (port === null) throw new Error('packet-worker must run as a worker thread');
const init = workerData as PacketThreadInit;
const stream = new PacketStream(init.spillFile, { windowRows: init.windowRows, chunkRows: init.chunkRows });

port.on('message', (m: ToPacketThread) => {
  let answer: FromPacketThread;
  try {
    if (m.type === 'batch') {
      for (const b of tableFromIPC(m.bytes).batches as RecordBatch[]) stream.push(b);
      answer = { type: 'ack' };
    } else answer = { type: 'done', spilled: stream.finishSpill() };
  } catch (e) {
    answer = { type: 'error', message: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(answer);
});
