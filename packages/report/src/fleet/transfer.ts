/**
 * An encoded run (encode-run.ts EncodedRun) across a thread boundary without copying its bytes twice: a Native event
 * block that is the whole of its ArrayBuffer (encode-native.ts makes each block so) is transferred as it is; each side
 * table's TSV chunks, and any block that is a slice of a shared buffer (Node's pool, which cannot be transferred), are
 * packed into one buffer of their own, whose ArrayBuffer is transferred.
 */
import type { EncodedRun } from '../encode-run.js';
import type { SideTable } from '../run-rows.js';

/** EncodedRun as posted: the Native event blocks, and each side table's rows as one Uint8Array. */
export interface WireRun extends Omit<EncodedRun, 'eventsData' | 'rows'> {
  native: Uint8Array[];
  tsv: Partial<Record<SideTable, Uint8Array>>;
  runs: EncodedRun['rows']['runs'];
  wallOffsetNs: bigint;
}

function pack(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The whole of its ArrayBuffer: transferable without taking bytes that are not its own. */
const ownsBuffer = (u: Uint8Array): boolean => u.byteOffset === 0 && u.byteLength === u.buffer.byteLength;

export function toTransfer(run: EncodedRun): { wire: WireRun; transfer: ArrayBuffer[] } {
  if (!('native' in run.eventsData)) throw new Error('toTransfer: the events are not encoded');
  const native = run.eventsData.native.map((b) => (ownsBuffer(b) ? b : pack([b])));
  const tsv: WireRun['tsv'] = {};
  for (const [t, chunks] of Object.entries(run.rows.tsv) as [SideTable, Buffer[]][]) tsv[t] = pack(chunks);
  const { eventsData: _e, rows: _r, ...rest } = run;
  const wire: WireRun = { ...rest, native, tsv, runs: run.rows.runs, wallOffsetNs: run.rows.wallOffsetNs };
  return { wire, transfer: [...native, ...Object.values(tsv)].map((u) => u.buffer as ArrayBuffer) };
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export function fromTransfer(wire: WireRun): EncodedRun {
  const { native, tsv, runs, wallOffsetNs, ...rest } = wire;
  const side: EncodedRun['rows']['tsv'] = {};
  for (const [t, u] of Object.entries(tsv) as [SideTable, Uint8Array][]) side[t] = [asBuffer(u)];
  return { ...rest, eventsData: { native: native.map(asBuffer) }, rows: { tsv: side, runs, wallOffsetNs } };
}
