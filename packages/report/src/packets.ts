/**
 * Per-skb lifecycle rows for the `packets` table, derived from the events in (ts_ns, line) order:
 * net_dev_queue (enters the stack's TX path, __dev_queue_xmit) → net_dev_start_xmit (handed to the
 * driver, queue_mapping known) → net_dev_xmit (driver's return code; 16 = NETDEV_TX_BUSY, requeued) →
 * consume_skb / kfree_skb (freed: completed or dropped). An address seen again at net_dev_queue before it
 * was freed starts a new lifecycle (the old one is closed as 'unknown': the free was not traced).
 *
 * Reads the Arrow column buffers of each batch directly (typed arrays, dictionary indices): Vector.get per
 * row costs a chunk search and a UTF-8 decode each time, which dominated a 1M-event write. Batch by batch
 * (PacketDeriver), so `report` on a streamed trace derives them without holding the table.
 */
import { Type, type Data, type RecordBatch, type Table } from 'apache-arrow';
import { isValid } from './encode-events.js';

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

/**
 * A dictionary column's strings, decoded on first use per index. Per batch and never cached across batches: a
 * streamed batch's buffers are reused by ingest once its consumer returns (ingest io/stream.ts).
 */
function dictReader(d: Data): (row: number) => string | null {
  const chunks = (d.dictionary as unknown as { data: Data[] }).data;
  const idx = d.values as Int32Array;
  const seen = new Map<number, string | null>();
  return (row) => {
    if (!isValid(d, row)) return null;
    const k = idx[d.offset + row]!;
    if (seen.has(k)) return seen.get(k)!;
    let at = k;
    let v: string | null = null;
    for (const c of chunks) {
      if (at < c.length) {
        if (isValid(c, at)) {
          const offs = c.valueOffsets as Int32Array;
          const bytes = c.values as Uint8Array;
          v = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
            'utf8',
            offs[c.offset + at]!,
            offs[c.offset + at + 1]!,
          );
        }
        break;
      }
      at -= c.length;
    }
    seen.set(k, v);
    return v;
  };
}

function intReader(d: Data, absent: number): (row: number) => number {
  const v = d.values as Int32Array | Uint32Array;
  return (row) => (isValid(d, row) ? v[d.offset + row]! : absent);
}

/** The TX-path events that carry an skb, as parallel typed arrays (no object per event), strings interned. */
class Candidates {
  n = 0;
  ev = new Uint8Array(1024);
  /** ts_ns − base: exact for traces shorter than 104 days */
  ts = new Float64Array(1024);
  line = new Uint32Array(1024);
  /** skbaddr as a Map key: its low 53 bits (kernel pointers and ftrace hashes differ below bit 53) */
  key = new Float64Array(1024);
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
    const n = this.n;
    if (n >= this.ev.length) {
      for (const k of ['ev', 'ts', 'line', 'key', 'skbHi', 'skbLo', 'dev', 'queue', 'len', 'rc'] as const)
        (this as Record<typeof k, Float64Array | Int32Array | Uint32Array | Uint8Array>)[k] = grow(this[k], n);
      this.reason = grow(this.reason, n);
      this.location = grow(this.location, n);
      this.source = grow(this.source, n);
    }
    return this.n++;
  }
}

/**
 * Per-skb lifecycles of a stream of record batches: `push` each batch in order (it copies what it needs, so a
 * streamed batch may be reused afterwards), then `finish`. derivePackets runs it over a whole table.
 */
export class PacketDeriver {
  private readonly c = new Candidates();
  private baseNs: bigint | null = null;
  private baseHi = 0;
  private baseLo = 0;

  push(batch: RecordBatch): void {
    const c = this.c;
    const ev = column(batch, 'event');
    const evCodes: number[] = [];
    const evName = dictReader(ev);
    const evIdx = ev.values as Int32Array;
    const skb = column(batch, 'skbaddr');
    const ts = column(batch, 'ts_ns');
    if (skb.type.typeId !== Type.Int || ts.type.typeId !== Type.Int)
      throw new Error('packets: unexpected column types');
    const skbU32 = new Uint32Array(skb.values.buffer, skb.values.byteOffset, skb.values.length * 2);
    const ts64 = ts.values as BigInt64Array;
    const tsU32 = new Uint32Array(ts64.buffer, ts64.byteOffset, ts64.length * 2);
    const lines = column(batch, 'line');
    const lineV = lines.values as Uint32Array;
    const [dev, reason, location, source] = ['dev', 'reason', 'location', 'source'].map((n) =>
      dictReader(column(batch, n)),
    );
    const [queue, len, rc] = [
      intReader(column(batch, 'queue'), -1),
      intReader(column(batch, 'len'), 0),
      intReader(column(batch, 'rc'), -1),
    ];
    for (let r = 0; r < batch.numRows; r++) {
      const k = evIdx[ev.offset + r]!;
      let code = evCodes[k];
      if (code === undefined) code = evCodes[k] = EVENT_CODES[evName(r) ?? ''] ?? 0;
      if (code === 0 || !isValid(skb, r)) continue;
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
      c.key[x] = (skbU32[si + 1]! & 0x1fffff) * 4294967296 + skbU32[si]!;
      c.dev[x] = c.intern(dev!(r));
      c.queue[x] = queue(r);
      c.len[x] = len(r);
      c.rc[x] = rc(r);
      c.reason[x] = c.intern(reason!(r));
      c.location[x] = c.intern(location!(r));
      c.source[x] = c.intern(source!(r));
    }
  }

  finish(): PacketLifecycle[] {
    const c = this.c;
    const n = c.n;
    // timestamps are not monotonic across CPUs: (ts_ns, line) order, as every consumer of the schema
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => c.ts[a]! - c.ts[b]! || c.line[a]! - c.line[b]!);
    return lifecycles(c, order, this.baseNs ?? 0n);
  }
}

/** The lifecycle state machine over the candidates in (ts_ns, line) order. */
function lifecycles(c: Candidates, order: Int32Array, base: bigint): PacketLifecycle[] {
  const open = new Map<number, PacketLifecycle>();
  const done: PacketLifecycle[] = [];
  const str = (id: number): string => c.strings[id]!;
  const tsOf = (x: number): bigint => base + BigInt(c.ts[x]!);
  const start = (x: number): PacketLifecycle => {
    const p: PacketLifecycle = {
      skbaddr: u64(c.skbHi[x]!, c.skbLo[x]!),
      dev: str(c.dev[x]!),
      queue: c.queue[x]!,
      len: c.len[x]!,
      queuedNs: tsOf(x),
      startXmitNs: NOT_SEEN,
      xmitNs: NOT_SEEN,
      freedNs: NOT_SEEN,
      xmitRc: -1,
      txBusy: 0,
      fate: 'in_flight',
      dropReason: '',
      location: '',
      source: str(c.source[x]!),
      firstLine: c.line[x]!,
    };
    open.set(c.key[x]!, p);
    return p;
  };
  for (let k = 0; k < order.length; k++) {
    const x = order[k]!;
    const key = c.key[x]!;
    let p = open.get(key);
    const ev = c.ev[x]!;
    switch (ev) {
      case EV_QUEUE:
        if (p) {
          p.fate = 'unknown';
          done.push(p);
        }
        start(x);
        break;
      case EV_ENQUEUE:
        if (!p) start(x);
        break;
      case EV_START:
        if (!p) p = start(x);
        if (p.startXmitNs === NOT_SEEN) p.startXmitNs = tsOf(x);
        if (p.queue < 0) p.queue = c.queue[x]!;
        if (!p.dev) p.dev = str(c.dev[x]!);
        if (!p.len) p.len = c.len[x]!;
        break;
      case EV_XMIT: {
        if (!p) break;
        const code = c.rc[x]!;
        p.xmitNs = tsOf(x);
        p.xmitRc = code;
        if (code === 16) p.txBusy++; // NETDEV_TX_BUSY: the skb is requeued and retried
        break;
      }
      case EV_CONSUME:
      case EV_KFREE:
        if (!p) break; // an skb this trace never saw on the TX path (RX, other sockets)
        p.freedNs = tsOf(x);
        p.fate = ev === EV_CONSUME ? 'consumed' : 'dropped';
        p.dropReason = str(c.reason[x]!);
        p.location = str(c.location[x]!);
        open.delete(key);
        done.push(p);
        break;
      default:
        break;
    }
  }
  for (const p of open.values()) done.push(p);
  return done;
}

export function derivePackets(table: Table): PacketLifecycle[] {
  const d = new PacketDeriver();
  for (const b of table.batches as RecordBatch[]) d.push(b);
  return d.finish();
}
