/**
 * Device names that stand for more than one device: the same name in two network namespaces (a pod's `eth0` on
 * every pod). Only net_dev_xmit_timeout (net_cookie, newer kernels) and the qdisc events (ifindex) say which
 * device they are; every other TX tracepoint prints the name alone, so what the replay says of such a name may
 * mix the devices — said in the coverage rather than silently merged.
 */
import type { Observed } from '../observe/records.js';
import type { SharedDeviceName } from '../types.js';

export function sharedNamesOf(o: Observed): SharedDeviceName[] {
  const byName = new Map<string, { cookies: Set<string>; ifindexes: Set<number> }>();
  const entry = (name: string) => {
    let e = byName.get(name);
    if (!e) byName.set(name, (e = { cookies: new Set(), ifindexes: new Set() }));
    return e;
  };
  for (const d of o.devices) {
    const e = entry(d.name);
    if (d.ifindex !== null) e.ifindexes.add(d.ifindex);
    for (const row of d.timeoutRows) {
      const c = o.rows.netCookie(row);
      if (c !== null) e.cookies.add(c.toString());
    }
  }
  const out: SharedDeviceName[] = [];
  for (const [dev, e] of byName) {
    if (e.cookies.size < 2 && e.ifindexes.size < 2) continue;
    out.push({ dev, netCookies: [...e.cookies].sort(), ifindexes: [...e.ifindexes].sort((a, b) => a - b) });
  }
  return out;
}
