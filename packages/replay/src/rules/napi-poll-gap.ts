/**
 * napi_poll_gap (§F, §I.12): a NAPI instance the trace knows only by its pointer (napi_poll `for device (no_device)`,
 * the per-CPU backlog NAPI with napi->dev NULL, or a capture without the device field) returned work == budget and
 * was not polled again for longer than netdev_budget_usecs (2*USEC_PER_SEC/HZ). A poll that uses its whole budget
 * keeps the instance on the poll list (net_rx_action re-polls it, re-raising NET_RX_SOFTIRQ when out of time): a wait
 * past one softirq time budget is softirq starvation, and past watchdog_timeo it is as long as a TX watchdog allows.
 * Gaps after a poll with work < budget are not judged: the instance completed and is polled only when next scheduled.
 */
import { pointerHex } from '../view/advice.js';
import { fmtMs, type FindingOptions, type FindingSink, type Needs } from './context.js';
import type { Observed } from '../observe/records.js';
import type { FindingKind } from '../types.js';

export const napiPollGap: { kind: FindingKind; needs: Needs } = {
  kind: 'napi_poll_gap',
  needs: { events: ['napi:napi_poll'], signals: ['work == budget polls of a NAPI without a device name'] },
};

export function napiPollGaps(o: Observed, opt: FindingOptions, sink: FindingSink): void {
  const budgetNs = (2 * 1e9) / opt.hz;
  const watchdogNs = ((opt.profile.watchdogTimeoJiffies ?? 5 * opt.hz) * 1e9) / opt.hz;
  for (const a of o.anonNapis) {
    if (a.maxFullGap <= budgetNs) continue;
    const who = `napi ${pointerHex(a.napi)}${a.label ? ` ${a.label}` : ''}`;
    const fromRel = o.rows.tsRel(a.maxFullGapFromRow);
    sink.add(
      'napi_poll_gap',
      a.maxFullGap >= watchdogNs ? 'critical' : 'warning',
      a.label ?? `napi:${pointerHex(a.napi)}`,
      null,
      fromRel,
      fromRel + a.maxFullGap,
      `${who} returned a full budget and was not polled again for ${fmtMs(a.maxFullGap)} (netdev_budget_usecs ${fmtMs(budgetNs)}, watchdog_timeo ${fmtMs(watchdogNs)})`,
      `A poll that returns work == budget leaves the NAPI scheduled: net_rx_action polls it again in the same softirq or re-raises NET_RX_SOFTIRQ when netdev_budget_usecs (${fmtMs(budgetNs)} at HZ=${opt.hz}) is used up (§F). This one waited ${fmtMs(a.maxFullGap)}: the softirq (or the ksoftirqd / NAPI thread) did not run, i.e. CPU starvation (§I.12)${a.maxFullGap >= watchdogNs ? `, longer than watchdog_timeo (${fmtMs(watchdogNs)}): a TX NAPI this late would trip dev_watchdog (§E)` : ''}. ` +
        `What the trace cannot show: which device this NAPI serves (the event names no device${a.label === '(no_device)' ? ': (no_device) is the per-CPU backlog NAPI, which drains netif_rx input such as a veth peer without GRO/XDP' : ''}), so no TX queue is blamed.`,
      [
        sink.ev(a.maxFullGapFromRow, 'napi_poll with work == budget: still scheduled'),
        sink.ev(a.maxFullGapToRow, 'next poll of the same NAPI'),
      ],
      [
        '/proc/net/softnet_stat column 3 (time_squeeze) and the CPU time of ksoftirqd / the NAPI threads',
        'capture napi:napi_poll with the device name (a kernel that sets napi->dev) to tie the NAPI to a TX queue',
      ],
    );
  }
}
