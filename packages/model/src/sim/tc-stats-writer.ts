/**
 * `tc -s qdisc show dev DEV` text of the simulated qdiscs, as iproute2's tc/tc_qdisc.c print_qdisc() and
 * tc/tc_util.c print_tcstats_attr() lay it out: `qdisc KIND MAJOR: [root|parent M:N]`, then `Sent … (dropped …,
 * overlimits … requeues …)` and `backlog …b …p requeues …`. Sizes as sprint_size() prints them (b, Kb, Mb).
 */
import type { QdiscStats } from './simulator.js';

const TC_H_ROOT = 0xffffffff;

const hex = (n: number): string => n.toString(16);

function handleText(h: number): string {
  return `${hex(h >>> 16)}:`;
}

function parentText(p: number): string {
  if (p === TC_H_ROOT) return 'root';
  const major = p >>> 16;
  return `parent ${major === 0 ? '' : hex(major)}:${hex(p & 0xffff)}`;
}

/** sprint_size(): whole Mb or Kb when exact enough, else bytes. */
function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && Math.abs(1024 * 1024 * Math.round(bytes / (1024 * 1024)) - bytes) < 1024)
    return `${Math.round(bytes / (1024 * 1024))}Mb`;
  if (bytes >= 1024 && Math.abs(1024 * Math.round(bytes / 1024) - bytes) < 16) return `${Math.round(bytes / 1024)}Kb`;
  return `${bytes}b`;
}

/** The qdiscs of `dev` (all devices when null), in the simulator's order, one block each. */
export function tcStatsText(qdiscs: readonly QdiscStats[], dev: string | null = null): string {
  const out: string[] = [];
  for (const q of qdiscs) {
    if (dev !== null && q.dev !== dev) continue;
    out.push(`qdisc ${q.kind} ${handleText(q.handle)} dev ${q.dev} ${parentText(q.parent)}`);
    out.push(
      ` Sent ${q.sentBytes} bytes ${q.sentPackets} pkt (dropped ${q.drops}, overlimits ${q.overlimits} requeues ${q.requeues}) `,
    );
    out.push(` backlog ${sizeText(q.backlogBytes)} ${q.qlen}p requeues ${q.requeues}`);
  }
  return out.join('\n') + '\n';
}
