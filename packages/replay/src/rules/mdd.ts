/**
 * A TX queue the NIC itself shut: Intel's 700/800-series parts check every descriptor and packet a driver hands them
 * (Malicious Driver Detection) and disable the queue on one that breaks their rules; i40e_handle_mdd_event() then
 * resets the PF when the PF's own driver sent it ("TX driver issue detected, PF reset issued") or acts on the VF whose
 * driver did. Not a link fault and not a NIC that stopped on its own: the hardware refused what the driver wrote, and
 * the queue's packets are lost until the reset.
 */
import type { KernelRecord, MddEventRecord } from '@txreplay/ingest/plain';
import type { Finding } from '../types.js';
import { everyOnAverage, evidenceOf, groupByDevice, logDeviceName, logSpan } from './log-record.js';

/** `dev`: the interface when the log names one, else undefined (ESXi's MDD lines name the PF number only). */
function nextSteps(dev: string | undefined, driver: string | undefined, esxi: boolean, fromVf: boolean): string[] {
  const versions = esxi
    ? `\`esxcli network nic get -n ${dev ?? 'vmnicN'}\` (driver and firmware): MDD on the PF's own TX queue is a driver bug that driver updates fix — ESXi's i40en before 1.7.11 is the known case`
    : `\`ethtool -i ${dev ?? 'DEV'}\` (driver, firmware/NVM): MDD on the PF's own TX queue is a driver bug — compare with the ${driver ?? 'driver'}'s release notes and update driver and NVM together`;
  return [
    fromVf
      ? "the VF's driver (the guest's iavf/i40evf, or a DPDK PMD) and its version: the VF sent what the NIC refused; the PF disables or resets that VF"
      : versions,
    'what was being sent: unusual offloads (TSO with a tiny MSS, a header the NIC cannot parse after a tc/BPF rewrite) trip MDD — TSO off on the port for a while' +
      (esxi ? '' : ` (\`ethtool -K ${dev ?? 'DEV'} tso off\`)`) +
      ' tells whether TSO is the trigger',
  ];
}

export function mddFindings(records: readonly KernelRecord[], source: string): Finding[] {
  const tx = records.filter((r): r is MddEventRecord => r.kind === 'mdd_event' && r.direction === 'tx');
  return groupByDevice(tx).map((g) => {
    const first = g[0]!;
    const dev = logDeviceName(first);
    // ESXi's lines name no interface, only the PF: "i40en PF 1", not "(i40en) (i40en)"
    const named = first.dev ?? first.busId;
    const label =
      named !== undefined
        ? `${named}${first.driver ? ` (${first.driver})` : ''}`
        : `${first.driver ?? 'NIC'}${first.pf !== undefined ? ` PF ${first.pf}` : ''}`;
    const queues = [...new Set(g.map((r) => r.queue))];
    const resets = g.filter((r) => r.pfReset).length;
    const esxi = g.some((r) => r.esxi === true);
    // the PF reset line says the PF's own driver sent it; ice's lines after the event name the VF that did
    const fromVf = resets === 0 && g.some((r) => r.fromVf === true);
    const who =
      resets > 0 ? "the PF's own driver" : fromVf ? `VF ${first.vf}` : 'a driver (the log does not say which)';
    return {
      kind: 'device_tx_drops',
      severity: 'critical',
      dev,
      queue: queues.length === 1 ? queues[0]! : null,
      ...logSpan(first, g[g.length - 1]!),
      title:
        `${label}: the NIC's malicious-driver detection refused what ${who} put on TX queue ${queues.join(', ')} ` +
        `${g.length} time(s)${everyOnAverage(g)}${resets > 0 ? `; the PF was reset ${resets} time(s)` : ''}`,
      explanation:
        `Intel's 700/800-series NICs check every TX descriptor and packet a driver hands them (Malicious Driver Detection, event ${first.event} here) and disable the queue on one that breaks their rules` +
        (resets > 0
          ? '; "TX driver issue detected, PF reset issued" is i40e resetting the whole PF because its own driver sent it — every queue of the port drops what it held, and the link goes down and up.'
          : '.') +
        (esxi ? " The log is ESXi's vmkernel.log: the driver is ESXi's native i40en, not Linux's." : '') +
        ' Not a link fault and not a NIC that stopped on its own: the hardware refused what the driver wrote.',
      evidence: g.slice(0, 3).map((r) => evidenceOf(r, source)),
      nextSteps: nextSteps(first.dev, first.driver, esxi, fromVf),
    };
  });
}
