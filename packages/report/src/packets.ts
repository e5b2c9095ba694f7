/**
 * Per-skb lifecycle rows for the `packets` table, derived from the events in (ts_ns, line) order:
 * net_dev_queue (enters the stack's TX path, __dev_queue_xmit) → net_dev_start_xmit (handed to the
 * driver, queue_mapping known) → net_dev_xmit (driver's return code; 16 = NETDEV_TX_BUSY, requeued) →
 * consume_skb / kfree_skb (freed: completed or dropped). An address seen again at net_dev_queue before it
 * was freed starts a new lifecycle (the old one is closed as 'unknown': the free was not traced).
 *
 * Reads the Arrow column buffers of each batch directly (typed arrays, dictionary indices): Vector.get per
 * row costs a chunk search and a UTF-8 decode each time, which dominated a 1M-event write. Batch by batch
 * (CandidateReader) into an incremental state machine (LifecycleMachine): the whole-table path sorts every candidate
 * first (PacketDeriver), a streamed `report` feeds it through a reorder window (packet-stream.ts).
 */
import { Type, type Data, type RecordBatch, type Table } from 'apache-arrow';
import { dictReader, IntColumn, InternedColumn, validAt, validity } from './batch-columns.js';
import { SkbTable } from './skb-table.js';
import { FATE_CONSUMED, FATE_DROPPED, FATE_IN_FLIGHT, FATE_UNKNOWN, OpenColumns } from './open-packets.js';
import { EvictedLifecycles } from './open-evict.js';

export interface PacketLifecycle {
  skbaddr: bigint;
  dev: string;
  queue: number;
  len: number;
  queuedNs: bigint;
  startXmitNs: bigint;
  xmitNs: bigint;
  freedNs: bigint;
  xmitRc: number;
  txBusy: number;
  /** consumed | dropped | in_flight (trace ended first) | unknown (address reused without a traced free) */
  fate: 'consumed' | 'dropped' | 'in_flight' | 'unknown';
  dropReason: string;
  location: string;
  source: string;
  firstLine: number;
}

const NOT_SEEN = -1n;

const EV_QUEUE = 1;
const EV_ENQUEUE = 2;
const EV_START = 3;
const EV_XMIT = 4;
const EV_CONSUME = 5;
const EV_KFREE = 6;
const EVENT_CODES: Record<string, number> = {
  'net:net_dev_queue': EV_QUEUE,
  'qdisc:qdisc_enqueue': EV_ENQUEUE,
  'net:net_dev_start_xmit': EV_START,
  'net:net_dev_xmit': EV_XMIT,
  'skb:consume_skb': EV_CONSUME,
  'skb:kfree_skb': EV_KFREE,
};

/** Growable typed column for the candidate rows. */
function grow<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T, n: number): T {
  if (n < a.length) return a;
  const b = new (a.constructor as new (len: number) => T)(Math.max(1024, a.length * 2));
  b.set(a);
  return b;
}

function u64(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Column `name` of one batch (the lifecycle columns are in every event table). */
function column(batch: RecordBatch, name: string): Data {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`packets: the event table has no column ${name}`);
  return batch.data.children[i]!;
}

/** The TX-path events that carry an skb, as parallel typed arrays (no object per event), strings interned. */
export class Candidates {
  n = 0;
  ev = new Uint8Array(1024);
  /** ts_ns − base: exact for traces shorter than 104 days */
  ts = new Float64Array(1024);
  line = new Uint32Array(1024);
  skbHi = new Uint32Array(1024);
  skbLo = new Uint32Array(1024);
  dev = new Uint32Array(1024);
  queue = new Int32Array(1024);
  len = new Float64Array(1024);
  rc = new Int32Array(1024);
  reason = new Uint32Array(1024);
  location = new Uint32Array(1024);
  source = new Uint32Array(1024);
  readonly strings: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);
  /** slots given back (release): a streamed reader reuses them, so its arrays stay the size of its window */
  private readonly free: number[] = [];

  intern(s: string | null): number {
    if (!s) return 0;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  reserve(): number {
    if (this.free.length > 0) return this.free.pop()!;
    const n = this.n;
    if (n >= this.ev.length) {
      for (const k of ['ev', 'ts', 'line', 'skbHi', 'skbLo', 'dev', 'queue', 'len', 'rc'] as const)
        (this as Record<typeof k, Float64Array | Int32Array | Uint32Array | Uint8Array>)[k] = grow(this[k], n);
      this.reason = grow(this.reason, n);
      this.location = grow(this.location, n);
      this.source = grow(this.source, n);
    }
    return this.n++;
  }

  release(x: number): void {
    this.free.push(x);
  }
}

/**
 * Reads the candidate rows of record batches into `c` (ts relative to the first candidate's, `baseNs`). It copies
 * what it needs, so a streamed batch may be reused once `read` returns.
 */
export class CandidateReader {
  readonly c = new Candidates();
  baseNs: bigint | null = null;
  private baseHi = 0;
  private baseLo = 0;

  /** Append the batch's candidates; `onRow` is told each one's slot, in row order. */
  read(batch: RecordBatch, onRow?: (x: number) => void): void {
    const c = this.c;
    const ev = column(batch, 'event');
    const evName = dictReader(ev);
    const evIdx = ev.values as Int32Array;
    const evOff = ev.offset;
    /** per dictionary index: its event code + 1 (0: not looked up yet) */
    const evCodes = new Uint8Array((ev.dictionary as unknown as { length: number } | undefined)?.length ?? 0);
    const skb = column(batch, 'skbaddr');
    const ts = column(batch, 'ts_ns');
    if (skb.type.typeId !== Type.Int || ts.type.typeId !== Type.Int)
      throw new Error('packets: unexpected column types');
    const skbU32 = new Uint32Array(skb.values.buffer, skb.values.byteOffset, skb.values.length * 2);
    const skbBm = validity(skb);
    const ts64 = ts.values as BigInt64Array;
    const tsU32 = new Uint32Array(ts64.buffer, ts64.byteOffset, ts64.length * 2);
    const lines = column(batch, 'line');
    const lineV = lines.values as Uint32Array;
    const intern = (s: string | null): number => c.intern(s);
    const [dev, reason, location, source] = ['dev', 'reason', 'location', 'source'].map(
      (n) => new InternedColumn(column(batch, n), intern),
    ) as [InternedColumn, InternedColumn, InternedColumn, InternedColumn];
    const queue = new IntColumn(column(batch, 'queue'), -1);
    const len = new IntColumn(column(batch, 'len'), 0);
    const rc = new IntColumn(column(batch, 'rc'), -1);
    for (let r = 0; r < batch.numRows; r++) {
      const k = evIdx[evOff + r]!;
      let code = k < evCodes.length ? evCodes[k]! - 1 : -1;
      if (code < 0) {
        code = EVENT_CODES[evName(r) ?? ''] ?? 0;
        if (k < evCodes.length) evCodes[k] = code + 1;
      }
      if (code === 0 || !validAt(skbBm, skb.offset + r)) continue;
      if (this.baseNs === null) {
        this.baseNs = ts64[ts.offset + r]!;
        const b = BigInt.asUintN(64, this.baseNs);
        this.baseHi = Number(b >> 32n);
        this.baseLo = Number(b & 0xffffffffn);
      }
      const x = c.reserve();
      const ti = (ts.offset + r) * 2;
      const si = (skb.offset + r) * 2;
      c.ev[x] = code;
      // (hi − baseHi)·2^32 + (lo − baseLo): exact while the difference is below 2^53
      c.ts[x] = (tsU32[ti + 1]! - this.baseHi) * 4294967296 + (tsU32[ti]! - this.baseLo);
      c.line[x] = lineV[lines.offset + r]!;
      c.skbHi[x] = skbU32[si + 1]!;
      c.skbLo[x] = skbU32[si]!;
      c.dev[x] = dev.id(r);
      c.queue[x] = queue.at(r);
      c.len[x] = len.at(r);
      c.rc[x] = rc.at(r);
      c.reason[x] = reason.id(r);
      c.location[x] = location.id(r);
      c.source[x] = source.id(r);
      onRow?.(x);
    }
  }
}

/**
 * Per-skb lifecycles of a stream of record batches: `push` each batch in order (it copies what it needs, so a
 * streamed batch may be reused afterwards), then `finish`. derivePackets runs it over a whole table.
 */
export class PacketDeriver {
  private readonly r = new CandidateReader();

  push(batch: RecordBatch): void {
    this.r.read(batch);
  }

  finish(): PacketLifecycle[] {
    const c = this.r.c;
    const n = c.n;
    // timestamps are not monotonic across CPUs: (ts_ns, line) order, as every consumer of the schema
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => c.ts[a]! - c.ts[b]! || c.line[a]! - c.line[b]!);
    const base = this.r.baseNs ?? 0n;
    const done: PacketLifecycle[] = [];
    const machine = new LifecycleMachine(c, (p) => done.push(toLifecycle(p, base, c.strings)));
    for (let k = 0; k < n; k++) machine.step(order[k]!);
    machine.end();
    return done;
  }
}

/** A lifecycle while it is built: ts relative to the reader's base (NaN: not seen), strings as interned ids. */
export interface OpenPacket {
  skbHi: number;
  skbLo: number;
  dev: number;
  queue: number;
  len: number;
  queuedRel: number;
  startXmitRel: number;
  xmitRel: number;
  freedRel: number;
  xmitRc: number;
  txBusy: number;
  fate: PacketLifecycle['fate'];
  dropReason: number;
  location: number;
  source: number;
  firstLine: number;
}

const relNs = (base: bigint, rel: number): bigint => (rel === rel ? base + BigInt(rel) : NOT_SEEN);

/** The lifecycle row of a closed OpenPacket. */
function toLifecycle(p: OpenPacket, base: bigint, strings: readonly string[]): PacketLifecycle {
  return {
    skbaddr: u64(p.skbHi, p.skbLo),
    dev: strings[p.dev]!,
    queue: p.queue,
    len: p.len,
    queuedNs: relNs(base, p.queuedRel),
    startXmitNs: relNs(base, p.startXmitRel),
    xmitNs: relNs(base, p.xmitRel),
    freedNs: relNs(base, p.freedRel),
    xmitRc: p.xmitRc,
    txBusy: p.txBusy,
    fate: p.fate,
    dropReason: strings[p.dropReason]!,
    location: strings[p.location]!,
    source: strings[p.source]!,
    firstLine: p.firstLine,
  };
}

/**
 * The lifecycle state machine, fed candidates in (ts_ns, line) order (`step`); each lifecycle is handed to `emit`
 * when it closes, the ones still open at `end`. It copies what it needs: a slot may be reused after `step`. The
 * OpenPacket given to `emit` is valid during the call only (one object, refilled: the open ones are columns).
 */
/** Open lifecycles held before the idle ones are written out (open-evict.ts); the shared captures stay far below. */
const OPEN_CAP = 1 << 16;

export class LifecycleMachine {
  private readonly open = new SkbTable();
  private o = new OpenColumns();
  private readonly out: OpenPacket = {
    ...{ skbHi: 0, skbLo: 0, dev: 0, queue: 0, len: 0, queuedRel: 0, startXmitRel: 0, xmitRel: 0, freedRel: 0 },
    ...{ xmitRc: 0, txBusy: 0, fate: 'in_flight', dropReason: 0, location: 0, source: 0, firstLine: 0 },
  };
  /** the idle lifecycles written out (`evictFile`; none: every open lifecycle stays in memory) */
  private readonly evicted: EvictedLifecycles | null;
  /** the open count at which the idle ones are written out next */
  private evictAt: number;

  constructor(
    private readonly c: Candidates,
    private readonly emit: (p: OpenPacket) => void,
    evict: { file: string; openCap?: number } | null = null,
  ) {
    this.evicted = evict ? new EvictedLifecycles(evict.file) : null;
    this.openCap = evict?.openCap ?? OPEN_CAP;
    this.evictAt = this.openCap;
  }

  private readonly openCap: number;

  private close(s: number): void {
    this.emit(this.o.view(s, this.out));
    this.o.release(s);
  }

  private start(x: number): number {
    const c = this.c;
    const o = this.o;
    const s = o.alloc();
    o.skbHi[s] = c.skbHi[x]!;
    o.skbLo[s] = c.skbLo[x]!;
    o.dev[s] = c.dev[x]!;
    o.queue[s] = c.queue[x]!;
    o.len[s] = c.len[x]!;
    o.queuedRel[s] = c.ts[x]!;
    o.startXmitRel[s] = Number.NaN;
    o.xmitRel[s] = Number.NaN;
    o.freedRel[s] = Number.NaN;
    o.xmitRc[s] = -1;
    o.txBusy[s] = 0;
    o.fate[s] = FATE_IN_FLIGHT;
    o.dropReason[s] = 0;
    o.location[s] = 0;
    o.source[s] = c.source[x]!;
    o.firstLine[s] = c.line[x]!;
    o.touched[s] = 1;
    this.open.set(c.skbHi[x]!, c.skbLo[x]!, s);
    if (this.evicted && this.open.size > this.evictAt) this.evictIdle();
    return s;
  }

  /**
   * Write out the lifecycles no event touched since the last time (an skb freed without a tracepoint, whose address
   * has not come back); the next time is when the open ones are twice as many again, so a trace whose skbs are all
   * busy costs one scan per doubling.
   */
  private evictIdle(): void {
    const o = this.o;
    const idle: number[] = [];
    this.open.forEachValue((s) => {
      if (o.touched[s]) o.touched[s] = 0;
      else idle.push(s);
    });
    for (const s of idle) {
      this.evicted!.put(o, s);
      this.open.delete(o.skbHi[s]!, o.skbLo[s]!);
      o.release(s);
    }
    this.evictAt = Math.max(this.openCap, this.open.size * 2);
  }

  /** The lifecycle written out under the candidate's address, open again (its slot), or -1 when there is none. */
  private restore(skbHi: number, skbLo: number): number {
    const s = this.o.alloc();
    if (!this.evicted!.take(skbHi, skbLo, this.o, s)) {
      this.o.release(s);
      return -1;
    }
    this.open.set(skbHi, skbLo, s);
    return s;
  }

  step(x: number): void {
    const c = this.c;
    const o = this.o;
    let s = this.open.get(c.skbHi[x]!, c.skbLo[x]!);
    if (s < 0 && this.evicted !== null && this.evicted.size > 0) s = this.restore(c.skbHi[x]!, c.skbLo[x]!);
    if (s >= 0) o.touched[s] = 1;
    const ev = c.ev[x]!;
    switch (ev) {
      case EV_QUEUE:
        if (s >= 0) {
          o.fate[s] = FATE_UNKNOWN;
          this.close(s);
        }
        this.start(x);
        break;
      case EV_ENQUEUE:
        if (s < 0) this.start(x);
        break;
      case EV_START:
        if (s < 0) s = this.start(x);
        if (o.startXmitRel[s] !== o.startXmitRel[s]) o.startXmitRel[s] = c.ts[x]!;
        if (o.queue[s]! < 0) o.queue[s] = c.queue[x]!;
        if (o.dev[s] === 0) o.dev[s] = c.dev[x]!;
        if (!o.len[s]) o.len[s] = c.len[x]!;
        break;
      case EV_XMIT: {
        if (s < 0) break;
        const code = c.rc[x]!;
        o.xmitRel[s] = c.ts[x]!;
        o.xmitRc[s] = code;
        if (code === 16) o.txBusy[s] = o.txBusy[s]! + 1; // NETDEV_TX_BUSY: the skb is requeued and retried
        break;
      }
      case EV_CONSUME:
      case EV_KFREE:
        if (s < 0) break; // an skb this trace never saw on the TX path (RX, other sockets)
        o.freedRel[s] = c.ts[x]!;
        o.fate[s] = ev === EV_CONSUME ? FATE_CONSUMED : FATE_DROPPED;
        o.dropReason[s] = c.reason[x]!;
        o.location[s] = c.location[x]!;
        this.open.delete(c.skbHi[x]!, c.skbLo[x]!);
        this.close(s);
        break;
      default:
        break;
    }
  }

  /** The trace ended: the lifecycles still open (in the order they opened) are emitted as they stand. */
  end(): void {
    for (const s of this.open.values()) this.close(s);
    this.open.clear();
    // then the ones written out (the rows are the same; their order in the spill is not the order they opened)
    if (this.evicted) {
      const s = this.o.alloc();
      this.evicted.drain(this.o, s, () => this.emit(this.o.view(s, this.out)));
    }
    this.o = new OpenColumns(); // its columns held every lifecycle open at once: not kept for the writer's phase
  }
}

export function derivePackets(table: Table): PacketLifecycle[] {
  const d = new PacketDeriver();
  for (const b of table.batches as RecordBatch[]) d.push(b);
  return d.finish();
}
