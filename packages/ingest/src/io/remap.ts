/**
 * Batches parsed into columns with their own dictionaries (a parse worker's, or the calling thread's WebAssembly
 * kernel columns, ../parse/wasmLines.ts) → the output's dictionaries: the parser's local string index → the output
 * index, extended with the strings the parser added since its previous batch, and the batch's dictionary indices
 * rewritten in place (skipped when the indices already match, often the first parser's).
 */
// no apache-arrow here: parse workers load this module
import { COLUMNS } from '../table/catalogue.js';
import { DICT_COLUMN_NAMES, type BatchBuffers, type RowColumns } from '../table/rows.js';

const EVENT_D = DICT_COLUMN_NAMES.indexOf('event');
const DICT_C = DICT_COLUMN_NAMES.map((name) => COLUMNS.indexOf(name));

export class DictRemap {
  /** per dictionary column: local index → output index */
  private readonly maps: number[][] = DICT_COLUMN_NAMES.map(() => []);
  private readonly identity: boolean[] = DICT_COLUMN_NAMES.map(() => true);

  constructor(
    private readonly cols: RowColumns,
    /** the input's index in the output `source` dictionary (a parser interns its own name for it) */
    private readonly sourceIdx: number,
  ) {}

  /** The strings the parser added to each dictionary (DICT_COLUMN_NAMES order), in its index order. */
  add(newStrings: readonly (readonly string[])[]): void {
    DICT_COLUMN_NAMES.forEach((name, d) => {
      const m = this.maps[d]!;
      const add = newStrings[d]!;
      for (const s of add) m.push(name === 'source' ? this.sourceIdx : this.cols.dicts[name].intern(s));
      if (add.length > 0) this.identity[d] = m.every((g, local) => g === local);
    });
  }

  /** Rewrite the dictionary indices of batch `p` in place. */
  apply(p: BatchBuffers): void {
    const n = p.n;
    for (let d = 0; d < DICT_C.length; d++) {
      if (p.nullCounts[DICT_C[d]!] === n || this.identity[d]) continue; // all null, or same indices
      const idx = p.values[DICT_C[d]!] as Int32Array;
      const map = this.maps[d]!;
      for (let i = 0; i < n; i++) idx[i] = map[idx[i]!]!;
    }
  }

  /** Add per-event counts by local event index into `into` (by output index). */
  foldEventCounts(local: readonly number[], into: number[]): void {
    local.forEach((n, l) => {
      if (n) {
        const g = this.maps[EVENT_D]![l]!;
        into[g] = (into[g] ?? 0) + n;
      }
    });
  }
}

/** The strings each dictionary of `dicts` gained since `sent` (advanced to the current sizes). */
export function newStringsSince(
  dicts: Record<(typeof DICT_COLUMN_NAMES)[number], { values: string[] }>,
  sent: number[],
): string[][] {
  return DICT_COLUMN_NAMES.map((name, d) => {
    const values = dicts[name].values;
    const add = values.slice(sent[d]);
    sent[d] = values.length;
    return add;
  });
}
