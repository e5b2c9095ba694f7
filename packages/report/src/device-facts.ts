/**
 * What a device has, so a timeline draws only series the device really has: a DQL limit only where the
 * driver runs BQL (netdev_tx_sent_queue / netdev_tx_completed_queue, §B), and "in flight" only where this
 * device's own completions free its transmitted skbs. A veth has neither: the peer's NAPI drains the ptr_ring
 * (veth_poll, §D.1), so bytes "in flight" on the sender never come back as its completions.
 * Facts come from the model's driver profile (@txreplay/model); the driver is the one the caller knows
 * (--driver / --device-profile), else inferred as replay does: a device that transmits with no NAPI of its
 * own while another device polls is veth-like (replay rules/context.ts isPeerDriven).
 */
import { driverProfileNamed } from '@txreplay/model';

export interface DeviceFacts {
  dev: string;
  /** driver profile name, or null when neither given nor inferable */
  driver: string | null;
  /** how the driver was known: given by the caller, inferred from the trace, or unknown */
  driverFrom: 'given' | 'inferred' | 'unknown';
  /** BQL runs on this device: true/false from the driver profile; null = unknown (then shown if the replay computed one) */
  bql: boolean | null;
  /** completions are the peer's NAPI draining a ring, not this device's frees (veth) */
  completedByPeer: boolean;
}

export interface DeviceFactsInput {
  /** driver per device name, as the caller's profile flags gave it (--device-profile dev=…,driver=…) */
  drivers?: Record<string, string>;
  /** the driver of every other device (--driver) */
  defaultDriver?: string;
  /** devices that ran napi:napi_poll in the trace (null: unknown, no event table) */
  napiDevs: string[] | null;
}

export function deviceFacts(dev: string, inp: DeviceFactsInput): DeviceFacts {
  const given = inp.drivers?.[dev] ?? inp.defaultDriver;
  let driver: string | null = null;
  let driverFrom: DeviceFacts['driverFrom'] = 'unknown';
  if (given) {
    driver = given;
    driverFrom = 'given';
  } else if (dev === 'lo') {
    // loopback_xmit frees every skb at once (lltx, no NAPI, no BQL): never veth-like
    return { dev, driver: 'loopback', driverFrom: 'inferred', bql: false, completedByPeer: false };
  } else if (inp.napiDevs && !inp.napiDevs.includes(dev) && inp.napiDevs.some((d) => d !== dev)) {
    driver = 'veth';
    driverFrom = 'inferred';
  }
  const p = driver === null || driver === 'generic' ? null : driverProfileNamed(driver);
  // a release-dependent BQL (virtio_net, macb) is unknown here: the replay's expected limit decides
  const bql = p === null ? null : p.bql === 'always' ? true : p.bql === 'never' ? false : null;
  return { dev, driver, driverFrom, bql, completedByPeer: p?.completedByPeerNapi === true };
}
