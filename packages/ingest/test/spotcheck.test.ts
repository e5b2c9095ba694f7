/** Exact field values on known lines of the real captures (line numbers are 1-based lines of the files). */
import { describe, expect, it } from 'vitest';
import type { Table } from 'apache-arrow';
import { COLUMNS, type TxEventRow } from '../src/index.js';
import { load, tracePath } from './fixtures.js';

function rowAtLine(table: Table, line: number): TxEventRow {
  const lines = table.getChild('line')!;
  for (let i = 0; i < table.numRows; i++) {
    if (lines.get(i) === line) {
      const o: Record<string, unknown> = {};
      for (const c of COLUMNS) o[c] = table.getChild(c)!.get(i) ?? null;
      return o as unknown as TxEventRow;
    }
  }
  throw new Error(`no row for line ${line}`);
}

describe('spot checks on real lines', () => {
  it('perf: qdisc_dequeue with (nil) skb (multiqueue line 11)', async () => {
    const { table } = await load(tracePath('multiqueue', 'perf-script.txt'));
    const r = rowAtLine(table, 11);
    expect(r).toMatchObject({
      ts_ns: 900712067000n,
      cpu: 0,
      pid: 7923,
      comm: 'kworker/u8:3-kv',
      event: 'qdisc:qdisc_dequeue',
      ifindex: 201,
      handle: 0x120000,
      parent: 0x10002,
      txq_state: 0,
      packets: 0,
      skbaddr: 0n,
      ptr_hashed: false,
      dev: null,
      rc: null,
    });
  });

  it('perf: napi_poll on the backlog NAPI and a comm with spaces (eth0-normal)', async () => {
    const { table } = await load(tracePath('multiqueue', 'perf-script.txt'));
    expect(rowAtLine(table, 5)).toMatchObject({
      event: 'napi:napi_poll',
      napi: 0xffff888627c2d1c8n,
      dev: '(no_device)',
      work: 1,
      budget: 64,
      ptr_hashed: false,
    });
    const eth0 = (await load(tracePath('eth0-normal', 'perf-script.txt'))).table;
    expect(rowAtLine(eth0, 184)).toMatchObject({
      comm: 'npm pack left-p',
      pid: 10995,
      cpu: 1,
      ts_ns: 837224111000n,
      napi: 0xffff8881024e5008n,
      dev: 'eth0',
    });
  });

  it('perf: NETDEV_TX_BUSY (veth-backpressure line 1140)', async () => {
    const { table } = await load(tracePath('veth-backpressure', 'perf-script.txt'));
    expect(rowAtLine(table, 1140)).toMatchObject({
      comm: 'udpflood',
      pid: 15260,
      event: 'net:net_dev_xmit',
      dev: 'vs0',
      skbaddr: 0xffff8881a7594100n,
      len: 1042,
      rc: 16,
      ts_ns: 999356863000n,
    });
  });

  it('ftrace: hashed pointers, 5 flag chars, comm with spaces and dashes', async () => {
    const { table } = await load(tracePath('veth-backpressure', 'ftrace.txt'));
    expect(rowAtLine(table, 1157)).toMatchObject({
      comm: 'udpflood',
      pid: 15260,
      cpu: 0,
      ts_ns: 999356857000n,
      event: 'net:net_dev_xmit',
      dev: 'vs0',
      skbaddr: 0xdcaa0805n,
      ptr_hashed: true,
      len: 1042,
      rc: 16,
    });
    expect(rowAtLine(table, 17)).toMatchObject({
      event: 'napi:napi_poll',
      napi: 0xba1f4f92n,
      ptr_hashed: true,
      dev: '(no_device)',
      work: 1,
      budget: 64,
    });
    const eth0 = (await load(tracePath('eth0-normal', 'ftrace.txt'))).table;
    expect(rowAtLine(eth0, 306)).toMatchObject({
      comm: 'npm pack left-p',
      pid: 10995,
      event: 'skb:consume_skb',
      location: 'netlink_recvmsg+0x171/0x2e0',
      skbaddr: 0xc91695ebn,
      ptr_hashed: true,
    });
  });

  it('ftrace: raw pointers when hash-ptr is off, kfree_skb reason (multiqueue line 18)', async () => {
    const { table } = await load(tracePath('multiqueue', 'ftrace.txt'));
    expect(rowAtLine(table, 18)).toMatchObject({
      comm: 'kworker/u8:3',
      pid: 7923,
      event: 'skb:kfree_skb',
      skbaddr: 0xffff8881b64e1000n,
      ptr_hashed: false,
      location: 'ip6_mc_input+0x15e/0x290',
      reason: 'NOT_SPECIFIED',
      ts_ns: 900424063000n,
    });
  });

  it('bpftrace printf and json: comm with spaces, ns timestamps, lost events', async () => {
    const txt = (await load(tracePath('eth0-normal', 'bpftrace.txt'))).table;
    expect(rowAtLine(txt, 313)).toMatchObject({
      ts_ns: 837224102578n,
      cpu: 1,
      pid: 10995,
      comm: 'npm pack left-p',
      event: 'napi:napi_poll',
      napi: 0xffff8881024e5008n,
      dev: 'eth0',
      work: 1,
      budget: 64,
    });
    const json = (await load(tracePath('eth0-normal', 'bpftrace.json'))).table;
    expect(rowAtLine(json, 313)).toMatchObject({ ts_ns: 837224090546n, comm: 'npm pack left-p', dev: 'eth0' });
    const starved = (await load(tracePath('veth-stall-napi-starved', 'bpftrace.txt'))).table;
    const marker = rowAtLine(starved, 1975);
    expect(marker).toMatchObject({ event: 'txreplay:lost_events', packets: 17178 });
    // at the previous event's timestamp
    expect(marker.ts_ns).toBe(rowAtLine(starved, 1974).ts_ns);
    const mq = (await load(tracePath('multiqueue', 'bpftrace.json'))).table;
    expect(rowAtLine(mq, 5245)).toMatchObject({ event: 'txreplay:lost_events', packets: 33 });
    expect(rowAtLine(mq, 5245).ts_ns).toBe(rowAtLine(mq, 5244).ts_ns);
  });

  it('bpftrace capture-kit qdisc fields', async () => {
    const { table } = await load(tracePath('multiqueue', 'bpftrace.txt'));
    // "904612875181 0 13049 udpflood qdisc:qdisc_dequeue ifindex=201 handle=0x110000 parent=0x10001 txq_state=0x0 packets=0 qdisc=… txq=… skbaddr=0x0"
    const ts = table.getChild('ts_ns')!;
    let found = -1;
    for (let i = 0; i < table.numRows; i++) if (ts.get(i) === 904612875181n) found = i;
    expect(found).toBeGreaterThanOrEqual(0);
    const get = (c: string): unknown => table.getChild(c)!.get(found);
    expect(get('event')).toBe('qdisc:qdisc_dequeue');
    expect(get('ifindex')).toBe(201);
    expect(get('handle')).toBe(0x110000);
    expect(get('parent')).toBe(0x10001);
    expect(get('txq_state')).toBe(0);
    expect(get('packets')).toBe(0);
    expect(get('skbaddr')).toBe(0n);
  });
});
