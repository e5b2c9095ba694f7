/**
 * Resolve a device name to its ifindex, looking in this network namespace and in every named one
 * (`ip netns list`): qdisc tracepoints carry only an ifindex (spec §H.1), so a `--dev` filter needs it.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface DeviceMatch {
  /** network namespace name, or null for the namespace txreplay runs in */
  netns: string | null;
  ifindex: number;
}

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/** Every namespace in which a device of that name exists. */
export function findDevice(dev: string): DeviceMatch[] {
  const found: DeviceMatch[] = [];
  try {
    const ifindex = Number(readFileSync(`/sys/class/net/${dev}/ifindex`, 'utf8').trim());
    if (Number.isInteger(ifindex)) found.push({ netns: null, ifindex });
  } catch {
    // not in this namespace
  }
  const list = run('ip', ['netns', 'list']) ?? '';
  for (const line of list.split('\n')) {
    const ns = line.trim().split(/\s+/)[0];
    if (!ns) continue;
    const json = run('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev]);
    if (!json) continue;
    try {
      const links = JSON.parse(json) as Array<{ ifindex?: number }>;
      const ifindex = links[0]?.ifindex;
      if (typeof ifindex === 'number') found.push({ netns: ns, ifindex });
    } catch {
      // ip printed something that is not JSON: treat as not found
    }
  }
  return found;
}

/** One link as `ip -j -d link show` reports it. */
interface IpLink {
  ifname?: string;
  ifindex?: number;
  /** the peer's ifindex (iflink) when the peer is in another namespace */
  link_index?: number;
  /** the peer's name when the peer is in the same namespace */
  link?: string | null;
  link_type?: string;
  linkinfo?: { info_kind?: string };
}

interface NsLink {
  netns: string | null;
  link: IpLink;
}

function linksOf(netns: string | null): IpLink[] {
  const json = run('ip', [...(netns ? ['-n', netns] : []), '-j', '-d', 'link', 'show']);
  if (!json) return [];
  try {
    return JSON.parse(json) as IpLink[];
  } catch {
    return [];
  }
}

function allLinks(): NsLink[] {
  const out: NsLink[] = linksOf(null).map((link) => ({ netns: null, link }));
  for (const line of (run('ip', ['netns', 'list']) ?? '').split('\n')) {
    const ns = line.trim().split(/\s+/)[0];
    if (ns) out.push(...linksOf(ns).map((link) => ({ netns: ns, link })));
  }
  return out;
}

/** Which NAPI completes a device's transmits, as far as the capture filter needs to know. */
export interface CompletionNapi {
  /** `ip -d` link kind (veth, bond, …), `loopback`, or null for a plain NIC */
  kind: string | null;
  /** veth: the other end (its NAPI, or the backlog NAPI, completes this end's transmits) */
  peer: { name: string; ifindex: number; netns: string | null } | null;
  /** napi_poll `dev_name` values to keep: the device, its veth peer, and `(no_device)` for netif_rx paths */
  napiDevs: string[];
}

/** The backlog NAPI (process_backlog) has no net_device: napi_poll prints NO_DEV, "(no_device)". */
export const NO_DEVICE = '(no_device)';

/**
 * Resolve what completes `dev`'s transmits. A NIC completes them in its own NAPI (the TX clean in the driver's
 * poll). A veth never completes in its own NAPI: veth_xmit hands the skb to the PEER, which receives it either
 * in the peer's NAPI (veth_poll, when the peer has GRO/XDP: napi_poll dev_name = the peer's name) or through
 * __netif_rx in the per-CPU backlog NAPI (dev_name = "(no_device)"). The peer is the link whose ifindex is
 * dev's iflink (/sys/class/net/DEV/iflink, `link_index` in `ip -j`) and whose iflink is dev's ifindex; it may
 * live in another network namespace, which napi_poll does not care about (it prints the name). Loopback
 * transmits through netif_rx into the backlog NAPI as well.
 */
export function completionNapi(dev: string, ifindex: number | undefined): CompletionNapi {
  const links = allLinks();
  const self = links.find((l) => l.link.ifname === dev && (ifindex === undefined || l.link.ifindex === ifindex));
  const kind = self?.link.linkinfo?.info_kind ?? (self?.link.link_type === 'loopback' ? 'loopback' : null);
  if (!self || kind === null) return { kind, peer: null, napiDevs: [dev] };
  if (kind === 'loopback') return { kind, peer: null, napiDevs: [dev, NO_DEVICE] };
  if (kind !== 'veth') return { kind, peer: null, napiDevs: [dev] };
  const me = self.link;
  const peer = links.find((l) => {
    if (l === self || l.link.linkinfo?.info_kind !== 'veth') return false;
    if (typeof me.link === 'string') return l.netns === self.netns && l.link.ifname === me.link;
    return l.link.ifindex === me.link_index && l.link.link_index === me.ifindex;
  });
  const p = peer?.link;
  if (!p?.ifname || p.ifindex === undefined) return { kind, peer: null, napiDevs: [dev, NO_DEVICE] };
  return {
    kind,
    peer: { name: p.ifname, ifindex: p.ifindex, netns: peer?.netns ?? null },
    napiDevs: [...new Set([dev, p.ifname, NO_DEVICE])],
  };
}
