/**
 * A BatchSource (./input/batches.ts) over the plain column buffers of a text trace (@txreplay/ingest/plain
 * loadEventBuffers): the very typed arrays an Arrow table of the same rows would wrap (ingest's EventColumns makes
 * its record batches from them without copying), so the pass reads the same values as from tableSource, without
 * apache-arrow being loaded. Dictionary columns arrive as indices into one string table per column: those strings
 * are interned in index order, so an index is already the merged code.
 */
import { COLUMNS, type EventBuffers } from '@txreplay/ingest/plain';
import type { Chunk, ValueArray } from './columns.js';
import {
  cellOfChunk,
  DICT_COLUMNS,
  newDictNames,
  sliceChunk,
  type BatchSource,
  type ReplayColumn,
} from './input/batches.js';

export function plainSource(buffers: EventBuffers): BatchSource {
  const { batches } = buffers;
  const names = newDictNames();
  for (const [column, dn] of Object.entries(DICT_COLUMNS)) {
    const strings = buffers.dicts[column as keyof EventBuffers['dicts']];
    for (const s of strings) names[dn].intern(s);
  }
  const starts = [0];
  for (const b of batches) starts.push(starts[starts.length - 1]! + b.n);
  const chunkOf = (b: number, name: ReplayColumn): Chunk => {
    const batch = batches[b]!;
    const c = COLUMNS.indexOf(name);
    const chunk: Chunk = {
      values: batch.values[c] as ValueArray,
      validity: batch.nullCounts[c]! > 0 ? batch.bitmaps[c]! : null,
      offset: 0,
      length: batch.n,
    };
    if (DICT_COLUMNS[name]) chunk.codes = true;
    return chunk;
  };
  return {
    numRows: starts[starts.length - 1]!,
    starts,
    metadata: buffers.metadata,
    names,
    chunk(b, name, _slot, range) {
      return b < batches.length ? sliceChunk(chunkOf(b, name), range, name === 'ptr_hashed') : null;
    },
    cell(b, name, i) {
      return b < batches.length ? cellOfChunk(chunkOf(b, name), i) : null;
    },
    close() {},
  };
}
