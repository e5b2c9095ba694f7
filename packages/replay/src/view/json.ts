/** JSON encoding of a ReplayResult (README "JSON schema"): bigint → decimal string, everything else as is. */
import type { ReplayResult } from '../types.js';

const JSON_SCHEMA_VERSION = 1;

export function toJson(result: ReplayResult, opts: { series?: boolean; pretty?: boolean } = {}): string {
  const body = {
    schema: 'txreplay.replay',
    version: JSON_SCHEMA_VERSION,
    ...result,
    series: opts.series === false ? [] : result.series,
  };
  return JSON.stringify(
    body,
    (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
    opts.pretty ? 2 : undefined,
  );
}
