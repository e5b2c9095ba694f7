/**
 * `--dev` for perf captures: perf can filter a tracepoint only on its own fields, and consume_skb/kfree_skb
 * carry no device, so a system-wide perf record keeps every skb free on the host (tens of thousands a second
 * on a busy box). This filter gives them the meaning the bpftrace program gives them: an skb free is kept
 * when net_dev_queue or net_dev_start_xmit saw that skb on DEV before (not net_dev_xmit: see SEEN_ON_DEV in
 * bpftrace-program.ts) (and it was not freed,
 * queued elsewhere or received by any device since: see the skb comment in bpftrace-program.ts). perf script prints events in time order,
 * so "before" is "earlier in the text". Call-chain lines (`perf script -g`) and the blank line after them go
 * with the event they belong to. net:netif_receive_skb is recorded with --dev only to forget skbs a
 * device received and is left out of the output. `perf script --show-lost-events` prints `PERF_RECORD_LOST lost N`
 * lines: they are counted here (`lost`, the capture header carries the total) and kept, since ingest reads each as
 * an unknown window of that CPU.
 */
const PERF_EVENT = /\s\d+\s+\[\d+\]\s+\d+\.\d+:\s+([a-z_0-9]+:[a-z_0-9]+):\s(.*)$/;
const PERF_LOST = /\sPERF_RECORD_LOST lost (\d+)\s*$/;
const FIELD = (text: string, key: string): string | undefined => new RegExp(`(?:^|\\s)${key}=(\\S+)`).exec(text)?.[1];

export class PerfSkbFilter {
  /** skbaddrs seen on DEV and not freed since */
  private readonly seenOnDev = new Set<string>();
  /** whether the lines after the current event line (its call chain) are kept */
  private keeping = true;
  /** skb frees left out (not seen on the device) */
  dropped = 0;
  /** events perf reported lost (PERF_RECORD_LOST lines, kept in the output) */
  lost = 0;

  /** `dev` null: no device filter, the lost-events lines are only counted */
  constructor(private readonly dev: string | null) {}

  /** true when the line belongs in the filtered output */
  keep(line: string): boolean {
    const lost = PERF_LOST.exec(line);
    if (lost) {
      this.lost += Number(lost[1]);
      this.keeping = false;
      return true;
    }
    const m = PERF_EVENT.exec(line);
    if (!m) return this.keeping; // call-chain line, blank separator, or anything else: follows its event
    this.keeping = true;
    if (this.dev === null) return true;
    const event = m[1] ?? '';
    const fields = m[2] ?? '';
    const skb = FIELD(fields, 'skbaddr');
    if (event === 'net:netif_receive_skb') {
      // recorded only for this bookkeeping (see perfRecordArgs): received = no longer a TX skb; not printed
      if (skb !== undefined) this.seenOnDev.delete(skb);
      this.keeping = false;
      return false;
    }
    if (event === 'net:net_dev_queue' || event === 'net:net_dev_start_xmit') {
      if (skb !== undefined) {
        if (FIELD(fields, 'dev') === this.dev) this.seenOnDev.add(skb);
        else this.seenOnDev.delete(skb);
      }
    } else if (event === 'skb:consume_skb' || event === 'skb:kfree_skb') {
      this.keeping = skb !== undefined && this.seenOnDev.delete(skb);
      if (!this.keeping) this.dropped++;
    }
    return this.keeping;
  }
}
