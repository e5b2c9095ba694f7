/**
 * Open lifecycles that have gone idle, on disk: a streamed `report` holds every skb whose free it has not seen, and
 * an skb freed without a tracepoint (GRO frees stolen heads so) stays open until its address comes back — on a real
 * trace soon, as the slab hands the address out again; on a trace whose addresses never come back (the generated
 * bench trace with new addresses per copy: ~89 K per GB) never, so the open set grew with the trace (~25 MiB per GB
 * in the lifecycle thread). Lifecycles not touched between two evictions are written here, one fixed-size record
 * each, keyed by address (an skb table of record numbers: ~40 bytes per address instead of the ~120 of an open
 * lifecycle with its hash slot, and no column doubling); a later event at the address reads the record back first,
 * so every lifecycle ends exactly as it would have in memory. The file is a scratch file beside the spill.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import type { OpenColumns } from './open-packets.js';
import { SkbTable } from './skb-table.js';

/** OpenColumns' fields in a record, in this order (each exact in a double) */
const FIELDS = [
  'skbHi',
  'skbLo',
  'dev',
  'dropReason',
  'location',
  'source',
  'firstLine',
  'queue',
  'xmitRc',
  'txBusy',
  'len',
  'queuedRel',
  'startXmitRel',
  'xmitRel',
  'freedRel',
  'fate',
] as const;
const RECORD_BYTES = FIELDS.length * 8;

export class EvictedLifecycles {
  private readonly at = new SkbTable();
  private fd: number | null = null;
  /** records whose lifecycle came back: reused before the file grows */
  private free: number[] = [];
  private records = 0;
  private readonly rec = new Float64Array(FIELDS.length);
  private readonly bytes = new Uint8Array(this.rec.buffer);

  constructor(private readonly file: string) {}

  get size(): number {
    return this.at.size;
  }

  /** Write slot `s` of `o` out under its address (the caller releases the slot). */
  put(o: OpenColumns, s: number): void {
    for (let f = 0; f < FIELDS.length; f++) this.rec[f] = o[FIELDS[f]!][s]!;
    const n = this.free.pop() ?? this.records++;
    this.fd ??= openSync(this.file, 'w+');
    writeSync(this.fd, this.bytes, 0, RECORD_BYTES, n * RECORD_BYTES);
    this.at.set(o.skbHi[s]!, o.skbLo[s]!, n);
  }

  /** The lifecycle evicted under this address into slot `s` of `o` (true), or false when there is none. */
  take(skbHi: number, skbLo: number, o: OpenColumns, s: number): boolean {
    const n = this.at.get(skbHi, skbLo);
    if (n < 0) return false;
    this.read(n, o, s);
    this.at.delete(skbHi, skbLo);
    this.free.push(n);
    return true;
  }

  /** Every lifecycle still here, into slot `s` of `o` one at a time (the trace ended), then the file goes. */
  drain(o: OpenColumns, s: number, each: () => void): void {
    for (const n of this.at.values()) {
      this.read(n, o, s);
      each();
    }
    this.at.clear();
    this.close();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.file, { force: true });
  }

  private read(n: number, o: OpenColumns, s: number): void {
    readSync(this.fd!, this.bytes, 0, RECORD_BYTES, n * RECORD_BYTES);
    for (let f = 0; f < FIELDS.length; f++) o[FIELDS[f]!][s] = this.rec[f]!;
  }
}
