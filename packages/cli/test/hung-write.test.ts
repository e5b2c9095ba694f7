/**
 * Fault corpus, the server half: a ClickHouse server that answers the version probe, the schema and the lock,
 * then accepts the events INSERT and never answers it (issue 12 item 5). Not a mock: a TCP relay in front of the real
 * test server that goes silent (both ways, socket kept open) once a request line carries `INSERT`. The run must
 * fail with the URL in the message and exit 5 after a bounded number of attempts, each retry shown on stderr.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopTestServer, testServerEnv } from '../../report/test/helpers.js';

const main = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TRACE = join(repoRoot, 'examples', 'multiqueue.perf-script.txt.gz');
const serverEnv = testServerEnv();

let relay: Server;
let relayUrl = '';
const held: Socket[] = [];
let insertsHeld = 0;

/** Relay one client connection to the real server until a request line names an INSERT, then hold it silent. */
function relayConnection(client: Socket, port: number): void {
  const upstream = createConnection({ host: '127.0.0.1', port });
  held.push(client, upstream);
  let silent = false;
  client.on('data', (b: Buffer) => {
    if (silent) return;
    // the request line of the events insert: `POST /?query=INSERT%20INTO%20…events…` (schema and lock pass)
    if (/^POST [^\s]*query=INSERT[^\s]*events/im.test(b.toString('latin1'))) {
      silent = true;
      insertsHeld++;
      upstream.destroy();
      return;
    }
    upstream.write(b);
  });
  upstream.on('data', (b: Buffer) => {
    if (!silent) client.write(b);
  });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  upstream.on('end', () => {
    if (!silent) client.end();
  });
}

beforeAll(async () => {
  const port = Number(new URL(serverEnv.TXREPLAY_CLICKHOUSE_URL!).port);
  relay = createServer((c) => relayConnection(c, port));
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}`;
});

afterAll(() => {
  for (const s of held) s.destroy();
  relay?.close();
  stopTestServer();
});

function txreplay(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CLICKHOUSE_USER: serverEnv.TXREPLAY_CLICKHOUSE_TEST_USER,
    CLICKHOUSE_PASSWORD: serverEnv.TXREPLAY_CLICKHOUSE_TEST_PASSWORD,
  };
  delete env.CLICKHOUSE_URL;
  delete env.TXREPLAY_CLICKHOUSE_URL;
  const child = spawn(process.execPath, [main, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

describe('a server that accepts the INSERT and never answers', () => {
  it('report fails with the URL and exit 5 after 2 attempts (the second fills the retry budget), the retry shown', async () => {
    // --timeout-ms 16000 stands in for the 20 s default: the budget is 30 s from the first failure, and a retry
    // starts only if it could end inside it: the 2nd (0.25 s + 16 s) fits, a 3rd (16.75 s + 16 s) would not
    const r = await txreplay([
      'report',
      TRACE,
      '--clickhouse-url',
      relayUrl,
      '--database',
      `txr_hung_${process.pid}`,
      '--timeout-ms',
      '16000',
    ]);
    expect(r.code).toBe(5);
    const lines = r.stderr.trim().split('\n');
    expect(
      lines.filter((l) =>
        /^txreplay: ClickHouse write attempt 1 failed \(no answer within 16000 ms \(--timeout-ms\)\); retrying in \d+ ms$/.test(
          l,
        ),
      ),
    ).toHaveLength(1);
    expect(r.stderr).not.toMatch(/write attempt 2 failed/);
    const last = lines.at(-1) ?? '';
    expect(last).toContain(relayUrl);
    expect(last).toMatch(/after 2 attempts: no answer within 16000 ms \(--timeout-ms\)$/);
    expect(insertsHeld).toBe(2);
  }, 120_000);
});
