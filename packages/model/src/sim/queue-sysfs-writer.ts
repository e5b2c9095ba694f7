/**
 * A simulated device's TX queues as `grep . /sys/class/net/DEV/queues/tx-* /byte_queue_limits/{inflight,limit}
 * /sys/class/net/DEV/queues/tx-* /tx_timeout` prints them (net/core/net-sysfs.c): BQL's inflight (num_queued −
 * num_completed) and limit from the queue's DQL, and tx_timeout, the trans_timeout dev_watchdog() bumps for the
 * queue it times out. Queues without BQL have no byte_queue_limits files.
 */
import type { SimResult } from './simulator.js';

export function queueSysfsText(result: SimResult, dev: string): string {
  const index = result.devices.findIndex((d) => d.name === dev);
  if (index < 0) throw new Error(`no device ${dev} in the simulation`);
  const out: string[] = [];
  for (const q of result.queues) {
    if (q.dev !== dev) continue;
    const dir = `/sys/class/net/${dev}/queues/tx-${q.queue}`;
    if (q.dqlInflight !== null && q.dqlLimit !== null) {
      out.push(`${dir}/byte_queue_limits/inflight:${q.dqlInflight}`, `${dir}/byte_queue_limits/limit:${q.dqlLimit}`);
    }
    const timeouts = result.watchdogFires.filter((w) => w.dev === index && w.queue === q.queue).length;
    out.push(`${dir}/tx_timeout:${timeouts}`);
  }
  return `${out.join('\n')}\n`;
}
