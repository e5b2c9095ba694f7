/**
 * struct netdev_queue state (spec §C) and the kernel-version switches (kernel.ts).
 */
import { describe, expect, it } from 'vitest';
import { kernelBehaviour } from '../src/core/kernel.js';
import {
  NetdevQueue,
  QUEUE_STATE_DRV_XOFF,
  QUEUE_STATE_FROZEN,
  QUEUE_STATE_STACK_XOFF,
  netifFreezeQueues,
  netifUnfreezeQueues,
} from '../src/core/netdev-queue.js';

const K612 = kernelBehaviour('6.12.117');
const K515 = kernelBehaviour('5.15.100');

describe('§C predicates', () => {
  it('§C each predicate tests exactly its mask, for all 8 combinations of the three bits', () => {
    const q = new NetdevQueue(0, K612);
    for (let state = 0; state < 8; state++) {
      q.state = state;
      expect(q.txqStopped(), `state ${state}`).toBe((state & 0x1) !== 0);
      expect(q.xmitStopped(), `state ${state}`).toBe((state & 0x3) !== 0);
      expect(q.xmitFrozenOrStopped(), `state ${state}`).toBe((state & 0x7) !== 0);
      expect(q.xmitFrozenOrDrvStopped(), `state ${state}`).toBe((state & 0x5) !== 0);
    }
    expect([QUEUE_STATE_DRV_XOFF, QUEUE_STATE_STACK_XOFF, QUEUE_STATE_FROZEN]).toEqual([1, 2, 4]);
  });
});

describe('§C stop / wake / start', () => {
  it('§C netif_tx_stop_queue refreshes trans_start on 6.x, not on 5.15', () => {
    const q6 = new NetdevQueue(0, K612);
    q6.transStart = 100;
    q6.stop(5000);
    expect(q6.state).toBe(QUEUE_STATE_DRV_XOFF);
    expect(q6.transStart).toBe(5000);
    const q5 = new NetdevQueue(0, K515);
    q5.transStart = 100;
    q5.stop(5000);
    expect(q5.state).toBe(QUEUE_STATE_DRV_XOFF);
    expect(q5.transStart).toBe(100);
  });

  it('§C netif_tx_wake_queue schedules the qdisc only if DRV_XOFF was set', () => {
    const q = new NetdevQueue(0, K612);
    expect(q.wake()).toBe(false);
    q.stop(1);
    expect(q.wake()).toBe(true);
    expect(q.state).toBe(0);
    expect(q.wake()).toBe(false);
    // STACK_XOFF is BQL's: wake neither clears it nor schedules
    q.state = QUEUE_STATE_STACK_XOFF;
    expect(q.wake()).toBe(false);
    expect(q.state).toBe(QUEUE_STATE_STACK_XOFF);
  });

  it('§C netif_tx_start_queue clears DRV_XOFF without scheduling: a later wake has nothing to schedule', () => {
    const q = new NetdevQueue(0, K612);
    q.stop(1);
    q.start();
    expect(q.state).toBe(0);
    expect(q.wake()).toBe(false); // the schedule that wake would have done is lost
  });

  it('§C netif_schedule_queue: schedules unless DRV_XOFF/STACK_XOFF; FROZEN does not prevent it', () => {
    const q = new NetdevQueue(0, K612);
    q.state = QUEUE_STATE_FROZEN;
    expect(q.scheduleQueue()).toBe(true);
    q.state = QUEUE_STATE_STACK_XOFF;
    expect(q.scheduleQueue()).toBe(false);
  });
});

describe('§C freeze / unfreeze', () => {
  it('§C freeze sets FROZEN (frozen_or_stopped, not xmit_stopped); unfreeze clears it and schedules unless stopped', () => {
    const queues = [new NetdevQueue(0, K612), new NetdevQueue(1, K612), new NetdevQueue(2, K612)];
    queues[1]?.stop(10);
    netifFreezeQueues(queues);
    for (const q of queues) {
      expect(q.state & QUEUE_STATE_FROZEN).toBe(QUEUE_STATE_FROZEN);
      expect(q.xmitFrozenOrStopped()).toBe(true);
    }
    expect(queues[0]?.xmitStopped()).toBe(false);
    expect(netifUnfreezeQueues(queues)).toEqual([0, 2]);
    for (const q of queues) expect(q.state & QUEUE_STATE_FROZEN).toBe(0);
    expect(queues[1]?.state).toBe(QUEUE_STATE_DRV_XOFF);
  });
});

describe('§C trans_start writers', () => {
  it('§C txq_trans_update writes trans_start only when the xmit lock is held (not for lltx)', () => {
    const q = new NetdevQueue(0, K612);
    expect(q.transStart).toBe(0); // transition_one_qdisc leaves 0
    q.transUpdate(700);
    expect(q.transStart).toBe(700);
    q.transUpdate(800, false);
    expect(q.transStart).toBe(700);
    q.transCondUpdate(900);
    expect(q.transStart).toBe(900);
  });

  it('§B a queue without BQL has no dql', () => {
    expect(new NetdevQueue(0, K612, { bql: false }).dql).toBeNull();
    const q = new NetdevQueue(3, K612, { hz: 250, jiffies: 4294892296 });
    expect(q.dql?.slackHoldTime).toBe(250);
    expect(q.dql?.slackStartTime).toBe(4294892296);
  });
});

describe('kernel-version behaviours (§A.6, §B, §C, §E)', () => {
  it('maps the verified releases to their rules', () => {
    expect(K612).toMatchObject({
      label: '6.12',
      dqlResetSetsLimitTo: 'min_limit',
      dqlClamp: 'v6',
      dqlStallDetection: true,
      transStartOnStop: true,
      watchdogRearm: 'oldest_start',
      watchdogFreezesAllQueues: false,
      nullDequeuePackets: 1,
      dqlQueuedOversize: 'warn_return',
    });
    expect(K515).toMatchObject({
      label: '5.15',
      dqlResetSetsLimitTo: 'zero',
      dqlClamp: 'v5',
      dqlStallDetection: false,
      transStartOnStop: false,
      watchdogRearm: 'jiffies',
      watchdogFreezesAllQueues: true,
      dqlQueuedOversize: 'bug',
      watchdogLog: 'warn_once',
    });
    expect(kernelBehaviour('6.18.44-fc-v769')).toMatchObject({
      label: '6.18',
      nullDequeuePackets: 0,
      dqlResetSetsLimitTo: 'min_limit',
      watchdogLog: 'netdev_crit_ms',
    });
    expect(kernelBehaviour('6.12')).toMatchObject({ dqlResetSetsLimitTo: 'min_limit', transStartOnStop: true });
    expect(kernelBehaviour('6.1.192')).toMatchObject({
      dqlResetSetsLimitTo: 'min_limit',
      transStartOnStop: true,
      watchdogRearm: 'oldest_start',
      dqlStallDetection: false,
    });
  });

  it('stable backports switch at their sublevel', () => {
    expect(kernelBehaviour('6.1.114').transStartOnStop).toBe(false);
    expect(kernelBehaviour('6.1.115').transStartOnStop).toBe(true);
    expect(kernelBehaviour('6.12.31').dqlResetSetsLimitTo).toBe('zero');
    expect(kernelBehaviour('6.12.32').dqlResetSetsLimitTo).toBe('min_limit');
    expect(kernelBehaviour('6.8.0').watchdogFreezesAllQueues).toBe(true);
    expect(kernelBehaviour('6.9.0')).toMatchObject({
      watchdogFreezesAllQueues: false,
      dqlStallDetection: true,
      dqlStallHistoryAlways: true,
    });
  });

  it('rejects what is not a kernel release', () => {
    expect(() => kernelBehaviour('linux')).toThrow(/cannot parse/);
  });
});
