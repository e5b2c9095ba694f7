/**
 * Golden DQL replay (spec §A; lib/dynamic_queue_limits.c run in a userspace harness).
 * Replays every file of shared/golden/dql (or $TXREPLAY_GOLDEN_DQL) and requires, after every
 * operation, the full struct dql, dql_avail, inflight and the napi:dql_stall_detected arguments
 * to equal the kernel's. 100 % of operations is the only pass.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dql, type DqlStallEvent } from '../src/core/dql.js';
import { kernelBehaviour, type KernelBehaviour } from '../src/core/kernel.js';
import { goldenDqlDir } from './golden-dir.js';

interface GoldenHeader {
  type: 'header';
  schema: string;
  kernel: string;
  hz: number;
  initial_jiffies: number;
  stall_detection: boolean;
  reset_sets_limit_to: 'min_limit' | 'zero';
  clamp: 'v6' | 'v5';
  ops: number;
}

interface GoldenStallEvent {
  thrs: number;
  len: number;
  last_reap: number;
  hist_head: number;
  now: number;
  hist: string[];
}

interface GoldenOp {
  type: 'op';
  i: number;
  op: string;
  arg: number | null;
  jiffies: number;
  avail: number;
  inflight: number;
  state: Record<string, number | string[]>;
  stall_event: GoldenStallEvent | null;
}

const hex64 = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

/** Kernel field name → model value. The first 13 are the 5.15 struct dql. */
function modelState(dql: Dql): Record<string, number | string[]> {
  return {
    num_queued: dql.numQueued,
    adj_limit: dql.adjLimit,
    last_obj_cnt: dql.lastObjCnt,
    limit: dql.limit,
    num_completed: dql.numCompleted,
    prev_ovlimit: dql.prevOvlimit,
    prev_num_queued: dql.prevNumQueued,
    prev_last_obj_cnt: dql.prevLastObjCnt,
    lowest_slack: dql.lowestSlack,
    slack_start_time: dql.slackStartTime,
    max_limit: dql.maxLimit,
    min_limit: dql.minLimit,
    slack_hold_time: dql.slackHoldTime,
    stall_thrs: dql.stallThrs,
    history_head: dql.historyHead,
    history: dql.history().map(hex64),
    stall_max: dql.stallMax,
    last_reap: dql.lastReap,
    stall_cnt: dql.stallCnt,
  };
}

function eventToGolden(e: DqlStallEvent | null): GoldenStallEvent | null {
  if (e === null) return null;
  return {
    thrs: e.thrs,
    len: e.len,
    last_reap: e.lastReap,
    hist_head: e.histHead,
    now: e.now,
    hist: e.hist.map(hex64),
  };
}

function applyOp(dql: Dql, kernel: KernelBehaviour, op: GoldenOp): { dql: Dql; event: DqlStallEvent | null } {
  const arg = op.arg ?? 0;
  const j = op.jiffies;
  switch (op.op) {
    case 'init': {
      // "zero the struct, then dql_init(dql, arg)"
      const fresh = new Dql(kernel);
      fresh.init(arg, j);
      return { dql: fresh, event: null };
    }
    case 'queued':
      dql.queued(arg, j);
      return { dql, event: null };
    case 'completed':
      return { dql, event: dql.completed(arg, j) };
    case 'reset':
      dql.reset(j);
      break;
    case 'set_min_limit':
      dql.setMinLimit(arg);
      break;
    case 'set_max_limit':
      dql.setMaxLimit(arg);
      break;
    case 'set_limit':
      dql.setLimit(arg);
      break;
    case 'set_hold_time':
      dql.setHoldTime(arg);
      break;
    case 'set_stall_thrs':
      dql.setStallThrs(arg, j);
      break;
    case 'clear_stall_max':
      dql.clearStallMax();
      break;
    default:
      throw new Error(`unknown golden op '${op.op}' at i=${op.i}`);
  }
  return { dql, event: null };
}

interface FileResult {
  file: string;
  ops: number;
  matched: number;
  firstMismatch: string | null;
}

function replayFile(file: string): FileResult {
  const name = path.basename(file);
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const header = JSON.parse(lines[0] ?? 'null') as GoldenHeader | null;
  if (header === null || header.type !== 'header' || header.schema !== 'dql-golden/1') {
    throw new Error(`${name}:1: not a dql-golden/1 header`);
  }
  const kernel = kernelBehaviour(header.kernel);
  // The file's declared semantics must be what kernelBehaviour() picks for that release.
  if (
    kernel.dqlResetSetsLimitTo !== header.reset_sets_limit_to ||
    kernel.dqlClamp !== header.clamp ||
    kernel.dqlStallDetection !== header.stall_detection
  ) {
    return {
      file: name,
      ops: lines.length - 1,
      matched: 0,
      firstMismatch: `${name}: header ${header.kernel} declares reset=${header.reset_sets_limit_to} clamp=${header.clamp} stall=${header.stall_detection}, kernelBehaviour gives reset=${kernel.dqlResetSetsLimitTo} clamp=${kernel.dqlClamp} stall=${kernel.dqlStallDetection}`,
    };
  }
  let dql = new Dql(kernel);
  let matched = 0;
  let firstMismatch: string | null = null;
  for (let n = 1; n < lines.length; n++) {
    let op: GoldenOp;
    try {
      op = JSON.parse(lines[n] as string) as GoldenOp;
    } catch (err) {
      throw new Error(`${name}:${n + 1}: bad JSON (${(err as Error).message})`);
    }
    const where = `${name} line ${n + 1} op i=${op.i} (${op.op} ${String(op.arg)} @ jiffies ${op.jiffies})`;
    let event: DqlStallEvent | null;
    try {
      ({ dql, event } = applyOp(dql, kernel, op));
    } catch (err) {
      firstMismatch = `${where}: threw ${(err as Error).message}`;
      break;
    }
    const actual = modelState(dql);
    let bad: string | null = null;
    for (const [key, expected] of Object.entries(op.state)) {
      const got = actual[key];
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        bad = `field ${key}: expected ${JSON.stringify(expected)}, actual ${JSON.stringify(got)}`;
        break;
      }
    }
    if (bad === null && dql.avail() !== op.avail) bad = `avail: expected ${op.avail}, actual ${dql.avail()}`;
    if (bad === null && dql.inflight() !== op.inflight)
      bad = `inflight: expected ${op.inflight}, actual ${dql.inflight()}`;
    if (bad === null) {
      const e = JSON.stringify(op.stall_event);
      const a = JSON.stringify(eventToGolden(event));
      if (e !== a) bad = `stall_event: expected ${e}, actual ${a}`;
    }
    if (bad !== null) {
      firstMismatch = `${where}: ${bad}`;
      break;
    }
    matched++;
  }
  return { file: name, ops: lines.length - 1, matched, firstMismatch };
}

describe('DQL golden vectors (§A, lib/dynamic_queue_limits.c)', () => {
  it('matches the kernel after every operation of every golden file', () => {
    const files = readdirSync(goldenDqlDir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .map((f) => path.join(goldenDqlDir, f));
    // A missing or empty golden directory must fail loudly, not pass with 0/0.
    expect(files.length, `no *.jsonl golden files in ${goldenDqlDir}`).toBeGreaterThan(0);
    let total = 0;
    let matched = 0;
    let stallEvents = 0;
    const failures: string[] = [];
    for (const f of files) {
      const r = replayFile(f);
      total += r.ops;
      matched += r.matched;
      if (r.firstMismatch !== null) failures.push(r.firstMismatch);
      stallEvents += (readFileSync(f, 'utf8').match(/"stall_event":\{/g) ?? []).length;
    }
    console.log(
      `DQL golden: ${matched}/${total} ops matched (${files.length} files, ${stallEvents} stall events) from ${goldenDqlDir}`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    expect(matched).toBe(total);
  });
});
