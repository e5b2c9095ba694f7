/**
 * The timelines of a post-mortem: one per device that has TX queues, its queues on one shared axis, its
 * findings' windows marked. The device of the worst finding comes first (the report's first screen).
 */
import type { Finding, ReplayResult } from '@txreplay/replay';
import { type DeviceChartData, deviceNotes, domId, queueChartData, sec, windowMark } from './chart-data.js';
import { deviceFacts, type DeviceFactsInput } from './device-facts.js';

export interface TimelineModel {
  devices: DeviceChartData[];
  /** finding → its number (1 = worst) in the post-mortem */
  numberOf: Map<Finding, number>;
  /** ifindex per device name, where the result carries one (an attribute, not a second name) */
  ifindexOf: Map<string, number>;
}

function devicesWithQueues(result: ReplayResult): Map<string, number[]> {
  const byDev = new Map<string, Set<number>>();
  const add = (dev: string, q: number): void => {
    const s = byDev.get(dev) ?? new Set<number>();
    s.add(q);
    byDev.set(dev, s);
  };
  for (const q of result.queues) add(q.dev, q.queue);
  for (const s of result.series) add(s.dev, s.queue);
  return new Map([...byDev].map(([d, s]) => [d, [...s].sort((a, b) => a - b)]));
}

export function timelineModel(result: ReplayResult, ranked: Finding[], facts: DeviceFactsInput): TimelineModel {
  const first = result.trace.firstNs;
  const spanS = sec(first, result.trace.lastNs);
  const numberOf = new Map(ranked.map((f, i) => [f, i + 1]));
  const ifindexOf = new Map<string, number>();
  for (const q of result.queues) if (q.ifindex !== null) ifindexOf.set(q.dev, q.ifindex);
  const devices: DeviceChartData[] = [];
  for (const [dev, queues] of devicesWithQueues(result)) {
    const df = deviceFacts(dev, facts);
    let columns: number | null = null;
    const qs = queues.map((queue) => {
      const s = result.series.find((x) => x.dev === dev && x.queue === queue) ?? null;
      const iv = result.queues.find((x) => x.dev === dev && x.queue === queue)?.stoppedIntervals ?? [];
      const r = queueChartData(first, result.trace.lastNs, queue, s, iv, df);
      columns ??= r.columns;
      return r.data;
    });
    const windows = ranked.filter((f) => f.dev === dev).map((f) => windowMark(first, f, numberOf.get(f)!));
    devices.push({ dev, id: domId(dev), spanS, queues: qs, windows, notes: deviceNotes(df), columns });
  }
  // the worst finding's device first: the first screen shows its timeline beside the verdict
  const worst = ranked.find((f) => devices.some((d) => d.dev === f.dev));
  if (worst) devices.sort((a, b) => Number(b.dev === worst.dev) - Number(a.dev === worst.dev));
  return { devices, numberOf, ifindexOf };
}
