/**
 * Per-skb lifecycle rows for the `packets` table, derived from the events in (ts_ns, line) order:
 * net_dev_queue (enters the stack's TX path, __dev_queue_xmit) → net_dev_start_xmit (handed to the
 * driver, queue_mapping known) → net_dev_xmit (driver's return code; 16 = NETDEV_TX_BUSY, requeued) →
 * consume_skb / kfree_skb (freed: completed or dropped). An address seen again at net_dev_queue before it
 * was freed starts a new lifecycle (the old one is closed as 'unknown': the free was not traced).
 *
 * Reads the Arrow column buffers of each batch directly (typed arrays, dictionary indices): Vector.get per
 * row costs a chunk search and a UTF-8 decode each time, which dominated a 1M-event write.
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

const dictStrings = new WeakMap<Data, (string | null)[]>();

function utf8Values(d: Data): (string | null)[] {
  const c = dictStrings.get(d);
  if (c) return c;
  const offs = d.valueOffsets as Int32Array;
  const bytes = d.values as Uint8Array;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: (string | null)[] = new Array(d.length);
  for (let i = 0; i < d.length; i++)
    out[i] = isValid(d, i) ? buf.toString('utf8', offs[d.offset + i]!, offs[d.offset + i + 1]!) : null;
  dictStrings.set(d, out);
  return out;
}

/** Random access to one batch's columns by name, without Arrow row objects. */
class BatchColumns {
  private readonly byName = new Map<string, Data>();
  private readonly dicts = new Map<string, (string | null)[]>();
  constructor(readonly batch: RecordBatch) {
    batch.schema.fields.forEach((f, i) => this.byName.set(f.name, batch.data.children[i]!));
  }
  data(name: string): Data {
    const d = this.byName.get(name);
    if (!d) throw new Error(`packets: the event table has no column ${name}`);
    return d;
  }
  /** Dictionary column value (null when absent). */
  str(name: string, row: number): string | null {
    const d = this.data(name);
    if (!isValid(d, row)) return null;
    let dict = this.dicts.get(name);
    if (!dict) {
      dict = [];
      for (const dd of (d.dictionary as unknown as { data: Data[] }).data) for (const s of utf8Values(dd)) dict.push(s);
      this.dicts.set(name, dict);
    }
    return dict[(d.values as Int32Array)[d.offset + row]!] ?? null;
  }
  /** 32-bit (or narrower) integer column value (null when absent). */
  int(name: string, row: number): number | null {
    const d = this.data(name);
    if (!isValid(d, row)) return null;
    return (d.values as Int32Array | Uint32Array)[d.offset + row]!;
  }
}

function u64(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Growable typed column for the candidate rows. */
function grow<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(a: T, n: number): T {
  if (n < a.length) return a;
  const b = new (a.constructor as new (len: number) => T)(Math.max(1024, a.length * 2));
  b.set(a);
  return b;
}

export function derivePackets(table: Table): PacketLifecycle[] {
  const batches = (table.batches as RecordBatch[]).map((b) => new BatchColumns(b));
  // candidate rows (TX-path events that carry an skb), as parallel typed arrays
  let n = 0;
  let rBatch = new Int32Array(1024);
  let rRow = new Int32Array(1024);
  let rEv = new Uint8Array(1024);
  let rTs = new Float64Array(1024); // ts_ns − base: exact for traces shorter than 104 days
  let rLine = new Uint32Array(1024);
  // skbaddr as a Map key: its low 53 bits (kernel pointers and ftrace hashes differ below bit 53)
  let rKey = new Float64Array(1024);
  let baseNs: bigint | null = null;
  batches.forEach((bc, bi) => {
    const ev = bc.data('event');
    const evDict: number[] = [];
    for (const dd of (ev.dictionary as unknown as { data: Data[] }).data)
      for (const s of utf8Values(dd)) evDict.push(EVENT_CODES[s ?? ''] ?? 0);
    const evIdx = ev.values as Int32Array;
    const skb = bc.data('skbaddr');
    const ts = bc.data('ts_ns');
    if (skb.type.typeId !== Type.Int || ts.type.typeId !== Type.Int)
      throw new Error('packets: unexpected column types');
    const skbU32 = new Uint32Array(
      (skb.values as BigUint64Array).buffer,
      (skb.values as BigUint64Array).byteOffset,
      skb.values.length * 2,
    );
    const ts64 = ts.values as BigInt64Array;
    const tsU32 = new Uint32Array(ts64.buffer, ts64.byteOffset, ts64.length * 2);
    const line = bc.data('line');
    const lines = line.values as Uint32Array;
    let baseHi = 0;
    let baseLo = 0;
    for (let r = 0; r < bc.batch.numRows; r++) {
      const code = evDict[evIdx[ev.offset + r]!]!;
      if (code === 0 || !isValid(skb, r)) continue;
      if (baseNs === null) baseNs = ts64[ts.offset + r]!;
      if (baseHi === 0 && baseLo === 0) {
        const b = BigInt.asUintN(64, baseNs);
        baseHi = Number(b >> 32n);
        baseLo = Number(b & 0xffffffffn);
      }
      if (n >= rBatch.length) {
        rBatch = grow(rBatch, n);
        rRow = grow(rRow, n);
        rEv = grow(rEv, n);
        rTs = grow(rTs, n);
        rLine = grow(rLine, n);
        rKey = grow(rKey, n);
      }
      const ti = (ts.offset + r) * 2;
      const si = (skb.offset + r) * 2;
      rBatch[n] = bi;
      rRow[n] = r;
      rEv[n] = code;
      // (hi − baseHi)·2^32 + (lo − baseLo): exact while the difference is below 2^53
      rTs[n] = (tsU32[ti + 1]! - baseHi) * 4294967296 + (tsU32[ti]! - baseLo);
      rLine[n] = lines[line.offset + r]!;
      rKey[n] = (skbU32[si + 1]! & 0x1fffff) * 4294967296 + skbU32[si]!;
      n++;
    }
  });
  // timestamps are not monotonic across CPUs: (ts_ns, line) order, as every consumer of the schema
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => rTs[a]! - rTs[b]! || rLine[a]! - rLine[b]!);

  const open = new Map<number, PacketLifecycle>();
  const done: PacketLifecycle[] = [];
  const base: bigint = baseNs ?? 0n;
  const tsOf = (x: number): bigint => base + BigInt(rTs[x]!);
  const start = (x: number): PacketLifecycle => {
    const bc = batches[rBatch[x]!]!;
    const row = rRow[x]!;
    const skb = bc.data('skbaddr');
    const i = (skb.offset + row) * 2;
    const u32 = new Uint32Array(
      (skb.values as BigUint64Array).buffer,
      (skb.values as BigUint64Array).byteOffset + i * 4,
      2,
    );
    const p: PacketLifecycle = {
      skbaddr: u64(u32[1]!, u32[0]!),
      dev: bc.str('dev', row) ?? '',
      queue: bc.int('queue', row) ?? -1,
      len: bc.int('len', row) ?? 0,
      queuedNs: tsOf(x),
      startXmitNs: NOT_SEEN,
      xmitNs: NOT_SEEN,
      freedNs: NOT_SEEN,
      xmitRc: -1,
      txBusy: 0,
      fate: 'in_flight',
      dropReason: '',
      location: '',
      source: bc.str('source', row) ?? '',
      firstLine: rLine[x]!,
    };
    open.set(rKey[x]!, p);
    return p;
  };
  for (let k = 0; k < n; k++) {
    const x = order[k]!;
    const key = rKey[x]!;
    const row = rRow[x]!;
    let p = open.get(key);
    const bc = batches[rBatch[x]!]!;
    const ev = rEv[x]!;
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
        if (p.queue < 0) p.queue = bc.int('queue', row) ?? -1;
        if (!p.dev) p.dev = bc.str('dev', row) ?? '';
        if (!p.len) p.len = bc.int('len', row) ?? 0;
        break;
      case EV_XMIT: {
        if (!p) break;
        const code = bc.int('rc', row) ?? -1;
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
        p.dropReason = bc.str('reason', row) ?? '';
        p.location = bc.str('location', row) ?? '';
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
