/**
 * The CLI's one table printer: columns aligned (numbers right, text left), control characters shown escaped,
 * cells printed from their exact text — 64-bit integers are never passed through a JavaScript number.
 */
export interface TableColumn {
  name: string;
  /** right-aligned */
  numeric: boolean;
}

/** A ClickHouse type that prints right-aligned (Nullable/LowCardinality wrappers looked through). */
export function isNumericType(type: string): boolean {
  return /^(Nullable\(|LowCardinality\()*(U?Int\d+|Float\d+|Decimal)/.test(type);
}

const visible = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));

/** Text table with a header rule and a row count, ending in a newline. */
export function formatTable(columns: TableColumn[], rows: string[][]): string {
  const cells = rows.map((r) => columns.map((_, i) => visible(r[i] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.name.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (columns[i]!.numeric ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => visible(c.name))), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells) out.push(line(r));
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}
