/**
 * The device prefix drivers put before their messages: dev_printk() writes `<driver> <bus id>: `,
 * netdev_printk() writes `<driver> <bus id> <ifname>: ` (net/core/dev.c __netdev_printk), and old or
 * bus-less drivers write `<ifname>: ` alone.
 */
import type { DeviceRef } from './types.js';

// PCI 0000:01:00.0, virtio0, platform 1e100000.ethernet, USB 4-1:1.0, other `name.N` / `name@addr` bus ids.
const BUS = String.raw`(?:[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]|virtio\d+|[0-9a-f]+\.[\w-]+|\d+-[\d.]+:\d+\.\d+|[a-z][\w-]*\.\d+|[\w-]+@[0-9a-f]+)`;
const WITH_IF_RE = new RegExp(String.raw`^([\w-]+) (${BUS}) ([\w.@-]+): ?(.*)$`);
const BUS_ONLY_RE = new RegExp(String.raw`^([\w-]+) (${BUS}): ?(.*)$`);
// An interface name alone: must look like one (has a digit, or a common prefix) so `neighbour:` is not taken for a device.
const IF_ONLY_RE = /^([a-z][\w.@-]{0,14}): (.*)$/;
const IF_NAME_RE = /\d|^(?:eth|en|wl|ib|bond|br|vlan|veth|lan|wan|tap|tun|vnet|macvtap|mgmt)/;

export interface DeviceMessage extends DeviceRef {
  /** The message after the device prefix. */
  rest: string;
}

/** Split the device prefix off a message; `rest` is the whole message when there is none. */
export function splitDevicePrefix(message: string): DeviceMessage {
  const d = splitPrefix(message.trim());
  // mlx5_core_warn()/mlx5_core_err() add `function:line:(pid N): ` after the device.
  d.rest = d.rest.replace(/^\w+:\d+:\(pid \d+\): /, '');
  return d;
}

function splitPrefix(msg: string): DeviceMessage {
  let m = WITH_IF_RE.exec(msg);
  if (m) return { driver: m[1]!, busId: m[2]!, dev: m[3]!, rest: m[4]! };
  m = BUS_ONLY_RE.exec(msg);
  if (m) {
    // 2.6/3.x netdev_printk(): `e1000e 0000:01:00.0: eth1: msg`.
    const inner = IF_ONLY_RE.exec(m[3]!);
    if (inner && IF_NAME_RE.test(inner[1]!) && !inner[1]!.includes('_'))
      return { driver: m[1]!, busId: m[2]!, dev: inner[1]!, rest: inner[2]! };
    return { driver: m[1]!, busId: m[2]!, rest: m[3]! };
  }
  m = IF_ONLY_RE.exec(msg);
  if (!m) return { rest: msg };
  // `e1000: eth0: msg` (2.6-era DPRINTK), `macb: eth0: msg` (pr_fmt "macb: " then the netdev name): a driver name,
  // then the interface.
  const inner = IF_ONLY_RE.exec(m[2]!);
  if (inner && IF_NAME_RE.test(inner[1]!) && !inner[1]!.includes('_'))
    return { driver: m[1]!, dev: inner[1]!, rest: inner[2]! };
  if (IF_NAME_RE.test(m[1]!)) return { dev: m[1]!, rest: m[2]! };
  return { rest: msg };
}

/** Same device: every part both sides name must agree, and they must share at least one. */
export function sameDevice(a: DeviceRef, b: DeviceRef): boolean {
  let shared = 0;
  for (const k of ['driver', 'busId', 'dev'] as const) {
    if (a[k] !== undefined && b[k] !== undefined) {
      if (a[k] !== b[k]) return false;
      shared++;
    }
  }
  return shared > 0;
}

export function deviceRef(d: DeviceRef): DeviceRef {
  const r: DeviceRef = {};
  if (d.driver !== undefined) r.driver = d.driver;
  if (d.busId !== undefined) r.busId = d.busId;
  if (d.dev !== undefined) r.dev = d.dev;
  return r;
}
