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
