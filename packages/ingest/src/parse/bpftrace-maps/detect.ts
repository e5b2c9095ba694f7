/**
 * Is this bpftrace output nothing but aggregates? Decided from the first lines, before the trace sniffer: a file
 * of maps has no event lines, so reading it as a trace would say "0 events" (or refuse it) instead of showing the
 * counts it holds.
 */
import { aggregatesOfJsonLine } from './json.js';
import { bucketOfLine, isBannerLine, mapLineOf } from './text.js';
import { jsonValuesOf } from './values.js';

/**
 * 'json' or 'text' when every non-blank line of `firstLines` is an aggregate (or a bucket line, a bpftrace banner,
 * a non-aggregate JSON record other than printf) and at least one is a map; else null.
 */
export function looksLikeBpftraceAggregates(firstLines: readonly string[]): 'json' | 'text' | null {
  const first = firstLines.find((s) => s.trim() !== '');
  if (first === undefined) return null;
  return first.trimStart().startsWith('{') ? jsonAggregates(firstLines) : textAggregates(firstLines);
}

/** Every complete JSON value of the head is a bpftrace record, none a printf, at least one a map. */
function jsonAggregates(firstLines: readonly string[]): 'json' | null {
  let maps = 0;
  for (const v of jsonValuesOf(firstLines.join('\n'))) {
    if (!v.complete) break; // the head ends inside it
    const got = aggregatesOfJsonLine(v.text, 0);
    if (typeof got === 'string') return null;
    if (got) {
      maps += got.length;
      continue;
    }
    if (!/^\{\s*"type"\s*:\s*"(?!printf")/.test(v.text)) return null;
  }
  return maps > 0 ? 'json' : null;
}

/** Every line of the head (but a last one the head may have cut) is a map line, a bucket, a banner or blank. */
function textAggregates(firstLines: readonly string[]): 'text' | null {
  let maps = 0;
  const lines = firstLines.length > 1 ? firstLines.slice(0, -1) : firstLines;
  for (const s of lines) {
    if (s.trim() === '' || isBannerLine(s) || bucketOfLine(s)) continue;
    if (!mapLineOf(s, 0)) return null;
    maps++;
  }
  return maps > 0 ? 'text' : null;
}
