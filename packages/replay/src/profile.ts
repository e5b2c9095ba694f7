/**
 * Device profile: what the model needs to say what *should* have happened (driver, ring, link rate,
 * qdisc, txqueuelen, HZ, kernel). Inferred from the trace where it can be, otherwise from flags
 * (`--driver igb --ring 256 --rate 1G --qdisc pfifo_fast --txqueuelen 1000 --hz 250 --kernel 6.18`)
 * or a JSON profile file with the same keys.
 */
import { driverProfileNamed, NAMED_DRIVERS } from '@txreplay/model/core';

export interface DeviceProfile {
  driver?: string;
  ringSize?: number;
  /** link rate, bits per second */
  rateBps?: number;
  qdisc?: string;
  txqueuelen?: number;
  /** CONFIG_HZ */
  hz?: number;
  /** kernel release, e.g. "6.18" or "6.18.44-fc-v769" */
  kernel?: string;
  /** dev_watchdog period (watchdog_timeo), jiffies; default 5*HZ (§E) */
  watchdogTimeoJiffies?: number;
}

export const DEFAULT_HZ = 250;
export const DEFAULT_KERNEL = '6.18';

/** "1G", "10g", "100M", "2.5G", "1000000000" → bits per second. */
function parseRate(s: string): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtT]?)(?:bit|bps|b)?(?:\/s)?\s*$/.exec(s);
  if (!m) throw new Error(`bad link rate "${s}" (expected e.g. 1G, 100M, 2.5G)`);
  const mult: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
  return Number(m[1]) * (mult[(m[2] ?? '').toLowerCase()] ?? 1);
}

function posInt(name: string, v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`bad ${name} "${String(v)}" (expected a positive integer)`);
  return n;
}

/** Validate an untrusted object (profile file or flags) into a DeviceProfile; unknown keys are errors. */
export function parseProfile(obj: Record<string, unknown>, origin = 'profile'): DeviceProfile {
  const out: DeviceProfile = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    switch (k) {
      case 'driver':
        // a driver the model has no profile for would silently read as "generic": refuse it instead
        if (driverProfileNamed(String(v)) === null) {
          throw new Error(
            `${origin}: unknown driver "${String(v)}" (known: ${NAMED_DRIVERS.join(', ')}; "generic" for any other driver)`,
          );
        }
        out.driver = String(v);
        break;
      case 'qdisc':
      case 'kernel':
        out[k] = String(v);
        break;
      case 'ring':
      case 'ringSize':
        out.ringSize = posInt(`${origin}: ring`, v);
        break;
      case 'rate':
      case 'rateBps':
        out.rateBps = typeof v === 'number' ? v : parseRate(String(v));
        break;
      case 'txqueuelen':
        out.txqueuelen = posInt(`${origin}: txqueuelen`, v);
        break;
      case 'hz':
        out.hz = posInt(`${origin}: hz`, v);
        break;
      case 'watchdogTimeoJiffies':
        out.watchdogTimeoJiffies = posInt(`${origin}: watchdogTimeoJiffies`, v);
        break;
      default:
        throw new Error(
          `${origin}: unknown key "${k}" (known: driver, ring, rate, qdisc, txqueuelen, hz, kernel, watchdogTimeoJiffies${origin.includes('devices.') || origin.startsWith('--device-profile') ? '' : '; a profile file may also hold "devices"'})`,
        );
    }
  }
  return out;
}

/** Drivers without ndo_tx_timeout: dev_watchdog is never armed for them (§E: macb; veth has none either). */
export function hasTxWatchdog(driver: string | undefined): boolean | null {
  if (!driver) return null;
  return driverProfileNamed(driver)?.hasTxTimeout ?? true;
}

/**
 * Does the driver use BQL (netdev_tx_sent_queue / netdev_tx_completed_queue, §B)? The model's driver profile
 * says from which release (igb always; virtio_net from 6.11; macb from 6.15, §G); loopback never (lltx, no
 * byte queue limits). null = unknown: an unnamed driver, or "generic", the model's stand-in for any driver.
 */
export function driverHasBql(driver: string | undefined, kernel: string | undefined): boolean | null {
  if (!driver) return null;
  if (driver === 'loopback') return false;
  const p = driver === 'generic' ? null : driverProfileNamed(driver);
  if (!p) return null;
  if (p.bql === 'always' || p.bql === 'never') return p.bql === 'always';
  const [maj = 0, min = 0] = (kernel ?? DEFAULT_KERNEL).split(/[.-]/).map((x) => Number(x) || 0);
  return maj > p.bql.sinceMajor || (maj === p.bql.sinceMajor && min >= p.bql.sinceMinor);
}

/** macb: the TX interrupt fires only after transmitting, so no poll + no completion is a stuck head (§G.2). */
export function txIrqOnlyAfterTransmit(driver: string | undefined): boolean {
  return driver !== undefined && driverProfileNamed(driver)?.txIrqOnlyAfterTransmit === true;
}

/** veth: the peer's NAPI drains the ptr_ring and wakes this txq (§D.1). */
export function completedByPeerNapi(driver: string): boolean {
  return driverProfileNamed(driver)?.completedByPeerNapi === true;
}

/**
 * Profiles keyed by device (`--device-profile dev=vs0,driver=veth …`, or a profile file's "devices" map):
 * each device's profile is the global one overridden by its own entry — a trace can hold an igb NIC and
 * a veth pair at once.
 */
export type DeviceProfiles = Record<string, DeviceProfile>;

export function profileFor(global: DeviceProfile, perDevice: DeviceProfiles | undefined, dev: string): DeviceProfile {
  const own = perDevice?.[dev];
  return own ? { ...global, ...own } : global;
}

/** `dev=NAME,key=value,…` (keys as in parseProfile) → the device name and its profile. */
export function parseDeviceProfileSpec(
  spec: string,
  origin = '--device-profile',
): { dev: string; profile: DeviceProfile } {
  const obj: Record<string, string> = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`${origin} "${spec}": expected key=value pairs, got "${part}"`);
    obj[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const dev = obj.dev ?? obj.device;
  if (!dev) throw new Error(`${origin} "${spec}": dev=NAME is required`);
  delete obj.dev;
  delete obj.device;
  return { dev, profile: parseProfile(obj, `${origin} ${dev}`) };
}

/**
 * A profile file: the DeviceProfile keys (defaults for every device) plus an optional
 * `"devices": { "<dev>": { …same keys… } }`.
 */
export function parseProfileFile(
  obj: Record<string, unknown>,
  origin: string,
): { profile: DeviceProfile; devices: DeviceProfiles } {
  const { devices: rawDevices, ...rest } = obj;
  const profile = parseProfile(rest, origin);
  const devices: DeviceProfiles = {};
  if (rawDevices !== undefined) {
    if (!rawDevices || typeof rawDevices !== 'object' || Array.isArray(rawDevices))
      throw new Error(`${origin}: "devices" must be an object keyed by device name`);
    for (const [dev, p] of Object.entries(rawDevices as Record<string, unknown>)) {
      if (!p || typeof p !== 'object' || Array.isArray(p))
        throw new Error(`${origin}: devices.${dev} must be an object`);
      devices[dev] = parseProfile(p as Record<string, unknown>, `${origin}: devices.${dev}`);
    }
  }
  return { profile, devices };
}
