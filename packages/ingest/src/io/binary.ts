/**
 * perf.data and trace.dat into the one text grammar: each decoded tracepoint record is rendered as the line
 * `perf script` would print for it — the event's own print format (renderPrintFmt, the tests compare it with
 * every line the tools print) — but with the full nanosecond timestamp, and each lost window as perf's
 * `PERF_RECORD_LOST lost N` line on its CPU. The line parsers then fill the catalogue's columns exactly as they do
 * for text captures, so a binary capture and its `perf script` text give the same rows (at the text's precision).
 * I/O edge: writes a temporary text file the caller removes.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { readPerfData } from '../parse/perf-data/index.js';
import { readTraceDat } from '../parse/trace-dat/index.js';
import { renderPrintFmt, type BinaryTraceRecord } from '../parse/tracing-data/index.js';

export type BinaryFormat = 'perf-data' | 'trace-dat';

export interface BinaryTextResult {
  events: number;
  lost: number;
  /** tracepoint records whose format the file does not carry, or whose print format could not be rendered */
  unrendered: number;
  osRelease: string | null;
}

const pad9 = (n: bigint): string => n.toString().padStart(9, '0');

/** `secs.nanosecs` of a trace-clock timestamp. */
function stamp(tsNs: bigint): string {
  return `${tsNs / 1_000_000_000n}.${pad9(tsNs % 1_000_000_000n)}`;
}

function cpuCol(cpu: number | undefined): string {
  return `[${String(cpu ?? 0).padStart(3, '0')}]`;
}

export async function binaryToPerfScriptText(
  path: string,
  format: BinaryFormat,
  outPath: string,
): Promise<BinaryTextResult> {
  const reader = format === 'perf-data' ? readPerfData(path) : readTraceDat(path);
  const out = createWriteStream(outPath);
  const result: BinaryTextResult = { events: 0, lost: 0, unrendered: 0, osRelease: null };
  let lastNs = 0n;
  const resolve = (addr: bigint): string | undefined => reader.kallsyms?.resolve(addr);
  let text: string[] = [];
  const flush = async (): Promise<void> => {
    if (text.length === 0) return;
    if (!out.write(text.join(''))) await once(out, 'drain');
    text = [];
  };
  const line = (r: BinaryTraceRecord): void => {
    if (r.kind === 'lost') {
      // perf script prints the LOST record at its own time: when the buffer had room again (trace.dat: the first
      // event after the loss); replay opens the window at the CPU's previous event
      const at = r.endNs ?? r.startNs ?? lastNs;
      result.lost += Math.max(0, r.count);
      // a page flagged RB_MISSED_EVENTS without a count still lost events: at least one
      text.push(`lost -1 ${cpuCol(r.cpu)} ${stamp(at)}: PERF_RECORD_LOST lost ${Math.max(1, r.count)}\n`);
      return;
    }
    lastNs = r.tsNs;
    const fmt = reader.formats.get(r.event);
    const body = fmt ? renderPrintFmt(fmt, r.fields, resolve) : null;
    if (body === null) {
      result.unrendered++;
      return;
    }
    result.events++;
    const comm = r.comm.replace(/\s+/g, '_') || ':' + String(r.tid ?? r.pid);
    text.push(`${comm} ${r.tid ?? r.pid} ${cpuCol(r.cpu)} ${stamp(r.tsNs)}: ${r.event}: ${body}\n`);
  };
  try {
    for await (const batch of reader.batches()) {
      for (const r of batch) line(r);
      if (text.length >= 4096) await flush();
    }
    await flush();
  } finally {
    out.end();
    await once(out, 'close');
  }
  result.osRelease = reader.meta?.osRelease ?? null;
  return result;
}
