/**
 * What the event table adds to the timelines that the replay result does not carry: which devices ran
 * napi:napi_poll (§A.6). A device that transmits with none of its own while another device polls is
 * completed by its peer (veth, §D.1): device-facts.ts then leaves out the series it does not have.
 */
import type { Table } from 'apache-arrow';

/** Devices with at least one napi:napi_poll event; null when the table has no event/dev columns. */
export function napiDevices(table: Table): string[] | null {
  const ev = table.getChild('event');
  const dev = table.getChild('dev');
  if (!ev || !dev) return null;
  const devs = new Set<string>();
  for (let i = 0; i < table.numRows; i++) {
    if (ev.get(i) === 'napi:napi_poll') {
      const d = dev.get(i) as string | null;
      if (d) devs.add(d);
    }
  }
  return [...devs].sort();
}
