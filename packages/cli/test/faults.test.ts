/**
 * The bad-input and fault corpus (issue 12): the built CLI run over every fault a user can give it, each
 * row asserting the exit code of the one table (src/exit.ts, README "Exit codes") and one sentence on stderr
 * that names the path (or URL). The faults are real: missing files, directories, HTML, a truncated gzip, a
 * read-only store (a read-only bind mount as root, else a directory without write permission), a TCP server
 * that accepts and never answers, a dead port, real SIGINT/SIGTERM to real child processes. Grow it: one row
 * per new fault.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TRACES = join(process.env.TXREPLAY_SHARED ?? resolve(repoRoot, '../shared'), 'traces');
const TRACE = join(TRACES, 'eth0-normal', 'perf-script.txt');
const SCENARIO = join(repoRoot, 'examples', 'scenarios', readdirSync(join(repoRoot, 'examples', 'scenarios'))[0]!);
const dir = mkdtempSync(join(tmpdir(), 'txreplay-faults-'));
const MISSING = join(dir, 'no-such-trace.txt');
const NO_DIR = join(dir, 'no-such-dir');
const HTML = join(dir, 'page.html');
const TRUNC_GZ = join(dir, 'cut.txt.gz');
const STORE = join(dir, 'store');
const SCENARIO_COPY = join(dir, 'scenario.json');

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI; `env` adds to a copy of ours without any ClickHouse URL (embedded store unless given). */
function txreplay(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  delete env.CLICKHOUSE_URL;
  delete env.TXREPLAY_CLICKHOUSE_URL;
  const child = spawn(process.execPath, [main, ...args], {
    env,
    cwd: opts.cwd ?? dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
}

/** The error line: the last `txreplay:` line of stderr (retry notes come before it), and how many lines it is. */
function errorLine(r: Ran): string {
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('txreplay: '));
  return lines.at(-1) ?? `(no txreplay: line in ${JSON.stringify(r.stderr)})`;
}

let hung: Server;
let hungUrl = '';
const hungSockets: Socket[] = [];
let deadUrl = '';

beforeAll(async () => {
  writeFileSync(HTML, '<!DOCTYPE html><html><body>not a trace</body></html>\n');
  writeFileSync(TRUNC_GZ, gzipSync(readFileSync(TRACE)).subarray(0, 4000));
  mkdirSync(join(dir, 'a-directory'));
  cpSync(SCENARIO, SCENARIO_COPY);
  // the fault, not a ClickHouse mock: a TCP server that accepts every connection and never answers
  hung = createServer((s) => hungSockets.push(s));
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
  // a dead port: bound, then closed, so nothing listens on it
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  deadUrl = `http://127.0.0.1:${(dead.address() as { port: number }).port}`;
  await new Promise<void>((r) => dead.close(() => r()));
});

afterAll(() => {
  for (const s of hungSockets) s.destroy();
  hung?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Row {
  fault: string;
  args: () => string[];
  exit: number;
  /** the error line must contain each of these (the path, the URL, what was wrong) */
  says: () => string[];
}

const TRACE_READERS = ['ingest', 'diagnose', 'replay', 'report', 'inspect'] as const;
const withArgs = (cmd: string, input: string): string[] =>
  cmd === 'ingest'
    ? ['ingest', input, '-o', join(dir, 'out.arrow')]
    : cmd === 'report'
      ? ['report', input, '--db', STORE, '--no-html']
      : [cmd, input];

/** what a command needs besides the flag under test (commander reports a missing required option first) */
const REQUIRED: Record<string, string[]> = {
  ingest: [TRACE, '-o', join(dir, 'never.arrow')],
  simulate: [SCENARIO, '-o', join(dir, 'never.txt')],
  export: ['--csv', join(dir, 'never-csv')],
};

const ROWS: Row[] = [
  // usage: commander's own errors exit 2 in every command (1 is reserved for findings)
  ...['ingest', 'inspect', 'capture', 'simulate', 'diagnose', 'replay', 'report', 'query', 'export'].map(
    (cmd): Row => ({
      fault: `${cmd}: unknown flag`,
      args: () => [cmd, ...(REQUIRED[cmd] ?? []), '--no-such-flag'],
      exit: 2,
      says: () => ["unknown option '--no-such-flag'"],
    }),
  ),
  {
    fault: 'unknown command',
    args: () => ['no-such-command'],
    exit: 2,
    says: () => ["unknown command 'no-such-command'"],
  },
  { fault: 'ingest: no -o', args: () => ['ingest', TRACE], exit: 2, says: () => ['-o, --output'] },
  // inputs: missing, a directory, not a trace, truncated gzip — the same code and sentence in every command
  ...TRACE_READERS.flatMap((cmd): Row[] => [
    {
      fault: `${cmd}: missing input`,
      args: () => withArgs(cmd, MISSING),
      exit: 2,
      says: () => [MISSING, 'no such file or directory'],
    },
    {
      fault: `${cmd}: a directory as input`,
      args: () => withArgs(cmd, join(dir, 'a-directory')),
      exit: 2,
      says: () => [join(dir, 'a-directory'), 'is a directory'],
    },
  ]),
  ...(['ingest', 'diagnose', 'replay', 'report'] as const).flatMap((cmd): Row[] => [
    { fault: `${cmd}: HTML input`, args: () => withArgs(cmd, HTML), exit: 3, says: () => [HTML, 'not a trace'] },
    {
      fault: `${cmd}: truncated gzip`,
      args: () => withArgs(cmd, TRUNC_GZ),
      exit: 3,
      says: () => [TRUNC_GZ, 'corrupt or truncated gzip'],
    },
    {
      fault: `${cmd}: --format xml`,
      args: () => [...withArgs(cmd, TRACE), '--format', 'xml'],
      exit: 2,
      says: () => ["argument 'xml' is invalid", 'perf-script', 'bpftrace-json'],
    },
  ]),
  {
    fault: 'simulate: missing scenario',
    args: () => ['simulate', MISSING, '-o', join(dir, 's.txt')],
    exit: 2,
    says: () => [MISSING, 'no such file'],
  },
  // outputs: a missing directory is an error and is never created
  ...[
    ['ingest', TRACE, '-o', join(NO_DIR, 'x.arrow')],
    ['diagnose', TRACE, '--html', join(NO_DIR, 'x.html')],
    ['diagnose', TRACE, '--md', join(NO_DIR, 'x.md')],
    ['report', TRACE, '--db', STORE, '--html', join(NO_DIR, 'x.html')],
    ['simulate', SCENARIO, '-o', join(NO_DIR, 'x.txt')],
    ['capture', '-o', join(NO_DIR, 'x.txt')],
    ['export', '--db', STORE, '--csv', join(NO_DIR, 'csv')],
  ].map(
    (args): Row => ({
      fault: `${args[0]}: output in a missing directory`,
      args: () => args,
      exit: 2,
      says: () => [NO_DIR, 'does not exist'],
    }),
  ),
  ...[
    ['ingest', TRACE, '-o', dir],
    ['simulate', SCENARIO, '-o', dir],
    ['simulate', SCENARIO, '-o', join(dir, 'sim.txt'), '--dmesg', dir],
    ['capture', '-o', dir],
  ].map(
    (args): Row => ({
      fault: `${args[0]}: output ${args.at(-2)} is a directory`,
      args: () => args,
      exit: 2,
      says: () => [dir, 'is a directory'],
    }),
  ),
  // an output that is the input (the scenario) is refused before anything runs, and the scenario is kept
  ...(['-o', '--dmesg'] as const).map(
    (flag): Row => ({
      fault: `simulate: ${flag} is the scenario itself`,
      args: () => [
        'simulate',
        SCENARIO_COPY,
        ...(flag === '-o' ? [] : ['-o', join(dir, 'sim2.txt')]),
        flag,
        SCENARIO_COPY,
      ],
      exit: 2,
      says: () => [`refusing to write ${SCENARIO_COPY}: it is the input ${SCENARIO_COPY}`],
    }),
  ),
  // query reads only: refused before anything runs
  {
    fault: 'query: INSERT',
    args: () => ['query', 'INSERT INTO runs SELECT * FROM runs', '--db', STORE],
    exit: 2,
    says: () => ['INSERT would change the store and was not run'],
  },
  {
    fault: 'query: two statements',
    args: () => ['query', 'SELECT 1; DROP TABLE runs', '--db', STORE],
    exit: 2,
    says: () => ['one statement'],
  },
  {
    fault: 'query: --format xml',
    args: () => ['query', 'SELECT 1', '--db', STORE, '--format', 'xml'],
    exit: 2,
    says: () => ['xml'],
  },
  // the server: a dead port and a server that never answers fail with the URL, exit 5, retries shown
  {
    fault: 'query: dead port',
    args: () => ['query', 'SELECT 1', '--clickhouse-url', deadUrl],
    exit: 5,
    says: () => [deadUrl, 'ECONNREFUSED'],
  },
  {
    fault: 'query: a server that accepts and never answers',
    args: () => ['query', 'SELECT 1', '--clickhouse-url', hungUrl, '--connect-timeout-ms', '300'],
    exit: 5,
    says: () => [hungUrl, 'no answer within 300 ms (--connect-timeout-ms)'],
  },
  {
    fault: 'report: a server that accepts and never answers',
    args: () => ['report', TRACE, '--no-html', '--clickhouse-url', hungUrl, '--connect-timeout-ms', '300'],
    exit: 5,
    says: () => [hungUrl, 'no answer within 300 ms'],
  },
  {
    fault: 'bad --timeout-ms',
    args: () => ['query', 'SELECT 1', '--timeout-ms', 'soon'],
    exit: 2,
    says: () => ['--timeout-ms'],
  },
];

describe('fault corpus: every fault, its exit code and one sentence with the path', () => {
  it.each(ROWS.map((r) => [r.fault, r] as const))('%s', async (_name, row) => {
    const r = await txreplay(row.args());
    const line = errorLine(r);
    expect(r.code, r.stderr).toBe(row.exit);
    for (const s of row.says()) expect(line).toContain(s);
    // one sentence: no stack trace, no raw errno dump
    expect(r.stderr).not.toMatch(/\n\s+at |EISDIR: illegal operation/);
    expect(existsSync(NO_DIR)).toBe(false);
  });

  it('simulate: the scenario refused as an output is left as it was', () => {
    expect(readFileSync(SCENARIO_COPY, 'utf8')).toBe(readFileSync(SCENARIO, 'utf8'));
  });

  it('a server that never answers: each retry is shown on stderr before the failure', async () => {
    const r = await txreplay(['query', 'SELECT 1', '--clickhouse-url', hungUrl, '--connect-timeout-ms', '200']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /txreplay: ClickHouse attempt 1 failed \(no answer within 200 ms .*\); retrying in 250 ms/,
    );
  });
});

describe('fault corpus: a full disk (a 64 KiB tmpfs; needs root, like the capture tests)', () => {
  const full = join(dir, 'full');
  beforeAll(() => {
    mkdirSync(full);
    if (process.getuid?.() !== 0) return; // each test below says why it cannot run
    const err = spawnSyncOk('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    if (err !== '') throw new Error(`mount tmpfs: ${err}`);
  });
  afterAll(() => {
    if (process.getuid?.() === 0) spawnSyncOk('umount', [full]);
  });

  it.each([
    ['ingest', () => ['ingest', TRACE, '-o', join(full, 'x.arrow')], 'x.arrow'],
    ['simulate', () => ['simulate', SCENARIO, '-o', join(full, 'x.txt')], 'x.txt'],
  ] as const)('%s: no space left → exit 74, the output named, nothing left behind', async (_cmd, args, name) => {
    if (process.getuid?.() !== 0) throw new Error('needs root to mount a tmpfs (run the suite as root, as CI does)');
    const r = await txreplay([...args()]);
    expect(r.code, r.stderr).toBe(74);
    // the one output writer names the file and the errno
    expect(errorLine(r)).toContain(`${join(full, name)}: no space left on the device`);
    expect(readdirSync(full)).toEqual([]);
  });
});

describe('fault corpus: the store and the result', () => {
  it('report exits like diagnose (1 with findings) and --json prints the replay JSON with where it was stored', async () => {
    const example = join(repoRoot, 'examples', 'multiqueue.perf-script.txt.gz');
    const diag = await txreplay(['diagnose', example]);
    const rep = await txreplay(['report', example, '--db', STORE, '--no-html', '--json']);
    expect(rep.code, rep.stderr).toBe(diag.code);
    expect(diag.code).toBe(1);
    const j = JSON.parse(rep.stdout) as { schema: string; verdict: string; stored: { runId: string; events: number } };
    expect(j.schema).toBe('txreplay.replay');
    expect(j.stored.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(j.stored.events).toBe(29484);
  });

  it('a refused statement changed nothing, and a read-only store can be queried', async () => {
    const before = await txreplay(['query', 'SELECT count() AS n FROM runs', '--db', STORE, '--format', 'csv']);
    expect(before.code, before.stderr).toBe(0);
    expect((await txreplay(['query', 'DROP TABLE runs', '--db', STORE])).code).toBe(2);
    // read-only: a read-only bind mount as root (permissions do not stop root), else no write permission
    const ro = join(dir, 'ro-store');
    mkdirSync(ro);
    const root = process.getuid?.() === 0;
    const mount = (args: string[]): void => {
      const r = spawnSyncOk('mount', args);
      if (r !== '') throw new Error(`mount ${args.join(' ')}: ${r}`);
    };
    if (root) {
      mount(['--bind', STORE, ro]);
      mount(['-o', 'remount,bind,ro', ro]);
    } else {
      rmSync(ro, { recursive: true });
      cpSync(STORE, ro, { recursive: true, verbatimSymlinks: true });
      chmodSync(ro, 0o555);
    }
    try {
      const r = await txreplay(['query', 'SELECT count() AS n FROM runs', '--db', ro, '--format', 'csv']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(before.stdout);
      expect(r.stderr).toContain(`${ro} is read-only`);
    } finally {
      if (root) spawnSyncOk('umount', [ro]);
      else chmodSync(ro, 0o755);
    }
  });
});

describe('fault corpus: signals to real child processes', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s ends ingest with %i, leaving no output and nothing in TMPDIR', async (sig, exit) => {
    const sub = mkdtempSync(join(dir, `${sig}-`));
    const tmp = mkdtempSync(join(dir, `${sig}-tmp-`));
    const out = join(sub, 'x.arrow');
    const child = spawn(process.execPath, [main, 'ingest', '-', '-o', out], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: tmp },
    });
    child.stdin.write(
      '  ping  9898 [000]   677.390454:       net:net_dev_xmit: dev=lo skbaddr=0x1 len=1 rc=0\n'.repeat(2000),
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // the temp file appears once ingest has started
    for (let i = 0; i < 200 && readdirSync(sub).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(sub).length).toBe(1);
    const code = await new Promise<number | null>((res) => {
      child.on('exit', (c) => res(c));
      child.kill(sig);
    });
    expect(code, stderr).toBe(exit);
    expect(readdirSync(sub)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s ends a command waiting on a server that never answers with %i', async (sig, exit) => {
    // query never asks for the signal: the process ends the orderly way (run.ts shutdown)
    const child = spawn(process.execPath, [main, 'query', 'SELECT 1', '--clickhouse-url', hungUrl], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise((r) => setTimeout(r, 3000));
    const code = await new Promise<number | null>((res) => {
      child.on('exit', (c) => res(c));
      child.kill(sig);
    });
    expect(code).toBe(exit);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s ends ingest waiting on stdin that never comes with %i', async (sig, exit) => {
    const out = join(dir, `stdin-${sig}.arrow`);
    const child = spawn(process.execPath, [main, 'ingest', '-', '-o', out], { stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise((r) => setTimeout(r, 2000));
    const code = await new Promise<number | null>((res) => {
      child.on('exit', (c) => res(c));
      child.kill(sig);
    });
    child.stdin.destroy();
    expect(code).toBe(exit);
    expect(existsSync(out)).toBe(false);
  });
});

function spawnSyncOk(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? '' : `${r.stderr}${r.error?.message ?? ''}`;
}

describe('fault corpus: simulate writes through the one output writer', () => {
  it('-o - streams the events to stdout and moves the summary to stderr', async () => {
    const r = await txreplay(['simulate', SCENARIO, '-o', '-']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+\S+\s+\d+ \[\d{3}\]\s+\d+\.\d{6}:\s+net:net_dev_queue: /);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stderr).toMatch(/^simulated [\d.]+ s: \d+ events written to -$/m);
    // stderr is a pipe here: no progress line, no carriage returns
    expect(r.stderr).not.toContain('\r');
    expect(existsSync(join(dir, '-'))).toBe(false);
  });

  it('a symlink output is written through to its target; the link stays a link', async () => {
    const target = join(dir, 'sim-target.txt');
    const link = join(dir, 'sim-link.txt');
    writeFileSync(target, 'old\n');
    symlinkSync(target, link);
    const r = await txreplay(['simulate', SCENARIO, '-o', link, '--dmesg', join(dir, 'sim-dmesg.txt')]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toMatch(/net:net_dev_queue/);
    // no temp left beside the outputs or in TMPDIR's simulate work dir
    expect(readdirSync(dir).filter((f) => /\.tmp|txreplay-sim-/.test(f))).toEqual([]);
  });
});
