import type { Command } from 'commander';
import { Option } from 'commander';
import type { IngestSummary, TraceFormat } from '@txreplay/ingest';
import { EXIT } from '../exit.js';
import { action, fail } from '../run.js';
import { TRACE_FORMATS } from '../replay-flags.js';
import { progress } from '../progress.js';
import { writeResult } from '../stdio.js';

/** Human summary: the counts always add up (lines = events + skipped + comments). */
export function formatIngestSummary(s: IngestSummary, out: string): string {
  const lines: string[] = [];
  for (const src of s.sources) {
    lines.push(
      `${src.path}: ${src.format}${src.kernel ? ` (kernel ${src.kernel})` : ''}: ${src.lines} lines = ` +
        `${src.events} events + ${src.skipped} skipped + ${src.comments} comments` +
        (src.lostEvents ? `; tracer lost ${src.lostEvents} events` : ''),
    );
    for (const i of src.issues) lines.push(`  ${i.path}:${i.line}: ${i.message}: ${i.text}`);
    if (src.skipped > src.issues.length) lines.push(`  … and ${src.skipped - src.issues.length} more skipped lines`);
  }
  if (s.sources.length > 1)
    lines.push(
      `total: ${s.lines} lines = ${s.events} events + ${s.skipped} skipped + ${s.comments} comments` +
        (s.lostEvents ? `; tracer lost ${s.lostEvents} events` : ''),
    );
  const counts = Object.entries(s.eventCounts).sort((a, b) => b[1] - a[1]);
  for (const [ev, n] of counts) lines.push(`  ${String(n).padStart(10)}  ${ev}`);
  lines.push(`wrote ${s.events} rows to ${out}`);
  return `${lines.join('\n')}\n`;
}

/** The summary as JSON: a binary input's wall clock (wallNs, traceNs) is bigint ns, written as decimal strings. */
function summaryJson(s: IngestSummary): string {
  return JSON.stringify(s, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 1);
}

/** `-o -`, /dev/stdout, /dev/fd/1: the table is written to this process's stdout (io/output.ts). */
function streamsToStdout(output: string): boolean {
  return output === '-' || /^\/(dev\/stdout|dev\/fd\/1|proc\/self\/fd\/1)$/.test(output);
}

/** `txreplay ingest FILE… -o OUT.arrow` */
export function register(program: Command): void {
  program
    .command('ingest')
    .description(
      'parse traces (perf script, ftrace, trace-cmd, bpftrace text/json; .gz; - for stdin) into an Arrow file',
    )
    .argument('<files...>', 'trace files, .gz, .arrow, or - for stdin')
    .requiredOption(
      '-o, --output <file>',
      'output: x.arrow (Arrow IPC file, written atomically), x.parquet (zstd Parquet), - or a FIFO (Arrow IPC stream)',
    )
    .addOption(new Option('--format <format>', 'override format detection').choices(TRACE_FORMATS))
    .option('--strict', 'stop at the first line that cannot be parsed (exit 4)')
    .option('--json', 'print the summary as JSON')
    .action(
      action(
        async (
          ctx,
          files: string[],
          opts: { output: string; format?: TraceFormat; strict?: boolean; json?: boolean },
        ) => {
          ctx.inputs(files);
          ctx.output(opts.output, '-o');
          const { ingestToArrow, StrictParseError } = await import('@txreplay/ingest');
          // the one progress helper: only on a terminal, ended with a newline before the summary
          const reading = progress('ingest: read', 'MB', 1e6);
          const clearProgress = (): void => reading.end();
          try {
            const summary = await ingestToArrow(files, opts.output, {
              format: opts.format,
              strict: opts.strict,
              signal: ctx.signal,
              onProgress: process.stderr.isTTY === true ? (read, total) => reading.update(read, total) : undefined,
            });
            clearProgress();
            const text = opts.json ? `${summaryJson(summary)}\n` : formatIngestSummary(summary, opts.output);
            // the data went to stdout: the summary goes to stderr so the stream stays readable
            if (streamsToStdout(opts.output)) process.stderr.write(text);
            else {
              // the command's one result (../stdio.ts: no process.stdout made for a pipe or a file)
              writeResult(text);
              // the table is closed and renamed into place (or streamed and closed): nothing is left to do
              ctx.endWhenDone();
            }
          } catch (err) {
            clearProgress();
            if (ctx.signal.aborted) fail(EXIT.interrupted, `interrupted; ${opts.output} was not written`);
            if (err instanceof StrictParseError) {
              fail(
                EXIT.parseError,
                `${err.message}: ${err.issue.text}\n(--strict: stopped; ${opts.output} was not written)`,
              );
            }
            throw err;
          }
        },
      ),
    );
}
