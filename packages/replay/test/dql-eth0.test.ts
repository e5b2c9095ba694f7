/**
 * eth0-normal: BQL reconstructed from the trace + the model's exact Dql against the kernel's own
 * struct dql (dql-snapshots.txt: every snapshot's limit; dql-completed-inferred.jsonl: the state after
 * each dql_completed). The trace gives dql_queued(len) per net_dev_xmit rc=0 and one dql_completed per
 * batch of consume_skb of transmitted skbs (virtio free_old_xmit, §G.3).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEvents } from '@txreplay/ingest';
import { Dql, kernelBehaviour } from '@txreplay/model';
import { driveDql, observe, readColumns, timeOrder, type DqlStep } from '@txreplay/replay';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = path.join(process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared'), 'traces', 'eth0-normal');

interface DqlFields {
  limit: number;
  num_queued: number;
  num_completed: number;
  adj_limit: number;
  prev_ovlimit: number;
  prev_num_queued: number;
  prev_last_obj_cnt: number;
  lowest_slack: number;
  slack_start_time: number;
  last_obj_cnt: number;
}
interface Inferred {
  ts_ns: number;
  jiffies: number;
  count: number;
  before: DqlFields;
  after: DqlFields;
}

function snapshots(): { tsNs: bigint; jiffies: number; f: Record<string, string> }[] {
  return readFileSync(path.join(dir, 'dql-snapshots.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('ts_ns='))
    .map((l) => {
      const f = Object.fromEntries(l.split(' ').map((kv) => kv.split('=') as [string, string]));
      return { tsNs: BigInt(f.ts_ns!), jiffies: Number(f.jiffies), f };
    });
}

const state = (d: Dql): DqlFields => ({
  limit: d.limit,
  num_queued: d.numQueued,
  num_completed: d.numCompleted,
  adj_limit: d.adjLimit,
  prev_ovlimit: d.prevOvlimit,
  prev_num_queued: d.prevNumQueued,
  prev_last_obj_cnt: d.prevLastObjCnt,
  lowest_slack: d.lowestSlack,
  slack_start_time: d.slackStartTime,
  last_obj_cnt: d.lastObjCnt,
});

describe('eth0-normal DQL: trace + model vs the kernel struct dql', () => {
  it('reproduces every inferred dql_completed exactly and the limit at every snapshot', async () => {
    const { table } = await loadEvents([path.join(dir, 'ftrace.txt')]);
    const cols = readColumns(table);
    const obs = observe(cols, timeOrder(cols));
    const q = obs.devices.find((d) => d.name === 'eth0')!.queues.get(0)!;
    const inferred = readFileSync(path.join(dir, 'dql-completed-inferred.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Inferred);
    const snaps = snapshots();
    expect(inferred).toHaveLength(487);
    // the trace's completion batches are the kernel's dql_completed calls, one for one
    expect(q.dqlCompletedBytes.length).toBe(inferred.length);
    expect(Array.from(q.dqlCompletedBytes.view())).toEqual(inferred.map((r) => r.count));

    // seed the model with the kernel's state at the first snapshot (the queue ran long before the trace)
    const s0 = snaps[0]!.f;
    const dql = new Dql(kernelBehaviour('6.18.44'));
    dql.init(Number(s0.slack_hold_time), Number(s0.slack_start_time));
    Object.assign(dql, {
      limit: Number(s0.limit),
      numQueued: Number(s0.num_queued),
      numCompleted: Number(s0.num_completed),
      adjLimit: Number(s0.adj_limit),
      lastObjCnt: Number(s0.last_obj_cnt),
      prevOvlimit: Number(s0.prev_ovlimit),
      prevNumQueued: Number(s0.prev_num_queued),
      prevLastObjCnt: Number(s0.prev_last_obj_cnt),
      lowestSlack: Number(s0.lowest_slack),
      slackStartTime: Number(s0.slack_start_time),
      minLimit: Number(s0.min_limit),
      maxLimit: Number(s0.max_limit),
    });
    // jiffies at each call: the kernel's own value for completions (jsonl), the latest snapshot's otherwise
    const snapRel = snaps.map((s) => Number(s.tsNs - cols.baseNs));
    let sk = 0;
    let ck = 0;
    const jiffiesOf = (rel: number): number => {
      while (sk + 1 < snapRel.length && snapRel[sk + 1]! <= rel) sk++;
      return snaps[sk]!.jiffies;
    };
    const firstRel = snapRel[0]!;
    let matched = 0;
    const steps: DqlStep[] = [];
    driveDql(
      q,
      dql,
      (rel) => {
        const r = inferred[ck];
        return r && Math.abs(Number(BigInt(r.ts_ns) - cols.baseNs) - rel) < 5e6 ? r.jiffies : jiffiesOf(rel);
      },
      (s) => {
        steps.push(s);
        if (s.kind !== 'completed') return;
        const r = inferred[ck++]!;
        if (s.rel < firstRel) return;
        expect(s.bytes).toBe(r.count);
        expect(state(dql)).toEqual(r.after);
        matched++;
      },
    );
    expect(matched).toBeGreaterThan(480);
    // limit at every snapshot (the limit in force at the snapshot's time)
    let k = 0;
    let limit = Number(s0.limit);
    for (let i = 0; i < snaps.length; i++) {
      while (k < steps.length && steps[k]!.rel <= snapRel[i]!) limit = steps[k++]!.limitAfter;
      expect(limit).toBe(Number(snaps[i]!.f.limit));
    }
    expect(snaps.length).toBeGreaterThan(1000);
  });
});
