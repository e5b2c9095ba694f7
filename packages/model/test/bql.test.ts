/**
 * BQL glue (spec §B): netdev_tx_sent_queue, __netdev_tx_sent_queue, netdev_tx_completed_queue,
 * netdev_tx_reset_queue, netdev_queue_dql_avail.
 */
import { describe, expect, it } from 'vitest';
import {
  netdevQueueDqlAvail,
  netdevTxCompletedQueue,
  netdevTxResetQueue,
  netdevTxSentQueue,
  netdevTxSentQueueMore,
} from '../src/core/bql.js';
import { kernelBehaviour } from '../src/core/kernel.js';
import { NetdevQueue, QUEUE_STATE_DRV_XOFF, QUEUE_STATE_STACK_XOFF } from '../src/core/netdev-queue.js';
import { prng } from './prng.js';

const K612 = kernelBehaviour('6.12.117');
const K515 = kernelBehaviour('5.15.100');

function queue(kernel = K612): NetdevQueue {
  return new NetdevQueue(0, kernel, { hz: 1000, jiffies: 1000 });
}

describe('§B netdev_tx_sent_queue', () => {
  it('§B sets STACK_XOFF when dql_avail < 0, and refreshes trans_start first on 6.x only', () => {
    const q6 = queue(K612);
    netdevTxSentQueue(q6, 1500, 2000); // limit 0: avail -1500
    expect(q6.state).toBe(QUEUE_STATE_STACK_XOFF);
    expect(q6.transStart).toBe(2000);
    const q5 = queue(K515);
    netdevTxSentQueue(q5, 1500, 2000);
    expect(q5.state).toBe(QUEUE_STATE_STACK_XOFF);
    expect(q5.transStart).toBe(0);
  });

  it('§B leaves the state alone while dql_avail >= 0', () => {
    const q = queue();
    q.dql?.setLimit(10000);
    // the limit write reaches adj_limit only at the next completion: this send is still over
    netdevTxSentQueue(q, 1000, 2000);
    expect(q.state).toBe(QUEUE_STATE_STACK_XOFF);
    expect(netdevTxCompletedQueue(q, 1, 1000, 2001).reschedule).toBe(true);
    q.transStart = 0;
    netdevTxSentQueue(q, 5000, 2002);
    expect(netdevQueueDqlAvail(q)).toBe(5000);
    expect(q.state).toBe(0);
    expect(q.transStart).toBe(0);
  });

  it('§B re-check: a completion racing between set_bit and the re-check clears STACK_XOFF again', () => {
    const q = queue();
    let rescheduledByRacer = false;
    netdevTxSentQueue(q, 1500, 2000, (txq) => {
      // another CPU completes everything in the window after set_bit(STACK_XOFF)
      rescheduledByRacer = netdevTxCompletedQueue(txq, 1, 1500, 2000).reschedule;
    });
    expect(rescheduledByRacer).toBe(true); // the racer itself test_and_clear'ed and rescheduled
    expect(q.state).toBe(0);
    // and when the racer frees too little, the bit stays
    const q2 = queue();
    netdevTxSentQueue(q2, 3000, 2000, (txq) => {
      netdevTxCompletedQueue(txq, 0, 0, 2000); // bytes == 0: nothing happens
    });
    expect(q2.state).toBe(QUEUE_STATE_STACK_XOFF);
  });
});

describe('§B __netdev_tx_sent_queue (xmit_more)', () => {
  it('§B with xmit_more only accounts bytes and returns DRV_XOFF; the last skb of the batch evaluates STACK_XOFF', () => {
    const q = queue();
    expect(netdevTxSentQueueMore(q, 1500, true, 2000)).toBe(false); // no doorbell yet
    expect(q.dql?.avail()).toBe(-1500);
    expect(q.state).toBe(0); // over the limit but STACK_XOFF not evaluated
    q.stop(2000);
    expect(netdevTxSentQueueMore(q, 1500, true, 2000)).toBe(true); // DRV_XOFF: ring the doorbell now
    expect(netdevTxSentQueueMore(q, 1500, false, 2000)).toBe(true);
    expect(q.state).toBe(QUEUE_STATE_DRV_XOFF | QUEUE_STATE_STACK_XOFF);
    expect(q.dql?.numQueued).toBe(4500);
  });
});

describe('§B netdev_tx_completed_queue', () => {
  it('§B bytes == 0 returns before dql_completed: no state change, no stall check', () => {
    const q = queue();
    q.dql?.setStallThrs(8, 1000);
    netdevTxSentQueue(q, 1500, 1001);
    const before = JSON.stringify(q.dql);
    const r = netdevTxCompletedQueue(q, 0, 0, 1100);
    expect(r.reschedule).toBe(false);
    expect(r.stall).toBeNull();
    expect(JSON.stringify(q.dql)).toBe(before);
    expect(q.state).toBe(QUEUE_STATE_STACK_XOFF);
    // the same completion with bytes reports the stall
    expect(netdevTxCompletedQueue(q, 1, 1500, 1100).stall?.len).toBe(99);
  });

  it('§B reschedules only when it test_and_clears STACK_XOFF and the queue is not DRV_XOFF', () => {
    // avail >= 0 but STACK_XOFF not set → no reschedule
    const a = queue();
    a.dql?.setLimit(100000);
    netdevTxSentQueue(a, 1000, 2000);
    netdevTxCompletedQueue(a, 1, 1000, 2001); // adj_limit now 101000
    netdevTxSentQueue(a, 1000, 2002);
    expect(a.state).toBe(0);
    expect(netdevTxCompletedQueue(a, 1, 1000, 2003).reschedule).toBe(false);
    // STACK_XOFF set, completion brings avail >= 0 → cleared and rescheduled
    const b = queue();
    netdevTxSentQueue(b, 1500, 2000);
    expect(netdevTxCompletedQueue(b, 1, 1500, 2001).reschedule).toBe(true);
    expect(b.state).toBe(0);
    // STACK_XOFF and DRV_XOFF: STACK_XOFF cleared, but netif_schedule_queue sees the queue stopped
    const c = queue();
    netdevTxSentQueue(c, 1500, 2000);
    c.stop(2000);
    expect(netdevTxCompletedQueue(c, 1, 1500, 2001).reschedule).toBe(false);
    expect(c.state).toBe(QUEUE_STATE_DRV_XOFF);
    // still over the limit after the completion → STACK_XOFF stays
    const d = queue();
    netdevTxSentQueue(d, 3000, 2000);
    netdevTxSentQueue(d, 3000, 2000);
    expect(netdevTxCompletedQueue(d, 1, 1000, 2001).reschedule).toBe(false);
    expect(d.dql?.avail()).toBeLessThan(0);
    expect(d.state).toBe(QUEUE_STATE_STACK_XOFF);
  });
});

describe('§B reset and non-BQL drivers', () => {
  it('§B netdev_tx_reset_queue clears STACK_XOFF and resets the dql', () => {
    const q = queue();
    netdevTxSentQueue(q, 1500, 2000);
    netdevTxResetQueue(q, 2100);
    expect(q.state).toBe(0);
    expect(q.dql?.inflight()).toBe(0);
    expect(q.dql?.slackStartTime).toBe(2100);
  });

  it('§B a driver without BQL: the helpers do nothing and netdev_queue_dql_avail is 0', () => {
    const q = new NetdevQueue(0, K612, { bql: false });
    netdevTxSentQueue(q, 1500, 2000);
    expect(q.state).toBe(0);
    expect(netdevQueueDqlAvail(q)).toBe(0);
    expect(netdevTxCompletedQueue(q, 1, 1500, 2001).reschedule).toBe(false);
    expect(netdevTxSentQueueMore(q, 1500, true, 2000)).toBe(false);
  });
});

describe('§B invariants over randomized driver runs', () => {
  it('in flight never negative; STACK_XOFF set exactly when over the limit after a send; a stopped queue is woken when its ring drains', () => {
    for (const kernel of [K612, K515]) {
      for (let seed = 100; seed < 130; seed++) {
        const rnd = prng(seed);
        const q = new NetdevQueue(0, kernel, { hz: 250, jiffies: 4294892296 });
        const ring: number[] = []; // bytes of posted, uncompleted packets, FIFO
        let jiffies = 4294892296;
        let posted = 0;
        let completedBytes = 0;
        const fail = (msg: string): never => {
          throw new Error(`${kernel.label} seed ${seed}: ${msg}`);
        };
        for (let step = 0; step < 2000; step++) {
          jiffies += rnd() < 0.3 ? 1 : 0;
          if (!q.xmitFrozenOrStopped() && rnd() < 0.6) {
            const size = 60 + Math.floor(rnd() * 9000);
            netdevTxSentQueueMore(q, size, rnd() < 0.2, jiffies);
            ring.push(size);
            posted += size;
          } else if (ring.length > 0) {
            // a completion pass cleans up to `work` packets
            const drainAll = rnd() < 0.2;
            const work = drainAll ? ring.length : 1 + Math.floor(rnd() * ring.length);
            let bytes = 0;
            for (let i = 0; i < work; i++) bytes += ring.shift() as number;
            const wasStackXoff = (q.state & QUEUE_STATE_STACK_XOFF) !== 0;
            const r = netdevTxCompletedQueue(q, work, bytes, jiffies);
            completedBytes += bytes;
            if (ring.length === 0 && wasStackXoff) {
              // everything completed: avail = limit >= 0, so the stack must be let go again
              if ((q.state & QUEUE_STATE_STACK_XOFF) !== 0) fail('STACK_XOFF still set with an empty ring');
              if (!r.reschedule) fail('drained ring did not reschedule the qdisc');
            }
          } else if ((q.state & QUEUE_STATE_STACK_XOFF) !== 0 && q.dql?.inflight() === 0) {
            fail('stopped with nothing in flight: nobody would ever wake it');
          }
          if (posted - completedBytes < 0) fail('negative bytes in flight');
          if (q.dql?.inflight() !== (posted - completedBytes) % 2 ** 32) fail('inflight mismatch');
          const over = (q.dql?.avail() ?? 0) < 0;
          if (!over && (q.state & QUEUE_STATE_STACK_XOFF) !== 0) fail('STACK_XOFF set while under the limit');
        }
      }
    }
  });
});
