/**
 * Shared helpers of the ndo_tx_timeout dump matchers: build a record and map printed fields onto the ring view.
 */
import { deviceRef } from '../device.js';
import { small } from '../numbers.js';
import type { TxTimeoutDumpRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

export type Fmt = TxTimeoutDumpRecord['format'];

export function build(
  c: Cursor,
  i: number,
  idx: number[],
  format: Fmt,
  fields: Record<string, bigint>,
): TxTimeoutDumpRecord {
  const msg = c.msgs[i]!;
  return {
    kind: 'tx_timeout_dump',
    ...takeSpan(c, idx),
    ...deviceRef(msg),
    driver: msg.driver ?? (format === 'generic' ? 'unknown' : format),
    format,
    fields,
  };
}

export function ring(
  rec: TxTimeoutDumpRecord,
  map: Partial<Record<'queue' | 'hwHead' | 'hwTail' | 'nextToUse' | 'nextToClean' | 'count', string>>,
): void {
  for (const [k, name] of Object.entries(map) as [keyof typeof map, string][]) {
    const v = small(rec.fields[name]);
    if (v !== undefined) rec[k] = v;
  }
}
