/**
 * "What would the kernel's BQL stall detector have caught on this trace?" (6.9+, napi:dql_stall_detected; sysfs
 * byte_queue_limits/stall_thrs, stall_cnt, stall_max). Each queue's observed BQL stream (dql_queued at every
 * net_dev_xmit rc=0, dql_completed per completion batch) drives the model's kernel-exact Dql — golden-tested against
 * the kernel's own lib/dynamic_queue_limits.c, stall detector included — with stall_thrs set as
 * bql_set_stall_thrs() would set it, and stall_cnt / stall_max / the stall events come out as dql_check_stall()
 * computes them (§A.5).
 */
import { Dql, kernelBehaviour } from '@txreplay/model/core';
import { firstStallRel, type JiffiesOf } from './expected-dql.js';
import type { Observed } from './observe/records.js';

export interface StallWhatIf {
  dev: string;
  queue: number;
  /** the threshold asked for, ms, and what msecs_to_jiffies() makes of it at this HZ */
  thrsMs: number;
  thrsJiffies: number;
  /** dql->stall_cnt and dql->stall_max (jiffies, and ms at this HZ) after the whole trace */
  stallCnt: number;
  stallMaxJiffies: number;
  stallMaxMs: number;
  /** when the detector would have fired first (trace clock, ns), null when it would not */
  firstStallNs: bigint | null;
}

/** msecs_to_jiffies() (include/linux/jiffies.h): rounds up. */
function msecsToJiffies(ms: number, hz: number): number {
  return Math.ceil((ms * hz) / 1000);
}

/** Checks a stall_thrs in ms the way the sysfs write does (0 or 4..128 jiffies after msecs_to_jiffies), else throws. */
export function stallThrsJiffies(ms: number, hz: number): number {
  const j = msecsToJiffies(ms, hz);
  if (!(ms > 0) || j < 4 || j > 128) {
    const lo = Math.ceil((4 * 1000) / hz);
    const hi = Math.floor((128 * 1000) / hz);
    throw new RangeError(
      `stall_thrs ${ms} ms is ${j} jiffies at HZ=${hz}: the kernel takes 4..128 jiffies (${lo}..${hi} ms)`,
    );
  }
  return j;
}

/**
 * Run the detector at each threshold over every queue that has a BQL stream. The trace's kernel decides the DQL
 * behaviour; before 6.9 (no detector) the 6.12 detector answers "what would it have caught".
 */
export function stallThrsWhatIf(
  obs: Observed,
  kernel: string,
  hz: number,
  jiffiesOf: JiffiesOf,
  thrsMs: readonly number[],
  ns: (rel: number) => bigint,
): StallWhatIf[] {
  const behaviour = kernelBehaviour(kernel).dqlStallDetection ? kernelBehaviour(kernel) : kernelBehaviour('6.12');
  const thresholds = thrsMs.map((ms) => ({ ms, j: stallThrsJiffies(ms, hz) }));
  const out: StallWhatIf[] = [];
  for (const d of obs.devices) {
    for (const q of [...d.queues.values()].sort((a, b) => a.queue - b.queue)) {
      if (q.dqlQueuedTs.length === 0) continue;
      for (const { ms, j } of thresholds) {
        const start = jiffiesOf(obs.firstRel);
        const dql = new Dql(behaviour);
        dql.init(hz, start); // netdev_init_one_queue: dql_init(&queue->dql, HZ) (§A.2)
        dql.setStallThrs(j, start);
        const firstRel = firstStallRel(q, dql, jiffiesOf);
        const firstStallNs = firstRel === null ? null : ns(firstRel);
        out.push({
          dev: d.name,
          queue: q.queue,
          thrsMs: ms,
          thrsJiffies: j,
          stallCnt: dql.stallCnt,
          stallMaxJiffies: dql.stallMax,
          stallMaxMs: (dql.stallMax * 1000) / hz,
          firstStallNs,
        });
      }
    }
  }
  return out;
}
