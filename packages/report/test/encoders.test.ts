/**
 * The two bulk encoders (TSV for chDB and comparison, RowBinary for servers) produce the same rows, read back
 * by the real engine (chDB's file() table function) with both DateTime64(9) and DateTime time columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  Store,
  resolveStoreConfig,
  encodeEventsTsv,
  encodeEventsRowBinary,
  encodeEventsNative,
  tableStructure,
  parseServerVersion,
  u64Text,
} from '@txreplay/report';
import { COLUMNS } from '@txreplay/ingest';
import { buildEventTable, tempDir } from './helpers.js';
import { smallEvents } from './fixtures.js';

describe('bulk encoders', () => {
  let store: Store;
  const dir = tempDir('txreplay-enc-');
  beforeAll(async () => {
    store = await Store.open(resolveStoreConfig({ db: path.join(dir, 'db') }, {}));
  });
  afterAll(async () => {
    await store?.close();
  });

  it('u64Text is exact over the whole 64-bit range', () => {
    const values = [
      0n,
      1n,
      9n,
      10n,
      2n ** 32n - 1n,
      2n ** 32n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 53n + 1n,
      10n ** 10n,
      10n ** 19n,
      2n ** 64n - 1n,
      0xffff888012340000n,
    ];
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 5000; i++) {
      x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
      values.push(x, x >> BigInt(i % 64));
    }
    for (const v of values) expect(u64Text(Number(v >> 32n), Number(v & 0xffffffffn))).toBe(v.toString());
  });

  for (const version of ['26.7.2.1', '18.16.1']) {
    it(`Native, RowBinary and TSV decode to the same rows (time columns as on ClickHouse ${version})`, async () => {
      const caps = parseServerVersion(version);
      // one row carries a namespace cookie above 2^53
      const table = buildEventTable(smallEvents().map((e, i) => (i === 3 ? { ...e, net_cookie: 2n ** 60n + 1n } : e)));
      const opts = {
        runId: 'ab'.repeat(16),
        wallOffsetNs: 1_700_000_000_123_456_789n - 904_604_205_871n,
        nanos: caps.dateTime64,
      };
      const bin = path.join(dir, `events-${version}.bin`);
      const tsv = path.join(dir, `events-${version}.tsv`);
      writeFileSync(bin, Buffer.concat([...encodeEventsRowBinary(table, opts)]));
      writeFileSync(tsv, Buffer.concat([...encodeEventsTsv(table, opts)]));
      const nat = path.join(dir, `events-${version}.native`);
      // blocks of 5 rows: several blocks in one body, as a large write sends them
      writeFileSync(nat, Buffer.concat([...encodeEventsNative(table, { ...opts, caps, blockRows: 5 })]));
      const structure = tableStructure('events', { ...caps, lowCardinality: false });
      const read = (file: string, fmt: string): Promise<Record<string, unknown>[]> =>
        store.queryRows(
          `SELECT run_id, toString(ts_ns) AS ts, toString(time) AS t, toString(skbaddr) AS skb, toString(napi) AS napi, toString(jiffies) AS jiffies, toString(net_cookie) AS cookie, ` +
            `cpu, pid, comm, event, dev, queue, ptr_hashed, len, rc, location, raw, source, line FROM file('${file}', '${fmt}', '${structure.replace(/'/g, "\\'")}') ORDER BY line`,
        );
      const fromBin = await read(bin, 'RowBinary');
      const fromTsv = await read(tsv, 'TabSeparated');
      expect(fromBin).toEqual(fromTsv);
      // Native carries its own column types: read it without a structure
      const fromNative = await store.queryRows<Record<string, unknown>>(
        `SELECT run_id, toString(ts_ns) AS ts, toString(time) AS t, toString(skbaddr) AS skb, toString(napi) AS napi, toString(jiffies) AS jiffies, toString(net_cookie) AS cookie, ` +
          `cpu, pid, comm, event, dev, queue, ptr_hashed, len, rc, location, raw, source, line FROM file('${nat}', 'Native') ORDER BY line`,
      );
      expect(fromNative).toEqual(fromTsv);
      // and a newer server converts the plain Native types into the LowCardinality columns of its table
      if (caps.lowCardinality) {
        await store.command(`INSERT INTO ${store.table('events')} SELECT * FROM file('${nat}', 'Native')`);
        const n = await store.queryRows<{ n: string }>(
          `SELECT toString(count()) AS n FROM events WHERE run_id = '${'ab'.repeat(16)}'`,
        );
        expect(Number(n[0]!.n)).toBe(table.numRows);
      }
      const src = smallEvents();
      expect(fromBin.map((r) => r.ts)).toEqual(src.map((e) => e.ts_ns.toString()));
      expect(fromBin.map((r) => r.comm)).toEqual(src.map((e) => e.comm));
      expect(fromBin.map((r) => r.location)).toEqual(src.map((e) => e.location));
      expect(fromBin[10]!.skb).toBe('18446744073709551615');
      expect(fromBin[11]!.napi).toBe(0xffff88801111aaaan.toString());
      expect(fromBin[12]!.jiffies).toBe('4295000000');
      expect(fromBin.map((r) => r.cookie)).toEqual(src.map((_, i) => (i === 3 ? (2n ** 60n + 1n).toString() : null)));
      // wall clock: the first event at 1_700_000_000.123456789 s (2023-11-14 22:13:20.123456789 UTC)
      expect(fromBin[0]!.t).toBe(caps.dateTime64 ? '2023-11-14 22:13:20.123456789' : '2023-11-14 22:13:20');
    });
  }

  it('an Arrow table written before net_cookie existed encodes it as NULL in all three formats', async () => {
    const full = buildEventTable(smallEvents());
    const old = full.select(COLUMNS.filter((c) => c !== 'net_cookie'));
    const caps = parseServerVersion('26.7.2.1');
    const opts = { runId: 'cd'.repeat(16), wallOffsetNs: 0n, nanos: true };
    const structure = tableStructure('events', { ...caps, lowCardinality: false }).replace(/'/g, "\\'");
    const files = {
      RowBinary: Buffer.concat([...encodeEventsRowBinary(old, opts)]),
      TabSeparated: Buffer.concat([...encodeEventsTsv(old, opts)]),
      Native: Buffer.concat([...encodeEventsNative(old, { ...opts, caps })]),
    };
    for (const [fmt, bytes] of Object.entries(files)) {
      const file = path.join(dir, `old-events.${fmt}`);
      writeFileSync(file, bytes);
      const rows = await store.queryRows<{ cookie: string | null; line: number | string }>(
        `SELECT toString(net_cookie) AS cookie, line FROM file('${file}', '${fmt}', '${structure}') ORDER BY line`,
      );
      expect(rows.length, fmt).toBe(full.numRows);
      expect(
        rows.every((r) => r.cookie === null),
        fmt,
      ).toBe(true);
    }
  });
});
