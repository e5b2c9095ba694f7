/**
 * What a binary reader skipped, as warnings in the source summary (line 0: about the file, not a line of it): a
 * file cut short (the events before the cut are kept), record types and payloads it could not use, counted.
 */
import type { ParseIssue } from '../parse/errors.js';
import type { BinaryReaderStats } from '../parse/tracing-data/types.js';

/** Skip reasons that mean the file ends inside a record (perf-data/reader.ts, trace-dat/reader.ts). */
const CUT = ['TRUNCATED', 'COMPRESSED(truncated record)', 'truncated page', 'truncated chunk'];
/** Record types perf writes that carry nothing for the event table (mappings, BPF, AUX data): not worth a warning. */
const QUIET =
  /^(MMAP2?|KSYMBOL|BPF_EVENT|THREAD_MAP|CPU_MAP|STAT|STAT_ROUND|STAT_CONFIG|TIME_CONV|EVENT_UPDATE|SAMPLE\(no raw\)|TEXT_POKE|CGROUP|NAMESPACES|SWITCH(_CPU_WIDE)?|THROTTLE|UNTHROTTLE|AUX|ITRACE_START|AUXTRACE(_INFO|_ERROR)?|BUILD_ID|HEADER_FEATURE\(\d+\)|instance ".*"|option .*)$/;

export function binaryWarnings(path: string, format: string, stats: BinaryReaderStats, events: number): ParseIssue[] {
  const out: ParseIssue[] = [];
  const warn = (message: string): void => void out.push({ path, line: 0, message, text: '' });
  const at = (key: string): string => {
    const off = stats.firstOffset[key];
    return off === undefined ? '' : ` (first at offset ${off})`;
  };
  for (const key of CUT) {
    const n = stats.skipped[key];
    if (n)
      warn(
        `the ${format} file is cut short: it ends inside a record${at(key)}; the ${events} events before the cut were read`,
      );
  }
  const odd = Object.entries(stats.skipped).filter(([k]) => !CUT.includes(k) && !QUIET.test(k));
  if (odd.length > 0) warn(`skipped and counted: ${odd.map(([k, n]) => `${k} ×${n}${at(k)}`).join(', ')}`);
  if (stats.unknownEvents > 0)
    warn(`${stats.unknownEvents} tracepoint payloads of an event type the file carries no format for were skipped`);
  return out;
}
