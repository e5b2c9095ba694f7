/**
 * perf's ordered-events rule (tools/perf/util/ordered-events.c, session.c process_finished_round): records
 * within the data section are in per-ring-buffer order; a PERF_RECORD_FINISHED_ROUND promises that no later
 * record is older than the newest record of the round before it. So at each round the queue is flushed up to
 * that limit, in (time, file order) — the order `perf script` prints. Memory stays bounded by about two rounds.
 */
export interface Timed<T> {
  ts: bigint;
  /** Number(ts): monotonic in ts, so it orders whenever it differs (exact ts decides ties). */
  key: number;
  seq: number;
  item: T;
}

export class RoundQueue<T> {
  private pending: Timed<T>[] = [];
  private seq = 0;
  private roundMax = 0n;
  private nextFlush = 0n;
  /** Without FINISHED_ROUND records, flush (everything up to the middle timestamp) past this many entries. */
  constructor(private readonly maxPending = 1 << 18) {}

  push(ts: bigint, item: T): void {
    this.pending.push({ ts, key: Number(ts), seq: this.seq++, item });
    if (ts > this.roundMax) this.roundMax = ts;
  }

  get size(): number {
    return this.pending.length;
  }

  private sortPending(): void {
    this.pending.sort((a, b) => a.key - b.key || (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.seq - b.seq));
  }

  /** Entries now safe to emit, in order. */
  finishRound(): Timed<T>[] {
    const limit = this.nextFlush;
    this.nextFlush = this.roundMax;
    return this.flushUpTo(limit);
  }

  /** Safety valve for files without rounds: emit the older half. */
  overflow(): Timed<T>[] {
    if (this.pending.length < this.maxPending) return [];
    this.sortPending();
    const mid = this.pending[this.pending.length >> 1]!.ts;
    return this.flushUpTo(mid);
  }

  private flushUpTo(limit: bigint): Timed<T>[] {
    this.sortPending();
    let n = 0;
    while (n < this.pending.length && this.pending[n]!.ts <= limit) n++;
    const out = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    return out;
  }

  drain(): Timed<T>[] {
    this.sortPending();
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
