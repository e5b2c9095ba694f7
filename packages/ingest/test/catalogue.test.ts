/**
 * The column catalogue is the one list of columns: the generated ids the WebAssembly kernel imports are fresh,
 * the Arrow schema is the catalogue, and a field added by one catalogue entry plus its parser (net_cookie)
 * comes out the same from the string parser, the WebAssembly kernel in this thread and the built package with workers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Table, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { arrowTypeName, CATALOGUE, COLUMNS, catalogueIdsSource, textKeys } from '../src/table/catalogue.js';
import { EventColumns, makeEventSchema } from '../src/table/columns.js';
import { ingestTextSource } from '../src/io/source.js';
import { loadEvents } from '../src/index.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'txreplay-catalogue-test-'));

describe('column catalogue', () => {
  it('src/table/catalogueIds.ts (imported by the WebAssembly kernel) is generated from the catalogue as it is now', () => {
    // scripts/build-wasm.mjs (pnpm build) rewrites it; a stale file means the kernel and the parsers disagree
    expect(readFileSync(join(pkg, 'src/table/catalogueIds.ts'), 'utf8')).toBe(catalogueIdsSource());
  });

  it('the Arrow schema is the catalogue: names, order, nullability', () => {
    const schema = makeEventSchema();
    expect(schema.fields.map((f) => f.name)).toEqual([...COLUMNS]);
    expect(schema.fields.map((f) => f.nullable)).toEqual(CATALOGUE.map((c) => c.nullable));
    expect(String(schema.fields[COLUMNS.indexOf('net_cookie')]!.type)).toBe('Uint64');
    // the type names replay's Arrow-file reader checks a file's schema against (no apache-arrow type classes loaded)
    expect(COLUMNS.map((c) => arrowTypeName(c))).toEqual(schema.fields.map((f) => String(f.type)));
  });

  it('every text key feeds one column', () => {
    const keys = textKeys();
    expect(keys.get('net_cookie')).toBe('net_cookie');
    expect(keys.get('struct')).toBe('napi');
    expect(keys.get('queue_mapping')).toBe('queue');
  });
});

describe('net_cookie (one catalogue entry plus its parser)', () => {
  const ftrace = [
    '# tracer: nop',
    '  kworker/0:1-10   [000] ..s1.   100.000001: net_dev_xmit_timeout: dev=eth0 driver=igb queue=3',
    '  kworker/0:1-10   [000] ..s1.   100.000002: net_dev_xmit_timeout: dev=eth0 driver=igb queue=2 net_cookie=4096 ifindex=2',
    // above 2^53: exact
    '  kworker/0:1-10   [000] ..s1.   100.000003: net_dev_xmit_timeout: dev=eth0 driver=igb queue=2 net_cookie=1152921504606846977 ifindex=7',
    '  kworker/0:1-10   [000] ..s1.   100.000004: net_dev_xmit_timeout: dev=eth0 driver=igb queue=2 net_cookie=12x ifindex=7',
    '',
  ].join('\n');
  const bpftrace = [
    'Attaching 2 probes...',
    '1000000001 0 10 kworker/0:1 net:net_dev_xmit_timeout dev=veth0 driver=veth queue=0 ifindex=5 net_cookie=8193',
    '1000000002 1 10 kworker/1:1 net:net_dev_xmit_timeout dev=veth0 driver=veth queue=1 ifindex=9 net_cookie=8194',
    '',
  ].join('\n');

  async function reference(path: string): Promise<Table> {
    const cols = new EventColumns();
    const batches: RecordBatch[] = [];
    await ingestTextSource(path, cols, (b) => void batches.push(b), { fastPath: false, workers: 0 });
    batches.push(cols.flush());
    return new Table(batches);
  }

  it('ftrace: parsed exactly, null where the kernel does not print it, a bad value is a skipped line', async () => {
    const p = join(dir, 'timeout.ftrace.txt');
    writeFileSync(p, ftrace);
    const { table, summary } = await loadEvents([p], { workers: 0 });
    expect([...table.getChild('net_cookie')!]).toEqual([null, 4096n, 1152921504606846977n]);
    expect([...table.getChild('ifindex')!]).toEqual([null, 2, 7]);
    expect(summary.skipped).toBe(1);
    expect(summary.sources[0]!.issues[0]!.message).toBe("net:net_dev_xmit_timeout: bad net_cookie '12x'");
    expect([...(await reference(p)).getChild('net_cookie')!]).toEqual([null, 4096n, 1152921504606846977n]);
  });

  it('bpftrace printf: same-named devices of two namespaces stay apart', async () => {
    const p = join(dir, 'timeout.bpftrace.txt');
    writeFileSync(p, bpftrace);
    const { table } = await loadEvents([p], { workers: 0 });
    expect([...table.getChild('dev')!]).toEqual(['veth0', 'veth0']);
    expect([...table.getChild('net_cookie')!]).toEqual([8193n, 8194n]);
    expect([...(await reference(p)).getChild('net_cookie')!]).toEqual([8193n, 8194n]);
  });
});
