import type { Command } from 'commander';
import type { TableInspection } from '@txreplay/ingest';
import { EXIT } from '../exit.js';
import { action, fail } from '../run.js';

export function formatInspection(r: TableInspection): string {
  const out: string[] = [];
  out.push(`${r.path}: ${r.rows} rows in ${r.batches} record batches`);
  const m = r.metadata;
  if (m['txreplay.format'] !== undefined) {
    out.push(
      `source format ${m['txreplay.format']}${m['txreplay.kernel'] ? `, kernel ${m['txreplay.kernel']}` : ''}; ` +
        `${m['txreplay.lines']} lines = ${m['txreplay.events']} events + ${m['txreplay.skipped']} skipped + ` +
        `${m['txreplay.comments']} comments; tracer lost ${m['txreplay.lost_events']} events`,
    );
    try {
      for (const s of JSON.parse(m['txreplay.sources'] ?? '[]') as { path: string; format: string; events: number }[])
        out.push(`  source ${s.path} (${s.format}): ${s.events} events`);
    } catch {
      /* metadata not from txreplay */
    }
  }
  if (r.timeSpan)
    out.push(`time span: ${r.timeSpan.firstNs} .. ${r.timeSpan.lastNs} ns (${r.timeSpan.seconds.toFixed(6)} s)`);
  out.push('schema:');
  for (const f of r.schema) out.push(`  ${f.name.padEnd(12)} ${f.type}${f.nullable ? '' : ' (not null)'}`);
  out.push('events:');
  for (const [k, n] of Object.entries(r.eventCounts)) out.push(`  ${String(n).padStart(10)}  ${k}`);
  out.push('devices:');
  for (const [k, n] of Object.entries(r.deviceCounts)) out.push(`  ${String(n).padStart(10)}  ${k}`);
  return `${out.join('\n')}\n`;
}

/** `txreplay inspect OUT.arrow [--json]` */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('show schema, time span and counts per event and device of an ingested Arrow file')
    .argument('<file>', 'Arrow file written by txreplay ingest')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ctx, file: string, opts: { json?: boolean }) => {
        ctx.inputs([file]);
        const { inspectArrowFile } = await import('@txreplay/ingest');
        let r: TableInspection;
        try {
          r = await inspectArrowFile(file);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          fail(
            code === 'ENOENT' ? EXIT.usage : EXIT.notATrace,
            `cannot read ${file} as an Arrow file: ${(err as Error).message}`,
          );
        }
        process.stdout.write(opts.json ? `${JSON.stringify(r, null, 1)}\n` : formatInspection(r));
      }),
    );
}
