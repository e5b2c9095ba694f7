/**
 * The post-mortem's evidence sections, as plain text the Markdown and HTML renderers escape for their output:
 * what the input could not judge (and why), where an application's ENOBUFS came from, and what the snapshots
 * given beside the trace hold (tc -s, ethtool -S, ip -s link / ifconfig / /proc/net/dev, TX-queue sysfs, /proc/interrupts, bpftrace maps: replay's
 * snapshotSections, the lines the text verdict prints).
 */
import { ENOBUFS_LAYER_LABEL, ENOBUFS_STATUS_LABEL, snapshotSections, type ReplayResult } from '@txreplay/replay';

export interface EvidenceSection {
  heading: string;
  items: string[];
}

export function evidenceSections(result: ReplayResult): EvidenceSection[] {
  const out: EvidenceSection[] = [];
  const unjudged = result.coverage.cannotJudge ?? [];
  if (unjudged.length > 0) {
    out.push({
      heading: 'Not judged: the input lacks what these finding kinds need',
      items: unjudged.map(
        (u) =>
          `${u.kind}${u.dev === null ? '' : ` on ${u.dev}`}: without ${u.missing.join(' and ')} (its absence above says nothing)`,
      ),
    });
  }
  if (result.coverage.unknownNs > 0)
    out.push({
      heading: 'Unknown time',
      items: [
        `the tracer lost ${result.coverage.lostEvents} event(s): ${(result.coverage.unknownNs / 1e6).toFixed(3)} ms of the trace is unknown, not quiet`,
      ],
    });
  const enobufs = result.enobufs ?? [];
  if (enobufs.some((s) => s.status === 'shown')) {
    out.push({
      heading: 'Where an ENOBUFS came from',
      items: enobufs.map(
        (s) =>
          `${ENOBUFS_LAYER_LABEL[s.layer]}: ${ENOBUFS_STATUS_LABEL[s.status]}${s.status === 'shown' && s.packets !== null ? ` (${s.packets} packet(s))` : ''}: ${s.why}${s.where.length > 0 ? ` — ${s.where.slice(0, 8).join('; ')}` : ''}`,
      ),
    });
  }
  out.push(...snapshotSections(result));
  return out;
}
