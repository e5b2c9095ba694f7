/**
 * The lifecycles still open, as columns by slot (a closed lifecycle's slot is reused): about 80 bytes each, where an
 * object with its four boxed doubles took ~220. A streamed `report` holds every skb whose free it has not seen — the
 * generated 3 GB bench trace leaves 264 K of them open to its end (each copy's addresses are its own), +90 MiB as
 * objects.
 */
import type { OpenPacket } from './packets.js';
import { FATES } from './packet-tsv.js';

/** Growable typed column. */
function grown<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (len: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

export class OpenColumns {
  private n = 0;
  private readonly free: number[] = [];
  skbHi = new Uint32Array(1024);
  skbLo = new Uint32Array(1024);
  dev = new Uint32Array(1024);
  dropReason = new Uint32Array(1024);
  location = new Uint32Array(1024);
  source = new Uint32Array(1024);
  firstLine = new Uint32Array(1024);
  queue = new Int32Array(1024);
  xmitRc = new Int32Array(1024);
  txBusy = new Int32Array(1024);
  len = new Float64Array(1024);
  /** relative to the reader's base; NaN: not seen */
  queuedRel = new Float64Array(1024);
  startXmitRel = new Float64Array(1024);
  xmitRel = new Float64Array(1024);
  freedRel = new Float64Array(1024);
  /** index into FATES */
  fate = new Uint8Array(1024);
  /** 1: an event touched the lifecycle since the last eviction of idle ones (packets.ts LifecycleMachine) */
  touched = new Uint8Array(1024);

  alloc(): number {
    if (this.free.length > 0) return this.free.pop()!;
    if (this.n >= this.fate.length) this.grow();
    return this.n++;
  }

  release(s: number): void {
    this.free.push(s);
  }

  /** Slot `s` as an OpenPacket, in `into` (reused by the caller: valid until the next call). */
  view(s: number, into: OpenPacket): OpenPacket {
    into.skbHi = this.skbHi[s]!;
    into.skbLo = this.skbLo[s]!;
    into.dev = this.dev[s]!;
    into.queue = this.queue[s]!;
    into.len = this.len[s]!;
    into.queuedRel = this.queuedRel[s]!;
    into.startXmitRel = this.startXmitRel[s]!;
    into.xmitRel = this.xmitRel[s]!;
    into.freedRel = this.freedRel[s]!;
    into.xmitRc = this.xmitRc[s]!;
    into.txBusy = this.txBusy[s]!;
    into.fate = FATES[this.fate[s]!]!;
    into.dropReason = this.dropReason[s]!;
    into.location = this.location[s]!;
    into.source = this.source[s]!;
    into.firstLine = this.firstLine[s]!;
    return into;
  }

  private grow(): void {
    for (const k of ['skbHi', 'skbLo', 'dev', 'dropReason', 'location', 'source', 'firstLine'] as const)
      this[k] = grown(this[k]);
    for (const k of ['queue', 'xmitRc', 'txBusy'] as const) this[k] = grown(this[k]);
    for (const k of ['len', 'queuedRel', 'startXmitRel', 'xmitRel', 'freedRel'] as const) this[k] = grown(this[k]);
    this.fate = grown(this.fate);
    this.touched = grown(this.touched);
  }
}

/** FATES indices */
export const FATE_CONSUMED = 0;
export const FATE_DROPPED = 1;
export const FATE_IN_FLIGHT = 2;
export const FATE_UNKNOWN = 3;
