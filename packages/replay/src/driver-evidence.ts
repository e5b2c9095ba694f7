/**
 * Which driver profile each device is judged with, and why. Some causes depend on the driver: a queue stopped with
 * data in flight and no NAPI poll is a lost interrupt on a driver whose TX interrupt fires per completion (igb,
 * virtio_net), but stuck DMA on macb/GEM, whose TX-complete interrupt comes only after the hardware finished a
 * transmit (drivers/net/ethernet/cadence/macb_main.c). So the driver is taken from the strongest evidence there is —
 * the user's flags, then the trace's own `driver=` (net_dev_xmit_timeout), then the kernel log's driver prefix
 * (`igb 0000:01:00.0 eth0:`) — and the post-mortem says which it used; with none, rules whose cause depends on it
 * give both readings.
 */
import { driverProfileNamed } from '@txreplay/model/core';
import type { DevObs } from './observe/records.js';
import { profileFor, type DeviceProfile, type DeviceProfiles } from './profile.js';
import type { DriverChoice } from './types.js';

/** Kernel-log driver names (dev_*() prefixes) that are a modelled profile under another name. */
const LOG_ALIASES: Record<string, string> = { macb_main: 'macb', 'virtio-net': 'virtio_net' };

function modelled(name: string): string | null {
  const n = LOG_ALIASES[name] ?? name;
  return driverProfileNamed(n) !== null && n !== 'generic' ? n : null;
}

function fromEvidence(dev: string, driver: string, source: 'trace' | 'log'): DriverChoice {
  const m = modelled(driver);
  const where = source === 'trace' ? 'the trace (net_dev_xmit_timeout driver=)' : 'the kernel log';
  return m
    ? { dev, driver: m, source, why: `${where} names driver ${driver}` }
    : {
        dev,
        driver: 'generic',
        source,
        why: `${where} names driver ${driver}, which the model has no profile for: generic driver rules`,
      };
}

/**
 * One choice per device, and the per-device profiles the rules then use (the user's, plus a driver taken from the
 * evidence where the user gave none).
 */
export function chooseDrivers(
  devices: readonly DevObs[],
  global: DeviceProfile,
  perDevice: DeviceProfiles | undefined,
  logDrivers: ReadonlyMap<string, string>,
): { choices: DriverChoice[]; deviceProfiles: DeviceProfiles } {
  const choices: DriverChoice[] = [];
  const deviceProfiles: DeviceProfiles = { ...perDevice };
  for (const d of devices) {
    // transmitters only: a device seen only receiving (a veth peer's NAPI) is judged with no driver rules
    if (d.name === 'lo' || (d.queues.size === 0 && d.timeoutRows.length === 0 && !d.driver)) continue;
    let c: DriverChoice;
    if (perDevice?.[d.name]?.driver) {
      c = { dev: d.name, driver: perDevice[d.name]!.driver!, source: 'flag', why: `--device-profile for ${d.name}` };
    } else if (global.driver) {
      c = { dev: d.name, driver: global.driver, source: 'flag', why: '--driver' };
    } else if (d.driver) {
      c = fromEvidence(d.name, d.driver, 'trace');
    } else if (logDrivers.has(d.name)) {
      c = fromEvidence(d.name, logDrivers.get(d.name)!, 'log');
    } else if (d.napiPollTs.length === 0 && devices.some((x) => x !== d && x.napiPollTs.length > 0)) {
      // context.ts isPeerDriven: no NAPI of its own, another device's NAPI beside it
      c = {
        dev: d.name,
        driver: null,
        source: 'none',
        why: "nothing names it; it has no NAPI of its own beside another device's NAPI: read as veth-like (the peer's NAPI completes its transmits)",
      };
    } else {
      c = {
        dev: d.name,
        driver: null,
        source: 'none',
        why: "nothing names it (flags, the trace's driver=, a kernel log): generic rules, both readings where the cause depends on the driver (--driver to choose)",
      };
    }
    if (c.source !== 'flag' && c.driver)
      deviceProfiles[d.name] = { ...profileFor(global, perDevice, d.name), driver: c.driver };
    choices.push(c);
  }
  return { choices, deviceProfiles };
}
