/**
 * `--dev` for perf captures: perf can filter a tracepoint only on its own fields, and consume_skb/kfree_skb
 * carry no device, so a system-wide perf record keeps every skb free on the host (tens of thousands a second
 * on a busy box). This filter gives them the meaning the bpftrace program gives them: an skb free is kept
 * when net_dev_queue saw that skb on DEV before (and no other device queued it since). perf script prints
 * events in time order, so "before" is "earlier in the text". Call-chain lines (`perf script -g`) and the
 * blank line after them go with the event they belong to. net:netif_receive_skb is recorded with --dev only to
 * forget skbs a device received (veth hands the same skb to its peer) and is left out of the output.
 */
const PERF_EVENT = /\s\d+\s+\[\d+\]\s+\d+\.\d+:\s+([a-z_0-9]+:[a-z_0-9]+):\s(.*)$/;
const FIELD = (text: string, key: string): string | undefined => new RegExp(`(?:^|\\s)${key}=(\\S+)`).exec(text)?.[1];

export class PerfSkbFilter {
  /** skbaddr → queued on DEV */
  private readonly queuedOnDev = new Set<string>();
  /** whether the lines after the current event line (its call chain) are kept */
  private keeping = true;
  /** skb frees left out (not queued on the device) */
  dropped = 0;

  constructor(private readonly dev: string) {}

  /** true when the line belongs in the filtered output */
  keep(line: string): boolean {
    const m = PERF_EVENT.exec(line);
    if (!m) return this.keeping; // call-chain line, blank separator, or anything else: follows its event
    const event = m[1] ?? '';
    const fields = m[2] ?? '';
    this.keeping = true;
    if (event === 'net:netif_receive_skb') {
      // recorded only for this bookkeeping (see perfRecordArgs): received = no longer a TX skb; not printed
      const skb = FIELD(fields, 'skbaddr');
      if (skb !== undefined) this.queuedOnDev.delete(skb);
      this.keeping = false;
      return false;
    }
    if (event === 'net:net_dev_queue') {
      const skb = FIELD(fields, 'skbaddr');
      if (skb !== undefined) {
        if (FIELD(fields, 'dev') === this.dev) this.queuedOnDev.add(skb);
        else this.queuedOnDev.delete(skb);
      }
    } else if (event === 'skb:consume_skb' || event === 'skb:kfree_skb') {
      const skb = FIELD(fields, 'skbaddr');
      this.keeping = skb !== undefined && this.queuedOnDev.delete(skb);
    }
    if (!this.keeping) this.dropped++;
    return this.keeping;
  }
}
