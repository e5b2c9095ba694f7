/**
 * A child process of a streamed `report` (stream-process.ts): one request — the parse of stream-parse.ts, or the
 * replay of the Arrow file it wrote —, its answer, exit. Signals are the parent's to handle (the CLI's run.ts ends
 * the command its way): a Ctrl-C on the terminal reaches this process too and is ignored here; it ends when the
 * parent goes (the IPC channel closes).
 */
import { parseTrace } from './stream-parse.js';
import { errorShape, type ChildAnswer, type ChildRequest } from './stream-process.js';

const end = (): void => process.exit(0);
const send = (m: ChildAnswer, done?: () => void): void => {
  process.send?.(m, undefined, {}, done);
};

async function run(m: ChildRequest): Promise<ChildAnswer> {
  if (m.type === 'replay') {
    const { replayArrowFile } = await import('@txreplay/replay');
    const t0 = performance.now();
    // its per-event lists spill to disk, so that the pass's state stays bounded
    const result = await replayArrowFile(m.arrowFile, m.options, true);
    return { type: 'replayed', result, replayMs: performance.now() - t0 };
  }
  const onProgress = m.progress
    ? (read: number, total: number | null) => send({ type: 'progress', read, total })
    : undefined;
  return { type: 'parsed', parsed: await parseTrace(m.dir, m.traces, { ...m.opts, onProgress }, m.tuning) };
}

process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.once('disconnect', end);
process.once('message', (m: ChildRequest) => {
  run(m).then(
    (a) => send(a, end),
    (e: unknown) => send({ type: 'error', error: errorShape(e) }, end),
  );
});
