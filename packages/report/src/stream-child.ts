/**
 * The child process of a streamed `report`'s parse (stream-process.ts): one request, the parse of stream-parse.ts,
 * its answer, then (when the parent asks, with its options) the replay of the Arrow file it wrote, exit. Signals are the parent's to handle (the CLI's run.ts ends the command its way): a Ctrl-C on the
 * terminal reaches this process too and is ignored here; it ends when the parent goes (the IPC channel closes).
 */
import { parseFiles, parseTrace } from './stream-parse.js';
import { errorShape, type AfterParse, type ParseAnswer, type ParseRequest } from './stream-process.js';

const send = (m: ParseAnswer, done?: () => void): void => {
  process.send?.(m, undefined, {}, done);
};

process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.once('disconnect', () => process.exit(0));
const end = (): void => process.exit(0);
const fail = (e: unknown): void => send({ type: 'error', error: errorShape(e) }, end);

/** The parent's word after the parse: replay the file (its lists spilled: the pass's state stays bounded) or end. */
async function afterParse(arrowFile: string, next: AfterParse): Promise<void> {
  if (next.type === 'end') return end();
  const { replayArrowFile } = await import('@txreplay/replay');
  const t0 = performance.now();
  const result = await replayArrowFile(arrowFile, next.options, true);
  send({ type: 'replayed', result, replayMs: performance.now() - t0 }, end);
}

process.once('message', (m: ParseRequest) => {
  const onProgress = m.progress
    ? (read: number, total: number | null) => send({ type: 'progress', read, total })
    : undefined;
  parseTrace(m.dir, m.traces, { ...m.opts, onProgress }, m.tuning).then((parsed) => {
    process.once('message', (next: AfterParse) => afterParse(parseFiles(m.dir).arrowFile, next).catch(fail));
    send({ type: 'parsed', parsed });
  }, fail);
});
