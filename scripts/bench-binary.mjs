#!/usr/bin/env node
/**
 * Binary-reader benchmark (`pnpm bench:binary`, not a test): `txreplay ingest` reading a large perf.data /
 * trace.dat straight to Arrow, against the two-step path it replaces — the tool's text (`perf script > file`,
 * `trace-cmd report > file`) plus `txreplay ingest` of that text — in one run, each step in its own process under
 * /usr/bin/time (wall, CPU, peak RSS). Both ingest steps run the built command (packages/cli/dist/main.cjs, the `txreplay` bin) as a
 * user does, start-up included.
 *
 * The recordings are made here, into a temporary directory (removed at the end unless BENCH_KEEP=DIR is given; an
 * existing BENCH_KEEP directory with both files is reused): a bounded UDP flood (BENCH_PACKETS datagrams, default
 * 750000 — a 276 MB perf.data of ~2.46 M events and a 9 MB trace.dat of ~2.49 M, where the readers' fixed start-up
 * cost (~0.25 s before the first event) no longer decides the ratio; 150000 gives the 57 MB one of earlier sessions —
 * at most BENCH_FLOOD_SECONDS s, default 60) between two network namespaces of scripts/netns-veth.sh with
 * bench-only names (txr-bench-*, 10.251.81.0/24; eth0 and the root namespace are never touched), recorded once
 * with `perf record -a` and once with `trace-cmd record -d --no-filter` (trace-cmd 3.1.6 cannot set its pid filter
 * here). The namespaces are removed and the top tracefs instance is restored to what it was, whatever happens.
 * Needs root, perf and trace-cmd. Args: optional paths of existing perf.data / trace.dat files (no recording).
 * Each input is measured BENCH_RUNS times (default 3), the steps of a run back to back, with the load average
 * printed at each run's start: the ratio of a run is taken within it, and the median and best ratio reported.
 * BENCH_BASE_CLI=path/to/packages/cli/dist/main.cjs of another build (main's checkout) times that build's direct read
 * in every run as well (one thread), right after this one's: an A/B under the same load.
 * A NODE_EXTRA_CA_CERTS in the environment is named in the output: node parses that CA bundle in every process
 * before any script runs (~0.4 G instructions, ~0.06 CPU-s with the 144 certificates of this machine's bundle; callgrind,
 * 2026-12-07), a start-up cost of each txreplay step that is the environment's, not txreplay's. It is left set.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli/dist/main.cjs');
if (!existsSync(cli)) {
  console.error('packages/cli/dist is missing: run `pnpm build` first');
  process.exit(1);
}
const T = '/sys/kernel/tracing';
const EVENTS = [
  'net:net_dev_queue',
  'net:net_dev_start_xmit',
  'net:net_dev_xmit',
  'qdisc:qdisc_enqueue',
  'qdisc:qdisc_dequeue',
  'napi:napi_poll',
  'skb:kfree_skb',
  'skb:consume_skb',
];
const NET = {
  ...process.env,
  TXR_NS_PREFIX: 'txr-bench',
  TXR_IFINDEX_BASE: '4501',
  TXR_SUBNET: '10.251.81',
  TXR_MAC_BASE: '02:74:78:72:05',
};
const packets = Number(process.env.BENCH_PACKETS ?? 750000);
const floodSeconds = Number(process.env.BENCH_FLOOD_SECONDS ?? 60);
const netns = join(root, 'scripts/netns-veth.sh');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  if (r.status !== 0 && !opts.allowFail)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr ?? '').slice(-800)}`);
  return r;
}
const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
const flood = () => [netns, 'burst', String(packets), '200', String(floodSeconds)];

/** The top tracefs instance as trace-cmd finds it, to put back afterwards. */
function tracefsState() {
  const read = (f) => readFileSync(join(T, f), 'utf8').trim();
  return {
    clock: /\[(\S+)\]/.exec(read('trace_clock'))?.[1] ?? 'local',
    bufferKb: read('buffer_size_kb').replace(/\D.*$/, ''),
    on: read('tracing_on'),
    events: read('set_event'),
    tracer: read('current_tracer'),
  };
}
function restoreTracefs(s) {
  const write = (f, v) => {
    try {
      writeFileSync(join(T, f), `${v}\n`);
    } catch (e) {
      console.error(`restore ${f}: ${e.message}`);
    }
  };
  write('tracing_on', '0');
  write('set_event', '');
  for (const ev of s.events.split('\n').filter(Boolean)) writeFileSync(join(T, 'set_event'), `${ev}\n`, { flag: 'a' });
  write('current_tracer', s.tracer);
  write('trace_clock', s.clock);
  write('buffer_size_kb', s.bufferKb);
  write('tracing_on', s.on);
}

/** Record perf.data and trace.dat of the same bounded flood into dir. */
function record(dir) {
  if (process.getuid?.() !== 0 || !has('perf') || !has('trace-cmd'))
    throw new Error('recording needs root, perf and trace-cmd (or pass existing perf.data / trace.dat paths)');
  const before = tracefsState();
  // trace-cmd uses the top instance: wait (bounded, 2 min) until nobody else has events on
  for (let i = 0; i < 24 && (tracefsState().events !== '' || tracefsState().tracer !== 'nop'); i++) {
    console.error('top tracefs instance busy, waiting');
    spawnSync('sleep', ['5']);
  }
  try {
    run(netns, ['up'], { env: NET });
    const ev = EVENTS.flatMap((e) => ['-e', e]);
    const perf = join(dir, 'perf.data');
    run(
      'timeout',
      ['180', 'perf', 'record', '-q', '-a', '-k', 'CLOCK_MONOTONIC', '-m', '8M', ...ev, '-o', perf, '--', ...flood()],
      {
        env: NET,
      },
    );
    const dat = join(dir, 'trace.dat');
    const tc = ['180', 'trace-cmd', 'record', '-d', '--no-filter', '-C', 'mono', '-b', '65536', ...ev, '-o', dat, '--'];
    run('timeout', [...tc, ...flood()], { env: NET, allowFail: true });
    if (!existsSync(dat)) throw new Error('trace-cmd record wrote no trace.dat');
    return [perf, dat];
  } finally {
    restoreTracefs(before);
    run(netns, ['down'], { env: NET, allowFail: true });
  }
}

/** One step in its own process under /usr/bin/time: wall s, CPU s, peak RSS MB. */
function timed(argv, stdoutFile, env = process.env) {
  const sh = `exec /usr/bin/time -f '%e %U %S %M' ${argv.map((a) => `'${a}'`).join(' ')}${stdoutFile ? ` > '${stdoutFile}'` : ''}`;
  const r = run('sh', ['-c', sh], { env });
  const err = r.stderr.trim().split('\n');
  const last = err.pop().split(' ').map(Number);
  const threads = err.find((l) => l.startsWith('threads '));
  return {
    wall: last[0],
    cpu: last[1] + last[2],
    rssMb: last[3] / 1024,
    out: r.stdout,
    threads: threads === undefined ? undefined : JSON.parse(threads.slice(8)),
  };
}

/**
 * CPU seconds per thread of the ingest process, polled from /proc/self/task every 20 ms (a worker's thread is gone
 * once it ends) by a module preloaded into `txreplay ingest` (node --import), printed to stderr at exit: the main
 * thread, the busiest other thread (the binary worker, when there is one) and the rest (JIT compiler, GC helpers,
 * libuv I/O).
 */
const threadPoll = `import fs from 'node:fs';
const seen = new Map();
const poll = () => {
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      const f = fs.readFileSync('/proc/self/task/' + t + '/stat', 'utf8');
      const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
      seen.set(t, (Number(v[11]) + Number(v[12])) / 100);
    } catch {}
  }
};
setInterval(poll, 20).unref();
process.on('exit', () => {
  poll();
  const main = seen.get(String(process.pid)) ?? 0;
  seen.delete(String(process.pid));
  const rest = [...seen.values()].sort((a, b) => b - a);
  process.stderr.write('threads ' + JSON.stringify({ main, top: rest[0] ?? 0, others: rest.slice(1).reduce((a, b) => a + b, 0) }) + '\\n');
});
`;
/** `txreplay ingest input -o out --json` as users run it (the CLI bundle), workers forced when given */
const ingest = (input, out, workers, using = cli) =>
  timed([process.execPath, '--import', pollModule, using, 'ingest', input, '-o', out, '--json'], undefined, {
    ...process.env,
    TXREPLAY_INGEST_WORKERS: workers === undefined ? '' : String(workers),
  });
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const runs = Number(process.env.BENCH_RUNS ?? 3);
/** another build's packages/cli/dist/main.cjs (e.g. main's checkout): its direct read timed in every run too */
const baseCli = process.env.BENCH_BASE_CLI;

const keep = process.env.BENCH_KEEP;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'txreplay-bench-binary-'));
if (keep) mkdirSync(keep, { recursive: true });
const pollModule = join(dir, 'thread-poll.mjs');
writeFileSync(pollModule, threadPoll);
const fmt = (n, d = 2) => n.toFixed(d).padStart(8);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * One run on one input, the steps back to back (so they share the machine's load): txreplay direct with its
 * worker reading the file (workers 1: the default with more than two cores) and in one thread (workers 0: the
 * default with two), the tool's text, txreplay ingest of that text (its own defaults).
 */
function oneRun(input, isPerf, text, arrow) {
  const load = loadavg();
  const bin = ingest(input, arrow, 1);
  const thread = ingest(input, arrow, 0);
  // A/B: the same direct read by another build, in the same run (BENCH_BASE_CLI)
  const base = baseCli === undefined ? undefined : ingest(input, arrow, 0, baseCli);
  const tool = isPerf ? ['perf', 'script', '-i', input] : ['trace-cmd', 'report', '-i', input];
  const toolRun = timed(tool, text);
  const txt = ingest(text, arrow);
  const two = { wall: toolRun.wall + txt.wall, cpu: toolRun.cpu + txt.cpu, rssMb: Math.max(toolRun.rssMb, txt.rssMb) };
  const { events } = JSON.parse(bin.out);
  // Both paths must read the same events, or the ratio compares different work.
  for (const [what, t] of [
    ['1 thread', thread],
    ['text', txt],
  ]) {
    const n = JSON.parse(t.out).events;
    if (n !== events) throw new Error(`${input}: the direct read gave ${events} events, the ${what} path ${n}`);
  }
  return { load, bin, thread, base, toolRun, txt, two, events, tool: tool.slice(0, 2).join(' ') };
}

function report(input, isPerf, text, all) {
  const name = isPerf ? 'perf.data' : 'trace.dat';
  const mb = statSync(input).size / 1e6;
  const threads = (t) => {
    const th = t.threads;
    return th
      ? `   threads: main ${th.main.toFixed(2)}, busiest other ${th.top.toFixed(2)}, rest ${th.others.toFixed(2)}`
      : '';
  };
  const row = (what, t) =>
    console.log(
      `${name.padEnd(10)} ${fmt(mb, 1)} ${String(all[0].events).padStart(8)}  ${what.padEnd(36)} ${fmt(t.wall)} ${fmt(t.cpu)} ${fmt(t.rssMb, 0)}${threads(t)}`,
    );
  all.forEach((r, i) => {
    console.log(`run ${i + 1}/${all.length}, load average ${r.load} (1/5/15 min) at its start`);
    row('txreplay → Arrow (direct, worker)', r.bin);
    row('txreplay → Arrow (direct, 1 thread)', r.thread);
    if (r.base !== undefined) row('BENCH_BASE_CLI → Arrow (1 thread)', r.base);
    row(`${r.tool} > text`, r.toolRun);
    row(`txreplay ingest of that text (${(statSync(text).size / 1e6).toFixed(0)} MB)`, r.txt);
    row('two-step total', r.two);
    console.log(
      `           ratio two-step / direct: ${(r.two.wall / r.bin.wall).toFixed(2)}× wall, ${(r.two.cpu / r.bin.cpu).toFixed(2)}× CPU (1 thread: ${(r.two.wall / r.thread.wall).toFixed(2)}× wall, ${(r.two.cpu / r.thread.cpu).toFixed(2)}× CPU)`,
    );
  });
  const summary = (label, of) => {
    const wall = all.map((r) => r.two.wall / of(r).wall);
    const cpu = all.map((r) => r.two.cpu / of(r).cpu);
    const rss = Math.max(...all.map((r) => of(r).rssMb));
    console.log(
      `${name} ${label}: ratio over ${all.length} runs: wall median ${median(wall).toFixed(2)}× (best ${Math.max(...wall).toFixed(2)}×), CPU median ${median(cpu).toFixed(2)}× (best ${Math.max(...cpu).toFixed(2)}×); direct peak RSS ${rss.toFixed(0)} MB`,
    );
  };
  summary('direct, worker', (r) => r.bin);
  summary('direct, 1 thread', (r) => r.thread);
  if (all[0].base !== undefined) summary('BENCH_BASE_CLI, 1 thread', (r) => r.base);
  console.log(
    `(the default here, ${availableParallelism()} cores: ${availableParallelism() > 2 ? 'worker' : '1 thread'}); load average now ${loadavg()}\n`,
  );
}

try {
  let inputs = process.argv.slice(2);
  if (inputs.length === 0) {
    const have = [join(dir, 'perf.data'), join(dir, 'trace.dat')];
    inputs = keep && have.every(existsSync) ? have : record(dir);
  }
  if (process.env.NODE_EXTRA_CA_CERTS)
    console.log(
      `(NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS} is set: every node step parses it at start-up, ~0.06 CPU-s)`,
    );
  console.log(
    `${'input'.padEnd(10)} ${'MB'.padStart(8)} ${'events'.padStart(8)}  step${' '.repeat(32)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'RSS MB'.padStart(8)}`,
  );
  for (const input of inputs) {
    const isPerf = !/\.dat(\.gz)?$/.test(input);
    const text = join(dir, isPerf ? 'perf-script.txt' : 'tracecmd-report.txt');
    const arrow = join(dir, 'out.arrow');
    const all = Array.from({ length: runs }, () => oneRun(input, isPerf, text, arrow));
    report(input, isPerf, text, all);
  }
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
